"""Export a fitted search to one JSON document and read it back.

:func:`save_results` writes a human-readable JSON document describing a
fitted search, and :func:`load_results` reads it back as a
:class:`SearchResults` that :func:`skhpo.results.results_frame` accepts like
the search itself. Nothing is pickled: loading a file never executes code
(see :mod:`skhpo._json` for the encoding).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn

from ._frames import (
    _key_path,
    _metrics,
    _object_array,
    _param_names,
    _status,
    _unpack,
    primary_metric,
)
from ._json import (
    decode_number,
    decode_value,
    encode_number,
    encode_value,
    to_python,
)
from ._paths import unwritable_file
from ._sensitivity_params import declared_range, range_dimension
from .exceptions import SkhpoError
from .space import Categorical, dimension_scale, reread_search_spaces

FORMAT = "skhpo-results"
FORMAT_VERSION = 1


class ResultsFormatError(SkhpoError, ValueError):
    """A file is not a skhpo results document, or one this version cannot read.

    Examples
    --------
    >>> import json, os, tempfile
    >>> from skhpo import ResultsFormatError, load_results
    >>> path = os.path.join(tempfile.mkdtemp(), "other.json")
    >>> with open(path, "w") as file:
    ...     json.dump({"hello": "world"}, file)
    >>> try:
    ...     load_results(path)
    ... except ResultsFormatError as error:
    ...     print(str(error).split(": ", 1)[1])
    its 'format' field is None, expected 'skhpo-results'. Load files written by skhpo.save_results(search, path).
    """


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
        subspaces = reread_search_spaces(raw)
    except (ValueError, TypeError):
        subspaces = None
    if subspaces is not None:
        described = [{"n_iter": s.n_iter,
                      "dimensions": {name: repr(dim) for name, dim
                                     in s.space.as_dict().items()},
                      # Read back by sensitivity_report, which cannot rebuild
                      # a dimension from its repr but needs its scale.
                      "scales": {name: dimension_scale(dim) for name, dim
                                 in s.space.as_dict().items()},
                      # and its bounds, so that a report on loaded results
                      # integrates over the same ranges as on the search.
                      "ranges": {name: spec for name, spec
                                 in ((n, declared_range(d))
                                     for n, d in s.space.as_dict().items())
                                 if spec is not None}}
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
        # Earlier files say "masked" alone (no dtype); both are read.
        return f"masked:{value.dtype.str}"
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
      the splitter and ``n_splits``), ``"scoring"``, ``"refit"``,
      ``"multimetric"`` (whether the search scored several metrics);
    * ``"data"``: the fingerprints of X and y;
    * ``"metrics"``, ``"primary_metric"``, ``"best"`` (index, score, params);
    * ``"n_candidates"``: the number of rows of ``cv_results_``, and
      ``"trials"``: one object per row (a candidate; with Hyperband and the
      halving searches, a candidate at one budget) with its ``params``, ``status``,
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
    if isinstance(search, dict):
        raise TypeError(
            "save_results needs the fitted search itself, whose settings are saved "
            "with its results, got a cv_results_ dict: pass the search.")
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
    unwritable = unwritable_file(path)
    if unwritable is not None:
        error, problem = unwritable
        fix = (f"give a file path, e.g. {str(path / 'search.json')!r}"
               if error is IsADirectoryError else
               "create the directory first (os.makedirs), or choose another path")
        raise error(f"Cannot save results to {str(path)!r}: it {problem}; {fix}.")
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


def stored_search_params(source):
    """The search's parameters as :func:`save_results` wrote them (objects
    by their repr), for what :func:`load_results` returns; empty otherwise."""
    metadata = getattr(source, "metadata", None)
    if not isinstance(metadata, dict):
        return {}
    return (metadata.get("search") or {}).get("params") or {}


def search_parameter(source, name):
    """A parameter of the search behind ``source``: a fitted search's own
    attribute, or the one :func:`load_results` read from the file; None if
    neither says."""
    value = getattr(source, name, None)
    if value is None:
        value = stored_search_params(source).get(name)
    return value


def _stored_subspaces(source):
    metadata = getattr(source, "metadata", None)
    space = metadata.get("search_space") if isinstance(metadata, dict) else None
    return (space or {}).get("subspaces") or []


def stored_scales(source):
    """Each parameter's scale as :func:`save_results` wrote it (``_describe_space``)
    beside loaded results; empty for anything else."""
    scales = {}
    for subspace in _stored_subspaces(source):
        scales.update(subspace.get("scales") or {})
    return scales


def stored_dimensions(source, scales=None):
    """The numeric dimensions :func:`save_results` described (``"ranges"``),
    rebuilt on ``scales`` (by default the stored ones); empty for anything
    else (and for files written before ranges were saved)."""
    scales = stored_scales(source) if scales is None else scales
    dims = {}
    for subspace in _stored_subspaces(source):
        for name, spec in (subspace.get("ranges") or {}).items():
            dims.setdefault(name, range_dimension(spec, scales.get(name), name))
    return dims


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

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skhpo import load_results, results_frame, save_results
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 15]}).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "knn.json")
    >>> save_results(search, path)
    >>> loaded = load_results(path)
    >>> type(loaded).__name__, loaded.best_params_ == search.best_params_
    ('SearchResults', True)
    >>> results_frame(loaded)["n_neighbors"].tolist()
    [15, 1]
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


def _with_dtype(masked, dtype_name):
    """``masked`` in its saved numeric dtype (int32 stays int32), if recorded."""
    _, _, saved = dtype_name.partition("masked:")
    try:
        dtype = np.dtype(saved)
    except TypeError:  # "masked" alone: no dtype was recorded
        return masked
    if dtype.kind not in "iufb" or masked.dtype.kind not in "iufb":
        return masked
    return masked.astype(dtype)


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
    text = ""
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        if text.startswith('{"format": "skhpo-journal"'):
            raise _not_a_document(
                path, "it is a checkpoint journal (one JSON line per fit), which "
                f"resumes a search given as checkpoint={str(path)!r}; save the "
                "fitted search's results with skhpo.save_results") from None
        raise _not_a_document(path, f"it is not valid UTF-8 JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise _not_a_document(path, f"its 'format' field is {found!r}, expected {FORMAT!r}")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _not_a_document(path, f"its format_version is {version!r}, expected "
                                    f"an integer from 1 to {FORMAT_VERSION}")
    if version > FORMAT_VERSION:
        raise ResultsFormatError(
            f"{path} has format_version={version!r}; this skhpo reads versions "
            f"1 to {FORMAT_VERSION}. Upgrade skhpo to read files written by a "
            f"newer version."
        )
    try:
        return _from_document(document)
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as error:
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
                cv_results[key] = _with_dtype(masked[key], dtype_name)
        else:
            path = _key_path(key)
            cv_results[key] = _decode_column([_get_path(t, path) for t in trials],
                                             dtype_name)
    # A hand-edited file can disagree with itself: say so, not return a
    # SearchResults whose best row or row count points nowhere.
    declared = document.get("n_candidates")
    if declared is not None and declared != len(trials):
        raise ValueError(f"n_candidates is {declared} but the file holds "
                         f"{len(trials)} trials")
    best = document.get("best") or {}
    index = best.get("index")
    if index is not None and not (isinstance(index, int) and 0 <= index < len(trials)):
        raise ValueError(f"best.index is {index!r}, not a row of its "
                         f"{len(trials)} trials")
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
