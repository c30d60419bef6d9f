"""DataFrame views of search results, and their export to and reload from JSON.

:func:`results_frame` turns the ``cv_results_`` of any search (skhpo's or
scikit-learn's) into a tidy :class:`pandas.DataFrame`; :func:`save_results`
writes one human-readable JSON document describing a fitted search, and
:func:`load_results` reads it back as a :class:`SearchResults` that
:func:`results_frame` accepts like the search itself. Nothing is pickled:
loading a file never executes code (see :mod:`skhpo._json` for the encoding).
"""


from ._frames import BUDGET_KEYS, ID_KEYS, primary_metric, results_frame
from ._json import StoredValue
from ._persistence import (
    ResultsFormatError,
    SearchResults,
    data_fingerprint,
    load_results,
    save_results,
)

__all__ = [
    "BUDGET_KEYS",
    "ID_KEYS",
    "ResultsFormatError",
    "SearchResults",
    "StoredValue",
    "data_fingerprint",
    "load_results",
    "primary_metric",
    "results_frame",
    "save_results",
]
