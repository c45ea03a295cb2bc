"""Question banks: one YAML (or JSON) file of quiz questions per lab, validated on load.

The format is a superset of jupyterquiz's JSON (https://github.com/jmshea/jupyterquiz, schema/*.json):
`type` (multiple_choice, many_choice, numeric, string), `question`, optional `code`, and `answers`:

- choice answers: `{answer, correct, feedback, code}`;
- numeric answers: `{value, correct, feedback}`, `{range: [low, high], correct, feedback}` (low
  included, high excluded, as in jupyterquiz) or `{type: default, feedback}`; the question may set
  `precision` (significant digits the learner's number and the value are rounded to);
- string answers: `{answer, correct, feedback, match_case, fuzzy_threshold}` or `{type: default, ...}`.

vlab adds, per question: `id` (a slug, unique in its bank), `topic`, `points` (default 1), `hints`
(shown one at a time), `explanation` (shown after an attempt) and `source` (where the fact comes from),
and two labels tools count: `stage` (`quiz`, the default, or `predict`: the learner commits to what a
model will do before the cell that shows it runs; a wrong prediction is learning, scored apart) and
`kind` (`recall` of a fact or a name, `concept` (why / how), `transfer` (the idea in a new case) or
`surprise` (explain a result the learner probably did not expect); default `concept`).
A prediction may carry `reveal`: the section's "What to notice" (Markdown, tables included), which the
prediction widget shows only once the learner has committed, so no answer sits in sight before that.
A bank file is either a list of questions or a mapping `{lab, title, questions: [...]}`.

A broken bank raises `BankError` naming the file, the question id and each reason.
"""
from __future__ import annotations

import difflib
import json
import math
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTION_TYPES = ("multiple_choice", "many_choice", "numeric", "string")
STAGES = ("quiz", "predict")
KINDS = ("recall", "concept", "transfer", "surprise")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# Keys jupyterquiz understands, then the keys vlab adds; anything else is a typo worth reporting.
_JQ_QUESTION_KEYS = {"type", "question", "answers", "code", "precision", "answer_cols", "input_width"}
_VLAB_QUESTION_KEYS = {"id", "topic", "points", "hints", "explanation", "source", "stage", "kind", "reveal"}
_QUESTION_KEYS = _JQ_QUESTION_KEYS | _VLAB_QUESTION_KEYS
_ANSWER_KEYS = {
    "multiple_choice": {"answer", "correct", "feedback", "code"},
    "many_choice": {"answer", "correct", "feedback", "code"},
    "numeric": {"type", "value", "range", "correct", "feedback"},
    "string": {"type", "answer", "correct", "feedback", "match_case", "fuzzy_threshold"},
}
_BANK_KEYS = {"lab", "title", "questions"}
MAX_BANK_BYTES = 2_000_000


class BankError(ValueError):
    """A question bank that cannot be used; `problems` lists every reason found."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s) in the question bank:\n{lines}")


@dataclass(frozen=True)
class Answer:
    """One possible answer. Which fields are set depends on the question type."""

    correct: bool
    feedback: str = ""
    text: str | None = None  # choice and string answers
    code: str | None = None  # choice answers may show code
    value: float | None = None  # numeric: an exact value (after rounding to precision)
    range: tuple[float, float] | None = None  # numeric: [low, high)
    is_default: bool = False  # the feedback given when nothing else matches
    match_case: bool = False  # string answers
    fuzzy_threshold: float | None = None  # string: 1 - edit distance / longer length, at least this


@dataclass(frozen=True)
class Question:
    """A quiz question with vlab's additions (id, points, hints, explanation, source)."""

    id: str
    type: str
    question: str
    answers: tuple[Answer, ...]
    source: str
    topic: str = ""
    points: float = 1.0
    hints: tuple[str, ...] = ()
    explanation: str = ""
    code: str | None = None
    precision: int | None = None
    display: Mapping[str, Any] = field(default_factory=dict)  # jupyterquiz layout keys
    stage: str = "quiz"  # "quiz" or "predict"
    kind: str = "concept"  # "recall", "concept", "transfer" or "surprise"
    reveal: str = ""  # Markdown shown by the prediction widget after the commitment (predictions only)

    @property
    def correct_answers(self) -> tuple[Answer, ...]:
        return tuple(a for a in self.answers if a.correct and not a.is_default)

    @property
    def choices(self) -> tuple[Answer, ...]:
        """The answers a learner can pick or match (the default answer excluded)."""
        return tuple(a for a in self.answers if not a.is_default)


@dataclass(frozen=True)
class Bank:
    """The questions of one lab, in file order."""

    lab: str
    questions: tuple[Question, ...]
    path: str = ""
    title: str = ""

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)

    def get(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        close = difflib.get_close_matches(question_id, self.ids, n=3)
        tip = f" Did you mean: {', '.join(close)}?" if close else ""
        raise KeyError(f"no question '{question_id}' in bank '{self.lab}'.{tip}")

    def subset(self, ids: Iterable[str] | None) -> tuple[Question, ...]:
        """The questions with these ids, in the order given (all questions when ids is None)."""
        if ids is None:
            return self.questions
        if isinstance(ids, str):
            ids = [ids]
        return tuple(self.get(i) for i in ids)


# --------------------------------------------------------------------------- loading


def banks_dir() -> Path:
    from vlab.knowledge.paths import datasets_dir

    return datasets_dir() / "quizzes"


def bank_path(lab: str) -> Path:
    """The bank file of a lab slug (YAML preferred, JSON accepted)."""
    folder = banks_dir()
    for ext in (".yaml", ".yml", ".json"):
        candidate = folder / f"{lab}{ext}"
        if candidate.is_file():
            return candidate
    known = available_banks()
    close = difflib.get_close_matches(lab, known, n=3)
    tip = f" Did you mean: {', '.join(close)}?" if close else ""
    raise FileNotFoundError(
        f"no question bank for lab '{lab}' in {folder}. Banks: {', '.join(known) or 'none'}.{tip}"
    )


def available_banks() -> list[str]:
    """Lab slugs that have a bank file, sorted."""
    folder = banks_dir()
    if not folder.is_dir():
        return []
    return sorted(
        {p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p.is_file()}
    )


def load_bank(lab_or_path: str | Path) -> Bank:
    """Load and validate a bank: a lab slug ("00_start_here") or a path to a .yaml/.json file.

    Raises BankError (a ValueError) listing the file, the question id and the reason of each problem,
    and FileNotFoundError for an unknown lab.
    """
    text_path = str(lab_or_path)
    looks_like_path = isinstance(lab_or_path, Path) or text_path.endswith(
        (".yaml", ".yml", ".json")
    ) or "/" in text_path
    path = Path(lab_or_path) if looks_like_path else bank_path(text_path)
    st = path.stat()  # FileNotFoundError for a missing bank, as documented
    if stat.S_ISDIR(st.st_mode):
        raise BankError(str(path), ["is a folder, not a bank file"])
    if not stat.S_ISREG(st.st_mode):
        raise BankError(str(path), ["is not a regular file (a pipe or a device?)"])
    if st.st_size > MAX_BANK_BYTES:
        raise BankError(str(path), [f"file is larger than {MAX_BANK_BYTES} bytes"])
    try:
        raw_text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise BankError(str(path), [f"not UTF-8 text (byte {err.start})"]) from None
    try:
        if path.suffix == ".json":
            data = json.loads(raw_text)
        else:
            import yaml

            data = yaml.safe_load(raw_text)
    except Exception as err:  # yaml.YAMLError / json.JSONDecodeError carry the line number
        raise BankError(str(path), [f"not valid {path.suffix.lstrip('.').upper()}: {err}"]) from None
    default_lab = path.stem
    return parse_bank(data, lab=default_lab, path=str(path))


def parse_bank(data: Any, lab: str, path: str = "<bank>") -> Bank:
    """Validate already-parsed bank data (a list of questions or {lab, title, questions})."""
    problems: list[str] = []
    title = ""
    if isinstance(data, Mapping):
        unknown = set(data) - _BANK_KEYS
        if unknown:
            problems.append(f"unknown top-level field(s) {sorted(map(str, unknown))}; "
                            f"expected {sorted(_BANK_KEYS)}")
        lab = str(data.get("lab") or lab)
        title = str(data.get("title") or "")
        items = data.get("questions")
    else:
        items = data
    if not isinstance(items, list) or not items:
        problems.append("expected a non-empty list of questions (or a mapping with 'questions:')")
        raise BankError(path, problems)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        where = _where(item, number)
        q_problems: list[str] = []
        question = _parse_question(item, q_problems)
        problems.extend(f"{where}: {p}" for p in q_problems)
        if question is None:
            continue
        if question.id in seen:
            problems.append(
                f"{where}: duplicate id '{question.id}' (already used by question #{seen[question.id]})"
            )
        else:
            seen[question.id] = number
        questions.append(question)
    if problems:
        raise BankError(path, problems)
    return Bank(lab=lab, questions=tuple(questions), path=path, title=title)


def _where(item: Any, number: int) -> str:
    qid = item.get("id") if isinstance(item, Mapping) else None
    return f"question '{qid}' (#{number})" if qid else f"question #{number} (no id)"


def _unknown_keys(keys: Iterable[Any], allowed: set[str], what: str) -> list[str]:
    out = []
    for key in keys:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
        tip = f" (did you mean '{close[0]}'?)" if close else ""
        out.append(f"unknown field '{key}' in {what}{tip}")
    return out


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _text(item: Mapping, key: str, problems: list[str], required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            problems.append(f"missing field '{key}'")
        return ""
    if not isinstance(value, str):
        problems.append(f"'{key}' must be text, got {type(value).__name__}")
        return ""
    if required and not value.strip():
        problems.append(f"'{key}' is empty")
    return value


def _parse_question(item: Any, problems: list[str]) -> Question | None:
    if not isinstance(item, Mapping):
        problems.append(f"expected a mapping of fields, got {type(item).__name__}")
        return None
    problems.extend(_unknown_keys(item, _QUESTION_KEYS, "the question"))
    qid = item.get("id")
    if qid is None:
        problems.append("missing field 'id' (a slug such as 'swap-file-extension')")
        qid = ""
    elif not isinstance(qid, str) or not ID_PATTERN.match(qid):
        problems.append(
            f"id {qid!r} is not a slug: use lower-case letters, digits, '-' and '_' (max 64)"
        )
        qid = str(qid)
    qtype = item.get("type")
    if qtype is None:
        problems.append("missing field 'type'")
    elif qtype not in QUESTION_TYPES:
        close = difflib.get_close_matches(str(qtype), QUESTION_TYPES, n=1)
        tip = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(f"unknown type {qtype!r}; expected one of {', '.join(QUESTION_TYPES)}{tip}")
        qtype = None
    text = _text(item, "question", problems, required=True)
    source = _text(item, "source", problems, required=True)
    topic = _text(item, "topic", problems)
    explanation = _text(item, "explanation", problems)
    code = item.get("code")
    if code is not None and not isinstance(code, str):
        problems.append("'code' must be text")
        code = None

    points = item.get("points", 1)
    if not _is_number(points) or points <= 0:
        problems.append(f"'points' must be a positive number, got {points!r}")
        points = 1
    hints = item.get("hints", [])
    if isinstance(hints, str):
        hints = [hints]
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        problems.append("'hints' must be a list of non-empty texts")
        hints = []
    precision = item.get("precision")
    if precision is not None:
        if qtype != "numeric":
            problems.append("'precision' only applies to numeric questions")
        if not isinstance(precision, int) or isinstance(precision, bool) or not 1 <= precision <= 15:
            problems.append(f"'precision' must be a whole number of significant digits 1-15, "
                            f"got {precision!r}")
            precision = None
    display = {k: item[k] for k in ("answer_cols", "input_width") if k in item}
    stage = _label(item, "stage", STAGES, "quiz", problems)
    kind = _label(item, "kind", KINDS, "concept", problems)
    reveal = _text(item, "reveal", problems)
    if reveal and stage != "predict":
        problems.append("'reveal' belongs to a prediction (stage: predict): a quiz question shows "
                        "its explanation instead")

    raw_answers = item.get("answers")
    answers: list[Answer] = []
    if raw_answers is None:
        problems.append("missing field 'answers'")
    elif not isinstance(raw_answers, list) or not raw_answers:
        problems.append("'answers' must be a non-empty list")
    elif qtype is not None:
        for n, raw in enumerate(raw_answers, start=1):
            a_problems: list[str] = []
            answer = _parse_answer(raw, qtype, a_problems)
            problems.extend(f"answer #{n}: {p}" for p in a_problems)
            if answer is not None:
                answers.append(answer)
        problems.extend(_check_answer_set(qtype, answers))
    if problems:
        return None if not qid else Question(
            id=qid, type=qtype or "", question=text, answers=tuple(answers), source=source
        )
    return Question(
        id=qid,
        type=qtype,
        question=text,
        answers=tuple(answers),
        source=source,
        topic=topic,
        points=float(points),
        hints=tuple(hints),
        explanation=explanation,
        code=code,
        precision=precision,
        display=display,
        stage=stage,
        kind=kind,
        reveal=reveal,
    )


def _label(item: Mapping, key: str, allowed: tuple[str, ...], default: str,
           problems: list[str]) -> str:
    """An optional label from a fixed list."""
    value = item.get(key, default)
    if value not in allowed:
        problems.append(f"'{key}' must be one of {', '.join(allowed)}, got {value!r}")
        return default
    return value


def _parse_answer(raw: Any, qtype: str, problems: list[str]) -> Answer | None:
    if not isinstance(raw, Mapping):
        problems.append(f"expected a mapping such as {{answer: ..., correct: true}}, got {raw!r}")
        return None
    problems.extend(_unknown_keys(raw, _ANSWER_KEYS[qtype], "the answer"))
    feedback = _text(raw, "feedback", problems)
    kind = raw.get("type")
    if kind == "default" and qtype in ("numeric", "string"):
        if raw.get("correct"):
            problems.append("a default answer cannot be correct")
        if not feedback:
            problems.append("a default answer needs 'feedback'")
        return Answer(correct=False, feedback=feedback, is_default=True)
    if kind is not None and kind not in ("value", "range", "default"):
        problems.append(f"answer type {kind!r} must be 'value', 'range' or 'default'")
    correct = raw.get("correct")
    if not isinstance(correct, bool):
        problems.append("missing or non-boolean 'correct' (write correct: true or correct: false)")
        correct = False
    if qtype in ("multiple_choice", "many_choice", "string"):
        text = raw.get("answer")
        if text is None and not (qtype != "string" and raw.get("code")):
            problems.append("missing field 'answer'")
            return None
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)  # YAML reads `answer: 11` as a number; the learner sees text
        if text is not None and not isinstance(text, str):
            problems.append(f"'answer' must be text, got {type(text).__name__}")
            return None
        code = raw.get("code")
        if qtype != "string":
            return Answer(correct=correct, feedback=feedback, text=text or "", code=code)
        match_case = raw.get("match_case", False)
        if not isinstance(match_case, bool):
            problems.append("'match_case' must be true or false")
            match_case = False
        threshold = raw.get("fuzzy_threshold")
        if threshold is not None and (not _is_number(threshold) or not 0 < threshold <= 1):
            problems.append(f"'fuzzy_threshold' must be a number in (0, 1], got {threshold!r}")
            threshold = None
        if not text.strip():
            problems.append("'answer' is empty")
        return Answer(
            correct=correct,
            feedback=feedback,
            text=text,
            match_case=match_case,
            fuzzy_threshold=None if threshold is None else float(threshold),
        )
    # numeric
    has_value, has_range = "value" in raw, "range" in raw
    if has_value == has_range:
        problems.append("a numeric answer needs exactly one of 'value' or 'range' "
                        "(or type: default with feedback)")
        return None
    if has_value:
        value = raw["value"]
        if not _is_number(value):
            problems.append(f"'value' must be a number, got {value!r}")
            return None
        return Answer(correct=correct, feedback=feedback, value=float(value))
    rng = raw["range"]
    if not (isinstance(rng, list) and len(rng) == 2 and all(_is_number(x) for x in rng)):
        problems.append(f"'range' must be [low, high] with two numbers, got {rng!r}")
        return None
    low, high = float(rng[0]), float(rng[1])
    if low >= high:
        word = "reversed" if low > high else "empty"
        problems.append(f"range [{rng[0]}, {rng[1]}] is {word}: the low end must be below the high "
                        "end (low is included, high excluded)")
        return None
    return Answer(correct=correct, feedback=feedback, range=(low, high))


def _check_answer_set(qtype: str, answers: list[Answer]) -> list[str]:
    problems = []
    n_correct = sum(1 for a in answers if a.correct)
    if answers and n_correct == 0:
        problems.append("no answer is marked correct: true")
    if qtype == "multiple_choice" and n_correct > 1:
        problems.append(f"{n_correct} answers are correct in a multiple_choice question; "
                        "use type: many_choice or mark one")
    if qtype in ("multiple_choice", "many_choice"):
        if len(answers) < 2:
            problems.append("a choice question needs at least two answers")
        texts = [a.text for a in answers if a.text]
        dupes = sorted({t for t in texts if texts.count(t) > 1})
        if dupes:
            problems.append(f"duplicate answer text {dupes}")
    if sum(1 for a in answers if a.is_default) > 1:
        problems.append("more than one default answer")
    return problems


# --------------------------------------------------------------------------- export


def to_jupyterquiz(questions: Iterable[Question]) -> list[dict[str, Any]]:
    """The questions as jupyterquiz's `display_quiz` expects them; vlab-only fields are dropped."""
    return [_jq_question(q) for q in questions]


def _jq_question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"question": q.question, "type": q.type}
    if q.code:
        out["code"] = q.code
    if q.precision is not None:
        out["precision"] = q.precision
    if q.type in ("multiple_choice", "many_choice") and "answer_cols" in q.display:
        out["answer_cols"] = q.display["answer_cols"]
    if q.type == "string" and "input_width" in q.display:
        out["input_width"] = q.display["input_width"]
    answers: list[dict[str, Any]] = []
    for a in q.answers:
        if a.is_default:
            answers.append({"type": "default", "feedback": a.feedback})
            continue
        item: dict[str, Any]
        if q.type in ("multiple_choice", "many_choice"):
            item = {"answer": a.text or "", "correct": a.correct}
            if a.code:
                item["code"] = a.code
        elif q.type == "numeric":
            if a.value is not None:
                item = {"type": "value", "value": _plain_number(a.value), "correct": a.correct}
            else:
                low, high = a.range or (0.0, 0.0)
                item = {"type": "range", "range": [_plain_number(low), _plain_number(high)],
                        "correct": a.correct}
        else:
            item = {"answer": a.text or "", "correct": a.correct}
            if a.match_case:
                item["match_case"] = True
            if a.fuzzy_threshold is not None:
                item["fuzzy_threshold"] = a.fuzzy_threshold
        if a.feedback:
            item["feedback"] = a.feedback
        answers.append(item)
    out["answers"] = answers
    return out


def _plain_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
