"""The Hyperband study's set-up: 9 splits, a 25% hold-out, the methods compared.

Shared by ``hyperband_study.py`` (which runs the study), its analysis
(``_hyperband_analysis.py``) and diagnosis (``_hyperband_diagnosis.py``), and
``parallel_study.py``, which times searches on the same set-up.
"""

from __future__ import annotations

import numpy as np

import problems as P

N_REPEATS, N_FOLDS = 3, 3
R = N_REPEATS * N_FOLDS  # the full budget, in splits
FACTOR = 3
HOLDOUT = 0.25

METHODS = ("random", "hb-random", "hb-bayes", "halving", "optuna-hb",
           "bayes-noprune", "bayes-prune")
LABELS = {
    "random": "RandomizedSearchCV",
    "hb-random": "skhpo HyperbandSearchCV (random)",
    "hb-bayes": "skhpo HyperbandSearchCV (bayes)",
    "halving": "HalvingRandomSearchCV (n_samples)",
    "optuna-hb": "Optuna TPE + HyperbandPruner (per fold)",
    "bayes-noprune": "skhpo BayesSearchCV pruning=False",
    "bayes-prune": "skhpo BayesSearchCV pruning=True",
}


class Setup:
    """A public problem adapted to this study: 9 splits and a 25% hold-out."""

    def __init__(self, name):
        from sklearn.model_selection import (
            RepeatedKFold, RepeatedStratifiedKFold, train_test_split)

        self.name = name
        self.problem = problem = P.PROBLEMS[name]
        X, y = problem.data
        X, y = np.asarray(X), np.asarray(y)
        stratify = y if problem.classifier else None
        (self.X, self.X_test, self.y, self.y_test) = train_test_split(
            X, y, test_size=HOLDOUT, stratify=stratify, random_state=0)
        splitter = RepeatedStratifiedKFold if problem.classifier else RepeatedKFold
        self.cv = splitter(n_splits=N_FOLDS, n_repeats=N_REPEATS, random_state=0)
        self.scoring = problem.scoring

    @property
    def estimator(self):
        return self.problem.estimator

    def holdout_score(self, fitted):
        from sklearn.metrics import check_scoring

        if fitted is None:
            return None
        try:
            value = float(check_scoring(fitted, self.scoring)(fitted, self.X_test, self.y_test))
        except Exception:  # a best model that cannot score is a result too
            return None
        return value if np.isfinite(value) else None


def n_candidates():
    from skhpo.hyperband import hyperband_schedule

    table = hyperband_schedule(R, 1, FACTOR)
    return int(table.loc[table["rung"] == 0, "n_candidates"].sum())
