"""BayesSearchCV(initial_params="estimator"): the estimator's own values first."""

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhpo import BayesSearchCV, Categorical, Integer, Real
from skhpo._defaults import _NO_VALUE, estimator_params, nearest_value
from skhpo._optimizer import Optimizer
from skhpo.space import Distribution, Ordinal, Space


@pytest.mark.parametrize("dim, value, expected", [
    (Real(0.01, 0.49), 0.2, 0.2),
    (Real(0.01, 0.49), 0.0, 0.01),            # clipped into the range
    (Real(1.0, 1e3, prior="log-uniform"), 5e3, 1e3),
    (Real(0.01, 0.49), 1, _NO_VALUE),         # an int count is not a fraction
    (Real(0.0, 1.0), np.nan, _NO_VALUE),
    (Real(0.0, 1.0), True, _NO_VALUE),
    (Integer(1, 15), 40, 15),
    (Integer(1, 15), np.int64(3), 3),
    (Integer(1, 15), 2.0, _NO_VALUE),
    (Integer(1, 15), None, _NO_VALUE),
    (Categorical(["rbf", "linear"]), "linear", "linear"),
    (Categorical([None, "balanced"]), None, None),
    (Categorical(["rbf", "linear"]), "poly", _NO_VALUE),
    (Ordinal([1, 10, 100]), 10, 10),
    (Ordinal([1, 10, 100]), 5, 10),           # nearest on the grid's log scale
    (Ordinal([1, 2, 3, 4]), 7, 4),
    (Ordinal([0.01, 0.1, 0.5, 10, 100]), 1.0, 0.5),  # the nearest float
    (Ordinal([0.1, 0.5]), 1, _NO_VALUE),      # no int in the grid
    (Ordinal([1, 10, 100]), "a", _NO_VALUE),
    (Distribution(loguniform(1e-3, 1e3)), 1e5, 1e3),
    (Distribution(randint(1, 10)), 4, 4),
    (Distribution(randint(1, 10)), 4.5, _NO_VALUE),
])
def test_nearest_value_keeps_the_meaning_of_the_value(dim, value, expected):
    got = nearest_value(dim, value)
    if expected is _NO_VALUE:
        assert got is _NO_VALUE
    else:
        assert got == pytest.approx(expected) if expected is not None else got is None
        assert type(got) is type(expected)


def test_estimator_params_reads_nested_parameters():
    pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=4))
    space = Space({"decisiontreeclassifier__max_depth": Integer(1, 15),
                   "decisiontreeclassifier__min_samples_leaf": Real(0.01, 0.49),
                   "decisiontreeclassifier__criterion": ["gini", "entropy"]})
    # min_samples_leaf=1 (one sample) has no counterpart among fractions.
    assert estimator_params(pipe, space) == {"decisiontreeclassifier__max_depth": 4,
                                             "decisiontreeclassifier__criterion": "gini"}


def test_a_replaced_step_takes_none_of_the_current_steps_values():
    pipe = make_pipeline(StandardScaler(), SVC(C=3.0))
    other = LogisticRegression()
    space = Space({"svc": [other], "svc__C": Real(0.1, 10.0)})
    # The space puts a LogisticRegression where the SVC was: C=3.0 was the SVC's.
    assert estimator_params(pipe, space) == {}
    kept = Space({"svc": [pipe.named_steps["svc"]], "svc__C": Real(0.1, 10.0)})
    assert estimator_params(pipe, kept) == {"svc": pipe.named_steps["svc"], "svc__C": 3.0}


def test_optimizer_initial_params_replace_the_first_design_point_only():
    space = Space({"a": Real(0.0, 1.0), "b": Integer(1, 100)})

    def first_points(**kwargs):
        opt = Optimizer(space, n_initial_points=3, random_state=0, **kwargs)
        asked = []
        for _ in range(3):
            asked += opt.ask()
            opt.tell(asked[-1:], [0.0])
        return asked

    plain = first_points()
    given = first_points(initial_params=[{"b": 7}])
    assert given[0] == {"a": plain[0]["a"], "b": 7}
    assert given[1:] == plain[1:]


def test_optimizer_evaluates_every_given_point_before_the_model():
    space = Space({"a": Real(0.0, 1.0)})
    opt = Optimizer(space, n_initial_points=1, random_state=0,
                    initial_params=[{"a": 0.1}, {"a": 0.2}, {"a": 0.3}])
    asked = []
    for _ in range(3):
        asked += opt.ask()
        opt.tell(asked[-1:], [-asked[-1]["a"]])
    assert [p["a"] for p in asked] == [0.1, 0.2, 0.3]


def _search(estimator, space, **kwargs):
    X, y = load_iris(return_X_y=True)
    cv = StratifiedKFold(3)
    search = BayesSearchCV(estimator, space, n_iter=4, n_initial_points=3, cv=cv,
                           random_state=0, **kwargs).fit(X, y)
    return search, X, y, cv


def test_first_candidate_is_the_untuned_estimator():
    estimator = make_pipeline(StandardScaler(), LogisticRegression(C=0.05))
    space = {"logisticregression__C": Real(1e-3, 1e3, prior="log-uniform")}
    search, X, y, cv = _search(estimator, space, initial_params="estimator")
    first = search.cv_results_["params"][0]
    assert first == {"logisticregression__C": 0.05}
    untuned = cross_val_score(estimator, X, y, cv=cv).mean()
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(untuned)
    assert search.best_score_ >= untuned
    # Without it the first candidate comes from the design.
    plain, *_ = _search(estimator, space)
    assert plain.cv_results_["params"][0]["logisticregression__C"] != 0.05


def test_values_the_space_cannot_hold_come_from_the_design():
    space = {"C": Real(1.0, 100.0, prior="log-uniform"), "gamma": Real(1e-3, 1.0)}
    search, *_ = _search(SVC(C=250.0), space, initial_params="estimator")
    plain, *_ = _search(SVC(C=250.0), space)
    first, plain_first = search.cv_results_["params"][0], plain.cv_results_["params"][0]
    assert first["C"] == 100.0  # clipped
    assert first["gamma"] == plain_first["gamma"]  # "scale" is not a float


def test_initial_params_is_validated():
    # scikit-learn's InvalidParameterError, a ValueError.
    with pytest.raises(ValueError, match="initial_params"):
        _search(SVC(), {"C": Real(1.0, 10.0)}, initial_params="default")


def test_given_points_are_evaluated_first_exactly():
    space = {"C": Real(1e-3, 1e3, prior="log-uniform"), "fit_intercept": [True, False]}
    points = [{"C": 0.05, "fit_intercept": False}, {"C": 7}]
    search, *_ = _search(LogisticRegression(), space, initial_params=points)
    first, second = search.cv_results_["params"][:2]
    assert first == {"C": 0.05, "fit_intercept": False}
    assert second["C"] == 7 and type(second["C"]) is int  # as given
    plain, *_ = _search(LogisticRegression(), space)
    # The design fills what a point leaves out: its second point's value.
    assert second["fit_intercept"] == plain.cv_results_["params"][1]["fit_intercept"]


def test_a_point_goes_to_every_subspace_that_has_its_parameters():
    X, y = load_iris(return_X_y=True)
    spaces = [({"C": Real(0.1, 10.0), "kernel": ["linear"]}, 3),
              ({"C": Real(0.1, 10.0), "gamma": Real(1e-3, 1.0)}, 3),
              ({"degree": Integer(2, 4), "kernel": ["poly"]}, 2)]
    search = BayesSearchCV(SVC(), spaces, initial_params=[{"C": 2.5}], n_initial_points=2,
                           cv=3, random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    assert params[0]["C"] == 2.5 and params[3]["C"] == 2.5  # first of each subspace
    assert "C" not in params[6]


@pytest.mark.parametrize("points, message", [
    (["C=1"], r"initial_params\[0\] must be a dict"),
    ([{"C": 1.0}, {"c": 1.0}], r"initial_params\[1\] names \['c'\], but no search space"),
    ([{"C": 50.0}], r"initial_params\[0\]\['C'\]=50.0 is not a value of Real"),
    ([{"degree": 2.5}], r"initial_params\[0\]\['degree'\]=2.5 is not a value of Integer"),
    ([{"C": 1.0}] * 5, "gives 5 points to search space 0, whose n_iter is 4"),
])
def test_bad_initial_points_are_refused_before_any_fit(points, message):
    class CountingSVC(SVC):
        n_fits = 0

        def fit(self, X, y, sample_weight=None):
            type(self).n_fits += 1
            return super().fit(X, y, sample_weight)

    space = {"C": Real(0.1, 10.0), "degree": Integer(2, 4)}
    with pytest.raises(ValueError, match=message):
        BayesSearchCV(CountingSVC(), space, n_iter=4, initial_params=points, cv=3).fit(
            *load_iris(return_X_y=True))
    assert CountingSVC.n_fits == 0
