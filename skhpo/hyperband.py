"""HyperbandSearchCV: Hyperband with cross-validation splits as the budget.

Every halving search before this one spends its budget on subsamples or
epochs and refits from scratch at each rung. Here the default budget is the
number of CV splits a candidate is scored on: a candidate scored on 1 of 9
splits costs a ninth of a full evaluation, and promoting it to 3 splits costs
only the 2 it lacks, since the split already scored is kept
(:class:`skhpo._evaluate.FoldEvaluator`). Subsamples (``resource="n_samples"``)
and any estimator parameter (``n_estimators``, ``max_iter``, ``max_epochs``)
work too.

References
----------
Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018.

Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
Optimization at Scale", ICML 2018.
"""

from __future__ import annotations

from collections import abc, defaultdict, deque
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from ._base import FoldSearchCV, SearchPlan, ctx_begin, ctx_end, fit_docstring
from ._compat import Interval, StrOptions
from ._evaluate import _n_rows, format_cv_results
from ._progress import ProgressPrinter
from ._schedule import hyperband_brackets, hyperband_schedule
from ._warnings import warn
from .space import params_key, parse_search_spaces, searched_step

__all__ = ["HyperbandSearchCV", "hyperband_schedule"]

# BOHB keeps a fraction of purely random candidates so that the model can
# never lock the search out of a region (Falkner et al. 2018 use 1/3).
_BOHB_RANDOM_FRACTION = 1 / 3


# A space made only of lists is enumerated up to this many points, to draw
# from it without replacement (RandomizedSearchCV does so without a limit).
_MAX_GRID_POINTS = 100_000


def _grid_weights(space, grid):
    """Each grid point's weight under the space's Categorical priors (the
    product of its categories' shares, a category listed twice counting
    both), or None when no dimension has a prior or there is no grid."""
    weighted = {name: dim for name, dim in space.as_dict().items()
                if getattr(dim, "prior", None) is not None and hasattr(dim, "categories")}
    if grid is None or not weighted:
        return None
    shares = {}
    for name, dim in weighted.items():
        share = defaultdict(float)
        for category, weight in zip(dim.categories, dim.prior):
            share[params_key({name: category})] += weight / np.sum(dim.prior)
        shares[name] = share
    return np.array([np.prod([shares[name][params_key({name: point[name]})]
                              for name in weighted]) for point in grid])


def _schedule_work(schedule, by_splits):
    """The schedule's fold-fits weighted as FoldEvaluator.work_of weighs a
    fit: by their resource, unless the resource is the splits themselves."""
    if by_splits:
        return None
    return float((schedule["fold_fits"] * schedule["n_resources"]).sum())


class _RandomSampler:
    """Draw candidates without repeating a point of a grid.

    As RandomizedSearchCV's ``ParameterSampler``: when every subspace is made
    of lists only, the points are drawn without replacement from all the
    subspaces' grids together (a small grid gets its share of the draws);
    otherwise each candidate picks a subspace uniformly at random, leaving out
    grids already drawn out, then a grid point or a Sobol point. Hyperband
    never asks for more points than the grids hold (``small_space_size``),
    and has a space it draws whole enumerated (``whole``): ``Integer`` ranges
    and discrete distributions too.
    """

    def __init__(self, subspaces, rng, whole=False):
        self.subspaces = subspaces
        self.rng = rng
        self._drawn = [set() for _ in subspaces]  # keys, per subspace
        self._grids = [subspace.space.grid(_MAX_GRID_POINTS, whole=whole)
                       for subspace in subspaces]
        self._weights = [_grid_weights(subspace.space, grid)
                         for subspace, grid in zip(subspaces, self._grids)]
        # Indices of grid points not drawn yet, in any order: a draw takes one
        # at a random position (swap with the last, pop) in constant time.
        self._unseen = [None if grid is None else list(range(len(grid)))
                        for grid in self._grids]

    def propose(self, n, history):
        params, choice = [None] * n, [None] * n
        sobol_rows = defaultdict(list)  # subspace -> rows drawn as a batch
        for row in range(n):
            left = [self._n_left(k) for k in range(len(self.subspaces))]
            if sum(left) == 0:
                # The brackets are cut to the space's size (small_space_size).
                raise RuntimeError("Hyperband asked for more points than the space has.")
            if all(grid is not None for grid in self._grids):
                k = self.rng.choice(len(left), p=np.divide(left, sum(left)))
            else:
                k = self.rng.choice(np.flatnonzero(left))
            if self._grids[k] is None:
                sobol_rows[k].append(row)
            else:
                params[row] = self._from_grid(k)
            choice[row] = int(k)
        for k, rows in sobol_rows.items():
            drawn = self._draw(self.subspaces[k].space, len(rows), self._drawn[k])
            for row, p in zip(rows, drawn):
                params[row] = p
        return params, choice

    def _n_left(self, k):
        """Unseen points of subspace ``k`` (any positive number if unbounded)."""
        grid = self._grids[k]
        return 1 if grid is None else len(grid) - len(self._drawn[k])

    def _from_grid(self, k):
        grid, unseen, drawn = self._grids[k], self._unseen[k], self._drawn[k]
        while True:
            if not unseen:
                # The Bayes sampler hands back random draws it replaced.
                unseen[:] = [i for i, p in enumerate(grid) if params_key(p) not in drawn]
            weights = None if self._weights[k] is None else self._weights[k][unseen]
            if weights is None or not weights.sum() > 0:
                i = self.rng.randint(len(unseen))
            else:  # Categorical priors: each point by the product of its weights
                i = self.rng.choice(len(unseen), p=weights / weights.sum())
            unseen[i], unseen[-1] = unseen[-1], unseen[i]
            point = grid[unseen.pop()]
            key = params_key(point)
            if key not in drawn:  # else the Bayes sampler took it
                drawn.add(key)
                return point

    def _draw(self, space, n, drawn):
        """``n`` Sobol points not in ``drawn`` (keys, updated).

        Only for spaces with a continuous dimension (or a grid too large to
        enumerate), where a repeat is rare: oversample, then keep the new
        distinct points, and accept repeats if too few are new.
        """
        size = max(4 * (n + len(drawn)), 16)
        pool = space.decode(space.sobol(size, self.rng.randint(2**31 - 1)))
        new = []
        for p in pool:
            if len(new) < n and params_key(p) not in drawn:
                drawn.add(params_key(p))
                new.append(p)
        new.extend(pool[i % len(pool)] for i in range(n - len(new)))
        return new


class _BayesSampler(_RandomSampler):
    """BOHB's sampler: a GP fitted on the largest budget with enough points."""

    def propose(self, n, history):
        from ._optimizer import Optimizer

        params, choice = super().propose(n, history)
        model_based = self.rng.uniform(size=n) >= _BOHB_RANDOM_FRACTION
        for k, subspace in enumerate(self.subspaces):
            rows = [r for r in range(n) if choice[r] == k and model_based[r]]
            if not rows:
                continue
            space = subspace.space
            # Enough points for a GP over d columns (BOHB asks for d + 1; one
            # more, and at least 3, so the length scales are not pure guesses).
            n_min = max(space.n_columns + 2, 3)
            observed = self._largest_budget(history, k, n_min)
            if observed is None:
                continue  # not enough data yet: the random draw stands
            optimizer = Optimizer(space, n_initial_points=n_min,
                                  random_state=self.rng.randint(2**31 - 1))
            optimizer.tell([p for p, _ in observed], [s for _, s in observed])
            drawn = self._drawn[k]
            for row, p in zip(rows, optimizer.ask(n_points=len(rows))):
                # The GP knows the points of one budget only: a proposal may
                # repeat a candidate of another budget. Then the random draw,
                # new by construction, stands.
                if params_key(p) in drawn:
                    continue
                drawn.discard(params_key(params[row]))
                drawn.add(params_key(p))
                params[row] = p
        return params, choice

    @staticmethod
    def _largest_budget(history, subspace, n_min):
        by_budget = defaultdict(list)
        for k, p, budget, score in history:
            if k == subspace:
                by_budget[budget].append((p, score))
        for budget in sorted(by_budget, reverse=True):
            points = by_budget[budget]
            if sum(np.isfinite(s) for _, s in points) >= n_min:
                return points
        return None


class _Bracket:
    """One bracket of successive halving: its candidates, current rung and rows."""

    def __init__(self, s, rungs):
        self.s = s
        self.rungs = rungs  # [(n_candidates, resource), ...]
        self.rung = 0
        self.rows, self.more = [], defaultdict(list)

    def start(self, first_id, params, origin):
        """Take the new candidates; return the next free candidate id."""
        ids = list(range(first_id, first_id + len(params)))
        self.params = dict(zip(ids, params))
        self.origin = dict(zip(ids, origin))  # subspace index
        self.alive = ids
        return first_id + len(ids)

    @property
    def done(self):
        return self.rung == len(self.rungs)

    def request(self, by_splits, n_cv_splits):
        """(candidates, split indices, resource) of the current rung."""
        r_i = self.rungs[self.rung][1]
        candidates = {cid: self.params[cid] for cid in self.alive}
        if by_splits:
            return candidates, list(range(r_i)), None
        return candidates, list(range(n_cv_splits)), r_i

    def record(self, scores, split_indices, resource):
        """Keep the rung's rows; return its (subspace, params, budget, score)."""
        r_i = self.rungs[self.rung][1]
        for cid in self.alive:
            self.rows.append((cid, split_indices, resource))
            self.more["candidate_id"].append(cid)
            self.more["bracket"].append(self.s)
            self.more["iter"].append(self.rung)
            self.more["n_resources"].append(r_i)
        return [(self.origin[cid], self.params[cid], r_i, score)
                for cid, score in zip(self.alive, scores)]

    def promote(self, top, scores):
        """Move to the next rung with its share of the best candidates."""
        self.rung += 1
        if not self.done:
            self.alive = top(self.alive, scores, self.rungs[self.rung][0])


def _n_drawn(brackets):
    """How many candidates ``brackets`` start (their first rungs)."""
    return sum(rungs[0][0] for _, rungs in brackets)


def small_space_size(subspaces, n_candidates):
    """The number of points of a finite space of at most ``n_candidates``
    points, else None.

    Lists, ``Integer`` ranges and finite discrete distributions count. Such a
    space is drawn whole, each point once, and cuts Hyperband's brackets
    (``hyperband_brackets(n_points=...)``).
    """
    sizes = [subspace.space.grid_size(_MAX_GRID_POINTS, whole=True) for subspace in subspaces]
    return None if None in sizes or sum(sizes) > n_candidates else sum(sizes)


def _check_swapped_steps_have(resource, space):
    """Refuse a searched step (``"clf": [SGDClassifier(), KNeighbors...]``)
    without the resource parameter (``"clf__max_iter"``) before any fit."""
    step = searched_step(resource, space.as_dict())
    lacking = step.lacking() if step is not None else []
    if lacking:
        raise ValueError(
            f"The resource {resource!r} is set at every rung, but the "
            f"searched step {step.name!r} can be {lacking[0]!r}, which has no "
            f"parameter {step.param!r}. Search that step in another "
            f"HyperbandSearchCV, or list only steps that have {step.param!r}."
        )


class HyperbandSearchCV(FoldSearchCV):
    """Hyperband search over hyperparameters, with CV splits as the budget.

    Hyperband (Li et al. 2018) runs several brackets of successive halving:
    each bracket starts many candidates on a small budget and promotes the
    best ``1/factor`` of them to a ``factor`` times larger budget, until the
    survivors get the full budget; brackets differ in how aggressively they
    cut, which hedges against a small budget ranking candidates badly.

    By default the budget is the number of cross-validation splits a
    candidate is scored on. Splits already scored are kept on promotion and
    never refitted, so promoting from 3 to 9 splits costs 6 fold-fits.

    Parameters
    ----------
    estimator : estimator object
        An object implementing ``fit``; it is cloned for every fit.

    param_distributions : dict, list of dict
        Every search-space form of skhpo: ``Real``, ``Integer``,
        ``Categorical``, ``(low, high[, prior])`` tuples, scipy.stats frozen
        distributions and lists, in a dict of parameter name -> dimension. A
        list of dicts gives alternative subspaces; each new candidate picks
        one as ``sampler`` says (an ``n_iter`` in skopt's ``(dict, n_iter)``
        form is ignored: Hyperband sets the number of candidates). Checked
        before any fit as in :class:`BayesSearchCV`, against the estimator's
        declared parameter constraints too. No point is drawn twice: a
        finite space (lists, ``Integer`` ranges, discrete distributions) with
        fewer points than the brackets' candidates is drawn whole and cuts
        them (later brackets start fewer, or are left out), with a warning.

    resource : str, default="n_splits"
        What the budget counts:

        - ``"n_splits"``: the number of CV splits scored, up to
          ``cv.get_n_splits()``. The first ``r`` splits of ``cv`` are used at
          budget ``r``. With 5-fold CV and ``factor=3`` there are only two
          budgets (1 and 5 splits) and five candidates, so use repeated CV
          for deeper brackets:
          ``RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)``
          gives 9 splits and budgets 1, 3 and 9.
        - ``"n_samples"``: each training fold subsampled to
          ``r / n_samples`` of its rows (stratified for classifiers), scored
          on the whole test fold, on all splits. Every candidate of a rung
          sees the same rows; a larger budget's subsample usually, but not
          always, contains the smaller one's.
        - any other string: an estimator parameter (``n_estimators``,
          ``max_iter``, skorch's ``max_epochs``) set to ``r``, scored on all
          splits. It must not be part of the searched parameters.

    min_resources : int or "smallest", default="smallest"
        ``r_min``, the lower bound of the budgets: the most aggressive
        bracket starts at ``floor(R / factor**s_max)``, which is ``r_min``
        when ``R / r_min`` is a power of ``factor`` and can be larger
        otherwise (``n_resources_`` lists the budgets run).
        ``"smallest"`` means 1 for ``"n_splits"`` and estimator parameters,
        and ``2 * n_splits * n_classes`` samples (``2 * n_splits`` for
        regressors) for ``"n_samples"``, as ``HalvingRandomSearchCV``.

    max_resources : int or "auto", default="auto"
        ``R``, the full budget. ``"auto"`` means all the splits of ``cv``
        for ``"n_splits"`` and all the samples for ``"n_samples"``; it must
        be given for an estimator parameter.

    factor : float, default=3
        ``eta``: each rung keeps ``floor(n / factor)`` of its ``n``
        candidates and multiplies the budget by ``factor``. At least 2.

    n_brackets : "all" or int, default="all"
        Number of brackets, the most aggressive first. ``"all"`` runs the
        ``s_max + 1`` brackets of Li et al.; 1 runs one successive halving.

    sampler : {"random", "bayes"}, default="random"
        How each bracket's new candidates are drawn. ``"random"``: a
        subspace uniformly at random, then a scrambled Sobol point of it; no
        point is drawn twice while unseen ones are left, and a space made
        only of lists (a grid, or a list of grids) is drawn without
        replacement as ``RandomizedSearchCV`` draws it, each grid getting
        draws in proportion to its number of distinct points. ``"bayes"``:
        as in BOHB (Falkner et al. 2018), a Gaussian-process optimizer
        (:class:`skhpo._optimizer.Optimizer`, expected improvement) fitted on
        the scores at the largest budget that has at least ``d + 2`` finite
        scores (``d`` the space's dimension on the unit cube) proposes two
        thirds of the candidates; the other third, and every candidate until
        such a budget exists, is random.

    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``. With several metrics, candidates are promoted
        on the ``refit`` metric (on the first metric when ``refit`` is a
        callable or False).

    n_jobs : int, default=None
        Parallel (candidate, split) fits, through joblib: any joblib backend
        (``loky``, threads, Dask, Ray) runs them. Results do not depend on
        ``n_jobs``. With one worker the brackets run one after another, which
        gives full-budget scores soonest. With several and
        ``sampler="random"``, the brackets, which do not depend on each
        other, run side by side: each bracket's next rung starts as soon as
        its last one is scored, while the other brackets' fits run, so no
        worker waits idle for the slowest fit of a rung. There is no
        ``pre_dispatch`` (as in scikit-learn's halving searches): joblib
        dispatches ``2 * n_jobs`` groups of fits ahead.
        ``sampler="bayes"`` learns from earlier brackets, so they always run
        one after another.

    refit : bool, str or callable, default=True
        As in ``GridSearchCV``. The best candidate is chosen by the rule in
        the Notes.

    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV`` (``None`` is 5-fold). It must yield the same
        splits at every call of ``split``: a shuffling splitter needs an
        integer ``random_state``.

    verbose : int, default=0
        1 prints the schedule, then one line per rung: the best score at the
        full budget so far, fold-fits done and an estimate of the time left
        (each fit weighted by its resource, when that is not the splits).
        2 adds a line per batch of fits and ``GridSearchCV``'s ``[CV] END``
        line per fit (parameters with the resource, and time); 3 and more add
        the split number and the scores to those lines, and joblib's progress
        messages.

    random_state : int, RandomState instance or None, default=None
        Seeds candidate sampling (and the ``"n_samples"`` subsamples). For a
        fixed integer, the search is the same whatever ``n_jobs``.

    error_score : "raise" or float, default=np.nan
        Score given in ``cv_results_`` to a failed fit (or scorer). A failing
        model never stops the search unless ``error_score="raise"``;
        whatever the value, a failed candidate is never promoted ahead of
        one with a score. At the full budget, as in ``GridSearchCV``, a
        numeric ``error_score`` is ranked as a score: ``error_score=0`` with
        negative scores (``neg_log_loss``) makes a failed candidate the best
        (its refit then raises); keep NaN there. A rung where every candidate
        failed warns that its promotions were taken in candidate order.

    return_train_score : bool, default=False
        Also score the training folds.

    checkpoint : str or path-like, default=None
        A JSON-lines journal to which every finished (candidate, split) result
        is appended as the search collects it, in the order the fits were
        submitted: with ``n_jobs > 1`` a fit that finishes while an earlier
        one still runs (for HyperbandSearchCV, one of an earlier bracket) is
        journaled after it, so a kill can lose a few finished fits, which a
        resumed search fits again. Fitting again with the same path and a
        compatible setup (same parameters apart from ``n_jobs`` and
        ``verbose``; same space, cv splits, scoring, integer
        ``random_state``, data and fit parameters) reuses every journaled
        result and fits only what is missing, so a search killed at any point
        resumes where it stopped and ends as an uninterrupted run would; an
        incompatible journal is refused with a
        :class:`~skhpo.JournalMismatchError` naming what differs (functions
        compared by their code). A damaged line is skipped with a warning
        (its fit runs again).
        ``n_fold_fits_`` then counts only the fits of the resumed run.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One row per (candidate, rung), as ``HalvingRandomSearchCV``, with
        scikit-learn's usual keys (``params``, ``param_<name>``,
        ``split{i}_test_<m>``, ``mean_/std_/rank_test_<m>``,
        ``mean_fit_time``, ...) and ``bracket`` (Li et al.'s ``s``),
        ``iter`` (the rung within the bracket), ``n_resources`` and
        ``candidate_id`` (the same id on every row of one candidate),
        ``n_failed_splits`` (splits of the row whose fit, or whose scoring
        of the metric the search follows, failed, which a numeric
        ``error_score`` would otherwise hide), and
        each split's ``split{i}_fit_time`` and ``split{i}_score_time``.
        ``split{i}_test_<m>`` and the split times are NaN for the splits a
        row did not score.
    best_estimator_ : estimator
        The best candidate refitted on the whole data (if ``refit``).
    best_score_ : float
        Mean test score of the best candidate at the full budget.
    best_params_ : dict
    best_index_ : int
        Row of ``cv_results_`` with ``rank_test_<refit metric> == 1``.
    scorer_ : callable or dict
    n_splits_ : int
        Number of ``split{i}_*`` columns: ``max_resources_`` for
        ``"n_splits"``, else the splits of ``cv``.
    refit_time_ : float
    multimetric_ : bool
    min_resources_, max_resources_ : int
        The resolved ``r_min`` and ``R``.
    n_resources_ : list of list of int
        Budget of every rung, one list per bracket (in running order).
    n_candidates_ : list of list of int
        Candidates of every rung, one list per bracket.
    n_iterations_ : int
        Rungs run, over all brackets.
    n_brackets_ : int
    n_fold_fits_ : int
        (candidate, split) fits made, the refit excluded; equals the
        ``fold_fits`` total of :meth:`schedule`.

    See Also
    --------
    hyperband_schedule : preview the brackets and their cost.
    sklearn.model_selection.HalvingRandomSearchCV : one bracket, subsamples.

    Notes
    -----
    Brackets follow Li et al. (2018), Algorithm 1 exactly: ``s_max =
    floor(log_eta(R / r_min))``; bracket ``s`` starts ``n = ceil((s_max + 1)
    / (s + 1) * eta**s)`` candidates at ``r = R * eta**-s`` (rounded down
    to an integer) and keeps ``floor(n_i / eta)`` per rung.

    **Which candidate is best.** Rows are ranked first by ``n_resources``
    (more is better), then by mean test score, so ``rank_test_<m> == 1`` is
    the best candidate among those scored on the full budget ``R``, and that
    row is ``best_index_``: ``best_params_`` is always the
    ``rank_test_score == 1`` row. A candidate that looked better on fewer
    splits is not preferred, since its score is noisier (compare
    scikit-learn #24901). A failed row (NaN mean) ranks last whatever its
    budget, so when every full-budget row failed, rank 1 is a lower-budget
    row, and a warning says so. With a callable ``refit``, ``best_index_``
    is the row it returns, as in scikit-learn; if that row was not scored on
    the full budget, a warning says so too. Select among the rows with
    ``n_resources == max_resources_`` there: ``iter`` counts rungs within a
    bracket, so the ``iter == max(iter)`` of a halving search's callables
    keeps one bracket's last rung only. A rung where every fit fails
    does not end the search; if every fit of the search failed, it raises
    :class:`~skhpo.exceptions.AllFitsFailedError` at the end, as
    ``GridSearchCV`` does after trying every candidate.

    **Coming from HalvingRandomSearchCV.** ``n_resources_`` and
    ``n_candidates_`` hold one list per bracket (``max(search.n_resources_)``
    is a list), ``min_resources_`` is ``r_min`` rather than the first budget
    run, and ``factor`` must be at least 2. There is no
    ``n_possible_iterations_`` or ``n_required_iterations_`` (a halving
    search's single bracket; here ``n_iterations_`` counts the rungs of all
    brackets), no ``min_resources="exhaust"`` (Hyperband's brackets already
    span every budget from ``r_min`` to ``R``), no ``n_candidates`` (each
    bracket's number follows from the arithmetic above; see
    :func:`hyperband_schedule`) and no ``aggressive_elimination``.

    Examples
    --------
    >>> from scipy.stats import randint
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RepeatedStratifiedKFold
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo.hyperband import HyperbandSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)
    >>> search = HyperbandSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": randint(1, 10), "min_samples_leaf": randint(1, 20)},
    ...     cv=cv, random_state=0)
    >>> search.schedule()["n_resources"].tolist()
    [1, 3, 9, 3, 9, 9]
    >>> search.fit(X, y).n_fold_fits_
    69
    >>> int(search.cv_results_["rank_test_score"][search.best_index_])
    1
    """

    # Set during the search, before cv_results_ (see FoldSearchCV).
    _interim_attributes = ("n_resources_", "n_candidates_", "min_resources_",
                           "max_resources_", "n_brackets_", "n_iterations_")
    _parameter_constraints: dict = {
        **FoldSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "resource": [str],
        "min_resources": [Interval(Integral, 1, None, closed="left"),
                          StrOptions({"smallest"})],
        "max_resources": [Interval(Integral, 1, None, closed="left"),
                          StrOptions({"auto"})],
        "factor": [Interval(Real, 2, None, closed="left")],
        "n_brackets": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"all"})],
        "sampler": [StrOptions({"random", "bayes"})],
        "random_state": ["random_state"],
    }
    _parameter_constraints.pop("pre_dispatch")  # not a parameter here

    def __init__(self, estimator, param_distributions, *, resource="n_splits",
                 min_resources="smallest", max_resources="auto", factor=3,
                 n_brackets="all", sampler="random", scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, random_state=None,
                 error_score=np.nan, return_train_score=False, checkpoint=None):
        # BaseSearchCV.__init__ would also set pre_dispatch, which is not a
        # parameter of this class; store the arguments directly instead.
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.n_brackets = n_brackets
        self.sampler = sampler
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.checkpoint = checkpoint

    _space_parameter = "param_distributions"

    def fit(self, X, y=None, *, callback=None, **params):
        return super().fit(X, y, callback=callback, **params)

    fit.__doc__ = fit_docstring("HyperbandSearchCV", """\
            Called after each rung with a ``scipy.optimize.OptimizeResult``:
            ``x_iters`` (the candidates scored at the full budget so far, as
            dicts), ``func_vals`` (their losses, minus the scores; ``inf``
            for a failure), ``x`` and ``fun`` (the best of them), and
            ``cv_results`` (the rows so far), ``elapsed_time`` (seconds
            since ``fit`` started) and ``n_fold_fits``. Every callback of a
            list is called; if any returns True, the rungs still running
            finish and no new one starts, and the best candidate is the best
            at the largest budget reached, with a warning if that is not the
            full budget (``n_resources_`` and ``n_candidates_`` then list the
            rungs run). With a callback the brackets run one after another
            whatever ``n_jobs`` (the fits of a rung still run in parallel),
            so that where it stops does not depend on ``n_jobs``.
            ``skhpo.callbacks.DeadlineStopper`` sets a time budget.""")

    # ----------------------------------------------------------- resources
    def _resolve_resources(self, X, y, n_cv_splits, subspaces=None):
        """Return (min_resources, max_resources), checked before any fit."""
        resource = self.resource
        n_samples = None
        cv_hint = ("RepeatedStratifiedKFold(n_splits=3, n_repeats=3, "
                   "random_state=0)")
        if resource == "n_splits":
            max_r = n_cv_splits if self.max_resources == "auto" else self.max_resources
            if max_r > n_cv_splits:
                raise ValueError(
                    f"max_resources={max_r} exceeds the {n_cv_splits} splits of "
                    f"cv: with resource='n_splits' the budget counts CV splits. "
                    f"Lower max_resources or use a cv with more splits, e.g. "
                    f"{cv_hint}."
                )
            min_r = 1 if self.min_resources == "smallest" else self.min_resources
        elif resource == "n_samples":
            n_samples = _n_rows(X) if X is not None else None
            if n_samples is None and self.max_resources == "auto":
                raise ValueError(
                    "max_resources='auto' with resource='n_samples' needs X to "
                    "count the samples; pass X (and y for a classifier: "
                    "schedule(X, y)), or set max_resources."
                )
            max_r = n_samples if self.max_resources == "auto" else self.max_resources
            if n_samples is not None and max_r > n_samples:
                raise ValueError(
                    f"max_resources={max_r} exceeds the {n_samples} samples of "
                    f"X. Lower max_resources or use max_resources='auto'."
                )
            if self.min_resources == "smallest":
                # Enough rows for every split to see each class twice.
                min_r = 2 * n_cv_splits
                if is_classifier(self.estimator):
                    if y is None:
                        raise ValueError(
                            "min_resources='smallest' with resource='n_samples' "
                            "counts the classes of y for a classifier; pass y "
                            "(schedule(X, y)), or set min_resources."
                        )
                    min_r *= len(np.unique(np.asarray(y)))
            else:
                min_r = self.min_resources
        else:
            names = self.estimator.get_params(deep=True)
            if resource not in names:
                # In a pipeline the parameter carries its step's prefix.
                nested = sorted(n for n in names if n.endswith(f"__{resource}"))
                hint = (f"Did you mean {nested[0]!r}?" if nested else
                        f"Parameters include {sorted(names)[:8]}.")
                raise ValueError(
                    f"resource must be 'n_splits', 'n_samples' or a parameter "
                    f"of the estimator, got resource={resource!r}, which "
                    f"{type(self.estimator).__name__} does not have. {hint}"
                )
            for subspace in subspaces or ():
                if resource in subspace.space.names:
                    raise ValueError(
                        f"The resource {resource!r} is also a searched "
                        f"parameter. Hyperband sets it at every rung: remove it "
                        f"from param_distributions."
                    )
                _check_swapped_steps_have(resource, subspace.space)
            if self.max_resources == "auto":
                current = names[resource]
                usable = (isinstance(current, Integral) and not isinstance(current, bool)
                          and current > 1)
                raise ValueError(
                    f"max_resources='auto' is only defined for resource="
                    f"'n_splits' or 'n_samples'; with resource={resource!r} set "
                    f"max_resources to its full value, e.g. max_resources="
                    f"{current if usable else 81}"
                    f"{' (its value in the estimator)' if usable else ''}."
                )
            max_r = self.max_resources
            min_r = 1 if self.min_resources == "smallest" else self.min_resources
        smallest = ""
        if resource == "n_samples" and self.min_resources == "smallest":
            classes = (f" x {min_r // (2 * n_cv_splits)} classes"
                       if is_classifier(self.estimator) else "")
            smallest = (f"min_resources='smallest' is 2 x {n_cv_splits} splits"
                        f"{classes} = {min_r} samples here (a cv with fewer "
                        f"splits lowers it). ")
        if min_r > max_r:
            raise ValueError(
                f"min_resources must not exceed max_resources, got "
                f"min_resources={min_r} > max_resources={max_r} "
                f"(resource={resource!r}). {smallest}Lower min_resources or raise "
                f"max_resources."
            )
        if max_r < self.factor * min_r:
            # s_max = 0: a single bracket of a single candidate.
            if resource == "n_splits":
                fix = f"Use a cv with more splits, e.g. {cv_hint}, or a smaller factor."
            else:
                # The largest min_resources that gives two budgets: a fix that works.
                works = int(max_r // self.factor)
                lower = (f"set min_resources={works} or lower"
                         if works >= 1 else "lower factor")
                fix = (f"{smallest}To compare candidates, {lower}"
                       + (" (fewer rows per subsample)." if resource == "n_samples"
                          and max_r == n_samples else ", or raise max_resources."))
            raise ValueError(
                f"max_resources must be at least factor * min_resources for "
                f"Hyperband to compare candidates, got max_resources={max_r} < "
                f"{self.factor} * {min_r} (resource={resource!r}), which leaves "
                f"one bracket of one candidate. {fix}"
            )
        return int(min_r), int(max_r)

    def schedule(self, X=None, y=None, groups=None):
        """Preview the brackets and their cost in fold-fits, before fitting.

        Parameters
        ----------
        X, y : array-like, default=None
            Needed only when the number of splits or samples depends on them
            (``resource="n_samples"`` with ``max_resources="auto"``, and y too
            for a classifier with ``min_resources="smallest"``, which counts
            its classes; or a cv whose number of splits depends on the data).
            Given X, the
            preview also runs fit's checks of the first rung, so it refuses
            what fit would refuse.
        groups : array-like, default=None
            Group labels, for group splitters.

        Returns
        -------
        schedule : pandas.DataFrame
            See :func:`hyperband_schedule`.

        Examples
        --------
        >>> from sklearn.model_selection import KFold
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from skhpo.hyperband import HyperbandSearchCV
        >>> search = HyperbandSearchCV(DecisionTreeClassifier(),
        ...                            {"max_depth": (1, 20)}, cv=KFold(9))
        >>> search.schedule().attrs["total_fold_fits"]
        69
        """
        self._validate_params()
        if isinstance(self.cv, abc.Iterator):
            raise ValueError(
                "schedule() cannot count the splits of an iterator given as cv "
                "without using it up, and fit would then find none. Pass the "
                "splits as a list, cv=list(splits), or a splitter object."
            )
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        subspaces = parse_search_spaces(self.param_distributions)
        if X is not None:
            # fit's own checks, so that the preview never shows a plan fit
            # would refuse.
            splits = list(cv.split(X, y, groups=groups))
            n_cv_splits, min_r, max_r, _, n_points = self._prepare(X, y, splits, subspaces)
        else:
            n_cv_splits = cv.get_n_splits(X, y, groups=groups)
            min_r, max_r = self._resolve_resources(X, y, n_cv_splits, subspaces)
            n_points, _ = self._small_space(subspaces, max_r, min_r)
        return hyperband_schedule(max_r, min_r, self.factor, self.n_brackets,
                                  resource=self.resource, n_splits=n_cv_splits,
                                  n_points=n_points)

    # --------------------------------------------------------------- hooks
    def _prepare(self, X, y, splits, subspaces):
        n_cv_splits = len(splits)
        min_r, max_r = self._resolve_resources(X, y, n_cv_splits, subspaces)
        n_points, full = self._small_space(subspaces, max_r, min_r)
        brackets = hyperband_brackets(max_r, min_r, self.factor, self.n_brackets,
                                      n_points=n_points)
        self._warn_if_cut(brackets, full)
        if self.resource == "n_samples":
            # The smallest rung run, which rounding can put above min_r.
            smallest_rung = min(rungs[0][1] for _, rungs in brackets)
            self._check_smallest_subsample(y, splits, min_r, smallest_rung, _n_rows(X))
        return n_cv_splits, min_r, max_r, brackets, n_points

    def _small_space(self, subspaces, max_r, min_r):
        """(the space's size if the brackets draw all of it, else None;
        the uncut brackets)."""
        full = hyperband_brackets(max_r, min_r, self.factor, self.n_brackets)
        return small_space_size(subspaces, _n_drawn(full)), full

    def _warn_if_cut(self, brackets, full):
        """Say so when the space is too small for the full schedule."""
        wanted, drawn = _n_drawn(full), _n_drawn(brackets)
        if drawn < wanted:
            dropped = len(full) - len(brackets)
            warn(
                f"The search space has only {drawn} distinct points, fewer than "
                f"the {wanted} candidates of Hyperband's brackets: each point is "
                f"drawn once, so the brackets start fewer candidates"
                + (f" and the last {dropped} {'is' if dropped == 1 else 'are'} left out"
                   if dropped else "")
                + " (schedule() shows the plan). For an exhaustive search use "
                "GridSearchCV or HalvingGridSearchCV.", UserWarning)

    def _check_smallest_subsample(self, y, splits, min_r, first_rung, n_samples):
        """Refuse a first rung (of ``first_rung`` samples, from ``min_r``)
        whose training subsample could not be fitted.

        Budget ``r`` keeps ``floor(len(train) * r / n_samples)`` rows of each
        training fold (``FoldEvaluator``): at least two, and one per class for
        a classifier, as ``min_resources="smallest"`` guarantees.
        """
        smallest = min(len(train) for train, _ in splits)
        n_train = int(smallest * first_rung / n_samples)
        needed = 2
        if is_classifier(self.estimator) and y is not None:
            needed = max(needed, len(np.unique(np.asarray(y))))
        if n_train < needed:
            # The smallest r with floor(smallest * r / n_samples) >= needed.
            enough = -(-needed * n_samples // smallest)
            raise ValueError(
                f"min_resources={min_r} gives a first rung of {first_rung} "
                f"samples, which leaves {n_train} training rows in the smallest "
                f"split (its {smallest} rows times {first_rung}/{n_samples}); at "
                f"least {needed} are needed. Set min_resources={enough} or more, "
                f"or use min_resources='smallest'."
            )

    def _evaluator_resource(self):
        return None if self.resource == "n_splits" else self.resource

    def _search(self, evaluator, subspaces, rng, root_ctx, state):
        n_cv_splits, min_r, max_r, brackets, n_points = state
        sampler_cls = _BayesSampler if self.sampler == "bayes" else _RandomSampler
        # A space the brackets draw whole is drawn as a grid, each point once.
        sampler = sampler_cls(subspaces, rng, whole=n_points is not None)
        by_splits = self.resource == "n_splits"
        # Brackets one after another give full-budget scores soonest (bracket
        # s_max's best is scored after a third of the fold-fits), which is what
        # one worker should do. With several workers, the random sampler's
        # brackets, which need no results to start, run side by side (see the
        # queue below). The results are the same either way.
        # A callback sees the rungs in the order they finish, which it could
        # stop at a different point: with one, brackets run one after another
        # whatever n_jobs, so that the results still do not depend on it.
        together = (self.sampler == "random" and effective_n_jobs(self.n_jobs) > 1
                    and not self._callbacks)
        # Side by side, each bracket's rungs go in their own parallel calls
        # when calls can run at once; otherwise (a joblib backend context,
        # callbacks) the rungs of equal depth share one call.
        overlap = together and evaluator.can_overlap(root_ctx)
        search_ctx = None
        if root_ctx is not None:
            # One subtask per parallel call.
            depths = [len(rungs) for _, rungs in brackets]
            n_calls = max(depths) if together and not overlap else sum(depths)
            search_ctx = ctx_begin(
                root_ctx.subcontext(task_name="search", max_subtasks=n_calls),
                estimator=self)

        schedule = hyperband_schedule(max_r, min_r, self.factor, self.n_brackets,
                                      resource=self.resource, n_splits=n_cv_splits,
                                      n_points=n_points)
        if self.verbose > 0:
            print(schedule.to_string(index=False))
        progress = ProgressPrinter(type(self).__name__,
                                   schedule.attrs["total_fold_fits"], self.verbose,
                                   total_work=_schedule_work(schedule, by_splits))
        best_full = np.nan  # best mean score at the full budget so far
        n_splits = max_r if by_splits else n_cv_splits  # split{i}_* columns

        history = []
        self.n_resources_ = [[r for _, r in rungs] for _, rungs in brackets]
        self.n_candidates_ = [[n for n, _ in rungs] for _, rungs in brackets]
        all_brackets = [_Bracket(s, rungs) for s, rungs in brackets]
        waiting, next_id = list(all_brackets), 0
        # Parallel calls submitted and not yet collected, oldest first, each
        # with its brackets' rungs. With overlap, every bracket's next rung is
        # submitted as soon as its last one is collected, while the other
        # brackets' rungs still run: no worker waits for the slowest fit of a
        # rung.
        queue = deque()

        def submit(group):
            requests = [bracket.request(by_splits, n_cv_splits) for bracket in group]
            queue.append((group, requests, self._submit_many(
                evaluator, requests, search_ctx, "hyperband-rung")))

        def start(n_brackets):
            nonlocal next_id
            group = [waiting.pop(0) for _ in range(n_brackets)]
            for bracket in group:
                params, origin = sampler.propose(bracket.rungs[0][0], history)
                next_id = bracket.start(next_id, params, origin)
            for part in ([[bracket] for bracket in group] if overlap else [group]):
                submit(part)

        stopped = False  # by a callback
        try:
            start(len(waiting) if together else 1)
            while queue:
                group, requests, submitted = queue.popleft()
                self._collect(evaluator, submitted)
                metric = self._followed_metric(evaluator)
                for bracket, (candidates, split_indices, resource) in zip(group, requests):
                    scores = [self._mean_score(evaluator, cid, split_indices, resource,
                                               metric) for cid in candidates]
                    n_i, r_i = bracket.rungs[bracket.rung]
                    history += bracket.record(scores, split_indices, resource)
                    if r_i == max_r and np.isfinite(scores).any():
                        best_full = np.nanmax([best_full, *scores])
                    progress.update(step=f"bracket {bracket.s}, rung {bracket.rung} ({n_i} "
                                         f"candidate{'s' * (n_i != 1)} at "
                                         f"{self.resource}={r_i})",
                                    fits_done=evaluator.n_fits_, best=best_full,
                                    fits_resumed=evaluator.n_resumed_,
                                    work_done=evaluator.work_,
                                    work_resumed=evaluator.resumed_work_)
                    if r_i < max_r and not np.isfinite(scores).any():
                        self._warn_blind_promotion(bracket, n_i, r_i)
                    bracket.promote(self._top, scores)
                if not stopped and self._callbacks:
                    stopped = self._told_to_stop(evaluator, history, max_r,
                                                 all_brackets, n_splits)
                if stopped:
                    # The rungs still running finish and are kept (cancelling
                    # them can upset joblib's process pool); no new one starts.
                    continue
                unfinished = [bracket for bracket in group if not bracket.done]
                if unfinished:
                    submit(unfinished)
                elif waiting and not queue:
                    start(1)
        except BaseException:
            for _, _, submitted in queue:  # cancel the rungs still running
                self._abandon(evaluator, submitted)
            raise
        ctx_end(search_ctx, estimator=self)
        if stopped:
            self._warn_if_stopped_early(history, max_r)

        self.min_resources_, self.max_resources_ = min_r, max_r
        self.n_brackets_ = len(brackets)
        # The rungs run: all of the schedule's, unless a callback stopped it.
        ran = [len(set(bracket.more["iter"])) for bracket in all_brackets]
        self.n_resources_ = [r[:n] for r, n in zip(self.n_resources_, ran)]
        self.n_candidates_ = [c[:n] for c, n in zip(self.n_candidates_, ran)]
        self.n_iterations_ = sum(ran)
        return self._plan(all_brackets, n_splits)

    def _warn_if_stopped_early(self, history, max_r):
        reached = max((r for _, _, r, _ in history), default=None)
        if reached is not None and reached < max_r:
            warn(f"A callback stopped the search before any candidate reached the "
                 f"full budget ({self.resource}={max_r}): best_params_ and best_score_ "
                 f"come from the largest budget reached, {self.resource}={reached}, "
                 f"a less reliable estimate.", UserWarning)

    @staticmethod
    def _plan(brackets, n_splits):
        """The rows of ``cv_results_``, bracket by bracket, whatever order the
        rungs ran in, the full budget ranked first: rank 1 is the best fully
        scored row."""
        rows, more = [], defaultdict(list)
        for bracket in brackets:
            rows += bracket.rows
            for key, values in bracket.more.items():
                more[key] += values
        return SearchPlan(rows, more, rank_by=more["n_resources"], n_splits=n_splits)

    def _told_to_stop(self, evaluator, history, max_r, brackets, n_splits):
        """Ask the callbacks, with the candidates scored at the full budget."""
        # With an estimator parameter as the resource, its full value is part
        # of the candidate, as in best_params_.
        extra = {} if self.resource in ("n_splits", "n_samples") else {self.resource: max_r}
        full = [({**params, **extra}, score) for _, params, r, score in history
                if r == max_r]
        plan = self._plan(brackets, n_splits)
        stop, _ = self._callbacks_stop(
            [params for params, _ in full], [score for _, score in full],
            n_fold_fits=evaluator.n_fits_,
            cv_results=format_cv_results(evaluator, plan.rows, n_splits=plan.n_splits,
                                         rank_by=plan.rank_by,
                                         more_results=plan.more_results,
                                         followed=self._followed_metric(evaluator)))
        return stop

    def _warn_blind_promotion(self, bracket, n_i, r_i):
        hint = (" A subsample that small may miss a class (imbalanced classes):"
                " raise min_resources." if self.resource == "n_samples" else "")
        warn(f"Every candidate of bracket {bracket.s}, rung {bracket.rung} ({n_i} at "
             f"{self.resource}={r_i}) failed or scored NaN, so the ones promoted were "
             f"taken in candidate order, not by score.{hint}")

    @staticmethod
    def _top(ids, scores, k):
        """The k best ids; NaN last, ties kept in candidate order."""
        order = sorted(range(len(ids)),
                       key=lambda j: (np.isnan(scores[j]),
                                      -scores[j] if not np.isnan(scores[j]) else 0.0))
        return [ids[j] for j in sorted(order[:k])]
