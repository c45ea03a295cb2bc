"""A workshop's class table from the participants' `vlab progress --export` files.

Each participant's CSV holds one row per graded attempt (columns CSV_COLUMNS of vlab.learn.progress).
`read_export` checks a file row by row and says file, line and reason for anything it cannot use;
`class_table` merges the attempts of many files (an attempt sent twice counts once) into one row per
learner with completion and points per lab, using the same rules as `vlab progress`.
Pure Python: no pandas, no widgets.
"""
from __future__ import annotations

import csv
import json
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vlab.learn.progress import CSV_COLUMNS, Attempt, LabProgress, summarize

MAX_EXPORT_BYTES = 50 * 1024 * 1024  # a workshop's file is kilobytes; refuse anything absurd


class ScoreFileError(ValueError):
    """An export file that cannot be used at all (missing, unreadable, not a vlab export)."""


@dataclass(frozen=True)
class ExportFile:
    """The usable attempts of one export file and one message per row that was left out."""

    path: Path
    attempts: list[Attempt]
    problems: list[str]


@dataclass(frozen=True)
class LearnerScores:
    """One learner's row of the class table."""

    learner: str
    labs: dict[str, LabProgress]

    @property
    def points_earned(self) -> float:
        return sum(p.points_earned for p in self.labs.values())

    @property
    def points_possible(self) -> float:
        return sum(p.points_possible for p in self.labs.values())

    @property
    def questions_correct(self) -> int:
        return sum(p.questions_correct for p in self.labs.values())

    @property
    def questions_total(self) -> int:
        return sum(p.questions_total for p in self.labs.values())


def _row_problem(row: dict[str, str]) -> str | None:
    """Why a CSV row is not a usable attempt, or None when it is."""
    for column in ("learner", "lab", "question_id"):
        if not (row.get(column) or "").strip():
            return f"empty '{column}'"
    if row.get("correct") not in ("0", "1"):
        return f"'correct' must be 0 or 1, not {row.get('correct')!r}"
    try:
        points = float(row.get("points") or "")
    except ValueError:
        return f"'points' must be a number, not {row.get('points')!r}"
    if not points >= 0:  # also refuses nan
        return f"'points' must be zero or more, not {row.get('points')!r}"
    try:
        json.loads(row.get("answer") or "")
    except ValueError:
        return "'answer' is not the JSON text vlab writes"
    try:
        datetime.fromisoformat(row.get("time") or "")
    except ValueError:
        return f"'time' must be an ISO 8601 time, not {row.get('time')!r}"
    return None


def read_export(path: str | Path) -> ExportFile:
    """Read one `vlab progress --export` file.

    Raises ScoreFileError when the file as a whole is unusable (missing, too large, binary, wrong header);
    a bad row is left out and described in `problems` with its line number, the other rows are kept.
    """
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ScoreFileError(f"{path} is a folder; give the exported .csv files inside it")
        if not stat.S_ISREG(st.st_mode):
            raise ScoreFileError(f"{path} is not a regular file (a pipe or a device?)")
        size = st.st_size
        if size > MAX_EXPORT_BYTES:
            raise ScoreFileError(f"{path}: {size} bytes is too large for a vlab export")
        raw = path.read_bytes()
    except OSError as err:
        raise ScoreFileError(f"{path}: cannot read it ({err.strerror or err})") from None
    if b"\x00" in raw:
        raise ScoreFileError(f"{path}: binary content, not a CSV written by `vlab progress --export`")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScoreFileError(f"{path}: not UTF-8 text (byte {err.start})") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    if header != CSV_COLUMNS:
        raise ScoreFileError(
            f"{path}: line 1 must be the header {','.join(CSV_COLUMNS)} "
            f"(got {','.join(header) or 'an empty file'}); is it a `vlab progress --export` file?"
        )
    attempts: list[Attempt] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{path}:{line}: expected {len(CSV_COLUMNS)} columns")
            continue
        why = _row_problem(row)
        if why:
            problems.append(f"{path}:{line}: {why}")
            continue
        attempts.append(Attempt(
            learner=row["learner"].strip(), lab=row["lab"].strip(),
            question_id=row["question_id"].strip(), answer=row["answer"],
            correct=row["correct"] == "1", points=float(row["points"]), time=row["time"],
        ))
    return ExportFile(path=path, attempts=attempts, problems=problems)


def merge(files: Iterable[ExportFile]) -> list[Attempt]:
    """All attempts of the files in time order; an attempt found in several files counts once.

    Two identical rows inside one file are two attempts (times are stored to the millisecond, so
    quick repeats can coincide); across files a row counts as often as the file holding it most.
    """
    most: dict[tuple, list[Attempt]] = {}
    for f in files:
        here: dict[tuple, list[Attempt]] = {}
        for a in f.attempts:
            here.setdefault((a.learner, a.lab, a.question_id, a.answer, a.correct, a.time), []).append(a)
        for key, rows in here.items():
            if len(rows) > len(most.get(key, ())):
                most[key] = rows
    merged = [a for rows in most.values() for a in rows]
    return sorted(merged, key=lambda a: (a.time, a.learner, a.lab, a.question_id))


def class_table(attempts: Iterable[Attempt],
                banks: Mapping[str, Mapping[str, float]],
                predictions: Mapping[str, Iterable[str]] | None = None) -> list[LearnerScores]:
    """One row per learner (sorted by name) with `summarize`'s completion and points per lab."""
    by_learner: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_learner.setdefault(a.learner, []).append(a)
    return [
        LearnerScores(learner, {p.lab: p for p in summarize(rows, banks, predictions)})
        for learner, rows in sorted(by_learner.items())
    ]


TABLE_COLUMNS = ("learner", "lab", "questions_correct", "questions_total", "completion",
                 "points_earned", "points_possible", "attempts", "exercises_passed",
                 "predictions_made", "predictions_right")


def write_table(table: list[LearnerScores], target: str | Path) -> int:
    """Write the class table as CSV, one row per learner and lab; returns the number of rows."""
    n = 0
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TABLE_COLUMNS)
        for row in table:
            for p in row.labs.values():
                completion = "" if p.completion is None else f"{p.completion:.4f}"
                writer.writerow([row.learner, p.lab, p.questions_correct, p.questions_total,
                                 completion, f"{p.points_earned:g}", f"{p.points_possible:g}",
                                 p.attempts, p.exercises_passed, p.predictions_made,
                                 p.predictions_right])
                n += 1
    return n
