"""The one module that touches private scikit-learn names.

Everything imported here is private in scikit-learn and may move between
releases; keeping it in one place means one file to fix, and the CI job on the
oldest supported scikit-learn covers every name below.
"""

from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._split import _yields_constant_splits
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "_yields_constant_splits",
]
