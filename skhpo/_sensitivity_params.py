"""How the sensitivity report encodes each parameter for its forest.

A parameter becomes one coordinate of the forest's input: its value on a
linear or log scale, or a level code for a categorical, with the bounds over
which fANOVA integrates (the declared range when the search's space gives one).
"""

from __future__ import annotations

import numbers

import numpy as np

from .space import (
    Distribution,
    Integer,
    Ordinal,
    Real,
    _is_number,
    dimension_scale,
    int_beside_equal_float,
    quiet_parsing,
    to_dimension,
)

# Points of the grid on which a parameter's marginal is computed.
_GRID_POINTS = 50
# At most this many distinct values tried: a grid, whose best value and good
# range are reported among the values tried.
_GRID_MAX_VALUES = 12


def _label(value):
    return value if isinstance(value, str) else repr(value)


def _guess_scale(values):
    """"log" when positive values spanning 2 decades sit evenly in log, else "linear".

    The span alone misleads: 200 uniform draws on (0, 1) span 2 decades more
    often than not. So the values must also fill their range more evenly on
    the log scale than on the linear one (Kolmogorov-Smirnov distance to a
    uniform spread): a log grid or log-uniform draws do, linear draws do not.

    Examples
    --------
    >>> from skhpo._sensitivity_params import _guess_scale
    >>> _guess_scale([0.001, 0.01, 0.1, 1, 10]), _guess_scale([0.005, 0.3, 0.5, 0.7, 0.9])
    ('log', 'linear')
    """
    values = np.sort(np.asarray(values, dtype=float))
    if not (values[0] > 0 and values[-1] / values[0] >= 100):
        return "linear"

    def unevenness(coords):
        unit = (coords - coords[0]) / (coords[-1] - coords[0])
        n = len(unit)
        return max(np.max(np.arange(1, n + 1) / n - unit), np.max(unit - np.arange(n) / n))

    return "log" if unevenness(np.log(values)) < unevenness(values) else "linear"


def _searched_range(tried, dim):
    """``(low, high)`` the search could draw from: declared, else the tried values'."""
    low, high = tried[0], tried[-1]
    if isinstance(dim, Real):  # Integer too
        low, high = dim.low, dim.high
    elif isinstance(dim, Distribution):
        support = dim.dist.support()
        low, high = (support[0] if np.isfinite(support[0]) else low,
                     support[1] if np.isfinite(support[1]) else high)
    return float(min(low, tried[0])), float(max(high, tried[-1]))


class _Param:
    """One analysed parameter and how it maps to the surrogate's coordinate.

    ``kind`` is ``"linear"``, ``"log"`` (coordinate = log of the value) or
    ``"categorical"`` (coordinate = level code, bounds ``[-0.5, k - 0.5]``,
    so that each valid level gets the same weight).
    """

    def __init__(self, name, values, dim=None, scale=None):
        self.name = name
        # Infinity (C=np.inf) has no place on a numeric axis, nor have 1 and
        # 1.0 side by side (two settings of max_features): levels, then.
        numeric = (all(_is_number(v) and np.isfinite(v) for v in values)
                   and not int_beside_equal_float(values))
        # Whether the scale was read off the values alone (no space, no scales).
        self.guessed = scale is None and dim is None and numeric
        if scale is None:
            if not numeric:
                scale = "categorical"
            elif dim is not None:
                scale = dimension_scale(dim)
            else:
                scale = _guess_scale(values)
        if scale not in ("linear", "log", "categorical"):
            raise ValueError(
                f"The scale of {name!r} must be 'linear', 'log' or "
                f"'categorical', got {scale!r}."
            )
        if scale != "categorical" and not numeric:
            raise ValueError(
                f"{name!r} has non-numeric or infinite values, so its scale must be "
                f"'categorical', got {scale!r}."
            )
        if scale == "log" and min(values) <= 0:
            raise ValueError(
                f"{name!r} has values <= 0 (min {min(values)!r}), so it cannot "
                f"be on a log scale. Use scales={{{name!r}: 'linear'}}."
            )
        self.kind = scale
        # Ints (or an Integer dimension): 1.0 and 10.0 stay floats.
        self.integer = numeric and (isinstance(dim, Integer) or all(
            isinstance(v, numbers.Integral) for v in values))
        if scale == "categorical":
            # Each level's label, and the value it stands for (the first seen).
            self._value_of = {}
            for v in values:
                self._value_of.setdefault(_label(v), v)
            self.levels = sorted(self._value_of)
            self.lo, self.hi = -0.5, len(self.levels) - 0.5
            self.tried = None
        else:
            self.levels = None
            self.lo, self.hi = self._bounds(values, dim)
            self.tried = np.unique(np.asarray(values, dtype=float))
            self.range = _searched_range(self.tried, dim)

    def _warp(self, values):
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.kind == "log" else values

    @property
    def is_grid(self):
        """Few distinct values tried (a grid or list): report tried values."""
        return self.tried is not None and len(self.tried) <= _GRID_MAX_VALUES

    def _bounds(self, values, dim):
        coords = np.unique(self._warp(values))
        lo = hi = None
        if isinstance(dim, Integer):
            lo, hi = dim.low - 0.5, dim.high + 0.5
        elif isinstance(dim, Real):
            lo, hi = dim.low, dim.high
        elif isinstance(dim, Distribution):
            low, high = dim.dist.support()
            if np.isfinite(low) and np.isfinite(high):
                pad = 0.5 if dim.is_discrete else 0.0
                lo, hi = low - pad, high + pad
        elif isinstance(dim, Ordinal):
            coords = np.unique(self._warp(dim._sorted))
        if lo is not None and (self.kind != "log" or lo > 0):
            lo, hi = self._warp([lo, hi])
        elif len(coords) > 1:
            # No declared range: the observed one, with half a gap beyond the
            # end values so that a grid's end points get a full cell.
            lo = coords[0] - (coords[1] - coords[0]) / 2
            hi = coords[-1] + (coords[-1] - coords[-2]) / 2
        else:
            lo, hi = coords[0] - 0.5, coords[0] + 0.5
        observed = self._warp(values)
        return float(min(lo, observed.min())), float(max(hi, observed.max()))

    def coords(self, values):
        if self.kind == "categorical":
            index = {label: i for i, label in enumerate(self.levels)}
            return np.array([index[_label(v)] for v in values], dtype=float)
        return self._warp(values)

    def grid(self, n_points=_GRID_POINTS):
        """Every level of a categorical; else the centres of ``n_points``
        equal cells over ``[lo, hi]``."""
        if self.kind == "categorical":
            return np.arange(len(self.levels), dtype=float)
        step = (self.hi - self.lo) / n_points
        return self.lo + step * (np.arange(n_points) + 0.5)

    def value_of(self, label):
        """The value a categorical level's label stands for."""
        return self._value_of[label]

    def values(self, coords):
        """Coordinates back to parameter values (labels for categoricals)."""
        if self.kind == "categorical":
            return [self.levels[int(c)] for c in coords]
        values = np.exp(coords) if self.kind == "log" else np.asarray(coords)
        return [float(v) for v in values]


def declared_range(dim):
    """What the analysis reads of a numeric dimension, as JSON for saved results.

    ``{"low", "high", "integer"}`` for a ``Real``, ``Integer`` or a
    distribution of finite support; ``{"values"}`` for an ``Ordinal`` (a
    numeric list); None for anything else, whose tried values are all the
    analysis uses. :func:`range_dimension` rebuilds it.
    """
    if isinstance(dim, Ordinal):
        return {"values": [float(v) if isinstance(v, float) else int(v) for v in dim.values]}
    if isinstance(dim, Real):  # Integer too
        return {"low": float(dim.low), "high": float(dim.high),
                "integer": isinstance(dim, Integer)}
    if isinstance(dim, Distribution):
        low, high = dim.dist.support()
        if np.isfinite(low) and np.isfinite(high):
            return {"low": float(low), "high": float(high), "integer": dim.is_discrete}
    return None


def range_dimension(spec, scale, name):
    """The dimension a :func:`declared_range` ``spec`` describes, on ``scale``:
    the same bounds for the analysis as the search's own dimension."""
    if "values" in spec:
        return Ordinal(spec["values"], log=scale == "log", name=name)
    kind = Integer if spec["integer"] else Real
    return kind(spec["low"], spec["high"],
                prior="log-uniform" if scale == "log" else "uniform", name=name)


SPACE_ATTRIBUTES = ("search_spaces", "param_distributions", "param_grid")


def declared_spaces(search):
    """The search space as the search was given it (``search_spaces``,
    ``param_distributions`` or ``param_grid``), or None."""
    return next((getattr(search, a) for a in SPACE_ATTRIBUTES
                 if getattr(search, a, None) is not None), None)


def dimensions(raw_spaces):
    """Dimension of each parameter named in a search's spaces, when parseable:
    a parameter in an unusual form is left out (its scale is then inferred
    from its values), not the whole space."""
    if raw_spaces is None:
        return {}
    if hasattr(raw_spaces, "as_dict"):
        raw_spaces = raw_spaces.as_dict()
    items = [raw_spaces] if isinstance(raw_spaces, dict) else list(raw_spaces)
    dims, conflicting = {}, set()
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], dict):
            item = item[0]
        if hasattr(item, "as_dict"):
            item = item.as_dict()
        if not isinstance(item, dict):
            continue
        for name, value in item.items():
            try:
                with quiet_parsing():
                    dim = to_dimension(value, name)
            except Exception:  # an unusual form: fall back on inference
                continue
            # Subspaces that declare one parameter differently (a list here,
            # loguniform there): no declared scale fits all its values, so
            # they decide it, as without a space.
            if name in dims and repr(dims[name]) != repr(dim):
                conflicting.add(name)
            dims.setdefault(name, dim)
    return {name: dim for name, dim in dims.items() if name not in conflicting}
