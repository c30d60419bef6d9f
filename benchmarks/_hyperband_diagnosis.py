"""The Hyperband study's diagnosis: schedules replayed on pools of scored candidates.

``python benchmarks/hyperband_study.py --diagnose`` scores pools of random
candidates on all 9 splits once, then replays random search and several
Hyperband schedules on them thousands of times, which answers without the
noise of a few seeds how many fold-fits each schedule needs to reach random
search's final median best.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

import problems as P
from _analysis import read_jsonl
from _hyperband_analysis import _fmt, _label
from _hyperband_setup import FACTOR, R, Setup, n_candidates


def _pool(problem, m, seed=12345):
    """Split scores (m, 9) of m random candidates on the study's set-up."""
    setup = Setup(problem)
    from sklearn.model_selection import RandomizedSearchCV

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = RandomizedSearchCV(
            setup.estimator, P.scipy_space(setup.problem), n_iter=m,
            scoring=setup.scoring, cv=setup.cv, random_state=seed, refit=False,
            error_score=np.nan).fit(setup.X, setup.y)
    return np.column_stack([np.asarray(search.cv_results_[f"split{k}_test_score"], float)
                            for k in range(R)])


def _replay_hyperband(S, rng, brackets, n_loops, oracle=False, stop_at=np.inf):
    """(cumulative fold-fits, full-budget score) events of Hyperband replayed on a
    pool, by HyperbandSearchCV's rule: a candidate at budget r is scored on the
    first r splits, the best floor(n/eta) go on (candidate order breaks ties);
    Li et al.'s outer loop repeated n_loops times with fresh candidates."""
    ok = np.all(np.isfinite(S), axis=1)
    full = np.where(ok, np.nanmean(S, axis=1), -np.inf)
    fits, events = 0, []
    for _ in range(n_loops):
        for _s, rungs in brackets:
            ids = list(rng.choice(len(S), rungs[0][0], replace=False))
            previous = 0
            for i, (n_i, r_i) in enumerate(rungs):
                fits += n_i * (r_i - previous)
                previous = r_i
                if oracle:
                    part = full[ids]
                else:
                    part = np.array([S[c, :r_i].mean() if ok[c] else -np.inf for c in ids])
                if r_i == R:
                    events += [(fits, full[c]) for c in ids]
                    if full[ids].max() >= stop_at - 1e-12:
                        return events
                if i + 1 < len(rungs):
                    keep = sorted(range(len(ids)), key=lambda j: -part[j])[:rungs[i + 1][0]]
                    ids = [ids[j] for j in sorted(keep)]
    return events


def _first(events, target):
    return next((f for f, score in events if score >= target - 1e-12), np.inf)


def diagnose(problems, m, results_dir, suffix, n_boot=2000):
    """Replay random search and Hyperband schedules on a pool of scored candidates.

    Answers, without the noise of a few seeds: how many fold-fits does each
    schedule need, on median, to reach random search's final median best at
    n candidates (Li et al.'s loop repeated until it does), and how much of the
    gap to the ideal comes from ranking on 1 or 3 splits (the "oracle" ranks
    by the 9-split mean).
    """
    from scipy.stats import spearmanr

    from skhpo._schedule import hyperband_brackets

    n_cand = n_candidates()
    schedules = {
        "HyperbandSearchCV default (all 3 brackets)": (hyperband_brackets(R, 1, FACTOR), False),
        "all brackets, oracle ranking": (hyperband_brackets(R, 1, FACTOR), True),
        "n_brackets=2": (hyperband_brackets(R, 1, FACTOR, 2), False),
        "n_brackets=1 (successive halving from 1 split)": (
            hyperband_brackets(R, 1, FACTOR, 1), False),
        "n_brackets=1, oracle ranking": (hyperband_brackets(R, 1, FACTOR, 1), True),
    }
    pools_path = results_dir / f"hyperband_pools{suffix}.jsonl"
    pools = {}
    if pools_path.exists():
        pools = {r["problem"]: np.array(r["split_scores"], float)
                 for r in read_jsonl(pools_path) if r.get("pool") == m}
    rows = []
    for problem in problems:
        if problem not in pools:
            pools[problem] = _pool(problem, m)
            with pools_path.open("a") as fh:
                fh.write(json.dumps({"problem": problem, "pool": m, "split_scores": [
                    [None if not np.isfinite(v) else float(v) for v in row]
                    for row in pools[problem]]}) + "\n")
        S = pools[problem]
        ok = np.all(np.isfinite(S), axis=1)
        full = np.where(ok, np.nanmean(S, axis=1), -np.inf)
        rng = np.random.RandomState(0)
        target = float(np.median([full[rng.choice(len(S), n_cand, replace=False)].max()
                                  for _ in range(n_boot)]))
        rs_all = np.array([_first([(R * (i + 1), full[c]) for i, c in
                                   enumerate(rng.choice(len(S), len(S), replace=False))], target)
                           for _ in range(n_boot)])
        rs, rs_mean = np.median(rs_all), np.mean(rs_all)
        rho = [spearmanr(S[ok, :r].mean(axis=1), full[ok])[0] for r in (1, 3)]
        cells = {}
        for name, (brackets, oracle) in schedules.items():
            one = [_first(_replay_hyperband(S, rng, brackets, 1, oracle), target)
                   for _ in range(n_boot)]
            many = np.array([_first(_replay_hyperband(S, rng, brackets, 500, oracle,
                                                      stop_at=target), target)
                             for _ in range(n_boot)])
            cells[name] = (float(np.mean(np.isfinite(one))), float(np.median(many)),
                           float(rs / np.median(many)), float(rs_mean / np.mean(many)))
        rows.append((problem, rho, rs_mean, cells))
    lines = [f"# Hyperband diagnosis{_label(suffix)}", "",
             f"Command: `OMP_NUM_THREADS=1 python benchmarks/hyperband_study.py"
             f"{' --small' if suffix else ''} --diagnose` (pools of {m} random candidates "
             f"scored on all {R} splits, saved in `benchmarks/results/{pools_path.name}`; "
             f"{n_boot} replays).", "",
             f"Target: random search's final median best at {n_cand} candidates, estimated "
             "from the pool. Each schedule is replayed with HyperbandSearchCV's rule (first r "
             "splits, keep the best floor(n/3)), Li et al.'s loop repeated with fresh "
             "candidates until the target is reached; random search likewise draws until it "
             "is. *reach@1 loop*: share of replays whose single loop (the "
             f"{n_cand} candidates HyperbandSearchCV draws) reaches it. *fits*: median "
             "fold-fits to target; *speedup*: random search's mean fold-fits to target / "
             "the schedule's (expected cost; the ratio of medians, in brackets, jumps between "
             "the few values the rung boundaries allow). *oracle*: the "
             "same schedule ranking on the 9-split mean, i.e. no low-fidelity noise. "
             "With random candidates, a schedule's expected speedup is bounded by its cost "
             "per candidate relative to random search's, R × n_candidates / fold-fits, for "
             "targets that need many candidates (all brackets: "
             f"{R}×{n_cand}/69 = {R * n_cand / 69:.2f}×; n_brackets=2: "
             f"{R}×14/42 = 3.00×; n_brackets=1: {R}×9/21 = {R * 9 / 21:.2f}×).", "",
             "| problem | ρ(1 split, 9) | ρ(3, 9) | RS mean fits | " + " | ".join(
                 f"{name}: reach@1 loop / fits / speedup" for name in schedules) + " |",
             "|---|---|---|---|" + "---|" * len(schedules)]
    for problem, rho, rs, cells in rows:
        lines.append(f"| {problem} | {rho[0]:.2f} | {rho[1]:.2f} | {rs:.0f} | " + " | ".join(
            f"{a:.0%} / {_fmt(b)} / {_fmt(d, 2)}× ({_fmt(c, 2)}×)"
            for a, b, c, d in cells.values()) + " |")
    speed = {name: float(np.exp(np.mean(np.log([cells[name][3] for *_, cells in rows]))))
             for name in schedules}
    lines += ["", "Speedup (expected cost), geometric mean over problems: " + "; ".join(
        f"{name} {v:.2f}×" for name, v in speed.items()) + "."]
    text = "\n".join(lines) + "\n"
    (results_dir / f"hyperband_diagnosis{suffix}.md").write_text(text)
    return text
