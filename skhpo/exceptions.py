"""Exceptions raised by skhpo."""


class SkhpoError(Exception):
    """Base class of every error skhpo raises on purpose.

    Examples
    --------
    >>> from skhpo import Real, SkhpoError
    >>> from skhpo.space import Space
    >>> try:
    ...     Space({"C": Real(10, 1)})
    ... except SkhpoError as error:
    ...     print(type(error).__name__)
    SearchSpaceError
    """


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
    """Every candidate of a search failed to fit or score.

    The message gives the counts and each distinct error with its count.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skhpo import AllFitsFailedError, BayesSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)  # three classes
    >>> search = BayesSearchCV(GaussianNB(priors=[0.5, 0.5]),  # two priors
    ...                        {"var_smoothing": Real(1e-9, 1e-6, prior="log-uniform")},
    ...                        n_iter=2, cv=2)
    >>> try:
    ...     with warnings.catch_warnings():
    ...         warnings.simplefilter("ignore")  # one FitFailedWarning sums up the failures
    ...         search.fit(X, y)
    ... except AllFitsFailedError as error:
    ...     print(str(error).splitlines()[0])  # doctest: +ELLIPSIS
    All 2 candidates failed to fit (4 fits), so there is no best candidate. ...
    """


class JournalMismatchError(SkhpoError, ValueError):
    """A ``checkpoint`` journal was written by an incompatible setup.

    The message names what differs (the search's parameters, space, cv
    splits, scoring, data, fit parameters); fit with another ``checkpoint``
    path, or with the setup that wrote the journal, to resume it.
    """
