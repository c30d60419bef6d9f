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


# The colorbars and twin Axes a skhpo plot added beside its Axes, kept on the
# Axes: a plot drawn there again replaces the earlier one instead of piling
# a second drawing, colorbar and legend on it.
_ADDED = "_skhpo_added"
# Which skhpo plot drew on the Axes last.
_KIND = "_skhpo_kind"
# Where the Axes sat before a skhpo plot first drew on it (a colorbar shrinks it).
_POSITION = "_skhpo_position"


def axes_or_new(ax, figsize=None, *, adds_up=None):
    """The given Axes, checked, or the Axes of a new figure when ``ax`` is None.

    An Axes a skhpo plot drew on before is cleared, with the colorbars and
    twin Axes recorded by :func:`added_beside`, unless ``adds_up`` names the
    kind of plot drawn there last (convergence curves add up, to compare
    searches). A new figure gets no layout engine: a user's
    ``plt.tight_layout()`` fails on a constrained-layout figure that has a
    colorbar. Call :func:`fit_new_figure` once drawn.
    """
    if ax is None:
        _, ax = pyplot().subplots(figsize=figsize)
    else:
        check_axes(ax)
        earlier = getattr(ax, _ADDED, None)
        if earlier is not None and adds_up is not None and getattr(ax, _KIND, None) == adds_up:
            return ax
        if earlier is not None:
            for extra in earlier:
                extra.remove()
            ax.cla()
            # What cla() keeps of the earlier plot: a heatmap's equal aspect,
            # hidden spines, the room a colorbar took.
            ax.set_aspect("auto")
            for spine in ax.spines.values():
                spine.set_visible(True)
            # (set_position takes the Axes out of a constrained layout.)
            in_layout = ax.get_in_layout()
            ax.set_position(getattr(ax, _POSITION))
            ax.set_in_layout(in_layout)
    if not hasattr(ax, _POSITION):
        setattr(ax, _POSITION, ax.get_position(original=True).frozen())
    setattr(ax, _ADDED, [])
    setattr(ax, _KIND, adds_up)
    return ax


def check_artist_kwargs(kwargs, display):
    """Refuse, before a figure is made, the figure options a plot's
    ``**kwargs`` (passed to its artists) would fail on."""
    figure_options = sorted({"figsize", "dpi", "layout"} & set(kwargs))
    if figure_options:
        raise TypeError(
            f"{display}.plot passes its keyword arguments to the plotted artists, "
            f"so it takes no {figure_options}: make the figure with "
            f"plt.subplots({figure_options[0]}=...) and pass its Axes as ax.")


def added_beside(ax, *extras):
    """Record colorbars or twin Axes a plot added beside ``ax`` (None is skipped)."""
    getattr(ax, _ADDED).extend(extra for extra in extras if extra is not None)


def fit_new_figure(figure, created):
    """Keep long tick labels and outside legends on the canvas of a figure the
    plot created (one tight-layout pass, which leaves no engine behind)."""
    if created:
        figure.tight_layout()
