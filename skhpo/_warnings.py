"""Warnings attributed to the user's line, not to skhpo's internals."""

import os
import sys
import warnings

import sklearn

_INTERNAL_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__name__.rpartition(".")[0]], sklearn)
)


def warn(message, category=UserWarning):
    """``warnings.warn`` at the first caller outside skhpo and scikit-learn.

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
