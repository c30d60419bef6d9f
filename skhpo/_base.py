"""The fit shared by skhpo's searches: their own (candidate, split) loop.

scikit-learn's ``BaseSearchCV.fit`` scores every candidate on every split in
one call, and raises when every fit of one call fails. skhpo's searches need
finer grain (Hyperband scores candidates on some splits and promotes them;
BayesSearchCV can stop a hopeless candidate after a few splits, and one
failing candidate must not end a sequential search), so :class:`FoldSearchCV`
runs the same steps as ``BaseSearchCV.fit`` around a
:class:`~skhpo._evaluate.FoldEvaluator`:

1. check everything before the first fit (spaces, names, scoring, refit, cv,
   and the subclass's own checks in ``_prepare``);
2. let the subclass run its search (``_search``), which returns the rows of
   ``cv_results_``;
3. build ``cv_results_``, pick the best row, refit it on all the data.

Subclasses keep scikit-learn's public search API and attributes.
"""

from __future__ import annotations

import os
import time
from numbers import Integral

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, indexable

from ._compat import BaseSearchCV, _fit_context, callbacks_requested
from ._evaluate import (
    FoldEvaluator,
    build_scorers,
    check_constant_splits,
    check_pairwise_input,
    check_sample_weight,
    format_cv_results,
)
from ._frames import primary_metric
from ._journal import Journal, describe_setup, readable_setup
from ._space_constraints import check_values
from ._warnings import warn
from .space import check_names, parse_search_spaces


def ctx_begin(ctx, **kwargs):
    """Start a scikit-learn >= 1.9 callback context, if there is one."""
    return ctx.call_on_fit_task_begin(**kwargs) if ctx is not None else None


def ctx_end(ctx, **kwargs):
    if ctx is not None:
        ctx.call_on_fit_task_end(**kwargs)


class SearchPlan:
    """What ``_search`` returns: the rows of ``cv_results_`` and extra columns.

    Parameters
    ----------
    rows : list of (candidate_id, split_indices, resource)
    more_results : dict of str -> list
        Extra ``cv_results_`` columns, one value per row.
    rank_by : list, default=None
        Ranked before the score (higher first), e.g. the budget.
    n_splits : int, default=None
        Number of ``split{i}_*`` columns (default: all splits of cv).
    """

    def __init__(self, rows, more_results, rank_by=None, n_splits=None):
        self.rows = rows
        self.more_results = more_results
        self.rank_by = rank_by
        self.n_splits = n_splits


def search_result(x_iters, scores, **fields):
    """The results a callback gets, as scikit-optimize's callbacks read them.

    A ``scipy.optimize.OptimizeResult`` with ``x_iters`` (the candidates),
    ``func_vals`` (their losses: minus the scores, ``inf`` for a failure, as
    scikit-optimize's results never hold NaN and its stoppers take running
    minima), ``x`` and ``fun`` (the best of them, or None and NaN), and
    ``fields`` (e.g. ``cv_results``, ``elapsed_time``).
    """
    scores = np.asarray(scores, dtype=float)
    func_vals = np.where(np.isnan(scores), np.inf, -scores)
    result = OptimizeResult(x_iters=list(x_iters), func_vals=func_vals, **fields)
    if np.isfinite(func_vals).any():
        best = int(np.nanargmin(np.where(np.isfinite(func_vals), func_vals, np.nan)))
        result.x, result.fun = result.x_iters[best], float(func_vals[best])
    else:
        result.x, result.fun = None, np.nan
    return result


def _check_callbacks(callback):
    """``fit``'s callback as a list, refused before any fit if one is not callable."""
    if callback is None:
        return []
    callbacks = [callback] if callable(callback) else callback
    if not isinstance(callbacks, (list, tuple)) or not all(map(callable, callbacks)):
        raise TypeError(
            f"callback must be a callable or a list of callables, each called with "
            f"the results so far, got {callback!r}. Pass e.g. "
            f"callback=DeadlineStopper(total_time=60) (from skhpo.callbacks)."
        )
    return list(callbacks)


def fit_docstring(search_name, callback_doc):
    """The ``fit`` docstring of a search: its name and when it calls back.

    ``callback_doc`` describes the ``callback`` parameter (indented as a
    parameter description); the rest is the same for every search.
    """
    return f"""Run the search, then refit the best candidate on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        callback : callable or list of callables, default=None
{callback_doc.rstrip()}
        **params : dict
            ``groups`` goes to the splitter; every other entry to the
            estimator's ``fit`` (per-sample entries such as ``sample_weight``
            sliced to each training fold), and ``sample_weight`` also to the
            scorers that accept it, as ``GridSearchCV`` does.

        Returns
        -------
        self : {search_name}
        """


class FoldSearchCV(BaseSearchCV):
    """Base class of searches that evaluate (candidate, split) pairs themselves.

    Subclasses define ``_space_parameter`` (the name of the constructor
    argument holding the search spaces), ``_search`` and, optionally,
    ``_prepare`` and ``_evaluator_resource``.
    """

    _space_parameter = None
    # Working state a subclass keeps on the search during _search, dropped
    # if the fit fails or is interrupted; and fitted attributes it sets
    # before cv_results_, put back then to the last fit's if this one failed
    # before its cv_results_ (which then stay the last fit's too).
    _scratch_attributes = ()
    _interim_attributes = ()
    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "checkpoint": [str, os.PathLike, None],
        "random_state": ["random_state"],
    }
    # BaseSearchCV's template loop scores every candidate on every split,
    # which is what these searches avoid; ``fit`` runs its own loop instead.
    def _run_search(self, evaluate_candidates, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.fit runs its own loop.")

    # ------------------------------------------------------------- hooks
    def _prepare(self, X, y, splits, subspaces):
        """Subclass checks that need the data, before any fit. Returns state.

        ``splits``: the (train, test) index pairs the search will score.
        """
        return None

    def _evaluator_resource(self):
        return None

    def _search(self, evaluator, subspaces, rng, root_ctx, state):
        raise NotImplementedError

    # --------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search (each subclass documents it with :func:`fit_docstring`)."""
        # The clock of the results a callback gets (DeadlineStopper).
        self._fit_started = time.monotonic()
        self._callbacks = _check_callbacks(callback)
        last_results = self.__dict__.get("cv_results_")
        last = {name: self.__dict__[name] for name in self._interim_attributes
                if name in self.__dict__}
        try:
            return self._fit(X, y, **params)
        except BaseException:
            for name in self._scratch_attributes:
                self.__dict__.pop(name, None)
            if self.__dict__.get("cv_results_") is last_results:
                for name in self._interim_attributes:
                    self.__dict__.pop(name, None)
                self.__dict__.update(last)
            raise
        finally:
            del self._callbacks, self._fit_started

    def _fit(self, X, y, **params):
        # Everything that can be wrong with the inputs is checked before the
        # first fit.
        if isinstance(self.estimator, type):
            raise TypeError(
                f"estimator must be an estimator instance, got the class "
                f"{self.estimator.__name__}: pass {self.estimator.__name__}().")
        subspaces = parse_search_spaces(getattr(self, self._space_parameter))
        check_names(subspaces, self.estimator)
        check_values(subspaces, self.estimator)
        X, y = indexable(X, y)
        check_pairwise_input(self.estimator, X)
        check_sample_weight(params.get("sample_weight"), X)
        routed = self._get_routed_params_for_fit(params)
        scorers = build_scorers(self.estimator, self.scoring)
        if isinstance(scorers, dict):
            self._check_refit_for_multimetric(scorers)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        check_constant_splits(cv)
        split_params = {k: v for k, v in routed.splitter.split.items() if v is not None}
        n_cv_splits = cv.get_n_splits(X, y, **split_params)
        rng = check_random_state(self.random_state)
        evaluator = FoldEvaluator(
            self.estimator, X, y, cv=cv, scorers=scorers,
            split_params=split_params, fit_params=routed.estimator.fit,
            score_params=routed.scorer.score, error_score=self.error_score,
            return_train_score=self.return_train_score,
            resource=self._evaluator_resource(),
            random_state=int(rng.randint(2**31 - 1 - n_cv_splits)),
            n_jobs=self.n_jobs, pre_dispatch=getattr(self, "pre_dispatch", "2*n_jobs"),
            verbose=max(self.verbose - 1, 0))
        state = self._prepare(X, y, evaluator.splits, subspaces)

        if self.checkpoint is not None:
            self._attach_journal(evaluator, params)

        sample_weight = params.get("sample_weight")
        metadata = {"sample_weight": sample_weight} if sample_weight is not None else None
        root_ctx = None
        # scikit-learn >= 1.9, and only when callbacks watch: the contexts go
        # to the workers with every fit, and they change as the search runs,
        # which rules out fitting one batch while proposing the next.
        if hasattr(self, "_init_callback_context") and callbacks_requested(self):
            root_ctx = ctx_begin(
                self._init_callback_context(max_subtasks=1 + (self.refit is not False)),
                estimator=self, X=X, y=y, metadata=metadata)

        plan = self._search(evaluator, subspaces, rng, root_ctx, state)
        # Only now: a rung or batch where every fit failed does not end the
        # search (larger budgets or other candidates may fit), as one failing
        # candidate does not end GridSearchCV's.
        evaluator.warn_about_failures()
        metrics = evaluator.metric_names()
        multimetric = isinstance(scorers, dict) or metrics != ["score"]
        if multimetric and not isinstance(scorers, dict):
            # A callable scoring that returned a dict: check refit now.
            self._check_refit_for_multimetric(dict.fromkeys(metrics))
        # (A single metric is "score" whatever refit's string says.)
        evaluator.check_not_all_failed(
            plan.rows, self.refit if multimetric and isinstance(self.refit, str) else None)

        self.n_fold_fits_ = evaluator.n_fits_
        self.n_splits_ = plan.n_splits or evaluator.n_splits
        self.multimetric_ = multimetric
        self.cv_results_ = format_cv_results(
            evaluator, plan.rows, n_splits=self.n_splits_,
            rank_by=plan.rank_by, more_results=plan.more_results,
            followed=self._followed_metric(evaluator))
        _warn_non_finite_means(self.cv_results_)
        self.scorer_ = scorers

        refit_metric = self.refit if self.multimetric_ else "score"
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, self.cv_results_)
            if not callable(self.refit):
                self.best_score_ = float(
                    self.cv_results_[f"mean_test_{refit_metric}"][self.best_index_])
            self.best_params_ = self.cv_results_["params"][self.best_index_]
        if self.refit:
            self._refit(X, y, routed.estimator.fit, root_ctx, metadata)
        ctx_end(root_ctx, estimator=self, X=X, y=y, metadata=metadata)
        return self

    def _attach_journal(self, evaluator, params):
        if not isinstance(self.random_state, Integral):
            raise ValueError(
                f"checkpoint needs an integer random_state, got "
                f"random_state={self.random_state!r}: a resumed search must propose "
                f"the same candidates as the interrupted one. Set e.g. "
                f"random_state=0."
            )
        setup = describe_setup(self, evaluator, params)
        evaluator.attach_journal(Journal.open(self.checkpoint, setup,
                                              readable_setup(self, evaluator)))

    def _refit(self, X, y, fit_params, root_ctx, metadata):
        # Clone the parameters too: they may be estimators (pipeline steps).
        self.best_estimator_ = clone(self.estimator).set_params(
            **clone(self.best_params_, safe=False))
        refit_ctx = None
        if root_ctx is not None:
            refit_ctx = root_ctx.subcontext(task_name="refit-with-best-params")
        start = time.time()
        if refit_ctx is not None:
            with refit_ctx.propagate_callback_context(self.best_estimator_):
                ctx_begin(refit_ctx, estimator=self, X=X, y=y, metadata=metadata)
                self._fit_best(X, y, fit_params)
        else:
            self._fit_best(X, y, fit_params)
        self.refit_time_ = time.time() - start
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
        ctx_end(refit_ctx, estimator=self, X=X, y=y, metadata=metadata)

    def _fit_best(self, X, y, fit_params):
        if y is None:
            self.best_estimator_.fit(X, **fit_params)
        else:
            self.best_estimator_.fit(X, y, **fit_params)

    def _evaluate(self, evaluator, candidates, split_indices, resource, parent_ctx,
                  task_name):
        """``evaluator.evaluate`` inside its own callback context (sklearn >= 1.9)."""
        self._evaluate_many(evaluator, [(candidates, split_indices, resource)],
                            parent_ctx, task_name)

    def _evaluate_many(self, evaluator, requests, parent_ctx, task_name):
        """``evaluator.evaluate_many`` inside its own callback context."""
        return self._collect(evaluator,
                             self._submit_many(evaluator, requests, parent_ctx, task_name))

    def _submit_many(self, evaluator, requests, parent_ctx, task_name):
        """``evaluator.submit_many`` inside its own callback context.

        Returns the context and the submission, for :meth:`_collect`.
        """
        ctx = None
        if parent_ctx is not None:
            n_todo = evaluator.n_new_fits(requests)
            ctx = ctx_begin(parent_ctx.subcontext(task_name=task_name, max_subtasks=n_todo,
                                                  sequential_subtasks=False),
                            estimator=self)
        return ctx, evaluator.submit_many(requests, callback_ctx=ctx, caller=self)

    def _collect(self, evaluator, submitted):
        """Wait for a :meth:`_submit_many`; close its callback context."""
        ctx, submission = submitted
        results = evaluator.collect(submission)
        ctx_end(ctx, estimator=self)
        return results

    def _callbacks_stop(self, x_iters, scores, **fields):
        """Call every callback with the results so far; True if one says stop.

        Every callback is called, as in scikit-optimize (a ``CheckpointSaver``
        after a stopper still saves).
        """
        result = search_result(x_iters, scores,
                               elapsed_time=time.monotonic() - self._fit_started, **fields)
        stop = any([bool(cb(result)) for cb in self._callbacks])
        if stop and self.verbose > 0:
            print(f"{type(self).__name__}: stopped by a callback.")
        return stop, result

    @staticmethod
    def _abandon(evaluator, submitted):
        """Cancel a :meth:`_submit_many` that will not be collected."""
        evaluator.abandon(submitted[1])

    # ------------------------------------------------------------ scores
    def _followed_metric(self, evaluator):
        """The metric the search optimises: ``refit`` if it names one, else the first."""
        metrics = evaluator.metric_names()
        if metrics != ["score"] and not isinstance(evaluator.scorers, dict):
            # A callable scoring returned a dict: check refit against its
            # names as soon as the first results show them, not after every
            # fit of the search (scikit-optimize checks after a first batch).
            self._check_refit_for_multimetric(dict.fromkeys(metrics))
        return primary_metric(metrics, self.refit)

    @staticmethod
    def _split_scores(evaluator, cid, split_indices, resource, metric):
        """Test scores of one candidate on some splits, NaN where it failed.

        NaN whatever ``error_score`` is: the searches' decisions (what the
        GP is told, pruning, promotions) treat a failure as the worst
        outcome, even where a number such as ``error_score=0`` stands for it
        in ``cv_results_``.
        """
        values = []
        for k in split_indices:
            result = evaluator.store[(cid, k, resource)]
            scores = result.test_scores or {}
            values.append(scores.get(metric, np.nan))
        return np.asarray(values, dtype=float)

    @classmethod
    def _mean_score(cls, evaluator, cid, split_indices, resource, metric):
        return float(np.mean(cls._split_scores(evaluator, cid, split_indices,
                                               resource, metric)))

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The row ranked 1 on the refit metric (or the refit callable's pick)."""
        if callable(refit):
            best_index = refit(results)
            if not isinstance(best_index, Integral):
                raise TypeError(
                    f"The refit callable must return an int index of "
                    f"cv_results_, got {best_index!r}."
                )
            if not 0 <= best_index < len(results["params"]):
                raise IndexError(
                    f"The refit callable returned {best_index}, outside "
                    f"[0, {len(results['params'])})."
                )
            why = (f"The refit callable picked row {best_index}, which", "Restrict the "
                   "callable to rows with the largest n_resources to avoid it.")
        else:
            best_index = np.argmin(results[f"rank_test_{refit_metric}"])
            # Full-budget rows rank first; a lower budget wins only when
            # every full-budget row failed.
            why = ("Every candidate scored on the full budget failed; the best "
                   f"row, {best_index},", "See the fit failures above.")
        budgets = results.get("n_resources")
        if budgets is not None and budgets[best_index] < np.max(budgets):
            warn(
                f"{why[0]} was scored at n_resources={budgets[best_index]} of "
                f"{np.max(budgets)}: best_params_ come from a candidate not scored "
                f"on the full budget. {why[1]}", UserWarning)
        pruned = results.get("pruned")
        if callable(refit) and pruned is not None and pruned[best_index]:
            warn(
                f"The refit callable picked row {best_index}, a candidate pruning "
                f"stopped after some splits: its mean is over those splits only, "
                f"and best_params_ come from it. Restrict the callable to rows "
                f"where cv_results_['pruned'] is False to avoid it.", UserWarning)
        return int(best_index)


def _warn_non_finite_means(cv_results):
    """GridSearchCV's warning when a mean test (or train) score is not finite."""
    for key, means in cv_results.items():
        if key.startswith(("mean_test_", "mean_train_")) and not np.isfinite(means).all():
            kind = key.split("_")[1]
            warn(f"One or more of the {kind} scores are non-finite: {means}",
                          category=UserWarning)
