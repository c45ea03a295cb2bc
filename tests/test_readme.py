"""README.md states the two commands and a lab table that matches datasets/labs.csv."""
from __future__ import annotations

import re
from pathlib import Path

from vlab import knowledge

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_states_the_two_commands():
    assert "make lab" in README and "make test" in README


def test_readme_lab_table_matches_the_lab_map():
    rows = re.findall(r"^\| (\d\d_\w+) \| (.+?) \| (\d+) min \| (\d+) min \| (\w+) \|$", README, re.M)
    expected = [
        (lab.slug, lab.title, str(lab.minutes_reading), str(lab.minutes_exercises), lab.status)
        for lab in knowledge.labs()
    ]
    assert rows == expected
