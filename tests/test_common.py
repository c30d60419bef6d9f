"""scikit-learn's estimator checks on every skhpo search."""

from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhpo import BayesSearchCV, Real

# The same expected failures as scikit-learn's own GridSearchCV, same reasons.
EXPECTED_FAILURES = {
    "check_supervised_y_2d": (
        "the DataConversionWarning is raised by the inner estimator during the "
        "search and not re-emitted by the search (as for GridSearchCV)"
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


@parametrize_with_checks(list(_searches()),
                         expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
