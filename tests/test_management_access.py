"""Lab 11: the brute-force panel and the login-policy checker."""
from __future__ import annotations

import pytest

from vlab.exercises.management_access import (
    STARTING_TEXT,
    check_login_policy,
    login_policy_checker,
    weakest_password,
)
from vlab.learn.progress import ProgressStore
from vlab.widgets.management_panel import BruteForcePanel, attack_rows

SOLVED = """Security.AccountLockFailures = 5
Security.AccountUnlockTime = 900
Security.PasswordQualityControl = "retry=3 min=disabled,disabled,disabled,disabled,15"
"""


def test_weakest_password_follows_passwdqc_positions():
    assert weakest_password("retry=3 min=disabled,disabled,disabled,7,7") == (7, ("lower", "upper", "digits"))
    assert weakest_password("min=8,8,8,8,8") == (8, ("lower",))
    # 94**8 (6.1e15) < 62**9 (1.4e16) < 36**12 (4.7e18): the 8-character four-class password is weakest.
    assert weakest_password("min=disabled,12,disabled,9,8") == (8, ("lower", "upper", "digits", "symbols"))
    with pytest.raises(ValueError, match="five"):
        weakest_password("min=8,8")
    with pytest.raises(ValueError, match="disabled"):
        weakest_password("min=disabled,disabled,disabled,disabled,disabled")


def test_inherited_settings_fail_every_criterion_and_the_guide_baseline_passes():
    assert [c.passed for c in check_login_policy(STARTING_TEXT)] == [False, False, False]
    assert all(c.passed for c in check_login_policy(SOLVED))


def test_eight_lower_case_letters_are_not_enough_by_hand():
    # 26**8 / 2 guesses at 1000/s = 1.04e8 s = 3.3 years < 100 years.
    text = SOLVED.replace("disabled,disabled,disabled,disabled,15", "8,disabled,disabled,disabled,15")
    third = check_login_policy(text)[2]
    assert not third.passed and "3.31 years" in third.message


def test_widgets_react(vlab_home):
    panel = BruteForcePanel()
    before = panel.figure.data[0].y[1]
    panel.failures.value = 0
    assert panel.figure.data[0].y[1] < before
    assert panel.figure.data[0].y[0] == pytest.approx(panel.figure.data[0].y[1])
    assert len(attack_rows(8, "all four classes", 100, 5, 900)) == 2
    checker = login_policy_checker(store=ProgressStore(learner="t"))
    checker.work.value = "Security.AccountLockFailures = five"
    assert not checker.check().passed and "could not be checked" in checker.results.value
    checker.work.value = SOLVED
    checker.check_button.click()
    assert checker.passed


def test_the_checker_hints_name_the_idea_before_the_setting():
    for c in check_login_policy(STARTING_TEXT):
        assert not c.passed
        assert "=" not in c.hint_at(1) + c.hint_at(2), c.hint_at(2)
        assert "Security." in c.hint_at(3)


def test_lockout_turn_follows_the_arithmetic_by_hand():
    from vlab.exercises.management_access import check_lockout_ratio

    def years(failures, unlock_s):  # half of 26**8 guesses at failures per (failures / 10,000 + unlock_s) seconds
        return (26**8 + 1) / 2 * (failures / 10_000 + unlock_s) / failures / (365.25 * 86400)

    for failures, unlock_s in ((3, 900), (5, 900), (10, 1500), (10, 1800), (20, 1800)):
        goal = check_lockout_ratio({"Security.AccountLockFailures": failures,
                                    "Security.AccountUnlockTime": unlock_s})[2]
        assert goal.passed is (years(failures, unlock_s) >= 500_000), (failures, unlock_s)
    assert years(3, 900) == pytest.approx(9.93e5, rel=1e-3) and years(10, 1500) < 500_000
    typo, lock, _ = check_lockout_ratio({"Security.AccountLockFailures": 2, "Security.AccountUnlockTime": 7200})
    assert not typo.passed and not lock.passed


def test_lowercase_turn_needs_nine_letters_to_match_seven_of_three_classes():
    from vlab.exercises.management_access import check_lowercase_policy

    assert 26**8 < 62**7 <= 26**9  # the arithmetic the turn rests on
    assert all(c.passed for c in check_lowercase_policy("retry=3 min=9,disabled,disabled,7,7"))
    assert [c.passed for c in check_lowercase_policy("retry=3 min=8,disabled,disabled,7,7")] == [True, False]
    assert [c.passed for c in check_lowercase_policy("retry=3 min=disabled,disabled,disabled,7,7")] == [False, True]
