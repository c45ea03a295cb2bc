"""Lab 00's checker: each description is checked against the knowledge, and bad input is explained."""
from __future__ import annotations

from vlab.exercises.start_here import (
    FILE_MATCHES,
    STARTING_TEXT,
    check_file_matches,
    file_match_checker,
)
from vlab.learn.progress import ProgressStore


def solved() -> str:
    return "\n".join(f"{d}: {ext}" for d, ext in FILE_MATCHES.items())


def test_the_starting_text_fails_every_line_with_a_hint():
    criteria = check_file_matches(STARTING_TEXT)
    assert len(criteria) == len(FILE_MATCHES)
    assert not any(c.passed for c in criteria)
    assert all(c.hint for c in criteria)


def test_a_correct_answer_passes_in_any_spelling():
    text = solved().replace(".vmsd", "VMSD").replace(".nvram", "nvram")
    assert all(c.passed for c in check_file_matches(text))


def test_a_swapped_answer_says_what_the_wrong_file_is():
    text = solved().replace(": .vmss", ": .vmsn", 1)
    failed = [c for c in check_file_matches(text) if not c.passed]
    assert len(failed) == 1
    assert "suspended" in failed[0].message and "snapshot" in failed[0].hint.lower()


def test_the_widget_records_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = file_match_checker(store=store)
    widget.work.value = "nonsense without a colon"
    report = widget.check()
    assert not report.passed and "colon" in widget.results.value
    widget.work.value = solved()
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value
    rows = store.attempts(lab="00_start_here")
    assert [r.correct for r in rows] == [False, True]
