"""One progress line per batch or rung, for ``verbose >= 1``."""

import time


class ProgressPrinter:
    """Prints the best score so far, fits done and an estimate of time left.

    The estimate assumes the remaining fits take as long as the mean fit so
    far, which is rough when later candidates are slower (more trees, more
    epochs) but needs no model of the estimator.

    Examples
    --------
    >>> from skhpo._progress import ProgressPrinter
    >>> progress = ProgressPrinter("BayesSearchCV", total_fits=10, verbose=1,
    ...                            clock=iter([0.0, 4.0]).__next__)
    >>> progress.update(step="batch 1/5", fits_done=2, best=0.91234)
    [BayesSearchCV] batch 1/5: best 0.9123, 2/10 fits, ~16s left

    Fits a resumed search took from its checkpoint count as done, but not
    for the estimate, which only this run's fits time:

    >>> progress = ProgressPrinter("BayesSearchCV", total_fits=10, verbose=1,
    ...                            clock=iter([0.0, 4.0, 6.0]).__next__)
    >>> progress.update(step="batch 3/5", fits_done=0, best=0.9, fits_resumed=6)
    [BayesSearchCV] batch 3/5: best 0.9000, 6/10 fits (6 resumed), time left unknown
    >>> progress.update(step="batch 4/5", fits_done=2, best=0.9, fits_resumed=6)
    [BayesSearchCV] batch 4/5: best 0.9000, 8/10 fits (6 resumed), ~6s left

    With ``total_work``, fits count by their cost: 4 fits of 1 epoch done in
    4 s, 2 fits of 9 epochs left, about 18 s.

    >>> progress = ProgressPrinter("HyperbandSearchCV", total_fits=6, verbose=1,
    ...                            clock=iter([0.0, 4.0]).__next__, total_work=22)
    >>> progress.update(step="rung 0", fits_done=4, best=0.9, work_done=4)
    [HyperbandSearchCV] rung 0: best 0.9000, 4/6 fits, ~18s left
    """

    def __init__(self, name, total_fits, verbose, clock=time.perf_counter,
                 total_work=None):
        self.name = name
        self.total_fits = total_fits
        # Fits weighted by their cost (HyperbandSearchCV's resource: a fit
        # of 27 epochs counts 27), for the estimate; None: all alike.
        self.total_work = total_fits if total_work is None else total_work
        self.verbose = verbose
        self._clock = clock
        self._start = clock() if verbose else None

    def update(self, *, step, fits_done, best, fits_resumed=0, work_done=None,
               work_resumed=None):
        """``fits_done``: fits run by this process; ``fits_resumed``: fits
        taken from a checkpoint journal; ``work_*``: the same weighted as
        ``total_work`` is (by default, the fits)."""
        if not self.verbose:
            return
        elapsed = self._clock() - self._start
        done = min(fits_done + fits_resumed, self.total_fits)
        work_done = fits_done if work_done is None else work_done
        work_resumed = fits_resumed if work_resumed is None else work_resumed
        work_left = max(self.total_work - work_done - work_resumed, 0)
        eta = (f"~{elapsed / work_done * work_left:.0f}s left" if work_done
               else "~0s left" if done == self.total_fits else "time left unknown")
        resumed = f" ({fits_resumed} resumed)" if fits_resumed else ""
        # NaN: no candidate scored yet (at Hyperband's full budget).
        shown = f"best {best:.4f}" if best == best else "no best yet"
        print(f"[{self.name}] {step}: {shown}, {done}/{self.total_fits} "
              f"fits{resumed}, {eta}", flush=True)


def _seconds(value):
    """Seconds as scikit-learn's ``[CV] END`` lines show them."""
    return f"{value / 60:4.1f}min" if value > 60 else f" {value:5.1f}s"


def _scores_text(test, train, error_score, with_train):
    """``, score=0.953`` or `` f1: (train=0.990, test=0.953)``, as GridSearchCV.

    ``test``/``train`` map metric names to floats (None for a failed
    scorer); a failed fit has no dict, and its scores show ``error_score``.
    """
    def shown(scores, name):
        value = None if scores is None else scores.get(name)
        return f"{error_score:.3f}" if value is None else f"{value:.3f}"

    def pair(name):
        return (f"train={shown(train, name)}, " if with_train else "") + \
            f"test={shown(test, name)}"

    names = list(test or {}) or ["score"]
    if names == ["score"]:
        return f", score=({pair('score')})" if with_train else f", score={shown(test, 'score')}"
    return "".join(f" {name}: ({pair(name)})" for name in sorted(names))


def fit_end_line(result, params, n_splits, *, verbose, error_score,
                 return_train_score=False):
    """GridSearchCV's ``[CV] END`` line for one finished fit.

    ``verbose`` is the search's: 2 shows the parameters and time, 3 and more
    the split number and the scores too, as ``GridSearchCV(verbose=...)``.

    Examples
    --------
    >>> from skhpo._evaluate import SplitResult
    >>> from skhpo._progress import fit_end_line
    >>> result = SplitResult(0, 1, None, {"score": 0.95}, None, 0.2, 0.01, 30)
    >>> print(fit_end_line(result, {"C": 1.0}, 5, verbose=3, error_score=float("nan")))
    [CV 2/5] END .................................C=1.0;, score=0.950 total time=   0.2s
    """
    progress = f" {result.split_index + 1}/{n_splits}" if verbose > 2 else ""
    head = f"[CV{progress}] END "
    text = ", ".join(f"{k}={params[k]}" for k in sorted(params))
    text += ";" if text else ""
    if verbose > 2:
        text += _scores_text(result.test_scores, result.train_scores, error_score,
                             return_train_score)
    text += f" total time={_seconds(result.fit_time + result.score_time)}"
    return head + "." * (80 - len(head) - len(text)) + text
