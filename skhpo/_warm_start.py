"""Read earlier results to seed an optimizer without refitting anything."""


import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import KFold, StratifiedKFold

from ._persistence import search_parameter, stored_search_params
from ._warnings import warn
from .space import holds, without_addresses


def _cv_results(source):
    """The ``cv_results_`` dict of a search, a loaded results file, or a dict."""
    if isinstance(source, dict):
        results = source
    else:
        results = getattr(source, "cv_results_", None)
    if not isinstance(results, dict) or "params" not in results:
        unfitted = ""
        if hasattr(source, "get_params") and hasattr(source, "fit"):
            # clone() (and so cross_val_score) copies an estimator parameter
            # unfitted: the user did pass a fitted search.
            unfitted = (" (an unfitted one: clone(), and so cross_val_score, "
                        "copies a search given as warm_start without its "
                        "results; pass warm_start=search.cv_results_ instead)")
        raise TypeError(
            "warm_start must be True (continue from this search's last fit), "
            "False, a fitted search, its cv_results_ dict, or what "
            f"skhpo.load_results returns; got "
            f"{repr(source) if isinstance(source, (str, int, float)) else type(source).__name__}"
            f"{unfitted}."
        )
    return results


class History:
    """What ``warm_start=True`` continues from: every point told so far and
    its score (NaN: failed), as a ``cv_results_``, and the ``scoring`` and
    ``cv`` they were measured with and the fingerprints of the data
    (:func:`~skhpo.results.data_fingerprint`), kept where :func:`load_results`
    keeps a file's, so that a change of any warns as for any other source."""

    def __init__(self, params, scores, metric, scoring, cv, data=None, estimator=None):
        self.cv_results_ = {"params": list(params),
                            f"mean_test_{metric}": np.asarray(scores, dtype=float)}
        self.metadata = {"search": {"params": {"scoring": scoring, "cv": cv},
                                    "estimator": estimator},
                         "data": data}


def _error_score(source):
    """The numeric ``error_score`` of the search behind ``source``, or None."""
    value = search_parameter(source, "error_score")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    return None


def _told_scores(source, results, metric):
    """The scores to tell the optimizer: NaN for failed candidates.

    ``cv_results_`` shows a failure as the search's ``error_score``; when it
    is a number, a mean equal to it is taken for a failure (a fitted search
    or loaded results say what it was; a bare dict cannot).
    """
    scores = _scores(results, metric)
    error_score = _error_score(source)
    if error_score is not None:
        scores = np.where(scores == error_score, np.nan, scores)
    return scores


def _scores(results, metric):
    key = f"mean_test_{metric}"
    if key not in results:
        available = sorted(k[len("mean_test_"):] for k in results if k.startswith("mean_test_"))
        raise ValueError(
            f"warm_start results have no {key!r}: the search follows the metric "
            f"{metric!r}, but the earlier results scored {available}. Use the "
            f"same scoring (and refit metric) as the earlier search."
        )
    return np.asarray(results[key], dtype=float)


def check_warm_start(source, metric, spaces, estimator=None, search=None, data=None):
    """Raise a clear error if ``source`` cannot seed a search following
    ``metric``; warn about the earlier candidates that lie in none of the
    ``spaces`` (they are ignored), when ``estimator`` does not use the
    earlier search's full budget of a parameter resource, when the
    earlier search's ``scoring`` or ``cv`` differs from ``search``'s, and when
    its data (where the source keeps their fingerprints) differ from
    ``data``'s."""
    results = _cv_results(source)
    _scores(results, metric)
    if search is not None:
        _check_same_settings(source, search)
    if data is not None:
        _check_same_data(source, data)
    _check_resource_value(source, results, estimator)
    candidates = list(_full_budget_candidates(source, results).values())
    outside = [candidate for candidate in candidates
               if not any(space.contains(candidate) for space in spaces)]
    if outside:
        names = [space.names for space in spaces]
        warn(
            f"warm_start: {len(outside)} of {len(candidates)} earlier candidates lie "
            f"outside the search space{'s' if len(spaces) > 1 else ''} "
            f"{names if len(spaces) > 1 else names[0]} and were ignored; the first "
            f"{_why_outside(outside[0], spaces[0])}.",
            UserWarning,
        )


def _setting(source, name):
    """An earlier search's setting ``name`` as text, or None when not known:
    a fitted search has it, loaded results have it as :func:`save_results`
    wrote it (an object by its repr), a bare ``cv_results_`` dict does not
    say. A cv given as a list of splits is not compared (a file keeps only
    the arrays' reprs)."""
    params = (source.get_params(deep=False) if hasattr(source, "get_params")
              else stored_search_params(source))
    if name not in params:
        return None
    value = params[name]
    if name == "cv" and value is None:
        value = 5  # scikit-learn's default: 5 splits
    if isinstance(value, (list, tuple)):
        return None
    return value if isinstance(value, str) else repr(value)


def _shown(name, text):
    # A scorer's name in quotes, as it is written; an object (None) by its repr.
    return (f"{name}={text!r}" if text.isidentifier() and text != "None"
            else f"{name}={text}")


def _meanings(name, text, estimator):
    """The settings ``text`` may stand for: ``cv=3`` is 3-fold, stratified
    for a classifier; ``scoring=None`` the estimator's ``score``."""
    if name == "cv" and text.isdigit():
        n = int(text)
        return {repr(KFold(n)), repr(StratifiedKFold(n)), text}
    if name == "scoring" and text == "None":
        default = ("accuracy" if is_classifier(estimator)
                   else "r2" if is_regressor(estimator) else None)
        return {text, default}
    return {text}


def _check_same_settings(source, search):
    """Warn when the earlier scores were measured another way: with one
    metric both sides call it ``mean_test_score``, so nothing else tells
    accuracy from log-loss."""
    differ = []
    for name in ("scoring", "cv"):
        before, now = _setting(source, name), _setting(search, name)
        if None in (before, now):
            continue
        if not (_meanings(name, before, search.estimator)
                & _meanings(name, now, search.estimator)):
            differ.append((name, before, now))
    # The same parameter names on another model: its scores steer this one.
    # (Compared without memory addresses, which a saved file's reprs hold.)
    before_estimator = _estimator_text(source, search.estimator)
    now_estimator = without_addresses(repr(search.estimator))
    if before_estimator is not None and before_estimator != now_estimator:
        differ.append(("estimator", before_estimator, now_estimator))
    if differ:
        before = ", ".join(_shown(name, text) for name, text, _ in differ)
        now = ", ".join(_shown(name, text) for name, _, text in differ)
        warn(
            f"warm_start: the earlier search used {before}, this one {now}: its "
            f"scores are not comparable with this search's and will mislead the "
            f"GP. Warm-start from results with the same estimator, scoring and "
            f"cv, or drop warm_start.",
            UserWarning,
        )


def _estimator_text(source, estimator):
    """The earlier search's estimator by its repr, or None when not known (or
    when it was tuned over one of its parameters as a budget, which
    _check_resource_value checks): its own repr with that budget set as
    ``estimator`` has it."""
    resource = search_parameter(source, "resource")
    budgeted = isinstance(resource, str) and resource not in ("n_splits", "n_samples")
    if hasattr(source, "get_params") and hasattr(source, "estimator"):
        earlier = source.estimator
        if budgeted:
            if resource not in estimator.get_params():
                return None
            earlier = clone(earlier).set_params(
                **{resource: estimator.get_params()[resource]})
        return without_addresses(repr(earlier))
    if budgeted:
        return None
    text = ((getattr(source, "metadata", None) or {}).get("search") or {}).get("estimator")
    return None if text is None else without_addresses(text)


def _check_same_data(source, data):
    """Warn when the earlier scores were measured on other data: a model's
    scores on one dataset say little about its scores on another."""
    before = (getattr(source, "metadata", None) or {}).get("data") or {}
    differ = [name for name in ("X", "y")
              if before.get(name) and data.get(name)
              and before[name]["sha256"] != data[name]["sha256"]]
    if differ:
        shapes = "; ".join(
            f"{name} of shape {before[name]['shape']} then, {data[name]['shape']} now"
            if before[name]["shape"] != data[name]["shape"]
            else f"{name} of the same shape, {data[name]['shape']}, with other values"
            for name in differ)
        warn(
            f"warm_start: the earlier results were measured on other data ({shapes}): "
            f"their scores will mislead the GP. Warm-start from results on the same "
            f"data, or drop warm_start.",
            UserWarning,
        )


def _why_outside(candidate, space):
    """Why ``candidate`` is not a point of ``space``, as the end of a sentence."""
    extra = sorted(set(candidate) - set(space.names))
    missing = sorted(set(space.names) - set(candidate))
    if extra or missing:
        parts = ([f"has {extra}, which the space does not search"] if extra else []) + \
                ([f"lacks {missing}"] if missing else [])
        return " and ".join(parts)
    for name, dim in zip(space.names, space.dimensions):
        if not holds(dim, candidate[name]):
            return f"has {name}={candidate[name]!r}, outside {dim!r}"
    return "is not a point of the space"


def _check_resource_value(source, results, estimator):
    resource = search_parameter(source, "resource")
    if estimator is None or "n_resources" not in results or not isinstance(resource, str):
        return
    full = {results["params"][row][resource] for row in _full_budget_rows(results)
            if resource in results["params"][row]}
    mine = estimator.get_params(deep=True).get(resource)
    if len(full) == 1 and mine not in full:
        (value,) = full
        warn(
            f"warm_start: the earlier search scored its candidates at "
            f"{resource}={value!r}, but this search's estimator has "
            f"{resource}={mine!r}, so the earlier scores may not compare. Set "
            f"{resource}={value!r} on the estimator.",
            UserWarning,
        )


def _full_budget_rows(results):
    """Rows of the largest budget only, for Hyperband / halving results."""
    if "n_resources" not in results:
        return np.arange(len(results["params"]))
    budgets = np.asarray(results["n_resources"])
    return np.flatnonzero(budgets == budgets.max())


def _full_budget_candidates(source, results):
    """Row -> parameters of :func:`_full_budget_rows`.

    A resource that is an estimator parameter (``n_estimators``) sits in
    those rows' parameters at its full value; it is not a parameter the
    new search searches, so it is left out.
    """
    resource = search_parameter(source, "resource")
    return {int(row): {k: v for k, v in results["params"][row].items() if k != resource}
            for row in _full_budget_rows(results)}


def warm_start_points(source, space, metric):
    """Earlier candidates that lie in ``space``, with their scores.

    Candidates outside the space (another parameter set, a value out of
    bounds) are left out (:func:`check_warm_start` warns about those in no
    space). For multi-fidelity results only the full-budget rows are used:
    low-budget scores are not comparable; an estimator parameter that was
    the resource (``n_estimators``) is dropped from them, so the new
    search's estimator should be set to that full value.

    Returns
    -------
    params : list of dict
    scores : ndarray
        NaN for failed candidates, which the optimizer treats as known-bad.

    Examples
    --------
    >>> from skhpo import Real
    >>> from skhpo.space import Space
    >>> from skhpo._warm_start import warm_start_points
    >>> results = {"params": [{"C": 1.0}, {"C": 50.0}], "mean_test_score": [0.8, 0.9]}
    >>> warm_start_points(results, Space({"C": Real(0.1, 10.0)}), "score")
    ([{'C': 1.0}], array([0.8]))
    """
    results = _cv_results(source)
    scores = _told_scores(source, results, metric)
    params, kept = [], []
    for row, candidate in _full_budget_candidates(source, results).items():
        if space.contains(candidate):
            params.append(space.own_values(candidate))
            kept.append(scores[row])
    return params, np.asarray(kept, dtype=float)
