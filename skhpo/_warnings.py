"""Warnings attributed to the user's line, not to skhpo's internals.

A consequence worth knowing: as with any warning given a ``stacklevel``,
``warnings.filterwarnings(..., module="skhpo")`` does not match skhpo's
warnings (the module is the caller's); filter them by ``message`` or
``category`` instead.
"""

import os
import sys
import warnings

import joblib
import sklearn

# The packages between skhpo and the user's line: skhpo's own calls reach the
# user's code through scikit-learn (a Pipeline, cross_validate) and joblib.
_INTERNAL_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__name__.rpartition(".")[0]], sklearn, joblib)
)


def warn(message, category=UserWarning):
    """``warnings.warn`` at the first caller outside skhpo, scikit-learn
    and joblib.

    A fixed ``stacklevel`` goes stale whenever the call chain changes, and
    then points into skhpo's own code, which the user cannot act on.

    Examples
    --------
    >>> import warnings
    >>> from skhpo._warnings import warn
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("careful")
    >>> caught[0].filename.endswith("_warnings.py")
    False
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(
            frame.f_code.co_filename).startswith(_INTERNAL_DIRS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
