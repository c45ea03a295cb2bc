"""Checker exercises: a check function looks at the learner's work and returns criteria.

Used by labs for "fix this config" and "design this setup" exercises. A check function takes the
learner's work (text from a text area, a model object, a value) and returns a list of `Criterion`.
`run_check` calls it and never lets a learner's malformed input become a traceback: an exception
from the check function becomes a failed criterion carrying the exception's message.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Criterion:
    """One thing the checker looks at: passed or not, what it means, and graduated hints for a failure.

    hint: the idea behind the criterion (shown at the first failed check);
    direction: which way to change the work, still without the value (from the second);
    answer: the exact value or line (never before the third failed check).
    """

    passed: bool
    message: str
    hint: str = ""
    direction: str = ""
    answer: str = ""

    def hint_at(self, failed_checks: int) -> str:
        """The hint to show after `failed_checks` failed checks (1 = the first): the most specific one
        the learner has earned, so the exact answer never comes before the third failure."""
        levels = (self.hint, self.direction, self.answer)[:max(0, failed_checks)]
        return next((h for h in reversed(levels) if h), "")

    def hint_level(self, failed_checks: int) -> int:
        """1, 2 or 3: which of hint, direction, answer `hint_at` shows (0 when none)."""
        levels = (self.hint, self.direction, self.answer)[:max(0, failed_checks)]
        return max((i + 1 for i, h in enumerate(levels) if h), default=0)


@dataclass(frozen=True)
class CheckReport:
    """All criteria of one check run; `passed` only when there is at least one and all pass."""

    criteria: tuple[Criterion, ...]
    error: str = ""  # the exception message when the check function raised

    @property
    def passed(self) -> bool:
        return bool(self.criteria) and all(c.passed for c in self.criteria)

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.criteria if c.passed)


CheckFunction = Callable[[Any], Iterable[Criterion]]


def run_check(check: CheckFunction, work: Any) -> CheckReport:
    """Run `check(work)`; exceptions and malformed returns become failed criteria, not tracebacks."""
    try:
        result = check(work)
        if isinstance(result, Criterion):
            result = [result]
        criteria = tuple(result)
    except (ValueError, KeyError, TypeError, LookupError, ArithmeticError, AttributeError) as err:
        # Usually the learner's input did not parse: show the reason as a failed criterion.
        text = str(err).strip("'\"") or type(err).__name__
        name = "" if isinstance(err, ValueError) else f"{type(err).__name__}: "
        return CheckReport(
            criteria=(Criterion(False, f"Your work could not be checked: {name}{text}",
                                "Fix the part named above, then check again."),),
            error=text,
        )
    except Exception as err:  # noqa: BLE001 - a broken check must not end the lab
        text = f"{type(err).__name__}: {err}"
        return CheckReport(
            criteria=(Criterion(False, f"The check itself failed ({text}).",
                                "This may be a bug in the exercise; tell your instructor."),),
            error=text,
        )
    bad = [c for c in criteria if not isinstance(c, Criterion)]
    if bad:
        return CheckReport(
            criteria=(Criterion(False, f"The check returned {bad[0]!r}, not a Criterion.",
                                "The exercise's check function must return Criterion objects."),),
            error="malformed check result",
        )
    if not criteria:
        return CheckReport(
            criteria=(Criterion(False, "The check returned no criteria.",
                                "The exercise's check function must return at least one."),),
            error="no criteria",
        )
    return CheckReport(criteria=criteria)
