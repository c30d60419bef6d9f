"""Functional ANOVA on scikit-learn regression trees.

The maths behind :func:`skhpo.sensitivity_report`, free of any search or
pandas code. A fitted tree is a piecewise-constant function: its leaves are
axis-aligned boxes of the (scaled) search space, each with a constant value.
Integrating such a function over a uniform measure on the box
``[lo_1, hi_1] x ... x [lo_d, hi_d]`` is exact and cheap, which is the idea of
fANOVA (Hutter, Hoos and Leyton-Brown, "An efficient approach for assessing
hyperparameter importance", ICML 2014).

The caller chooses the coordinates: a log-scale parameter is passed as its
logarithm and a categorical as level codes ``0..k-1`` with bounds
``[-0.5, k - 0.5]``, so that uniform integration is uniform in log space and
gives each valid level the same weight (no one-hot boxes, no invalid levels).

Notation used below, for one tree with leaves ``l``:

* ``W[l, d]`` the fraction of dimension ``d``'s range covered by leaf ``l``;
* ``q[l] = value[l] * prod_d W[l, d]``, the leaf's contribution to the mean;
* ``A_d[l, m]`` the overlap, as a fraction of the range, of the intervals of
  leaves ``l`` and ``m`` in dimension ``d``;
* ``B_d = A_d / (W_d W_d^T)``.

The variance of the marginal ``f_U(x_U) = E[f | x_U]`` of a set ``U`` of
dimensions is then ``sum_lm q_l q_m prod_{d in U} B_d[l, m] - mean**2``
(expand the square of the marginal and integrate over ``x_U``).
"""

from __future__ import annotations

import numpy as np

_TINY = 1e-12


def leaf_boxes(tree, lo, hi):
    """Boxes and values of the leaves of a fitted sklearn tree.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The ``tree_`` attribute of a fitted ``DecisionTreeRegressor``.
    lo, hi : ndarray of shape (n_dims,)
        Bounds of the space, in the coordinates the tree was fitted on.

    Returns
    -------
    box_lo, box_hi : ndarray of shape (n_leaves, n_dims)
    values : ndarray of shape (n_leaves,)
    """
    left, right = tree.children_left, tree.children_right
    n_nodes = tree.node_count
    node_lo = np.tile(np.asarray(lo, dtype=float), (n_nodes, 1))
    node_hi = np.tile(np.asarray(hi, dtype=float), (n_nodes, 1))
    # Children always have larger ids than their parent in sklearn's builder,
    # but process level by level so that the loop runs once per depth, not
    # once per node.
    frontier = np.array([0])
    while frontier.size:
        parents = frontier[left[frontier] >= 0]
        if not parents.size:
            break
        feat = tree.feature[parents]
        thr = tree.threshold[parents]
        for children, is_left in ((left[parents], True), (right[parents], False)):
            node_lo[children] = node_lo[parents]
            node_hi[children] = node_hi[parents]
            if is_left:
                node_hi[children, feat] = np.minimum(node_hi[children, feat], thr)
            else:
                node_lo[children, feat] = np.maximum(node_lo[children, feat], thr)
        frontier = np.concatenate([left[parents], right[parents]])
    leaves = np.flatnonzero(left < 0)
    return node_lo[leaves], node_hi[leaves], tree.value[leaves, 0, 0].astype(float)


class TreeDecomposition:
    """Exact variance decomposition of a sum of boxes under the uniform measure.

    The boxes may be the leaves of one tree or of several trees (then with
    values divided by the number of trees, so that the sum is their mean).

    Parameters
    ----------
    box_lo, box_hi : ndarray of shape (n_leaves, n_dims)
    values : ndarray of shape (n_leaves,)
    lo, hi : ndarray of shape (n_dims,)
        Bounds of the space.
    """

    def __init__(self, box_lo, box_hi, values, lo, hi):
        span = hi - lo
        self.lo, self.span = lo, span
        # Clip to the space: a threshold outside the bounds leaves a box of
        # zero volume, which contributes nothing and is dropped.
        box_lo = np.clip(box_lo, lo, hi)
        box_hi = np.clip(box_hi, lo, hi)
        width = (box_hi - box_lo) / span
        keep = np.all(width > _TINY, axis=1)
        self.box_lo, self.box_hi = box_lo[keep], box_hi[keep]
        self.width = width[keep]
        self.values = values[keep]
        self.q = self.values * np.prod(self.width, axis=1)
        self.mean = float(self.q.sum())
        self._b = None
        self._main = self._pairs = self._total = None
        self.variance = None
        self._compute()

    def _overlaps(self):
        # B_d for every dimension, shape (n_dims, n_leaves, n_leaves).
        if self._b is None:
            lo, hi = self.box_lo.T, self.box_hi.T
            overlap = (np.minimum(hi[:, :, None], hi[:, None, :])
                       - np.maximum(lo[:, :, None], lo[:, None, :]))
            overlap = np.clip(overlap, 0.0, None) / self.span[:, None, None]
            w = self.width.T
            self._b = overlap / (w[:, :, None] * w[:, None, :])
        return self._b

    def effects(self):
        """Main, pairwise and total variances of the function.

        Returns
        -------
        main : ndarray of shape (n_dims,)
            Variance of each one-dimensional marginal.
        pairs : ndarray of shape (n_dims, n_dims)
            Interaction variance of each pair: variance of the pair's marginal
            minus both main effects. The diagonal is zero.
        total : ndarray of shape (n_dims,)
            Total effect: the variance that vanishes when the dimension is
            averaged out (its main effect plus every interaction it is in).
        """
        return self._main, self._pairs, self._total

    def _compute(self):
        b = self._overlaps()
        n_dims = b.shape[0]
        qq = np.outer(self.q, self.q)
        flat = b.reshape(n_dims, -1)
        weighted = flat * qq.reshape(-1)
        mean2 = self.mean**2
        main = weighted.sum(axis=1) - mean2
        closed_pairs = weighted @ flat.T - mean2
        pairs = closed_pairs - main[:, None] - main[None, :]
        np.fill_diagonal(pairs, 0.0)
        # Product of B over all dimensions but one, by prefix and suffix
        # products (B may hold zeros, so dividing the full product is unsafe).
        prefix = np.ones_like(b)
        suffix = np.ones_like(b)
        for d in range(1, n_dims):
            prefix[d] = prefix[d - 1] * b[d - 1]
            suffix[n_dims - 1 - d] = suffix[n_dims - d] * b[n_dims - d]
        without = np.einsum("dlm,lm->d", prefix * suffix, qq) - mean2
        # The variance of the whole function: boxes of different trees
        # overlap, so it needs the product over every dimension too.
        self.variance = float(np.sum(prefix[-1] * b[-1] * qq) - mean2)
        self._main, self._pairs = main, pairs
        self._total = self.variance - without

    def marginal(self, dim, grid):
        """Marginal mean ``E[f | x_dim = t]`` at each ``t`` of ``grid``."""
        inside = self._inside(dim, grid)
        return inside @ (self.q / self.width[:, dim])

    def pair_marginal(self, dims, grids):
        """Marginal mean on the grid ``grids[0] x grids[1]`` of two dimensions."""
        (a, b), (ga, gb) = dims, grids
        ia, ib = self._inside(a, ga), self._inside(b, gb)
        weights = self.q / (self.width[:, a] * self.width[:, b])
        return (ia * weights) @ ib.T

    def _inside(self, dim, grid):
        grid = np.asarray(grid, dtype=float)[:, None]
        lo, hi = self.box_lo[:, dim], self.box_hi[:, dim]
        # Half-open boxes, closed at the top of the space, as the tree splits
        # on ``x <= threshold``: (lo, hi].
        at_bottom = lo <= self.lo[dim]
        return ((grid > lo) | (at_bottom & (grid >= lo))) & (grid <= hi)


def decompose_forest(forest, lo, hi, group_size=4, max_leaves=600):
    """Decompose a fitted forest, in groups of ``group_size`` averaged trees.

    Hutter et al. (2014) decompose each tree and average the shares. A single
    tree approximates an additive function by a partition that is not a
    product grid, which shows up as spurious interactions (about +0.03 of
    share on ``u1 + u2 + u1 * u2``); averaging a few trees first cancels most
    of it, at a cost that grows with the square of the number of leaves.

    Groups are made smaller when their leaves would exceed ``max_leaves``,
    which bounds memory (a few arrays of ``n_dims * max_leaves**2`` floats).

    Returns
    -------
    list of TreeDecomposition
        One per group, skipping constant groups.
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    boxes = [leaf_boxes(est.tree_, lo, hi) for est in forest.estimators_]
    leaves_per_tree = max(len(b[2]) for b in boxes)
    group_size = max(1, min(group_size, max_leaves // leaves_per_tree))
    groups = []
    for start in range(0, len(boxes), group_size):
        chunk = boxes[start:start + group_size]
        group = TreeDecomposition(
            np.vstack([b[0] for b in chunk]), np.vstack([b[1] for b in chunk]),
            np.concatenate([b[2] / len(chunk) for b in chunk]), lo, hi)
        if group.variance > _TINY * max(1.0, group.mean**2):
            groups.append(group)
    return groups


class ConstantSurrogateError(ValueError):
    """Every tree of the forest is a single leaf: it explains nothing."""


def forest_effects(groups):
    """Variance shares averaged over groups of trees.

    Each group's effects are divided by that group's total variance, then the
    shares are averaged, as Hutter et al. (2014) do per tree.

    Returns
    -------
    main : ndarray of shape (n_dims,)
    pairs : ndarray of shape (n_dims, n_dims)
    total : ndarray of shape (n_dims,)
    """
    if not groups:
        raise ConstantSurrogateError(
            "The surrogate is constant: every score is the same.")
    mains, pairs, totals = [], [], []
    for group in groups:
        main, pair, total = group.effects()
        mains.append(main / group.variance)
        pairs.append(pair / group.variance)
        totals.append(total / group.variance)
    return np.mean(mains, axis=0), np.mean(pairs, axis=0), np.mean(totals, axis=0)


def forest_marginal(groups, dim, grid):
    """Marginal mean of the forest along one dimension."""
    return np.mean([g.marginal(dim, grid) for g in groups], axis=0)


def forest_pair_marginal(groups, dims, grids):
    """Marginal mean of the forest on a grid of two dimensions."""
    return np.mean([g.pair_marginal(dims, grids) for g in groups], axis=0)
