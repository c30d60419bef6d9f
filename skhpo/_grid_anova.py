"""Exact functional ANOVA of a complete grid of trials.

When the trials are every combination of the values tried, each scored once
(a full-factorial ``GridSearchCV``), the decomposition needs no surrogate: with
each parameter's tried values equally weighted, the functional ANOVA of the
score table is a set of means of the table itself (Hooker, "Generalized
Functional ANOVA Diagnostics", JCGS 2007, section 2, for a product measure). A
forest fitted to the same table smooths it, and can then contradict it: two
settings with identical scores get different marginals.
"""

import math

import numpy as np

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

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo._grid_anova import GridDecomposition
    >>> table = np.array([[0.0, 1.0], [2.0, 3.0]])  # 2 a + b: no interaction
    >>> fit = GridDecomposition([np.array([0.0, 1.0])] * 2, table)
    >>> fit.main.round(2).tolist(), float(fit.pairs[0, 1])
    ([0.8, 0.2], 0.0)
    >>> fit.marginal(0, np.array([0.0, 1.0])).tolist()
    [0.5, 2.5]
    """

    # The table is the data: nothing is left unexplained by a model (the CV
    # noise in it is reported as fold_noise_share).
    oob_r2 = 1.0

    def __init__(self, levels, table):
        self.levels = [np.asarray(level, dtype=float) for level in levels]
        self.table = np.asarray(table, dtype=float)
        d = self.table.ndim
        self.mean = float(self.table.mean())
        centred = self.table - self.mean
        variance = float(np.mean(centred**2))
        if variance == 0:
            raise ValueError("Every analysed trial has the same score.")
        self._mains = [self._mean_over_all_but(centred, (j,)) for j in range(d)]
        self.main = np.array([np.mean(m**2) for m in self._mains]) / variance
        self.pairs = np.zeros((d, d))
        self._pair_tables = {}
        for a in range(d):
            for b in range(a + 1, d):
                both = self._mean_over_all_but(centred, (a, b))
                self._pair_tables[a, b] = both
                pure = both - self._mains[a][:, None] - self._mains[b][None, :]
                self.pairs[a, b] = self.pairs[b, a] = np.mean(pure**2) / variance
        # Sobol's total effect: the variance left along each axis, averaged
        # over the others.
        self.total = np.array([
            np.mean((self.table - self.table.mean(axis=j, keepdims=True))**2)
            for j in range(d)]) / variance

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
