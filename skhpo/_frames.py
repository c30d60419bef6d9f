"""cv_results_ of any search as a tidy DataFrame: :func:`results_frame`.

Also the reading helpers that the plots and the exports share: which metrics
a ``cv_results_`` holds, which one a search followed (:func:`primary_metric`),
each row's status.
"""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from ._json import to_python, value_label
from .space import int_beside_equal_float, value_key

#: cv_results_ keys that describe the budget of a candidate (successive
#: halving's ``iter`` and ``n_resources``, Hyperband's ``bracket``).
BUDGET_KEYS = ("iter", "n_resources", "bracket")
#: cv_results_ keys identifying a configuration across the rungs of a
#: Hyperband bracket, shown next to the budget columns.
ID_KEYS = ("candidate_id",)
_STATUSES = ("completed", "pruned", "failed")


# --------------------------------------------------------------------------
# Reading cv_results_
# --------------------------------------------------------------------------

_SCORE_KEY = re.compile(r"^(mean|std|rank)_(test|train)_(.+)$")
_SPLIT_SCORE_KEY = re.compile(r"^split(\d+)_(test|train)_(.+)$")
_TIME_KEY = re.compile(r"^(mean|std)_(fit|score)_time$")
_SPLIT_TIME_KEY = re.compile(r"^split(\d+)_(fit|score)_time$")


def _key_path(key):
    """Where a cv_results_ key lives in a stored trial (a tuple of keys)."""
    match = _SCORE_KEY.match(key)
    if match:
        stat, subset, metric = match.groups()
        return (subset, metric, stat)
    match = _SPLIT_SCORE_KEY.match(key)
    if match:
        split, subset, metric = match.groups()
        return (subset, metric, "splits", int(split))
    match = _TIME_KEY.match(key)
    if match:
        stat, kind = match.groups()
        return (f"{kind}_time", stat)
    match = _SPLIT_TIME_KEY.match(key)
    if match:
        split, kind = match.groups()
        return (f"{kind}_time", "splits", int(split))
    if key in BUDGET_KEYS:
        return ("budget", key)
    return ("other", key)


def _metrics(cv_results):
    """Metric names, in the order of their ``mean_test_<name>`` keys."""
    return [key[len("mean_test_"):] for key in cv_results if key.startswith("mean_test_")]


def primary_metric(metrics, refit):
    """The metric a search ranks by: ``refit`` when it names one of ``metrics``,
    else ``"score"`` (a single-metric search's name), else the first.

    Examples
    --------
    >>> from skhpo.results import primary_metric
    >>> primary_metric(["acc", "nll"], "nll"), primary_metric(["acc", "nll"], True)
    ('nll', 'acc')
    """
    if isinstance(refit, str) and refit in metrics:
        return refit
    if "score" in metrics:
        return "score"
    return metrics[0]


def _n_splits(cv_results):
    splits = [int(m.group(1)) for m in map(_SPLIT_SCORE_KEY.match, cv_results) if m]
    return max(splits) + 1 if splits else 0


def check_params_are_dicts(params):
    """Raise if a ``params`` column holds text (cv_results_ read from a CSV)."""
    if any(isinstance(p, str) for p in params):
        raise ValueError(
            "The 'params' column holds text, not dicts, as cv_results_ read "
            "back from a CSV file does; a None among the values cannot be "
            "told from a missing one there. Save results with "
            "skhpo.save_results and read them with skhpo.load_results, which "
            "keep every value, or parse the column first (ast.literal_eval)."
        )


def results_of(obj):
    """``(cv_results, refit)`` of a fitted search, a ``cv_results_`` dict or
    DataFrame, or what ``load_results`` returns; raise for anything else.

    A DataFrame (``pd.DataFrame(search.cv_results_)``, or
    :func:`results_frame`'s wide frame) becomes a dict of arrays in the
    order of its integer index, which is the order of ``cv_results_``: a
    frame sorted by score (as ``results_frame`` returns it) gives the trials
    back in the order they ran. ``refit`` is None where the input does not say.
    """
    if isinstance(obj, dict):
        _check_shape(obj)
        return obj, None
    if isinstance(obj, pd.DataFrame):
        if pd.api.types.is_integer_dtype(obj.index) and obj.index.is_unique:
            obj = obj.sort_index()
        cv_results = {c: obj[c].to_numpy() for c in obj.columns}
        _check_shape(cv_results)
        return cv_results, None
    if hasattr(obj, "cv_results_"):
        return obj.cv_results_, getattr(obj, "refit", None)
    if hasattr(obj, "fit") and hasattr(obj, "get_params"):
        raise NotFittedError(
            f"This {type(obj).__name__} instance is not fitted yet: its results "
            f"exist only after fit. Call fit(X, y) first, or pass a "
            f"cv_results_ dict or what load_results(path) returns."
        )
    raise TypeError(
        f"Expected a fitted search (with cv_results_), a cv_results_ dict "
        f"or DataFrame, or what load_results(path) returns, got "
        f"{type(obj).__name__}."
    )


def _unpack(search_or_results):
    """Return ``(cv_results, refit)`` from any accepted input, or raise."""
    cv_results, refit = results_of(search_or_results)
    if "params" not in cv_results or not _metrics(cv_results):
        raise ValueError(
            f"A cv_results_ dict needs a 'params' key and at least one "
            f"'mean_test_<metric>' key, got keys {sorted(cv_results)[:10]}. Pass "
            f"the cv_results_ attribute of a fitted search."
        )
    return cv_results, refit


def _check_shape(cv_results):
    """Raise unless ``params`` is a list of dicts and every column has one
    entry per row, as in any search's ``cv_results_`` (a missing ``params``
    is left to the callers, whose messages say what they need)."""
    if "params" not in cv_results:
        return
    params = cv_results["params"]
    check_params_are_dicts(params)
    not_dicts = [p for p in params if not isinstance(p, dict)]
    if not_dicts:
        raise ValueError(
            f"The 'params' of a cv_results_ dict are the candidates' parameter "
            f"dicts, got {not_dicts[0]!r} among them. Pass the cv_results_ "
            f"attribute of a fitted search.")
    lengths = {key: len(value) for key, value in cv_results.items()
               if hasattr(value, "__len__") and not isinstance(value, (str, dict))}
    wrong = {key: n for key, n in lengths.items() if n != len(params)}
    if wrong:
        raise ValueError(
            f"Every column of a cv_results_ dict has one entry per candidate, "
            f"{len(params)} here (the length of 'params'), got {wrong}. Pass the "
            f"cv_results_ attribute of a fitted search, unmodified.")


def row_status(cv_results, scores):
    """completed / pruned / failed of each row of ``cv_results``, as objects.

    failed: ``scores`` (a metric's mean test scores) is NaN (a fit or a
    score raised with ``error_score=np.nan``), or an ``n_failed_splits`` key
    counts a failed split (skhpo's searches record it, so a numeric
    ``error_score`` does not hide the failure; scikit-learn's do not, and
    there such a row shows as completed); pruned: a ``pruned`` key is True
    (a candidate BayesSearchCV's pruning stopped). A failed candidate is
    reported as failed even when it was also pruned.
    """
    scores = np.asarray(scores, dtype=float)
    status = np.full(len(scores), "completed", dtype=object)
    if "pruned" in cv_results:
        status[np.asarray(cv_results["pruned"], dtype=bool)] = "pruned"
    status[np.isnan(scores) | has_failed_split(cv_results)] = "failed"
    return status


def has_failed_split(cv_results):
    """Per row, whether a split's fit or scoring failed, as skhpo's searches
    record it (``n_failed_splits``); all False for results without the key."""
    counts = cv_results.get("n_failed_splits")
    if counts is None:
        return np.zeros(len(cv_results["params"]), dtype=bool)
    return np.asarray(counts) > 0


def _status(cv_results, primary):
    """:func:`row_status` for the primary metric, as a categorical."""
    return pd.Categorical(row_status(cv_results, cv_results[f"mean_test_{primary}"]),
                          categories=_STATUSES)


def _param_names(params):
    names = set()
    for candidate in params:
        names.update(candidate)
    return sorted(names)


_MISSING = object()


def _param_column(values):
    """One parameter as a Series with a proper dtype.

    bool when all present values are booleans (object if some are missing);
    int64 when all are integers; float64 when all are numbers (a missing
    value becomes NaN); pandas' default for strings (object on pandas 2,
    str on 3); object otherwise, and for ``1`` beside ``1.0`` (two settings of
    ``max_features`` that a float column would merge). ``None`` is a
    setting (``max_depth=None``: no limit), so a
    column holding it is object and shows it, beside values that stay the
    ones ``set_params`` takes. Estimators and other objects are shown by
    their label (class name, or ``__name__`` for functions and classes),
    or by their repr where two different ones share a label. A parameter a
    candidate does not have (another subspace's) is NaN.
    """
    shown = []
    for value in values:
        value = to_python(value)
        plain = (value is _MISSING or value is None
                 or isinstance(value, (bool, numbers.Number, str, list, tuple, dict)))
        shown.append(value if plain else _Labelled(value))
    labels = iter(distinct_labels([v.value for v in shown if isinstance(v, _Labelled)]))
    shown = [next(labels) if isinstance(v, _Labelled) else v for v in shown]
    # A parameter a candidate does not have (another subspace's) is NaN in
    # every dtype, never None, which is a setting.
    present = [v for v in shown if v is not _MISSING]
    has_missing = len(present) < len(shown)
    with_nan = [np.nan if v is _MISSING else v for v in shown]
    if any(v is None for v in present):
        return pd.Series(_object_array(with_nan), dtype=object)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(_object_array(with_nan), dtype=object) if has_missing \
            else pd.Series(shown, dtype=bool)
    if (present and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                        for v in present) and not int_beside_equal_float(present)):
        if not has_missing and all(isinstance(v, numbers.Integral) for v in present):
            if all(-2**63 <= v < 2**63 for v in present):
                return pd.Series(shown, dtype="int64")
            return pd.Series(_object_array(shown), dtype=object)  # Python's big ints
        return pd.Series(with_nan, dtype="float64")
    if present and all(isinstance(v, str) for v in present):
        return pd.Series(with_nan)
    return pd.Series(_object_array(with_nan), dtype=object)


def distinct_labels(values, label=value_label):
    """Each value's ``label`` (an estimator's class name), or its repr
    (without memory addresses) where different values share that label
    (``StandardScaler()`` and ``StandardScaler(with_mean=False)``).

    Examples
    --------
    >>> from sklearn.preprocessing import MinMaxScaler, StandardScaler
    >>> from skhpo._frames import distinct_labels
    >>> distinct_labels([StandardScaler(), MinMaxScaler(), StandardScaler(with_mean=False)])
    ['StandardScaler()', 'MinMaxScaler', 'StandardScaler(with_mean=False)']
    """
    def full(value):
        return value_key(to_python(value))

    reprs = {}
    for value in values:
        reprs.setdefault(label(value), set()).add(full(value))
    return [label(v) if len(reprs[label(v)]) == 1 else full(v) for v in values]


def metric_from_column(metric, available):
    """``metric``, or the metric a column name ``mean_test_<m>`` names when
    ``metric`` itself is not one of ``available``."""
    if isinstance(metric, str) and metric not in available \
            and metric.startswith("mean_test_"):
        return metric[len("mean_test_"):]
    return metric


class _Labelled:
    """An object value, shown by its label (see _param_column)."""

    def __init__(self, value):
        self.value = value


def _object_array(values):
    # Element by element: a slice assignment would let numpy broadcast
    # same-length tuples into a 2-D array.
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


def _numeric(values):
    array = np.asarray(values)
    if array.dtype.kind == "b":
        return array.astype(bool)
    if array.dtype.kind in "iu":
        return array.astype("int64")
    return array.astype("float64")


def results_frame(search_or_results, kind="wide", *, splits=False):
    """The results of a search as a tidy :class:`pandas.DataFrame`.

    Works on a fitted skhpo search, scikit-learn's ``GridSearchCV``,
    ``RandomizedSearchCV`` and ``Halving*SearchCV``, a ``cv_results_`` dict
    or a DataFrame of one (``pd.DataFrame(search.cv_results_)``), and the
    :class:`SearchResults` returned by :func:`load_results`.

    Parameters
    ----------
    search_or_results : fitted search, dict, DataFrame or SearchResults
    kind : {"wide", "long"}, default="wide"
        ``"wide"``: one row per candidate, indexed by the candidate's position
        in ``cv_results_`` (index name ``"candidate"``; for a DataFrame with
        a unique integer index, such as a filtered one, that index), sorted
        by the rank of the primary metric (ties keep candidate order); for
        scikit-learn's
        halving searches, whose ranks mix budgets, the last iteration first,
        so the first row is ``best_index_``. ``"long"``: one row
        per (candidate, split) that was scored, in candidate then split order.
    splits : bool, default=False
        With ``kind="wide"``, also include the per-split score columns
        (``split<i>_test_<metric>``, ``split<i>_train_<metric>``). Off by
        default: the long frame is the better view of per-split scores.

    Returns
    -------
    frame : pandas.DataFrame
        Wide columns, in order:

        * one column per parameter, named after it (``param_<name>`` if the
          name clashes with another column), with plain values and a proper
          dtype: bool, int64, float64 (a parameter missing from a candidate,
          as in a list-of-dicts space, is NaN), string, or object for mixed
          values and for a parameter set to ``None`` somewhere (shown as
          ``None``, as in ``pd.DataFrame(search.cv_results_)``). An
          estimator, function or class value is shown by its class name or
          ``__name__``, or by its repr where two different values of the
          column share that name;
        * ``params``: the candidate's parameter dict, objects included (after
          :func:`load_results`, non-JSON values are :class:`StoredValue`
          placeholders);
        * for each metric ``<m>`` (from the ``mean_test_<m>`` keys):
          ``mean_test_<m>``, ``std_test_<m>``, ``rank_test_<m>``, then the
          same for train scores when present;
        * ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
          ``std_score_time``;
        * the budget columns ``iter``, ``n_resources``, ``bracket`` when
          present (successive halving, Hyperband), and ``candidate_id`` (one
          configuration across Hyperband's rungs) when present;
        * ``status``, a categorical of ``"completed"``, ``"pruned"`` (a
          ``pruned`` key in ``cv_results_`` is True) and ``"failed"`` (the
          mean test score of the primary metric is NaN, or, in skhpo's
          results, a split failed under a numeric ``error_score``).

        Long columns: ``candidate``, ``split``, the parameter columns,
        ``test_<m>`` (and ``train_<m>``) for each metric, ``fit_time`` and
        ``score_time`` of the split (skhpo's searches store
        ``split<i>_fit_time`` / ``split<i>_score_time``; scikit-learn stores
        only their mean and std, so they are NaN for its searches), the
        budget columns and ``status``. A split whose test scores are all NaN
        was not scored (Hyperband scores only some splits; a failed fit
        scores NaN too) and has no row. With a ``candidate_id`` (skhpo's
        Hyperband), ``reused`` is True where a row repeats a split of its
        candidate's earlier rung (over splits, a promoted candidate keeps
        them: the same fit, not refitted); ``long[~long.reused]`` counts
        each fit once and pivots by ``candidate_id`` and ``split``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the search is not fitted.
    ValueError
        If ``kind`` is unknown or the dict is not a ``cv_results_``.

    Notes
    -----
    The primary metric, which sorts the wide frame and decides the status,
    is the search's ``refit`` when it is a metric name, else ``"score"`` when
    present, else the first metric.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo.results import results_frame
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(DecisionTreeClassifier(random_state=0),
    ...                       {"max_depth": [1, 2, 3]}, cv=3).fit(X, y)
    >>> frame = results_frame(search)
    >>> frame[["max_depth", "mean_test_score", "rank_test_score", "status"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
               max_depth  mean_test_score  rank_test_score     status
    candidate
    2                  3            0.960                1  completed
    1                  2            0.933                2  completed
    0                  1            0.660                3  completed
    >>> long = results_frame(search, kind="long")
    >>> long.shape, list(long.columns[:4])
    ((9, 7), ['candidate', 'split', 'max_depth', 'test_score'])
    """
    if kind not in ("wide", "long"):
        raise ValueError(
            f"kind must be 'wide' (one row per candidate) or 'long' (one row "
            f"per candidate and split), got kind={kind!r}."
        )
    cv_results, refit = _unpack(search_or_results)
    metrics = _metrics(cv_results)
    primary = primary_metric(metrics, refit)
    params = list(cv_results["params"])
    n_candidates = len(params)
    # A DataFrame keeps its rows' numbers (a filtered one too), so that the
    # candidate index still matches best_index_ and the original rows.
    index = getattr(search_or_results, "index", None)
    positions = (np.asarray(index) if isinstance(search_or_results, pd.DataFrame)
                 and index.is_unique and pd.api.types.is_integer_dtype(index)
                 else np.arange(n_candidates))
    status = _status(cv_results, primary)
    budget = [key for key in BUDGET_KEYS + ID_KEYS if key in cv_results]
    subsets = [s for s in ("test", "train") if f"mean_{s}_{metrics[0]}" in cv_results]

    if kind == "wide":
        score_columns = []
        for subset in subsets:
            for metric in metrics:
                stats = ["mean", "std"] + (["rank"] if subset == "test" else [])
                score_columns += [f"{stat}_{subset}_{metric}" for stat in stats]
                if splits:
                    score_columns += [
                        f"split{i}_{subset}_{metric}"
                        for i in range(_n_splits(cv_results))
                    ]
        time_columns = ["mean_fit_time", "std_fit_time", "mean_score_time",
                        "std_score_time"]
        other_columns = [c for c in score_columns + time_columns + budget if c in cv_results]
        reserved = set(other_columns) | {"params", "status", "candidate"}  # the index's name
    else:
        n_splits = _n_splits(cv_results)
        reserved = ({"candidate", "split", "fit_time", "score_time", "status"}
                    | set(budget)
                    | {f"{subset}_{metric}" for subset in subsets for metric in metrics})

    data = {}
    for name in _param_names(params):
        column = name if name not in reserved else f"param_{name}"
        data[column] = _param_column([p.get(name, _MISSING) for p in params])

    if kind == "wide":
        data["params"] = pd.Series(_object_array(params), dtype=object)
        for column in other_columns:
            data[column] = pd.Series(_numeric(cv_results[column]))
        data["status"] = pd.Series(status)
        frame = pd.DataFrame(data)
        frame.index = pd.Index(positions, name="candidate")
        rank_key = f"rank_test_{primary}"
        if rank_key in cv_results:
            rank = np.asarray(cv_results[rank_key])
        else:
            # No rank stored: best mean first, NaN (failed) last.
            mean = np.asarray(cv_results[f"mean_test_{primary}"], dtype=float)
            rank = np.where(np.isnan(mean), np.inf, -mean)
        # scikit-learn's halving searches rank every row together, a first
        # rung's luck beside the final candidates (scikit-learn #24901); its
        # best is among the last iteration's. (skhpo's Hyperband ranks the
        # full budget first itself.)
        halving = "iter" in cv_results and "bracket" not in cv_results
        last_first = -np.asarray(cv_results["iter"]) if halving else np.zeros(n_candidates)
        order = np.lexsort((positions, rank, last_first))
        return frame.iloc[order]

    # Long: repeat each candidate's columns once per split, then drop the
    # splits that were not scored.
    candidate = np.repeat(np.arange(n_candidates), n_splits)
    split = np.tile(np.arange(n_splits), n_candidates)
    frame = pd.DataFrame({"candidate": positions[candidate], "split": split})
    for column, series in data.items():
        frame[column] = series.iloc[candidate].reset_index(drop=True)

    def per_split(template):
        values = np.full((n_candidates, n_splits), np.nan)
        for i in range(n_splits):
            key = template.format(i=i)
            if key in cv_results:
                values[:, i] = np.asarray(cv_results[key], dtype=float)
        return values.reshape(-1)

    test_columns = []
    for subset in subsets:
        for metric in metrics:
            frame[f"{subset}_{metric}"] = per_split(f"split{{i}}_{subset}_{metric}")
            if subset == "test":
                test_columns.append(f"{subset}_{metric}")
    frame["fit_time"] = per_split("split{i}_fit_time")
    frame["score_time"] = per_split("split{i}_score_time")
    for key in budget:
        frame[key] = _numeric(cv_results[key])[candidate]
    frame["status"] = pd.Categorical(np.asarray(status)[candidate], categories=_STATUSES)
    scored = frame[test_columns].notna().any(axis=1).to_numpy()
    frame = frame[scored].reset_index(drop=True)
    if "candidate_id" in frame:
        frame["reused"] = _reused_splits(frame, test_columns)
    return frame


def _reused_splits(frame, test_columns):
    """Per long row: the same fit as an earlier row of its candidate (its
    ``candidate_id``), as HyperbandSearchCV over splits keeps a promoted
    candidate's splits: same split, same scores, same fit time."""
    seen, reused = set(), []
    columns = ["candidate_id", "split", "fit_time", *test_columns]
    for row in frame[columns].itertuples(index=False):
        key = tuple(repr(to_python(v)) for v in row)
        reused.append(key in seen)
        seen.add(key)
    return np.asarray(reused, dtype=bool)


