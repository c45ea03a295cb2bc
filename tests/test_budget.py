"""Time budgets come from one formula (vlab.learn.budget), and every place that shows a lab's minutes
(datasets/labs.csv, README.md, each lab's Time line, FACILITATOR.md, lab 00's map) agrees with it."""
from __future__ import annotations

import json
from pathlib import Path

from vlab import knowledge
from vlab.learn import budget as b
from vlab.learn.bank import load_bank

REPO = Path(__file__).resolve().parents[1]


def cell(kind: str, text: str, tags=()) -> dict:
    c = {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": text}
    if kind == "code":
        c.update(outputs=[], execution_count=None)
    return c


def test_the_formula_counts_what_a_learner_does_by_hand(tmp_path):
    nb = {"cells": [
        cell("markdown", " ".join(["word"] * 450) + " <b>bold</b> [a link](https://example.org/x)"),
        cell("markdown", " ".join(["secret"] * 1000), tags=["instructor"]),  # learners never read it
        cell("code", "CpuSchedPanel(vms=4)"),
        cell("code", 'x = 1\nyour_turn("lab", "id", x)'),
        cell("code", "vswitch_checker()"),
        cell("code", 'LookupWidget("vswp")'),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "00_start_here.ipynb"  # lab 00's bank gives the questions and predictions
    path.write_text(json.dumps(nb))
    got = b.budget(path)
    bank = load_bank("00_start_here").questions
    quiz = sum(1 for q in bank if q.stage == "quiz")
    predictions = [q for q in bank if q.stage == "predict"]
    revealed = sum(b.words(q.reveal) for q in predictions)  # the reveals are read too
    # "bold", "a", "link" count; the tag and the address do not; the instructor's 1000 words do not
    assert got.words == 450 + 3 + revealed
    assert got.counts == {"quiz question": quiz, "prediction": len(predictions), "panel": 1,
                          "look-up": 1, "your-turn cell": 1, "checker": 1}
    assert got.reading == -(-(450 + 3 + revealed) // 1000) * 5  # words / 200 min, up to a multiple of 5
    # quiz x 1 + 1.5 a prediction + 3 (panel) + 1 (look-up) + 4 (your turn) + 10 (checker), rounded up
    minutes = quiz + 1.5 * len(predictions) + 3 + 1 + 4 + 10
    assert got.exercises == -(-minutes // 5) * 5


def test_rounding_never_gives_zero_and_never_rounds_down():
    assert b._round_up(0) == 5 and b._round_up(5) == 5 and b._round_up(5.01) == 10


def test_labs_csv_holds_the_formulas_figures():
    budgets = {x.slug: x for x in b.all_budgets(REPO / "labs")}
    for lab in knowledge.labs():
        got = budgets[lab.slug]
        assert (lab.minutes_reading, lab.minutes_exercises) == (got.reading, got.exercises), (
            f"{lab.slug}: run python -m vlab.learn.budget --write")


def test_facilitator_guide_shows_the_same_figures():
    guide = (REPO / "labs" / "FACILITATOR.md").read_text(encoding="utf-8")
    table = b.facilitator_table(b.all_budgets(REPO / "labs"))
    assert f"{b.FACILITATOR_START}\n{table}\n{b.FACILITATOR_END}" in guide


def test_write_changes_nothing_on_a_tree_that_agrees(tmp_path):
    import shutil

    for name in ("datasets", "labs"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("*.svg"))
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    assert b.write(tmp_path) == []
