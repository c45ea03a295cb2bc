"""Pure grading: jupyterquiz's rules (first match wins, [low, high) ranges, significant-digit
precision, case and fuzzy matching) and a clear, non-attempt result for an answer of the wrong kind."""
from __future__ import annotations

import csv
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.learn import available_banks, grade, load_bank, parse_bank
from vlab.learn.bank import Question
from vlab.learn.grading import parse_number, round_significant, similarity


def q(**fields):
    base = {"id": "q", "source": "test", "question": "?"}
    base.update(fields)
    return parse_bank([base], lab="t").questions[0]


SINGLE = q(type="multiple_choice", points=2, answers=[
    {"answer": ".vswp", "correct": True, "feedback": "swap"},
    {"answer": ".vmss", "correct": False, "feedback": "suspend"},
    {"answer": ".vmsd", "correct": False, "feedback": "snapshots"},
])
MANY = q(type="many_choice", answers=[
    {"answer": "VC Database", "correct": True, "feedback": "db"},
    {"answer": "VC Agent", "correct": True, "feedback": "agent"},
    {"answer": "VMFS", "correct": False, "feedback": "file system"},
])
NUMERIC = q(type="numeric", answers=[
    {"value": 11, "correct": True, "feedback": "eleven"},
    {"range": [1, 11], "correct": False, "feedback": "too few"},
    {"range": [11, 100], "correct": False, "feedback": "too many"},
    {"type": "default", "feedback": "count them"},
])
PI = q(type="numeric", precision=3, answers=[
    {"value": 3.14159, "correct": True, "feedback": "pi"},
    {"type": "default", "feedback": "not pi"},
])
STRING = q(type="string", answers=[
    {"answer": "vmsd", "correct": True, "feedback": "yes"},
    {"answer": ".vmsd", "correct": True, "feedback": "yes"},
    {"answer": "VMSN", "correct": False, "match_case": True, "feedback": "upper-case vmsn"},
    {"type": "default", "feedback": "look at the list"},
])
FUZZY = q(type="string", answers=[
    {"answer": "binary", "correct": True, "fuzzy_threshold": 0.8, "feedback": "yes"},
])


# ---------------------------------------------------------------- choice questions


def test_single_choice_by_index_and_by_text_with_per_answer_feedback():
    right = grade(SINGLE, 0)
    assert right.valid and right.correct and right.points == 2 and right.feedback == "swap"
    assert right.message.startswith("✓")
    wrong = grade(SINGLE, ".vmsd")
    assert wrong.valid and not wrong.correct and wrong.points == 0 and wrong.feedback == "snapshots"
    assert wrong.message.startswith("✗") and wrong.answer == ".vmsd"


def test_many_choice_is_all_or_nothing_and_reports_how_many_were_found():
    partial = grade(MANY, [0])
    assert partial.valid and not partial.correct and "1 of 2" in partial.message
    extra = grade(MANY, [0, 1, 2])
    assert not extra.correct and "2 of 2" in extra.message and "1 wrong" in extra.message
    assert [d.feedback for d in extra.details] == ["db", "agent", "file system"]
    full = grade(MANY, {"VC Agent", "VC Database"})
    assert full.correct and full.points == 1 and full.answer == ["VC Database", "VC Agent"]


# ---------------------------------------------------------------- numeric


@pytest.mark.parametrize("entry,correct,feedback", [
    ("11", True, "eleven"),
    (11, True, "eleven"),
    ("11.0", True, "eleven"),
    ("22/2", True, "eleven"),  # jupyterquiz accepts fractions
    ("10.99", False, "too few"),
    ("1", False, "too few"),  # low end of [1, 11) is included
    ("100", False, "count them"),  # high end of [11, 100) is excluded
    ("0", False, "count them"),
    ("-3", False, "count them"),
])
def test_numeric_first_match_wins_and_ranges_are_half_open(entry, correct, feedback):
    result = grade(NUMERIC, entry)
    assert result.valid and result.correct is correct and result.feedback == feedback


def test_numeric_precision_is_significant_digits_as_in_jupyterquiz():
    assert grade(PI, "3.14").correct  # 3.14159 to 3 significant digits is 3.14
    assert grade(PI, "3.1449").correct
    assert not grade(PI, "3.15").correct
    assert not grade(PI, "3.1").correct
    assert round_significant(0.0012345, 2) == 0.0012
    assert round_significant(98765, 2) == 99000


@pytest.mark.parametrize("x, digits, js", [(20.5, 2, 21), (2.5, 1, 3), (0.125, 2, 0.13),
                                           (-20.5, 2, -21), (2.675, 3, 2.67), (9.96, 2, 10)])
def test_round_significant_breaks_ties_like_javascript_toprecision(x, digits, js):
    # js: what node prints for (x).toPrecision(digits), e.g. (20.5).toPrecision(2) === "21";
    # 2.675 is stored as 2.67499999..., so it is no tie and rounds down in JavaScript too.
    assert round_significant(x, digits) == js


@pytest.mark.parametrize("entry", ["eleven", "11 files", "", "   ", "1/0", "nan", "inf", None,
                                   True, [11], {"n": 11}])
def test_wrong_kind_of_numeric_answer_is_invalid_with_a_message(entry):
    result = grade(NUMERIC, entry)
    assert result.valid is False and result.correct is False and result.points == 0
    assert result.message.startswith("⚠") and len(result.message) > 10


def test_numeric_message_names_the_entry_and_shows_an_example():
    msg = grade(NUMERIC, "eleven").message
    assert "'eleven' is not a number" in msg and "11" in msg


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_parse_number_round_trips_any_float_written_as_text(x):
    assert parse_number(repr(x)) == x


# ---------------------------------------------------------------- string


@pytest.mark.parametrize("entry,correct,feedback", [
    ("vmsd", True, "yes"),
    ("  VMSD ", True, "yes"),  # spaces and case ignored by default
    (".vmsd", True, "yes"),
    ("VMSN", False, "upper-case vmsn"),
    ("vmsn", False, "look at the list"),  # match_case: lower-case does not hit the VMSN answer
    ("vmx", False, "look at the list"),
])
def test_string_matching(entry, correct, feedback):
    result = grade(STRING, entry)
    assert result.valid and result.correct is correct and result.feedback == feedback


def test_fuzzy_threshold_uses_levenshtein_ratio():
    # kitten -> sitting needs 3 edits; the longer word has 7 letters.
    assert similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert similarity("abc", "abc") == 1.0
    assert grade(FUZZY, "binery").correct  # 1 edit in 6 letters: 0.83 >= 0.8
    assert "close to 'binary'" in grade(FUZZY, "binery").message
    assert not grade(FUZZY, "bimery").correct  # 2 edits: 0.67 < 0.8


@pytest.mark.parametrize("entry", [None, "", "  ", 42, ["vmsd"]])
def test_wrong_kind_of_string_answer_is_invalid(entry):
    result = grade(STRING, entry)
    assert not result.valid and not result.correct and result.message.startswith("⚠")


@pytest.mark.parametrize("entry", [None, "", [], [0], (0, 1), 7, -1, True, "not an answer"])
def test_wrong_kind_of_single_choice_answer_is_invalid(entry):
    result = grade(SINGLE, entry)
    assert not result.valid and not result.correct and result.points == 0
    assert result.message.startswith("⚠")


def test_list_for_single_choice_says_one_answer():
    assert "exactly one answer" in grade(SINGLE, [0]).message


@pytest.mark.parametrize("entry", [None, [], set(), [5], ["nope"], [True]])
def test_wrong_kind_of_many_choice_answer_is_invalid(entry):
    result = grade(MANY, entry)
    assert not result.valid and not result.correct
    assert result.message.startswith("⚠")


def test_empty_selection_message():
    assert "No answer chosen" in grade(MANY, []).message


# ---------------------------------------------------------------- every question of every bank


def _lab_slugs_in_the_lab_list() -> set[str]:
    from vlab.knowledge.paths import datasets_dir

    with (datasets_dir() / "labs.csv").open(encoding="utf-8", newline="") as f:
        return {row["slug"] for row in csv.DictReader(f)}


BANKS = {lab: load_bank(lab) for lab in available_banks()}
ALL_QUESTIONS = [pytest.param(q, id=f"{lab}:{q.id}") for lab, bank in BANKS.items() for q in bank]


def test_every_lab_in_the_lab_list_has_a_bank_so_the_tests_below_cover_them_all():
    assert set(BANKS) == _lab_slugs_in_the_lab_list()
    assert len(ALL_QUESTIONS) >= 10 * len(BANKS)  # the banks are not empty stubs


def _right_answers(question: Question) -> list[object]:
    """Every way the bank itself says is right, built from its answers (not from grade())."""
    if question.type == "multiple_choice":
        return [i for i, a in enumerate(question.answers) if a.correct]
    if question.type == "many_choice":
        wanted = [i for i, a in enumerate(question.answers) if a.correct]
        return [wanted, list(reversed(wanted)), [question.answers[i].text for i in wanted]]
    if question.type == "numeric":
        out: list[object] = []
        for a in question.correct_answers:
            if a.value is not None:
                out += [repr(a.value), a.value]
            else:
                low, high = a.range
                out += [repr(low), (low + high) / 2]  # low end included, as in jupyterquiz
        return out
    out = []
    for a in question.correct_answers:
        out.append(a.text)
        if not a.match_case:
            out.append(f"  {a.text.upper()} ")
    return out


def _hits_a_correct_numeric_answer(question: Question, x: float) -> bool:
    for a in question.correct_answers:
        if a.value is not None and abs(x - a.value) <= 0.01 * max(1.0, abs(a.value)):
            return True
        if a.range is not None and a.range[0] <= x < a.range[1]:
            return True
    return False


def _wrong_answers(question: Question) -> list[object]:
    """Answers the bank marks wrong (or that match no correct answer), with the feedback expected."""
    if question.type == "multiple_choice":
        return [i for i, a in enumerate(question.answers) if not a.correct]
    if question.type == "many_choice":
        right = [i for i, a in enumerate(question.answers) if a.correct]
        wrong = [i for i, a in enumerate(question.answers) if not a.correct]
        out: list[object] = [right + [w] for w in wrong] + [[w] for w in wrong]
        if len(right) > 1:
            out += [[r for r in right if r != missing] for missing in right]
        return out
    marked_wrong = [a for a in question.choices if not a.correct]
    if question.type == "numeric":
        candidates = [-987654321.0, 987654321.0, 0.5, -1.0, 1e12]
        far = next(x for x in candidates if not _hits_a_correct_numeric_answer(question, x))
        return [str(far)] + [repr(a.value if a.value is not None else a.range[0]) for a in marked_wrong]
    return ["qqqq-zzzz-not-an-answer"] + [a.text for a in marked_wrong]


@pytest.mark.parametrize("question", ALL_QUESTIONS)
def test_every_bank_question_is_right_with_its_own_answers_and_wrong_with_the_others(question):
    rights, wrongs = _right_answers(question), _wrong_answers(question)
    assert rights and wrongs, "the test built no answers to try"
    for answer in rights:
        result = grade(question, answer)
        assert result.valid and result.correct, (answer, result.message)
        assert result.points == question.points == result.max_points
        assert result.message.startswith("✓")
    for answer in wrongs:
        result = grade(question, answer)
        assert result.valid and not result.correct, (answer, result.message)
        assert result.points == 0 and result.message.startswith("✗")
        if question.type == "multiple_choice":
            assert result.feedback == question.answers[answer].feedback


# ---------------------------------------------------------------- any input at all


ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                  max_size=3),
    max_leaves=8,
)


def _answer_for(question: Question) -> st.SearchStrategy:
    """Random input, mixed with the answer shapes a question accepts, so both kinds are drawn."""
    choice = st.integers(-1, len(question.answers))
    texts = [a.text for a in question.answers if a.text]
    if texts:
        choice = choice | st.sampled_from(texts)
    return st.one_of(ANYTHING, choice, st.lists(choice, max_size=len(question.answers) + 1),
                     st.integers(-5, 50).map(str))


def _choice_index(question: Question, item: object) -> int | None:
    if isinstance(item, int) and not isinstance(item, bool):
        return item if 0 <= item < len(question.answers) else None
    if isinstance(item, str):
        return next((i for i, a in enumerate(question.answers) if a.text == item), None)
    return None


def _reads_as_a_number(entry: object) -> bool:
    """What a learner's number may be: an int, a finite float, or text Python's float() reads
    (spaces and the Unicode minus allowed), or one fraction a/b with b != 0, as jupyterquiz allows."""
    if isinstance(entry, bool) or entry is None:
        return False
    if isinstance(entry, (int, float)):
        return math.isfinite(entry)
    if not isinstance(entry, str):
        return False
    text = entry.strip().replace("\u2212", "-").replace(" ", "")
    try:
        parts = [float(p) for p in text.split("/")] if text.count("/") == 1 else [float(text)]
        value = parts[0] / parts[1] if len(parts) == 2 else parts[0]
    except (ValueError, ZeroDivisionError):
        return False
    return math.isfinite(value)


def _expected_validity(question: Question, answer: object) -> bool:
    if question.type == "multiple_choice":
        return _choice_index(question, answer) is not None
    if question.type == "many_choice":
        if isinstance(answer, (str, int)) and not isinstance(answer, bool):
            answer = [answer]
        if not isinstance(answer, (list, tuple, set, frozenset)) or not answer:
            return False
        return all(_choice_index(question, item) is not None for item in answer)
    if question.type == "numeric":
        return _reads_as_a_number(answer)
    return isinstance(answer, str) and bool(answer.strip())


def _expected_correct(question: Question, answer: object) -> bool | None:
    """For choice questions, whether a valid answer is right; None where only grade() can tell."""
    if question.type == "multiple_choice":
        return question.answers[_choice_index(question, answer)].correct
    if question.type == "many_choice":
        items = [answer] if isinstance(answer, (str, int)) else answer
        chosen = {_choice_index(question, item) for item in items}
        return chosen == {i for i, a in enumerate(question.answers) if a.correct}
    return None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([p.values[0] for p in ALL_QUESTIONS]), st.data())
def test_grade_never_raises_and_says_exactly_when_an_answer_is_of_the_wrong_kind(question, data):
    answer = data.draw(_answer_for(question), label="answer")
    result = grade(question, answer)
    expected_valid = _expected_validity(question, answer)
    assert result.valid is expected_valid, result.message
    if not expected_valid:
        assert result.correct is False and result.points == 0 and result.message.startswith("⚠")
        return
    expected_correct = _expected_correct(question, answer)
    if expected_correct is not None:
        assert result.correct is expected_correct
    assert result.points == (question.points if result.correct else 0)
    assert result.message[0] == ("✓" if result.correct else "✗")
