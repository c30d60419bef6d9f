"""HyperbandScheduleDisplay: candidates per rung of each bracket."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from ._frames import _unpack
from ._matplotlib import axes_or_new, check_artist_kwargs, fit_new_figure, pyplot
from ._persistence import stored_search_params

_SCHEDULE_COLUMNS = ("bracket", "rung", "n_candidates", "n_resources")


class HyperbandScheduleDisplay:
    """Candidates per rung of each Hyperband bracket: the schedule and survival.

    Each bracket is a group of bars, one per rung, in running order; a bar's
    height is the number of candidates run at that rung and its colour the
    rung's budget (``n_resources``), so the bars show how many candidates
    survive each halving.

    Build it with :meth:`from_search` (a fitted ``HyperbandSearchCV`` or
    scikit-learn ``Halving*SearchCV``) or :meth:`from_schedule` (the table
    of :func:`skhpo.hyperband_schedule` or ``HyperbandSearchCV.schedule()``,
    before fitting), then call :meth:`plot`.

    Parameters
    ----------
    schedule : pandas.DataFrame
        One row per rung, in running order, with the columns ``bracket``
        (Li et al.'s ``s``: the bracket has ``s + 1`` rungs), ``rung``,
        ``n_candidates`` and ``n_resources`` (and any other column, such as
        ``fold_fits``, kept as is).
    resource : str, default=None
        What ``n_resources`` counts, for the axis label.
    note : str, default=None
        Drawn as the title (:meth:`from_search` sets it when a callback
        stopped the search before every bracket ran its rungs).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    bars_ : matplotlib BarContainer
        One bar per rung, in the order of ``schedule``.

    See Also
    --------
    skhpo.hyperband_schedule : The schedule as a table, before fitting.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skhpo import hyperband_schedule
    >>> from skhpo.plotting import HyperbandScheduleDisplay
    >>> display = HyperbandScheduleDisplay.from_schedule(hyperband_schedule(9))
    >>> display = display.plot()
    >>> [int(bar.get_height()) for bar in display.bars_]
    [9, 3, 1, 5, 1, 3]
    """

    def __init__(self, schedule, resource=None, note=None):
        self.schedule = schedule
        self.resource = resource
        self.note = note

    @classmethod
    def from_schedule(cls, schedule, *, resource=None):
        """Use a schedule table, such as :func:`skhpo.hyperband_schedule` returns.

        Parameters
        ----------
        schedule : pandas.DataFrame
            With the columns ``bracket``, ``rung``, ``n_candidates`` and
            ``n_resources``, one row per rung in running order.
        resource : str, default=None
            What ``n_resources`` counts (``"n_splits"``, ``"n_samples"``,
            an estimator parameter), for the axis label.

        Returns
        -------
        display : HyperbandScheduleDisplay
        """
        if not isinstance(schedule, pd.DataFrame):
            raise TypeError(
                f"schedule must be a DataFrame such as hyperband_schedule(...) "
                f"returns, got {type(schedule).__name__}."
            )
        missing = [c for c in _SCHEDULE_COLUMNS if c not in schedule.columns]
        if missing or schedule.empty:
            raise ValueError(
                f"A schedule needs one row per rung and the columns "
                f"{list(_SCHEDULE_COLUMNS)}; missing {missing}"
                f"{' and it has no rows' if schedule.empty else ''}. Pass what "
                f"skhpo.hyperband_schedule(...) or search.schedule() returns."
            )
        return cls(schedule.reset_index(drop=True).copy(), resource=resource)

    @classmethod
    def from_results(cls, results, *, resource=None):
        """Read the rungs from the results of a Hyperband or halving search.

        Parameters
        ----------
        results : dict, DataFrame or SearchResults
            The ``cv_results_`` of a ``HyperbandSearchCV`` or a
            ``Halving*SearchCV`` (its ``iter`` and ``n_resources`` columns,
            and ``bracket`` for Hyperband), or what :func:`skhpo.load_results`
            returns for one.
        resource : str, default=None
            What ``n_resources`` counts, for the axis label; default the one
            recorded with loaded results.

        Returns
        -------
        display : HyperbandScheduleDisplay
        """
        cv_results, _ = _unpack(results)
        missing = [k for k in ("iter", "n_resources") if k not in cv_results]
        if missing:
            raise ValueError(
                f"The results of a Hyperband or successive-halving search have "
                f"'iter' and 'n_resources' columns; these lack {missing}. Plot "
                f"other searches with ConvergenceDisplay.")
        rungs = np.asarray(cv_results["iter"], dtype=int)
        table = pd.DataFrame({
            # A halving search's one bracket: s + 1 rungs.
            "bracket": (np.asarray(cv_results["bracket"], dtype=int)
                        if "bracket" in cv_results else np.full(len(rungs), rungs.max())),
            "rung": rungs,
            "n_resources": np.asarray(cv_results["n_resources"]),
        })
        schedule = (table.groupby(["bracket", "rung"], sort=False)
                    .agg(n_candidates=("n_resources", "size"),
                         n_resources=("n_resources", "first"))
                    .reset_index()
                    .sort_values(["bracket", "rung"], ascending=[False, True],
                                 kind="stable"))
        if resource is None:
            resource = stored_search_params(results).get("resource")
        return cls.from_schedule(schedule[list(_SCHEDULE_COLUMNS)],
                                 resource=resource if isinstance(resource, str) else None)

    @classmethod
    def from_search(cls, search):
        """Read the rungs a fitted Hyperband or successive-halving search ran.

        Parameters
        ----------
        search : fitted search
            skhpo's ``HyperbandSearchCV`` (``n_candidates_`` and
            ``n_resources_`` are one list per bracket) or scikit-learn's
            ``HalvingGridSearchCV`` / ``HalvingRandomSearchCV`` (flat lists:
            one bracket).

        Returns
        -------
        display : HyperbandScheduleDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the search is not fitted (preview an unfitted
            ``HyperbandSearchCV`` with ``from_schedule(search.schedule())``).
        TypeError
            If the search has no rungs (``GridSearchCV``, ``BayesSearchCV``).
        """
        name = type(search).__name__
        if not (hasattr(search, "n_candidates_") and hasattr(search, "n_resources_")):
            budgeted = hasattr(search, "get_params") and "factor" in search.get_params()
            if budgeted and not hasattr(search, "cv_results_"):
                hint = (" or preview its schedule before fitting with "
                        "HyperbandScheduleDisplay.from_schedule(search.schedule())"
                        if hasattr(search, "schedule") else "")
                raise NotFittedError(
                    f"This {name} instance is not fitted yet, so it has no "
                    f"n_candidates_ or n_resources_. Call fit(X, y) first{hint}."
                )
            loaded = hasattr(search, "cv_results_") and not hasattr(search, "get_params")
            raise TypeError(
                f"HyperbandScheduleDisplay.from_search needs a search that runs "
                f"rungs (HyperbandSearchCV, HalvingGridSearchCV, "
                f"HalvingRandomSearchCV) with n_candidates_ and n_resources_, "
                f"got {name}. "
                + ("For loaded results use HyperbandScheduleDisplay.from_results."
                   if loaded else "Plot other searches with ConvergenceDisplay.")
            )
        candidates, resources = search.n_candidates_, search.n_resources_
        if len(candidates) and not isinstance(candidates[0], (list, tuple, np.ndarray)):
            # scikit-learn's successive halving: one bracket of flat lists.
            candidates, resources = [candidates], [resources]
        # HyperbandSearchCV runs its brackets from the deepest, s_max, down,
        # one list each: a bracket a callback cut short (or never started)
        # is not named by the length of its list.
        ran = getattr(search, "cv_results_", {}).get("bracket")
        s_max = int(np.max(ran)) if ran is not None and len(ran) else None
        rows, short = [], 0
        for k, (rung_candidates, rung_resources) in enumerate(zip(candidates, resources)):
            s = len(rung_candidates) - 1 if s_max is None else s_max - k
            short += len(rung_candidates) < s + 1
            for i, (n, r) in enumerate(zip(rung_candidates, rung_resources)):
                rows.append({"bracket": s, "rung": i, "n_candidates": int(n),
                             "n_resources": int(r)})
        resource = getattr(search, "resource", None)
        display = cls.from_schedule(pd.DataFrame(rows),
                                    resource=resource if isinstance(resource, str) else None)
        if s_max is not None and short:
            display.note = (f"stopped early: {short} bracket{'s' * (short != 1)} "
                            f"ran fewer rungs than planned; rungs not run are not shown")
        return display

    def plot(self, ax=None, *, log=None, **kwargs):
        """Draw one group of bars per bracket.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None creates a figure.
        log : bool, default=None
            A log scale for the number of candidates; None chooses it when
            the largest rung has at least 20 times the candidates of the
            smallest.
        **kwargs : dict
            Passed to ``Axes.bar``.

        Returns
        -------
        display : HyperbandScheduleDisplay
            With ``ax_``, ``figure_`` and ``bars_``.
        """
        check_artist_kwargs(kwargs, "HyperbandScheduleDisplay")
        plt = pyplot()
        from matplotlib.patches import Patch

        created = ax is None
        ax = axes_or_new(ax, figsize=(max(5.0, 0.6 * len(self.schedule) + 2), 4))
        table = self.schedule
        n = table["n_candidates"].to_numpy(dtype=float)
        budgets = table["n_resources"].to_numpy()
        levels = sorted(set(budgets.tolist()))
        cmap = plt.get_cmap("viridis")
        colour_of = {b: cmap(0.15 + 0.7 * k / max(len(levels) - 1, 1))
                     for k, b in enumerate(levels)}
        # Brackets are the runs of equal `bracket` values (a bracket number may
        # repeat in a user's table): a gap of one bar between groups.
        group = np.cumsum(np.r_[0, (np.diff(table["bracket"].to_numpy()) != 0)
                                | (np.diff(table["rung"].to_numpy()) <= 0)])
        positions = np.arange(len(table)) + group
        bar_kwargs = {"color": [colour_of[b] for b in budgets],
                      "edgecolor": "k", "linewidth": 0.5}
        bar_kwargs.update(kwargs)
        self.bars_ = ax.bar(positions, n, **bar_kwargs)
        ax.bar_label(self.bars_, labels=[str(int(v)) for v in n], fontsize="small")
        if log is None:
            log = n.max() >= 20 * max(n.min(), 1)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(0.7, n.max() * 2.5)
        else:
            ax.set_ylim(0, n.max() * 1.15)
        ax.set_xticks(positions, [str(b) for b in budgets])
        unit = self.resource or "n_resources"
        ax.set_xlabel(f"budget of each rung ({unit}), grouped by bracket")
        ax.set_ylabel("candidates run at the rung")
        # The bracket names, centred over each group just above the axes.
        transform = ax.get_xaxis_transform()
        for g in np.unique(group):
            at = positions[group == g]
            s = table["bracket"].to_numpy()[group == g][0]
            ax.text(at.mean(), 1.01, f"bracket s={s}", transform=transform,
                    ha="center", va="bottom", fontsize="small")
        if self.note:
            ax.set_title(self.note, fontsize="small", pad=16)
        handles = [Patch(facecolor=colour_of[b], edgecolor="k", label=str(b))
                   for b in levels]
        ax.legend(handles=handles, title=unit, fontsize="small",
                  title_fontsize="small", loc="upper right")
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self
