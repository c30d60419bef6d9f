"""Hyperband's bracket arithmetic, kept free of any estimator.

Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018,
Algorithm 1. With ``R`` the maximum resource per candidate, ``r_min`` the
minimum and ``eta`` the factor:

* ``s_max = floor(log_eta(R / r_min))``, computed exactly as the largest
  ``s`` with ``r_min * eta**s <= R`` (no floating-point logarithm);
* bracket ``s`` (for ``s = s_max, ..., 0``) starts
  ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` new candidates at resource
  ``r = R * eta**-s``;
* rung ``i`` (``i = 0, ..., s``) runs ``n_i`` candidates at ``r_i = r * eta**i``
  and keeps the best ``floor(n_i / eta)`` for the next rung.

Resources are integers here (splits, samples, iterations), so ``r_i`` is
``floor(R / eta**(s - i))``; the last rung of every bracket is exactly ``R``.
For an integer ``eta`` every value equals the paper's.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import pandas as pd

__all__ = ["hyperband_brackets", "hyperband_schedule"]


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _exact(factor):
    # Integer factors use exact rational arithmetic, so that e.g. 81 / 3**4 is
    # exactly 1 and never 0.9999999; other factors go through float.
    return Fraction(int(factor)) if float(factor).is_integer() else Fraction(factor)


def _check(max_resources, min_resources, factor, n_brackets):
    if not _is_int(max_resources) or max_resources < 1:
        raise ValueError(
            f"max_resources must be a positive integer, got {max_resources!r}."
        )
    if not _is_int(min_resources) or min_resources < 1:
        raise ValueError(
            f"min_resources must be a positive integer, got {min_resources!r}."
        )
    if min_resources > max_resources:
        raise ValueError(
            f"min_resources must not exceed max_resources, got "
            f"min_resources={min_resources} > max_resources={max_resources}. "
            f"Lower min_resources or raise max_resources."
        )
    if (not isinstance(factor, numbers.Real) or isinstance(factor, bool)
            or not factor >= 2):
        raise ValueError(
            f"factor must be a number >= 2 (each rung keeps 1/factor of its "
            f"candidates), got factor={factor!r}. Use the usual factor=3."
        )
    if n_brackets != "all" and (not _is_int(n_brackets) or n_brackets < 1):
        raise ValueError(
            f"n_brackets must be 'all' or a positive integer, got {n_brackets!r}."
        )


def hyperband_brackets(max_resources, min_resources=1, factor=3, n_brackets="all",
                       *, n_points=None):
    """The (n_candidates, n_resources) of every rung of every bracket.

    Parameters
    ----------
    max_resources : int
        ``R``, the resource of a full evaluation.
    min_resources : int, default=1
        ``r_min``, the smallest resource a rung may use.
    factor : float, default=3
        ``eta``, at least 2.
    n_brackets : "all" or int, default="all"
        Run only the ``n_brackets`` most aggressive brackets
        (``s = s_max, s_max - 1, ...``), with the candidate counts of the full
        schedule.
    n_points : int, default=None
        The number of distinct points of a finite search space (None: more
        than any schedule draws). No bracket starts more candidates than
        the points its predecessors left: a bracket cut to ``n`` keeps
        ``floor(n / eta)`` per rung as usual (at least one), and a bracket
        with no point left is dropped, with those after it.

    Returns
    -------
    brackets : list of (s, list of (n_candidates, n_resources))
        In running order, ``s`` decreasing.

    Examples
    --------
    >>> from skhpo._schedule import hyperband_brackets
    >>> hyperband_brackets(9, factor=3)
    [(2, [(9, 1), (3, 3), (1, 9)]), (1, [(5, 3), (1, 9)]), (0, [(3, 9)])]
    >>> hyperband_brackets(9, factor=3, n_points=12)  # a grid of 12 points
    [(2, [(9, 1), (3, 3), (1, 9)]), (1, [(3, 3), (1, 9)])]
    """
    _check(max_resources, min_resources, factor, n_brackets)
    eta = _exact(factor)
    s_max = 0
    while min_resources * eta ** (s_max + 1) <= max_resources:
        s_max += 1
    if n_brackets == "all":
        n_brackets = s_max + 1
    elif n_brackets > s_max + 1:
        raise ValueError(
            f"n_brackets={n_brackets} exceeds the {s_max + 1} brackets that "
            f"fit between min_resources={min_resources} and "
            f"max_resources={max_resources} with factor={factor} "
            f"(s_max = floor(log_factor(max/min)) = {s_max}). Use "
            f"n_brackets='all' or at most {s_max + 1}."
        )
    if n_points is not None and (not _is_int(n_points) or n_points < 1):
        raise ValueError(
            f"n_points must be a positive integer (the number of points of a "
            f"finite space) or None, got n_points={n_points!r}.")
    brackets = []
    left = math.inf if n_points is None else n_points
    for s in range(s_max, s_max - n_brackets, -1):
        n = min(math.ceil(Fraction(s_max + 1, s + 1) * eta ** s), left)
        if n == 0:
            break
        left -= n
        rungs = []
        for i in range(s + 1):
            r = math.floor(Fraction(max_resources) / eta ** (s - i))
            rungs.append((n, max(r, min_resources)))
            # Li et al. keep floor(n_i / eta); at least one survives, which
            # only matters for a non-integer factor.
            n = max(1, math.floor(Fraction(n) / eta))
        brackets.append((s, rungs))
    return brackets


def hyperband_schedule(max_resources, min_resources=1, factor=3, n_brackets="all",
                       *, resource="n_splits", n_splits=5, n_points=None):
    """Preview Hyperband's brackets and their cost in fold-fits, before fitting.

    One row per rung. With ``resource="n_splits"`` a candidate promoted from
    ``r_i`` to ``r_(i+1)`` splits is fitted only on the splits it lacks, so a
    rung costs ``n_candidates * (r_i - r_(i-1))`` new fold-fits. With any
    other resource (``"n_samples"`` or an estimator parameter) the candidate
    is refitted on every one of the ``n_splits`` splits at each rung, so a rung
    costs ``n_candidates * n_splits`` fold-fits (each on a smaller budget).

    Parameters
    ----------
    max_resources : int
        ``R``, the budget of a full evaluation (for ``"n_splits"``, the number
        of CV splits, e.g. 9 for ``RepeatedStratifiedKFold(n_splits=3,
        n_repeats=3)``).
    min_resources : int, default=1
        Smallest budget of a rung.
    factor : float, default=3
        Keep the best ``1/factor`` of each rung; at least 2.
    n_brackets : "all" or int, default="all"
        How many of the most aggressive brackets to run.
    resource : str, default="n_splits"
        What the budget counts; only ``"n_splits"`` reuses earlier fits.
    n_splits : int, default=5
        CV splits per evaluation, used when ``resource != "n_splits"``.
    n_points : int, default=None
        The number of distinct points of a finite search space (None: more
        than any schedule draws). No bracket starts more candidates than the
        points its predecessors left: a bracket cut to ``n`` keeps
        ``floor(n / eta)`` per rung as usual (at least one), and a bracket
        with no point left is dropped, with those after it.

    Returns
    -------
    schedule : pandas.DataFrame
        Columns ``bracket`` (Li et al.'s ``s``), ``rung``, ``n_candidates``,
        ``n_resources``, ``fold_fits`` (new fold-fits of the rung) and
        ``cumulative_fold_fits``; ``schedule.attrs["total_fold_fits"]`` is the
        total cost of the search, the refit excluded.

    See Also
    --------
    HyperbandSearchCV.schedule : the same table for a configured search.

    Notes
    -----
    Brackets follow Li et al., JMLR 2018, Algorithm 1; BOHB (Falkner, Klein and
    Hutter, ICML 2018) runs the same brackets with model-based sampling.

    Examples
    --------
    Nine repeated splits (3 folds x 3 repeats) and factor 3 give budgets of
    1, 3 and 9 splits:

    >>> from skhpo.hyperband import hyperband_schedule
    >>> table = hyperband_schedule(9, factor=3)
    >>> print(table.to_string(index=False))
     bracket  rung  n_candidates  n_resources  fold_fits  cumulative_fold_fits
           2     0             9            1          9                     9
           2     1             3            3          6                    15
           2     2             1            9          6                    21
           1     0             5            3         15                    36
           1     1             1            9          6                    42
           0     0             3            9         27                    69
    >>> table.attrs["total_fold_fits"]
    69
    """
    if not isinstance(resource, str):
        raise ValueError(f"resource must be a string, got {resource!r}.")
    if resource != "n_splits" and (not _is_int(n_splits) or n_splits < 1):
        raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}.")
    rows = []
    total = 0
    for s, rungs in hyperband_brackets(max_resources, min_resources, factor,
                                       n_brackets, n_points=n_points):
        previous = 0
        for i, (n_candidates, n_resources) in enumerate(rungs):
            if resource == "n_splits":
                fold_fits = n_candidates * (n_resources - previous)
            else:
                fold_fits = n_candidates * n_splits
            previous = n_resources
            total += fold_fits
            rows.append({"bracket": s, "rung": i, "n_candidates": n_candidates,
                         "n_resources": n_resources, "fold_fits": fold_fits,
                         "cumulative_fold_fits": total})
    table = pd.DataFrame(rows)
    table.attrs["total_fold_fits"] = int(total)
    return table
