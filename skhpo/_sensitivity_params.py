"""How the sensitivity report encodes each parameter for its forest.

A parameter becomes one coordinate of the forest's input: its value on a
linear or log scale, or a level code for a categorical, with the bounds over
which fANOVA integrates (the declared range when the search's space gives one).
"""

from __future__ import annotations


import numpy as np

from .space import (
    Categorical,
    Distribution,
    Integer,
    Ordinal,
    Real,
    _is_number,
    to_dimension,
)

# Points of the grid on which a parameter's marginal is computed.
_GRID_POINTS = 50


def _label(value):
    return value if isinstance(value, str) else repr(value)


class _Param:
    """One analysed parameter and how it maps to the surrogate's coordinate.

    ``kind`` is ``"linear"``, ``"log"`` (coordinate = log of the value) or
    ``"categorical"`` (coordinate = level code, bounds ``[-0.5, k - 0.5]``,
    so that each valid level gets the same weight).
    """

    def __init__(self, name, values, dim=None, scale=None):
        self.name = name
        numeric = all(_is_number(v) for v in values)
        if scale is None:
            if isinstance(dim, Categorical) or not numeric:
                scale = "categorical"
            elif dim is not None:
                scale = "log" if dim.is_log else "linear"
            else:
                positive = min(values) > 0
                scale = "log" if positive and max(values) / min(values) >= 100 else "linear"
        if scale not in ("linear", "log", "categorical"):
            raise ValueError(
                f"The scale of {name!r} must be 'linear', 'log' or "
                f"'categorical', got {scale!r}."
            )
        if scale != "categorical" and not numeric:
            raise ValueError(
                f"{name!r} has non-numeric values, so its scale must be "
                f"'categorical', got {scale!r}."
            )
        if scale == "log" and min(values) <= 0:
            raise ValueError(
                f"{name!r} has values <= 0 (min {min(values)!r}), so it cannot "
                f"be on a log scale. Use scales={{{name!r}: 'linear'}}."
            )
        self.kind = scale
        self.integer = numeric and all(float(v).is_integer() for v in values)
        if scale == "categorical":
            labels = sorted({_label(v) for v in values})
            self.levels = labels
            self.lo, self.hi = -0.5, len(labels) - 0.5
        else:
            self.levels = None
            self.lo, self.hi = self._bounds(values, dim)

    def _warp(self, values):
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.kind == "log" else values

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

    def grid(self):
        if self.kind == "categorical":
            return np.arange(len(self.levels), dtype=float)
        step = (self.hi - self.lo) / _GRID_POINTS
        return self.lo + step * (np.arange(_GRID_POINTS) + 0.5)

    def values(self, coords):
        """Coordinates back to parameter values (labels for categoricals)."""
        if self.kind == "categorical":
            return [self.levels[int(c)] for c in coords]
        values = np.exp(coords) if self.kind == "log" else np.asarray(coords)
        return [float(v) for v in values]


def _dimensions(raw_spaces):
    """Dimension of each parameter named in a search's spaces, when parseable."""
    if raw_spaces is None:
        return {}
    if hasattr(raw_spaces, "as_dict"):
        raw_spaces = raw_spaces.as_dict()
    items = [raw_spaces] if isinstance(raw_spaces, dict) else list(raw_spaces)
    dims = {}
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], dict):
            item = item[0]
        if hasattr(item, "as_dict"):
            item = item.as_dict()
        if not isinstance(item, dict):
            continue
        for name, value in item.items():
            if name in dims:
                continue  # the first subspace naming a parameter decides
            try:
                dims[name] = to_dimension(value, name)
            except Exception:  # an unusual form: fall back on inference
                continue
    return dims
