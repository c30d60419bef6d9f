"""Tests of skhpo.plotting: the data of each display, its artists, and errors."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import loguniform, randint  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skhpo import (  # noqa: E402
    BayesSearchCV,
    HyperbandSearchCV,
    Real,
    hyperband_schedule,
    load_results,
    results_frame,
    save_results,
)
from skhpo.plotting import (  # noqa: E402
    ConvergenceDisplay,
    HyperbandScheduleDisplay,
    ParallelCoordinatesDisplay,
)

X, Y = load_iris(return_X_y=True)
TREE_SPACE = {"max_depth": randint(1, 10), "min_samples_leaf": randint(1, 20)}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def grid():
    return GridSearchCV(DecisionTreeClassifier(random_state=0),
                        {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 30]},
                        cv=3).fit(X, Y)


@pytest.fixture(scope="module")
def bayes():
    return BayesSearchCV(
        SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": ["linear", "rbf"]},
        n_iter=6, n_initial_points=3, cv=3, random_state=0).fit(X, Y)


@pytest.fixture(scope="module")
def hyperband():
    return HyperbandSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE,
                             cv=KFold(9), random_state=0).fit(X, Y)


@pytest.fixture(scope="module")
def halving():
    return HalvingRandomSearchCV(DecisionTreeClassifier(random_state=0),
                                 {"max_depth": randint(1, 10)}, cv=3,
                                 random_state=0).fit(X, Y)


def _results_with_failed_and_pruned():
    """A cv_results_ dict: completed, failed (NaN) and pruned candidates."""
    nan = np.nan
    split0 = np.array([0.8, nan, 0.7, 0.9, 0.6, 0.95])
    split1 = np.array([0.8, nan, nan, 0.9, 0.6, nan])
    return {
        "params": [{"C": c, "kernel": k} for c, k in
                   [(0.1, "rbf"), (10.0, "linear"), (1.0, "rbf"), (100.0, "rbf"),
                    (0.01, "linear"), (3.0, "rbf")]],
        "mean_test_score": np.array([0.8, nan, 0.7, 0.9, 0.6, 0.95]),
        "split0_test_score": split0,
        "split1_test_score": split1,
        "mean_fit_time": np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        "mean_score_time": np.full(6, 0.5),
        "pruned": np.array([False, False, True, False, False, True]),
    }


# --------------------------------------------------------------------------
# ConvergenceDisplay
# --------------------------------------------------------------------------

def test_convergence_grid_running_max_and_time(grid):
    display = ConvergenceDisplay.from_search(grid).plot()
    scores = grid.cv_results_["mean_test_score"]
    expected = np.maximum.accumulate(scores)
    np.testing.assert_allclose(display.trials["best_so_far"], expected)
    np.testing.assert_array_equal(display.trials["iteration"], np.arange(1, 9))
    # Every candidate scored all 3 splits: time is (fit + score) x 3, summed.
    per_trial = 3 * (grid.cv_results_["mean_fit_time"]
                     + grid.cv_results_["mean_score_time"])
    np.testing.assert_allclose(display.trials["time"], np.cumsum(per_trial))
    assert display.ax_.shape == (2,)
    assert display.figure_ is display.ax_[0].figure
    for panel in ("iteration", "time"):
        np.testing.assert_allclose(display.lines_[panel].get_ydata(), expected)
        assert len(display.points_[panel]["completed"].get_offsets()) == 8
    np.testing.assert_allclose(display.lines_["time"].get_xdata(), np.cumsum(per_trial))
    assert display.full_budget is None


def test_convergence_single_panel_on_given_axes(grid):
    _, ax = plt.subplots()
    display = ConvergenceDisplay.from_search(grid).plot(ax=ax, x="iteration",
                                                        color="C2")
    assert display.ax_ is ax
    assert list(display.lines_) == ["iteration"]
    assert display.lines_["iteration"].get_color() == "C2"
    assert ax.get_ylabel() == "mean test score"


def test_convergence_bayes(bayes):
    display = ConvergenceDisplay.from_search(bayes).plot()
    scores = bayes.cv_results_["mean_test_score"]
    np.testing.assert_allclose(display.lines_["iteration"].get_ydata(),
                               np.fmax.accumulate(scores))
    assert display.trials["best_so_far"].iloc[-1] == pytest.approx(bayes.best_score_)
    assert (display.trials["n_splits_scored"] == 3).all()


def test_convergence_failed_and_pruned_trials():
    display = ConvergenceDisplay.from_results(_results_with_failed_and_pruned())
    trials = display.trials
    assert trials["status"].tolist() == ["completed", "failed", "pruned", "completed",
                                         "completed", "pruned"]
    # Pruned (partial mean) and failed rows never improve the best so far,
    # even the pruned 0.95.
    np.testing.assert_allclose(trials["best_so_far"], [0.8, 0.8, 0.8, 0.9, 0.9, 0.9])
    # A pruned row costs its scored splits only; a failed one all of them.
    np.testing.assert_array_equal(trials["n_splits_scored"], [2, 2, 1, 2, 2, 1])
    np.testing.assert_allclose(trials["cost"], [3.0, 5.0, 3.5, 9.0, 11.0, 6.5])
    display.plot()
    points = display.points_["iteration"]
    np.testing.assert_allclose(points["pruned"].get_offsets(), [[3, 0.7], [6, 0.95]])
    # Failed trials have no score: crosses along the bottom of the axes.
    failed = points["failed"]
    assert failed.get_offsets()[:, 0].tolist() == [2.0]
    assert failed.get_transform() != display.ax_[0].transData


def test_convergence_failed_first_and_last_trials_stay_on_the_axes():
    class FailsAboveTen(LogisticRegression):
        def fit(self, X, y, **kwargs):
            if self.C > 10:
                raise ValueError("diverged")
            return super().fit(X, y, **kwargs)

    with pytest.warns(Warning):
        search = GridSearchCV(FailsAboveTen(max_iter=300),
                              {"C": [100.0, 1.0, 0.1, 1000.0]}, cv=3).fit(X, Y)
    display = ConvergenceDisplay.from_search(search).plot()
    for axis, panel in zip(display.ax_, ("iteration", "time")):
        low, high = axis.get_xlim()
        xs = display.points_[panel]["failed"].get_offsets()[:, 0]
        assert len(xs) == 2 and low < xs.min() and xs.max() < high


def test_convergence_hyperband_full_budget(hyperband):
    display = ConvergenceDisplay.from_search(hyperband).plot()
    res = hyperband.cv_results_
    full = res["n_resources"] == 9
    assert display.full_budget == 9
    assert display.reused_splits
    expected = np.fmax.accumulate(np.where(full, res["mean_test_score"], np.nan))
    np.testing.assert_allclose(display.lines_["iteration"].get_ydata(), expected)
    assert display.trials["best_so_far"].iloc[-1] == pytest.approx(hyperband.best_score_)
    points = display.points_["iteration"]
    assert len(points["lower_budget"].get_offsets()) == (~full).sum()
    assert len(points["completed"].get_offsets()) == full.sum()
    # A promoted row adds only the splits it did not have: its cost is the
    # difference of the (time per split x splits) totals of its two rows.
    per_split = res["mean_fit_time"] + res["mean_score_time"]
    total = per_split * res["n_resources"]
    ids = res["candidate_id"]
    row = int(np.flatnonzero((res["n_resources"] == 3) & (res["bracket"] == 2))[0])
    before = int(np.flatnonzero((ids == ids[row]) & (res["n_resources"] == 1))[0])
    assert display.trials["cost"][row] == pytest.approx(total[row] - total[before])
    assert display.trials["time"].iloc[-1] < total.sum()


def test_convergence_halving(halving):
    display = ConvergenceDisplay.from_search(halving).plot(x="time")
    budgets = halving.cv_results_["n_resources"]
    assert display.full_budget == budgets.max()
    assert not display.reused_splits
    full = budgets == budgets.max()
    expected = np.fmax.accumulate(np.where(full, halving.cv_results_["mean_test_score"],
                                           np.nan))
    np.testing.assert_allclose(display.lines_["time"].get_ydata(), expected)
    assert len(display.points_["time"]["lower_budget"].get_offsets()) == (~full).sum()


def test_convergence_multimetric_default_and_choice():
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_depth": [1, 2, 3]}, cv=3,
                          scoring=["accuracy", "balanced_accuracy"],
                          refit="balanced_accuracy").fit(X, Y)
    assert ConvergenceDisplay.from_search(search).metric == "balanced_accuracy"
    display = ConvergenceDisplay.from_search(search, metric="accuracy")
    np.testing.assert_allclose(display.trials["score"],
                               search.cv_results_["mean_test_accuracy"])
    assert display.plot(x="iteration").ax_.get_ylabel() == "mean test accuracy"
    with pytest.raises(ValueError, match=r"metric='f1' is not a metric.*"
                                         r"\['accuracy', 'balanced_accuracy'\]"):
        ConvergenceDisplay.from_search(search, metric="f1")


def test_convergence_from_loaded_results(bayes, tmp_path):
    save_results(bayes, tmp_path / "search.json")
    loaded = load_results(tmp_path / "search.json")
    from_file = ConvergenceDisplay.from_results(loaded)
    from_search = ConvergenceDisplay.from_search(bayes)
    pd.testing.assert_frame_equal(from_file.trials, from_search.trials)
    from_dict = ConvergenceDisplay.from_results(bayes.cv_results_)
    pd.testing.assert_frame_equal(from_dict.trials, from_search.trials)


def test_convergence_of_results_without_times_says_what_is_missing(grid):
    # Only the time axis needs them: the iteration axis is drawn.
    results = {k: v for k, v in grid.cv_results_.items() if "time" not in k}
    display = ConvergenceDisplay.from_results(results)
    np.testing.assert_allclose(display.trials["best_so_far"],
                               ConvergenceDisplay.from_search(grid).trials["best_so_far"])
    assert len(display.plot(x="iteration").lines_) == 1
    with pytest.raises(ValueError, match=r"no \['mean_fit_time', 'mean_score_time'\], so "
                                         r"there is no time axis\. Use plot\(x='iteration'\)"):
        display.plot()


def test_convergence_errors(grid):
    unfitted = GridSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2]})
    with pytest.raises(NotFittedError, match="not fitted yet"):
        ConvergenceDisplay.from_search(unfitted)
    with pytest.raises(TypeError, match="use ConvergenceDisplay.from_results"):
        ConvergenceDisplay.from_search(grid.cv_results_)
    display = ConvergenceDisplay.from_search(grid)
    with pytest.raises(ValueError, match="x must be 'both', 'iteration' or 'time'"):
        display.plot(x="evaluations")
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must be two Axes"):
        display.plot(ax=ax)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        display.plot(ax="left", x="time")


def test_plot_without_matplotlib(grid, monkeypatch):
    display = ConvergenceDisplay.from_search(grid)  # the data needs no matplotlib
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "skhpo\[plot\]"'):
        display.plot()


# --------------------------------------------------------------------------
# HyperbandScheduleDisplay
# --------------------------------------------------------------------------

def test_schedule_from_table():
    table = hyperband_schedule(27, factor=3)
    display = HyperbandScheduleDisplay.from_schedule(table, resource="n_splits").plot()
    heights = [bar.get_height() for bar in display.bars_]
    assert heights == table["n_candidates"].tolist()
    assert display.ax_.get_yscale() == "log"  # 27 candidates down to 1
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == [str(r) for r in table["n_resources"]]
    assert "n_splits" in display.ax_.get_xlabel()
    # Four brackets: four groups, a one-bar gap between them.
    centres = [bar.get_x() + bar.get_width() / 2 for bar in display.bars_]
    assert np.count_nonzero(np.diff(centres) > 1.5) == 3


def test_schedule_from_hyperband(hyperband):
    display = HyperbandScheduleDisplay.from_search(hyperband).plot(log=False)
    flat = [n for bracket in hyperband.n_candidates_ for n in bracket]
    assert [bar.get_height() for bar in display.bars_] == flat
    assert display.schedule["n_resources"].tolist() == [
        r for bracket in hyperband.n_resources_ for r in bracket]
    assert display.schedule["bracket"].tolist() == [2, 2, 2, 1, 1, 0]
    assert display.ax_.get_yscale() == "linear"
    # The fitted search ran the schedule it previews.
    pd.testing.assert_frame_equal(
        display.schedule, hyperband.schedule()[list(display.schedule.columns)])


def test_schedule_from_halving(halving):
    display = HyperbandScheduleDisplay.from_search(halving).plot()
    assert [bar.get_height() for bar in display.bars_] == list(halving.n_candidates_)
    assert display.schedule["n_resources"].tolist() == list(halving.n_resources_)
    assert display.schedule["bracket"].nunique() == 1
    assert "n_samples" in display.ax_.get_xlabel()


def test_schedule_errors(grid):
    unfitted = HyperbandSearchCV(DecisionTreeClassifier(), TREE_SPACE, cv=KFold(9))
    with pytest.raises(NotFittedError, match=r"from_schedule\(search.schedule\(\)\)"):
        HyperbandScheduleDisplay.from_search(unfitted)
    with pytest.raises(TypeError, match="needs a search that runs rungs.*GridSearchCV"):
        HyperbandScheduleDisplay.from_search(grid)
    with pytest.raises(ValueError, match=r"missing \['n_resources'\]"):
        HyperbandScheduleDisplay.from_schedule(
            pd.DataFrame({"bracket": [0], "rung": [0], "n_candidates": [3]}))
    with pytest.raises(TypeError, match="must be a DataFrame"):
        HyperbandScheduleDisplay.from_schedule([[9, 3, 1]])


# --------------------------------------------------------------------------
# ParallelCoordinatesDisplay
# --------------------------------------------------------------------------

def _n_lines(display):
    return sum(len(c.get_segments()) for c in
               (display.lines_, display.pruned_lines_, display.failed_lines_)
               if c is not None)


def test_failed_trials_of_a_one_parameter_search_still_show():
    # With one parameter a failed trial's line has a single point (no score
    # to join): the crosses are what shows it.
    results = {"params": [{"C": c} for c in (0.1, 1.0, 100.0, 1000.0)],
               "mean_test_score": np.array([0.8, 0.9, np.nan, np.nan])}
    display = ParallelCoordinatesDisplay.from_results(results).plot()
    crosses = display.failed_points_.get_offsets()
    assert len(crosses) == 2
    np.testing.assert_allclose(crosses[:, 0], 0.0)  # on the C axis
    np.testing.assert_allclose(crosses[:, 1], display.coords[2:, 0])


def test_parallel_bayes_log_and_categorical(bayes):
    display = ParallelCoordinatesDisplay.from_search(bayes).plot()
    assert [(a["name"], a["scale"]) for a in display.axes] == [
        ("C", "log"), ("kernel", "categorical"), ("score", "linear")]
    assert _n_lines(display) == len(bayes.cv_results_["params"])
    assert [a.get_yscale() for a in display.param_axes_] == ["log", "linear", "linear"]
    low, high = display.param_axes_[0].get_ylim()
    assert low < 1e-2 and high > 1e2  # the declared range, with a margin
    kernel = display.param_axes_[1]
    assert [t.get_text() for t in kernel.get_yticklabels()] == ["linear", "rbf"]
    # Colours follow the scores; the colorbar spans the scores.
    np.testing.assert_allclose(np.sort(display.lines_.get_array()),
                               np.sort(bayes.cv_results_["mean_test_score"]))
    scores = bayes.cv_results_["mean_test_score"]
    assert display.colorbar_.mappable.norm.vmin == pytest.approx(scores.min())
    assert display.colorbar_.mappable.norm.vmax == pytest.approx(scores.max())
    # Each line passes through its trial's position on every axis.
    segments = display.lines_.get_segments()
    assert all(np.array_equal(seg[:, 0], [0, 1, 2]) for seg in segments)
    assert display.failed_lines_ is None


def test_parallel_sklearn_grid_estimators_and_inferred_log():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    search = GridSearchCV(
        pipe, {"clf": [SVC(), LogisticRegression(max_iter=500)],
               "clf__C": [0.01, 1.0, 100.0], "scale": [StandardScaler(), "passthrough"]},
        cv=3).fit(X, Y)
    display = ParallelCoordinatesDisplay.from_search(search).plot()
    assert _n_lines(display) == 12
    scales = {a["name"]: a["scale"] for a in display.axes}
    # A list of positive numbers over two decades is an ordinal on a log scale.
    assert scales == {"clf": "categorical", "clf__C": "log", "scale": "categorical",
                      "score": "linear"}
    clf_axis = display.param_axes_[0]
    assert [t.get_text() for t in clf_axis.get_yticklabels()] == [
        "SVC", "LogisticRegression"]
    assert display.trials["clf"].tolist().count("SVC") == 6


def test_parallel_two_settings_of_one_estimator_are_two_levels():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    weak, strong = LogisticRegression(C=0.001), LogisticRegression(C=100)
    search = GridSearchCV(pipe, {"clf": [weak, strong]}, cv=3).fit(X, Y)
    display = ParallelCoordinatesDisplay.from_search(search).plot()
    clf = next(a for a in display.axes if a["name"] == "clf")
    assert clf["levels"] == [repr(weak), repr(strong)]
    column = [a["name"] for a in display.axes].index("clf")
    assert display.coords[0, column] != display.coords[1, column]


def test_parallel_numbers_and_none_in_numeric_order_from_results():
    results = {"params": [{"depth": d} for d in (10, None, 2, 4)],
               "param_depth": np.ma.masked_array([10, None, 2, 4], dtype=object),
               "mean_test_score": np.array([0.9, 0.8, 0.7, 0.85])}
    display = ParallelCoordinatesDisplay.from_results(results)
    depth = next(a for a in display.axes if a["name"] == "depth")
    assert depth["levels"] == ["2", "4", "10", "None"]


def test_parallel_joins_the_axes_a_subspace_has():
    """A parameter of one subspace only must still be drawn for its trials."""
    spaces = [{"C": Real(0.1, 10.0, prior="log-uniform"), "kernel": ["linear"]},
              {"degree": [2, 3, 4], "kernel": ["poly"]}]
    search = BayesSearchCV(SVC(), spaces, n_iter=3, n_initial_points=2, cv=3,
                           random_state=0).fit(X, Y)
    display = ParallelCoordinatesDisplay.from_search(search).plot()
    names = [a["name"] for a in display.axes]
    drawn = {name: 0 for name in names}
    for path in display.lines_.get_paths():
        # A NaN vertex would break the line and hide its lone neighbours.
        assert np.isfinite(path.vertices).all()
        # A line breaks at the axis its trial lacks (degree for a C trial):
        # the lone C value before the break is a short dash on its axis.
        for axis in {names[int(round(x))] for x, _ in path.vertices}:
            drawn[axis] += 1
    assert drawn["C"] == 3 and drawn["degree"] == 3 and drawn["kernel"] == 6


def test_parallel_log_integer_axis_keeps_decade_ticks():
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"min_samples_leaf": [1, 10, 100]}, cv=3).fit(X, Y)
    display = ParallelCoordinatesDisplay.from_search(search).plot()
    axis = display.param_axes_[0]
    assert axis.get_yscale() == "log"
    display.figure_.canvas.draw()
    low, high = axis.get_ylim()
    ticks = [t for t in axis.get_yticks() if low <= t <= high]
    assert {1.0, 10.0, 100.0} <= set(np.round(ticks, 9))


def test_parallel_randomized_and_inference():
    search = RandomizedSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2), "degree": randint(1, 4), "tol": [1e-3, 2e-3]},
        n_iter=5, cv=3, random_state=0).fit(X, Y)
    display = ParallelCoordinatesDisplay.from_search(search)
    assert [a["scale"] for a in display.axes] == ["log", "linear", "linear", "linear"]
    # Without the space, the scale is inferred: C spans over two decades (log
    # if its sample does), tol does not.
    inferred = ParallelCoordinatesDisplay.from_results(search.cv_results_)
    c = np.array([p["C"] for p in search.cv_results_["params"]])
    expected = "log" if c.max() / c.min() >= 100 else "linear"
    assert inferred.axes[0]["scale"] == expected
    assert inferred.axes[2]["scale"] == "linear"
    subset = ParallelCoordinatesDisplay.from_search(search, params=["tol", "C"])
    assert [a["name"] for a in subset.axes] == ["tol", "C", "score"]


def test_parallel_failed_in_grey_and_pruned_dashed():
    display = ParallelCoordinatesDisplay.from_results(
        _results_with_failed_and_pruned()).plot()
    assert len(display.lines_.get_segments()) == 3
    assert len(display.pruned_lines_.get_segments()) == 2
    assert len(display.failed_lines_.get_segments()) == 1
    assert _n_lines(display) == 6
    np.testing.assert_allclose(display.failed_lines_.get_colors()[0][:3], [0.6] * 3)
    assert display.axes[0]["scale"] == "log"  # 0.01 to 100, inferred
    # The best completed trial is drawn last (on top).
    assert display.lines_.get_array()[-1] == 0.9


def test_parallel_hyperband_budget(hyperband):
    full = ParallelCoordinatesDisplay.from_search(hyperband).plot()
    res = hyperband.cv_results_
    assert _n_lines(full) == (res["n_resources"] == 9).sum()
    every = ParallelCoordinatesDisplay.from_search(hyperband, budget="all")
    assert len(every.trials) == len(res["params"])
    # randint(1, 10) is declared: linear, with integer ticks.
    assert full.axes[0]["scale"] == "linear" and full.axes[0]["integer"]


def test_parallel_errors(bayes):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        ParallelCoordinatesDisplay.from_search(
            BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2)}))
    with pytest.raises(ValueError, match=r"unknown \['gamma'\]; the search has"):
        ParallelCoordinatesDisplay.from_search(bayes, params=["gamma"])
    with pytest.raises(ValueError, match="metric='f1' is not a metric"):
        ParallelCoordinatesDisplay.from_search(bayes, metric="f1")
    with pytest.raises(ValueError, match="budget must be 'full'"):
        ParallelCoordinatesDisplay.from_search(bayes, budget="max")


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    import sys

    from skhpo._matplotlib import axes_or_new

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match=r'pip install "skhpo\[plot\]"'):
        axes_or_new(None)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes.*got str"):
        axes_or_new("not axes")


def _all_failed_results():
    results = _results_with_failed_and_pruned()
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        results[key] = np.full(6, np.nan)
    results["pruned"] = np.zeros(6, dtype=bool)
    return results


def test_parallel_drawn_twice_on_one_axes_replaces_its_drawing(bayes):
    _, ax = plt.subplots()
    display = ParallelCoordinatesDisplay.from_search(bayes)
    display.plot(ax=ax)
    n_axes = len(ax.figure.axes)  # the Axes, one twin per parameter, the colorbar
    display.plot(ax=ax)
    assert len(ax.figure.axes) == n_axes
    assert len(ax.collections) == 1  # the completed trials, once
    # Another display drawn there, then the first again: each replaces the
    # drawing on the Axes, whichever display made it.
    other = ParallelCoordinatesDisplay.from_search(bayes)
    other.plot(ax=ax)
    display.plot(ax=ax)
    assert len(ax.figure.axes) == n_axes and len(ax.collections) == 1


def test_convergence_curves_add_up_but_replace_or_are_replaced_by_other_plots(bayes,
                                                                             hyperband):
    _, ax = plt.subplots()
    ConvergenceDisplay.from_search(bayes).plot(ax=ax, x="iteration")
    n_lines = len(ax.lines)
    ConvergenceDisplay.from_search(hyperband).plot(ax=ax, x="iteration")
    assert len(ax.lines) == 2 * n_lines  # two searches compared
    ParallelCoordinatesDisplay.from_search(bayes).plot(ax=ax)
    assert len(ax.lines) == 0 and ax.get_legend() is None  # no convergence underneath
    assert ax.get_xlabel() == ""
    ConvergenceDisplay.from_search(bayes).plot(ax=ax, x="iteration")
    assert len(ax.lines) == n_lines and len(ax.figure.axes) == 1  # colorbar gone too
    HyperbandScheduleDisplay.from_search(hyperband).plot(ax=ax)
    assert "iteration" not in ax.get_xlabel() and len(ax.lines) < n_lines
    # A convergence figure of its own takes another search's curves too.
    display = ConvergenceDisplay.from_search(bayes).plot()
    ConvergenceDisplay.from_search(hyperband).plot(ax=display.ax_)
    assert [len(a.lines) for a in display.ax_] == [2 * n_lines] * 2


def test_parallel_coordinates_from_a_saved_file_are_those_of_the_search(tmp_path):
    from skhpo import Integer, Real, load_results, save_results

    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
                           {"min_impurity_decrease": Real(1e-4, 0.5, prior="log-uniform"),
                            "max_depth": Integer(1, 30), "min_samples_leaf": [1, 2, 4, 8]},
                           n_iter=6, n_initial_points=4, cv=3, random_state=0).fit(X, y)
    save_results(search, tmp_path / "r.json")
    live = ParallelCoordinatesDisplay.from_search(search)
    loaded = ParallelCoordinatesDisplay.from_results(load_results(tmp_path / "r.json"))
    scales = {a["name"]: a["scale"] for a in live.axes}
    assert scales["min_impurity_decrease"] == "log"  # the premise
    assert loaded.axes == live.axes  # scales and declared limits alike
    np.testing.assert_allclose(loaded.coords, live.coords)


def test_two_searches_on_one_axes_get_a_colour_and_label_each(bayes, hyperband):
    from matplotlib.colors import to_rgba

    _, ax = plt.subplots()
    first = ConvergenceDisplay.from_search(bayes).plot(ax=ax, x="iteration",
                                                        label="bayes")
    second = ConvergenceDisplay.from_search(hyperband).plot(ax=ax, x="iteration")
    third = ConvergenceDisplay.from_search(bayes).plot(ax=ax, x="iteration",
                                                        color="purple", label="again")
    # Alone, a search's curve is black; beside another, it takes its trials'
    # colour, and an unnamed search is "search <n>" in the legend.
    assert first.lines_["iteration"].get_color() == "C0"
    assert second.lines_["iteration"].get_color() == "C1"
    trials = second.points_["iteration"]["completed"]
    assert tuple(trials.get_facecolor()[0][:3]) == to_rgba("C1")[:3]
    assert tuple(third.points_["iteration"]["completed"].get_facecolor()[0][:3]) \
        == to_rgba("purple")[:3]
    labels = ax.get_legend_handles_labels()[1]
    assert "bayes: trial" in labels and "again: trial" in labels
    assert "search 2: trial" in labels and "search 2: best so far (full budget, " \
        "n_resources=9)" in labels
    _, ax = plt.subplots()
    alone = ConvergenceDisplay.from_search(bayes).plot(ax=ax, x="iteration")
    assert alone.lines_["iteration"].get_color() == "k"
    ConvergenceDisplay.from_search(hyperband).plot(ax=ax, x="iteration")
    labels = ax.get_legend_handles_labels()[1]
    assert "search 1: trial" in labels and "search 2: trial" in labels


def test_parallel_own_figure_leaves_a_users_tight_layout_working(bayes):
    import warnings

    display = ParallelCoordinatesDisplay.from_search(bayes).plot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # constrained layout + colorbar refused it
        plt.tight_layout()
    renderer = display.figure_.canvas.get_renderer()
    box = display.figure_.bbox
    # The parameter names and the colorbar label stay on the canvas.
    for text in [*display.ax_.get_xticklabels(), display.colorbar_.ax.yaxis.label]:
        extent = text.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1


def test_plots_of_an_all_failed_search_show_no_made_up_scores():
    results = _all_failed_results()
    parallel = ParallelCoordinatesDisplay.from_results(results).plot()
    assert parallel.colorbar_ is None
    assert list(parallel.param_axes_[-1].get_yticks()) == []  # the score axis
    assert "no trial has a score" in " ".join(t.get_text() for t in parallel.ax_.texts)
    convergence = ConvergenceDisplay.from_results(results).plot(x="iteration")
    assert list(convergence.ax_.get_yticks()) == []
    assert "no trial has a score" in " ".join(t.get_text() for t in convergence.ax_.texts)


def test_every_plots_own_figure_leaves_a_users_tight_layout_silent(bayes, hyperband):
    import warnings

    for display in (ConvergenceDisplay.from_search(bayes).plot(),
                    ConvergenceDisplay.from_search(bayes).plot(x="iteration"),
                    HyperbandScheduleDisplay.from_search(hyperband).plot()):
        with warnings.catch_warnings():
            # "The figure layout has changed to tight" on constrained figures.
            warnings.simplefilter("error")
            display.figure_.tight_layout()
        plt.close(display.figure_)


def test_each_plot_drawn_again_on_its_axes_replaces_itself():
    from skhpo import check_robustness, sensitivity_report

    X, y = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_features=1, random_state=0)
    grid = GridSearchCV(tree, {"max_depth": [1, 2, 3], "min_samples_leaf": [1, 5, 20]},
                        cv=3).fit(X, y)
    robustness = check_robustness(grid, X, y, seeds=2, top_k=3, random_state=0)
    report = sensitivity_report(grid, n_bootstrap=0)
    draws = [lambda ax: robustness.plot(kind="strip", ax=ax),
             lambda ax: robustness.plot(kind="heatmap", ax=ax),
             lambda ax: report.plot_importances(ax=ax),
             lambda ax: report.plot_marginal("max_depth", ax=ax),
             lambda ax: report.plot_interactions(ax=ax),
             lambda ax: report.plot_top_pair(ax=ax)]
    for draw in draws:
        _, ax = plt.subplots()
        draw(ax)
        n_axes, n_legend = len(ax.figure.axes), len(ax.get_legend_handles_labels()[0])
        ylim = ax.get_ylim()
        draw(ax)
        # No second colorbar or legend, and the strip keeps its order (its
        # invert_yaxis() turned it upside down).
        assert len(ax.figure.axes) == n_axes
        assert len(ax.get_legend_handles_labels()[0]) == n_legend
        assert ax.get_ylim() == ylim
        plt.close(ax.figure)


def test_parallel_colorbar_of_one_score_spans_the_score_axis():
    results = {"params": [{"a": 1}, {"a": 2}, {"a": 3}],
               "mean_test_score": np.array([0.93, 0.93, 0.93])}
    display = ParallelCoordinatesDisplay.from_results(results).plot()
    # matplotlib widened 0.93..0.93 to 0.84..1.02.
    assert display.colorbar_.norm.vmin == pytest.approx(0.92)
    assert display.colorbar_.norm.vmax == pytest.approx(0.94)
    plt.close(display.figure_)


def test_convergence_from_a_frame_sorted_by_score_keeps_the_run_order():
    search = RandomizedSearchCV(SVC(), {"C": loguniform(1e-3, 1e3)}, n_iter=8, cv=3,
                                random_state=0).fit(X, Y)
    expected = search.cv_results_["mean_test_score"]
    frame = results_frame(search)  # best first
    assert frame["mean_test_score"].tolist() != expected.tolist()
    trials = ConvergenceDisplay.from_results(frame).trials
    np.testing.assert_array_equal(trials["score"], expected)
    shuffled = pd.DataFrame(search.cv_results_).sample(frac=1, random_state=0)
    np.testing.assert_array_equal(
        ConvergenceDisplay.from_results(shuffled).trials["score"], expected)


def test_parallel_coordinates_keep_one_and_one_point_zero_apart():
    search = GridSearchCV(DecisionTreeClassifier(random_state=0),
                          {"max_features": [1, 2, 0.5, 1.0]}, cv=3).fit(X, Y)
    for display in (ParallelCoordinatesDisplay.from_results(search.cv_results_),
                    ParallelCoordinatesDisplay.from_search(search)):
        axis = display.axes[0]
        assert axis["scale"] == "categorical"
        assert sorted(axis["levels"]) == ["0.5", "1", "1.0", "2"]


# --------------------------------------------------------------- review fixes
def test_a_metric_that_scored_is_not_plotted_as_failed_because_another_failed():
    # SVC has no predict_proba: the log loss fails on every split, the
    # accuracy (the refit metric) does not. n_failed_splits had counted the
    # log loss's failures, and the plots drew every trial as failed.
    search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=4,
                           n_initial_points=2, cv=3, random_state=0, refit="acc",
                           scoring={"acc": "accuracy", "nll": "neg_log_loss"})
    with pytest.warns(UserWarning):
        search.fit(X, Y)
    assert search.cv_results_["n_failed_splits"].tolist() == [0, 0, 0, 0]
    assert np.isnan(search.cv_results_["mean_test_nll"]).all()
    convergence = ConvergenceDisplay.from_search(search)
    assert (convergence.trials["status"] == "completed").all()
    assert convergence.trials["best_so_far"].iloc[-1] == pytest.approx(search.best_score_)
    nll = ConvergenceDisplay.from_search(search, metric="mean_test_nll")  # the column's name
    assert (nll.trials["status"] == "failed").all()


def _two_kernels(n=8):
    """A list-of-dicts space's results: gamma only for the rbf trials, C as a
    two-value list for linear and log-uniform for rbf."""
    rng = np.random.RandomState(0)
    params = [{"kernel": "linear", "C": [1.0, 10.0][i % 2]} for i in range(n)] + \
        [{"kernel": "rbf", "C": float(10 ** rng.uniform(-2, 2)),
          "gamma": float(10 ** rng.uniform(-4, 0))} for _ in range(n)]
    return params, np.linspace(0.5, 0.9, 2 * n)


def test_parallel_lines_break_at_an_axis_their_trial_lacks():
    params, scores = _two_kernels()
    display = ParallelCoordinatesDisplay.from_results(
        {"params": params, "mean_test_score": scores}).plot()
    names = [a["name"] for a in display.axes]
    gamma_x = names.index("gamma")
    for segment, trial in zip(display.lines_.get_segments(), display.lines_.get_array()):
        row = int(np.flatnonzero(scores == trial)[0])
        if "gamma" not in params[row]:
            # No point of a linear-kernel line is on the gamma axis.
            assert not np.any(np.isclose(segment[:, 0], gamma_x))


def test_subspaces_that_declare_a_parameter_differently_leave_its_scale_to_its_values():
    from sklearn.datasets import load_iris as load

    X_, y_ = load(return_X_y=True)
    search = RandomizedSearchCV(
        SVC(), [{"kernel": ["linear"], "C": [1.0, 10.0]},
                {"kernel": ["rbf"], "C": loguniform(1e-2, 1e2),
                 "gamma": loguniform(1e-4, 1)}], n_iter=10, cv=3, random_state=0).fit(X_, y_)
    axes = {a["name"]: a["scale"] for a in ParallelCoordinatesDisplay.from_search(search).axes}
    assert axes["C"] == "log" and axes["gamma"] == "log"


def test_failed_trials_under_a_numeric_error_score_do_not_stretch_the_score_axis():
    results = _results_with_failed_and_pruned()
    results["mean_test_score"] = np.where(np.isnan(results["mean_test_score"]), 0.0,
                                          results["mean_test_score"])
    results["n_failed_splits"] = np.array([0, 2, 0, 0, 0, 0])
    display = ParallelCoordinatesDisplay.from_results(results).plot()
    assert display.axes[-1]["low"] > 0.5  # not down to the failed trial's 0.0
    assert display.colorbar_.norm.vmin >= 0.6


def test_a_hyperband_search_stopped_early_is_labelled_as_such():
    calls = []

    def stop_after_two_rungs(result):
        calls.append(result)
        return len(calls) >= 2

    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), TREE_SPACE,
                               cv=KFold(9), random_state=0)
    with pytest.warns(UserWarning, match="before any candidate reached the full budget"):
        search.fit(X, Y, callback=stop_after_two_rungs)
    schedule = HyperbandScheduleDisplay.from_search(search)
    # The first bracket is s=2 (three rungs planned), not s=1 as its two rungs suggested.
    assert schedule.schedule["bracket"].tolist() == [2, 2]
    assert "stopped early" in schedule.plot().ax_.get_title()
    convergence = ConvergenceDisplay.from_search(search).plot()
    assert convergence.planned_budget == 9
    assert "largest budget reached, n_resources=3 of 9" in \
        convergence.lines_["iteration"].get_label()


def test_the_schedule_of_saved_results_is_the_search_s(hyperband, halving, tmp_path):
    path = tmp_path / "hb.json"
    save_results(hyperband, path)
    loaded = load_results(path)
    pd.testing.assert_frame_equal(HyperbandScheduleDisplay.from_results(loaded).schedule,
                                  HyperbandScheduleDisplay.from_search(hyperband).schedule)
    assert HyperbandScheduleDisplay.from_results(loaded).resource == "n_splits"
    pd.testing.assert_frame_equal(
        HyperbandScheduleDisplay.from_results(halving.cv_results_).schedule,
        HyperbandScheduleDisplay.from_search(halving).schedule)
    with pytest.raises(TypeError, match="For loaded results use "
                                        "HyperbandScheduleDisplay.from_results"):
        HyperbandScheduleDisplay.from_search(loaded)


def test_a_plot_drawn_over_another_starts_from_a_clean_axes(bayes):
    from skhpo import sensitivity_report

    fig, ax = plt.subplots()
    position = ax.get_position().bounds
    ParallelCoordinatesDisplay.from_search(bayes).plot(ax=ax)
    HyperbandScheduleDisplay.from_schedule(hyperband_schedule(9)).plot(ax=ax)
    assert all(spine.get_visible() for spine in ax.spines.values())
    assert np.allclose(ax.get_position().bounds, position)  # the colorbar's room back
    search = RandomizedSearchCV(SVC(), {"C": loguniform(1e-2, 1e2),
                                        "gamma": loguniform(1e-3, 1)},
                                n_iter=20, cv=3, random_state=0).fit(X, Y)
    report = sensitivity_report(search, n_bootstrap=2, random_state=0)
    report.plot_interactions(ax=ax)
    report.plot_top_pair(ax=ax)
    assert ax.get_aspect() == "auto"  # the heatmap's equal aspect is gone


def test_sensitivity_plots_label_estimators_by_class_name():
    from sklearn.preprocessing import MinMaxScaler, RobustScaler

    from skhpo import sensitivity_report

    pipe = Pipeline([("sc", StandardScaler()), ("clf", SVC())])
    search = RandomizedSearchCV(
        pipe, {"sc": [StandardScaler(), MinMaxScaler(), RobustScaler(quantile_range=(10, 90))],
               "clf__C": loguniform(1e-2, 1e2)}, n_iter=20, cv=3, random_state=0).fit(X, Y)
    display = sensitivity_report(search, n_bootstrap=2, random_state=0).plot_marginal("sc")
    labels = [t.get_text().split("\n")[0] for t in display.ax_.get_xticklabels()]
    assert sorted(labels) == ["MinMaxScaler", "RobustScaler", "StandardScaler"]


def test_parallel_params_and_from_search_inputs_are_checked(bayes):
    assert [a["name"] for a in
            ParallelCoordinatesDisplay.from_search(bayes, params="C").axes] == ["C", "score"]
    with pytest.raises(ValueError, match=r"params must name one or more parameters of the "
                                         r"search, got no name"):
        ParallelCoordinatesDisplay.from_search(bayes, params=[])
    with pytest.raises(TypeError, match=r"expects a fitted search .* got "
                                        r"DecisionTreeClassifier, which is not a search"):
        ParallelCoordinatesDisplay.from_search(DecisionTreeClassifier().fit(X, Y))


def test_a_plot_drawn_again_stays_in_a_constrained_layout(bayes):
    fig, axes = plt.subplots(1, 2, layout="constrained")
    ParallelCoordinatesDisplay.from_search(bayes).plot(ax=axes[0])
    ParallelCoordinatesDisplay.from_search(bayes).plot(ax=axes[0])
    assert axes[0].get_in_layout()


def test_a_figure_option_given_to_plot_is_refused_before_a_figure_is_made(bayes):
    n_figures = len(plt.get_fignums())
    for display in (ConvergenceDisplay.from_search(bayes),
                    ParallelCoordinatesDisplay.from_search(bayes),
                    HyperbandScheduleDisplay.from_schedule(hyperband_schedule(9))):
        with pytest.raises(TypeError, match=r"takes no \['figsize'\]: make the figure with "
                                            r"plt.subplots\(figsize=...\)"):
            display.plot(figsize=(5, 3))
    assert len(plt.get_fignums()) == n_figures


def test_the_iteration_axis_has_whole_ticks(bayes):
    display = ConvergenceDisplay.from_search(bayes).plot(x="iteration")
    ticks = display.ax_.get_xticks()
    assert len(ticks) > 1 and all(float(t).is_integer() for t in ticks)
