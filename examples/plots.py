"""Search plots: convergence, Hyperband's schedule, parallel coordinates.

Runs a small BayesSearchCV and a HyperbandSearchCV (budget: CV splits) on the
breast-cancer data and saves the plots of :mod:`skhpo.plotting` as PNG files:

* ``convergence_bayes.png``: best score so far against iterations and
  against fit + score time, with every trial;
* ``convergence_hyperband.png``: the same for Hyperband, where the curve
  follows the full-budget rows and the lower-budget rows are faint points;
* ``hyperband_schedule.png``: candidates per rung of each bracket;
* ``parallel_coordinates.png``: the Bayes trials across their parameters,
  coloured by score, with log axes for C and gamma.

Usage::

    python examples/plots.py [OUTPUT_DIR]

OUTPUT_DIR defaults to a new temporary directory. Runs in well under a minute.
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from scipy.stats import loguniform, randint  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skhpo import BayesSearchCV, HyperbandSearchCV, Real  # noqa: E402
from skhpo.plotting import (  # noqa: E402
    ConvergenceDisplay,
    HyperbandScheduleDisplay,
    ParallelCoordinatesDisplay,
)


def main(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    X, y = load_breast_cancer(return_X_y=True)

    bayes = BayesSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": Real(1e-3, 1e3, prior="log-uniform"),
         "svc__gamma": Real(1e-5, 1e1, prior="log-uniform"),
         "svc__kernel": ["rbf", "linear", "sigmoid"]},
        n_iter=25, n_initial_points=8, cv=3, random_state=0,
    ).fit(X, y)
    print(f"BayesSearchCV: best {bayes.best_score_:.4f} with {bayes.best_params_}")

    # 3 folds x 3 repeats = 9 splits: budgets of 1, 3 and 9 splits.
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)
    hyperband = HyperbandSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 12), "min_samples_leaf": randint(1, 40),
         "ccp_alpha": loguniform(1e-5, 1e-1)},
        cv=cv, random_state=0,
    ).fit(X, y)
    print(f"HyperbandSearchCV: best {hyperband.best_score_:.4f} with "
          f"{hyperband.best_params_} ({hyperband.n_fold_fits_} fold-fits)")

    saved = []

    def save(display, name, title):
        figure = display.figure_
        figure.suptitle(title)
        figure.tight_layout()  # room for the title
        path = out_dir / name
        figure.savefig(path, dpi=110)
        plt.close(figure)
        saved.append(path)

    save(ConvergenceDisplay.from_search(bayes).plot(), "convergence_bayes.png",
         "BayesSearchCV on breast cancer (SVC)")
    save(ConvergenceDisplay.from_search(hyperband).plot(), "convergence_hyperband.png",
         "HyperbandSearchCV on breast cancer (decision tree)")
    save(HyperbandScheduleDisplay.from_search(hyperband).plot(), "hyperband_schedule.png",
         "Hyperband: candidates per rung of each bracket")
    save(ParallelCoordinatesDisplay.from_search(bayes).plot(),
         "parallel_coordinates.png", "BayesSearchCV trials")
    for path in saved:
        print(f"saved {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="skhpo-plots-"))
