"""skhpo.callbacks: the stoppers on hand-made results and in a search."""

import time

import numpy as np
import pytest
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold

from skhpo import BayesSearchCV, HyperbandSearchCV, Real
from skhpo.callbacks import DeadlineStopper, DeltaYStopper

X0, y0 = np.zeros((10, 1)), np.zeros(10)


class Slow(BaseEstimator, RegressorMixin):
    """Sleeps ``delay`` seconds per fit; the score is a function of ``x``."""

    def __init__(self, x=0.0, delay=0.02):
        self.x = x
        self.delay = delay

    def fit(self, X, y=None):
        time.sleep(self.delay)
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -(self.x - 0.3) ** 2


def test_deadline_stops_when_the_longest_batch_would_overrun():
    stopper = DeadlineStopper(total_time=4.5)
    answers = [stopper(OptimizeResult(elapsed_time=t)) for t in (1.0, 2.0, 3.0, 4.0)]
    # At 3 s the longest batch (1 s) still fits in 4.5 s; at 4 s it does not.
    assert answers == [False, False, False, True]
    assert stopper.iter_time == [1.0, 1.0, 1.0, 1.0]
    # A slow batch counts from then on.
    stopper = DeadlineStopper(total_time=10.0)
    assert [stopper(OptimizeResult(elapsed_time=t)) for t in (1.0, 5.0, 6.5)] == \
        [False, False, True]
    # A new search (its clock starts again) forgets the old batches.
    assert stopper(OptimizeResult(elapsed_time=0.5)) is False
    assert stopper.iter_time == [0.5]


def test_deadline_ends_a_search_within_its_budget():
    search = BayesSearchCV(Slow(), {"x": Real(-1.0, 1.0)}, n_iter=200, cv=2,
                           n_initial_points=3, random_state=0, refit=False)
    start = time.monotonic()
    search.fit(X0, y0, callback=DeadlineStopper(total_time=1.0))
    elapsed = time.monotonic() - start
    n = len(search.cv_results_["params"])
    # Each candidate costs two 0.02 s fits: at most 25 fit in the budget.
    assert 3 <= n <= 25
    assert elapsed < 1.0 + 0.5  # the slack covers one slower batch


def test_deadline_of_nothing_stops_after_the_first_batch():
    search = BayesSearchCV(Slow(delay=0.0), {"x": Real(-1.0, 1.0)}, n_iter=10, cv=2,
                           n_points=2, random_state=0, refit=False)
    search.fit(X0, y0, callback=DeadlineStopper(total_time=1e-9))
    assert len(search.cv_results_["params"]) == 2


def test_delta_y_stops_when_the_best_scores_agree():
    stopper = DeltaYStopper(delta=0.1, n_best=3)
    # Losses (minus the scores); inf is a failed candidate and does not count.
    assert stopper(OptimizeResult(func_vals=np.array([1.0, 0.5, np.inf]))) is False
    assert stopper(OptimizeResult(func_vals=np.array([1.0, 0.5, 0.9, np.inf]))) is False
    assert stopper(OptimizeResult(func_vals=np.array([1.0, 0.5, 0.9, 0.55, 0.58]))) is True


def test_delta_y_in_a_search():
    # A flat objective: every score is 0, so the search stops at n_best.
    search = BayesSearchCV(Slow(delay=0.0), {"x": Real(0.3, 0.3 + 1e-9)}, n_iter=20,
                           cv=2, n_initial_points=2, random_state=0, refit=False)
    search.fit(X0, y0, callback=DeltaYStopper(delta=1e-6, n_best=4))
    assert len(search.cv_results_["params"]) == 4


@pytest.mark.parametrize("make, message", [
    (lambda: DeadlineStopper(0), "total_time must be a positive number, got 0"),
    (lambda: DeadlineStopper("60"), "total_time must be a positive number, got '60'"),
    (lambda: DeltaYStopper(-0.1), "delta must be a number >= 0, got -0.1"),
    (lambda: DeltaYStopper(0.1, n_best=0), "n_best must be a positive integer, got 0"),
])
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ------------------------------------------------------------- Hyperband
def _hyperband(**kwargs):
    # 9 splits, factor 3: brackets of 3, 2 and 1 rungs, run one after another.
    return HyperbandSearchCV(Slow(delay=0.0), {"x": Real(-1.0, 1.0)}, cv=KFold(9),
                             random_state=0, **kwargs)


def test_hyperband_calls_back_after_every_rung_with_the_full_budget_results():
    X, y = np.zeros((18, 1)), np.zeros(18)
    calls = []
    search = _hyperband().fit(X, y, callback=lambda r: calls.append(r) and False)
    assert search.n_iterations_ == 6 and len(calls) == 6
    fold_fits = [r.n_fold_fits for r in calls]
    assert fold_fits == sorted(fold_fits) and fold_fits[-1] == search.n_fold_fits_
    assert [r.elapsed_time for r in calls] == sorted(r.elapsed_time for r in calls)
    last, results = calls[-1], search.cv_results_
    assert len(last.cv_results["params"]) == len(results["params"])
    full = np.flatnonzero(results["n_resources"] == 9)
    # x_iters: the candidates scored on all 9 splits, with minus their scores.
    assert sorted(map(repr, last.x_iters)) == sorted(repr(results["params"][i]) for i in full)
    np.testing.assert_allclose(sorted(last.func_vals),
                               sorted(-results["mean_test_score"][full]))
    assert last.x == search.best_params_ and last.fun == -search.best_score_


def test_hyperband_stopped_by_a_callback_keeps_what_ran():
    X, y = np.zeros((18, 1)), np.zeros(18)
    with pytest.warns(UserWarning, match=r"before any candidate reached the full budget "
                                         r"\(n_splits=9\).* n_splits=1, a less reliable"):
        search = _hyperband().fit(X, y, callback=DeadlineStopper(total_time=1e-9))
    # Stopped after bracket 2's first rung: 9 candidates on 1 split each.
    assert search.n_iterations_ == 1
    assert search.n_resources_ == [[1], [], []]
    assert search.n_candidates_ == [[9], [], []]
    assert search.n_fold_fits_ == 9 and len(search.cv_results_["params"]) == 9
    best = np.argmax(search.cv_results_["mean_test_score"])
    assert search.best_params_ == search.cv_results_["params"][best]
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("stop_at, ran", [
    (1, [[1], [], []]), (2, [[1, 3], [], []]), (4, [[1, 3, 9], [3], []])])
def test_hyperband_stops_at_the_same_point_whatever_n_jobs(stop_at, ran):
    # Without a callback, two workers run the brackets side by side; with
    # one, they run in order as with one worker, so the stop falls alike.
    X, y = np.zeros((18, 1)), np.zeros(18)
    runs = []
    for n_jobs in (1, 2):
        calls = []
        search = _hyperband(n_jobs=n_jobs).fit(
            X, y, callback=lambda r: calls.append(r) or len(calls) == stop_at)
        runs.append((search.n_resources_, search.n_fold_fits_,
                     [repr(p) for p in search.cv_results_["params"]],
                     list(search.cv_results_["mean_test_score"])))
    assert runs[0] == runs[1]
    assert runs[0][0] == ran


@pytest.mark.parametrize("callback", [5, "x", [print, 3]])
def test_a_callback_that_cannot_be_called_is_refused_before_any_fit(callback):
    X, y = np.zeros((18, 1)), np.zeros(18)
    for search in (_hyperband(), BayesSearchCV(Slow(delay=0.0), {"x": Real(-1.0, 1.0)},
                                               n_iter=3, cv=2)):
        with pytest.raises(TypeError, match=r"callback must be a callable or a list of "
                                            r"callables, .* got "):
            search.fit(X, y, callback=callback)
        assert not hasattr(search, "cv_results_")


def test_verbose_says_a_callback_stopped_the_search(capsys):
    search = BayesSearchCV(Slow(delay=0.0), {"x": Real(-1.0, 1.0)}, n_iter=6, cv=2,
                           n_initial_points=2, random_state=0, refit=False, verbose=1)
    calls = []
    search.fit(X0, y0, callback=lambda r: calls.append(r.n_fold_fits) or len(calls) == 2)
    assert calls == [2, 4]  # n_fold_fits: two candidates of two splits
    assert "BayesSearchCV: stopped by a callback." in capsys.readouterr().out
