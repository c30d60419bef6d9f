"""Paired comparison of bayes_variant result files on one common scale (EXPERIMENT helper).

usage: compare.py BASE_LABEL [LABEL ...]   (labels of results/bayes_variant_LABEL.json)
The scale (best loss per problem) pools the study and every variant file present.
A label may join runs on different seeds, NAME=LABEL1+LABEL2+...; "study" stands
for the full study's own skhpo runs (seeds 0-4). Variants are paired with the
base on the (problem, seed) runs both have.
"""
import glob, json, os, sys, collections
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import bayes_variant as bv

runs, _ = bv._study_runs()
files = sorted(glob.glob(os.path.join(bv.RESULTS, "bayes_variant_*.json")))
var = {}
for f in files:
    d = json.load(open(f))
    var[d["label"]] = {(n, s): l for n, s, l in d["runs"]}
pool = collections.defaultdict(list)
for (m, p, s), v in runs.items():
    pool[p] += [x for x in v if np.isfinite(x)]
for lab, r in var.items():
    for (p, s), v in r.items():
        pool[p] += [x for x in v if np.isfinite(x)]
best = {p: min(v) for p, v in pool.items()}
clip = {p: np.median([x for (m, q, _), v in runs.items() if m == "random" and q == p for x in v]) for p in best}

def normed(v, p, t):
    f = [x for x in v[:t] if np.isfinite(x)]
    s = min(f) if f else np.inf
    return np.clip((s - best[p]) / (clip[p] - best[p]), -1, 1)

def table(r):
    return {t: {k: 100 * (1 - normed(v, k[0], t)) for k, v in r.items()} for t in (10, 25, 50)}

var["study"] = {(p, s): v for (m, p, s), v in runs.items() if m == "skhpo"}
labels = []
for arg in sys.argv[1:] or sorted(var):
    name, _, parts = arg.partition("=")
    if parts:
        var[name] = {k: v for part in parts.split("+") for k, v in var[part].items()}
    labels.append(name)
base = labels[0]
tb = table(var[base])
probs = sorted(best)
peers = {}
for m in ("skopt", "optuna", "random", "skhpo"):
    r = {(p, s): v for (mm, p, s), v in runs.items() if mm.startswith(m)}
    if r:
        t = table(r); peers[m] = t
        print(f"{'[study] '+m:28s}", " ".join(f"@{k}:{np.mean(list(t[k].values())):5.1f}" for k in t))
for lab in labels:
    t = table(var[lab])
    cells = []
    for k in (10, 25, 50):
        d = np.array([t[k][key] - tb[k][key] for key in tb[k] if key in t[k]])
        cells.append(f"@{k}:{np.mean(list(t[k].values())):5.1f} ({d.mean():+4.1f}±{2*d.std(ddof=1)/np.sqrt(len(d)):.1f})")
    print(f"{lab:28s}", " ".join(cells), f"({len(d)} paired runs)")
    print(" " * 29 + "@50/@25 per problem: " + ", ".join(
        f"{p[:10]} {np.mean([t[50][(p,s)] for (q,s) in t[50] if q==p]):.0f}/{np.mean([t[25][(p,s)] for (q,s) in t[25] if q==p]):.0f}" for p in probs))
