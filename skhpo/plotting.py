"""Plots of a search: convergence, Hyperband's schedule, parallel coordinates.

Every plot follows scikit-learn's Display pattern: a class method
(``from_search``, ``from_results`` or ``from_schedule``) computes the data of
the plot once and stores it on the display object, where it can be read
without drawing anything; ``plot(ax=None, **kwargs)`` draws it and keeps the
axes (``ax_``), the figure (``figure_``) and the artists. matplotlib is only
imported by ``plot``, so computing the data never needs it.

The displays read the ``cv_results_`` of skhpo's searches and of
scikit-learn's ``GridSearchCV``, ``RandomizedSearchCV`` and
``Halving*SearchCV``, through :func:`skhpo.results.results_frame`, and the
results returned by :func:`skhpo.load_results`. The presentation follows
Optuna's visualization module (optimization history, parallel coordinates)
and the bracket tables of Li et al., "Hyperband", JMLR 18(185), 2018.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from ._frames import (
    _metrics,
    _n_splits,
    _param_names,
    _unpack,
    primary_metric,
    results_frame,
)
from ._json import to_python, value_label
from ._matplotlib import check_axes, pyplot
from .space import Categorical, Distribution, Ordinal, Real, parse_search_spaces

__all__ = [
    "ConvergenceDisplay",
    "HyperbandScheduleDisplay",
    "ParallelCoordinatesDisplay",
]

_SPACE_ATTRIBUTES = ("search_spaces", "param_distributions", "param_grid")
_PANELS = ("iteration", "time")
# A numeric parameter without a declared scale is shown on a log axis when
# its values are positive and span at least two decades (the rule of
# skhpo.space.Ordinal and of the sensitivity report).
_LOG_SPAN = 100.0
_FAILED_COLOR = "0.6"


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

def _search_results(search, display):
    """``(cv_results, refit)`` of a fitted search, or a clear error."""
    if isinstance(search, dict) or (not hasattr(search, "get_params")
                                    and hasattr(search, "cv_results_")):
        raise TypeError(
            f"{display}.from_search expects a search object (skhpo's or "
            f"scikit-learn's); for a cv_results_ dict or what load_results "
            f"returns use {display}.from_results, got {type(search).__name__}."
        )
    return _unpack(search)


def _select_metric(cv_results, refit, metric):
    metrics = _metrics(cv_results)
    if metric is None:
        # The refit metric when refit names one, else "score", else the first.
        return primary_metric(metrics, refit)
    if metric not in metrics:
        raise ValueError(
            f"metric={metric!r} is not a metric of these results: they hold "
            f"{metrics}. Pass one of these names (without the 'mean_test_' "
            f"prefix), or None for the refit metric."
        )
    return metric


def _split_scores(cv_results, metric):
    """Per-split test scores, shape (n_candidates, n_splits); NaN if unscored."""
    n_rows = len(cv_results["params"])
    n_splits = _n_splits(cv_results)
    if n_splits == 0:
        return np.full((n_rows, 0), np.nan)
    return np.column_stack([np.asarray(cv_results[f"split{i}_test_{metric}"],
                                       dtype=float) for i in range(n_splits)])


def _status(cv_results, scores):
    """completed / pruned / failed of each row, for the chosen metric."""
    pruned = np.asarray(cv_results.get("pruned", np.zeros(len(scores), bool)),
                        dtype=bool)
    status = np.where(pruned, "pruned", "completed").astype(object)
    status[np.isnan(scores)] = "failed"
    return status


def _search_resource(search):
    """What a budgeted search's n_resources counts, when it says so."""
    resource = getattr(search, "resource", None)
    if resource is None:
        metadata = getattr(search, "metadata", None) or {}
        resource = ((metadata.get("search") or {}).get("params") or {}).get("resource")
    return resource if isinstance(resource, str) else None


# --------------------------------------------------------------------------
# ConvergenceDisplay
# --------------------------------------------------------------------------

def _trial_costs(cv_results, frame, split_scores, status, resource):
    """Seconds of fit and score time each row of cv_results_ added.

    A row costs ``(mean_fit_time + mean_score_time) * splits``, the splits
    being those the row scored: all splits of cv for a full evaluation, the
    scored ones for a pruned candidate. A failed row counts every split of
    its budget, since cv_results_ does not say how many were attempted.

    HyperbandSearchCV with ``resource="n_splits"`` keeps the splits a
    candidate has scored when it promotes it: its row at ``r`` splits
    repeats the ``r_prev`` splits of its previous row, whose fits are not
    redone. That row adds ``mean_r * r - mean_prev * r_prev`` seconds, which is
    exactly the time of its new splits, since both means cover the same
    stored fits for the shared splits.
    """
    n_rows = len(frame)
    n_splits = split_scores.shape[1] or 1
    per_split = (frame["mean_fit_time"].to_numpy(dtype=float)
                 + frame["mean_score_time"].to_numpy(dtype=float))
    scored = np.isfinite(split_scores).sum(axis=1) if split_scores.size else \
        np.full(n_rows, n_splits)
    has_budget = "n_resources" in cv_results
    budget = (np.asarray(cv_results["n_resources"], dtype=float) if has_budget
              else None)
    reuse = False
    if has_budget and "candidate_id" in cv_results:
        if resource is not None:
            reuse = resource == "n_splits"
        else:
            # Results without the search: the budget counts splits when every
            # row that did not fail scored exactly n_resources splits.
            ok = status != "failed"
            reuse = bool(ok.any()) and bool(np.all(scored[ok] == budget[ok]))
    n_used = scored.astype(float)
    failed = status == "failed"
    n_used[failed] = budget[failed] if reuse else n_splits
    total = per_split * n_used
    cost = total.copy()
    if reuse:
        last = {}
        for row, cid in enumerate(np.asarray(cv_results["candidate_id"])):
            cid = to_python(cid)
            if cid in last:
                cost[row] = max(total[row] - total[last[cid]], 0.0)
            last[cid] = row
    return np.nan_to_num(cost, nan=0.0), n_used.astype(int), reuse


class ConvergenceDisplay:
    """Best score so far against iterations and against time, with the trials.

    Build it with :meth:`from_search` or :meth:`from_results`, then call
    :meth:`plot`.

    Parameters
    ----------
    trials : pandas.DataFrame
        One row per row of ``cv_results_``, in its order, with the columns
        ``iteration`` (1-based position in ``cv_results_``), ``score`` (mean
        test score of ``metric``), ``status`` (``"completed"``, ``"pruned"``
        or ``"failed"``), ``full_budget`` (bool; True for every row of a
        search without a budget), ``n_splits_scored``, ``cost`` (seconds of
        fit and score time this row added), ``time`` (cumulative ``cost``)
        and ``best_so_far``, plus ``n_resources`` for budgeted searches.
    metric : str
        The metric plotted.
    full_budget : int or None
        The budget (``n_resources``) of the rows that make the best-so-far
        curve, for Hyperband and successive halving; None otherwise.
    reused_splits : bool, default=False
        Whether the time of a promoted row counts only its new splits
        (HyperbandSearchCV with ``resource="n_splits"``).

    Attributes
    ----------
    ax_ : matplotlib Axes or ndarray of two Axes
        The Axes drawn on: one for ``x="iteration"`` or ``x="time"``, an
        array ``[iteration, time]`` for ``x="both"``.
    figure_ : matplotlib Figure
    lines_ : dict of str -> matplotlib Line2D
        The best-so-far step line of each panel (``"iteration"``, ``"time"``).
    points_ : dict of str -> dict of str -> matplotlib PathCollection
        Per panel, the trial markers by kind: ``"completed"``,
        ``"lower_budget"``, ``"pruned"`` and ``"failed"`` (only the kinds
        present).

    See Also
    --------
    HyperbandScheduleDisplay : Candidates per rung of each bracket.
    ParallelCoordinatesDisplay : Trials across their parameters.

    Notes
    -----
    **Best so far.** The running maximum of the mean test score over the
    completed rows, in ``cv_results_`` order (scikit-learn's scores are
    always "higher is better"). Failed rows (NaN score) and pruned rows
    (a partial mean over fewer splits) never count. For Hyperband and
    successive halving only the rows at the full budget (the largest
    ``n_resources``) count, since a score on a smaller budget is not
    comparable: ``best_so_far`` is NaN until the first full-budget row.
    The lower-budget rows are drawn as faint points.

    **Time.** ``cost`` is ``(mean_fit_time + mean_score_time)`` times the
    number of splits the row scored (a failed row counts every split of its
    budget); for HyperbandSearchCV over splits, a promoted row counts only
    the splits it adds. This is the fold-fit time of the search as if run
    on one core: it excludes the optimizer's own time (fitting the Gaussian
    process), parallelism and the final refit. Iteration order is the order
    of ``cv_results_``, which is the order the candidates were proposed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo.plotting import ConvergenceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 5, 10, 20]},
    ...     n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> display = ConvergenceDisplay.from_search(search)
    >>> display.trials["best_so_far"].round(3).tolist()
    [0.66, 0.933, 0.96, 0.96, 0.96, 0.96]
    >>> display = display.plot()
    >>> [ax.get_xlabel() for ax in display.ax_]
    ['iteration (order in cv_results_)', 'cumulative fit + score time (s)']
    """

    def __init__(self, trials, metric, full_budget=None, reused_splits=False):
        self.trials = trials
        self.metric = metric
        self.full_budget = full_budget
        self.reused_splits = reused_splits

    @classmethod
    def from_search(cls, search, *, metric=None):
        """Compute the convergence of a fitted search.

        Parameters
        ----------
        search : fitted search
            skhpo's ``BayesSearchCV`` or ``HyperbandSearchCV``, or
            scikit-learn's ``GridSearchCV``, ``RandomizedSearchCV``,
            ``HalvingGridSearchCV`` or ``HalvingRandomSearchCV``.
        metric : str, default=None
            For a multi-metric search, the metric to plot (its name in
            ``scoring``); default the refit metric (the first metric when
            ``refit`` is a callable or False).

        Returns
        -------
        display : ConvergenceDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the search is not fitted.
        ValueError
            If ``metric`` is not a metric of the search.
        """
        cv_results, refit = _search_results(search, cls.__name__)
        return cls._compute(search, cv_results, refit, metric)

    @classmethod
    def from_results(cls, results, *, metric=None):
        """Compute the convergence from a ``cv_results_`` dict or loaded results.

        Parameters
        ----------
        results : dict or SearchResults
            A search's ``cv_results_`` (its rows in the order they were
            evaluated), or what :func:`skhpo.load_results` returns.
        metric : str, default=None
            The metric to plot; default the refit metric recorded with the
            results, else ``"score"``, else the first.

        Returns
        -------
        display : ConvergenceDisplay
        """
        cv_results, refit = _unpack(results)
        return cls._compute(results, cv_results, refit, metric)

    @classmethod
    def _compute(cls, source, cv_results, refit, metric):
        metric = _select_metric(cv_results, refit, metric)
        frame = results_frame(source if not isinstance(source, dict) else cv_results)
        frame = frame.sort_index()  # candidate order, not rank order
        scores = np.asarray(cv_results[f"mean_test_{metric}"], dtype=float)
        status = _status(cv_results, scores)
        split_scores = _split_scores(cv_results, metric)
        cost, n_used, reuse = _trial_costs(cv_results, frame, split_scores, status,
                                           _search_resource(source))
        trials = pd.DataFrame({
            "iteration": np.arange(1, len(scores) + 1),
            "score": scores,
            "status": pd.Categorical(status, categories=["completed", "pruned",
                                                         "failed"]),
        })
        full_budget = None
        if "n_resources" in cv_results:
            budgets = np.asarray(cv_results["n_resources"])
            full_budget = to_python(budgets.max())
            trials["n_resources"] = budgets
            trials["full_budget"] = budgets == full_budget
        else:
            trials["full_budget"] = True
        trials["n_splits_scored"] = n_used
        trials["cost"] = cost
        trials["time"] = np.cumsum(cost)
        counted = np.where((status == "completed") & trials["full_budget"].to_numpy(),
                           scores, np.nan)
        trials["best_so_far"] = np.fmax.accumulate(counted)
        return cls(trials, metric, full_budget=full_budget, reused_splits=reuse)

    def plot(self, ax=None, *, x="both", **kwargs):
        """Draw the best score so far, with every trial as a point.

        Parameters
        ----------
        ax : matplotlib Axes or sequence of two Axes, default=None
            Where to draw: one Axes for ``x="iteration"`` or ``x="time"``,
            two (iteration, time) for ``x="both"``. None creates a figure.
        x : {"both", "iteration", "time"}, default="both"
            The horizontal axis: the position in ``cv_results_``, the
            cumulative fit and score time (see the Notes of the class), or
            both side by side.
        **kwargs : dict
            Passed to ``Axes.plot`` for the best-so-far line.

        Returns
        -------
        display : ConvergenceDisplay
            With ``ax_``, ``figure_``, ``lines_`` and ``points_``.
        """
        if x not in ("both",) + _PANELS:
            raise ValueError(
                f"x must be 'both', 'iteration' or 'time', got x={x!r}."
            )
        panels = _PANELS if x == "both" else (x,)
        plt = pyplot()
        if ax is None:
            if len(panels) == 2:
                _, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True,
                                       layout="constrained")
            else:
                _, axes = plt.subplots(layout="constrained")
                axes = [axes]
        elif len(panels) == 2:
            axes = list(np.ravel(np.asarray(ax, dtype=object)))
            if len(axes) != 2:
                raise ValueError(
                    f"x='both' draws two panels, so ax must be two Axes "
                    f"(iteration, time), got {len(axes)}. Pass ax=None, or "
                    f"x='iteration' or x='time' with a single Axes."
                )
            axes = [check_axes(a) for a in axes]
        else:
            axes = [check_axes(ax)]

        t = self.trials
        status = t["status"].to_numpy(dtype=object)
        full = t["full_budget"].to_numpy(dtype=bool)
        score = t["score"].to_numpy(dtype=float)
        groups = {
            "lower_budget": (~full) & (status != "failed"),
            "completed": full & (status == "completed"),
            "pruned": full & (status == "pruned"),
            "failed": status == "failed",
        }
        budget = (f" (full budget, n_resources={self.full_budget})"
                  if self.full_budget is not None else "")
        labels = {
            "lower_budget": "lower budget",
            "completed": "trial",
            "pruned": "pruned (partial mean)",
            "failed": "failed (score NaN)",
        }
        styles = {
            "lower_budget": dict(s=12, color="0.55", alpha=0.35, zorder=1),
            "completed": dict(s=20, color="C0", alpha=0.8, zorder=2),
            "pruned": dict(s=24, facecolors="none", edgecolors="C1", zorder=2),
            "failed": dict(s=36, marker="x", color="C3", zorder=3),
        }
        line_kwargs = {"color": "k", "linewidth": 2, "drawstyle": "steps-post",
                       "label": f"best so far{budget}", "zorder": 4}
        line_kwargs.update(kwargs)

        self.lines_, self.points_ = {}, {}
        for panel, axis in zip(panels, axes):
            xs = t[panel].to_numpy(dtype=float)
            points = {}
            for kind, mask in groups.items():
                if not mask.any():
                    continue
                if kind == "failed":
                    # No score to place them at: a row of crosses along the
                    # bottom of the axes, at their iteration or time.
                    points[kind] = axis.scatter(
                        xs[mask], np.full(mask.sum(), 0.03), label=labels[kind],
                        transform=axis.get_xaxis_transform(), **styles[kind])
                else:
                    points[kind] = axis.scatter(xs[mask], score[mask],
                                                label=labels[kind], **styles[kind])
            (self.lines_[panel],) = axis.plot(
                xs, t["best_so_far"].to_numpy(dtype=float), **line_kwargs)
            axis.set_xlabel("iteration (order in cv_results_)" if panel == "iteration"
                            else "cumulative fit + score time (s)")
            self.points_[panel] = points
        axes[0].set_ylabel(f"mean test {self.metric}")
        axes[0].legend(loc="best", fontsize="small")
        self.ax_ = axes[0] if len(axes) == 1 else np.asarray(axes, dtype=object)
        self.figure_ = axes[0].figure
        return self


# --------------------------------------------------------------------------
# HyperbandScheduleDisplay
# --------------------------------------------------------------------------

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

    def __init__(self, schedule, resource=None):
        self.schedule = schedule
        self.resource = resource

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
            raise TypeError(
                f"HyperbandScheduleDisplay needs a search that runs rungs "
                f"(HyperbandSearchCV, HalvingGridSearchCV, "
                f"HalvingRandomSearchCV) with n_candidates_ and n_resources_, "
                f"got {name}. Plot other searches with ConvergenceDisplay."
            )
        candidates, resources = search.n_candidates_, search.n_resources_
        if len(candidates) and not isinstance(candidates[0], (list, tuple, np.ndarray)):
            # scikit-learn's successive halving: one bracket of flat lists.
            candidates, resources = [candidates], [resources]
        rows = []
        for rung_candidates, rung_resources in zip(candidates, resources):
            s = len(rung_candidates) - 1
            for i, (n, r) in enumerate(zip(rung_candidates, rung_resources)):
                rows.append({"bracket": s, "rung": i, "n_candidates": int(n),
                             "n_resources": int(r)})
        resource = getattr(search, "resource", None)
        return cls.from_schedule(pd.DataFrame(rows),
                                 resource=resource if isinstance(resource, str) else None)

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
        plt = pyplot()
        from matplotlib.patches import Patch

        if ax is None:
            _, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(self.schedule) + 2), 4),
                                 layout="constrained")
        check_axes(ax)
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
        handles = [Patch(facecolor=colour_of[b], edgecolor="k", label=str(b))
                   for b in levels]
        ax.legend(handles=handles, title=unit, fontsize="small",
                  title_fontsize="small", loc="upper right")
        self.ax_, self.figure_ = ax, ax.figure
        return self


# --------------------------------------------------------------------------
# ParallelCoordinatesDisplay
# --------------------------------------------------------------------------

_MISSING = object()


def _dimensions(search):
    """Each parameter's skhpo dimension, from the search's declared space."""
    raw = None
    for attribute in _SPACE_ATTRIBUTES:
        raw = getattr(search, attribute, None)
        if raw is not None:
            break
    if raw is None:
        return {}
    try:
        subspaces = parse_search_spaces(raw)
    except Exception:  # an unusual form: infer every scale from the values
        return {}
    dims = {}
    for subspace in subspaces:
        for name, dim in subspace.space.as_dict().items():
            dims.setdefault(name, dim)  # the first subspace naming it decides
    return dims


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _level_label(value):
    value = to_python(value)
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return repr(value)
    return value_label(value)  # an estimator by its class name


def _numeric_bounds(dim):
    """The declared (low, high) of a numeric dimension, or None."""
    if isinstance(dim, Real):  # Integer too
        return float(dim.low), float(dim.high)
    if isinstance(dim, Ordinal):
        values = dim._sorted
        return float(values[0]), float(values[-1])
    if isinstance(dim, Distribution):
        low, high = dim.dist.support()
        if np.isfinite(low) and np.isfinite(high):
            return float(low), float(high)
    return None


def _axis(name, values, dim):
    """How one parameter is drawn: scale, limits, levels, and its coordinates."""
    present = [v for v in values if v is not _MISSING]
    numeric = bool(present) and all(_is_number(to_python(v)) for v in present)
    if isinstance(dim, Categorical) or not numeric:
        levels = []
        if isinstance(dim, Categorical):
            levels = [_level_label(c) for c in dim.categories]
        seen = set(levels)
        extra = sorted({_level_label(v) for v in present} - seen)
        levels = list(dict.fromkeys(levels + extra))
        index = {label: i for i, label in enumerate(levels)}
        codes = np.array([np.nan if v is _MISSING else index[_level_label(v)]
                          for v in values], dtype=float)
        info = {"name": name, "scale": "categorical", "levels": levels,
                "low": -0.5, "high": len(levels) - 0.5}
        return info, (codes + 0.5) / max(len(levels), 1)

    x = np.array([np.nan if v is _MISSING else float(to_python(v)) for v in values])
    finite = x[np.isfinite(x)]
    bounds = _numeric_bounds(dim)
    if dim is not None:
        log = bool(dim.is_log) and finite.min() > 0
    else:
        log = finite.min() > 0 and finite.max() / finite.min() >= _LOG_SPAN
    low, high = bounds if bounds is not None else (finite.min(), finite.max())
    low, high = min(low, finite.min()), max(high, finite.max())
    warp = np.log10 if log else (lambda v: np.asarray(v, dtype=float))
    lo, hi = float(warp(low)), float(warp(high))
    # A margin of 5% so that the end values sit inside the axis.
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    lo, hi = lo - pad, hi + pad
    with np.errstate(invalid="ignore", divide="ignore"):
        coords = (warp(x) - lo) / (hi - lo)
    integer = all(float(v).is_integer() for v in finite)
    info = {"name": name, "scale": "log" if log else "linear",
            "low": 10 ** lo if log else lo, "high": 10 ** hi if log else hi,
            "levels": None, "integer": integer}
    return info, coords


class ParallelCoordinatesDisplay:
    """Trials as lines across one vertical axis per parameter, coloured by score.

    Each parameter gets an axis: on a log scale when the search's space
    declares it log-scale (``Real(..., prior="log-uniform")``, ``loguniform``,
    a list of positive numbers spanning two decades), or, without a declared
    space, when its values are positive and span at least two decades;
    categoricals are evenly spaced levels with their labels (estimators by
    class name). A last axis shows the score. Failed trials are grey.

    Build it with :meth:`from_search` or :meth:`from_results`, then call
    :meth:`plot`.

    Parameters
    ----------
    trials : pandas.DataFrame
        One row per plotted trial (its index is the row of ``cv_results_``):
        one column per parameter with the value's label for categoricals,
        ``score`` and ``status``.
    coords : ndarray of shape (n_trials, n_axes)
        Each trial's position on each axis, in [0, 1] (NaN where the trial
        has no such parameter, as in a list-of-dicts space).
    axes : list of dict
        One per axis (the parameters, then the score): ``name``, ``scale``
        (``"linear"``, ``"log"`` or ``"categorical"``), ``low`` and ``high``
        (the axis limits; ``-0.5`` and ``k - 0.5`` for ``k`` levels) and
        ``levels`` (the categorical labels, else None).
    metric : str

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes holding the lines, in coordinates [0, 1].
    figure_ : matplotlib Figure
    param_axes_ : list of matplotlib Axes
        One twin Axes per vertical axis (the score last), drawn as a spine at
        its position, with the parameter's own scale (``get_yscale()`` is
        ``"log"`` on log axes) and limits.
    lines_ : matplotlib LineCollection
        The completed trials, coloured by score, the best drawn last.
    pruned_lines_ : matplotlib LineCollection or None
        Pruned trials (dashed), coloured by their partial score.
    failed_lines_ : matplotlib LineCollection or None
        Failed trials, in grey.
    colorbar_ : matplotlib Colorbar

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import ParallelCoordinatesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["linear", "rbf"]},
    ...     n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> display = ParallelCoordinatesDisplay.from_search(search)
    >>> [(a["name"], a["scale"]) for a in display.axes]
    [('C', 'log'), ('kernel', 'categorical'), ('score', 'linear')]
    >>> display = display.plot()
    >>> len(display.lines_.get_segments())
    6
    >>> [a.get_yscale() for a in display.param_axes_]
    ['log', 'linear', 'linear']
    """

    def __init__(self, trials, coords, axes, metric):
        self.trials = trials
        self.coords = coords
        self.axes = axes
        self.metric = metric

    @classmethod
    def from_search(cls, search, *, metric=None, params=None, budget="full"):
        """Compute the plot of a fitted search.

        Parameters
        ----------
        search : fitted search
            skhpo's or scikit-learn's. The scale of each parameter comes from
            its ``search_spaces``, ``param_distributions`` or ``param_grid``
            (read by :func:`skhpo.space.parse_search_spaces`).
        metric : str, default=None
            The metric that colours the lines; default the refit metric.
        params : list of str, default=None
            The parameters to show, in order; default all, sorted by name.
        budget : {"full", "all"}, default="full"
            For Hyperband and successive halving: plot only the rows at the
            full budget (the largest ``n_resources``), whose scores compare,
            or every row.

        Returns
        -------
        display : ParallelCoordinatesDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the search is not fitted.
        ValueError
            If ``metric`` or a name in ``params`` is unknown.
        """
        cv_results, refit = _search_results(search, cls.__name__)
        return cls._compute(cv_results, refit, _dimensions(search), metric,
                            params, budget)

    @classmethod
    def from_results(cls, results, *, metric=None, params=None, budget="full"):
        """Compute the plot from a ``cv_results_`` dict or loaded results.

        Without the search's space, log scales are inferred from the values
        (positive and spanning two decades). Parameters as in
        :meth:`from_search`.

        Returns
        -------
        display : ParallelCoordinatesDisplay
        """
        cv_results, refit = _unpack(results)
        return cls._compute(cv_results, refit, {}, metric, params, budget)

    @classmethod
    def _compute(cls, cv_results, refit, dims, metric, params, budget):
        metric = _select_metric(cv_results, refit, metric)
        if budget not in ("full", "all"):
            raise ValueError(
                f"budget must be 'full' (the rows at the largest n_resources) "
                f"or 'all', got budget={budget!r}."
            )
        all_params = list(cv_results["params"])
        names = _param_names(all_params)
        if params is None:
            params = names
        else:
            params = list(params)
            unknown = [p for p in params if p not in names]
            if unknown or not params:
                raise ValueError(
                    f"params must name parameters of the search, got unknown "
                    f"{unknown or params}; the search has {names}."
                )
        if not params:
            raise ValueError("The search has no parameters to plot.")
        scores = np.asarray(cv_results[f"mean_test_{metric}"], dtype=float)
        status = _status(cv_results, scores)
        rows = np.arange(len(all_params))
        if budget == "full" and "n_resources" in cv_results:
            budgets = np.asarray(cv_results["n_resources"])
            rows = rows[budgets == budgets.max()]
        axes, columns, coords = [], {}, []
        for name in params:
            values = [all_params[i].get(name, _MISSING) for i in rows]
            info, coord = _axis(name, values, dims.get(name))
            axes.append(info)
            coords.append(coord)
            columns[name] = [None if v is _MISSING else
                             (_level_label(v) if info["scale"] == "categorical"
                              else to_python(v)) for v in values]
        kept = scores[rows]
        finite = kept[np.isfinite(kept)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        pad = 0.05 * (hi - lo) if hi > lo else 0.01
        lo, hi = lo - pad, hi + pad
        axes.append({"name": metric, "scale": "linear", "low": lo, "high": hi,
                     "levels": None, "integer": False})
        coords.append((kept - lo) / (hi - lo))
        trials = pd.DataFrame(columns, index=pd.Index(rows, name="candidate"))
        trials["score"] = kept
        trials["status"] = pd.Categorical(status[rows],
                                          categories=["completed", "pruned", "failed"])
        return cls(trials, np.column_stack(coords), axes, metric)

    def plot(self, ax=None, *, cmap="viridis", **kwargs):
        """Draw the trials, the axes and the colorbar.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None creates a figure.
        cmap : str or Colormap, default="viridis"
            Colours of the scores.
        **kwargs : dict
            Passed to the ``LineCollection`` of the completed trials
            (``linewidth``, ``alpha``, ...).

        Returns
        -------
        display : ParallelCoordinatesDisplay
            With ``ax_``, ``figure_``, ``param_axes_``, ``lines_``,
            ``pruned_lines_``, ``failed_lines_`` and ``colorbar_``.
        """
        plt = pyplot()
        from matplotlib.collections import LineCollection
        from matplotlib.colors import Normalize
        from matplotlib.ticker import MaxNLocator

        n_axes = len(self.axes)
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 1.8 * n_axes + 1.5), 4.5),
                                 layout="constrained")
        check_axes(ax)
        xs = np.arange(n_axes, dtype=float)
        status = self.trials["status"].to_numpy(dtype=object)
        score = self.trials["score"].to_numpy(dtype=float)
        finite = score[np.isfinite(score)]
        norm = Normalize(*(finite.min(), finite.max()) if finite.size else (0, 1))

        def segments(mask, order=None):
            idx = np.flatnonzero(mask)
            if order is not None:
                idx = idx[np.argsort(score[idx], kind="stable")]
            return idx, [np.column_stack([xs, self.coords[i]]) for i in idx]

        self.failed_lines_ = self.pruned_lines_ = None
        failed = status == "failed"
        if failed.any():
            _, segs = segments(failed)
            self.failed_lines_ = LineCollection(segs, colors=_FAILED_COLOR,
                                                linewidths=1, alpha=0.6, zorder=1,
                                                label="failed")
            ax.add_collection(self.failed_lines_)
        pruned = status == "pruned"
        if pruned.any():
            idx, segs = segments(pruned, order=True)
            self.pruned_lines_ = LineCollection(segs, cmap=cmap, norm=norm,
                                                linestyles="dashed", linewidths=1,
                                                alpha=0.6, zorder=2, label="pruned")
            self.pruned_lines_.set_array(score[idx])
            ax.add_collection(self.pruned_lines_)
        # The best trials last, so that they are drawn on top.
        idx, segs = segments(status == "completed", order=True)
        line_kwargs = {"linewidths": 1.5, "alpha": 0.85, "zorder": 3}
        line_kwargs.update(kwargs)
        self.lines_ = LineCollection(segs, cmap=cmap, norm=norm, **line_kwargs)
        self.lines_.set_array(score[idx])
        ax.add_collection(self.lines_)

        ax.set_xlim(-0.3, n_axes - 0.7)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_xticks(xs, [a["name"] for a in self.axes],
                      rotation=30 if n_axes > 6 else 0)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        self.colorbar_ = ax.figure.colorbar(self.lines_, ax=ax, pad=0.02,
                                            label=f"mean test {self.metric}")

        # One twin Axes per parameter: its spine is the vertical axis, at the
        # parameter's position, with the parameter's own scale and ticks.
        self.param_axes_ = []
        for j, info in enumerate(self.axes):
            twin = ax.twinx()
            for side in ("left", "top", "bottom"):
                twin.spines[side].set_visible(False)
            twin.spines["right"].set_position(("data", xs[j]))
            if info["scale"] == "log":
                twin.set_yscale("log")
            twin.set_ylim(info["low"], info["high"])
            if info["scale"] == "categorical":
                twin.set_yticks(np.arange(len(info["levels"])), info["levels"])
            elif info.get("integer"):
                twin.yaxis.set_major_locator(MaxNLocator(integer=True))
            twin.tick_params(axis="y", labelsize="small")
            self.param_axes_.append(twin)
        if failed.any() or pruned.any():
            from matplotlib.lines import Line2D

            handles = []
            if pruned.any():
                handles.append(Line2D([], [], color="0.3", linestyle="dashed",
                                      label="pruned (partial mean)"))
            if failed.any():
                handles.append(Line2D([], [], color=_FAILED_COLOR,
                                      label="failed (score NaN)"))
            ax.legend(handles=handles, loc="upper center", fontsize="small",
                      bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self
