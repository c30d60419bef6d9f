"""Plots of a search: convergence, Hyperband's schedule, parallel coordinates.

Every plot follows scikit-learn's Display pattern: a class method
(``from_search``, ``from_results`` or ``from_schedule``) computes the data of
the plot once and stores it on the display object, where it can be read
without drawing anything; ``plot(ax=None, **kwargs)`` draws it and keeps the
axes (``ax_``), the figure (``figure_``) and the artists. matplotlib is only
imported by ``plot``, so computing the data never needs it.

The displays read the ``cv_results_`` of skhpo's searches and of
scikit-learn's ``GridSearchCV``, ``RandomizedSearchCV`` and
``Halving*SearchCV``, through :func:`skhpo.results.results_frame`, and the
results returned by :func:`skhpo.load_results`. The presentation follows
Optuna's visualization module (optimization history, parallel coordinates)
and the bracket tables of Li et al., "Hyperband", JMLR 18(185), 2018.
"""

from ._convergence_plot import ConvergenceDisplay
from ._parallel_coordinates_plot import ParallelCoordinatesDisplay
from ._schedule_plot import HyperbandScheduleDisplay

__all__ = [
    "ConvergenceDisplay",
    "HyperbandScheduleDisplay",
    "ParallelCoordinatesDisplay",
]
