"""The public problem set of ../shared/BENCHMARK.md, in each library's own space form.

Bayesmark's scikit-learn search spaces (its ``sklearn_funcs.py``) re-hosted on
current scikit-learn, plus a synthetic Ackley function. Every problem is one
neutral description (:class:`Param` rows); the converters at the bottom turn it
into the space each library expects, so the four methods search exactly the same
box with the same priors (log-uniform where Bayesmark says "log").

A problem gives: ``estimator`` (``make_pipeline(StandardScaler(), model)``,
``random_state=0`` where the model takes one, so runs are paired), ``scoring``,
``cv`` (5-fold ``StratifiedKFold`` for classifiers, ``KFold`` for regressors,
never shuffled) and the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier


@dataclass(frozen=True)
class Param:
    """One hyperparameter: kind is "real", "int" or "bool"; log = log-uniform prior."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False


@dataclass(frozen=True)
class Problem:
    name: str
    make_estimator: object  # () -> estimator, fresh each call
    params: tuple
    scoring: str | None
    classifier: bool
    load: object  # () -> (X, y)

    @property
    def estimator(self):
        return self.make_estimator()

    @property
    def cv(self):
        splitter = StratifiedKFold if self.classifier else KFold
        return splitter(n_splits=5, shuffle=False)

    @property
    def data(self):
        return self.load()


# ---------------------------------------------------------------- the spaces
def _prefixed(step, params):
    return tuple(Param(f"{step}__{p.name}", p.kind, p.low, p.high, p.log) for p in params)


_TREE = (
    Param("max_depth", "int", 1, 15),
    Param("min_samples_split", "real", 0.01, 0.99),
    Param("min_samples_leaf", "real", 0.01, 0.49),
    Param("min_weight_fraction_leaf", "real", 0.01, 0.49),
    Param("max_features", "real", 0.01, 0.99),
    Param("min_impurity_decrease", "real", 0.0, 0.5),
)
_MLP_COMMON = (
    Param("hidden_layer_sizes", "int", 50, 200),
    Param("alpha", "real", 1e-5, 1e1, log=True),
    Param("batch_size", "int", 10, 250),
    Param("learning_rate_init", "real", 1e-5, 1e-1, log=True),
)
_MLP_ADAM = _MLP_COMMON + (
    Param("tol", "real", 1e-5, 1e-1, log=True),
    Param("validation_fraction", "real", 0.1, 0.9),
    Param("beta_1", "real", 0.5, 0.99),
    Param("beta_2", "real", 0.9, 1 - 1e-6),
    Param("epsilon", "real", 1e-9, 1e-6, log=True),
)
_MLP_SGD = _MLP_COMMON + (
    Param("power_t", "real", 0.1, 0.9),
    Param("tol", "real", 1e-5, 1e-1, log=True),
    Param("momentum", "real", 0.001, 0.999),
    Param("validation_fraction", "real", 0.1, 0.9),
)


def _pipe(model):
    return lambda: make_pipeline(StandardScaler(), model())


def _xy(loader):
    return lambda: loader(return_X_y=True)


class Ackley(RegressorMixin, BaseEstimator):
    """Ackley's function as an "estimator": ``score`` is minus the function.

    There is no model noise, so this tests the optimizer alone. The box is
    [-15, 30]^5 rather than the symmetric [-32.768, 32.768]^5: the optimum (the
    origin) is then not the centre of the box, which would favour any method
    whose first point is the centre. The parameters have no default (None):
    defaults at the optimum would hand it to any search that starts from the
    estimator's own values (``BayesSearchCV(initial_params="estimator")``).
    """

    def __init__(self, x0=None, x1=None, x2=None, x3=None, x4=None):
        self.x0, self.x1, self.x2, self.x3, self.x4 = x0, x1, x2, x3, x4

    def fit(self, X, y=None):
        self.is_fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        x = np.array([self.x0, self.x1, self.x2, self.x3, self.x4], dtype=float)
        value = (-20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
                 - np.exp(np.mean(np.cos(2 * np.pi * x))) + 20 + np.e)
        return -float(value)


def _ackley_data():
    # Ten dummy rows: 5-fold CV then averages five identical, exact scores.
    return np.zeros((10, 1)), np.zeros(10)


PROBLEMS = {
    p.name: p for p in [
        Problem(
            "svm-breast-nll",
            _pipe(lambda: SVC(kernel="rbf", probability=True, random_state=0)),
            _prefixed("svc", (
                Param("C", "real", 1.0, 1e3, log=True),
                Param("gamma", "real", 1e-4, 1e-1, log=True),
                Param("tol", "real", 1e-5, 1e-1, log=True),
            )),
            "neg_log_loss", True, _xy(load_breast_cancer)),
        Problem(
            "knn-iris-acc",
            _pipe(KNeighborsClassifier),
            _prefixed("kneighborsclassifier", (
                Param("n_neighbors", "int", 1, 25),
                Param("p", "int", 1, 4),
            )),
            "accuracy", True, _xy(load_iris)),
        Problem(
            "rf-wine-nll",
            _pipe(lambda: RandomForestClassifier(n_estimators=10, random_state=0)),
            _prefixed("randomforestclassifier", _TREE),
            "neg_log_loss", True, _xy(load_wine)),
        Problem(
            "dt-breast-acc",
            _pipe(lambda: DecisionTreeClassifier(random_state=0)),
            _prefixed("decisiontreeclassifier", _TREE),
            "accuracy", True, _xy(load_breast_cancer)),
        Problem(
            "mlp-breast-acc",
            _pipe(lambda: MLPClassifier(solver="adam", early_stopping=True,
                                        random_state=0)),
            _prefixed("mlpclassifier", _MLP_ADAM),
            "accuracy", True, _xy(load_breast_cancer)),
        Problem(
            "mlpsgd-wine-nll",
            _pipe(lambda: MLPClassifier(solver="sgd", early_stopping=True,
                                        learning_rate="invscaling",
                                        nesterovs_momentum=True, random_state=0)),
            _prefixed("mlpclassifier", _MLP_SGD),
            "neg_log_loss", True, _xy(load_wine)),
        Problem(
            "ada-breast-acc",
            _pipe(lambda: AdaBoostClassifier(random_state=0)),
            _prefixed("adaboostclassifier", (
                Param("n_estimators", "int", 10, 100),
                Param("learning_rate", "real", 1e-4, 1e1, log=True),
            )),
            "accuracy", True, _xy(load_breast_cancer)),
        Problem(
            # liblinear is binary-only on current scikit-learn, so one-vs-rest
            # is explicit (Bayesmark relied on LogisticRegression doing it).
            "linear-wine-nll",
            _pipe(lambda: OneVsRestClassifier(
                LogisticRegression(solver="liblinear", random_state=0))),
            _prefixed("onevsrestclassifier__estimator", (
                Param("C", "real", 1e-2, 1e2, log=True),
                Param("intercept_scaling", "real", 1e-2, 1e2, log=True),
            )),
            "neg_log_loss", True, _xy(load_wine)),
        Problem(
            "lasso-diabetes-mae",
            _pipe(lambda: Lasso(random_state=0)),
            _prefixed("lasso", (
                Param("alpha", "real", 1e-2, 1e2, log=True),
                Param("fit_intercept", "bool"),
                Param("max_iter", "int", 10, 5000, log=True),
                Param("tol", "real", 1e-5, 1e-1, log=True),
                Param("positive", "bool"),
            )),
            "neg_mean_absolute_error", False, _xy(load_diabetes)),
        Problem(
            "ackley-5d",
            Ackley,
            tuple(Param(f"x{i}", "real", -15.0, 30.0) for i in range(5)),
            None, False, _ackley_data),
    ]
}


# ------------------------------------------------------ one space per library
def _skopt_style_space(problem, Categorical, Integer, Real):
    """skopt's dimension classes, or skhpo's (which take the same arguments)."""
    def dim(p):
        if p.kind == "bool":
            return Categorical([True, False])
        cls = Integer if p.kind == "int" else Real
        return cls(p.low, p.high, prior="log-uniform" if p.log else "uniform")
    return {p.name: dim(p) for p in problem.params}


def skhpo_space(problem):
    from skhpo import Categorical, Integer, Real
    return _skopt_style_space(problem, Categorical, Integer, Real)


class _IntLogUniform:
    """Integers log-uniform on [low, high]: scipy.stats has no such distribution."""

    def __init__(self, low, high):
        from scipy.stats import loguniform
        self._real = loguniform(low, high + 1)

    def rvs(self, size=None, random_state=None):
        value = np.floor(self._real.rvs(size=size, random_state=random_state))
        return int(value) if size is None else value.astype(int)


def scipy_space(problem):
    """For RandomizedSearchCV: frozen scipy.stats distributions, lists for bools."""
    from scipy.stats import loguniform, randint, uniform

    def dim(p):
        if p.kind == "bool":
            return [True, False]
        if p.kind == "int":
            return _IntLogUniform(p.low, p.high) if p.log else randint(p.low, p.high + 1)
        return loguniform(p.low, p.high) if p.log else uniform(p.low, p.high - p.low)
    return {p.name: dim(p) for p in problem.params}


def skopt_space(problem):
    from skopt.space import Categorical, Integer, Real
    return _skopt_style_space(problem, Categorical, Integer, Real)


def optuna_space(problem):
    from optuna.distributions import (
        CategoricalDistribution, FloatDistribution, IntDistribution)

    def dim(p):
        if p.kind == "bool":
            return CategoricalDistribution([True, False])
        cls = IntDistribution if p.kind == "int" else FloatDistribution
        return cls(p.low, p.high, log=p.log)
    return {p.name: dim(p) for p in problem.params}
