"""Tests of skhpo.sensitivity: known functions, real searches, errors, plots."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import loguniform, uniform  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn.svm import SVC  # noqa: E402

from skhpo.sensitivity import (  # noqa: E402
    ImportanceDisplay,
    InteractionDisplay,
    MarginalDisplay,
    PairMarginalDisplay,
    SensitivityReport,
    sensitivity_report,
)

N_TRIALS = 200
NOISE = 0.05


def _results(score, sample, n=N_TRIALS, n_splits=5, seed=0):
    """A cv_results_ dict whose split scores are ``score(params)`` + noise."""
    rng = np.random.RandomState(seed)
    params = [sample(rng) for _ in range(n)]
    truth = np.array([score(p) for p in params])
    splits = truth[:, None] + NOISE * rng.randn(n, n_splits)
    results = {"params": params, "mean_test_score": splits.mean(axis=1)}
    for i in range(n_splits):
        results[f"split{i}_test_score"] = splits[:, i]
    return results


def _six(rng):
    return {f"u{i}": rng.uniform(-1, 1) for i in range(1, 7)}


def _with(name, draw):
    def sample(rng):
        params = _six(rng)
        params[name] = draw(rng)
        return params
    return sample


def _imp(report):
    return report.importances.set_index("param")


@pytest.fixture(scope="module")
def product_report():
    results = _results(lambda p: p["u1"] + p["u2"] + p["u1"] * p["u2"], _six)
    return sensitivity_report(results, n_bootstrap=8, random_state=0)


def test_additive_plus_product(product_report):
    imp = _imp(product_report)
    # Var(u1) = Var(u2) = 1/3, Var(u1 u2) = 1/9, of a total 7/9.
    assert imp.main_effect["u1"] == pytest.approx(3 / 7, abs=0.07)
    assert imp.main_effect["u2"] == pytest.approx(3 / 7, abs=0.07)
    top = product_report.interactions.iloc[0]
    assert {top.param_a, top.param_b} == {"u1", "u2"}
    assert top.share == pytest.approx(1 / 7, abs=0.04)
    assert top.ci_low <= top.share <= top.ci_high
    for name in ("u3", "u4", "u5", "u6"):
        assert imp.main_effect[name] <= 0.02
        assert imp.total_effect[name] <= 0.02
        assert not imp.important[name]
    assert imp.important["u1"] and imp.important["u2"]
    # Total effect = main effect + the pair it is in.
    assert imp.total_effect["u1"] == pytest.approx(
        imp.main_effect["u1"] + top.share, abs=0.02)
    assert imp.direction["u1"] == imp.direction["u2"] == "increasing"
    assert imp.spearman_rho["u1"] > 0.5
    assert imp.best_value["u1"] > 0.5
    assert imp.top_quantile_importance["u1"] > 5 * imp.top_quantile_importance["u3"]
    assert (imp.main_effect_ci_low <= imp.main_effect).all()
    assert (imp.main_effect <= imp.main_effect_ci_high).all()
    # Shares are of the surrogate; not rescaled to sum to one.
    diag = product_report.diagnostics
    assert diag["n_trials"] == N_TRIALS and diag["n_failed"] == 0
    assert diag["oob_r2"] > 0.9
    assert diag["unexplained_share"] == pytest.approx(1 - diag["oob_r2"])
    assert 0 <= diag["higher_order_share"] < 0.05
    assert diag["fold_noise_share"] < 0.01
    assert diag["warnings"] == []


def test_interactions_and_marginals_tables(product_report):
    inter = product_report.interactions
    assert list(inter.columns) == ["param_a", "param_b", "share", "ci_low", "ci_high"]
    assert len(inter) == 15
    assert inter.share.is_monotonic_decreasing
    marg = product_report.marginals
    assert list(marg.columns) == ["param", "value", "mean", "ci_low", "ci_high"]
    u1 = marg[marg.param == "u1"]
    # The marginal of u1 + u2 + u1 u2 over u2 is u1 itself.
    assert np.corrcoef(u1.value.astype(float), u1["mean"])[0, 1] > 0.98
    assert (u1.ci_low <= u1["mean"] + 1e-12).all()
    assert u1.value.min() >= -1 and u1.value.max() <= 1
    top = product_report.top_pair_marginal
    assert set(top.param_a) | set(top.param_b) == {"u1", "u2"}
    assert len(top) == 30 * 30


def test_non_monotone_effect_is_important():
    results = _results(lambda p: -p["u1"] ** 2, _six)
    imp = _imp(sensitivity_report(results, n_bootstrap=0, random_state=0))
    assert abs(imp.spearman_rho["u1"]) < 0.2
    assert imp.main_effect["u1"] > 0.9
    assert imp.important["u1"]
    assert imp.direction["u1"] == "non-monotone"
    assert abs(imp.best_value["u1"]) < 0.25
    low, high = imp.good_range["u1"]
    assert -0.5 < low < 0 < high < 0.5


def _learning_rate_results():
    # Equal effects in log space: log10(lr) on [-4, 0] and u1 on [-1, 1],
    # both scaled to a range of 2.
    def sample(rng):
        params = _six(rng)
        params["learning_rate"] = 10 ** rng.uniform(-4, 0)
        return params
    return _results(lambda p: (np.log10(p["learning_rate"]) + 2) / 2 + p["u1"], sample)


def test_log_scale_marginalised_in_log_space():
    results = _learning_rate_results()
    imp = _imp(sensitivity_report(results, params=["learning_rate", "u1", "u2"],
                                  n_bootstrap=0, random_state=0))
    assert imp.scale["learning_rate"] == "log"
    assert imp.main_effect["learning_rate"] == pytest.approx(0.5, abs=0.07)
    assert imp.main_effect["u1"] == pytest.approx(0.5, abs=0.07)
    assert imp.best_value["learning_rate"] > 0.1


def test_log_scale_goes_wrong_in_raw_units():
    # The reference fANOVA's mistake: marginalising lr uniformly in raw units
    # puts 90% of the weight on lr > 0.1, where the effect is nearly flat.
    results = _learning_rate_results()
    imp = _imp(sensitivity_report(results, params=["learning_rate", "u1", "u2"],
                                  scales={"learning_rate": "linear"},
                                  n_bootstrap=0, random_state=0))
    assert imp.scale["learning_rate"] == "linear"
    assert imp.main_effect["learning_rate"] < 0.25
    assert imp.main_effect["u1"] > 0.7


def test_log_scale_from_search_space():
    results = _learning_rate_results()
    search = _FittedSearch(results, {"learning_rate": loguniform(1e-4, 1),
                                     "u1": uniform(-1, 2)})
    imp = _imp(sensitivity_report(search, params=["learning_rate", "u1"],
                                  n_bootstrap=0, random_state=0))
    assert imp.scale["learning_rate"] == "log"
    assert imp.main_effect["learning_rate"] == pytest.approx(0.5, abs=0.07)


def test_categorical_over_valid_levels():
    effect = {"a": -1.0, "b": 0.0, "c": 1.0}
    results = _results(lambda p: effect[p["kind"]] + p["u1"],
                       _with("kind", lambda rng: "abc"[rng.randint(3)]))
    report = sensitivity_report(results, n_bootstrap=4, random_state=0)
    imp = _imp(report)
    # Var over equally weighted levels = 2/3; Var(u1) = 1/3.
    assert imp.scale["kind"] == "categorical"
    assert imp.main_effect["kind"] == pytest.approx(2 / 3, abs=0.07)
    assert imp.main_effect["u1"] == pytest.approx(1 / 3, abs=0.07)
    assert imp.best_value["kind"] == "c"
    assert imp.good_range["kind"] == ("c",)
    assert imp.direction["kind"] == "categorical"
    assert np.isnan(imp.spearman_rho["kind"])
    marg = report.marginals[report.marginals.param == "kind"]
    assert marg.value.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(marg["mean"], [-1, 0, 1], atol=0.1)


class _QuadraticEstimator(BaseEstimator):
    """score() is a known function of the parameters: no data is used."""

    def __init__(self, a=0.0, b=0.0, kind="x", c=0.0):
        self.a, self.b, self.kind, self.c = a, b, kind, c

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        return -2 * self.a ** 2 + 0.5 * self.b + (self.kind == "y") + 0.01 * X[0, 0]


X_TOY = np.random.RandomState(0).randn(60, 1)


class _FittedSearch(BaseEstimator):
    """Stands for a fitted search: cv_results_ and param_distributions."""

    def __init__(self, results, param_distributions):
        self.cv_results_ = results
        self.param_distributions = param_distributions


def test_randomized_search_and_dataframe():
    space = {"a": uniform(-1, 2), "b": uniform(-1, 2), "kind": ["x", "y"],
             "c": loguniform(1e-3, 1e1)}
    search = RandomizedSearchCV(_QuadraticEstimator(), space, n_iter=60, cv=3,
                                random_state=0).fit(X_TOY)
    report = sensitivity_report(search, n_trees=16, n_bootstrap=0, random_state=0)
    assert isinstance(report, SensitivityReport)
    imp = _imp(report)
    assert imp.scale.to_dict() == {"a": "linear", "b": "linear",
                                   "kind": "categorical", "c": "log"}
    assert imp.important["a"] and imp.important["kind"]
    assert not imp.important["c"]
    assert imp.main_effect["c"] < 0.02
    # The same trials as a DataFrame and as a dict: same scales and order.
    frame = sensitivity_report(pd.DataFrame(search.cv_results_), n_trees=16,
                               n_bootstrap=0, random_state=0)
    assert frame.importances.param.tolist() == report.importances.param.tolist()
    assert _imp(frame).scale["kind"] == "categorical"
    plain = sensitivity_report(dict(search.cv_results_), n_trees=16,
                               n_bootstrap=0, random_state=0)
    assert plain.diagnostics["n_trials"] == 60


def test_grid_search_svc():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10, 100],
                                  "gamma": [1e-3, 1e-2, 1e-1, 1]}, cv=3).fit(X, y)
    report = sensitivity_report(search, n_trees=16, n_bootstrap=4, random_state=0)
    imp = _imp(report)
    # Ordinal grids spanning >= 2 decades: log scale, each value one cell.
    assert imp.scale.to_dict() == {"C": "log", "gamma": "log"}
    assert report.diagnostics["n_trials"] == 20
    c_marg = report.marginals[report.marginals.param == "C"]
    assert c_marg.value.min() > 0.001 and c_marg.value.max() < 1000
    # Tiny C underfits on iris: the marginal rises with C.
    assert c_marg["mean"].iloc[-1] > c_marg["mean"].iloc[0]
    assert imp.main_effect.sum() > 0.5


def test_list_of_dicts_grid_and_missing_params():
    X, y = load_iris(return_X_y=True)
    grid = [{"kernel": ["linear"], "C": [0.01, 0.1, 1, 10]},
            {"kernel": ["rbf"], "C": [0.01, 0.1, 1, 10], "gamma": [0.01, 0.1, 1]}]
    search = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    report = sensitivity_report(search, n_trees=16, n_bootstrap=0, random_state=0)
    assert set(report.importances.param) == {"C", "kernel"}
    assert any("gamma" in w for w in report.diagnostics["warnings"])
    rbf = sensitivity_report(search, params=["C", "gamma"], n_trees=16,
                             n_bootstrap=0, random_state=0)
    assert rbf.diagnostics["n_trials"] == 12
    assert any("4 trials lack" in w for w in rbf.diagnostics["warnings"])


def test_halving_search_budgets():
    space = {"a": uniform(-1, 2), "b": uniform(-1, 2)}
    search = HalvingRandomSearchCV(
        _QuadraticEstimator(), space, n_candidates=40, factor=2, cv=3,
        resource="n_samples", min_resources=12, random_state=0).fit(X_TOY)
    budgets = np.asarray(search.cv_results_["n_resources"])
    report = sensitivity_report(search, n_trees=16, n_bootstrap=0, random_state=0)
    chosen = report.diagnostics["budget"]
    assert chosen == max(b for b in set(budgets) if np.sum(budgets == b) >= 8)
    assert report.diagnostics["n_trials"] == np.sum(budgets == chosen)
    corr = report.budget_correlation
    assert {"budget_low", "budget_high", "spearman_rho", "strength"} <= set(corr.columns)
    # The score does not depend on the budget: low budgets rank like high ones.
    first = corr.iloc[0]
    assert first.spearman_rho > 0.9 and first.strength == "very strong"
    low = sensitivity_report(search, budget=int(budgets.min()), n_trees=16,
                             n_bootstrap=0, random_state=0)
    assert low.diagnostics["n_trials"] == 40
    assert _imp(low).main_effect["a"] > _imp(low).main_effect["b"]


@pytest.mark.parametrize("kind", ["skhpo", "sklearn"])
def test_budget_correlation_with_an_estimator_parameter_as_resource(kind):
    # The parameter holding the budget differs between a candidate's rows:
    # the candidates must still be matched across budgets.
    from sklearn.model_selection import KFold

    from skhpo import HyperbandSearchCV

    space = {"a": uniform(-1, 2), "b": uniform(-1, 2)}
    if kind == "skhpo":
        search = HyperbandSearchCV(_QuadraticEstimator(), space, resource="c",
                                   max_resources=9, cv=KFold(3), random_state=0)
    else:
        search = HalvingRandomSearchCV(_QuadraticEstimator(), space, n_candidates=27,
                                       resource="c", min_resources=1, max_resources=9,
                                       cv=KFold(3), random_state=0)
    search.fit(X_TOY)
    corr = sensitivity_report(search, n_trees=8, n_bootstrap=0,
                              random_state=0).budget_correlation
    assert len(corr) >= 1  # pairs of budgets with 3+ shared candidates
    # The score ignores the budget, so every pair of budgets ranks alike.
    assert (corr.spearman_rho > 0.99).all()


def test_pruned_trials_are_left_out():
    results = _results(lambda p: p["u1"], _six, n=60)
    results["pruned"] = np.zeros(60, dtype=bool)
    results["pruned"][:7] = True
    report = sensitivity_report(results, n_trees=8, n_bootstrap=0, random_state=0)
    assert report.diagnostics["n_trials"] == 53
    assert any("7 pruned trials" in w for w in report.diagnostics["warnings"])


def test_failed_fits_are_dropped():
    results = _results(lambda p: p["u1"], _six, n=60)
    results["mean_test_score"][:5] = np.nan
    report = sensitivity_report(results, n_trees=8, n_bootstrap=0, random_state=0)
    assert report.diagnostics["n_failed"] == 5
    assert report.diagnostics["n_trials"] == 55
    assert any("5 trials failed" in w for w in report.diagnostics["warnings"])


def test_concentrated_trials_warn():
    results = _results(lambda p: p["u1"], _with("u2", lambda rng: rng.beta(20, 2)),
                       n=80)
    search = _FittedSearch(results, {"u2": uniform(0, 1)})
    report = sensitivity_report(search, n_trees=8, n_bootstrap=0, random_state=0)
    assert any("concentrated" in w and "'u2'" in w
               for w in report.diagnostics["warnings"])


def test_a_random_search_over_a_few_values_is_not_called_concentrated():
    # A distance from a continuous uniform had flagged a two-valued list in
    # most random searches; the draws are now tested against uniform ones.
    results = _results(lambda p: p["u1"], _with("b", lambda rng: [2, 3][rng.randint(2)]),
                       n=40)
    report = sensitivity_report(results, n_trees=8, n_bootstrap=0, random_state=0)
    assert not any("concentrated" in w for w in report.diagnostics["warnings"])


def test_integer_marginals_are_at_integers():
    results = _results(lambda p: p["u1"] + 0.02 * p["k"], _with("k", lambda rng: rng.randint(1, 50)),
                       n=60)
    report = sensitivity_report(results, n_trees=8, n_bootstrap=0, random_state=0)
    values = report.marginals.loc[report.marginals.param == "k", "value"].tolist()
    assert len(values) > 12 and all(isinstance(v, int) for v in values)
    assert values == sorted(set(values)) and 1 <= values[0] and values[-1] <= 49


def test_trials_tied_at_the_top_quantile_s_cut_share_it():
    # score = a on a 5 x 4 grid: the top 2 of 20 trials are 2 of the 4 tied at
    # a = 4, and which 2 (by row order) had given the irrelevant b a share.
    params = [{"a": a, "b": b} for a in range(5) for b in range(4)]
    results = {"params": params, "mean_test_score": np.array([float(p["a"]) for p in params])}
    imp = _imp(sensitivity_report(results, n_bootstrap=0))
    assert imp.top_quantile_importance["b"] < 1e-3  # was 0.089
    assert imp.top_quantile_importance["a"] > 0.1
    reordered = {k: list(reversed(v)) if k == "params" else v[::-1]
                 for k, v in results.items()}
    again = _imp(sensitivity_report(reordered, n_bootstrap=0))
    pd.testing.assert_series_equal(imp.top_quantile_importance,
                                   again.top_quantile_importance)


def test_same_random_state_same_report():
    results = _results(lambda p: p["u1"] * p["u2"], _six, n=60)
    one = sensitivity_report(results, n_trees=8, n_bootstrap=2, random_state=3)
    two = sensitivity_report(results, n_trees=8, n_bootstrap=2, random_state=3)
    pd.testing.assert_frame_equal(one.importances, two.importances)


def test_multi_metric_selection():
    results = _results(lambda p: p["u1"], _six, n=40)
    results["mean_test_other"] = -np.asarray(results.pop("mean_test_score"))
    results["mean_test_acc"] = results["mean_test_other"] * 0 + np.array(
        [p["u2"] for p in results["params"]])
    with pytest.raises(ValueError, match="several metrics"):
        sensitivity_report(results)
    report = sensitivity_report(results, metric="acc", n_trees=8, n_bootstrap=0,
                                random_state=0)
    assert report.importances.param[0] == "u2"
    assert report.diagnostics["metric"] == "acc"


def test_params_and_scales_take_any_sequence_and_mapping():
    from types import MappingProxyType

    results = _results(lambda p: p["u1"], _six, n=40)
    as_list = sensitivity_report(results, params=["u1", "u2"], scales={"u1": "linear"},
                                 n_trees=8, n_bootstrap=0, random_state=0)
    for params in (np.array(["u1", "u2"]), pd.Index(["u1", "u2"]), ("u1", "u2")):
        other = sensitivity_report(results, params=params,
                                   scales=MappingProxyType({"u1": "linear"}),
                                   n_trees=8, n_bootstrap=0, random_state=0)
        pd.testing.assert_frame_equal(other.importances, as_list.importances)


@pytest.mark.parametrize("make_input, kwargs, error, match", [
    (lambda: RandomizedSearchCV(SVC(), {"C": [1, 2]}), {}, NotFittedError,
     "not fitted yet"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"metric": "f1"},
     ValueError, r"metric='f1' is not in the results.*\['score'\]"),
    (lambda: _results(lambda p: p["u1"], _six, n=5), {}, ValueError,
     "at least 8 successful trials, got 5"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"budget": 10},
     ValueError, "no 'n_resources' or 'iter' column"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"params": ["nope"]},
     ValueError, r"absent from the trials: \['nope'\]"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"scales": {"u1": "cubic"}},
     ValueError, "must be 'linear', 'log' or 'categorical'"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"scales": {"u1": "log"}},
     ValueError, "cannot be on a log scale"),
    (lambda: {"params": [{"a": i} for i in range(10)],
              "mean_test_score": [1.0] * 10}, {}, ValueError, "same score"),
    (lambda: [1, 2, 3], {}, TypeError,
     r"Expected a fitted search \(with cv_results_\), a cv_results_ dict"),
    (lambda: {"mean_test_score": [1.0]}, {}, ValueError, "neither a 'params'"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"n_trees": 0},
     ValueError, "n_trees must be an integer >= 1"),
    # These had given raw Python errors.
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"scales": ["log"]},
     TypeError, r"scales must be a dict of parameter name -> .* got \['log'\]"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"params": 5},
     ValueError, r"params must be a parameter name or a non-empty list .* got params=5"),
    (lambda: _results(lambda p: p["u1"], _six, n=40), {"params": []},
     ValueError, r"non-empty list"),
    (lambda: {"params": [1, 2], "mean_test_score": [0.5, 0.6]}, {}, ValueError,
     r"'params' of a cv_results_ dict are the candidates' parameter dicts, got 1"),
    (lambda: {"params": [{"a": 1}, {"a": 2}], "mean_test_score": [0.5]}, {}, ValueError,
     r"one entry per candidate, 2 here .* got \{'mean_test_score': 1\}"),
])
def test_bad_input(make_input, kwargs, error, match):
    with pytest.raises(error, match=match):
        sensitivity_report(make_input(), **kwargs)


def test_plots(product_report):
    import matplotlib.pyplot as plt

    disp = product_report.plot_importances()
    assert isinstance(disp, ImportanceDisplay)
    labels = [t.get_text() for t in disp.ax_.get_yticklabels()]
    # Largest total effect at the top (the last bar of a barh).
    assert set(labels[-2:]) == {"u1", "u2"}
    assert len(disp.ax_.patches) == 2 * 6
    assert disp.figure_ is disp.ax_.figure

    _, ax = plt.subplots()
    marg = product_report.plot_marginal("u1", ax=ax)
    assert isinstance(marg, MarginalDisplay) and marg.ax_ is ax
    assert ax.get_xlabel() == "u1"
    assert len(ax.collections) == 1  # the band
    assert len(ax.lines) == 2  # the curve and the rug

    inter = product_report.plot_interactions()
    assert isinstance(inter, InteractionDisplay)
    assert inter.shares.shape == (6, 6)
    assert inter.shares[0, 1] == pytest.approx(product_report.interactions.share[0])

    pair = product_report.plot_top_pair()
    assert isinstance(pair, PairMarginalDisplay)
    assert {pair.ax_.get_xlabel(), pair.ax_.get_ylabel()} == {"u1", "u2"}
    plt.close("all")


def test_plots_log_and_categorical():
    import matplotlib.pyplot as plt

    results = _results(lambda p: (p["kind"] == "b") + np.log10(p["lr"]),
                       lambda rng: {"kind": "ab"[rng.randint(2)],
                                    "lr": 10 ** rng.uniform(-3, 0)}, n=60)
    report = sensitivity_report(results, n_trees=8, n_bootstrap=2, random_state=0)
    lr = report.plot_marginal("lr")
    assert lr.ax_.get_xscale() == "log"
    kind = report.plot_marginal("kind")
    assert [t.get_text().split("\n")[0] for t in kind.ax_.get_xticklabels()] == ["a", "b"]
    pair = report.plot_top_pair()
    assert "log" in (pair.ax_.get_xscale(), pair.ax_.get_yscale())
    with pytest.raises(ValueError, match="not in the report"):
        report.plot_marginal("nope")
    plt.close("all")


def test_random_search_with_estimator_valued_param():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=5000))])
    space = {"scale": [StandardScaler(), MinMaxScaler(), None],
             "clf__C": loguniform(1e-4, 1e2)}
    search = RandomizedSearchCV(pipe, space, n_iter=20, cv=3, random_state=0).fit(X, y)
    report = sensitivity_report(search, n_trees=8, n_bootstrap=0, random_state=0)
    imp = _imp(report)
    assert imp.scale.to_dict() == {"scale": "categorical", "clf__C": "log"}
    levels = report.marginals[report.marginals.param == "scale"].value.tolist()
    assert sorted(levels) == ["MinMaxScaler()", "None", "StandardScaler()"]
    assert imp.important["clf__C"]


def test_a_bootstrap_resample_with_one_level_is_left_out_not_fatal():
    """Six trials of one choice and two of the other: some resamples draw a
    single choice, whose forest is constant; the report still comes out."""
    params = [{"clf": "lr"}] * 6 + [{"clf": "rf"}] * 2
    scores = np.array([0.78, 0.78, 0.80, 0.80, 0.81, 0.81, 0.76, 0.78])
    results = {"params": params,
               "param_clf": np.array([p["clf"] for p in params], dtype=object),
               "mean_test_score": scores}
    report = sensitivity_report(results, n_bootstrap=16, random_state=0)
    assert report.importances["main_effect"].tolist() == [pytest.approx(1.0)]
    assert any("bootstrap resamples gave a constant surrogate" in w
               for w in report.diagnostics["warnings"])


# --------------------------------------------------------------------------
# audit of 2026-11-28: results without their search, offsets, reported values


def _pure_interaction_search():
    from sklearn.base import RegressorMixin

    class Product(RegressorMixin, BaseEstimator):
        def __init__(self, a=0.5, b=0.5):
            self.a, self.b = a, b

        def fit(self, X, y):
            return self

        def score(self, X, y):
            return (self.a - 0.5) * (self.b - 0.5)

    X = np.zeros((20, 1))
    return RandomizedSearchCV(Product(), {"a": uniform(0, 1), "b": uniform(0, 1)},
                              n_iter=200, cv=2, random_state=0).fit(X, X[:, 0])


def test_uniform_draws_spanning_two_decades_stay_linear_without_the_search(tmp_path):
    from skhpo import load_results, save_results

    search = _pure_interaction_search()
    # The premise: the smallest draw of b is below a hundredth of the largest.
    b = np.asarray(search.cv_results_["param_b"], dtype=float)
    assert b.max() / b.min() > 100
    save_results(search, tmp_path / "r.json")
    for source in (search, pd.DataFrame(search.cv_results_),
                   load_results(tmp_path / "r.json")):
        report = sensitivity_report(source, n_bootstrap=0, random_state=0)
        assert set(_imp(report).scale) == {"linear"}
        assert report.interactions.share[0] > 0.85
        assert (_imp(report).main_effect < 0.1).all()


def test_saved_results_keep_their_space_scale(tmp_path):
    from skhpo import load_results, save_results

    search = _pure_interaction_search()
    save_results(search, tmp_path / "r.json")
    loaded = load_results(tmp_path / "r.json")
    assert loaded.metadata["search_space"]["subspaces"][0]["scales"] == {
        "a": "linear", "b": "linear"}
    loaded.metadata["search_space"]["subspaces"][0]["scales"]["b"] = "log"
    assert _imp(sensitivity_report(loaded, n_bootstrap=0, random_state=0)
                ).scale["b"] == "log"


def test_a_guessed_log_scale_is_noted():
    results = _learning_rate_results()
    report = sensitivity_report(results, params=["learning_rate", "u1"],
                                n_bootstrap=0, random_state=0)
    assert _imp(report).scale["learning_rate"] == "log"
    assert any("read on a log scale" in w and "learning_rate" in w
               for w in report.diagnostics["warnings"])


def test_shares_do_not_depend_on_a_large_score_offset():
    # A spread of a few hundredths around -9.5e5, as an MSE in natural units.
    base = _results(lambda p: 2 * p["u1"] + p["u2"], _six, seed=3)
    shifted = dict(base)
    for key in base:
        if key != "params":
            base[key] = 0.01 * np.asarray(base[key])
            shifted[key] = base[key] - 9.5e5
    one = _imp(sensitivity_report(base, n_bootstrap=0, random_state=0))
    two = _imp(sensitivity_report(shifted, n_bootstrap=0, random_state=0))
    np.testing.assert_allclose(two.main_effect, one.main_effect, atol=0.01)
    # The marginals stay in score units.
    marg = sensitivity_report(shifted, n_bootstrap=0, random_state=0).marginals
    assert marg["mean"].between(-9.5e5 - 0.1, -9.5e5 + 0.1).all()


def test_grid_best_value_and_range_are_tried_values_within_the_search():
    from sklearn.base import ClassifierMixin

    class Peaked(ClassifierMixin, BaseEstimator):
        def __init__(self, C=1.0, gamma=0.5):
            self.C, self.gamma = C, gamma

        def fit(self, X, y):
            return self

        def score(self, X, y):
            return np.log10(self.C) + 3 * self.gamma

    X, y = np.zeros((20, 1)), np.tile([0, 1], 10)
    grid = {"C": [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000], "gamma": [0.1, 0.5, 0.9]}
    search = GridSearchCV(Peaked(), grid, cv=2).fit(X, y)
    imp = _imp(sensitivity_report(search, n_bootstrap=0, random_state=0))
    assert imp.best_value["C"] == 1000 and imp.best_value["gamma"] == 0.9
    for name in grid:
        low, high = imp.good_range[name]
        assert low in grid[name] and high in grid[name]


def test_continuous_good_range_stays_within_the_values_searched():
    results = _results(lambda p: p["u1"], _six, seed=1)  # best at the top
    top = max(p["u1"] for p in results["params"])
    imp = _imp(sensitivity_report(results, n_bootstrap=0, random_state=0))
    low, high = imp.good_range["u1"]
    assert high <= top and low > 0
    assert imp.best_value["u1"] <= top


def test_categorical_best_value_is_the_value_not_its_label():
    effect = {None: 1.0, 2: 0.0, 3: -1.0}
    results = _results(lambda p: effect[p["max_depth"]] + p["u1"],
                       _with("max_depth", lambda rng: [None, 2, 3][rng.randint(3)]))
    imp = _imp(sensitivity_report(results, params=["max_depth", "u1"],
                                  n_bootstrap=0, random_state=0))
    assert imp.best_value["max_depth"] is None
    assert None in imp.good_range["max_depth"]


def test_cv_results_read_back_from_csv_is_a_clear_error(tmp_path):
    results = _results(lambda p: p["u1"], _six)
    pd.DataFrame(results).to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(ValueError, match="'params' column holds text.*load_results"):
        sensitivity_report(pd.read_csv(tmp_path / "r.csv"))


def test_pruned_trials_are_left_out_of_a_results_frame_too():
    from skhpo import results_frame

    results = _results(lambda p: p["u1"], _six, n=40)
    results["pruned"] = np.arange(40) < 5
    frame = results_frame(results)
    assert "pruned" not in frame and (frame["status"] == "pruned").sum() == 5
    for source in (results, frame):
        report = sensitivity_report(source, n_bootstrap=0, random_state=0)
        assert report.diagnostics["n_trials"] == 35


def test_a_two_number_grid_list_gives_no_scikit_optimize_warning():
    import warnings

    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier

    X, y = load_iris(return_X_y=True)
    grid = {"n_neighbors": [1, 3, 5, 9, 15], "p": [1, 2]}
    search = GridSearchCV(KNeighborsClassifier(), grid, cv=3).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = sensitivity_report(search, n_bootstrap=0)
    assert [str(w.message) for w in caught] == []
    assert report.diagnostics["n_trials"] == 10


def test_fold_noise_share_at_a_hyperband_budget_of_some_splits():
    results = _results(lambda p: p["u1"], _six, n=60, n_splits=9)
    for i in range(3, 9):  # a budget of 3 of 9 splits: the rest never ran
        results[f"split{i}_test_score"] = np.full(60, np.nan)
    report = sensitivity_report(results, n_bootstrap=0, random_state=0)
    assert 0 < report.diagnostics["fold_noise_share"] < 1


def test_spearman_p_value_is_exact_for_few_candidates():
    from skhpo.sensitivity import _spearman

    # Three candidates in reversed order: 2 of the 3! orderings are as extreme,
    # so the exact two-sided p-value is 1/3 (scipy's t approximation says 0).
    rho, p_value = _spearman([1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    assert rho == pytest.approx(-1.0)
    assert p_value == pytest.approx(1 / 3)
    # Four candidates, ranks (1, 2, 4, 3): |rho| >= 0.8 in 8 of 24 orderings
    # (the identity, its reverse and the three adjacent swaps of each).
    rho, p_value = _spearman([1, 2, 3, 4], [10, 20, 40, 30])
    assert rho == pytest.approx(0.8)
    assert p_value == pytest.approx(8 / 24)
    # Many candidates: scipy's value.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(size=30)
    from scipy.stats import spearmanr
    assert _spearman(x, y) == pytest.approx(tuple(spearmanr(x, y)))


def test_budget_correlation_calls_a_reversed_ranking_negative():
    from skhpo.sensitivity import _budget_correlation

    table = _budget_correlation([1] * 3 + [3] * 3, ["a", "b", "c"] * 2,
                                [0.1, 0.2, 0.3, 0.3, 0.2, 0.1])
    row = table.iloc[0]
    assert row.spearman_rho == pytest.approx(-1.0)
    assert row.p_value == pytest.approx(1 / 3)
    assert row.strength == "negative"


def test_a_complete_grid_is_decomposed_exactly_from_its_own_means():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("sc", StandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    grid = GridSearchCV(pipe, {"sc": [StandardScaler(), MinMaxScaler(), "passthrough", None],
                               "clf__C": [0.001, 0.01, 0.1, 1, 10, 100]}, cv=3).fit(X, y)
    frame = pd.DataFrame({"sc": [str(p["sc"]) for p in grid.cv_results_["params"]],
                          "C": [p["clf__C"] for p in grid.cv_results_["params"]],
                          "score": grid.cv_results_["mean_test_score"]})
    reports = [sensitivity_report(grid, n_bootstrap=20, random_state=seed) for seed in (0, 1)]
    for report in reports:
        marginal = report.marginals[report.marginals.param == "sc"].set_index("value")["mean"]
        # The grid's group means: None and "passthrough" are the same pipeline.
        expected = frame.groupby("sc").score.mean()
        for value, mean in marginal.items():
            assert mean == pytest.approx(expected[str(value)])
        assert marginal["None"] == pytest.approx(marginal["passthrough"])
        assert "complete grid" in " ".join(report.diagnostics["warnings"])
    # No surrogate, no randomness in the estimates (the intervals resample splits).
    pd.testing.assert_series_equal(reports[0].importances.main_effect,
                                   reports[1].importances.main_effect)
    table = frame.pivot(index="sc", columns="C", values="score").to_numpy()
    centred = table - table.mean()
    # The variance components of a two-way table of means over 3 folds, each
    # less what the fold noise adds to it (random-effects ANOVA).
    splits = np.column_stack([grid.cv_results_[f"split{k}_test_score"] for k in range(3)])
    residual = (splits - splits.mean(axis=1, keepdims=True)
                - splits.mean(axis=0, keepdims=True) + splits.mean())
    noise = np.sum(residual**2) / ((24 - 1) * (3 - 1)) / 3
    signal = np.mean(centred**2) - noise * 23 / 24
    main_sc = (np.mean(centred.mean(axis=1) ** 2) - noise * 3 / 24) / signal
    imp = reports[0].importances.set_index("param")
    assert imp.main_effect["sc"] == pytest.approx(main_sc)
    assert reports[0].diagnostics["oob_r2"] == pytest.approx(signal / np.mean(centred**2))
    assert imp.main_effect_ci_low["sc"] <= main_sc <= imp.main_effect_ci_high["sc"]


def _grid_results(score, seed, n_splits=5):
    """A 4 x 3 grid's cv_results_: ``score(a, b)`` plus unit noise per split."""
    rng = np.random.RandomState(seed)
    params = [{"a": a, "b": b} for a in range(4) for b in range(3)]
    splits = np.array([[score(**p)] * n_splits for p in params]) + rng.randn(12, n_splits)
    return {"params": params, "mean_test_score": splits.mean(axis=1),
            **{f"split{k}_test_score": splits[:, k] for k in range(n_splits)}}


def test_fold_noise_in_a_complete_grid_is_not_called_important():
    # Its exact means had taken the noise for effects: on pure noise, both
    # parameters were flagged important, with oob_r2 = 1. The noise is now
    # removed from each component and each total effect is F-tested.
    flagged, r2 = 0, []
    for seed in range(20):
        report = sensitivity_report(_grid_results(lambda a, b: 0.0, seed), n_bootstrap=0)
        flagged += int(report.importances["important"].sum())
        r2.append(report.diagnostics["oob_r2"])
    assert flagged <= 5  # 40 tests at the 5% level: about 2 expected
    assert np.median(r2) < 0.5
    notes = " ".join(report.diagnostics["warnings"])
    assert "noise accounts for" in notes and "Few trials" not in notes
    # A real effect of a (variance 0.31, against 0.2 for the noise of a mean)
    # is still found, and b's absence of one is not mistaken for one.
    report = sensitivity_report(_grid_results(lambda a, b: 0.5 * a, seed=1), n_bootstrap=0)
    imp = _imp(report)
    assert imp.important.to_dict() == {"a": True, "b": False}
    assert imp.main_effect["a"] > 0.9 and imp.main_effect["b"] < 0.05
    assert 0.5 < report.diagnostics["oob_r2"] < 0.9


def test_a_grid_over_some_of_the_varying_parameters_is_left_to_the_forest():
    # params=["u1"] on a random search is a "complete grid" of one column, but
    # its means would not average u2 out: the report read u1 alone as
    # exact, with oob_r2 = 1.
    results = _results(lambda p: p["u2"], _six, n=60)
    report = sensitivity_report(results, params=["u1"], n_bootstrap=0, random_state=0)
    notes = " ".join(report.diagnostics["warnings"])
    assert "a forest is fitted, not the grid's means" in notes and "'u2'" in notes
    assert report.diagnostics["oob_r2"] < 0.3
    assert not _imp(report).important["u1"]


def test_too_few_trials_because_of_params_says_so():
    params = [{"C": c, "g": 1.0} if i < 5 else {"C": c} for i, c in
              enumerate(np.linspace(0.1, 1.0, 35))]
    results = {"params": params, "mean_test_score": np.linspace(0.5, 0.9, 35)}
    with pytest.raises(ValueError, match=r"got 5\. params=\['g', 'C'\] kept only the 5 "
                                         r"of 35 trials that have all of them; analyse "
                                         r"fewer parameters"):
        sensitivity_report(results, params=["g", "C"])


def test_an_infinite_setting_is_a_level_of_its_parameter():
    # C=np.inf (no regularisation) crashed the forest ("Input X contains
    # infinity") and made every marginal of a complete grid read inf.
    settings = [0.01, 0.1, 1.0, np.inf]
    for complete in (True, False):
        results = _results(lambda p: -abs(np.log10(min(p["C"], 1e3)) + 1) + 0.1 * p["u1"],
                           _with("C", lambda rng: settings[rng.randint(4)]), n=40)
        if complete:
            base = {0.01: -1.0, 0.1: 0.0, 1.0: -1.0, np.inf: -4.0}
            params = [{"C": c, "k": k} for c in settings for k in (0, 1)]
            results = {"params": params, "mean_test_score":
                       np.array([base[p["C"]] + 0.1 * p["k"] for p in params])}
        report = sensitivity_report(results, n_bootstrap=0, random_state=0)
        marginal = report.marginals[report.marginals["param"] == "C"]
        assert sorted(map(str, marginal["value"])) == ["0.01", "0.1", "1.0", "inf"]
        assert report.importances.set_index("param").loc["C", "best_value"] == 0.1


def test_loaded_results_are_analysed_over_the_searchs_own_ranges(tmp_path):
    # Saved results keep each numeric dimension's declared range, not only
    # its scale: the report on the file is the report on the search.
    from scipy.stats import loguniform, randint
    from sklearn.base import RegressorMixin

    from skhpo import BayesSearchCV, Integer, Real, load_results, save_results

    class Bumpy(RegressorMixin, BaseEstimator):
        def __init__(self, c=1.0, k=1, m=1.0, d=1, g=1.0):
            self.c, self.k, self.m, self.d, self.g = c, k, m, d, g

        def fit(self, X, y):
            return self

        def score(self, X, y):
            return -(np.log10(self.c) - 1) ** 2 - 0.1 * self.k * self.m + 0.01 * self.d \
                - abs(np.log10(self.g))

    space = {"c": Real(1e-3, 1e3, prior="log-uniform"), "k": Integer(1, 20),
             "m": [0.5, 1.0, 2.0, 4.0], "d": randint(1, 5), "g": loguniform(1e-2, 1e2)}
    X = np.zeros((12, 1))
    search = BayesSearchCV(Bumpy(), space, n_iter=16, n_initial_points=8, cv=2,
                           random_state=0).fit(X, np.zeros(12))
    save_results(search, tmp_path / "r.json")
    live = sensitivity_report(search, n_bootstrap=4, random_state=0)
    loaded = sensitivity_report(load_results(tmp_path / "r.json"), n_bootstrap=4,
                                random_state=0)
    pd.testing.assert_frame_equal(loaded.importances, live.importances)
    # The premise: the tried values alone span less than the declared range.
    c = np.asarray(search.cv_results_["param_c"], dtype=float)
    assert c.min() > 1e-3 and c.max() < 1e3


def _tree_searches():
    """A grid and a Bayes search over integer tree parameters."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.tree import DecisionTreeClassifier

    from skhpo import BayesSearchCV, Integer

    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(DecisionTreeClassifier(random_state=0),
                        {"min_samples_leaf": [1, 10], "max_depth": [1, 2, 3, 4, 5]},
                        cv=3).fit(X, y)
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
                           {"min_samples_leaf": Integer(1, 60), "max_depth": Integer(1, 8)},
                           n_iter=10, n_initial_points=8, cv=3, random_state=0).fit(X, y)
    return grid, search


def test_marginals_are_given_at_values_a_user_can_set():
    # A grid at its tried values; a range within itself (an integer range's
    # cells reach half a unit beyond its ends, and so did the table).
    grid, search = _tree_searches()
    marginals = sensitivity_report(grid, n_bootstrap=0, random_state=0).marginals
    assert marginals[marginals.param == "min_samples_leaf"].value.tolist() == [1, 10]
    marginals = sensitivity_report(search, n_bootstrap=0, random_state=0).marginals
    leaf = marginals[marginals.param == "min_samples_leaf"].value
    assert leaf.min() >= 1 and leaf.max() <= 60


def test_the_top_pair_surface_sits_at_values_a_user_can_set():
    grid, search = _tree_searches()
    pair = sensitivity_report(grid, n_bootstrap=0, random_state=0).top_pair_marginal
    assert sorted(set(pair.value_a) | set(pair.value_b)) == [1, 2, 3, 4, 5, 10]
    assert len(pair) == 2 * 5
    pair = sensitivity_report(search, n_bootstrap=0, random_state=0).top_pair_marginal
    for param, low, high in (("min_samples_leaf", 1, 60), ("max_depth", 1, 8)):
        values = pd.concat([pair.value_a[pair.param_a == param],
                            pair.value_b[pair.param_b == param]]).astype(float)
        assert values.min() >= low and values.max() <= high


def test_the_same_trials_in_another_order_give_the_same_report():
    results = _learning_rate_results()
    frame = pd.DataFrame(results)
    shuffled = frame.sample(frac=1.0, random_state=3)
    a = sensitivity_report(frame, n_bootstrap=2, random_state=0)
    b = sensitivity_report(shuffled, n_bootstrap=2, random_state=0)
    pd.testing.assert_frame_equal(a.importances, b.importances)
    pd.testing.assert_frame_equal(a.marginals, b.marginals)


def test_the_budget_note_lists_only_the_larger_budgets():
    results = _results(lambda p: p["u1"], _six, n=40)
    results["n_resources"] = np.array([1] * 30 + [3] * 9 + [9] * 1)
    report = sensitivity_report(results, n_bootstrap=0, random_state=0)
    assert report.diagnostics["budget"] == 3
    assert any(w.endswith("larger budgets had {9: 1} trials.")
               for w in report.diagnostics["warnings"])


def test_one_beside_one_point_zero_stays_two_settings_from_a_dict():
    # max_features=1 is one feature, 1.0 all of them: from the cv_results_
    # dict alone (no space) the report must not merge them on a numeric axis.
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_features": [1, 2, 0.5, 1.0], "min_samples_leaf": [1, 5]},
                          cv=3).fit(X, y)
    from_search = sensitivity_report(search, n_bootstrap=0, random_state=0)
    from_dict = sensitivity_report(search.cv_results_, n_bootstrap=0, random_state=0)
    columns = ["param", "scale", "main_effect"]
    pd.testing.assert_frame_equal(from_dict.importances[columns],
                                  from_search.importances[columns])
    assert from_dict.importances.set_index("param").scale["max_features"] == "categorical"


def test_pair_plot_cells_are_centred_on_a_log_axis():
    import matplotlib.pyplot as plt

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10], "kernel": ["linear", "rbf"]},
                          cv=3).fit(X, y)
    display = sensitivity_report(search, random_state=0).plot_top_pair()
    coords = display.mesh_.get_coordinates()
    c_edges = coords[:, 0, 1] if display.ax_.get_yscale() == "log" else coords[0, :, 0]
    # Each value of C in the middle of its cell on the log scale, cells equal.
    np.testing.assert_allclose(np.diff(np.log10(c_edges)), 1.0)
    np.testing.assert_allclose(c_edges[0], 0.01 / np.sqrt(10))
    plt.close("all")


def test_default_budget_skips_one_where_every_trial_ties():
    # The 8 survivors of a halving search often tie (iris, a decision tree):
    # that budget explains nothing, the next one down is analysed.
    results = _results(lambda p: p["u1"], _six, n=40)
    results["n_resources"] = np.array([1] * 8 + [3] * 24 + [9] * 8)
    results["mean_test_score"][-8:] = 0.98
    report = sensitivity_report(results, n_bootstrap=0, random_state=0)
    assert report.diagnostics["budget"] == 3
    assert report.diagnostics["n_trials"] == 24
    assert any(w.endswith("larger budgets had {9: 8} trials, all tied at [9].")
               for w in report.diagnostics["warnings"])
    with pytest.raises(ValueError, match=r"trial \(at budget 9\) has the same score"):
        sensitivity_report(results, budget=9)


def test_too_few_trials_because_most_failed_says_so():
    results = _results(lambda p: p["u1"], _six, n=14)
    results["mean_test_score"][5:] = np.nan
    with pytest.raises(ValueError, match=r"got 5\. 9 of 14 trials failed \(NaN score\)"):
        sensitivity_report(results)


def test_a_metric_given_by_its_column_name_is_taken():
    results = _results(lambda p: p["u1"], _six, n=40)
    results["mean_test_f1"] = results.pop("mean_test_score")
    for k in range(5):
        results[f"split{k}_test_f1"] = results.pop(f"split{k}_test_score")
    by_column = sensitivity_report(results, metric="mean_test_f1", n_bootstrap=0,
                                   random_state=0)
    assert by_column.diagnostics["metric"] == "f1"
    pd.testing.assert_frame_equal(
        by_column.importances,
        sensitivity_report(results, metric="f1", n_bootstrap=0, random_state=0).importances)

