"""Grading a learner's answer to one quiz question: a pure function, no widgets, no storage.

Rules follow jupyterquiz's JavaScript so an exported bank behaves the same there:
- multiple_choice: the chosen answer's `correct` decides; many_choice: the chosen set must equal the
  set of correct answers (all or nothing, as nbgrader-jupyterquiz scores it);
- numeric: answers are tried in order, the first that matches gives the feedback; with `precision`
  both numbers are rounded to that many significant digits first; a range is [low, high); fractions
  such as "1/2" are accepted;
- string: surrounding spaces are ignored, case too unless `match_case`; with `fuzzy_threshold` an
  answer within that similarity (1 - edit distance / longer length) matches.

An answer of the wrong kind (letters for a number, nothing chosen, a list for a single choice, None)
is not an attempt: the result has `valid=False`, a message saying what to enter, and is not recorded.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from vlab.learn.bank import Answer, Question

CORRECT_MARK = "✓"
WRONG_MARK = "✗"
INVALID_MARK = "⚠"


@dataclass(frozen=True)
class AnswerFeedback:
    """The feedback for one answer the learner chose or matched."""

    text: str  # the answer as shown (or the learner's entry for numeric/string)
    correct: bool
    feedback: str


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one answer.

    `valid` is False when the answer was of the wrong kind; such a result is not an attempt.
    `answer` is the learner's answer in a JSON-friendly form, for the progress store.
    """

    correct: bool
    points: float
    feedback: str
    message: str
    valid: bool = True
    max_points: float = 1.0
    answer: Any = None
    details: tuple[AnswerFeedback, ...] = ()


def grade(question: Question, answer: Any) -> GradeResult:
    """Grade `answer` for `question`; never raises for a learner's mistake.

    Answer forms: multiple_choice -> an answer index (into question.answers) or the answer text;
    many_choice -> a list/tuple/set of indices or texts; numeric -> a number or text ("11", "0.5",
    "1/2"); string -> text.
    """
    if question.type == "multiple_choice":
        return _grade_single(question, answer)
    if question.type == "many_choice":
        return _grade_many(question, answer)
    if question.type == "numeric":
        return _grade_numeric(question, answer)
    if question.type == "string":
        return _grade_string(question, answer)
    raise ValueError(f"question '{question.id}' has unknown type {question.type!r}")


def _invalid(question: Question, message: str, answer: Any = None) -> GradeResult:
    return GradeResult(
        correct=False,
        points=0.0,
        feedback="",
        message=f"{INVALID_MARK} {message}",
        valid=False,
        max_points=question.points,
        answer=answer,
    )


def _scored(question: Question, correct: bool, feedback: str, answer: Any,
            details: tuple[AnswerFeedback, ...] = (), note: str = "") -> GradeResult:
    if correct:
        message = f"{CORRECT_MARK} Correct"
    else:
        message = f"{WRONG_MARK} Not correct"
    message += f" ({note})." if note else "."
    return GradeResult(
        correct=correct,
        points=question.points if correct else 0.0,
        feedback=feedback,
        message=message,
        valid=True,
        max_points=question.points,
        answer=answer,
        details=details,
    )


def _choice_index(question: Question, item: Any) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item if 0 <= item < len(question.answers) else None
    if isinstance(item, str):
        for i, a in enumerate(question.answers):
            if a.text == item:
                return i
    return None


def _label(a: Answer) -> str:
    return a.text or (a.code or "")


def _grade_single(question: Question, answer: Any) -> GradeResult:
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return _invalid(question, "No answer chosen: pick one of the answers, then Check.")
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        return _invalid(question, "This question takes exactly one answer, not a list.")
    index = _choice_index(question, answer)
    if index is None:
        return _invalid(question, f"{answer!r} is not one of the answers; pick one of them.")
    chosen = question.answers[index]
    detail = AnswerFeedback(_label(chosen), chosen.correct, chosen.feedback)
    return _scored(question, chosen.correct, chosen.feedback, _label(chosen), (detail,))


def _grade_many(question: Question, answer: Any) -> GradeResult:
    if answer is None:
        return _invalid(question, "No answer chosen: tick every answer that applies, then Check.")
    if isinstance(answer, (str, int)) and not isinstance(answer, bool):
        answer = [answer]  # one ticked box given bare
    if not isinstance(answer, Iterable) or isinstance(answer, (bytes, dict)):
        return _invalid(question, "Give the chosen answers as a list.")
    indices: set[int] = set()
    for item in answer:
        index = _choice_index(question, item)
        if index is None:
            return _invalid(question, f"{item!r} is not one of the answers.")
        indices.add(index)
    if not indices:
        return _invalid(question, "No answer chosen: tick every answer that applies, then Check.")
    wanted = {i for i, a in enumerate(question.answers) if a.correct}
    chosen = sorted(indices)
    details = tuple(
        AnswerFeedback(_label(question.answers[i]), question.answers[i].correct,
                       question.answers[i].feedback)
        for i in chosen
    )
    correct = indices == wanted
    right = len(indices & wanted)
    note = f"{right} of {len(wanted)} correct answers chosen"
    wrong = len(indices - wanted)
    if wrong:
        note += f", {wrong} wrong"
    feedback = "\n".join(d.feedback for d in details if d.feedback)
    return _scored(question, correct, feedback, [_label(question.answers[i]) for i in chosen],
                   details, note)


def parse_number(entry: Any) -> float:
    """A learner's number: an int/float or text such as "11", "-0.5", "2e3" or "1/2".

    Raises ValueError with a message a learner can act on.
    """
    if isinstance(entry, bool) or entry is None:
        raise ValueError("Type a number, such as 11 or 0.5.")
    if isinstance(entry, (int, float)):
        value = float(entry)
    elif isinstance(entry, str):
        text = entry.strip().replace("\u2212", "-").replace(" ", "")
        if not text:
            raise ValueError("Type a number, such as 11 or 0.5.")
        try:
            if text.count("/") == 1:
                top, bottom = text.split("/")
                value = float(top) / float(bottom)
            else:
                value = float(text)
        except ZeroDivisionError:
            raise ValueError(f"'{entry}' divides by zero; type a number.") from None
        except ValueError:
            raise ValueError(
                f"'{entry.strip()}' is not a number: type digits such as 11, 0.5, 2e3 or 1/2."
            ) from None
    else:
        raise ValueError(f"Expected a number, got {type(entry).__name__}: type digits such as 11.")
    if not math.isfinite(value):
        raise ValueError(f"'{entry}' is not a finite number.")
    return value


def round_significant(x: float, digits: int) -> float:
    """`x` rounded to `digits` significant digits as JavaScript's `toPrecision` (jupyterquiz) does.

    Like toPrecision it works on the float's exact binary value and breaks an exact tie away from
    zero (20.5 -> 21, 0.125 -> 0.13), where Python's own formatting would round half to even.
    """
    if x == 0 or not math.isfinite(x):
        return x
    exact = Decimal(x)
    step = Decimal(1).scaleb(exact.adjusted() - digits + 1)
    return float(exact.quantize(step, rounding=ROUND_HALF_UP))


def _grade_numeric(question: Question, answer: Any) -> GradeResult:
    if isinstance(answer, (list, tuple, set, dict)):
        return _invalid(question, "Type one number.")
    try:
        number = parse_number(answer)
    except ValueError as err:
        return _invalid(question, str(err), answer if isinstance(answer, (str, int, float)) else None)
    shown = number
    if question.precision:
        number = round_significant(number, question.precision)
    recorded = answer.strip() if isinstance(answer, str) else number
    default_feedback = ""
    for a in question.answers:
        if a.is_default:
            default_feedback = a.feedback
            continue
        if a.value is not None:
            target = round_significant(a.value, question.precision) if question.precision else a.value
            hit = math.isclose(number, target, rel_tol=1e-9, abs_tol=1e-12)
        else:
            low, high = a.range  # type: ignore[misc]
            hit = low <= number < high
        if hit:
            detail = AnswerFeedback(_format_number(shown), a.correct, a.feedback)
            return _scored(question, a.correct, a.feedback, recorded, (detail,))
    detail = AnswerFeedback(_format_number(shown), False, default_feedback)
    return _scored(question, False, default_feedback, recorded, (detail,))


def _format_number(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:g}"


def similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / length of the longer text (1.0 = identical), as jupyterquiz."""
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def _grade_string(question: Question, answer: Any) -> GradeResult:
    if answer is None:
        return _invalid(question, "Type an answer, then Check.")
    if not isinstance(answer, str):
        return _invalid(question, f"Type your answer as text, not {type(answer).__name__}.")
    entry = answer.strip()
    if not entry:
        return _invalid(question, "Type an answer, then Check.", answer)
    default_feedback = ""
    for a in question.answers:
        if a.is_default:
            default_feedback = a.feedback
            continue
        target = a.text or ""
        got, want = (entry, target) if a.match_case else (entry.lower(), target.lower())
        note = ""
        hit = got == want
        if not hit and a.fuzzy_threshold is not None:
            hit = similarity(got, want) >= a.fuzzy_threshold
            note = f"accepted as close to '{target}'" if hit and a.correct else ""
        if hit:
            detail = AnswerFeedback(entry, a.correct, a.feedback)
            return _scored(question, a.correct, a.feedback, entry, (detail,), note)
    detail = AnswerFeedback(entry, False, default_feedback)
    return _scored(question, False, default_feedback, entry, (detail,))
