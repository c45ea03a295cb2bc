"""Every checker teaches instead of dictating (issue 10, part 4).

Each lab's cases live in tests/hint_cases/lab_NN.py as `CASES`, a list of dicts:
  exercise  the checker's exercise id (as in the lab)
  check     the pure check function the widget runs
  start     the work as the learner finds it (it must fail)
  solution  a right answer (it must pass)
  values    strings only the solution has: the exact values or lines to type
  follow    optional: follow(work, hints) -> work, a "hint follower" for work that is not key = value text

For every case: the exact values never appear in a hint before the third failed check, and a learner
who applies literally whatever the hints name does not pass within three checks.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from vlab.learn.checks import Criterion, run_check

HERE = Path(__file__).resolve().parent / "hint_cases"
REPO = Path(__file__).resolve().parents[1]


def _load():
    cases = []
    for path in sorted(HERE.glob("lab_*.py")):
        spec = importlib.util.spec_from_file_location(f"hint_cases_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for case in module.CASES:
            cases.append({"file": path.stem, **case})
    return cases


CASES = _load()
# a setting a hint names literally: `key = value`, key = "value", key = value (up to the end of a clause)
LINE = re.compile(r"""`?([A-Za-z_][\w.:*-]*)\s*=\s*("[^"\n]*"|[^\s`,;()]+)`?""")


def literal_follower(work: str, hints: list[str]) -> str:
    """Apply every `key = value` a hint names: replace that key's line, or add the line."""
    lines = work.splitlines()
    for hint in hints:
        for key, value in LINE.findall(hint):
            value = value.rstrip(".")
            new = f"{key} = {value}"
            for i, line in enumerate(lines):
                if line.split("=", 1)[0].strip().lower() == key.lower():
                    lines[i] = new
                    break
            else:
                lines.append(new)
    return "\n".join(lines) + "\n"


def _failed(work, check) -> list[Criterion]:
    return [c for c in run_check(check, work).criteria if not c.passed]


def _ids(case):
    return f"{case['file']}:{case['exercise']}"


def test_every_lab_with_a_checker_has_hint_cases():
    labs = {p.stem for p in (REPO / "labs").glob("[0-9][0-9]_*.ipynb")
            if "checker(" in p.read_text(encoding="utf-8") or "CheckerWidget(" in p.read_text(encoding="utf-8")}
    covered = {c["file"].removeprefix("lab_") for c in CASES}
    assert {lab[:2] for lab in labs} <= covered, "a lab's checker has no hint cases"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_start_fails_and_the_solution_passes(case):
    assert not run_check(case["check"], case["start"]).passed
    report = run_check(case["check"], case["solution"])
    assert report.passed, [c.message for c in report.criteria if not c.passed]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_exact_value_before_the_third_failed_check(case):
    assert case["values"], "name the values only the solution has"
    follow = case.get("follow") or literal_follower
    work = case["start"]
    for failed_checks in (1, 2):
        failed = _failed(work, case["check"])
        assert failed
        for c in failed:
            for shown in (c.hint_at(1), c.hint_at(failed_checks)):
                for value in case["values"]:
                    assert value not in shown, f"{value!r} in a level-{failed_checks} hint: {shown}"
        work = follow(work, [c.hint_at(failed_checks) for c in failed])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_a_hint_follower_does_not_pass_within_three_checks(case):
    follow = case.get("follow") or literal_follower
    work = case["start"]
    for failed_checks in (1, 2, 3):
        report = run_check(case["check"], work)
        assert not report.passed, f"passed at check {failed_checks} by following the hints"
        work = follow(work, [c.hint_at(failed_checks) for c in report.criteria if not c.passed])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_failure_on_the_start_has_an_idea_first(case):
    for c in _failed(case["start"], case["check"]):
        assert c.hint_at(1), f"no hint for: {c.message}"
        assert c.hint_level(1) == 1


def test_the_literal_follower_applies_what_a_hint_names():
    out = literal_follower("a = 1\nb = 2\n", ['set `a = 5`', 'add c = "x y".'])
    assert out == 'a = 5\nb = 2\nc = "x y"\n'


def test_hint_levels_grow_and_never_skip_to_the_answer():
    c = Criterion(False, "m", hint="idea", direction="way", answer="x = 1")
    assert [c.hint_at(n) for n in (0, 1, 2, 3, 7)] == ["", "idea", "way", "x = 1", "x = 1"]
    only_idea = Criterion(False, "m", hint="idea", answer="x = 1")
    assert [only_idea.hint_at(n) for n in (1, 2, 3)] == ["idea", "idea", "x = 1"]
