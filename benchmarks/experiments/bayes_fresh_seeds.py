"""The Bayes target on fresh seeds: skhpo@25 against skopt@50 on seeds 10-19.

Runs: the study's own (``results/bayes_runs.jsonl``, seeds 0-9, every method) and
``results/bayes_runs_fresh.jsonl``, made with::

    OMP_NUM_THREADS=1 python benchmarks/bayes_study.py --seeds 10-19 \
        --methods skhpo,skopt --no-overhead --tag fresh --jobs 2 [--resume]

Then ``python benchmarks/experiments/bayes_fresh_seeds.py [--study-scale] [--ackley]``.

Pooled Bayesmark scale: committed study (seeds 0-9, 4 methods) + fresh runs (seeds 10-19).
opt_p = best finite loss of any run in either file (--study-scale: study's runs only);
clip_p = median of all random-search losses (committed study, seeds 0-9: the only random
runs). Same normed formula as _analysis.py. Aggregates weight every problem equally
(mean over problems of the mean over that problem's seeds); bootstrap resamples seeds
within each problem (as _analysis.py), 2000 draws."""
import json
import sys
from pathlib import Path

import numpy as np

R = str(Path(__file__).resolve().parents[1] / "results") + "/"
files = [R + "bayes_runs.jsonl", R + "bayes_runs_fresh.jsonl"]
study_scale = "--study-scale" in sys.argv
runs = {}; src = {}
for f in files:
    for l in open(f):
        r = json.loads(l)
        if r["kind"] == "eval":
            k = (r["method"], r["problem"], r["seed"])
            runs.setdefault(k, np.full(50, np.nan))[r["iter"] - 1] = np.nan if r["score"] is None else -r["score"]
            src[k] = f
problems = sorted({k[1] for k in runs})
opt, clip = {}, {}
for p in problems:
    opt[p] = np.nanmin(np.concatenate([v for k, v in runs.items() if k[1] == p and (not study_scale or src[k] == files[0])]))
    clip[p] = np.nanmedian(np.concatenate([v for k, v in runs.items() if k[1] == p and k[0] == "random"]))
def nd(k, t):
    v = np.where(np.isnan(runs[k][:t]), np.inf, runs[k][:t]); b = v.min()
    return 1.0 if not np.isfinite(b) else float(np.clip((b - opt[k[1]]) / max(clip[k[1]] - opt[k[1]], 1e-12), -1, 1))
def have(seeds, probs=problems):
    return {p: [s for s in seeds if ("skhpo", p, s) in runs and ("skopt", p, s) in runs] for p in probs}
rng = np.random.RandomState(0)
def stat(vals):  # vals: {p: array over seeds}; problem-balanced mean + stratified bootstrap CI
    ps = [p for p in vals if len(vals[p])]
    point = np.mean([vals[p].mean() for p in ps])
    boot = np.mean([vals[p][rng.randint(len(vals[p]), size=(2000, len(vals[p])))].mean(axis=1) for p in ps], axis=0)
    return point, np.percentile(boot, [2.5, 97.5])
def score(m, sel, t):
    pt, (lo, hi) = stat({p: np.array([nd((m, p, s), t) for s in ss]) for p, ss in sel.items()})
    return f"{100*(1-pt):.2f} [{100*(1-hi):.1f}, {100*(1-lo):.1f}]"
def gap(sel):  # skhpo@25 - skopt@50 in score points
    pt, (lo, hi) = stat({p: 100 * np.array([nd(("skopt", p, s), 50) - nd(("skhpo", p, s), 25) for s in ss]) for p, ss in sel.items()})
    return pt, lo, hi
# gap difference between seed sets (unpaired: independent bootstraps)
def gboot(sel):
    d = {p: 100 * np.array([nd(("skopt", p, s), 50) - nd(("skhpo", p, s), 25) for s in ss]) for p, ss in sel.items() if ss}
    return np.mean([d[p][rng.randint(len(d[p]), size=(2000, len(d[p])))].mean(axis=1) for p in d], axis=0), np.mean([d[p].mean() for p in d])
S0, S1 = list(range(10)), list(range(10, 20))
fresh = have(S1)
full5 = have(range(10, 15))
print("scale:", "study-only opt" if study_scale else "pooled opt (study + fresh)")
print("fresh pairs per problem:", {p: len(v) for p, v in fresh.items()}, "total", sum(map(len, fresh.values())))
print("opt/clip:", {p: (float(f"{opt[p]:.4g}"), float(f"{clip[p]:.4g}")) for p in problems})
sets = [("0-9 (study runs)", have(S0)), ("0-4", have(range(5))), ("10-14 (fresh)", full5),
        ("10-19 (fresh, all available)", fresh),
        ("0-19 (all available)", {p: have(S0)[p] + fresh[p] for p in problems})]
print("\n| seeds | pairs | skhpo @10 | skhpo @25 | skhpo @50 | skopt @10 | skopt @25 | skopt @50 |\n|---|---|---|---|---|---|---|---|")
for name, sel in sets:
    print(f"| {name} | {sum(map(len, sel.values()))} | " + " | ".join(score(m, sel, t) for m in ("skhpo", "skopt") for t in (10, 25, 50)) + " |")
print("\n| seeds | pairs | skhpo@25 - skopt@50 [95% CI] |\n|---|---|---|")
for name, sel in sets:
    pt, lo, hi = gap(sel)
    print(f"| {name} | {sum(map(len, sel.values()))} | {pt:+.2f} [{lo:+.2f}, {hi:+.2f}] |")
# Same problems, seeds 0-9 restricted to the problems with 10 fresh seeds
ten = [p for p in problems if len(fresh[p]) == 10]
b1, g1 = gboot(full5); b0, g0 = gboot(have(S0))
print(f"\ngap(10-14) - gap(0-9) = {g1 - g0:+.2f}, 95% CI {np.round(np.percentile(b1 - b0, [2.5, 97.5]), 2).tolist()}")
if ten and len(ten) < len(problems):
    for name, sel in (("0-9, problems with 10 fresh seeds", have(S0, ten)), ("10-19, same problems", have(S1, ten))):
        pt, lo, hi = gap(sel); print(f"| {name} ({len(ten)} problems) | {sum(map(len, sel.values()))} | {pt:+.2f} [{lo:+.2f}, {hi:+.2f}] |")
b1, g1 = gboot(fresh); b0, g0 = gboot(have(S0, [p for p in problems if fresh[p]]))
print(f"\ngap(fresh, all available) - gap(0-9, same problems) = {g1 - g0:+.2f}, 95% CI {np.round(np.percentile(b1 - b0, [2.5, 97.5]), 2).tolist()}")
print("\n| problem | fresh seeds | fresh skhpo@25 | fresh skopt@50 | diff | 0-9 skhpo@25 | 0-9 skopt@50 | diff |\n|---|---|---|---|---|---|---|---|")
for p in problems:
    c = []
    for ss in (fresh[p], S0):
        a = 100 * (1 - np.mean([nd(("skhpo", p, s), 25) for s in ss])); b = 100 * (1 - np.mean([nd(("skopt", p, s), 50) for s in ss]))
        c += [f"{a:.1f}", f"{b:.1f}", f"{a - b:+.1f}"]
    print(f"| {p} | {len(fresh[p])} | " + " | ".join(c) + " |")
# Side note: skhpo at 94c8112 on seeds 10-19 (bayes_variant_defaults_seeds10to14/15to19), same scale (not in opt).
for f in ("defaults_seeds10to14", "defaults_seeds15to19"):
    for p, s, losses in json.load(open(R + f"bayes_variant_{f}.json"))["runs"]:
        v = np.full(50, np.nan); v[:len(losses)] = [np.nan if x is None else x for x in losses]
        runs[("skhpo_94c8112", p, s)] = v
for t in (10, 25, 50):
    a = {p: np.array([nd(("skhpo_94c8112", p, s), t) for s in fresh[p]]) for p in problems}
    b = {p: np.array([nd(("skhpo", p, s), t) for s in fresh[p]]) for p in problems}
    same = sum(int(np.isclose(a[p], b[p], atol=1e-9).sum()) for p in problems)
    print(f"fresh pairs @{t}: skhpo@94c8112 {100*(1-stat(a)[0]):.2f} vs skhpo@57b07fc {100*(1-stat(b)[0]):.2f}; same best-so-far in {same} runs")
if "--ackley" in sys.argv:
    for s in list(range(10)) + fresh["ackley-5d"]:
        print(s, " ".join(f"{m}@{t}={100*(1-nd((m,'ackley-5d',s),t)):.0f}" for m, t in (("skhpo",25),("skhpo",50),("skopt",50))))
