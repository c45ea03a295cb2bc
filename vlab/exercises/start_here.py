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

# description -> the second hint: a word to type into the look-up and how to choose among what it lists
# (never the extension itself; that comes only from the third failed check)
LOOKUP_CLUES: dict[str, str] = {
    "metadata about the VM's snapshots": "Look up 'metadata': of the snapshot files it lists, pick the one "
                                         "that holds the list of snapshots, not a disk or a saved state.",
    "the VM's suspended state": "Look up 'suspended': pick the file written when the VM is suspended, "
                                "not the memory image and not the swap file.",
    "the VM's BIOS or EFI settings": "Look up 'firmware': pick the file that keeps the virtual firmware's "
                                     "settings, not the VM's own configuration.",
    "swap space used when the host's memory is overcommitted": "Look up 'swap space': pick the file the "
                                                               "VMkernel pages a VM's memory out to, not the "
                                                               "VMX process's own overhead swap.",
    "the state of the VM when a snapshot was taken": "Look up 'state': two files save a VM's state; pick the "
                                                     "one written at a snapshot, not at suspend.",
    "extra configuration for VMs in a team": "Look up 'teams': pick the supplemental configuration file "
                                             "that ESX writes for every VM, not the Workstation-only team "
                                             "file.",
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
        answer = f"{description}: {expected}"
        if not given:
            criteria.append(Criterion(False, f"{description}: no answer yet",
                                      hint="Each line describes one file in a VM's folder: write that file's "
                                           "extension after the colon, as in .vmx for the configuration.",
                                      direction=LOOKUP_CLUES[description], answer=answer))
            continue
        entry = knowledge.lookup(given)
        if entry is not None and getattr(entry, "extension", None) == expected:
            criteria.append(Criterion(True, f"{description}: {expected}"))
            continue
        what = f"'{given}' is {entry.name.lower()}" if entry is not None else f"'{given}' is not a file type vlab knows"
        criteria.append(Criterion(False, f"{description}: not {given}",
                                  hint=f"{what}. Read the description again: which file does it name?",
                                  direction=LOOKUP_CLUES[description], answer=answer))
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
