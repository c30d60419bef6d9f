"""The one module that touches private scikit-learn names.

Everything imported here is private in scikit-learn and may move between
releases; keeping it in one place means one file to fix, and the CI job on the
oldest supported scikit-learn covers every name below.
"""

# ``_fit_context`` validates parameters and, on scikit-learn >= 1.9, tears the
# callbacks down after fit, as for every scikit-learn estimator.
from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import _yields_constant_splits
# Listed in sklearn.utils.__all__, but underscored: kept here all the same.
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "_fit_context",
    "_safe_indexing",
    "_yields_constant_splits",
]
