"""A bayes_variant.py run on seeds 10-19 against the fresh skhpo and skopt runs.

    SKHPO_EXP=... python benchmarks/bayes_variant.py LABEL '{}' --seed-offset 10
    python benchmarks/experiments/bayes_fresh_compare.py LABEL

Same scale as ``bayes_fresh_seeds.py`` (the study's and the fresh runs; the
variant does not move it); paired on the (problem, seed) runs all three have.
"""
import json
import sys
from pathlib import Path

import numpy as np

R = str(Path(__file__).resolve().parents[1] / "results") + "/"
runs = {}
for f in (R + "bayes_runs.jsonl", R + "bayes_runs_fresh.jsonl"):
    for l in open(f):
        r = json.loads(l)
        if r["kind"] == "eval":
            k = (r["method"], r["problem"], r["seed"])
            runs.setdefault(k, np.full(50, np.nan))[r["iter"] - 1] = np.nan if r["score"] is None else -r["score"]
problems = sorted({k[1] for k in runs})
opt = {p: np.nanmin(np.concatenate([v for k, v in runs.items() if k[1] == p])) for p in problems}
clip = {p: np.nanmedian(np.concatenate([v for k, v in runs.items() if k[1] == p and k[0] == "random"])) for p in problems}
label = sys.argv[1]
for p, s, losses in json.load(open(f"{R}bayes_variant_{label}.json"))["runs"]:
    v = np.full(50, np.nan); v[:len(losses)] = [np.nan if x is None else x for x in losses]
    runs[("var", p, s)] = v
def nd(k, t):
    v = np.where(np.isnan(runs[k][:t]), np.inf, runs[k][:t]); b = v.min()
    return 1.0 if not np.isfinite(b) else float(np.clip((b - opt[k[1]]) / max(clip[k[1]] - opt[k[1]], 1e-12), -1, 1))
def paired(methods):
    return {p: [s for s in range(10, 20) if all((m, p, s) in runs for m in methods)]
            for p in problems}
pairs = paired(("var", "skhpo", "skopt"))
# The target is the variant against skopt: paired on every seed both ran, so
# it does not lose the seeds the old skhpo reference lacks (ackley 16-19).
target_pairs = paired(("var", "skopt"))
rng = np.random.RandomState(0)
def stat(d):
    ps = [p for p in d if len(d[p])]
    pt = np.mean([d[p].mean() for p in ps])
    boot = np.mean([d[p][rng.randint(len(d[p]), size=(2000, len(d[p])))].mean(axis=1) for p in ps], axis=0)
    return pt, np.percentile(boot, [2.5, 97.5])
print("pairs", sum(map(len, pairs.values())), "(target lines:", sum(map(len, target_pairs.values())), "pairs)")
for t in (10, 25, 50):
    for m in ("var", "skhpo"):
        pt, ci = stat({p: 100 * (1 - np.array([nd((m, p, s), t) for s in ss])) for p, ss in pairs.items()})
        print(f"{m}@{t}: {pt:.1f} [{ci[0]:.1f}, {ci[1]:.1f}]")
    pt, ci = stat({p: 100 * np.array([nd(("skhpo", p, s), t) - nd(("var", p, s), t) for s in ss]) for p, ss in pairs.items()})
    print(f"  var - skhpo @{t}: {pt:+.1f} [{ci[0]:+.1f}, {ci[1]:+.1f}]")
for t in (25, 50):  # the target's two halves: @25 >= skopt@50, and a lead at 50
    pt, ci = stat({p: 100 * np.array([nd(("skopt", p, s), 50) - nd(("var", p, s), t) for s in ss]) for p, ss in target_pairs.items()})
    print(f"var@{t} - skopt@50: {pt:+.1f} [{ci[0]:+.1f}, {ci[1]:+.1f}]")
for p in problems:
    ss, ts = pairs[p], target_pairs[p]
    print(p, len(ss), " ".join(f"{m}@25={100*(1-np.mean([nd((m,p,s),25) for s in ss])):.0f}" for m in ("var", "skhpo")),
          f"| {len(ts)} seeds: var@25={100*(1-np.mean([nd(('var',p,s),25) for s in ts])):.0f}"
          f" skopt@50={100*(1-np.mean([nd(('skopt',p,s),50) for s in ts])):.0f}")
