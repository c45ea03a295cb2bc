"""The learning layer without widgets: question banks, pure grading, checker criteria, progress.

Everything here is standard-library Python (YAML is imported only when a bank is loaded), so the
CLI can use it and start fast.
"""
from vlab.learn.bank import (
    QUESTION_TYPES,
    Answer,
    Bank,
    BankError,
    Question,
    available_banks,
    load_bank,
    parse_bank,
    to_jupyterquiz,
)
from vlab.learn.checks import CheckReport, Criterion, run_check
from vlab.learn.grading import GradeResult, grade
from vlab.learn.progress import (
    Attempt,
    LabProgress,
    ProgressStore,
    default_learner,
    progress_path,
    summarize,
    vlab_home,
)

__all__ = [
    "QUESTION_TYPES",
    "Answer",
    "Attempt",
    "Bank",
    "BankError",
    "CheckReport",
    "Criterion",
    "GradeResult",
    "LabProgress",
    "ProgressStore",
    "Question",
    "available_banks",
    "default_learner",
    "grade",
    "load_bank",
    "parse_bank",
    "progress_path",
    "run_check",
    "summarize",
    "to_jupyterquiz",
    "vlab_home",
]
