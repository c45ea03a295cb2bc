"""Question banks: the demo bank loads, each kind of authoring mistake is reported with file, id and
reason, and the jupyterquiz export matches jupyterquiz's documented JSON format."""
from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from vlab.learn import QUESTION_TYPES, BankError, available_banks, load_bank, to_jupyterquiz
from vlab.learn.bank import parse_bank

# Written from jupyterquiz's schema/mc_schema.json, num_schema.json and string_schema.json
# (jmshea/jupyterquiz) and its README. Stricter than jupyterquiz in one way: no other keys are
# allowed on a question, so a vlab-only field (id, hints, ...) leaking into an export fails.
JUPYTERQUIZ_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "minItems": 1,
    "items": {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "question": {"type": "string"},
                    "type": {"enum": ["multiple_choice", "many_choice"]},
                    "code": {"type": "string"},
                    "answer_cols": {"type": "number"},
                    "answers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "answer": {"type": "string"},
                                "correct": {"type": "boolean"},
                                "feedback": {"type": "string"},
                                "code": {"type": "string"},
                            },
                            "required": ["answer", "correct"],
                            "additionalProperties": False,
                        },
                    },
                },
                "required": ["type", "question", "answers"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "question": {"type": "string"},
                    "type": {"const": "numeric"},
                    "precision": {"type": "integer"},
                    "code": {"type": "string"},
                    "answers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "type": {"const": "value"},
                                        "value": {"type": "number"},
                                        "correct": {"type": "boolean"},
                                        "feedback": {"type": "string"},
                                    },
                                    "required": ["value", "correct"],
                                    "additionalProperties": False,
                                },
                                {
                                    "type": "object",
                                    "properties": {
                                        "type": {"const": "range"},
                                        "range": {
                                            "type": "array",
                                            "items": {"type": "number"},
                                            "minItems": 2,
                                            "maxItems": 2,
                                        },
                                        "correct": {"type": "boolean"},
                                        "feedback": {"type": "string"},
                                    },
                                    "required": ["range", "correct"],
                                    "additionalProperties": False,
                                },
                                {
                                    "type": "object",
                                    "properties": {
                                        "type": {"const": "default"},
                                        "feedback": {"type": "string"},
                                    },
                                    "required": ["type", "feedback"],
                                    "additionalProperties": False,
                                },
                            ]
                        },
                    },
                },
                "required": ["type", "question", "answers"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "question": {"type": "string"},
                    "type": {"const": "string"},
                    "code": {"type": "string"},
                    "input_width": {"type": "integer", "minimum": 0},
                    "answers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "type": {"const": "default"},
                                        "feedback": {"type": "string"},
                                    },
                                    "required": ["type", "feedback"],
                                    "additionalProperties": False,
                                },
                                {
                                    "type": "object",
                                    "properties": {
                                        "answer": {"type": "string"},
                                        "correct": {"type": "boolean"},
                                        "feedback": {"type": "string"},
                                        "match_case": {"type": "boolean"},
                                        "fuzzy_threshold": {"type": "number"},
                                    },
                                    "required": ["answer", "correct"],
                                    "additionalProperties": False,
                                },
                            ]
                        },
                    },
                },
                "required": ["type", "question", "answers"],
                "additionalProperties": False,
            },
        ]
    },
}


def _question(**over):
    q = {
        "id": "q1",
        "type": "multiple_choice",
        "question": "Which file is the swap file?",
        "source": "notes, Datastore Files",
        "answers": [
            {"answer": ".vswp", "correct": True, "feedback": "yes"},
            {"answer": ".vmss", "correct": False, "feedback": "no"},
        ],
    }
    q.update(over)
    return q


def _bank_file(tmp_path: Path, questions, name="broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"lab": "99_test", "questions": questions}), encoding="utf-8")
    return path


def _problems(tmp_path, questions) -> str:
    path = _bank_file(tmp_path, questions)
    with pytest.raises(BankError) as info:
        load_bank(path)
    message = str(info.value)
    assert str(path) in message  # the file is named
    return message


# ---------------------------------------------------------------- the demo bank


def test_demo_bank_has_every_question_type():  # metadata: test_every_bank_loads_with_full_metadata
    bank = load_bank("00_start_here")
    assert bank.lab == "00_start_here"
    assert {q.type for q in bank} == set(QUESTION_TYPES)


def test_demo_bank_facts_asked_for_by_the_issue():
    bank = load_bank("00_start_here")
    swap = bank.get("swap-file-extension")
    assert [a.text for a in swap.correct_answers] == [".vswp"]
    count = bank.get("datastore-file-types-count")
    assert [a.value for a in count.correct_answers] == [11.0]
    vmsd = bank.get("snapshot-metadata-extension")
    assert {a.text for a in vmsd.correct_answers} == {"vmsd", ".vmsd"}
    vc = bank.get("vcenter-components")
    assert vc.type == "many_choice" and len(vc.correct_answers) >= 2


def test_subset_keeps_the_requested_order_and_names_unknown_ids():
    bank = load_bank("00_start_here")
    qs = bank.subset(["vcenter-components", "vmkernel-role"])
    assert [q.id for q in qs] == ["vcenter-components", "vmkernel-role"]
    with pytest.raises(KeyError, match="vmkernel-role"):
        bank.subset(["vmkernel-rol"])


def test_unknown_lab_is_a_clear_file_not_found():
    with pytest.raises(FileNotFoundError, match="00_start_here"):
        load_bank("00_start_her")


# ---------------------------------------------------------------- each kind of mistake


def test_no_correct_answer(tmp_path):
    q = _question()
    q["answers"][0]["correct"] = False
    msg = _problems(tmp_path, [q])
    assert "question 'q1'" in msg and "no answer is marked correct" in msg


def test_duplicate_id(tmp_path):
    msg = _problems(tmp_path, [_question(), _question()])
    assert "question 'q1' (#2)" in msg and "duplicate id 'q1'" in msg and "#1" in msg


def test_range_reversed(tmp_path):
    q = _question(type="numeric", answers=[
        {"value": 11, "correct": True},
        {"range": [20, 12], "correct": False, "feedback": "too many"},
    ])
    msg = _problems(tmp_path, [q])
    assert "question 'q1'" in msg and "answer #2" in msg and "reversed" in msg


def test_empty_range(tmp_path):
    q = _question(type="numeric", answers=[{"range": [3, 3], "correct": True}])
    assert "is empty" in _problems(tmp_path, [q])


def test_unknown_type_suggests_the_near_one(tmp_path):
    msg = _problems(tmp_path, [_question(type="multiple-choice")])
    assert "unknown type 'multiple-choice'" in msg and "did you mean 'multiple_choice'" in msg


@pytest.mark.parametrize("field", ["id", "type", "question", "answers", "source"])
def test_missing_required_field(tmp_path, field):
    q = _question()
    del q[field]
    msg = _problems(tmp_path, [q])
    assert f"missing field '{field}'" in msg


def test_answer_without_correct_flag(tmp_path):
    q = _question()
    del q["answers"][1]["correct"]
    msg = _problems(tmp_path, [q])
    assert "answer #2" in msg and "'correct'" in msg


def test_misspelt_field_is_reported_with_a_suggestion(tmp_path):
    q = _question(hint=["look at the extension"])
    msg = _problems(tmp_path, [q])
    assert "unknown field 'hint'" in msg and "did you mean 'hints'" in msg


def test_two_correct_answers_in_a_multiple_choice(tmp_path):
    q = _question()
    q["answers"][1]["correct"] = True
    assert "use type: many_choice" in _problems(tmp_path, [q])


def test_bad_id_points_precision_and_threshold(tmp_path):
    msg = _problems(tmp_path, [
        _question(id="Has Spaces"),
        _question(id="neg", points=-1),
        _question(id="prec", type="numeric", precision=0, answers=[{"value": 1, "correct": True}]),
        _question(id="fuzzy", type="string", answers=[
            {"answer": "vmsd", "correct": True, "fuzzy_threshold": 1.5}]),
    ])
    assert "not a slug" in msg
    assert "question 'neg'" in msg and "'points' must be a positive number" in msg
    assert "question 'prec'" in msg and "significant digits" in msg
    assert "question 'fuzzy'" in msg and "fuzzy_threshold" in msg


def test_numeric_answer_needs_value_or_range(tmp_path):
    q = _question(type="numeric", answers=[{"correct": True, "feedback": "?"}])
    assert "exactly one of 'value' or 'range'" in _problems(tmp_path, [q])


def test_all_problems_are_listed_at_once(tmp_path):
    bad_type = _question(id="a", type="essay")
    no_correct = _question(id="b")
    no_correct["answers"][0]["correct"] = False
    path = _bank_file(tmp_path, [bad_type, no_correct])
    with pytest.raises(BankError) as info:
        load_bank(path)
    assert len(info.value.problems) == 2
    assert info.value.problems[0].startswith("question 'a'")
    assert info.value.problems[1].startswith("question 'b'")


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("questions: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(BankError, match=r"(?s)bad.yaml.*not valid YAML.*line 2"):
        load_bank(path)


def test_empty_bank(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("questions: []\n", encoding="utf-8")
    with pytest.raises(BankError, match="non-empty list"):
        load_bank(path)


def test_json_bank_in_jupyterquiz_list_form_with_vlab_fields(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([_question()]), encoding="utf-8")
    bank = load_bank(path)
    assert bank.lab == "q" and bank.ids == ("q1",) and bank.questions[0].points == 1.0


# ---------------------------------------------------------------- jupyterquiz export


BANKS = available_banks()


def test_every_lab_in_the_lab_list_has_a_bank():
    from vlab.knowledge.paths import datasets_dir

    with (datasets_dir() / "labs.csv").open(encoding="utf-8", newline="") as f:
        slugs = {row["slug"] for row in csv.DictReader(f)}
    assert set(BANKS) == slugs  # so the tests parametrized over BANKS cover every lab


@pytest.mark.parametrize("lab", BANKS)
def test_every_bank_loads_with_full_metadata(lab):
    bank = load_bank(lab)
    assert bank.lab == lab and len(bank) >= 5
    assert len(set(bank.ids)) == len(bank)
    for q in bank:
        assert q.type in QUESTION_TYPES, q.id
        assert q.source.strip() and q.explanation.strip() and q.hints, q.id
        assert all(a.feedback for a in q.answers), q.id
        assert q.correct_answers, q.id


def _expected_export_answer(qtype: str, a) -> dict:
    """What jupyterquiz's README says an answer looks like, written from the bank's Answer."""
    if a.is_default:
        return {"type": "default", "feedback": a.feedback}
    if qtype in ("multiple_choice", "many_choice"):
        item = {"answer": a.text or "", "correct": a.correct}
        if a.code:
            item["code"] = a.code
    elif qtype == "numeric" and a.value is not None:
        item = {"type": "value", "value": a.value, "correct": a.correct}
    elif qtype == "numeric":
        item = {"type": "range", "range": list(a.range), "correct": a.correct}
    else:
        item = {"answer": a.text, "correct": a.correct}
        if a.match_case:
            item["match_case"] = True
        if a.fuzzy_threshold is not None:
            item["fuzzy_threshold"] = a.fuzzy_threshold
    if a.feedback:
        item["feedback"] = a.feedback
    return item


@pytest.mark.parametrize("lab", BANKS)
def test_export_of_every_bank_validates_against_jupyterquiz_schema(lab):
    bank = load_bank(lab)
    exported = to_jupyterquiz(bank)
    jsonschema.validate(exported, JUPYTERQUIZ_SCHEMA)
    text = json.dumps(exported)
    for vlab_only in ('"id"', '"hints"', '"explanation"', '"source"', '"topic"', '"points"'):
        assert vlab_only not in text
    assert len(exported) == len(bank)
    for q, out in zip(bank, exported, strict=True):
        assert (out["type"], out["question"]) == (q.type, q.question), q.id
        assert out["answers"] == [_expected_export_answer(q.type, a) for a in q.answers], q.id
        if q.precision is not None:
            assert out["precision"] == q.precision, q.id


def test_export_writes_whole_numbers_as_integers():
    exported = to_jupyterquiz(load_bank("00_start_here"))
    numeric = next(q for q in exported if q["type"] == "numeric")
    first = numeric["answers"][0]
    assert first == {"type": "value", "value": 11, "correct": True, "feedback": first["feedback"]}
    assert isinstance(first["value"], int)


def test_schema_catches_a_leaked_vlab_field():
    exported = to_jupyterquiz(load_bank("00_start_here"))
    leaked = copy.deepcopy(exported)
    leaked[0]["hints"] = ["x"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(leaked, JUPYTERQUIZ_SCHEMA)
    reversed_string = copy.deepcopy(exported)
    string_q = next(q for q in reversed_string if q["type"] == "string")
    string_q["answers"][0]["correct"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(reversed_string, JUPYTERQUIZ_SCHEMA)


def test_export_keeps_jupyterquiz_display_fields():
    bank = parse_bank([_question(code="ls *.vswp", answer_cols=2)], lab="x")
    (q,) = to_jupyterquiz(bank)
    assert q["code"] == "ls *.vswp" and q["answer_cols"] == 2
    jsonschema.validate([q], JUPYTERQUIZ_SCHEMA)


def test_a_bank_path_that_is_no_text_file_is_a_bank_error_not_a_hang_or_crash(tmp_path):
    folder = tmp_path / "bank.yaml"
    folder.mkdir()
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("- question: 'caf\u00e9'\n".encode("latin-1"))
    for path, reason in [(folder, "is a folder"), (Path("/dev/zero"), "not a regular file"),
                         (latin1, r"not UTF-8 text \(byte 16\)")]:
        with pytest.raises(BankError, match=reason) as info:
            load_bank(path)
        assert str(path) in str(info.value)


def test_stage_and_kind_labels_default_and_are_checked(tmp_path):
    base = {"type": "numeric", "question": "?", "source": "s", "answers": [{"value": 1, "correct": True}]}
    bank = parse_bank([{**base, "id": "plain"}, {**base, "id": "p", "stage": "predict", "kind": "surprise"}],
                      "t")
    assert [(q.stage, q.kind) for q in bank] == [("quiz", "concept"), ("predict", "surprise")]
    with pytest.raises(BankError) as err:
        parse_bank([{**base, "id": "bad", "stage": "guess", "kind": "trivia"}], "t")
    assert "'stage' must be one of quiz, predict" in str(err.value)
    assert "'kind' must be one of recall, concept, transfer, surprise" in str(err.value)
