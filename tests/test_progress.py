"""The progress store: where it lives, what it keeps, two writers at once, and a broken file."""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

from vlab.learn import ProgressStore, default_learner, progress_path, summarize
from vlab.learn.progress import Attempt, ProgressWarning, bank_points


def test_store_lives_in_vlab_home_and_learner_comes_from_env(vlab_home, monkeypatch):
    monkeypatch.setenv("VLAB_LEARNER", "ada")
    assert progress_path() == vlab_home / "progress.sqlite"
    assert default_learner() == "ada"
    with ProgressStore() as store:
        store.record("00_start_here", "vmkernel-role", 0, True, 1)
    assert (vlab_home / "progress.sqlite").is_file()
    con = sqlite3.connect(vlab_home / "progress.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = con.execute("SELECT learner, lab, question_id, answer, correct, points, time "
                      "FROM attempts").fetchone()
    con.close()
    assert row[:6] == ("ada", "00_start_here", "vmkernel-role", "0", 1, 1.0)
    assert row[6].endswith("+00:00")  # UTC


def test_default_home_is_dot_vlab(monkeypatch, tmp_path):
    monkeypatch.delenv("VLAB_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress_path() == tmp_path / ".vlab" / "progress.sqlite"


def test_answers_round_trip_as_json_and_learners_are_kept_apart(vlab_home):
    with ProgressStore(learner="ada") as ada, ProgressStore(learner="bob") as bob:
        ada.record("05_datastore_files", "q1", ["VC Agent", "VC Database"], False, 0)
        ada.record("05_datastore_files", "q1", {"text": "vmsd ✓"}, True, 2)
        bob.record("05_datastore_files", "q1", "x", False, 0)
        mine = ada.attempts()
        assert [a.answer_value() for a in mine] == [["VC Agent", "VC Database"], {"text": "vmsd ✓"}]
        assert [a.correct for a in mine] == [False, True] and mine[1].points == 2
        assert len(ada.attempts(all_learners=True)) == 3
        assert ada.reset() == 2
        assert ada.attempts() == [] and len(bob.attempts()) == 1


def test_reset_one_lab_only(vlab_home):
    with ProgressStore(learner="ada") as store:
        store.record("00_start_here", "a", 1, True, 1)
        store.record("01_vmkernel", "b", 1, True, 1)
        assert store.reset(lab="00_start_here") == 1
        assert [a.lab for a in store.attempts()] == ["01_vmkernel"]


def test_export_csv_one_row_per_attempt(vlab_home, tmp_path):
    target = tmp_path / "out.csv"
    with ProgressStore(learner="ada") as store:
        store.record("00_start_here", "a", "1, 2", False, 0)
        store.record("00_start_here", "a", 11, True, 1)
        assert store.export_csv(target) == 2
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["correct"] for r in rows] == ["0", "1"]
    assert json.loads(rows[0]["answer"]) == "1, 2"  # commas survive CSV quoting
    assert set(rows[0]) == {"learner", "lab", "question_id", "answer", "correct", "points", "time"}


def _attempt(lab, qid, correct, learner="ada"):
    return Attempt(learner, lab, qid, "null", correct, 1.0 if correct else 0.0, "t")


def test_summarize_counts_distinct_correct_bank_questions():
    banks = {"00_start_here": {"a": 1, "b": 2, "c": 1, "d": 1}, "01_vmkernel": {"x": 1}}
    attempts = [
        _attempt("00_start_here", "a", False),
        _attempt("00_start_here", "a", True),
        _attempt("00_start_here", "a", True),  # counted once
        _attempt("00_start_here", "b", True),
        _attempt("00_start_here", "c", False),
        _attempt("00_start_here", "fix-vmx", True),  # a checker exercise, not in the bank
        _attempt("03_virtual_storage", "y", True),  # a lab without a bank
    ]
    rows = {r.lab: r for r in summarize(attempts, banks)}
    start = rows["00_start_here"]
    assert (start.questions_correct, start.questions_total) == (2, 4)
    assert start.completion == 0.5
    assert (start.points_earned, start.points_possible) == (3.0, 5.0)
    assert start.attempts == 6 and start.exercises_passed == 1
    assert rows["01_vmkernel"].completion == 0.0 and rows["01_vmkernel"].attempts == 0
    assert rows["03_virtual_storage"].completion is None
    assert list(rows) == sorted(rows)


def test_summary_uses_the_banks_in_datasets(vlab_home):
    points = bank_points()
    assert "00_start_here" in points and len(points["00_start_here"]) >= 5
    with ProgressStore(learner="ada") as store:
        store.record("00_start_here", "vmkernel-role", 0, True, 1)
        row = next(r for r in store.summary() if r.lab == "00_start_here")
    assert row.questions_correct == 1 and row.questions_total == len(points["00_start_here"])


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from vlab.learn.progress import ProgressStore
    name, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    ready.write_text("up")  # imports done: this writer is about to wait for the start signal
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("no start signal within 60 s")
        time.sleep(0.001)
    store = ProgressStore(learner=name)
    for i in range(500):
        if i % 100 == 0:  # reopen now and then, as a fresh notebook would
            store.close()
            store = ProgressStore(learner=name)
        store.record("00_start_here", f"q{i}", {"i": i}, i % 2 == 0, 1)
    store.close()
    """
)


def _wait_until_ready(procs, ready_files, limit_s: float = 60.0) -> None:
    """Block until every writer has written its ready file; fail early if one dies first."""
    deadline = time.monotonic() + limit_s
    problem = ""
    while not problem and not all(f.exists() for f in ready_files):
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            problem = f"a writer exited ({dead[0].returncode}) before it was ready: {dead[0].stderr.read()}"
        elif time.monotonic() > deadline:
            problem = f"writers not ready after {limit_s} s: {[f.name for f in ready_files]}"
        else:
            time.sleep(0.01)
    if problem:
        for p in procs:
            p.kill()
            p.wait()
        pytest.fail(problem)


def test_two_processes_writing_500_attempts_each_lose_nothing(vlab_home, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "VLAB_HOME": str(vlab_home)}
    names = ("p1", "p2")
    ready = [tmp_path / f"{name}.ready" for name in names]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, name, str(flag), str(go)], env=env,
                         stderr=subprocess.PIPE, text=True)
        for name, flag in zip(names, ready, strict=True)
    ]
    _wait_until_ready(procs, ready)  # both interpreters are up: start them together
    assert not (vlab_home / "progress.sqlite").exists()  # nobody wrote before the signal
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    with ProgressStore(learner="p1") as store:
        rows = store.attempts(all_learners=True)
    assert len(rows) == 1000
    for name in names:
        mine = [r for r in rows if r.learner == name]
        assert [r.answer_value()["i"] for r in mine] == list(range(500))


def _fresh_store_after_garbage(vlab_home, garbage: bytes):
    path = vlab_home / "progress.sqlite"
    path.write_bytes(garbage)
    with pytest.warns(ProgressWarning, match="moved it to progress.sqlite.corrupt-"):
        store = ProgressStore(learner="ada")
        store.record("00_start_here", "a", 1, True, 1)
    moved = sorted(vlab_home.glob("progress.sqlite.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert [a.question_id for a in store.attempts()] == ["a"]
    store.close()


def test_a_file_of_garbage_is_moved_aside_and_a_fresh_store_started(vlab_home):
    _fresh_store_after_garbage(vlab_home, b"\x00\xffnot a database at all" * 400)


def test_a_database_with_damaged_pages_is_moved_aside(vlab_home):
    path = vlab_home / "progress.sqlite"
    with ProgressStore(learner="ada") as store:
        for i in range(2000):
            store.record("00_start_here", f"q{i}", "x" * 20, True, 1)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    data[4096:40960] = b"\xa5" * (40960 - 4096)  # keep the header page, wreck the next pages
    _fresh_store_after_garbage(vlab_home, bytes(data))


def test_unopenable_path_is_moved_aside(vlab_home):
    (vlab_home / "progress.sqlite").mkdir()  # something that is not a file where the file goes
    with pytest.warns(ProgressWarning, match="corrupt-"):
        with ProgressStore(learner="ada") as store:
            store.record("00_start_here", "a", 1, True, 1)
            assert store.count() == 1 and not store.in_memory


def test_unwritable_home_falls_back_to_memory_and_keeps_working(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("VLAB_HOME", str(blocker / "home"))  # cannot mkdir under a file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ProgressStore(learner="ada") as store:
            store.record("00_start_here", "a", 1, True, 1)
            assert store.in_memory and store.count() == 1
    assert any("in memory" in str(w.message) for w in caught)


def test_a_store_replaced_by_another_notebook_meanwhile_is_not_moved_again(vlab_home):
    path = vlab_home / "progress.sqlite"
    path.write_bytes(b"garbage" * 100)
    from vlab.learn.progress import _identity

    stale = _identity(path)  # what this notebook saw fail ...
    with pytest.warns(ProgressWarning):
        with ProgressStore(learner="other") as other:  # ... while another one recovered first
            other.record("00_start_here", "a", 1, True, 1)
    store = ProgressStore(learner="ada")
    store._conn = store._recover(sqlite3.DatabaseError("file is not a database"), stale)
    assert store.count() == 1  # the other notebook's fresh store, kept
    assert len(list(vlab_home.glob("progress.sqlite.corrupt-*"))) == 1
    store.close()


def test_undecodable_names_and_answers_are_stored_not_a_crash(tmp_path):
    # os.environ keeps undecodable bytes of $VLAB_LEARNER as lone surrogates (surrogateescape),
    # and a browser can send a lone surrogate in a text answer; SQLite takes neither as is.
    from vlab.learn.progress import ProgressStore

    store = ProgressStore(path=tmp_path / "p.sqlite", learner="zo\udceb")
    store.record("00_start_here", "q", "half \ud800 pair", False, 0)
    [row] = store.attempts(all_learners=True)
    assert row.learner == "zo\ufffd"
    assert json.loads(row.answer) == "half \ufffd pair"
    store.close()


def test_opening_a_store_another_kernel_has_locked_retries_until_its_timeout(tmp_path, monkeypatch):
    # Two kernels switching a new store to WAL at once: SQLite answers one "database is locked"
    # at once, without a busy wait. The store tries again; only a lock that outlasts the timeout raises.
    import sqlite3

    from vlab.learn.progress import ProgressStore

    real = ProgressStore._connect
    calls = []

    def locked_twice(self, target):
        calls.append(target)
        if len(calls) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return real(self, target)

    monkeypatch.setattr(ProgressStore, "_connect", locked_twice)
    store = ProgressStore(path=tmp_path / "p.sqlite", learner="ada", timeout_s=5)
    store.record("00_start_here", "q", 1, True, 1)
    assert len(calls) == 3 and not store.in_memory and store.count() == 1
    store.close()

    def always_locked(self, target):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ProgressStore, "_connect", always_locked)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        ProgressStore(path=tmp_path / "q.sqlite", learner="ada", timeout_s=0.2).record("l", "q", 1, True, 1)
