"""Statistics behind :func:`skhpo.check_robustness`.

Framework-free: every function takes plain numpy arrays of scores shaped
``(n_configs, n_seeds, n_splits)`` (higher is better) so that the calibration
tests can call them on simulated scores without fitting anything.

References
----------
.. [NB2003] C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
   Machine Learning 52(3), 2003.
.. [BF2004] R. Bouckaert and E. Frank, "Evaluating the Replicability of
   Significance Tests for Comparing Learning Algorithms", PAKDD 2004.
.. [BE2017] A. Benavoli, G. Corani, J. Demšar and M. Zaffalon, "Time for a
   Change: a Tutorial for Comparing Multiple Classifiers Through Bayesian
   Analysis", JMLR 18(77), 2017.
.. [BO2021] X. Bouthillier et al., "Accounting for Variance in Machine Learning
   Benchmarks", MLSys 2021.
"""

import numpy as np
from scipy import stats

__all__ = [
    "bayes_correlated_t",
    "corrected_mean_variance",
    "holm",
    "kendall_w",
    "seed_ranks",
    "variance_components",
    "wilson_interval",
]


def corrected_mean_variance(values, test_train_ratio, folds_shared):
    """Variance of the mean of resampled CV scores, corrected for overlap.

    Parameters
    ----------
    values : ndarray of shape (n_seeds, n_splits)
        Scores, or paired score differences, of one configuration.
    test_train_ratio : float
        ``n_test / n_train`` of the splits, the correlation term of the
        corrected resampled t-test [NB2003]_.
    folds_shared : bool
        True when every seed used the same splits (only the estimator seed
        varied), False when each seed drew its own shuffled splits.

    Returns
    -------
    var : float
        Estimated variance of ``values.mean()``.
    dof : int
        Degrees of freedom of the Student t reference distribution.

    Notes
    -----
    The seed is the independent unit: ``s_seed^2 / S``, the variance of the
    ``S`` seed means over ``S``, is unbiased whether or not an estimator seed
    moves every split of a seed together (a flat t-test over the ``S * K``
    scores is not, see [BO2021]_). The training sets of all resamples overlap,
    which no amount of resampling averages away; [NB2003]_ model that as a
    correlation of ``n_test / n_train`` between resamples, and the corresponding
    term is added:

    - reshuffled splits (nested design):
      ``s_seed^2 / S + (n_test / n_train) * s_within^2``, where ``s_within^2``
      is the pooled within-seed variance across splits; without a seed effect
      this is the corrected repeated k-fold variance
      ``(1/(S K) + n_test/n_train) s^2`` of [NB2003]_ and [BF2004]_;
    - shared splits (crossed design):
      ``s_seed^2 / S + (1/K + n_test / n_train) * s_split^2``, where
      ``s_split^2`` is the variance of the split means across splits.

    The degrees of freedom are the smaller of the two terms' (``S - 1`` in
    practice): conservative, so more seeds buy more power [BO2021]_.
    """
    values = np.asarray(values, dtype=float)
    n_seeds, n_splits = values.shape
    if not np.all(np.isfinite(values)) or n_seeds < 2:
        return np.nan, 0
    seed_term = values.mean(axis=1).var(ddof=1) / n_seeds
    seed_dof = n_seeds - 1
    if folds_shared:
        split_dof = n_splits - 1
        split_var = values.mean(axis=0).var(ddof=1) if split_dof > 0 else 0.0
        split_term = split_var * (1.0 / n_splits + test_train_ratio)
    else:
        split_dof = n_seeds * (n_splits - 1)
        split_var = values.var(axis=1, ddof=1).mean() if n_splits > 1 else 0.0
        split_term = split_var * test_train_ratio
    var = seed_term + split_term
    # Satterthwaite's degrees of freedom are biased upwards exactly when the
    # seed term is small by chance, which inflated false positives to 2-5x
    # alpha with few seeds in simulation; the smaller of the two is
    # conservative (Welch's rule) and keeps the error rate at or below alpha.
    dof = min(seed_dof, split_dof) if split_dof > 0 else seed_dof
    return float(var), dof


def corrected_t(values, test_train_ratio, folds_shared):
    """Mean, standard error and dof of the corrected resampled t statistic."""
    var, dof = corrected_mean_variance(values, test_train_ratio, folds_shared)
    return float(np.mean(values)), float(np.sqrt(var)), dof


def bayes_correlated_t(diff, test_train_ratio, folds_shared, rope):
    """Bayesian correlated t-test posterior probabilities [BE2017]_.

    The posterior of the mean difference is a Student t located at the
    observed mean difference with the corrected scale of
    :func:`corrected_mean_variance`.

    Parameters
    ----------
    diff : ndarray of shape (n_seeds, n_splits)
        Paired differences ``a - b`` (higher is better for ``a``).
    test_train_ratio, folds_shared
        See :func:`corrected_mean_variance`.
    rope : float
        Half width of the region of practical equivalence.

    Returns
    -------
    p_better, p_equivalent, p_worse : float
        Posterior probabilities that ``a`` is better than ``b`` by more than
        ``rope``, within ``rope`` of it, and worse by more than ``rope``.
    """
    mean, se, dof = corrected_t(diff, test_train_ratio, folds_shared)
    if not np.isfinite(se):
        return np.nan, np.nan, np.nan
    if se == 0.0:
        # A degenerate posterior: all mass on the observed difference.
        better = float(mean > rope)
        worse = float(mean < -rope)
        return better, 1.0 - better - worse, worse
    # Standardised by hand: a frozen scipy distribution costs ~2 ms to build.
    p_worse = float(stats.t.cdf((-rope - mean) / se, dof))
    p_better = float(stats.t.sf((rope - mean) / se, dof))
    return p_better, max(0.0, 1.0 - p_better - p_worse), p_worse


def holm(pvalues):
    """Holm step-down adjusted p-values (NaN entries are left as NaN)."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out


def seed_ranks(seed_means):
    """Rank configurations within each seed (1 = best, ties averaged).

    Parameters
    ----------
    seed_means : ndarray of shape (n_configs, n_seeds)

    Returns
    -------
    ndarray of shape (n_configs, n_seeds)
    """
    # NaN (a failed fit) ranks last rather than poisoning the whole seed.
    filled = np.where(np.isfinite(seed_means), seed_means, -np.inf)
    return stats.rankdata(-filled, axis=0)


def kendall_w(ranks):
    """Kendall's coefficient of concordance of the seeds' rankings.

    Parameters
    ----------
    ranks : ndarray of shape (n_configs, n_seeds)
        Ranks given by each seed (a rater) to each configuration (an item).

    Returns
    -------
    float
        1 when every seed ranks the configurations the same way, 0 when the
        rankings are unrelated; NaN with fewer than two configurations.
    """
    n, m = ranks.shape
    if n < 2 or m < 1:
        return np.nan
    totals = ranks.sum(axis=1)
    s = np.sum((totals - totals.mean()) ** 2)
    ties = 0.0
    for j in range(m):
        _, counts = np.unique(ranks[:, j], return_counts=True)
        ties += np.sum(counts**3 - counts)
    denom = m**2 * (n**3 - n) - m * ties
    return float(12.0 * s / denom) if denom > 0 else np.nan


def wilson_interval(successes, n, alpha):
    """Wilson score interval of a binomial proportion."""
    if n == 0:
        return np.nan, np.nan
    z = stats.norm.isf(alpha / 2)
    phat = successes / n
    center = (phat + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(phat * (1 - phat) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(max(0.0, center - half)), float(min(1.0, center + half))


def variance_components(scores):
    """Method-of-moments variance components of a nested design.

    Parameters
    ----------
    scores : ndarray of shape (n_configs, n_seeds, n_splits)

    Returns
    -------
    dict
        Estimated variance from ``"config"``, ``"seed"`` (seed within
        configuration) and ``"split"`` (split within seed), each clipped at
        zero as usual for moment estimators.

    Notes
    -----
    Expected mean squares of the balanced nested random-effects model
    ``score = mu + config + seed(config) + split(seed, config)``.
    """
    x = np.asarray(scores, dtype=float)
    c, s, k = x.shape
    if c == 0:
        return {"config": np.nan, "seed": np.nan, "split": np.nan}
    cell = x.mean(axis=2)
    config = cell.mean(axis=1)
    ms_split = ((x - cell[..., None]) ** 2).sum() / (c * s * (k - 1)) if k > 1 else 0.0
    ms_seed = ((cell - config[:, None]) ** 2).sum() * k / (c * (s - 1)) if s > 1 else 0.0
    ms_config = ((config - config.mean()) ** 2).sum() * s * k / (c - 1) if c > 1 else 0.0
    # np.maximum, not max: a NaN (a failed fit) must stay NaN, not become 0.
    return {
        "config": float(np.maximum(0.0, (ms_config - ms_seed) / (s * k))),
        "seed": float(np.maximum(0.0, (ms_seed - ms_split) / k)),
        "split": float(ms_split),
    }


def compare_configs(scores, original_scores, winner, *, test_train_ratio,
                    folds_shared, alpha, rope):
    """Per-configuration robustness statistics and verdicts.

    Parameters
    ----------
    scores : ndarray of shape (n_configs, n_seeds, n_splits)
        Re-scored CV scores, paired: seed ``j`` and split ``k`` are the same
        for every configuration.
    original_scores : ndarray of shape (n_configs,)
        Mean CV scores of the original search (may be NaN).
    winner : int
        Index of the original search's winner.
    test_train_ratio, folds_shared
        See :func:`corrected_mean_variance`.
    alpha : float
        Level of the intervals and tests.
    rope : float
        Half width of the region of practical equivalence.

    Returns
    -------
    columns : dict of str to ndarray
        One array of length ``n_configs`` per summary column.
    best : int
        Index of the robust best (highest robust mean; ties go to the
        better original rank, i.e. the lower index).

    Notes
    -----
    ``p_holm`` tests, for each configuration, "this configuration is as good
    as the best one". Its statistic is the one-sided corrected t of
    ``robust best - configuration``. Because the robust best is picked from the
    same scores, each raw p-value is multiplied by the number of rivals
    (Bonferroni over "some rival is better"), then Holm's step-down adjusts
    over the ``k`` configurations, so that the smallest p-value is multiplied
    by ``k (k - 1)``, the number of ordered (best, rival) pairs. Without these
    factors the largest of ``k`` equal means looks significantly better far
    more often than ``alpha``.
    """
    x = np.asarray(scores, dtype=float)
    n_configs, n_seeds, _ = x.shape
    seed_means = x.mean(axis=2)
    robust_mean = x.mean(axis=(1, 2))
    finite = np.where(np.isfinite(robust_mean), robust_mean, -np.inf)
    best = int(np.argmax(finite))  # first maximum: the better original rank
    tcrit = None
    cols = {
        "robust_mean": robust_mean,
        "robust_median": np.median(seed_means, axis=1),
        "seed_sd": seed_means.std(axis=1, ddof=1),
        "fold_sd": np.sqrt(x.var(axis=2, ddof=1).mean(axis=1)),
        "ci_low": np.empty(n_configs),
        "ci_high": np.empty(n_configs),
        "optimism": np.asarray(original_scores, dtype=float) - robust_mean,
    }
    for i in range(n_configs):
        mean, se, dof = corrected_t(x[i], test_train_ratio, folds_shared)
        tcrit = stats.t.isf(alpha / 2, dof)
        cols["ci_low"][i] = mean - tcrit * se
        cols["ci_high"][i] = mean + tcrit * se

    ranks = seed_ranks(seed_means)
    cols["mean_rank"] = ranks.mean(axis=1)
    cols["rank_sd"] = ranks.std(axis=1, ddof=1)
    # A tie for first shares the win.
    firsts = ranks == ranks.min(axis=0, keepdims=True)
    cols["win_rate"] = (firsts / firsts.sum(axis=0, keepdims=True)).mean(axis=1)

    beat = np.full(n_configs, np.nan)
    beat_low = np.full(n_configs, np.nan)
    beat_high = np.full(n_configs, np.nan)
    p_better = np.full(n_configs, np.nan)
    p_equiv = np.full(n_configs, np.nan)
    p_worse = np.full(n_configs, np.nan)
    t_stat = np.full(n_configs, np.nan)
    p_raw = np.full(n_configs, np.nan)
    # A failed seed ranks last, as in seed_ranks: a rival that scores where
    # the winner failed beats it there; two failures tie.
    filled = np.where(np.isfinite(seed_means), seed_means, -np.inf)
    for i in range(n_configs):
        if i != winner:
            wins = np.sum(filled[i] > filled[winner])
            wins += 0.5 * np.sum(filled[i] == filled[winner])
            beat[i] = wins / n_seeds
            beat_low[i], beat_high[i] = wilson_interval(wins, n_seeds, alpha)
            p_better[i], p_equiv[i], p_worse[i] = bayes_correlated_t(
                x[i] - x[winner], test_train_ratio, folds_shared, rope
            )
        if i != best:
            mean, se, dof = corrected_t(x[best] - x[i], test_train_ratio, folds_shared)
            if se > 0:
                t_stat[i] = mean / se
                p_raw[i] = stats.t.sf(t_stat[i], dof)
            elif np.isfinite(se):
                t_stat[i] = np.inf if mean > 0 else 0.0
                p_raw[i] = 0.0 if mean > 0 else 1.0
    p_sel = np.minimum(1.0, max(n_configs - 1, 1) * p_raw)
    if np.isfinite(robust_mean[best]):
        # "The best is as good as its rivals" is never rejected. It stays in
        # Holm's family on purpose: k members make the smallest p's factor
        # k(k - 1), one per ordered (best, rival) pair the data could have
        # picked. With k - 1 members, two equal configurations were called
        # different twice as often as alpha (a one-sided test of the better of
        # two is a two-sided test).
        p_sel[best] = 1.0
    p_holm = holm(p_sel)
    cols.update(
        p_beat_winner=beat,
        p_beat_winner_low=beat_low,
        p_beat_winner_high=beat_high,
        bayes_p_better=p_better,
        bayes_p_equivalent=p_equiv,
        bayes_p_worse=p_worse,
        t_vs_best=t_stat,
        p_vs_best=p_raw,
        p_holm=p_holm,
    )
    verdict = np.empty(n_configs, dtype=object)
    for i in range(n_configs):
        if not np.isfinite(robust_mean[i]):
            verdict[i] = "failed"
        elif i == best:
            verdict[i] = "robust_best"
        elif i == winner:
            verdict[i] = "lucky"
        elif p_holm[i] < alpha:
            verdict[i] = "worse"
        else:
            verdict[i] = "tie"
    cols["significantly_worse"] = np.asarray(p_holm < alpha)
    cols["verdict"] = verdict
    return cols, best


def stability(seed_means, original_ranks, top_m):
    """Agreement of the seeds' rankings with each other and with the search.

    Parameters
    ----------
    seed_means : ndarray of shape (n_configs, n_seeds)
    original_ranks : ndarray of shape (n_configs,)
        Ranks in the original search (1 = best; ties share a rank). Row 0 is
        the original winner.
    top_m : int
        Size of the top set compared by the overlap statistic.

    Returns
    -------
    dict of str to float
    """
    ranks = seed_ranks(seed_means)
    n_configs, n_seeds = ranks.shape
    taus = np.array([
        stats.kendalltau(ranks[:, j], original_ranks).statistic
        for j in range(n_seeds)
    ] if n_configs > 1 else [np.nan])
    # A seed that ties every configuration has no tau; skip it, not the rest.
    taus = taus[np.isfinite(taus)]
    top_original = set(np.argsort(original_ranks, kind="stable")[:top_m])
    overlaps = [
        len(top_original & set(np.argsort(ranks[:, j], kind="stable")[:top_m])) / top_m
        for j in range(n_seeds)
    ]
    return {
        "kendall_w": kendall_w(ranks),
        "mean_kendall_tau": float(taus.mean()) if taus.size else np.nan,
        # A first place shared with an equal configuration still is first.
        "top1_agreement": float(np.mean(ranks[0] == ranks.min(axis=0))),
        "top_k_overlap": float(np.mean(overlaps)),
    }
