"""Predictions: committed once, recorded apart from the quiz score, the explanation shown only after the
commitment and next to it."""
from __future__ import annotations

import pytest
import yaml

from vlab.learn.progress import ProgressStore, summarize
from vlab.widgets.predict import PredictWidget

BANK = {
    "lab": "99_probe",
    "questions": [
        {"id": "predict-iops", "type": "multiple_choice", "stage": "predict", "kind": "concept",
         "question": "64 commands in flight on a queue of 32: what happens to IOPS?",
         "answers": [
             {"answer": "They stay where they are", "correct": True,
              "feedback": "Yes: the queue was already full, so more commands only wait longer."},
             {"answer": "They double with the commands", "correct": False,
              "feedback": "Tempting: twice the work offered; but the device was already busy."},
         ],
         "hints": ["Where do the 32 extra commands wait?"],
         "explanation": "Little's law: the extra commands add latency, not throughput.",
         "reveal": "| queue | IOPS |\n|---|---|\n| 32 | 6,400 |\n| 64 | 6,400 |",
         "source": "test"},
        {"id": "quiz-q", "type": "numeric", "question": "2+2?", "source": "test",
         "answers": [{"value": 4, "correct": True}]},
    ],
}


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "99_probe.yaml"
    path.write_text(yaml.safe_dump(BANK))
    return path


def choose(widget: PredictWidget, text: str) -> None:
    q = widget.question
    widget.view.choice.value = next(i for i, a in enumerate(q.answers) if a.text.startswith(text))


def test_the_explanation_waits_for_a_commitment_and_a_first_commitment_is_final(bank, vlab_home):
    store = ProgressStore(learner="ada")
    w = PredictWidget(str(bank), "predict-iops", store=store)
    assert w.view.explanation.value == "" and w.view.feedback.value == ""
    assert w.notice.outputs == ()  # "What to notice" is nowhere before the commitment
    w.view.show_hint()
    assert "Where do the 32" in w.view.hints.value and "stay where" not in w.view.hints.value
    choose(w, "They double")
    result = w.commit()
    assert not result.correct
    assert "Little's law" in w.view.explanation.value
    assert "Tempting" in w.view.feedback.value and "does something else" in w.view.feedback.value
    assert w.view.choice.disabled and w.view.check_button.disabled
    (shown,) = w.notice.outputs  # then it is rendered as Markdown (a table here) beside the verdict
    assert shown["data"]["text/markdown"].startswith("**What to notice**") and "| 64 | 6,400 |" in \
        shown["data"]["text/markdown"]
    choose(w, "They stay")  # a second commit (e.g. from code) changes nothing recorded
    w.commit()
    attempts = store.attempts()
    assert [(a.question_id, a.correct, a.points) for a in attempts] == [("predict-iops", False, 0.0)]


def test_predictions_are_counted_apart_from_the_quiz_score(bank, vlab_home):
    store = ProgressStore(learner="ada")
    w = PredictWidget(str(bank), "predict-iops", store=store)
    choose(w, "They stay")
    w.commit()
    store.record("99_probe", "quiz-q", 4, True, 1.0)
    (row,) = summarize(store.attempts(), {"99_probe": {"quiz-q": 1.0}}, {"99_probe": {"predict-iops"}})
    assert (row.questions_correct, row.questions_total, row.points_earned) == (1, 1, 1.0)
    assert (row.predictions_made, row.predictions_right, row.exercises_passed) == (1, 1, 0)


def test_only_the_first_commitment_of_a_prediction_counts_in_the_summary():
    from vlab.learn.progress import Attempt

    rows = [Attempt("ada", "l", "p", "0", False, 0.0, "t1"), Attempt("ada", "l", "p", "1", True, 0.0, "t2")]
    (row,) = summarize(rows, {"l": {}}, {"l": {"p"}})
    assert (row.predictions_made, row.predictions_right) == (1, 0)


def test_a_quiz_question_is_not_a_prediction(bank):
    with pytest.raises(ValueError, match="not a prediction"):
        PredictWidget(str(bank), "quiz-q", record=False)


def test_a_reveal_belongs_to_a_prediction_only(tmp_path):
    from vlab.learn.bank import BankError, load_bank

    bad = {"lab": "99_probe", "questions": [dict(BANK["questions"][1], reveal="the answer is 4")]}
    path = tmp_path / "99_probe.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(BankError, match="'reveal' belongs to a prediction"):
        load_bank(str(path))
