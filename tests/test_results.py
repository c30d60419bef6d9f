"""Tests of skhpo.results: DataFrame views, JSON export and reload."""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from pandas.testing import assert_frame_equal
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
    RepeatedStratifiedKFold,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skhpo import BayesSearchCV, HyperbandSearchCV
from skhpo.results import (
    ResultsFormatError,
    SearchResults,
    StoredValue,
    data_fingerprint,
    load_results,
    results_frame,
    save_results,
)

X, y = load_iris(return_X_y=True)


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails to fit when ``fail`` is True; otherwise predicts the majority class."""

    def __init__(self, fail=False, alpha=1.0):
        self.fail = fail
        self.alpha = alpha

    def fit(self, X, y):
        if self.fail:
            raise ValueError("deliberate failure")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def _pipeline_grid():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = [
        {"clf": [LogisticRegression(max_iter=200)], "clf__C": [0.1, 1.0]},
        {"clf": [KNeighborsClassifier()], "clf__n_neighbors": [3, 7]},
    ]
    return GridSearchCV(pipe, grid, cv=3)


def _randomized():
    return RandomizedSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 6), "min_impurity_decrease": loguniform(1e-4, 1e-1),
         "criterion": ["gini", "entropy"]},
        n_iter=5, cv=3, random_state=0,
    )


def _multimetric():
    return GridSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
        scoring={"acc": "accuracy", "f1": "f1_macro"}, refit="f1", cv=3,
        return_train_score=True,
    )


def _failing():
    return GridSearchCV(FailingClassifier(), {"fail": [False, True], "alpha": [1.0, 2.0]},
                        cv=3, error_score=np.nan)


def _halving():
    return HalvingRandomSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 5), "criterion": ["gini", "entropy"]},
        cv=3, factor=3, random_state=0,
    )


SEARCHES = {"pipeline_grid": _pipeline_grid, "randomized": _randomized,
            "multimetric": _multimetric, "failing": _failing, "halving": _halving}


@pytest.fixture(scope="module")
def fitted():
    out = {}
    with warnings.catch_warnings():
        # The failing search warns that some fits failed; that is its point.
        warnings.simplefilter("ignore")
        for name, make in SEARCHES.items():
            out[name] = make().fit(X, y)
    return out


def _comparable_params(frame):
    """The ``params`` column by repr of each value, numpy scalars as Python."""
    def one(params):
        return {k: repr(v.item() if isinstance(v, np.generic) else v)
                for k, v in params.items()}
    return [one(p) for p in frame["params"]]


# --------------------------------------------------------------------------
# Round trip: the judged property
# --------------------------------------------------------------------------


def test_round_trip_keeps_numeric_param_dtypes(tmp_path):
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"min_samples_leaf": [np.int32(1), np.int32(5)],
                           "ccp_alpha": [np.float32(0.0), np.float32(0.01)]}, cv=3).fit(X, y)
    save_results(search, tmp_path / "r.json")
    loaded = load_results(tmp_path / "r.json").cv_results_
    for key in ("param_min_samples_leaf", "param_ccp_alpha"):
        assert loaded[key].dtype == search.cv_results_[key].dtype
        np.testing.assert_array_equal(loaded[key], search.cv_results_[key])


@pytest.mark.parametrize("name", list(SEARCHES))
def test_round_trip_frames_equal(fitted, name, tmp_path):
    search = fitted[name]
    path = tmp_path / "results.json"
    save_results(search, path, X=X, y=y)
    loaded = load_results(path)

    # `params` holds live objects on one side and StoredValue placeholders on
    # the other: compare it by repr, everything else value for value.
    wide, wide_loaded = results_frame(search), results_frame(loaded)
    assert_frame_equal(wide.drop(columns="params"), wide_loaded.drop(columns="params"))
    assert _comparable_params(wide) == _comparable_params(wide_loaded)

    assert_frame_equal(results_frame(search, splits=True).drop(columns="params"),
                       results_frame(loaded, splits=True).drop(columns="params"))
    assert_frame_equal(results_frame(search, kind="long"),
                       results_frame(loaded, kind="long"))

    # The cv_results_ keys and dtypes are rebuilt as they were.
    assert list(loaded.cv_results_) == list(search.cv_results_)
    for key, value in search.cv_results_.items():
        if key != "params":
            assert loaded.cv_results_[key].dtype == value.dtype, key
            assert type(loaded.cv_results_[key]) is type(value), key
    assert loaded.best_index_ == search.best_index_
    assert loaded.best_score_ == search.best_score_
    assert {k: repr(v) for k, v in loaded.best_params_.items()} == \
        {k: repr(v.item() if isinstance(v, np.generic) else v)
         for k, v in search.best_params_.items()}


def test_round_trip_twice_is_stable(fitted, tmp_path):
    """A loaded SearchResults can be saved again and loads the same."""
    search = fitted["pipeline_grid"]
    save_results(search, tmp_path / "a.json")
    first = load_results(tmp_path / "a.json")
    save_results(first, tmp_path / "b.json")
    second = load_results(tmp_path / "b.json")
    assert_frame_equal(results_frame(first), results_frame(second))
    assert second.metadata["search"] == first.metadata["search"]


def test_bayes_search_round_trip(tmp_path):
    skhpo = pytest.importorskip("skhpo")
    BayesSearchCV = getattr(skhpo, "BayesSearchCV", None)
    if BayesSearchCV is None:
        pytest.skip("BayesSearchCV is not available yet")
    from skhpo import Categorical, Real

    search = BayesSearchCV(
        LogisticRegression(max_iter=200),
        {"C": Real(1e-2, 1e2, prior="log-uniform"),
         "fit_intercept": Categorical([True, False])},
        n_iter=3, n_initial_points=3, cv=3, random_state=0,
    ).fit(X, y)
    save_results(search, tmp_path / "bayes.json", X=X, y=y)
    loaded = load_results(tmp_path / "bayes.json")
    assert_frame_equal(results_frame(search).drop(columns="params"),
                       results_frame(loaded).drop(columns="params"))
    assert_frame_equal(results_frame(search, kind="long"),
                       results_frame(loaded, kind="long"))
    dims = loaded.metadata["search_space"]["subspaces"][0]["dimensions"]
    assert dims["C"] == "Real(low=0.01, high=100.0, prior='log-uniform', name='C')"
    assert loaded.metadata["random_state"] == 0


def test_loaded_results_with_estimator_values_warm_start_a_search(tmp_path):
    # The saved pipeline steps come back as StoredValue placeholders; they
    # still name categories of the same space.
    from sklearn.svm import SVC

    from skhpo import BayesSearchCV, Real

    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = {"clf": [LogisticRegression(max_iter=300), SVC()], "clf__C": Real(0.1, 10.0)}
    first = BayesSearchCV(pipe, space, n_iter=5, n_initial_points=3, cv=3,
                          random_state=0).fit(X, y)
    save_results(first, tmp_path / "first.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "outside the search space" warning
        second = BayesSearchCV(pipe, space, n_iter=3, n_initial_points=3, cv=3,
                               random_state=1,
                               warm_start=load_results(tmp_path / "first.json")).fit(X, y)
    result = second.optimizer_results_[0]
    assert len(result.x_iters) == 5 + 3
    assert second.n_fold_fits_ == 3 * 3  # the earlier candidates are not refitted
    # skopt's view holds the space's own estimators, not the placeholders
    # (res.x of a best earlier candidate was a StoredValue).
    names = result.space.names
    assert all(x[names.index("clf")] is space["clf"][0] or x[names.index("clf")]
               is space["clf"][1] for x in result.x_iters)


# --------------------------------------------------------------------------
# The wide frame
# --------------------------------------------------------------------------


def test_wide_frame_columns_dtypes_and_order(fitted):
    search = fitted["pipeline_grid"]
    frame = results_frame(search)
    assert list(frame.columns) == [
        "clf", "clf__C", "clf__n_neighbors", "params", "mean_test_score",
        "std_test_score", "rank_test_score", "mean_fit_time", "std_fit_time",
        "mean_score_time", "std_score_time", "status",
    ]
    # Estimators are shown by class name; the object itself stays in params.
    assert set(frame["clf"]) == {"LogisticRegression", "KNeighborsClassifier"}
    assert all(isinstance(p["clf"], BaseEstimator) for p in frame["params"])
    # A parameter absent from a candidate (list-of-dicts space) is NaN.
    assert frame["clf__C"].dtype == np.float64
    knn = frame["clf"] == "KNeighborsClassifier"
    assert frame.loc[knn, "clf__C"].isna().all()
    assert frame.loc[~knn, "clf__n_neighbors"].isna().all()
    assert sorted(frame.loc[knn, "clf__n_neighbors"]) == [3.0, 7.0]
    assert frame["rank_test_score"].dtype == np.int64
    assert frame["status"].dtype == "category"
    # Sorted by rank, indexed by the candidate's position in cv_results_.
    assert frame["rank_test_score"].is_monotonic_increasing
    assert frame.index.name == "candidate"
    np.testing.assert_array_equal(
        frame.sort_index()["mean_test_score"], search.cv_results_["mean_test_score"])


def test_wide_frame_plain_values_from_random_search(fitted):
    search = fitted["randomized"]
    frame = results_frame(search)
    assert frame["max_depth"].dtype == np.int64
    assert frame["min_impurity_decrease"].dtype == np.float64
    assert set(frame["criterion"]) <= {"gini", "entropy"}
    expected = [p["max_depth"] for p in search.cv_results_["params"]]
    assert frame.sort_index()["max_depth"].tolist() == expected


def test_none_is_a_setting_shown_as_none_not_nan():
    # max_depth=None means "no limit": the frame shows it, and the other
    # values stay the ints set_params accepts (a float 5.0 is refused).
    from sklearn.model_selection import GridSearchCV

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_depth": [None, 2, 5]}, cv=3).fit(X, y)
    column = results_frame(search).sort_index()["max_depth"]
    assert column.tolist() == [None, 2, 5]
    assert [type(v) for v in column[1:]] == [int, int]
    assert column.tolist() == pd.DataFrame(search.cv_results_)["param_max_depth"].tolist()


@pytest.mark.parametrize("search_class", [BayesSearchCV, HyperbandSearchCV])
def test_skhpo_marks_failures_hidden_by_a_numeric_error_score(search_class, tmp_path):
    # error_score=0 makes a failed fit look like a (bad) score; skhpo's
    # results still count the failed splits, so the status says "failed".
    space = {"fail": [False, True], "alpha": [1.0, 2.0]}
    kwargs = ({"n_iter": 4} if search_class is BayesSearchCV
              else {"cv": RepeatedStratifiedKFold(n_splits=3, n_repeats=3,
                                                  random_state=0)})
    search = search_class(FailingClassifier(), space, error_score=0.0,
                          random_state=0, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the FitFailedWarning, and Hyperband's small space
        search.fit(X, y)
    results = search.cv_results_
    fails = np.array([p["fail"] for p in results["params"]])
    scored = np.isfinite(np.column_stack(
        [results[f"split{i}_test_score"] for i in range(search.n_splits_)])).sum(axis=1)
    assert fails.any() and (~fails).any()
    assert results["n_failed_splits"].tolist() == np.where(fails, scored, 0).tolist()
    assert (results["mean_test_score"][fails] == 0.0).all()
    frame = results_frame(search).sort_index()
    assert frame["status"].tolist() == ["failed" if f else "completed" for f in fails]
    save_results(search, tmp_path / "r.json")
    loaded = results_frame(load_results(tmp_path / "r.json")).sort_index()
    assert loaded["status"].tolist() == frame["status"].tolist()


def test_failed_candidates_have_status_failed(fitted):
    frame = results_frame(fitted["failing"]).sort_index()
    failed = frame["fail"].to_numpy()
    assert frame["fail"].dtype == bool
    assert frame["status"].tolist() == ["failed" if f else "completed" for f in failed]
    assert frame.loc[failed, "mean_test_score"].isna().all()
    # Failed candidates rank last, as scikit-learn ranks them.
    assert (results_frame(fitted["failing"])["status"].tolist()[-2:]
            == ["failed", "failed"])
    # Their splits scored NaN: no row in the long frame.
    long = results_frame(fitted["failing"], kind="long")
    assert set(long["candidate"]) == set(frame.index[~failed])
    assert len(long) == 2 * 3


def test_multimetric_primary_metric_is_refit(fitted):
    search = fitted["multimetric"]
    frame = results_frame(search)
    assert frame["rank_test_f1"].is_monotonic_increasing
    for column in ("mean_test_acc", "rank_test_acc", "mean_train_f1", "std_train_acc"):
        assert column in frame
    assert "rank_train_f1" not in frame
    splits = results_frame(search, splits=True)
    assert {"split0_test_acc", "split2_train_f1"} <= set(splits.columns)
    long = results_frame(search, kind="long")
    assert list(long.columns) == ["candidate", "split", "max_depth", "test_acc",
                                  "test_f1", "train_acc", "train_f1", "fit_time",
                                  "score_time", "status"]
    first = long.iloc[0]
    assert first["test_f1"] == search.cv_results_["split0_test_f1"][0]


def test_halving_budget_columns(fitted):
    search = fitted["halving"]
    frame = results_frame(search)
    assert frame["iter"].dtype == np.int64
    np.testing.assert_array_equal(frame.sort_index()["n_resources"],
                                  search.cv_results_["n_resources"])
    assert (np.diff(frame["iter"].to_numpy()) <= 0).all()  # last iteration first


def test_halving_frame_is_best_first_though_its_ranks_mix_budgets():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import HalvingGridSearchCV

    Xb, yb = load_breast_cancer(return_X_y=True)
    search = HalvingGridSearchCV(DecisionTreeClassifier(random_state=0),
                                 {"max_depth": [1, 2, 3, 4, 5, None],
                                  "criterion": ["gini", "entropy"]},
                                 cv=3, random_state=0).fit(Xb, yb)
    # scikit-learn's rank 1 is a first-iteration row here (#24901).
    assert search.cv_results_["rank_test_score"][search.best_index_] != 1
    assert results_frame(search).index[0] == search.best_index_
    long = results_frame(search, kind="long")
    assert {"iter", "n_resources"} <= set(long.columns)
    assert len(long) == 3 * len(search.cv_results_["params"])


def _fake_results():
    """A Hyperband-like cv_results_: NaN splits, per-split times, brackets."""
    nan = np.nan
    return {
        "params": [{"a": 1}, {"a": 2}, {"a": 3}],
        "param_a": np.ma.MaskedArray([1, 2, 3]),
        "split0_test_score": np.array([0.5, 0.6, 0.7]),
        "split1_test_score": np.array([0.5, nan, 0.9]),
        "mean_test_score": np.array([0.5, 0.6, nan]),
        "std_test_score": np.array([0.0, 0.0, nan]),
        "rank_test_score": np.array([2, 1, 3], dtype=np.int32),
        "split0_fit_time": np.array([1.0, 2.0, 3.0]),
        "split1_fit_time": np.array([1.5, nan, 3.5]),
        "mean_fit_time": np.array([1.25, 2.0, 3.25]),
        "std_fit_time": np.array([0.25, 0.0, 0.25]),
        "mean_score_time": np.array([0.1, 0.1, 0.1]),
        "std_score_time": np.array([0.0, 0.0, 0.0]),
        "bracket": np.array([0, 1, 1]),
        "n_resources": np.array([2, 1, 1]),
        "pruned": np.array([False, True, True]),
    }


def test_skhpo_searches_keep_each_split_fit_and_score_time():
    from sklearn.model_selection import RepeatedKFold

    from skhpo import BayesSearchCV, HyperbandSearchCV

    bayes = BayesSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_depth": (1, 6)}, n_iter=4, cv=3,
                          random_state=0).fit(X, y)
    long = results_frame(bayes, kind="long")
    assert len(long) == 4 * 3
    assert (long["fit_time"] > 0).all() and (long["score_time"] > 0).all()
    np.testing.assert_allclose(long.groupby("candidate")["fit_time"].mean(),
                               bayes.cv_results_["mean_fit_time"])
    hyperband = HyperbandSearchCV(DecisionTreeClassifier(random_state=0),
                                  {"max_depth": (1, 6)},
                                  cv=RepeatedKFold(n_splits=3, n_repeats=3, random_state=0),
                                  random_state=0).fit(X, y)
    results = hyperband.cv_results_
    for i in range(9):
        # A time where the split was scored, NaN where it was not.
        np.testing.assert_array_equal(np.isnan(results[f"split{i}_fit_time"]),
                                      np.isnan(results[f"split{i}_test_score"]))


def test_long_frame_drops_unscored_splits_and_uses_split_times():
    long = results_frame(_fake_results(), kind="long")
    assert long[["candidate", "split"]].values.tolist() == [[0, 0], [0, 1], [1, 0],
                                                           [2, 0], [2, 1]]
    assert long["fit_time"].tolist() == [1.0, 1.5, 2.0, 3.0, 3.5]
    assert long["score_time"].isna().all()
    assert long["bracket"].tolist() == [0, 0, 1, 1, 1]
    # Failed outranks pruned.
    assert long["status"].tolist() == ["completed", "completed", "pruned",
                                       "failed", "failed"]
    wide = results_frame(_fake_results())
    assert wide.index.tolist() == [1, 0, 2]
    assert wide["status"].tolist() == ["pruned", "completed", "failed"]


def test_nan_and_inf_round_trip(tmp_path):
    results = _fake_results()
    results["params"] = [{"a": math.inf}, {"a": -math.inf}, {"a": math.nan}]
    results["param_a"] = np.ma.MaskedArray([math.inf, -math.inf, math.nan])
    results["std_test_score"] = np.array([math.inf, -math.inf, math.nan])
    search = SearchResults(results, best_index_=1, best_score_=0.6,
                           best_params_=results["params"][1], refit=True,
                           metadata={"format": "skhpo-results", "format_version": 1})
    save_results(search, tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text()

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    document = json.loads(text, parse_constant=refuse)  # strict JSON
    trial = document["trials"][0]
    assert trial["params"]["a"] == {"type": "float", "value": "Infinity"}
    assert trial["test"]["score"]["std"] == "Infinity"
    assert document["trials"][2]["test"]["score"]["mean"] is None
    loaded = load_results(tmp_path / "r.json")
    np.testing.assert_array_equal(loaded.cv_results_["std_test_score"],
                                  [math.inf, -math.inf, math.nan])
    a = [p["a"] for p in loaded.cv_results_["params"]]
    assert a[0] == math.inf and a[1] == -math.inf and math.isnan(a[2])
    assert loaded.best_params_ == {"a": -math.inf}
    assert_frame_equal(results_frame(search).drop(columns="params"),
                       results_frame(loaded).drop(columns="params"))


def test_cv_results_dict_is_accepted(fitted):
    search = fitted["randomized"]
    assert_frame_equal(results_frame(search.cv_results_).drop(columns="params"),
                       results_frame(search).drop(columns="params"))


def test_parameter_clashing_with_a_column_is_prefixed():
    results = _fake_results()
    results["params"] = [{"status": s} for s in "xyz"]
    frame = results_frame(results)
    assert "param_status" in frame
    assert frame["status"].tolist() == ["pruned", "completed", "failed"]


def test_object_values_tuples_and_functions():
    results = _fake_results()
    results["params"] = [{"h": (10,), "f": np.sqrt},
                         {"h": (20, 5), "f": len},
                         {"h": (10,), "f": StoredValue("<x>", "function", name="g")}]
    frame = results_frame(results).sort_index()
    assert frame["h"].tolist() == [(10,), (20, 5), (10,)]
    assert frame["f"].tolist() == ["sqrt", "len", "g"]


# --------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------


def test_document_contents(fitted, tmp_path):
    search = fitted["pipeline_grid"]
    path = tmp_path / "pipe.json"
    save_results(search, path, X=X, y=y)
    document = json.loads(path.read_text())
    assert document["format"] == "skhpo-results"
    assert document["format_version"] == 1
    assert set(document["versions"]) >= {"skhpo", "scikit-learn", "numpy", "python"}
    assert document["created"].endswith("+00:00")
    assert document["cv"] == {"repr": "3", "n_splits": 3}
    assert document["scoring"] is None and document["refit"] is True
    assert document["random_state"] is None
    assert document["data"]["X"] == data_fingerprint(X)
    assert document["data"]["y"]["shape"] == [150]
    assert document["best"]["index"] == int(search.best_index_)
    # Estimators: class, repr and index among the categories; no pickle.
    clf = document["trials"][0]["params"]["clf"]
    assert clf == {"type": "object", "class": "LogisticRegression",
                   "repr": "LogisticRegression(max_iter=200)", "index": 0}
    assert document["trials"][2]["params"]["clf"]["index"] == 0  # own subspace
    space = document["search_space"]
    assert space["attribute"] == "param_grid"
    assert space["subspaces"][0]["dimensions"]["clf__C"] == \
        "Ordinal(values=[0.1, 1.0], name='clf__C')"
    trial = document["trials"][0]
    assert len(trial["test"]["score"]["splits"]) == 3
    assert set(trial["fit_time"]) == {"mean", "std"}
    assert trial["status"] == "completed"

    loaded = load_results(path)
    value = loaded.cv_results_["params"][0]["clf"]
    assert isinstance(value, StoredValue)
    assert repr(value) == "LogisticRegression(max_iter=200)"
    assert (value.class_name, value.index) == ("LogisticRegression", 0)
    assert loaded.n_splits_ == 3 and loaded.multimetric_ is False
    assert loaded.metadata["data"]["X"] == data_fingerprint(X)
    assert "SearchResults(GridSearchCV" in repr(loaded)


def test_random_state_and_cv_description(fitted, tmp_path):
    search = RandomizedSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2]},
                                n_iter=2, cv=KFold(2, shuffle=True, random_state=1),
                                random_state=np.random.RandomState(0)).fit(X, y)
    save_results(search, tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["random_state"].startswith("RandomState")
    assert document["cv"] == {"repr": "KFold(n_splits=2, random_state=1, shuffle=True)",
                              "n_splits": 2}
    assert document["search_space"]["subspaces"][0]["dimensions"] == {
        "max_depth": "Ordinal(values=[1, 2], name='max_depth')"}
    save_results(fitted["randomized"], tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text())
    assert document["random_state"] == 0
    assert document["search_space"]["subspaces"][0]["dimensions"]["max_depth"] == \
        "Distribution(randint(1, 6), name='max_depth')"


def test_fingerprint():
    a = np.arange(6.0).reshape(2, 3)
    fp = data_fingerprint(a)
    assert fp == data_fingerprint(a.copy())
    assert fp != data_fingerprint(a.astype(np.float32))
    b = a.copy()
    b[0, 0] = 1e-9
    assert fp["sha256"] != data_fingerprint(b)["sha256"]
    assert fp["sha256"] != data_fingerprint(a.reshape(3, 2))["sha256"]
    frame = pd.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"]})
    assert data_fingerprint(frame) == data_fingerprint(frame.copy())
    assert data_fingerprint(frame)["dtype"] == "mixed"
    assert data_fingerprint(frame) != data_fingerprint(frame.rename(columns={"x": "z"}))
    assert data_fingerprint(sp.csr_matrix(a)) == data_fingerprint(sp.csc_matrix(a))
    assert data_fingerprint(None) is None


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_unfitted_search_is_refused(tmp_path):
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]})
    with pytest.raises(NotFittedError, match="not fitted yet.*Call fit"):
        results_frame(search)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        save_results(search, tmp_path / "x.json")


@pytest.mark.parametrize("bad, error, match", [
    ({"kind": "tall"}, ValueError, "kind must be 'wide'.*got kind='tall'"),
])
def test_bad_kind(fitted, bad, error, match):
    with pytest.raises(error, match=match):
        results_frame(fitted["randomized"], **bad)


@pytest.mark.parametrize("obj, error, match", [
    ({"params": []}, ValueError, "needs a 'params' key and at least one"),
    (42, TypeError, "Expected a fitted search.*got int"),
])
def test_bad_input(obj, error, match):
    with pytest.raises(error, match=match):
        results_frame(obj)


@pytest.mark.parametrize("text, match", [
    ("not json", "not a skhpo results document: it is not valid UTF-8 JSON"),
    ('{"a": 1}', "its 'format' field is None, expected 'skhpo-results'"),
    ("[1, 2]", "its 'format' field is None"),
    ('{"format": "skhpo-results", "format_version": 99}',
     "format_version=99.*Upgrade skhpo"),
    ('{"format": "skhpo-results", "format_version": 1}',
     "a required field is missing"),
])
def test_not_a_results_document(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ResultsFormatError, match=match):
        load_results(path)


def test_loading_never_builds_objects(tmp_path, fitted):
    """A hand-edited 'object' entry stays an inert placeholder."""
    path = tmp_path / "p.json"
    save_results(fitted["pipeline_grid"], path)
    document = json.loads(path.read_text())
    document["trials"][0]["params"]["clf"]["repr"] = "__import__('os').system('x')"
    path.write_text(json.dumps(document))
    value = load_results(path).cv_results_["params"][0]["clf"]
    assert isinstance(value, StoredValue)
    assert repr(value) == "__import__('os').system('x')"


def test_missing_rank_sorts_by_mean():
    results = _fake_results()
    del results["rank_test_score"]
    frame = results_frame(results)
    assert frame.index.tolist() == [1, 0, 2]
    assert "rank_test_score" not in frame


def test_trials_are_readable(fitted, tmp_path):
    save_results(fitted["halving"], tmp_path / "h.json")
    trial = json.loads((tmp_path / "h.json").read_text())["trials"][0]
    assert list(trial) == ["candidate", "status", "params", "test", "train",
                           "fit_time", "score_time", "budget"]
    assert set(trial["budget"]) == {"iter", "n_resources"}
    assert set(trial["test"]["score"]) == {"mean", "std", "rank", "splits"}


def test_hyperband_round_trip(tmp_path):
    hyperband = pytest.importorskip("skhpo.hyperband")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = hyperband.HyperbandSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": randint(1, 6), "criterion": ["gini", "entropy"]},
            cv=3, random_state=0,
        ).fit(X, y)
    save_results(search, tmp_path / "hb.json", X=X, y=y)
    loaded = load_results(tmp_path / "hb.json")
    wide = results_frame(search)
    assert_frame_equal(wide.drop(columns="params"),
                       results_frame(loaded).drop(columns="params"))
    long = results_frame(search, kind="long")
    assert_frame_equal(long, results_frame(loaded, kind="long"))
    for key in ("bracket", "n_resources"):
        if key in search.cv_results_:
            assert key in wide and key in long
    # Only the scored splits have a row.
    n_scored = sum(np.isfinite(search.cv_results_[f"split{i}_test_score"]).sum()
                   for i in range(3))
    assert len(long) == n_scored


def test_sensitivity_report_reads_loaded_results(tmp_path):
    sensitivity = pytest.importorskip("skhpo.sensitivity")
    search = RandomizedSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 6), "criterion": ["gini", "entropy"]},
        n_iter=10, cv=3, random_state=0,
    ).fit(X, y)
    save_results(search, tmp_path / "s.json")
    loaded = load_results(tmp_path / "s.json")
    report = sensitivity.sensitivity_report(loaded.cv_results_, random_state=0)
    expected = sensitivity.sensitivity_report(search.cv_results_, random_state=0)
    assert_frame_equal(report.importances, expected.importances)


def test_sensitivity_report_accepts_loaded_results(tmp_path):
    from scipy.stats import loguniform
    from sklearn.datasets import load_iris
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.svm import SVC

    from skhpo import load_results, save_results, sensitivity_report

    X, y = load_iris(return_X_y=True)
    search = RandomizedSearchCV(SVC(), {"C": loguniform(1e-3, 1e3),
                                        "gamma": loguniform(1e-4, 1e1)},
                                n_iter=30, cv=3, random_state=0).fit(X, y)
    save_results(search, tmp_path / "s.json")
    loaded = sensitivity_report(load_results(tmp_path / "s.json"), random_state=0)
    # The file keeps the distributions' ranges: the report on the search.
    direct = sensitivity_report(search, random_state=0)
    pd.testing.assert_frame_equal(loaded.importances, direct.importances)


def test_dicts_keyed_by_numbers_round_trip(tmp_path):
    # class_weight's usual form: {class label: weight}.
    X, y = load_iris(return_X_y=True)
    weights = [{0: 1, 1: 2, 2: 1}, {0: 1, 1: 1, 2: 5}, "balanced", None]
    search = GridSearchCV(LogisticRegression(max_iter=300), {"class_weight": weights},
                          cv=3).fit(X, y)
    path = tmp_path / "cw.json"
    save_results(search, path)
    loaded = load_results(path)
    assert [p["class_weight"] for p in loaded.cv_results_["params"]] == weights
    assert list(results_frame(loaded)["class_weight"][:2]) != ["dict", "dict"]
    from skhpo._json import decode_value, encode_value

    for value in ({1.5: "a", None: (1, 2)}, {(0, 1): 3}, {True: 0}):
        assert decode_value(json.loads(json.dumps(encode_value(value)))) == value


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(cv_results_dtypes=None), "malformed"),
    (lambda d: d["trials"][0]["test"]["score"].update(mean="n/a"), "malformed"),
    (lambda d: d.update(format_version="1"), "format_version is '1', expected an integer"),
    (None, "not valid UTF-8 JSON"),
])
def test_a_damaged_results_file_is_a_results_format_error(tmp_path, damage, message):
    import json

    from sklearn.model_selection import GridSearchCV

    from skhpo import ResultsFormatError

    search = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    path = tmp_path / "r.json"
    save_results(search, path)
    if damage is None:
        path.write_bytes(path.read_text().encode("utf-16"))
    else:
        document = json.loads(path.read_text())
        damage(document)
        path.write_text(json.dumps(document))
    with pytest.raises(ResultsFormatError, match=message):
        load_results(path)


def test_a_dataframe_of_cv_results_is_read_as_the_dict():
    from skhpo.plotting import ConvergenceDisplay

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(LogisticRegression(max_iter=300),
                          [{"C": [0.1, 1.0]}, {"class_weight": [None, "balanced"]}],
                          cv=3).fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    pd.testing.assert_frame_equal(results_frame(frame), results_frame(search.cv_results_))
    curve = ConvergenceDisplay.from_results(frame).trials
    pd.testing.assert_frame_equal(curve, ConvergenceDisplay.from_results(
        search.cv_results_).trials)
    # Read back from a CSV, params are text: refused with the way out.
    with pytest.raises(ValueError, match="holds text.*load_results"):
        results_frame(frame.assign(params=frame["params"].map(str)))


def test_saving_into_a_missing_folder_and_loading_a_journal_say_what_is_wrong(tmp_path):
    from skhpo import BayesSearchCV, Real

    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(LogisticRegression(max_iter=300), {"C": Real(0.1, 10.0)},
                           n_iter=2, cv=2, random_state=0,
                           checkpoint=tmp_path / "search.jsonl").fit(X, y)
    missing = tmp_path / "nowhere" / "r.json"
    with pytest.raises(FileNotFoundError, match=r"it is in a directory that does not exist "
                                                 r"\(.*nowhere\); create the directory first"):
        save_results(search, missing)
    with pytest.raises(ResultsFormatError, match="it is a checkpoint journal.*checkpoint="):
        load_results(tmp_path / "search.jsonl")
    # A folder had failed on a temporary file's name; a dict on get_params.
    with pytest.raises(IsADirectoryError, match=r"it is a directory; give a file path, e.g. "
                                                r"'.*search.json'"):
        save_results(search, tmp_path)
    with pytest.raises(TypeError, match=r"save_results needs the fitted search itself.*got "
                                        r"a cv_results_ dict: pass the search"):
        save_results(search.cv_results_, tmp_path / "r.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search.jsonl"]


def test_one_beside_one_point_zero_is_an_object_column():
    # Two settings of max_features (one feature, all of them) that a float
    # column would show, and filter, as one.
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_features": [1, 1.0, 2]}, cv=3).fit(X, y)
    column = results_frame(search).sort_index()["max_features"]
    assert column.dtype == object
    assert [type(v) for v in column] == [int, float, int]
    assert (column == 1.0).sum() == 2 and column.map(type).eq(float).sum() == 1


def test_an_integer_beyond_int64_is_shown_as_it_is():
    # pandas' int64 had overflowed.
    from sklearn.dummy import DummyClassifier

    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(DummyClassifier(), {"constant": [2**70, 3]}, cv=3).fit(X, y)
    frame = results_frame(grid)
    assert sorted(frame["constant"].tolist()) == [3, 2**70]


def test_a_hand_edited_file_that_disagrees_with_itself_is_refused(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
                        cv=3).fit(X, y)
    path = tmp_path / "r.json"
    save_results(grid, path)
    document = json.loads(path.read_text())
    for edit, match in ((("best", "index"), r"best.index is 9999, not a row of its 3 trials"),
                        (("n_candidates",), r"n_candidates is 9999 but the file holds 3")):
        changed = json.loads(json.dumps(document))
        target = changed
        for key in edit[:-1]:
            target = target[key]
        target[edit[-1]] = 9999
        path.write_text(json.dumps(changed))
        with pytest.raises(ResultsFormatError, match=match):
            load_results(path)


def test_results_frame_for_pandas_users(tmp_path):
    # From a review: a parameter another subspace has was shown as None (a
    # setting) in bool and object columns; two settings of one estimator class
    # shared a label, so groupby merged them; a filtered DataFrame lost its
    # row numbers; Hyperband's long frame repeated reused fits unmarked.
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    from skhpo import HyperbandSearchCV

    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("sc", StandardScaler()), ("svc", SVC())])
    grid = GridSearchCV(pipe, [{"svc__kernel": ["linear"]},
                               {"svc__kernel": ["rbf"], "svc__shrinking": [True, False],
                                "sc": [StandardScaler(), StandardScaler(with_mean=False)]}],
                        cv=3).fit(X, y)
    frame = results_frame(grid).sort_index()
    linear = frame["svc__kernel"] == "linear"
    assert frame.loc[linear, "svc__shrinking"].isna().all()
    assert not any(v is None for v in frame["svc__shrinking"])
    assert sorted(frame.loc[~linear, "sc"].unique()) == [
        "StandardScaler()", "StandardScaler(with_mean=False)"]
    table = pd.DataFrame(grid.cv_results_)
    rbf = results_frame(table[table["param_svc__kernel"] == "rbf"])
    assert sorted(rbf.index) == [1, 2, 3, 4]
    assert results_frame(table).loc[2, "mean_test_score"] == grid.cv_results_[
        "mean_test_score"][2]
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), {"max_depth": (1, 20)},
                               cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3,
                                                          random_state=0),
                               random_state=0).fit(X, y)
    long = results_frame(search, kind="long")
    assert (~long["reused"]).sum() == search.n_fold_fits_ < len(long)
    fits = long[~long["reused"]]
    assert not fits.duplicated(["candidate_id", "split"]).any()
