"""What the displays of :mod:`skhpo.plotting` share: reading a search's results."""

from __future__ import annotations

from ._frames import _metrics, _unpack, metric_from_column, primary_metric


# Written across a plot whose trials all failed, in place of a score scale.
NO_SCORE_NOTE = "no trial has a score: every fit or score failed"


def _search_results(search, display):
    """``(cv_results, refit)`` of a fitted search, or a clear error."""
    if isinstance(search, dict) or (not hasattr(search, "get_params")
                                    and hasattr(search, "cv_results_")):
        raise TypeError(
            f"{display}.from_search expects a search object (skhpo's or "
            f"scikit-learn's); for a cv_results_ dict or what load_results "
            f"returns use {display}.from_results, got {type(search).__name__}."
        )
    if not hasattr(search, "cv_results_") and not hasattr(search, "cv"):
        raise TypeError(
            f"{display}.from_search expects a fitted search (a GridSearchCV, "
            f"RandomizedSearchCV or skhpo search), got {type(search).__name__}, "
            f"which is not a search.")
    return _unpack(search)


def _select_metric(cv_results, refit, metric):
    metrics = _metrics(cv_results)
    if metric is None:
        # The refit metric when refit names one, else "score", else the first.
        return primary_metric(metrics, refit)
    metric = metric_from_column(metric, metrics)
    if metric not in metrics:
        raise ValueError(
            f"metric={metric!r} is not a metric of these results: they hold "
            f"{metrics}. Pass one of these names (without the 'mean_test_' "
            f"prefix), or None for the refit metric."
        )
    return metric
