"""Lab 00's checker (match the files): the hints go from the idea to a word to look up, and name the
extension only from the third failed check. See tests/test_checker_hints.py."""
import re

from vlab.exercises.start_here import FILE_MATCHES, STARTING_TEXT, check_file_matches

SOLUTION = "\n".join(f"{description}: {extension}" for description, extension in FILE_MATCHES.items())
EXTENSION = re.compile(r"(?<![\w-])\.[A-Za-z]{2,6}\b")


def follow(work: str, hints: list[str]) -> str:
    """A literal hint follower for `description: extension` lines: each failed line gets the first
    extension its hint names (hints come in the order of the failed lines); a hint naming none changes
    nothing."""
    failed = [c.message.rsplit(":", 1)[0] for c in check_file_matches(work) if not c.passed]
    answers = {line.rpartition(":")[0].strip(): line.rpartition(":")[2].strip() for line in work.splitlines()}
    for description, hint in zip(failed, hints, strict=True):
        named = EXTENSION.findall(hint)
        if named:
            answers[description] = named[0]
    return "\n".join(f"{d}: {answers.get(d, '')}" for d in FILE_MATCHES) + "\n"


CASES = [
    dict(exercise="match-the-files", check=check_file_matches, start=STARTING_TEXT, solution=SOLUTION,
         values=tuple(FILE_MATCHES.values()), follow=follow),
]
