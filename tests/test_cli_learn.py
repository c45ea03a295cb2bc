"""`vlab quiz` and `vlab progress`, through the installed entry point as a learner or instructor
would run them (plus in-process calls where only the logic matters)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from test_quiz_bank import JUPYTERQUIZ_SCHEMA

from vlab.cli.main import main
from vlab.learn import ProgressStore, load_bank

VLAB = str(Path(sys.executable).with_name("vlab"))
LAB = "00_start_here"


def vlab(*args: str, stdin: str | None = None):
    return subprocess.run([VLAB, *args], capture_output=True, text=True, timeout=60,
                          input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)


@pytest.fixture
def ada(vlab_home, monkeypatch):
    monkeypatch.setenv("VLAB_LEARNER", "ada")
    with ProgressStore(learner="ada") as store:
        store.record(LAB, "vmkernel-role", "x", False, 0)
        store.record(LAB, "vmkernel-role", "y", True, 1)
        store.record(LAB, "vswp-size-mb", "3072", True, 2)
        store.record("99_no_bank", "fix-vmx", "text", True, 1)
    with ProgressStore(learner="bob") as store:
        store.record(LAB, "vmkernel-role", "z", True, 1)
    return vlab_home


def test_export_jupyterquiz_to_a_file_validates_against_the_schema(tmp_path):
    target = tmp_path / "quiz.json"
    out = vlab("quiz", "export", LAB, "--format", "jupyterquiz", "-o", str(target))
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(data, JUPYTERQUIZ_SCHEMA)
    assert len(data) == len(load_bank(LAB)) >= 10


def test_export_to_stdout_and_unknown_lab(capsys):
    assert main(["quiz", "export", LAB]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), JUPYTERQUIZ_SCHEMA)
    out = vlab("quiz", "export", "00_start")
    assert out.returncode == 1 and "00_start_here" in out.stderr
    assert "Traceback" not in out.stderr


def test_validate_reports_a_broken_bank_file_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - id: q\n    type: essay\n    question: x\n    source: s\n"
                   "    answers: [{answer: a, correct: true}]\n", encoding="utf-8")
    out = vlab("quiz", "validate", str(bad), LAB)
    assert out.returncode == 1
    assert "unknown type 'essay'" in out.stdout and f"ok      {LAB}" in out.stdout


def test_quiz_list_json(capsys):
    assert main(["quiz", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    start = next(r for r in rows if r["lab"] == LAB)
    assert start["questions"] == len(load_bank(LAB)) and set(start["types"]) == {
        "multiple_choice", "many_choice", "numeric", "string"}


def test_progress_text_shows_completion_and_score_of_this_learner_only(ada):
    out = vlab("progress")
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith(LAB))
    bank = load_bank(LAB)
    quiz = [q for q in bank if q.stage == "quiz"]
    total, points = len(quiz), sum(q.points for q in quiz)
    earned = bank.get("vmkernel-role").points + bank.get("vswp-size-mb").points
    # ada answered two questions right; bob's attempt is not counted
    assert line.split() == [LAB, f"{2 / total:.0%}", f"2/{total}", f"{earned:g}/{points:g}", "-", "3"]
    assert "99_no_bank" in out.stdout and "no quiz" in out.stdout


def test_progress_json_and_learner_option(ada, capsys):
    assert main(["progress", "--json", "--learner", "bob"]) == 0
    data = json.loads(capsys.readouterr().out)
    start = next(r for r in data["labs"] if r["lab"] == LAB)
    assert data["learner"] == "bob"
    total = sum(q.stage == "quiz" for q in load_bank(LAB))
    assert (start["questions_correct"], start["questions_total"], start["completion"]) == (1, total,
                                                                                          1 / total)


def test_progress_export_one_row_per_attempt(ada, tmp_path):
    target = tmp_path / "class.csv"
    out = vlab("progress", "--export", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 5 and {r["learner"] for r in rows} == {"ada", "bob"}
    assert main(["progress", "--export", str(target), "--learner", "bob"]) == 0
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 1


def test_reset_without_stdin_or_with_no_does_nothing(ada):
    out = vlab("progress", "--reset")
    assert out.returncode == 1 and "Nothing deleted" in out.stderr
    out = vlab("progress", "--reset", stdin="n\n")
    assert out.returncode == 1
    with ProgressStore(learner="ada") as store:
        assert len(store.attempts()) == 4


def test_reset_one_lab_with_confirmation_keeps_the_rest(ada, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert main(["progress", "--reset", "--lab", "99_no_bank"]) == 0
    assert "Delete 1 attempt(s) of ada in lab 99_no_bank?" in capsys.readouterr().err
    with ProgressStore(learner="ada") as store:
        assert {a.lab for a in store.attempts()} == {LAB}
        assert len(store.attempts(learner="bob")) == 1


def test_reset_yes_deletes_all_of_this_learner(ada):
    out = vlab("progress", "--reset", "--yes")
    assert out.returncode == 0 and "Deleted 4" in out.stdout
    with ProgressStore(learner="ada") as store:
        assert store.attempts() == [] and len(store.attempts(learner="bob")) == 1


def test_user_mistakes_are_messages(ada):
    out = vlab("progress", "--reset", "--lab", "00_start_her", "--yes")
    assert out.returncode == 1 and "Did you mean: 00_start_here" in out.stderr
    out = vlab("progress", "--yes")
    assert out.returncode == 1 and "--yes only goes with --reset" in out.stderr
    assert "Traceback" not in out.stderr


def test_corrupt_store_is_a_warning_not_a_crash(vlab_home):
    (vlab_home / "progress.sqlite").write_bytes(b"garbage" * 100)
    out = vlab("progress")
    assert out.returncode == 0, out.stderr
    assert "vlab: warning:" in out.stderr and "corrupt-" in out.stderr


def test_cli_does_not_import_widgets_or_plotly(vlab_home):
    code = ("import sys; from vlab.cli.main import main; main(['progress', '--json']); "
            "main(['quiz', 'list']); "
            "bad = [m for m in ('ipywidgets', 'plotly', 'vlab.widgets') if m in sys.modules]; "
            "sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
