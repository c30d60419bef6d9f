import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold

from skhpo import AllFitsFailedError, BayesSearchCV, HyperbandSearchCV, Real
from skhpo import JournalMismatchError

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e2, prior="log-uniform")}


def _bayes(n_iter=8, search_spaces=SPACE, **kwargs):
    settings = {"n_initial_points": 3, "cv": 3, "random_state": 0, **kwargs}
    return BayesSearchCV(LogisticRegression(max_iter=300), search_spaces, n_iter=n_iter,
                         **settings)


def _same_results(a, b):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    for key in a.cv_results_:
        if "test" in key:
            np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    assert a.best_params_ == b.best_params_


def _journal_lines(path):
    with open(path) as handle:
        return handle.read().splitlines()


@pytest.mark.parametrize("kwargs", [{}, {"n_points": 2, "lookahead": 1, "n_jobs": 2}])
def test_resume_reuses_every_journaled_result(tmp_path, kwargs):
    path = tmp_path / "search.jsonl"
    reference = _bayes(**kwargs).fit(X, y)
    first = _bayes(checkpoint=path, **kwargs).fit(X, y)
    _same_results(first, reference)
    lines = _journal_lines(path)
    assert json.loads(lines[0])["format"] == "skhpo-journal"
    assert len(lines) == 1 + 8 * 3
    again = _bayes(checkpoint=path, **kwargs).fit(X, y)
    assert again.n_fold_fits_ == 0
    _same_results(again, reference)


def test_progress_lines_count_the_resumed_fits(tmp_path, capsys):
    # A resumed search had printed "0/24 fits, ~nans left" while it replayed
    # its journal, and ended short of the total.
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=5, checkpoint=path).fit(X, y)
    capsys.readouterr()
    _bayes(n_iter=8, checkpoint=path, verbose=1).fit(X, y)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("[BayesSearchCV]")]
    assert "3/24 fits (3 resumed), time left unknown" in lines[0]
    assert "nan" not in "".join(lines)
    assert lines[-1].endswith("24/24 fits (15 resumed), ~0s left")


def test_a_larger_n_iter_continues_the_search(tmp_path):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=5, checkpoint=path).fit(X, y)
    longer = _bayes(n_iter=9, checkpoint=path).fit(X, y)
    assert longer.n_fold_fits_ == 4 * 3
    _same_results(longer, _bayes(n_iter=9).fit(X, y))


def test_a_larger_n_iter_continues_every_subspace(tmp_path):
    """With a list of spaces each gets n_iter candidates in turn: the second
    space's journaled candidates must be found after the first one grew."""
    path = tmp_path / "search.jsonl"
    spaces = [SPACE, {"C": Real(1e-3, 1e2, prior="log-uniform"), "fit_intercept": [False]}]
    _bayes(n_iter=3, checkpoint=path, search_spaces=spaces).fit(X, y)
    longer = _bayes(n_iter=5, checkpoint=path, search_spaces=spaces).fit(X, y)
    assert longer.n_fold_fits_ == 2 * 2 * 3
    _same_results(longer, _bayes(n_iter=5, search_spaces=spaces).fit(X, y))


def test_a_searched_function_resumes_in_a_new_process(tmp_path):
    """A function's repr holds its memory address, which another process
    does not share: the journal must not compare it (a lambda, which pickle
    cannot reach, is fingerprinted by its repr too)."""
    path, module = tmp_path / "search.jsonl", tmp_path / "kernels.py"
    module.write_text("def squared(x):\n    return x ** 2\n\n"
                      "def cubed(x):\n    return x ** 3\n")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from kernels import cubed, squared
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer
        from skhpo import BayesSearchCV, Real
        X, y = load_iris(return_X_y=True)
        pipe = make_pipeline(FunctionTransformer(), LogisticRegression(max_iter=300))
        space = {{"functiontransformer__func": [squared, cubed, None, lambda x: x],
                  "logisticregression__C": Real(1e-2, 1e2, prior="log-uniform")}}
        search = BayesSearchCV(pipe, space, n_iter=4, n_initial_points=3, cv=3,
                               random_state=0, checkpoint={str(path)!r}).fit(X, y)
        print(search.n_fold_fits_)
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["12", "0"], runs[-1].stderr[-2000:]


def test_a_search_where_every_fit_failed_fails_again_when_resumed(tmp_path):
    """The journaled failures count: the resumed search must not try to
    refit (the estimator's own error) but end as the first run did."""
    path = tmp_path / "search.jsonl"
    failing = LogisticRegression(solver="lbfgs", penalty="l1")  # lbfgs refuses l1
    for _ in range(2):
        search = BayesSearchCV(failing, SPACE, n_iter=3, n_initial_points=3, cv=3,
                               random_state=0, checkpoint=path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(AllFitsFailedError,
                               match=r"(?s)All 3 candidates failed to fit \(9 fits, "
                                     r"journaled ones included\).*penalty"):
                search.fit(X, y)


def test_a_resumed_search_warns_about_every_failure_as_the_first_run_would(tmp_path):
    from sklearn.exceptions import FitFailedWarning

    # Half of the space fails: lbfgs refuses penalty="l1".
    space = {"C": Real(1e-3, 1e2, prior="log-uniform"), "penalty": ["l2", "l1"]}

    def search(path=None):
        return BayesSearchCV(LogisticRegression(max_iter=300), space, n_iter=6,
                             n_initial_points=4, cv=3, random_state=0, checkpoint=path)

    def failure_warnings(fitted):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fitted()
        return [str(w.message).split(". ")[0] for w in caught
                if issubclass(w.category, FitFailedWarning)]

    path = tmp_path / "search.jsonl"
    uninterrupted = search()
    whole = failure_warnings(lambda: uninterrupted.fit(X, y))
    results = uninterrupted.cv_results_
    n_failed = sum(int(np.isnan(results[f"split{i}_test_score"]).sum()) for i in range(3))
    assert 0 < n_failed < 18
    assert whole == [f"{n_failed} of 18 fits failed and were given error_score=nan"]
    failure_warnings(lambda: search(path).fit(X, y))
    lines = _journal_lines(path)
    with open(path, "w") as handle:  # keep the header and the first 7 results
        handle.write("\n".join(lines[:8]) + "\n")
    assert failure_warnings(lambda: search(path).fit(X, y)) == whole
    # Resumed with every result journaled: no fit, the same warning.
    assert failure_warnings(lambda: search(path).fit(X, y)) == whole


def test_torn_last_line_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=4, checkpoint=path).fit(X, y)
    lines = _journal_lines(path)
    # Keep 7 whole results and half of the 8th, as a kill mid-write would.
    with open(path, "w") as handle:
        handle.write("\n".join(lines[:8]) + "\n" + lines[8][: len(lines[8]) // 2])
    with pytest.warns(UserWarning, match="torn line"):
        resumed = _bayes(n_iter=4, checkpoint=path).fit(X, y)
    assert resumed.n_fold_fits_ == 12 - 7
    _same_results(resumed, _bayes(n_iter=4).fit(X, y))
    assert all(json.loads(line) for line in _journal_lines(path))


def test_a_torn_header_is_refused_without_a_torn_result_warning(tmp_path):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path).fit(X, y)
    header = _journal_lines(path)[0]
    path.write_text(header[: len(header) // 2])  # killed while writing the header
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "that result is dropped"
        with pytest.raises(JournalMismatchError, match="no complete header line"):
            _bayes(n_iter=2, checkpoint=path).fit(X, y)


@pytest.mark.parametrize(
    "change, differs",
    [
        (lambda: (_bayes(checkpoint=None, acq_func="PI"), X, y), "acq_func"),
        (lambda: (BayesSearchCV(LogisticRegression(max_iter=300),
                                {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=8,
                                n_initial_points=3, cv=3, random_state=0), X, y),
         "search_spaces"),
        (lambda: (_bayes(), X * 2, y), r"\bX\b"),
        (lambda: (_bayes(cv=4), X, y), r"cv \(3 in the journal, 4 now\)"),
        # n_points="auto" is n_jobs (1 when the journal was written).
        (lambda: (_bayes(n_points="auto", n_jobs=2), X, y),
         r"n_points \(1 in the journal, 2 \(n_points='auto'\) now\)"),
        # Another class: named alone, not with all its parameters.
        (lambda: (HyperbandSearchCV(LogisticRegression(max_iter=300), SPACE, cv=3,
                                    random_state=0), X, y),
         r"search \(BayesSearchCV in the journal, HyperbandSearchCV now\)\."),
    ],
)
def test_incompatible_journal_is_refused_naming_what_differs(tmp_path, change, differs):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path).fit(X, y)
    search, X2, y2 = change()
    search.set_params(checkpoint=path)
    with pytest.raises(JournalMismatchError, match=f"these differ: .*{differs}"):
        search.fit(X2, y2)


def test_auto_n_points_is_checked_as_the_n_jobs_it_means(tmp_path):
    path = tmp_path / "search.jsonl"
    _bayes(n_points="auto", n_jobs=2, checkpoint=path).fit(X, y)
    again = _bayes(n_points="auto", n_jobs=2, checkpoint=path).fit(X, y)
    assert again.n_fold_fits_ == 0
    # Batches of one propose other points: refused before any fit.
    with pytest.raises(JournalMismatchError, match=r"these differ: n_points \(2 \(n_points="
                                                   r"'auto'\) in .* n_points=2 gives the journal's batches"):
        _bayes(n_points="auto", n_jobs=1, checkpoint=path).fit(X, y)
    assert _bayes(n_points=2, n_jobs=1, checkpoint=path).fit(X, y).n_fold_fits_ == 0


@pytest.mark.parametrize("header, record", [
    ({"format": "skhpo-journal", "version": 1}, None),  # no setup
    ("version 99", None),
])
def test_malformed_journal_gets_a_clear_error(tmp_path, header, record):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path).fit(X, y)
    lines = _journal_lines(path)
    written = json.loads(lines[0])
    if header == "version 99":
        written["version"] = 99
    elif header is not None:
        written = header
    body = [json.dumps(written)]
    if record is not None or header is None:
        body.append(json.dumps(record))
    path.write_text("\n".join(body) + "\n")
    match = ("format version 99" if header == "version 99" else
             "not a skhpo checkpoint journal")
    with pytest.raises(JournalMismatchError, match=match):
        _bayes(n_iter=2, checkpoint=path).fit(X, y)


def test_damaged_lines_in_a_journal_cost_only_their_own_fits(tmp_path):
    # One bad middle line had refused the whole journal ("Delete it to start
    # over"), though each record stands alone.
    path = tmp_path / "search.jsonl"
    first = _bayes(n_iter=3, checkpoint=path).fit(X, y)
    lines = _journal_lines(path)
    lines[2] = "\x00\x00 garbage"  # the zeros a machine crash can leave
    lines[4] = json.dumps({"cid": 0})  # a record without its keys
    path.write_text("\n".join(lines[:3] + [""] + lines[3:]) + "\n")  # and a blank line
    with pytest.warns(UserWarning, match=r"2 lines of the checkpoint journal .* \(lines 3, "
                                         r"6\) are not a result record .* They are "
                                         r"skipped, and their fits run again"):
        again = _bayes(n_iter=3, checkpoint=path).fit(X, y)
    assert again.n_fold_fits_ == 2
    _same_results(first, again)


def test_a_journal_that_cannot_be_written_is_refused_before_any_fit(tmp_path, monkeypatch):
    import builtins

    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path).fit(X, y)
    real_open = builtins.open

    def read_only(file, mode="r", *args, **kwargs):
        if os.fspath(file) == os.fspath(path) and "a" in mode:
            raise PermissionError(13, "Permission denied")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only)
    search = _bayes(n_iter=4, checkpoint=path)
    with pytest.raises(PermissionError, match=r"cannot be written to .* Make it writable"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


@pytest.mark.parametrize("kind", ["bayes", "hyperband"])
def test_scipy_distributions_resume_after_global_draws(tmp_path, kind):
    # A frozen distribution holds numpy's global random state, which any draw
    # (or a new process) changes; the searches only use its quantiles.
    path = tmp_path / "j.jsonl"

    def make():
        space = {"C": loguniform(1e-3, 1e2)}  # a new object each time
        if kind == "bayes":
            return BayesSearchCV(LogisticRegression(max_iter=300), space, n_iter=4,
                                 n_initial_points=3, cv=3, random_state=0,
                                 checkpoint=path)
        return HyperbandSearchCV(LogisticRegression(max_iter=300), space,
                                 cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3,
                                                            random_state=0),
                                 random_state=0, checkpoint=path)

    first = make().fit(X, y)
    np.random.rand(5)
    again = make().fit(X, y)
    assert again.n_fold_fits_ == 0
    _same_results(again, first)


def test_checkpoint_needs_an_integer_random_state(tmp_path):
    search = _bayes(checkpoint=tmp_path / "j.jsonl").set_params(random_state=None)
    with pytest.raises(ValueError, match="checkpoint needs an integer random_state"):
        search.fit(X, y)


def test_hyperband_resumes_too(tmp_path):
    path = tmp_path / "hb.jsonl"
    make = lambda **kw: HyperbandSearchCV(  # noqa: E731
        LogisticRegression(max_iter=300), {"C": loguniform(1e-3, 1e2)},
        cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0),
        random_state=0, **kw)
    reference = make().fit(X, y)
    make(checkpoint=path).fit(X, y)
    lines = _journal_lines(path)
    with open(path, "w") as handle:  # as if killed after 30 results
        handle.write("\n".join(lines[:31]) + "\n")
    resumed = make(checkpoint=path).fit(X, y)
    assert resumed.n_fold_fits_ == reference.n_fold_fits_ - 30
    _same_results(resumed, reference)


class OnlyFirstFits(LogisticRegression):
    """Fails for every C but ``good_C``: only the first candidate scores."""

    good_C = None

    def fit(self, X, y):
        if self.C != type(self).good_C:
            raise ValueError("diverged")
        return super().fit(X, y)


@pytest.mark.parametrize("kind", ["bayes", "hyperband"])
def test_resume_counts_journaled_successes_before_calling_all_fits_failed(tmp_path,
                                                                           kind):
    # Interrupted right after the only successful candidate's fits: the new
    # fits of the resumed run all fail, yet the search has a best candidate.
    path = tmp_path / "j.jsonl"
    if kind == "bayes":
        make = lambda **kw: _bayes(n_iter=4, **kw).set_params(  # noqa: E731
            estimator=OnlyFirstFits(max_iter=300))
        n_kept = 3  # candidate 0's three splits
    else:
        make = lambda **kw: HyperbandSearchCV(  # noqa: E731
            OnlyFirstFits(max_iter=300), {"C": loguniform(1e-3, 1e2)},
            cv=RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0),
            random_state=0, **kw)
        n_kept = 1  # candidate 0's first split
    OnlyFirstFits.good_C = make().set_params(estimator=LogisticRegression(
        max_iter=300)).fit(X, y).cv_results_["params"][0]["C"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = make().fit(X, y)
        make(checkpoint=path).fit(X, y)
        lines = _journal_lines(path)
        with open(path, "w") as handle:
            handle.write("\n".join(lines[:1 + n_kept]) + "\n")
        resumed = make(checkpoint=path).fit(X, y)
    assert resumed.best_params_ == {"C": OnlyFirstFits.good_C}
    _same_results(resumed, reference)


SLOW_MODULE = textwrap.dedent("""
    import time
    from sklearn.linear_model import LogisticRegression

    class Slow(LogisticRegression):
        def fit(self, X, y):
            time.sleep(0.05)
            return super().fit(X, y)
""")

SCRIPT = textwrap.dedent("""
    import sys
    from sklearn.datasets import load_iris
    from skhpo import BayesSearchCV, Real
    from slow_estimator import Slow

    X, y = load_iris(return_X_y=True)
    BayesSearchCV(Slow(max_iter=300), {"C": Real(1e-3, 1e2, prior="log-uniform")},
                  n_iter=12, n_initial_points=3, cv=3, random_state=0,
                  checkpoint=sys.argv[1]).fit(X, y)
""")


def test_sigkill_mid_search_loses_nothing_finished(tmp_path, monkeypatch):
    (tmp_path / "slow_estimator.py").write_text(SLOW_MODULE)
    (tmp_path / "run.py").write_text(SCRIPT)
    path = tmp_path / "killed.jsonl"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    process = subprocess.Popen([sys.executable, str(tmp_path / "run.py"), str(path)], env=env)
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        if path.exists() and len(_journal_lines(path)) > 1 + 10:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    whole = [line for line in _journal_lines(path)[1:] if line.endswith("}")]
    journaled = len(whole)
    assert 10 <= journaled < 36

    monkeypatch.syspath_prepend(str(tmp_path))
    from slow_estimator import Slow

    def make(**kw):
        return BayesSearchCV(Slow(max_iter=300), {"C": Real(1e-3, 1e2, prior="log-uniform")},
                             n_iter=12, n_initial_points=3, cv=3, random_state=0, **kw)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a torn line, if the kill tore one
        resumed = make(checkpoint=str(path)).fit(X, y)
    assert len(_journal_lines(path)) - 1 == 36  # nothing lost, nothing twice
    assert resumed.n_fold_fits_ == 36 - journaled  # nothing finished refitted
    _same_results(resumed, make().fit(X, y))


def test_a_warm_start_recomputed_with_other_fit_times_resumes(tmp_path):
    path = tmp_path / "search.jsonl"
    earlier = _bayes(n_iter=4, random_state=1).fit(X, y)
    rerun = dict(earlier.cv_results_)  # a rerun: same candidates and scores, other times
    rerun["mean_fit_time"] = np.asarray(rerun["mean_fit_time"]) + 1.0
    first = _bayes(n_iter=4, warm_start=dict(earlier.cv_results_), checkpoint=path).fit(X, y)
    again = _bayes(n_iter=4, warm_start=rerun, checkpoint=path).fit(X, y)
    assert again.n_fold_fits_ == 0
    _same_results(again, first)
    other = dict(rerun, mean_test_score=np.asarray(rerun["mean_test_score"]) - 0.1)
    with pytest.raises(JournalMismatchError, match=r"warm_start\."):
        _bayes(n_iter=4, warm_start=other, checkpoint=path).fit(X, y)


def test_a_second_fit_with_warm_start_true_is_refused_up_front(tmp_path):
    search = _bayes(n_iter=4, warm_start=True, checkpoint=tmp_path / "search.jsonl")
    search.fit(X, y)
    with pytest.raises(JournalMismatchError,
                       match=r"differ: warm_start\. warm_start=True starts from this "
                             r"search's previous.*needs a new checkpoint path"):
        search.fit(X, y)
    search.set_params(checkpoint=tmp_path / "second.jsonl").fit(X, y)
    assert search.n_fold_fits_ == 4 * 3


def test_a_journal_of_another_lambda_is_refused(tmp_path):
    # pickle cannot fingerprint a lambda; their reprs are all alike, and a
    # journal of another scoring (or a FunctionTransformer's function) was
    # once reused with no fit at all.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "search.jsonl"

    def search(transform="identity", scoring="score"):
        # New function objects at every call, from the same code: as a rerun
        # of the same script makes them.
        func = (lambda z: z) if transform == "identity" else (lambda z: z * 0.0)
        scorer = ((lambda e, X, y: e.score(X, y)) if scoring == "score"
                  else (lambda e, X, y: -1.0))
        return BayesSearchCV(make_pipeline(FunctionTransformer(func),
                                           LogisticRegression(max_iter=300)),
                             {"logisticregression__C": Real(1e-2, 1e2, prior="log-uniform")},
                             n_iter=2, n_initial_points=2, cv=3, random_state=0,
                             scoring=scorer, checkpoint=path)

    search().fit(X, y)
    assert search().fit(X, y).n_fold_fits_ == 0  # the same code: resumed
    with pytest.raises(JournalMismatchError, match=r"these differ: estimator\."):
        search(transform="zero").fit(X, y)
    with pytest.raises(JournalMismatchError, match=r"these differ: scoring\."):
        search(scoring="constant").fit(X, y)


@pytest.mark.parametrize("path, problem", [
    ("", "is empty"), (".", "is a directory"),
    ("no/such/dir/search.jsonl", "is in a directory that does not exist"),
])
def test_a_checkpoint_path_no_journal_can_be_written_to_is_refused(path, problem):
    search = _bayes(n_iter=2, checkpoint=path)
    with pytest.raises(ValueError, match=f"checkpoint='{re.escape(path)}' {problem}"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_a_generator_cv_with_a_checkpoint_runs_and_resumes(tmp_path):
    # Neither pickler takes a generator: it is fingerprinted by its repr.
    from sklearn.model_selection import KFold

    path = tmp_path / "search.jsonl"
    first = _bayes(n_iter=2, cv=KFold(3).split(X), checkpoint=path).fit(X, y)
    again = _bayes(n_iter=2, cv=KFold(3).split(X), checkpoint=path).fit(X, y)
    assert first.n_fold_fits_ == 6 and again.n_fold_fits_ == 0
    _same_results(first, again)


def edited_accuracy(y_true, y_pred):
    return float(np.mean(y_true == y_pred))


def test_a_function_whose_code_changed_is_another_setup(tmp_path, monkeypatch):
    # Pickling writes a function by its name: a scorer edited between two runs
    # had resumed the journal of the old code, with its old scores.
    from sklearn.metrics import make_scorer

    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path, scoring=make_scorer(edited_accuracy)).fit(X, y)

    def edited(y_true, y_pred):  # the same module and name, another body
        return -float(np.mean(y_true == y_pred))

    edited.__qualname__ = edited.__name__ = "edited_accuracy"
    monkeypatch.setattr(sys.modules[__name__], "edited_accuracy", edited)
    with pytest.raises(JournalMismatchError, match=r"these differ: scoring"):
        _bayes(n_iter=2, checkpoint=path, scoring=make_scorer(edited)).fit(X, y)


def test_a_lambda_moved_to_another_line_resumes(tmp_path):
    # By value, a lambda's hash had held its line number: a comment added
    # above it refused the journal.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "search.jsonl"

    def search(transform):
        pipe = make_pipeline(FunctionTransformer(transform), LogisticRegression(max_iter=300))
        return BayesSearchCV(pipe, {"logisticregression__C": Real(0.1, 10.0)}, n_iter=3,
                             n_initial_points=2, cv=3, random_state=0, checkpoint=path)

    first = search(lambda Z: Z + 1).fit(X, y)
    again = search(
        lambda Z: Z + 1).fit(X, y)  # the same code, on another line
    assert again.n_fold_fits_ == 0
    _same_results(first, again)
    with pytest.raises(JournalMismatchError, match=r"these differ: estimator"):
        search(lambda Z: Z + 2).fit(X, y)


def test_subspaces_with_larger_n_iter_continue_their_journal(tmp_path):
    # Each (space, n_iter) pair's n_iter is a budget, as n_iter is.
    lin = {"C": Real(0.01, 10.0, prior="log-uniform"), "fit_intercept": [True]}
    wide = {"C": Real(0.01, 10.0, prior="log-uniform"), "fit_intercept": [False]}
    path = tmp_path / "search.jsonl"
    _bayes(search_spaces=[(lin, 3), (wide, 3)], checkpoint=path).fit(X, y)
    resumed = _bayes(search_spaces=[(lin, 5), (wide, 5)], checkpoint=path).fit(X, y)
    fresh = _bayes(search_spaces=[(lin, 5), (wide, 5)]).fit(X, y)
    assert resumed.n_fold_fits_ == 4 * 3  # two candidates per subspace, 3 splits each
    _same_results(fresh, resumed)



def test_a_refusal_says_how_the_estimator_and_the_data_differ(tmp_path):
    path = tmp_path / "search.jsonl"
    _bayes(n_iter=2, checkpoint=path).fit(X, y)
    other = BayesSearchCV(LogisticRegression(max_iter=200), SPACE, n_iter=2,
                          n_initial_points=3, cv=3, random_state=0, checkpoint=path)
    with pytest.raises(JournalMismatchError, match=re.escape(
            "estimator (LogisticRegression(max_iter=300) in the journal, "
            "LogisticRegression(max_iter=200) now)")):
        other.fit(X, y)
    with pytest.raises(JournalMismatchError, match=re.escape(
            "X (ndarray (150, 4) float64 in the journal, ndarray (150, 4) float32 now)")):
        _bayes(n_iter=2, checkpoint=path).fit(X.astype(np.float32), y)


def test_library_functions_keep_their_hash_by_name():
    # Hashed by code, a scorer from scikit-learn would refuse every journal
    # after an upgrade of scikit-learn: it is hashed by name, as pickle writes it.
    import joblib
    from sklearn.metrics import accuracy_score

    from skhpo._code_hash import _written_by_user, code_hash

    assert not _written_by_user(accuracy_score)
    assert _written_by_user(edited_accuracy)
    assert code_hash([accuracy_score]) == joblib.hash([accuracy_score])
    assert code_hash([edited_accuracy]) != joblib.hash([edited_accuracy])


def test_a_function_s_hash_is_the_same_in_every_process(tmp_path):
    # `p in {...}` compiles to a frozenset, which pickles in an order that
    # changes with PYTHONHASHSEED: every resume had been refused.
    script = tmp_path / "hash_me.py"
    script.write_text(textwrap.dedent("""
        from skhpo._code_hash import code_hash
        def scorer(y, p):
            return float(p in {"alpha", "beta", "gamma", "delta", "eps"})
        print(code_hash([scorer, frozenset({"x", "y", "z", "w"})]))
    """))
    digests = {subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(digests) == 1


def helper_one(a):
    return a + 1


def test_a_helper_called_from_nested_code_is_part_of_the_hash(monkeypatch):
    from skhpo._code_hash import code_hash

    def scorer(y, p):
        return sum(helper_one(a) for a in p)  # called from a generator's code

    before = code_hash([scorer])

    def edited(a):
        return a + 2

    edited.__qualname__ = edited.__name__ = "helper_one"
    monkeypatch.setitem(scorer.__globals__, "helper_one", edited)
    assert code_hash([scorer]) != before


THRESHOLD = 0.5


def thresholded(y_true, y_score):
    return float(np.mean((y_score > THRESHOLD) == y_true))


def test_a_constant_the_function_reads_and_a_library_wrapper_are_seen(monkeypatch):
    import functools

    from skhpo._code_hash import code_hash

    before = code_hash([thresholded])
    monkeypatch.setattr(sys.modules[__name__], "THRESHOLD", 0.7)
    assert code_hash([thresholded]) != before  # an edited module constant

    # A library decorator's wrapper (singledispatch's, in the standard
    # library, hashed by name) runs the user's function: that is hashed by code.
    def user(x):
        return x + 1

    first = code_hash([functools.singledispatch(user)])

    def user(x):  # noqa: F811 (the same name, another body)
        return x + 2

    assert code_hash([functools.singledispatch(user)]) != first
