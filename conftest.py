"""Test-session settings shared by tests/ and the doctests in skhpo/."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas():
    # Tests fit thousands of tiny models; a multi-threaded BLAS spends more time
    # waking its threads than computing, and on a busy 2-core machine a tiny
    # LogisticRegression fit goes from 0.03 s to over 1 s.
    with threadpool_limits(limits=1):
        yield
