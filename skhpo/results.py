"""DataFrame views of search results, and their export to and reload from JSON.

:func:`results_frame` turns the ``cv_results_`` of any search (skhpo's or
scikit-learn's) into a tidy :class:`pandas.DataFrame`; :func:`save_results`
writes one human-readable JSON document describing a fitted search, and
:func:`load_results` reads it back as a :class:`SearchResults` that
:func:`results_frame` accepts like the search itself. Nothing is pickled:
loading a file never executes code (see :mod:`skhpo._json` for the encoding).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import numbers
import os
import platform
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.exceptions import NotFittedError

from ._json import (
    StoredValue,
    decode_number,
    decode_value,
    encode_number,
    encode_value,
    to_python,
    value_label,
)
from .exceptions import SkhpoError
from .space import Categorical, parse_search_spaces

__all__ = [
    "ResultsFormatError",
    "SearchResults",
    "StoredValue",
    "data_fingerprint",
    "load_results",
    "results_frame",
    "save_results",
]

FORMAT = "skhpo-results"
FORMAT_VERSION = 1

#: cv_results_ keys that describe the budget of a candidate (successive
#: halving's ``iter`` and ``n_resources``, Hyperband's ``bracket``).
BUDGET_KEYS = ("iter", "n_resources", "bracket")
#: cv_results_ keys identifying a configuration across the rungs of a
#: Hyperband bracket, shown next to the budget columns.
ID_KEYS = ("candidate_id",)
_STATUSES = ("completed", "pruned", "failed")


class ResultsFormatError(SkhpoError, ValueError):
    """A file is not a skhpo results document, or one this version cannot read."""


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


def _unpack(search_or_results):
    """Return ``(cv_results, refit)`` from any accepted input, or raise."""
    obj = search_or_results
    if isinstance(obj, dict):
        cv_results, refit = obj, None
    elif hasattr(obj, "cv_results_"):
        cv_results, refit = obj.cv_results_, getattr(obj, "refit", None)
    elif hasattr(obj, "fit") and hasattr(obj, "get_params"):
        raise NotFittedError(
            f"This {type(obj).__name__} instance is not fitted yet: its results "
            f"exist only after fit. Call fit(X, y) first, or pass a "
            f"cv_results_ dict or what load_results(path) returns."
        )
    else:
        raise TypeError(
            f"Expected a fitted search (with cv_results_), a cv_results_ dict "
            f"or what load_results(path) returns, got {type(obj).__name__}."
        )
    if "params" not in cv_results or not _metrics(cv_results):
        raise ValueError(
            f"A cv_results_ dict needs a 'params' key and at least one "
            f"'mean_test_<metric>' key, got keys {sorted(cv_results)[:10]}. Pass "
            f"the cv_results_ attribute of a fitted search."
        )
    return cv_results, refit


def _status(cv_results, primary):
    """completed / pruned / failed for each candidate.

    failed: the mean test score of the primary metric is NaN (a fit or a score
    raised with ``error_score=np.nan``); pruned: a ``pruned`` key is True (an
    early-stopped Hyperband candidate). A failed candidate is reported as
    failed even when it was also pruned.
    """
    mean = np.asarray(cv_results[f"mean_test_{primary}"], dtype=float)
    status = np.full(len(mean), "completed", dtype=object)
    if "pruned" in cv_results:
        status[np.asarray(cv_results["pruned"], dtype=bool)] = "pruned"
    status[np.isnan(mean)] = "failed"
    return pd.Categorical(status, categories=_STATUSES)


def _param_names(params):
    names = set()
    for candidate in params:
        names.update(candidate)
    return sorted(names)


_MISSING = object()


def _param_column(values):
    """One parameter as a Series with a proper dtype.

    bool when all present values are booleans (object if some are missing);
    int64 when all are integers; float64 when all are numbers (missing and
    ``None`` become NaN); the pandas string dtype for strings; object
    otherwise. Estimators and other objects are shown by their label (class
    name, or ``__name__`` for functions and classes).
    """
    shown = []
    for value in values:
        value = to_python(value)
        if value is _MISSING or value is None:
            shown.append(None)
        elif isinstance(value, (bool, numbers.Number, str, list, tuple, dict)):
            shown.append(value)
        else:
            shown.append(value_label(value))
    present = [v for v in shown if v is not None]
    has_missing = len(present) < len(shown)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(shown, dtype=object if has_missing else bool)
    if present and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                       for v in present):
        if not has_missing and all(isinstance(v, numbers.Integral) for v in present):
            return pd.Series(shown, dtype="int64")
        return pd.Series([np.nan if v is None else v for v in shown], dtype="float64")
    if present and all(isinstance(v, str) for v in present):
        return pd.Series(shown)
    return pd.Series(_object_array(shown), dtype=object)


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
    ``RandomizedSearchCV`` and ``Halving*SearchCV``, a ``cv_results_`` dict,
    and the :class:`SearchResults` returned by :func:`load_results`.

    Parameters
    ----------
    search_or_results : fitted search, dict or SearchResults
    kind : {"wide", "long"}, default="wide"
        ``"wide"``: one row per candidate, indexed by the candidate's position
        in ``cv_results_`` (index name ``"candidate"``), sorted by the rank of
        the primary metric (ties keep candidate order). ``"long"``: one row
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
          as in a list-of-dicts space, or set to ``None`` is NaN), string, or
          object for mixed values. An estimator, function or class value is
          shown by its class name or ``__name__``;
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
          mean test score of the primary metric is NaN).

        Long columns: ``candidate``, ``split``, the parameter columns,
        ``test_<m>`` (and ``train_<m>``) for each metric, ``fit_time`` and
        ``score_time`` of the split (NaN unless the search stored
        ``split<i>_fit_time`` / ``split<i>_score_time``; scikit-learn stores
        only their mean and std), the budget columns and ``status``. A split
        whose test scores are all NaN was not scored (Hyperband scores only
        some splits; a failed fit scores NaN too) and has no row.

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
        reserved = set(other_columns) | {"params", "status"}
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
        frame.index = pd.RangeIndex(n_candidates, name="candidate")
        rank_key = f"rank_test_{primary}"
        if rank_key in cv_results:
            rank = np.asarray(cv_results[rank_key])
        else:
            # No rank stored: best mean first, NaN (failed) last.
            mean = np.asarray(cv_results[f"mean_test_{primary}"], dtype=float)
            rank = np.where(np.isnan(mean), np.inf, -mean)
        order = np.lexsort((np.arange(n_candidates), rank))
        return frame.iloc[order]

    # Long: repeat each candidate's columns once per split, then drop the
    # splits that were not scored.
    candidate = np.repeat(np.arange(n_candidates), n_splits)
    split = np.tile(np.arange(n_splits), n_candidates)
    frame = pd.DataFrame({"candidate": candidate, "split": split})
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
    return frame[scored].reset_index(drop=True)


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def _array_bytes(array):
    if array.dtype.kind == "O":
        # Object arrays hold pointers; hash the values' reprs instead.
        return repr(array.tolist()).encode()
    return np.ascontiguousarray(array).tobytes()


def data_fingerprint(data):
    """A fingerprint of an array-like: its sha256, shape and dtype.

    The sha256 covers the shape, the dtype and the raw bytes of the values
    (for a DataFrame, each column's name, dtype and values; for a sparse
    matrix, its canonical CSR arrays; for object arrays, the ``repr`` of the
    values). Two runs on the same data give the same fingerprint; any change
    to a value, the shape or the dtype changes it.

    Parameters
    ----------
    data : array-like, sparse matrix, DataFrame, Series or None

    Returns
    -------
    fingerprint : dict or None
        ``{"sha256": str, "shape": list of int, "dtype": str}``, or None when
        ``data`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.results import data_fingerprint
    >>> fp = data_fingerprint(np.zeros((2, 3)))
    >>> fp["shape"], fp["dtype"], len(fp["sha256"])
    ([2, 3], 'float64', 64)
    >>> fp == data_fingerprint(np.zeros((2, 3)))
    True
    >>> fp == data_fingerprint(np.zeros((3, 2)))
    False
    """
    if data is None:
        return None
    digest = hashlib.sha256()
    if sp.issparse(data):
        matrix = sp.csr_matrix(data, copy=True)
        matrix.sum_duplicates()
        matrix.sort_indices()
        shape, dtype = matrix.shape, str(matrix.dtype)
        digest.update(b"sparse")
        for part in (matrix.data, matrix.indices.astype(np.int64),
                     matrix.indptr.astype(np.int64)):
            digest.update(_array_bytes(part))
    elif hasattr(data, "columns") and hasattr(data, "iloc"):
        shape = data.shape
        dtypes = sorted({str(d) for d in data.dtypes})
        dtype = dtypes[0] if len(dtypes) == 1 else "mixed"
        digest.update(b"dataframe")
        for j, name in enumerate(data.columns):
            column = data.iloc[:, j].to_numpy()
            digest.update(f"{name!r}|{data.dtypes.iloc[j]}|".encode())
            digest.update(_array_bytes(column))
    else:
        array = np.asarray(data)
        shape, dtype = array.shape, str(array.dtype)
        digest.update(f"{array.dtype.str}|".encode())
        digest.update(_array_bytes(array))
    digest.update(f"|{tuple(shape)}|{dtype}".encode())
    return {"sha256": digest.hexdigest(), "shape": [int(n) for n in shape],
            "dtype": dtype}


def _describe(value):
    """A readable JSON description of a setting (repr for objects)."""
    value = to_python(value)
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return encode_number(value)
    if isinstance(value, (list, tuple)):
        return [_describe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _describe(v) for k, v in value.items()}
    return repr(value)


def _space_of(search):
    """``(attribute, raw space)`` of a search, or ``(None, None)``."""
    for attribute in ("search_spaces", "param_distributions", "param_grid"):
        space = getattr(search, attribute, None)
        if space is not None:
            return attribute, space
    return None, None


def _describe_space(search):
    """``(description, subspaces or None)`` of the search space.

    skhpo's parser describes every form it knows (dimensions, tuples, scipy
    distributions, lists) by the repr of the parsed dimension; anything it
    refuses is described by the repr of each raw value.
    """
    attribute, raw = _space_of(search)
    if raw is None:
        return None, None
    try:
        subspaces = parse_search_spaces(raw)
    except (ValueError, TypeError):
        subspaces = None
    if subspaces is not None:
        described = [{"n_iter": s.n_iter,
                      "dimensions": {name: repr(dim) for name, dim
                                     in s.space.as_dict().items()}}
                     for s in subspaces]
    else:
        parts = raw if isinstance(raw, (list, tuple)) else [raw]
        described = [{"n_iter": None,
                      "dimensions": ({str(k): repr(v) for k, v in part.items()}
                                     if isinstance(part, dict) else repr(part))}
                     for part in parts]
    return {"attribute": attribute, "subspaces": described}, subspaces


def _categorical_index(subspaces, name):
    """``index(value)``: the value's index in the categorical ``name``."""
    dims = [s.space.as_dict()[name] for s in subspaces or ()
            if name in s.space.names]
    dims = [d for d in dims if isinstance(d, Categorical)]

    def index(value):
        for dim in dims:
            try:
                return dim.index(value)
            except ValueError:
                continue
        return None

    return index


def _encode_params(params, subspaces):
    return {name: encode_value(value, _categorical_index(subspaces, name))
            for name, value in params.items()}


def _encode_column(array, i):
    value = array[i]
    kind = array.dtype.kind if isinstance(array, np.ndarray) else "O"
    if kind == "f":
        return encode_number(value)
    if kind in "iu":
        return int(value)
    if kind == "b":
        return bool(value)
    return encode_value(value)


def _set_path(tree, path, value):
    *parents, last = path
    for j, key in enumerate(parents):
        default = [] if isinstance(path[j + 1], int) else {}
        tree = tree.setdefault(key, default)
    if isinstance(last, int):
        tree.extend([None] * (last + 1 - len(tree)))
    tree[last] = value


def _get_path(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _dtype_name(value):
    if isinstance(value, np.ma.MaskedArray):
        return "masked"
    if isinstance(value, np.ndarray):
        return value.dtype.str
    return "list"


def _versions():
    from . import __version__

    return {"skhpo": __version__, "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "pandas": pd.__version__,
            "python": platform.python_version()}


def _random_state(search):
    state = getattr(search, "random_state", None)
    state = to_python(state)
    if state is None or isinstance(state, int):
        return state
    return repr(state)


def save_results(search, path, X=None, y=None):
    """Write a fitted search's results to one readable JSON document.

    The document holds everything needed to inspect the search later or on
    another machine, and nothing that runs code when loaded (no pickle).

    Parameters
    ----------
    search : fitted search
        A skhpo search or any scikit-learn ``BaseSearchCV`` (grid, randomized,
        successive halving), or a :class:`SearchResults` to save again.
    path : str or path-like
        Where to write; the file is replaced atomically (written next to it,
        then renamed), so an interrupted save never leaves half a file.
    X, y : array-like, default=None
        The data the search was fitted on, to record their fingerprint (see
        :func:`data_fingerprint`) so that a later run can check it works on
        the same data. Not stored themselves; ``null`` when not given.

    Notes
    -----
    The document is a JSON object with:

    * ``"format": "skhpo-results"``, ``"format_version"``, ``"created"`` (UTC
      ISO-8601 timestamp) and ``"versions"`` (skhpo, scikit-learn, numpy,
      pandas, Python);
    * ``"search"``: class name, estimator repr and the search's parameters
      (objects by repr); ``"search_space"``: the attribute it came from and
      each subspace's dimensions by repr (:func:`skhpo.space.parse_search_spaces`);
      ``"random_state"`` (an int, ``null``, or a repr), ``"cv"`` (repr of
      the splitter and ``n_splits``), ``"scoring"``, ``"refit"``;
    * ``"data"``: the fingerprints of X and y;
    * ``"metrics"``, ``"primary_metric"``, ``"best"`` (index, score, params);
    * ``"trials"``: one object per candidate with its ``params``, ``status``,
      ``test`` (and ``train``) scores per metric (mean, std, rank and the
      per-split list), ``fit_time`` and ``score_time``, ``budget`` and any
      ``other`` key of ``cv_results_`` (such as ``pruned``);
    * ``"cv_results_dtypes"``: each ``cv_results_`` key and its dtype, so that
      :func:`load_results` rebuilds the same arrays.

    Numbers: NaN is stored as ``null``, infinities as ``"Infinity"`` and
    ``"-Infinity"``. Parameter values that JSON cannot hold (estimators,
    functions, ...) are stored as ``{"type": "object", "class", "repr",
    "index"}``, ``index`` being their position in their categorical
    dimension; see :mod:`skhpo._json`.

    See Also
    --------
    load_results : Read the document back.
    results_frame : View results as a DataFrame.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo.results import load_results, results_frame, save_results
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(DecisionTreeClassifier(random_state=0),
    ...                       {"max_depth": [1, 2, 3]}, cv=3).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "search.json")
    >>> save_results(search, path, X=X, y=y)
    >>> loaded = load_results(path)
    >>> loaded.best_params_, round(loaded.best_score_, 3)
    ({'max_depth': 3}, 0.96)
    >>> loaded.metadata["data"]["X"]["shape"]
    [150, 4]
    >>> results_frame(loaded).drop(columns="params").equals(
    ...     results_frame(search).drop(columns="params"))
    True
    """
    if isinstance(search, SearchResults):
        document = dict(search.metadata)
        document.update(_trials_document(search, subspaces=None))
        if X is not None or y is not None:
            document["data"] = {"X": data_fingerprint(X), "y": data_fingerprint(y)}
        _write(document, path)
        return
    cv_results, refit = _unpack(search)
    space, subspaces = _describe_space(search)
    cv = getattr(search, "cv", None)
    params = {k: _describe(v) for k, v in search.get_params(deep=False).items()
              if k != "estimator"}
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "versions": _versions(),
        "search": {"class": type(search).__name__,
                   "estimator": repr(getattr(search, "estimator", None)),
                   "params": params},
        "search_space": space,
        "random_state": _random_state(search),
        "cv": {"repr": repr(cv),
               "n_splits": to_python(getattr(search, "n_splits_", None))},
        "scoring": _describe(getattr(search, "scoring", None)),
        "refit": encode_value(refit),
        "multimetric": bool(getattr(search, "multimetric_", False)),
        "data": {"X": data_fingerprint(X), "y": data_fingerprint(y)},
    }
    document.update(_trials_document(search, subspaces))
    _write(document, path)


_TRIAL_ORDER = ("candidate", "status", "params", "test", "train", "fit_time",
                "score_time", "budget", "other")


def _trials_document(search, subspaces):
    """The part of the document that depends on cv_results_ and best_*."""
    cv_results, refit = _unpack(search)
    metrics = _metrics(cv_results)
    primary = primary_metric(metrics, refit)
    status = np.asarray(_status(cv_results, primary))
    params = cv_results["params"]
    trials = []
    for i, candidate in enumerate(params):
        trial = {"candidate": i, "status": str(status[i]),
                 "params": _encode_params(candidate, subspaces)}
        for key, array in cv_results.items():
            if key == "params" or key.startswith("param_"):
                continue
            _set_path(trial, _key_path(key), _encode_column(array, i))
        # The same reading order in every trial, whatever cv_results_'s order.
        trials.append({key: trial[key] for key in _TRIAL_ORDER if key in trial})

    best_params = getattr(search, "best_params_", None)
    # best_* exist only when the search refits; a missing score key (refit
    # callable) loads as None, a NaN score as nan.
    best = {"index": to_python(getattr(search, "best_index_", None))}
    if getattr(search, "best_score_", None) is not None:
        best["score"] = encode_number(search.best_score_)
    best["params"] = (None if best_params is None
                      else _encode_params(best_params, subspaces))
    return {
        "metrics": metrics,
        "primary_metric": primary,
        "n_candidates": len(params),
        "best": best,
        "trials": trials,
        "cv_results_dtypes": {key: _dtype_name(value) for key, value in cv_results.items()},
    }


def _write(document, path):
    path = Path(path)
    text = json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                   suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# --------------------------------------------------------------------------
# Reload
# --------------------------------------------------------------------------


class SearchResults:
    """The results of a search, as loaded by :func:`load_results`.

    It has the attributes of a fitted search that describe its results, so
    :func:`results_frame` (and a sensitivity report reading ``cv_results_``)
    accepts it in place of the search. It cannot predict: no estimator is
    stored or rebuilt.

    Parameters
    ----------
    cv_results_ : dict
    best_index_, best_score_, best_params_ : int, float, dict or None
    refit : bool, str or StoredValue
    metadata : dict
        Everything else in the document: versions, creation time, search
        description, search space, cv, scoring, random state, data
        fingerprints.

    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        Rebuilt with the keys and dtypes of the saved search; ``param_<name>``
        keys are masked arrays as in scikit-learn, and non-JSON parameter
        values are :class:`StoredValue` placeholders.
    best_index_ : int or None
    best_score_ : float or None
    best_params_ : dict or None
    refit : bool, str or StoredValue
    multimetric_ : bool
    n_splits_ : int or None
    metadata : dict
    """

    def __init__(self, cv_results_, best_index_, best_score_, best_params_,
                 refit, metadata):
        self.cv_results_ = cv_results_
        self.best_index_ = best_index_
        self.best_score_ = best_score_
        self.best_params_ = best_params_
        self.refit = refit
        self.metadata = metadata

    @property
    def multimetric_(self):
        return bool(self.metadata.get("multimetric", False))

    @property
    def n_splits_(self):
        return (self.metadata.get("cv") or {}).get("n_splits")

    def __repr__(self):
        search = (self.metadata.get("search") or {}).get("class", "search")
        return (f"SearchResults({search}, n_candidates="
                f"{len(self.cv_results_['params'])}, best_score_={self.best_score_!r})")


def _masked_params(params):
    """``param_<name>`` masked arrays, as scikit-learn builds them."""
    n_candidates = len(params)
    out = {}
    for name in _param_names(params):
        present = {i: p[name] for i, p in enumerate(params) if name in p}
        try:
            array = np.array(list(present.values()))
        except ValueError:
            dtype = np.dtype(object)
        else:
            dtype = array.dtype if array.dtype.kind != "U" and array.ndim == 1 else object
        masked = np.ma.MaskedArray(np.empty(n_candidates, dtype=dtype), mask=True)
        for i, value in present.items():
            masked[i] = value
        out[f"param_{name}"] = masked
    return out


def _decode_column(values, dtype_name):
    if dtype_name == "list":
        return [decode_value(v) for v in values]
    dtype = np.dtype(dtype_name)
    if dtype.kind == "f":
        return np.array([decode_number(v) for v in values], dtype=dtype)
    if dtype.kind in "iub":
        return np.array(values, dtype=dtype)
    decoded = [decode_value(v) for v in values]
    if dtype.kind in "US":
        return np.array(decoded, dtype=dtype)
    return _object_array(decoded)


def _not_a_document(path, why):
    return ResultsFormatError(
        f"{path} is not a skhpo results document: {why}. Load files written "
        f"by skhpo.save_results(search, path)."
    )


def load_results(path):
    """Load a document written by :func:`save_results`.

    Loading only parses JSON: it never unpickles or executes anything.
    Estimators and other values JSON cannot hold come back as
    :class:`StoredValue` placeholders (their class name, repr and
    categorical index), never as live objects.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    results : SearchResults
        With ``cv_results_``, ``best_params_``, ``best_index_``,
        ``best_score_``, ``refit`` and ``metadata``; accepted by
        :func:`results_frame`.

    Raises
    ------
    ResultsFormatError
        If the file is not JSON, not a skhpo results document (its
        ``"format"`` is not ``"skhpo-results"``), or was written by a newer
        format version.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo import load_results, save_results
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(SVC(), {"kernel": ["linear", SVC().kernel]}, cv=3).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "search.json")
    >>> save_results(search, path)
    >>> loaded = load_results(path)
    >>> loaded.best_params_ == search.best_params_, len(loaded.cv_results_["params"])
    (True, 2)
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _not_a_document(path, f"it is not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise _not_a_document(path, f"its 'format' field is {found!r}, expected {FORMAT!r}")
    version = document.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ResultsFormatError(
            f"{path} has format_version={version!r}; this skhpo reads versions "
            f"1 to {FORMAT_VERSION}. Upgrade skhpo to read files written by a "
            f"newer version."
        )
    try:
        return _from_document(document)
    except (KeyError, TypeError, IndexError) as error:
        raise _not_a_document(path, f"a required field is missing or malformed "
                                    f"({type(error).__name__}: {error})") from None


def _from_document(document):
    trials = document["trials"]
    params = [{k: decode_value(v) for k, v in t["params"].items()} for t in trials]
    masked = _masked_params(params)
    cv_results = {}
    for key, dtype_name in document["cv_results_dtypes"].items():
        if key == "params":
            cv_results[key] = params
        elif key.startswith("param_"):
            if key in masked:
                cv_results[key] = masked[key]
        else:
            path = _key_path(key)
            cv_results[key] = _decode_column([_get_path(t, path) for t in trials],
                                             dtype_name)
    best = document.get("best") or {}
    best_score = decode_number(best["score"]) if "score" in best else None
    best_params = best.get("params")
    metadata = {k: v for k, v in document.items()
                if k not in ("trials", "best", "cv_results_dtypes")}
    return SearchResults(
        cv_results_=cv_results,
        best_index_=best.get("index"),
        best_score_=best_score,
        best_params_=(None if best_params is None
                      else {k: decode_value(v) for k, v in best_params.items()}),
        refit=decode_value(document.get("refit")),
        metadata=metadata,
    )
