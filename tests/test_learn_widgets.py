"""Quiz, checker and progress widgets driven as a learner would, without a browser:
set `.value`, call `.click()`, read the rendered HTML and the progress store."""
from __future__ import annotations

import pytest

from vlab.learn import ProgressStore, load_bank
from vlab.learn.progress import LabProgress
from vlab.widgets import CheckerWidget, Criterion, ProgressWidget, QuizWidget
from vlab.widgets.progress import PLOTLY_MIME, completion_figure
from vlab.widgets.quiz import answer_order

LAB = "00_start_here"


@pytest.fixture
def store(vlab_home):
    with ProgressStore(learner="tester") as s:
        yield s


def _option_for(view, correct: bool):
    """The radio value of a correct (or a wrong) answer, whatever the shuffled order."""
    return next(value for _label, value in view.choice.options
                if view.question.answers[value].correct is correct)


# ---------------------------------------------------------------- quiz


def test_seeded_shuffle_is_reproducible_and_actually_shuffles():
    bank = load_bank(LAB)
    q = bank.get("vcenter-components")
    assert answer_order(q, 0) == answer_order(q, 0)
    orders = {tuple(answer_order(q, seed)) for seed in range(10)}
    assert len(orders) > 1
    assert all(sorted(o) == list(range(len(q.answers))) for o in orders)
    first = QuizWidget.from_bank(LAB, ids=["swap-file-extension"], seed=3, record=False)
    again = QuizWidget.from_bank(LAB, ids=["swap-file-extension"], seed=3, record=False)
    assert first.views[0].choice.options == again.views[0].choice.options


def test_subset_in_given_order():
    quiz = QuizWidget.from_bank(LAB, ids=["vcenter-components", "vmkernel-role"], record=False)
    assert [v.question.id for v in quiz.views] == ["vcenter-components", "vmkernel-role"]
    assert quiz.max_points == 2


def test_multiple_choice_right_and_wrong_with_feedback_explanation_and_record(store):
    quiz = QuizWidget.from_bank(LAB, ids=["swap-file-extension"], seed=1, store=store)
    view = quiz.views[0]
    assert view.explanation.value == ""  # nothing given away before an attempt
    view.choice.value = _option_for(view, correct=False)
    view.check_button.click()
    assert "✗ Not correct" in view.feedback.value
    wrong = view.question.answers[view.choice.value]
    assert wrong.feedback[:30] in view.feedback.value
    assert "Explanation:" in view.explanation.value and "Source:" in view.explanation.value
    view.choice.value = _option_for(view, correct=True)
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert "Score: 1 of 1 points; 1 of 1 questions" in quiz.score.value
    assert "2 attempt(s)" in quiz.score.value
    rows = store.attempts(lab=LAB)
    assert [(r.question_id, r.correct, r.answer_value()) for r in rows] == [
        ("swap-file-extension", False, wrong.text),
        ("swap-file-extension", True, ".vswp"),
    ]


def test_nothing_chosen_is_a_message_and_not_an_attempt(store):
    quiz = QuizWidget.from_bank(LAB, ids=["swap-file-extension", "vcenter-components",
                                          "datastore-file-types-count"], store=store)
    for view in quiz.views:
        view.check_button.click()
        assert "⚠" in view.feedback.value and "not counted" in view.feedback.value
        assert view.explanation.value == ""
    numeric = quiz.view("datastore-file-types-count")
    numeric.entry.value = "eleven"
    numeric.check_button.click()
    assert "is not a number" in numeric.feedback.value
    assert store.attempts() == []
    assert "0 attempt(s)" in quiz.score.value


def test_many_choice_per_answer_feedback_and_all_or_nothing(store):
    quiz = QuizWidget.from_bank(LAB, ids=["vcenter-components"], seed=0, store=store)
    view = quiz.views[0]
    correct_boxes = [b for b in view.choices if view.question.answers[b.answer_index].correct]
    wrong_boxes = [b for b in view.choices if not view.question.answers[b.answer_index].correct]
    correct_boxes[0].value = True
    wrong_boxes[0].value = True
    view.check_button.click()
    html = view.feedback.value
    assert "✗ Not correct (1 of 4 correct answers chosen, 1 wrong)" in html
    assert f"✓ {correct_boxes[0].description}: a correct answer" in html
    assert f"✗ {wrong_boxes[0].description}: not a correct answer" in html
    wrong_boxes[0].value = False
    for b in correct_boxes:
        b.value = True
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert [r.correct for r in store.attempts()] == [False, True]
    assert all(b.description for b in view.choices)  # every checkbox is labelled


def test_numeric_and_string_entries(store):
    quiz = QuizWidget.from_bank(LAB, ids=["datastore-file-types-count",
                                          "snapshot-metadata-extension"], store=store)
    count, ext = quiz.views
    count.entry.value = "9"
    count.check_button.click()
    assert "✗" in count.feedback.value and "Too few" in count.feedback.value
    count.entry.value = " 11 "
    count.check_button.click()
    assert "✓ Correct" in count.feedback.value
    ext.entry.value = ".VMSD"
    ext.check_button.click()
    assert "✓ Correct" in ext.feedback.value
    assert "Score: 2 of 2 points" in quiz.score.value


def test_hints_one_at_a_time_then_the_button_is_disabled():
    quiz = QuizWidget.from_bank(LAB, ids=["vcenter-components"], record=False)
    view = quiz.views[0]
    hints = view.question.hints
    assert len(hints) == 2 and view.hints.value == ""
    view.hint_button.click()
    assert "Hint 1 of 2" in view.hints.value and "Hint 2" not in view.hints.value
    assert not view.hint_button.disabled
    view.hint_button.click()
    assert "Hint 2 of 2" in view.hints.value and view.hint_button.disabled
    assert view.show_hint() == ""


def test_controls_are_labelled_and_classed_for_accessibility_and_browser_tests():
    quiz = QuizWidget.from_bank(LAB, record=False)
    assert "vlab-quiz" in quiz._dom_classes
    for view in quiz.views:
        assert view.check_button.description == "Check"
        assert view.hint_button.description == "Hint"
        assert "vlab-quiz-check" in view.check_button._dom_classes
        assert "vlab-quiz-hint" in view.hint_button._dom_classes
        assert "vlab-quiz-feedback" in view.feedback._dom_classes
        control = view.choice or view.entry
        if control is not None:
            assert control.description
        assert view.check_button.tooltip
    assert quiz.views[0].question.type == "multiple_choice"  # the browser test ticks a radio


def test_store_failure_does_not_break_the_quiz(vlab_home):
    class BrokenStore(ProgressStore):
        def record(self, *a, **k):
            raise OSError("disk full")

    quiz = QuizWidget.from_bank(LAB, ids=["swap-file-extension"], store=BrokenStore())
    view = quiz.views[0]
    view.choice.value = _option_for(view, correct=True)
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value and "could not be saved: disk full" in view.feedback.value


# ---------------------------------------------------------------- checker


def check_vmx(text: str) -> list[Criterion]:
    settings = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ValueError(f"line {number} has no '=': {line.strip()!r}")
        key, value = line.split("=", 1)
        settings[key.strip()] = value.strip().strip('"')
    return [
        Criterion(settings.get("isolation.tools.copy.disable") == "TRUE",
                  "Copy from the guest to the console is disabled",
                  "Set isolation.tools.copy.disable = \"TRUE\""),
        Criterion(settings.get("isolation.tools.paste.disable") == "TRUE",
                  "Paste into the guest is disabled",
                  "Set isolation.tools.paste.disable = \"TRUE\""),
    ]


def test_checker_text_area_per_criterion_results_hints_and_record(store):
    w = CheckerWidget("Disable **copy and paste** in this `.vmx`.", check_vmx,
                      exercise_id="copy-paste", lab="08_hardening",
                      work='isolation.tools.copy.disable = "FALSE"\n', points=3, store=store)
    assert "<b>copy and paste</b>" in w.statement.value and "<code>.vmx</code>" in w.statement.value
    assert w.work.description
    w.check_button.click()
    html = w.results.value
    assert "✗ 0 of 2 checks pass" in html
    assert "Hint: Set isolation.tools.copy.disable" in html
    w.work.value = ('isolation.tools.copy.disable = "TRUE"\n'
                    'isolation.tools.paste.disable = "TRUE"\n')
    w.check_button.click()
    assert "✓ All 2 checks pass" in w.results.value and "Hint:" not in w.results.value
    assert w.passed
    rows = store.attempts(lab="08_hardening")
    assert [(r.question_id, r.correct, r.points) for r in rows] == [
        ("copy-paste", False, 0.0), ("copy-paste", True, 3.0)]
    assert "paste.disable" in rows[1].answer_value()


def test_checker_turns_a_value_error_into_a_failed_criterion(store):
    w = CheckerWidget("Fix the file.", check_vmx, exercise_id="copy-paste", lab="08_hardening",
                      work="this line is broken", store=store)
    report = w.check()
    assert not report.passed
    assert "line 1 has no '='" in w.results.value and "✗" in w.results.value
    assert "Traceback" not in w.results.value
    assert store.attempts()[0].correct is False


def test_checker_over_a_model_object_and_a_callable(store):
    class Host:
        def __init__(self):
            self.vmotion_isolated = False

    host = Host()

    def check_host(h):
        return [Criterion(h.vmotion_isolated, "vMotion runs on its own network",
                          "Put vMotion on an isolated network")]

    direct = CheckerWidget("Isolate vMotion.", check_host, exercise_id="vmotion", lab="08_hardening",
                           work=host, store=store)
    via_callable = CheckerWidget("Isolate vMotion.", check_host, exercise_id="vmotion2",
                                 lab="08_hardening", work=lambda: host, store=store)
    assert direct.work is None  # no text area when the work is an object
    assert not direct.check().passed
    host.vmotion_isolated = True  # the learner changes the model in another cell
    assert direct.check().passed and via_callable.check().passed


def test_checker_survives_a_broken_check_function(store):
    def broken(_work):
        return ["not a criterion"]

    w = CheckerWidget("x", broken, exercise_id="b", lab="08_hardening", store=store)
    assert not w.check().passed and "not a Criterion" in w.results.value

    def crashes(_work):
        raise RuntimeError("bug in the exercise")

    w2 = CheckerWidget("x", crashes, exercise_id="c", lab="08_hardening", store=store)
    w2.check_button.click()
    assert "The check itself failed" in w2.results.value


# ---------------------------------------------------------------- progress


ROWS = [
    LabProgress("00_start_here", 8, 4, 5, 9, 10),
    LabProgress("01_vmkernel", 5, 5, 5, 5, 7),
    LabProgress("03_virtual_storage", 0, 0, 0, 0, 2),
]


def test_completion_figure_is_a_pure_function_of_rows():
    fig = completion_figure(ROWS)
    bar = fig.data[0]
    assert list(bar.x) == ["00_start_here", "01_vmkernel", "03_virtual_storage"]
    assert list(bar.y) == [50.0, 100.0, 0.0]
    assert list(bar.text) == ["4/8", "5/5", "no quiz"]
    assert fig.layout.yaxis.title.text.endswith("(%)")
    assert completion_figure(ROWS).to_dict() == fig.to_dict()


def test_progress_widget_shows_chart_and_table_and_refreshes(store):
    banks = {LAB: {"a": 1, "b": 1}}
    w = ProgressWidget(store=store, banks=banks)
    assert list(w.figure.data[0].y) == [0.0]
    assert "0/2" in w.table.value and "<caption>" in w.table.value
    assert PLOTLY_MIME in w.plot.outputs[0]["data"]
    store.record(LAB, "a", 1, True, 1)
    w.refresh_button.click()
    assert list(w.figure.data[0].y) == [50.0]
    assert "50%" in w.table.value and "1/2" in w.table.value
