"""Text and HTML for quiz feedback, checker results and progress tables. Pure: widgets only show it.

Accessibility: a result is never carried by colour alone. Every line starts with a symbol
(✓ correct, ✗ not correct, ⚠ not an attempt) and says it in words; live regions are marked
role="status" so a screen reader announces new feedback.
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence

from vlab.learn.checks import CheckReport
from vlab.learn.grading import CORRECT_MARK, INVALID_MARK, WRONG_MARK, GradeResult
from vlab.learn.progress import LabProgress

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?!\w)")


def inline_markdown(text: str) -> str:
    """Escape `text` for HTML, then render `code`, **bold** and *italic*."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def markdown_block(text: str) -> str:
    """A small Markdown subset for exercise statements: paragraphs, '-' lists, inline marks.

    Text that already starts with an HTML tag is passed through as written by the lab author.
    """
    stripped = text.strip()
    if stripped.startswith("<"):
        return stripped
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", stripped):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            items = "".join(f"<li>{inline_markdown(ln[2:])}</li>" for ln in lines)
            parts.append(f"<ul>{items}</ul>")
        elif lines:
            parts.append(f"<p>{inline_markdown(' '.join(lines))}</p>")
    return "".join(parts)


def _mark(correct: bool) -> str:
    return CORRECT_MARK if correct else WRONG_MARK


def _status_box(kind: str, body: str) -> str:
    # The left border is decoration only; the symbol and words carry the meaning.
    colours = {"correct": "#1a7f37", "wrong": "#b42318", "invalid": "#9a6700", "info": "#57606a"}
    return (
        f"<div role='status' aria-live='polite' class='vlab-result vlab-result-{kind}' "
        f"style='border-left:4px solid {colours[kind]};padding:2px 8px;margin:4px 0'>{body}</div>"
    )


def feedback_html(result: GradeResult, question_type: str = "") -> str:
    """The feedback for one graded answer: a verdict line, then one line per chosen answer."""
    if not result.valid:
        return _status_box("invalid", f"<b>{html.escape(result.message)}</b> "
                           "(not counted as an attempt)")
    verdict = html.escape(result.message)
    points = f" {result.points:g} of {result.max_points:g} point(s)."
    lines = [f"<b>{verdict}</b>{points}"]
    if question_type == "many_choice":
        items = "".join(
            f"<li>{_mark(d.correct)} {html.escape(d.text)}: "
            f"{'a correct answer' if d.correct else 'not a correct answer'}"
            f"{' &mdash; ' + inline_markdown(d.feedback) if d.feedback else ''}</li>"
            for d in result.details
        )
        lines.append(f"<ul style='list-style:none;padding-left:0'>{items}</ul>")
    elif result.feedback:
        lines.append(f"<div>{inline_markdown(result.feedback)}</div>")
    return _status_box("correct" if result.correct else "wrong", "".join(lines))


def explanation_html(explanation: str, source: str) -> str:
    if not explanation and not source:
        return ""
    body = f"<b>Explanation:</b> {inline_markdown(explanation)}" if explanation else ""
    if source:
        body += f"<br><small>Source: {inline_markdown(source)}</small>"
    return f"<div class='vlab-explanation'>{body}</div>"


def hints_html(hints: Sequence[str], shown: int) -> str:
    if shown <= 0:
        return ""
    items = "".join(
        f"<li>Hint {i} of {len(hints)}: {inline_markdown(h)}</li>"
        for i, h in enumerate(hints[:shown], start=1)
    )
    return f"<ul role='status' aria-live='polite' class='vlab-hints'>{items}</ul>"


def score_text(points: float, max_points: float, correct: int, total: int, attempts: int) -> str:
    return (f"Score: {points:g} of {max_points:g} points; {correct} of {total} questions "
            f"answered correctly; {attempts} attempt(s).")


# Read aloud by a screen reader, not shown (no style sheet is loaded into a notebook, so it is inline).
_SCREEN_READER_ONLY = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                       "clip:rect(0,0,0,0);white-space:nowrap;border:0")
HINT_LABELS = ("", "Hint", "Hint (which way)", "Hint (the answer)")


def criteria_html(report: CheckReport, failed_checks: int = 1) -> str:
    """Per-criterion results with ✓/✗, under each failure the hint earned after `failed_checks` failed
    checks (the idea, then the direction, the exact answer only from the third), and a verdict."""
    items = []
    for c in report.criteria:
        word = "passed" if c.passed else "not yet"
        text = "" if c.passed else c.hint_at(failed_checks)
        label = HINT_LABELS[c.hint_level(failed_checks)] if text else ""
        hint = f"<br><small>{label}: {inline_markdown(text)}</small>" if text else ""
        items.append(f"<li>{_mark(c.passed)} <span class='vlab-sr' style='{_SCREEN_READER_ONLY}'>({word})</span> "
                     f"{inline_markdown(c.message)}{hint}</li>")
    total = len(report.criteria)
    if report.passed:
        verdict = f"{CORRECT_MARK} All {total} checks pass."
    else:
        verdict = f"{WRONG_MARK} {report.passed_count} of {total} checks pass."
    body = (f"<b>{html.escape(verdict)}</b>"
            f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>")
    return _status_box("correct" if report.passed else "wrong", body)


def progress_rows_text(rows: Sequence[LabProgress]) -> list[tuple[str, str, str, str, str, str]]:
    """(lab, completion, questions, points, predictions, attempts) as text, one tuple per lab.

    Predictions read "right/made" and stay out of the score."""
    out = []
    for r in rows:
        if r.completion is None:
            completion, questions, points = "no quiz", "-", "-"
        else:
            completion = f"{r.completion:.0%}"
            questions = f"{r.questions_correct}/{r.questions_total}"
            points = f"{r.points_earned:g}/{r.points_possible:g}"
        predicted = f"{r.predictions_right}/{r.predictions_made}" if r.predictions_made else "-"
        out.append((r.lab, completion, questions, points, predicted, str(r.attempts)))
    return out


PROGRESS_HEADER = ("lab", "completion", "questions", "points", "predictions", "attempts")


def progress_table_html(rows: Sequence[LabProgress]) -> str:
    head = "".join(f"<th scope='col' style='text-align:left;padding-right:1em'>{h}</th>"
                   for h in PROGRESS_HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding-right:1em'>{html.escape(c)}</td>" for c in row)
        + "</tr>"
        for row in progress_rows_text(rows)
    )
    if not rows:
        body = f"<tr><td colspan='{len(PROGRESS_HEADER)}'>No quiz banks and no attempts yet.</td></tr>"
    return (f"<table class='vlab-progress-table'><caption>Quiz completion per lab</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# Re-exported for widgets that only need the marks.
__all__ = [
    "CORRECT_MARK",
    "INVALID_MARK",
    "WRONG_MARK",
    "criteria_html",
    "explanation_html",
    "feedback_html",
    "hints_html",
    "inline_markdown",
    "markdown_block",
    "progress_rows_text",
    "progress_table_html",
    "score_text",
]
