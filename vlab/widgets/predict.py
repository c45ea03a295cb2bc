"""The prediction widget: the learner commits to what a model will do before the cell that shows it runs.

A prediction is a bank question with `stage: predict`. The learner picks or types an answer and presses
**Commit my prediction**; the first committed answer is the prediction (recorded in the progress store,
counted apart from quiz scores) and the controls lock. Only then does the widget show what the model
does, why (the question's explanation, next to what the learner predicted), for a wrong choice why it
was tempting (the answer's feedback), and the section's "What to notice" (the question's `reveal`,
Markdown rendered by JupyterLab), which sits nowhere else in the lab. A learner who is stuck can ask
for hints first; hints never name the answer. Grading reuses the quiz's QuestionView, so the rules are the quiz's.

For tests and browser automation: `view` is the QuestionView; CSS classes vlab-predict,
vlab-predict-commit, vlab-predict-reveal, vlab-predict-notice (the reveal's Output).
"""
from __future__ import annotations

import html
import sqlite3

import ipywidgets as widgets
from IPython.display import Markdown

from vlab.learn.bank import load_bank
from vlab.learn.grading import GradeResult
from vlab.learn.progress import ProgressStore
from vlab.widgets.quiz import QuestionView


class PredictWidget(widgets.VBox):
    """One prediction from a lab's bank: commit once, then see the model's answer and why."""

    def __init__(self, lab: str, question_id: str, *, seed: int | None = 0,
                 learner: str | None = None, store: ProgressStore | None = None,
                 record: bool = True) -> None:
        bank = load_bank(lab)
        question = bank.get(question_id)
        if question.stage != "predict":
            raise ValueError(f"'{question_id}' in {lab} is a quiz question, not a prediction "
                             "(give it 'stage: predict' in the bank)")
        self.lab = bank.lab
        self.question = question
        self.learner = learner
        self.record = record
        self._store = store
        self.committed: GradeResult | None = None
        self.view = QuestionView(question, 1, seed=seed, on_graded=self._graded)
        self.view.prompt.value = (
            "<div class='vlab-predict-prompt'><b>Predict, then run.</b> "
            + self.view.prompt.value.split("</b> ", 1)[1]
        )
        self.view.check_button.description = "Commit my prediction"
        self.view.check_button.tooltip = "Your first committed answer is your prediction"
        self.view.check_button.layout = widgets.Layout(width="auto")
        self.view.check_button.add_class("vlab-predict-commit")
        self.view.explanation.add_class("vlab-predict-reveal")
        self.notice = widgets.Output()
        self.notice.add_class("vlab-predict-notice")
        super().__init__([self.view, self.notice])
        self.add_class("vlab-predict")

    def commit(self) -> GradeResult:
        """Commit the answer now in the controls (what the button does)."""
        return self.view.check()

    def store(self) -> ProgressStore:
        if self._store is None:
            self._store = ProgressStore(learner=self.learner)
        return self._store

    def _graded(self, view: QuestionView, result: GradeResult) -> str:
        if self.committed is not None:
            return ""
        self.committed = result
        for control in (view.choice, view.entry, *view.choices, view.check_button):
            if control is not None:
                control.disabled = True
        note = ""
        if self.record:
            try:
                self.store().record(self.lab, self.question.id, result.answer, result.correct, 0.0)
            except (sqlite3.Error, OSError) as err:
                note = f"<div><small>(Your prediction could not be saved: {html.escape(str(err))})</small></div>"
        if self.question.reveal:
            self.notice.append_display_data(Markdown("**What to notice**\n\n" + self.question.reveal))
        verdict = ("The model agrees with you." if result.correct else
                   "The model does something else: that gap is what this section is about.")
        return (f"<div class='vlab-predict-verdict'><b>{verdict}</b> Run the next cell to see it; "
                f"the explanation is below.</div>{note}")
