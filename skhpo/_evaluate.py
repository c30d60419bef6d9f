"""Fold-level evaluation: (candidate, split) tasks, scored once and reused.

scikit-learn's ``BaseSearchCV.fit`` evaluates every candidate on every split
in one go. Budget-aware searches need finer grain: score a candidate on its
first split, later on two more, and never refit the splits it already has.
:class:`FoldEvaluator` does this. Each task is one (candidate, split) pair,
dispatched through scikit-learn's :class:`~sklearn.utils.parallel.Parallel`
(joblib's, carrying scikit-learn's configuration to the workers; any joblib
backend runs it, Dask included); each result is kept in a store keyed by
``(candidate_id, split_index, resource)``; asking again for a pair already in
the store returns the stored result without fitting.

:func:`format_cv_results` turns rows of that store into scikit-learn's
``cv_results_`` layout, with NaN for the splits a row did not score.

Only public scikit-learn API is used here: ``clone``, ``check_scoring``,
``get_scorer``, ``_safe_indexing`` (public in ``sklearn.utils``),
``resample`` and ``get_tags``.
"""

from __future__ import annotations

import functools
import numbers
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from joblib import effective_n_jobs
from sklearn import get_config
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring, get_scorer
from sklearn.utils import get_tags, resample
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
# scikit-learn's Parallel and delayed carry its configuration (set_config,
# config_context) and, on >= 1.9, the warning filters into the workers, as
# GridSearchCV's fits get them.
from sklearn.utils.parallel import Parallel, delayed

from ._compat import (
    _safe_indexing,
    _yields_constant_splits,
    backend_is_shared,
    backend_uses_threads,
    scorer_accepts_sample_weight,
)
from ._cost_order import longest_first
from ._persistence import data_fingerprint
from ._progress import fit_end_line
from ._warnings import warn
from .exceptions import AllFitsFailedError

__all__ = [
    "FoldEvaluator",
    "SplitResult",
    "build_scorers",
    "check_constant_splits",
    "format_cv_results",
]


# Grouping of fast fits into one joblib call (see FoldEvaluator._group_size).
# A loky round trip (pickling the data and estimators, returning the scores)
# costs a few milliseconds: on 10 ms SVM fits, batches of 18 ran 1.53x faster
# on 2 workers with 20 ms groups and 1.62x with 50 ms groups (three repeats).
_GROUP_SECONDS = 0.05
# How many of the latest fits' times size the groups.
_TIMED_FITS = 500


# --------------------------------------------------------------------- checks
def check_constant_splits(cv):
    """Raise unless ``cv.split`` gives the same splits at every call.

    Splits are scored one at a time and reused, so a splitter that re-shuffles
    would mix scores of different partitions.

    Examples
    --------
    >>> from sklearn.model_selection import KFold
    >>> from skhpo._evaluate import check_constant_splits
    >>> check_constant_splits(KFold(3, shuffle=True, random_state=0))
    >>> check_constant_splits(KFold(3, shuffle=True))
    Traceback (most recent call last):
    ...
    ValueError: The cv parameter must yield consistent folds across calls to split(): ...
    """
    if not _yields_constant_splits(cv):
        has_shuffle = hasattr(cv, "shuffle")
        raise ValueError(
            "The cv parameter must yield consistent folds across calls to "
            "split(): splits are scored one at a time and reused. Set its "
            f"random_state to an int{', or set shuffle=False' if has_shuffle else ''}. "
            f"Got cv={cv!r}."
        )


def build_scorers(estimator, scoring):
    """Normalise ``scoring`` to one scorer or a dict of named scorers.

    Parameters
    ----------
    estimator : estimator
    scoring : None, str, callable, list, tuple or dict
        As in ``GridSearchCV``. A callable may return a float or a dict of
        floats (multi-metric); the latter is only known after a first call.

    Returns
    -------
    scorers : callable or dict of str -> callable

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skhpo._evaluate import build_scorers
    >>> sorted(build_scorers(LogisticRegression(), ["accuracy", "roc_auc"]))
    ['accuracy', 'roc_auc']
    """
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        if not names or not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"A list or tuple of scorings must hold at least one scorer "
                f"name (str), got {scoring!r}. For custom scorers, pass a dict "
                f"of name -> callable."
            )
        if len(set(names)) != len(names):
            raise ValueError(f"Scorer names must be unique, got {scoring!r}.")
        return {name: get_scorer(name) for name in names}
    if isinstance(scoring, dict):
        if not scoring or not all(isinstance(k, str) for k in scoring):
            raise ValueError(
                f"A dict of scorings must map at least one metric name (str) "
                f"to a scorer, got {scoring!r}."
            )
        return {name: get_scorer(s) if isinstance(s, str) else s
                for name, s in scoring.items()}
    return check_scoring(estimator, scoring=scoring)


# ------------------------------------------------------------ one fold's work
@dataclass
class SplitResult:
    """The outcome of fitting one candidate on one split.

    ``test_scores`` and ``train_scores`` map metric names to floats, None
    for a metric whose scorer raised; each is None as a whole when the fit
    failed, or when a single scorer raised (the metric names of a callable
    ``scoring`` are then unknown). Failures become ``error_score`` when the
    results are formatted.
    """

    candidate_id: object
    split_index: int
    resource: object
    test_scores: dict | None
    train_scores: dict | None
    fit_time: float
    score_time: float
    n_test_samples: int
    fit_error: str | None = None

    @property
    def failed(self):
        return self.fit_error is not None


def _failure_details(failed, shown=5):
    """Each distinct fit error of ``failed`` results with how many fits it
    ended, most frequent first, as scikit-learn's searches list them."""
    counts = Counter(result.fit_error for result in failed)
    parts = [f"{n} fit{'s' * (n != 1)} failed with:\n{error}"
             for error, n in counts.most_common(shown)]
    more = (f"\n(and {len(counts) - shown} other errors)" if len(counts) > shown else "")
    head = ("The failure:" if len(counts) == 1
            else f"{len(counts)} different errors:")
    return head + "\n" + "\n--------\n".join(parts) + more


def _has_score(result):
    """Whether a split got a score for at least one metric (NaN counts: the
    scorer answered; None is a failure)."""
    scores = result.test_scores
    return scores is not None and any(v is not None for v in scores.values())


def _n_rows(value):
    """Rows of an array, a DataFrame or a sequence (a list, a UserList); None
    for anything else (a scalar, a string, a dict)."""
    if isinstance(value, (str, bytes, Mapping)):
        return None
    shape = getattr(value, "shape", None)
    if shape is not None:
        return shape[0] if len(shape) else None
    if isinstance(value, Sequence) or (hasattr(value, "__len__")
                                       and hasattr(value, "__getitem__")):
        return len(value)
    return None


def _index_params(params, indices, n_samples):
    """Slice the per-sample entries of ``params`` (those of length n_samples)."""
    return {key: _safe_indexing(value, indices)
            if n_samples is not None and _n_rows(value) == n_samples
            else value for key, value in (params or {}).items()}


def check_sample_weight(sample_weight, X):
    """Refuse a ``sample_weight`` that is not one number per row of X: the
    splits slice only per-sample entries, so a wrong length would reach every
    fit unsliced (and one as long as a training fold be silently misread)."""
    if sample_weight is None or np.ndim(sample_weight) == 0:
        return  # a scalar weight, as scikit-learn's estimators accept
    n_weights, n_samples = len(sample_weight), _n_rows(X)
    if n_samples is not None and n_weights != n_samples:
        raise ValueError(
            f"sample_weight needs one entry per sample of X: got {n_weights} "
            f"entries for {n_samples} samples. Pass the weights of the rows of X, "
            f"in their order.")


def check_pairwise_input(estimator, X):
    """Refuse an X that cannot be a precomputed kernel or distance matrix,
    for an estimator that takes one (``SVC(kernel="precomputed")``), with
    scikit-learn's message and the fix."""
    if get_tags(estimator).input_tags.pairwise:
        _check_square(estimator, X)


def _check_square(estimator, X):
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(
            f"X should be a square kernel matrix: {type(estimator).__name__} takes a "
            f"precomputed kernel or distance matrix (pairwise), of shape (n_samples, "
            f"n_samples), got "
            + (f"shape {tuple(shape)}" if shape is not None else type(X).__name__)
            + ". Pass the matrix between the samples (e.g. X @ X.T for a linear "
            "kernel) as an array, or an estimator that takes features."
        )


def _split_data(estimator, X, y, train, test):
    if get_tags(estimator).input_tags.pairwise:
        _check_square(estimator, X)
        # A precomputed kernel or distance matrix: rows are the samples to
        # predict, columns the training samples.
        X_train = _safe_indexing(_safe_indexing(X, train), train, axis=1)
        X_test = _safe_indexing(_safe_indexing(X, test), train, axis=1)
    else:
        X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    if y is None:
        return X_train, None, X_test, None
    return X_train, _safe_indexing(y, train), X_test, _safe_indexing(y, test)


def _score(estimator, X, y, scorers, score_params, error_score):
    """Every metric of ``scorers`` as a dict of floats.

    A metric whose scorer raised is None here (a scorer may itself return
    NaN, which stays NaN), and ``error_score`` once the results are
    formatted: the searches' own decisions (the GP, pruning, promotions)
    must know it failed, whatever number stands for it in ``cv_results_``.
    A single scorer that raised gives None for the whole dict: a callable
    ``scoring`` may return several metrics, whose names are then unknown.
    """
    if isinstance(scorers, dict):
        items = scorers.items()
        params = metric_params(scorers, score_params)
    else:
        items = [(None, scorers)]
        params = {None: score_params}
    scores = {}
    for name, scorer in items:
        try:
            if y is None:
                value = scorer(estimator, X, **params[name])
            else:
                value = scorer(estimator, X, y, **params[name])
            # Inside the try: a scorer returning a non-number fails this
            # split's score, as one that raises does, not the whole search.
            if name is None and isinstance(value, dict):
                # A callable scoring returning several metrics.
                value = {k: _as_float(v, k) for k, v in value.items()}
            else:
                value = {name or "score": _as_float(value, name or "score")}
        except Exception:
            if error_score == "raise":
                raise
            warn(
                f"Scoring failed; the score of this split is set to "
                f"{error_score}. Details:\n{traceback.format_exc()}",
                UserWarning,
            )
            if name is None:
                return None
            scores[name] = None
            continue
        scores.update(value)
    return scores


def metric_params(scorers, params):
    """Each metric's share of the score ``params``, as GridSearchCV routes them.

    With metadata routing on, each scorer gets what it requested (aliases
    resolved, metadata it left unrequested refused). Off, every metric gets
    the params but ``sample_weight``, which only the scorers that take it get
    (scikit-learn >= 1.9; earlier versions pass scorers nothing then).

    Examples
    --------
    >>> from sklearn.metrics import get_scorer, make_scorer
    >>> from skhpo._evaluate import metric_params
    >>> plain = make_scorer(lambda y_true, y_pred: 0.0)
    >>> routed = metric_params({"acc": get_scorer("accuracy"), "plain": plain},
    ...                        {"sample_weight": [1.0, 2.0]})
    >>> routed["acc"], routed["plain"]
    ({'sample_weight': [1.0, 2.0]}, {})
    """
    if not params:
        return {name: {} for name in scorers}
    if get_config()["enable_metadata_routing"]:
        routed = process_routing(_MetricRouter(scorers), "score", **params)
        return {name: dict(routed[name].score) for name in scorers}
    common = {k: v for k, v in params.items() if k != "sample_weight"}
    weights = {k: v for k, v in params.items() if k == "sample_weight"}
    return {name: {**common, **(weights if scorer_accepts_sample_weight(scorer) else {})}
            for name, scorer in scorers.items()}


class _MetricRouter:
    """A router over named scorers, for :func:`metric_params`."""

    def __init__(self, scorers):
        self.scorers = scorers

    def get_metadata_routing(self):
        mapping = MethodMapping().add(caller="score", callee="score")
        return MetadataRouter(owner="scoring").add(method_mapping=mapping, **self.scorers)


def _as_float(value, name):
    # A one-element array counts as its element, as in scikit-learn.
    if isinstance(value, numbers.Number) or np.size(value) == 1:
        try:
            return float(np.asarray(value).reshape(-1)[0])
        except (TypeError, ValueError):
            pass
    raise ValueError(
        f"Scoring must return a number, got {value!r} ({type(value).__name__}) "
        f"for the metric {name!r}."
    )


def _fit_and_score_split(estimator, X, y, train, test, *, scorers, fit_params,
                         score_params, error_score, return_train_score,
                         callback_ctx=None, caller=None):
    """Fit a (parameter-set) estimator on one split and score it.

    Runs in a joblib worker; returns everything but the store key.
    """
    n = _n_rows(X)
    X_train, y_train, X_test, y_test = _split_data(estimator, X, y, train, test)
    fit_params = _index_params(fit_params, train, n)
    score_test = _index_params(score_params, test, n)
    score_train = _index_params(score_params, train, n)
    metadata = ({"sample_weight": fit_params["sample_weight"]}
                if fit_params.get("sample_weight") is not None else None)

    start = time.time()
    fit_error = None
    test_scores = train_scores = None
    score_time = 0.0
    try:
        if callback_ctx is not None:
            with callback_ctx.propagate_callback_context(estimator):
                callback_ctx.call_on_fit_task_begin(
                    estimator=caller, X=X_train, y=y_train, metadata=metadata)
                _fit(estimator, X_train, y_train, fit_params)
        else:
            _fit(estimator, X_train, y_train, fit_params)
    except Exception:
        if error_score == "raise":
            raise
        fit_error = traceback.format_exc()
        fit_time = time.time() - start
    else:
        fit_time = time.time() - start
        test_scores = _score(estimator, X_test, y_test, scorers, score_test,
                             error_score)
        score_time = time.time() - start - fit_time
        if return_train_score:
            train_scores = _score(estimator, X_train, y_train, scorers,
                                  score_train, error_score)
    finally:
        if callback_ctx is not None:
            callback_ctx.call_on_fit_task_end(
                estimator=caller, X=X_train, y=y_train, metadata=metadata)
    return dict(test_scores=test_scores, train_scores=train_scores,
                fit_time=fit_time, score_time=score_time,
                n_test_samples=len(test), fit_error=fit_error)


def _fit(estimator, X, y, fit_params):
    if y is None:
        estimator.fit(X, **fit_params)
    else:
        estimator.fit(X, y, **fit_params)


def _fit_and_score_group(estimator, tasks, X, y, **common):
    """Several (params, train, test, callback context) tasks in one worker call.

    The estimator is cloned and given each task's parameters here, in the
    worker: done in the main process before dispatch, cloning took about 1 ms
    per task, serial work that kept two workers from halving a search of
    millisecond fits.
    """
    results = []
    for params, train, test, ctx in tasks:
        try:
            # Parameters may themselves be estimators (a pipeline step): clone
            # them so that no two tasks share a fitted object (the sequential
            # and threading backends pass the same objects to every task).
            candidate = clone(estimator).set_params(**clone(params, safe=False))
        except Exception:
            # A candidate that cannot be configured fails as one that cannot
            # be fitted, not the whole search.
            if common["error_score"] == "raise":
                raise
            results.append(dict(test_scores=None, train_scores=None, fit_time=0.0,
                                score_time=0.0, n_test_samples=len(test),
                                fit_error=traceback.format_exc()))
            continue
        results.append(_fit_and_score_split(candidate, X, y, train, test,
                                            callback_ctx=ctx, **common))
    return results


def _keys(requests):
    """Store keys ``(candidate_id, split_index, resource)`` of evaluate requests."""
    return [(cid, int(i), resource) for candidates, split_indices, resource in requests
            for cid in dict(candidates) for i in split_indices]


def _guided_groups(n_tasks, group_size):
    """Task indices in consecutive groups, each sized when joblib takes it.

    joblib reads its input lazily (``pre_dispatch``), from its dispatching
    thread, so a group made after the first fits are timed is sized from
    those timings by ``group_size(n_left)``: a search's first call need not
    send its fits one by one. ``group_size`` shrinks as the tasks run out
    (guided self-scheduling, Polychronopoulos and Kuck, IEEE Trans. Computers
    36(12), 1987), so the last groups are short and no worker waits long for
    another's.
    """
    start = 0
    while start < n_tasks:
        n_left = n_tasks - start
        size = min(max(int(group_size(n_left)), 1), n_left)
        yield list(range(start, start + size))
        start += size


# ------------------------------------------------------------------ the engine
@dataclass
class _Submission:
    """Fits started by FoldEvaluator.submit_many, not yet collected."""

    keys: list
    todo: list
    callback_ctx: object
    caller: object
    groups: list | None = None  # indices into todo, one list per joblib call, as made
    outputs: object = None  # joblib's generator of the groups' outputs, once started


@dataclass
class _Counter:
    fits: int = 0
    work: float = 0.0  # fits weighted by their resource (see FoldEvaluator.work_of)


class FoldEvaluator:
    """Score candidates split by split, fitting each (candidate, split) once.

    The splits are drawn once, at construction, and checked to be the same at
    every call of ``cv.split``, so a split index means the same partition for
    the whole search.

    Parameters
    ----------
    estimator : estimator
        Cloned for every task.
    X, y : array-like
        Indexable data (see :func:`sklearn.utils.indexable`).
    cv : cross-validation splitter
        Already checked, e.g. by :func:`sklearn.model_selection.check_cv`.
    scorers : callable or dict
        From :func:`build_scorers`.
    split_params : dict, default=None
        Passed to ``cv.split`` (``groups``).
    fit_params, score_params : dict, default=None
        Passed to the estimator's ``fit`` and to the scorers; entries with one
        value per sample are sliced to the split, as scikit-learn does.
    error_score : "raise" or float, default=np.nan
        Score of a failed fit or scorer in the formatted results (the store
        keeps the failure itself); :meth:`warn_about_failures` summarises the
        failures in a :class:`~sklearn.exceptions.FitFailedWarning`. "raise"
        raises the fit's error.
    return_train_score : bool, default=False
    resource : None, "n_samples" or str, default=None
        What a ``resource`` value passed to :meth:`evaluate` means: None, no
        resource (the candidate as given); ``"n_samples"``, a training
        subsample of ``resource / n_samples`` of each training fold (the test
        fold is kept whole, so scores at different budgets are comparable);
        any other string, an estimator parameter set to the value.
    random_state : int, default=0
        Seed of the ``"n_samples"`` subsamples; split ``i`` uses
        ``random_state + i``, so every candidate of a rung sees the same rows.
    n_jobs : int, default=None
    pre_dispatch : int or str, default="2*n_jobs"
    verbose : int, default=0

    Attributes
    ----------
    splits : list of (train, test)
    n_splits : int
    n_fits_ : int
        Fits run so far (each (candidate, split, resource) at most once).
    store : dict
        ``(candidate_id, split_index, resource) -> SplitResult``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold
    >>> from skhpo._evaluate import FoldEvaluator, build_scorers
    >>> X, y = load_iris(return_X_y=True)
    >>> est = LogisticRegression(max_iter=500)
    >>> ev = FoldEvaluator(est, X, y, cv=KFold(3), scorers=build_scorers(est, "accuracy"))
    >>> _ = ev.evaluate({0: {"C": 1.0}, 1: {"C": 0.01}}, [0])
    >>> _ = ev.evaluate({0: {"C": 1.0}}, [0, 1, 2])  # split 0 is reused
    >>> ev.n_fits_
    4
    """

    def __init__(self, estimator, X, y=None, *, cv, scorers, split_params=None,
                 fit_params=None, score_params=None, error_score=np.nan,
                 return_train_score=False, resource=None, random_state=0,
                 n_jobs=None, pre_dispatch="2*n_jobs", verbose=0):
        check_constant_splits(cv)
        self.estimator = estimator
        self.X = X
        self.y = y
        self.cv = cv
        self.scorers = scorers
        self.fit_params = dict(fit_params or {})
        self.score_params = dict(score_params or {})
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.resource = resource
        self.random_state = random_state
        self.n_jobs = n_jobs
        if isinstance(pre_dispatch, numbers.Integral) and pre_dispatch < 1:
            # joblib would dispatch nothing, and the results would never come.
            raise ValueError(
                f"pre_dispatch must be a positive int or an expression such as "
                f"'2*n_jobs', got pre_dispatch={pre_dispatch!r}."
            )
        self.pre_dispatch = pre_dispatch
        self.verbose = verbose
        split_params = {k: v for k, v in (split_params or {}).items()
                        if v is not None}
        try:
            self.splits = [(np.asarray(tr), np.asarray(te))
                           for tr, te in cv.split(X, y, **split_params)]
        except (ValueError, TypeError) as error:
            if "groups" in str(error) and split_params.get("groups") is None:
                raise ValueError(
                    f"cv={cv!r} splits by groups: pass them to fit, "
                    f"search.fit(X, y, groups=groups). ({error})") from error
            if y is None:
                raise ValueError(
                    f"cv={cv!r} needs the targets to split the data, got y=None: "
                    f"call fit(X, y). ({error})") from error
            raise
        self.n_splits = len(self.splits)
        expected = cv.get_n_splits(X, y, **split_params)
        if self.n_splits != expected:
            raise ValueError(
                f"cv.split and cv.get_n_splits return inconsistent results: "
                f"expected {expected} splits, got {self.n_splits}."
            )
        if self.n_splits == 0:
            raise ValueError("The cv iterator yielded no split.")
        self.n_samples = _n_rows(X)
        self.store = {}
        # Seconds per fit (fit + score), appended as results are stored; read
        # by joblib's dispatching thread to size groups (see _group_size).
        self._durations = []
        # Candidate id -> (seconds, fits) so far, for ordering fits (see _start).
        self._candidate_seconds = {}
        self.params = {}
        self._in_flight = set()
        self._counter = _Counter()
        # Keys loaded from a checkpoint journal, and those of them a search
        # has asked for so far (its resumed fits, for the progress lines).
        self._journaled, self._resumed = set(), set()
        self._journal = None

    def attach_journal(self, journal):
        """Serve journaled results from the store and journal every new one.

        Journaled results are not counted in ``n_fits_``: it counts the fits
        of this process. They do count for :meth:`check_not_all_failed`, so
        that a resumed search ends as the uninterrupted one would.
        """
        for fields in journal.results():
            result = self._keep(SplitResult(**fields))
            self._journaled.add((result.candidate_id, result.split_index, result.resource))
        self._journal = journal

    def _keep(self, result):
        """Store a result, and its time for sizing later groups and ordering
        later fits."""
        self.store[(result.candidate_id, result.split_index, result.resource)] = result
        seconds = result.fit_time + result.score_time
        self._durations.append(seconds)
        total, n = self._candidate_seconds.get(result.candidate_id, (0.0, 0))
        self._candidate_seconds[result.candidate_id] = (total + seconds, n + 1)
        return result

    @property
    def n_fits_(self):
        return self._counter.fits

    @property
    def n_resumed_(self):
        """Fits asked for so far that a checkpoint journal already held."""
        return len(self._resumed)

    @property
    def work_(self):
        """This process's fits, each weighted by :meth:`work_of`."""
        return self._counter.work

    @property
    def resumed_work_(self):
        """The resumed fits, each weighted by :meth:`work_of`."""
        return sum(self.work_of(key) for key in self._resumed)

    @functools.cached_property
    def data_fingerprints(self):
        """:func:`~skhpo.results.data_fingerprint` of X and y, computed once
        for what compares them (a checkpoint's setup, a warm start)."""
        return {"X": data_fingerprint(self.X), "y": data_fingerprint(self.y)}

    @staticmethod
    def work_of(key):
        """A fit's relative cost, for time estimates: its resource (trees,
        epochs, samples), which the cost of most fits grows with; 1 without
        a numeric one."""
        resource = key[2]
        if isinstance(resource, numbers.Real) and not isinstance(resource, bool):
            return float(resource)
        return 1.0

    # ---------------------------------------------------------------- helpers
    def _register(self, candidates):
        for cid, params in candidates.items():
            if self._journal is not None:
                self._journal.check_params(cid, params)
            known = self.params.setdefault(cid, params)
            if known is not params and known != params:
                raise ValueError(
                    f"Candidate id {cid!r} was registered with {known!r} and "
                    f"is now given {params!r}; ids must be unique per "
                    f"parameter set."
                )

    def _task(self, cid, split_index, resource):
        """Parameters, train and test indices of one task."""
        params = dict(self.params[cid])
        train, test = self.splits[split_index]
        if resource is not None and self.resource == "n_samples":
            n_train = int(len(train) * resource / self.n_samples)
            if n_train < len(train):
                y_train = None
                if self.y is not None and is_classifier(self.estimator):
                    y_train = np.asarray(_safe_indexing(self.y, train))
                    if y_train.ndim != 1:
                        y_train = None
                try:
                    train = resample(train, replace=False, n_samples=n_train,
                                     stratify=y_train,
                                     random_state=self.random_state + split_index)
                except ValueError:
                    # Too few rows to keep every class: subsample plainly.
                    train = resample(train, replace=False, n_samples=n_train,
                                     random_state=self.random_state + split_index)
        elif resource is not None:
            params[self.resource] = resource
        return params, train, test

    def _candidate_durations(self):
        """Candidate id -> mean seconds per fit so far (fit and score)."""
        return {cid: total / n for cid, (total, n) in self._candidate_seconds.items()}

    def _group_size(self, n_left, n_workers):
        """How many of the ``n_left`` tasks to send in the next joblib call.

        A fit of a few milliseconds costs less than sending it to a worker
        and back, so two workers would barely beat one. Fits are grouped so
        that a group takes about ``_GROUP_SECONDS`` by the median time of the
        latest fits, and at most ``1 / n_workers`` of the tasks left, so that
        the last groups are short. One task per group until a fit has been
        timed, and when running sequentially (grouping would only delay
        storing results).
        """
        # A copy (slicing is atomic): the main thread may append while
        # joblib's thread reads. The latest fits only, which also follow a
        # budget that changes the fits' cost (n_samples).
        durations = self._durations[-_TIMED_FITS:]
        if n_workers <= 1 or not durations:
            return 1
        per_task = max(float(np.median(durations)), 1e-6)
        by_time = int(_GROUP_SECONDS / per_task)
        return min(by_time, -(-n_left // n_workers))

    # -------------------------------------------------------------- interface
    def evaluate(self, candidates, split_indices, resource=None, *,
                 callback_ctx=None, caller=None):
        """Score candidates on splits, fitting only the pairs not yet stored.

        Parameters
        ----------
        candidates : dict of id -> dict
            Candidate ids (any hashable) and their parameters. An id always
            names the same parameters.
        split_indices : iterable of int
            Splits to score every candidate on.
        resource : None or number, default=None
            Budget of these fits (see the class's ``resource``).
        callback_ctx : sklearn CallbackContext, default=None
            On scikit-learn >= 1.9, a context with ``sequential_subtasks=False``
            whose subtasks are the new fits (for ``ProgressBar``).
        caller : estimator, default=None
            The search, passed to callback hooks.

        Returns
        -------
        results : list of SplitResult
            In (candidate, split) order, stored and new alike.
        """
        return self.evaluate_many([(candidates, split_indices, resource)],
                                  callback_ctx=callback_ctx, caller=caller)

    def evaluate_many(self, requests, *, callback_ctx=None, caller=None):
        """Serve several :meth:`evaluate` requests with one parallel call.

        Parameters
        ----------
        requests : list of (candidates, split_indices, resource)
            As the arguments of :meth:`evaluate`, e.g. the rungs of several
            Hyperband brackets, whose fits then share the workers instead of
            each rung waiting for the slowest fit of the one before.
        callback_ctx, caller
            As in :meth:`evaluate`.

        Returns
        -------
        results : list of SplitResult
            Request after request, each in (candidate, split) order.
        """
        return self.collect(self.submit_many(requests, callback_ctx=callback_ctx,
                                             caller=caller))

    def submit_many(self, requests, *, callback_ctx=None, caller=None):
        """Start the fits of :meth:`evaluate_many` and return without waiting.

        The fits are handed to joblib at once; :meth:`collect` waits for them
        and stores the results. Several submissions may run at the same time
        (the workers take the next one's fits while the last fits of the
        previous one finish) if they share no (candidate, split) pair; they
        must be collected in the order they were submitted. Where
        :meth:`can_overlap` says no, a submission made while another runs
        starts only when collected: the same results, only later.

        Returns
        -------
        submission : object
            To pass to :meth:`collect`.
        """
        for candidates, split_indices, _ in requests:
            self._register(dict(candidates))
            bad = [i for i in split_indices if not 0 <= int(i) < self.n_splits]
            if bad:
                raise ValueError(
                    f"Split indices must lie in [0, {self.n_splits}), got {bad}."
                )
        keys = _keys(requests)
        self._resumed.update(key for key in keys if key in self._journaled)
        todo = self._new(keys)
        busy = set(todo) & self._in_flight
        if busy:
            raise ValueError(
                f"{len(busy)} (candidate, split) pairs, e.g. {min(busy, key=repr)}, "
                f"are already being fitted by an earlier submission; collect it first."
            )
        submission = _Submission(keys, todo, callback_ctx, caller)
        if todo and (not self._in_flight or self.can_overlap(callback_ctx)):
            self._start(submission)
        self._in_flight.update(todo)
        return submission

    def can_overlap(self, callback_ctx=None):
        """Whether a submission can start while another one runs.

        Not inside a joblib backend context: two calls would share one
        backend object, and the first to finish resets it under the other.
        Not with fits in threads (see
        :func:`skhpo._compat.backend_uses_threads`). Not with callback
        contexts: they, and the search sent along for the hooks, go to the
        workers with every fit and change as the search runs, while joblib
        pickles them in a background thread. Not with
        ``error_score="raise"``: on the first error joblib shuts its workers
        down under the other call's fits, and loky's manager thread then
        fails loudly (a KeyError traceback and a leaked semaphore).
        """
        return (callback_ctx is None and self.error_score != "raise"
                and not backend_is_shared() and not backend_uses_threads())

    def collect(self, submission):
        """Wait for a :meth:`submit_many`'s fits; return its results.

        Returns
        -------
        results : list of SplitResult
            As :meth:`evaluate_many`.
        """
        if submission.todo:
            try:
                if submission.outputs is None:
                    self._start(submission)
                self._store_results(submission)
            finally:
                self._in_flight.difference_update(submission.todo)
        return [self.store[key] for key in submission.keys]

    def abandon(self, submission):
        """Stop a submission that will not be collected (the search is failing).

        Closing joblib's generator now cancels its remaining fits at once;
        left to the garbage collector, joblib would abort whenever the
        exception's traceback is freed, killing the workers of whatever call
        runs then.
        """
        self._in_flight.difference_update(submission.todo)
        outputs, submission.outputs = submission.outputs, None
        if outputs is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # joblib's "tasks cancelled"
                outputs.close()

    def n_new_fits(self, requests):
        """How many fits :meth:`evaluate_many` would run for these requests."""
        return len(self._new(_keys(requests)))

    def _new(self, keys):
        """The keys not yet in the store, each once, in order."""
        return [key for key in dict.fromkeys(keys) if key not in self.store]

    def _start(self, submission):
        """Hand a submission's fits to joblib (sets its groups and outputs)."""
        todo, callback_ctx = submission.todo, submission.callback_ctx
        if self.verbose > 0:
            n_cand = len({k[0] for k in todo})
            resources = sorted({k[2] for k in todo if k[2] is not None}, key=repr)
            budget = f", resource={', '.join(map(str, resources))}" if resources else ""
            print(f"Fitting {len(todo)} new (candidate, split) pairs for "
                  f"{n_cand} candidate{'s' * (n_cand != 1)}{budget}")
        if callback_ctx is not None:
            contexts = [callback_ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=k)
                for k in range(len(todo))]
        else:
            contexts = [None] * len(todo)
        n_workers = effective_n_jobs(self.n_jobs)
        if n_workers > 1:
            todo[:] = longest_first(todo, self.params, self._candidate_durations())
        tasks = [(*self._task(*key), ctx) for key, ctx in zip(todo, contexts)]
        # A generator: each group's results are stored (and journaled) as soon
        # as it and the groups dispatched before it are done, so a crash loses
        # little.
        # batch_size=1: the tasks are grouped already. joblib's automatic
        # batching would bundle several of these ~50 ms groups into one
        # dispatch (it aims at 0.2 s batches), and the last bundle of a call
        # then runs on one worker while the others sit idle.
        parallel = Parallel(n_jobs=self.n_jobs, pre_dispatch=self.pre_dispatch,
                            batch_size=1, verbose=max(self.verbose - 1, 0),
                            return_as="generator")
        # The caller (the search) only goes to the workers for the callback
        # hooks: it is pickled with every group, in a background thread.
        common = dict(scorers=self.scorers, fit_params=self.fit_params,
                      score_params=self.score_params, error_score=self.error_score,
                      return_train_score=self.return_train_score,
                      caller=submission.caller if callback_ctx is not None else None)
        submission.groups = []

        def calls():
            for group in _guided_groups(
                    len(todo), lambda n_left: self._group_size(n_left, n_workers)):
                submission.groups.append(group)  # before its output can exist
                yield delayed(_fit_and_score_group)(
                    self.estimator, [tasks[i] for i in group], self.X, self.y, **common)

        # joblib dispatches the first groups now and the others as workers
        # free up, whether or not the results are being read.
        submission.outputs = parallel(calls())

    def _store_results(self, submission):
        """Store (and journal) results as they arrive; warn about failures."""
        todo = submission.todo
        # Read joblib's generator to its end: one left suspended after its
        # last result is closed when garbage collected, and joblib then
        # aborts, killing the workers of any other call still running.
        results = ((todo[i], out) for g, outs in enumerate(submission.outputs)
                   for i, out in zip(submission.groups[g], outs))
        counter = self._counter
        for key, out in results:
            result = self._keep(SplitResult(key[0], key[1], key[2], **out))
            if self._journal is not None:
                self._journal.append(result, self.params[key[0]])
            if self.verbose > 0:
                self._print_fit_end(result)
            counter.fits += 1
            counter.work += self.work_of(key)

    def _print_fit_end(self, result):
        """GridSearchCV's ``[CV] END`` line; ``self.verbose`` is the search's
        minus one (see ``_base.py``), so a search's ``verbose=2`` prints it."""
        params = dict(self.params[result.candidate_id])
        if result.resource is not None:
            params[self.resource] = result.resource  # n_samples or the parameter
        print(fit_end_line(result, params, self.n_splits, verbose=self.verbose + 1,
                           error_score=self.error_score,
                           return_train_score=self.return_train_score), flush=True)

    def warn_about_failures(self):
        """One warning for all the failed fits of the search, if any (the
        searches call it once, at the end, as ``GridSearchCV`` warns).

        Counted over every stored result, the journal's included, so that a
        resumed search warns as the uninterrupted run would.
        """
        failed = [result for result in self.store.values() if result.failed]
        if failed:
            warn(
                f"{len(failed)} of {len(self.store)} fits failed and were given "
                f"error_score={self.error_score}. Set error_score='raise' to "
                f"see the error at once. {_failure_details(failed)}",
                FitFailedWarning,
            )

    def check_not_all_failed(self, rows, refit_metric=None):
        """Raise :class:`~skhpo.exceptions.AllFitsFailedError` if every fit of
        ``rows`` (``(candidate_id, split_indices, resource)``) failed, if every
        scoring failed, or if ``refit_metric`` (a multi-metric search's refit
        name) got no score on any split."""
        # Each fit once: a promoted row repeats the splits of its earlier rungs.
        keys = dict.fromkeys((cid, i, resource)
                             for cid, split_indices, resource in rows for i in split_indices)
        results = [self.store[key] for key in keys]
        n_candidates = len({cid for cid, _, _ in rows})
        journaled = ", journaled ones included" if self._journal is not None else ""
        if results and all(result.failed for result in results):
            raise AllFitsFailedError(
                f"All {n_candidates} candidates failed to fit ({len(results)} fits"
                f"{journaled}), so there is no best candidate. Check the estimator, "
                f"the search space, X and y, and the fit parameters. "
                f"{_failure_details(results)}"
            )
        # Every fit ran and every score failed: the scoring is at fault. (With
        # some fits failing too, the data may be, and the refit raises its
        # error, as GridSearchCV's does.)
        if results and not any(r.failed or _has_score(r) for r in results):
            raise AllFitsFailedError(
                f"No candidate got a score, so there is no best candidate: all "
                f"{len(results)} fits of {n_candidates} candidates{journaled} ran, "
                f"and the scoring of every one failed (the 'Scoring failed' "
                f"warnings above say why). Check scoring against the estimator "
                f"and y (e.g. scoring='roc_auc_ovr' for a multiclass y)."
            )
        # The other metrics scored, the one that picks the best did not: the
        # best would be an arbitrary row (GridSearchCV's row 0).
        if results and refit_metric is not None and not any(
                (r.test_scores or {}).get(refit_metric) is not None for r in results):
            raise AllFitsFailedError(
                f"The refit metric {refit_metric!r} got no score on any of the "
                f"{len(results)} fits of {n_candidates} candidates{journaled}, so "
                f"there is no best candidate (the other metrics did score; the "
                f"'Scoring failed' warnings above say why). Check that scorer "
                f"against the estimator and y (e.g. 'roc_auc_ovr' for a multiclass "
                f"y), or refit on another metric."
            )

    def metric_names(self):
        """Metric names, from the scorers or from the first successful split."""
        if isinstance(self.scorers, dict):
            return list(self.scorers)
        for result in self.store.values():
            if result.test_scores is not None:
                return list(result.test_scores)
        return ["score"]


# ------------------------------------------------------------ cv_results_
def _param_columns(params_list):
    """``param_<name>`` masked arrays, masked where a candidate lacks the name.

    Numbers and booleans keep a numeric dtype; anything else (strings, None,
    estimators, tuples) is stored as objects, one per row.
    """
    names = sorted({name for params in params_list for name in params})
    columns = {}
    for name in names:
        present = [name in params for params in params_list]
        values = [params[name] for params in params_list if name in params]
        kinds = {type(v) for v in values}
        if all(issubclass(k, (numbers.Number, np.number, np.bool_)) for k in kinds):
            dtype = np.asarray(values).dtype
        else:
            dtype = object
        column = np.ma.MaskedArray(np.zeros(len(params_list), dtype=dtype),
                                   mask=[not p for p in present])
        for row, params in enumerate(params_list):
            if name in params:
                column[row] = params[name]
        columns[f"param_{name}"] = column
    return columns


def _rank(means, primary=None):
    """Dense-by-position ranks (1 = best, ties share the smallest rank).

    Rows are ordered by ``primary`` first (higher first), then by mean score
    (higher first). A NaN mean (a failed row) ranks last whatever its
    ``primary``, as in scikit-learn, and all such rows share that rank.
    """
    means = np.asarray(means, dtype=float)
    failed = np.isnan(means)
    filled = np.where(failed, -np.inf, means)
    primary = np.zeros(len(means)) if primary is None else np.asarray(primary, float)
    primary = np.where(failed, 0.0, primary)
    order = np.lexsort((-filled, -primary, failed))
    ranks = np.empty(len(means), dtype=np.int32)
    previous = None
    for position, row in enumerate(order):
        key = (primary[row], filled[row])
        if key != previous:
            rank = position + 1
            previous = key
        ranks[row] = rank
    return ranks


def _failed(result, metrics):
    """Whether the fit, or the scorer of any metric, failed on this split."""
    return result.failed or any(
        result.test_scores is None or result.test_scores.get(m) is None
        for m in metrics)


def _shown(scores, metric, error_value):
    """A split's score as ``cv_results_`` shows it: ``error_score`` if failed."""
    value = None if scores is None else scores.get(metric)
    return error_value if value is None else value


def format_cv_results(evaluator, rows, *, n_splits=None, rank_by=None,
                      more_results=None, followed=None):
    """Build scikit-learn's ``cv_results_`` from rows of the evaluator's store.

    Parameters
    ----------
    evaluator : FoldEvaluator
    rows : list of (candidate_id, split_indices, resource)
        One row of ``cv_results_`` each: the candidate as scored on those
        splits at that resource. Its ``params`` are the candidate's, plus the
        resource value when the resource is an estimator parameter.
    n_splits : int, default=None
        Number of ``split{i}_*`` columns; default ``evaluator.n_splits``.
        Splits a row did not score are NaN.
    rank_by : array-like, default=None
        A per-row key ranked before the score (higher first), e.g. the
        resource, so that rank 1 is the best row at the largest budget.
    more_results : dict of str -> list, default=None
        Extra columns (``iter``, ``n_resources``, ...).
    followed : str, default=None
        The metric the search follows: ``n_failed_splits`` counts the splits
        whose fit, or whose scoring of this metric, failed (another metric's
        failure shows in its own columns, as ``error_score``). None: any
        metric's.

    Returns
    -------
    cv_results : dict of numpy arrays

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold
    >>> from skhpo._evaluate import FoldEvaluator, build_scorers, format_cv_results
    >>> X, y = load_iris(return_X_y=True)
    >>> est = LogisticRegression(max_iter=500)
    >>> ev = FoldEvaluator(est, X, y, cv=KFold(3), scorers=build_scorers(est, None))
    >>> _ = ev.evaluate({0: {"C": 1.0}}, [0])
    >>> res = format_cv_results(ev, [(0, [0], None)])
    >>> bool(np.isnan(res["split1_test_score"][0])), res["rank_test_score"].tolist()
    (True, [1])
    """
    n_splits = evaluator.n_splits if n_splits is None else n_splits
    metrics = evaluator.metric_names()
    error_score = evaluator.error_score
    error_value = np.nan if error_score == "raise" else float(error_score)
    n_rows = len(rows)

    def empty():
        return np.full((n_rows, n_splits), np.nan)

    test = {m: empty() for m in metrics}
    train = {m: empty() for m in metrics}
    fit_time, score_time = empty(), empty()
    scored = np.zeros((n_rows, n_splits), dtype=bool)
    n_failed = np.zeros(n_rows, dtype=int)
    params_list = []
    for row, (cid, split_indices, resource) in enumerate(rows):
        params = dict(evaluator.params[cid])
        if resource is not None and evaluator.resource not in (None, "n_samples"):
            params[evaluator.resource] = resource
        params_list.append(params)
        for i in split_indices:
            result = evaluator.store[(cid, i, resource)]
            scored[row, i] = True
            n_failed[row] += _failed(result, metrics if followed is None else [followed])
            fit_time[row, i] = result.fit_time
            score_time[row, i] = result.score_time
            for m in metrics:
                test[m][row, i] = _shown(result.test_scores, m, error_value)
                if result.train_scores is not None or evaluator.return_train_score:
                    train[m][row, i] = _shown(result.train_scores, m, error_value)

    def mean_std(values):
        # Only the row's scored splits count: a NaN there (a failed fit with
        # error_score=np.nan) makes the mean NaN, as in scikit-learn.
        counts = scored.sum(axis=1)
        safe = np.where(scored, values, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(counts > 0, safe.sum(axis=1) / np.maximum(counts, 1),
                             np.nan)
            nan_in_row = (np.isnan(values) & scored).any(axis=1)
            means = np.where(nan_in_row, np.nan, means)
            dev = np.where(scored, (values - means[:, None]) ** 2, 0.0)
            stds = np.sqrt(dev.sum(axis=1) / np.maximum(counts, 1))
            stds = np.where(counts > 0, stds, np.nan)
        return means, stds

    results = {key: np.asarray(value) for key, value in (more_results or {}).items()}
    for name, values in (("fit_time", fit_time), ("score_time", score_time)):
        results[f"mean_{name}"], results[f"std_{name}"] = mean_std(values)
        # Per split too (scikit-learn keeps only mean and std): the long
        # results_frame then shows what each fold-fit cost.
        for i in range(n_splits):
            results[f"split{i}_{name}"] = values[:, i]
    results.update(_param_columns(params_list))
    results["params"] = params_list
    # A numeric error_score hides a failure among the scores: this count
    # keeps it visible (results_frame's status, the plots' failed trials).
    results["n_failed_splits"] = n_failed
    for m in metrics:
        for i in range(n_splits):
            results[f"split{i}_test_{m}"] = test[m][:, i]
        means, stds = mean_std(test[m])
        results[f"mean_test_{m}"] = means
        results[f"std_test_{m}"] = stds
        results[f"rank_test_{m}"] = _rank(means, rank_by)
        if evaluator.return_train_score:
            for i in range(n_splits):
                results[f"split{i}_train_{m}"] = train[m][:, i]
            results[f"mean_train_{m}"], results[f"std_train_{m}"] = mean_std(train[m])
    return results
