"""The quiz widget: questions from a bank, answers checked in the kernel, attempts recorded.

Each question shows its answer choices (shuffled with a seed) or a text box, a Check button, a Hint
button (one hint per click) and, after an attempt, per-answer feedback and the explanation. A running
score sits under the questions. Grading is vlab.learn.grading.grade (pure); this module only wires
controls to it. Every graded attempt (not an empty or malformed one) goes to the progress store.

For tests and browser automation: controls are attributes (`view.choice`, `view.choices`,
`view.entry`, `view.check_button`, `view.hint_button`, `view.feedback`) and carry CSS classes
(vlab-quiz, vlab-quiz-check, vlab-quiz-hint, vlab-quiz-feedback, vlab-quiz-explanation,
vlab-quiz-score).
"""
from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from vlab.learn.bank import Question, load_bank
from vlab.learn.grading import GradeResult, grade
from vlab.learn.progress import ProgressStore
from vlab.learn.render import (
    explanation_html,
    feedback_html,
    hints_html,
    inline_markdown,
    score_text,
)

_FULL_WIDTH = widgets.Layout(width="auto")
_STYLE = {"description_width": "initial"}


def answer_order(question: Question, seed: int | None, shuffle: bool = True) -> list[int]:
    """Display order of a choice question's answers (indices into question.answers).

    Seeded per question, so the same seed gives the same order in every session.
    """
    order = list(range(len(question.answers)))
    if shuffle:
        rng = random.Random(f"{seed}:{question.id}") if seed is not None else random.Random()
        rng.shuffle(order)
    return order


class QuestionView(widgets.VBox):
    """One question: prompt, answer control, Check and Hint buttons, feedback, explanation."""

    def __init__(self, question: Question, number: int, seed: int | None = 0,
                 shuffle: bool = True,
                 on_graded: Callable[[QuestionView, GradeResult], str] | None = None) -> None:
        self.question = question
        self.number = number
        self.hints_shown = 0
        self.last_result: GradeResult | None = None
        self.ever_correct = False
        self.attempts = 0
        self._on_graded = on_graded
        self.choice: widgets.RadioButtons | None = None
        self.choices: list[widgets.Checkbox] = []
        self.entry: widgets.Text | None = None
        self.order = answer_order(question, seed, shuffle)

        code = (f"<pre><code>{inline_markdown(question.code)}</code></pre>"
                if question.code else "")
        points = f" <small>({question.points:g} point{'s' if question.points != 1 else ''})</small>"
        self.prompt = widgets.HTML(
            f"<div class='vlab-quiz-prompt' id='vlab-q-{question.id}'><b>Question {number}.</b> "
            f"{inline_markdown(question.question)}{points}{code}</div>"
        )
        controls = self._answer_controls()
        self.check_button = widgets.Button(
            description="Check", tooltip=f"Check your answer to question {number}",
            button_style="primary",
        )
        self.check_button.add_class("vlab-quiz-check")
        self.hint_button = widgets.Button(description="Hint")
        self.hint_button.add_class("vlab-quiz-hint")
        self._update_hint_button()
        self.hints = widgets.HTML("")
        self.hints.add_class("vlab-quiz-hints")
        self.feedback = widgets.HTML("")
        self.feedback.add_class("vlab-quiz-feedback")
        self.explanation = widgets.HTML("")
        self.explanation.add_class("vlab-quiz-explanation")
        self.check_button.on_click(lambda _b: self.check())
        self.hint_button.on_click(lambda _b: self.show_hint())
        buttons = widgets.HBox([self.check_button, self.hint_button])
        super().__init__([self.prompt, controls, buttons, self.hints, self.feedback,
                          self.explanation])
        self.add_class("vlab-quiz-question")

    def _answer_controls(self) -> widgets.Widget:
        q = self.question
        if q.type == "multiple_choice":
            options = [(q.answers[i].text or q.answers[i].code or f"answer {i + 1}", i)
                       for i in self.order]
            self.choice = widgets.RadioButtons(
                options=options, value=None, description="Answer:", layout=_FULL_WIDTH,
                style=_STYLE,
            )
            self.choice.add_class("vlab-quiz-choice")
            return self.choice
        if q.type == "many_choice":
            for i in self.order:
                box = widgets.Checkbox(
                    value=False, description=q.answers[i].text or q.answers[i].code or "",
                    indent=False, layout=_FULL_WIDTH,
                )
                box.answer_index = i  # which bank answer this box stands for
                box.add_class("vlab-quiz-choice")
                self.choices.append(box)
            label = widgets.Label("Tick every answer that applies:")
            return widgets.VBox([label, *self.choices])
        placeholder = "a number, e.g. 42 or 0.5" if q.type == "numeric" else "type your answer"
        self.entry = widgets.Text(
            value="", description="Your answer:", placeholder=placeholder, style=_STYLE,
            continuous_update=False,
        )
        self.entry.add_class("vlab-quiz-entry")
        return self.entry

    def current_answer(self) -> Any:
        """What the learner has entered, in the form grade() takes."""
        if self.choice is not None:
            return self.choice.value
        if self.choices:
            return [box.answer_index for box in self.choices if box.value]
        return self.entry.value if self.entry is not None else None

    def check(self) -> GradeResult:
        """Grade the current answer, show feedback (and the explanation after an attempt)."""
        result = grade(self.question, self.current_answer())
        self.last_result = result
        note = ""
        if result.valid:
            self.attempts += 1
            self.ever_correct = self.ever_correct or result.correct
            if self._on_graded is not None:
                note = self._on_graded(self, result)
            self.explanation.value = explanation_html(self.question.explanation,
                                                      self.question.source)
        self.feedback.value = feedback_html(result, self.question.type) + note
        return result

    def show_hint(self) -> str:
        """Reveal the next hint; returns its text ('' when none is left)."""
        hints = self.question.hints
        if self.hints_shown >= len(hints):
            return ""
        self.hints_shown += 1
        self.hints.value = hints_html(hints, self.hints_shown)
        self._update_hint_button()
        return hints[self.hints_shown - 1]

    def _update_hint_button(self) -> None:
        left = len(self.question.hints) - self.hints_shown
        self.hint_button.disabled = left <= 0
        if not self.question.hints:
            self.hint_button.tooltip = "This question has no hints"
        elif left <= 0:
            self.hint_button.tooltip = "All hints are shown"
        else:
            self.hint_button.tooltip = f"Show a hint ({left} left)"


class QuizWidget(widgets.VBox):
    """A quiz over some questions of one lab, with a running score and recorded attempts.

    QuizWidget.from_bank("00_start_here") shows the whole bank; ids=[...] a subset in that order.
    seed fixes the answer order (None: a new order each time). record=False keeps attempts out of
    the progress store; store= passes a ProgressStore (default: $VLAB_HOME, learner=learner).
    """

    def __init__(self, questions: Sequence[Question], lab: str, *, seed: int | None = 0,
                 shuffle: bool = True, learner: str | None = None,
                 store: ProgressStore | None = None, record: bool = True,
                 title: str = "") -> None:
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.lab = lab
        self.questions = tuple(questions)
        self.learner = learner
        self.record = record
        self._store = store
        self.views = [
            QuestionView(q, n, seed=seed, shuffle=shuffle, on_graded=self._graded)
            for n, q in enumerate(self.questions, start=1)
        ]
        self.score = widgets.HTML(self._score_html())
        self.score.add_class("vlab-quiz-score")
        header = [widgets.HTML(f"<h4>{inline_markdown(title)}</h4>")] if title else []
        super().__init__([*header, *self.views, self.score])
        self.add_class("vlab-quiz")

    @classmethod
    def from_bank(cls, lab: str, ids: Iterable[str] | None = None, seed: int | None = 0,
                  learner: str | None = None, **kwargs: Any) -> QuizWidget:
        """A quiz over the bank datasets/quizzes/<lab>.yaml (or the questions `ids` in it); without
        `ids`, its quiz questions (predictions belong in PredictWidget, before their cell runs)."""
        bank = load_bank(lab)
        kwargs.setdefault("title", "")
        questions = bank.subset(ids) if ids is not None else tuple(
            q for q in bank.questions if q.stage == "quiz")
        return cls(questions, lab=bank.lab, seed=seed, learner=learner, **kwargs)

    def view(self, question_id: str) -> QuestionView:
        for v in self.views:
            if v.question.id == question_id:
                return v
        raise KeyError(f"no question '{question_id}' in this quiz")

    @property
    def points(self) -> float:
        return sum(v.question.points for v in self.views if v.ever_correct)

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def _score_html(self) -> str:
        text = score_text(self.points, self.max_points,
                          sum(1 for v in self.views if v.ever_correct), len(self.views),
                          sum(v.attempts for v in self.views))
        return f"<div role='status' aria-live='polite'><b>{text}</b></div>"

    def store(self) -> ProgressStore:
        if self._store is None:
            self._store = ProgressStore(learner=self.learner)
        return self._store

    def _graded(self, view: QuestionView, result: GradeResult) -> str:
        note = ""
        if self.record:
            try:
                self.store().record(self.lab, view.question.id, result.answer, result.correct,
                                    result.points)
            except (sqlite3.Error, OSError) as err:
                note = f"<div><small>(Your progress could not be saved: {err})</small></div>"
        self.score.value = self._score_html()
        return note
