"""`vlab scores` and vlab.learn.scores: the class table an instructor builds from exported files."""
from __future__ import annotations

import csv
import json

import pytest

from vlab.cli.main import main
from vlab.learn import scores
from vlab.learn.progress import CSV_COLUMNS, ProgressStore

BANKS = {"00_start_here": {"a": 1.0, "b": 2.0, "c": 1.0}, "05_datastore_files": {"x": 1.0, "y": 1.0}}


def export_of(tmp_path, name, records):
    """Record attempts in a real store and export them, as a participant would."""
    store = ProgressStore(path=tmp_path / f"{name}.sqlite", learner=name)
    for lab, qid, answer, correct, points in records:
        store.record(lab, qid, answer, correct, points)
    target = tmp_path / f"{name}.csv"
    store.export_csv(target, all_learners=True)
    attempts = store.attempts(all_learners=True)
    store.close()
    return target, attempts


def write_rows(path, rows, header=CSV_COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


GOOD = ["ana", "00_start_here", "a", '"x"', "1", "1.0", "2026-11-26T10:00:00+00:00"]


def test_an_export_reads_back_as_the_attempts_the_store_holds(tmp_path):
    path, stored = export_of(tmp_path, "ana", [
        ("00_start_here", "a", "a, with comma", True, 1.0),
        ("00_start_here", "b", {"n": 2}, False, 0.0),
        ("05_datastore_files", "x", 3.5, True, 1.0),
    ])
    got = scores.read_export(path)
    assert got.problems == []
    assert got.attempts == stored


def test_class_table_counts_distinct_correct_questions_at_bank_points(tmp_path):
    ana, _ = export_of(tmp_path, "ana", [
        ("00_start_here", "a", "w", False, 0.0),   # wrong, then right: counts once
        ("00_start_here", "a", "r", True, 1.0),
        ("00_start_here", "a", "r", True, 1.0),
        ("00_start_here", "b", "r", True, 2.0),
        ("05_datastore_files", "x", "w", False, 0.0),
    ])
    ben, _ = export_of(tmp_path, "ben", [("05_datastore_files", "y", "r", True, 1.0)])
    table = scores.class_table(scores.merge([scores.read_export(ana), scores.read_export(ben)]), BANKS)
    assert [row.learner for row in table] == ["ana", "ben"]
    a, b = table
    assert (a.labs["00_start_here"].questions_correct, a.labs["00_start_here"].completion) == (2, 2 / 3)
    assert a.labs["00_start_here"].points_earned == 3.0  # bank points of a (1) and b (2)
    assert a.labs["00_start_here"].attempts == 4
    assert a.labs["05_datastore_files"].questions_correct == 0
    assert (a.questions_correct, a.questions_total, a.points_possible) == (2, 5, 6.0)
    assert b.labs["05_datastore_files"].completion == 0.5
    assert b.labs["00_start_here"].attempts == 0


def test_the_same_file_sent_twice_counts_once(tmp_path):
    path, _ = export_of(tmp_path, "ana", [("00_start_here", "a", "r", True, 1.0),
                                          ("00_start_here", "b", "w", False, 0.0)])
    once = scores.class_table(scores.merge([scores.read_export(path)]), BANKS)
    twice = scores.class_table(scores.merge([scores.read_export(path)] * 2), BANKS)
    assert twice == once
    assert once[0].labs["00_start_here"].attempts == 2


def test_bad_rows_are_reported_by_line_and_the_good_rows_kept(tmp_path):
    path = write_rows(tmp_path / "mixed.csv", [
        GOOD,
        ["ana", "00_start_here", "b", '"x"', "yes", "1.0", "2026-11-26T10:00:00+00:00"],
        ["ana", "00_start_here", "b", '"x"', "1", "lots", "2026-11-26T10:00:00+00:00"],
        ["ana", "00_start_here", "b", '"x"', "1", "1.0", "yesterday"],
        ["", "00_start_here", "b", '"x"', "1", "1.0", "2026-11-26T10:00:00+00:00"],
        ["ana", "00_start_here", "b"],
        ["ana", "00_start_here", "c", "not json", "1", "1.0", "2026-11-26T10:00:00+00:00"],
        ["ana", "00_start_here", "c", '"x"', "1", "-1", "2026-11-26T10:00:00+00:00"],
        ["ana", "00_start_here", "c", '"x"', "1", "1.0", "2026-11-26T11:00:00+00:00"],
    ])
    got = scores.read_export(path)
    assert [(a.question_id, a.time[11:13]) for a in got.attempts] == [("a", "10"), ("c", "11")]
    reasons = [p.split(": ", 1)[1] for p in got.problems]
    lines = [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in got.problems]
    assert lines == ["3", "4", "5", "6", "7", "8", "9"]
    assert "'correct' must be 0 or 1" in reasons[0]
    assert "'points' must be a number" in reasons[1]
    assert "'time' must be an ISO 8601 time" in reasons[2]
    assert "empty 'learner'" in reasons[3]
    assert "expected 7 columns" in reasons[4]
    assert "'answer' is not the JSON" in reasons[5]
    assert "zero or more" in reasons[6]


@pytest.mark.parametrize("content, message", [
    (b"", "an empty file"),
    (b"learner,lab\nana,00\n", "must be the header"),
    (b"SQLite format 3\x00\x00", "binary content"),
    (b"\xff\xfe\x00l\x00e", "binary content"),
    (b"learner,lab,\xe9\n", "not UTF-8"),
])
def test_a_file_that_is_not_an_export_is_refused_as_a_whole(tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(scores.ScoreFileError, match=message):
        scores.read_export(path)


def test_missing_and_oversized_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(scores.ScoreFileError, match="cannot read it"):
        scores.read_export(tmp_path / "nope.csv")
    path = write_rows(tmp_path / "big.csv", [GOOD] * 50)
    monkeypatch.setattr(scores, "MAX_EXPORT_BYTES", 1000)
    with pytest.raises(scores.ScoreFileError, match="too large"):
        scores.read_export(path)


def test_cli_prints_the_class_table_and_writes_csv(tmp_path, capsys, vlab_home):
    ana, _ = export_of(tmp_path, "ana", [("00_start_here", "where-progress-lives", "r", True, 1.0)])
    out_csv = tmp_path / "class.csv"
    assert main(["scores", str(ana), "--output", str(out_csv)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("ana"))
    from vlab.learn.progress import bank_points

    banks = bank_points()
    share = f"{1 / len(banks['00_start_here']):.0%}"
    assert row.split()[1] == share  # lab 00 column: one question of its bank
    assert row.split()[2] == "-"    # lab 01 not started
    with open(out_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(banks)
    lab00 = next(r for r in rows if r["lab"] == "00_start_here")
    assert (lab00["learner"], lab00["questions_correct"], lab00["attempts"]) == ("ana", "1", "1")


def test_cli_json_and_exit_code_when_a_file_is_skipped(tmp_path, capsys, vlab_home):
    ana, _ = export_of(tmp_path, "ana", [("00_start_here", "where-progress-lives", "r", True, 1.0)])
    bad = write_rows(tmp_path / "bad.csv", [GOOD[:3]])
    assert main(["scores", str(ana), str(bad), "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [entry["learner"] for entry in data["learners"]] == ["ana"]
    assert data["learners"][0]["labs"]["00_start_here"]["questions_correct"] == 1
    assert data["skipped"] == [f"{bad}:2: expected 7 columns"]
    assert f"vlab: skipped {bad}:2" in captured.err


def test_cli_with_no_usable_file_says_so_without_a_traceback(tmp_path, capsys, vlab_home):
    (tmp_path / "notes.txt").write_text("hello\n")
    assert main(["scores", str(tmp_path / "notes.txt"), str(tmp_path / "gone.csv")]) == 1
    err = capsys.readouterr().err
    assert "no usable export file" in err
    assert "cannot read it" in err and "must be the header" in err
    assert "Traceback" not in err


def test_a_folder_or_a_device_is_refused_not_read(tmp_path):
    with pytest.raises(scores.ScoreFileError, match="is a folder"):
        scores.read_export(tmp_path)
    with pytest.raises(scores.ScoreFileError, match="not a regular file"):
        scores.read_export("/dev/zero")  # reading it would never end


def test_cli_refuses_to_write_the_table_over_an_export_or_to_an_empty_name(tmp_path, capsys, vlab_home):
    ana, _ = export_of(tmp_path, "ana", [("00_start_here", "where-progress-lives", "r", True, 1.0)])
    before = ana.read_bytes()
    assert main(["scores", str(ana), "--output", str(tmp_path / "." / "ana.csv")]) == 1
    assert "is one of the export files" in capsys.readouterr().err
    assert ana.read_bytes() == before
    assert main(["scores", str(ana), "--output", ""]) == 1
    assert "needs a file name" in capsys.readouterr().err


def test_a_learner_name_the_terminal_cannot_show_is_escaped_not_a_crash(tmp_path, vlab_home):
    import os
    import subprocess
    import sys

    path, _ = export_of(tmp_path, "Zoë", [("00_start_here", "where-progress-lives", "r", True, 1.0)])
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    out = subprocess.run([sys.executable, "-m", "vlab.cli.main", "scores", str(path)],
                         capture_output=True, text=True, env=env, encoding="ascii", errors="strict")
    assert out.returncode == 0, out.stderr
    assert "Zo\\xeb" in out.stdout and "Traceback" not in out.stderr
