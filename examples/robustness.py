"""Did the winner of a search win by luck?

A random forest with few trees is noisy: its CV score moves with its seed. A
search on one seed keeps whichever configuration drew a lucky seed.
``check_robustness`` re-scores the top configurations on several paired seeds
(estimator seed and CV shuffle) and tells which one is really best.

Run: ``python examples/robustness.py`` (about 30 s on two cores).
"""

import matplotlib

matplotlib.use("Agg")  # write files; works without a display

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from skhpo import BayesSearchCV, Categorical, Integer
from skhpo.robustness import check_robustness


def main():
    X, y = load_breast_cancer(return_X_y=True)
    # Few trees: a noisy model, where the seed matters.
    model = RandomForestClassifier(n_estimators=5, random_state=0)
    space = {
        "max_depth": Integer(1, 12),
        "min_samples_leaf": Integer(1, 20),
        "max_features": Integer(1, 30),
        "criterion": Categorical(["gini", "entropy"]),
    }
    search = BayesSearchCV(model, space, n_iter=20, cv=5, random_state=0, n_jobs=2)
    search.fit(X, y)
    print(f"{type(search).__name__} winner: {search.best_params_} "
          f"(CV accuracy {search.best_score_:.4f})")

    report = check_robustness(search, X, y, seeds=8, top_k=5, random_state=0, n_jobs=2)

    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 60)
    print("\n", report)
    print("\nWhat the seeds changed:", report.varied, *report.notes)
    cols = ["original_rank", "original_score", "robust_mean", "ci_low", "ci_high",
            "optimism", "seed_sd", "win_rate", "p_holm", "verdict"]
    print("\nSummary:\n", report.summary[cols].round(4).to_string())
    print("\nStability:\n", report.stability["value"].round(3).to_string())
    print("\nVariance components:\n", report.variance_components.round(6).to_string())
    print("\nRecommended:", report.recommended_params)
    print("Rule:", report.recommendation_rule)

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
    report.plot(kind="strip", ax=axes[0])
    report.plot(kind="heatmap", ax=axes[1])
    fig.savefig("robustness.png", dpi=100)
    print("\nPlots written to robustness.png")


if __name__ == "__main__":  # n_jobs=2 starts worker processes
    main()
