"""Which hyperparameters of a gradient-boosting model matter?

Runs a random search on the breast-cancer data, then a sensitivity report:
prints the importance, interaction and diagnostic tables and saves four plots
(importances, marginal of the top parameter, pairwise heatmap, 2-D marginal of
the top pair) as PNG files.

Usage::

    python examples/sensitivity.py [OUTPUT_DIR]

OUTPUT_DIR defaults to a new temporary directory. Runs in well under a minute.
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import loguniform, randint, uniform  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

from skhpo.sensitivity import sensitivity_report  # noqa: E402


def main(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "learning_rate": loguniform(1e-3, 1.0),      # log scale, from scipy
        "max_leaf_nodes": randint(2, 64),
        "min_samples_leaf": randint(1, 60),
        "l2_regularization": uniform(0.0, 1.0),
        "max_features": uniform(0.1, 0.9),
        "early_stopping": [True, False],           # categorical
    }
    search = RandomizedSearchCV(
        HistGradientBoostingClassifier(max_iter=50, random_state=0), space,
        n_iter=80, cv=3, scoring="roc_auc", random_state=0, n_jobs=-1,
    ).fit(X, y)

    report = sensitivity_report(search, random_state=0)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.precision", 3):
        print(report)
        print("\nImportances\n", report.importances.drop(
            columns=["main_effect_ci_low", "main_effect_ci_high"]))
        print("\nTop interactions\n", report.interactions.head(5))
    print("\nDiagnostics")
    for key, value in report.diagnostics.items():
        print(f"  {key}: {value}")

    plots = {
        "importances.png": report.plot_importances,
        "marginal.png": report.plot_marginal,
        "interactions.png": report.plot_interactions,
        "top_pair.png": report.plot_top_pair,
    }
    for name, plot in plots.items():
        display = plot()
        display.figure_.tight_layout()
        display.figure_.savefig(out_dir / name, dpi=100)
        plt.close(display.figure_)
    print(f"\nSaved {len(plots)} plots to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="skhpo-sensitivity-"))
