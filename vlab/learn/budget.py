"""Time budgets: each lab's minutes derived from what the lab contains, with the formula in one place.

    python -m vlab.learn.budget            print each lab's figures and how they were reached
    python -m vlab.learn.budget --write    write them into datasets/labs.csv, README.md's table, each
                                           lab's "**Time:**" line and FACILITATOR.md's timing table

Reading is the words a learner reads in the learner edition (Markdown cells, and the "What to notice"
each prediction reveals) at READING_WPM. Exercises add a fixed cost per thing the learner does: a quiz
question, a prediction, a panel to explore, a your-turn cell, a checker. Both round up to whole minutes
of ROUND_TO. The per-item costs are estimates to revise against timed sessions, in this file only; the
suite checks that every place showing a lab's minutes agrees with this formula.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from vlab.learn.bank import load_bank

READING_WPM = 200  # words a minute for technical prose read with care
MINUTES = {  # minutes a learner spends on one of each
    "quiz question": 1.0,
    "prediction": 1.5,  # read the question, commit, read the reveal's verdict
    "panel": 3.0,  # move the controls and read the figure
    "look-up": 1.0,  # type a name, read the card
    "your-turn cell": 4.0,  # write 1-5 lines, run, read the feedback, try again
    "checker": 10.0,  # edit a configuration until every criterion passes
}
ROUND_TO = 5

_WORD = re.compile(r"[A-Za-z0-9][\w'.:/-]*")
_PANEL = re.compile(r"\b[A-Z]\w*(?:Panel|Calculator)\(")
_LOOKUP = re.compile(r"\bLookupWidget\(")
_CHECKER = re.compile(r"\b\w+_checker\(|\bCheckerWidget\(")


@dataclass(frozen=True)
class Budget:
    slug: str
    words: int
    counts: dict[str, int]
    reading: int
    exercises: int

    @property
    def total(self) -> int:
        return self.reading + self.exercises


def _round_up(minutes: float) -> int:
    return max(ROUND_TO, math.ceil(minutes / ROUND_TO - 1e-9) * ROUND_TO)


def words(text: str) -> int:
    """Words a reader reads: Markdown and HTML markup, URLs and table rules are not words."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"https?://\S+", " ", text)
    return len(_WORD.findall(text))


def budget(notebook: Path) -> Budget:
    """The minutes of one lab, from its notebook (learner cells only) and its question bank."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "instructor" not in c.get("metadata", {}).get("tags", [])]
    source = ["".join(c["source"]) for c in cells]
    markdown = [s for c, s in zip(cells, source, strict=True) if c["cell_type"] == "markdown"]
    code = [s for c, s in zip(cells, source, strict=True) if c["cell_type"] == "code"]
    bank = load_bank(notebook.stem)
    predictions = [q for q in bank.questions if q.stage == "predict"]
    counts = {
        "quiz question": sum(1 for q in bank.questions if q.stage == "quiz"),
        "prediction": len(predictions),
        "panel": sum(len(_PANEL.findall(s)) for s in code),
        "look-up": sum(len(_LOOKUP.findall(s)) for s in code),
        "your-turn cell": sum(s.count("your_turn(") for s in code),
        "checker": sum(len(_CHECKER.findall(s)) for s in code),
    }
    n_words = sum(words(s) for s in markdown) + sum(words(q.reveal) for q in predictions)
    reading = _round_up(n_words / READING_WPM)
    exercises = _round_up(sum(MINUTES[k] * n for k, n in counts.items()))
    return Budget(notebook.stem, n_words, counts, reading, exercises)


def all_budgets(labs: Path) -> list[Budget]:
    return [budget(p) for p in sorted(labs.glob("[0-9][0-9]_*.ipynb"))]


# ----------------------------------------------------------------------------- writing the figures
TIME_LINE = re.compile(r"\*\*Time:\*\* \d+ min reading · \d+ min exercises")
README_ROW = re.compile(r"^\| (\d\d_\w+) \| (.+?) \| (\d+) min \| (\d+) min \| (\w+) \|$", re.M)
FACILITATOR_START = "<!-- budget table: python -m vlab.learn.budget --write -->"
FACILITATOR_END = "<!-- end of budget table -->"


def facilitator_table(budgets: list[Budget]) -> str:
    rows = ["| lab | reading | exercises | with 10 min of questions |", "|---|---|---|---|"]
    rows += [f"| {b.slug} | {b.reading} min | {b.exercises} min | {b.total + 10} min |" for b in budgets]
    total = sum(b.total + 10 for b in budgets)
    rows.append(f"| all {len(budgets)} labs | {sum(b.reading for b in budgets)} min | "
                f"{sum(b.exercises for b in budgets)} min | {total} min |")
    return "\n".join(rows)


def write(repo: Path) -> list[str]:
    """Write the formula's figures everywhere a lab's minutes appear; returns what changed."""
    budgets = {b.slug: b for b in all_budgets(repo / "labs")}
    changed = []
    labs_csv = repo / "datasets" / "labs.csv"
    text = labs_csv.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["slug"] in budgets:
            row["minutes_reading"] = str(budgets[row["slug"]].reading)
            row["minutes_exercises"] = str(budgets[row["slug"]].exercises)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    changed += _replace(labs_csv, text, out.getvalue())

    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8")

    def row(m: re.Match) -> str:
        b = budgets.get(m.group(1))
        if b is None:
            return m.group(0)
        return f"| {m.group(1)} | {m.group(2)} | {b.reading} min | {b.exercises} min | {m.group(5)} |"

    changed += _replace(readme, text, README_ROW.sub(row, text))

    for slug, b in budgets.items():
        path = repo / "labs" / f"{slug}.ipynb"
        raw = path.read_text(encoding="utf-8")
        nb = json.loads(raw)
        first = nb["cells"][0]
        src = "".join(first["source"])
        new = TIME_LINE.sub(f"**Time:** {b.reading} min reading · {b.exercises} min exercises", src)
        if new != src:
            first["source"] = new.splitlines(keepends=True)
            changed += _replace(path, raw, json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    guide = repo / "labs" / "FACILITATOR.md"
    text = guide.read_text(encoding="utf-8")
    if FACILITATOR_START in text and FACILITATOR_END in text:
        head, rest = text.split(FACILITATOR_START, 1)
        _old, tail = rest.split(FACILITATOR_END, 1)
        table = facilitator_table(list(budgets.values()))
        changed += _replace(guide, text, f"{head}{FACILITATOR_START}\n{table}\n{FACILITATOR_END}{tail}")
    return changed


def _replace(path: Path, old: str, new: str) -> list[str]:
    if old == new:
        return []
    path.write_text(new, encoding="utf-8")
    return [str(path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vlab.learn.budget", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the figures where the labs show them")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args(argv)
    for b in all_budgets(args.repo / "labs"):
        items = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in b.counts.items())
        print(f"{b.slug}: {b.reading} min reading ({b.words} words at {READING_WPM}/min) + "
              f"{b.exercises} min exercises ({items})")
    if args.write:
        for path in write(args.repo):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
