"""From raw JSON lines to the Bayes study's summary table and plots.

The score is Bayesmark's normalised score (../shared/BENCHMARK.md): for problem
p, loss = -mean CV score; opt_p = the best loss any run of any method saw;
clip_p = the median loss of all random-search evaluations; for a run,
normed_t = clip((S_t - opt_p) / (clip_p - opt_p), -1, 1) with S_t its best loss
after t evaluations (1 if it has none yet), and the score at t is
100 * (1 - mean of normed_t over problems and seeds).

Intervals are percentile bootstraps (2000 draws) that resample the seeds
within each problem, so every problem keeps its weight.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

PEERS = ("random", "skopt", "optuna")
LABELS = {"skhpo": "skhpo BayesSearchCV", "random": "RandomizedSearchCV",
          "skopt": "skopt BayesSearchCV (GP)", "optuna": "OptunaSearchCV (TPE)"}
N_BOOT = 2000


def read_jsonl(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


# -------------------------------------------------------------------- score
def _curves(records, n_iter):
    """losses[method][problem] -> array (seeds, n_iter) of raw losses (NaN = failed/missing)."""
    runs = defaultdict(dict)
    for r in records:
        if r["kind"] == "eval":
            key = (r["method"], r["problem"], r["seed"])
            runs[key][r["iter"]] = np.nan if r["score"] is None else -r["score"]
    out = defaultdict(dict)
    seeds = sorted({k[2] for k in runs})
    problems = sorted({k[1] for k in runs})
    methods = sorted({k[0] for k in runs})
    for m in methods:
        for p in problems:
            arr = np.full((len(seeds), n_iter), np.nan)
            for i, s in enumerate(seeds):
                for it, loss in runs.get((m, p, s), {}).items():
                    if it <= n_iter:
                        arr[i, it - 1] = loss
            out[m][p] = arr
    return out, problems, seeds


def normalised(losses, problems):
    """normed[method] -> array (problems, seeds, n_iter) of normed_t."""
    normed = {}
    bounds = {}
    for p in problems:
        every = np.concatenate([losses[m][p].ravel() for m in losses])
        opt = np.nanmin(every)
        clip = np.nanmedian(losses["random"][p])
        bounds[p] = (opt, clip)
    for m in losses:
        stack = []
        for p in problems:
            opt, clip = bounds[p]
            arr = losses[m][p]
            # Best so far; a run with no finite loss yet sits at the clip (1).
            best = np.fmin.accumulate(np.where(np.isnan(arr), np.inf, arr), axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (best - opt) / max(clip - opt, 1e-12)
            stack.append(np.clip(np.where(np.isfinite(best), z, 1.0), -1, 1))
        normed[m] = np.array(stack)
    return normed, bounds


def _boot_index(n_problems, n_seeds, rng):
    return rng.randint(n_seeds, size=(N_BOOT, n_problems, n_seeds))


def score_with_ci(normed_m, idx):
    """Score at every t with its 95% interval: arrays (n_iter,) x 3."""
    point = 100 * (1 - normed_m.mean(axis=(0, 1)))
    n_p = normed_m.shape[0]
    # boot[b, p, s, t] = normed_m[p, idx[b, p, s], t]
    boot = normed_m[np.arange(n_p)[None, :, None], idx]
    scores = 100 * (1 - boot.mean(axis=(1, 2)))
    lo, hi = np.percentile(scores, [2.5, 97.5], axis=0)
    return point, lo, hi


def wins_ties_losses(normed, problems, t, rng):
    """Per peer: problems where skhpo's normed_t is lower (win) / higher (loss)
    than the peer's with a paired bootstrap 95% interval excluding 0; else a tie."""
    out = {}
    for peer in PEERS:
        if peer not in normed:
            continue
        counts = {"win": [], "tie": [], "loss": []}
        for j, p in enumerate(problems):
            d = normed[peer][j, :, t - 1] - normed["skhpo"][j, :, t - 1]
            boot = d[rng.randint(len(d), size=(N_BOOT, len(d)))].mean(axis=1)
            lo, hi = np.percentile(boot, [2.5, 97.5])
            verdict = "win" if lo > 0 else "loss" if hi < 0 else "tie"
            counts[verdict].append(p)
        out[peer] = counts
    return out


# ----------------------------------------------------------------- overhead
def overhead_at(records, kind, n, window=5):
    """Median overhead (s) per method over the evaluations n-window+1..n of every run."""
    values = defaultdict(list)
    for r in records:
        if r["kind"] == kind and r.get("overhead") is not None and n - window < r["iter"] <= n:
            values[r["method"]].append(r["overhead"])
    return {m: float(np.median(v)) for m, v in values.items() if v}


def overhead_curve(records, kind):
    values = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r["kind"] == kind and r.get("overhead") is not None:
            values[r["method"]][r["iter"]].append(r["overhead"])
    return {m: (np.array(sorted(v)), np.array([np.median(v[i]) for i in sorted(v)]))
            for m, v in values.items()}


# ------------------------------------------------------------------ summary
def _fmt(x, digits=3):
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}g}"


def _ok(flag):
    return "**PASS**" if flag else "**FAIL**"


def _runs_line(meta):
    """Say so when the results were written by several runs (``--resume``)."""
    if len(meta) < 2:
        return []
    runs = ", ".join(f"{m['started']} (skhpo {m['versions']['skhpo_commit']})" for m in meta)
    return [f"Results written by {len(meta)} runs, resumed one after the other: {runs}. "
            "Each task (one problem and seed, every method) ran whole in one of them.", ""]


def summarise(path, out_dir, suffix, command, n_iter):
    records = read_jsonl(path)
    meta = [r for r in records if r["kind"] == "meta"]
    if meta:
        command = "OMP_NUM_THREADS=1 python benchmarks/bayes_study.py " + " ".join(
            a for a in meta[-1]["argv"][1:] if a != "--resume")
        command = command.strip()
    errors = [r for r in records if r["kind"] == "error"]
    losses, problems, seeds = _curves(records, n_iter)
    normed, bounds = normalised(losses, problems)
    methods = [m for m in ("skhpo", *PEERS) if m in normed]
    rng = np.random.RandomState(0)
    idx = _boot_index(len(problems), len(seeds), rng)
    curves = {m: score_with_ci(normed[m], idx) for m in methods}
    t_mid, t_end = min(25, n_iter), n_iter
    checkpoints = sorted({min(10, n_iter), t_mid, t_end})

    lines = [f"# Bayes study{' (--small)' if suffix.startswith('_small') else ''}", "",
             f"Command: `{command}`", "",
             f"{len(problems)} problems x {len(seeds)} seeds (paired), n_iter={n_iter}; "
             f"versions: {json.dumps(meta[-1]['versions']) if meta else 'n/a'}.", "",
             *_runs_line(meta),
             "## Normalised score (Bayesmark; 100 = best loss ever seen, higher is better)", "",
             "| method | " + " | ".join(f"score @ {t} [95% CI]" for t in checkpoints) + " |",
             "|---|" + "---|" * len(checkpoints)]
    for m in methods:
        point, lo, hi = curves[m]
        cells = [f"{point[t - 1]:.2f} [{lo[t - 1]:.2f}, {hi[t - 1]:.2f}]" for t in checkpoints]
        lines.append(f"| {LABELS[m]} | " + " | ".join(cells) + " |")

    # Per-problem scores (same normalisation, one problem at a time).
    lines += ["", f"### Per problem, score @ {t_end} (mean over seeds)", "",
              "| problem | opt loss | clip loss | " + " | ".join(methods) + " |",
              "|---|---|---|" + "---|" * len(methods)]
    for j, p in enumerate(problems):
        cells = [f"{100 * (1 - normed[m][j, :, t_end - 1].mean()):.1f}" for m in methods]
        lines.append(f"| {p} | {_fmt(bounds[p][0], 4)} | {_fmt(bounds[p][1], 4)} | "
                     + " | ".join(cells) + " |")

    wtl = wins_ties_losses(normed, problems, t_end, rng)
    lines += ["", f"### skhpo against each peer, per problem, @ {t_end} evaluations",
              "(win/loss: the paired bootstrap 95% interval of the difference in normed "
              "loss over seeds excludes 0)", "",
              "| peer | wins | ties | losses | lost on |", "|---|---|---|---|---|"]
    for peer, c in wtl.items():
        lines.append(f"| {LABELS[peer]} | {len(c['win'])} | {len(c['tie'])} | "
                     f"{len(c['loss'])} | {', '.join(c['loss']) or '-'} |")

    # Overheads.
    cv_at = {n: overhead_at(records, "eval", n) for n in (25, 50) if n <= n_iter}
    direct_at = {n: overhead_at(records, "overhead", n) for n in (25, 50, 100, 200)}
    lines += ["", "## Optimizer overhead per suggestion (median seconds; wall time minus "
              "fit and score time)", "",
              "In the searches above (all problems, evaluations n-4..n):", "",
              "| method | " + " | ".join(f"@ {n} obs" for n in cv_at) + " |",
              "|---|" + "---|" * len(cv_at)]
    for m in methods:
        lines.append(f"| {LABELS[m]} | " + " | ".join(_fmt(cv_at[n].get(m)) for n in cv_at) + " |")
    lines += ["", "Direct ask/tell on a free 9-D objective (MLP-adam space; suggestions "
              "n-4..n, all seeds):", "",
              "| method | " + " | ".join(f"@ {n} obs" for n in direct_at) + " |",
              "|---|" + "---|" * len(direct_at)]
    for m in ("skhpo", "skopt"):
        lines.append(f"| {LABELS[m]} | "
                     + " | ".join(_fmt(direct_at[n].get(m)) for n in direct_at) + " |")
    ratio = {n: (direct_at[n]["skhpo"] / direct_at[n]["skopt"])
             if {"skhpo", "skopt"} <= set(direct_at[n]) else np.nan for n in direct_at}
    lines.append("| ratio skhpo / skopt | " + " | ".join(_fmt(ratio[n], 2) for n in direct_at) + " |")

    # Targets.
    best_peer = max((m for m in methods if m != "skhpo"), key=lambda m: curves[m][0][t_end - 1])
    best_peer_end = curves[best_peer][0][t_end - 1]
    # The first target's gap, with a paired bootstrap interval (same problem
    # and seed on both sides, resampled as the scores are).
    # score_with_ci of (normed skhpo - normed peer) is 100 + (score difference).
    paired = normed["skhpo"][:, :, t_mid - 1] - normed[best_peer][:, :, t_end - 1]
    gap, gap_lo, gap_hi = (float(v[0]) - 100 for v in score_with_ci(paired[:, :, None], idx))
    sk = curves["skhpo"][0]
    lead = {m: sk[t_end - 1] - curves[m][0][t_end - 1] for m in methods if m != "skhpo"}
    o200 = direct_at[200].get("skhpo", np.nan)
    targets = [
        (f"score @ {t_mid} >= best peer's @ {t_end}",
         f"{sk[t_mid - 1]:.2f} vs {LABELS[best_peer]}'s {best_peer_end:.2f} (difference "
         f"{gap:+.2f}, paired 95% interval [{gap_lo:+.2f}, {gap_hi:+.2f}])",
         sk[t_mid - 1] >= best_peer_end),
        (f"ahead of every peer @ {t_end}",
         ", ".join(f"{m} {d:+.2f}" for m, d in lead.items()), all(d > 0 for d in lead.values())),
        ("overhead <= 1/20 of skopt's @ 50 obs (9-D)", f"ratio {_fmt(ratio[50], 2)}",
         bool(ratio[50] <= 1 / 20)),
        ("overhead <= 0.2 s @ 200 obs (9-D)", f"{_fmt(o200)} s", bool(o200 <= 0.2)),
    ]
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {_ok(flag)} |" for name, value, flag in targets]
    if suffix.startswith("_small"):
        lines += ["", f"(--small: n_iter={n_iter}, {len(seeds)} seeds, cheap problems only; "
                  "indicative, not the result.)"]
    if errors:
        lines += ["", "## Runs that crashed", ""]
        lines += [f"- {e['method']} on {e['problem']} seed {e['seed']}: {e['error']}"
                  for e in errors]

    plots = _plot(curves, methods, records, out_dir, suffix)
    lines += ["", "## Plots", ""] + [f"![{name}]({name})" for name in plots]
    lines += ["", f"Raw results: `{Path(path).name}` (one JSON object per evaluation)."]
    text = "\n".join(lines) + "\n"
    (Path(out_dir) / f"bayes_summary{suffix}.md").write_text(text)
    return text


def _plot(curves, methods, records, out_dir, suffix):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for m in methods:
        point, lo, hi = curves[m]
        t = np.arange(1, len(point) + 1)
        ax.plot(t, point, label=LABELS[m], lw=2 if m == "skhpo" else 1.2)
        ax.fill_between(t, lo, hi, alpha=0.15)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("normalised score (higher is better)")
    ax.set_ylim(bottom=max(0, ax.get_ylim()[0]))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Bayesmark score vs evaluations (95% bootstrap band)")
    name = f"bayes_score_vs_evals{suffix}.png"
    fig.tight_layout()
    fig.savefig(Path(out_dir) / name, dpi=110)
    plt.close(fig)
    names.append(name)

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for m, (n, med) in overhead_curve(records, "overhead").items():
        ax.plot(n, med, label=f"{LABELS[m]}, ask/tell 9-D", lw=2 if m == "skhpo" else 1.2)
    for m, (n, med) in overhead_curve(records, "eval").items():
        ax.plot(n, med, ls=":", label=f"{LABELS[m]}, in the searches")
    ax.axhline(0.2, color="k", lw=0.8, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("observations")
    ax.set_ylabel("overhead per suggestion, median (s)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    ax.set_title("Optimizer overhead vs observations")
    name = f"bayes_overhead{suffix}.png"
    fig.tight_layout()
    fig.savefig(Path(out_dir) / name, dpi=110)
    plt.close(fig)
    names.append(name)
    return names
