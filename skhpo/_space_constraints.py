"""Search-space values checked against the estimator's declared constraints.

scikit-learn estimators declare what each parameter accepts
(``_parameter_constraints``) and check it at the start of ``fit``. A space
that reaches outside (``Real`` for an integer parameter, ``C`` below zero, a
removed option in a grid) would make every such fit fail inside the search,
each with a warning, and end in ``AllFitsFailedError`` if all do. Reading the
constraints first turns that into one message before any model is fitted.

Estimators that declare nothing (third-party ones, skorch's) are not checked.
"""

import numpy as np

from ._compat import InvalidParameterError, declared_constraints, validate_parameter_constraints
from .exceptions import SearchSpaceError
from .space import Categorical, Integer, Ordinal, Real, searched_step

# Continuous dimensions are probed just inside their ends: an end itself is
# drawn with probability zero, and ``Real(0, 1)`` for a parameter open at 0
# is a search of the positive values, not a mistake.
_INSIDE = 1e-6


def check_values(subspaces, estimator):
    """Raise :class:`SearchSpaceError` for a value the estimator would refuse.

    Each dimension is probed at every value of a finite one, else at both
    ends (just inside, for continuous ones) and the middle; each probe is
    checked against the constraints of the estimator that owns the
    parameter: a pipeline step, or each estimator a searched step may become.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from skhpo import Real
    >>> from skhpo.space import parse_search_spaces
    >>> check_values(parse_search_spaces({"C": Real(-1.0, 10.0)}), SVC())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skhpo.exceptions.SearchSpaceError: Real 'C' reaches values that SVC refuses: The 'C' parameter of SVC must be a float in the range (0.0, inf.... Got -0.999989 instead. Narrow the dimension to the values SVC accepts.
    """
    for subspace in subspaces:
        dims = subspace.space.as_dict()
        for name, dim in dims.items():
            for owner, param in _owners(estimator, name, dims):
                _check_one(owner, param, name, dim)


def _owners(estimator, name, dims):
    """The estimators that ``name`` sets a parameter of, with its own name there."""
    step = searched_step(name, dims)
    if step is None:
        return [_resolve(estimator, name)]
    # None and "passthrough" choices have no parameters (check_names allows them).
    return [_resolve(choice, step.param) for choice in step.choices
            if hasattr(choice, "get_params")]


def _resolve(estimator, name):
    prefix, _, param = name.rpartition("__")
    owner = estimator.get_params(deep=True).get(prefix) if prefix else estimator
    return owner, param


def _check_one(owner, param, name, dim):
    constraints = declared_constraints(owner)
    if not constraints or param not in constraints:
        return
    owner_name = type(owner).__name__

    def refused(value):
        try:
            validate_parameter_constraints({param: constraints[param]}, {param: value},
                                           caller_name=owner_name)
        except InvalidParameterError as error:
            return error
        return None

    for value in _probes(dim):
        error = refused(value)
        if error is not None:
            raise SearchSpaceError(
                f"{type(dim).__name__} {name!r} reaches values that {owner_name} "
                f"refuses: {error} {_fix(dim, refused, owner_name)}"
            )


def _probes(dim):
    if isinstance(dim, Categorical):
        return list(dim.categories)
    if isinstance(dim, Ordinal):
        return list(dim.values)
    values = dim.decode(np.array([[_INSIDE], [0.5], [1.0 - _INSIDE]]))
    if _is_continuous(dim):
        # Rounded for the message: six significant digits say enough.
        values = [type(v)(float(f"{v:.6g}")) for v in values]
    return values


def _is_continuous(dim):
    return isinstance(dim, Real) and not isinstance(dim, Integer)


def _fix(dim, refused, owner_name):
    """How to fix it: ``Integer`` for a parameter that takes whole numbers
    but not floats, else narrowing the dimension."""
    if _is_continuous(dim):
        middle = dim.decode(np.array([[0.5]]))[0]
        if refused(middle) is not None and refused(int(round(middle))) is None:
            return (f"It takes integers: use Integer({int(np.ceil(dim.low))}, "
                    f"{int(np.floor(dim.high))}) instead of Real.")
    return f"Narrow the dimension to the values {owner_name} accepts."
