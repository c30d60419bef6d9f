"""Exceptions raised by skhpo."""


class SkhpoError(Exception):
    """Base class of every error skhpo raises on purpose."""


class SearchSpaceError(SkhpoError, ValueError):
    """A search space is malformed.

    Subclasses :class:`ValueError` so that code catching sklearn's validation
    errors also catches these.
    """


class AllFitsFailedError(SkhpoError, ValueError):
    """Every candidate of a search failed to fit or score."""
