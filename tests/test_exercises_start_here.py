"""Lab 00's checker: each description is checked against the knowledge, and bad input is explained."""
from __future__ import annotations

import pytest

from vlab import knowledge
from vlab.exercises.start_here import (
    FILE_MATCHES,
    STARTING_TEXT,
    check_file_matches,
    file_match_checker,
)
from vlab.learn.progress import ProgressStore

# The right answers, written from the seed notes' file list (vmware-intro-notes.txt lines 95-104:
# "NVRAM: BIOS info", "VMSD: metadata about the snapshots", "VMSN: the state of the VM at the time
# the snapshot was taken", "VMSS: suspended state file", "VMXF: supplemental config files for VM's
# in a team", "VSWP: virtual memory swap file ... when overcommitted") and datasets/datastore_files.csv.
EXPECTED = {
    "metadata about the VM's snapshots": ".vmsd",
    "the VM's suspended state": ".vmss",
    "the VM's BIOS or EFI settings": ".nvram",
    "swap space used when the host's memory is overcommitted": ".vswp",
    "the state of the VM when a snapshot was taken": ".vmsn",
    "extra configuration for VMs in a team": ".vmxf",
}


def solved() -> str:
    return "\n".join(f"{d}: {ext}" for d, ext in EXPECTED.items())


def test_the_exercise_asks_for_exactly_these_pairs():
    assert FILE_MATCHES == EXPECTED
    assert STARTING_TEXT.splitlines() == [f"{d}: " for d in EXPECTED]


@pytest.mark.parametrize("extension, words", [
    (".vmsd", "snapshot"), (".vmss", "suspend"), (".nvram", "bios"), (".vswp", "swap"),
    (".vmsn", "snapshot"), (".vmxf", "team"),
])
def test_each_expected_extension_is_the_datasets_file_of_that_description(extension, words):
    entry = knowledge.lookup(extension)
    assert entry is not None and entry.extension == extension
    assert words in f"{entry.name} {entry.purpose}".lower()


def test_the_starting_text_fails_every_line_with_a_hint():
    criteria = check_file_matches(STARTING_TEXT)
    assert len(criteria) == len(EXPECTED) == 6
    assert not any(c.passed for c in criteria)
    assert all(c.hint for c in criteria)
    # graduated: the idea, a word to look up, and the extension only as the third hint
    for c, (description, extension) in zip(criteria, EXPECTED.items(), strict=True):
        assert extension not in c.hint_at(1) + c.hint_at(2)
        assert c.hint_at(3) == f"{description}: {extension}"


def test_a_correct_answer_passes_in_any_spelling():
    text = solved().replace(".vmsd", "VMSD").replace(".nvram", "nvram")
    criteria = check_file_matches(text)
    assert len(criteria) == 6 and all(c.passed for c in criteria)


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


def test_each_second_hint_names_a_word_whose_look_up_shows_the_right_file():
    """The direction sends the learner to the look-up; the word it names must lead there."""
    import re

    from vlab.exercises.start_here import LOOKUP_CLUES
    from vlab.widgets.lookup import lookup_html

    assert set(LOOKUP_CLUES) == set(EXPECTED)
    for description, clue in LOOKUP_CLUES.items():
        word = re.search(r"Look up '([^']+)'", clue).group(1)
        assert f"{EXPECTED[description]}:" in lookup_html(word), (description, word)
