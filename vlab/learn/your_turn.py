"""Your-turn cells: the learner writes a few lines that drive a model; a one-line check judges the result
by running the model (never by comparing text), gives feedback and records the attempt.

A lab cell ends with `your_turn(LAB, ID, thing)`: `thing` is what the learner built or changed (a switch,
a host, a folder). The exercise's `check(thing)` returns `Criterion`s, exactly like a checker's, and
`run_check` turns a learner's mistake into a failed criterion, not a traceback. Hints are graduated:
the first failed check shows each failed criterion's idea, the second its direction, and only the third
or later the exact answer (Criterion.hint_at).

Each exercises module lists its turns in `YOUR_TURNS`; `starter` is the cell's code as the learner finds
it, so tests can prove the starter fails and a right answer passes. Standard library only.
"""
from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vlab.learn.checks import CheckReport, Criterion, run_check
from vlab.learn.progress import ProgressStore


@dataclass(frozen=True)
class YourTurn:
    """One your-turn exercise of a lab."""

    lab: str
    id: str
    task: str  # one sentence: what to make the model do
    check: Callable[[Any], Iterable[Criterion]]
    starter: str  # the cell's code as the learner finds it (it must fail the check)
    points: float = 1.0

    @property
    def record_id(self) -> str:
        return f"your-turn-{self.id}"


@dataclass(frozen=True)
class YourTurnResult:
    turn: YourTurn
    report: CheckReport
    attempt: int  # 1 for the first check of this turn in this kernel
    note: str = ""
    failed_checks: int = 1  # failed checks of this turn so far, this one included: the hint level

    def hint(self, criterion: Criterion) -> str:
        return "" if criterion.passed else criterion.hint_at(max(1, self.failed_checks))

    @property
    def passed(self) -> bool:
        return self.report.passed

    def lines(self) -> list[str]:
        head = ("Passed: " if self.passed else "Not yet: ") + self.turn.task
        out = [head]
        for c in self.report.criteria:
            out.append(f"  {'✔' if c.passed else '✘'} {c.message}")
            if self.hint(c):
                out.append(f"      hint: {self.hint(c)}")
        if self.note:
            out.append(self.note)
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#b35900"
        items = "".join(
            f"<li>{'✔' if c.passed else '✘'} {html.escape(c.message)}"
            + (f"<br><small>hint: {html.escape(self.hint(c))}</small>" if self.hint(c) else "")
            + "</li>"
            for c in self.report.criteria
        )
        head = "Passed" if self.passed else "Not yet"
        note = f"<div><small>{html.escape(self.note)}</small></div>" if self.note else ""
        return (f"<div class='vlab-your-turn' role='status'><b style='color:{colour}'>{head}:</b> "
                f"{html.escape(self.turn.task)}<ul>{items}</ul>{note}</div>")


# Checks and failed checks of each turn in this kernel: the attempt number, and how far the hints go.
_ATTEMPTS: dict[tuple[str, str], int] = {}
_FAILED: dict[tuple[str, str], int] = {}


def check_turn(turn: YourTurn, work: Any, *, store: ProgressStore | None = None,
               record: bool = True) -> YourTurnResult:
    """Judge `work` with the turn's model-based check, record the attempt, return the feedback."""
    key = (turn.lab, turn.id)
    _ATTEMPTS[key] = _ATTEMPTS.get(key, 0) + 1
    report = run_check(turn.check, work)
    if not report.passed:
        _FAILED[key] = _FAILED.get(key, 0) + 1
    note = ""
    if record:
        try:
            owned = store is None
            target = store if store is not None else ProgressStore()
            try:
                target.record(turn.lab, turn.record_id, {"passed": report.passed},
                              report.passed, turn.points if report.passed else 0.0)
            finally:
                if owned:
                    target.close()
        except (sqlite3.Error, OSError) as err:
            note = f"(Your attempt could not be saved: {err})"
    return YourTurnResult(turn, report, _ATTEMPTS[key], note, max(1, _FAILED.get(key, 0)))
