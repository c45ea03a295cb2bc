"""Instructor tooling: a learner copy of the labs drops facilitator cells and keeps everything else."""
from __future__ import annotations

from pathlib import Path

import nbformat

from vlab.authoring import learner_copy, main

LABS = Path(__file__).resolve().parents[1] / "labs"


def test_every_available_lab_has_instructor_notes_and_the_learner_copy_drops_only_them(tmp_path):
    paths = sorted(LABS.glob("*.ipynb"))
    assert len(paths) >= 12, f"expected the twelve labs 00-11 in {LABS}"
    for path in paths:
        original = nbformat.read(path, as_version=4)
        tagged = [c for c in original.cells if "instructor" in c.metadata.get("tags", [])]
        assert tagged, f"{path.name} has no cell tagged 'instructor'"
        copy = nbformat.read(learner_copy(path, tmp_path), as_version=4)
        assert len(copy.cells) == len(original.cells) - len(tagged)
        assert not any("instructor" in c.metadata.get("tags", []) for c in copy.cells)
        assert original.cells[0].source == copy.cells[0].source


def test_usage_error_without_notebooks(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
