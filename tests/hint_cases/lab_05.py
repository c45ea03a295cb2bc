"""Lab 05's checker (three problems in a VM folder): the hints name the idea, then which file to read
and how to tell, and the file's name only from the third failed check. See tests/test_checker_hints.py.

The work is `FILE: PROBLEM` lines, not `key = value` text, so the hint follower is this file's: it
writes a line for every file name a hint names, with every finding code the hint names (or the hint's
own words when it names none)."""
import functools
import re

from vlab.exercises.datastore_files import CODES, STARTING_TEXT, build_broken_folder, check_problems

FOLDER = build_broken_folder(seed=0)  # kept for the whole run: a temporary directory
FILE = re.compile(r"[\w.-]*\w\.(?:vmdk|vswp|vmx|vmsd|vmsn|log)\b")


def follow(work: str, hints: list[str]) -> str:
    lines = work.splitlines()
    for hint in hints:
        codes = [c for c in CODES if c in hint] or [" ".join(hint.split())]
        for name in FILE.findall(hint):
            lines += [f"{name}: {code}" for code in codes]
    return "\n".join(lines) + "\n"


CASES = [
    dict(exercise="three-problems", check=functools.partial(check_problems, folder=FOLDER.path),
         start=STARTING_TEXT, solution="\n".join(f"{i.file}: {i.code}" for i in FOLDER.injected) + "\n",
         values=("web01-000004", "web01-000002", "7c65c1e5"), follow=follow),
]
