"""Callbacks that stop a search early.

``BayesSearchCV.fit(X, y, callback=...)`` calls each callback after every
batch with the results so far (scikit-optimize's contract) and stops the
search when one returns True; ``HyperbandSearchCV.fit`` does so after every
rung, with the candidates scored at the full budget. scikit-optimize's own
callbacks work with BayesSearchCV, but scikit-optimize is archived; these
two, its most used, need only skhpo and work with both searches:

- :class:`DeadlineStopper`: stop before a time budget runs out;
- :class:`DeltaYStopper`: stop when the best scores no longer differ.

The batches already proposed when a callback stops a BayesSearchCV still
finish (with ``lookahead``), as do the rungs of a
HyperbandSearchCV still running. The best of everything evaluated is
refitted as usual.
"""

import numbers
import time

import numpy as np


def _check_positive(name, value, *, integer=False):
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, bool) or not value > 0:
        what = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {what}, got {value!r}.")


class DeadlineStopper:
    """Stop the search before ``total_time`` seconds have passed.

    After each batch (each rung for Hyperband), the search stops if the time
    since it started plus the longest batch so far would pass
    ``total_time``: unless a later batch is slower than every earlier one,
    the search ends within the budget. The
    clock is the search's own (``elapsed_time`` in the results it passes, from
    the start of ``fit``); given results without it, the time since this
    callback was created, as scikit-optimize's ``DeadlineStopper`` counts.
    Batches already proposed when it stops the search (``n_points`` with
    ``lookahead``) still finish, and the refit of the best candidate
    (``refit=True``) comes on top of the budget.

    Parameters
    ----------
    total_time : float
        The time budget in seconds.

    Attributes
    ----------
    iter_time : list of float
        The duration of each batch of the last search, in seconds.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo import BayesSearchCV
    >>> from skhpo.callbacks import DeadlineStopper
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
    ...                        {"max_depth": (1, 10), "min_samples_leaf": (1, 30)},
    ...                        n_iter=500, cv=3, random_state=0)
    >>> _ = search.fit(X, y, callback=DeadlineStopper(total_time=1.0))
    >>> len(search.cv_results_["params"]) < 500
    True
    """

    def __init__(self, total_time):
        _check_positive("total_time", total_time)
        self.total_time = total_time
        self._created = time.monotonic()
        self.iter_time = []
        self._last = 0.0

    def __call__(self, result):
        elapsed = result.get("elapsed_time")
        if elapsed is None:
            elapsed = time.monotonic() - self._created
        if elapsed < self._last:  # a new search with the same callback
            self.iter_time, self._last = [], 0.0
        self.iter_time.append(elapsed - self._last)
        self._last = elapsed
        return bool(elapsed + max(self.iter_time) > self.total_time)


class DeltaYStopper:
    """Stop the search when the ``n_best`` best scores lie within ``delta``.

    Once ``n_best`` candidates have a score, the search stops as soon as the
    best and the ``n_best``-th best differ by at most ``delta`` (in the
    units of the score the search follows): the search keeps finding
    candidates about as good as its best, and more of them are unlikely to
    change the pick. Failed candidates do not count. The initial design's
    scores (``n_initial_points``, 5 by default) can already agree on an easy
    problem, as in the example below: a larger ``n_best`` lets the GP's own
    proposals count.

    Parameters
    ----------
    delta : float
        The largest spread of the ``n_best`` best scores that stops the search.
    n_best : int, default=5
        How many of the best scores must lie within ``delta``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo import BayesSearchCV
    >>> from skhpo.callbacks import DeltaYStopper
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(DecisionTreeClassifier(random_state=0),
    ...                        {"max_depth": (1, 10), "min_samples_leaf": (1, 30)},
    ...                        n_iter=40, cv=3, random_state=0)
    >>> _ = search.fit(X, y, callback=DeltaYStopper(delta=0.01, n_best=3))
    >>> len(search.cv_results_["params"]) < 40
    True
    >>> best = sorted(search.cv_results_["mean_test_score"])[-3:]
    >>> bool(best[-1] - best[0] <= 0.01)
    True
    """

    def __init__(self, delta, n_best=5):
        if not isinstance(delta, numbers.Real) or isinstance(delta, bool) or not delta >= 0:
            raise ValueError(f"delta must be a number >= 0, got {delta!r}.")
        _check_positive("n_best", n_best, integer=True)
        self.delta = delta
        self.n_best = n_best

    def __call__(self, result):
        losses = np.asarray(result.func_vals, dtype=float)
        losses = np.sort(losses[np.isfinite(losses)])
        if len(losses) < self.n_best:
            return False
        return bool(losses[self.n_best - 1] - losses[0] <= self.delta)
