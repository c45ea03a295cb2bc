"""Lab 11's checker: make an inherited host's login policy resist online guessing.

The learner edits ESXi advanced settings in `key = value` form. `Security.PasswordQualityControl` is read the way
ESXi's pam_passwdqc reads `min=N0,N1,N2,N3,N4`: the shortest password allowed with one, two, (passphrase),
three and four character classes, or `disabled`. Passphrases (N2) are not modelled.
"""
from __future__ import annotations

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.security.brute_force import SECONDS_PER_YEAR, attack, keyspace

LAB = "11_management_access"
OFFLINE_GUESSES_PER_S = 1000  # an attacker who bypasses lockout (e.g. many accounts or a stolen hash list)
GOAL_YEARS = 100
SCG8_LOCK_FAILURES = 5  # vSphere 8 SCG esxi-8.account-lockout
SCG8_UNLOCK_S = 900  # vSphere 8 SCG esxi-8.account-auto-unlock-time

# The weakest class mix for each min= position (classes a policy with that many classes could use).
_POSITIONS = ((1, ("lower",)), (2, ("lower", "digits")), (None, ()),
              (3, ("lower", "upper", "digits")), (4, ("lower", "upper", "digits", "symbols")))

STARTING_TEXT = """# esx01 advanced settings, as inherited from the VI3 days
Security.AccountLockFailures = 0
Security.AccountUnlockTime = 0
Security.PasswordQualityControl = "retry=3 min=8,8,8,8,8"
"""


def weakest_password(policy: str) -> tuple[int, tuple[str, ...]]:
    """(length, classes) of the easiest password to guess that the pam_passwdqc policy still accepts."""
    mins = [part.split("=", 1)[1] for part in policy.split() if part.startswith("min=")]
    if not mins:
        raise ValueError("Security.PasswordQualityControl has no min=N0,N1,N2,N3,N4 part")
    values = mins[-1].split(",")
    if len(values) != 5:
        raise ValueError(f"min= needs five comma-separated values, got {len(values)}")
    candidates = []
    for value, (classes_count, classes) in zip(values, _POSITIONS, strict=True):
        if value == "disabled" or classes_count is None:
            continue
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"min= value '{value}' is neither a length nor 'disabled'")
        candidates.append((keyspace(int(value), classes), int(value), classes))
    if not candidates:
        raise ValueError("every min= position is disabled: no password could ever be set")
    _, length, classes = min(candidates)
    return length, classes


def check_login_policy(text: str) -> list[Criterion]:
    settings = parse_dictfile(text, source="your settings")
    failures = settings.get_int("Security.AccountLockFailures")
    unlock = settings.get_int("Security.AccountUnlockTime")
    policy = settings.get("Security.PasswordQualityControl")
    if failures is None or unlock is None or policy is None:
        raise ValueError("keep all three settings: AccountLockFailures, AccountUnlockTime, PasswordQualityControl")
    length, classes = weakest_password(policy)
    years = attack(keyspace(length, classes), OFFLINE_GUESSES_PER_S).expected_years
    return [
        Criterion(1 <= failures <= SCG8_LOCK_FAILURES,
                  f"Account lockout after {failures} failures" if failures else "Account lockout is off",
                  f"Lock after at most {SCG8_LOCK_FAILURES} failed logins (0 turns lockout off)."),
        Criterion(unlock >= SCG8_UNLOCK_S, f"Locked accounts unlock after {unlock} s",
                  f"The hardening guide asks for {SCG8_UNLOCK_S} s: long enough to slow a guesser down."),
        Criterion(years > GOAL_YEARS,
                  f"Weakest allowed password ({length} characters, {' + '.join(classes)}) takes "
                  f"{years:.3g} years at {OFFLINE_GUESSES_PER_S} guesses/s without lockout",
                  f"Raise the minimum lengths, or write 'disabled' for the weak class mixes, until it tops "
                  f"{GOAL_YEARS} years. The guide's baseline is min=disabled,disabled,disabled,disabled,15."),
    ]


def login_policy_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "Change the three settings so that: lockout is on (at most 5 failures), locked accounts stay locked "
        "for at least 900 s, and even an attacker who bypasses lockout at 1000 guesses/s needs more than "
        "100 years on average to guess the weakest password the policy allows.",
        check_login_policy, exercise_id="login-policy", lab=LAB, work=STARTING_TEXT,
        title="Harden esx01's logins", rows=6, **kwargs,
    )


__all__ = ["SECONDS_PER_YEAR", "check_login_policy", "login_policy_checker", "weakest_password"]
