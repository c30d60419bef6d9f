"""The plots of a :class:`skhpo.sensitivity.SensitivityReport`, sklearn's Display pattern."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._matplotlib import added_beside, axes_or_new, fit_new_figure

__all__ = ["ImportanceDisplay", "InteractionDisplay", "MarginalDisplay", "PairMarginalDisplay"]


class ImportanceDisplay:
    """Horizontal bars: main effect (with interval) and interaction part.

    Parameters
    ----------
    importances : DataFrame
        ``SensitivityReport.importances``.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, importances):
        self.importances = importances

    @classmethod
    def from_report(cls, report):
        return cls(report.importances)

    def plot(self, ax=None):
        created = ax is None
        ax = axes_or_new(ax)
        imp = self.importances.iloc[::-1]
        pos = np.arange(len(imp))
        main = imp.main_effect.to_numpy()
        error = np.vstack([main - imp.main_effect_ci_low.to_numpy(),
                           imp.main_effect_ci_high.to_numpy() - main])
        error = None if np.isnan(error).all() else np.clip(error, 0, None)
        ax.barh(pos, main, xerr=error, color="C0", label="main effect")
        ax.barh(pos, np.clip(imp.total_effect.to_numpy() - main, 0, None), left=main,
                color="C0", alpha=0.35, label="interactions (total - main)")
        ax.set_yticks(pos, imp.param.tolist())
        ax.set_xlabel("share of the surrogate's variance")
        ax.set_xlim(0, 1)
        ax.legend(loc="lower right")
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class MarginalDisplay:
    """Marginal mean score of one parameter, with interval band and trial rug.

    Parameters
    ----------
    param : str
    marginal : DataFrame
        The rows of ``SensitivityReport.marginals`` for ``param``.
    scale : {"linear", "log", "categorical"}
    trial_values : sequence
        The parameter's value in each trial, for the rug.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, param, marginal, scale, trial_values):
        self.param, self.marginal, self.scale = param, marginal, scale
        self.trial_values = list(trial_values)

    @classmethod
    def from_report(cls, report, param=None):
        if param is None:
            param = report.importances.param[0]
        if param not in set(report.importances.param):
            raise ValueError(f"param={param!r} is not in the report; it has "
                             f"{report.importances.param.tolist()}.")
        scale = report.importances.set_index("param").scale[param]
        return cls(param, report.marginals[report.marginals.param == param],
                   scale, report.trials[param])

    def plot(self, ax=None):
        created = ax is None
        ax = axes_or_new(ax)
        m = self.marginal
        if self.scale == "categorical":
            pos = np.arange(len(m))
            counts = pd.Series(self.trial_values).value_counts()
            err = np.vstack([m["mean"] - m.ci_low, m.ci_high - m["mean"]])
            ax.errorbar(pos, m["mean"], yerr=None if np.isnan(err).all() else err,
                        fmt="o", capsize=4)
            ax.set_xticks(pos, [f"{short}\n(n={counts.get(v, 0)})"
                                for short, v in zip(_short_labels(m.value), m.value)])
        else:
            x = m.value.to_numpy(dtype=float)
            ax.plot(x, m["mean"], color="C0")
            ax.fill_between(x, m.ci_low.to_numpy(dtype=float),
                            m.ci_high.to_numpy(dtype=float), color="C0", alpha=0.25)
            # The rug: where the trials actually are, on the parameter's scale.
            ax.plot(self.trial_values, np.zeros(len(self.trial_values)), "|",
                    color="k", alpha=0.5, markersize=10,
                    transform=ax.get_xaxis_transform())
            if self.scale == "log":
                ax.set_xscale("log")
        ax.set_xlabel(self.param)
        ax.set_ylabel("marginal mean score")
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class InteractionDisplay:
    """Heatmap of variance shares: main effects on the diagonal, pairs off it.

    Parameters
    ----------
    params : list of str
    shares : ndarray of shape (n_params, n_params)

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage
    """

    def __init__(self, params, shares):
        self.params, self.shares = list(params), np.asarray(shares)

    @classmethod
    def from_report(cls, report):
        params = report.importances.param.tolist()
        index = {p: i for i, p in enumerate(params)}
        shares = np.diag(report.importances.main_effect.to_numpy(dtype=float))
        for row in report.interactions.itertuples():
            a, b = index[row.param_a], index[row.param_b]
            shares[a, b] = shares[b, a] = row.share
        return cls(params, shares)

    def plot(self, ax=None):
        created = ax is None
        ax = axes_or_new(ax)
        self.image_ = ax.imshow(self.shares, cmap="viridis", vmin=0,
                                vmax=max(float(self.shares.max()), 1e-9))
        ticks = np.arange(len(self.params))
        ax.set_xticks(ticks, self.params, rotation=45, ha="right")
        ax.set_yticks(ticks, self.params)
        for (i, j), value in np.ndenumerate(self.shares):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center",
                    color="w" if value < 0.6 * self.shares.max() else "k", fontsize=8)
        added_beside(ax, ax.figure.colorbar(self.image_, ax=ax, label="variance share"))
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class PairMarginalDisplay:
    """Two-dimensional marginal mean score of a pair of parameters.

    Parameters
    ----------
    surface : DataFrame
        ``SensitivityReport.top_pair_marginal``.
    scales : dict of str -> str
        Scale of each of the two parameters.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, surface, scales):
        self.surface, self.scales = surface, scales

    @classmethod
    def from_report(cls, report):
        if report.top_pair_marginal.empty:
            raise ValueError("The report analyses a single parameter, so it has "
                             "no pair to plot.")
        return cls(report.top_pair_marginal,
                   report.importances.set_index("param").scale.to_dict())

    def plot(self, ax=None):
        created = ax is None
        ax = axes_or_new(ax)
        s = self.surface
        name_a, name_b = s.param_a.iloc[0], s.param_b.iloc[0]
        va, vb = pd.unique(s.value_a), pd.unique(s.value_b)
        z = s["mean"].to_numpy(dtype=float).reshape(len(va), len(vb))
        edges = []
        for name, values, axis in ((name_b, vb, ax.xaxis), (name_a, va, ax.yaxis)):
            scale = self.scales.get(name)
            if scale == "categorical":
                edges.append(_cell_edges(np.arange(len(values)), "linear"))
                axis.set_ticks(np.arange(len(values)), _short_labels(values))
            else:
                edges.append(_cell_edges(np.asarray(values, dtype=float), scale))
        mesh = ax.pcolormesh(edges[0], edges[1], z, shading="flat", cmap="viridis")
        if self.scales.get(name_b) == "log":
            ax.set_xscale("log")
        if self.scales.get(name_a) == "log":
            ax.set_yscale("log")
        added_beside(ax, ax.figure.colorbar(mesh, ax=ax, label="marginal mean score"))
        ax.set_xlabel(name_b)
        ax.set_ylabel(name_a)
        self.mesh_ = mesh
        fit_new_figure(ax.figure, created)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _short_labels(labels):
    """Tick labels: an object's class name ("RobustScaler" for
    "RobustScaler(quantile_range=(10, 90))") unless two levels share it."""
    full = [str(label) for label in labels]
    short = [re.sub(r"^(\w+)\(.*\)$", r"\1", label, flags=re.S) for label in full]
    return [s if short.count(s) == 1 else f for s, f in zip(short, full)]


def _cell_edges(centres, scale):
    """Edges of cells centred on sorted ``centres``, halfway between
    neighbours on the axis's own scale (geometric means on a log axis, where
    linear midpoints would squeeze the lowest cell to a sliver)."""
    warped = np.log(centres) if scale == "log" else np.asarray(centres, dtype=float)
    if len(warped) == 1:
        edges = warped[0] + np.array([-0.5, 0.5])
    else:
        middles = (warped[1:] + warped[:-1]) / 2
        # The outer cells mirror their inner edge about their centre.
        edges = np.concatenate([[2 * warped[0] - middles[0]], middles,
                                [2 * warped[-1] - middles[-1]]])
    return np.exp(edges) if scale == "log" else edges
