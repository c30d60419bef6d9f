"""Exact functional ANOVA of a complete grid of trials.

When the trials are every combination of the values tried, each scored once
(a full-factorial ``GridSearchCV``), the decomposition needs no surrogate: with
each parameter's tried values equally weighted, the functional ANOVA of the
score table is a set of means of the table itself (Hooker, "Generalized
Functional ANOVA Diagnostics", JCGS 2007, section 2, for a product measure). A
forest fitted to the same table smooths it, and can then contradict it: two
settings with identical scores get different marginals.

Each cell is a mean over CV splits, so it carries fold noise. With the noise
variance of a cell's mean known (from the trials x splits residual), each
variance component is corrected as in a random-effects ANOVA: a balanced
grid's main effect of a parameter with ``L`` levels gains ``v (L - 1) / N``
from noise of variance ``v`` over ``N`` cells, its pair interactions
``v (L_a - 1) (L_b - 1) / N`` and its total effect ``v (L - 1) / L``. Shares
are of the variance left once the noise is removed, and ``oob_r2`` (the
surrogate's R^2 in the forest path) is that variance's share of the table's.
"""

import math

import numpy as np
from scipy import stats

# Above this many cells the table is not built (a grid that large is sampled).
_MAX_CELLS = 1_000_000


class GridDecomposition:
    """Main, pair and total effects, and marginals, of a complete grid.

    It answers the calls :func:`skhpo.sensitivity_report` makes of its
    forest surrogate (``main``, ``pairs``, ``total``, ``oob_r2``,
    ``marginal``, ``pair_marginal``), from the table's own means.

    Parameters
    ----------
    levels : list of ndarray
        The sorted coordinates tried, one array per parameter.
    table : ndarray of shape (len(levels[0]), ..., len(levels[-1]))
        The score of every combination.
    noise : float, default=0.0
        Variance of a cell's score due to noise (its CV splits'), removed from
        every component (see the module docstring). With noise as large as
        the table's spread, every share and ``oob_r2`` are 0.
    noise_df : int, default=0
        Degrees of freedom of ``noise``; with them, ``total_p`` holds the
        p-value of an F test of each parameter's total effect against the
        noise (NaN without).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo._grid_anova import GridDecomposition
    >>> table = np.array([[0.0, 1.0], [2.0, 3.0]])  # 2 a + b: no interaction
    >>> fit = GridDecomposition([np.array([0.0, 1.0])] * 2, table)
    >>> fit.main.round(2).tolist(), float(fit.pairs[0, 1]), fit.oob_r2
    ([0.8, 0.2], 0.0, 1.0)
    >>> fit.marginal(0, np.array([0.0, 1.0])).tolist()
    [0.5, 2.5]
    >>> noisy = GridDecomposition([np.array([0.0, 1.0])] * 2, table, noise=0.5)
    >>> noisy.main.round(2).tolist(), round(noisy.oob_r2, 2)  # noise in both
    ([1.0, 0.14], 0.7)
    """

    def __init__(self, levels, table, noise=0.0, noise_df=0):
        self.levels = [np.asarray(level, dtype=float) for level in levels]
        self.table = np.asarray(table, dtype=float)
        d, n_cells = self.table.ndim, self.table.size
        sizes = self.table.shape
        self.mean = float(self.table.mean())
        centred = self.table - self.mean
        variance = float(np.mean(centred**2))
        if variance == 0:
            raise ValueError("Every analysed trial has the same score.")
        signal = variance - noise * (n_cells - 1) / n_cells
        self.oob_r2 = float(max(signal, 0.0) / variance)
        # Shares of the noise-free variance; all 0 when noise explains it all.
        # Each correction is an estimate, so a share is clipped to [0, 1].
        scale = 1.0 / signal if signal > 0 else 0.0

        def share(raw, from_noise):
            return min(max(raw - from_noise, 0.0) * scale, 1.0)

        self._mains = [self._mean_over_all_but(centred, (j,)) for j in range(d)]
        self.main = np.array([share(np.mean(m**2), noise * (sizes[j] - 1) / n_cells)
                              for j, m in enumerate(self._mains)])
        self.pairs = np.zeros((d, d))
        self._pair_tables = {}
        for a in range(d):
            for b in range(a + 1, d):
                both = self._mean_over_all_but(centred, (a, b))
                self._pair_tables[a, b] = both
                pure = both - self._mains[a][:, None] - self._mains[b][None, :]
                self.pairs[a, b] = self.pairs[b, a] = share(
                    np.mean(pure**2), noise * (sizes[a] - 1) * (sizes[b] - 1) / n_cells)
        # Sobol's total effect: the variance left along each axis, averaged
        # over the others.
        along = [np.mean((self.table - self.table.mean(axis=j, keepdims=True))**2)
                 for j in range(d)]
        self.total = np.array([share(along[j], noise * (sizes[j] - 1) / sizes[j])
                               for j in range(d)])
        # Under "no effect", each axis's squares over the noise are chi-square
        # with (L - 1) N / L degrees of freedom: an F test.
        self.total_p = np.full(d, np.nan)
        if noise > 0 and noise_df > 0:
            for j in range(d):
                df = (sizes[j] - 1) * n_cells / sizes[j]
                f = along[j] * n_cells / df / noise
                self.total_p[j] = float(stats.f.sf(f, df, noise_df))

    @staticmethod
    def _mean_over_all_but(table, keep):
        return table.mean(axis=tuple(i for i in range(table.ndim) if i not in keep))

    def _nearest(self, j, coords):
        """The tried value nearest each coordinate (a step between them)."""
        coords = np.asarray(coords, dtype=float)
        return np.abs(coords[:, None] - self.levels[j][None, :]).argmin(axis=1)

    def marginal(self, j, coords):
        """Mean score at each coordinate of parameter ``j``, others averaged."""
        return self.mean + self._mains[j][self._nearest(j, coords)]

    def pair_marginal(self, a, b, coords_a, coords_b):
        """Mean score on the grid of two parameters, shape (len(a), len(b))."""
        ia, ib = self._nearest(a, coords_a), self._nearest(b, coords_b)
        if a < b:
            surface = self._pair_tables[a, b][np.ix_(ia, ib)]
        else:
            surface = self._pair_tables[b, a][np.ix_(ib, ia)].T
        return self.mean + surface


def complete_grid(X):
    """The levels and cell of each trial if ``X`` is a complete grid, else None.

    Complete: every combination of the values tried in each column occurs
    exactly once.

    Parameters
    ----------
    X : ndarray of shape (n_trials, n_params)
        The trials' coordinates.

    Returns
    -------
    grid : (list of ndarray, tuple of ndarray) or None
        Each column's sorted distinct values, and each trial's index into
        them (an index into the score table).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo._grid_anova import complete_grid
    >>> complete_grid(np.array([[0, 5], [0, 6], [1, 5], [1, 6]])) is not None
    True
    >>> complete_grid(np.array([[0, 5], [0, 6], [1, 5]])) is None
    True
    """
    X = np.asarray(X, dtype=float)
    levels, cells = [], []
    for column in X.T:
        level, cell = np.unique(column, return_inverse=True)
        levels.append(level)
        cells.append(cell.ravel())
    n_cells = math.prod(len(level) for level in levels)
    if n_cells != len(X) or n_cells > _MAX_CELLS:
        return None
    if len(set(zip(*cells))) != len(X):  # a combination twice, another missing
        return None
    return levels, tuple(cells)


def grid_table(levels, cells, scores):
    """The score table of a complete grid (see :func:`complete_grid`)."""
    table = np.empty([len(level) for level in levels])
    table[cells] = scores
    return table
