"""Crash-safe checkpoints: an append-only journal of (candidate, split) results.

The journal is a JSON-lines file. Its first line describes the setup (search
class and parameters, space, cv splits, scoring, data fingerprints); every
other line is one finished (candidate, split) result, written and flushed as
soon as it is known. Nothing is pickled: reading a journal never runs code.

A search started with the same ``checkpoint`` path and a compatible setup
preloads every journaled result into its evaluator. Since the search is
deterministic for an integer ``random_state``, it proposes the same
candidates again, finds their results in the store and fits only what is
missing; each re-proposed candidate is checked against the journal's record
of its parameters, so a journal never silently serves another candidate.

A torn last line (the process was killed while writing it) is detected,
dropped with a warning and cut off the file before new lines are appended.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import os
import tempfile

import joblib
import numpy as np

try:  # joblib's dependency since 1.5; vendored by the joblib before
    import cloudpickle
except ImportError:  # pragma: no cover
    from joblib.externals import cloudpickle

from ._code_hash import code_hash
from ._paths import unwritable_file
from ._warm_start import _cv_results
from ._warnings import warn
from .space import _is_frozen_distribution, params_key, value_key
from .exceptions import JournalMismatchError

FORMAT = "skhpo-journal"
# 2: BayesSearchCV's candidate ids interleave its subspaces, and parameter
# keys drop memory addresses.
VERSION = 2


# The keys of a result line (see Journal.append).
_RECORD_KEYS = frozenset({"cid", "split", "resource", "params_key", "test_scores",
                          "train_scores", "fit_time", "score_time", "n_test_samples",
                          "fit_error"})


def _plain(value):
    """JSON-safe scores: NaN/inf as strings (JSON has neither)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if np.isfinite(value) else repr(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _unplain(value):
    if isinstance(value, dict):
        return {k: _unplain(v) for k, v in value.items()}
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def _compared_params(search):
    """The constructor parameters a journal must match: all but those that
    only change how much or how fast (a larger ``n_iter`` continues a search)."""
    ignored = {"n_iter", "n_jobs", "verbose", "pre_dispatch", "checkpoint"}
    params = search.get_params(deep=False)
    if "n_points" in params:
        # The batch size decides what is proposed, and "auto" means n_jobs: a
        # resume with another n_jobs is then refused up front, naming
        # n_points, rather than midway by a proposal that differs.
        params["n_points"] = search._batch_size()
    spaces = params.get("search_spaces")
    if isinstance(spaces, list):
        # scikit-optimize's (space, n_iter) pairs: each n_iter is a budget,
        # like n_iter (candidate ids interleave the subspaces, so a larger
        # one continues each subspace).
        params["search_spaces"] = [
            item[0] if isinstance(item, tuple) and len(item) == 2 else item
            for item in spaces]
    return {name: params[name] for name in sorted(set(params) - ignored)}


def readable_setup(search, evaluator=None):
    """The search's class and settings, and the data's type, shape and dtype,
    as short text, so that a refusal can say how they differ: the setup
    holds hashes."""
    readable = {"search": type(search).__name__}
    for name, value in _compared_params(search).items():
        simple = value is None or isinstance(value, (bool, numbers.Number, str))
        # An estimator's repr shows the parameters set; a space is shown when
        # short (a warm start's results would not read). value_key: the repr
        # without memory addresses, which differ from process to process.
        if simple or hasattr(value, "get_params") or (
                name in ("search_spaces", "param_distributions")
                and len(value_key(value)) <= 300):
            readable[name] = value_key(value)
    if evaluator is not None:
        for name, data in (("X", evaluator.X), ("y", evaluator.y)):
            shape = getattr(data, "shape", None)
            dtype = getattr(data, "dtype", None)
            readable[name] = " ".join(str(part) for part in (
                type(data).__name__, shape, dtype) if part is not None)
    if search.get_params(deep=False).get("n_points") == "auto":
        readable["n_points"] += " (n_points='auto')"
    return readable


def describe_setup(search, evaluator, fit_params):
    """What must match for a journal to be reused, as a dict of hashes:
    the constructor parameters (see ``_compared_params``), the splits, the
    data and the fit parameters."""
    params = _compared_params(search)
    setup = {"search": type(search).__name__}
    for name, value in params.items():
        setup[name] = _fingerprint(value)
    if "warm_start" in params:
        setup["warm_start"] = _warm_start_fingerprint(search._warm_start_source())
    setup["splits"] = _fingerprint([(tr, te) for tr, te in evaluator.splits])
    # The data by the same sha256 as save_results records (readable, and
    # independent of how pickle lays out a DataFrame).
    for name, fingerprint in evaluator.data_fingerprints.items():
        setup[name] = None if fingerprint is None else fingerprint["sha256"]
    setup["fit_params"] = _fingerprint(fit_params)
    return setup


def _warm_start_fingerprint(source):
    """What a warm start tells the optimizer: the earlier candidates and scores.

    Not the source itself: a rerun recomputes the earlier search with other
    fit times, and a fitted search does not hash (its masked arrays). With
    ``warm_start=True`` the source is the search's own results before this
    fit: a second fit starts from other points than the journaled first one.
    """
    if source is None:
        return _fingerprint(None)
    results = _cv_results(source)
    scores = {k: np.asarray(v, dtype=float).tolist() for k, v in results.items()
              if k.startswith("mean_test_") or k == "n_resources"}
    return _fingerprint({"params": list(results["params"]), **scores})


def _fingerprint(value):
    value = _without_random_states(value)
    try:
        # Functions by their code (skhpo._code_hash): an edited scorer is
        # another setup, a lambda moved down a line is not.
        return code_hash(value)
    except Exception:
        # pickle refuses a class made by exec anywhere inside; cloudpickle
        # writes it by value.
        try:
            return hashlib.sha256(cloudpickle.dumps(value)).hexdigest()
        except Exception:  # no pickler reaches it (a generator given as cv)
            return joblib.hash(value_key(value))


def _without_random_states(value):
    """``value`` with each scipy.stats frozen distribution as its definition.

    A frozen distribution holds a random state (numpy's global one by
    default), which changes with every draw anywhere in the process; the
    searches only use its quantile function, so two runs with the same
    distributions must match.
    """
    if _is_frozen_distribution(value):
        return ("scipy.stats", value.dist.name, value.args, sorted(value.kwds.items()))
    if isinstance(value, dict):
        return {k: _without_random_states(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_random_states(v) for v in value)
    return value


def _check_path(path):
    """A clear refusal, before any fit, of a path no journal can be written to."""
    unwritable = unwritable_file(path)
    if unwritable is not None:
        raise ValueError(
            f"checkpoint={path!r} {unwritable[1]}: give the path of a file to write "
            f"the journal to (it is created), in an existing directory."
        )


def _create_with(path, text):
    """Create ``path`` holding ``text`` if it does not exist; False if it does.

    The text goes to a temporary file first, which is then linked to
    ``path``: linking fails if ``path`` exists, so two searches started at
    once on one path never both write a header, and a reader never sees a
    half-written one.
    """
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".journal-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            try:
                with open(path, "x", encoding="utf-8") as file:
                    file.write(text)
            except FileExistsError:
                return False
        return True
    finally:
        os.remove(tmp)


class Journal:
    """Append-only journal of split results at ``path``.

    Use :meth:`open`, which reads (and checks) an existing journal or starts
    a new one.
    """

    def __init__(self, path, setup, readable=None):
        self.path = os.fspath(path)
        self.setup = setup
        self.readable = dict(readable or {})
        self.records = []  # dicts of the journaled results, in file order
        self.keys = {}  # candidate id -> params_key

    @classmethod
    def open(cls, path, setup, readable=None):
        """``setup`` (:func:`describe_setup`) must match the journal's;
        ``readable`` (:func:`readable_setup`) only words a refusal."""
        journal = cls(path, setup, readable)
        _check_path(journal.path)
        header = json.dumps({"format": FORMAT, "version": VERSION, "setup": setup,
                             "readable": journal.readable}) + "\n"
        if not _create_with(journal.path, header):
            if os.path.getsize(journal.path) == 0:  # left empty by an old skhpo
                with open(journal.path, "w", encoding="utf-8") as handle:
                    handle.write(header)
            else:
                journal._read()
        try:  # a journal the search cannot add to fails now, not after a batch
            open(journal.path, "a", encoding="utf-8").close()
        except OSError as error:
            raise PermissionError(
                f"checkpoint={journal.path!r} cannot be written to ({error}): the "
                f"search could not journal its fits. Make it writable, or choose "
                f"another checkpoint path.") from error
        return journal

    def _read(self):
        with open(self.path, "rb") as handle:
            data = handle.read()
        lines = data.split(b"\n")
        # A file that ends without a newline ends with a torn line.
        complete, torn = lines[:-1], lines[-1]
        good_bytes = len(data) - len(torn)
        if not complete:
            raise JournalMismatchError(
                f"{self.path} is not a skhpo checkpoint journal: it has no complete "
                f"header line (not a journal, or a search killed as it started, "
                f"before any result). Delete it or choose another checkpoint path."
            )
        try:
            header = json.loads(complete[0])
        except ValueError:
            header = {}
        if (not isinstance(header, dict) or header.get("format") != FORMAT
                or not isinstance(header.get("setup"), dict)):
            raise JournalMismatchError(
                f"{self.path} is not a skhpo checkpoint journal. Delete it or "
                f"choose another checkpoint path."
            )
        if header.get("version") != VERSION:
            raise JournalMismatchError(
                f"The checkpoint journal {self.path} has format version "
                f"{header.get('version')!r}; this skhpo reads version {VERSION}. "
                f"Resume with the skhpo that wrote it, or choose a new "
                f"checkpoint path."
            )
        if torn:  # after the header checks: a torn header is no journal
            warn(
                f"The checkpoint journal {self.path} ends with a torn line (the "
                f"search was killed while writing it); that result is dropped "
                f"and will be fitted again.",
                UserWarning,
            )
        differ = sorted(k for k in set(header["setup"]) | set(self.setup)
                        if header["setup"].get(k) != self.setup.get(k))
        if differ:
            raise JournalMismatchError(self._mismatch(differ, header.get("readable") or {}))
        bad = []
        for number, line in enumerate(complete[1:], start=2):
            if not line.strip():
                continue  # a blank line (an editor's, or a stray newline)
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict) or not _RECORD_KEYS <= set(record):
                # Each record stands alone: a damaged one (an edit, or the
                # zeros a machine crash can leave) costs only its own fit.
                bad.append(number)
                continue
            self.records.append(record)
            self.keys[record["cid"]] = record["params_key"]
        if bad:
            shown = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            warn(
                f"{len(bad)} line{'s' * (len(bad) != 1)} of the checkpoint journal "
                f"{self.path} (line{'s' * (len(bad) != 1)} {shown}) "
                f"{'are' if len(bad) != 1 else 'is'} not "
                f"a result record (a JSON object with the keys "
                f"{sorted(_RECORD_KEYS)}): the file was edited or damaged. "
                f"{'They are' if len(bad) != 1 else 'It is'} skipped, and "
                f"{'their fits run' if len(bad) != 1 else 'its fit runs'} again.",
                UserWarning)
        if torn:
            with open(self.path, "r+b") as handle:
                handle.truncate(good_bytes)

    def _mismatch(self, differ, written):
        """The refusal: what differs, with both values where they are simple."""
        now = self.readable
        if "search" in differ:  # another class: its parameters differ anyway
            differ = ["search"]

        def shown(key):
            # Equal text, different hashes: the same type and shape of X with
            # other values, an edited function, warm_start=True's results.
            if key in written and key in now and written[key] != now[key]:
                return f"{key} ({written[key]} in the journal, {now[key]} now)"
            return key

        hint = ""
        if "n_points" in differ and "'auto'" in now.get("n_points", ""):
            batch = str(written.get("n_points", "")).split(" ")[0] or "<the journal's>"
            hint = (f" n_points='auto' follows n_jobs (or a Dask cluster's size): "
                    f"n_points={batch} gives the journal's batches.")
        if "warm_start" in differ and now.get("warm_start") == "True":
            hint += (" warm_start=True starts from this search's previous results, "
                    "which the journal's run did not have: each further fit with "
                    "warm_start=True needs a new checkpoint path.")
        return (f"The checkpoint journal {self.path} was written by a different "
                f"setup; these differ: {', '.join(map(shown, differ))}.{hint} "
                f"Resume with the same search parameters, space, cv, scoring, "
                f"random_state and data, or choose a new checkpoint path.")

    def check_params(self, cid, params):
        """Raise if ``cid`` was journaled with other parameters."""
        known = self.keys.get(cid)
        if known is not None and known != params_key(params):
            raise JournalMismatchError(
                f"The checkpoint journal {self.path} holds candidate {cid} with "
                f"parameters {known}, but the search now proposes "
                f"{params_key(params)}. The search is not reproducing the "
                f"journaled run (same random_state and n_points?); choose a new "
                f"checkpoint path."
            )

    def append(self, result, params):
        record = {
            "cid": result.candidate_id,
            "split": result.split_index,
            "resource": _plain(result.resource),
            "params_key": params_key(params),
            "test_scores": _plain(result.test_scores),
            "train_scores": _plain(result.train_scores),
            "fit_time": result.fit_time,
            "score_time": result.score_time,
            "n_test_samples": int(result.n_test_samples),
            "fit_error": result.fit_error,
        }
        self.keys[result.candidate_id] = record["params_key"]
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()

    def results(self):
        """The journaled results as keyword dicts for ``SplitResult``."""
        for record in self.records:
            yield {
                "candidate_id": record["cid"],
                "split_index": record["split"],
                "resource": _unplain(record["resource"]),
                "test_scores": _unplain(record["test_scores"]),
                "train_scores": _unplain(record["train_scores"]),
                "fit_time": record["fit_time"],
                "score_time": record["score_time"],
                "n_test_samples": record["n_test_samples"],
                "fit_error": record["fit_error"],
            }
