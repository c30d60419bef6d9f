import importlib.util
import pickle
import re
import warnings
import zlib

import numpy as np
import pytest
from scipy.stats import loguniform, uniform
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_breast_cancer, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    RepeatedKFold,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skhpo import AllFitsFailedError, BayesSearchCV, Categorical, HyperbandSearchCV, Integer, Real

X_iris, y_iris = load_iris(return_X_y=True)
X_bc, y_bc = load_breast_cancer(return_X_y=True)
SMALL = dict(n_iter=6, n_initial_points=3, cv=3, random_state=0)


class Quadratic(BaseEstimator, RegressorMixin):
    """An "estimator" whose score is a known function of its parameters."""

    def __init__(self, x=0.0, c=1.0):
        self.x = x
        self.c = c

    def fit(self, X, y=None, sample_weight=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -((self.x - 0.3) ** 2) - (np.log10(self.c) - 1) ** 2


def test_replaces_grid_search_in_a_pipeline_with_estimator_choices():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    spaces = [
        {"clf": [SVC()], "clf__C": Real(1e-2, 1e3, prior="log-uniform"),
         "clf__gamma": loguniform(1e-4, 1e-1)},
        {"clf": [LogisticRegression(max_iter=1000)], "clf__C": [0.01, 0.1, 1, 10]},
    ]
    search = BayesSearchCV(pipe, spaces, n_iter=6, n_initial_points=3, cv=3,
                           random_state=0)
    # The second space has 4 points for n_iter=6: said, as RandomizedSearchCV does.
    with pytest.warns(UserWarning, match=r"only 4 distinct points, and 4 of them were "
                                         r"left to try, fewer than n_iter=6"):
        search.fit(X_bc, y_bc)
    kinds = [type(p["clf"]).__name__ for p in search.cv_results_["params"]]
    assert kinds == ["SVC"] * 6 + ["LogisticRegression"] * 4  # 4 = grid exhausted
    assert search.best_score_ > 0.96
    assert search.best_score_ == search.cv_results_["mean_test_score"][search.best_index_]
    assert search.score(X_bc, y_bc) == pytest.approx(
        search.best_estimator_.score(X_bc, y_bc))
    assert search.predict(X_bc[:5]).shape == (5,)


def test_finds_a_known_optimum_with_few_evaluations():
    # Over a few seeds, not one: a single seed's best after 20 evaluations
    # varies by a factor of 3 or more.
    def best(seed, search_cls, space):
        search = search_cls(Quadratic(), space, n_iter=20, cv=2, random_state=seed,
                            refit=False).fit(np.zeros((10, 1)), np.zeros(10))
        return search.best_score_, search.best_params_

    bayes = [best(seed, BayesSearchCV, {"x": Real(-2.0, 2.0),
                                        "c": Real(1e-2, 1e3, prior="log-uniform")})
             for seed in range(4)]
    random = [best(seed, RandomizedSearchCV, {"x": uniform(-2.0, 4.0),
                                              "c": loguniform(1e-2, 1e3)})[0]
              for seed in range(4)]
    scores = [score for score, _ in bayes]
    assert np.median(scores) > -0.03  # the optimum is 0 at x=0.3, c=10
    assert np.median(scores) > 4 * np.median(random)  # random search: about -0.1
    _, params = bayes[int(np.argmax(scores))]
    assert params["x"] == pytest.approx(0.3, abs=0.1)
    assert np.log10(params["c"]) == pytest.approx(1.0, abs=0.1)


def test_skopt_style_code_runs_unchanged():
    # The example of scikit-optimize's BayesSearchCV docs, spaces from skhpo.
    opt = BayesSearchCV(
        SVC(),
        [({"C": Real(1e-6, 1e6, prior="log-uniform"),
           "gamma": Real(1e-6, 1e1, prior="log-uniform"),
           "kernel": Categorical(["rbf"])}, 4),
         ({"C": Real(1e-6, 1e6, prior="log-uniform"),
           "degree": Integer(1, 3), "kernel": Categorical(["poly"])}, 3)],
        n_iter=32, cv=3, n_initial_points=2, random_state=0,
    )
    assert opt.total_iterations == 7
    opt.fit(X_iris, y_iris)
    assert len(opt.cv_results_["params"]) == 7
    assert opt.score(X_iris, y_iris) > 0.9
    assert len(opt.optimizer_results_) == 2
    result = opt.optimizer_results_[0]
    assert len(result.x_iters) == 4 and result.fun == pytest.approx(
        -max(opt.cv_results_["mean_test_score"][:4]))


def test_same_seed_same_results_whatever_n_jobs():
    space = {"C": Real(1e-3, 1e3, prior="log-uniform"), "fit_intercept": [True, False]}
    runs = [BayesSearchCV(LogisticRegression(max_iter=300), space, n_points=2,
                          n_jobs=n_jobs, **SMALL).fit(X_iris, y_iris)
            for n_jobs in (1, 2)]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]
    np.testing.assert_array_equal(runs[0].cv_results_["mean_test_score"],
                                  runs[1].cv_results_["mean_test_score"])
    assert len({repr(p) for p in runs[0].cv_results_["params"]}) == 6


def test_lookahead_proposes_the_next_batch_before_telling_the_last():
    from skhpo import _optimizer

    events = []

    class Recording(_optimizer.Optimizer):
        def ask(self, n_points=1, pending=()):
            events.append(("ask", n_points, len(pending)))
            return super().ask(n_points, pending)

        def tell(self, params_list, scores):
            events.append(("tell", len(params_list)))
            return super().tell(params_list, scores)

    import skhpo.bayes

    original = skhpo.bayes.Optimizer
    skhpo.bayes.Optimizer = Recording
    try:
        BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points=2, lookahead=1,
                      n_iter=5, n_initial_points=2, cv=2, random_state=0).fit(X_iris, y_iris)
    finally:
        skhpo.bayes.Optimizer = original
    # Batch k+1 is proposed with batch k pending; the last batch is cut to
    # the budget; every batch is told in order.
    assert events == [("ask", 2, 0), ("ask", 2, 2), ("tell", 2), ("ask", 1, 2),
                      ("tell", 2), ("tell", 1)]


def test_lookahead_results_do_not_depend_on_n_jobs_or_backend():
    from joblib import parallel_backend

    space = {"C": Real(1e-3, 1e3, prior="log-uniform"), "fit_intercept": [True, False]}

    def run(n_jobs, backend="loky"):
        with parallel_backend(backend):
            return BayesSearchCV(LogisticRegression(max_iter=300), space, n_points=2,
                                 lookahead=1, n_jobs=n_jobs, **SMALL).fit(X_iris, y_iris)

    def run_default(n_jobs):  # no backend context: the batches overlap
        return BayesSearchCV(LogisticRegression(max_iter=300), space, n_points=2,
                             lookahead=1, n_jobs=n_jobs, **SMALL).fit(X_iris, y_iris)

    runs = [run_default(1), run_default(2), run(2), run(2, "threading")]
    for other in runs[1:]:
        assert other.cv_results_["params"] == runs[0].cv_results_["params"]
        np.testing.assert_array_equal(other.cv_results_["mean_test_score"],
                                      runs[0].cv_results_["mean_test_score"])
    assert len({repr(p) for p in runs[0].cv_results_["params"]}) == 6
    # The initial design is the same as without lookahead: pending points
    # count towards it.
    plain = BayesSearchCV(LogisticRegression(max_iter=300), space, n_points=2,
                          **SMALL).fit(X_iris, y_iris)
    assert plain.cv_results_["params"][:3] == runs[0].cv_results_["params"][:3]
    assert plain.cv_results_["params"] != runs[0].cv_results_["params"]


class MustNotFit(Ridge):
    def fit(self, X, y=None, sample_weight=None):
        raise AssertionError("fitted before the parameters were checked")


def test_lookahead_with_pruning_is_refused_before_fitting():
    search = BayesSearchCV(MustNotFit(), {"alpha": Real(0.1, 10.0)}, lookahead=1,
                           pruning=True, **SMALL)
    with pytest.raises(ValueError, match="lookahead=1 and pruning=True cannot be combined"):
        search.fit(X_iris, y_iris)


def test_callback_stop_with_lookahead_finishes_the_proposed_batch():
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points=2, lookahead=1,
                           **SMALL)
    calls = []
    search.fit(X_iris, y_iris, callback=lambda result: calls.append(result) or True)
    # Stopped after the first batch; the second was already being fitted.
    assert len(search.cv_results_["params"]) == 4
    assert len(search.optimizer_results_[0].x_iters) == 4
    # It finished uncalled, as scikit-optimize calls nothing after a stop.
    assert len(calls) == 1


def _record_overlap(monkeypatch):
    """Events ('started'/'collected', lowest candidate id) of the fold evaluator
    (the fits themselves go longest first)."""
    import skhpo._evaluate as evaluate

    events = []
    start, store = evaluate.FoldEvaluator._start, evaluate.FoldEvaluator._store_results

    def recording_start(self, submission):
        events.append(("started", min(key[0] for key in submission.todo)))
        return start(self, submission)

    def recording_store(self, submission):
        store(self, submission)
        events.append(("collected", min(key[0] for key in submission.todo)))

    monkeypatch.setattr(evaluate.FoldEvaluator, "_start", recording_start)
    monkeypatch.setattr(evaluate.FoldEvaluator, "_store_results", recording_store)
    return events


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_lookahead_starts_the_next_batch_before_the_current_one_is_collected(
        monkeypatch, in_pipeline):
    # Also inside a Pipeline, which hands its last step a callback context
    # even when no callback is set.
    events = _record_overlap(monkeypatch)
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points=2, lookahead=1,
                           n_jobs=2, n_iter=6, n_initial_points=2, cv=2, random_state=0)
    (make_pipeline(StandardScaler(), search) if in_pipeline else search).fit(X_iris, y_iris)
    assert events == [("started", 0), ("started", 2), ("collected", 0), ("started", 4),
                      ("collected", 2), ("collected", 4)]


def test_lookahead_with_fits_in_threads_does_not_overlap(monkeypatch):
    # The optimizer limits the process's BLAS threads while it proposes.
    from joblib import parallel_config

    events = _record_overlap(monkeypatch)
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points=2, lookahead=1,
                           n_jobs=2, n_iter=4, n_initial_points=2, cv=2, random_state=0)
    with parallel_config(prefer="threads"):
        search.fit(X_iris, y_iris)
    assert events == [("started", 0), ("collected", 0), ("started", 2), ("collected", 2)]


def test_an_error_cancels_the_batch_proposed_ahead(monkeypatch):
    # Left to the garbage collector, joblib would abort that batch whenever
    # the exception is freed, killing the workers of whatever runs then.
    import skhpo._evaluate as evaluate

    abandoned = []
    abandon = evaluate.FoldEvaluator.abandon
    monkeypatch.setattr(evaluate.FoldEvaluator, "abandon",
                        lambda self, sub: abandoned.append(sub.todo[0][0]) or abandon(self, sub))

    def failing_callback(result):
        raise RuntimeError("callback bug")

    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points=2, lookahead=1,
                           n_jobs=2, n_iter=6, n_initial_points=2, cv=2, random_state=0)
    with pytest.raises(RuntimeError, match="callback bug"):
        search.fit(X_iris, y_iris, callback=failing_callback)
    assert abandoned == [2]  # the second batch, candidates 2 and 3
    # The workers still serve the next search.
    search.fit(X_iris, y_iris)
    assert len(search.cv_results_["params"]) == 6


def test_n_points_auto_means_n_jobs():
    seen = []
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_points="auto",
                           n_jobs=2, n_iter=6, n_initial_points=2, cv=2, random_state=0)
    search.fit(X_iris, y_iris, callback=lambda res: seen.append(len(res.x_iters)))
    assert seen == [2, 4, 6]


def test_callback_returning_true_stops_the_search():
    calls = []

    def stop_after_two(result):
        calls.append(result)
        return len(calls) == 2

    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, **SMALL)
    search.fit(X_iris, y_iris, callback=[stop_after_two])
    assert len(search.cv_results_["params"]) == 2
    last = calls[-1]
    assert last.fun == pytest.approx(-search.best_score_)
    assert len(last.cv_results["params"]) == 2


def test_every_callback_is_called_when_an_earlier_one_stops():
    # skopt calls every callback of the list and stops if any returned True,
    # so a CheckpointSaver after a DeadlineStopper saves the last batch too.
    seen = []
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, **SMALL)
    search.fit(X_iris, y_iris, callback=[lambda res: len(res.x_iters) >= 3,
                                         lambda res: seen.append(len(res.x_iters))])
    assert seen == [1, 2, 3]
    assert len(search.cv_results_["params"]) == 3


def test_callbacks_read_what_scikit_optimize_callbacks_read():
    """Its DeltaXStopper reads space.distance, StdStopper models and
    CheckpointSaver(store_objective=False) specs['args']; stopping skips
    the spaces not yet searched."""
    seen = []

    def delta_x(result):
        seen.append((result.space.distance(result.x_iters[-2], result.x_iters[-1])
                     if len(result.x_iters) > 1 else None,
                     list(result.models), "func" in result.specs["args"]))
        return len(seen) == 3

    spaces = [({"alpha": Real(0.1, 10.0)}, 4), ({"alpha": Real(20.0, 30.0)}, 4)]
    search = BayesSearchCV(Ridge(), spaces, n_initial_points=2, cv=3, random_state=0)
    search.fit(X_iris, y_iris, callback=delta_x)
    alphas = [p["alpha"] for p in search.cv_results_["params"]]
    assert seen[1] == (pytest.approx(abs(alphas[1] - alphas[0])), [], False)
    assert len(alphas) == 3 and len(search.optimizer_results_) == 1


def test_multimetric_refit_by_name_and_by_callable():
    scoring = {"acc": "accuracy", "nll": "neg_log_loss"}
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    by_name = BayesSearchCV(LogisticRegression(max_iter=500), space, scoring=scoring,
                            refit="nll", **SMALL).fit(X_iris, y_iris)
    nll = by_name.cv_results_["mean_test_nll"]
    assert by_name.best_index_ == int(np.argmax(nll))
    assert by_name.best_score_ == nll.max()
    assert "mean_test_acc" in by_name.cv_results_

    def lowest_c_above_90(results):
        ok = np.flatnonzero(results["mean_test_acc"] >= 0.9)
        return int(ok[np.argmin(np.asarray(results["param_C"])[ok])])

    by_callable = BayesSearchCV(LogisticRegression(max_iter=500), space, scoring=scoring,
                                refit=lowest_c_above_90, **SMALL).fit(X_iris, y_iris)
    results = by_callable.cv_results_
    assert by_callable.best_index_ == lowest_c_above_90(results)
    assert hasattr(by_callable, "best_estimator_")


def test_multimetric_without_valid_refit_is_refused():
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, scoring=["r2", "neg_max_error"],
                      **SMALL).fit(X_iris, y_iris)


def test_clone_set_params_and_nested_cross_validation():
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, **SMALL)
    cloned = clone(search)
    assert cloned.get_params()["search_spaces"] == search.get_params()["search_spaces"]
    cloned.set_params(n_iter=4, estimator__fit_intercept=False)
    assert cloned.n_iter == 4 and cloned.estimator.fit_intercept is False
    X, y = make_regression(60, 4, noise=1.0, random_state=0)
    scores = cross_val_score(cloned, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.9)
    clf = BayesSearchCV(LogisticRegression(max_iter=300), {"C": (0.01, 10.0)},
                        n_iter=3, n_initial_points=2, cv=2, random_state=0)
    predictions = cross_val_predict(clf, X_iris, y_iris, cv=3)
    assert np.mean(predictions == y_iris) > 0.85


class GroupRecorder(LogisticRegression):
    """Records which groups each fit trained on (a class attribute survives cloning)."""

    trained_groups = []

    def fit(self, X, y, sample_weight=None):
        type(self).trained_groups.append(frozenset(np.unique(X[:, 0]).tolist()))
        return super().fit(X[:, 1:], y)

    def predict(self, X):
        return super().predict(X[:, 1:])


def test_groups_reach_the_splitter():
    groups = np.repeat(np.arange(6), 25)
    X = np.column_stack([groups, X_iris])
    GroupRecorder.trained_groups = []
    search = BayesSearchCV(GroupRecorder(max_iter=300), {"C": (0.1, 10.0)},
                           n_iter=2, n_initial_points=2, cv=GroupKFold(3), refit=False)
    search.fit(X, y_iris, groups=groups)
    # GroupKFold(3) on 6 groups: every fit trains on exactly 4 whole groups.
    assert len(GroupRecorder.trained_groups) == 6
    assert all(len(g) == 4 for g in GroupRecorder.trained_groups)


def test_sample_weight_is_routed_as_grid_search_does():
    rng = np.random.RandomState(0)
    weights = rng.uniform(0.1, 3.0, size=len(y_iris))
    grid = [1e-3, 1e-2, 0.1, 1.0, 10.0]
    bayes = BayesSearchCV(LogisticRegression(max_iter=500), {"C": grid}, n_iter=5,
                          n_initial_points=2, cv=KFold(3, shuffle=True, random_state=0), random_state=0)
    bayes.fit(X_iris, y_iris, sample_weight=weights)
    gs = GridSearchCV(LogisticRegression(max_iter=500), {"C": grid},
                      cv=KFold(3, shuffle=True, random_state=0))
    gs.fit(X_iris, y_iris, sample_weight=weights)
    by_c = dict(zip(gs.cv_results_["param_C"], gs.cv_results_["mean_test_score"]))
    for params, score in zip(bayes.cv_results_["params"],
                             bayes.cv_results_["mean_test_score"]):
        assert score == pytest.approx(by_c[params["C"]])
    unweighted = GridSearchCV(LogisticRegression(max_iter=500), {"C": grid},
                              cv=KFold(3, shuffle=True, random_state=0))
    unweighted.fit(X_iris, y_iris)
    assert not np.allclose(unweighted.cv_results_["mean_test_score"],
                           gs.cv_results_["mean_test_score"])


def test_fitted_search_pickles():
    search = BayesSearchCV(LogisticRegression(max_iter=300), {"C": (0.01, 10.0)},
                           **SMALL).fit(X_iris, y_iris)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X_iris), search.predict(X_iris))
    assert restored.best_params_ == search.best_params_


class FailsAboveOne(BaseEstimator, RegressorMixin):
    def __init__(self, x=0.0):
        self.x = x

    def fit(self, X, y=None):
        if self.x > 1.0:
            raise RuntimeError("diverged")
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.8) ** 2)


def test_failing_fits_do_not_crash_the_search():
    errors, n_failed = [], []
    for seed in range(4):
        search = BayesSearchCV(FailsAboveOne(), {"x": Real(0.0, 2.0)}, n_iter=12,
                               n_initial_points=4, cv=2, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(np.zeros((10, 1)), np.zeros(10))
        errors.append(abs(search.best_params_["x"] - 0.8))
        tried = [p[0] for p in search.optimizer_results_[0].x_iters]
        assert len(tried) == 12 and len(set(tried)) == 12  # failures not retried
        n_failed.append(sum(x > 1.0 for x in tried))
    assert np.median(errors) < 0.05
    # The GP learns to avoid the failing half: random draws would fail 6 of 12.
    assert 1 <= min(n_failed) and max(n_failed) <= 4


def test_an_exhausted_space_after_a_warm_start_counts_every_point():
    space = {"alpha": Integer(1, 7)}
    first = BayesSearchCV(Ridge(), space, n_iter=2, n_initial_points=2, cv=2,
                          random_state=0).fit(X_iris, y_iris)
    # One earlier candidate listed twice still counts once.
    earlier = {key: np.concatenate([value, value[:1]]) if key != "params"
               else value + value[:1] for key, value in first.cv_results_.items()}
    second = BayesSearchCV(Ridge(), space, n_iter=6, n_initial_points=2, cv=2,
                           random_state=1, warm_start=earlier)
    with pytest.warns(UserWarning, match=r"only 7 distinct points, and 5 of them were "
                                         r"left to try, fewer than n_iter=6"):
        second.fit(X_iris, y_iris)
    assert len(second.cv_results_["params"]) == 5


def test_a_warm_start_over_several_spaces_warns_only_about_those_in_none():
    spaces = [{"alpha": Integer(1, 7)}, {"alpha": Integer(20, 30), "fit_intercept": [False]}]
    first = BayesSearchCV(Ridge(), spaces, n_iter=3, n_initial_points=2, cv=2,
                          random_state=0).fit(X_iris, y_iris)
    earlier = {**first.cv_results_,
               "params": first.cv_results_["params"] + [{"alpha": 100}],
               "mean_test_score": np.append(first.cv_results_["mean_test_score"], 0.0)}
    second = BayesSearchCV(Ridge(), spaces, n_iter=1, n_initial_points=2, cv=2,
                           random_state=1, warm_start=earlier)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second.fit(X_iris, y_iris)
    outside = [str(w.message) for w in caught if "lie outside" in str(w.message)]
    assert len(outside) == 1 and outside[0].startswith("warm_start: 1 of 7 earlier")
    assert outside[0].endswith("the first has alpha=100, outside Integer(low=1, high=7, "
                               "prior='uniform', name='alpha').")


def test_a_warm_start_names_the_parameters_that_put_candidates_outside():
    # Hyperband's results on a resource parameter carry it in their params.
    earlier = {"params": [{"alpha": 1.0, "max_iter": 9}, {"alpha": 2.0, "max_iter": 9}],
               "mean_test_score": np.array([0.5, 0.6])}
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0), "solver": ["svd", "lsqr"]},
                           n_iter=1, n_initial_points=1, cv=2, random_state=0,
                           warm_start=earlier)
    with pytest.warns(UserWarning, match=r"2 of 2 earlier.*the first has \['max_iter'\], "
                                         r"which the space does not search and lacks "
                                         r"\['solver'\]\."):
        search.fit(X_iris, y_iris)


def test_failed_fits_are_reported_once_at_the_end():
    """As GridSearchCV: one FitFailedWarning for the search, not one per batch."""
    search = BayesSearchCV(FailsAboveOne(), {"x": Real(0.0, 3.0)}, n_iter=8,
                           n_initial_points=4, cv=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(np.zeros((10, 1)), np.zeros(10))
    failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    n_failed = 2 * sum(p["x"] > 1.0 for p in search.cv_results_["params"])
    assert n_failed >= 4
    assert [str(w.message).split(" and ")[0] for w in failed] == [
        f"{n_failed} of 16 fits failed"]


def test_every_fit_failing_gives_one_clear_error():
    search = BayesSearchCV(FailsAboveOne(), {"x": Real(2.0, 3.0)}, n_iter=3,
                           n_initial_points=2, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AllFitsFailedError, match="(?s)All 3 candidates failed.*diverged"):
            search.fit(np.zeros((10, 1)), np.zeros(10))


def test_a_numeric_error_score_does_not_steer_the_optimizer():
    """error_score=0 beats every real score here (all are negative): it is
    what cv_results_ shows, as in scikit-learn, but the GP is told failure."""
    space = {"x": Real(0.0, 3.0)}
    runs = {}
    for error_score in (np.nan, 0.0):
        search = BayesSearchCV(FailsAboveOne(), space, n_iter=10, n_initial_points=3, cv=2,
                               random_state=0, error_score=error_score, refit=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs[error_score] = search.fit(np.zeros((10, 1)), np.zeros(10)).cv_results_
    assert runs[0.0]["params"] == runs[np.nan]["params"]
    failed = np.array([p["x"] > 1.0 for p in runs[0.0]["params"]])
    assert 0 < failed.sum() <= 3  # only the design ventures above 1
    assert np.all(runs[0.0]["mean_test_score"][failed] == 0.0)
    assert np.all(np.isnan(runs[np.nan]["mean_test_score"][failed]))


@pytest.mark.parametrize("source", ["search", "True"])
def test_a_warm_start_knows_failures_shown_as_a_numeric_error_score(source):
    space = {"x": Real(0.0, 1.5)}
    X0, y0 = np.zeros((10, 1)), np.zeros(10)
    settings = dict(n_initial_points=3, cv=2, error_score=0.0, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = BayesSearchCV(FailsAboveOne(), space, n_iter=8, random_state=0,
                              **settings).fit(X0, y0)
        failed = np.array([p["x"] > 1.0 for p in first.cv_results_["params"]])
        assert failed.any() and np.all(first.cv_results_["mean_test_score"][failed] == 0.0)
        if source == "True":
            second = first.set_params(warm_start=True, n_iter=3)
        else:
            second = BayesSearchCV(FailsAboveOne(), space, n_iter=3, random_state=1,
                                   warm_start=first, **settings)
        second.fit(X0, y0)
    told = second.optimizer_results_[0].func_vals[:8]  # minus the scores told
    assert np.array_equal(told == np.inf, failed)  # known as failures, not as 0


def test_a_callable_scoring_failing_first_keeps_its_metric_names():
    def scoring(estimator, X, y):
        if estimator.x > 1.0:
            raise RuntimeError("cannot score")
        return {"a": -(estimator.x - 0.8) ** 2, "b": -estimator.x}

    class Fits(FailsAboveOne):
        def fit(self, X, y=None):
            return self

    search = BayesSearchCV(Fits(), {"x": Real(0.0, 3.0)}, n_iter=5, n_initial_points=3,
                           cv=2, random_state=0, scoring=scoring, refit="a",
                           initial_params=[{"x": 2.0}])
    with pytest.warns(UserWarning, match="Scoring failed"):
        search.fit(np.zeros((10, 1)), np.zeros(10))
    results = search.cv_results_
    failed = np.array([p["x"] > 1.0 for p in results["params"]])
    assert failed[0] and not failed.all()
    for metric in ("a", "b"):
        assert np.array_equal(np.isnan(results[f"mean_test_{metric}"]), failed)
    assert search.best_score_ == np.nanmax(results["mean_test_a"])


def test_error_score_raise_propagates():
    search = BayesSearchCV(FailsAboveOne(), {"x": Real(2.0, 3.0)}, n_iter=2,
                           n_initial_points=2, cv=2, error_score="raise")
    with pytest.raises(RuntimeError, match="diverged"):
        search.fit(np.zeros((10, 1)), np.zeros(10))


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(n_iter=0), InvalidParameterError, "n_iter"),
        (dict(n_points=0), InvalidParameterError, "n_points"),
        (dict(acq_func="gp_hedge"), InvalidParameterError, "acq_func"),
        (dict(optimizer_kwargs={"kapa": 2}), ValueError, r"unknown keys \['kapa'\]"),
        (dict(optimizer_kwargs={"base_estimator": "RF"}), ValueError, "must be 'GP'"),
        (dict(optimizer_kwargs={"kappa": "a"}), ValueError,
         r"optimizer_kwargs\['kappa'\] must be a float in the range \[0.0, inf\), got 'a'"),
        (dict(optimizer_kwargs={"xi": -5.0}), ValueError, r"\['xi'\] must be .*got -5.0"),
        (dict(optimizer_kwargs={"n_candidates": 0}), ValueError,
         r"\['n_candidates'\] must be an int in the range \[1, inf\), got 0"),
        (dict(optimizer_kwargs={"base_estimator": Ridge()}), ValueError, "must be 'GP'"),
        (dict(optimizer_kwargs={"acq_func": "EIps"}), ValueError,
         r"\['acq_func'\] must be one of .*got 'EIps'"),
        (dict(n_initial_points=5, optimizer_kwargs={"n_initial_points": 0}), ValueError,
         r"\['n_initial_points'\] must be an int in the range \[1, inf\), got 0"),
        (dict(n_initial_points=4, optimizer_kwargs={"n_initial_points": 3}), ValueError,
         r"n_initial_points is given twice, as n_initial_points=4 and as "
         r"optimizer_kwargs\['n_initial_points'\]=3"),
        (dict(optimizer_kwargs={"acq_func_kwargs": {"eta": 1}}), ValueError,
         "acq_func_kwargs'] must be a dict with keys among 'xi' and 'kappa'"),
        (dict(cv=KFold(3, shuffle=True)), ValueError, "consistent folds across calls"),
    ],
)
def test_bad_parameters_are_refused_in_fit(params, error, match):
    search = BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, **{**SMALL, **params})
    with pytest.raises(error, match=match):
        search.fit(X_iris, y_iris)


def test_scikit_optimize_optimizer_kwargs_mean_the_same():
    """scikit-optimize's BayesSearchCV sets n_initial_points, acq_func and the
    acquisition's margins in optimizer_kwargs: they act as skhpo's own
    parameters, and its internal settings are ignored with a warning."""
    space = {"alpha": Real(1e-3, 1e2, prior="log-uniform")}
    skopt_style = BayesSearchCV(
        Ridge(), space, n_iter=8, cv=3, random_state=0,
        optimizer_kwargs={"base_estimator": "gp", "n_random_starts": 3, "acq_func": "PI",
                          "acq_func_kwargs": {"xi": 0.2}, "acq_optimizer": "sampling",
                          "initial_point_generator": "lhs"})
    with pytest.warns(UserWarning, match=r"\['acq_optimizer', 'initial_point_generator'\] "
                                         r"tune scikit-optimize's optimizer"):
        skopt_style.fit(X_iris, y_iris)
    own = BayesSearchCV(Ridge(), space, n_iter=8, cv=3, random_state=0, n_initial_points=3,
                        acq_func="PI", optimizer_kwargs={"xi": 0.2}).fit(X_iris, y_iris)
    default = BayesSearchCV(Ridge(), space, n_iter=8, cv=3, random_state=0).fit(X_iris, y_iris)
    assert skopt_style.cv_results_["params"] == own.cv_results_["params"]
    assert skopt_style.cv_results_["params"] != default.cv_results_["params"]
    # scikit-optimize's default acquisition, a portfolio, becomes EI.
    hedged = BayesSearchCV(Ridge(), space, n_iter=8, cv=3, random_state=0,
                           optimizer_kwargs={"acq_func": "gp_hedge"})
    with pytest.warns(UserWarning, match="'gp_hedge'.*EI is used"):
        hedged.fit(X_iris, y_iris)
    assert hedged.cv_results_["params"] == default.cv_results_["params"]
    # The portfolio's own setting goes with it; without the portfolio it is
    # a mistake.
    with_eta = BayesSearchCV(Ridge(), space, n_iter=8, cv=3, random_state=0,
                             optimizer_kwargs={"acq_func": "gp_hedge",
                                               "acq_func_kwargs": {"eta": 0.5}})
    with pytest.warns(UserWarning, match="'gp_hedge'"):
        with_eta.fit(X_iris, y_iris)
    assert with_eta.cv_results_["params"] == default.cv_results_["params"]
    eta_alone = BayesSearchCV(Ridge(), space, n_iter=8, cv=3,
                              optimizer_kwargs={"acq_func_kwargs": {"eta": 0.5}})
    with pytest.raises(ValueError, match=r"\('eta' only with acq_func='gp_hedge'\)"):
        eta_alone.fit(X_iris, y_iris)


def test_scikit_optimize_space_constraint_is_honoured():
    # It had been ignored, with a warning calling it a tuning setting, and
    # the search fitted the points it excludes.
    fits = []

    class Tree(DecisionTreeClassifier):
        # fit's own signature: scikit-learn 1.6's routing refuses **kwargs here.
        def fit(self, X, y, sample_weight=None, check_input=True):
            fits.append((self.max_depth, self.min_samples_leaf))
            return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)

    def allowed(point):  # the sorted names: max_depth, min_samples_leaf
        return point[1] <= 2 * point[0]

    space = {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 40)}
    search = BayesSearchCV(Tree(random_state=0), space, n_iter=15, cv=3, random_state=0,
                           optimizer_kwargs={"space_constraint": allowed}).fit(X_iris, y_iris)
    tried = [(p["max_depth"], p["min_samples_leaf"]) for p in search.cv_results_["params"]]
    assert len(set(tried)) == 15
    assert all(allowed(point) for point in tried)
    assert all(allowed(point) for point in fits)
    unconstrained = BayesSearchCV(Tree(random_state=0), space, n_iter=15, cv=3,
                                  random_state=0).fit(X_iris, y_iris)
    assert not all(allowed((p["max_depth"], p["min_samples_leaf"]))
                   for p in unconstrained.cv_results_["params"])
    fits.clear()
    not_a_function = BayesSearchCV(Tree(), space, n_iter=4, cv=3,
                                   optimizer_kwargs={"space_constraint": [1, 2]})
    with pytest.raises(ValueError, match=r"space_constraint'\] must be a function taking a "
                                         r"point .* got \[1, 2\]"):
        not_a_function.fit(X_iris, y_iris)
    # One that allows nothing, or fails on a second subspace's points, fails
    # before any fit (the second had failed after the first subspace's fits).
    nothing = BayesSearchCV(Tree(), space, n_iter=4, cv=3,
                            optimizer_kwargs={"space_constraint": lambda point: False})
    with pytest.raises(ValueError, match=r"space_constraint'\] allows none of 65536 "
                                         r"quasi-random points"):
        nothing.fit(X_iris, y_iris)
    two = BayesSearchCV(Tree(), [space, {"max_depth": Integer(1, 10)}], n_iter=4, cv=3,
                        optimizer_kwargs={"space_constraint": allowed})
    with pytest.raises(IndexError):
        two.fit(X_iris, y_iris)
    assert fits == []


def test_a_space_constraint_on_a_finite_space_is_named_when_it_runs_out():
    search = BayesSearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0, 100.0]}, n_iter=4, cv=3,
                           random_state=0,
                           optimizer_kwargs={"space_constraint": lambda p: p[0] < 50})
    with pytest.warns(UserWarning, match=r"space_constraint let no new point through after "
                                         r"3 distinct ones .* and 3 of them were left to try"):
        search.fit(X_iris, y_iris)
    assert sorted(p["alpha"] for p in search.cv_results_["params"]) == [0.1, 1.0, 10.0]


def test_a_tight_space_constraint_still_gives_every_candidate():
    # With 0.5% of the square allowed, the search had stopped after 1 to 4
    # candidates, calling the space too small.
    space = {"alpha": Real(0.0, 1.0), "l1_ratio": Real(0.0, 1.0)}

    def tight(point):
        return point[0] + point[1] < 0.1

    search = BayesSearchCV(ElasticNet(), space, n_iter=10, cv=3, random_state=0,
                           optimizer_kwargs={"space_constraint": tight})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(*make_regression(n_samples=60, n_features=4, random_state=0))
    tried = search.cv_results_["params"]
    assert len(tried) == 10 and all(tight([p["alpha"], p["l1_ratio"]]) for p in tried)


@pytest.mark.skipif(importlib.util.find_spec("sklearn.callback") is None,
                    reason="callbacks arrived in scikit-learn 1.9")
def test_progress_bar_callback(capsys):
    from sklearn.callback import ProgressBar

    search = BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, **SMALL)
    search.set_callbacks(ProgressBar())
    search.fit(X_iris, y_iris)
    assert len(search.cv_results_["params"]) == 6
    # With lookahead the batches then run one after another (the contexts go
    # to the workers), with the results of the search without callbacks.
    ahead = dict(SMALL, n_points=2, lookahead=1, n_jobs=2)
    watched = BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, **ahead)
    watched.set_callbacks(ProgressBar())
    plain = BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, **ahead)
    assert (watched.fit(X_iris, y_iris).cv_results_["params"]
            == plain.fit(X_iris, y_iris).cv_results_["params"])


def test_warm_start_seeds_the_gp_without_refitting():
    space = {"x": Real(-2.0, 2.0), "c": Real(1e-2, 1e3, prior="log-uniform")}
    X0, y0 = np.zeros((10, 1)), np.zeros(10)
    first = BayesSearchCV(Quadratic(), space, n_iter=12, n_initial_points=5, cv=2,
                          random_state=0, refit=False).fit(X0, y0)
    wider = {**first.cv_results_, "params": first.cv_results_["params"] + [{"x": 5.0, "c": 1.0}],
             "mean_test_score": np.append(first.cv_results_["mean_test_score"], -30.0)}
    with pytest.warns(UserWarning, match=r"1 of 13 earlier candidates lie outside.*the "
                                         r"first has x=5\.0, outside Real\(low=-2\.0"):
        second = BayesSearchCV(Quadratic(), space, n_iter=4, n_initial_points=5, cv=2,
                               random_state=1, refit=False, warm_start=wider).fit(X0, y0)
    # 12 warm points >= n_initial_points: the GP proposes from the first new
    # candidate, where a cold start with the same seed draws its Sobol design.
    cold = BayesSearchCV(Quadratic(), space, n_iter=4, n_initial_points=5, cv=2,
                         random_state=1, refit=False).fit(X0, y0)
    assert len(second.cv_results_["params"]) == 4
    assert second.cv_results_["params"][0] != cold.cv_results_["params"][0]
    result = second.optimizer_results_[0]
    assert len(result.x_iters) == 16  # 12 seeded + 4 new, seeded ones not refitted
    # The GP knows the earlier best without having refitted it.
    assert result.fun <= -first.best_score_ + 1e-12


def test_warm_start_with_another_metric_is_refused_before_fitting():
    earlier = {"params": [{"alpha": 1.0}], "mean_test_r2": [0.5]}
    search = BayesSearchCV(Ridge(), {"alpha": (0.1, 2.0)}, warm_start=earlier, **SMALL)
    with pytest.raises(ValueError, match="no 'mean_test_score'.*scored \\['r2'\\]"):
        search.fit(X_iris, y_iris)


def test_warm_start_from_another_scoring_or_cv_warns(tmp_path):
    from skhpo import load_results, save_results

    space = {"alpha": (0.1, 2.0)}
    earlier = BayesSearchCV(Ridge(), space, scoring="neg_mean_squared_error",
                            **SMALL).fit(X_iris, y_iris)
    # Both score as mean_test_score: only the settings tell them apart.
    with pytest.warns(UserWarning, match=r"warm_start: the earlier search used "
                                         r"scoring='neg_mean_squared_error', this one "
                                         r"scoring='r2'.*not comparable"):
        BayesSearchCV(Ridge(), space, scoring="r2", warm_start=earlier,
                      **SMALL).fit(X_iris, y_iris)
    save_results(earlier, tmp_path / "r.json")
    cv = SMALL["cv"] + 1
    with pytest.warns(UserWarning, match=rf"cv={SMALL['cv']}, this one cv={cv}"):
        BayesSearchCV(Ridge(), space, scoring="neg_mean_squared_error",
                      warm_start=load_results(tmp_path / "r.json"),
                      **{**SMALL, "cv": cv}).fit(X_iris, y_iris)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same settings: silent
        BayesSearchCV(Ridge(), space, scoring="neg_mean_squared_error",
                      warm_start=load_results(tmp_path / "r.json"),
                      **SMALL).fit(X_iris, y_iris)
        # The same settings written two ways: cv=3 is StratifiedKFold(3) for a
        # classifier, scoring=None its accuracy.
        grid = GridSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3).fit(X_iris, y_iris)
        for settings in ({"cv": StratifiedKFold(3)}, {"cv": 3, "scoring": "accuracy"}):
            BayesSearchCV(SVC(), {"C": (0.05, 20.0)}, n_iter=4, warm_start=grid,
                          random_state=0, **settings).fit(X_iris, y_iris)
    with pytest.warns(UserWarning, match=r"the earlier search used scoring=None, this "
                                         r"one scoring='f1_macro'"):
        BayesSearchCV(SVC(), {"C": (0.05, 20.0)}, n_iter=4, warm_start=grid, cv=3,
                      scoring="f1_macro", random_state=0).fit(X_iris, y_iris)


def test_warm_start_from_another_estimator_warns(tmp_path):
    # The same parameter names on another model: its scores had steered this
    # search's GP without a word.
    from skhpo import load_results, save_results

    space = {"C": (0.05, 20.0)}
    earlier = BayesSearchCV(SVC(), space, **SMALL).fit(X_iris, y_iris)
    save_results(earlier, tmp_path / "r.json")
    for source in (earlier, load_results(tmp_path / "r.json")):
        with pytest.warns(UserWarning, match=r"the earlier search used estimator=SVC\(\), "
                                             r"this one estimator=SVC\(kernel='linear'\)"):
            BayesSearchCV(SVC(kernel="linear"), space, warm_start=source,
                          **SMALL).fit(X_iris, y_iris)
    chained = BayesSearchCV(SVC(), space, warm_start=True, **SMALL).fit(X_iris, y_iris)
    chained.set_params(estimator=SVC(kernel="linear"))
    with pytest.warns(UserWarning, match=r"estimator=SVC\(\), this one"):
        chained.fit(X_iris, y_iris)


def test_warm_start_from_a_file_ignores_the_memory_addresses_in_its_reprs(tmp_path):
    # A saved repr holds "<function f at 0x...>", another address in a new process.
    import re as regex

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skhpo import load_results, save_results

    pipe = make_pipeline(FunctionTransformer(np.log1p), Ridge())
    space = {"ridge__alpha": (0.1, 2.0)}
    earlier = BayesSearchCV(pipe, space, **SMALL).fit(X_iris, y_iris)
    save_results(earlier, tmp_path / "r.json")
    loaded = load_results(tmp_path / "r.json")
    text = loaded.metadata["search"]["estimator"]
    loaded.metadata["search"]["estimator"] = regex.sub(r"0x[0-9a-f]+", "0xdeadbeef",
                                                       text.replace(">", " at 0x1>", 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BayesSearchCV(pipe, space, warm_start=loaded, **SMALL).fit(X_iris, y_iris)


def test_verbose_prints_one_line_per_batch(capsys):
    BayesSearchCV(Ridge(), {"alpha": (0.1, 2.0)}, verbose=1, n_points=2,
                  **SMALL).fit(X_iris, y_iris)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("[BayesSearchCV]")]
    assert len(lines) == 3
    assert lines[-1].startswith("[BayesSearchCV] candidate 6/6: best 0.")
    assert "18/18 fits, ~0s left" in lines[-1]
    BayesSearchCV(Ridge(), {"alpha": (0.1, 2.0)}, verbose=0, **SMALL).fit(X_iris, y_iris)
    assert capsys.readouterr().out == ""


def test_warm_start_true_continues_from_the_previous_fit():
    space = {"x": Real(-2.0, 2.0), "c": Real(1e-2, 1e3, prior="log-uniform")}
    X0, y0 = np.zeros((10, 1)), np.zeros(10)
    search = BayesSearchCV(Quadratic(), space, n_iter=6, n_initial_points=5, cv=2,
                           random_state=0, refit=False, warm_start=True).fit(X0, y0)
    assert len(search.optimizer_results_[0].x_iters) == 6  # nothing to continue from
    first_best = search.best_score_
    search.fit(X0, y0)
    assert len(search.optimizer_results_[0].x_iters) == 12
    assert len(search.cv_results_["params"]) == 6
    assert search.best_score_ > first_best
    # A third fit continues from both earlier ones, not from the second only.
    search.fit(X0, y0)
    assert len(search.optimizer_results_[0].x_iters) == 18


def test_a_chain_of_warm_started_fits_never_tries_a_point_twice():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(SVC(), {"C": [0.01, 0.1, 1.0, 10.0]}, n_iter=2, cv=3,
                           random_state=0, warm_start=True)
    tried = []
    for _ in range(2):
        search.fit(X, y)
        tried += [p["C"] for p in search.cv_results_["params"]]
    assert sorted(tried) == [0.01, 0.1, 1.0, 10.0]
    with pytest.raises(ValueError, match="already covers every point"):
        search.fit(X, y)


def test_a_chain_keeps_the_points_a_changed_space_left_out():
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    depth = {"max_depth": [1, 2, 3, 4, 5, 6]}
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0), depth, n_iter=3, cv=3,
                           random_state=0, warm_start=True).fit(X, y)
    first = {p["max_depth"] for p in search.cv_results_["params"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the earlier points outside the space
        search.set_params(search_spaces={"min_samples_leaf": [1, 2, 3]}).fit(X, y)
        search.set_params(search_spaces=depth).fit(X, y)
    third = {p["max_depth"] for p in search.cv_results_["params"]}
    assert len(first) == len(third) == 3 and not first & third


def test_warm_start_true_warns_when_scoring_or_cv_changed():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(LogisticRegression(max_iter=500),
                           {"C": Real(1e-3, 1e3, prior="log-uniform")}, n_iter=3,
                           n_initial_points=2, cv=3, random_state=0, warm_start=True)
    search.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.set_params(cv=StratifiedKFold(3)).fit(X, y)  # the same as cv=3
    with pytest.warns(UserWarning, match=r"earlier search used scoring=None, "
                                         r"cv=StratifiedKFold\(n_splits=3.*, this "
                                         r"one scoring='neg_log_loss', cv=5"):
        search.set_params(scoring="neg_log_loss", cv=5).fit(X, y)


def test_warm_start_warns_when_the_data_changed(tmp_path):
    # Scores measured on other data had been told to the GP without a word.
    from skhpo import load_results, save_results

    X, y = load_iris(return_X_y=True)
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    search = BayesSearchCV(LogisticRegression(max_iter=500), space, n_iter=3,
                           n_initial_points=2, cv=3, random_state=0, warm_start=True)
    search.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X.copy(), y.copy())  # the same data, another array
    noisy = X + 0.1
    with pytest.warns(UserWarning, match=r"warm_start: the earlier results were measured on "
                                         r"other data \(X of the same shape, \[150, 4\], "
                                         r"with other values\): their scores will mislead"):
        search.fit(noisy, y)
    with pytest.warns(UserWarning, match=r"\(X of shape \[150, 4\] then, \[120, 4\] now; "
                                         r"y of shape \[150\] then, \[120\] now\)"):
        search.fit(noisy[:120], y[:120])
    # Results saved with their data's fingerprints are checked as well.
    path = tmp_path / "first.json"
    save_results(BayesSearchCV(LogisticRegression(max_iter=500), space, n_iter=3,
                               n_initial_points=2, cv=3, random_state=0).fit(X, y),
                 path, X=X, y=y)
    seeded = BayesSearchCV(LogisticRegression(max_iter=500), space, n_iter=2, cv=3,
                           random_state=1, warm_start=load_results(path))
    with pytest.warns(UserWarning, match="measured on other data"):
        seeded.fit(noisy, y)


class FoldNoise(BaseEstimator, RegressorMixin):
    """Score = a known mean per candidate + noise that depends on the test fold."""

    def __init__(self, x=0.0):
        self.x = x

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        fold = int(X[0, 0])
        return -((self.x - 0.3) ** 2) + 0.02 * np.sin(7.0 * fold + 3 * self.x)


def _fold_data(n_splits):
    return np.repeat(np.arange(n_splits), 4).reshape(-1, 1).astype(float), np.zeros(4 * n_splits)


class EasyFirstSplits(FoldNoise):
    """FoldNoise whose first three test folds are 0.5 easier than the others."""

    def score(self, X, y=None):
        return super().score(X, y) + (0.5 if int(X[0, 0]) < 3 else 0.0)


def test_a_pruned_candidate_is_told_a_paired_estimate_not_its_flattered_partial_mean():
    # Told their partial means (easy splits only), pruned candidates looked
    # better than the best fully scored one: the GP's optimum was a pruned
    # point, and the search went there.
    X, y = _fold_data(10)
    search = BayesSearchCV(EasyFirstSplits(), {"x": Real(-3.0, 3.0)}, pruning=True,
                           n_iter=20, n_initial_points=5, cv=KFold(10), random_state=0,
                           refit=False).fit(X, y)
    results = search.cv_results_
    flagged = np.flatnonzero(results["pruned"])
    assert len(flagged) >= 3
    partial = np.asarray(results["mean_test_score"])[flagged]
    assert partial.max() > search.best_score_  # what the partial means say
    told = -np.asarray(search.optimizer_results_[0].func_vals)
    assert np.all(told[flagged] < search.best_score_)
    assert search.optimizer_results_[0].x == [search.best_params_["x"]]


def test_a_refit_callable_picking_a_pruned_row_warns():
    # As HyperbandSearchCV warns for a row below the full budget; it was silent.
    X, y = _fold_data(10)
    search = BayesSearchCV(EasyFirstSplits(), {"x": Real(-3.0, 3.0)}, pruning=True,
                           n_iter=20, n_initial_points=5, cv=KFold(10), random_state=0,
                           refit=lambda r: int(np.nanargmax(r["mean_test_score"])))
    with pytest.warns(UserWarning, match=r"The refit callable picked row \d+, a candidate "
                                         r"pruning stopped after some splits"):
        search.fit(X, y)
    assert search.cv_results_["pruned"][search.best_index_]


def test_pruning_saves_fits_and_keeps_the_best():
    X, y = _fold_data(10)
    common = dict(n_iter=20, n_initial_points=5, cv=KFold(10), random_state=0, refit=False)
    plain = BayesSearchCV(FoldNoise(), {"x": Real(-3.0, 3.0)}, **common).fit(X, y)
    pruned = BayesSearchCV(FoldNoise(), {"x": Real(-3.0, 3.0)}, pruning=True,
                           **common).fit(X, y)
    assert plain.n_fold_fits_ == 200 and not plain.cv_results_["pruned"].any()
    assert pruned.n_fold_fits_ <= 0.9 * plain.n_fold_fits_
    assert pruned.best_params_["x"] == pytest.approx(0.3, abs=0.1)
    results = pruned.cv_results_
    flagged = np.flatnonzero(results["pruned"])
    assert len(flagged) >= 3
    for row in flagged:
        splits = np.array([results[f"split{i}_test_score"][row] for i in range(10)])
        n_scored = np.isfinite(splits).sum()
        assert 2 <= n_scored < 10 and np.all(np.isfinite(splits[:n_scored]))
        assert results["rank_test_score"][row] > results["rank_test_score"][pruned.best_index_]
    # Pruned candidates were truly worse than the best (known function).
    x = np.asarray(results["param_x"], dtype=float)
    true_value = -((x - 0.3) ** 2)
    assert np.all(true_value[flagged] < true_value[pruned.best_index_])


def test_pruning_never_prunes_a_candidate_as_good_as_the_incumbent():
    # Every candidate has the same true mean: a correct test prunes (almost) none.
    class Flat(FoldNoise):
        def score(self, X, y=None):
            return 0.02 * np.sin(7.0 * int(X[0, 0]))

    X, y = _fold_data(8)
    search = BayesSearchCV(Flat(), {"x": Real(-3.0, 3.0)}, n_iter=15, n_initial_points=5,
                           cv=KFold(8), random_state=0, refit=False, pruning=True).fit(X, y)
    assert not search.cv_results_["pruned"].any()


class EqualButNoisy(FoldNoise):
    """The same true mean for every candidate, with its own noise per fold."""

    def __init__(self, x=0.0, seed=0):
        self.x = x
        self.seed = seed

    def score(self, X, y=None):
        key = zlib.crc32(repr((round(self.x, 12), int(X[0, 0]), self.seed)).encode())
        return 0.8 + 0.02 * np.random.RandomState(key).randn()


def test_pruning_false_prune_rate_holds_when_the_incumbent_won_by_luck():
    # With equal candidates the incumbent is merely the luckiest: without the
    # winner's-curse correction about 20% of the others were pruned.
    X, y = _fold_data(5)
    pruned = np.concatenate([
        BayesSearchCV(EqualButNoisy(seed=seed), {"x": Real(0.0, 1.0)}, n_iter=30,
                      cv=KFold(5), random_state=seed, refit=False,
                      pruning=True).fit(X, y).cv_results_["pruned"][1:]
        for seed in range(12)])
    assert pruned.mean() <= 0.08  # the level is 0.05; 348 candidates


@pytest.mark.parametrize("pruning", [0.0, 1.0, -0.1, "yes"])
def test_bad_pruning_level_is_refused(pruning):
    with pytest.raises(InvalidParameterError, match="pruning"):
        BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, pruning=pruning,
                      **SMALL).fit(X_iris, y_iris)


def test_failed_candidates_stay_in_cv_results():
    search = BayesSearchCV(FailsAboveOne(), {"x": Real(0.0, 2.0)}, n_iter=8,
                           n_initial_points=4, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(np.zeros((10, 1)), np.zeros(10))
    x = np.asarray(search.cv_results_["param_x"], dtype=float)
    means = search.cv_results_["mean_test_score"]
    assert len(x) == 8
    np.testing.assert_array_equal(np.isnan(means), x > 1.0)


@pytest.mark.parametrize("make", [
    lambda pipe: BayesSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, n_iter=2,
                               cv=3, n_jobs=2, random_state=0),
    lambda pipe: HyperbandSearchCV(pipe, {"logisticregression__C": [0.1, 1.0, 10.0]},
                                   cv=3, n_jobs=2, random_state=0),
])
def test_scikit_learn_config_reaches_the_parallel_fits(make):
    # transform_output="pandas" lets the ColumnTransformer select by name;
    # the workers must see it, as GridSearchCV's do.
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline

    X, y = load_iris(return_X_y=True, as_frame=True)
    pipe = make_pipeline(StandardScaler(), ColumnTransformer(
        [("keep", "passthrough", ["petal width (cm)"])]), LogisticRegression())
    with sklearn.config_context(transform_output="pandas"):
        search = make(pipe).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pre_dispatch_zero_is_refused_before_fitting():
    search = BayesSearchCV(Ridge(), {"alpha": (0.1, 1.0)}, pre_dispatch=0, n_jobs=2,
                           **SMALL)
    with pytest.raises(ValueError, match="pre_dispatch must be a positive int"):
        search.fit(X_iris, y_iris)


@pytest.mark.parametrize("source", ["grid", "self"])
def test_a_warm_start_covering_the_whole_space_is_a_clear_error(source):
    from sklearn.model_selection import GridSearchCV

    X, y = load_iris(return_X_y=True)
    lr = LogisticRegression(max_iter=300)
    space = {"C": Categorical([0.01, 0.1, 1.0])}
    first = BayesSearchCV(lr, space, n_iter=3, cv=3, random_state=0).fit(X, y)
    if source == "grid":
        earlier = GridSearchCV(lr, {"C": [0.01, 0.1, 1.0]}, cv=3).fit(X, y)
        search = BayesSearchCV(lr, space, n_iter=3, cv=3, random_state=0, warm_start=earlier)
    else:
        search = first.set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "only 3 distinct points"
        with pytest.raises(ValueError, match="warm start already covers every point"):
            search.fit(X, y)


def _hyperband_on_n_estimators():
    """A Hyperband search whose resource is n_estimators (full budget 9)."""
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = load_iris(return_X_y=True)
    gb = GradientBoostingClassifier(random_state=0)
    space = {"learning_rate": Real(0.01, 1.0, prior="log-uniform")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        earlier = HyperbandSearchCV(gb, space, resource="n_estimators", max_resources=9,
                                    cv=3, random_state=0).fit(X, y)
    return X, y, gb, space, earlier


def test_warm_start_from_hyperband_with_an_estimator_parameter_resource():
    X, y, gb, space, earlier = _hyperband_on_n_estimators()
    full = np.asarray(earlier.cv_results_["n_resources"]) == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "outside the search space" warning
        search = BayesSearchCV(clone(gb).set_params(n_estimators=9), space, n_iter=2, cv=3,
                               random_state=0, warm_start=earlier)
        search.fit(X, y)
    # Every full-budget candidate was told, besides the search's own two.
    assert len(search.optimizer_results_[0].x_iters) == int(full.sum()) + 2


@pytest.mark.parametrize("search_class", [BayesSearchCV, HyperbandSearchCV])
def test_non_finite_mean_scores_warn_as_in_grid_search(search_class):
    from sklearn.model_selection import GridSearchCV

    X, y = np.zeros((12, 1)), np.zeros(12)
    grid = GridSearchCV(FailsAboveOne(), {"x": [0.5, 2.0]}, cv=3)
    kwargs = {"n_iter": 2} if search_class is BayesSearchCV else {"n_brackets": 1}
    ours = search_class(FailsAboveOne(), {"x": Categorical([0.5, 2.0])}, cv=3,
                        random_state=0, **kwargs)
    for search in (grid, ours):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search.fit(X, y)
        messages = [str(w.message) for w in caught if w.category is UserWarning]
        assert sum(m.startswith("One or more of the test scores are non-finite")
                   for m in messages) == 1, type(search).__name__


def test_warm_start_warns_when_the_estimator_is_not_at_the_earlier_full_budget():
    X, y, gb, space, earlier = _hyperband_on_n_estimators()
    search = BayesSearchCV(clone(gb), space, n_iter=2, cv=3, random_state=0,
                           warm_start=earlier)  # n_estimators=100, not 9
    with pytest.warns(UserWarning, match=r"n_estimators=9.*n_estimators=100.*Set n_estimators=9"):
        search.fit(X, y)


def test_pruning_with_no_measured_noise_does_not_prune_on_the_sign_alone():
    # Completed candidates that all differed from the incumbent by the same
    # amount on every split give a pooled sd of 0: no evidence of the noise,
    # so a candidate worse on its first splits is kept (it may be the best).
    from skhpo._pruning import should_prune

    incumbent = np.array([0.90, 0.85, 0.90, 0.90, 0.85])
    better_later = np.array([0.85, 0.85, 1.0, 1.0, 1.0])
    assert not should_prune(better_later[:2], incumbent, n_splits=5, alpha=0.05,
                            pooled=(0.0, 8))
    # With three splits the candidate's own spread is the noise estimate.
    far_worse = incumbent[:3] - np.array([0.30, 0.32, 0.31])
    assert should_prune(far_worse, incumbent, n_splits=5, alpha=0.05, pooled=(0.0, 8))


class FailsAboveZero(FoldNoise):
    """FoldNoise that cannot fit for x > 0, scoring below any error_score=-1."""

    def fit(self, X, y=None):
        if self.x > 0:
            raise ValueError("cannot fit for x > 0")
        return self

    def score(self, X, y=None):
        return super().score(X, y) - 10.0


def test_with_pruning_a_failed_candidate_never_ranks_above_a_fitted_one():
    # error_score=-1 is above every real score (about -10): ranked by the mean
    # alone, failures would come first. Whether a failure is met before an
    # incumbent exists (all splits at once) or after (split by split), it ranks
    # after every candidate that fitted, pruned ones included.
    X, y = _fold_data(5)
    search = BayesSearchCV(FailsAboveZero(), {"x": Real(-3.0, 3.0)}, n_iter=12,
                           n_initial_points=4, cv=KFold(5), error_score=-1.0,
                           pruning=True, refit=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, y)
    res = search.cv_results_
    failed = np.array([p["x"] > 0 for p in res["params"]])
    assert failed.any() and (~failed).any()
    assert res["rank_test_score"][failed].min() > res["rank_test_score"][~failed].max()


def test_skopt_results_show_a_failure_as_an_infinite_loss():
    # scikit-optimize's stoppers and plot_convergence take running minima of
    # func_vals: one NaN would turn every later value into NaN.
    X, y = _fold_data(3)
    seen = []
    search = BayesSearchCV(FailsAboveZero(), {"x": Real(-3.0, 3.0)}, n_iter=8,
                           n_initial_points=4, cv=KFold(3), refit=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y, callback=lambda res: seen.append(res.func_vals.copy()))
    failed = np.array([p["x"] > 0 for p in search.cv_results_["params"]])
    assert failed.any()
    for func_vals in seen + [search.optimizer_results_[0].func_vals]:
        assert not np.isnan(func_vals).any()
    func_vals = search.optimizer_results_[0].func_vals
    assert np.all(func_vals[failed] == np.inf)
    np.testing.assert_allclose(func_vals[~failed],
                               -search.cv_results_["mean_test_score"][~failed])
    assert search.optimizer_results_[0].fun == pytest.approx(-search.best_score_)


@pytest.mark.parametrize("search_cls", [BayesSearchCV, HyperbandSearchCV])
def test_a_bad_refit_for_a_dict_returning_scorer_fails_after_the_first_results(search_cls):
    calls = []

    def two_metrics(estimator, X, y):
        calls.append(1)
        return {"a": estimator.score(X, y), "b": -estimator.score(X, y)}

    X, y = load_iris(return_X_y=True)
    kwargs = dict(n_iter=10, n_initial_points=3) if search_cls is BayesSearchCV else {}
    search = search_cls(LogisticRegression(), {"C": Real(0.01, 100.0)}, cv=3,
                        scoring=two_metrics, random_state=0, **kwargs)
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        search.fit(X, y)
    # The first batch's (or rung's) fits, not the whole search's.
    assert len(calls) <= 9


def test_warnings_point_at_the_users_line():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=5, cv=3,
                           random_state=0)
    with pytest.warns(UserWarning, match="only 3 distinct points") as record:
        search.fit(X, y)
    assert [w.filename for w in record if "distinct" in str(w.message)] == [__file__]


def test_a_warning_raised_under_joblib_points_at_the_users_line():
    from joblib import Parallel, delayed

    from skhpo._warnings import warn

    with pytest.warns(UserWarning, match="careful") as record:
        Parallel(n_jobs=1)(delayed(warn)("careful") for _ in range(1))
    assert record[0].filename == __file__  # not joblib's parallel.py


def test_skopt_results_hold_the_values_tried_exactly():
    # Decoding the unit cube would give 0.05000000000000001 for a log-scale 0.05.
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(LogisticRegression(), {"C": Real(1e-3, 1e3, prior="log-uniform")},
                           n_iter=3, n_initial_points=2, cv=3, random_state=0,
                           initial_params=[{"C": 0.05}]).fit(X, y)
    result = search.optimizer_results_[0]
    assert result.x_iters[0] == [0.05]
    assert [p["C"] for p in search.cv_results_["params"]] == [x[0] for x in result.x_iters]
    assert result.x == [search.best_params_["C"]]


def test_verbose_batch_lines_name_no_resource_for_a_bayes_search(capsys):
    BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, verbose=2, **SMALL).fit(X_iris, y_iris)
    out = capsys.readouterr().out
    assert "new (candidate, split) pairs for 1 candidate\n" in out
    assert "resource=" not in out


@pytest.mark.parametrize("verbose", [2, 3])
@pytest.mark.parametrize("scoring, train", [(None, False), (["r2", "neg_max_error"], True)])
def test_verbose_fit_lines_are_gridsearchcvs(capsys, verbose, scoring, train):
    # The same candidate, fitted by GridSearchCV and by BayesSearchCV (an
    # initial point): the same [CV] END lines but for the time.
    kwargs = dict(cv=3, verbose=verbose, scoring=scoring, return_train_score=train,
                  refit=False if scoring else True)
    GridSearchCV(Ridge(), {"alpha": [0.5]}, **kwargs).fit(X_iris, y_iris)
    grid = [line for line in capsys.readouterr().out.splitlines() if " END " in line]
    BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_iter=1, random_state=0,
                  initial_params=[{"alpha": 0.5}], **kwargs).fit(X_iris, y_iris)
    ours = [line for line in capsys.readouterr().out.splitlines() if " END " in line]

    def timeless(line):
        return re.sub(r" END \.*", " END ", line.split(" total time=")[0])

    assert len(ours) == len(grid) == 3
    assert [timeless(line) for line in ours] == [timeless(line) for line in grid]
    assert all(line.endswith("s") and len(line) >= 80 for line in ours)


def test_a_cloned_warm_start_search_says_clone_dropped_its_results():
    from sklearn.base import clone

    earlier = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, **SMALL).fit(X_iris, y_iris)
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, warm_start=earlier, **SMALL)
    with pytest.raises(TypeError, match=r"unfitted one: clone\(\).*warm_start=search.cv_results_"):
        clone(search).fit(X_iris, y_iris)
    # The advice works: a dict survives clone.
    search.set_params(warm_start=earlier.cv_results_)
    warm = clone(search).fit(X_iris, y_iris)
    earlier_alphas = {p["alpha"] for p in earlier.cv_results_["params"]}
    assert len(warm.cv_results_["params"]) == SMALL["n_iter"]
    assert not earlier_alphas & {p["alpha"] for p in warm.cv_results_["params"]}


@pytest.mark.parametrize("value", ["yes", 1])
def test_a_bad_warm_start_names_every_accepted_form(value):
    search = BayesSearchCV(LogisticRegression(), {"C": [1.0, 2.0]}, n_iter=2,
                           warm_start=value)
    with pytest.raises(TypeError, match=rf"must be True \(continue from this search's "
                                        rf"last fit\), False, .* got {value!r}\.$"):
        search.fit(X_iris, y_iris)


def test_an_interrupted_fit_leaves_the_last_finished_fit_whole():
    # optimizer_results_ had been the interrupted fit's beside the last
    # fit's cv_results_, and the search's working lists stayed on it.
    search = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_iter=4, cv=3,
                           random_state=0, warm_start=True).fit(X_iris, y_iris)
    finished, history = search.optimizer_results_, search._told_history_

    def interrupt(result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search.set_params(n_iter=6).fit(X_iris, y_iris, callback=interrupt)
    assert search.optimizer_results_ is finished and search._told_history_ is history
    assert len(search.cv_results_["params"]) == 4
    assert not [name for name in vars(search) if name.startswith(("_rows", "_more", "_complete",
                                                                  "_rank_tiers", "_id_",
                                                                  "_n_proposed"))]
    fresh = BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, n_iter=4, cv=3)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X_iris, y_iris, callback=interrupt)
    assert not hasattr(fresh, "optimizer_results_")
    with pytest.raises(NotFittedError):
        fresh.predict(X_iris)
    # HyperbandSearchCV sets its schedule attributes before cv_results_ too.
    cv = RepeatedKFold(n_splits=3, n_repeats=3, random_state=0)
    hyperband = HyperbandSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, cv=cv, max_resources=3,
                                  random_state=0).fit(X_iris, y_iris)
    with pytest.raises(KeyboardInterrupt):
        hyperband.set_params(max_resources=9).fit(X_iris, y_iris, callback=interrupt)
    assert hyperband.n_resources_ == [[1, 3], [3]] and hyperband.max_resources_ == 3
    fresh = HyperbandSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, cv=cv, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X_iris, y_iris, callback=interrupt)
    with pytest.raises(NotFittedError):
        fresh.predict(X_iris)
