"""The fold-level evaluation engine: reuse, failures, routing, cv_results_."""

import time
import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit, StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from skhpo._evaluate import (
    FoldEvaluator,
    build_scorers,
    check_constant_splits,
    format_cv_results,
)
from skhpo.exceptions import AllFitsFailedError

X, y = make_classification(n_samples=60, n_features=5, random_state=0)


class Recorder(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; records fits and what it was given."""

    def __init__(self, c=1.0, fail=False):
        self.c = c
        self.fail = fail

    def fit(self, X, y, sample_weight=None):
        if self.fail:
            raise RuntimeError("boom")
        self.n_train_ = len(X)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        self.majority_ = self.classes_[np.argmax(np.bincount(y))]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class CountingRecorder(Recorder):
    """A Recorder counting its fits in ``CountingRecorder.fits``."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


def _evaluator(estimator=None, scoring=None, **kwargs):
    estimator = estimator if estimator is not None else LogisticRegression()
    kwargs.setdefault("cv", KFold(4))
    return FoldEvaluator(estimator, X, y, scorers=build_scorers(estimator, scoring),
                         **kwargs)


def test_splits_scored_once_and_reused():
    ev = _evaluator()
    first = ev.evaluate({0: {"C": 1.0}, 1: {"C": 0.1}}, [0, 1])
    assert ev.n_fits_ == 4
    again = ev.evaluate({0: {"C": 1.0}}, [0, 1, 2, 3])
    assert ev.n_fits_ == 6  # only splits 2 and 3 were new
    assert again[0] is first[0] and again[1] is first[1]
    assert set(ev.store) == {(c, i, None) for c in (0, 1) for i in range(4)
                             if c == 0 or i < 2}


def test_candidate_id_must_keep_its_params():
    ev = _evaluator()
    ev.evaluate({0: {"C": 1.0}}, [0])
    with pytest.raises(ValueError, match="ids must be unique"):
        ev.evaluate({0: {"C": 2.0}}, [0])


def test_split_index_out_of_range():
    with pytest.raises(ValueError, match=r"Split indices must lie in \[0, 4\)"):
        _evaluator().evaluate({0: {}}, [4])


@pytest.mark.parametrize("cv", [KFold(3, shuffle=True), ShuffleSplit(3)])
def test_reshuffling_cv_is_rejected(cv):
    msg = "must yield consistent folds across calls to split"
    with pytest.raises(ValueError, match=msg):
        check_constant_splits(cv)
    with pytest.raises(ValueError, match=msg):
        _evaluator(cv=cv)
    # The fix offered is one the splitter has (ShuffleSplit has no shuffle).
    with pytest.raises(ValueError) as info:
        check_constant_splits(cv)
    assert ("shuffle=False" in str(info.value)) == hasattr(cv, "shuffle")


@pytest.mark.parametrize("cv", [KFold(3), KFold(3, shuffle=True, random_state=1),
                                ShuffleSplit(3, random_state=0)])
def test_constant_cv_is_accepted(cv):
    check_constant_splits(cv)


def test_same_scores_as_cross_validate():
    from sklearn.model_selection import cross_validate

    est = LogisticRegression(C=0.5)
    ev = _evaluator(est, scoring=["accuracy", "roc_auc"], return_train_score=True)
    ev.evaluate({0: {"C": 0.5}}, range(4))
    ref = cross_validate(est, X, y, cv=KFold(4), scoring=["accuracy", "roc_auc"],
                         return_train_score=True)
    res = format_cv_results(ev, [(0, range(4), None)])
    for m in ("accuracy", "roc_auc"):
        for i in range(4):
            assert res[f"split{i}_test_{m}"][0] == pytest.approx(ref[f"test_{m}"][i])
            assert res[f"split{i}_train_{m}"][0] == pytest.approx(ref[f"train_{m}"][i])
        assert res[f"mean_test_{m}"][0] == pytest.approx(ref[f"test_{m}"].mean())
        assert res[f"std_test_{m}"][0] == pytest.approx(ref[f"test_{m}"].std())


def test_cv_results_nan_for_unscored_splits_and_masked_params():
    ev = _evaluator(DecisionTreeClassifier(random_state=0))
    ev.evaluate({0: {"max_depth": 2}}, [0, 1, 2, 3])
    ev.evaluate({1: {"criterion": "entropy"}}, [0])
    res = format_cv_results(ev, [(0, [0, 1, 2, 3], None), (1, [0], None)])
    assert np.isnan(res["split1_test_score"][1])
    assert not np.isnan(res["split1_test_score"][0])
    assert res["mean_test_score"][1] == res["split0_test_score"][1]
    assert res["param_max_depth"].mask.tolist() == [False, True]
    assert res["param_criterion"].mask.tolist() == [True, False]
    assert res["param_max_depth"][0] == 2
    assert res["params"] == [{"max_depth": 2}, {"criterion": "entropy"}]
    for key in ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time",
                "rank_test_score"):
        assert len(res[key]) == 2


def test_rank_by_puts_larger_budget_first():
    ev = _evaluator(Recorder())
    ev.evaluate({0: {"c": 1.0}, 1: {"c": 2.0}}, [0, 1])
    res = format_cv_results(ev, [(0, [0], None), (1, [0, 1], None)],
                            rank_by=[1, 2])
    assert res["rank_test_score"].tolist() == [2, 1]


def test_failed_rows_rank_last_whatever_their_budget():
    # All full-budget rows failed: a NaN must not outrank a finite score,
    # and the failed rows share the last rank.
    from skhpo._evaluate import _rank

    ranks = _rank([0.5, np.nan, 0.7, np.nan, 0.6], primary=[1, 9, 1, 9, 3])
    assert ranks.tolist() == [3, 4, 2, 4, 1]


def test_numeric_error_score_records_and_warns():
    ev = _evaluator(Recorder(), error_score=-1.0)
    ev.evaluate({0: {"fail": True}, 1: {"fail": False}}, [0])
    with pytest.warns(FitFailedWarning, match="1 of 2 fits failed"):
        ev.warn_about_failures()
    res = format_cv_results(ev, [(0, [0], None), (1, [0], None)])
    assert res["split0_test_score"][0] == -1.0
    assert res["rank_test_score"].tolist() == [2, 1]
    assert ev.store[(0, 0, None)].failed and "boom" in ev.store[(0, 0, None)].fit_error


def test_nan_error_score_gives_nan_mean():
    ev = _evaluator(Recorder())
    ev.evaluate({0: {"fail": True}, 1: {}}, [0, 1])
    res = format_cv_results(ev, [(0, [0, 1], None), (1, [0, 1], None)])
    assert np.isnan(res["mean_test_score"][0])
    assert res["rank_test_score"].tolist() == [2, 1]


def test_error_score_raise():
    ev = _evaluator(Recorder(), error_score="raise")
    with pytest.raises(RuntimeError, match="boom"):
        ev.evaluate({0: {"fail": True}}, [0])


def test_all_fits_failed_among_the_given_rows():
    ev = _evaluator(Recorder())
    ev.evaluate({0: {"fail": True}, 1: {}}, [0, 1])
    ev.check_not_all_failed([(0, [0, 1], None), (1, [0, 1], None)])
    with pytest.raises(AllFitsFailedError,
                       match=r"(?s)All 1 candidates failed to fit \(2 fits\).*boom"):
        ev.check_not_all_failed([(0, [0, 1], None)])


def test_failing_scorer_is_recorded():
    def bad(estimator, X, y):
        raise ValueError("bad scorer")

    ev = _evaluator(Recorder(), scoring={"bad": bad, "acc": "accuracy"},
                    error_score=0.0)
    with pytest.warns(UserWarning, match="Scoring failed"):
        ev.evaluate({0: {}}, [0])
    # Stored as failed (None), shown as error_score.
    scores = ev.store[(0, 0, None)].test_scores
    assert scores["bad"] is None and 0 <= scores["acc"] <= 1
    res = format_cv_results(ev, [(0, [0], None)])
    assert res["split0_test_bad"][0] == 0.0 and res["split0_test_acc"][0] == scores["acc"]


def test_a_nan_score_stays_nan_and_only_a_failure_becomes_error_score():
    def nan_scorer(estimator, X, y):
        return np.nan

    def bad(estimator, X, y):
        raise ValueError("bad scorer")

    ev = _evaluator(Recorder(), scoring={"nan": nan_scorer, "bad": bad}, error_score=-1.0)
    with pytest.warns(UserWarning, match="Scoring failed"):
        ev.evaluate({0: {}}, [0])
    res = format_cv_results(ev, [(0, [0], None)])
    assert np.isnan(res["split0_test_nan"][0]) and res["split0_test_bad"][0] == -1.0


def test_callable_scoring_returning_dict():
    def two(estimator, X, y):
        return {"a": 1.0, "b": 2.0}

    ev = _evaluator(Recorder(), scoring=two)
    ev.evaluate({0: {}}, [0])
    assert ev.metric_names() == ["a", "b"]
    res = format_cv_results(ev, [(0, [0], None)])
    assert res["mean_test_b"][0] == 2.0


def test_groups_routed_to_the_splitter():
    groups = np.repeat(np.arange(6), 10)
    weights = np.arange(60, dtype=float)
    cv = GroupKFold(3)
    ev = _evaluator(Recorder(), cv=cv, split_params={"groups": groups},
                    fit_params={"sample_weight": weights})
    ev.evaluate({0: {}}, [0, 1, 2])
    expected = list(cv.split(X, y, groups))
    assert len(ev.splits) == 3
    for i, (train, test) in enumerate(expected):
        np.testing.assert_array_equal(ev.splits[i][0], train)
        assert not set(groups[train]) & set(groups[test])


def test_sample_weight_reaches_fit():
    seen = []

    class Spy(Recorder):
        def fit(self, X, y, sample_weight=None):
            seen.append(np.asarray(sample_weight).copy())
            return super().fit(X, y)

    weights = np.arange(60, dtype=float)
    ev = _evaluator(Spy(), fit_params={"sample_weight": weights})
    ev.evaluate({0: {}}, [1])
    np.testing.assert_array_equal(seen[0], weights[ev.splits[1][0]])


def test_n_samples_resource_subsamples_train_only():
    ev = _evaluator(Recorder(), cv=StratifiedKFold(3), resource="n_samples",
                    random_state=0)
    ev.evaluate({0: {}}, [0], resource=30)
    ev.evaluate({0: {}}, [0], resource=60)
    small, full = ev.store[(0, 0, 30)], ev.store[(0, 0, 60)]
    assert small.n_test_samples == full.n_test_samples == 20
    assert ev.n_fits_ == 2


def test_parameter_resource_sets_the_parameter():
    ev = _evaluator(Recorder(), resource="c")
    ev.evaluate({0: {}}, [0], resource=7)
    res = format_cv_results(ev, [(0, [0], 7)])
    assert res["params"] == [{"c": 7}]


def test_results_identical_across_n_jobs_and_backends():
    def run(n_jobs, backend):
        with parallel_backend(backend):
            ev = _evaluator(DecisionTreeClassifier(random_state=0), n_jobs=n_jobs)
            ev.evaluate({k: {"max_depth": k + 1} for k in range(3)}, range(4))
        return format_cv_results(ev, [(k, range(4), None) for k in range(3)])

    ref = run(1, "loky")
    for n_jobs, backend in [(2, "threading"), (2, "loky")]:
        other = run(n_jobs, backend)
        np.testing.assert_array_equal(ref["mean_test_score"], other["mean_test_score"])


def test_estimator_valued_params_are_cloned_for_every_task():
    # The threading backend hands every task the same parameter objects: a
    # pipeline step given as a value must be cloned per fit, never fitted in
    # place (the user's object stays unfitted, the four fits do not share it).
    from sklearn.pipeline import Pipeline

    step = Recorder()
    pipe = Pipeline([("clf", LogisticRegression())])
    with parallel_backend("threading"):
        ev = _evaluator(pipe, n_jobs=2)
        ev.evaluate({0: {"clf": step}}, range(4))
    assert not hasattr(step, "majority_")
    assert [r.test_scores["score"] for r in ev.store.values()] == pytest.approx(
        [np.mean(y[te] == np.bincount(y[tr]).argmax()) for tr, te in ev.splits])


def _recording_groups(monkeypatch):
    """Record the groups FoldEvaluator makes, one list per joblib call."""
    import skhpo._evaluate as evaluate

    calls, guided = [], evaluate._guided_groups

    def recording(*args):
        calls.append([])
        for group in guided(*args):
            calls[-1].append(group)
            yield group

    monkeypatch.setattr(evaluate, "_guided_groups", recording)
    return calls


def test_fast_fits_are_grouped_and_slow_ones_are_not(monkeypatch):
    import skhpo._evaluate as evaluate

    calls = _recording_groups(monkeypatch)
    # Groups aim at 1000 s here, so that any real fit counts as fast, however
    # loaded the machine (the default 0.05 s made this test depend on load).
    monkeypatch.setattr(evaluate, "_GROUP_SECONDS", 1e3)
    with parallel_backend("threading"):
        ev = _evaluator(Recorder(), n_jobs=2)
        ev.evaluate({0: {"c": 0.0}}, [0])  # nothing timed yet: one fit per group
        ev.evaluate({k: {"c": float(k)} for k in range(1, 5)}, range(4))
        ev._durations[:] = [1e6] * len(ev._durations)  # now pretend fits are slow
        ev.evaluate({k: {"c": float(k)} for k in range(5, 7)}, range(4))
    assert calls[0] == [[0]]
    # 16 fast fits: each group takes half of the tasks left (2 workers), so
    # the last groups are short.
    assert calls[1] == [list(range(8)), [8, 9, 10, 11], [12, 13], [14], [15]]
    assert calls[2] == [[k] for k in range(8)]
    assert ev.n_fits_ == 1 + 16 + 8


class Sleeper(Recorder):
    def fit(self, X, y, sample_weight=None):
        time.sleep(0.02)
        return super().fit(X, y, sample_weight)


def test_first_call_groups_fits_once_some_are_timed(monkeypatch):
    # No fit timed before the call: joblib takes the first groups (2 per
    # worker) before any result, one fit each; the later ones are sized from
    # the fits that finished meanwhile (20 ms each: two per 50 ms group).
    calls = _recording_groups(monkeypatch)
    with parallel_backend("threading"):
        ev = _evaluator(Sleeper(), n_jobs=2)
        ev.evaluate({k: {"c": float(k)} for k in range(10)}, range(4))
    (groups,) = calls
    assert sorted(i for group in groups for i in group) == list(range(40))
    assert groups[:4] == [[0], [1], [2], [3]]
    assert max(map(len, groups)) == 2
    assert len(groups) < 30


class CostsC(Recorder):
    """A fit takes c centiseconds."""

    def fit(self, X, y, sample_weight=None):
        time.sleep(0.01 * self.c)
        return super().fit(X, y, sample_weight)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fits_go_to_the_workers_longest_first(monkeypatch, n_jobs):
    # The slowest fits last would leave one worker running them while the
    # other waits. A candidate's cost is its own fits' mean time, else its
    # nearest timed candidates'. Sequentially the order is the request's.
    import skhpo._evaluate as evaluate

    orders, start = [], evaluate.FoldEvaluator._start

    def recording_start(self, submission):
        start(self, submission)
        orders.append(list(dict.fromkeys(key[0] for key in submission.todo)))

    monkeypatch.setattr(evaluate.FoldEvaluator, "_start", recording_start)
    with parallel_backend("threading"):
        ev = _evaluator(CostsC(), n_jobs=n_jobs)
        ev.evaluate({0: {"c": 0.2}, 1: {"c": 5.0}}, [0])  # timed: 2 ms and 50 ms
        ev.evaluate({2: {"c": 0.3}, 3: {"c": 4.0}, 1: {"c": 5.0}}, range(4))
    expected = [2, 3, 1] if n_jobs == 1 else [1, 3, 2]
    assert orders == [[0, 1], expected]
    assert set(ev.store) == {(c, i, None) for c in range(4) for i in range(4)
                             if c in (1, 2, 3) or i == 0}


def test_each_group_is_one_dispatch(monkeypatch):
    # For quick tasks joblib's automatic batching bundles several into one
    # dispatch (it aims at 0.2 s batches); bundling the evaluator's groups would
    # leave the last bundle running alone on one worker. The backend below
    # batches as eagerly as joblib does for quick tasks, deterministically.
    from joblib import register_parallel_backend
    from joblib.parallel import ThreadingBackend

    sizes = []

    class EagerBatchingBackend(ThreadingBackend):
        def compute_batch_size(self):
            return 8

        def submit(self, func, callback=None):
            sizes.append(len(func))
            return super().submit(func, callback=callback)

    calls = _recording_groups(monkeypatch)
    register_parallel_backend("skhpo-test-eager-batching", EagerBatchingBackend)
    with parallel_backend("skhpo-test-eager-batching"):
        ev = _evaluator(Sleeper(), n_jobs=2)
        ev.evaluate({0: {"c": 0.0}}, [0])
        ev.evaluate({k: {"c": float(k)} for k in range(1, 9)}, range(4))
    groups = [group for call in calls for group in call]
    assert sum(map(len, groups)) == 1 + 32
    assert len(groups) < 1 + 32  # fits were grouped,
    assert sizes == [1] * len(groups)  # and each group went in a dispatch of its own


def test_submissions_run_side_by_side_and_are_collected_in_order():
    ev = _evaluator(n_jobs=2)
    first = ev.submit_many([({0: {"C": 1.0}}, range(4), None)])
    second = ev.submit_many([({1: {"C": 0.1}}, range(4), None)])
    assert first.outputs is not None and second.outputs is not None  # both started
    # A pair already being fitted cannot be submitted again.
    with pytest.raises(ValueError, match="already being fitted"):
        ev.submit_many([({0: {"C": 1.0}}, [3], None)])
    a, b = ev.collect(first), ev.collect(second)
    assert ev.n_fits_ == 8
    reference = _evaluator()
    ref = reference.evaluate({0: {"C": 1.0}, 1: {"C": 0.1}}, range(4))
    assert [r.test_scores for r in a + b] == [r.test_scores for r in ref]


class SlowLogged(Recorder):
    """Takes 0.1 s to fit and appends a line to ``log`` per fit (any process)."""

    def __init__(self, c=1.0, fail=False, log=None):
        super().__init__(c=c, fail=fail)
        self.log = log

    def fit(self, X, y, sample_weight=None):
        time.sleep(0.1)
        with open(self.log, "a") as handle:
            handle.write("fit\n")
        return super().fit(X, y)


def test_abandon_cancels_the_fits_not_yet_run(tmp_path):
    log = tmp_path / "fits.log"
    ev = _evaluator(SlowLogged(log=str(log)), n_jobs=2)
    ev.evaluate({99: {"c": 0.0}}, range(2))  # the workers are up
    submission = ev.submit_many([({k: {"c": float(k)} for k in range(8)}, range(4), None)])
    time.sleep(0.3)
    ev.abandon(submission)  # (still referenced: only abandon can stop it)
    assert ev.n_fits_ == 2 and not ev._in_flight
    time.sleep(1.0)
    # Of 32 fits of 0.1 s on 2 workers, about 6 ran before the abandon and a
    # few more were already with the workers; without it, about 26.
    assert len(log.read_text().splitlines()) - 2 <= 16
    ev.evaluate({9: {"c": 9.0}}, range(4))  # the workers still work
    assert ev.n_fits_ == 6


def test_second_submission_waits_inside_a_backend_context(monkeypatch):
    # Inside parallel_config(backend=...), two joblib calls at once would share
    # one backend object: the second submission starts when collected.
    import skhpo._evaluate as evaluate

    started = []
    start = evaluate.FoldEvaluator._start
    monkeypatch.setattr(evaluate.FoldEvaluator, "_start",
                        lambda self, sub: started.append(sub.todo[0][0]) or start(self, sub))
    with parallel_backend("threading", n_jobs=2):
        ev = _evaluator(n_jobs=2)
        first = ev.submit_many([({0: {"C": 1.0}}, range(4), None)])
        second = ev.submit_many([({1: {"C": 0.1}}, range(4), None)])
        assert started == [0]
        ev.collect(first)
        ev.collect(second)
    assert started == [0, 1] and ev.n_fits_ == 8
    ev = _evaluator(n_jobs=2)  # no context: both start at once
    started.clear()
    first = ev.submit_many([({0: {"C": 1.0}}, range(4), None)])
    second = ev.submit_many([({1: {"C": 0.1}}, range(4), None)])
    assert started == [0, 1]
    ev.collect(first), ev.collect(second)


def test_evaluate_many_is_one_call_with_the_same_results():
    requests = [({0: {"C": 1.0}}, [0], None), ({1: {"C": 0.1}, 0: {"C": 1.0}}, [0, 1], None)]
    together = _evaluator()
    results = together.evaluate_many(requests)
    apart = _evaluator()
    expected = [r for request in requests for r in apart.evaluate(*request)]
    assert together.n_fits_ == apart.n_fits_ == 4  # (0, split 0) is fitted once
    assert [(r.candidate_id, r.split_index) for r in results] == \
        [(0, 0), (1, 0), (1, 1), (0, 0), (0, 1)]
    assert [r.test_scores for r in results] == [r.test_scores for r in expected]


def test_precomputed_kernel_is_split_both_ways():
    from sklearn.svm import SVC

    K = X @ X.T
    ev = FoldEvaluator(SVC(kernel="precomputed"), K, y, cv=KFold(3),
                       scorers=build_scorers(SVC(), None))
    ev.evaluate({0: {}}, [0])
    assert not ev.store[(0, 0, None)].failed


@pytest.mark.parametrize("search_cls", ["BayesSearchCV", "HyperbandSearchCV"])
def test_features_for_a_precomputed_kernel_are_refused_before_any_fit(search_cls):
    import skhpo
    from sklearn.svm import SVC

    class Counting(SVC):
        fits = 0

        def fit(self, X, y, **kwargs):
            type(self).fits += 1
            return super().fit(X, y, **kwargs)

    search = getattr(skhpo, search_cls)(Counting(kernel="precomputed"),
                                        {"C": (0.1, 10.0)}, cv=3)
    with pytest.raises(ValueError, match=r"X should be a square kernel matrix: Counting "
                                         r"takes .* got shape \(60, 5\)\. Pass the"):
        search.fit(X, y)
    assert Counting.fits == 0


@pytest.mark.parametrize("scoring, match", [
    ([], "at least one scorer name"),
    (["accuracy", "accuracy"], "unique"),
    ({}, "at least one metric name"),
])
def test_bad_scoring(scoring, match):
    with pytest.raises(ValueError, match=match):
        build_scorers(Ridge(), scoring)


# ------------------------------------------- score params of several metrics
def _unweighted_metric(y_true, y_pred):  # no sample_weight parameter
    return float(np.mean(y_true == y_pred))


def _by_C(search, metric):
    """Mean test score per C, at the full budget (Hyperband's rows of 3 splits)."""
    results = search.cv_results_
    budget = np.asarray(results.get("n_resources", np.zeros(len(results["params"]))))
    return {p["C"]: round(float(s), 10)
            for p, s, b in zip(results["params"], results[f"mean_test_{metric}"], budget)
            if b == budget.max()}


def _weighted_data():
    X, y = make_classification(n_samples=90, n_features=4, random_state=0)
    return X, y, np.random.RandomState(1).randint(1, 10, size=90).astype(float)


@pytest.mark.parametrize("search_class", ["bayes", "hyperband"])
def test_sample_weight_reaches_only_the_scorers_that_take_it(search_class):
    # Routing off: GridSearchCV (>= 1.9) weights the metrics that take
    # sample_weight and leaves the others unweighted (< 1.9: none weighted).
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import GridSearchCV

    from skhpo import BayesSearchCV, Categorical, HyperbandSearchCV

    X, y, w = _weighted_data()
    scoring = {"acc": "accuracy", "mine": make_scorer(_unweighted_metric)}
    grid = [0.001, 0.01, 1.0]
    kwargs = dict(cv=KFold(3), scoring=scoring, refit="mine", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "mine does not support sample_weight"
        ref = GridSearchCV(LogisticRegression(), {"C": grid}, cv=KFold(3), scoring=scoring,
                           refit="mine").fit(X, y, sample_weight=w)
        if search_class == "bayes":
            ours = BayesSearchCV(LogisticRegression(), {"C": Categorical(grid)}, n_iter=3,
                                 **kwargs).fit(X, y, sample_weight=w)
        else:
            ours = HyperbandSearchCV(LogisticRegression(), {"C": Categorical(grid)},
                                     n_brackets=1, **kwargs).fit(X, y, sample_weight=w)
    for metric in ("acc", "mine"):
        theirs = _by_C(ref, metric)
        for C, score in _by_C(ours, metric).items():
            assert score == pytest.approx(theirs[C])
    assert ours.best_params_ == ref.best_params_


def test_routed_metadata_goes_to_each_scorer_as_it_requested():
    import sklearn
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import GridSearchCV

    from skhpo import BayesSearchCV, Categorical

    X, y, w = _weighted_data()
    grid = [0.001, 0.01, 1.0]
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {
            "weighted": make_scorer(_weighted_acc).set_score_request(sample_weight=True),
            "declined": make_scorer(_weighted_acc).set_score_request(sample_weight=False),
            "aliased": make_scorer(_weighted_acc).set_score_request(sample_weight="score_w"),
        }
        est = LogisticRegression().set_fit_request(sample_weight=True)
        params = dict(sample_weight=w, score_w=w[::-1].copy())
        ref = GridSearchCV(est, {"C": grid}, cv=KFold(3), scoring=scoring,
                           refit="weighted").fit(X, y, **params)
        ours = BayesSearchCV(est, {"C": Categorical(grid)}, n_iter=3, cv=KFold(3),
                             scoring=scoring, refit="weighted",
                             random_state=0).fit(X, y, **params)
    for metric in scoring:
        theirs = _by_C(ref, metric)
        assert _by_C(ours, metric) == pytest.approx(theirs)
    # The three metrics really differ (else the test proves nothing).
    assert len({tuple(sorted(_by_C(ours, m).items())) for m in scoring}) == 3


def _weighted_acc(y_true, y_pred, sample_weight=None):
    return float(np.average(y_true == y_pred, weights=sample_weight))


def test_calls_do_not_overlap_when_an_error_ends_the_search():
    # With error_score="raise", joblib shuts its workers down on the first
    # error: an overlapping call's fits would be cut off under it (loky's
    # manager thread then printed a KeyError traceback).
    assert _evaluator(error_score=np.nan).can_overlap()
    assert not _evaluator(error_score="raise").can_overlap()


def test_a_scorer_returning_a_one_element_array_counts_as_its_number():
    # scikit-learn accepts it (GridSearchCV scores such a scorer normally).
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from skhpo import BayesSearchCV

    X, y = load_iris(return_X_y=True)

    def as_array(estimator, X, y):
        return np.array([estimator.score(X, y)])

    ours = BayesSearchCV(LogisticRegression(max_iter=300), {"C": [0.1, 1.0, 10.0]},
                         n_iter=3, cv=3, scoring=as_array, random_state=0).fit(X, y)
    grid = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.1, 1.0, 10.0]},
                        cv=3, scoring=as_array).fit(X, y)
    order = np.argsort([p["C"] for p in ours.cv_results_["params"]])
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"][order],
                               grid.cv_results_["mean_test_score"])


def test_a_scorer_returning_a_non_number_fails_that_split_not_the_search():
    # It had raised out of the search, losing the finished candidates.
    calls = []

    def none_after_two(estimator, X, y):
        calls.append(1)
        return None if len(calls) > 2 else float(estimator.score(X, y))

    ev = _evaluator(Recorder(), scoring=none_after_two)
    with pytest.warns(UserWarning, match=r"(?s)Scoring failed.*Scoring must return a number, "
                                         r"got None \(NoneType\)"):
        ev.evaluate({0: {}, 1: {}}, [0, 1])
    assert [ev.store[(c, i, None)].test_scores is None
            for c in (0, 1) for i in (0, 1)] == [False, False, True, True]


def test_a_candidate_whose_parameters_cannot_be_set_fails_alone():
    # set_params ran outside the fit's error handling: one bad candidate
    # stopped the whole search.
    class Picky(Recorder):
        def set_params(self, **params):
            if params.get("c", 0) > 1:
                raise ValueError("c above 1 is refused")
            return super().set_params(**params)

    ev = _evaluator(Picky(), error_score=np.nan)
    ev.evaluate({0: {"c": 0.5}, 1: {"c": 2.0}}, [0, 1])
    assert [ev.store[(c, 0, None)].failed for c in (0, 1)] == [False, True]
    assert "c above 1 is refused" in ev.store[(1, 0, None)].fit_error
    raising = _evaluator(Picky(), error_score="raise")
    with pytest.raises(ValueError, match="c above 1 is refused"):
        raising.evaluate({1: {"c": 2.0}}, [0])


def test_a_parameter_of_a_step_the_space_may_drop_is_refused_before_any_fit():
    # A candidate drawing the None step and its parameter crashed the search.
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skhpo import BayesSearchCV, HyperbandSearchCV, SearchSpaceError

    fits = []

    class Counting(LogisticRegression):
        def fit(self, X, y, **kwargs):
            fits.append(1)
            return super().fit(X, y, **kwargs)

    pipe = Pipeline([("scale", StandardScaler()), ("clf", Counting())])
    space = {"scale": [StandardScaler(), "passthrough"], "scale__with_mean": [True, False]}
    for search in (BayesSearchCV(pipe, space, n_iter=4, cv=3),
                   HyperbandSearchCV(pipe, space, cv=3)):
        with pytest.raises(SearchSpaceError, match=r"'scale__with_mean' sets a parameter of "
                                                   r"the step 'scale', which the space may "
                                                   r"also make 'passthrough'.*its own space"):
            search.fit(X, y)
    assert fits == []
    split = [{"scale": [StandardScaler()], "scale__with_mean": [True, False]},
             {"scale": ["passthrough"]}]
    searched = BayesSearchCV(pipe, split, n_iter=3, cv=3, random_state=0).fit(X, y)
    assert {repr(p["scale"]) for p in searched.cv_results_["params"]} == {
        "StandardScaler()", "'passthrough'"}


@pytest.mark.parametrize("n_weights", [45, 50])  # 45: as long as a training fold
def test_sample_weight_of_the_wrong_length_is_refused_before_any_fit(n_weights):
    # A weight vector as long as a training fold had reached every fit
    # unsliced, silently misaligned with its rows.
    from skhpo import BayesSearchCV, HyperbandSearchCV, check_robustness

    CountingRecorder.fits = 0
    space = {"c": (0.1, 1.0)}
    for search in (BayesSearchCV(CountingRecorder(), space, n_iter=2, cv=KFold(4)),
                   HyperbandSearchCV(CountingRecorder(), space, cv=KFold(4))):
        with pytest.raises(ValueError, match=rf"sample_weight needs one entry per sample "
                                             rf"of X: got {n_weights} entries for 60"):
            search.fit(X, y, sample_weight=np.ones(n_weights))
    assert CountingRecorder.fits == 0
    fitted = BayesSearchCV(CountingRecorder(), space, n_iter=2, cv=KFold(4),
                           random_state=0).fit(X, y)
    CountingRecorder.fits = 0
    with pytest.raises(ValueError, match="sample_weight needs one entry per sample"):
        check_robustness(fitted, X, y, seeds=2, sample_weight=np.ones(n_weights))
    assert CountingRecorder.fits == 0


@pytest.mark.parametrize("search_class", ["BayesSearchCV", "HyperbandSearchCV"])
def test_a_scorer_failing_on_every_split_ends_with_a_clear_error(search_class):
    # It had ended "successfully" with every score NaN and an arbitrary best.
    import skhpo
    from sklearn.datasets import load_iris

    X3, y3 = load_iris(return_X_y=True)  # three classes: plain roc_auc refuses them
    search = getattr(skhpo, search_class)(
        LogisticRegression(max_iter=300), {"C": (0.1, 10.0)}, scoring="roc_auc",
        cv=3, random_state=0, **({"n_iter": 3} if search_class == "BayesSearchCV" else {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(AllFitsFailedError, match=r"No candidate got a score, so there is "
                                                     r"no best candidate: all \d+ fits of "
                                                     r"\d+ candidates ran, and the scoring of "
                                                     r"every one failed"):
            search.fit(X3, y3)
    # One metric failing beside another that scores is not a failed search.
    both = getattr(skhpo, search_class)(
        LogisticRegression(max_iter=300), {"C": (0.1, 10.0)}, cv=3, random_state=0,
        scoring={"auc": "roc_auc", "acc": "accuracy"}, refit="acc",
        **({"n_iter": 3} if search_class == "BayesSearchCV" else {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        both.fit(X3, y3)
    assert both.best_score_ > 0.9
    # A single metric with refit naming it (as GridSearchCV accepts) is fine.
    single = getattr(skhpo, search_class)(
        LogisticRegression(max_iter=300), {"C": (0.1, 10.0)}, cv=3, random_state=0,
        scoring="accuracy", refit="accuracy",
        **({"n_iter": 3} if search_class == "BayesSearchCV" else {})).fit(X3, y3)
    assert single.best_score_ > 0.9
    # ... unless it is the metric that picks the best: that best would be an
    # arbitrary row (GridSearchCV returns row 0).
    both.set_params(refit="auc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(AllFitsFailedError, match=r"The refit metric 'auc' got no score "
                                                     r"on any of the \d+ fits of \d+ "
                                                     r"candidates.*or refit on another"):
            both.fit(X3, y3)


@pytest.mark.parametrize("search_class", ["BayesSearchCV", "HyperbandSearchCV"])
def test_inputs_refused_with_the_fix_before_any_fit(search_class):
    # Each had given a raw error (numpy's "at least 1 dimension", GroupKFold's
    # "should not be None", get_params' "missing self") or one after fitting.
    import skhpo

    CountingRecorder.fits = 0

    cls = getattr(skhpo, search_class)
    space = {"c": (0.1, 1.0)}
    with pytest.raises(ValueError, match=r"cv=StratifiedKFold\(.*\) needs the targets to "
                                         r"split the data, got y=None: call fit\(X, y\)"):
        cls(CountingRecorder(), space, cv=StratifiedKFold(3)).fit(X, None)
    with pytest.raises(ValueError, match=r"cv=GroupKFold\(.*\) splits by groups: pass them "
                                         r"to fit, search.fit\(X, y, groups=groups\)"):
        cls(CountingRecorder(), space, cv=GroupKFold(3)).fit(X, y)
    with pytest.raises(TypeError, match=r"estimator must be an estimator instance, got the "
                                        r"class CountingRecorder: pass CountingRecorder\(\)"):
        cls(CountingRecorder, space, cv=3).fit(X, y)
    assert CountingRecorder.fits == 0


def test_the_failure_warning_lists_each_distinct_error_with_its_count():
    # Only the first failure had been shown: a second kind of error was lost.
    class TwoWays(Recorder):
        def fit(self, X, y, sample_weight=None):
            if self.c > 5:
                raise ValueError("c too large")
            if self.c < 0.5:
                raise RuntimeError("c too small")
            return super().fit(X, y, sample_weight=sample_weight)

    ev = _evaluator(TwoWays(), cv=KFold(2))
    ev.evaluate({0: {"c": 10.0}, 1: {"c": 0.1}, 2: {"c": 20.0}, 3: {"c": 1.0}}, [0, 1])
    with pytest.warns(FitFailedWarning) as record:
        ev.warn_about_failures()
    message = str(record[0].message)
    assert message.startswith("6 of 8 fits failed")
    assert "2 different errors:\n4 fits failed with:\n" in message
    assert "ValueError: c too large" in message
    assert "2 fits failed with:\n" in message and "RuntimeError: c too small" in message


def test_a_fits_work_is_its_numeric_resource_or_one():
    assert [FoldEvaluator.work_of(key) for key in
            [(0, 1, None), (0, 1, 27), (0, 1, 0.5), (0, 1, "liblinear"), (0, 1, True)]] == [
        1.0, 27.0, 0.5, 1.0, 1.0]


def test_longest_first_takes_any_numbers_and_never_fails():
    # An int beyond float64's exact range and floats near its limits had
    # crashed np.log or warned from np.ptp on joblib's dispatching thread.
    from skhpo._cost_order import longest_first

    params = {0: {"n": 2**70, "x": -1e308}, 1: {"n": 3, "x": 1e308},
              2: {"n": 2**70, "x": -1e308}, 3: {"n": 4, "x": 1e308}}
    keys = [(2, 0, None), (3, 0, None)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert longest_first(keys, params, {0: 5.0, 1: 0.1}) == keys  # 2 is like 0: slow
        assert longest_first(keys[::-1], params, {0: 5.0, 1: 0.1}) == keys


def test_an_x_that_is_a_sequence_without_shape_gets_its_fit_params_sliced():
    # A UserList X had no row count: sample_weight went unsliced to every fit
    # (all failed) and a scalar fit parameter was sliced (the search crashed).
    from collections import UserList

    from skhpo import BayesSearchCV

    class TakesVerbose(LogisticRegression):
        def fit(self, X, y, sample_weight=None, verbose=False):
            assert isinstance(verbose, bool)
            return super().fit(X, y, sample_weight=sample_weight)

    rows = UserList(X.tolist())
    search = BayesSearchCV(TakesVerbose(max_iter=300), {"C": [0.1, 1.0, 10.0]}, n_iter=3,
                           cv=3, random_state=0)
    search.fit(rows, y, sample_weight=np.ones(len(y)), verbose=True)
    plain = BayesSearchCV(TakesVerbose(max_iter=300), {"C": [0.1, 1.0, 10.0]}, n_iter=3,
                          cv=3, random_state=0).fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               plain.cv_results_["mean_test_score"])
