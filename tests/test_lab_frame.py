"""Every lab keeps the house frame (DESIGN.md, "A lab notebook") and has a quiz bank that loads."""
from __future__ import annotations

import re

import nbformat
import pytest

from vlab import knowledge
from vlab.learn.bank import load_bank

AVAILABLE = [lab for lab in knowledge.labs() if lab.status == "available"]
REQUIRED_HEADINGS = ("Scenario", "Checker exercise", "Key points", "Then and now", "References")


def cells(lab):
    return nbformat.read(knowledge.labs_dir() / lab.notebook, as_version=4).cells


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_lab_has_the_house_frame_in_order(lab):
    md = [c.source for c in cells(lab) if c.cell_type == "markdown"]
    text = "\n".join(md)
    assert md[0].startswith("# Lab "), "the first cell is the title"
    assert re.search(r"\*\*Time:\*\* \d+ min reading · \d+ min exercises", md[0])
    assert f"{lab.minutes_reading} min reading · {lab.minutes_exercises} min exercises" in md[0], (
        "the time estimate agrees with datasets/labs.csv"
    )
    assert "**Objectives:**" in md[0] and "**Prerequisites:**" in md[0]
    positions = [text.find(f"## {h}") for h in REQUIRED_HEADINGS]
    assert all(p >= 0 for p in positions), dict(zip(REQUIRED_HEADINGS, positions, strict=True))
    assert positions == sorted(positions), "sections appear in the house order"


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_lab_has_a_quiz_a_checker_and_instructor_notes(lab):
    code = "\n".join(c.source for c in cells(lab) if c.cell_type == "code")
    assert f'QuizWidget.from_bank("{lab.slug}"' in code
    assert "checker" in code.lower()
    assert any("instructor" in c.metadata.get("tags", []) for c in cells(lab))


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_lab_cells_are_executed_and_thin(lab):
    for number, cell in enumerate(cells(lab)):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {number} was committed unexecuted"
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert len(lines) <= 15, f"cell {number} has {len(lines)} lines: move code into vlab"
        assert not re.search(r"^\s*(def|class) ", cell.source, re.M), f"cell {number} defines code"


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_lab_committed_outputs_hold_no_warning_or_error(lab):
    # the top-level conftest.py leaves stderr out of nbval's comparison (library deprecation warnings vary with
    # the versions pip picks); this is the check that a committed run printed none and raised nothing.
    for number, cell in enumerate(cells(lab)):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"cell {number} raised: {output.get('ename')}"
            assert output.get("name") != "stderr", f"cell {number} wrote to stderr: {output.get('text')}"


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_lab_bank_loads_with_enough_questions(lab):
    bank = load_bank(lab.slug)
    minimum = 4 if lab.slug == "00_start_here" else 10
    assert len(bank) >= minimum
    assert {q.type for q in bank} <= {"multiple_choice", "many_choice", "numeric", "string"}
    assert all(q.source for q in bank)


def test_lab_00_bank_has_every_question_type():
    assert {q.type for q in load_bank("00_start_here")} == {
        "multiple_choice", "many_choice", "numeric", "string"
    }


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_every_bank_question_is_asked_in_its_lab_and_predictions_come_before_their_run(lab):
    """A question in the bank but in no cell is never asked; a prediction is its own cell, shown by
    PredictWidget, never in a quiz (which would show the explanation without a commitment)."""
    import json

    nb = json.loads((knowledge.labs_dir() / lab.notebook).read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    quiz_cells = "\n".join(c for c in code if "QuizWidget" in c)
    predict_cells = "\n".join(c for c in code if "PredictWidget(" in c)
    for q in load_bank(lab.slug):
        if q.stage == "predict":
            assert f'"{q.id}"' in predict_cells, f"{lab.slug}: prediction {q.id} is in no cell"
            assert q.id not in quiz_cells, f"{lab.slug}: prediction {q.id} is asked as a quiz"
        elif f'from_bank("{lab.slug}", seed=' not in quiz_cells:  # a whole-bank quiz asks them all
            assert q.id in quiz_cells, f"{lab.slug}: question {q.id} is in no quiz cell"


@pytest.mark.parametrize("lab", AVAILABLE, ids=lambda lab: lab.slug)
def test_no_answer_sits_in_sight_before_its_prediction(lab):
    """A lab's "What to notice" is a prediction's reveal, shown only after the learner commits: in the
    learner edition every Markdown cell is visible from the start, so none may hold one."""
    import json

    nb = json.loads((knowledge.labs_dir() / lab.notebook).read_text(encoding="utf-8"))
    shown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
             and "instructor" not in c["metadata"].get("tags", [])]
    # a block headed "What to notice" (a heading, bold or a line of its own); lab 00 may name the idea
    block = re.compile(r"^\s*(#+\s*|\*\*|_)?what to notice\b", re.I | re.M)
    assert not [s[:80] for s in shown if block.search(s)]
    predictions = [q for q in load_bank(lab.slug) if q.stage == "predict"]
    if lab.slug != "00_start_here":
        assert len(predictions) >= 3, "at least 3 predictions per lab"
        assert any(q.reveal for q in predictions), "the lab's 'What to notice' text is in its reveals"
