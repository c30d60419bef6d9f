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
    """

    def __init__(self, name, total_fits, verbose, clock=time.perf_counter):
        self.name = name
        self.total_fits = total_fits
        self.verbose = verbose
        self._clock = clock
        self._start = clock() if verbose else None

    def update(self, *, step, fits_done, best):
        if not self.verbose:
            return
        elapsed = self._clock() - self._start
        left = max(self.total_fits - fits_done, 0)
        eta = elapsed / fits_done * left if fits_done else float("nan")
        print(f"[{self.name}] {step}: best {best:.4f}, {fits_done}/{self.total_fits} "
              f"fits, ~{eta:.0f}s left", flush=True)
