"""Replace GridSearchCV with BayesSearchCV in a scikit-learn Pipeline.

Tunes an RBF SVM on the breast-cancer dataset (ships with scikit-learn) twice:
with GridSearchCV over a 7 x 7 grid of C and gamma, and with BayesSearchCV
over the same ranges, then prints the fits used, the time and the best CV
score side by side, and the top of BayesSearchCV's ``cv_results_``.

Run: ``python examples/quickstart.py``
"""

import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV, Real

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVC())
cv = StratifiedKFold(5)

grid = GridSearchCV(
    pipe,
    {"svc__C": np.logspace(-2, 3, 7), "svc__gamma": np.logspace(-4, -1, 7)},
    cv=cv,
)
bayes = BayesSearchCV(
    pipe,
    {
        "svc__C": Real(1e-2, 1e3, prior="log-uniform"),
        "svc__gamma": Real(1e-4, 1e-1, prior="log-uniform"),
    },
    n_iter=20,
    cv=cv,
    random_state=0,
)

rows = []
for name, search in [("GridSearchCV", grid), ("BayesSearchCV", bayes)]:
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    n_fits = len(search.cv_results_["params"]) * search.n_splits_
    rows.append({"search": name, "fits": n_fits, "seconds": round(seconds, 2),
                 "best CV accuracy": round(search.best_score_, 4)})

print(pd.DataFrame(rows).to_string(index=False))
print("\nBayesSearchCV best parameters:", bayes.best_params_)

results = pd.DataFrame(bayes.cv_results_)
columns = ["rank_test_score", "mean_test_score", "std_test_score",
           "param_svc__C", "param_svc__gamma", "mean_fit_time"]
print("\nTop of BayesSearchCV's cv_results_:")
print(results.sort_values("rank_test_score")[columns].head(5).to_string(index=False))
