"""Longest fits first: the order in which a call's fits go to the workers.

Workers take fits in the order given. When the expensive fits come last, one
worker is still running them while the others, out of work, wait: with two
candidates of a batch costing 10 ms and 100 ms a fit over 9 splits, the cheap
candidate first leaves the call about 10% longer than the expensive one
first. Sending the longest fits first (Graham's LPT rule, SIAM J. Appl. Math.
17(2), 1969) keeps the short ones for the end, where they fill the gaps.

A candidate's cost is the mean time of its fits so far (a promoted Hyperband
candidate); a new one's is a mean of its nearest timed candidates', weighted
by the inverse of the distance between their parameters. The order changes
when fits finish, never what they return.
"""

from __future__ import annotations

import math

import numpy as np

from .space import _is_number, value_key

_N_NEIGHBOURS = 3
_MAX_TIMED = 256


def longest_first(keys, params, durations):
    """``keys`` ((candidate id, split, resource)) by expected duration, longest
    first; the order is kept among equal or unknown durations, and entirely
    if the durations cannot be estimated (the order is only an optimisation).

    Parameters
    ----------
    keys : list of tuple
        The fits to run.
    params : dict
        Candidate id -> parameter dict, for every id in ``keys``.
    durations : dict
        Candidate id -> seconds per fit measured so far (any candidate).

    Examples
    --------
    >>> from skhpo._cost_order import longest_first
    >>> params = {0: {"n": 10}, 1: {"n": 100}, 2: {"n": 12}, 3: {"n": 90}}
    >>> keys = [(2, 0, None), (2, 1, None), (3, 0, None), (3, 1, None)]
    >>> longest_first(keys, params, {0: 0.01, 1: 0.1})  # 3 is near 1: slow
    [(3, 0, None), (3, 1, None), (2, 0, None), (2, 1, None)]
    """
    if not durations:
        return list(keys)
    new = [cid for cid in dict.fromkeys(key[0] for key in keys) if cid not in durations]
    # The latest timed candidates are enough neighbours, and keep the cost of
    # this (on joblib's dispatching thread) bounded.
    timed = list(durations)[-_MAX_TIMED:]
    try:
        with np.errstate(all="ignore"):
            scales = _scales([params[cid] for cid in timed + new]) if new else {}
            expected = {cid: _nearest_mean(params[cid], timed, params, durations, scales)
                        for cid in new}
    except (TypeError, ValueError, OverflowError):  # values no scale fits
        return list(keys)
    expected.update(durations)
    return sorted(keys, key=lambda key: -expected[key[0]])


def _nearest_mean(new, timed, params, durations, scales):
    """Duration of the timed candidates whose parameters are nearest, weighted
    by inverse distance (so that with two timed, the nearer one counts most)."""
    distances = np.array([_distance(new, params[cid], scales) for cid in timed])
    nearest = np.argsort(distances, kind="stable")[:_N_NEIGHBOURS]
    weights = 1.0 / (distances[nearest] + 1e-3)
    return float(np.average([durations[timed[i]] for i in nearest], weights=weights))


def _scales(params_list):
    """Per numeric parameter: (log?, span), so each adds at most 1 to a distance;
    a log scale where every value is positive and they span a decade or more."""
    scales = {}
    names = {name for p in params_list for name in p}
    for name in names:
        values = [p[name] for p in params_list if name in p]
        if not values or not all(_is_number(v) and math.isfinite(v) for v in values):
            continue
        values = np.array([float(v) for v in values])
        log = values.min() > 0 and values.max() >= 10 * values.min()
        mapped = np.log(values) if log else values
        span = float(np.ptp(mapped))
        scales[name] = (log, span if math.isfinite(span) and span > 0 else 1.0)
    return scales


def _distance(a, b, scales):
    """Euclidean over the parameters; 1 for a differing category or a name
    only one of the two has."""
    total = 0.0
    for name in a.keys() | b.keys():
        if name not in a or name not in b:
            total += 1.0
        elif name in scales:
            log, span = scales[name]
            x, y = float(a[name]), float(b[name])
            if log:
                x, y = math.log(x), math.log(y)
            total += ((x - y) / span) ** 2
        elif value_key(a[name]) != value_key(b[name]):
            total += 1.0
    return math.sqrt(total)
