"""skhpo: scikit-learn-compatible hyperparameter search estimators."""

from .bayes import BayesSearchCV
from .exceptions import AllFitsFailedError, SearchSpaceError, SkhpoError
from .results import (
    ResultsFormatError,
    SearchResults,
    StoredValue,
    load_results,
    results_frame,
    save_results,
)
from .space import Categorical, Integer, Real

__version__ = "0.1.0"

__all__ = [
    "AllFitsFailedError",
    "BayesSearchCV",
    "Categorical",
    "Integer",
    "Real",
    "ResultsFormatError",
    "SearchResults",
    "StoredValue",
    "load_results",
    "results_frame",
    "save_results",
    "SearchSpaceError",
    "SkhpoError",
    "__version__",
]
