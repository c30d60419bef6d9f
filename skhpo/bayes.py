"""BayesSearchCV: Gaussian-process Bayesian optimisation as a scikit-learn search."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from joblib import effective_n_jobs
from scipy.optimize import OptimizeResult
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from ._compat import BaseSearchCV, Interval, StrOptions, _yields_constant_splits
from ._optimizer import Optimizer
from .acquisition import ACQUISITIONS
from ._progress import ProgressPrinter
from ._warm_start import check_warm_start, warm_start_points
from .exceptions import AllFitsFailedError
from .space import check_names, parse_search_spaces

# Keys of ``optimizer_kwargs`` and what they set. scikit-optimize's
# ``base_estimator="GP"`` is accepted as a no-op so its code runs unchanged.
_OPTIMIZER_KWARGS = ("xi", "kappa", "n_candidates", "base_estimator")


class BayesSearchCV(BaseSearchCV):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A drop-in replacement for ``GridSearchCV``, ``RandomizedSearchCV`` and
    scikit-optimize's ``BayesSearchCV``: the same constructor names, the same
    fitted attributes, and a Gaussian-process optimizer that chooses each new
    candidate from the scores of the previous ones, so that a good model is
    found with far fewer fits than a grid or random search.

    Parameters
    ----------
    estimator : estimator object
        An object implementing ``fit``; it is cloned for every fit.

    search_spaces : dict, list of dict, or list of (dict, int) tuples
        Parameter names (as in ``estimator.get_params(deep=True)``) mapped to
        a dimension in any of these forms:

        - ``Real``, ``Integer`` or ``Categorical`` (scikit-optimize's names);
        - a tuple ``(low, high)`` (two ints give an Integer, otherwise a
          Real) or ``(low, high, "log-uniform")``;
        - a frozen scipy.stats distribution (``loguniform(1e-3, 1e3)``,
          ``randint(1, 10)``, ...), honoured as the prior;
        - a list of values as in ``GridSearchCV``: numbers are ordered (on a
          log scale when all positive and spanning two decades), anything
          else (strings, None, estimators) is categorical.

        A list of dicts gives alternative subspaces (e.g. two classifiers for
        one pipeline step), each searched for ``n_iter`` iterations in turn;
        a ``(dict, n_iter)`` pair sets that subspace's own budget.

    n_iter : int, default=50
        Candidates evaluated per subspace without its own ``n_iter``.

    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``. With several metrics, set ``refit`` to one of
        them (or a callable).

    n_jobs : int, default=None
        Parallel (candidate, split) fits. ``None`` means 1.

    n_points : int or "auto", default=1
        Candidates proposed per batch; "auto" uses ``n_jobs``. For a given
        ``random_state`` and ``n_points`` the results do not depend on
        ``n_jobs``.

    refit : bool, str or callable, default=True
        As in ``GridSearchCV``.

    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV``. The splits must be the same at every call of
        ``split`` (a shuffling splitter needs an int ``random_state``),
        since candidates are compared across batches.

    verbose : int, default=0
        1 prints one line per batch (best score so far, fits done, an estimate
        of the time left); higher values add scikit-learn's per-fit messages.

    pre_dispatch : int or str, default="2*n_jobs"
        As in ``GridSearchCV``.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial design and the optimizer.

    error_score : "raise" or numeric, default=np.nan
        Score given to a failed fit. Failed candidates are known to the
        optimizer as the worst seen and are never proposed again.

    return_train_score : bool, default=False
        As in ``GridSearchCV``.

    n_initial_points : int, default=10
        Candidates from a scrambled Sobol design before the GP takes over.

    acq_func : {"EI", "PI", "UCB", "LCB"}, default="EI"
        Acquisition function: expected improvement, probability of
        improvement, or upper confidence bound (scikit-optimize's "LCB" is
        the same thing on losses).

    optimizer_kwargs : dict, default=None
        ``xi`` (improvement margin of EI/PI, default 0), ``kappa``
        (exploration weight of UCB, default 1.96), ``n_candidates``
        (quasi-random candidates per proposal, default 2048).

    warm_start : bool, fitted search, cv_results_ dict or loaded results, default=None
        Earlier results over a compatible space (an earlier search, its
        ``cv_results_``, or what :func:`skhpo.load_results` returns); ``True``
        means this search's own results from its previous ``fit`` (as
        ``warm_start`` means for scikit-learn estimators), ``False`` or
        ``None`` none. Their
        candidates seed the GP without being refitted (they count towards
        ``n_initial_points`` and are not added to ``cv_results_``); those
        outside the new space are ignored with a warning. Their scores must
        come from the same data, cv and scoring to be comparable.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One entry per evaluated candidate, as in ``GridSearchCV``.
    best_estimator_ : estimator
        Refitted on the whole data with the best parameters (if ``refit``).
    best_score_ : float
        Mean cross-validated score of the best candidate.
    best_params_ : dict
        Parameters of the best candidate.
    best_index_ : int
        Index of the best candidate in ``cv_results_``.
    scorer_ : function or dict
        The scorer(s) used.
    n_splits_ : int
        Number of cross-validation splits.
    refit_time_ : float
        Seconds spent refitting the best model.
    multimetric_ : bool
        Whether several metrics were used.
    optimizer_results_ : list of scipy.optimize.OptimizeResult
        Per subspace, scikit-optimize's result object: ``x`` (best point as
        a list in the space's sorted name order), ``fun`` (minus its score),
        ``x_iters``, ``func_vals`` and ``space``.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : Exhaustive search over a grid.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Notes
    -----
    The optimizer follows the metric named by ``refit`` when it is a string;
    with a callable (or ``False``) ``refit`` and several metrics it follows
    the first metric of ``scoring`` (in the order given).

    How the optimizer proposes candidates is described in
    :mod:`skhpo._optimizer`: Sobol initial design; a Matern-5/2 GP with one
    length scale per dimension and a learned noise term on robustly
    standardised losses; the acquisition maximised over 2048 quasi-random
    candidates, perturbations of the best points and a local refinement;
    integers and categoricals snapped so no point is proposed twice; batches
    by the kriging believer.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": ["linear", "rbf"]},
    ...     n_iter=8, n_initial_points=4, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    >>> bool(search.best_score_ > 0.95)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_points": [Interval(numbers.Integral, 1, None, closed="left"),
                     StrOptions({"auto"})],
        "random_state": ["random_state"],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "acq_func": [StrOptions(set(ACQUISITIONS))],
        "optimizer_kwargs": [dict, None],
        "warm_start": "no_validation",  # checked in fit, see _warm_start
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        scoring=None,
        n_jobs=None,
        n_points=1,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_initial_points=10,
        acq_func="EI",
        optimizer_kwargs=None,
        warm_start=None,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.n_points = n_points
        self.random_state = random_state
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.optimizer_kwargs = optimizer_kwargs
        self.warm_start = warm_start

    @property
    def total_iterations(self):
        """Candidates the search will evaluate: the sum over its subspaces.

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from skhpo import BayesSearchCV
        >>> BayesSearchCV(SVC(), [({"C": (0.1, 10.0)}, 5), {"gamma": (0.1, 1.0)}],
        ...               n_iter=20).total_iterations
        25
        """
        return sum(s.n_iter or self.n_iter
                   for s in parse_search_spaces(self.search_spaces))

    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search, then refit the best candidate on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        callback : callable or list of callables, default=None
            Called after each batch with a ``scipy.optimize.OptimizeResult``
            (scikit-optimize's contract: ``x``, ``fun``, ``x_iters``,
            ``func_vals``, ``space``, plus ``cv_results``, the results so far).
            If any callback returns True, the search stops.
        **params : dict
            Passed to the estimator's ``fit``, the scorer and the CV splitter
            (``groups``), routed as in ``GridSearchCV``.

        Returns
        -------
        self : BayesSearchCV
        """
        # Validate everything before the first model is fitted.
        self._validate_params()
        subspaces = parse_search_spaces(self.search_spaces)
        check_names(subspaces, self.estimator)
        self._check_optimizer_kwargs()
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        if not _yields_constant_splits(cv):
            raise ValueError(
                "The cv parameter must yield consistent folds across calls to "
                "split(): BayesSearchCV compares candidates evaluated in "
                "different batches. Set its random_state to an int, or set "
                "shuffle=False."
            )
        warm_start = self._warm_start_source()
        if warm_start is not None:
            check_warm_start(warm_start, _followed_metric(self.scoring, self.refit))
        if callback is None:
            callbacks = []
        elif callable(callback):
            callbacks = [callback]
        else:
            callbacks = list(callback)
        self._run_state = (subspaces, callbacks, warm_start)
        try:
            super().fit(X, y, **params)
        finally:
            del self._run_state
        return self

    def _warm_start_source(self):
        if self.warm_start is True:
            # scikit-learn's meaning: continue from this estimator's last fit.
            return getattr(self, "cv_results_", None)
        if self.warm_start is False:
            return None
        return self.warm_start

    def _check_optimizer_kwargs(self):
        kwargs = dict(self.optimizer_kwargs or {})
        unknown = sorted(set(kwargs) - set(_OPTIMIZER_KWARGS))
        if unknown:
            raise ValueError(
                f"optimizer_kwargs has unknown keys {unknown}; the accepted keys "
                f"are {list(_OPTIMIZER_KWARGS)}."
            )
        if kwargs.pop("base_estimator", "GP") != "GP":
            raise ValueError(
                "optimizer_kwargs['base_estimator'] must be 'GP': skhpo's "
                "BayesSearchCV uses a Gaussian process."
            )
        return kwargs

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        subspaces, callbacks, warm_start = self._run_state
        self._any_success = False
        self._first_failure = None
        rng = check_random_state(self.random_state)
        n_points = (effective_n_jobs(self.n_jobs) if self.n_points == "auto"
                    else self.n_points)
        budgets = [s.n_iter or self.n_iter for s in subspaces]
        n_batches = sum(-(-b // n_points) for b in budgets)
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_batches
            ).call_on_fit_task_begin(estimator=self)

        self.optimizer_results_ = []
        metric = _followed_metric(self.scoring, self.refit)
        progress = ProgressPrinter(type(self).__name__, sum(budgets) * self.n_splits_,
                                   self.verbose)
        best = -np.inf
        stop = False
        n_told = 0
        for subspace, budget in zip(subspaces, budgets):
            optimizer = Optimizer(
                subspace.space,
                n_initial_points=self.n_initial_points,
                acq_func=self.acq_func,
                random_state=rng.randint(2**31),
                **self._check_optimizer_kwargs(),
            )
            if warm_start is not None:
                optimizer.tell(*warm_start_points(warm_start, subspace.space, metric))
            result = _optimize_result(optimizer)
            self.optimizer_results_.append(result)
            done = 0
            while done < budget and not stop:
                batch = optimizer.ask(min(n_points, budget - done))
                if not batch:
                    break  # a finite space with every point already tried
                results = self._evaluate_batch(evaluate_candidates, batch, search_ctx)
                if results is None:
                    scores = np.full(len(batch), np.nan)
                else:
                    if f"mean_test_{metric}" not in results:  # callable scoring
                        metric = _first_metric(results)
                    scores = np.asarray(results[f"mean_test_{metric}"], float)[-len(batch):]
                optimizer.tell(batch, scores)
                done += len(batch)
                n_told += len(batch)
                best = np.nanmax([best, *scores]) if np.isfinite(scores).any() else best
                progress.update(step=f"candidate {n_told}/{sum(budgets)}",
                                fits_done=n_told * self.n_splits_, best=best)
                result = _optimize_result(optimizer, results)
                self.optimizer_results_[-1] = result
                stop = any(bool(cb(result)) for cb in callbacks)
            if stop:
                break

        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        if self._first_failure is not None and not self._any_success:
            raise AllFitsFailedError(
                f"All {n_told} candidates failed to fit or score, so there is no "
                f"best candidate. The first failure: {self._first_failure}"
            ) from self._first_failure

    def _evaluate_batch(self, evaluate_candidates, batch, search_ctx):
        """Evaluate one batch; a batch where every fit fails does not end the search."""
        kwargs = {}
        if search_ctx is not None:
            kwargs["callback_ctx"] = search_ctx.subcontext(
                task_name="batch", max_subtasks=len(batch) * self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
        try:
            results = evaluate_candidates(batch, **kwargs)
        except ValueError as exc:
            # scikit-learn raises when every fit of one call fails; for a
            # sequential search that is one bad candidate, not a bad search.
            if self.error_score == "raise" or "fits failed" not in str(exc):
                raise
            warnings.warn(
                f"Every fit of {len(batch)} candidate(s) failed; they are dropped "
                f"from cv_results_ and told to the optimizer as the worst seen. "
                f"Candidates: {batch}",
                UserWarning,
                stacklevel=3,
            )
            results = None
            self._first_failure = self._first_failure or exc
        else:
            self._any_success = True
        if search_ctx is not None:
            kwargs["callback_ctx"].call_on_fit_task_end(estimator=self)
        return results


def _followed_metric(scoring, refit):
    """The metric the optimizer maximises (see the class Notes)."""
    if not isinstance(scoring, (list, tuple, set, dict)):
        return "score"
    if isinstance(refit, str) and refit in scoring:
        return refit
    return next(iter(scoring))


def _first_metric(results):
    """For a callable scoring that returned a dict: its first metric."""
    return next(k for k in results if k.startswith("mean_test_"))[len("mean_test_"):]


def _optimize_result(optimizer, cv_results=None):
    """scikit-optimize's view of the optimizer: losses are minus the scores."""
    space = optimizer.space
    params = space.decode(optimizer._X) if optimizer.n_observed else []
    x_iters = [[p[name] for name in space.names] for p in params]
    func_vals = -optimizer._scores
    result = OptimizeResult(x_iters=x_iters, func_vals=func_vals, space=space,
                            cv_results=cv_results)
    if np.isfinite(func_vals).any():
        best = int(np.nanargmin(np.where(np.isfinite(func_vals), func_vals, np.nan)))
        result.x, result.fun = x_iters[best], float(func_vals[best])
    else:
        result.x, result.fun = None, np.nan
    return result
