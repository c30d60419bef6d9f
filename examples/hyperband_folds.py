"""Hyperband with cross-validation splits as the budget.

HyperbandSearchCV scores a candidate on 1 split, promotes the best third to 3
splits, then to 9, reusing the splits already scored: a promotion from 3 to 9
splits costs 6 fold-fits, not 9. Here it tunes an RBF SVM on the breast-cancer
dataset with repeated stratified 3-fold CV, and is compared with
RandomizedSearchCV given the same number of candidates and the same splits.

1. The schedule preview: brackets, rungs and their cost, before any fit.
2. Both searches: fold-fits, wall time, best mean CV score on all splits.

Run: python examples/hyperband_folds.py  (about half a minute)
"""

import time

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo.hyperband import HyperbandSearchCV

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), SVC())
space = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e0)}

for n_repeats in (3, 9):
    # An int random_state keeps the splits identical at every call of split(),
    # which fold reuse requires (a re-shuffling cv is rejected).
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=n_repeats, random_state=0)
    n_splits = cv.get_n_splits()
    hyperband = HyperbandSearchCV(model, space, cv=cv, random_state=0)

    print(f"=== {n_splits} splits (3 folds x {n_repeats} repeats), factor 3 ===")
    schedule = hyperband.schedule()
    print(schedule.to_string(index=False))
    n_candidates = int(schedule.loc[schedule["rung"] == 0, "n_candidates"].sum())
    print(f"-> {n_candidates} candidates, "
          f"{schedule.attrs['total_fold_fits']} fold-fits in total\n")

    start = time.perf_counter()
    hyperband.fit(X, y)
    hb_time = time.perf_counter() - start

    random = RandomizedSearchCV(model, space, n_iter=n_candidates, cv=cv,
                                random_state=0)
    start = time.perf_counter()
    random.fit(X, y)
    rs_time = time.perf_counter() - start
    rs_fits = n_candidates * n_splits

    print(f"{'search':<22}{'candidates':>11}{'fold-fits':>11}{'time (s)':>10}"
          f"{'best score':>12}")
    print(f"{'HyperbandSearchCV':<22}{n_candidates:>11}{hyperband.n_fold_fits_:>11}"
          f"{hb_time:>10.2f}{hyperband.best_score_:>12.4f}")
    print(f"{'RandomizedSearchCV':<22}{n_candidates:>11}{rs_fits:>11}"
          f"{rs_time:>10.2f}{random.best_score_:>12.4f}")
    print(f"Hyperband used {rs_fits / hyperband.n_fold_fits_:.1f}x fewer fold-fits.")
    print(f"best_params_: {hyperband.best_params_}")

    # The winner is the rank-1 row of cv_results_, always scored on every split.
    results = hyperband.cv_results_
    best = hyperband.best_index_
    print(f"best row: rank {results['rank_test_score'][best]}, "
          f"n_resources {results['n_resources'][best]} of {n_splits} splits\n")
