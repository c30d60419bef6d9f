"""Calibration of skhpo.check_robustness on synthetic scores with known truth.

Scores are ``true_mean[config] + seed noise + fold noise``, so the right answer
is known. For each design (seeds S, splits K, seed sd / fold sd, splits
reshuffled per seed or shared) the script reports:

- ``fp_ours``: with all means equal, the share of repetitions in which the
  report calls any configuration significantly worse than the robust best
  (``p_holm < alpha``); must stay <= alpha;
- ``fp_naive``: the same with an uncorrected paired t-test of the best against
  each other configuration over the S x K scores (what one would do by hand);
- ``fp_no_select``: the corrected test with Holm but without the adjustment for
  picking the best from the same scores;
- ``gap_hit``: with the true best 3 seed sd above the rest, the share of
  repetitions recommending it (target >= 0.95);
- ``lucky_switch``: among repetitions where a worse configuration (1 seed sd
  below) won a one-seed search, the share where the report with 10 seeds
  recommends the true best (target >= 0.8) and flags the winner ``lucky``.

An end-to-end section runs the same three scenarios through
``check_robustness`` with a synthetic estimator.

Run: ``python benchmarks/robustness_calibration.py [--reps 2000] [--quick]``.
"""

import argparse
import os
import sys
import itertools
import time

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import GridSearchCV, KFold

from skhpo import _stats
from skhpo.robustness import check_robustness

# The synthetic estimator of known means and noise is the one the tests use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from test_robustness import NoisyConfig  # noqa: E402

ALPHA = 0.05


def simulate(rng, means, n_seeds, n_splits, seed_sd, fold_sd, shared):
    means = np.asarray(means, dtype=float)
    seed = rng.standard_normal((means.size, n_seeds, 1)) * seed_sd
    fold = rng.standard_normal((means.size, 1 if shared else n_seeds, n_splits)) * fold_sd
    return means[:, None, None] + seed + fold


def naive_flags(x, best):
    for i in range(x.shape[0]):
        if i != best:
            d = (x[best] - x[i]).ravel()
            if stats.ttest_1samp(d, 0.0, alternative="greater").pvalue < ALPHA:
                return True
    return False


def no_selection_flags(x, best, ratio, shared):
    p = np.full(x.shape[0], np.nan)
    for i in range(x.shape[0]):
        if i != best:
            mean, se, dof = _stats.corrected_t(x[best] - x[i], ratio, shared)
            p[i] = stats.t.sf(mean / se, dof)
    return bool(np.nanmin(_stats.holm(p)) < ALPHA)


def compare(x, original, ratio, shared):
    return _stats.compare_configs(x, original, 0, test_train_ratio=ratio,
                                  folds_shared=shared, alpha=ALPHA, rope=0.01)


def design_row(rng, n_configs, n_seeds, n_splits, seed_sd, shared, reps):
    ratio = 1.0 / (n_splits - 1)
    fold_sd = 1.0
    ours = naive = nosel = 0
    for _ in range(reps):
        x = simulate(rng, [0.0] * n_configs, n_seeds, n_splits, seed_sd, fold_sd, shared)
        cols, best = compare(x, np.zeros(n_configs), ratio, shared)
        ours += bool(cols["significantly_worse"].any())
        naive += naive_flags(x, best)
        nosel += no_selection_flags(x, best, ratio, shared)
    gap = np.r_[0.0, np.full(n_configs - 1, -3.0 * max(seed_sd, 1e-12))]
    if seed_sd == 0:
        gap = np.r_[0.0, np.full(n_configs - 1, -3.0 * fold_sd)]
    hits = 0
    for _ in range(reps):
        x = simulate(rng, gap, n_seeds, n_splits, seed_sd, fold_sd, shared)
        hits += compare(x, np.zeros(n_configs), ratio, shared)[1] == 0
    return dict(configs=n_configs, seeds=n_seeds, splits=n_splits, seed_sd=seed_sd,
                fold_sd=fold_sd, shared=shared, fp_ours=ours / reps,
                fp_naive=naive / reps, fp_no_select=nosel / reps, gap_hit=hits / reps)


def lucky_row(rng, n_configs, seed_sd, reps):
    means = np.r_[0.0, np.full(n_configs - 1, -seed_sd)]
    lucky = switched = flagged = 0
    while lucky < reps:
        original = simulate(rng, means, 1, 5, seed_sd, 0.5, True).mean(axis=(1, 2))
        if np.argmax(original) == 0:
            continue
        lucky += 1
        order = np.argsort(-original, kind="stable")
        x = simulate(rng, means[order], 10, 5, seed_sd, 0.5, False)
        cols, best = compare(x, original[order], 0.25, False)
        switched += order[best] == 0
        flagged += cols["verdict"][0] == "lucky"
    return dict(configs=n_configs, seed_sd=seed_sd, lucky_switch=switched / reps,
                lucky_verdict=flagged / reps)


def end_to_end(reps):
    X = np.column_stack([np.arange(100), np.zeros(100)]).astype(float)
    rows = []
    for name, means, seeds in [("equal", (0.0,) * 5, 5), ("gap", (0.0,) + (-3.0,) * 4, 5),
                               ("lucky", (0.0,) + (-1.0,) * 4, 10)]:
        flagged = hits = lucky = n = 0
        for key in range(reps):
            est = NoisyConfig(means=means, noise_key=key, random_state=0)
            search = GridSearchCV(est, {"config": list(range(5))}, cv=KFold(5),
                                  refit=False).fit(X)
            if name == "lucky" and search.cv_results_["rank_test_score"][0] == 1:
                continue
            n += 1
            report = check_robustness(search, X, seeds=seeds, random_state=key)
            flagged += bool(report.summary["significantly_worse"].any())
            hits += report.recommended_params == {"config": 0}
            lucky += report.summary.loc[0, "verdict"] == "lucky"
        rows.append(dict(scenario=name, repetitions=n, any_significant=flagged / n,
                         true_best_recommended=hits / n, winner_lucky=lucky / n))
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 repetitions")
    args = parser.parse_args()
    reps = 200 if args.quick else args.reps
    rng = np.random.default_rng(0)
    pd.set_option("display.width", 160)
    start = time.perf_counter()
    rows = [
        design_row(rng, c, s, k, sd, shared, reps)
        for c, s, k, sd, shared in itertools.product(
            [2, 5], [2, 3, 5, 10], [5, 10], [0.0, 1.0, 3.0], [False, True])
    ]
    table = pd.DataFrame(rows)
    print(f"== all means equal / clear gap ({reps} repetitions per row)")
    print(table.to_string(index=False, float_format="%.3f"))
    print(f"\nmax fp_ours = {table.fp_ours.max():.3f} (alpha = {ALPHA}); "
          f"min gap_hit with >= 3 seeds = {table[table.seeds >= 3].gap_hit.min():.3f}")
    lucky = pd.DataFrame([lucky_row(rng, c, sd, reps) for c in (2, 5) for sd in (0.5, 1.0)])
    print("\n== lucky winner, 10 seeds (gap = 1 seed sd)")
    print(lucky.to_string(index=False, float_format="%.3f"))
    print("\n== end to end through check_robustness")
    print(end_to_end(max(20, reps // 10)).to_string(index=False, float_format="%.3f"))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
