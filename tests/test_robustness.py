"""Tests of skhpo.robustness and skhpo._stats.

The statistical claims are checked on synthetic estimators whose score is a
known true mean plus seed noise (a function of ``random_state``) plus fold
noise (a function of the training fold), so the right answer is known.
"""

import re
import warnings
import zlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.neighbors import KNeighborsClassifier
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    LeaveOneGroupOut,
    HalvingGridSearchCV,
    KFold,
    RandomizedSearchCV,
    TimeSeriesSplit,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skhpo import _stats
from skhpo.robustness import (
    RobustnessDisplay,
    RobustnessReport,
    RobustnessWarning,
    check_robustness,
)

ALPHA = 0.05


# --------------------------------------------------------------------------
# synthetic estimators


class NoisyConfig(BaseEstimator):
    """Score = means[config] + seed noise(random_state) + fold noise(train fold).

    Column 0 of X holds the row ids, so the training fold is known. Both
    noises are deterministic functions of their inputs (and of ``noise_key``,
    which stands for "another dataset" in the repetitions).
    """

    def __init__(self, config=0, means=(0.0,), seed_sd=1.0, fold_sd=0.5,
                 noise_key=0, random_state=None):
        self.config = config
        self.means = means
        self.seed_sd = seed_sd
        self.fold_sd = fold_sd
        self.noise_key = noise_key
        self.random_state = random_state

    def fit(self, X, y=None):
        ids = np.sort(np.asarray(X)[:, 0].astype(np.int64))
        self.train_key_ = zlib.crc32(ids.tobytes())
        return self

    def score(self, X, y=None):
        rs = 0 if self.random_state is None else int(self.random_state)
        seed_z = np.random.default_rng([self.noise_key, self.config, rs, 1]).standard_normal()
        fold_z = np.random.default_rng(
            [self.noise_key, self.config, self.train_key_, 2]
        ).standard_normal()
        return self.means[self.config] + self.seed_sd * seed_z + self.fold_sd * fold_z


class Recorder(NoisyConfig):
    """Logs the random_state and training rows of every fit."""

    log = []

    def fit(self, X, y=None):
        Recorder.log.append(
            (self.config, self.random_state, tuple(np.asarray(X)[:, 0].astype(int)))
        )
        return super().fit(X, y)


def ids_data(n=60):
    X = np.column_stack([np.arange(n), np.zeros(n)]).astype(float)
    y = np.tile([0, 1], n // 2)
    return X, y


def synthetic_search(means, noise_key=0, seed_sd=1.0, fold_sd=0.5, cls=NoisyConfig,
                     cv=None, n=60):
    X, y = ids_data(n)
    est = cls(means=tuple(means), seed_sd=seed_sd, fold_sd=fold_sd,
              noise_key=noise_key, random_state=0)
    search = GridSearchCV(est, {"config": list(range(len(means)))},
                          cv=cv if cv is not None else KFold(5), refit=False)
    return search.fit(X, y), X, y


# --------------------------------------------------------------------------
# input validation


@pytest.fixture(scope="module")
def fitted():
    return synthetic_search([0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"top_k": 0}, r"top_k must be an int >= 1.*top_k=0"),
        ({"top_k": 1.5}, r"top_k must be an int >= 1"),
        ({"seeds": 1}, r"seeds must be at least 2.*seeds=1.*seeds=5"),
        ({"seeds": [3]}, r"at least 2 distinct ints.*\[3\]"),
        ({"seeds": [3, 3]}, r"at least 2 distinct ints"),
        ({"seeds": [1, "a"]}, r"seeds must be an int or a list of ints"),
        ({"vary": ("estimator", "data")}, r"vary must be a non-empty subset"),
        ({"vary": ()}, r"vary must be a non-empty subset"),
        ({"alpha": 1.5}, r"alpha must be in \(0, 1\)"),
        ({"rope": -1}, r"rope must be a number >= 0"),
        ({"rope": float("nan")}, r"rope must be a number >= 0, got rope=nan"),
    ],
)
def test_bad_input_raises_clear_error(fitted, kwargs, match):
    search, X, y = fitted
    with pytest.raises(ValueError, match=match):
        check_robustness(search, X, y, **kwargs)


def test_unfitted_search_raises():
    X, y = ids_data()
    search = GridSearchCV(NoisyConfig(), {"config": [0]})
    with pytest.raises(NotFittedError, match=r"no cv_results_.*search\.fit"):
        check_robustness(search, X, y)


# --------------------------------------------------------------------------
# plumbing


def test_both_seeds_are_applied_and_paired():
    Recorder.log = []
    search, X, y = synthetic_search([0.0, 0.1, 0.2], cls=Recorder)
    Recorder.log = []
    report = check_robustness(search, X, y, seeds=[11, 22, 33], top_k=3)
    log = Recorder.log
    assert len(log) == 3 * 3 * 5
    # The estimator seed is every seed, and only those.
    assert {rs for _, rs, _ in log} == {11, 22, 33}
    folds = {}
    for config, rs, train in log:
        folds.setdefault(rs, {}).setdefault(config, []).append(train)
    # Paired: every configuration sees the same folds under one seed ...
    for rs in folds:
        assert folds[rs][0] == folds[rs][1] == folds[rs][2]
    # ... and the CV shuffle changes with the seed, unlike the unshuffled
    # KFold of the original search.
    assert folds[11][0] != folds[22][0] != folds[33][0]
    original = [tuple(tr) for tr, _ in KFold(5).split(X)]
    assert folds[11][0] != original
    assert report.varied == ("estimator", "cv")
    assert not report.folds_shared
    # The search chose splits that do not shuffle: the note says the
    # re-scoring does (its original_score was measured on other splits).
    assert len(report.notes) == 1 and "KFold) did not shuffle" in report.notes[0]


def test_group_splitter_reshuffles_whole_groups():
    X, y = ids_data()
    groups = np.repeat(np.arange(6), 10)
    est = Recorder(means=(0.0, 0.1), random_state=0)
    search = GridSearchCV(est, {"config": [0, 1]}, cv=GroupKFold(3), refit=False)
    search.fit(X, y, groups=groups)
    Recorder.log = []
    report = check_robustness(search, X, y, seeds=[1, 2], groups=groups)
    trains = {rs: [tr for c, r, tr in Recorder.log if r == rs and c == 0]
              for rs in (1, 2)}
    assert trains[1] != trains[2]
    assert report.varied == ("estimator", "cv")
    # Each training set holds whole groups.
    for train in trains[1] + trains[2]:
        held = set(groups[list(train)])
        assert np.sum(np.isin(groups, list(held))) == len(train)


def test_a_splitter_without_random_state_only_varies_estimator_seed():
    X, y = ids_data()
    groups = np.repeat(np.arange(6), 10)
    est = Recorder(means=(0.0, 0.1), random_state=0)
    search = GridSearchCV(est, {"config": [0, 1]}, cv=LeaveOneGroupOut(), refit=False)
    search.fit(X, y, groups=groups)
    Recorder.log = []
    report = check_robustness(search, X, y, seeds=[1, 2], groups=groups)
    trains = {rs: [tr for c, r, tr in Recorder.log if r == rs and c == 0]
              for rs in (1, 2)}
    assert trains[1] == trains[2]
    assert report.varied == ("estimator",)
    assert report.folds_shared
    assert any("LeaveOneGroupOut" in note and "only the estimator seed" in note
               for note in report.notes)


def test_no_random_state_varies_only_cv():
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(make_pipeline(StandardScaler(), KNeighborsClassifier()),
                          {"kneighborsclassifier__n_neighbors": [1, 5]}, cv=KFold(3)).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, random_state=0)
    assert report.varied == ("cv",)
    assert any("No random_state" in note for note in report.notes)


@pytest.mark.parametrize(
    "cv, vary",
    [(TimeSeriesSplit(3), ("estimator", "cv")), (KFold(3), ("cv",))],
)
def test_seeds_that_cannot_change_anything_warn(cv, vary):
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 5]}, cv=cv).fit(X, y)
    if vary == ("cv",):
        search.cv = TimeSeriesSplit(3)
    with pytest.warns(RobustnessWarning, match="cannot change any score"):
        assert check_robustness(search, X, y, seeds=3, vary=vary) is None


@pytest.mark.parametrize("estimator, cv, vary, reason", [
    # Each side names its real reason: vary's choice, not "cannot".
    (KNeighborsClassifier(), KFold(3, shuffle=True, random_state=0), ("estimator",),
     "the estimator has no random_state to set and vary excludes 'cv'"),
    (DecisionTreeClassifier(random_state=0), TimeSeriesSplit(3), ("cv",),
     "vary excludes 'estimator' and the splitter TimeSeriesSplit"),
])
def test_the_no_change_warning_names_the_real_reasons(estimator, cv, vary, reason):
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(estimator, {"min_samples_leaf" if "Tree" in repr(estimator)
                                      else "n_neighbors": [1, 5]}, cv=cv).fit(X, y)
    with pytest.warns(RobustnessWarning, match=re.escape(reason)):
        assert check_robustness(search, X, y, seeds=3, vary=vary) is None


def test_a_used_up_generator_is_named_even_when_no_seed_could_act():
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 5]},
                          cv=KFold(3).split(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 CV splits.*got 0.*generator"):
        check_robustness(search, X, y, seeds=2)


def test_report_is_reproducible_and_independent_of_n_jobs():
    search, X, y = synthetic_search([0.0, 0.1, 0.2, 0.3])
    a = check_robustness(search, X, y, seeds=3, random_state=7, n_jobs=1)
    b = check_robustness(search, X, y, seeds=3, random_state=7, n_jobs=2)
    c = check_robustness(search, X, y, seeds=3, random_state=8)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.stability, b.stability)
    assert a.seeds == b.seeds != c.seeds


def test_report_contents():
    search, X, y = synthetic_search([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], seed_sd=0.1,
                                    fold_sd=0.05)
    report = check_robustness(search, X, y, seeds=4, top_k=4, random_state=0)
    assert isinstance(report, RobustnessReport)
    assert report.scores.shape == (4 * 4 * 5, 5)
    assert list(report.scores.columns) == ["config", "candidate", "seed", "split", "score"]
    s = report.summary
    assert list(s["params"]) == [{"config": c} for c in (5, 4, 3, 2)]
    assert list(s["original_rank"]) == [1, 2, 3, 4]
    np.testing.assert_allclose(s["optimism"], s["original_score"] - s["robust_mean"])
    assert (s["ci_low"] < s["robust_mean"]).all() and (s["robust_mean"] < s["ci_high"]).all()
    assert s.loc[0, "verdict"] == "robust_best"
    assert report.recommended_params == {"config": 5}
    assert "highest robust mean" in report.recommendation_rule
    assert set(report.stability.index) == {
        "kendall_w", "mean_kendall_tau", "top1_agreement", "top_k_overlap"}
    assert report.stability.loc["kendall_w", "value"] == pytest.approx(1.0)
    vc = report.variance_components
    assert vc["share"].sum() == pytest.approx(1.0)
    assert vc["share"].idxmax() == "config"
    assert "RobustnessReport" in repr(report)


def test_stability_counts_a_shared_first_place_and_the_searchs_own_ties():
    # max_depth=20 and None grow the same tree on iris: tied in the search and
    # on every seed. The seeds agree with the search, which stability said
    # they never did (top1_agreement 0, tau 0.82).
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(DecisionTreeClassifier(max_features=2, random_state=0),
                          {"max_depth": [20, None, 1]}, cv=5).fit(X, y)
    report = check_robustness(search, X, y, seeds=3, random_state=0)
    assert list(report.summary["original_rank"]) == [1, 1, 3]
    assert report.stability.loc["top1_agreement", "value"] == 1.0
    assert report.stability.loc["mean_kendall_tau", "value"] == pytest.approx(1.0)


# --------------------------------------------------------------------------
# works on scikit-learn's searches


def _tree_data():
    return load_iris(return_X_y=True)


def test_randomized_search_pipeline_nested_random_state():
    X, y = _tree_data()
    pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_features=1))
    search = RandomizedSearchCV(
        pipe, {"decisiontreeclassifier__max_depth": [1, 2, 3, None]}, n_iter=4,
        cv=3, random_state=0,
    ).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, top_k=2, random_state=0)
    assert len(report.summary) == 2
    assert "estimator" in report.varied


def test_a_searched_step_keeps_each_rows_nested_parameters():
    """Every row shares the step object of the grid: each re-score must use
    its own C, and the search's params must stay as they were."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("sc", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"clf": [LogisticRegression(random_state=0)], "clf__C": [1e-4, 1e-2, 1.0]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, top_k=3, vary=("cv",), random_state=0)
    by_c = dict(zip([p["clf__C"] for p in report.summary["params"]],
                    report.summary["robust_mean"]))
    assert by_c[1.0] > by_c[1e-2] + 0.02 and by_c[1e-2] > by_c[1e-4] + 0.02
    assert [p["clf"].C for p in search.cv_results_["params"]] == [1.0] * 3


def test_halving_uses_last_iteration_only():
    X, y = _tree_data()
    search = HalvingGridSearchCV(
        DecisionTreeClassifier(max_features=1, random_state=0),
        {"max_depth": [1, 2, 3, 4, None], "min_samples_leaf": [1, 5]},
        cv=3, random_state=0,
    ).fit(X, y)
    last = np.flatnonzero(search.cv_results_["iter"] == search.n_iterations_ - 1)
    report = check_robustness(search, X, y, seeds=2, top_k=10, random_state=0)
    assert set(report.summary["candidate"]) == set(last)
    assert report.summary["candidate"].iloc[0] == search.best_index_
    assert "full budget" in report.ranking_rule


@pytest.mark.parametrize("max_resources, comparable", [(90, False), ("auto", True)])
def test_a_subsampled_full_budget_has_no_optimism(max_resources, comparable):
    # Scored on 90 of 150 rows, re-scored on all 150: an "optimism" would
    # measure the extra data, not luck.
    from skhpo import HyperbandSearchCV

    X, y = _tree_data()
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0),
                               {"max_depth": [1, 2, 3, 4]}, resource="n_samples",
                               min_resources=30, max_resources=max_resources,
                               cv=KFold(3, shuffle=True, random_state=0),
                               random_state=0).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, vary=("cv",), random_state=0)
    assert np.isfinite(report.summary["original_score"]).all()
    assert np.isfinite(report.summary["optimism"]).all() == comparable
    assert any("at most 90 of the 150 rows" in n for n in report.notes) != comparable


def test_hyperband_uses_every_full_budget_row_winner_first():
    # Hyperband's ``iter`` is the rung within a bracket: the full-budget
    # rows of all brackets count, not the last rung of one bracket.
    from sklearn.model_selection import RepeatedStratifiedKFold
    from skhpo import HyperbandSearchCV, Integer

    X, y = _tree_data()
    search = HyperbandSearchCV(
        DecisionTreeClassifier(max_features=1, random_state=0),
        {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 30)},
        cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0),
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    full = np.flatnonzero(results["n_resources"] == 9)
    assert len(full) == 5  # one survivor per bracket plus bracket 0's three
    report = check_robustness(search, X, y, seeds=2, top_k=10, random_state=0)
    assert set(report.summary["candidate"]) == set(full)
    assert report.summary["candidate"].iloc[0] == search.best_index_
    assert report.recommended_params in [results["params"][i] for i in full]
    ranks = report.summary.set_index("candidate")["original_rank"]
    means = results["mean_test_score"]
    for i in full:
        assert ranks[i] == 1 + np.sum(means[full] > means[i])


class EasyFirstSplits(BaseEstimator):
    """Best at x = 0.3; splits 0 and 1 are easy, so partial means are high."""

    def __init__(self, x=0.0, random_state=None):
        self.x = x
        self.random_state = random_state

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        fold = int(X[0, 0])
        return -abs(self.x - 0.3) + (0.3 if fold < 2 else 0.0) + 0.001 * np.sin(
            7 * fold + 13 * self.x)


def pruned_search():
    from skhpo import BayesSearchCV, Real

    X = np.repeat(np.arange(5), 4).reshape(-1, 1).astype(float)
    search = BayesSearchCV(EasyFirstSplits(), {"x": Real(-3.0, 3.0)}, n_iter=25,
                           cv=KFold(5), pruning=True, random_state=0).fit(X)
    return search, X


def test_pruned_candidates_are_not_rescored():
    # A pruned candidate's mean covers its easy first splits only, and can
    # top the winner's: it is not a configuration to check.
    search, X = pruned_search()
    results = search.cv_results_
    pruned = np.asarray(results["pruned"])
    assert pruned[np.nanargmax(results["mean_test_score"])]  # the trap is set
    report = check_robustness(search, X, seeds=2, top_k=3, vary=("estimator",),
                              random_state=0)
    assert report.summary["candidate"].iloc[0] == search.best_index_
    assert not pruned[report.summary["candidate"]].any()
    assert report.summary["original_rank"].tolist() == [1, 2, 3]
    assert "among the candidates not pruned" in report.ranking_rule
    # With nothing pruned (pruning=False has the column too), nothing is said.
    search.cv_results_["pruned"] = np.zeros_like(pruned)
    report = check_robustness(search, X, seeds=2, top_k=3, vary=("estimator",),
                              random_state=0)
    assert "pruned" not in report.ranking_rule


def test_sample_weight_reaches_the_scorer_as_in_the_search():
    # Seed 0's shuffle is the search's own, so the search's split scores
    # must come back: only if the weights are routed as the search did.
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    X, y = load_iris(return_X_y=True)
    X, y = X[y < 2][:, :2], y[y < 2]
    weights = np.where(y == 0, 20.0, 1.0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(LogisticRegression(C=0.01), {"C": [0.001, 0.01]},
                          cv=cv).fit(X, y, sample_weight=weights)
    report = check_robustness(search, X, y, seeds=[0, 1], vary=("cv",), top_k=1,
                              sample_weight=weights)
    mine = report.scores.query("seed == 0").sort_values("split")["score"].to_numpy()
    theirs = [search.cv_results_[f"split{k}_test_score"][search.best_index_]
              for k in range(3)]
    np.testing.assert_allclose(mine, theirs)
    unweighted = check_robustness(search, X, y, seeds=[0, 1], vary=("cv",), top_k=1)
    version = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
    if version >= (1, 9):  # GridSearchCV weights its scorer since 1.9
        assert not np.allclose(
            unweighted.scores.query("seed == 0")["score"], mine)


@pytest.mark.parametrize("refit", ["f1_macro", "accuracy"])
def test_multimetric_uses_refit_metric(refit):
    X, y = _tree_data()
    search = GridSearchCV(
        DecisionTreeClassifier(max_features=1, random_state=0),
        {"max_depth": [1, 2, 3]}, scoring=["accuracy", "f1_macro"], refit=refit, cv=3,
    ).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, random_state=0)
    assert report.metric == refit
    assert report.summary["candidate"].iloc[0] == search.best_index_
    np.testing.assert_allclose(
        report.summary["original_score"],
        search.cv_results_[f"mean_test_{refit}"][report.summary["candidate"]],
    )
    other = check_robustness(search, X, y, seeds=2, random_state=0, scoring="accuracy")
    assert other.metric == "accuracy"


def test_callable_refit_puts_best_index_first():
    X, y = _tree_data()
    search = GridSearchCV(
        DecisionTreeClassifier(max_features=1, random_state=0),
        {"max_depth": [1, 2, 3]}, scoring=["accuracy", "f1_macro"],
        refit=lambda results: 0, cv=3,
    ).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, random_state=0)
    assert report.summary["candidate"].iloc[0] == 0
    assert "callable" in report.ranking_rule


def test_new_scorer_has_no_original_score():
    X, y = _tree_data()
    search = GridSearchCV(DecisionTreeClassifier(max_features=1, random_state=0),
                          {"max_depth": [1, 3]}, cv=3).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, scoring="balanced_accuracy",
                              random_state=0)
    assert report.summary["original_score"].isna().all()
    assert report.metric == "balanced_accuracy"
    # A scorer object is named by its repr, which says what it measures.
    from sklearn.metrics import f1_score, make_scorer

    report = check_robustness(search, X, y, seeds=2, random_state=0,
                              scoring=make_scorer(f1_score, average="macro"))
    assert report.metric.startswith("make_scorer(f1_score")
    assert "average=macro" in report.metric


def test_skhpo_bayes_search_if_available():
    skhpo = pytest.importorskip("skhpo")
    if not hasattr(skhpo, "BayesSearchCV"):
        pytest.skip("skhpo.BayesSearchCV is not available yet")
    X, y = _tree_data()
    search = skhpo.BayesSearchCV(
        DecisionTreeClassifier(max_features=1, random_state=0),
        {"max_depth": skhpo.Integer(1, 6)}, n_iter=6, cv=3, random_state=0,
    ).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, top_k=3, random_state=0)
    assert len(report.summary) == 3


# --------------------------------------------------------------------------
# statistics: calibration on simulated scores (fast, no fitting)


def simulate(rng, means, n_seeds, n_splits, seed_sd, fold_sd, shared=False):
    means = np.asarray(means, dtype=float)
    seed = rng.standard_normal((means.size, n_seeds, 1)) * seed_sd
    fold = rng.standard_normal((means.size, 1 if shared else n_seeds, n_splits)) * fold_sd
    return means[:, None, None] + seed + fold


def naive_any_significant(x, best, alpha):
    """Uncorrected paired t-test of the best against each other config."""
    d = (x[best] - np.delete(x, best, axis=0)).reshape(x.shape[0] - 1, -1)
    n = d.shape[1]
    t = d.mean(axis=1) / (d.std(axis=1, ddof=1) / np.sqrt(n))
    return bool(np.any(stats.t.sf(t, n - 1) < alpha))


@pytest.mark.parametrize("shared", [False, True])
def test_equal_means_false_positive_rate_at_most_alpha(shared):
    rng = np.random.default_rng(0)
    n_rep, ours, naive = 300, 0, 0
    for _ in range(n_rep):
        x = simulate(rng, [0.0] * 5, 5, 5, seed_sd=1.0, fold_sd=0.5, shared=shared)
        cols, best = _stats.compare_configs(
            x, np.zeros(5), 0, test_train_ratio=0.25, folds_shared=shared,
            alpha=ALPHA, rope=0.01)
        ours += bool(cols["significantly_worse"].any())
        naive += naive_any_significant(x, best, ALPHA)
    assert ours / n_rep <= ALPHA
    # The naive paired t-test over the seed x split scores ignores that a seed
    # moves all its splits together, the overlap of training sets and the
    # choice of the best from the same scores: it is far above alpha.
    assert naive / n_rep > 4 * ALPHA


def test_clear_gap_recommends_true_best():
    rng = np.random.default_rng(1)
    means = [0.0, -3.0, -3.0, -3.0, -3.0]  # a gap of 3 seed sd
    hits = 0
    for _ in range(300):
        x = simulate(rng, means, 5, 5, seed_sd=1.0, fold_sd=0.5)
        _, best = _stats.compare_configs(
            x, np.zeros(5), 0, test_train_ratio=0.25, folds_shared=False,
            alpha=ALPHA, rope=0.01)
        hits += best == 0
    assert hits / 300 >= 0.95


def test_lucky_winner_is_caught_with_ten_seeds():
    rng = np.random.default_rng(2)
    means = np.array([0.0, -1.0, -1.0, -1.0, -1.0])  # true best: config 0
    lucky = switched = verdict_ok = 0
    while lucky < 200:
        # The original search: one seed, fixed folds.
        original = simulate(rng, means, 1, 5, seed_sd=1.0, fold_sd=0.5).mean(axis=(1, 2))
        winner = int(np.argmax(original))
        if winner == 0:
            continue
        lucky += 1
        order = np.argsort(-original, kind="stable")  # the report's config order
        x = simulate(rng, means[order], 10, 5, seed_sd=1.0, fold_sd=0.5)
        cols, best = _stats.compare_configs(
            x, original[order], 0, test_train_ratio=0.25, folds_shared=False,
            alpha=ALPHA, rope=0.01)
        switched += order[best] == 0
        verdict_ok += cols["verdict"][0] == "lucky"
    assert switched / lucky >= 0.8
    assert verdict_ok / lucky >= 0.8


# --------------------------------------------------------------------------
# the same claims end to end through check_robustness (fewer repetitions)


def test_end_to_end_lucky_winner_and_gap():
    means = (0.0, -1.0, -1.0, -1.0)
    lucky = switched = verdict_ok = 0
    for key in range(30):
        search, X, y = synthetic_search(means, noise_key=key)
        if search.cv_results_["rank_test_score"][0] == 1:
            continue
        lucky += 1
        report = check_robustness(search, X, y, seeds=10, top_k=4, random_state=key)
        switched += report.recommended_params == {"config": 0}
        winner_verdict = report.summary.loc[0, "verdict"]
        verdict_ok += winner_verdict == "lucky"
    assert lucky >= 10
    assert switched / lucky >= 0.8
    assert verdict_ok / lucky >= 0.8


def test_end_to_end_equal_means_no_significance():
    flagged = 0
    for key in range(12):
        search, X, y = synthetic_search((0.0,) * 4, noise_key=key)
        report = check_robustness(search, X, y, seeds=5, top_k=4, random_state=key)
        flagged += bool(report.summary["significantly_worse"].any())
        assert set(report.summary["verdict"]) <= {"robust_best", "lucky", "tie"}
    assert flagged / 12 <= ALPHA


# --------------------------------------------------------------------------
# statistics: unit tests


def test_holm_matches_hand_computation():
    p = np.array([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(_stats.holm(p)[:3], [0.03, 0.06, 0.06])
    assert np.isnan(_stats.holm(p)[3])


def test_kendall_w_extremes():
    agree = np.tile(np.arange(1, 5)[:, None], (1, 3)).astype(float)
    assert _stats.kendall_w(agree) == pytest.approx(1.0)
    opposite = np.column_stack([np.arange(1, 5), np.arange(4, 0, -1)]).astype(float)
    assert _stats.kendall_w(opposite) == pytest.approx(0.0)


def test_bayes_probabilities_sum_to_one_and_follow_the_sign():
    rng = np.random.default_rng(0)
    d = 0.5 + 0.1 * rng.standard_normal((5, 5))
    better, equiv, worse = _stats.bayes_correlated_t(d, 0.25, False, rope=0.01)
    assert better + equiv + worse == pytest.approx(1.0)
    assert better > 0.99
    zero = np.zeros((3, 3))
    assert _stats.bayes_correlated_t(zero, 0.25, False, rope=0.01) == (0.0, 1.0, 0.0)


def test_variance_components_recover_known_shares():
    rng = np.random.default_rng(0)
    means = np.linspace(-3.0, 3.0, 40)
    x = simulate(rng, means, 20, 10, seed_sd=1.0, fold_sd=0.5)
    comps = _stats.variance_components(x)
    assert comps["config"] == pytest.approx(np.var(means, ddof=1), rel=0.1)
    assert comps["seed"] == pytest.approx(1.0, rel=0.15)
    assert comps["split"] == pytest.approx(0.25, rel=0.1)


def test_wilson_interval_contains_estimate():
    low, high = _stats.wilson_interval(3, 10, 0.05)
    assert 0 < low < 0.3 < high < 1


# --------------------------------------------------------------------------
# plots


@pytest.mark.parametrize("kind", ["strip", "heatmap"])
def test_display(kind):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    search, X, y = synthetic_search([0.0, 0.1, 0.2])
    report = check_robustness(search, X, y, seeds=3, random_state=0)
    disp = report.plot(kind=kind)
    assert isinstance(disp, RobustnessDisplay)
    assert disp.figure_ is disp.ax_.figure
    assert len(disp.ax_.get_yticklabels()) == 3
    # Its own figure keeps the long configuration labels and the legend below
    # the Axes on the canvas.
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t.get_window_extent(renderer) for t in disp.ax_.get_yticklabels()]
    assert min(b.x0 for b in labels) >= 0
    if kind == "strip":
        assert disp.ax_.get_legend().get_window_extent(renderer).y0 >= 0
    fig.tight_layout()  # a user's call still works (no layout engine is left set)
    _, ax = plt.subplots()
    disp2 = RobustnessDisplay.from_report(report, kind=kind, ax=ax)
    assert disp2.ax_ is ax
    plt.close("all")


def test_display_bad_kind():
    pytest.importorskip("matplotlib")
    disp = RobustnessDisplay(np.zeros((2, 2)), np.zeros(2), ["a", "b"], [0, 1], "m")
    with pytest.raises(ValueError, match="kind must be"):
        disp.plot(kind="violin")


def test_single_configuration_and_same_scoring_string():
    X, y = _tree_data()
    search = GridSearchCV(DecisionTreeClassifier(max_features=1, random_state=0),
                          {"max_depth": [2]}, scoring="accuracy", cv=3).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, scoring="accuracy",
                              vary="estimator", random_state=0)
    assert len(report.summary) == 1
    assert report.summary.loc[0, "verdict"] == "robust_best"
    # The search's own scoring string keeps the original scores.
    assert report.summary["original_score"].notna().all()
    assert report.varied == ("estimator",)
    assert report.folds_shared


# --------------------------------------------------------------------------
# awkward searches and failures (audit of 2026-11-28)


def test_a_callable_scorer_returning_a_dict_is_rescored_on_the_refit_metric():
    from sklearn.metrics import accuracy_score, f1_score

    def two_metrics(est, X, y):
        p = est.predict(X)
        return {"acc": accuracy_score(y, p), "f1": f1_score(y, p)}

    X, y = make_classification(n_samples=120, random_state=0)
    search = GridSearchCV(DecisionTreeClassifier(max_features=2, random_state=0),
                          {"max_depth": [1, 3]}, cv=3, scoring=two_metrics,
                          refit="f1").fit(X, y)
    report = check_robustness(search, X, y, seeds=2, random_state=0)
    assert report.metric == "f1"
    np.testing.assert_allclose(report.summary["original_score"],
                               np.sort(search.cv_results_["mean_test_f1"])[::-1])


def test_a_used_up_generator_of_splits_is_a_clear_error():
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                          cv=KFold(3).split(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 CV splits.*got 0.*generator"):
        check_robustness(search, X, y, seeds=2)


def test_scoring_must_be_one_metric():
    search, X, y = synthetic_search([0.0, 0.0])
    with pytest.raises(ValueError, match="scoring must be None.*one metric.*accuracy"):
        check_robustness(search, X, y, scoring=["accuracy", "f1"])


def test_a_fitted_estimator_that_is_not_a_search_is_a_type_error():
    X, y = make_classification(n_samples=40, random_state=0)
    with pytest.raises(TypeError, match="needs a scikit-learn search.*DecisionTree"):
        check_robustness(DecisionTreeClassifier().fit(X, y), X, y)


def test_results_without_their_search_are_refused_with_the_fix():
    # A cv_results_ dict had been told to "call search.fit(X, y) first".
    search, X, y = synthetic_search([0.0, 0.0])
    with pytest.raises(TypeError, match=r"needs the fitted search itself, which it refits "
                                        r"with its estimator and cv, not its cv_results_.*"
                                        r"got a dict"):
        check_robustness(search.cv_results_, X, y)


class Fragile(NoisyConfig):
    """Fails to fit for odd seeds when config is 1."""

    def fit(self, X, y=None):
        if self.config == 1 and (self.random_state or 0) % 2:
            raise RuntimeError("diverged")
        return super().fit(X, y)


def test_failed_refits_warn_with_the_error_and_are_verdict_failed():
    search, X, y = synthetic_search([0.0, 0.5, -1.0], cls=Fragile)
    with pytest.warns(RobustnessWarning, match=r"fits failed and score NaN.*RuntimeError: diverged"):
        report = check_robustness(search, X, y, seeds=[1, 2, 4], random_state=0)
    verdicts = dict(zip(report.summary["params"].map(lambda p: p["config"]),
                        report.summary["verdict"]))
    assert verdicts[1] == "failed"
    assert verdicts[0] == "robust_best"
    # The failing configuration is left out of the variance components (it
    # made them all NaN), and a note says so.
    from skhpo._stats import variance_components

    kept = report.scores[report.scores.candidate != report.summary.candidate[
        report.summary.verdict == "failed"].iloc[0]]
    cube = kept.sort_values(["config", "seed", "split"])["score"].to_numpy().reshape(2, 3, -1)
    expected = variance_components(cube)
    assert np.isfinite(report.variance_components["variance"]).all()
    np.testing.assert_allclose(report.variance_components["variance"],
                               [expected[k] for k in ("config", "seed", "split")])
    assert any("leaves out the 1 configuration(s) with a failed fit" in note
               for note in report.notes)


def test_a_numeric_error_score_does_not_hide_a_failed_refit():
    # GridSearchCV(error_score=0.0) stands in 0 for a failure; here a
    # configuration that fails under some seed is still "failed".
    search, X, y = synthetic_search([0.0, 0.5, -1.0], cls=Fragile)
    search.error_score = 0.0
    with pytest.warns(RobustnessWarning, match=r"fits failed and score NaN"):
        report = check_robustness(search, X, y, seeds=[1, 2, 4], random_state=0)
    verdicts = dict(zip(report.summary["params"].map(lambda p: p["config"]),
                        report.summary["verdict"]))
    assert verdicts[1] == "failed"
    assert report.scores.query("candidate == 1 and seed == 1")["score"].isna().all()


def test_a_rival_beats_the_winner_on_the_seeds_where_the_winner_failed():
    # The original winner (config 1) fails on seeds 1 and 3: config 0 scores
    # there, so it beats the winner on 2 of 3 seeds, as win_rate counts.
    search, X, y = synthetic_search([0.0, 5.0, -1.0], cls=Fragile, seed_sd=0.1)
    with pytest.warns(RobustnessWarning, match="fits failed"):
        report = check_robustness(search, X, y, seeds=[1, 2, 3], random_state=0)
    summary = report.summary.set_index(report.summary["params"].map(lambda p: p["config"]))
    assert summary.loc[1, "original_rank"] == 1
    assert summary.loc[0, "p_beat_winner"] == pytest.approx(2 / 3)
    assert summary.loc[2, "p_beat_winner"] == pytest.approx(2 / 3)
    assert summary.loc[0, "win_rate"] == pytest.approx(2 / 3)


def test_every_refit_failing_is_an_error_naming_it():
    search, X, y = synthetic_search([0.0, 0.5], cls=Fragile)
    search.cv_results_["params"] = [{"config": 1}, {"config": 1}]
    with pytest.raises(ValueError, match="None of the .* fits gave a finite score.*diverged"):
        check_robustness(search, X, y, seeds=[1, 3], vary=("estimator",))


def test_seeds_that_changed_nothing_warn_after_the_fact():
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=80, random_state=0)
    search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]},
                          cv=TimeSeriesSplit(3)).fit(X, y)
    with pytest.warns(RobustnessWarning, match="Every seed gave exactly the same scores"):
        report = check_robustness(search, X, y, seeds=3, random_state=0)
    assert (report.summary["seed_sd"] == 0).all()


def test_a_metric_without_sample_weight_is_rescored_unweighted_as_in_the_search():
    from sklearn.metrics import make_scorer

    def mine(y_true, y_pred):  # takes no sample_weight
        return float(np.mean(y_true == y_pred))

    X, y = make_classification(n_samples=90, random_state=0)
    w = np.random.RandomState(1).randint(1, 10, size=90).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                              cv=KFold(3), scoring={"acc": "accuracy", "mine": make_scorer(mine)},
                              refit="mine").fit(X, y, sample_weight=w)
        report = check_robustness(search, X, y, seeds=2, vary=("cv",), random_state=0,
                                  sample_weight=w)
    assert report.metric == "mine"
    assert np.isfinite(report.summary["robust_mean"]).all()


def test_the_better_of_two_configurations_gets_a_two_sided_p_value():
    # Picking the better of two from the scores and testing it one-sided is a
    # two-sided test: its p-value doubles (without that, equal configurations
    # were called different in 10% of simulations at alpha = 5%).
    rng = np.random.default_rng(0)
    x = simulate(rng, [1.0, 0.7], 10, 5, seed_sd=0.3, fold_sd=0.3)
    cols, best = _stats.compare_configs(x, np.zeros(2), 0, test_train_ratio=0.25,
                                        folds_shared=False, alpha=ALPHA, rope=0.0)
    assert best == 0 and cols["p_holm"][best] == 1.0
    assert 0 < cols["p_vs_best"][1] < 0.5
    assert cols["p_holm"][1] == pytest.approx(2 * cols["p_vs_best"][1])


def test_a_candidate_that_failed_under_a_numeric_error_score_is_not_rescored():
    # error_score=1.0 gives the failed candidate the best mean accuracy;
    # skhpo's n_failed_splits tells it apart, so it is not a top configuration.
    from sklearn.linear_model import LogisticRegression

    from skhpo import BayesSearchCV

    class FailsAboveTen(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            if self.C > 10:
                raise ValueError("C too large")
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(FailsAboveTen(max_iter=300), {"C": [0.1, 1.0, 100.0]},
                           n_iter=3, cv=KFold(3, shuffle=True, random_state=0),
                           error_score=1.0, random_state=0, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    failed = [p["C"] for p, n in zip(search.cv_results_["params"],
                                     search.cv_results_["n_failed_splits"]) if n]
    assert failed == [100.0]
    report = check_robustness(search, X, y, seeds=2, top_k=2, random_state=0)
    assert sorted(p["C"] for p in report.summary["params"]) == [0.1, 1.0]
    assert "no failed split" in report.ranking_rule


class CountingTree(DecisionTreeClassifier):
    fits = 0

    # fit's full signature: scikit-learn 1.6 builds the metadata requests of
    # a subclass from its parent's fit and refuses one that drops check_input.
    def fit(self, X, y, sample_weight=None, check_input=True):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_data_with_other_columns_than_the_search_s_is_refused_before_any_fit():
    # It had been re-scored on whatever X came, giving nonsense verdicts.
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    search = GridSearchCV(CountingTree(random_state=0), {"max_depth": [1, 3]},
                          cv=KFold(3, shuffle=True, random_state=0)).fit(X, y)
    CountingTree.fits = 0
    with pytest.raises(ValueError, match=r"X has 2 features, but the search was fitted "
                                         r"on 4\. Pass the data the search was fitted on"):
        check_robustness(search, X[:, :2], y, seeds=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    search.fit(frame, y)
    CountingTree.fits = 0
    with pytest.raises(ValueError, match=r"X's columns \['b', 'a', 'c', 'd'\] differ from "
                                         r"those the search was fitted on, \['a', 'b'"):
        check_robustness(search, frame[["b", "a", "c", "d"]], y, seeds=2)
    assert CountingTree.fits == 0


def test_a_random_state_the_search_tuned_is_kept_by_each_configuration():
    # Seeding had overwritten it: every configuration became the same model
    # and the winner of a search over seeds alone was called robust.
    X, y = ids_data()
    search = GridSearchCV(Recorder(means=(0.0,), random_state=0),
                          {"random_state": [5, 6, 7]}, cv=KFold(3), refit=False).fit(X, y)
    Recorder.log = []
    report = check_robustness(search, X, y, seeds=[1, 2], top_k=3)
    assert sorted({rs for _, rs, _ in Recorder.log}) == [5, 6, 7]
    assert report.varied == ("cv",)
    assert any("The search tuned ['random_state']" in note for note in report.notes)
    assert report.summary["robust_mean"].nunique() == 3


def test_a_scorer_that_takes_no_sample_weight_is_not_given_one():
    # The weights routed for the search's scorer had reached every scorer, so
    # a custom one failed every fit; GridSearchCV leaves them out.
    from sklearn.metrics import accuracy_score, make_scorer

    def plain_accuracy(y_true, y_pred):
        return accuracy_score(y_true, y_pred)

    X, y = make_classification(n_samples=90, random_state=0)
    weights = np.linspace(0.5, 1.5, 90)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                          cv=KFold(3, shuffle=True, random_state=0)).fit(
        X, y, sample_weight=weights)
    report = check_robustness(search, X, y, seeds=2, random_state=0,
                              scoring=make_scorer(plain_accuracy), sample_weight=weights)
    assert np.isfinite(report.summary["robust_mean"]).all()


def test_seeds_outside_a_random_state_s_range_are_refused():
    search, X, y = synthetic_search([0.0, 0.1])
    with pytest.raises(ValueError, match=r"seeds must lie in \[0, 2\*\*32\).*\[-1, 2, 3\]"):
        check_robustness(search, X, y, seeds=[-1, 2, 3])


def test_a_single_qualifying_candidate_is_said_to_have_no_rival():
    search, X, y = synthetic_search([0.0])
    report = check_robustness(search, X, y, seeds=2, random_state=0)
    assert len(report.summary) == 1
    assert any("Only one candidate qualifies" in note for note in report.notes)


def test_a_time_series_search_is_not_told_to_shuffle():
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 5]},
                          cv=TimeSeriesSplit(3)).fit(X, y)
    with pytest.warns(RobustnessWarning, match="cannot change any score") as record:
        assert check_robustness(search, X, y, seeds=2) is None
    message = str(record[0].message)
    assert "shuffles" not in message and "an estimator with a random_state" in message


def test_the_search_s_own_callable_scorer_keeps_the_original_scores():
    from sklearn.metrics import accuracy_score, make_scorer

    scorer = make_scorer(accuracy_score)
    X, y = make_classification(n_samples=90, random_state=0)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 3]},
                          cv=KFold(3, shuffle=True, random_state=0), scoring=scorer).fit(X, y)
    report = check_robustness(search, X, y, seeds=2, random_state=0, scoring=scorer)
    assert np.isfinite(report.summary["original_score"]).all()


def test_inputs_the_winner_cannot_fit_on_stop_the_check_at_the_first_fit():
    # y forgotten: every fit failed, and the error came after all of them.
    X, y = make_classification(n_samples=60, random_state=0)
    search = GridSearchCV(CountingTree(random_state=0), {"max_depth": [1, 3]},
                          cv=KFold(3, shuffle=True, random_state=0)).fit(X, y)
    CountingTree.fits = 0
    with pytest.raises(ValueError, match=r"The search's best configuration fails here, "
                                         r"on the search's first split, with its own "
                                         r"random_state, though the search fitted it: .*Check the X, y"):
        check_robustness(search, X, None, seeds=3, random_state=0)
    assert CountingTree.fits == 2  # under the first seed, then under its own
    # A failure under a new seed only is what the check reports, not an error:
    # see test_a_rival_beats_the_winner_on_the_seeds_where_the_winner_failed.

