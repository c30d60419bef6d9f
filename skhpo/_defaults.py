"""The first candidates of a search: given points, or the estimator's own values.

``BayesSearchCV(initial_params=[{...}, ...])`` evaluates the given points
first (Optuna's ``enqueue_trial``, scikit-optimize's ``x0``); a point may
leave parameters out, which the quasi-random design then fills.

``BayesSearchCV(initial_params="estimator")`` starts from the estimator as the
user gave it: each searched parameter takes its current value (from
``get_params(deep=True)``), moved to the nearest value the space holds; the
other parameters take the first point of the quasi-random design. SMAC3 has
the same idea as an initial design of the default configuration
(``DefaultInitialDesign``; Lindauer et al., "SMAC3", JMLR 23, 2022), and
scikit-learn's defaults are chosen to work on most data. It also means the
search's best score is never below the untuned estimator's, when the
defaults lie in the space.

A value is only taken where it means the same thing in the space: a float
for a ``Real``, an int for an ``Integer`` (scikit-learn reads
``min_samples_leaf=1`` as one sample but ``1.0`` as all of them), a category
of a ``Categorical``, or for a grid list its nearest value of the same kind.
Numbers outside a range are clipped into it; values of another type are left
to the design. When the space replaces a pipeline step with another
estimator, the current step's parameters are not carried over to it.
"""

import numbers

import numpy as np

from .space import Categorical, Distribution, Integer, Ordinal, Real, holds

_NO_VALUE = object()


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_float(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
            and np.isfinite(value))


def nearest_value(dim, value):
    """``value`` moved into ``dim``, or ``_NO_VALUE`` when its type does not fit.

    Examples
    --------
    >>> from skhpo import Integer, Real
    >>> from skhpo._defaults import nearest_value
    >>> nearest_value(Real(0.01, 0.49), 0.0), nearest_value(Integer(1, 15), 40)
    (0.01, 15)
    >>> nearest_value(Real(0.01, 0.49), 1) is nearest_value(Integer(1, 5), 0.5)
    True
    """
    if isinstance(dim, Categorical):
        try:
            return dim.categories[dim.index(value)]
        except ValueError:
            return _NO_VALUE
    if isinstance(dim, Ordinal):
        return _nearest_grid_value(dim, value)
    if isinstance(dim, Integer):
        return int(np.clip(value, dim.low, dim.high)) if _is_int(value) else _NO_VALUE
    if isinstance(dim, Real):
        return float(np.clip(value, dim.low, dim.high)) if _is_float(value) else _NO_VALUE
    if isinstance(dim, Distribution):
        fits = _is_int(value) if dim.is_discrete else _is_float(value)
        if not fits:
            return _NO_VALUE
        low, high = dim.dist.support()
        clipped = np.clip(value, low, high)
        return int(clipped) if dim.is_discrete else float(clipped)
    return _NO_VALUE


def _nearest_grid_value(dim, value):
    """The grid value of ``value``'s kind (int or float) nearest to it.

    Nearest on the scale the optimizer sees the grid (log when ``dim.is_log``);
    ``value`` itself when the grid holds it.
    """
    kind = _is_int if _is_int(value) else _is_float if _is_float(value) else None
    if kind is None:
        return _NO_VALUE
    if value in dim.values:
        return value
    same_kind = [v for v in dim.values if kind(v)]
    if not same_kind:
        return _NO_VALUE
    scale = np.log if dim.is_log and value > 0 else (lambda x: x)
    distances = [abs(scale(v) - scale(value)) for v in same_kind]
    return same_kind[int(np.argmin(distances))]


def estimator_params(estimator, space):
    """The searched parameters' current values in ``estimator``, in ``space``.

    Parameters
    ----------
    estimator : estimator object
    space : skhpo.space.Space

    Returns
    -------
    params : dict
        Only the parameters whose value fits (see the module docstring);
        empty when none does.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from skhpo import Real
    >>> from skhpo.space import Space
    >>> from skhpo._defaults import estimator_params
    >>> space = Space({"C": Real(10.0, 1e3, prior="log-uniform"),
    ...                "gamma": Real(1e-4, 1e-1), "kernel": ["rbf", "linear"]})
    >>> estimator_params(SVC(), space)  # gamma="scale" is not a float
    {'C': 10.0, 'kernel': 'rbf'}
    """
    current = estimator.get_params(deep=True)
    found = {}
    for name, dim in space.as_dict().items():
        if name in current:
            value = nearest_value(dim, current[name])
            if value is not _NO_VALUE:
                found[name] = value
    # A step the space replaces (``"clf": [LogisticRegression()]`` while the
    # pipeline holds an SVC) takes none of the current step's values.
    replaced = [name for name in space.names if name not in found]
    return {name: value for name, value in found.items()
            if not any(name.startswith(step + "__") for step in replaced)}


def initial_points(setting, estimator, subspaces):
    """The points each subspace evaluates first, checked before any fit.

    Parameters
    ----------
    setting : None, "estimator" or list of dict
        ``BayesSearchCV``'s ``initial_params``. A dict goes to every subspace
        that has all of its parameters.
    estimator : estimator object
    subspaces : list of skhpo.space.Subspace

    Returns
    -------
    points : list of list of dict
        One list per subspace.
    """
    if setting is None:
        return [[] for _ in subspaces]
    if setting == "estimator":
        found = [estimator_params(estimator, s.space) for s in subspaces]
        return [[params] if params else [] for params in found]
    points = [[] for _ in subspaces]
    for i, point in enumerate(setting):
        if not isinstance(point, dict):
            raise ValueError(
                f"initial_params[{i}] must be a dict of parameter name -> value, "
                f"got {type(point).__name__}: {point!r}."
            )
        homes = [k for k, s in enumerate(subspaces) if set(point) <= set(s.space.names)]
        if not homes:
            raise ValueError(
                f"initial_params[{i}] names {sorted(point)}, but no search space "
                f"has all of these parameters. Name parameters of one search space."
            )
        for k in homes:
            dims = subspaces[k].space.as_dict()
            for name, value in point.items():
                if not holds(dims[name], value):
                    raise ValueError(
                        f"initial_params[{i}][{name!r}]={value!r} is not a value of "
                        f"{dims[name]!r}. Give a value inside its range or among its "
                        f"values, or widen the search space."
                    )
            points[k].append(dict(point))
    return points
