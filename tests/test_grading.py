"""Pure grading: jupyterquiz's rules (first match wins, [low, high) ranges, significant-digit
precision, case and fuzzy matching) and a clear, non-attempt result for an answer of the wrong kind."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vlab.learn import grade, load_bank, parse_bank
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


def test_every_demo_question_has_a_reachable_correct_answer():
    for question in load_bank("00_start_here"):
        if question.type == "multiple_choice":
            answer = next(i for i, a in enumerate(question.answers) if a.correct)
        elif question.type == "many_choice":
            answer = [i for i, a in enumerate(question.answers) if a.correct]
        elif question.type == "numeric":
            answer = str(question.correct_answers[0].value)
        else:
            answer = question.correct_answers[0].text
        result = grade(question, answer)
        assert result.correct and result.points == question.points, question.id


ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                  max_size=3),
    max_leaves=8,
)
DEMO = load_bank("00_start_here")


@given(st.sampled_from(DEMO.questions), ANYTHING)
def test_grade_never_raises_and_an_invalid_answer_scores_nothing(question, answer):
    result = grade(question, answer)
    assert result.valid in (True, False)
    if not result.valid or not result.correct:
        assert result.points == 0 and not (result.correct and not result.valid)
    else:
        assert result.points == question.points
    assert result.message[0] in "✓✗⚠"
