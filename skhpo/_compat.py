"""The one module that touches private scikit-learn (and joblib) names.

Everything imported here is private in scikit-learn and may move between
releases; keeping it in one place means one file to fix, and the CI job on the
oldest supported scikit-learn covers every name below.
"""

import inspect

# ``_fit_context`` validates parameters and, on scikit-learn >= 1.9, tears the
# callbacks down after fit, as for every scikit-learn estimator.
from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import _yields_constant_splits
# Listed in sklearn.utils.__all__, but underscored: kept here all the same.
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

# joblib's, not scikit-learn's, but not in joblib's documented API either.
from joblib.parallel import get_active_backend


def routed_fit_params(search, params):
    """How ``search.fit(X, y, **params)`` routes ``params``.

    A Bunch with ``estimator.fit``, ``splitter.split`` and ``scorer.score``,
    from BaseSearchCV's own (private) method, so that a re-scoring matches
    the search: e.g. scikit-learn >= 1.9 passes ``sample_weight`` to the
    scorer too, 1.6 only to ``fit``. A search without the method gets
    ``groups`` to the splitter and everything else to ``fit``.
    """
    route = getattr(search, "_get_routed_params_for_fit", None)
    if route is not None:
        return route(params)
    params = dict(params)
    groups = params.pop("groups", None)
    return Bunch(estimator=Bunch(fit=params), splitter=Bunch(split={"groups": groups}),
                 scorer=Bunch(score={}))


def scorer_accepts_sample_weight(scorer):
    """Whether a scorer takes ``sample_weight``, as scikit-learn >= 1.9 decides it.

    By the metric's signature, not the scorer's (``make_scorer`` accepts any
    keyword): scikit-learn >= 1.9 asks the scorer (``_accept_sample_weight``);
    older scorers are read the same way; a plain callable by its own
    signature.
    """
    accept = getattr(scorer, "_accept_sample_weight", None)
    if accept is not None:
        return bool(accept())
    if hasattr(scorer, "_score_func"):
        function = scorer._score_func
    elif hasattr(scorer, "_estimator"):  # scoring=None: the estimator's score
        function = scorer._estimator.score
    else:
        function = scorer
    try:
        return "sample_weight" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def backend_is_shared():
    """Whether every joblib call would share one backend object.

    True inside ``parallel_config(backend=...)`` (the context holds one
    backend instance); False by default, when each ``Parallel`` makes its own.
    Two calls running at once must not share one: the first to finish resets
    it under the other (joblib 1.6).
    """
    return get_active_backend()[0] is get_active_backend()[0]


def backend_uses_threads():
    """Whether joblib would run the fits in threads of this process.

    The optimizer limits the BLAS threads of the whole process while it
    proposes (threadpoolctl); fits running in threads meanwhile would see
    the limit, and two overlapping limit/restore pairs could leave it wrong.
    """
    return bool(getattr(get_active_backend()[0], "uses_threads", False))


def callbacks_requested(estimator):
    """Whether scikit-learn >= 1.9 callbacks watch this estimator's fit.

    Its own (``set_callbacks``) or a meta-estimator's, which scikit-learn
    propagates into the same list. (A parent's callback context alone does
    not count: ``Pipeline`` passes one to its last step even with no
    callback set.)
    """
    return bool(getattr(estimator, "_skl_callbacks", None))


def declared_constraints(estimator):
    """The parameter constraints an estimator declares (scikit-learn's
    ``_parameter_constraints``), or None for one that declares none."""
    return getattr(type(estimator), "_parameter_constraints", None)


__all__ = [
    "BaseSearchCV",
    "backend_is_shared",
    "backend_uses_threads",
    "callbacks_requested",
    "declared_constraints",
    "routed_fit_params",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_fit_context",
    "_safe_indexing",
    "_yields_constant_splits",
    "validate_parameter_constraints",
]
