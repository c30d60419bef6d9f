"""A framework-free ask/tell Bayesian optimizer over a :class:`~skhpo.space.Space`.

It knows nothing of scikit-learn estimators: it proposes parameter dicts
(``ask``) and learns their scores (``tell``, higher is better). The search
classes drive it.

How a proposal is made:

1. The first ``n_initial_points`` come from a scrambled Sobol sequence, which
   covers the cube more evenly than independent random draws.
2. Afterwards the losses (``-score``) are robustly standardised and their bad
   tail is compressed logarithmically, so that one disastrous configuration
   (a log-loss of 30 among losses near 0.1) does not flatten the GP's view of
   the good region. Failed evaluations are imputed with the worst loss seen.
3. A GP (:mod:`skhpo._gp`) is fitted and the acquisition is maximised over a
   dense Sobol set plus perturbations of the best observed points
   (reflected at the cube's faces), then
   refined locally around the best few candidates with shrinking steps. Every
   candidate is snapped to a valid value (integers rounded, one argmax per
   categorical) before it is scored, so the GP is queried where the
   evaluation will really happen, and exact repeats of observed or pending
   points are excluded.
4. A batch of ``n`` points is built by the kriging believer: each chosen point
   is added to the GP with its predicted mean as a fantasy observation before
   the next is chosen.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from ._gp import GPSurrogate
from .acquisition import ACQUISITIONS, acquisition


_blas_controller = None


def _single_threaded_blas():
    """The GP's matrices are small (at most a few hundred rows): a threaded BLAS
    gains nothing there and, beside busy joblib workers, loses a lot to thread
    contention (a 20x slowdown seen on a loaded 2-core machine)."""
    global _blas_controller
    if _blas_controller is None:
        # Finding the loaded libraries reads /proc/self/maps: 1-3 ms, paid
        # once rather than twice per proposal. The BLAS libraries the GP
        # uses (numpy's, scipy's) are loaded by the time this first runs.
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


# Acquisition values closer than this to the maximum count as tied (in log
# units for EI and PI, standardised-loss units for UCB).
_TIE_TOLERANCE = 1e-3


def _reflect(unit):
    """Fold points that left the unit cube back into it (mirror at 0 and 1);
    a point more than a cube width outside (never, for the steps used) is
    clipped."""
    return np.clip(1.0 - np.abs(1.0 - np.abs(unit)), 0.0, 1.0)


def transform_losses(losses):
    """Standardise losses robustly and compress the bad (high) tail.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo._optimizer import transform_losses
    >>> t = transform_losses(np.array([0.1, 0.2, 0.3, 30.0]))
    >>> bool(t[3] - t[2] < 5)  # the outlier no longer dominates
    True
    """
    losses = np.asarray(losses, dtype=float)
    median = np.median(losses)
    q25, q75 = np.percentile(losses, [25, 75])
    scale = (q75 - q25) / 1.349
    if not scale > 0:
        scale = np.std(losses) if np.std(losses) > 0 else 1.0
    z = (losses - median) / scale
    tail = z > 2.0
    z[tail] = 2.0 + np.log1p(z[tail] - 2.0)
    return z


class Optimizer:
    """Ask/tell GP optimizer on a search space.

    Parameters
    ----------
    space : skhpo.space.Space
    n_initial_points : int, default=5
        Quasi-random points before the GP takes over.
    acq_func : {"EI", "PI", "UCB", "LCB"}, default="EI"
    random_state : int, RandomState instance or None
    xi : float, default=0.05
        Improvement margin of EI and PI, in standardised loss units: a little
        exploration, which helps on multimodal problems (Ackley) at no
        measured cost elsewhere.
    kappa : float, default=1.96
        Exploration weight of UCB.
    n_candidates : int, default=2048
        Size of the quasi-random candidate set per proposal.
    initial_params : list of dict, default=()
        Parameter values for the first points of the initial design, which
        take the design's values for the parameters a dict leaves out (see
        :mod:`skhpo._defaults`). They count among the ``n_initial_points``.
    space_constraint : callable, default=None
        scikit-optimize's constraint: called with a point as a list of values
        in the space's order (sorted names), True when the point may be
        proposed. The initial design and the candidates leave out the others
        (``initial_params`` are taken as given).

    Examples
    --------
    >>> from skhpo import Real
    >>> from skhpo.space import Space
    >>> from skhpo._optimizer import Optimizer
    >>> opt = Optimizer(Space({"x": Real(-2.0, 2.0)}), n_initial_points=4,
    ...                 random_state=0)
    >>> for _ in range(12):
    ...     params = opt.ask()
    ...     opt.tell(params, [-(p["x"] - 0.5) ** 2 for p in params])
    >>> round(opt.best_params_["x"], 1)
    0.5
    """

    def __init__(self, space, *, n_initial_points=5, acq_func="EI",
                 random_state=None, xi=0.05, kappa=1.96, n_candidates=2048,
                 initial_params=(), space_constraint=None):
        if acq_func not in ACQUISITIONS:
            raise ValueError(f"acq_func must be one of {ACQUISITIONS}, got {acq_func!r}.")
        self.space = space
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.xi = xi
        self.kappa = kappa
        self.n_candidates = n_candidates
        self.space_constraint = space_constraint
        self._rng = check_random_state(random_state)
        self._design_seed = self._rng.randint(2**31)
        self._initial_params = [dict(p) for p in initial_params]
        self._exact = {}  # row key -> given values, see _design
        self._initial_design = self._design(max(n_initial_points,
                                                len(self._initial_params), 1))
        self._X = np.zeros((0, space.n_columns))
        self._scores = np.zeros(0)
        self._told = []  # the parameter dicts told, exactly (decoding rounds)
        self._seen = set()
        self._gp = None

    # ------------------------------------------------------------------ state
    @property
    def n_observed(self):
        return len(self._scores)

    @property
    def n_distinct_observed(self):
        """Distinct points told (a warm start may tell a point twice)."""
        return len(self._seen)

    @property
    def best_params_(self):
        finite = np.where(np.isfinite(self._scores), self._scores, -np.inf)
        return dict(self._told[int(np.argmax(finite))])

    def _key(self, row):
        return np.round(row, 9).tobytes()

    # -------------------------------------------------------------- interface
    def tell(self, params_list, scores):
        """Record evaluated points. Scores: higher is better; NaN/inf = failed."""
        with _single_threaded_blas():
            self._tell(params_list, scores)

    def ask(self, n_points=1, pending=()):
        """Propose up to ``n_points`` distinct, never-seen parameter dicts.

        ``pending``: parameter dicts proposed earlier and not yet told (being
        evaluated). They are never proposed again, count towards the initial
        design, and the GP treats them as having scored its prediction (the
        kriging believer), as it does the earlier points of a batch.
        Fewer are returned only when the space has no unseen point left.
        """
        with _single_threaded_blas():
            return self._ask(n_points, self.space.encode(list(pending))
                             if len(pending) else np.zeros((0, self.space.n_columns)))

    def _tell(self, params_list, scores):
        if not len(params_list) and not np.size(scores):
            return  # a warm start with no earlier point in this space
        X = self.space.encode(list(params_list))
        scores = np.asarray(scores, dtype=float).reshape(-1)
        if len(X) != len(scores):
            raise ValueError(f"Got {len(X)} points and {len(scores)} scores.")
        scores = np.where(np.isfinite(scores), scores, np.nan)
        self._X = np.vstack([self._X, X])
        self._scores = np.concatenate([self._scores, scores])
        self._told.extend(dict(p) for p in params_list)
        self._seen.update(self._key(row) for row in X)
        if self.n_observed >= self.n_initial_points and self._has_model_data():
            self._gp = self._fit_gp(self._X, self._losses())

    def _ask(self, n_points, pending_rows):
        chosen = []
        pending = {self._key(row) for row in pending_rows}
        # Points of the initial design: given ones first, then Sobol rows.
        n_first = max(self.n_initial_points, len(self._initial_params))
        gp = self._gp
        if gp is not None:
            # Work in the GP's (transformed) loss scale throughout the batch.
            X_fantasy, y_fantasy = self._X, transform_losses(self._losses())
            # Improvement is measured from the best posterior mean at the
            # observed points, not the best noisy observation: with fold noise
            # the latter is optimistic and EI keeps resampling near it.
            best = float(np.min(gp.predict(self._X)[0]))
            if len(pending_rows):
                mu, _ = gp.predict(pending_rows)
                X_fantasy = np.vstack([X_fantasy, pending_rows])
                y_fantasy = np.append(y_fantasy, mu)
                gp = gp.condition(X_fantasy, y_fantasy)
        elif len(pending_rows) > 0:
            # Proposing ahead of the results, with no GP yet: continue the
            # Sobol design past n_initial_points (a Sobol sequence extends
            # without changing its first points) rather than draw at random.
            n_design = n_first + len(pending_rows) + n_points
            if n_design > len(self._initial_design):
                self._initial_design = self._design(n_design)
        for _ in range(n_points):
            n_done = self.n_observed + len(pending_rows) + len(chosen)
            if n_done < n_first or gp is None:
                row = self._next_initial(n_done, pending)
            else:
                row = self._maximize_acquisition(gp, best, pending)
                if row is not None and len(chosen) + 1 < n_points:
                    # Kriging believer: pretend the point returned its mean.
                    mu, _ = gp.predict(row[None, :])
                    X_fantasy = np.vstack([X_fantasy, row])
                    y_fantasy = np.append(y_fantasy, mu[0])
                    gp = gp.condition(X_fantasy, y_fantasy)
            if row is None:
                break
            pending.add(self._key(row))
            chosen.append(row)
        if not chosen:
            return []
        proposals = self.space.decode(np.array(chosen))
        for params, row in zip(proposals, chosen):
            params.update(self._exact.get(self._key(row), {}))
        return proposals

    # -------------------------------------------------------------- internals
    def _has_model_data(self):
        return np.isfinite(self._scores).any() and self.space.n_columns > 0

    def _losses(self):
        """Raw losses with failures imputed as the worst finite loss."""
        losses = -self._scores
        worst = np.nanmax(losses) if np.isfinite(losses).any() else 0.0
        return np.where(np.isnan(losses), worst, losses)

    def _fit_gp(self, X, losses):
        gp = self._gp or GPSurrogate(self.space.n_columns, self._rng)
        return gp.fit(X, transform_losses(losses))

    def _is_new(self, row, pending):
        key = self._key(row)
        return key not in self._seen and key not in pending

    def _allowed(self, rows):
        """Which snapped rows ``space_constraint`` accepts (all without one)."""
        if self.space_constraint is None:
            return np.ones(len(rows), dtype=bool)
        names = self.space.names
        return np.array([bool(self.space_constraint([params[name] for name in names]))
                         for params in self.space.decode(rows)], dtype=bool)

    def _allowed_sobol(self, n_samples, most=2**16):
        """The first ``n_samples`` Sobol rows ``space_constraint`` allows, from
        a sequence lengthened until it has them (or ``most`` rows: then those
        it has, and the random draws of ``_next_initial`` go on)."""
        n_rows = max(16 * n_samples, 256)
        while True:
            rows = self.space.sobol(n_rows, self._design_seed)
            allowed = rows[self._allowed(self.space.snap(rows))]
            if len(allowed) >= n_samples or n_rows >= most:
                break
            n_rows *= 4
        if not len(allowed):
            raise ValueError(
                f"optimizer_kwargs['space_constraint'] allows none of {n_rows} "
                f"quasi-random points of the search space {self.space.names}: check "
                f"that it returns True for the points to try (it gets each point "
                f"as a list of values in that order).")
        return allowed[:n_samples]

    def _design(self, n_samples):
        """Scrambled Sobol rows, the first ones moved to ``initial_params``.

        Under a ``space_constraint``, the first allowed rows of a longer
        Sobol sequence (which extends without changing its first rows, so a
        longer design starts with the shorter one).
        """
        if self.space_constraint is None:
            design = self.space.sobol(n_samples, self._design_seed)
        else:
            design = self._allowed_sobol(n_samples)
        for row, given in zip(design, self._initial_params):
            params = self.space.decode(row[None, :])[0]
            params.update(given)
            row[:] = self.space.encode([params])[0]
            # Decoding the row may round a value (0.05 -> 0.05000000000000001
            # on a log scale): ask returns the given values exactly.
            self._exact[self._key(self.space.snap(row)[0])] = given
        return design

    def _next_initial(self, n_done, pending):
        if n_done < len(self._initial_design):
            row = self.space.snap(self._initial_design[n_done:n_done + 1])[0]
            if self._is_new(row, pending):
                return row
        # Snapping can map two design points onto one value, and a constraint
        # can leave the design short: draw until new (and allowed), in
        # batches under a constraint, which may allow a small part of the space.
        batch = 1 if self.space_constraint is None else 256
        for _ in range(200 if self.space_constraint is None else 64):
            rows = self.space.snap(self._rng.uniform(size=(batch, self.space.n_columns)))
            for row in rows[self._allowed(rows)]:
                if self._is_new(row, pending):
                    return row
        return None

    def _candidates(self):
        d = self.space.n_columns
        sobol = self.space.sobol(self.n_candidates, self._rng.randint(2**31))
        finite = np.isfinite(self._scores)
        order = np.argsort(np.where(finite, -self._scores, np.inf))[:5]
        # Gaussian steps around the best points, reflected at the bounds:
        # clipping put every step that left the cube exactly on a face, so a
        # best point near a bound was surrounded by candidates on it (runs
        # stuck in a corner basin of Ackley). On the benchmark, reflecting
        # tied at 25 evaluations and gained 0.7 and 2.5 points at 50 on two
        # seed sets (benchmarks/experiments/README.md, twelfth session).
        local = [_reflect(self._X[i] + self._rng.normal(scale=0.08, size=(64, d)))
                 for i in order]
        return np.vstack([sobol, *local])

    def _new_rows(self, unit, pending):
        """Snapped candidates, without repeats of observed or pending points."""
        snapped = self.space.snap(unit)
        rounded = np.round(snapped, 9)  # the rounding of _key, done once
        new = np.array([row.tobytes() not in self._seen and row.tobytes() not in pending
                        for row in rounded], dtype=bool)
        if self.space_constraint is not None and new.any():
            new[new] = self._allowed(snapped[new])
        return snapped[new], new

    def _score(self, gp, unit, best, pending):
        """Snap candidates, drop repeats, and evaluate the acquisition."""
        snapped, new = self._new_rows(unit, pending)
        if not len(snapped):
            return snapped, np.zeros(0), new
        mu, sigma = gp.predict(snapped)
        values = acquisition(self.acq_func, mu, sigma, best, xi=self.xi,
                             kappa=self.kappa)
        return snapped, values, new

    def _maximize_acquisition(self, gp, best, pending):
        points, values, _ = self._score(gp, self._candidates(), best, pending)
        if not len(points):
            return self._next_initial(len(self._initial_design), pending)
        d = self.space.n_columns
        # Local refinement: perturb the best few with shrinking steps, all
        # starts scored in one GP call per step.
        top = np.argsort(values)[::-1][:5]
        starts, start_values = points[top], values[top]
        n_trials = 48
        owner = np.repeat(np.arange(len(starts)), n_trials)
        for step in (0.05, 0.015, 0.004):
            noise = self._rng.normal(scale=step, size=(len(owner), d))
            trial = np.clip(starts[owner] + noise, 0, 1)
            cand, cand_values, new = self._score(gp, trial, best, pending)
            cand_owner = owner[new]
            for k in range(len(starts)):
                mine = np.flatnonzero(cand_owner == k)
                if len(mine) and cand_values[mine].max() > start_values[k]:
                    j = mine[int(np.argmax(cand_values[mine]))]
                    starts[k], start_values[k] = cand[j], cand_values[j]
        return self._break_ties(np.vstack([points, starts]),
                                np.concatenate([values, start_values]), pending)

    def _break_ties(self, points, values, pending):
        """Among the near-best candidates, the one farthest from every known point.

        When the model finds a parameter irrelevant, the acquisition is flat
        along it and its argmax is decided by rounding, which tends to pin
        every proposal to one corner of the cube; spreading the tied
        candidates keeps exploring those directions instead.
        """
        tied = points[values >= values.max() - _TIE_TOLERANCE]
        if len(tied) == 1:
            return tied[0]
        known = self._X
        if pending:
            known = np.vstack([known, *[np.frombuffer(k) for k in pending]])
        distances = np.min(np.linalg.norm(tied[:, None, :] - known[None, :, :], axis=2),
                           axis=1)
        return tied[int(np.argmax(distances))]
