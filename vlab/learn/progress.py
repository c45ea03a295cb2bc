"""The learner's progress: every graded attempt, kept in SQLite at $VLAB_HOME/progress.sqlite.

Not an ESX part: this is vlab's own record of quiz answers and checker exercises. One row per
attempt (learner, lab, question id, answer as JSON, correct, points, UTC time). The store uses WAL
mode and a busy timeout, so two notebooks writing at once wait for each other instead of failing or
losing rows. A file that is not a readable SQLite database is moved aside
(progress.sqlite.corrupt-<UTC time>) with a warning and a fresh store is started, so a lab keeps
working; if even that fails, attempts are kept in memory for the session (with a warning).

Left out: accounts and authentication (the learner name is $VLAB_LEARNER or the OS user), syncing
between machines, and schema migrations beyond version 1.
"""
from __future__ import annotations

import csv
import getpass
import json
import os
import re
import sqlite3
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_NAME = "progress.sqlite"
BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another notebook's write to finish
SCHEMA_VERSION = 1
CSV_COLUMNS = ("learner", "lab", "question_id", "answer", "correct", "points", "time")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    lab TEXT NOT NULL,
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points REAL NOT NULL,
    time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_learner_lab ON attempts (learner, lab);
"""
# Errors that mean "this file is not a usable database", as opposed to "another writer is busy".
_BROKEN_CODES = {
    getattr(sqlite3, "SQLITE_CORRUPT", 11),
    getattr(sqlite3, "SQLITE_NOTADB", 26),
    getattr(sqlite3, "SQLITE_CANTOPEN", 14),
    getattr(sqlite3, "SQLITE_IOERR", 10),
    getattr(sqlite3, "SQLITE_FORMAT", 24),
}


class ProgressWarning(UserWarning):
    """The progress store had to be moved aside or kept in memory."""


def vlab_home() -> Path:
    """$VLAB_HOME, or ~/.vlab when it is not set."""
    return Path(os.environ.get("VLAB_HOME") or Path.home() / ".vlab").expanduser()


def progress_path() -> Path:
    return vlab_home() / DB_NAME


def storable(text: str) -> str:
    """`text` as SQLite can store it: a name read from the environment or a file name may hold
    undecodable bytes (lone surrogates), which become U+FFFD instead of a UnicodeEncodeError."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a surrogate that no byte stands for
            return re.sub("[\ud800-\udfff]", "\ufffd", text)


def default_learner() -> str:
    """$VLAB_LEARNER, else the OS user name, else 'learner'."""
    name = os.environ.get("VLAB_LEARNER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "learner"
    except Exception:  # no user name in some containers
        return "learner"


@dataclass(frozen=True)
class Attempt:
    """One graded attempt as stored. `answer` is JSON text."""

    learner: str
    lab: str
    question_id: str
    answer: str
    correct: bool
    points: float
    time: str  # ISO 8601, UTC

    def answer_value(self) -> Any:
        return json.loads(self.answer)


@dataclass(frozen=True)
class LabProgress:
    """Completion and score of one learner in one lab.

    completion = distinct bank questions answered correctly / questions in the bank (None when the
    lab has no bank); points count each question once, at its bank points. Predictions (bank
    questions with `stage: predict`) are counted apart and never in the score: a wrong prediction is
    learning, not failure. Only a learner's first committed prediction of a question counts.
    """

    lab: str
    questions_total: int
    questions_correct: int
    points_earned: float
    points_possible: float
    attempts: int
    exercises_passed: int = 0  # checker ids (not in the bank) with a passing attempt
    predictions_made: int = 0  # distinct predictions committed
    predictions_right: int = 0  # of those, how many the model bore out (first commitment only)

    @property
    def completion(self) -> float | None:
        if self.questions_total == 0:
            return None
        return self.questions_correct / self.questions_total


def summarize(
    attempts: Iterable[Attempt], banks: Mapping[str, Mapping[str, float]],
    predictions: Mapping[str, Iterable[str]] | None = None,
) -> list[LabProgress]:
    """Completion and score per lab. Pure.

    `banks` maps a lab slug to {question id: points} of its quiz questions; `predictions` maps a lab
    slug to the ids of its prediction questions. Every bank lab gets a row, and so does any lab with
    attempts but no bank. Rows are sorted by lab slug.
    """
    predict_ids = {lab: set(ids) for lab, ids in (predictions or {}).items()}
    correct_ids: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    first_prediction: dict[str, dict[str, bool]] = {}
    for a in attempts:
        counts[a.lab] = counts.get(a.lab, 0) + 1
        if a.question_id in predict_ids.get(a.lab, ()):
            first_prediction.setdefault(a.lab, {}).setdefault(a.question_id, a.correct)
        elif a.correct:
            correct_ids.setdefault(a.lab, set()).add(a.question_id)
    rows = []
    for lab in sorted(set(banks) | set(counts)):
        bank = banks.get(lab, {})
        done = correct_ids.get(lab, set())
        in_bank = done & set(bank)
        rows.append(
            LabProgress(
                lab=lab,
                questions_total=len(bank),
                questions_correct=len(in_bank),
                points_earned=float(sum(bank[q] for q in in_bank)),
                points_possible=float(sum(bank.values())),
                attempts=counts.get(lab, 0),
                exercises_passed=len(done - set(bank)),
                predictions_made=len(first_prediction.get(lab, {})),
                predictions_right=sum(first_prediction.get(lab, {}).values()),
            )
        )
    return rows


def _banks() -> list:
    from vlab.learn.bank import BankError, available_banks, load_bank

    out = []
    for lab in available_banks():
        try:
            out.append(load_bank(lab))
        except (BankError, OSError) as err:
            warnings.warn(f"question bank '{lab}' skipped: {err}", ProgressWarning, stacklevel=3)
    return out


def bank_points() -> dict[str, dict[str, float]]:
    """{lab: {question id: points}} of the quiz questions (predictions excluded) of every bank in
    datasets/quizzes (a broken bank is skipped)."""
    return {b.lab: {q.id: q.points for q in b.questions if q.stage == "quiz"} for b in _banks()}


def bank_predictions() -> dict[str, set[str]]:
    """{lab: ids of its prediction questions} for every bank in datasets/quizzes."""
    return {b.lab: {q.id for q in b.questions if q.stage == "predict"} for b in _banks()}


class ProgressStore:
    """The attempts of one learner (others' rows stay untouched), in one SQLite file.

    ProgressStore() uses $VLAB_HOME/progress.sqlite and $VLAB_LEARNER; the connection opens on first
    use. Use as a context manager or call close().
    """

    def __init__(self, path: str | Path | None = None, learner: str | None = None,
                 timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path) if path is not None else progress_path()
        self.learner = storable(learner or default_learner())
        self.timeout_s = timeout_s
        self.in_memory = False
        self._conn: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------------

    def _connect(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=self.timeout_s, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                status = conn.execute("PRAGMA quick_check").fetchone()
                if not status or status[0] != "ok":
                    raise sqlite3.DatabaseError(f"quick_check failed: {status}")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        seen = _identity(self.path)
        deadline = time.monotonic() + self.timeout_s
        pause = 0.01
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = self._connect(str(self.path))
            except (sqlite3.DatabaseError, OSError) as err:
                # Two kernels opening a new store at once can both try to switch it to WAL;
                # SQLite answers one of them "locked" at once (no busy wait): try again shortly.
                if _is_busy(err) and time.monotonic() + pause < deadline:
                    time.sleep(pause)
                    pause = min(pause * 2, 0.2)
                    continue
                if _is_busy(err):
                    raise
                self._conn = self._recover(err, seen) if _is_broken(err) else self._in_memory(err)
            return self._conn

    def _in_memory(self, err: BaseException, then: BaseException | None = None) -> sqlite3.Connection:
        why = f"{err}; then {then}" if then else str(err)
        warnings.warn(
            f"progress store {self.path} is unusable ({why}); attempts are kept in memory for this "
            "session only. Set VLAB_HOME to a writable folder.",
            ProgressWarning,
            stacklevel=4,
        )
        self.in_memory = True
        return self._connect(":memory:")

    def _recover(self, err: BaseException, seen: tuple | None = None) -> sqlite3.Connection:
        """Move the broken file aside and start afresh; in memory if even that fails.

        `seen` identifies the file that failed to open; if another notebook has meanwhile moved
        it aside and started a fresh store, that store is used instead of being moved too.
        """
        if seen is not None and _identity(self.path) not in (seen, None):
            try:
                return self._connect(str(self.path))
            except (sqlite3.DatabaseError, OSError):
                pass
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        moved = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            if self.path.exists() or self.path.is_symlink():
                os.replace(self.path, moved)
            for suffix in ("-wal", "-shm", "-journal"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, self.path.with_name(f"{side.name}.corrupt-{stamp}"))
            conn = self._connect(str(self.path))
        except (sqlite3.DatabaseError, OSError) as second:
            return self._in_memory(err, second)
        warnings.warn(
            f"progress store {self.path} was unreadable ({err}); moved it to {moved.name} and "
            "started a fresh one.",
            ProgressWarning,
            stacklevel=3,
        )
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def record(self, lab: str, question_id: str, answer: Any, correct: bool, points: float,
               learner: str | None = None) -> Attempt:
        """Store one graded attempt; `answer` is anything JSON can hold (else its str())."""
        attempt = Attempt(
            learner=storable(learner or self.learner),
            lab=storable(str(lab)),
            question_id=storable(str(question_id)),
            answer=storable(json.dumps(answer, ensure_ascii=False, default=str)),
            correct=bool(correct),
            points=float(points),
            time=datetime.now(UTC).isoformat(timespec="milliseconds"),
        )
        row = (attempt.learner, attempt.lab, attempt.question_id, attempt.answer,
               int(attempt.correct), attempt.points, attempt.time)
        sql = ("INSERT INTO attempts (learner, lab, question_id, answer, correct, points, time) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        try:
            self._open().execute(sql, row)
        except sqlite3.DatabaseError as err:
            if _is_busy(err) or self.in_memory or not _is_broken(err):
                raise
            # The file broke under us (replaced, truncated): start afresh and keep this attempt.
            self.close()
            self._conn = self._recover(err)
            self._conn.execute(sql, row)
        return attempt

    def reset(self, lab: str | None = None, learner: str | None = None) -> int:
        """Delete this learner's attempts (in one lab, or all); returns how many were deleted."""
        conn = self._open()
        who = learner or self.learner
        if lab is None:
            cur = conn.execute("DELETE FROM attempts WHERE learner = ?", (who,))
        else:
            cur = conn.execute("DELETE FROM attempts WHERE learner = ? AND lab = ?", (who, lab))
        return cur.rowcount

    # -- reading ---------------------------------------------------------------------------------

    def attempts(self, lab: str | None = None, learner: str | None = None,
                 all_learners: bool = False) -> list[Attempt]:
        """Attempts in time order: this learner's (or `learner`'s, or everyone's)."""
        clauses, params = [], []
        if not all_learners:
            clauses.append("learner = ?")
            params.append(learner or self.learner)
        if lab is not None:
            clauses.append("lab = ?")
            params.append(lab)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._open().execute(
            "SELECT learner, lab, question_id, answer, correct, points, time FROM attempts"
            f"{where} ORDER BY id",
            params,
        ).fetchall()
        return [Attempt(r[0], r[1], r[2], r[3], bool(r[4]), float(r[5]), r[6]) for r in rows]

    def count(self) -> int:
        """Attempts of every learner in the store."""
        return int(self._open().execute("SELECT COUNT(*) FROM attempts").fetchone()[0])

    def summary(self, banks: Mapping[str, Mapping[str, float]] | None = None,
                learner: str | None = None) -> list[LabProgress]:
        """Completion and score per lab for this learner; banks default to datasets/quizzes."""
        if banks is None:
            banks = bank_points()
        return summarize(self.attempts(learner=learner), banks, bank_predictions())

    def export_csv(self, target: str | Path, learner: str | None = None,
                   all_learners: bool = False) -> int:
        """Write one row per attempt (columns CSV_COLUMNS); returns the number of rows."""
        rows = self.attempts(learner=learner, all_learners=all_learners)
        with open(target, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for a in rows:
                writer.writerow([a.learner, a.lab, a.question_id, a.answer,
                                 int(a.correct), a.points, a.time])
        return len(rows)


def _identity(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _is_broken(err: BaseException) -> bool:
    """The file is not a usable database (garbage, corrupt pages, a folder in its place)."""
    if isinstance(err, IsADirectoryError):
        return True
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:  # raised by us (quick_check) or by an older sqlite3 module
        return not isinstance(err, sqlite3.OperationalError) or "unable to open" in str(err)
    return (code & 0xFF) in _BROKEN_CODES


def _is_busy(err: BaseException) -> bool:
    if not isinstance(err, sqlite3.OperationalError):
        return False
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (getattr(sqlite3, "SQLITE_BUSY", 5), getattr(sqlite3, "SQLITE_LOCKED", 6))
    text = str(err).lower()
    return "locked" in text or "busy" in text
