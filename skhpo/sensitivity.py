"""Which hyperparameters matter: a sensitivity report from any search.

:func:`sensitivity_report` reads the ``cv_results_`` of a fitted search (skhpo
or scikit-learn, or the results alone), fits a random-forest surrogate of the
score and decomposes its variance by functional ANOVA (Hutter, Hoos and
Leyton-Brown, ICML 2014), with bootstrap intervals, pairwise interactions,
marginal curves, a top-quantile importance after PED-ANOVA (Watanabe et al.,
IJCAI 2023) and diagnostics. The tree maths lives in :mod:`skhpo._fanova`.
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import RandomForestRegressor
from sklearn.utils import check_random_state

from . import _fanova
from ._frames import check_params_are_dicts, metric_from_column, results_of
from ._grid_anova import GridDecomposition, complete_grid, grid_table
from ._persistence import stored_dimensions, stored_scales
from ._sensitivity_params import _label, _Param, declared_spaces, dimensions
from ._sensitivity_plots import (
    ImportanceDisplay,
    InteractionDisplay,
    MarginalDisplay,
    PairMarginalDisplay,
)

__all__ = [
    "ImportanceDisplay",
    "InteractionDisplay",
    "MarginalDisplay",
    "PairMarginalDisplay",
    "SensitivityReport",
    "sensitivity_report",
]

# Below this many analysed trials a forest of the score is meaningless.
MIN_TRIALS = 8
_PAIR_GRID_POINTS = 30
# Share of the observed score variance a parameter must account for
# (total effect x out-of-bag R^2) to be flagged important.
IMPORTANT_SHARE = 0.05
# ... and, on a complete grid, its effect must pass an F test against the
# fold noise at this level (chance differences between a few cells are large).
IMPORTANT_ALPHA = 0.05
# Below this p-value the trials are said to be concentrated (an optimizer's):
# small, so that the draws of a random search are almost never flagged.
_CONCENTRATION_P = 1e-3
_CI_LEVEL = 0.9


# --------------------------------------------------------------------------
# Input: search or results -> columns, spaces, metric, budget
# --------------------------------------------------------------------------

def _load(search_or_results):
    """Return (results as a dict of columns, raw spaces or None, refit)."""
    results, refit = results_of(search_or_results)
    # A search declares its spaces; results alone (load_results') do not.
    spaces = (declared_spaces(search_or_results)
              if hasattr(search_or_results, "get_params") else None)
    return dict(results), spaces, refit


def _param_dicts(results):
    """One dict of parameter values per row; missing parameters are absent."""
    if "params" in results:
        check_params_are_dicts(results["params"])
        return [dict(p) for p in results["params"]]
    names = [k[len("param_"):] for k in results if k.startswith("param_")]
    if not names:
        raise ValueError(
            "The results have neither a 'params' column nor 'param_<name>' "
            "columns, so the parameters are unknown. Pass the cv_results_ of a "
            "search, or a DataFrame made from one."
        )
    n_rows = len(results["param_" + names[0]])
    rows = [{} for _ in range(n_rows)]
    for name in names:
        column = results["param_" + name]
        mask = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else None
        for i, value in enumerate(list(column)):
            # Masked (a dict) or NaN (a DataFrame): this row has no such param.
            if (mask is not None and mask[i]) or (
                    isinstance(value, float) and math.isnan(value)):
                continue
            rows[i][name] = value
    return rows


def _select_metric(results, metric, refit):
    available = sorted(k[len("mean_test_"):] for k in results
                       if k.startswith("mean_test_"))
    if not available:
        raise ValueError(
            "The results have no 'mean_test_<metric>' column. Pass the "
            "cv_results_ of a fitted search."
        )
    if metric is None:
        if "score" in available:
            metric = "score"
        elif isinstance(refit, str) and refit in available:
            metric = refit
        elif len(available) == 1:
            metric = available[0]
        else:
            raise ValueError(
                f"The search scored several metrics {available}; choose one "
                f"with metric=..., e.g. metric={available[0]!r}."
            )
    metric = metric_from_column(metric, available)
    if metric not in available:
        raise ValueError(
            f"metric={metric!r} is not in the results: they hold "
            f"{available}. Pass one of these names (without 'mean_test_')."
        )
    return metric


def _budget_column(results):
    for column in ("n_resources", "iter"):
        if column in results:
            return column
    return None


def _candidate_key(params):
    return repr(sorted((k, repr(v)) for k, v in params.items()))


def _candidate_keys(results, dicts, budgets):
    """One key per candidate, the same at every budget.

    Hyperband's rows carry a ``candidate_id``. scikit-learn's halving
    searches with an estimator parameter as the resource put the budget in
    ``params``; a parameter equal to the budget on every row is left out.
    """
    if "candidate_id" in results:
        return list(results["candidate_id"])
    budget_params = {name for name in set().union(*dicts)
                     if all(d.get(name) == b for d, b in zip(dicts, budgets))}
    return [_candidate_key({k: v for k, v in d.items() if k not in budget_params})
            for d in dicts]


def _budget_correlation(budgets, keys, scores):
    """Spearman between the scores of the same candidates at two budgets."""
    rows = []
    levels = sorted(set(budgets))
    for i, low in enumerate(levels):
        for high in levels[i + 1:]:
            at = {}
            for level in (low, high):
                frame = pd.DataFrame({"key": keys, "score": scores, "b": budgets})
                frame = frame[(frame.b == level) & np.isfinite(frame.score)]
                at[level] = frame.groupby("key").score.mean()
            common = at[low].index.intersection(at[high].index)
            if len(common) < 3:
                continue
            rho, p_value = _spearman(at[low][common], at[high][common])
            rows.append({"budget_low": low, "budget_high": high,
                         "n_candidates": len(common), "spearman_rho": rho,
                         "p_value": p_value, "strength": _strength(rho)})
    return pd.DataFrame(rows, columns=["budget_low", "budget_high", "n_candidates",
                                       "spearman_rho", "p_value", "strength"])


# Up to this many values, Spearman's p-value comes from every ordering (8! =
# 40320): scipy's t approximation says p = 0 for any perfect correlation, even
# of three candidates, where the exact two-sided value is 1/3.
_EXACT_SPEARMAN_MAX_N = 8


def _spearman(x, y):
    """Spearman's rho and its two-sided p-value, exact for few values."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant input: rho is NaN
        rho, p_value = stats.spearmanr(x, y)
    if x.size > _EXACT_SPEARMAN_MAX_N or not np.isfinite(rho):
        return float(rho), float(p_value)
    # rho is the correlation of the ranks: compare it with the correlation
    # under every ordering of y's ranks.
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    orderings = ry[np.array(list(itertools.permutations(range(x.size))))]
    rx, orderings = rx - rx.mean(), orderings - orderings.mean(axis=1, keepdims=True)
    rhos = orderings @ rx / (np.linalg.norm(orderings, axis=1) * np.linalg.norm(rx))
    # A small tolerance: equal correlations differ in the last bits.
    p_value = np.mean(np.abs(rhos) >= abs(rho) - 1e-12)
    return float(rho), float(p_value)


def _strength(rho):
    # The labels of DeepCAVE's budget correlation, and "negative" for a low
    # budget that ranks the candidates the other way round.
    if not np.isfinite(rho):
        return "undefined"
    for bound, label in ((0.7, "very strong"), (0.4, "strong"), (0.2, "moderate")):
        if rho >= bound:
            return label
    return "negative" if rho <= -0.2 else "weak"


# --------------------------------------------------------------------------
# Surrogate and decomposition
# --------------------------------------------------------------------------

class _Fit:
    """A forest fitted to (coordinates, scores), decomposed."""

    def __init__(self, X, y, params, n_trees, rng, oob=False):
        X = X.copy()
        # Random level codes: trees split categoricals by code order, and a
        # fresh order per forest keeps any one order from shaping the answer.
        self.perms = {}
        for j, param in enumerate(params):
            if param.kind == "categorical":
                self.perms[j] = rng.permutation(len(param.levels)).astype(float)
                X[:, j] = self.perms[j][X[:, j].astype(int)]
        # Leaves of 3 trials smooth the noise of a few hundred trials; a
        # small grid needs every trial to resolve anything.
        forest = RandomForestRegressor(
            n_estimators=n_trees, max_features=1.0,
            min_samples_leaf=max(1, min(3, len(y) // 50)),
            oob_score=oob, random_state=rng.randint(np.iinfo(np.int32).max),
        )
        # Standardised scores: the tree maths subtracts squared means, which
        # loses every digit of a spread of 2 around -1e6 (an MSE in natural
        # units); the marginals are mapped back to score units.
        self.offset = float(np.mean(y))
        self.scale = float(np.std(y)) or 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # few trees for OOB
            forest.fit(X, (y - self.offset) / self.scale)
        self.oob_r2 = float(getattr(forest, "oob_score_", np.nan))
        lo = np.array([p.lo for p in params])
        hi = np.array([p.hi for p in params])
        self.groups = _fanova.decompose_forest(forest, lo, hi)
        self.main, self.pairs, self.total = _fanova.forest_effects(self.groups)
        # No test of the effects: out-of-bag R^2 guards against noise here.
        self.total_p = np.full(len(params), np.nan)

    def _grid(self, j, grid):
        return self.perms[j][grid.astype(int)] if j in self.perms else grid

    def marginal(self, j, grid):
        curve = _fanova.forest_marginal(self.groups, j, self._grid(j, grid))
        return self.offset + self.scale * curve

    def pair_marginal(self, a, b, grid_a, grid_b):
        surface = _fanova.forest_pair_marginal(
            self.groups, (a, b), (self._grid(a, grid_a), self._grid(b, grid_b)))
        return self.offset + self.scale * surface


def _forest_fits(X, y, plist, n_trees, n_bootstrap, rng, notes):
    """The forest surrogate of the trials, and those of bootstrap resamples."""
    full = _Fit(X, y, plist, n_trees, rng, oob=True)
    boot = []
    for _ in range(n_bootstrap):
        idx = rng.randint(0, len(y), len(y))
        # A resample can hold a single level of the only parameter that
        # varies (or equal scores): its forest explains nothing, and is left
        # out rather than failing the report.
        try:
            boot.append(_Fit(X[idx], y[idx], plist, n_trees, rng))
        except _fanova.ConstantSurrogateError:
            continue
    if len(boot) < n_bootstrap:
        notes.append(f"{n_bootstrap - len(boot)} of {n_bootstrap} bootstrap resamples "
                     f"gave a constant surrogate and were left out of the intervals.")
    return full, boot


def _grid_fits(grid, y, splits, n_bootstrap, rng, notes):
    """The exact decomposition of a complete grid, and those of resampled splits.

    The grid's trials are not a sample of configurations, so the bootstrap
    resamples what is random in their scores: the CV splits.
    """
    levels, cells = grid
    complete = splits is not None and splits.shape[1] >= 2 and np.isfinite(splits).all()
    # The fold noise in each cell inflates every effect (pure noise would
    # look important): it is removed, and oob_r2 is the share left.
    noise, noise_df = _mean_score_noise(splits) if complete else (np.nan, 0)
    if not np.isfinite(noise):
        noise, noise_df = 0.0, 0
    full = GridDecomposition(levels, grid_table(levels, cells, y), noise, noise_df)
    boot = []
    if complete:
        n_splits = splits.shape[1]
        # A resample's means vary around the table's by (k - 1) / k of the
        # noise of a mean over k splits.
        boot_noise = noise * (n_splits - 1) / n_splits
        for _ in range(n_bootstrap):
            scores = splits[:, rng.randint(0, n_splits, n_splits)].mean(axis=1)
            try:
                boot.append(GridDecomposition(
                    levels, grid_table(levels, cells, scores), boot_noise))
            except ValueError:  # the resampled splits tie every trial
                continue
        how = ("the fold noise in the scores is removed from each effect, and the "
               "intervals resample the CV splits")
    else:
        how = ("the split scores are missing or incomplete, so the effects include "
               "the scores' noise and have no intervals")
    notes.append("The trials are a complete grid (every combination of the values "
                 "tried, once): marginals are the grid's exact means and effects the "
                 "variance components of its table, with the values tried weighted "
                 f"equally, not a surrogate's; {how}.")
    return full, boot


def _interval(estimate, samples, share=False):
    """Bootstrap percentile interval, re-centred on the full-data estimate.

    A bootstrap forest sees about 63% distinct trials and fits more coarsely,
    which shifts its shares; moving the percentiles by (estimate - median)
    keeps that bias out of the interval. Shares are clipped to [0, 1].
    """
    estimate = np.asarray(estimate, dtype=float)
    if len(samples) == 0:
        return np.full(estimate.shape, np.nan), np.full(estimate.shape, np.nan)
    alpha = (1 - _CI_LEVEL) / 2
    samples = np.asarray(samples, dtype=float)
    shift = estimate - np.median(samples, axis=0)
    low = np.quantile(samples, alpha, axis=0) + shift
    high = np.quantile(samples, 1 - alpha, axis=0) + shift
    if share:
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    return low, high


def _direction(curve, main_effect):
    """Rule: flat under 1% main effect; increasing (decreasing) when the falls
    (rises) of the marginal add up to at most a quarter of its rises (falls)."""
    if main_effect < 0.01:
        return "flat"
    steps = np.diff(curve)
    rise, fall = steps[steps > 0].sum(), -steps[steps < 0].sum()
    if fall <= 0.25 * rise:
        return "increasing"
    if rise <= 0.25 * fall:
        return "decreasing"
    return "non-monotone"


def _good_range(param, marginal, grid, curve, slack):
    """Best value, and the values whose marginal is within ``slack`` of its
    maximum (a contiguous interval around the best value for numbers).

    Values a user can set: a categorical's own values (not their labels), a
    grid's tried values (not a point between two of them), and a continuous
    range within the one searched. ``marginal(coords)`` evaluates the
    parameter's marginal at its coordinates.
    """
    if param.kind != "categorical" and param.is_grid:
        grid = param.coords(param.tried)
        curve = marginal(grid)
    best = int(np.argmax(curve))
    good = curve >= curve[best] - slack
    if param.kind == "categorical":
        values = [param.value_of(label) for label in param.values(grid)]
        return values[best], tuple(v for v, g in zip(values, good) if g)
    low = high = best
    while low > 0 and good[low - 1]:
        low -= 1
    while high < len(good) - 1 and good[high + 1]:
        high += 1
    # A grid's own values (exp(log(1000)) is 999.9999999999998).
    values = list(param.tried) if param.is_grid else param.values(grid)
    best_value = values[best]
    if param.is_grid:
        low, high = values[low], values[high]
    else:
        # The outer edges of the good grid cells, within the searched range.
        half = (grid[1] - grid[0]) / 2
        low, high = np.clip(param.values([grid[low] - half, grid[high] + half]),
                            *param.range)
        best_value = float(np.clip(best_value, *param.range))
    if param.integer:
        return (int(round(best_value)),
                (int(math.ceil(low - 1e-9)), int(math.floor(high + 1e-9))))
    return best_value, (float(low), float(high))


def _top_quantile_importance(param, coords, scores, quantile):
    """Share of the variance of 1[score in the top quantile] explained by the
    parameter alone, by the Pearson divergence of PED-ANOVA (Watanabe et al.,
    2023): ``gamma / (1 - gamma) * (integral p_top**2 / p_all - 1)``."""
    n = len(scores)
    n_top = max(2, int(math.ceil(quantile * n)))
    if n_top >= n:
        return np.nan
    # The trials tied at the cut share its last places, so that neither the
    # order of the trials nor an arbitrary tie-break picks the top ones.
    cut = np.sort(scores)[::-1][n_top - 1]
    above, tied = scores > cut, scores == cut
    in_top = above.astype(float)
    in_top[tied] = (n_top - above.sum()) / tied.sum()
    gamma = n_top / n
    if param.kind == "categorical":
        k = len(param.levels)
        p_all = np.bincount(coords.astype(int), minlength=k) + 0.5
        p_top = np.bincount(coords.astype(int), weights=in_top, minlength=k) + 0.5
        p_all, p_top = p_all / p_all.sum(), p_top / p_top.sum()
        divergence = np.sum(p_top**2 / p_all) - 1
    else:
        grid = np.linspace(param.lo, param.hi, 200)
        p_all = _kde(coords, grid, param)
        p_top = _kde(coords[in_top > 0], grid, param, in_top[in_top > 0])
        # Both densities are normalised to sum to 1 over the even grid.
        divergence = np.sum(p_top**2 / p_all) - 1
    return float(np.clip(gamma / (1 - gamma) * divergence, 0.0, 1.0))


def _kde(points, grid, param, weights=None):
    # Scott's rule, floored at 5% of the range so that a few tied points
    # (a grid) still give a smooth density.
    weights = np.ones(len(points)) if weights is None else np.asarray(weights)
    span = param.hi - param.lo
    mean = np.average(points, weights=weights)
    spread = np.sqrt(np.average((points - mean) ** 2, weights=weights))
    bandwidth = max(1.06 * spread * weights.sum() ** -0.2, 0.05 * span)
    kernels = stats.norm.pdf((grid[:, None] - points[None, :]) / bandwidth)
    density = kernels @ weights
    density = density + 1e-12
    return density / density.sum()


def _split_scores(results, metric, rows):
    """The analysed trials' split scores, (trials x splits), or None.

    Splits no analysed trial ran (Hyperband's budget of 3 of 9 splits) are
    left out; a trial may still miss some of the others.
    """
    pattern = re.compile(rf"split(\d+)_test_{re.escape(metric)}$")
    columns = sorted((int(m.group(1)), k) for k in results
                     if (m := pattern.match(k)))
    if not columns:
        return None
    splits = np.array([np.asarray(results[k], dtype=float)[rows] for _, k in columns]).T
    return splits[:, np.isfinite(splits).any(axis=0)]


def _mean_score_noise(splits):
    """Variance of a trial's mean score due to its folds, and its degrees of
    freedom; ``(nan, 0)`` without enough split scores.

    Two-way decomposition of the split scores (trials x folds): the residual
    after removing trial and fold means is the noise that can reorder trials;
    its variance, over ``k`` folds, is that of a mean.
    """
    if splits is None:
        return np.nan, 0
    splits = splits[np.all(np.isfinite(splits), axis=1)]  # trials missing a split
    n, k = splits.shape
    if n < 3 or k < 2:
        return np.nan, 0
    residual = (splits - splits.mean(axis=1, keepdims=True)
                - splits.mean(axis=0, keepdims=True) + splits.mean())
    df = (n - 1) * (k - 1)
    return float(np.sum(residual**2) / df / k), df


def _fold_noise_share(splits):
    """Share of the variance of the mean scores (of the trials x splits
    ``splits``, or None) that is fold noise."""
    noise, _ = _mean_score_noise(splits)
    if not np.isfinite(noise):
        return np.nan
    spread = np.var(splits[np.all(np.isfinite(splits), axis=1)].mean(axis=1), ddof=1)
    return float(min(1.0, noise / spread)) if spread > 0 else np.nan


# --------------------------------------------------------------------------
# The facade
# --------------------------------------------------------------------------

def sensitivity_report(search_or_results, *, metric=None, params=None,
                       budget=None, n_trees=32, n_bootstrap=16, scales=None,
                       top_quantile=0.1, tolerance=0.1, random_state=None):
    """Which hyperparameters matter, how much, with whom, and where.

    Fits a random forest to the trials of a search (parameter values to mean
    test score) and decomposes its variance by functional ANOVA (fANOVA,
    Hutter, Hoos and Leyton-Brown, ICML 2014), integrating each tree's leaves
    exactly over the search space:

    * a log-scale parameter is integrated uniformly in log space;
    * a categorical is integrated over its valid levels, each with the same
      weight (never over one-hot boxes);
    * shares are of the surrogate's variance and are not rescaled: main
      effects plus pairwise interactions leave a higher-order remainder, and
      the variance the surrogate does not explain (``1 - OOB R^2``, noise and
      model error) is reported in ``diagnostics``.

    Intervals are 90% percentile intervals over ``n_bootstrap`` forests, each
    fitted to trials resampled with replacement and a fresh seed, re-centred
    on the full-data estimate. They cover the variability of the forest fit
    over the trials, not the forest's bias: a forest smooths, so it
    overstates the largest effect and shrinks small ones and interactions
    toward zero. Measured on ``a + 0.5 b c`` with uniform parameters and 200
    trials, the shares came out 0.94 / 0.02 / 0.002 (a / b / b x c) for true
    0.87 / 0.05 / 0.02, with intervals excluding the truth, and a pure
    interaction of b and c can be missed altogether. The forest's partition
    also makes pair shares of about 0.005 out of additive effects (a x b and
    a x c above, with intervals excluding 0), so below about 0.01 the ranking
    of pairs, and the pair ``top_pair_marginal`` shows, are not evidence of
    an interaction. Read the ranking and
    the large effects; treat a small or zero share, and a large
    ``unexplained_share`` in ``diagnostics``, as "not resolved by these
    trials" rather than "does not matter".

    A complete grid (every combination of the values tried, each once, as a
    full ``GridSearchCV``, and no other parameter varying) is decomposed
    without a forest: the functional ANOVA of its score table, with the
    values tried weighted equally, is a set of means of the table
    (:mod:`skhpo._grid_anova`), so the marginals are the grid's group means.
    Each mean carries the noise of its CV splits, which alone would make
    every parameter look important: each variance component is corrected
    for it (a random-effects ANOVA with the splits as replicates), ``oob_r2``
    is the share of the table's variance left once the noise is removed,
    and the intervals resample the CV splits instead of the trials.

    Parameters
    ----------
    search_or_results : fitted search, dict, DataFrame or loaded results
        A fitted skhpo or scikit-learn search (``GridSearchCV``,
        ``RandomizedSearchCV``, ``Halving*SearchCV``), its ``cv_results_``
        dict, a DataFrame of one, or what :func:`skhpo.load_results` returns.
        A search gives each parameter's scale and range, and so do results
        loaded from :func:`skhpo.save_results` (the same report as on the
        search; older files without ranges give the scale only).
        From results alone a numeric parameter is taken as
        log-scale when its values are positive, span at least two decades and
        spread more evenly on the log scale than on the linear one (a note
        says so), and any non-numeric parameter (strings, None, estimators)
        as categorical.
    metric : str, default=None
        Which ``mean_test_<metric>`` to analyse. Defaults to ``"score"``, or
        the search's ``refit`` metric, or the only metric.
    params : list of str, default=None
        Parameters to analyse. By default those present in every analysed
        trial (a list-of-dicts space leaves some out of some trials; they are
        named in the warnings). When given, only the trials that have all of
        them are analysed.
    budget : number, default=None
        For Hyperband or successive-halving results (an ``n_resources`` or
        ``iter`` column), which budget to analyse. By default the largest
        budget with at least ``MIN_TRIALS`` (8) successful trials whose
        scores are not all equal (the few survivors of a halving search
        often tie).
    n_trees : int, default=32
        Trees of each forest.
    n_bootstrap : int, default=16
        Bootstrap forests for the intervals; 0 skips the intervals.
    scales : dict of str -> {"linear", "log", "categorical"}, default=None
        Override the scale of some parameters.
    top_quantile : float, default=0.1
        The top fraction of trials for ``top_quantile_importance``.
    tolerance : float, default=0.1
        A value is in a parameter's good range when its marginal is within
        ``tolerance * R`` of the marginal's maximum, where ``R`` is the
        largest range (max - min) of any parameter's marginal: a tenth of the
        strongest parameter's effect by default.
    random_state : int, RandomState instance or None, default=None
        Seeds the forests and the bootstrap.

    Returns
    -------
    SensitivityReport

    See Also
    --------
    SensitivityReport : the tables, diagnostics and plots.

    Notes
    -----
    Columns of ``importances``: ``main_effect`` (variance share of the
    parameter alone), ``total_effect`` (share that vanishes when it is averaged
    out: main effect plus every interaction it is in), both with intervals;
    ``spearman_rho`` and ``spearman_pvalue`` (numeric parameters only; blind to
    non-monotone effects); ``direction`` of the marginal; ``best_value`` and
    ``good_range`` (values to set: a categorical's own values, a grid's tried
    values (at most 12 distinct), else a range within the one searched);
    ``top_quantile_importance``, after PED-ANOVA (Watanabe,
    Bansal and Hutter, IJCAI 2023): the share of the variance of "trial is in
    the top ``top_quantile``" that the parameter explains alone, from the
    Pearson divergence of the top trials' density to all trials' density.

    ``important`` is True when ``total_effect * max(oob_r2, 0) >= 0.05``: the
    parameter, alone or with others, accounts for at least 5% of the variance
    of the observed scores. A parameter whose effect is non-monotone (low
    Spearman) is still important by this rule. On a complete grid, whose
    effects are the noise-corrected variance components of its score table,
    the total effect must also pass an F test against the fold noise
    (p < 0.05): on a few cells, noise alone makes shares of 5% common.

    Groups of four trees are averaged before the decomposition, a departure
    from Hutter et al. who decompose single trees: one tree's partition of an
    additive function adds spurious interactions, which averaging cancels.

    The importances describe the region the trials explored; when an optimizer
    concentrated them, ``diagnostics["warnings"]`` says so.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.sensitivity import sensitivity_report
    >>> rng = np.random.RandomState(0)
    >>> params = [{"alpha": a, "beta": b}
    ...           for a, b in rng.uniform(-1, 1, size=(100, 2))]
    >>> results = {"params": params,
    ...            "mean_test_score": [-p["alpha"] ** 2 for p in params]}
    >>> report = sensitivity_report(results, n_trees=16, n_bootstrap=0,
    ...                             random_state=0)
    >>> report.importances[["param", "direction", "important"]]
       param     direction  important
    0  alpha  non-monotone       True
    1   beta          flat      False
    >>> round(float(report.importances.main_effect[0]), 1)
    1.0
    >>> round(float(report.importances.spearman_rho[0]), 1)
    -0.0
    """
    for name, value, low in (("n_trees", n_trees, 1), ("n_bootstrap", n_bootstrap, 0)):
        if not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    if not 0 < top_quantile < 1:
        raise ValueError(f"top_quantile must be in (0, 1), got {top_quantile!r}.")
    if not 0 <= tolerance <= 1:
        raise ValueError(f"tolerance must be in [0, 1], got {tolerance!r}.")
    rng = check_random_state(random_state)
    results, raw_spaces, refit = _load(search_or_results)
    metric = _select_metric(results, metric, refit)
    notes = []
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    dicts = _param_dicts(results)
    keep, budget, budget_table = _apply_budget(results, scores, dicts, budget, notes)
    n_failed = int(np.sum(keep & ~np.isfinite(scores)))
    if n_failed:
        notes.append(f"{n_failed} trials failed (NaN score) and were left out.")
    # A pruned trial's mean covers its first few splits only. (results_frame
    # marks it in its status column.)
    marked = (np.asarray(results["pruned"], dtype=bool) if "pruned" in results else
              np.asarray(results["status"]) == "pruned" if "status" in results else None)
    if marked is not None:
        pruned = keep & np.isfinite(scores) & marked
        if pruned.any():
            keep = keep & ~pruned
            notes.append(f"{int(pruned.sum())} pruned trials (scored on a few splits "
                         f"only) were left out.")
    rows = np.flatnonzero(keep & np.isfinite(scores))
    n_before_params = len(rows)
    names, rows = _choose_params(dicts, rows, params, notes)
    if len(rows) < MIN_TRIALS:
        if len(rows) < n_before_params:
            fix = (f"params={names} kept only the {len(rows)} of {n_before_params} "
                   f"trials that have all of them; analyse fewer parameters (leave "
                   f"out those of one branch of a list-of-dicts space).")
        elif budget is None:
            fix = ("Run a search with more candidates first (a larger n_iter, or "
                   "more values in a grid).")
            if n_failed:
                fix = (f"{n_failed} of {int(keep.sum())} trials failed (NaN score): "
                       f"see why in the search's FitFailedWarning (or rerun with "
                       f"error_score='raise'), then fix the space or the estimator.")
        else:
            column = _budget_column(results)
            counts = pd.Series(np.asarray(results[column])[np.isfinite(scores)])
            fix = (f"Trials per budget: {counts.value_counts().sort_index().to_dict()}; "
                   f"pass budget=<one with enough trials>, or search more candidates.")
        raise ValueError(
            f"A sensitivity report needs at least {MIN_TRIALS} successful "
            f"trials, got {len(rows)}{'' if budget is None else f' at budget {budget}'}"
            f". {fix}"
        )
    dims = dimensions(raw_spaces)
    if scales is not None and not isinstance(scales, Mapping):
        raise TypeError(f"scales must be a dict of parameter name -> 'linear', 'log' or "
                        f"'categorical', e.g. {{{names[0]!r}: 'log'}}, got {scales!r}.")
    scales = dict(scales or {})
    unknown = sorted(set(scales) - set(names))
    if unknown:
        raise ValueError(f"scales names parameters that are not analysed: "
                         f"{unknown}; analysed parameters are {names}.")
    values = {n: [dicts[i][n] for i in rows] for n in names}
    constant = [n for n in names if len({_label(v) for v in values[n]}) < 2]
    if constant:
        notes.append(f"Parameters with a single value were left out: {constant}.")
    names = [n for n in names if n not in constant]
    if not names:
        raise ValueError("No parameter varies across the analysed trials, so "
                         "there is nothing to decompose.")
    if not dims:
        # Saved results keep their space's scales (the user's scales win) and
        # numeric ranges, so they are analysed as the search itself would be.
        scales = {**{n: v for n, v in stored_scales(search_or_results).items()
                     if n in names}, **scales}
        dims = stored_dimensions(search_or_results, scales)
    plist = [_Param(n, values[n], dims.get(n), scales.get(n)) for n in names]
    guessed_log = [p.name for p in plist if p.guessed and p.kind == "log"]
    if guessed_log:
        notes.append(f"Without the search's space, {guessed_log} were read on a log "
                     f"scale from their values (positive, spanning two decades, "
                     f"spread evenly in log); pass scales={{name: 'linear'}} if wrong.")
    X = np.column_stack([p.coords(values[p.name]) for p in plist])
    y = scores[rows]
    if np.ptp(y) == 0:
        where = "" if budget is None else f" (at budget {budget})"
        raise ValueError(f"Every analysed trial{where} has the same score, so no "
                         f"parameter explains anything.")

    splits = _split_scores(results, metric, rows)  # for the grid and the noise share
    grid = complete_grid(X)
    others = _varying_elsewhere(dicts, rows, names)
    if grid is not None and others:
        # A grid's means over the analysed parameters would not average the
        # others out unless the design balances them: the forest does.
        notes.append(f"The analysed parameters form a complete grid, but {others} also "
                     f"vary across these trials: a forest is fitted, not the grid's means.")
        grid = None
    if grid is not None:
        full, boot = _grid_fits(grid, y, splits,
                                n_bootstrap, rng, notes)
    else:
        # The forests draw rows by position: fitted on one canonical order,
        # the same trials in another order (a frame sorted by rank) give the
        # same report.
        canonical = np.lexsort((y, *X.T[::-1]))
        full, boot = _forest_fits(X[canonical], y[canonical], plist, n_trees,
                                  n_bootstrap, rng, notes)
    report = SensitivityReport()
    report.trials = pd.DataFrame(
        {p.name: (values[p.name] if p.kind != "categorical"
                  else [_label(v) for v in values[p.name]]) for p in plist})
    report.trials["score"] = y
    report.marginals, curves = _marginals(plist, full, boot)
    report.importances = _importances(plist, full, boot, curves, X, y,
                                      top_quantile, tolerance)
    report.interactions = _interactions(plist, full, boot)
    report.top_pair_marginal = _top_pair(plist, full, report.interactions)
    report.budget_correlation = budget_table
    _check_fit(full, plist, X, len(y), notes)
    report.diagnostics = {
        "n_trials": len(y), "n_failed": n_failed, "n_params": len(plist),
        "metric": metric, "budget": budget, "oob_r2": full.oob_r2,
        "unexplained_share": float(np.clip(1 - full.oob_r2, 0, 1)),
        "higher_order_share": float(max(0.0, 1 - full.main.sum()
                                        - np.triu(full.pairs, 1).sum())),
        "fold_noise_share": _fold_noise_share(splits),
        "warnings": notes,
    }
    return report


def _apply_budget(results, scores, dicts, budget, notes):
    column = _budget_column(results)
    keep = np.ones(len(scores), dtype=bool)
    if column is None:
        if budget is not None:
            raise ValueError(
                f"budget={budget!r} was given but the results have no "
                f"'n_resources' or 'iter' column: they come from a search "
                f"without budgets. Leave budget=None."
            )
        return keep, None, None
    budgets = np.asarray(results[column])
    table = _budget_correlation(budgets, _candidate_keys(results, dicts, budgets), scores)
    counts = {b.item() if hasattr(b, "item") else b:
              int(np.sum((budgets == b) & np.isfinite(scores)))
              for b in np.unique(budgets)}
    if budget is None:
        # A budget where every trial ties (the few survivors of a halving
        # search often do) explains nothing: the next one down, then.
        varies = {b: len(set(scores[(budgets == b) & np.isfinite(scores)])) > 1
                  for b in counts}
        eligible = [b for b in counts if counts[b] >= MIN_TRIALS and varies[b]]
        budget = max(eligible) if eligible else max(counts)
        if budget != max(counts):
            skipped = {b: n for b, n in counts.items() if b > budget}
            tied = [b for b in skipped if counts[b] >= MIN_TRIALS and not varies[b]]
            notes.append(
                f"Analysed budget {column}={budget}, the largest with at least "
                f"{MIN_TRIALS} trials whose scores differ; larger budgets had "
                f"{skipped} trials" + (f", all tied at {tied}." if tied else ".")
            )
    elif budget not in counts:
        raise ValueError(
            f"budget={budget!r} is not one of the budgets in the results' "
            f"{column!r} column: {sorted(counts)}."
        )
    return budgets == budget, budget, table


def _varying_elsewhere(dicts, rows, names):
    """Parameters outside ``names`` whose value (or presence) differs across rows."""
    others = set().union(*(dicts[i] for i in rows)) - set(names)
    return sorted(n for n in others
                  if len({_label(dicts[i][n]) if n in dicts[i] else "<absent>"
                          for i in rows}) > 1)


def _choose_params(dicts, rows, params, notes):
    present = [set(dicts[i]) for i in rows]
    everywhere = set.intersection(*present) if present else set()
    anywhere = set().union(*present)
    if params is None:
        partial = sorted(anywhere - everywhere)
        if partial:
            notes.append(
                f"Parameters missing from some trials (a list-of-dicts space, "
                f"or None values read back from a file as NaN) were left out: "
                f"{partial}. Pass params=[...] to analyse the trials that have "
                f"them."
            )
        return sorted(everywhere), rows
    if isinstance(params, str):
        params = [params]
    if not isinstance(params, Iterable) or not len(params := list(params)):
        raise ValueError(f"params must be a parameter name or a non-empty list of "
                         f"them, among {sorted(anywhere)}; got params={params!r}.")
    unknown = [p for p in params if p not in anywhere]
    if unknown:
        raise ValueError(f"params names parameters absent from the trials: "
                         f"{unknown}; the trials have {sorted(anywhere)}.")
    has_all = np.array([all(p in dicts[i] for p in params) for i in rows], dtype=bool)
    if not has_all.all():
        notes.append(f"{int((~has_all).sum())} trials lack some of {list(params)} "
                     f"and were left out.")
    return list(params), rows[has_all]


def _settable(param, coords):
    """``(coords, values)`` where a table shows ``param``: a grid's tried
    values, else the points of ``coords`` within the searched range (the
    integration grid's cells reach half a cell beyond it)."""
    if param.kind != "categorical" and param.is_grid:
        tried = [int(v) if param.integer else float(v) for v in param.tried]
        return param.coords(param.tried), tried
    values = param.values(coords)
    if param.kind == "categorical":
        return coords, values
    if param.integer:  # the integers the grid passes through
        values = [float(v) for v in sorted({round(v) for v in values})]
        coords = param.coords(values)
    inside = [param.range[0] <= v <= param.range[1] for v in values]
    values = [int(v) if param.integer else v for v in values]
    return coords[inside], [v for v, i in zip(values, inside) if i]


def _marginals(plist, full, boot):
    """The marginals table, at values a user can set (as ``_good_range``): a
    grid's tried values, else the integration grid within the searched
    range (its cells reach half a cell beyond it); and the integration
    grid's curves, for the importances."""
    frames, curves = [], []
    for j, param in enumerate(plist):
        curves.append(full.marginal(j, param.grid()))
        coords, values = _settable(param, param.grid())
        curve = full.marginal(j, coords)
        low, high = _interval(curve, [b.marginal(j, coords) for b in boot])
        # An integer parameter's as objects, so that they stay ints beside
        # the floats of others in the one column.
        frames.append(pd.DataFrame({"param": param.name,
                                    "value": pd.Series(values, dtype=object
                                                       if param.integer else None),
                                    "mean": curve, "ci_low": low, "ci_high": high}))
    return pd.concat(frames, ignore_index=True), curves


def _importances(plist, full, boot, curves, X, y, top_quantile, tolerance):
    main_low, main_high = _interval(full.main, [b.main for b in boot], share=True)
    total_low, total_high = _interval(full.total, [b.total for b in boot], share=True)
    # Tolerance in score units, relative to the strongest parameter's effect,
    # so that a parameter with a flat (if noisy) marginal is good everywhere.
    slack = tolerance * max(np.ptp(curve) for curve in curves)
    rows = []
    for j, param in enumerate(plist):
        if param.kind == "categorical":
            rho = p_value = np.nan
        else:
            rho, p_value = _spearman(X[:, j], y)
        best, good = _good_range(param, lambda coords, j=j: full.marginal(j, coords),
                                 param.grid(), curves[j], slack)
        rows.append({
            "param": param.name, "scale": param.kind,
            "main_effect": full.main[j], "main_effect_ci_low": main_low[j],
            "main_effect_ci_high": main_high[j], "total_effect": full.total[j],
            "total_effect_ci_low": total_low[j], "total_effect_ci_high": total_high[j],
            "spearman_rho": float(rho), "spearman_pvalue": float(p_value),
            "direction": ("categorical" if param.kind == "categorical"
                          else _direction(curves[j], full.main[j])),
            "best_value": best, "good_range": good,
            "top_quantile_importance": _top_quantile_importance(
                param, X[:, j], y, top_quantile),
            "important": bool(full.total[j] * max(full.oob_r2, 0.0) >= IMPORTANT_SHARE
                              and not full.total_p[j] >= IMPORTANT_ALPHA),
        })
    frame = pd.DataFrame(rows)
    # Object, so that a categorical's None stays None (not NaN beside floats).
    frame["best_value"] = pd.Series([r["best_value"] for r in rows], dtype=object)
    return frame.sort_values("total_effect", ascending=False, kind="stable",
                             ignore_index=True)


def _interactions(plist, full, boot):
    pairs = [(a, b) for a in range(len(plist)) for b in range(a + 1, len(plist))]
    low, high = _interval([full.pairs[a, b] for a, b in pairs],
                          [[bt.pairs[a, b] for a, b in pairs] for bt in boot], share=True)
    frame = pd.DataFrame({
        "param_a": [plist[a].name for a, _ in pairs],
        "param_b": [plist[b].name for _, b in pairs],
        "share": [full.pairs[a, b] for a, b in pairs],
        "ci_low": low, "ci_high": high,
    })
    return frame.sort_values("share", ascending=False, kind="stable",
                             ignore_index=True)


def _top_pair(plist, full, interactions):
    if interactions.empty:
        return pd.DataFrame(columns=["param_a", "value_a", "param_b", "value_b", "mean"])
    index = {p.name: j for j, p in enumerate(plist)}
    a, b = index[interactions.param_a[0]], index[interactions.param_b[0]]
    grids, shown = [], []
    for j in (a, b):
        param = plist[j]
        coords, values = _settable(param, param.grid(_PAIR_GRID_POINTS))
        grids.append(coords)
        shown.append(values)
    surface = full.pair_marginal(a, b, *grids)
    va, vb = shown
    return pd.DataFrame({
        "param_a": plist[a].name, "value_a": np.repeat(np.array(va, dtype=object), len(vb)),
        "param_b": plist[b].name, "value_b": np.tile(np.array(vb, dtype=object), len(va)),
        "mean": surface.ravel(),
    })


def _check_fit(full, plist, X, n_trials, notes):
    grid = isinstance(full, GridDecomposition)
    # A grid's intervals resample its splits, not its trials.
    if not grid and n_trials < 10 * len(plist):
        notes.append(
            f"Few trials for the number of parameters: {n_trials} trials for "
            f"{len(plist)} parameters (fewer than 10 per parameter); expect "
            f"wide intervals."
        )
    if grid and not full.oob_r2 >= 0.5:
        notes.append(
            f"The CV splits' noise accounts for {1 - full.oob_r2:.0%} of the variance "
            f"of the grid's scores: its differences are mostly noise. More splits "
            f"(e.g. RepeatedKFold) or a wider grid help.")
    elif not full.oob_r2 >= 0.5:
        notes.append(
            f"The surrogate fits the scores poorly (out-of-bag R^2 = "
            f"{full.oob_r2:.2f} < 0.5): the shares describe a weak model. More "
            f"trials help, or the scores are mostly noise (see "
            f"fold_noise_share)."
        )
    if n_trials >= 20:
        for j, param in enumerate(plist):
            if param.kind == "categorical":
                continue
            # A test, not a distance: a random search's draws of a few values
            # sit a fixed distance from a continuous uniform (a two-valued
            # list had always been called concentrated).
            if param.is_grid:
                counts = np.unique(X[:, j], return_counts=True)[1]
                test, p_value = "chi-square test", stats.chisquare(counts).pvalue
            else:
                unit = (X[:, j] - param.lo) / (param.hi - param.lo)
                test, p_value = "Kolmogorov-Smirnov test", stats.kstest(unit, "uniform").pvalue
            if p_value < _CONCENTRATION_P:
                notes.append(
                    f"The trials are concentrated in part of the range of "
                    f"{param.name!r} ({test} against uniform draws, p = {p_value:.1g}), "
                    f"as an optimizer does: the importances describe the explored "
                    f"region only."
                )


# --------------------------------------------------------------------------
# The report and its plots
# --------------------------------------------------------------------------

def _plot_doc(summary, display, more_parameters=""):
    """The docstring of a ``SensitivityReport.plot_*`` method."""
    return (f"{summary}\n\n        Parameters\n        ----------\n{more_parameters}"
            f"        ax : matplotlib Axes, default=None\n"
            f"            Where to draw; a new figure's Axes when None.\n\n"
            f"        Returns\n        -------\n        display : {display}\n"
            f"            With ``ax_`` and ``figure_``.\n        ")


class SensitivityReport:
    """The result of :func:`sensitivity_report`.

    Attributes
    ----------
    importances : DataFrame
        One row per parameter, largest total effect first; columns are
        described in :func:`sensitivity_report`.
    interactions : DataFrame
        ``param_a``, ``param_b``, ``share`` (pairwise interaction share of the
        surrogate's variance), ``ci_low``, ``ci_high``; largest first.
    marginals : DataFrame
        Long table ``param``, ``value``, ``mean``, ``ci_low``, ``ci_high``:
        the predicted mean score at each value, averaged over the others; at
        a grid's tried values, else on a 50-point grid over the searched range.
    top_pair_marginal : DataFrame
        ``param_a``, ``value_a``, ``param_b``, ``value_b``, ``mean``: the
        two-dimensional marginal of the top interaction, at the values the
        marginals table uses (a grid's tried values, else a 30-point grid
        within the searched range).
    trials : DataFrame
        The analysed trials: one column per parameter, and ``score``.
    diagnostics : dict
        ``n_trials``, ``n_failed``, ``n_params``, ``metric``, ``budget``,
        ``oob_r2``, ``unexplained_share`` (``1 - oob_r2``),
        ``higher_order_share`` (``1 -`` main effects ``-`` pairs),
        ``fold_noise_share``, ``warnings`` (list of str).
    budget_correlation : DataFrame or None
        For budgeted searches: ``budget_low``, ``budget_high``,
        ``n_candidates``, ``spearman_rho``, ``p_value``, ``strength`` (very
        strong >= 0.7, strong >= 0.4, moderate >= 0.2, negative <= -0.2,
        else weak): does the low budget rank candidates like the high one?
        With 8 candidates or fewer, ``p_value`` is exact (every ordering).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skhpo import sensitivity_report
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"n_neighbors": [1, 3, 5, 15, 40], "weights": ["uniform", "distance"]}
    >>> search = GridSearchCV(KNeighborsClassifier(), grid).fit(X, y)
    >>> report = sensitivity_report(search, n_bootstrap=0)
    >>> report.importances["param"].tolist()
    ['n_neighbors', 'weights']
    >>> report.diagnostics["n_trials"]
    10
    """

    importances = interactions = marginals = top_pair_marginal = None
    trials = diagnostics = budget_correlation = None

    def __repr__(self):
        d = self.diagnostics or {}
        top = ", ".join(f"{r.param}={r.total_effect:.2f}"
                        for r in self.importances.head(3).itertuples())
        return (f"SensitivityReport(n_trials={d.get('n_trials')}, "
                f"oob_r2={d.get('oob_r2', np.nan):.2f}, top total effects: {top})")

    def plot_importances(self, ax=None):
        return ImportanceDisplay.from_report(self).plot(ax=ax)

    def plot_marginal(self, param=None, ax=None):
        return MarginalDisplay.from_report(self, param).plot(ax=ax)

    def plot_interactions(self, ax=None):
        return InteractionDisplay.from_report(self).plot(ax=ax)

    def plot_top_pair(self, ax=None):
        return PairMarginalDisplay.from_report(self).plot(ax=ax)

    # One docstring pattern for the four (they differ in what they draw).
    plot_importances.__doc__ = _plot_doc(
        "Bars of main effects with intervals, plus the interaction part.",
        "ImportanceDisplay")
    plot_marginal.__doc__ = _plot_doc(
        "Marginal curve of ``param`` with its interval band and a rug of the trials.",
        "MarginalDisplay",
        "        param : str, default=None\n"
        "            An analysed parameter; the most important when None.\n")
    plot_interactions.__doc__ = _plot_doc(
        "Heatmap: main effects on the diagonal, pairwise shares off it.",
        "InteractionDisplay")
    plot_top_pair.__doc__ = _plot_doc(
        "Two-dimensional marginal of the top interacting pair.", "PairMarginalDisplay")
