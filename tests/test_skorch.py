"""skorch: a PyTorch MLP tuned by BayesSearchCV and by HyperbandSearchCV over max_epochs.

A tiny version of examples/skorch_mlp.py (the ``skorch`` extra). Skipped where
torch or skorch is not installed.
"""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from torch import nn  # noqa: E402

from skhpo import BayesSearchCV, HyperbandSearchCV, Integer, Real  # noqa: E402

# Tiny nets: threads only add overhead (and make timings erratic on 2 cores).
torch.set_num_threads(1)

X_all, y_all = load_digits(return_X_y=True)
X, _, y, _ = train_test_split(X_all.astype(np.float32), y_all.astype(np.int64),
                              train_size=240, stratify=y_all, random_state=0)
CV = StratifiedKFold(2, shuffle=True, random_state=0)
SPACE = {
    "net__lr": Real(1e-2, 3e-1, prior="log-uniform"),
    "net__module__hidden_units": Integer(4, 32),
    "net__module__dropout": Real(0.0, 0.5),
}
# 10 balanced classes: chance is 0.1. The best candidates score about 0.86
# (Bayes) and 0.91 (Hyperband); 0.6 leaves room for other CPUs and torch builds.
GOOD = 0.6
EPOCHS = []  # (hidden_units, epoch) of every epoch trained by a RecordEpochs net


class MLP(nn.Module):
    def __init__(self, hidden_units=16, dropout=0.1):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(64, hidden_units), nn.ReLU(),
                                    nn.Dropout(dropout), nn.Linear(hidden_units, 10))

    def forward(self, X):
        return self.layers(X)


class TorchSeed(Callback):
    """Seed torch at every (re)initialisation of the net, i.e. every fit."""

    def __init__(self, seed=0):
        self.seed = seed

    def initialize(self):
        torch.manual_seed(self.seed)
        return self


class RecordEpochs(Callback):
    def on_epoch_end(self, net, **kwargs):
        EPOCHS.append((net.module_.layers[0].out_features, len(net.history)))


def make_pipeline(max_epochs, record=False):
    callbacks = [("seed", TorchSeed(0))]
    if record:
        callbacks.append(("record", RecordEpochs()))
    net = NeuralNetClassifier(
        MLP, module__hidden_units=16, module__dropout=0.1,
        criterion=nn.CrossEntropyLoss, optimizer=torch.optim.SGD,
        optimizer__momentum=0.9, lr=0.05, batch_size=32, max_epochs=max_epochs,
        iterator_train__shuffle=True, train_split=None, callbacks=callbacks,
        verbose=0)
    return Pipeline([("scale", StandardScaler()), ("net", net)])


def make_bayes():
    return BayesSearchCV(make_pipeline(max_epochs=3), SPACE, n_iter=4,
                         n_initial_points=3, cv=CV, random_state=0)


def make_hyperband(record=False):
    return HyperbandSearchCV(make_pipeline(max_epochs=4, record=record), SPACE,
                             resource="net__max_epochs", max_resources=4,
                             factor=2, cv=CV, random_state=0)


@pytest.fixture(scope="module")
def bayes():
    return make_bayes().fit(X, y)


@pytest.fixture(scope="module")
def hyperband():
    EPOCHS.clear()
    search = make_hyperband(record=True).fit(X, y)
    search.epochs_log = list(EPOCHS)
    return search


# ---------------------------------------------------------------- BayesSearchCV
def test_bayes_candidates_fold_fits_and_score(bayes):
    params = bayes.cv_results_["params"]
    assert len(params) == 4
    assert bayes.n_fold_fits_ == 4 * 2
    assert bayes.n_splits_ == 2
    for p in params:
        assert set(p) == set(SPACE)
        assert 1e-2 <= p["net__lr"] <= 3e-1
        assert 0.0 <= p["net__module__dropout"] <= 0.5
        assert isinstance(p["net__module__hidden_units"], (int, np.integer))
        assert 4 <= p["net__module__hidden_units"] <= 32
    assert len({repr(sorted(p.items())) for p in params}) == 4  # no repeats
    assert bayes.cv_results_["rank_test_score"][bayes.best_index_] == 1
    assert bayes.best_score_ > GOOD
    assert bayes.score(X, y) > GOOD


def test_bayes_module_parameters_reach_torch(bayes):
    net = bayes.best_estimator_.named_steps["net"]
    best = bayes.best_params_
    assert net.module_.layers[0].out_features == best["net__module__hidden_units"]
    assert net.module_.layers[2].p == pytest.approx(best["net__module__dropout"])
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(best["net__lr"])
    assert len(net.history) == 3  # max_epochs of the pipeline


def test_bayes_reproducible(bayes):
    again = make_bayes().fit(X, y)
    np.testing.assert_array_equal(again.cv_results_["mean_test_score"],
                                  bayes.cv_results_["mean_test_score"])
    assert again.best_params_ == bayes.best_params_


# ------------------------------------------------------------ HyperbandSearchCV
def test_hyperband_schedule_and_fold_fits(hyperband):
    # R = 4 epochs, factor 2: brackets start 4 candidates at 1 epoch, 3 at 2,
    # 3 at 4; every rung scores its candidates on both folds.
    assert hyperband.n_resources_ == [[1, 2, 4], [2, 4], [4]]
    assert hyperband.n_candidates_ == [[4, 2, 1], [3, 1], [3]]
    schedule = make_hyperband().schedule()
    assert schedule.attrs["total_fold_fits"] == 28
    assert hyperband.n_fold_fits_ == 28
    assert len(set(hyperband.cv_results_["candidate_id"])) == 4 + 3 + 3
    assert len(hyperband.cv_results_["params"]) == (4 + 2 + 1) + (3 + 1) + 3  # rows


def test_hyperband_max_epochs_follows_the_resource(hyperband):
    results = hyperband.cv_results_
    epochs = [p["net__max_epochs"] for p in results["params"]]
    assert epochs == results["n_resources"].tolist()
    assert sorted(set(epochs)) == [1, 2, 4]
    assert results["param_net__max_epochs"].tolist() == epochs
    assert hyperband.best_params_["net__max_epochs"] == 4
    assert results["n_resources"][hyperband.best_index_] == 4
    assert hyperband.best_score_ > GOOD
    # Every fold-fit trained exactly its rung's number of epochs: the log
    # holds one entry per epoch, the refit's 4 last.
    log = hyperband.epochs_log
    expected = sum(2 * r for r in epochs) + 4
    assert len(log) == expected
    assert [e for _, e in log[-4:]] == [1, 2, 3, 4]
    net = hyperband.best_estimator_.named_steps["net"]
    assert net.max_epochs == 4 and len(net.history) == 4
    assert log[-1][0] == hyperband.best_params_["net__module__hidden_units"]


def test_hyperband_refit_follows_a_full_budget_candidate(hyperband):
    results = hyperband.cv_results_
    full = results["n_resources"] == 4
    best_full = np.nanmax(results["mean_test_score"][full])
    assert hyperband.best_score_ == pytest.approx(best_full)


# ------------------------------------------------------------- pickle and clone
@pytest.mark.parametrize("name", ["bayes", "hyperband"])
def test_pickle_fitted_search(name, request):
    search = request.getfixturevalue(name)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    np.testing.assert_allclose(restored.predict_proba(X), search.predict_proba(X),
                               rtol=1e-6)
    assert restored.best_params_ == search.best_params_
    np.testing.assert_array_equal(restored.cv_results_["mean_test_score"],
                                  search.cv_results_["mean_test_score"])


@pytest.mark.parametrize("name", ["bayes", "hyperband"])
def test_clone_fitted_search(name, request):
    search = request.getfixturevalue(name)
    unfitted = clone(search)
    assert not hasattr(unfitted, "cv_results_")
    params, cloned = search.get_params(), unfitted.get_params()
    for key in ("estimator__net__lr", "estimator__net__max_epochs",
                "estimator__net__module__hidden_units", "estimator__net__module",
                "estimator__net__train_split", "random_state", "cv"):
        assert cloned[key] == params[key] or repr(cloned[key]) == repr(params[key])
    assert unfitted.estimator is not search.estimator
    # The clone's net is a fresh, uninitialised skorch net.
    assert not getattr(unfitted.estimator.named_steps["net"], "initialized_", False)
    best = clone(search.best_estimator_).fit(X, y)
    np.testing.assert_array_equal(best.predict(X), search.best_estimator_.predict(X))


# ------------------------------------------------- names get_params omits
def test_module_parameter_not_given_to_constructor():
    # skorch lists module__* in get_params only once given, but set_params
    # takes any; skhpo accepts what set_params accepts, as GridSearchCV does.
    net = NeuralNetClassifier(MLP, criterion=nn.CrossEntropyLoss, max_epochs=1,
                              train_split=None, verbose=0)
    assert "module__hidden_units" not in net.get_params()
    search = BayesSearchCV(net, {"module__hidden_units": [4, 8]}, n_iter=2,
                           n_initial_points=2, cv=CV, random_state=0)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
