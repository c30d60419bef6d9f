"""Run one search of one method on one problem, recording every evaluation.

Each runner returns one record per evaluated candidate, in evaluation order:
``score`` (mean CV score, NaN if it failed), ``fit_score_time`` (seconds spent
in ``fit`` and scoring, summed over the folds, as the library itself measured
them) and ``overhead``.

How the overhead is measured, the same way for every method: a callback stamps
the clock each time a candidate's evaluation is complete (skhpo and skopt call
``callback`` after each one-candidate batch, Optuna calls its trial callbacks,
and random search is driven one candidate per ``evaluate_candidates`` call, see
:class:`SequentialRandomSearch`). The wall time between two stamps, minus that
candidate's fit and score times, is the time the search spent on anything but
fitting and scoring: proposing the candidate, updating its model, and the CV
bookkeeping of the library. It is charged to the evaluation that ends the
interval (the first interval starts when ``fit`` is called).
"""

from __future__ import annotations

import time
import traceback
import warnings

import numpy as np
from sklearn.model_selection import ParameterSampler, RandomizedSearchCV

import problems as P


class SequentialRandomSearch(RandomizedSearchCV):
    """RandomizedSearchCV that evaluates its candidates one at a time.

    It draws exactly the candidates ``RandomizedSearchCV`` would (the same
    ``ParameterSampler`` sequence), but hands them to ``evaluate_candidates``
    one by one so a callback can stamp each, like the sequential searches.
    """

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None,
                 cv=None, random_state=None, error_score=np.nan, refit=False,
                 callback=None):
        super().__init__(estimator, param_distributions, n_iter=n_iter,
                         scoring=scoring, cv=cv, random_state=random_state,
                         error_score=error_score, refit=refit)
        self.callback = callback

    def _run_search(self, evaluate_candidates, *args, **kwargs):
        for params in ParameterSampler(self.param_distributions, self.n_iter,
                                       random_state=self.random_state):
            evaluate_candidates([params])
            if self.callback is not None:
                self.callback()


def _records_from_cv_results(search, stamps, t_start):
    res = search.cv_results_
    n_splits = search.n_splits_
    fit_score = (np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"])) * n_splits
    return _records(np.asarray(res["mean_test_score"], float), fit_score, stamps, t_start)


def _records(scores, fit_score, stamps, t_start):
    # An evaluation where every fold failed is dropped from cv_results_ by
    # skhpo (and reported with NaN times by Optuna): keep only what aligns.
    n = min(len(scores), len(stamps))
    bounds = np.concatenate([[t_start], stamps[:n]])
    wall = np.diff(bounds)
    out = []
    for i in range(n):
        fs = float(fit_score[i])
        out.append({
            "iter": i + 1,
            "score": float(scores[i]) if np.isfinite(scores[i]) else None,
            "fit_score_time": fs if np.isfinite(fs) else None,
            "overhead": float(wall[i] - fs) if np.isfinite(fs) else None,
            "elapsed": float(bounds[i + 1] - t_start),
        })
    return out


def _run_bayes_search(search_class, space, problem, seed, n_iter):
    """skhpo's and skopt's BayesSearchCV share the constructor and callback API."""
    stamps = []
    search = search_class(problem.estimator, space, n_iter=n_iter,
                          scoring=problem.scoring, cv=problem.cv, random_state=seed,
                          refit=False, error_score=np.nan)
    X, y = problem.data
    t_start = time.perf_counter()
    search.fit(X, y, callback=lambda result: stamps.append(time.perf_counter()))
    return _records_from_cv_results(search, stamps, t_start)


def run_skhpo(problem, seed, n_iter):
    from skhpo import BayesSearchCV

    return _run_bayes_search(BayesSearchCV, P.skhpo_space(problem), problem, seed, n_iter)


def run_random(problem, seed, n_iter):
    stamps = []
    search = SequentialRandomSearch(
        problem.estimator, P.scipy_space(problem), n_iter=n_iter,
        scoring=problem.scoring, cv=problem.cv, random_state=seed,
        callback=lambda: stamps.append(time.perf_counter()))
    X, y = problem.data
    t_start = time.perf_counter()
    search.fit(X, y)
    return _records_from_cv_results(search, stamps, t_start)


def run_skopt(problem, seed, n_iter):
    from skopt import BayesSearchCV

    # scikit-optimize's defaults otherwise (GP, gp_hedge, 10 initial points).
    return _run_bayes_search(BayesSearchCV, P.skopt_space(problem), problem, seed, n_iter)


def run_optuna(problem, seed, n_iter):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    stamps = []
    # Optuna's default sampler for OptunaSearchCV: TPE seeded from random_state.
    search = OptunaSearchCV(problem.estimator, P.optuna_space(problem), n_trials=n_iter,
                            scoring=problem.scoring, cv=problem.cv, random_state=seed,
                            refit=False, error_score=np.nan, verbose=0,
                            callbacks=[lambda study, trial: stamps.append(time.perf_counter())])
    X, y = problem.data
    t_start = time.perf_counter()
    search.fit(X, y)
    trials = search.study_.trials
    scores = np.array([t.user_attrs.get("mean_test_score", np.nan) for t in trials], float)
    fit_score = np.array([(t.user_attrs.get("mean_fit_time", np.nan)
                           + t.user_attrs.get("mean_score_time", np.nan)) * search.n_splits_
                          for t in trials], float)
    return _records(scores, fit_score, stamps, t_start)


RUNNERS = {"skhpo": run_skhpo, "random": run_random, "skopt": run_skopt,
           "optuna": run_optuna}


def run(method, problem_name, seed, n_iter):
    """One search; returns its records (or an ``error`` record if it crashed)."""
    problem = P.PROBLEMS[problem_name]
    with warnings.catch_warnings():
        # Failed and unconverged fits are part of these search spaces.
        warnings.simplefilter("ignore")
        try:
            records = RUNNERS[method](problem, seed, n_iter)
            error = None
        except Exception as exc:  # a crash is a result, not a harness bug
            tb = traceback.format_exc().strip().splitlines()
            records, error = [], f"{type(exc).__name__}: {exc} (" + " / ".join(
                line.strip() for line in tb[-7:-1]) + ")"
    base = {"kind": "eval", "problem": problem_name, "method": method, "seed": seed}
    if error is not None:
        return [{**base, "kind": "error", "error": error[:1500]}]
    return [{**base, **r} for r in records]


# ------------------------------------------------ the direct overhead study
def _unit(problem, params):
    """Parameter values back to the unit cube (log scale where the prior is)."""
    u = []
    for p in problem.params:
        v = float(params[p.name])
        if p.log:
            u.append((np.log(v) - np.log(p.low)) / (np.log(p.high) - np.log(p.low)))
        else:
            u.append((v - p.low) / (p.high - p.low))
    return np.array(u)


def cheap_objective(problem, params):
    """Ackley on the space rescaled to [-2, 2]^d: multimodal, and free to compute."""
    x = 4 * _unit(problem, params) - 2
    return float(20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
                 + np.exp(np.mean(np.cos(2 * np.pi * x))) - 20 - np.e)


def run_overhead(method, seed, max_obs, problem_name="mlp-breast-acc"):
    """Drive the optimizer alone, ask/tell, on a cheap 9-D objective.

    The overhead of step n is the time of ``ask`` plus ``tell`` of the n-th
    point (the objective's own time is excluded); scikit-optimize does its
    model fit and acquisition optimisation in ``tell``, skhpo splits them
    between ``tell`` (GP fit) and ``ask`` (acquisition), so the sum is the
    fair per-suggestion figure for both.
    """
    problem = P.PROBLEMS[problem_name]
    if method == "skhpo":
        from skhpo._optimizer import Optimizer
        from skhpo.space import Space

        opt = Optimizer(Space(P.skhpo_space(problem)), random_state=seed)
        ask = lambda: opt.ask()[0]  # noqa: E731
        tell = lambda x, score: opt.tell([x], [score])  # noqa: E731
        as_dict = lambda x: x  # noqa: E731
    else:
        from skopt import Optimizer

        space = P.skopt_space(problem)
        names = list(space)
        opt = Optimizer([space[n] for n in names], random_state=seed)
        ask = opt.ask
        tell = lambda x, score: opt.tell(x, -score)  # noqa: E731
        as_dict = lambda x: dict(zip(names, x))  # noqa: E731
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(1, max_obs + 1):
            t0 = time.perf_counter()
            x = ask()
            t1 = time.perf_counter()
            score = cheap_objective(problem, as_dict(x))
            t2 = time.perf_counter()
            tell(x, score)
            t3 = time.perf_counter()
            out.append({"kind": "overhead", "problem": f"{problem_name}-space-ackley",
                        "method": method, "seed": seed, "iter": n, "score": score,
                        "overhead": (t1 - t0) + (t3 - t2)})
    return out
