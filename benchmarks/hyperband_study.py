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
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import problems as P  # noqa: E402

from _analysis import read_jsonl  # noqa: E402
from _hyperband_analysis import analyse  # noqa: E402
from _hyperband_diagnosis import diagnose  # noqa: E402
from _hyperband_setup import FACTOR, METHODS, R, Setup, n_candidates  # noqa: E402

MODES = {
    "small": dict(problems=["svm-breast-nll", "knn-iris-acc", "linear-wine-nll",
                            "lasso-diabetes-mae"], seeds=[0, 1, 2]),
    "full": dict(problems=list(P.PROBLEMS), seeds=[0, 1, 2, 3, 4]),
}
_COST = {"ada-breast-acc": 9, "mlp-breast-acc": 3, "mlpsgd-wine-nll": 3,
         "rf-wine-nll": 1, "svm-breast-nll": 1}


def _finite(x):
    x = float(x)
    return x if np.isfinite(x) else None


# ----------------------------------------------------------- the runners
def _fold_search(cls):
    """A skhpo search that stamps (time, fold-fits) after each evaluator call."""

    class Stamped(cls):
        def _collect(self, evaluator, submitted):
            # Every parallel call of both searches ends here (submitted by
            # _submit_many, directly or through _evaluate_many).
            results = super()._collect(evaluator, submitted)
            self._n_fits_now = evaluator.n_fits_
            self._stamps.append((time.perf_counter(), evaluator.n_fits_))
            return results

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
    # Rows come rung by rung, in running order (n_jobs=1: brackets one after
    # another); one evaluator call per rung. A rung's rows are consecutive.
    rung_of, rung, previous = [], -1, None
    for key in zip(res["bracket"], res["iter"]):
        rung += key != previous  # a new (bracket, iter): the next rung
        rung_of.append(rung)
        previous = key
    n_rungs = rung + 1
    assert n_rungs == len(search._stamps), (n_rungs, len(search._stamps))
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
