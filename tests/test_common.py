"""scikit-learn's estimator checks on every skhpo search."""

from scipy.stats import loguniform
from sklearn.base import is_classifier
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhpo import BayesSearchCV, HyperbandSearchCV, Real

# scikit-learn lists the same expected failure for GridSearchCV around a
# regressor that takes a 2-D y natively: no DataConversionWarning for the check
# to see. A classifier's search passes the check.
EXPECTED_FAILURES = {
    "check_supervised_y_2d": (
        "the inner regressor accepts a 2-D y natively, so no "
        "DataConversionWarning is raised (as for GridSearchCV)"
    ),
}


def _searches():
    # Small budgets: the checks fit each estimator dozens of times.
    small = dict(n_iter=3, n_initial_points=2, cv=2, random_state=0)
    yield BayesSearchCV(Ridge(), {"alpha": Real(0.1, 10.0, prior="log-uniform")}, **small)
    yield BayesSearchCV(LogisticRegression(), {"C": Real(0.1, 10.0, prior="log-uniform")},
                        **small)
    yield BayesSearchCV(make_pipeline(PCA(), Ridge()), {"ridge__alpha": [0.1, 1.0, 10.0]},
                        error_score="raise", **small)
    # Two splits and factor 2: budgets 1 and 2 (cv=2 with factor 3 has one
    # candidate, which fit refuses).
    small = dict(cv=2, factor=2, random_state=0)
    yield HyperbandSearchCV(Ridge(), {"alpha": Real(0.1, 10.0, prior="log-uniform")},
                            **small)
    yield HyperbandSearchCV(LogisticRegression(), {"C": loguniform(0.1, 10.0)}, **small)
    yield HyperbandSearchCV(make_pipeline(PCA(), Ridge()),
                            {"ridge__alpha": [0.1, 1.0, 10.0]}, error_score="raise",
                            **small)


@parametrize_with_checks(list(_searches()),
                         expected_failed_checks=lambda est: (
                             {} if is_classifier(est) else EXPECTED_FAILURES))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
