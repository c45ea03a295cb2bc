"""Your-turn cells: each starter fails its model-run check, a right answer passes, and an answer that only
looks right (the right shape, the wrong idea) fails; the cell in the lab is the starter, and attempts are
recorded as exercises (never as quiz questions)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from vlab.exercises import MODULES, turns, your_turn
from vlab.learn.progress import ProgressStore, summarize
from vlab.models.network import vswitch

REPO = Path(__file__).resolve().parents[1]

ANSWERS_DIR = Path(__file__).resolve().parent / "turn_answers"


def _answers() -> dict:
    """Each lab's answers live in tests/turn_answers/lab_NN.py as ANSWERS: (lab, turn id) -> (the name
    the check looks at, lines a right answer adds, lines that only look right, the names the lab's
    earlier cells define)."""
    found: dict = {}
    for path in sorted(ANSWERS_DIR.glob("lab_*.py")):
        spec = importlib.util.spec_from_file_location(f"turn_answers_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.update(module.ANSWERS)
    return found


ANSWERS = _answers()
TURNS = [t for lab in MODULES for t in turns(lab)]


def run(turn, extra: str = ""):
    name, _right, _looks, names = ANSWERS[(turn.lab, turn.id)]
    ns = dict(names)
    exec(turn.starter + extra, ns)
    return your_turn(turn.lab, turn.id, ns[name], record=False)


def test_every_turn_has_answers_in_this_test():
    assert len(TURNS) >= 2
    assert {(t.lab, t.id) for t in TURNS} == set(ANSWERS)


@pytest.mark.parametrize("turn", TURNS, ids=lambda t: f"{t.lab}:{t.id}")
def test_the_starter_fails_a_right_answer_passes_a_lookalike_fails(turn):
    _name, right, looks, _ns = ANSWERS[(turn.lab, turn.id)]
    assert not run(turn).passed
    assert run(turn, right).passed
    lookalike = run(turn, looks)
    assert not lookalike.passed
    # The feedback teaches without dictating: no hint before the third failed check quotes the right line.
    for c in lookalike.report.criteria + run(turn).report.criteria:
        for shown in (c.hint_at(1), c.hint_at(2)):
            assert right.strip() not in shown and right.split("(", 1)[-1].rstrip(")\n") not in shown


@pytest.mark.parametrize("turn", TURNS, ids=lambda t: f"{t.lab}:{t.id}")
def test_the_lab_cell_is_the_starter_followed_by_its_check(turn):
    nb = json.loads((REPO / "labs" / f"{turn.lab}.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    call = f'your_turn("{turn.lab}", "{turn.id}", {ANSWERS[(turn.lab, turn.id)][0]})'
    assert any(turn.starter in src and src.rstrip().endswith(call) for src in cells)


def test_an_unknown_turn_or_lab_is_a_clear_error():
    with pytest.raises(ValueError, match="has no your-turn 'nope'"):
        your_turn("02_virtual_networking", "nope", None)
    with pytest.raises(ValueError, match="no lab 'xx'"):
        turns("xx")


def test_wrong_work_is_a_failed_criterion_not_a_traceback():
    result = your_turn("02_virtual_networking", "db01-vmotion", "a string", record=False)
    assert not result.passed and "StandardSwitch" in result.report.criteria[0].message
    assert "Not yet" in repr(result) and "Not yet" in result._repr_html_()


def test_attempts_are_recorded_as_exercises_apart_from_the_quiz(vlab_home):
    turn = next(t for t in TURNS if t.id == "forged-frame")
    with ProgressStore(learner="ada") as store:
        your_turn(turn.lab, turn.id, vswitch.SecurityPolicy(), store=store)
        your_turn(turn.lab, turn.id, vswitch.SecurityPolicy(forged_transmits=False), store=store)
        attempts = store.attempts()
    assert [(a.question_id, a.correct) for a in attempts] == [
        ("your-turn-forged-frame", False), ("your-turn-forged-frame", True)]
    (row,) = summarize(attempts, {turn.lab: {"q1": 1.0}})
    assert row.exercises_passed == 1 and row.questions_correct == 0
