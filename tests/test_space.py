import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhpo import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Integer,
    Real,
    SearchSpaceError,
)
from skhpo._space_constraints import check_values
from skhpo.space import (
    Distribution,
    Ordinal,
    Space,
    check_names,
    parse_search_spaces,
    to_dimension,
)


@pytest.mark.parametrize(
    "form, kind, is_log",
    [
        (Real(0.1, 1.0), Real, False),
        (Integer(1, 100, prior="log-uniform"), Integer, True),
        (Categorical(["a", "b"]), Categorical, False),
        ((1e-3, 1e3, "log-uniform"), Real, True),
        ((0.0, 1.0), Real, False),
        ((1, 10), Integer, False),
        ((1, 10.0), Real, False),
        (loguniform(1e-3, 1e3), Distribution, True),
        (randint(1, 10), Distribution, False),
        (uniform(0, 2), Distribution, False),
        ([1, 2, 3], Ordinal, False),
        ([0.001, 0.01, 0.1, 1.0], Ordinal, True),
        ([0.5, 1.0, 2.0], Ordinal, False),  # positive but under two decades
        (["rbf", "linear"], Categorical, False),
        ([None, 1, "a"], Categorical, False),
        ([SVC(), LogisticRegression()], Categorical, False),
        ([True, False], Categorical, False),
        (range(1, 4), Ordinal, False),
        # scikit-optimize reads any other tuple as choices.
        (("a", "b"), Categorical, False),
        ((True, False), Categorical, False),
        (("only",), Categorical, False),
        ((1, 2, 3), Ordinal, False),
        # scikit-optimize's range with a log base.
        ((1e-6, 1e6, "log-uniform", 2), Real, True),
        ((1, 1024, "log-uniform", 2), Integer, True),
    ],
)
def test_every_form_becomes_the_right_dimension(form, kind, is_log):
    dim = to_dimension(form, "p")
    assert type(dim) is kind
    assert dim.is_log is is_log
    assert dim.name == "p"


@pytest.mark.parametrize(
    "space, match",
    [
        ({}, "search space is empty"),
        ([], "empty list"),
        ({"C": Real(10, 1)}, r"`low < high` must hold for Real 'C', got low=10, high=1"),
        ({"C": (5, 5)}, r"`low < high` must hold for Integer 'C'"),
        ({"C": Real(0, 1, prior="log-uniform")}, r"log-uniform prior needs `low > 0`.*low=0"),
        ({"C": Real(0.1, 1, prior="gaussian")}, "prior must be one of"),
        ({"C": Categorical([])}, "at least one category"),
        ({"C": []}, "at least one category"),
        ({"C": Integer(1.5, 3)}, "integer bounds"),
        ({"C": "abc"}, "Unsupported search dimension 'C'.*str"),
        ({"C": 3}, "Unsupported search dimension 'C'.*int"),
        ({"C": Real(0.1, np.inf)}, r"Real 'C' needs finite bounds, got low=0.1, high=inf"),
        ({"C": Real(-np.inf, 1.0)}, r"needs finite bounds, got low=-inf"),
        ({"C": (1e-3, 1e3, "log_uniform")}, "prior must be one of"),
        ({1: [1, 2]}, "keys must be parameter names"),
        ([{"C": [1]}, "x"], "must be a dict or a"),
        ([({"C": [1]}, 0)], "positive integer"),
        ("C", "must be a dict, a list of dicts"),
        # scikit-optimize once read such lists as ranges; GridSearchCV reads
        # them as values, one of which would be the string.
        ({"C": [1e-6, 1e6, "log-uniform"]},
         r"The list 'C' \[1e-06, 1000000.0, 'log-uniform'\] reads as values to try.*"
         r"write it as a tuple, \(1e-06, 1000000.0, 'log-uniform'\)"),
        # A tuple that starts as a range but is not one: it was read as a
        # list, whose message told the user to write the tuple they wrote.
        ({"C": (0.1, 10.0, "uniform", "x")},
         r"The tuple 'C' \(0.1, 10.0, 'uniform', 'x'\) starts as a range .* numeric base"),
        ({"C": (0.1, 10.0, "log-uniform", 10, "normalize")}, "starts as a range"),
        ({"C": Real(0.1, 1.0, dtype="floaty")}, "dtype='floaty' of Real 'C' is not a numpy"),
        ({"k": Categorical("rbf")},
         r"Categorical 'k' needs a list of categories, got 'rbf', whose elements are its "
         r"characters. Write Categorical\(\['rbf'\]\)"),
        ({"k": Categorical({"a", "b"})}, r"no fixed order. Write Categorical\(sorted\("),
        ({"k": Categorical({"a": 1})}, r"are its keys. Write Categorical\(list\("),
        ({"C": Real(np.nan, 1.0)}, r"Real 'C' needs finite bounds, got low=nan"),
        ([({"C": [1]}, True)], "positive integer, got True"),
        ({"C": randint(200, 50)}, r"The distribution 'C', randint\(200, 50\), has no finite "
                                  r"median: scipy gives NaN quantiles"),
        ({"C": Real(0.1, 10, dtype=int)}, r"Real 'C' with dtype=<class 'int'> would "
                                          r"truncate its values to integers: use "
                                          r"Integer\(1, 10\)"),
        ({"C": Real(0.1, 10, dtype="int32")}, "would truncate"),
        ({"C": Real(0.1, 10, dtype=123)}, r"dtype of Real 'C' must be a type or its numpy "
                                          r"name, got dtype=123"),
        ({"k": Categorical(["a", "b"], prior=[1.0])},
         r"prior of Categorical 'k' must give one non-negative weight per category \(2\)"),
        ({"k": Categorical(["a", "b"], prior=[-1, 2])}, "non-negative weight"),
        ({"k": Categorical(["a", "b"], prior=[0, 0])}, "not all zero; got prior=\\[0, 0\\]"),
        ({"k": Categorical(["a", "b"], prior=["x", "y"])}, r"or prior=None for equally"),
        ({"C": Integer(5.0, 20.0)}, r"Write them as ints, Integer\(5, 20\), or use Real"),
        ({"C": type("Real", (), {"__module__": "skopt.space.space"})()},
         "'C' is scikit-optimize's Real: import Real, Integer and Categorical from skhpo"),
    ],
)
def test_bad_spaces_get_one_clear_message(space, match):
    with pytest.raises(SearchSpaceError, match=match):
        parse_search_spaces(space)


def test_unknown_parameter_names_are_refused_with_the_valid_ones():
    pipe = Pipeline([("clf", SVC())])
    with pytest.raises(SearchSpaceError, match=r"does not have: \['C'\].*clf__C"):
        check_names(parse_search_spaces({"C": [1, 2]}), pipe)
    check_names(parse_search_spaces({"clf__C": [1, 2]}), pipe)
    # A near spelling is suggested too (only the same last part had been).
    with pytest.raises(SearchSpaceError, match=r"\['clf__c'\].*Did you mean \['clf__C'\]"):
        check_names(parse_search_spaces({"clf__c": [1, 2]}), pipe)
    with pytest.raises(SearchSpaceError, match=r"Did you mean \['max_depth'\]"):
        check_names(parse_search_spaces({"max_dept": [1, 2]}), DecisionTreeClassifier())


def test_bad_space_fails_before_any_fit():
    class Counting(LogisticRegression):
        fits = 0

        def fit(self, X, y):
            type(self).fits += 1
            return super().fit(X, y)

    X = np.random.RandomState(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(SearchSpaceError, match="low < high"):
        BayesSearchCV(Counting(), {"C": (10.0, 1.0)}, n_iter=2).fit(X, y)
    assert Counting.fits == 0


def test_round_trip_through_the_unit_cube():
    space = Space({
        "C": Real(1e-3, 1e3, prior="log-uniform"),
        "k": Integer(1, 5),
        "kernel": ["rbf", "linear", "poly"],
        "grid": [0.01, 0.1, 1.0, 10.0],
        "dist": randint(0, 4),
        "one": ["only"],
    })
    assert space.names == sorted(space.names)
    assert space.n_columns == 1 + 1 + 3 + 1 + 1 + 0
    params = space.decode(np.random.RandomState(0).uniform(size=(50, space.n_columns)))
    again = space.decode(space.encode(params))
    for a, b in zip(params, again):
        assert a["k"] == b["k"] and a["kernel"] == b["kernel"]
        assert a["grid"] == b["grid"] and a["dist"] == b["dist"] and b["one"] == "only"
        assert a["C"] == pytest.approx(b["C"])
        assert space.contains(a)
    assert not space.contains({**params[0], "k": 6})
    assert not space.contains({"C": 1.0})


def test_integers_get_equal_shares_of_the_unit_interval():
    values = Integer(1, 4).decode(np.linspace(0, 1, 4000, endpoint=False))
    counts = np.bincount(values)[1:]
    np.testing.assert_array_equal(counts, [1000, 1000, 1000, 1000])


def test_log_uniform_real_is_uniform_in_log_space():
    dim = Real(1e-2, 1e2, prior="log-uniform")
    np.testing.assert_allclose(dim.decode([0.0, 0.25, 0.5, 1.0]), [1e-2, 1e-1, 1.0, 1e2])


def test_scipy_distribution_is_honoured_as_the_prior():
    dim = to_dimension(loguniform(1e-4, 1.0))
    draws = np.array(dim.decode(np.random.RandomState(0).uniform(size=20000)))
    # A log-uniform prior puts a quarter of its mass in each decade.
    share = np.mean(draws < 1e-3)
    assert share == pytest.approx(0.25, abs=0.01)
    discrete = to_dimension(randint(1, 4))
    assert sorted(set(discrete.decode(np.linspace(0, 1, 300)))) == [1, 2, 3]
    assert discrete.decode(discrete.encode([2]))[0] == 2


def test_ordinal_positions_follow_the_log_scale():
    dim = Ordinal([100, 1, 10, 0.1])
    np.testing.assert_allclose(dim.encode([0.1, 1, 10, 100]).ravel(), [0, 1 / 3, 2 / 3, 1])
    assert dim.decode([[0.3], [0.9]]) == [1, 100]


def test_categorical_matches_cloned_estimators():
    from sklearn.base import clone

    svc = SVC(C=2.0)
    dim = Categorical([LogisticRegression(), svc])
    assert dim.index(clone(svc)) == 1


def test_list_of_dicts_and_skopt_pairs():
    subspaces = parse_search_spaces([
        ({"C": Real(0.1, 1.0)}, 7),
        {"gamma": [1, 2]},
    ])
    assert [s.n_iter for s in subspaces] == [7, None]
    assert [s.space.names for s in subspaces] == [["C"], ["gamma"]]


def test_user_dimension_objects_are_not_mutated():
    dim = Real(0.1, 1.0)
    Space({"C": dim})
    assert dim.name is None


def test_sobol_design_is_reproducible_and_spread():
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    first, second = space.sobol(16, 3), space.sobol(16, 3)
    np.testing.assert_array_equal(first, second)
    # A scrambled Sobol set of 16 puts exactly 4 points in each quarter of a.
    np.testing.assert_array_equal(np.bincount((first[:, 0] * 4).astype(int)), [4, 4, 4, 4])


def test_names_under_a_replaced_step_are_checked_against_the_replacement():
    pipe = Pipeline([("clf", LogisticRegression())])
    ok = parse_search_spaces([{"clf": [SVC()], "clf__kernel": ["rbf", "linear"]}])
    check_names(ok, pipe)
    bad = parse_search_spaces([{"clf": [SVC()], "clf__max_iter_typo": [1, 2]}])
    with pytest.raises(SearchSpaceError, match="clf__max_iter_typo"):
        check_names(bad, pipe)


def test_real_returns_values_of_its_dtype_given_by_name():
    values = Real(0.1, 1.0, dtype="float32").rvs(3, random_state=0)
    assert [type(v) for v in values] == [np.float32] * 3


@pytest.mark.parametrize("dtype, expected", [(int, int), ("int32", np.int32), (np.int64, np.int64)])
def test_integer_returns_values_of_its_dtype(dtype, expected):
    # dtype had been documented and ignored: Integer always returned int.
    values = Integer(1, 10, dtype=dtype).rvs(3, random_state=0)
    assert [type(v) for v in values] == [expected] * 3


def test_categorical_prior_weights_the_initial_design_and_the_candidates():
    # scikit-optimize's Categorical(prior=...) had been refused.
    space = Space({"k": Categorical(["a", "b", "c"], prior=[6, 3, 1])})
    draws = space.decode(space.sobol(1024, 0))
    shares = [sum(d["k"] == c for d in draws) / len(draws) for c in "abc"]
    assert shares == pytest.approx([0.6, 0.3, 0.1], abs=0.03)
    # A category's own one-hot row still decodes to it, whatever its weight.
    assert space.decode(space.encode([{"k": "c"}])) == [{"k": "c"}]


def test_a_zero_weight_category_is_never_proposed():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(
        LogisticRegression(max_iter=300),
        {"C": Real(1e-2, 1e2, prior="log-uniform"),
         "fit_intercept": Categorical([True, False], prior=[1, 0])},
        n_iter=12, n_initial_points=4, cv=3, random_state=0).fit(X, y)
    assert [p["fit_intercept"] for p in search.cv_results_["params"]] == [True] * 12


def test_distances_as_scikit_optimize_defines_them():
    """Its DeltaXStopper callback reads ``result.space.distance``."""
    space = Space({"C": Real(0.1, 10.0), "k": Integer(1, 5), "kernel": ["rbf", "linear"],
                   "w": [SVC(), LogisticRegression()]})
    assert space.n_dims == 4 and space.dimension_names == ["C", "k", "kernel", "w"]
    a, b = [1.0, 2, "rbf", SVC()], [3.5, 5, "linear", LogisticRegression()]
    assert space.distance(a, b) == pytest.approx(2.5 + 3 + 1 + 1)
    assert space.distance(a, [1.0, 2, "rbf", SVC()]) == 0


@pytest.mark.parametrize("form, warns", [
    ([1e-3, 1e3], True),
    ([1, 8], True),
    ([1, 10, 100], False),
    ((1e-3, 1e3), False),
    (["rbf", "linear"], False),
    ([True, False], False),
    (Categorical([1, 8]), False),
    (np.array([1, 8]), False),
    (range(1, 3), False),
])
def test_a_two_number_list_warns_that_skopt_reads_it_as_a_range(form, warns):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dim = to_dimension(form, "C")
    messages = [str(w.message) for w in caught]
    if warns:
        assert len(messages) == 1 and "two values" in messages[0]
        assert f"({form[0]!r}, {form[1]!r})" in messages[0]  # the range to write
        assert dim.decode(dim.encode(form)) == form  # still the two values
    else:
        assert messages == []


def test_the_two_number_warning_comes_once_per_fit_and_only_for_skopt_style(tmp_path):
    import warnings

    import matplotlib
    from sklearn.datasets import load_iris
    from sklearn.model_selection import GridSearchCV

    from skhpo.plotting import ParallelCoordinatesDisplay
    from skhpo.results import save_results

    matplotlib.use("Agg")
    X, y = load_iris(return_X_y=True)
    # Written in scikit-optimize's style (a range tuple beside the list).
    space = {"C": [0.1, 10.0], "tol": (1e-4, 1e-2)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = BayesSearchCV(LogisticRegression(max_iter=500), space, n_iter=2,
                               cv=2, random_state=0).fit(X, y)
        assert search.total_iterations == 2
        save_results(search, tmp_path / "bayes.json")
    assert sum("two values" in str(w.message) for w in caught) == 1
    # A grid of lists is GridSearchCV's: no word of scikit-optimize, from
    # skhpo's searches or when skhpo reads scikit-learn's.
    grid_space = {"C": [0.1, 10.0], "tol": [1e-4, 1e-2]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BayesSearchCV(LogisticRegression(max_iter=500), grid_space, n_iter=2,
                      cv=2, random_state=0).fit(X, y)
        grid = GridSearchCV(LogisticRegression(max_iter=500), grid_space, cv=2).fit(X, y)
        ParallelCoordinatesDisplay.from_search(grid)
        save_results(grid, tmp_path / "grid.json")
    assert not [w for w in caught if "two values" in str(w.message)]


@pytest.mark.parametrize("values", [[1, 0.5, 1.0], [np.nan, -1.0, -2.0], [0.1, 1.0, np.inf]])
def test_numbers_that_order_cannot_tell_apart_stay_distinct_values(values):
    # max_features=1 is one feature, 1.0 all of them; NaN is a missing_values
    # setting. GridSearchCV tries each value: as an Ordinal, 1.0 merged into 1
    # and NaN made every position NaN.
    dim = to_dimension(values, "p")
    assert isinstance(dim, Categorical)
    decoded = dim.decode(dim.encode(values))
    assert [repr(v) for v in decoded] == [repr(v) for v in values]
    assert len(Space({"p": values}).grid(10)) == 3
    # A value read back from saved results is another object of that value.
    assert dim.index(float(str(values[2]))) == 2


def test_the_same_number_as_int_and_numpy_int_is_one_ordinal_value():
    dim = to_dimension([1, np.int64(1), 10, 100], "p")
    assert isinstance(dim, Ordinal) and len(dim._sorted) == 3


def test_scipy_distributions_randomized_search_accepts_unfrozen():
    from scipy import stats

    # RandomizedSearchCV takes anything with rvs: an unfrozen distribution
    # (scipy's default parameters) and a custom discrete one.
    dim = to_dimension(stats.uniform, "x")
    assert dim.decode([[0.25]]) == [0.25]
    depth = stats.rv_discrete(values=([1, 3, 5], [0.2, 0.5, 0.3]))
    dim = to_dimension(depth, "max_depth")
    assert dim.decode(dim.encode([1, 3, 5])) == [1, 3, 5]
    assert dim.decode([[0.1], [0.5], [0.9]]) == [1, 3, 5]  # the prior's masses
    # Support points that are not integers keep their values.
    dim = to_dimension(stats.rv_discrete(values=([0.1, 0.5], [0.5, 0.5])), "f")
    assert dim.decode(dim.encode([0.1, 0.5])) == [0.1, 0.5]
    # Two custom distributions are told apart (checkpoints compare spaces).
    other = stats.rv_discrete(values=([1, 3, 5], [0.6, 0.2, 0.2]))
    assert to_dimension(depth, "d") != to_dimension(other, "d")
    with pytest.raises(SearchSpaceError, match=r"gamma needs its shape parameters \(a\).*gamma\(a=\.\.\.\)"):
        to_dimension(stats.gamma, "g")


# ---------------------------------------------- values the estimator refuses
class _CountingTree(DecisionTreeClassifier):
    fits = 0

    def fit(self, X, y, **kwargs):
        type(self).fits += 1
        return super().fit(X, y, **kwargs)


@pytest.mark.parametrize("search_cls, space_arg", [
    (BayesSearchCV, {"n_iter": 3}), (HyperbandSearchCV, {})])
def test_a_real_for_an_integer_parameter_fails_before_any_fit(search_cls, space_arg):
    X, y = load_iris(return_X_y=True)
    _CountingTree.fits = 0
    search = search_cls(_CountingTree(), {"max_depth": Real(1, 10)}, cv=3, **space_arg)
    with pytest.raises(SearchSpaceError) as error:
        search.fit(X, y)
    message = str(error.value)
    assert "Real 'max_depth' reaches values that _CountingTree refuses" in message
    assert "The 'max_depth' parameter of _CountingTree must be an int" in message
    assert "It takes integers: use Integer(1, 10) instead." in message
    assert _CountingTree.fits == 0


@pytest.mark.parametrize("space, match", [
    # The low end of a range.
    ({"clf__C": Real(-1.0, 10.0)}, r"Real 'clf__C' reaches values that SVC refuses: "
                                   r".*Got -1\.0 instead\. Narrow the dimension"),
    # An end the estimator excludes: the optimizer does propose the ends.
    ({"clf__C": Real(0.0, 10.0)}, r"Got 0\.0 instead\. The search proposes the ends of "
                                  r"a range, and SVC excludes 0\.0: move the end "
                                  r"inside, e.g\. Real\(1e-05, 10\.0\)\."),
    # A grid value, as GridSearchCV would have fitted and failed.
    ({"clf__kernel": ["rbf", "cubic"]}, r"Categorical 'clf__kernel' .*Got 'cubic'"),
    ({"clf__degree": [2, 3, -1]}, r"The list 'clf__degree' .*Got -1 instead"),
    # A scipy distribution reaching below zero.
    ({"clf__C": uniform(-1, 2)}, r"The distribution 'clf__C' .*SVC refuses"),
    # Two ints make an Integer range (scikit-optimize's reading).
    ({"clf__tol": (0, 1)}, r"Integer 'clf__tol' .*Got 0 instead\. It takes floats: "
                           r"Integer\(0, 1\) holds the integers only .*use "
                           r"Real\(1e-06, 1\.0\)\."),
    # A continuous distribution for an integer parameter.
    ({"clf__degree": uniform(1, 4)}, r"It takes integers: use scipy\.stats\.randint\(1, "
                                     r"6\) or Integer\(1, 5\) instead\."),
    # A step the space replaces: checked against each replacement.
    ([{"clf": [SVC(), LogisticRegression()], "clf__C": Real(-1.0, 1.0)}],
     r"Real 'clf__C' reaches values that SVC refuses"),
])
def test_values_an_estimator_refuses_are_named_before_any_fit(space, match):
    pipe = Pipeline([("clf", SVC())])
    with pytest.raises(SearchSpaceError, match=match):
        check_values(parse_search_spaces(space), pipe)


@pytest.mark.parametrize("space", [
    {"clf__C": (1e-3, 1e3, "log-uniform")},
    {"clf__C": uniform(0, 10)},  # open at 0, which a distribution never reaches
    {"clf__tol": Real(0.999, 0.9999999)},  # probes are not rounded (to 1.0)
    {"clf__max_depth": [None, 3, 5], "clf__min_samples_leaf": Integer(1, 20)},
    {"clf__max_features": Real(0.1, 1.0)},
    {"clf__max_features": ["sqrt", None, 0.5]},
    {"scale": ["passthrough", StandardScaler()]},
])
def test_values_an_estimator_accepts_pass(space):
    pipe = Pipeline([("scale", StandardScaler()),
                     ("clf", SVC() if "clf__C" in space else DecisionTreeClassifier())])
    check_values(parse_search_spaces(space), pipe)


def test_an_estimator_without_declared_constraints_is_not_checked():
    class Free(BaseEstimator):  # no _parameter_constraints
        def __init__(self, x=0.0):
            self.x = x

    check_values(parse_search_spaces({"x": Real(-1e9, 1e9)}), Free())


def test_nothing_is_checked_when_scikit_learn_skips_parameter_validation():
    from sklearn import config_context

    space = parse_search_spaces({"max_iter": [100.0, 300.0]})  # floats, not ints
    with pytest.raises(SearchSpaceError, match="Got 100.0 instead"):
        check_values(space, LogisticRegression())
    with config_context(skip_parameter_validation=True):  # as GridSearchCV then fits
        check_values(space, LogisticRegression())


def test_two_ints_for_a_continuous_parameter_warn_with_the_float_range():
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsClassifier

    with pytest.warns(UserWarning, match=r"Integer 'alpha' searches whole numbers only, "
                                         r"but Ridge's 'alpha' takes any number in between "
                                         r"too\. For a continuous range write floats, "
                                         r"\(0\.0, 10\.0\)"):
        check_values(parse_search_spaces({"alpha": (0, 10)}), Ridge())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Whole numbers as a list; parameters that take integers only.
        check_values(parse_search_spaces({"alpha": range(0, 11)}), Ridge())
        check_values(parse_search_spaces({"max_depth": (1, 10), "max_features": (1, 5),
                                          "min_samples_split": (2, 20)}),
                     DecisionTreeClassifier())
        # It takes floats, but its default is a whole number (p=2): integers
        # are a natural reading of (1, 4).
        check_values(parse_search_spaces({"p": (1, 4)}), KNeighborsClassifier())


def test_an_unnamed_rv_discrete_reads_as_rv_discrete_in_messages():
    from scipy import stats

    dim = to_dimension(stats.rv_discrete(values=([1, 3, 5], [0.2, 0.5, 0.3])), "k")
    assert repr(dim) == ("Distribution(rv_discrete(values=([1, 3, 5], [0.2, 0.5, 0.3])), "
                         "name='k')")
