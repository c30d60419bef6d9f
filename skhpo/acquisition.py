"""Acquisition functions on a Gaussian posterior, for minimisation.

Each function takes the posterior mean ``mu`` and standard deviation
``sigma`` of the loss at candidate points and the best (lowest) loss observed,
and returns a score to **maximise**. Expected and probability of improvement
are returned as logarithms: far from the incumbent the plain values underflow
to zero for every candidate, and the optimizer could no longer rank them
(Ament et al., "Unexpected Improvements to Expected Improvement", NeurIPS
2023, make the same point).
"""

import numpy as np
from scipy.special import erfcx, log_ndtr

ACQUISITIONS = ("EI", "PI", "UCB", "LCB")

_SQRT_HALF_PI = np.sqrt(np.pi / 2)
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _log_h(z):
    """``log(phi(z) + z * Phi(z))``, accurate for very negative ``z``."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    log_phi = -0.5 * z**2 - _LOG_SQRT_2PI
    upper = z > -1
    # Above -1 the direct formula has no cancellation.
    out[upper] = np.log(np.exp(log_phi[upper]) + z[upper] * np.exp(log_ndtr(z[upper])))
    # Below, write Phi(z) = phi(z) * m(z) with the Mills ratio
    # m(z) = erfcx(-z / sqrt 2) * sqrt(pi / 2), so h = phi * (1 + z m(z)).
    zl = z[~upper]
    inner = 1 + zl * erfcx(-zl / np.sqrt(2)) * _SQRT_HALF_PI
    # For z below about -1e4, 1 + z m(z) ~ 1/z^2 loses all digits.
    asymptotic = zl < -1e4
    inner = np.where(asymptotic, 1 / zl**2, inner)
    out[~upper] = log_phi[~upper] + np.log(np.maximum(inner, 1e-300))
    return out


def log_expected_improvement(mu, sigma, best, xi=0.0):
    """Logarithm of the expected improvement over ``best - xi``.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.acquisition import log_expected_improvement
    >>> # mu = best and sigma = 1: EI = phi(0) = 0.3989...
    >>> round(float(np.exp(log_expected_improvement(np.array([0.0]), np.array([1.0]), 0.0))[0]), 4)
    0.3989
    """
    sigma = np.maximum(sigma, 1e-12)
    z = (best - xi - mu) / sigma
    return _log_h(z) + np.log(sigma)


def log_probability_of_improvement(mu, sigma, best, xi=0.0):
    """Logarithm of the probability that the loss is below ``best - xi``.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.acquisition import log_probability_of_improvement
    >>> float(np.exp(log_probability_of_improvement(np.array([0.0]), np.array([1.0]), 0.0))[0])
    0.5
    """
    sigma = np.maximum(sigma, 1e-12)
    return log_ndtr((best - xi - mu) / sigma)


def upper_confidence_bound(mu, sigma, best=None, kappa=1.96):
    """Optimistic bound ``-(mu - kappa * sigma)`` (skopt calls it LCB).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.acquisition import upper_confidence_bound
    >>> upper_confidence_bound(np.array([1.0]), np.array([0.5]), kappa=2.0)
    array([-0.])
    """
    return -(mu - kappa * sigma)


def acquisition(name, mu, sigma, best, *, xi=0.0, kappa=1.96):
    """Evaluate the acquisition ``name`` (one of ``ACQUISITIONS``)."""
    if name == "EI":
        return log_expected_improvement(mu, sigma, best, xi)
    if name == "PI":
        return log_probability_of_improvement(mu, sigma, best, xi)
    if name in ("UCB", "LCB"):
        return upper_confidence_bound(mu, sigma, best, kappa)
    raise ValueError(f"acq_func must be one of {ACQUISITIONS}, got {name!r}.")
