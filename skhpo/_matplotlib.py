"""matplotlib, imported only when something is drawn (it is an optional extra)."""


def pyplot():
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skhpo's plots need matplotlib, which is not installed. Install "
            'the plot extra with `pip install "skhpo[plot]"` (or `pip install '
            'matplotlib`).'
        ) from exc
    return plt


def check_axes(ax):
    """``ax`` if it is a matplotlib Axes, else a TypeError."""
    if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise TypeError(
            f"ax must be a matplotlib Axes (or None to create a figure), got "
            f"{type(ax).__name__}."
        )
    return ax


def axes_or_new(ax, figsize=None):
    """The given Axes, checked, or the Axes of a new figure when ``ax`` is None.

    A new figure gets no layout engine: a user's ``plt.tight_layout()`` fails
    on a constrained-layout figure that has a colorbar. Call
    :func:`fit_new_figure` once drawn.
    """
    if ax is None:
        _, ax = pyplot().subplots(figsize=figsize)
        return ax
    return check_axes(ax)


def fit_new_figure(figure, created):
    """Keep long tick labels and outside legends on the canvas of a figure the
    plot created (one tight-layout pass, which leaves no engine behind)."""
    if created:
        figure.tight_layout()
