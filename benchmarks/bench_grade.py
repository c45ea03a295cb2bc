"""How long grading and recording one quiz attempt takes, against a bare SQLite insert in the same run.

A Check click must feel instant (goal: grade + record under 5 ms). Baseline: one INSERT of the same
row shape into a table in a fresh WAL-mode SQLite file, autocommitted, with no vlab code around it.
Measured: vlab.learn.grade() on a demo-bank question plus ProgressStore.record() (one connection
kept open, as a widget does); and, for context, a full widget click (grade, record, render HTML)
and the first record of a session (open, integrity check, schema, insert).
Everything writes into a temporary VLAB_HOME. Run: `.venv/bin/python benchmarks/bench_grade.py`.
"""
from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 2000  # attempts per measurement; the median hides a slow fsync
COLD_RUNS = 50
GOAL_MS = 5.0


def median_ms(step: Callable[[int], object], runs: int = RUNS) -> float:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="vlab-bench-") as tmp:
        return run(Path(tmp))


def run(home: Path) -> int:
    os.environ["VLAB_HOME"] = str(home)
    from vlab.learn import ProgressStore, grade, load_bank

    # Baseline: a bare insert, same journal settings, no vlab code.
    raw = sqlite3.connect(home / "raw.sqlite", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, learner TEXT, lab TEXT, question_id TEXT,"
                " answer TEXT, correct INTEGER, points REAL, time TEXT)")
    row = ("bench", "00_start_here", "datastore-file-types-count", '"11"', 1, 1.0,
           "2026-01-01T00:00:00.000+00:00")
    baseline = median_ms(lambda _i: raw.execute(
        "INSERT INTO t (learner, lab, question_id, answer, correct, points, time) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", row))
    raw.close()

    bank = load_bank("00_start_here")
    numeric = bank.get("datastore-file-types-count")
    many = bank.get("vcenter-components")
    store = ProgressStore(learner="bench")

    def grade_and_record(i: int) -> None:
        question, answer = (numeric, str(i % 20)) if i % 2 else (many, [0, 1, i % 6])
        result = grade(question, answer)
        store.record("00_start_here", question.id, result.answer, result.correct, result.points)

    measured = median_ms(grade_and_record)
    store.close()

    def cold(i: int) -> None:
        with ProgressStore(path=home / "cold.sqlite", learner="bench") as s:
            s.record("00_start_here", numeric.id, str(i), False, 0)

    cold_ms = median_ms(cold, COLD_RUNS)

    from vlab.widgets import QuizWidget

    quiz = QuizWidget.from_bank("00_start_here", ids=[numeric.id], learner="bench")
    view = quiz.views[0]

    def click(i: int) -> None:
        view.entry.value = str(i % 20)
        view.check_button.click()

    click_ms = median_ms(click, RUNS // 4)
    quiz.store().close()

    print(f"bare SQLite insert (baseline)     median {baseline:7.3f} ms  ({RUNS} runs)")
    print(f"grade + record one attempt        median {measured:7.3f} ms  "
          f"= {measured / baseline:.1f} x baseline")
    print(f"widget Check click (+ HTML)       median {click_ms:7.3f} ms  "
          f"= {click_ms / baseline:.1f} x baseline")
    print(f"first record of a session (open)  median {cold_ms:7.3f} ms  "
          f"= {cold_ms / baseline:.1f} x baseline")
    print(f"goal grade + record < {GOAL_MS:g} ms: {'met' if measured < GOAL_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
