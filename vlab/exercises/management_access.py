"""Lab 11's checker and your-turn cells: make an inherited host's logins resist guessing.

The checker: the learner edits ESXi advanced settings in `key = value` form. `Security.PasswordQualityControl`
is read the way ESXi's pam_passwdqc reads `min=N0,N1,N2,N3,N4`: the shortest password allowed with one, two,
(passphrase), three and four character classes, or `disabled`. Passphrases (N2) are not modelled, nor the
rule that a leading capital or a trailing digit does not count as a class.

The your-turn cells run the brute-force model on what the learner sets: lockout settings against a fast
online script, and a password policy whose weakest allowed password is compared with the default policy's.
"""
from __future__ import annotations

from collections.abc import Mapping

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.security.brute_force import SECONDS_PER_YEAR, attack, keyspace

LAB = "11_management_access"
OFFLINE_GUESSES_PER_S = 1000  # an attacker who bypasses lockout (e.g. many accounts or a stolen hash list)
GOAL_YEARS = 100
SCG8_LOCK_FAILURES = 5  # vSphere 8 SCG esxi-8.account-lockout
SCG8_UNLOCK_S = 900  # vSphere 8 SCG esxi-8.account-auto-unlock-time
SCG8_POLICY = "retry=3 min=disabled,disabled,disabled,disabled,15"  # esxi-8.account-password-policies

# The weakest class mix for each min= position (classes a policy with that many classes could use).
_POSITIONS = ((1, ("lower",)), (2, ("lower", "digits")), (None, ()),
              (3, ("lower", "upper", "digits")), (4, ("lower", "upper", "digits", "symbols")))

STARTING_TEXT = """# esx01 advanced settings, as inherited from the VI3 days
Security.AccountLockFailures = 0
Security.AccountUnlockTime = 0
Security.PasswordQualityControl = "retry=3 min=8,8,8,8,8"
"""


def _min_values(policy: str) -> list[str]:
    """The five values of a pam_passwdqc policy's min=N0,N1,N2,N3,N4 (the last min= wins)."""
    mins = [part.split("=", 1)[1] for part in policy.split() if part.startswith("min=")]
    if not mins:
        raise ValueError("Security.PasswordQualityControl has no min=N0,N1,N2,N3,N4 part")
    values = mins[-1].split(",")
    if len(values) != 5:
        raise ValueError(f"min= needs five comma-separated values, got {len(values)}")
    return values


def weakest_password(policy: str) -> tuple[int, tuple[str, ...]]:
    """(length, classes) of the easiest password to guess that the pam_passwdqc policy still accepts."""
    candidates = []
    for value, (classes_count, classes) in zip(_min_values(policy), _POSITIONS, strict=True):
        if value == "disabled" or classes_count is None:
            continue
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"min= value '{value}' is neither a length nor 'disabled'")
        candidates.append((keyspace(int(value), classes), int(value), classes))
    if not candidates:
        raise ValueError("every min= position is disabled: no password could ever be set")
    _, length, classes = min(candidates)
    return length, classes


def _lockout_hints(failures: int) -> dict[str, str]:
    if failures == 0:
        direction = ("Turn lockout on: allow a small number of failed logins before the lock, no more than "
                     "the task allows (0 means no lockout at all).")
    else:
        direction = "Lower the number of failed logins allowed before the lock to what the task allows."
    return dict(hint="Account lockout turns fast online guessing into a slow one: after a few failed logins the "
                     "host stops letting that account try.",
                direction=direction,
                answer=f"Security.AccountLockFailures = {SCG8_LOCK_FAILURES} (vSphere 8 SCG esxi-8.account-lockout; "
                       "the DISA STIG asks for 3)")


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
                  **_lockout_hints(failures)),
        Criterion(unlock >= SCG8_UNLOCK_S, f"Locked accounts unlock after {unlock} s",
                  hint="A lock slows a guesser only while it lasts: the wait after each round of failures sets "
                       "the attacker's pace.",
                  direction="Lengthen the time a locked account stays locked (AccountUnlockTime, in seconds) to "
                            "at least what the task asks.",
                  answer=f"Security.AccountUnlockTime = {SCG8_UNLOCK_S} (vSphere 8 SCG "
                         "esxi-8.account-auto-unlock-time)"),
        Criterion(years > GOAL_YEARS,
                  f"Weakest allowed password ({length} characters, {' + '.join(classes)}) takes "
                  f"{years:.3g} years at {OFFLINE_GUESSES_PER_S} guesses/s without lockout",
                  hint="Lockout does nothing against an attacker who guesses offline, from a stolen hash: there "
                       "only the number of passwords the policy allows counts, and it is set by the weakest "
                       "password the policy still accepts.",
                  direction="In the policy's min list, raise the lengths, or forbid the weak class mixes with "
                            "the word disabled, until even the weakest allowed password takes the attacker "
                            "long enough.",
                  answer=f'Security.PasswordQualityControl = "{SCG8_POLICY}" (the vSphere 8 SCG baseline: only '
                         "four-class passwords of 15 or more characters)"),
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


# ----------------------------------------------------------------------------------------- your-turn cells
ONLINE_GUESSES_PER_S = 10_000  # a script against a login that answers fast
ONLINE_GOAL_YEARS = 500_000
ROOT_PASSWORD = (8, ("lower",))  # the inherited root password of the scenario
MIN_TRIES = 3  # an admin who mistypes
MAX_LOCK_S = 3600  # the help desk's limit for a locked admin
DEFAULT_POLICY = "retry=3 min=disabled,disabled,disabled,7,7"  # ESXi's Security.PasswordQualityControl
_UNLOCK_LINE = 'esx01["Security.AccountUnlockTime"] = 1800'
_LOCKOUT_LINE = 'esx01 = {"Security.AccountLockFailures": 5, "Security.AccountUnlockTime": 900}'
_POLICY_LINE = 'policy = "retry=3 min=9,disabled,disabled,7,7"'


def _setting(esx01: Mapping, key: str) -> int:
    value = esx01[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a whole number of at least 0, not {value!r}")
    return value


def check_lockout_ratio(esx01: object) -> list[Criterion]:
    """A script at 10,000 guesses/s against esx01's root password (8 lower-case letters), with esx01's lockout."""
    if not isinstance(esx01, Mapping):
        raise TypeError(f"expected esx01's settings as a dict, got {type(esx01).__name__}")
    failures = _setting(esx01, "Security.AccountLockFailures")
    unlock = _setting(esx01, "Security.AccountUnlockTime")
    years = attack(keyspace(*ROOT_PASSWORD), ONLINE_GUESSES_PER_S, failures, unlock).expected_years
    return [
        Criterion(failures >= MIN_TRIES,
                  f"An admin who mistypes gets {failures} tr{'y' if failures == 1 else 'ies'} before the lock"
                  if failures else "Lockout is off (0 failures)",
                  hint="Lockout also locks out the real administrator: a help desk needs room for typing "
                       "mistakes.",
                  direction="Allow at least as many failed logins as the task gives a mistyping admin.",
                  answer=f"{_LOCKOUT_LINE}  (the vSphere 8 guide's values: 180 s of lock per guess)"),
        Criterion(unlock <= MAX_LOCK_S, f"A locked account waits {unlock} s",
                  hint="A long lock is also a denial of service: anyone who knows the admin's name can lock "
                       "them out.",
                  direction="Shorten the unlock time to the hour the help desk allows, or less.",
                  answer=f"{_LOCKOUT_LINE}  (or keep 10 failures: {_UNLOCK_LINE})"),
        Criterion(years >= ONLINE_GOAL_YEARS,
                  f"A script at {ONLINE_GUESSES_PER_S:,} guesses/s needs {years:.3g} years on average for "
                  "esx01's root password (8 lower-case letters)",
                  hint="With lockout the script gets a few guesses per lock period, however fast it is: the "
                       "failures allowed and the length of the lock, not the script's speed, set its pace.",
                  direction="Make each guess cost more waiting: a longer unlock time, or fewer failures "
                            "allowed before the lock.",
                  answer=f"{_UNLOCK_LINE}  (10 failures per 1800 s: 180 s of lock per guess; "
                         f"{_LOCKOUT_LINE} works as well)"),
    ]


def check_lowercase_policy(policy: object) -> list[Criterion]:
    """The weakest password `policy` accepts, against the weakest one ESXi's default policy accepts."""
    if not isinstance(policy, str):
        raise TypeError(f"expected the policy as a string, got {type(policy).__name__}")
    first = _min_values(policy)[0]
    length, classes = weakest_password(policy)
    space = keyspace(length, classes)
    d_length, d_classes = weakest_password(DEFAULT_POLICY)
    d_space = keyspace(d_length, d_classes)
    return [
        Criterion(first != "disabled",
                  "Passwords of lower-case letters only are "
                  + ("forbidden (the first min= value is disabled)" if first == "disabled"
                     else f"allowed from {first} characters"),
                  hint="In min=N0,N1,N2,N3,N4 the first value is for passwords of a single character class, "
                       "such as lower-case letters only.",
                  direction="Replace the word in the first min= position by a length.",
                  answer=_POLICY_LINE),
        Criterion(space >= d_space,
                  f"The weakest password your policy allows: {length} characters, {' + '.join(classes)} "
                  f"({space:.3g} passwords); the default's weakest: {d_length} characters, "
                  f"{' + '.join(d_classes)} ({d_space:.3g})",
                  hint="The number of passwords is the alphabet's size to the power of the length: with 26 "
                       "letters instead of 62 characters, a password needs more places to make up for it.",
                  direction="Raise the first min= value until 26 to that power is at least the number of "
                            "passwords of the default's weakest kind (shown above).",
                  answer=f"{_POLICY_LINE}  (26**9 = 5.4e12 passwords, more than 62**7 = 3.5e12)"),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "lockout-ratio",
            "set esx01's lockout so that a 10,000 guesses/s script needs 500,000 years for root's password, "
            "with at least 3 tries and at most an hour's lock for a real admin",
            check_lockout_ratio,
            starter=(
                'esx01 = {"Security.AccountLockFailures": 10, "Security.AccountUnlockTime": 120}  '
                "# ESXi 6.0's defaults\n"
                "# Your change: which of the two settings, which way? (attack() above lets you try numbers)\n"
            ),
        ),
        YourTurn(
            LAB, "lowercase-policy",
            "allow lower-case-only passwords, but none easier to guess than the weakest the default policy "
            "allows",
            check_lowercase_policy,
            starter=(
                'policy = "retry=3 min=disabled,disabled,disabled,7,7"  '
                "# ESXi's default Security.PasswordQualityControl\n"
                "# Your change: allow passwords of lower-case letters only, from a length that keeps them as "
                "hard to guess\n"
            ),
        ),
    )


YOUR_TURNS = _turns()

__all__ = ["SECONDS_PER_YEAR", "YOUR_TURNS", "check_login_policy", "check_lockout_ratio", "check_lowercase_policy",
           "login_policy_checker", "weakest_password"]
