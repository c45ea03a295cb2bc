"""Lab 00's checker: match descriptions from the notes to the datastore file they describe."""
from __future__ import annotations

from vlab import knowledge
from vlab.learn.checks import Criterion

LAB = "00_start_here"

# description (as the learner sees it) -> the extension it describes
FILE_MATCHES: dict[str, str] = {
    "metadata about the VM's snapshots": ".vmsd",
    "the VM's suspended state": ".vmss",
    "the VM's BIOS or EFI settings": ".nvram",
    "swap space used when the host's memory is overcommitted": ".vswp",
    "the state of the VM when a snapshot was taken": ".vmsn",
    "extra configuration for VMs in a team": ".vmxf",
}

STARTING_TEXT = "\n".join(f"{description}: " for description in FILE_MATCHES)


def _answers(text: str) -> dict[str, str]:
    answers = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        description, sep, answer = line.rpartition(":")
        if not sep:
            raise ValueError(
                f"line {number} has no ':'; keep each description and write the extension after its colon"
            )
        answers[description.strip()] = answer.strip()
    return answers


def check_file_matches(text: str) -> list[Criterion]:
    """One criterion per description: does the learner's extension name the right file?"""
    answers = _answers(text)
    criteria = []
    for description, expected in FILE_MATCHES.items():
        given = answers.get(description, "")
        if not given:
            criteria.append(Criterion(False, f"{description}: no answer yet",
                                      "Write an extension such as .vmx after the colon."))
            continue
        entry = knowledge.lookup(given)
        if entry is not None and getattr(entry, "extension", None) == expected:
            criteria.append(Criterion(True, f"{description}: {expected}"))
            continue
        what = f"'{given}' is {entry.name.lower()}" if entry is not None else f"'{given}' is not a file type vlab knows"
        criteria.append(Criterion(False, f"{description}: not {given}",
                                  f"{what}. Try the look-up with a word from the description."))
    return criteria


def file_match_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "Write, after each colon, the extension of the file in a VM's folder that the line describes.",
        check_file_matches,
        exercise_id="match-the-files",
        lab=LAB,
        work=STARTING_TEXT,
        title="Match the files",
        rows=len(FILE_MATCHES) + 1,
        **kwargs,
    )
