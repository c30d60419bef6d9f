"""Tune a small PyTorch MLP (through skorch) with BayesSearchCV and HyperbandSearchCV.

A ``skorch.NeuralNetClassifier`` makes a PyTorch module a scikit-learn
classifier, so it drops into a Pipeline and into skhpo's searches like any
other estimator. Here a one-hidden-layer MLP on the digits dataset (ships with
scikit-learn; 1797 8x8 images, 10 classes) is tuned twice:

1. BayesSearchCV over the learning rate (log-uniform), the hidden units
   (integer) and the dropout rate (real), each candidate trained for a fixed
   number of epochs;
2. HyperbandSearchCV over the same space with ``max_epochs`` as the budget:
   many candidates get 1 epoch, the best third 3 epochs, and so on up to 27.

Each prints its best parameters, CV score, fold-fits and the accuracy of the
refitted model on a held-out test set.

Choices worth copying:

- ``module__hidden_units`` and ``module__dropout`` are given when the net is
  built, so that they appear in ``get_params()`` (skhpo checks the names of
  the search space against it).
- ``train_split=None``: skorch would otherwise hold out 20% of every training
  fold for its own validation scores, which nothing here uses (no early
  stopping: with ``max_epochs`` as the budget, a net must train for exactly
  that many epochs). The search's CV folds are the validation.
- Reproducibility: a tiny callback seeds torch whenever the net is
  (re)initialised, i.e. at the start of every ``fit``, so weight init,
  shuffling and dropout masks are the same for a given candidate and fold,
  in any process. With ``random_state`` on the searches, two runs print the
  same numbers, whatever ``--n-jobs``.
- ``torch.set_num_threads(1)``: for a net this small, threads cost more than
  they save, and parallelism is better spent on (candidate, split) fits.

Run: ``python examples/skorch_mlp.py`` (under 1.5 minutes on 2 busy cores),
``python examples/skorch_mlp.py --tiny`` (under 10 seconds).
Needs the ``skorch`` extra: ``pip install -e ".[skorch]"``.
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback
from torch import nn

from skhpo import BayesSearchCV, HyperbandSearchCV, Integer, Real

torch.set_num_threads(1)


class MLP(nn.Module):
    """Linear -> ReLU -> Dropout -> Linear; returns logits."""

    def __init__(self, n_features=64, n_classes=10, hidden_units=32, dropout=0.2):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden_units),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_units, n_classes),
        )

    def forward(self, X):
        return self.layers(X)


class TorchSeed(Callback):
    """Seed torch each time the net is initialised (at the start of ``fit``)."""

    def __init__(self, seed=0):
        self.seed = seed

    def initialize(self):
        torch.manual_seed(self.seed)
        return self


def make_pipeline(n_features, n_classes, max_epochs):
    net = NeuralNetClassifier(
        MLP,
        module__n_features=n_features,
        module__n_classes=n_classes,
        module__hidden_units=32,  # searched; set here so get_params() lists it
        module__dropout=0.2,  # searched
        criterion=nn.CrossEntropyLoss,  # the module returns logits
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        lr=0.01,  # searched
        batch_size=64,
        max_epochs=max_epochs,  # Hyperband's budget
        iterator_train__shuffle=True,
        train_split=None,  # the search's CV folds are the validation
        callbacks=[("seed", TorchSeed(0))],
        verbose=0,
    )
    return Pipeline([("scale", StandardScaler()), ("net", net)])


def report(name, search, X_test, y_test, seconds):
    print(f"--- {name}: {seconds:.1f} s")
    for key, value in sorted(search.best_params_.items()):
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"  {key:<28} {shown}")
    n_candidates = len(set(search.cv_results_.get(
        "candidate_id", range(len(search.cv_results_["params"])))))
    print(f"  candidates {n_candidates}, fold-fits {search.n_fold_fits_}, "
          f"best CV accuracy {search.best_score_:.4f}, "
          f"test accuracy {search.score(X_test, y_test):.4f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true",
                        help="a seconds-long version (smaller data and budgets)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="parallel (candidate, split) fits (default: 2, "
                             "or 1 with --tiny, where starting worker "
                             "processes that import torch costs more than "
                             "it saves)")
    args = parser.parse_args(argv)
    if args.n_jobs is None:
        args.n_jobs = 1 if args.tiny else 2

    X, y = load_digits(return_X_y=True)
    # skorch feeds X to torch as is: float32 features, int64 class labels.
    X, y = X.astype(np.float32), y.astype(np.int64)
    if args.tiny:
        X, _, y, _ = train_test_split(X, y, train_size=500, stratify=y, random_state=0)
        n_iter, n_initial, bayes_epochs, n_folds = 6, 4, 5, 2
        max_epochs, factor = 4, 2
    else:
        n_iter, n_initial, bayes_epochs, n_folds = 15, 6, 20, 3
        max_epochs, factor = 27, 3
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0)
    cv = StratifiedKFold(n_folds, shuffle=True, random_state=0)
    space = {
        "net__lr": Real(1e-3, 3e-1, prior="log-uniform"),
        "net__module__hidden_units": Integer(8, 128),
        "net__module__dropout": Real(0.0, 0.5),
    }
    print(f"digits: {len(X_train)} training rows, {len(X_test)} test rows, "
          f"{n_folds}-fold CV, n_jobs={args.n_jobs}\n")

    # 1. BayesSearchCV: every candidate trained for bayes_epochs epochs.
    bayes = BayesSearchCV(
        make_pipeline(X.shape[1], 10, max_epochs=bayes_epochs), space,
        n_iter=n_iter, n_initial_points=n_initial, cv=cv, n_jobs=args.n_jobs,
        random_state=0)
    start = time.perf_counter()
    bayes.fit(X_train, y_train)
    report(f"BayesSearchCV ({n_iter} candidates x {bayes_epochs} epochs)",
           bayes, X_test, y_test, time.perf_counter() - start)

    # 2. HyperbandSearchCV: the number of epochs is the budget. A candidate
    # promoted from 3 to 9 epochs is trained again from scratch for 9.
    hyperband = HyperbandSearchCV(
        make_pipeline(X.shape[1], 10, max_epochs=max_epochs), space,
        resource="net__max_epochs", max_resources=max_epochs, factor=factor,
        cv=cv, n_jobs=args.n_jobs, random_state=0)
    schedule = hyperband.schedule()
    print(f"\nHyperband schedule (budget: net__max_epochs up to {max_epochs}):")
    print(schedule.to_string(index=False))
    start = time.perf_counter()
    hyperband.fit(X_train, y_train)
    report("HyperbandSearchCV", hyperband, X_test, y_test, time.perf_counter() - start)
    epochs = int((schedule["fold_fits"] * schedule["n_resources"]).sum())
    n_candidates = int(schedule.loc[schedule["rung"] == 0, "n_candidates"].sum())
    print(f"  epochs trained over all fold-fits: {epochs} "
          f"({n_candidates * n_folds * max_epochs} if all {n_candidates} "
          f"candidates had trained {max_epochs} epochs on every fold)")


if __name__ == "__main__":
    main()
