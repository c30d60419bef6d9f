"""Exceptions raised by skhpo."""


class SkhpoError(Exception):
    """Base class of every error skhpo raises on purpose."""


class SearchSpaceError(SkhpoError, ValueError):
    """A search space is malformed.

    Subclasses :class:`ValueError` so that code catching sklearn's validation
    errors also catches these.

    Examples
    --------
    >>> from skhpo import Real
    >>> from skhpo.space import Space
    >>> Space({"C": Real(10, 1)})
    Traceback (most recent call last):
    ...
    skhpo.exceptions.SearchSpaceError: `low < high` must hold for Real 'C', got low=10, high=1. ...
    """


class AllFitsFailedError(SkhpoError, ValueError):
    """Every candidate of a search failed to fit or score."""
