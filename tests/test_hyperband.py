"""HyperbandSearchCV: bracket arithmetic, fold reuse, results and the contract."""

import contextlib
import importlib.util
import pickle
import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skhpo import Categorical, Real
from skhpo.exceptions import AllFitsFailedError, SearchSpaceError
from skhpo.hyperband import HyperbandSearchCV, hyperband_schedule

X, y = make_classification(n_samples=90, n_features=5, n_informative=3,
                           random_state=0)
CV9 = RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)

# ----------------------------------------------------------------- instruments
FIT_LOG = []


class Instrumented(ClassifierMixin, BaseEstimator):
    """Scores better for c near 0.3; logs each fit's parameters and rows.

    The first column of X holds the sample index, so the rows seen by ``fit``
    identify the split.
    """

    def __init__(self, c=0.5, fail=False, n_iter=1):
        self.c = c
        self.fail = fail
        self.n_iter = n_iter

    def fit(self, X, y, sample_weight=None):
        FIT_LOG.append((self.c, self.n_iter, tuple(np.asarray(X)[:, 0].astype(int))))
        if self.fail:
            raise RuntimeError("instrumented failure")
        self.classes_ = np.unique(y)
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X):
        # Accuracy falls as c moves away from 0.3, with a little per-row noise.
        rows = np.asarray(X)[:, 0].astype(int)
        wrong = (np.sin(rows * 12.9898) * 43758.5453) % 1 < abs(self.c - 0.3)
        return np.where(wrong, 1 - YI[rows], YI[rows])


XI = np.column_stack([np.arange(90), X])
YI = y


def _no_fit_estimator():
    class NoFit(Instrumented):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("fit must not be called on bad input")

    return NoFit()


# -------------------------------------------------------------- bracket tables
def test_schedule_matches_li_et_al_table_for_81():
    # Li et al. (2018), Table 1: R=81, eta=3.
    expected = {
        4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        3: [(34, 3), (11, 9), (3, 27), (1, 81)],
        2: [(15, 9), (5, 27), (1, 81)],
        1: [(8, 27), (2, 81)],
        0: [(5, 81)],
    }
    table = hyperband_schedule(81, factor=3)
    got = {s: list(zip(g["n_candidates"], g["n_resources"]))
           for s, g in table.groupby("bracket", sort=False)}
    assert got == expected
    assert list(table["bracket"].unique()) == [4, 3, 2, 1, 0]
    assert list(table.columns) == ["bracket", "rung", "n_candidates", "n_resources",
                                   "fold_fits", "cumulative_fold_fits"]
    # With split reuse a promotion costs only the splits a candidate lacks.
    cost = sum(n * (r - prev) for rungs in expected.values()
               for (n, r), prev in zip(rungs, [0] + [r for _, r in rungs[:-1]]))
    assert table.attrs["total_fold_fits"] == cost == table["fold_fits"].sum()


def test_schedule_matches_hand_computed_table_for_9():
    table = hyperband_schedule(9, factor=3)
    expected = pd.DataFrame({
        "bracket": [2, 2, 2, 1, 1, 0],
        "rung": [0, 1, 2, 0, 1, 0],
        "n_candidates": [9, 3, 1, 5, 1, 3],
        "n_resources": [1, 3, 9, 3, 9, 9],
        "fold_fits": [9, 6, 6, 15, 6, 27],
    })
    pd.testing.assert_frame_equal(table[expected.columns], expected,
                                  check_dtype=False)
    assert table.attrs["total_fold_fits"] == 69


def test_schedule_without_reuse_counts_every_split():
    table = hyperband_schedule(9, factor=3, resource="n_samples", n_splits=4)
    assert table["fold_fits"].tolist() == [36, 12, 4, 20, 4, 12]


def test_schedule_min_resources_and_n_brackets():
    table = hyperband_schedule(81, min_resources=9, factor=3)
    assert table["bracket"].unique().tolist() == [2, 1, 0]
    assert table["n_resources"].tolist() == [9, 27, 81, 27, 81, 81]
    one = hyperband_schedule(81, n_brackets=1)
    assert one["n_candidates"].tolist() == [81, 27, 9, 3, 1]


@pytest.mark.parametrize("kwargs, match", [
    (dict(max_resources=3, min_resources=9), "must not exceed max_resources"),
    (dict(max_resources=9, factor=1.5), "factor must be a number >= 2"),
    (dict(max_resources=0), "max_resources must be a positive integer"),
    (dict(max_resources=9, n_brackets=4), "exceeds the 3 brackets"),
    (dict(max_resources=9, n_brackets=0), "n_brackets must be 'all'"),
    # These had given rungs of -1 or 2.5 candidates, or an empty table.
    (dict(max_resources=9, n_points=-1), r"n_points must be a positive integer .* got n_points=-1"),
    (dict(max_resources=9, n_points=0), "n_points must be a positive integer"),
    (dict(max_resources=9, n_points=2.5), "n_points must be a positive integer"),
])
def test_schedule_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hyperband_schedule(**kwargs)


# ------------------------------------------------------- fold reuse, exact cost
@pytest.mark.parametrize("factor, max_resources", [(3, 9), (2, 8), (3, 6)])
def test_no_pair_fitted_twice_and_cost_equals_schedule(factor, max_resources):
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               factor=factor, max_resources=max_resources,
                               refit=False, random_state=0)
    FIT_LOG.clear()
    search.fit(XI, YI)
    assert len(FIT_LOG) == len(set(FIT_LOG)), "a (candidate, split) was refitted"
    assert len(FIT_LOG) == search.schedule().attrs["total_fold_fits"]
    assert search.n_fold_fits_ == len(FIT_LOG)


def test_promoted_candidates_keep_their_scored_splits():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0, refit=False).fit(XI, YI)
    res = pd.DataFrame(search.cv_results_)
    for cid, rows in res.groupby("candidate_id"):
        rows = rows.sort_values("iter")
        for col in ("split0_test_score", "split1_test_score", "split2_test_score"):
            values = rows[col].dropna()
            assert values.nunique() <= 1, "an earlier split was re-scored"


def test_repeated_cv_gives_budgets_1_3_9():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0).fit(XI, YI)
    assert search.n_resources_ == [[1, 3, 9], [3, 9], [9]]
    assert search.n_candidates_ == [[9, 3, 1], [5, 1], [3]]
    assert search.n_iterations_ == 6
    assert search.n_splits_ == 9
    assert (search.min_resources_, search.max_resources_) == (1, 9)


# ------------------------------------------------------------------ cv_results_
def test_cv_results_one_row_per_candidate_and_rung():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0).fit(XI, YI)
    res = search.cv_results_
    assert len(res["params"]) == 9 + 3 + 1 + 5 + 1 + 3
    for key in ("bracket", "iter", "n_resources", "candidate_id", "mean_test_score",
                "std_test_score", "rank_test_score", "mean_fit_time", "std_fit_time",
                "mean_score_time", "param_c", "split8_test_score"):
        assert len(res[key]) == 22, key
    one_split = np.flatnonzero(res["n_resources"] == 1)
    assert np.isnan(res["split1_test_score"][one_split]).all()
    assert not np.isnan(res["split0_test_score"][one_split]).any()
    full = np.flatnonzero(res["n_resources"] == 9)
    assert not np.isnan(res["split8_test_score"][full]).any()
    mean = np.mean([res[f"split{i}_test_score"][full] for i in range(9)], axis=0)
    np.testing.assert_allclose(mean, res["mean_test_score"][full])


def test_best_is_rank_one_and_best_at_full_budget():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0).fit(XI, YI)
    res = search.cv_results_
    assert res["rank_test_score"][search.best_index_] == 1
    assert np.flatnonzero(res["rank_test_score"] == 1).tolist() == [search.best_index_]
    full = res["n_resources"] == search.max_resources_
    assert res["n_resources"][search.best_index_] == search.max_resources_
    assert search.best_score_ == np.max(res["mean_test_score"][full])
    assert search.best_params_ == res["params"][search.best_index_]
    # Every full-budget row outranks every smaller-budget row.
    assert res["rank_test_score"][full].max() < res["rank_test_score"][~full].min()
    assert abs(search.best_params_["c"] - 0.3) < 0.2


def test_promotion_keeps_the_best():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0, refit=False).fit(XI, YI)
    res = pd.DataFrame(search.cv_results_)
    for (bracket, rung), rows in res.groupby(["bracket", "iter"]):
        nxt = res[(res.bracket == bracket) & (res.iter == rung + 1)]
        if len(nxt):
            best = rows.nlargest(len(nxt), "mean_test_score").candidate_id
            assert set(nxt.candidate_id) == set(best)


# ------------------------------------------------------------------- resources
def test_n_samples_resource():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)},
                               resource="n_samples", cv=3, factor=3,
                               random_state=0)
    FIT_LOG.clear()
    search.fit(XI, YI)
    # smallest = 2 * n_splits * n_classes = 12 samples, R = 90.
    assert search.min_resources_ == 12 and search.max_resources_ == 90
    assert search.n_resources_[0] == [30, 90]
    sizes = sorted({len(rows) for _, _, rows in FIT_LOG})
    assert sizes[0] < 60 and sizes[-1] == 90  # subsamples, then the refit
    assert search.n_fold_fits_ == search.schedule(XI, YI).attrs["total_fold_fits"]
    assert search.cv_results_["n_resources"][search.best_index_] == 90


def test_estimator_parameter_resource():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)},
                               resource="n_iter", max_resources=9, cv=3,
                               random_state=0)
    FIT_LOG.clear()
    search.fit(XI, YI)
    assert sorted({n for _, n, _ in FIT_LOG}) == [1, 3, 9]
    assert search.best_params_["n_iter"] == 9
    assert search.best_estimator_.n_iter == 9
    assert search.n_splits_ == 3
    assert not np.isnan(search.cv_results_["split2_test_score"]).any()


def test_auto_max_resources_for_a_parameter_suggests_its_value_in_the_estimator():
    from sklearn.ensemble import RandomForestClassifier

    search = HyperbandSearchCV(RandomForestClassifier(n_estimators=200), {"max_depth": [2, 4]},
                               resource="n_estimators")
    with pytest.raises(ValueError, match=r"e.g. max_resources=200 \(its value in the "
                                         r"estimator\)"):
        search.fit(XI, YI)


# -------------------------------------------------------- bad inputs, no fits
@pytest.mark.parametrize("kwargs, match", [
    (dict(cv=KFold(3, shuffle=True)), "must yield consistent folds across calls"),
    (dict(cv=ShuffleSplit(3)), "must yield consistent folds across calls"),
    (dict(cv=3, min_resources=4, max_resources=3), "must not exceed max_resources"),
    (dict(cv=3, max_resources=4), "exceeds the 3 splits of cv"),
    (dict(resource="n_trees"), "resource must be 'n_splits', 'n_samples' or a param"),
    (dict(resource="n_iter"), "max_resources='auto' is only defined"),
    (dict(resource="c", max_resources=9), "is also a searched parameter"),
    (dict(factor=1.5), "'factor' parameter of HyperbandSearchCV must be"),
    (dict(sampler="grid"), "'sampler' parameter of HyperbandSearchCV must be"),
    (dict(cv=9, n_brackets=5), "exceeds the 3 brackets"),
    (dict(min_resources=0), "'min_resources' parameter"),
    (dict(scoring=["accuracy", "f1"], refit=True), "refit must be set to a scorer"),
])
def test_bad_inputs_raise_before_any_fit(kwargs, match):
    search = HyperbandSearchCV(_no_fit_estimator(), {"c": Real(0.0, 1.0)}, **kwargs)
    with pytest.raises(ValueError, match=match):
        search.fit(XI, YI)


def test_a_resource_inside_a_pipeline_is_suggested_with_its_prefix():
    pipe = make_pipeline(StandardScaler(), Instrumented())
    search = HyperbandSearchCV(pipe, {"instrumented__c": Real(0.0, 1.0)}, resource="n_iter",
                               max_resources=9)
    with pytest.raises(ValueError, match="does not have. Did you mean 'instrumented__n_iter'"):
        search.fit(XI, YI)


@pytest.mark.parametrize("space, match", [
    ({"nope": [1, 2]}, "does not have"),
    ({"c": (1.0, 0.5)}, "low < high"),
    ({}, "empty"),
])
def test_bad_spaces_raise_before_any_fit(space, match):
    with pytest.raises(SearchSpaceError, match=match):
        HyperbandSearchCV(_no_fit_estimator(), space).fit(XI, YI)


# ------------------------------------------------------------ spaces, sampling
def test_every_space_form_and_list_of_dicts():
    from sklearn.svm import SVC

    # Two alternative classifiers for one pipeline step.
    space = [
        {"clf": [LogisticRegression()], "clf__C": loguniform(1e-2, 1e2)},
        {"clf": [SVC()], "clf__C": Real(1e-2, 1e2, prior="log-uniform"),
         "pca__n_components": [2, 3]},
    ]
    pipe = Pipeline([("pca", PCA(n_components=3)), ("clf", LogisticRegression())])
    search = HyperbandSearchCV(pipe, space, cv=3, random_state=0).fit(X, y)
    kinds = {type(p["clf"]).__name__ for p in search.cv_results_["params"]}
    assert kinds == {"LogisticRegression", "SVC"}
    assert search.cv_results_["param_pca__n_components"].mask.any()
    assert search.score(X, y) > 0.7


def test_tuple_categorical_and_randint_forms():
    space = {"max_depth": randint(1, 8), "criterion": ["gini", "entropy"],
             "min_samples_leaf": (1, 10), "splitter": Categorical(["best", "random"])}
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space, cv=3,
                               random_state=0).fit(X, y)
    assert set(search.best_params_) == set(space)
    assert search.cv_results_["param_criterion"].dtype == object


def test_small_discrete_space_does_not_crash():
    search = HyperbandSearchCV(Instrumented(), {"c": [0.1, 0.3]}, cv=CV9,
                               random_state=0).fit(XI, YI)
    assert search.best_params_["c"] == 0.3


@pytest.mark.parametrize("n_jobs, backend, n_calls", [
    (1, None, 6),  # brackets one after another, a call per rung
    (2, None, 6),  # side by side, each bracket's rungs in their own calls, overlapping
    (2, "threading", 3),  # side by side in a backend context: rungs of equal depth share
])
def test_deterministic_for_a_random_state_whatever_n_jobs(monkeypatch, n_jobs, backend,
                                                           n_calls):
    import skhpo._evaluate as evaluate

    kwargs = dict(cv=CV9, random_state=42, max_resources=9)
    space = {"max_depth": randint(1, 8), "min_samples_leaf": randint(1, 10)}
    ref = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space,
                            **kwargs).fit(X, y)
    calls = []
    start = evaluate.FoldEvaluator._start
    monkeypatch.setattr(evaluate.FoldEvaluator, "_start",
                        lambda self, sub: calls.append(len(sub.todo)) or start(self, sub))
    with parallel_config(backend=backend) if backend else contextlib.nullcontext():
        other = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space,
                                  n_jobs=n_jobs, **kwargs).fit(X, y)
    assert len(calls) == n_calls and sum(calls) == 69
    # With 2 workers the brackets run side by side; the rows stay in bracket order.
    assert ref.cv_results_["params"] == other.cv_results_["params"]
    for key in ("mean_test_score", "rank_test_score", "bracket", "iter", "n_resources"):
        np.testing.assert_array_equal(ref.cv_results_[key], other.cv_results_[key])
    assert ref.best_params_ == other.best_params_


# ------------------------------------------------------- metrics and failures
def _param_scorer(sign):
    def score(estimator, X, y):
        return sign * estimator.c

    return score


@pytest.mark.parametrize("refit, best_c", [("high", max), ("low", min)])
def test_promotion_follows_the_refit_metric(refit, best_c):
    scoring = {"high": _param_scorer(1), "low": _param_scorer(-1)}
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               scoring=scoring, refit=refit, random_state=0)
    search.fit(XI, YI)
    res = search.cv_results_
    first = res["params"][:9]
    assert search.best_params_["c"] == best_c(p["c"] for p in first + res["params"])
    assert search.multimetric_
    assert set(search.scorer_) == {"high", "low"}
    assert res["rank_test_" + refit][search.best_index_] == 1


def test_refit_callable():
    def pick_last(results):
        return len(results["params"]) - 1

    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=3,
                               scoring=["accuracy", "f1"], refit=pick_last,
                               random_state=0).fit(XI, YI)
    assert search.best_index_ == len(search.cv_results_["params"]) - 1
    assert hasattr(search, "best_estimator_") and not hasattr(search, "best_score_")


def test_refit_callable_picking_a_lower_budget_row_warns():
    def pick_first(results):  # row 0: a 1-split row of the first bracket
        return 0

    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               refit=pick_first, random_state=0)
    with pytest.warns(UserWarning, match=r"picked row 0, which was scored at n_resources=1 of 9"):
        search.fit(XI, YI)
    assert search.best_index_ == 0


def test_multimetric_refit_false_has_no_best():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=3,
                               scoring=["accuracy", "f1"], refit=False,
                               random_state=0).fit(XI, YI)
    assert not hasattr(search, "best_index_")
    assert "mean_test_f1" in search.cv_results_


@pytest.mark.parametrize("error_score", [np.nan, 2.0])
def test_failing_candidates_never_crash_and_are_not_promoted(error_score):
    """Not even when error_score (2.0) beats every real accuracy."""
    space = {"c": Real(0.0, 1.0), "fail": [True, False]}
    # refit=False with 2.0: like GridSearchCV, the best row is then a failure.
    search = HyperbandSearchCV(Instrumented(), space, cv=CV9, random_state=0,
                               error_score=error_score, refit=bool(np.isnan(error_score)))
    with pytest.warns(FitFailedWarning):
        search.fit(XI, YI)
    res = pd.DataFrame(search.cv_results_)
    failing = res.param_fail.astype(bool)
    assert failing.any()
    np.testing.assert_array_equal(res[failing].mean_test_score, error_score)
    if np.isnan(error_score):  # (a number ranks as it would in GridSearchCV)
        assert search.best_params_["fail"] is False
    # A failure is never promoted while a scored candidate remains.
    assert not res[res.iter > 0].param_fail.astype(bool).any()


class FailsOnSmallBudgets(Instrumented):
    """Fails when n_iter (the resource below) is under 3, or on a given split."""

    def __init__(self, c=0.5, fail=False, n_iter=1, bad_split=None):
        super().__init__(c=c, fail=fail, n_iter=n_iter)
        self.bad_split = bad_split

    def fit(self, X, y, sample_weight=None):
        if self.n_iter < 3:
            raise RuntimeError("too few iterations")
        if self.bad_split is not None and tuple(np.asarray(X)[:, 0].astype(int)) == self.bad_split:
            raise RuntimeError("bad split")
        return super().fit(X, y, sample_weight)


def test_a_first_rung_where_every_fit_fails_does_not_end_the_search():
    search = HyperbandSearchCV(FailsOnSmallBudgets(), {"c": Real(0.0, 1.0)},
                               resource="n_iter", max_resources=9, cv=3, random_state=0)
    with pytest.warns(FitFailedWarning):
        search.fit(XI, YI)
    res = search.cv_results_
    assert np.all(np.isnan(res["mean_test_score"][res["n_resources"] == 1]))
    assert search.best_params_["n_iter"] == 9 and np.isfinite(search.best_score_)


def test_a_search_where_every_fit_fails_counts_each_fit_once():
    search = HyperbandSearchCV(Instrumented(fail=True), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        with pytest.raises(AllFitsFailedError,
                           match=r"All 17 candidates failed to fit \(69 fits\)"):
            search.fit(XI, YI)


def test_every_full_budget_row_failing_is_said():
    """A split scored only at the full budget fails for every candidate."""
    last_train = next(tr for i, (tr, _) in enumerate(CV9.split(XI, YI)) if i == 8)
    search = HyperbandSearchCV(FailsOnSmallBudgets(n_iter=3, bad_split=tuple(last_train)),
                               {"c": Real(0.0, 1.0)}, cv=CV9, random_state=0)
    with pytest.warns(UserWarning, match="Every candidate scored on the full budget "
                                         "failed; the best row, .* n_resources=[13] of 9"):
        search.fit(XI, YI)
    assert search.cv_results_["n_resources"][search.best_index_] < 9


def test_error_score_raise_propagates():
    search = HyperbandSearchCV(Instrumented(fail=True), {"c": Real(0.0, 1.0)}, cv=3,
                               error_score="raise")
    with pytest.raises(RuntimeError, match="instrumented failure"):
        search.fit(XI, YI)


def test_return_train_score():
    search = HyperbandSearchCV(Ridge(), {"alpha": loguniform(1e-2, 1e2)}, cv=3,
                               return_train_score=True, random_state=0)
    Xr, yr = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    search.fit(Xr, yr)
    assert "mean_train_score" in search.cv_results_
    assert "split2_train_score" in search.cv_results_


# --------------------------------------------------------- the sklearn contract
def test_in_a_pipeline_clone_set_params_and_cross_val_score():
    search = HyperbandSearchCV(LogisticRegression(), {"C": loguniform(1e-2, 1e2)},
                               cv=3, random_state=0)
    cloned = clone(search).set_params(factor=2, cv=4)
    assert cloned.get_params()["factor"] == 2 and search.factor == 3
    pipe = Pipeline([("scale", StandardScaler()), ("search", cloned)])
    assert pipe.fit(X, y).score(X, y) >= 0.6
    scores = cross_val_score(search, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_groups_reach_the_splitter():
    groups = np.repeat(np.arange(9), 10)
    seen = []

    class Spy(GroupKFold):
        def split(self, X, y=None, groups=None):
            seen.append(groups)
            return super().split(X, y, groups)

    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=Spy(3),
                               random_state=0).fit(XI, YI, groups=groups)
    assert seen and all(g is not None for g in seen)
    assert search.n_splits_ == 3
    for rows in {r for _, _, r in FIT_LOG[-3:]}:
        assert len(set(groups[list(rows)])) in (6, 9)


def test_sample_weight_is_routed_to_fit():
    weights = np.arange(90, dtype=float) + 1
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=3,
                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(XI, YI, sample_weight=weights)
    np.testing.assert_array_equal(search.best_estimator_.sample_weight_, weights)


def test_pickling_a_fitted_search():
    search = HyperbandSearchCV(LogisticRegression(), {"C": loguniform(1e-2, 1e2)},
                               cv=3, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(loaded.predict(X), search.predict(X))
    assert loaded.best_params_ == search.best_params_


@pytest.mark.parametrize("n_jobs, n_calls", [(None, 6), (2, 3)])
def test_sklearn_callbacks_see_every_fold_fit(n_jobs, n_calls):
    callback_module = pytest.importorskip("sklearn.callback")
    events = []

    class Recorder:
        def setup(self, estimator, context):
            events.append("setup")

        def on_fit_task_begin(self, estimator, context, **kwargs):
            events.append(("begin", context.task_name))

        def on_fit_task_end(self, estimator, context, **kwargs):
            events.append(("end", context.task_name))

        def teardown(self, estimator, context):
            events.append("teardown")

    assert isinstance(Recorder(), callback_module.FitCallback)
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                               random_state=0, n_jobs=n_jobs)
    search.set_callbacks(Recorder())
    with parallel_config(backend="threading"):
        search.fit(XI, YI)
    begins = [e for e in events if isinstance(e, tuple) and e[0] == "begin"]
    n_tasks = sum(e[1] == "candidate-split-evaluation" for e in begins)
    assert n_tasks == search.n_fold_fits_ == 69
    # One parallel call per rung; with 2 workers (and callbacks, so calls
    # cannot overlap), the brackets' rungs of equal depth share one.
    assert sum(e[1] == "hyperband-rung" for e in begins) == n_calls
    assert events[0] == "setup" and events[-1] == "teardown"


# ------------------------------------------------------------- sampler="bayes"
@pytest.mark.skipif(importlib.util.find_spec("skhpo._optimizer") is None,
                    reason="skhpo._optimizer is not written yet")
def test_bayes_sampler_runs_and_is_deterministic():
    kwargs = dict(cv=CV9, sampler="bayes", random_state=0)
    a = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, **kwargs).fit(XI, YI)
    b = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, **kwargs).fit(XI, YI)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.n_fold_fits_ == a.schedule().attrs["total_fold_fits"]
    assert abs(a.best_params_["c"] - 0.3) < 0.2
    # The later brackets differ from random sampling's.
    r = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9,
                          random_state=0).fit(XI, YI)
    assert a.cv_results_["params"] != r.cv_results_["params"]


@pytest.mark.skipif(importlib.util.find_spec("skhpo._optimizer") is None,
                    reason="skhpo._optimizer is not written yet")
def test_bayes_sampler_with_alternative_subspaces():
    space = [{"c": Real(0.0, 0.5)}, {"c": [0.6, 0.9], "fail": [False]}]
    search = HyperbandSearchCV(Instrumented(), space, cv=CV9, sampler="bayes",
                               random_state=1).fit(XI, YI)
    assert search.n_fold_fits_ == 69
    assert {"fail" in p for p in search.cv_results_["params"]} == {True, False}


def test_verbose_prints_the_schedule(capsys):
    HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=CV9, verbose=1,
                      random_state=0).fit(XI, YI)
    out = capsys.readouterr().out
    assert "cumulative_fold_fits" in out and "bracket 2, rung 0" in out


def test_progress_estimates_weigh_fits_by_their_resource(monkeypatch):
    # With epochs or trees as the budget, a fit at the full budget costs
    # many first-rung fits: counted alike, the time left was far too low.
    import skhpo.hyperband as hyperband

    seen = {}

    class Recording(hyperband.ProgressPrinter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["total_work"] = self.total_work

        def update(self, **kwargs):
            seen["last"] = kwargs

    monkeypatch.setattr(hyperband, "ProgressPrinter", Recording)
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, resource="n_iter",
                               max_resources=9, cv=3, random_state=0, verbose=1)
    schedule = search.schedule()
    search.fit(XI, YI)
    expected = float((schedule["fold_fits"] * schedule["n_resources"]).sum())
    assert seen["total_work"] == expected > schedule.attrs["total_fold_fits"]
    assert seen["last"]["work_done"] == expected
    assert seen["last"]["fits_done"] == schedule.attrs["total_fold_fits"]


def test_schedule_method_needs_x_for_n_samples_auto():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)},
                               resource="n_samples", cv=3)
    with pytest.raises(ValueError, match="needs X to count the samples"):
        search.schedule()
    assert search.schedule(XI, YI)["n_resources"].max() == 90


@pytest.mark.parametrize("n_jobs, third, last", [
    (None, "bracket 2, rung 2", "bracket 0, rung 0"),  # brackets one by one
    (2, "bracket 0, rung 0", "bracket 2, rung 2"),  # side by side, first rungs first
])
def test_verbose_prints_the_schedule_then_one_line_per_rung(capsys, n_jobs, third, last):
    from sklearn.linear_model import LogisticRegression as _LR
    from sklearn.model_selection import RepeatedStratifiedKFold as _RSKF
    from sklearn.datasets import load_iris as _load_iris
    from scipy.stats import loguniform as _loguniform

    X_, y_ = _load_iris(return_X_y=True)
    search = HyperbandSearchCV(_LR(max_iter=300), {"C": _loguniform(1e-3, 1e2)},
                               cv=_RSKF(n_splits=3, n_repeats=3, random_state=0),
                               random_state=0, verbose=1, n_jobs=n_jobs)
    with parallel_config(backend="threading"):
        search.fit(X_, y_)
    out = capsys.readouterr().out.splitlines()
    rungs = [line for line in out if line.startswith("[HyperbandSearchCV]")]
    assert len(rungs) == 6  # 3 + 2 + 1 rungs for R=9, eta=3
    assert "no best yet" in rungs[0]  # nothing at the full budget yet
    assert rungs[2].startswith(f"[HyperbandSearchCV] {third}")
    assert rungs[-1].startswith(f"[HyperbandSearchCV] {last}")
    assert "69/69 fits, ~0s left" in rungs[-1]
    assert any("fold_fits" in line for line in out[:3])  # the schedule first


@pytest.mark.skipif(not hasattr(HyperbandSearchCV, "set_callbacks"),
                    reason="callbacks arrived in scikit-learn 1.9")
def test_progress_bar_callback():
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar
    from sklearn.datasets import load_iris as _load_iris
    from sklearn.linear_model import LogisticRegression as _LR
    from scipy.stats import loguniform as _loguniform

    X_, y_ = _load_iris(return_X_y=True)
    search = HyperbandSearchCV(_LR(max_iter=300), {"C": _loguniform(1e-3, 1e2)}, cv=9,
                               random_state=0)
    search.set_callbacks(ProgressBar())
    search.fit(X_, y_)
    assert search.n_fold_fits_ == 69


def test_bayes_sampler_draws_no_point_twice_while_others_remain():
    # The GP knows one budget's points only; its proposals must not repeat
    # candidates of the other budgets (120 points for 17 candidates).
    from sklearn.datasets import load_iris

    X_iris, y_iris = load_iris(return_X_y=True)
    for seed in range(4):  # seeds 1-3 repeated one or two candidates before
        search = HyperbandSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": list(range(1, 31)), "min_samples_leaf": [1, 2, 4, 8]},
            cv=CV9, sampler="bayes", random_state=seed).fit(X_iris, y_iris)
        results = search.cv_results_
        new = [tuple(sorted(p.items()))
               for p, it in zip(results["params"], results["iter"]) if it == 0]
        assert len(new) == 17 and len(set(new)) == 17, seed


# ------------------------------------------------- refused before any fit
def test_one_candidate_schedule_is_refused_with_the_fix():
    # cv=2 with factor=3: s_max = 0, one bracket of one candidate.
    search = HyperbandSearchCV(_no_fit_estimator(), {"c": Real(0.0, 1.0)}, cv=2)
    with pytest.raises(ValueError, match=r"max_resources=2 < 3 \* 1.*RepeatedStratifiedKFold"):
        search.fit(XI, YI)
    with pytest.raises(ValueError, match="one bracket of one candidate"):
        search.schedule()
    assert len(search.set_params(factor=2).schedule()) == 3  # budgets 1, 2 and 2


def test_schedule_does_not_use_up_an_iterator_cv():
    splits = KFold(3).split(XI)
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)}, cv=splits,
                               random_state=0)
    with pytest.raises(ValueError, match=r"cv=list\(splits\)"):
        search.schedule(XI, YI)
    assert search.fit(XI, YI).n_fold_fits_ == search.set_params(
        cv=list(KFold(3).split(XI))).schedule().attrs["total_fold_fits"]


def test_empty_cv_gets_the_empty_cv_message():
    search = HyperbandSearchCV(_no_fit_estimator(), {"c": Real(0.0, 1.0)}, cv=[])
    with pytest.raises(ValueError, match="yielded no split"):
        search.fit(XI, YI)


def test_n_samples_preview_of_a_classifier_needs_y():
    search = HyperbandSearchCV(Instrumented(), {"c": Real(0.0, 1.0)},
                               resource="n_samples", cv=3, random_state=0)
    with pytest.raises(ValueError, match=r"counts the classes of y.*schedule\(X, y\)"):
        search.schedule(XI)
    preview = search.schedule(XI, YI).attrs["total_fold_fits"]
    assert search.fit(XI, YI).n_fold_fits_ == preview


def test_n_samples_first_rung_too_small_to_fit_is_refused():
    # 90 rows, 3 folds: 60 training rows, times 1/90 -> 0 rows.
    search = HyperbandSearchCV(_no_fit_estimator(), {"c": Real(0.0, 1.0)},
                               resource="n_samples", min_resources=1, cv=3)
    with pytest.raises(ValueError, match=r"leaves 0 training rows.*60 rows.*1/90"):
        search.fit(XI, YI)


def test_n_samples_checks_the_smallest_rung_run_not_min_resources():
    """R=120, r_min=2, factor 3: the first rung is floor(120/27) = 4 samples
    (3 training rows of the smallest split), not 2 (1 row)."""
    X120, y120 = make_classification(n_samples=120, n_features=5, random_state=0)
    search = HyperbandSearchCV(LogisticRegression(), {"C": loguniform(1e-3, 1e2)},
                               resource="n_samples", min_resources=2,
                               cv=StratifiedKFold(9), random_state=0)
    preview = search.schedule(X120, y120)
    assert preview["n_resources"].min() == 4
    assert search.fit(X120, y120).n_fold_fits_ == preview.attrs["total_fold_fits"]


def test_random_sampler_draws_no_point_twice_while_others_remain():
    search = HyperbandSearchCV(Instrumented(), {"c": [k / 20 for k in range(20)]},
                               cv=CV9, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # 20 points for 17 candidates
        search.fit(XI, YI)
    new = [p["c"] for p, it in zip(search.cv_results_["params"],
                                   search.cv_results_["iter"]) if it == 0]
    assert len(new) == 17 and len(set(new)) == 17


@pytest.mark.parametrize("space, n_points, expected", [
    # 10 points: bracket 2 takes 9, bracket 1 the last one, bracket 0 none.
    ({"c": [k / 10 for k in range(10)]}, 10, [[9, 3, 1], [1, 1]]),
    # Two grids of 2 and 3 points: bracket 2 takes all 5.
    ([{"c": [0.1, 0.2]}, {"c": [0.3, 0.4, 0.5]}], 5, [[5, 1, 1]]),
    # Integer ranges and discrete distributions count as lists.
    ({"n_iter": (1, 10)}, 10, [[9, 3, 1], [1, 1]]),
    ({"c": [0.1, 0.3], "n_iter": randint(1, 5)}, 8, [[8, 2, 1]]),
])
def test_a_grid_smaller_than_the_schedule_is_searched_once_per_point(
        space, n_points, expected):
    search = HyperbandSearchCV(Instrumented(), space, cv=CV9, random_state=0, refit=False)
    with pytest.warns(UserWarning, match=f"has only {n_points} distinct points, fewer "
                                         f"than the 17 candidates"):
        preview = search.schedule(XI, YI)
    FIT_LOG.clear()
    with pytest.warns(UserWarning, match=f"has only {n_points} distinct points"):
        search.fit(XI, YI)
    assert search.n_candidates_ == expected
    new = [repr(p) for p, it in zip(search.cv_results_["params"],
                                    search.cv_results_["iter"]) if it == 0]
    assert len(new) == len(set(new)) == n_points  # every point once
    assert len(FIT_LOG) == len(set(FIT_LOG)), "a (candidate, split) was refitted"
    assert search.n_fold_fits_ == len(FIT_LOG) == preview.attrs["total_fold_fits"]
    assert list(preview["n_candidates"]) == [n for rungs in expected for n in rungs]


def _sampler(spaces, seed):
    from skhpo.hyperband import _RandomSampler
    from skhpo.space import parse_search_spaces

    return _RandomSampler(parse_search_spaces(spaces), np.random.RandomState(seed))


def _draws(sampler, sizes):
    points = []
    for n in sizes:  # bracket by bracket, as Hyperband asks
        params, origin = sampler.propose(n, [])
        points += [(k, tuple(sorted(p.items()))) for p, k in zip(params, origin)]
    return points


@pytest.mark.parametrize("seed", range(10))
def test_a_grid_exactly_the_size_of_the_draws_is_drawn_whole(seed):
    # R=27, factor 3 draws 27 + 12 + 6 + 4 = 49 candidates: the 7 x 7 grid.
    grid = {"a": list(range(7)), "b": list(range(7))}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        points = _draws(_sampler(grid, seed), [27, 12, 6, 4])
    assert len(set(points)) == 49


def test_categorical_priors_weight_the_grid_draws():
    # The grid had been drawn uniformly, zero weights included.
    from skhpo import Categorical

    grid = {"c": Categorical(["a", "b", "z"], prior=[0.9, 0.1, 0.0]), "d": list(range(50))}
    points = [dict(p) for _, p in _draws(_sampler(grid, 0), [60])]
    shares = [sum(p["c"] == c for p in points) / 60 for c in "abz"]
    assert shares[0] > 0.75 and shares[2] == 0
    # A category listed twice counts both of its weights.
    twice = {"c": Categorical(["u", "u", "v"], prior=[0.5, 0.25, 0.25]), "d": list(range(200))}
    points = [dict(p) for _, p in _draws(_sampler(twice, 0), [100])]
    assert 0.68 < sum(p["c"] == "u" for p in points) / 100 < 0.82
    # Drawn out, the zero-weight points come last: the space is all there.
    points = [dict(p) for _, p in _draws(_sampler(grid, 0), [150])]
    assert len({tuple(sorted(p.items())) for p in points}) == 150
    assert {p["c"] for p in points[:100]} == {"a", "b"}


def test_a_list_of_grids_is_drawn_without_replacement_across_the_grids():
    # As RandomizedSearchCV's ParameterSampler: a 3-point grid beside a
    # 100-point one gets about 3% of the draws, not half of them.
    grids = [{"kernel": ["linear"], "C": [1, 10, 100]},
             {"kernel": ["rbf"], "C": list(range(10)), "gamma": list(range(10))}]
    for seed in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            points = _draws(_sampler(grids, seed), [9, 5, 3])
        assert len(set(points)) == 17
    # Drawn out: every point once (Hyperband cuts its brackets to the space).
    sampler = _sampler([{"c": ["a", "b"]}, {"c": ["c", "d", "e"]}], 0)
    assert len(set(_draws(sampler, [4, 1]))) == 5
    with pytest.raises(RuntimeError, match="more points than the space has"):
        _draws(sampler, [1])


def test_grids_share_the_draws_in_proportion_to_their_points():
    # 2 + 18 points: over 10 draws the small grid gets 1 on average (a
    # uniform choice of grid would give it 2 points at once nearly always).
    grids = [{"c": ["a", "b"]}, {"c": list(range(18))}]
    small = [sum(k == 0 for k, _ in _draws(_sampler(grids, seed), [10]))
             for seed in range(200)]
    assert 0.8 < np.mean(small) < 1.2


@pytest.mark.parametrize("listed, n_distinct", [
    ({"c": [1, 1, 3, 5, 10]}, 4),
    ({"c": [1, 3, 3.0, 5]}, 4),  # 3 and 3.0 differ for scikit-learn (max_features)
    ({"c": Categorical(["a", "a", "b", "c"])}, 3),
])
def test_a_value_listed_twice_is_one_point_of_the_grid(listed, n_distinct):
    # The repeated value was a point never marked drawn: the sampler ran out
    # of unseen points while it believed one was left and crashed.
    sampler = _sampler(listed, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        points = _draws(sampler, [n_distinct])
    assert len(set(map(repr, points))) == n_distinct  # 3 == 3.0, but not as settings
    from skhpo.hyperband import small_space_size
    from skhpo.space import parse_search_spaces

    assert small_space_size(parse_search_spaces(listed), 100) == n_distinct
    assert small_space_size(parse_search_spaces(listed), n_distinct - 1) is None


def test_a_large_grid_is_drawn_from_in_constant_time_per_draw():
    from skhpo.hyperband import _MAX_GRID_POINTS

    grid = {"a": list(range(100)), "b": list(range(_MAX_GRID_POINTS // 100))}
    sampler = _sampler(grid, 0)
    start = time.perf_counter()
    points = _draws(sampler, [500])
    # Rebuilding the list of unseen points took 0.3 s per draw here.
    assert time.perf_counter() - start < 5.0
    assert len(set(points)) == 500


def test_a_grid_too_large_to_list_is_counted_not_built():
    from skhpo.space import Space

    # Decoding a list of 300,000 values asked for a 300,000^2 array (671 GiB)
    # before the size was checked.
    space = Space({"a": list(range(300_000)), "b": list(range(10))})
    start = time.perf_counter()
    assert space.grid(100_000) is None
    assert time.perf_counter() - start < 0.5


def test_a_grid_beside_a_continuous_space_is_left_once_drawn_out():
    sampler = _sampler([{"c": ["a", "b"]}, {"c": Real(0.0, 1.0)}], 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        points = _draws(sampler, [9, 5, 3])
    assert len(set(points)) == 17
    assert sum(k == 0 for k, _ in points) == 2


def test_a_too_small_first_rung_names_the_users_value_and_one_that_works():
    X100, y100 = make_regression(n_samples=100, n_features=5, random_state=0)
    search = HyperbandSearchCV(Ridge(), {"alpha": Real(0.1, 10.0)}, cv=2,
                               resource="n_samples", min_resources=2, random_state=0)
    # The preview runs the checks fit runs, so it refuses the same plan.
    with pytest.raises(ValueError, match=r"min_resources=2 .*first rung of 3 samples") as info:
        search.schedule(X100, y100)
    # 50 training rows per split: a rung of r samples keeps floor(50 r / 100),
    # so r = 4 keeps the 2 rows needed.
    assert "min_resources=4" in str(info.value)
    with pytest.raises(ValueError, match=r"first rung of 3 samples"):
        search.fit(X100, y100)
    search.set_params(min_resources=4).fit(X100, y100)


def test_the_preview_refuses_a_searched_resource_as_fit_does():
    search = HyperbandSearchCV(Instrumented(), {"c": [0.1, 0.2, 0.3], "n_iter": [1, 2, 3]},
                               resource="n_iter", max_resources=9, cv=3)
    with pytest.raises(ValueError, match="also a searched parameter"):
        search.schedule()


def test_n_samples_with_all_rows_and_too_few_for_the_default_minimum_says_why():
    # 2 x 9 splits x 3 classes = 54 samples at least per first rung; 3 x 54 > 150.
    X150, y150 = load_iris(return_X_y=True)
    search = HyperbandSearchCV(LogisticRegression(), {"C": Real(0.01, 100.0)},
                               cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3,
                                                          random_state=0),
                               resource="n_samples")
    with pytest.raises(ValueError) as info:
        search.schedule(X150, y150)
    message = str(info.value)
    assert "raise max_resources" not in message.lower()  # already every sample
    assert "2 x 9 splits x 3 classes" in message
    assert "set min_resources=50 or lower" in message
    # The advice works (factor=2, which the message used to suggest, did not).
    assert len(search.set_params(min_resources=50).schedule(X150, y150)) == 3


def test_a_rung_where_every_fit_failed_warns_that_its_promotions_are_blind():
    # 3% of one class: the first n_samples rung's training subsamples have no
    # minority row, every fit fails, and promotion cannot rank by score.
    X, y = make_classification(600, 5, weights=[0.97, 0.03], flip_y=0, random_state=0)
    search = HyperbandSearchCV(LogisticRegression(), {"C": loguniform(1e-4, 1e2)},
                               resource="n_samples", n_brackets=1, cv=3, random_state=0)
    with pytest.warns(UserWarning, match=r"rung 0 .* failed or scored NaN.*raise "
                                         r"min_resources") as record:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(X, y)
    blind = [w for w in record if "scored NaN" in str(w.message)]
    assert len(blind) == 1
    first = np.asarray(search.cv_results_["iter"]) == 0
    assert np.isnan(np.asarray(search.cv_results_["mean_test_score"])[first]).all()


def test_a_searched_step_without_the_resource_parameter_is_refused_before_any_fit():
    from sklearn.linear_model import SGDClassifier
    from sklearn.neighbors import KNeighborsClassifier

    pipe = Pipeline([("sc", StandardScaler()), ("clf", SGDClassifier())])
    space = [{"clf": [SGDClassifier(tol=None)], "clf__alpha": loguniform(1e-6, 1e-1)},
             {"clf": [KNeighborsClassifier()], "clf__n_neighbors": [1, 3, 5]}]
    search = HyperbandSearchCV(pipe, space, resource="clf__max_iter", max_resources=9,
                               cv=3, random_state=0)
    X, y = load_iris(return_X_y=True)
    message = r"step 'clf' can be KNeighborsClassifier\(\), which has no parameter 'max_iter'"
    with pytest.raises(ValueError, match=message):
        search.schedule(X, y)
    with pytest.raises(ValueError, match=message):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_verbose_fit_lines_name_the_resource_and_show_failures_as_error_score(capsys):
    # One [CV] END line per fit, as GridSearchCV(verbose=3): the resource is
    # shown as the parameter it sets, a failed fit with error_score's value.
    search = HyperbandSearchCV(FailsOnSmallBudgets(), {"c": Real(0.0, 1.0)},
                               resource="n_iter", max_resources=9, cv=3, verbose=3,
                               error_score=-1.0, random_state=0)
    with pytest.warns(UserWarning):
        search.fit(XI, YI)
    lines = [line for line in capsys.readouterr().out.splitlines() if " END " in line]
    assert len(lines) == search.n_fold_fits_
    failed = [line for line in lines if "n_iter=1;" in line]
    assert failed and all(", score=-1.000 " in line for line in failed)
    assert all(re.match(r"\[CV [123]/3\] END \.*c=[0-9.e-]+, n_iter=[139];, score=", line)
               for line in lines)
    assert sum("n_iter=9;, score=-1.000" in line for line in lines) == 0
