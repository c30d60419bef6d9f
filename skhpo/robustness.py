"""Multi-seed robustness check of a fitted hyperparameter search.

A search keeps the configuration with the best CV score under one seed. With
noisy models (forests, boosting, neural networks, shuffled CV) that winner
may have won by luck. :func:`check_robustness` re-scores the top
configurations under several paired seeds and says whether the winner holds.
"""

import copy
import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from . import _stats
from ._compat import _safe_indexing, routed_fit_params
from ._evaluate import check_sample_weight, metric_params
from ._frames import has_failed_split, primary_metric
from ._matplotlib import added_beside, axes_or_new, fit_new_figure
from ._warnings import warn

__all__ = [
    "RobustnessDisplay",
    "RobustnessReport",
    "RobustnessWarning",
    "check_robustness",
]

_VARY_OPTIONS = ("estimator", "cv")


class RobustnessWarning(UserWarning):
    """The robustness check cannot do what was asked (e.g. no seed to vary).

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skhpo import RobustnessWarning, check_robustness
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [1, 15]}).fit(X, y)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = check_robustness(search, X, y, vary="estimator")
    >>> report is None, caught[0].category is RobustnessWarning
    (True, True)
    >>> print(str(caught[0].message)[:34])
    The seeds cannot change any score:
    """


def check_robustness(
    search,
    X,
    y=None,
    *,
    seeds=5,
    top_k=5,
    vary=("estimator", "cv"),
    scoring=None,
    rope=0.01,
    alpha=0.05,
    n_jobs=None,
    random_state=None,
    **fit_params,
):
    """Re-score the top configurations of a fitted search under several seeds.

    Each of the ``top_k`` best configurations of ``search`` is cross-validated
    again once per seed. The design is paired: a seed sets the same estimator
    seed and the same CV shuffle for every configuration, so configurations
    are compared on identical randomness, and every source of variance the
    seed controls is randomised, as recommended by Bouthillier et al. (2021).

    Parameters
    ----------
    search : fitted BaseSearchCV
        Any fitted scikit-learn search (``GridSearchCV``,
        ``RandomizedSearchCV``, ``Halving*SearchCV``, skhpo's searches). For
        successive halving and Hyperband only the candidates scored on the
        full budget (the largest ``n_resources``) are considered, and
        candidates pruned by ``BayesSearchCV(pruning=True)`` are left out.
    X : array-like of shape (n_samples, n_features)
        The data the search was fitted on (or any data to check on).
    y : array-like of shape (n_samples,), default=None
        Targets.
    seeds : int or list of int, default=5
        Number of seeds to draw from ``random_state``, or the seeds
        themselves. At least 2.
    top_k : int, default=5
        Number of best configurations of the search to re-score (fewer if
        the search has fewer valid candidates: not failed, which skhpo's
        searches record even under a numeric ``error_score``, not pruned, and
        at the full budget).
    vary : tuple of {"estimator", "cv"}, default=("estimator", "cv")
        What a seed changes. ``"estimator"`` sets every ``random_state`` and
        ``*__random_state`` in ``get_params(deep=True)``; ``"cv"`` re-creates
        the search's splitter (same class, same number of splits) with
        ``shuffle=True, random_state=seed``. Group splitters with a
        ``random_state`` (``GroupKFold``, ``StratifiedGroupKFold``,
        ``GroupShuffleSplit``) are reshuffled too, keeping each group in one
        fold; time-series splitters and splitters without a ``random_state``
        (``LeaveOneGroupOut``) are not: only the estimator seed varies and
        ``report.notes`` says so.
    scoring : str, callable or None, default=None
        Metric to re-score with. ``None`` uses the search's refit metric (its
        only metric for single-metric searches). For a multi-metric search a
        metric name picks that metric's ranking and scorer. When ``refit`` is
        callable the original winner is ``search.best_index_`` and the other
        configurations follow in the order of ``rank_test_<metric>`` of the
        first metric. Any other scorer re-scores the configurations ranked by
        the refit metric, and ``original_score`` is then NaN.
    rope : float, default=0.01
        Half width of the region of practical equivalence, in score units,
        used by the Bayesian test.
    alpha : float, default=0.05
        Level of the confidence intervals and of the tests.
    n_jobs : int, default=None
        Number of jobs for the ``(configuration, seed, split)`` fits, with
        joblib. The report does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Draws the seeds when ``seeds`` is an int. Fix it for a reproducible
        report.
    **fit_params : dict
        The parameters given to ``search.fit``, routed as the search routes
        them: ``groups`` to the splitter, the others to the estimator's
        ``fit`` and, where the search does so (scikit-learn >= 1.9, or with
        metadata routing), ``sample_weight`` to the scorer as well.
        Sample-aligned arrays are sliced to each training or test set.

    Returns
    -------
    report : RobustnessReport or None
        None, with a :class:`RobustnessWarning`, when the seeds cannot change
        any score (no ``random_state`` to set and a splitter that cannot be
        reshuffled): re-scoring would only repeat the original search.

    Raises
    ------
    NotFittedError
        If ``search`` has no ``cv_results_``.
    ValueError
        If ``seeds``, ``top_k``, ``vary``, ``rope`` or ``alpha`` is invalid.

    See Also
    --------
    RobustnessReport : What the report holds.
    RobustnessDisplay : Plots of the report.

    Notes
    -----
    Scores of resampled CV are correlated through overlapping training sets,
    so the intervals and tests use Nadeau and Bengio's (2003) corrected
    resampled t, with the seed as the independent unit; the posterior
    probabilities come from the Bayesian correlated t-test of Benavoli et al.
    (2017). See :func:`skhpo._stats.corrected_mean_variance`.

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the Generalization Error", Machine
    Learning 52(3), 2003.

    A. Benavoli, G. Corani, J. Demšar and M. Zaffalon, "Time for a Change: a
    Tutorial for Comparing Multiple Classifiers Through Bayesian Analysis",
    JMLR 18(77), 2017.

    X. Bouthillier et al., "Accounting for Variance in Machine Learning
    Benchmarks", MLSys 2021.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo.robustness import check_robustness
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_features=1, random_state=0)
    >>> search = GridSearchCV(tree, {"max_depth": [1, 3]}).fit(X, y)
    >>> report = check_robustness(search, X, y, seeds=3, random_state=0)
    >>> report.recommended_params
    {'max_depth': 3}
    >>> report.summary["verdict"].tolist()
    ['robust_best', 'worse']
    >>> report.varied
    ('estimator', 'cv')
    """
    _check_fitted(search)
    _check_same_columns(search, X)
    if not (scoring is None or isinstance(scoring, str) or callable(scoring)):
        raise ValueError(
            "scoring must be None (the search's metric), a metric name or a "
            f"callable scorer: one metric is re-scored, got {scoring!r}. Pick one, "
            "e.g. scoring='accuracy'."
        )
    seeds = _check_seeds(seeds, random_state)
    vary = _check_params(top_k, vary, rope, alpha)
    metric, scorer, order, original, ranking_rule = _ranking(search, scoring)
    order = order[:top_k]
    notes = []
    if len(order) == 1 and top_k > 1:
        notes.append("Only one candidate qualifies (see ranking_rule), so no "
                     "configuration is compared with it: the report measures its "
                     "seed variance only.")
    cv_results = search.cv_results_
    params = [cv_results["params"][i] for i in order]
    original_scores = original[order] if original is not None else np.full(len(order), np.nan)

    check_sample_weight(fit_params.get("sample_weight"), X)
    routed = routed_fit_params(search, fit_params)
    groups = routed.splitter.split.get("groups")
    fit_params, score_params = routed.estimator.fit, routed.scorer.score
    if not (scorer is getattr(search, "scorer_", None) or isinstance(scorer, _OneMetric)):
        # Routed for the search's scorers together: this one's share only (a
        # scorer the search did not have may refuse sample_weight).
        score_params = metric_params({metric: scorer}, score_params)[metric]
    base_cv = check_cv(search.cv, y, classifier=is_classifier(search.estimator))
    subsampled = _subsampled_note(search, X)
    if subsampled:
        notes.append(subsampled)
    cv_varies, why_not = _can_reshuffle(base_cv)
    cv_varies = cv_varies and "cv" in vary
    if "cv" in vary and why_not:
        notes.append(why_not + "; only the estimator seed varies.")
    if cv_varies and getattr(base_cv, "shuffle", True) is False:
        notes.append(f"The search's splitter ({type(base_cv).__name__}) did not "
                     f"shuffle; the re-scoring shuffles it with each seed, so "
                     f"original_score and optimism compare two protocols (pass "
                     f"vary=('estimator',) to keep its splits).")

    # clone(p): a step object in the params (a pipeline step searched over)
    # is shared by every row; set_params of its nested parameters would edit
    # it for all of them, and in the search's own cv_results_.
    estimators = [clone(search.estimator).set_params(**clone(p, safe=False)) for p in params]
    # A random_state the search tuned is part of a configuration: kept.
    searched = sorted({k for p in params for k in p if _is_seed_key(k)})
    seed_keys = [[k for k in _seed_keys(est) if k not in p]
                 for est, p in zip(estimators, params)]
    if searched and "estimator" in vary:
        notes.append(f"The search tuned {searched}: each configuration keeps its "
                     f"value, and the seeds do not set it.")
    est_varies = "estimator" in vary and any(seed_keys)
    if "estimator" not in vary and any(
        est.get_params()[k] is None for est, keys in zip(estimators, seed_keys) for k in keys
    ):
        notes.append(
            "vary excludes 'estimator' and some random_state is None: those "
            "fits are not reproducible."
        )
    if "estimator" in vary and not est_varies and not searched:
        notes.append(
            "No random_state in the estimator's get_params(deep=True); "
            "only the CV shuffling varies."
        )
    if not (cv_varies or est_varies):
        _check_splits_left(base_cv.get_n_splits(X, y, groups), search.cv)
        # The real reason on each side: vary's choice, or what cannot vary.
        estimator_why = ("vary excludes 'estimator'" if "estimator" not in vary
                         else f"the search tuned {searched}" if searched
                         else "the estimator has no random_state to set")
        cv_why = ("vary excludes 'cv'" if "cv" not in vary
                  else f"the splitter {base_cv!r} cannot be reshuffled")
        splitter_fix = ("" if _keeps_time_order(base_cv)
                        else "a splitter that shuffles (e.g. KFold) or ")
        warn(
            f"The seeds cannot change any score: {estimator_why} and {cv_why}. "
            "Re-scoring would only repeat the original search, so no report "
            "is returned. Vary what can change (vary=('estimator', 'cv')), use "
            f"{splitter_fix}an estimator with a random_state.",
            RobustnessWarning,
        )
        return None

    splits = _make_splits(base_cv, seeds, cv_varies, X, y, groups, random_state)
    n_splits = {len(s) for s in splits}
    if len(n_splits) != 1:
        raise ValueError(
            f"The splitter must give the same number of splits for every seed, "
            f"got {sorted(n_splits)}. Use a splitter with a fixed n_splits."
        )
    n_splits = n_splits.pop()
    _check_splits_left(n_splits, search.cv)
    error_score = getattr(search, "error_score", np.nan)
    tasks = []
    for c, est in enumerate(estimators):
        for s, seed in enumerate(seeds):
            seeded = est
            if est_varies and seed_keys[c]:
                seeded = clone(est).set_params(**{k: seed for k in seed_keys[c]})
            for k, (train, test) in enumerate(splits[s]):
                tasks.append((c, s, k, seeded, train, test))

    def arguments(task):
        *_, est, train, test = task
        return (clone(est), X, y, train, test, scorer, fit_params, score_params,
                error_score)

    # The search fitted its winner: if it fails here even with its own seed,
    # the data, fit parameters or scoring given are at fault, and every other
    # fit would fail too. Say so now rather than after all of them. (A
    # failure under a new seed only is a finding of the check.)
    first = _fit_and_score(*arguments(tasks[0]))
    if first[1] is not None:
        # On the search's own first split (its splitter as given), not a
        # reshuffled one on which the winner may honestly fail.
        own_split = (next(iter(base_cv.split(X, y, groups))) if cv_varies
                     else tuple(tasks[0][4:]))
        own = _fit_and_score(*arguments((*tasks[0][:3], estimators[0], *own_split)))
        if own[1] is not None:
            raise ValueError(
                f"The search's best configuration fails here, on the search's first "
                f"split, with its own random_state, though the search fitted it: "
                f"{own[1]}. Check the X, y, fit parameters and scoring given to "
                f"check_robustness against those given to the search.")
    results = [first] + Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(*arguments(task)) for task in tasks[1:])
    scores = np.empty((len(params), len(seeds), n_splits))
    for (c, s, k, *_), (value, _) in zip(tasks, results):
        scores[c, s, k] = value
    _check_failures([error for _, error in results], scores)
    if np.array_equal(scores, np.broadcast_to(scores[:, :1, :], scores.shape),
                      equal_nan=True):
        # What varies is decided a priori (get_params, the splitter's
        # options): an unused random_state (lbfgs LogisticRegression) or a
        # shuffle that meets no randomness changes nothing.
        keys = ", ".join(sorted({k for ks in seed_keys for k in ks}))
        what = " and ".join(text for text, on in (
            (f"the estimator's random_state ({keys})", est_varies),
            ("the CV shuffle", cv_varies)) if on)
        warn(
            f"Every seed gave exactly the same scores: {what} changed none of "
            "them, so the report measures fold noise only.",
            RobustnessWarning)
        notes.append("Every seed gave exactly the same scores.")

    ratio = float(np.mean([len(te) / len(tr) for sp in splits for tr, te in sp]))
    varied = tuple(v for v, on in (("estimator", est_varies), ("cv", cv_varies)) if on)
    return RobustnessReport._from_scores(
        scores,
        params=params,
        candidates=order,
        original_ranks=_original_ranks(search, metric, order, original),
        original_scores=original_scores,
        seeds=seeds,
        metric=metric,
        ranking_rule=ranking_rule,
        varied=varied,
        notes=notes,
        test_train_ratio=ratio,
        folds_shared=not cv_varies,
        alpha=alpha,
        rope=rope,
        original_comparable=not subsampled,
    )


class RobustnessReport:
    """Result of :func:`check_robustness`.

    Build it with :func:`check_robustness`; the attributes are plain pandas
    objects, so they print, filter and export as usual.

    Attributes
    ----------
    scores : DataFrame
        Long format, one row per configuration x seed x split: ``config``
        (0 = the original winner, then the search's order), ``candidate``
        (row of ``cv_results_``), ``seed``, ``split``, ``score``.
    summary : DataFrame
        One row per configuration, indexed by ``config``: ``params``,
        ``original_rank``, ``original_score``, ``robust_mean`` (mean over
        seeds and splits), ``robust_median`` (median of the seed means),
        ``seed_sd`` (sd of the seed means), ``fold_sd`` (pooled sd across
        splits), ``ci_low``/``ci_high`` (corrected resampled-t interval of
        the robust mean, Nadeau & Bengio 2003; a t interval knows no bounds
        of the metric, so an accuracy near 1 can get a ``ci_high`` above 1),
        ``optimism`` (original score
        minus robust mean; NaN, with a note, when the search's full budget
        was a subsample of the rows), ``mean_rank``/``rank_sd`` (rank among the
        configurations per seed), ``win_rate`` (share of seeds it ranks
        first), ``p_beat_winner`` with ``p_beat_winner_low``/``_high`` (share
        of seeds it beats the original winner, Wilson interval; in both, a
        seed where a fit failed ranks last),
        ``bayes_p_better``/``bayes_p_equivalent``/``bayes_p_worse``
        (Bayesian correlated t-test against the original winner with the
        ROPE, Benavoli et al. 2017), ``t_vs_best``/``p_vs_best`` (one-sided
        corrected t of "robust best - configuration"), ``p_holm`` (adjusted
        for picking the best from the same scores and Holm's step-down),
        ``significantly_worse`` (``p_holm < alpha``) and ``verdict``:
        ``"robust_best"`` (highest robust mean), ``"lucky"`` (the original
        winner when it is not the robust best: its win did not survive the
        re-scoring), ``"worse"`` (significantly worse than the robust best),
        ``"tie"`` (not shown to be worse, which is not "shown equivalent":
        with few seeds or splits the tests have little power, and
        ``bayes_p_worse`` or ``bayes_p_equivalent`` say more) or
        ``"failed"`` (a re-scoring fit failed or gave a non-finite score, so
        its statistics are NaN; a failed fit scores NaN here whatever the
        search's ``error_score``). Among
        truly equal configurations the original winner is ``"lucky"``
        whenever another one happens to rank first (with ``k`` equal ones,
        ``(k - 1) / k`` of the time), which is right: its win was luck, and
        so is the robust best's. Whether the robust best is really better is
        what ``p_holm``, ``significantly_worse`` and ``bayes_p_better`` say.
    stability : DataFrame
        Indexed by statistic, columns ``value`` and ``description``:
        Kendall's W across seeds, mean Kendall tau to the original ranking,
        top-1 agreement and top-k overlap.
    recommended_params : dict
        The parameters to use.
    recommended_config : int
        Its ``config`` number.
    recommendation_rule : str
        How it was chosen.
    variance_components : DataFrame
        Indexed by source (``config``, ``seed``, ``split``): ``variance`` and
        ``share`` of the total, over the configurations with no failed fit
        (``notes`` says when one was left out).
    metric : str
        The metric re-scored: its name, a scoring function's ``__name__``, or
        a ``make_scorer`` object's repr (``make_scorer(f1_score, ...)``).
    ranking_rule : str
        How the configurations were taken from the search.
    seeds : list of int
    varied : tuple of str
        What the seeds were set to change (``"estimator"``: some
        ``random_state`` the search did not tune; ``"cv"``: the splits). An
        estimator may ignore its seed (lbfgs ``LogisticRegression``, ``SVC``
        without ``probability``); when no seed changed any score, a
        :class:`RobustnessWarning` and ``notes`` say so.
    notes : list of str
        What could not be varied, and why.
    test_train_ratio : float
        Mean ``n_test / n_train`` of the splits, used by the corrections.
    folds_shared : bool
        Whether all seeds used the same splits.
    alpha, rope : float

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skhpo import check_robustness
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_features=1, random_state=0)
    >>> search = GridSearchCV(tree, {"max_depth": [1, 3]}).fit(X, y)
    >>> report = check_robustness(search, X, y, seeds=3, random_state=0)
    >>> report.summary["verdict"].to_dict()  # by config: 0 is the search's winner
    {0: 'robust_best', 1: 'worse'}
    >>> report.variance_components.index.tolist()
    ['config', 'seed', 'split']
    """

    @classmethod
    def _from_scores(
        cls, scores, *, params, candidates, original_ranks, original_scores,
        seeds, metric, ranking_rule, varied, notes, test_train_ratio,
        folds_shared, alpha, rope, original_comparable=True,
    ):
        self = cls()
        n_configs, n_seeds, n_splits = scores.shape
        idx = pd.MultiIndex.from_product(
            [range(n_configs), range(n_seeds), range(n_splits)],
            names=["config", "seed_index", "split"],
        )
        long = pd.DataFrame({"score": scores.ravel()}, index=idx).reset_index()
        long.insert(1, "candidate", np.asarray(candidates)[long["config"]])
        long.insert(3, "seed", np.asarray(seeds)[long["seed_index"]])
        self.scores = long.drop(columns="seed_index")

        cols, best = _stats.compare_configs(
            scores, original_scores, 0, test_train_ratio=test_train_ratio,
            folds_shared=folds_shared, alpha=alpha, rope=rope,
        )
        summary = pd.DataFrame(cols)
        summary.insert(0, "original_score", original_scores)
        summary.insert(0, "original_rank", original_ranks)
        summary.insert(0, "params", params)
        summary.insert(0, "candidate", np.asarray(candidates))
        if not original_comparable:
            summary["optimism"] = np.nan
        summary.index.name = "config"
        self.summary = summary

        top_m = max(1, min(3, n_configs - 1))
        stab = _stats.stability(scores.mean(axis=2), np.asarray(original_ranks), top_m)
        descriptions = {
            "kendall_w": "Kendall's W of the seeds' rankings (1 = all seeds agree)",
            "mean_kendall_tau": "mean Kendall tau between each seed's ranking "
            "and the original one",
            "top1_agreement": "share of seeds where the original winner ranks "
            "first (a tie for first included)",
            "top_k_overlap": f"mean share of the original top {top_m} in each "
            f"seed's top {top_m}",
        }
        self.stability = pd.DataFrame(
            {"value": pd.Series(stab), "description": pd.Series(descriptions)}
        )
        self.stability.index.name = "statistic"

        self.recommended_config = best
        self.recommended_params = dict(params[best])
        self.recommendation_rule = (
            "highest robust mean (mean over seeds and splits), however small its "
            "lead: the configurations not significantly worse are labelled 'tie' "
            "and are as well supported (bayes_p_equivalent gives the chance of "
            f"being within the ROPE of {rope} of the original winner); exact ties "
            "go to the better original rank"
        )
        if not np.isfinite(summary["robust_mean"]).any():
            notes = list(notes) + [
                "Every configuration had a failed fit: recommended_params is the "
                "original winner's, which the re-scoring could not check."]
        # The moment estimators need every cell: a configuration with a
        # failed fit is left out rather than making every component NaN.
        complete = np.isfinite(scores).all(axis=(1, 2))
        comps = _stats.variance_components(scores[complete])
        if not complete.all():
            notes = list(notes) + [
                f"variance_components leaves out the {int((~complete).sum())} "
                f"configuration(s) with a failed fit."]
        total = sum(comps.values())
        self.variance_components = pd.DataFrame(
            {
                "variance": pd.Series(comps),
                "share": pd.Series(
                    {k: (v / total if total > 0 else np.nan) for k, v in comps.items()}
                ),
            }
        )
        self.variance_components.index.name = "source"
        self.metric = metric
        self.ranking_rule = ranking_rule
        self.seeds = list(seeds)
        self.varied = varied
        self.notes = list(notes)
        self.test_train_ratio = test_train_ratio
        self.folds_shared = folds_shared
        self.alpha = alpha
        self.rope = rope
        return self

    def __repr__(self):
        verdicts = self.summary["verdict"].value_counts().to_dict()
        return (
            f"RobustnessReport(metric={self.metric!r}, configs={len(self.summary)}, "
            f"seeds={len(self.seeds)}, varied={self.varied}, "
            f"recommended_params={self.recommended_params!r}, verdicts={verdicts})"
        )

    def plot(self, kind="strip", ax=None):
        """Plot the report; see :class:`RobustnessDisplay`.

        Parameters
        ----------
        kind : {"strip", "heatmap"}, default="strip"
        ax : matplotlib Axes, default=None

        Returns
        -------
        RobustnessDisplay
        """
        return RobustnessDisplay.from_report(self, kind=kind, ax=ax)


class RobustnessDisplay:
    """Plots of a :class:`RobustnessReport` (Display pattern).

    ``kind="strip"`` draws, per configuration, its score under each seed
    (mean over splits) as dots, its robust mean as a bar and its original
    search score as a red cross. ``kind="heatmap"`` draws the rank of each
    configuration (rows) under each seed (columns).

    Parameters
    ----------
    seed_scores : ndarray of shape (n_configs, n_seeds)
        Mean score over splits per configuration and seed.
    original_scores : ndarray of shape (n_configs,)
    labels : list of str
        One label per configuration.
    seeds : list of int
    metric : str

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    kind_ : str

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.robustness import RobustnessDisplay
    >>> disp = RobustnessDisplay(
    ...     np.array([[0.9, 0.92], [0.91, 0.88]]), np.array([0.93, 0.92]),
    ...     ["a", "b"], [0, 1], "accuracy")
    >>> disp = disp.plot(kind="heatmap")
    >>> disp.ax_.get_title()
    'Rank per seed (1 = best)'
    """

    def __init__(self, seed_scores, original_scores, labels, seeds, metric):
        self.seed_scores = np.asarray(seed_scores, dtype=float)
        self.original_scores = np.asarray(original_scores, dtype=float)
        self.labels = list(labels)
        self.seeds = list(seeds)
        self.metric = metric

    @classmethod
    def from_report(cls, report, *, kind="strip", ax=None):
        """Build the display from a report and plot it.

        Parameters
        ----------
        report : RobustnessReport
        kind : {"strip", "heatmap"}, default="strip"
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        RobustnessDisplay
        """
        seed_scores = (
            report.scores.groupby(["config", "seed"], sort=False)["score"]
            .mean()
            .unstack("seed")[report.seeds]
            .to_numpy()
        )
        all_params = list(report.summary["params"])
        # Label with the parameters that differ: shared ones say nothing.
        keys = sorted({k for p in all_params for k in p})
        differ = [k for k in keys if len({repr(p.get(k)) for p in all_params}) > 1]
        labels = [
            f"{c}: {_short({k: p.get(k) for k in (differ or keys)})}"
            for c, p in zip(report.summary.index, all_params)
        ]
        disp = cls(
            seed_scores,
            report.summary["original_score"].to_numpy(),
            labels,
            report.seeds,
            report.metric,
        )
        return disp.plot(kind=kind, ax=ax)

    def plot(self, *, kind="strip", ax=None):
        """Draw the plot.

        Parameters
        ----------
        kind : {"strip", "heatmap"}, default="strip"
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        self
        """
        if kind not in ("strip", "heatmap"):
            raise ValueError(f"kind must be 'strip' or 'heatmap', got {kind!r}.")
        n_configs, n_seeds = self.seed_scores.shape
        created = ax is None
        # Room for the configurations' labels, one row each.
        ax = axes_or_new(ax, figsize=(8.0, 2.0 + 0.45 * n_configs))
        rows = np.arange(n_configs)
        if kind == "strip":
            # Deterministic jitter, so that two plots of one report match.
            jitter = np.linspace(-0.15, 0.15, n_seeds) if n_seeds > 1 else np.zeros(1)
            for i in rows:
                ax.scatter(self.seed_scores[i], i + jitter, color="C0", alpha=0.7,
                           label="score per seed" if i == 0 else None)
                ax.plot([np.nanmean(self.seed_scores[i])] * 2, [i - 0.3, i + 0.3],
                        color="C0", label="robust mean" if i == 0 else None)
            ax.scatter(self.original_scores, rows, marker="x", color="C3", s=60,
                       label="original search", zorder=3)
            ax.set_yticks(rows, self.labels)
            ax.invert_yaxis()
            ax.set_xlabel(self.metric)
            ax.set_title("Scores per seed")
            # Below the axes: inside, it would hide the points at the edges.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
                      fontsize="small", frameon=False)
        else:
            ranks = _stats.seed_ranks(self.seed_scores)
            im = ax.imshow(ranks, cmap="viridis_r", aspect="auto",
                           vmin=1, vmax=max(n_configs, 2))
            middle = (1 + max(n_configs, 2)) / 2
            for i in rows:
                for j in range(n_seeds):
                    # Dark text on the light (good) end of the colour map.
                    color = "black" if ranks[i, j] < middle else "white"
                    ax.text(j, i, f"{ranks[i, j]:g}", ha="center", va="center",
                            color=color, fontsize="small")
            ax.set_yticks(rows, self.labels)
            # Seed indices: the seeds themselves are long ints.
            ax.set_xticks(np.arange(n_seeds), [str(j) for j in range(n_seeds)])
            ax.set_xlabel("seed index (seeds in report.seeds)")
            ax.set_title("Rank per seed (1 = best)")
            added_beside(ax, ax.figure.colorbar(im, ax=ax, label="rank"))
        fit_new_figure(ax.figure, created)
        self.ax_ = ax
        self.figure_ = ax.figure
        self.kind_ = kind
        return self


# --------------------------------------------------------------------------
# helpers


def _check_fitted(search):
    if hasattr(search, "fit") and not hasattr(search, "cv") and not hasattr(
            search, "cv_results_"):
        raise TypeError(
            "check_robustness needs a scikit-learn search (a BaseSearchCV "
            f"with `estimator` and `cv`), got a {type(search).__name__}. Pass "
            "the fitted GridSearchCV, RandomizedSearchCV or skhpo search."
        )
    results_only = isinstance(search, dict) or (
        hasattr(search, "cv_results_") and not hasattr(search, "fit"))
    if results_only:
        raise TypeError(
            "check_robustness needs the fitted search itself, which it refits with "
            "its estimator and cv, not its cv_results_ or loaded results; got a "
            f"{type(search).__name__}. Pass the search.")
    if not hasattr(search, "cv_results_"):
        raise NotFittedError(
            "check_robustness needs a fitted search, but "
            f"{type(search).__name__} has no cv_results_. Call "
            "search.fit(X, y) first."
        )
    for attr in ("estimator", "cv"):
        if not hasattr(search, attr):
            raise TypeError(
                "check_robustness needs a scikit-learn search (a BaseSearchCV "
                f"with `estimator` and `cv`); {type(search).__name__} has no "
                f"`{attr}`."
            )


def _check_same_columns(search, X):
    """Refuse, before any fit, data with other columns than the search's."""
    shape = getattr(X, "shape", None)
    expected = getattr(search, "n_features_in_", None)
    if shape is not None and len(shape) == 2 and expected is not None \
            and shape[1] != expected:
        raise ValueError(
            f"X has {shape[1]} features, but the search was fitted on {expected}. "
            f"Pass the data the search was fitted on (or data with its columns).")
    names = getattr(search, "feature_names_in_", None)
    columns = getattr(X, "columns", None)
    if names is not None and columns is not None and list(columns) != list(names):
        raise ValueError(
            f"X's columns {list(columns)[:6]} differ from those the search was "
            f"fitted on, {list(names)[:6]}. Pass the data the search was fitted "
            f"on (or data with its columns, in its order).")


def _check_seeds(seeds, random_state):
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 2:
            raise ValueError(
                f"seeds must be at least 2 to measure seed variance, got "
                f"seeds={seeds}. Use seeds=5 or more."
            )
        rng = check_random_state(random_state)
        drawn = []
        # Distinct seeds: a repeated seed would count one draw twice.
        while len(drawn) < seeds:
            value = int(rng.randint(np.iinfo(np.int32).max))
            if value not in drawn:
                drawn.append(value)
        return drawn
    try:
        values = list(seeds)
    except TypeError:
        raise ValueError(
            f"seeds must be an int or a list of ints, got {seeds!r}."
        ) from None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        raise ValueError(f"seeds must be an int or a list of ints, got {seeds!r}.")
    if not all(0 <= v < 2**32 for v in values):
        raise ValueError(
            f"seeds must lie in [0, 2**32), as every random_state does, got "
            f"{values!r}. Pass e.g. seeds=[0, 1, 2, 3, 4].")
    if len(set(values)) != len(values) or len(values) < 2:
        raise ValueError(
            "seeds must hold at least 2 distinct ints to measure seed variance, "
            f"got {values!r}. Pass e.g. seeds=[0, 1, 2, 3, 4]."
        )
    return [int(v) for v in values]


def _check_params(top_k, vary, rope, alpha):
    if not isinstance(top_k, numbers.Integral) or isinstance(top_k, bool) or top_k < 1:
        raise ValueError(
            f"top_k must be an int >= 1 (the number of configurations to "
            f"re-score), got top_k={top_k!r}. Use e.g. top_k=5."
        )
    if isinstance(vary, str):
        vary = (vary,)
    if not vary or not set(vary) <= set(_VARY_OPTIONS):
        raise ValueError(
            f"vary must be a non-empty subset of {_VARY_OPTIONS}, got "
            f"vary={vary!r}."
        )
    if not isinstance(rope, numbers.Real) or not rope >= 0:  # NaN fails too
        raise ValueError(f"rope must be a number >= 0, got rope={rope!r}.")
    if not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got alpha={alpha!r}.")
    return tuple(vary)


def _metric_names(search):
    """The search's metric names, in its order; ``["score"]`` for one metric.

    Read off ``cv_results_``, which covers every multi-metric form: a list or
    dict of scorers (``scorer_`` is a dict) and one callable returning a dict
    (``scorer_`` is that callable).
    """
    names = [k[len("mean_test_"):] for k in search.cv_results_
             if k.startswith("mean_test_")]
    return names if getattr(search, "multimetric_", False) else ["score"]


class _OneMetric:
    """One metric of a scorer that returns a dict of them (picklable)."""

    def __init__(self, scorer, name):
        self.scorer, self.name = scorer, name

    def __call__(self, estimator, X, y=None, **kwargs):
        return self.scorer(estimator, X, y, **kwargs)[self.name]


def _ranking(search, scoring):
    """Which configurations, in which order, scored with which scorer."""
    results = search.cv_results_
    names = _metric_names(search)
    multimetric = len(names) > 1 or names != ["score"]
    refit = getattr(search, "refit", True)
    if isinstance(scoring, str) and scoring in names and multimetric:
        metric = scoring
    else:
        metric = primary_metric(names, refit)
    rule = f"ranked by mean_test_{metric}"
    picked = isinstance(scoring, str) and scoring in names
    if multimetric and not isinstance(refit, str) and not picked:
        rule += " (refit is not a metric name, so the first metric is used)"
    full = _fully_scored(results)
    if "n_resources" in results:
        rule += " among the candidates scored on the full budget (the largest n_resources)"
    if "pruned" in results and np.any(results["pruned"]):
        rule += " among the candidates not pruned"
    mean = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    # skhpo's searches count failed splits: under a numeric error_score a
    # failed candidate's mean is that number, which may rank it first.
    failed = has_failed_split(results)
    if np.any(full & failed):
        rule += " among the candidates with no failed split"
    valid = np.flatnonzero(full & np.isfinite(mean) & ~failed)
    if valid.size == 0:
        raise ValueError(
            "The search has no candidate with a finite score to re-score; "
            "check cv_results_ and error_score."
        )
    # Stable sort by score, so that ties keep the search's order.
    order = valid[np.argsort(-mean[valid], kind="stable")]
    if callable(refit) and hasattr(search, "best_index_"):
        winner = int(search.best_index_)
        order = np.concatenate([[winner], order[order != winner]])
        rule += "; refit is callable, so its best_index_ comes first"

    same_as_search = scoring is None or scoring is search.scoring or (
        isinstance(scoring, str)
        and (scoring in names if multimetric else scoring == search.scoring)
    )
    if same_as_search:
        scorer_ = search.scorer_
        if isinstance(scorer_, dict):
            scorer = scorer_[metric]
        elif multimetric:
            scorer = _OneMetric(scorer_, metric)
        else:
            scorer = scorer_
        original = mean
    else:
        scorer = get_scorer(scoring) if isinstance(scoring, str) else check_scoring(
            search.estimator, scoring=scoring
        )
        original = None
        rule += f"; re-scored with {scoring!r}, so original_score is NaN"
        # A function by its name; a make_scorer object by its repr, which
        # names the metric and its arguments.
        metric = scoring if isinstance(scoring, str) else getattr(scoring, "__name__",
                                                                  repr(scoring))
    return metric, scorer, order, original, rule


def _subsampled_note(search, X):
    """A note when the search's full budget was a subsample of ``X``'s rows
    (``resource="n_samples"`` below all of them), else None: its scores and
    the re-scoring's, fitted on every row, are then not comparable."""
    results = search.cv_results_
    if getattr(search, "resource", None) != "n_samples" or "n_resources" not in results:
        return None
    largest, n_rows = int(np.max(results["n_resources"])), _n_samples(X)
    if largest >= n_rows:
        return None
    return (f"The search scored its candidates on at most {largest} of the {n_rows} "
            f"rows (resource='n_samples'); the re-scoring fits on all of them, so "
            f"original_score is not comparable and optimism is NaN.")


def _fully_scored(results):
    """Rows whose mean covers the full budget: the only ones compared.

    Successive halving and Hyperband have a row per candidate and budget
    (``n_resources``); only the largest budget compares like with like, and
    their ``rank_test_*`` may mix budgets (scikit-learn #24901). In Hyperband
    ``iter`` is the rung within a bracket, so the last ``iter`` alone would
    keep only one bracket's survivor. A candidate pruned by BayesSearchCV has
    the mean of its first few splits only, which easy early splits can lift
    above the winner's.
    """
    full = np.ones(len(results["params"]), dtype=bool)
    if "n_resources" in results:
        resources = np.asarray(results["n_resources"])
        full &= resources == np.max(resources)
    if "pruned" in results:
        full &= ~np.asarray(results["pruned"], dtype=bool)
    return full


def _original_ranks(search, metric, order, original):
    key = f"rank_test_{metric}"
    results = search.cv_results_
    if original is None or key not in results:
        return np.arange(1, len(order) + 1)
    if "n_resources" in results or "pruned" in results:
        # Rank among the rows compared ("min" ranks, as scikit-learn's).
        full = original[_fully_scored(results)]
        return np.array([1 + int(np.sum(full > original[i])) for i in order])
    return np.asarray(results[key])[order]


def _is_seed_key(name):
    return name == "random_state" or name.endswith("__random_state")


def _seed_keys(estimator):
    return sorted(k for k in estimator.get_params(deep=True) if _is_seed_key(k))


def _check_splits_left(n_splits, search_cv):
    """Raise unless there are at least 2 splits per seed."""
    if n_splits < 2:
        raise ValueError(
            f"check_robustness needs at least 2 CV splits per seed, got "
            f"{n_splits} from the search's cv={search_cv!r}. A generator of "
            "splits (cv=KFold().split(X)) is used up by the search: give the "
            "search a splitter or a list of (train, test) pairs."
        )


def _keeps_time_order(cv):
    return "TimeSeries" in type(cv).__name__


def _can_reshuffle(cv):
    name = type(cv).__name__
    # A group splitter with a random_state reshuffles whole groups (GroupKFold
    # has one since scikit-learn 1.6).
    if _keeps_time_order(cv):
        return False, f"The splitter {name} keeps time order and is not reshuffled"
    if not hasattr(cv, "random_state"):
        return False, f"The splitter {name} has no random_state and cannot be reshuffled"
    return True, ""


def _reseeded(cv, seed):
    # A copy keeps every other setting (n_splits, test_size, n_repeats...).
    cv = copy.deepcopy(cv)
    if hasattr(cv, "shuffle"):
        cv.shuffle = True
    cv.random_state = seed
    return cv


def _make_splits(base_cv, seeds, cv_varies, X, y, groups, random_state):
    if cv_varies:
        return [list(_reseeded(base_cv, s).split(X, y, groups)) for s in seeds]
    cv = base_cv
    if hasattr(cv, "random_state") and not isinstance(cv.random_state, numbers.Integral):
        # A splitter with random_state=None would give a different report on
        # each call; pin it so that the report depends on random_state only.
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        cv = copy.deepcopy(cv)
        cv.random_state = seed
    shared = list(cv.split(X, y, groups))
    return [shared] * len(seeds)


def _n_samples(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def _rows(params, indices, n_samples):
    """``params`` with its sample-aligned entries sliced to ``indices``."""
    return {
        k: _safe_indexing(v, indices)
        if hasattr(v, "__len__") and not isinstance(v, (str, dict)) and len(v) == n_samples
        else v
        for k, v in params.items()
    }


def _fit_and_score(estimator, X, y, train, test, scorer, fit_params, score_params,
                   error_score):
    n = _n_samples(X)
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train = None if y is None else _safe_indexing(y, train)
    y_test = None if y is None else _safe_indexing(y, test)
    try:
        estimator.fit(X_train, y_train, **_rows(fit_params, train, n))
        return float(scorer(estimator, X_test, y_test, **_rows(score_params, test, n))), None
    except Exception as exc:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        # NaN whatever a numeric error_score says: a configuration that fails
        # under some seed is "failed", not ranked on a stand-in score.
        return np.nan, f"{type(exc).__name__}: {exc}"


def _check_failures(errors, scores):
    """Raise if no fit gave a finite score; otherwise warn once about failures."""
    failed = [e for e in errors if e is not None]
    first = f" First error: {failed[0]!r}." if failed else ""
    if not np.isfinite(scores).any():
        raise ValueError(
            f"None of the {scores.size} re-scoring fits gave a finite score "
            f"({len(failed)} failed), so nothing can be compared.{first} Fix "
            f"the estimator or the scoring; error_score='raise' on the search "
            f"shows the traceback."
        )
    n_nan = int(np.sum(~np.isfinite(scores)))
    parts = []
    if failed:
        parts.append(f"{len(failed)} of {scores.size} fits failed and score NaN "
                     f"(whatever the search's error_score).")
    if n_nan:
        parts.append(f"{n_nan} scores are not finite: statistics involving them "
                     f"are NaN, and their configurations' verdict is 'failed'.")
    if parts:
        warn(" ".join(parts) + first, RobustnessWarning)


def _short(params, width=32):
    text = ", ".join(f"{k.split('__')[-1]}={v!r}" for k, v in sorted(params.items()))
    return text if len(text) <= width else text[: width - 1] + "…"
