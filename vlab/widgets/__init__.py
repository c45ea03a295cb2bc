"""ipywidgets + plotly views over vlab's models and learning layer.

Names load lazily, so `import vlab.widgets` stays cheap and pulls in ipywidgets/plotly only when a
widget is first used:

    from vlab.widgets import QuizWidget, CheckerWidget, Criterion, ProgressWidget
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "QuizWidget": "vlab.widgets.quiz",
    "QuestionView": "vlab.widgets.quiz",
    "CheckerWidget": "vlab.widgets.checker",
    "Criterion": "vlab.learn.checks",
    "ProgressWidget": "vlab.widgets.progress",
    "completion_figure": "vlab.widgets.progress",
    "LookupWidget": "vlab.widgets.lookup",
    "PredictWidget": "vlab.widgets.predict",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vlab.widgets' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
