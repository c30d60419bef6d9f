"""ConvergenceDisplay: best score so far against iterations and time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._frames import _n_splits, _unpack, results_frame, row_status
from ._json import to_python
from ._matplotlib import axes_or_new, check_artist_kwargs, fit_new_figure, pyplot
from ._persistence import search_parameter
from ._plot_common import NO_SCORE_NOTE, _search_results, _select_metric

_PANELS = ("iteration", "time")


def _split_scores(cv_results, metric):
    """Per-split test scores, shape (n_candidates, n_splits); NaN if unscored."""
    n_rows = len(cv_results["params"])
    n_splits = _n_splits(cv_results)
    if n_splits == 0:
        return np.full((n_rows, 0), np.nan)
    return np.column_stack([np.asarray(cv_results[f"split{i}_test_{metric}"],
                                       dtype=float) for i in range(n_splits)])


def _search_resource(search):
    """What a budgeted search's n_resources counts, when it says so."""
    resource = search_parameter(search, "resource")
    return resource if isinstance(resource, str) else None


def _name_the_first_search(axes):
    """When a second search is drawn beside it, the first one's curve takes
    the colour of its trials (it was black) and its labels "search 1: ..."
    (unless its own label named it), so the legend tells the two apart."""
    for axis in axes:
        for artist in [*axis.lines, *axis.collections]:
            label = artist.get_label()
            if getattr(artist, _CURVE, False) and artist.get_color() in ("k", "black"):
                artist.set_color("C0")
            if label and not label.startswith("_") and ": " not in label:
                artist.set_label(f"search 1: {label}")


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
    timed = "mean_fit_time" in frame and "mean_score_time" in frame
    per_split = (frame["mean_fit_time"].to_numpy(dtype=float)
                 + frame["mean_score_time"].to_numpy(dtype=float)) if timed else \
        np.zeros(n_rows)
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


# Marks a best-so-far line, so that a second search's on the same Axes gets
# its own colour (the marks go with the lines when the Axes is cleared).
_CURVE = "_skhpo_best_so_far"


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
    planned_budget : int or None
        The search's full budget (``max_resources_``), when a callback
        stopped it before any row reached it; None otherwise.
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
    process), parallelism and the final refit, so it is not wall time: the
    axis says so. Iteration order is the order of ``cv_results_``: the order
    the candidates were proposed, except for HyperbandSearchCV with several
    workers, whose brackets run side by side but are listed one after
    another.

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
    ['iteration (order in cv_results_)', 'summed fit + score time (s), not wall time']
    """

    def __init__(self, trials, metric, full_budget=None, reused_splits=False,
                 planned_budget=None):
        self.trials = trials
        self.metric = metric
        self.full_budget = full_budget
        self.reused_splits = reused_splits
        self.planned_budget = planned_budget

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
        results : dict, DataFrame or SearchResults
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
        missing = [k for k in ("mean_fit_time", "mean_score_time") if k not in cv_results]
        metric = _select_metric(cv_results, refit, metric)
        frame = results_frame(source if not isinstance(source, dict) else cv_results)
        frame = frame.sort_index()  # candidate order, not rank order
        scores = np.asarray(cv_results[f"mean_test_{metric}"], dtype=float)
        status = row_status(cv_results, scores)
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
        # Without the time columns, only plot(x="iteration") can be drawn.
        trials["cost"] = np.nan if missing else cost
        trials["time"] = np.nan if missing else np.cumsum(cost)
        trials.attrs["missing_time"] = missing
        counted = np.where((status == "completed") & trials["full_budget"].to_numpy(),
                           scores, np.nan)
        trials["best_so_far"] = np.fmax.accumulate(counted)
        # A HyperbandSearchCV (its brackets all end at max_resources_, unlike
        # a halving search's last rung) stopped before any row reached it.
        planned = (to_python(source.max_resources_) if hasattr(source, "n_brackets_")
                   and hasattr(source, "max_resources_") else None)
        planned = planned if full_budget is not None and planned is not None \
            and planned > full_budget else None
        return cls(trials, metric, full_budget=full_budget, reused_splits=reuse,
                   planned_budget=planned)

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
            Passed to ``Axes.plot`` for the best-so-far line. Drawn where
            another search's curve is, the line and the trials take the next
            colour of the cycle; ``color`` and ``label`` given here apply to
            the trials too (the label as a prefix), to tell searches apart.

        Returns
        -------
        display : ConvergenceDisplay
            With ``ax_``, ``figure_``, ``lines_`` and ``points_``.
        """
        check_artist_kwargs(kwargs, "ConvergenceDisplay")
        if x not in ("both",) + _PANELS:
            raise ValueError(
                f"x must be 'both', 'iteration' or 'time', got x={x!r}."
            )
        panels = _PANELS if x == "both" else (x,)
        missing = self.trials.attrs.get("missing_time")
        if "time" in panels and missing:
            raise ValueError(
                f"The results have no {missing}, so there is no time axis. Use "
                f"plot(x='iteration'), or pass a search's complete cv_results_ "
                f"(every scikit-learn and skhpo search records them).")
        plt = pyplot()
        from matplotlib.ticker import MaxNLocator

        created = ax is None
        if ax is None:
            # No layout engine (see _matplotlib.axes_or_new); one tight pass below.
            if len(panels) == 2:
                _, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
            else:
                axes = [None]
        elif len(panels) == 2:
            axes = list(np.ravel(np.asarray(ax, dtype=object)))
            if len(axes) != 2:
                raise ValueError(
                    f"x='both' draws two panels, so ax must be two Axes "
                    f"(iteration, time), got {len(axes)}. Pass ax=None, or "
                    f"x='iteration' or x='time' with a single Axes."
                )
        else:
            axes = [ax]
        # Another search's curves stay (they add up); any other skhpo plot
        # drawn there is replaced.
        axes = [axes_or_new(a, adds_up="convergence") for a in axes]

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
        budget = ("" if self.full_budget is None else
                  f" (full budget, n_resources={self.full_budget})"
                  if self.planned_budget is None else
                  f" (largest budget reached, n_resources={self.full_budget} of "
                  f"{self.planned_budget})")
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
        # Another search's curve on these Axes: its own colour (or the one
        # given) for its line and its trials, and its label on both.
        n_before = sum(getattr(line, _CURVE, False) for line in axes[0].lines)
        if n_before or "color" in kwargs:
            line_kwargs["color"] = styles["completed"]["color"] = kwargs.get(
                "color", f"C{n_before}")
        if n_before == 1:
            _name_the_first_search(axes)
        name = kwargs.get("label", f"search {n_before + 1}" if n_before else None)
        if name is not None:
            labels = {kind: f"{name}: {text}" for kind, text in labels.items()}
            line_kwargs["label"] = f"{name}: {line_kwargs['label']}"
        line_kwargs.update({k: v for k, v in kwargs.items() if k != "label"})

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
                    # That transform keeps them out of the x autoscaling: a
                    # failed first or last trial would fall off the axes.
                    axis.update_datalim(np.column_stack([xs[mask], np.zeros(mask.sum())]),
                                        updatey=False)
                    axis.autoscale_view()
                else:
                    points[kind] = axis.scatter(xs[mask], score[mask],
                                                label=labels[kind], **styles[kind])
            (self.lines_[panel],) = axis.plot(
                xs, t["best_so_far"].to_numpy(dtype=float), **line_kwargs)
            setattr(self.lines_[panel], _CURVE, True)
            axis.set_xlabel("iteration (order in cv_results_)" if panel == "iteration"
                            else "summed fit + score time (s), not wall time")
            if panel == "iteration":  # no iteration 2.5
                axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            self.points_[panel] = points
        axes[0].set_ylabel(f"mean test {self.metric}")
        if not np.isfinite(score).any():
            # matplotlib would make up a score scale around 0.
            for axis in axes:
                axis.set_yticks([])
                axis.text(0.5, 0.5, NO_SCORE_NOTE, transform=axis.transAxes,
                          ha="center", va="center", color="0.3")
        axes[0].legend(loc="best", fontsize="small")
        fit_new_figure(axes[0].figure, created)
        self.ax_ = axes[0] if len(axes) == 1 else np.asarray(axes, dtype=object)
        self.figure_ = axes[0].figure
        return self
