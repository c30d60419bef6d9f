"""skhpo: scikit-learn-compatible hyperparameter search estimators."""

from .bayes import BayesSearchCV
from .exceptions import AllFitsFailedError, JournalMismatchError, SearchSpaceError, SkhpoError
from .hyperband import HyperbandSearchCV, hyperband_schedule
from .plotting import ConvergenceDisplay, HyperbandScheduleDisplay, ParallelCoordinatesDisplay
from .results import (
    ResultsFormatError,
    SearchResults,
    StoredValue,
    load_results,
    results_frame,
    save_results,
)
from .robustness import RobustnessDisplay, RobustnessReport, RobustnessWarning, check_robustness
from .sensitivity import SensitivityReport, sensitivity_report
from .space import Categorical, Integer, Real

__version__ = "0.1.0"

__all__ = [
    "AllFitsFailedError",
    "BayesSearchCV",
    "Categorical",
    "check_robustness",
    "ConvergenceDisplay",
    "HyperbandScheduleDisplay",
    "hyperband_schedule",
    "HyperbandSearchCV",
    "Integer",
    "JournalMismatchError",
    "load_results",
    "ParallelCoordinatesDisplay",
    "Real",
    "results_frame",
    "RobustnessDisplay",
    "RobustnessReport",
    "RobustnessWarning",
    "ResultsFormatError",
    "save_results",
    "SearchResults",
    "SearchSpaceError",
    "sensitivity_report",
    "SensitivityReport",
    "SkhpoError",
    "StoredValue",
    "__version__",
]
