"""The checker widget: an exercise, the learner's work, a Check button, per-criterion results.

Labs use it for "fix this config" and "design this setup" exercises. The learner's work is either a
text area (give `work` as the initial text), or anything else the check function should look at:
a callable returning the current state (`work=lambda: host`), or a model object passed as is and
inspected each time Check is pressed. The check function returns a list of
vlab.learn.checks.Criterion; vlab.learn.checks.run_check turns exceptions (a ValueError from
malformed input, say) into failed criteria, so the learner sees a message, not a traceback.

Every check is recorded as an attempt (lab, exercise id; full points only when all criteria pass).
Hints are graduated by the number of failed checks (Criterion.hint_at): the idea first, then the
direction, and the exact value never before the third failed check.
CSS classes: vlab-checker, vlab-checker-work, vlab-checker-check, vlab-checker-results.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from vlab.learn.checks import CheckFunction, CheckReport, Criterion, run_check
from vlab.learn.progress import ProgressStore
from vlab.learn.render import criteria_html, inline_markdown, markdown_block

__all__ = ["CheckerWidget", "Criterion"]


class CheckerWidget(widgets.VBox):
    """An exercise checked by `check(work) -> list[Criterion]`.

    statement: Markdown-ish text (paragraphs, '-' lists, `code`, **bold**) or HTML.
    work: str -> a text area with this initial text, and check gets its current text;
          callable -> check gets work() at each Check; any other object -> check gets the object.
    exercise_id, lab: where the attempt is recorded; points: awarded when all criteria pass.
    """

    def __init__(self, statement: str, check: CheckFunction, *, exercise_id: str, lab: str,
                 work: str | Callable[[], Any] | Any = "", points: float = 1.0,
                 title: str = "", learner: str | None = None,
                 store: ProgressStore | None = None, record: bool = True,
                 rows: int = 10) -> None:
        if not callable(check):
            raise TypeError("check must be a function taking the learner's work and "
                            "returning a list of Criterion")
        if not exercise_id:
            raise ValueError("exercise_id is required: progress is recorded under it")
        self.check_function = check
        self.exercise_id = exercise_id
        self.lab = lab
        self.points = float(points)
        self.learner = learner
        self.record = record
        self._store = store
        self.report: CheckReport | None = None
        self.attempts = 0
        self.failed_checks = 0  # hints grow with it: the idea, the direction, the answer from the 3rd

        heading = f"<h4>{inline_markdown(title)}</h4>" if title else ""
        self.statement = widgets.HTML(
            f"<div class='vlab-checker-statement'>{heading}{markdown_block(statement)}</div>"
        )
        self.work: widgets.Textarea | None = None
        self._work_source = work
        children: list[widgets.Widget] = [self.statement]
        if isinstance(work, str):
            self.work = widgets.Textarea(
                value=work, description="Your work:", rows=rows,
                layout=widgets.Layout(width="95%"), style={"description_width": "initial"},
                continuous_update=False,
            )
            self.work.add_class("vlab-checker-work")
            children.append(self.work)
        self.check_button = widgets.Button(
            description="Check", tooltip="Check your work against the exercise's criteria",
            button_style="primary",
        )
        self.check_button.add_class("vlab-checker-check")
        self.check_button.on_click(lambda _b: self.check())
        self.results = widgets.HTML("")
        self.results.add_class("vlab-checker-results")
        children += [self.check_button, self.results]
        super().__init__(children)
        self.add_class("vlab-checker")

    def current_work(self) -> Any:
        if self.work is not None:
            return self.work.value
        source = self._work_source
        return source() if callable(source) else source

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed

    def check(self) -> CheckReport:
        """Run the check on the current work, show the results, record the attempt."""
        try:
            work = self.current_work()
        except Exception as err:  # noqa: BLE001 - the learner's state may be broken
            report = CheckReport(
                criteria=(Criterion(False, f"Your work could not be read: {err}",
                                    "Re-run the cells above, then check again."),),
                error=str(err),
            )
            work = None
        else:
            report = run_check(self.check_function, work)
        self.report = report
        self.attempts += 1
        if not report.passed:
            self.failed_checks += 1
        note = self._record(work, report)
        self.results.value = criteria_html(report, max(1, self.failed_checks)) + note
        return report

    def _record(self, work: Any, report: CheckReport) -> str:
        if not self.record:
            return ""
        try:
            if self._store is None:
                self._store = ProgressStore(learner=self.learner)
            self._store.record(self.lab, self.exercise_id, _jsonable(work), report.passed,
                               self.points if report.passed else 0.0)
        except (sqlite3.Error, OSError) as err:
            return f"<div><small>(Your progress could not be saved: {err})</small></div>"
        return ""


def _jsonable(work: Any) -> Any:
    if work is None or isinstance(work, (str, int, float, bool, list, dict)):
        return work
    return repr(work)
