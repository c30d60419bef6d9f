"""ParallelCoordinatesDisplay: trials across one axis per parameter."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ._frames import _param_names, _unpack, distinct_labels, row_status
from ._json import to_python, value_label
from ._matplotlib import added_beside, axes_or_new, check_artist_kwargs, fit_new_figure, pyplot
from ._persistence import stored_dimensions
from ._plot_common import NO_SCORE_NOTE, _search_results, _select_metric
from ._sensitivity_params import declared_range, declared_spaces, dimensions
from .space import Categorical, _is_number, int_beside_equal_float

# A numeric parameter without a declared scale is shown on a log axis when
# its values are positive and span at least two decades (the rule of
# skhpo.space.Ordinal and of the sensitivity report).
_LOG_SPAN = 100.0
_FAILED_COLOR = "0.6"

_MISSING = object()


def _level_label(value):
    value = to_python(value)
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return repr(value)
    return value_label(value)  # an estimator by its class name


def _level_key(value):
    """What tells two levels apart: the value's repr (an estimator's shows
    its parameters, so two settings of one class are two levels)."""
    return repr(to_python(value))


def _level_order(value):
    value = to_python(value)
    if _is_number(value):
        return (0, float(value), "")
    return (1, 0.0, "") if value is None else (2, 0.0, _level_label(value))


def _numeric_bounds(dim):
    """The declared (low, high) of a numeric dimension, or None."""
    spec = declared_range(dim)
    if spec is None:
        return None
    if "values" in spec:
        return float(min(spec["values"])), float(max(spec["values"]))
    return spec["low"], spec["high"]


def _axis(name, values, dim):
    """How one parameter is drawn: scale, limits, levels, and its coordinates."""
    present = [v for v in values if v is not _MISSING]
    numeric = (bool(present) and all(_is_number(to_python(v)) for v in present)
               and not int_beside_equal_float([to_python(v) for v in present]))
    if isinstance(dim, Categorical) or not numeric:
        declared = list(dim.categories) if isinstance(dim, Categorical) else []
        # The declared order first, then the other values seen: numbers in
        # numeric order, then None, then the rest by label.
        keys = list(dict.fromkeys(_level_key(v) for v in declared))
        extra = {_level_key(v): v for v in present if _level_key(v) not in keys}
        keys += sorted(extra, key=lambda k: _level_order(extra[k]))
        values_by_key = {**extra, **{_level_key(v): v for v in declared}}
        levels = distinct_labels([values_by_key[k] for k in keys], _level_label)
        index = {key: i for i, key in enumerate(keys)}
        codes = np.array([np.nan if v is _MISSING else index[_level_key(v)]
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
    failed_points_ : matplotlib PathCollection or None
        A grey cross at each parameter value of a failed trial: a trial has
        no score to draw a line to, so with one parameter only these show it.
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
        return cls._compute(cv_results, refit, dimensions(declared_spaces(search)),
                            metric, params, budget)

    @classmethod
    def from_results(cls, results, *, metric=None, params=None, budget="full"):
        """Compute the plot from a ``cv_results_`` dict or loaded results.

        Results loaded by :func:`skhpo.load_results` keep their numeric
        parameters' declared ranges and scales, so they are drawn as from
        the search. Otherwise (a ``cv_results_`` dict), log scales are
        inferred from the values (positive and spanning two decades).
        Parameters as in :meth:`from_search`.

        Returns
        -------
        display : ParallelCoordinatesDisplay
        """
        cv_results, refit = _unpack(results)
        return cls._compute(cv_results, refit, stored_dimensions(results), metric,
                            params, budget)

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
            params = [params] if isinstance(params, str) else list(params)
            unknown = [p for p in params if p not in names]
            if unknown or not params:
                got = f"unknown {unknown}" if unknown else "no name"
                raise ValueError(
                    f"params must name one or more parameters of the search, got "
                    f"{got}; the search has {names}."
                )
        if not params:
            raise ValueError("The search has no parameters to plot.")
        scores = np.asarray(cv_results[f"mean_test_{metric}"], dtype=float)
        status = row_status(cv_results, scores)
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
        # A failed trial's score (a numeric error_score) would stretch the axis.
        finite = kept[np.isfinite(kept) & (status[rows] != "failed")]
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
        check_artist_kwargs(kwargs, "ParallelCoordinatesDisplay")
        pyplot()  # without matplotlib, the ImportError that says how to install it
        from matplotlib.collections import LineCollection
        from matplotlib.colors import Normalize
        from matplotlib.ticker import MaxNLocator

        n_axes = len(self.axes)
        created = ax is None
        ax = axes_or_new(ax, figsize=(max(6.0, 1.8 * n_axes + 1.5), 4.5))
        xs = np.arange(n_axes, dtype=float)
        status = self.trials["status"].to_numpy(dtype=object)
        score = self.trials["score"].to_numpy(dtype=float)
        # A failed trial's score (a numeric error_score) is not a score.
        finite = score[np.isfinite(score) & (status != "failed")]
        if finite.size and finite.min() < finite.max():
            norm = Normalize(finite.min(), finite.max())
        else:
            # One score (or none): the score axis's narrow range, not the
            # wide one matplotlib makes up around a single value.
            norm = Normalize(self.axes[-1]["low"], self.axes[-1]["high"])

        def segments(mask, order=None):
            """The trials' lines, and the trial of each: a trial's line breaks
            at an axis it lacks (another subspace's parameter), which it would
            otherwise cross at a made-up value; a lone point between two
            breaks is a short dash on its axis."""
            idx = np.flatnonzero(mask)
            if order is not None:
                idx = idx[np.argsort(score[idx], kind="stable")]
            owners, pieces = [], []
            for i in idx:
                line = np.column_stack([xs, self.coords[i]])
                present = np.isfinite(line[:, 1])
                breaks = np.flatnonzero(np.diff(present.astype(int)) != 0) + 1
                for run in np.split(np.arange(n_axes), breaks):
                    if not present[run[0]]:
                        continue
                    piece = line[run]
                    if len(piece) == 1:
                        piece = piece + np.array([[-0.08, 0.0], [0.08, 0.0]])
                    owners.append(i)
                    pieces.append(piece)
            return np.asarray(owners, dtype=int), pieces

        self.failed_lines_ = self.pruned_lines_ = self.failed_points_ = None
        failed = status == "failed"
        if failed.any():
            _, segs = segments(failed)
            # On the score axis, a failed trial sits at its floor.
            segs = [np.where((seg[:, :1] == n_axes - 1), [[n_axes - 1, 0.0]], seg)
                    for seg in segs]
            self.failed_lines_ = LineCollection(segs, colors=_FAILED_COLOR,
                                                linewidths=1, alpha=0.6, zorder=1,
                                                label="failed")
            ax.add_collection(self.failed_lines_)
            # A cross at each parameter value (the score axis has none to show).
            grid_x = np.broadcast_to(xs[:-1], self.coords[failed, :-1].shape)
            values = self.coords[failed, :-1]
            present = np.isfinite(values)
            points = np.column_stack([grid_x[present], values[present]])
            self.failed_points_ = ax.scatter(points[:, 0], points[:, 1], marker="x",
                                             color=_FAILED_COLOR, s=36, zorder=1)
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
        if finite.size:
            self.colorbar_ = ax.figure.colorbar(self.lines_, ax=ax, pad=0.02,
                                                label=f"mean test {self.metric}")
        else:
            # A colour scale of scores no trial has would mislead.
            self.colorbar_ = None
            ax.text(0.5, 0.5, NO_SCORE_NOTE, transform=ax.transAxes, ha="center",
                    va="center", color="0.3")

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
            elif info.get("integer") and info["scale"] != "log":
                # (A log axis keeps matplotlib's decade ticks.)
                twin.yaxis.set_major_locator(MaxNLocator(integer=True))
            twin.tick_params(axis="y", labelsize="small")
            if j == n_axes - 1 and not finite.size:
                twin.set_yticks([])  # the score axis, with no score to show
            self.param_axes_.append(twin)
        if failed.any() or pruned.any():
            from matplotlib.lines import Line2D

            handles = []
            if pruned.any():
                handles.append(Line2D([], [], color="0.3", linestyle="dashed",
                                      label="pruned (partial mean)"))
            if failed.any():
                handles.append(Line2D([], [], color=_FAILED_COLOR, marker="x",
                                      label="failed (score NaN)"))
            ax.legend(handles=handles, loc="upper center", fontsize="small",
                      bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        added_beside(ax, self.colorbar_, *self.param_axes_)
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self
