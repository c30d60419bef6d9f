"""Search-space values checked against the estimator's declared constraints.

scikit-learn estimators declare what each parameter accepts
(``_parameter_constraints``) and check it at the start of ``fit``. A space
that reaches outside (``Real`` for an integer parameter, ``C`` below zero, a
removed option in a grid) would make every such fit fail inside the search,
each with a warning, and end in ``AllFitsFailedError`` if all do. Reading the
constraints first turns that into one message before any model is fitted.

Estimators that declare nothing (third-party ones, skorch's) are not checked.
"""

import math
import numbers

import numpy as np
from sklearn import get_config

from ._compat import InvalidParameterError, declared_constraints, validate_parameter_constraints
from ._warnings import warn
from .exceptions import SearchSpaceError
from .space import Categorical, Distribution, Integer, Ordinal, Real, searched_step

# Where a range is probed on the unit interval: both ends, which the optimizer
# does propose (a maximum of the acquisition on a face of the cube), and the
# middle. A scipy distribution's ends are kept 1e-6 inside by its decoding.
_UNIT_PROBES = np.array([[0.0], [0.5], [1.0]])


def check_values(subspaces, estimator):
    """Raise :class:`SearchSpaceError` for a value the estimator would refuse.

    Each dimension is probed at every value of a list, else at both ends
    and the middle; each probe is checked against the constraints of the
    estimator that owns the parameter: a pipeline step, or each estimator a
    searched step may become. Nothing is checked under scikit-learn's
    ``skip_parameter_validation=True``, where the estimators do not check
    either.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from skhpo import Real
    >>> from skhpo.space import parse_search_spaces
    >>> check_values(parse_search_spaces({"C": Real(-1.0, 10.0)}), SVC())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skhpo.exceptions.SearchSpaceError: Real 'C' reaches values that SVC refuses: The 'C' parameter of SVC must be a float in the range (0.0, inf.... Got -1.0 instead. Narrow the dimension to the values SVC accepts.
    """
    if get_config().get("skip_parameter_validation", False):
        return
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
    # check_names has refused None and "passthrough" choices beside a name
    # under their step; they have no parameters anyway.
    return [_resolve(choice, step.param) for choice in step.estimators]


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

    probes = _probes(dim)
    for value in probes:
        error = refused(value)
        if error is not None:
            raise SearchSpaceError(
                f"{_describe(dim, name)} reaches values that {owner_name} refuses: "
                f"{error} {_fix(dim, value, probes, refused, owner_name)}"
            )
    if (isinstance(dim, Integer) and dim.low < dim.high
            and not _integer_default(owner, param) and _takes_fractions(dim, refused)):
        # Two ints make an Integer range (scikit-optimize's reading), which
        # a continuous parameter was rarely meant to get, unless its default
        # is a whole number too (KNeighbors' p=2: Minkowski powers 1, 2, 3).
        warn(f"Integer {name!r} searches whole numbers only, but {owner_name}'s "
             f"{param!r} takes any number in between too. For a continuous range "
             f"write floats, ({float(dim.low)!r}, {float(dim.high)!r}) or "
             f"Real({float(dim.low)!r}, {float(dim.high)!r}): two ints, as in "
             f"({dim.low}, {dim.high}), make an Integer range. To keep whole numbers "
             f"without this warning, list them: range({dim.low}, {dim.high + 1}).",
             UserWarning)


def _probes(dim):
    if isinstance(dim, Categorical):
        return list(dim.categories)
    if isinstance(dim, Ordinal):
        return list(dim.values)
    return dim.decode(_UNIT_PROBES)


def _describe(dim, name):
    if isinstance(dim, Ordinal):
        return f"The list {name!r}"
    if isinstance(dim, Distribution):
        return f"The distribution {name!r}"
    return f"{type(dim).__name__} {name!r}"


def _is_continuous(dim):
    return (isinstance(dim, Real) and not isinstance(dim, Integer)) or (
        isinstance(dim, Distribution) and not dim.is_discrete)


def _integer_default(owner, param):
    default = owner.get_params(deep=False).get(param)
    return isinstance(default, numbers.Integral) and not isinstance(default, bool)


def _takes_fractions(dim, refused):
    """Whether the parameter accepts a value between an ``Integer``'s ends."""
    return refused(float(dim.low) + 0.5) is None


def _fix(dim, value, probes, refused, owner_name):
    """How to fix it, where the constraint and the range say (``probes``:
    a range's low end, middle and high end)."""
    if isinstance(dim, Real) and not isinstance(dim, Integer) and value in probes[::2]:
        inside = _inside(probes[0], probes[-1], refused,
                         prior=dim.prior if dim.is_log else None)
        if inside is not None:
            return (f"The search proposes the ends of a range, and {owner_name} "
                    f"excludes {value!r}: move the end inside, e.g. {inside}.")
    if _is_continuous(dim):
        low, _, high = probes
        # A distribution's probes sit 1e-6 inside its support: uniform(1, 29)
        # reaches 1.000029 and 29.99997, which stand for 1 and 30.
        slack = 1e-3 * (high - low) if isinstance(dim, Distribution) else 0.0
        ints = range(math.ceil(low - slack), math.floor(high + slack) + 1)
        fraction = min(math.floor((low + high) / 2) + 0.5, high)
        if (len(ints) >= 2 and refused(float(fraction)) is not None
                and refused(ints[0]) is None and refused(ints[-1]) is None):
            also = (f"scipy.stats.randint({ints[0]}, {ints[-1] + 1}) or "
                    if isinstance(dim, Distribution) else "")
            return (f"It takes integers: use {also}Integer({ints[0]}, {ints[-1]}) "
                    f"instead.")
    if isinstance(dim, Integer) and _takes_fractions(dim, refused):
        low, high = dim.low, dim.high
        inside = _inside(float(low), float(high), refused)
        real = inside or f"Real({float(low)!r}, {float(high)!r})"
        return (f"It takes floats: Integer({low}, {high}) holds the integers only "
                f"(two ints, as in ({low}, {high}), make an Integer range); use "
                f"{real}.")
    return f"Narrow the dimension to the values {owner_name} accepts."


def _inside(low, high, refused, prior=None):
    """A ``Real`` range whose refused ends are moved just inside, if both
    ends are then accepted (as text), else None."""
    step = 1e-6 * (high - low)
    new_low = low if refused(low) is None else _short(low + step, low, high, refused)
    new_high = high if refused(high) is None else _short(high - step, low, high, refused)
    if new_low is None or new_high is None:
        return None
    prior = f", prior={prior!r}" if prior is not None else ""
    return f"Real({new_low!r}, {new_high!r}{prior})"


def _short(value, low, high, refused):
    """``value`` with as few digits as keep it inside ``(low, high)`` and
    accepted, or None."""
    for digits in (3, 6, 10, 17):
        short = float(f"{value:.{digits}g}")
        if low < short < high and refused(short) is None:
            return short
    return None
