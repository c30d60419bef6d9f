"""Both searches run their (candidate, split) tasks on a real Dask cluster."""

import re

import numpy as np
import pytest
from joblib import parallel_config
from scipy.stats import loguniform
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold

from skhpo import BayesSearchCV, HyperbandSearchCV, Real

distributed = pytest.importorskip("distributed")

X, y = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        yield client


def _run_on(client, search, monkeypatch):
    import skhpo._evaluate as evaluate

    # The evaluator sends its fits in groups, one joblib call each: record
    # the groups it made, then find every one of them on the cluster.
    groups, guided = [], evaluate._guided_groups

    def recording_groups(*args):
        for group in guided(*args):
            groups.append(group)
            yield group

    monkeypatch.setattr(evaluate, "_guided_groups", recording_groups)
    with distributed.get_task_stream(client) as stream:
        with parallel_config(backend="dask"):
            search.fit(X, y)
    # joblib's dask backend batches calls into tasks named
    # "batch_of_<function>_<n>_calls-<hash>": count the calls they carried.
    tasks = [task for task in stream.data if "_fit_and_score_group" in task["key"]]
    n_calls = sum(int(re.search(r"_(\d+)_calls", task["key"]).group(1)) for task in tasks)
    assert n_calls == len(groups)  # every group ran on the cluster
    workers = {task["worker"] for task in tasks}
    return search, sum(map(len, groups)), workers


def test_bayes_search_on_a_local_cluster(client, monkeypatch):
    make = lambda: BayesSearchCV(LogisticRegression(max_iter=300),  # noqa: E731
                                 {"C": Real(1e-3, 1e2, prior="log-uniform")}, n_iter=6,
                                 n_initial_points=3, n_points=2, cv=3, random_state=0)
    on_dask, n_fits, workers = _run_on(client, make(), monkeypatch)
    assert n_fits == on_dask.n_fold_fits_ == 6 * 3  # every fit ran on the cluster
    assert len(workers) == 2
    local = make().fit(X, y)  # same results as in-process
    assert on_dask.cv_results_["params"] == local.cv_results_["params"]
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])


def test_hyperband_search_on_a_local_cluster(client, monkeypatch):
    make = lambda: HyperbandSearchCV(  # noqa: E731
        LogisticRegression(max_iter=300), {"C": loguniform(1e-3, 1e2)},
        cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0), random_state=0)
    on_dask, n_fits, _ = _run_on(client, make(), monkeypatch)
    assert n_fits == on_dask.n_fold_fits_ == 69
    assert on_dask.best_params_ == make().fit(X, y).best_params_
