"""Search spaces: dimensions, every accepted input form, and the unit cube.

The optimizer works on the unit cube ``[0, 1]^k``. Each dimension knows how
to map its values there (``encode``) and back (``decode``); a :class:`Space`
stacks its dimensions side by side. Categorical dimensions take one column per
category (one-hot, decoded by argmax), every other dimension one column.

Accepted forms, all normalised by :func:`parse_search_spaces`:

* a dimension object: :class:`Real`, :class:`Integer`, :class:`Categorical`;
* scikit-optimize's tuples: ``(low, high)`` (two ints give an
  :class:`Integer`, otherwise a :class:`Real`) and ``(low, high, prior)``;
  any other tuple, such as ``("a", "b")``, lists choices as a list does;
* a scipy.stats distribution, as in ``RandomizedSearchCV`` (frozen, a custom
  ``rv_discrete(values=...)``, or unfrozen with scipy's default parameters):
  the unit interval is mapped through its quantile function, so it is the
  prior;
* a list, as in ``GridSearchCV``: numeric values become an :class:`Ordinal`
  (the optimizer sees their order, on a log scale when all are positive and
  span two decades or more), any other values a :class:`Categorical`; so do
  numbers that order cannot keep apart (NaN, infinity, or ``1`` beside
  ``1.0``).
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import itertools
import math
import numbers
import re
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc
from sklearn.utils import check_random_state

from ._json import StoredValue
from ._warnings import warn
from .exceptions import SearchSpaceError

_PRIORS = ("uniform", "log-uniform")


def _is_number(value):
    """A real number, numpy's included, but not a bool (numpy's bool is not
    a ``numbers.Real``). The plots and the sensitivity report use it too."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _order_keeps_apart(values):
    """Whether numbers placed by value stay distinct settings: not with NaN
    (no order) or infinity (no position on a scale, yet ``C=np.inf`` is a
    setting), nor with one number as an int and as a float, which
    scikit-learn tells apart (``max_features=1`` is one feature, ``1.0`` all
    of them)."""
    return all(math.isfinite(v) for v in values) and not int_beside_equal_float(values)


def int_beside_equal_float(values):
    """Whether one number appears as an int and as a float (``1`` and ``1.0``):
    two settings to scikit-learn, one point on a numeric axis. The results
    frames, plots and the sensitivity report then keep them as levels.

    Examples
    --------
    >>> int_beside_equal_float([1, 0.5, 1.0]), int_beside_equal_float([1, 2, 0.5])
    (True, False)
    """
    return len({float(v) for v in values}) != len(
        {(float(v), isinstance(v, numbers.Integral)) for v in values})


def _label(name):
    return f" {name!r}" if name is not None else ""


class Dimension:
    """Base class of one search dimension.

    Subclasses define ``n_columns`` (width on the unit cube), ``encode``
    (values -> array of shape ``(n, n_columns)``) and ``decode`` (the inverse,
    rounding to the nearest valid value).
    """

    name = None
    #: True when the optimizer (and the sensitivity report) should treat the
    #: dimension on a log scale.
    is_log = False
    #: True when the values have an order the optimizer may exploit.
    is_ordered = True

    def rvs(self, n_samples=1, random_state=None):
        """Draw values at random from the dimension's prior.

        Examples
        --------
        >>> from skhpo import Integer
        >>> Integer(1, 3).rvs(4, random_state=0)
        [2, 3, 2, 2]
        """
        rng = check_random_state(random_state)
        return self.decode(rng.uniform(size=(n_samples, self.n_columns)))

    def validate(self):
        """Raise :class:`SearchSpaceError` if the dimension is malformed."""

    def distance(self, a, b):
        """How far apart two values are (scikit-optimize's ``distance``,
        which its ``DeltaXStopper`` callback reads): ``|a - b|`` for numbers."""
        return abs(a - b)


class Real(Dimension):
    """A continuous dimension on ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Sample uniformly in the raw values or in their logarithm.
    base : float, default=10
        Accepted for scikit-optimize compatibility; the base of a logarithm
        does not change a log-uniform distribution.
    transform : str, default=None
        Accepted for scikit-optimize compatibility and ignored: skhpo always
        maps the dimension to the unit interval its own way.
    name : str, default=None
        Set from the key of the search-space dict when omitted.
    dtype : type or str, default=float
        Type of the returned values, or its numpy name (``"float32"``).

    Examples
    --------
    >>> from skhpo import Real
    >>> dim = Real(1e-3, 1e3, prior="log-uniform", name="C")
    >>> float(dim.decode([[0.5]])[0])
    1.0
    """

    def __init__(self, low, high, prior="uniform", base=10, transform=None,
                 name=None, dtype=float):
        self.low = low
        self.high = high
        self.prior = prior
        self.base = base
        self.transform = transform
        self.name = name
        self.dtype = dtype

    n_columns = 1

    @property
    def is_log(self):
        return self.prior == "log-uniform"

    def __repr__(self):
        return (f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, "
                f"prior={self.prior!r}, name={self.name!r})")

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    __hash__ = None

    def validate(self):
        kind = type(self).__name__
        if not (_is_number(self.low) and _is_number(self.high)):
            raise SearchSpaceError(
                f"{kind}{_label(self.name)} needs numeric bounds, got "
                f"low={self.low!r}, high={self.high!r}. Pass numbers, e.g. "
                f"{kind}(1, 10)."
            )
        if not (np.isfinite(self.low) and np.isfinite(self.high)):
            raise SearchSpaceError(
                f"{kind}{_label(self.name)} needs finite bounds, got "
                f"low={self.low!r}, high={self.high!r}. Give the range to "
                f"search, e.g. {kind}(1e-3, 1e3, prior='log-uniform')."
            )
        if not self.low < self.high:
            raise SearchSpaceError(
                f"`low < high` must hold for {kind}{_label(self.name)}, got "
                f"low={self.low!r}, high={self.high!r}. Swap the bounds, or use "
                f"a fixed value (a one-element list) for a constant."
            )
        if self.prior not in _PRIORS:
            raise SearchSpaceError(
                f"prior must be one of {_PRIORS} for {kind}{_label(self.name)}, "
                f"got prior={self.prior!r}."
            )
        if self.is_log and self.low <= 0:
            raise SearchSpaceError(
                f"A log-uniform prior needs `low > 0` for {kind}"
                f"{_label(self.name)}, got low={self.low!r}. Use a positive "
                f"lower bound or prior='uniform'."
            )
        if isinstance(self.dtype, str):
            try:
                np.dtype(self.dtype)
            except TypeError:
                raise SearchSpaceError(
                    f"dtype={self.dtype!r} of {kind}{_label(self.name)} is not a "
                    f"numpy type name; use e.g. float, 'float64' or np.float32."
                ) from None
        elif not isinstance(self.dtype, type):
            raise SearchSpaceError(
                f"dtype of {kind}{_label(self.name)} must be a type or its numpy "
                f"name, got dtype={self.dtype!r}; use e.g. float, 'float64' or "
                f"np.float32."
            )
        if kind == "Real" and _is_integer_type(self.dtype):
            raise SearchSpaceError(
                f"Real{_label(self.name)} with dtype={self.dtype!r} would truncate "
                f"its values to integers: use Integer({int(np.ceil(self.low))}, "
                f"{int(np.floor(self.high))}) for whole numbers, or a float dtype."
            )

    # The interval the unit column is stretched over, in the warped scale.
    def _warped_bounds(self):
        return self._warp(self.low), self._warp(self.high)

    def _warp(self, values):
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.is_log else values

    def _unwarp(self, values):
        return np.exp(values) if self.is_log else values

    def encode(self, values):
        lo, hi = self._warped_bounds()
        unit = (self._warp(values) - lo) / (hi - lo)
        return np.clip(unit, 0.0, 1.0).reshape(-1, 1)

    def decode(self, unit):
        lo, hi = self._warped_bounds()
        unit = np.clip(np.asarray(unit, dtype=float).reshape(-1), 0.0, 1.0)
        values = np.clip(self._unwarp(lo + unit * (hi - lo)), self.low, self.high)
        return self._typed(values)

    def _typed(self, values):
        """The values as ``dtype``: a type (float, np.float32) or, as
        scikit-optimize allows, its name."""
        dtype = np.dtype(self.dtype).type if isinstance(self.dtype, str) else self.dtype
        return [dtype(v) for v in values]


class Integer(Real):
    """An integer dimension on ``[low, high]``, both included.

    Each integer owns an equal share of the unit interval (in log space for
    ``prior="log-uniform"``), so a uniform draw on the unit cube is a uniform
    draw of the integers.

    Parameters
    ----------
    low, high : int
        Bounds, both included, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Each integer equally likely, or equally likely per decade.
    base, transform
        Accepted for scikit-optimize compatibility, as in :class:`Real`.
    name : str, default=None
        Set from the key of the search-space dict when omitted.
    dtype : type or str, default=int
        Type of the returned values, or its numpy name (``"int32"``).

    Examples
    --------
    >>> from skhpo import Integer
    >>> Integer(1, 4).decode([[0.0], [0.3], [0.99]])
    [1, 2, 4]
    """

    def __init__(self, low, high, prior="uniform", base=10, transform=None,
                 name=None, dtype=int):
        super().__init__(low, high, prior=prior, base=base, transform=transform,
                         name=name, dtype=dtype)

    def validate(self):
        bounds = (self.low, self.high)
        if not all(isinstance(b, numbers.Integral) and not isinstance(b, bool)
                   for b in bounds):
            whole = all(isinstance(b, float) and b.is_integer() for b in bounds)
            fix = (f"Write them as ints, Integer({int(self.low)}, {int(self.high)}), "
                   f"or use" if whole else "Use")
            raise SearchSpaceError(
                f"Integer{_label(self.name)} needs integer bounds, got "
                f"low={self.low!r}, high={self.high!r}. {fix} Real for continuous "
                f"values."
            )
        super().validate()

    def _warped_bounds(self):
        # Half an integer of margin on each side gives the end points a full bin.
        return self._warp(self.low - 0.5), self._warp(self.high + 0.5)

    def decode(self, unit):
        lo, hi = self._warped_bounds()
        unit = np.clip(np.asarray(unit, dtype=float).reshape(-1), 0.0, 1.0)
        # floor(v + 0.5), not rint: rint rounds halves to even, unequal bins.
        values = np.floor(self._unwarp(lo + unit * (hi - lo)) + 0.5)
        return self._typed(int(v) for v in np.clip(values, self.low, self.high))


# Sequences whose elements are not what a user listing categories meant:
# how they would read, and the list to write instead.
_MISREAD_CATEGORIES = {
    str: ("are its characters", "[{!r}]"),
    bytes: ("are its bytes", "[{!r}]"),
    set: ("have no fixed order", "sorted({!r})"),
    frozenset: ("have no fixed order", "sorted({!r})"),
    dict: ("are its keys", "list({!r})"),
}


class Categorical(Dimension):
    """Unordered choices: strings, booleans, None, estimators, anything.

    Encoded one-hot (one unit-cube column per category, decoded by argmax), so
    the optimizer never invents an order. A single category takes no column.

    Parameters
    ----------
    categories : sequence
        The choices, at least one.
    prior : sequence of float, default=None
        Weights of the categories, as in scikit-optimize: the initial design
        and the optimizer's candidates draw category ``i`` with probability
        ``prior[i] / sum(prior)`` (a zero weight is never drawn, though the
        category stays valid, and a search that must draw every point of a
        small space still draws it last). None: all equally likely.
    transform : str, default=None
        Accepted for scikit-optimize compatibility and ignored.
    name : str, default=None

    Examples
    --------
    >>> from skhpo import Categorical
    >>> Categorical(["rbf", "linear"]).decode([[0.2, 0.9]])
    ['linear']
    >>> import numpy as np
    >>> draws = Categorical(["a", "b"], prior=[0.9, 0.1]).decode(
    ...     np.random.RandomState(0).uniform(size=(1000, 2)))
    >>> round(draws.count("a") / len(draws), 1)
    0.9
    """

    is_ordered = False

    def __init__(self, categories, prior=None, transform=None, name=None):
        self.categories = categories
        self.prior = prior
        self.transform = transform
        self.name = name

    def __repr__(self):
        prior = "" if self.prior is None else f", prior={list(self.prior)!r}"
        return (f"Categorical(categories={tuple(self.categories)!r}{prior}, "
                f"name={self.name!r})")

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    __hash__ = None

    def validate(self):
        misread = _MISREAD_CATEGORIES.get(type(self.categories))
        if misread is not None:
            reading, fix = misread
            raise SearchSpaceError(
                f"Categorical{_label(self.name)} needs a list of categories, got "
                f"{self.categories!r}, whose elements {reading}. Write "
                f"Categorical({fix.format(self.categories)})."
            )
        try:
            n = len(self.categories)
        except TypeError:
            n = None
        if not n:
            raise SearchSpaceError(
                f"Categorical{_label(self.name)} needs at least one category, "
                f"got {self.categories!r}. List the values to try, e.g. "
                f"['rbf', 'linear']."
            )
        if self.prior is not None:
            try:
                weights = np.asarray(self.prior, dtype=float)
            except (TypeError, ValueError):
                weights = None
            if (weights is None or weights.shape != (n,) or not np.all(np.isfinite(weights))
                    or np.any(weights < 0) or not weights.sum() > 0):
                raise SearchSpaceError(
                    f"The prior of Categorical{_label(self.name)} must give one "
                    f"non-negative weight per category ({n}), not all zero; got "
                    f"prior={self.prior!r}. Give e.g. prior={[round(1 / n, 3)] * n!r}, "
                    f"or prior=None for equally likely categories."
                )

    @property
    def n_columns(self):
        return len(self.categories) if len(self.categories) > 1 else 0

    def index(self, value):
        """Position of ``value`` among the categories (identity first, then
        == with the same type, then ==: ``1.0`` is not the category ``1``
        when both are listed)."""
        for i, category in enumerate(self.categories):
            if category is value:
                return i
        for same_type in (True, False):
            for i, category in enumerate(self.categories):
                if same_type and type(category) is not type(value):
                    continue
                try:
                    if bool(category == value):
                        return i
                except Exception:  # estimators or arrays with odd __eq__
                    continue
        if hasattr(value, "get_params"):
            # A cloned estimator: match on class and parameters.
            for i, category in enumerate(self.categories):
                if type(category) is type(value) and repr(category) == repr(value):
                    return i
        if isinstance(value, StoredValue):
            # An estimator (or function) of results loaded from a file.
            for i, category in enumerate(self.categories):
                if value.stands_for(category):
                    return i
        raise ValueError(f"{value!r} is not a category of {self!r}")

    def distance(self, a, b):
        """0 for the same category, else 1 (categories have no order)."""
        return 0 if self.index(a) == self.index(b) else 1

    def encode(self, values):
        out = np.zeros((len(values), self.n_columns))
        if self.n_columns:
            for row, value in enumerate(values):
                out[row, self.index(value)] = 1.0
        return out

    def decode(self, unit):
        if not self.n_columns:
            return [self.categories[0]] * len(unit)
        unit = np.asarray(unit, dtype=float).reshape(-1, self.n_columns)
        if self.prior is not None:
            unit = self._weighted_keys(unit)
        return [self.categories[i] for i in np.argmax(unit, axis=1)]

    def _weighted_keys(self, unit):
        """Keys whose argmax is category ``i`` with probability ``w_i / sum(w)``
        for uniform rows: ``log(u_i) / w_i`` (Efraimidis and Spirakis, Inf.
        Process. Lett. 97(5), 2006). A one-hot row keeps its category."""
        weights = np.asarray(self.prior, dtype=float)
        u = np.clip(unit, 1e-300, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = np.log(u) / weights
        # A zero weight: never drawn, but a row already at it stays there.
        return np.where(weights > 0, keys, np.where(u >= 1.0, 0.0, -np.inf))


class Ordinal(Dimension):
    """A finite ordered set of numbers, such as a ``GridSearchCV`` list.

    The values sit at evenly spaced positions of the unit interval, or at
    positions proportional to their logarithm when ``log=True``; decoding
    picks the nearest. ``log="auto"`` chooses the log scale when every value
    is positive and they span at least two decades.

    Examples
    --------
    >>> from skhpo.space import Ordinal
    >>> dim = Ordinal([0.01, 0.1, 1, 10, 100])
    >>> dim.is_log, dim.decode([[0.5]])
    (True, [1])
    """

    def __init__(self, values, log="auto", name=None):
        self.values = values
        self.log = log
        self.name = name

    def __repr__(self):
        return f"Ordinal(values={list(self.values)!r}, name={self.name!r})"

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    __hash__ = None

    def validate(self):
        if len(self.values) == 0:
            raise SearchSpaceError(
                f"Ordinal{_label(self.name)} needs at least one value, got an "
                f"empty list. List the values to try."
            )
        if not all(_is_number(v) for v in self.values):
            raise SearchSpaceError(
                f"Ordinal{_label(self.name)} needs numbers, got "
                f"{list(self.values)!r}. Use Categorical for other values."
            )
        if not _order_keeps_apart(self.values):
            raise SearchSpaceError(
                f"Ordinal{_label(self.name)} places values by their number, so "
                f"NaN, infinity, or one number both as an int and a float, cannot "
                f"be placed apart; got {list(self.values)!r}. Use Categorical for them."
            )

    @property
    def _sorted(self):
        return sorted(set(self.values))

    @property
    def is_log(self):
        if self.log != "auto":
            return bool(self.log)
        values = self._sorted
        return values[0] > 0 and values[-1] / values[0] >= 100

    @property
    def n_columns(self):
        return 1 if len(self._sorted) > 1 else 0

    def _positions(self):
        values = np.asarray(self._sorted, dtype=float)
        scaled = np.log(values) if self.is_log else values
        span = scaled[-1] - scaled[0]
        return (scaled - scaled[0]) / span if span > 0 else np.zeros_like(scaled)

    def encode(self, values):
        if not self.n_columns:
            return np.zeros((len(values), 0))
        positions = self._positions()
        lookup = {v: p for v, p in zip(self._sorted, positions)}
        return np.array([[lookup[v]] for v in values], dtype=float)

    def decode(self, unit):
        values = self._sorted
        unit = np.asarray(unit, dtype=float).reshape(len(unit), -1)
        if not self.n_columns:
            return [values[0]] * len(unit)
        nearest = np.abs(unit[:, :1] - self._positions()[None, :]).argmin(axis=1)
        return [values[i] for i in nearest]


class Distribution(Dimension):
    """A scipy.stats frozen distribution used as the prior.

    A unit-interval value ``u`` decodes to ``dist.ppf(u)``, so a uniform draw
    on the cube is a draw from the distribution; ``encode`` uses the CDF.
    Discrete distributions (``randint``, ...) return integers.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from skhpo.space import Distribution
    >>> round(float(Distribution(loguniform(1e-2, 1e2)).decode([[0.5]])[0]), 6)
    1.0
    """

    n_columns = 1

    def __init__(self, dist, name=None):
        self.dist = dist
        self.name = name

    def __repr__(self):
        return f"Distribution({_describe_dist(self.dist)}, name={self.name!r})"

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    __hash__ = None

    @property
    def is_discrete(self):
        return not hasattr(self.dist.dist, "pdf")

    @property
    def is_log(self):
        return getattr(self.dist.dist, "name", "") in ("loguniform", "reciprocal")

    def validate(self):
        lo, hi = self.dist.support()
        if not np.isfinite(self.dist.ppf(0.5)):
            raise SearchSpaceError(
                f"The distribution{_label(self.name)}, {_describe_dist(self.dist)}, "
                f"has no finite median: scipy gives NaN quantiles when a "
                f"distribution's parameters are out of range (a lower bound above "
                f"the upper one, a negative scale). Check them: e.g. randint(50, "
                f"200), loguniform(1e-3, 1e3), uniform(loc=0, scale=1)."
            )
        del lo, hi

    # Keep away from the infinite tails of unbounded distributions.
    _EPS = 1e-6

    def encode(self, values):
        values = np.asarray(values, dtype=float)
        if self.is_discrete:
            # The middle of the CDF's step at each value (any support, not
            # only integers): the ppf maps it back to that value.
            unit = self.dist.cdf(values) - 0.5 * self.dist.pmf(values)
        else:
            unit = self.dist.cdf(values)
        return np.clip(unit, 0.0, 1.0).reshape(-1, 1)

    def decode(self, unit):
        unit = np.clip(np.asarray(unit, dtype=float).reshape(-1), self._EPS,
                       1 - self._EPS)
        values = self.dist.ppf(unit)
        if self.is_discrete:
            return [int(v) if float(v).is_integer() else float(v) for v in values]
        return [float(v) for v in values]


def _describe_dist(dist):
    name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
    args = ", ".join(repr(a) for a in getattr(dist, "args", ()))
    kwds = ", ".join(f"{k}={v!r}" for k, v in getattr(dist, "kwds", {}).items())
    support = getattr(getattr(dist, "dist", None), "xk", None)
    if support is not None:  # rv_discrete(values=(xk, pk)): no args tell it
        # scipy names an unnamed one "Distribution", which reads as ours.
        name = "rv_discrete" if name == "Distribution" else name
        masses = dist.dist.pk
        kwds = f"values=({[v.item() for v in support]}, {[p.item() for p in masses]})"
    return f"{name}({', '.join(p for p in (args, kwds) if p)})"


def _is_frozen_distribution(value):
    return hasattr(value, "rvs") and hasattr(value, "ppf") and hasattr(value, "dist")


def to_dimension(value, name=None, *, skopt_reading=True):
    """Turn any accepted form into a validated :class:`Dimension`.

    ``skopt_reading``: whether to warn that scikit-optimize reads a list of
    two numbers as a range. :class:`Space` warns only for a space written in
    scikit-optimize's style (with a tuple or a dimension object); a space of
    lists and distributions is a GridSearchCV or RandomizedSearchCV grid.

    Examples
    --------
    >>> from skhpo.space import to_dimension
    >>> to_dimension((1e-3, 1e3, "log-uniform"), "C")
    Real(low=0.001, high=1000.0, prior='log-uniform', name='C')
    >>> to_dimension((1, 10), "k")
    Integer(low=1, high=10, prior='uniform', name='k')
    """
    if isinstance(value, Dimension):
        # Copy, so that naming never mutates the user's object (clone-safety).
        dim = copy.copy(value)
        dim.name = name if name is not None else value.name
    elif isinstance(value, tuple):
        dim = _from_tuple(value, name)
    elif _is_frozen_distribution(value):
        dim = Distribution(value, name=name)
    elif isinstance(value, (stats.rv_continuous, stats.rv_discrete)):
        # Unfrozen, as RandomizedSearchCV takes it: scipy's default parameters.
        if value.shapes:
            example = ", ".join(f"{shape}=..." for shape in value.shapes.split(", "))
            raise SearchSpaceError(
                f"The distribution{_label(name)} {value.name} needs its shape "
                f"parameters ({value.shapes}): freeze it with them, e.g. "
                f"{value.name}({example})."
            )
        frozen = value()
        dim = Distribution(frozen, name=name)
    elif isinstance(value, (list, np.ndarray, range)):
        values = list(value)
        if _reads_as_skopt_range(values):
            raise SearchSpaceError(
                f"The list{_label(name)} {values!r} reads as values to try (as in "
                f"GridSearchCV), one of them the prior name {values[2]!r}. For a "
                f"range, write it as a tuple, {tuple(values)!r}."
            )
        if (skopt_reading and isinstance(value, list) and len(values) == 2
                and all(map(_is_number, values))):
            warn(
                f"The list{_label(name)} {values!r} is searched as two values, "
                f"as GridSearchCV does, but scikit-optimize reads a list of two "
                f"numbers as a range. For a range, write the tuple "
                f"{tuple(values)!r}; for the two values, Categorical({values!r}) "
                f"silences this warning.", UserWarning)
        if values and all(_is_number(v) for v in values) and _order_keeps_apart(values):
            dim = Ordinal(values, name=name)
        else:
            dim = Categorical(values, name=name)
    elif type(value).__module__.startswith("skopt."):
        raise SearchSpaceError(
            f"Search dimension{_label(name)} is scikit-optimize's "
            f"{type(value).__name__}: import Real, Integer and Categorical from "
            f"skhpo instead (they take the same arguments)."
        )
    else:
        raise SearchSpaceError(
            f"Unsupported search dimension{_label(name)}: {value!r} of type "
            f"{type(value).__name__}. Use Real, Integer or Categorical, a "
            f"(low, high[, prior]) tuple, a list of values or a frozen "
            f"scipy.stats distribution."
        )
    dim.validate()
    return dim


def _reads_as_skopt_range(values):
    """``[low, high, prior]`` or ``[low, high, prior, base]``: scikit-optimize's
    range written as a list (a form it deprecated)."""
    return (len(values) in (3, 4) and all(_is_number(v) for v in values[:2])
            and isinstance(values[2], str) and values[2] in _PRIORS)


def _from_tuple(value, name):
    """scikit-optimize's reading: a range, or else a list of choices.

    ``(low, high)`` with numeric bounds, ``(low, high, prior)`` with a
    string third and ``(low, high, prior, base)`` with a numeric fourth are
    ranges (a misspelt prior is then an error rather than a third category);
    any other tuple, e.g. ``("a", "b")``, ``(True, False)`` or ``(1, 2, 3)``,
    holds the choices, read as the same list.
    """
    is_range = (all(_is_number(v) for v in value[:2])
                and (len(value) == 2
                     or (len(value) == 3 and isinstance(value[2], str))
                     or (len(value) == 4 and isinstance(value[2], str)
                         and _is_number(value[3]))))
    if _reads_as_skopt_range(value[:3]) and not is_range:
        raise SearchSpaceError(
            f"The tuple{_label(name)} {value!r} starts as a range (low, high, prior) "
            f"but a range tuple is (low, high), (low, high, prior) or (low, high, "
            f"prior, base) with a numeric base. Fix the tuple, or write a list for "
            f"values to try."
        )
    if not is_range:
        return to_dimension(list(value), name)
    low, high = value[:2]
    prior = value[2] if len(value) >= 3 else "uniform"
    base = value[3] if len(value) == 4 else 10
    if all(isinstance(v, numbers.Integral) for v in (low, high)):
        return Integer(low, high, prior=prior, base=base, name=name)
    return Real(low, high, prior=prior, base=base, name=name)


class Space:
    """An ordered set of named dimensions, mapped to the unit cube.

    Dimensions are kept sorted by name so that the same dict always gives the
    same cube, whatever its insertion order.

    Parameters
    ----------
    dimensions : dict of str -> dimension form

    Examples
    --------
    >>> from skhpo import Categorical, Real
    >>> from skhpo.space import Space
    >>> space = Space({"C": Real(0.1, 10.0), "kernel": ["rbf", "linear"]})
    >>> space.n_columns
    3
    >>> space.decode([[0.5, 1.0, 0.0]])
    [{'C': 5.05, 'kernel': 'rbf'}]
    """

    def __init__(self, dimensions):
        if isinstance(dimensions, Space):
            dimensions = dimensions.as_dict()
        if not isinstance(dimensions, dict):
            raise SearchSpaceError(
                f"A search space must be a dict of parameter name -> dimension, "
                f"got {type(dimensions).__name__}: {dimensions!r}."
            )
        if not dimensions:
            raise SearchSpaceError(
                "The search space is empty: it must name at least one "
                "parameter, e.g. {'C': Real(1e-3, 1e3, prior='log-uniform')}."
            )
        for key in dimensions:
            if not isinstance(key, str):
                raise SearchSpaceError(
                    f"Search-space keys must be parameter names (str), got "
                    f"{key!r}."
                )
        skopt_style = any(isinstance(v, (tuple, Dimension)) for v in dimensions.values())
        self.dimensions = [to_dimension(dimensions[k], k, skopt_reading=skopt_style)
                           for k in sorted(dimensions)]
        self.names = sorted(dimensions)
        widths = [d.n_columns for d in self.dimensions]
        self._slices = np.cumsum([0] + widths)
        self.n_columns = int(self._slices[-1])

    def __repr__(self):
        return f"Space({self.as_dict()!r})"

    def __eq__(self, other):
        return isinstance(other, Space) and repr(self) == repr(other)

    __hash__ = None

    def as_dict(self):
        return dict(zip(self.names, self.dimensions))

    # scikit-optimize's names, read by its callbacks (e.g. DeltaXStopper) from
    # the ``space`` of the results they are given.
    @property
    def n_dims(self):
        return len(self.dimensions)

    @property
    def dimension_names(self):
        return list(self.names)

    def distance(self, point_a, point_b):
        """Sum of the dimensions' distances between two points, each a list of
        values in the order of :attr:`names` (as ``x_iters`` holds them)."""
        return sum(dim.distance(a, b) for dim, a, b in zip(self.dimensions, point_a, point_b))

    def __getitem__(self, name):
        return self.as_dict()[name]

    def __len__(self):
        return len(self.dimensions)

    def encode(self, params_list):
        """Map a list of parameter dicts to an array of shape (n, n_columns)."""
        if not self.n_columns:
            return np.zeros((len(params_list), 0))
        columns = [dim.encode([p[name] for p in params_list])
                   for name, dim in zip(self.names, self.dimensions)]
        return np.hstack(columns)

    def decode(self, unit):
        """Map unit-cube rows to parameter dicts (rounding to valid values)."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        per_dim = [dim.decode(unit[:, a:b]) for dim, a, b in
                   zip(self.dimensions, self._slices[:-1], self._slices[1:])]
        return [dict(zip(self.names, row)) for row in zip(*per_dim)]

    def snap(self, unit):
        """Round unit-cube rows to the encodings of the values they decode to."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        if not self.n_columns:
            return np.zeros((len(unit), 0))
        # Dimension by dimension, without building a dict per row: the
        # optimizer snaps thousands of candidates per proposal.
        return np.hstack([dim.encode(dim.decode(unit[:, a:b])) for dim, a, b in
                          zip(self.dimensions, self._slices[:-1], self._slices[1:])])

    def contains(self, params):
        """Whether ``params`` names exactly this space's parameters, in range."""
        return set(params) == set(self.names) and all(
            holds(dim, params[name]) for name, dim in zip(self.names, self.dimensions))

    def own_values(self, params):
        """``params`` with each :class:`StoredValue` (a value of results
        loaded from a file) replaced by the category of this space it stands
        for, so that what the optimizer holds is the user's object."""
        return {name: (dim.categories[dim.index(params[name])]
                       if isinstance(params[name], StoredValue) else params[name])
                for name, dim in zip(self.names, self.dimensions)}

    def grid(self, max_points, *, whole=False):
        """Every distinct point, when every dimension is a list (Categorical
        or Ordinal) and the lists give at most ``max_points`` combinations;
        else None.

        With ``whole=True``, an ``Integer`` range and a discrete scipy
        distribution of finite support count as the lists of their values
        (each point then equally likely: for drawing every point of a small
        space, not for sampling its prior).

        A value listed twice (``["u", "u"]``, or ``[1, 1]``) is one point
        of the grid, as :func:`params_key` tells values apart.

        Examples
        --------
        >>> from skhpo.space import Space
        >>> Space({"a": ["u", "v"], "b": ["x", "y"]}).grid(10)
        [{'a': 'u', 'b': 'x'}, {'a': 'u', 'b': 'y'}, {'a': 'v', 'b': 'x'}, {'a': 'v', 'b': 'y'}]
        >>> Space({"a": ["u", "u", "v"]}).grid(10)
        [{'a': 'u'}, {'a': 'v'}]
        >>> Space({"a": [1, 2, 3], "b": (0.0, 1.0)}).grid(10) is None
        True
        """
        values = self._grid_values(max_points, whole)
        if values is None:
            return None
        return [dict(zip(self.names, row)) for row in itertools.product(*values)]

    def grid_size(self, max_points, *, whole=False):
        """``len(self.grid(max_points, whole=whole))`` without building the
        grid, or None.

        Examples
        --------
        >>> from skhpo.space import Space
        >>> Space({"a": ["u", "u", "v"], "b": [1, 2, 3]}).grid_size(10)
        6
        >>> Space({"a": ["u", "v"], "b": (1, 5)}).grid_size(10, whole=True)
        10
        """
        values = self._grid_values(max_points, whole)
        return None if values is None else math.prod(len(v) for v in values)

    def _grid_values(self, max_points, whole=False):
        """Each dimension's distinct values, for a grid of at most
        ``max_points`` lists' combinations; else None."""
        lists = [_listed_values(dim, whole) for dim in self.dimensions]
        if any(values is None for values in lists):
            return None
        # Count before building anything: a huge grid is not enumerated.
        if math.prod(len(values) for values in lists) > max_points:
            return None
        # Each list as decoding gives its values (e.g. numbers as floats),
        # each value once.
        return [list({value_key(v): v for v in dim.decode(dim.encode(list(values)))}.values())
                for dim, values in zip(self.dimensions, lists)]

    def sobol(self, n_samples, random_state):
        """A scrambled Sobol design of ``n_samples`` unit-cube rows."""
        if not self.n_columns:
            return np.zeros((n_samples, 0))
        sampler = qmc.Sobol(self.n_columns, scramble=True, seed=random_state)
        n_pow2 = int(2 ** np.ceil(np.log2(max(n_samples, 2))))
        return sampler.random(n_pow2)[:n_samples]


def _listed_values(dim, whole):
    """A finite dimension's values (a range is not built), or None."""
    if isinstance(dim, Categorical):
        return dim.categories
    if isinstance(dim, Ordinal):
        return dim.values
    if not whole:
        return None
    if isinstance(dim, Integer):
        return range(dim.low, dim.high + 1)
    if isinstance(dim, Distribution) and dim.is_discrete:
        listed = getattr(dim.dist.dist, "xk", None)  # rv_discrete(values=...)
        if listed is not None:
            return list(listed)
        low, high = dim.dist.support()
        if math.isfinite(low) and math.isfinite(high):
            return range(int(low), int(high) + 1)
    return None


def params_key(params):
    """A text key of a parameter dict (estimators by their repr), the same in
    every process: memory addresses (``<function f at 0x7f...>``, an object
    without a repr of its own) are left out.

    Examples
    --------
    >>> from skhpo.space import params_key
    >>> def kernel(a, b): ...
    >>> params_key({"kernel": kernel, "C": 1.0})
    "[('C', 1.0), ('kernel', <function kernel>)]"
    """
    return value_key(sorted(params.items(), key=lambda item: item[0]))


def value_key(value):
    """The text key of one value, as :func:`params_key` sees it."""
    return without_addresses(repr(value))


def without_addresses(text):
    """A repr without its memory addresses (" at 0x7f..."), which change
    from one process to the next."""
    return _ADDRESS.sub("", text)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def holds(dim, value):
    """Whether ``value`` is one of the values ``dim`` can take.

    Examples
    --------
    >>> from skhpo import Integer
    >>> from skhpo.space import holds
    >>> holds(Integer(1, 10), 3), holds(Integer(1, 10), 2.5), holds(Integer(1, 10), 11)
    (True, False, False)
    """
    try:
        if isinstance(dim, Categorical):
            dim.index(value)
            return True
        if isinstance(dim, Ordinal):
            return value in dim._sorted
        if isinstance(dim, Integer) and value != int(value):
            return False
        if isinstance(dim, Real):
            return bool(dim.low <= value <= dim.high)
        if dim.is_discrete and value != int(value):
            return False
        low, high = dim.dist.support()
        return bool(low <= value <= high)
    except (ValueError, TypeError):
        return False


def dimension_scale(dim):
    """``"categorical"``, ``"log"`` or ``"linear"``: how ``dim`` spreads its values.

    Examples
    --------
    >>> from skhpo import Categorical, Real
    >>> from skhpo.space import dimension_scale
    >>> dimension_scale(Real(1e-3, 1e3, prior="log-uniform")), dimension_scale(Categorical(["a"]))
    ('log', 'categorical')
    """
    if isinstance(dim, Categorical):
        return "categorical"
    return "log" if dim.is_log else "linear"


@dataclass
class Subspace:
    """One alternative of a search: its space and its number of iterations."""

    space: Space
    n_iter: int | None = None


def parse_search_spaces(search_spaces):
    """Normalise every accepted search-space form to a list of subspaces.

    Parameters
    ----------
    search_spaces : dict, list of dict, or list of (dict, int) tuples
        A single space, alternative spaces (as ``GridSearchCV``'s list of
        dicts), or scikit-optimize's ``(space, n_iter)`` pairs.

    Returns
    -------
    list of Subspace

    Examples
    --------
    >>> from skhpo.space import parse_search_spaces
    >>> subspaces = parse_search_spaces([({"C": (0.1, 10.0)}, 5), {"k": [1, 3, 5]}])
    >>> [(s.space.names, s.n_iter) for s in subspaces]
    [(['C'], 5), (['k'], None)]
    """
    if isinstance(search_spaces, (dict, Space)):
        return [Subspace(Space(search_spaces))]
    if not isinstance(search_spaces, (list, tuple)):
        raise SearchSpaceError(
            f"search_spaces must be a dict, a list of dicts, or a list of "
            f"(dict, n_iter) tuples, got {type(search_spaces).__name__}."
        )
    if not search_spaces:
        raise SearchSpaceError(
            "search_spaces is an empty list: give at least one dict of "
            "parameter name -> dimension."
        )
    subspaces = []
    for item in search_spaces:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], dict):
            space, n_iter = item
            if (not isinstance(n_iter, numbers.Integral) or isinstance(n_iter, bool)
                    or n_iter < 1):
                raise SearchSpaceError(
                    f"The n_iter of a (space, n_iter) pair must be a positive "
                    f"integer, got {n_iter!r}."
                )
            subspaces.append(Subspace(Space(space), int(n_iter)))
        elif isinstance(item, (dict, Space)):
            subspaces.append(Subspace(Space(item)))
        else:
            raise SearchSpaceError(
                f"Each element of a list of search spaces must be a dict or a "
                f"(dict, n_iter) tuple, got {item!r}."
            )
    return subspaces


@contextlib.contextmanager
def quiet_parsing():
    """Parse without the parser's warnings: for a space ``fit`` has already
    read (its warnings were given then), or the grid of one of
    scikit-learn's searches, which scikit-optimize's reading of a two-number
    list does not concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def reread_search_spaces(search_spaces):
    """:func:`parse_search_spaces` under :func:`quiet_parsing`."""
    with quiet_parsing():
        return parse_search_spaces(search_spaces)


def check_names(subspaces, estimator):
    """Raise if a space names a parameter the estimator does not have.

    A name under a step that the space itself replaces (``"clf__kernel"``
    beside ``"clf": [SVC()]``) is checked against the replacement estimators.
    """
    valid = set(estimator.get_params(deep=True))
    for subspace in subspaces:
        dims = subspace.space.as_dict()
        _check_bare_steps(subspace.space.names, dims)
        unknown = [n for n in subspace.space.names
                   if not _names_a_parameter(n, dims, valid)
                   and not _settable(estimator, n, dims[n])]
        if unknown:
            close = sorted(v for v in valid if any(_alike(u, v) for u in unknown))
            hint = f" Did you mean {close}?" if close else ""
            raise SearchSpaceError(
                f"The search space names parameters that "
                f"{type(estimator).__name__} does not have: {unknown}. Valid "
                f"names are those of estimator.get_params(deep=True), e.g. "
                f"{sorted(valid)[:8]}.{hint}"
            )


def _check_bare_steps(names, dims):
    """Raise if a name sets a parameter of a step the space may make None or
    "passthrough": a candidate drawing both could not be configured."""
    for name in names:
        step = searched_step(name, dims)
        if step is not None and step.bare:
            raise SearchSpaceError(
                f"{name!r} sets a parameter of the step {step.name!r}, which the "
                f"space may also make {step.bare[0]!r}, a step without parameters: a "
                f"candidate drawing both could not be configured. Give that choice "
                f"its own space, e.g. [{{{step.name!r}: {step.estimators!r}, "
                f"{name!r}: ...}}, {{{step.name!r}: {step.bare!r}}}]."
            )


def _is_integer_type(dtype):
    try:
        return np.issubdtype(np.dtype(dtype), np.integer)
    except TypeError:
        return False


def _alike(unknown, valid):
    """Whether ``valid`` may be the name meant by ``unknown``: the same last
    part (``C`` for ``clf__C``), or a near spelling of it (``c``, ``max_dept``)."""
    meant, candidate = unknown.split("__")[-1].lower(), valid.split("__")[-1].lower()
    return meant == candidate or bool(difflib.get_close_matches(meant, [candidate],
                                                                cutoff=0.8))


def _settable(estimator, name, dim):
    """Whether ``set_params`` takes ``name`` although ``get_params`` omits it.

    skorch lists a ``module__*`` argument in ``get_params`` only once it was
    given, but accepts any in ``set_params``, as GridSearchCV relies on.
    """
    from sklearn.base import clone

    value = dim.decode(np.full((1, dim.n_columns), 0.5))[0]
    try:
        clone(estimator).set_params(**{name: value})
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _names_a_parameter(name, dims, valid):
    # Under a searched step, every choice must have it (_check_bare_steps
    # has refused None and "passthrough" there).
    step = searched_step(name, dims)
    return name in valid if step is None else not step.lacking()


@dataclass(frozen=True)
class SearchedStep:
    """A pipeline step the space itself searches, and a name under it:
    ``"clf__max_iter"`` with ``"clf": [SGDClassifier(), KNeighbors...()]``
    is ``SearchedStep("clf", "max_iter", (SGDClassifier(), ...))``."""

    name: str
    param: str
    choices: tuple

    @property
    def estimators(self):
        """The choices that are estimators."""
        return [c for c in self.choices if hasattr(c, "get_params")]

    @property
    def bare(self):
        """The choices without parameters: ``None`` and ``"passthrough"``."""
        return [c for c in self.choices if not hasattr(c, "get_params")]

    def lacking(self):
        """The choices without ``param`` (the bare ones lack every parameter)."""
        return [c for c in self.choices
                if not (hasattr(c, "get_params") and self.param in c.get_params(deep=True))]


def searched_step(name, dims):
    """The :class:`SearchedStep` that ``name`` reaches into, or None.

    ``dims`` maps names to dimensions; the longest searched prefix wins.
    """
    parts = name.split("__")
    for cut in range(len(parts) - 1, 0, -1):
        step = "__".join(parts[:cut])
        choices = getattr(dims.get(step), "categories", None)
        if choices is not None:
            return SearchedStep(step, "__".join(parts[cut:]), tuple(choices))
    return None
