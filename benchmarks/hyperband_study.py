"""The Hyperband study of ../shared/BENCHMARK.md: fold budgets against the peers.

One command runs everything, writes the raw results as JSON lines, then the
summary table and the plot::

    OMP_NUM_THREADS=1 python benchmarks/hyperband_study.py              # full: 10 problems, 5 seeds
    OMP_NUM_THREADS=1 python benchmarks/hyperband_study.py --small      # quick check, a few minutes
    python benchmarks/hyperband_study.py [--small] --analyse-only       # redo the tables and plot

Subsets and reruns: ``--methods random,hb-random`` runs only those methods,
``--seeds 0-14`` other seeds than the mode's, ``--tag NAME`` writes
``results/hyperband_runs_NAME.jsonl`` and ``hyperband_summary_NAME.md``, and
``--with FILE`` adds another runs file's runs of the methods not run here to the
analysis, so that random search, run once, serves several sampler variants::

    python benchmarks/hyperband_study.py --methods random,hb-random --seeds 0-14 --tag base
    python benchmarks/hyperband_study.py --methods hb-bayes --seeds 0-14 --tag new \
        --with benchmarks/results/hyperband_runs_base.jsonl

Deviation from the 5-fold protocol (stated in the summary too): every problem
uses 9 splits, ``RepeatedStratifiedKFold(n_splits=3, n_repeats=3,
random_state=0)`` for classifiers and ``RepeatedKFold(...)`` for regressors,
because with 5 folds and factor 3 Hyperband has only the budgets 1 and 3
(issue 3); with 9 it has 1, 3 and 9 splits. Before the search, 25% of each
dataset is held out (stratified for classifiers, ``random_state=0``, the same
for every method and seed); the best candidate is refitted on the other 75%
and scored on the hold-out.

Methods, the same seeds (``random_state=seed``) on the same problems, one
(problem, seed) task per fresh process:

* ``hb-random`` / ``hb-bayes``: skhpo ``HyperbandSearchCV(resource="n_splits",
  factor=3, sampler="random" / "bayes")``: R = 9, brackets 9@1->3@3->1@9,
  5@3->1@9, 3@9: 17 candidates, 69 fold-fits;
* ``random``: ``RandomizedSearchCV`` with the same 17 candidates' count
  (153 fold-fits), driven one candidate at a time to stamp each;
* ``halving``: ``HalvingRandomSearchCV(resource="n_samples", factor=3,
  n_candidates=17, min_resources="exhaust")`` (17 -> 6 -> 2 candidates on all
  9 splits of growing subsamples; its last iteration counts as full budget
  only if it trains on at least 95% of the rows; not run on Ackley, whose 10
  dummy rows cannot be subsampled);
* ``optuna-hb``: Optuna (TPE, its default sampler, seeded) with
  ``HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)``; the
  objective loops over the 9 splits itself and reports the running mean after
  each one (``trial.report`` / ``trial.should_prune``); 17 trials;
* ``bayes-prune`` / ``bayes-noprune``: skhpo ``BayesSearchCV(n_iter=17,
  pruning=True / False)``.

For every run, each evaluation is recorded with its score, whether that score
is a full-budget one (mean over all 9 splits on all the training rows; for
``halving``, its last iteration), and the cumulative fold-fits and wall time
when it became known (a rung, a batch, a trial: the moment the library had
it). Fold-fits count (candidate, split) fits; ``halving``'s fits are on
subsamples, so its cost is also given in full-fit equivalents.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import problems as P  # noqa: E402

N_REPEATS, N_FOLDS = 3, 3
R = N_REPEATS * N_FOLDS  # the full budget, in splits
FACTOR = 3
HOLDOUT = 0.25

METHODS = ("random", "hb-random", "hb-bayes", "halving", "optuna-hb",
           "bayes-noprune", "bayes-prune")
LABELS = {
    "random": "RandomizedSearchCV",
    "hb-random": "skhpo HyperbandSearchCV (random)",
    "hb-bayes": "skhpo HyperbandSearchCV (bayes)",
    "halving": "HalvingRandomSearchCV (n_samples)",
    "optuna-hb": "Optuna TPE + HyperbandPruner (per fold)",
    "bayes-noprune": "skhpo BayesSearchCV pruning=False",
    "bayes-prune": "skhpo BayesSearchCV pruning=True",
}

MODES = {
    "small": dict(problems=["svm-breast-nll", "knn-iris-acc", "linear-wine-nll",
                            "lasso-diabetes-mae"], seeds=[0, 1, 2]),
    "full": dict(problems=list(P.PROBLEMS), seeds=[0, 1, 2, 3, 4]),
}
_COST = {"ada-breast-acc": 9, "mlp-breast-acc": 3, "mlpsgd-wine-nll": 3,
         "rf-wine-nll": 1, "svm-breast-nll": 1}


# ------------------------------------------------------------ the set-up
class Setup:
    """A public problem adapted to this study: 9 splits and a 25% hold-out."""

    def __init__(self, name):
        from sklearn.model_selection import (
            RepeatedKFold, RepeatedStratifiedKFold, train_test_split)

        self.name = name
        self.problem = problem = P.PROBLEMS[name]
        X, y = problem.data
        X, y = np.asarray(X), np.asarray(y)
        stratify = y if problem.classifier else None
        (self.X, self.X_test, self.y, self.y_test) = train_test_split(
            X, y, test_size=HOLDOUT, stratify=stratify, random_state=0)
        splitter = RepeatedStratifiedKFold if problem.classifier else RepeatedKFold
        self.cv = splitter(n_splits=N_FOLDS, n_repeats=N_REPEATS, random_state=0)
        self.scoring = problem.scoring

    @property
    def estimator(self):
        return self.problem.estimator

    def holdout_score(self, fitted):
        from sklearn.metrics import check_scoring

        if fitted is None:
            return None
        try:
            value = float(check_scoring(fitted, self.scoring)(fitted, self.X_test, self.y_test))
        except Exception:  # a best model that cannot score is a result too
            return None
        return value if np.isfinite(value) else None


def n_candidates():
    from skhpo.hyperband import hyperband_schedule

    table = hyperband_schedule(R, 1, FACTOR)
    return int(table.loc[table["rung"] == 0, "n_candidates"].sum())


def _finite(x):
    x = float(x)
    return x if np.isfinite(x) else None


# ----------------------------------------------------------- the runners
def _fold_search(cls):
    """A skhpo search that stamps (time, fold-fits) after each evaluator call."""

    class Stamped(cls):
        def _evaluate_many(self, evaluator, *args, **kwargs):
            # Both searches' parallel calls go through here.
            super()._evaluate_many(evaluator, *args, **kwargs)
            self._n_fits_now = evaluator.n_fits_
            self._stamps.append((time.perf_counter(), evaluator.n_fits_))

    Stamped.__name__ = cls.__name__
    return Stamped


def run_hyperband(setup, seed, sampler):
    from skhpo import HyperbandSearchCV

    search = _fold_search(HyperbandSearchCV)(
        setup.estimator, P.skhpo_space(setup.problem), resource="n_splits",
        factor=FACTOR, sampler=sampler, scoring=setup.scoring, cv=setup.cv,
        random_state=seed, error_score=np.nan, refit=True)
    search._stamps = []
    t0 = time.perf_counter()
    search.fit(setup.X, setup.y)
    wall = time.perf_counter() - t0
    res = search.cv_results_
    # Rows come rung by rung, in running order; one evaluator call per rung.
    rung_of, order = [], {}
    for b, it in zip(res["bracket"], res["iter"]):
        rung_of.append(order.setdefault((int(b), int(it)), len(order)))
    assert len(order) == len(search._stamps), (len(order), len(search._stamps))
    evals = []
    for row, j in enumerate(rung_of):
        t, fits = search._stamps[j]
        budget = int(res["n_resources"][row])
        evals.append({"budget": budget, "full": budget == R,
                      "score": _finite(res["mean_test_score"][row]),
                      "fold_fits": fits, "fit_equiv": fits, "elapsed": t - t0})
    return evals, search, wall, {"n_fold_fits": search.n_fold_fits_}


def run_bayes(setup, seed, pruning, n_iter):
    from skhpo import BayesSearchCV

    search = _fold_search(BayesSearchCV)(
        setup.estimator, P.skhpo_space(setup.problem), n_iter=n_iter,
        scoring=setup.scoring, cv=setup.cv, random_state=seed, error_score=np.nan,
        refit=True, pruning=pruning)
    search._stamps = []
    done = []
    t0 = time.perf_counter()
    search.fit(setup.X, setup.y,
               callback=lambda result: done.append((time.perf_counter(), search._n_fits_now)))
    wall = time.perf_counter() - t0
    res = search.cv_results_
    pruned = np.asarray(res["pruned"], bool)
    # One candidate per batch (n_points=1): row i is known at callback i.
    evals = []
    for row in range(len(res["params"])):
        t, fits = done[row]
        evals.append({"budget": R if not pruned[row] else None, "full": not pruned[row],
                      "score": _finite(res["mean_test_score"][row]),
                      "fold_fits": fits, "fit_equiv": fits, "elapsed": t - t0})
    return evals, search, wall, {"n_fold_fits": search.n_fold_fits_,
                                 "n_pruned": int(pruned.sum())}


def run_random(setup, seed, n_iter):
    from _runners import SequentialRandomSearch

    stamps = []
    search = SequentialRandomSearch(
        setup.estimator, P.scipy_space(setup.problem), n_iter=n_iter,
        scoring=setup.scoring, cv=setup.cv, random_state=seed, error_score=np.nan,
        refit=True, callback=lambda: stamps.append(time.perf_counter()))
    t0 = time.perf_counter()
    search.fit(setup.X, setup.y)
    wall = time.perf_counter() - t0
    scores = search.cv_results_["mean_test_score"]
    evals = [{"budget": R, "full": True, "score": _finite(s), "fold_fits": R * (i + 1),
              "fit_equiv": R * (i + 1), "elapsed": stamps[i] - t0}
             for i, s in enumerate(scores)]
    return evals, search, wall, {"n_fold_fits": R * len(scores)}


def run_halving(setup, seed, n_iter):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    class Stamped(HalvingRandomSearchCV):
        def _run_search(self, evaluate_candidates, *, callback_ctx=None):
            def stamped(candidate_params, cv=None, more_results=None, **kw):
                out = evaluate_candidates(candidate_params, cv, more_results, **kw)
                n = len(more_results["iter"])
                frac = more_results["n_resources"][0] / self.max_resources_
                self._fits += n * self.n_splits_
                self._equiv += n * self.n_splits_ * frac
                self._stamps.append((time.perf_counter(), self._fits, self._equiv))
                return out
            return super()._run_search(stamped, callback_ctx=callback_ctx)

    search = Stamped(setup.estimator, P.scipy_space(setup.problem),
                     n_candidates=n_iter, factor=FACTOR, resource="n_samples",
                     min_resources="exhaust", scoring=setup.scoring, cv=setup.cv,
                     random_state=seed, error_score=np.nan, refit=True)
    search._stamps, search._fits, search._equiv = [], 0, 0.0
    t0 = time.perf_counter()
    search.fit(setup.X, setup.y)
    wall = time.perf_counter() - t0
    res = search.cv_results_
    last = int(np.max(res["iter"]))
    evals = []
    for row in range(len(res["params"])):
        it = int(res["iter"][row])
        t, fits, equiv = search._stamps[it]
        # Full budget: the last iteration, if it trains on (nearly, after
        # min_resources="exhaust" rounding) all the rows; on a small dataset the
        # last iteration may use half of them, which is not a full-budget score.
        full = it == last and res["n_resources"][row] >= 0.95 * search.max_resources_
        evals.append({"budget": int(res["n_resources"][row]), "full": bool(full),
                      "score": _finite(res["mean_test_score"][row]), "fold_fits": fits,
                      "fit_equiv": round(equiv, 3), "elapsed": t - t0})
    return evals, search, wall, {"n_fold_fits": search._fits,
                                 "fit_equiv": round(search._equiv, 3),
                                 "last_n_resources": int(search.n_resources_[-1]),
                                 "max_resources": int(search.max_resources_)}


def _suggest(trial, problem):
    params = {}
    for p in problem.params:
        if p.kind == "bool":
            params[p.name] = trial.suggest_categorical(p.name, [True, False])
        elif p.kind == "int":
            params[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high), log=p.log)
        else:
            params[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
    return params


def run_optuna(setup, seed, n_iter):
    import optuna
    from sklearn.base import clone
    from sklearn.metrics import check_scoring

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = setup.X, setup.y
    splits = list(setup.cv.split(X, y))
    base = setup.estimator
    scorer = check_scoring(base, setup.scoring)
    fits = [0]

    def objective(trial):
        params = _suggest(trial, setup.problem)
        scores = []
        for k, (train, test) in enumerate(splits):
            est = clone(base).set_params(**params)
            fits[0] += 1
            try:
                est.fit(X[train], y[train])
                scores.append(float(scorer(est, X[test], y[test])))
            except Exception:
                return float("nan")  # error_score=nan: the trial fails
            if not np.isfinite(scores[-1]):
                return float("nan")
            trial.report(float(np.mean(scores)), step=k + 1)
            if k + 1 < len(splits) and trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(scores))

    evals = []
    t0 = time.perf_counter()

    def stamp(study, trial):
        full = trial.state == optuna.trial.TrialState.COMPLETE
        evals.append({"budget": R if full else (max(trial.intermediate_values, default=0)),
                      "full": full, "score": _finite(trial.value) if full else None,
                      "fold_fits": fits[0], "fit_equiv": fits[0],
                      "elapsed": time.perf_counter() - t0})

    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=R,
                                              reduction_factor=FACTOR))
    study.optimize(objective, n_trials=n_iter, callbacks=[stamp], catch=())
    wall = time.perf_counter() - t0
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE
                and t.value is not None and np.isfinite(t.value)]
    best = None
    if complete:
        best_trial = max(complete, key=lambda t: t.value)
        best = clone(base).set_params(**best_trial.params).fit(X, y)
    return evals, best, wall, {"n_fold_fits": fits[0],
                               "n_pruned": sum(t.state == optuna.trial.TrialState.PRUNED
                                               for t in study.trials)}


def run_method(method, setup, seed, n_iter):
    if method.startswith("hb-"):
        return run_hyperband(setup, seed, method[3:])
    if method.startswith("bayes-"):
        return run_bayes(setup, seed, method == "bayes-prune", n_iter)
    return {"random": run_random, "halving": run_halving,
            "optuna-hb": run_optuna}[method](setup, seed, n_iter)


def run_one(method, problem_name, seed, n_iter):
    setup = Setup(problem_name)
    base = {"problem": problem_name, "method": method, "seed": seed}
    if method == "halving" and problem_name == "ackley-5d":
        # Ackley's dummy rows cannot be subsampled: no n_samples budget.
        return [{**base, "kind": "skipped", "why": "no n_samples budget on Ackley"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            evals, fitted, wall, extra = run_method(method, setup, seed, n_iter)
        except Exception as exc:
            tb = traceback.format_exc().strip().splitlines()
            return [{**base, "kind": "error", "error": (f"{type(exc).__name__}: {exc} ("
                     + " / ".join(line.strip() for line in tb[-7:-1]) + ")")[:1500]}]
        best_est = getattr(fitted, "best_estimator_", fitted)
        holdout = setup.holdout_score(best_est)
    full = [e["score"] for e in evals if e["full"] and e["score"] is not None]
    out = [{**base, "kind": "eval", "i": i, **e} for i, e in enumerate(evals)]
    out.append({**base, "kind": "run", "wall": wall, "holdout": holdout,
                "best_cv": max(full) if full else None, "n_evals": len(evals), **extra})
    return out


def _task(args):
    problem, seed, n_iter, methods = args
    t0 = time.perf_counter()
    records = []
    for method in methods:
        records += run_one(method, problem, seed, n_iter)
    return args, records, time.perf_counter() - t0


def _meta(mode, jobs):
    import platform

    import numpy
    import optuna
    import sklearn

    import skhpo
    from bayes_study import _skhpo_commit

    return {"kind": "meta", "mode": mode, "jobs": jobs, "argv": sys.argv,
            "loadavg_start": os.getloadavg(), "cpus": os.cpu_count(),
            "omp_num_threads": os.environ["OMP_NUM_THREADS"],
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "versions": {"skhpo": skhpo.__version__, "skhpo_commit": _skhpo_commit(),
                         "python": platform.python_version(), "numpy": numpy.__version__,
                         "sklearn": sklearn.__version__, "optuna": optuna.__version__}}


def run_study(mode, jobs, out, resume, methods=METHODS, seeds=None):
    cfg = dict(MODES[mode])
    if seeds is not None:
        cfg["seeds"] = seeds
    n_iter = n_candidates()
    done = set()
    if resume and out.exists():
        done = {tuple(r["task"][:2]) for r in read_jsonl(out) if r["kind"] == "task_done"}
    else:
        out.write_text("")
    tasks = sorted([(p, s, n_iter, list(methods)) for p in cfg["problems"]
                    for s in cfg["seeds"] if (p, s) not in done],
                   key=lambda t: -_COST.get(t[0], 0.5))
    with out.open("a") as fh:
        fh.write(json.dumps(_meta(mode, jobs)) + "\n")
        fh.flush()
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(jobs, maxtasksperchild=1) as pool:
            for i, (task, records, seconds) in enumerate(
                    pool.imap_unordered(_task, tasks), 1):
                for rec in records:
                    fh.write(json.dumps(rec) + "\n")
                fh.write(json.dumps({"kind": "task_done", "task": list(task[:2]),
                                     "seconds": seconds}) + "\n")
                fh.flush()
                errors = [(r["method"], r["error"]) for r in records if r["kind"] == "error"]
                print(f"[{i}/{len(tasks)}] {task[:2]} {seconds:.0f}s"
                      + (f" ERRORS: {errors}" if errors else ""), flush=True)


# -------------------------------------------------------------- analysis
def read_jsonl(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _runs(records):
    """(problem, method, seed) -> (evals, run record)."""
    evals, runs = defaultdict(list), {}
    for r in records:
        key = (r.get("problem"), r.get("method"), r.get("seed"))
        if r["kind"] == "eval":
            evals[key].append(r)
        elif r["kind"] == "run":
            runs[key] = r
    return {k: (sorted(evals[k], key=lambda e: e["i"]), runs[k]) for k in runs}


def _to_target(evals, target, field):
    """Cumulative cost (field) when the incumbent full-budget score first reaches target."""
    for e in evals:
        if e["full"] and e["score"] is not None and e["score"] >= target - 1e-12:
            return e[field]
    return np.inf


def _fmt(x, digits=0):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if np.isinf(x):
        return "never"
    return f"{x:.{digits}f}"


def _median_cost(values):
    """Median with unreached runs as +inf (so the median is 'never' if most never got there)."""
    return float(np.median(values)) if values else np.nan


def _label(suffix):
    """The title's note on the mode: ``--small`` or the ``--tag``."""
    if not suffix:
        return ""
    return " (--small)" if suffix == "_small" else f" (--tag {suffix[1:]})"


def analyse(out, results_dir, suffix, command, extra=()):
    records = read_jsonl(out)
    # Runs of other methods from other files (--with), e.g. random search run
    # once and shared by several sampler variants; this file's runs win.
    mine = {(r.get("problem"), r.get("method"), r.get("seed")) for r in records
            if r["kind"] == "run"}
    for path in extra:
        records += [r for r in read_jsonl(path) if r["kind"] in ("eval", "run")
                    and (r["problem"], r["method"], r["seed"]) not in mine]
    metas = [r for r in records if r["kind"] == "meta"]
    runs = _runs(records)
    problems = [p for p in P.PROBLEMS if any(k[0] == p for k in runs)]
    methods = [m for m in METHODS if any(k[1] == m for k in runs)]
    seeds = sorted({k[2] for k in runs})
    errors = [r for r in records if r["kind"] == "error"]

    # Target: RandomizedSearchCV's final median incumbent, per problem.
    target = {}
    for p in problems:
        finals = [runs[(p, "random", s)][1]["best_cv"] for s in seeds
                  if (p, "random", s) in runs]
        finals = [f for f in finals if f is not None]
        if finals:
            target[p] = float(np.median(finals))

    # A secondary, looser target: within 1% of the gap between the target and
    # the median random-search evaluation (Bayesmark's normalised scale), so
    # that a plateau (lasso) does not hinge on the fourth significant digit.
    loose = {}
    for p in target:
        scores = [e["score"] for s in seeds if (p, "random", s) in runs
                  for e in runs[(p, "random", s)][0] if e["score"] is not None]
        loose[p] = target[p] - 0.01 * max(target[p] - float(np.median(scores)), 0.0)

    cost = {}  # (p, m) -> dict of lists over seeds
    for p in target:
        for m in methods:
            c = defaultdict(list)
            for s in seeds:
                if (p, m, s) not in runs:
                    continue
                evals, run = runs[(p, m, s)]
                c["fits"].append(_to_target(evals, target[p], "fold_fits"))
                c["fits_loose"].append(_to_target(evals, loose[p], "fold_fits"))
                c["equiv"].append(_to_target(evals, target[p], "fit_equiv"))
                c["time"].append(_to_target(evals, target[p], "elapsed"))
                c["total_fits"].append(run["n_fold_fits"])
                c["total_equiv"].append(run.get("fit_equiv", run["n_fold_fits"]))
                c["wall"].append(run["wall"])
                c["best_cv"].append(run["best_cv"])
                c["holdout"].append(run["holdout"])
                c["n_pruned"].append(run.get("n_pruned", 0))
            cost[(p, m)] = c

    def ratio_runs(m, field):
        """Per run: RS's median cost-to-target on its problem / the run's cost."""
        out_ = []
        for p in target:
            if (p, m) not in cost or (p, "random") not in cost:
                continue
            ref = _median_cost(cost[(p, "random")][field])
            out_ += [ref / v if v > 0 else np.inf for v in cost[(p, m)][field]]
        return out_

    def ratio_budget(m):
        """Per run: RS's whole budget (n candidates x 9 splits) / the run's fits to target."""
        out_ = []
        for p in target:
            if (p, m) not in cost or (p, "random") not in cost:
                continue
            ref = float(np.median(cost[(p, "random")]["total_fits"]))
            out_ += [ref / v for v in cost[(p, m)]["fits"]]
        return out_

    n_cand = n_candidates()
    lines = [
        f"# Hyperband study{_label(suffix)}",
        "",
        f"Command: `{command}`  ",
        f"Raw results: `benchmarks/results/{out.name}`; plot: "
        f"`benchmarks/results/hyperband_curves{suffix}.png`.  ",
    ]
    if metas:
        m0 = metas[-1]
        v = m0["versions"]
        commits = ", ".join(sorted({m["versions"]["skhpo_commit"] for m in metas}))
        lines.append(f"skhpo {v['skhpo']} ({commits}), scikit-learn {v['sklearn']}, "
                     f"optuna {v['optuna']}, numpy {v['numpy']}, Python {v['python']}; "
                     f"{m0['cpus']} CPUs, load average at start "
                     f"{', '.join(f'{x:.1f}' for x in m0['loadavg_start'])} "
                     f"(--jobs {m0['jobs']}). Started {m0['started']}.")
        if len(metas) > 1:
            lines.append(f"**Runs from {len(metas)} sessions** (started "
                         f"{', '.join(m['started'] for m in metas)}; a method rerun after a "
                         "code change replaces its earlier runs): fold-fit counts are exact "
                         "whatever the machine's load, but wall-time ratios between methods "
                         "run in different sessions are not comparable.")
    lines += [
        "",
        f"Problems: {', '.join(problems)}; seeds {seeds}; {n_cand} candidates per method "
        f"(the number one Hyperband iteration draws with R={R}, factor={FACTOR}).",
        "",
        "**Deviation from the protocol:** every problem uses 9 splits "
        "(`RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)`, "
        "`RepeatedKFold` for regressors) instead of 5-fold CV, so that Hyperband has "
        "budgets of 1, 3 and 9 splits; and 25% of each dataset (stratified, "
        "random_state=0) is held out before the search for the final score.",
        "",
        "Primary figure: fold-fits (exact counts). The target on each problem is "
        "RandomizedSearchCV's final median incumbent (the median over seeds of its best "
        "9-split mean CV score). *Fold-fits to target* is the cumulative count when a "
        "run's best **full-budget** score first reaches it (a score at 1 or 3 splits "
        "does not count); `never` = not reached. Speedup = RandomizedSearchCV's median "
        "fold-fits to target on the problem / the run's, then the median over all "
        "(problem, seed) runs. Wall times are secondary, as ratios from the same run.",
        "",
        "## Speedup to random search's final median incumbent",
        "",
        "| method | median speedup (fold-fits) | within 1% | vs RS's whole budget | "
        "median speedup (wall) | runs reaching target | fold-fits per run (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for m in methods:
        rf, rb, rt = ratio_runs(m, "fits"), ratio_budget(m), ratio_runs(m, "time")
        rl = ratio_runs(m, "fits_loose")
        reached = sum(np.isfinite(c) for p in target for c in cost.get((p, m), {}).get("fits", []))
        total = sum(len(cost.get((p, m), {}).get("fits", [])) for p in target)
        fits_run = [f for p in target for f in cost.get((p, m), {}).get("total_fits", [])]
        extra = ""
        if m == "halving":
            eq = [f for p in target for f in cost.get((p, m), {}).get("total_equiv", [])]
            extra = f" ({np.median(eq):.0f} full-fit equivalents)"
        summary[m] = (np.median(rf) if rf else np.nan, np.median(rb) if rb else np.nan,
                      np.median(rt) if rt else np.nan)
        lines.append(f"| {LABELS[m]} | {_fmt(summary[m][0], 2)}× | "
                     f"{_fmt(np.median(rl) if rl else np.nan, 2)}× | {_fmt(summary[m][1], 2)}× | "
                     f"{_fmt(summary[m][2], 2)}× | {reached}/{total} | "
                     f"{_fmt(np.median(fits_run) if fits_run else np.nan)}{extra} |")
    lines += [
        "",
        "\"within 1%\": the same with the target lowered by 1% of the gap between it and the "
        "median random-search evaluation (Bayesmark's normalised scale), so that plateaus "
        "(lasso) do not hinge on the fourth significant digit. \"vs RS's whole budget\" "
        f"reads issue 3 literally: random search's cost for its final best is all of its "
        f"{n_cand}×{R} = {n_cand * R} fold-fits, divided by the run's fold-fits to target; "
        "it is biased (random search scores well above 1× against itself on it, because "
        "the runs that reach the median early count and those that never reach it count "
        "0), so the main column uses random search's own median fold-fits to reach the "
        "target, the symmetric definition of BENCHMARK.md.",
        "",
        "### Per problem: median fold-fits to target (median wall time to target as a "
        "multiple of random search's)",
        "",
        "| problem | target | " + " | ".join(LABELS[m] for m in methods) + " |",
        "|---|---|" + "---|" * len(methods),
    ]
    for p in target:
        ref_t = _median_cost(cost[(p, "random")]["time"])
        cells = []
        for m in methods:
            c = cost.get((p, m))
            if not c:
                cells.append("–")
                continue
            f_med, t_med = _median_cost(c["fits"]), _median_cost(c["time"])
            rel = t_med / ref_t if np.isfinite(t_med) and ref_t > 0 else np.inf
            cells.append(f"{_fmt(f_med)} ({_fmt(rel, 2)})")
        lines.append(f"| {p} | {target[p]:.4g} | " + " | ".join(cells) + " |")

    lines += ["", "## Final held-out score (median over seeds; best refitted on the 75%)", "",
              "| problem | " + " | ".join(LABELS[m] for m in methods) + " |",
              "|---|" + "---|" * len(methods)]
    wins = defaultdict(lambda: [0, 0, 0])
    for p in target:
        cells = []
        for m in methods:
            h = [x for x in cost.get((p, m), {}).get("holdout", []) if x is not None]
            cells.append(f"{np.median(h):.4g}" if h else "–")
            if m != "random" and (p, m) in cost:
                for a, b in zip(cost[(p, m)]["holdout"], cost[(p, "random")]["holdout"]):
                    if a is None or b is None:
                        continue
                    wins[m][0 if a > b + 1e-12 else 1 if abs(a - b) <= 1e-12 else 2] += 1
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    lines += ["", "Paired (same problem and seed) held-out score against RandomizedSearchCV, "
              "wins/ties/losses: " + "; ".join(f"{LABELS[m]} {w[0]}/{w[1]}/{w[2]}"
                                                for m, w in wins.items()) + "."]

    if "bayes-prune" in methods and "bayes-noprune" in methods:
        lines += ["", "## BayesSearchCV: pruning on vs off (same seeds, same n_iter)", "",
                  "| problem | fold-fits off | fold-fits on | ratio | pruned (median) | "
                  "best CV off | best CV on | held-out off | held-out on |",
                  "|---|---|---|---|---|---|---|---|---|"]
        tot_off = tot_on = 0
        for p in target:
            off, on = cost.get((p, "bayes-noprune")), cost.get((p, "bayes-prune"))
            if not off or not on:
                continue
            fo, fn = np.median(off["total_fits"]), np.median(on["total_fits"])
            tot_off += sum(off["total_fits"])
            tot_on += sum(on["total_fits"])

            def med(xs):
                xs = [x for x in xs if x is not None]
                return f"{np.median(xs):.4g}" if xs else "–"
            lines.append(f"| {p} | {fo:.0f} | {fn:.0f} | {fo / fn:.2f}× | "
                         f"{np.median(on['n_pruned']):.0f} | {med(off['best_cv'])} | "
                         f"{med(on['best_cv'])} | {med(off['holdout'])} | {med(on['holdout'])} |")
        if tot_on:
            lines.append(f"\nAll problems and seeds: {tot_off} fold-fits off, {tot_on} on "
                         f"({tot_off / tot_on:.2f}× fewer with pruning).")

    hb = summary.get("hb-random", (np.nan,) * 3)[0]
    hbb = summary.get("hb-bayes", (np.nan,) * 3)[0]
    opt = summary.get("optuna-hb", (np.nan,) * 3)[0]
    verdict = "PASS" if np.isfinite(hb) and hb >= 3 else "FAIL"
    lines += ["", "## Target (issue 3)", "",
              "HyperbandSearchCV reaches RandomizedSearchCV's final median best score at the "
              "same number of candidates with ≥ 3× fewer fold-fits (median over runs): "
              f"**{verdict}** — sampler='random' {_fmt(hb, 2)}×, sampler='bayes' "
              f"{_fmt(hbb, 2)}× (vs RS's whole budget: "
              f"{_fmt(summary.get('hb-random', (0, np.nan))[1], 2)}× / "
              f"{_fmt(summary.get('hb-bayes', (0, np.nan))[1], 2)}×); Optuna's per-fold "
              f"HyperbandPruner {_fmt(opt, 2)}× in the same run (ANCHORS: about 1.7×)."]
    diagnosis = results_dir / f"hyperband_diagnosis{suffix}.md"
    if diagnosis.exists():
        lines += ["", f"Why, and what would pass: `benchmarks/results/{diagnosis.name}` "
                  "(`--diagnose`) replays the schedules on pools of scored random "
                  "candidates, thousands of times instead of 5 seeds. In expected fold-fits "
                  "to the target, all-bracket Hyperband at R=9, factor=3 with random "
                  "candidates is bounded by its cost per candidate, R×"
                  f"{n_cand}/69 = {R * n_cand / 69:.2f}× random search's (the bound of "
                  "targets that need many candidates), whatever the ranking; the per-run "
                  "median above, from 5 seeds, is noisier and can exceed it."]
    if errors:
        lines += ["", f"## Errors ({len(errors)})", ""]
        lines += [f"- {e['method']} on {e['problem']} seed {e['seed']}: {e['error'][:300]}"
                  for e in errors]
    text = "\n".join(lines) + "\n"
    (results_dir / f"hyperband_summary{suffix}.md").write_text(text)
    _plot(runs, target, methods, seeds, results_dir / f"hyperband_curves{suffix}.png")
    return text


def _plot(runs, target, methods, seeds, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    preferred = ["svm-breast-nll", "linear-wine-nll", "lasso-diabetes-mae"]
    shown = [p for p in preferred if p in target][:2] or list(target)[:2]
    if not shown:
        return
    fig, axes = plt.subplots(1, len(shown), figsize=(6.5 * len(shown), 4.5), squeeze=False)
    for ax, p in zip(axes[0], shown):
        top = max(e["fold_fits"] for k, (evals, _) in runs.items() if k[0] == p
                  for e in evals)
        for m in methods:
            curves, ends = [], []
            for s in seeds:
                if (p, m, s) not in runs:
                    continue
                evals = runs[(p, m, s)][0]
                grid = np.arange(1, top + 1)
                inc = np.full(len(grid), np.nan)
                best = -np.inf
                for e in evals:
                    if e["full"] and e["score"] is not None and e["score"] > best:
                        best = e["score"]
                        inc[grid >= e["fold_fits"]] = best
                if evals:
                    ends.append(max(e["fold_fits"] for e in evals))
                curves.append(inc)
            if not curves:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                med = np.nanmedian(np.array(curves), axis=0)
                known = np.mean(np.isfinite(np.array(curves)), axis=0) > 0.5
            med[~known] = np.nan
            med[grid > np.median(ends)] = np.nan  # the median run has ended
            ax.step(grid, med, where="post", label=LABELS[m],
                    lw=2.2 if m.startswith("hb-") else 1.3,
                    ls={"halving": "--", "hb-bayes": (0, (4, 2))}.get(m, "-"))
            if np.isfinite(med).any():
                last = np.flatnonzero(np.isfinite(med))[-1]
                ax.plot(grid[last], med[last], "o", ms=4, color=ax.lines[-1].get_color())
        ax.axhline(target[p], color="k", lw=0.8, ls=":", label="RS final median best")
        ax.set_xscale("log")
        ax.set_xlabel("cumulative fold-fits (halving: subsampled fits)")
        ax.set_ylabel("incumbent full-budget mean CV score (median over seeds)")
        ax.set_title(p)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------- diagnosis
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="4 cheap problems, 3 seeds: a few minutes")
    parser.add_argument("--jobs", type=int, default=1,
                        help="(problem, seed) tasks run at once, one per core")
    parser.add_argument("--resume", action="store_true",
                        help="keep the finished tasks of an interrupted run")
    parser.add_argument("--analyse-only", action="store_true")
    parser.add_argument("--diagnose", action="store_true",
                        help="replay Hyperband schedules on pools of scored random "
                             "candidates (see diagnose())")
    parser.add_argument("--pool", type=int, default=100,
                        help="candidates per pool for --diagnose")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated subset of " + ", ".join(METHODS))
    parser.add_argument("--seeds", default=None,
                        help="seeds instead of the mode's, e.g. 0-14 or 0,1,2")
    parser.add_argument("--tag", default=None,
                        help="write hyperband_runs_<tag>.jsonl and "
                             "hyperband_summary_<tag>.md instead of the default names")
    parser.add_argument("--with", dest="extra", action="append", default=[],
                        help="a runs .jsonl whose runs of methods missing here are "
                             "added to the analysis (repeatable)")
    args = parser.parse_args(argv)
    mode = "small" if args.small else "full"
    suffix = "_small" if args.small else ""
    if args.tag:
        suffix = f"_{args.tag}"
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}")
    seeds = None
    if args.seeds:
        seeds = []
        for part in args.seeds.split(","):
            lo, _, hi = part.partition("-")
            seeds += list(range(int(lo), int(hi or lo) + 1))
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"hyperband_runs{suffix}.jsonl"
    if args.analyse_only and not out.exists() and args.tag:
        parser.error(f"{out} does not exist")
    if args.diagnose:
        print(diagnose(MODES[mode]["problems"], args.pool, results, suffix))
        return
    if not args.analyse_only:
        run_study(mode, args.jobs, out, args.resume, methods, seeds)
    # The command that produces these runs (not the one that re-analyses them).
    command = "OMP_NUM_THREADS=1 python benchmarks/hyperband_study.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
        if a != "--analyse-only")
    print(analyse(out, results, suffix, command, args.extra))


if __name__ == "__main__":
    main()
