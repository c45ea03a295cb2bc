"""Online password guessing against a management endpoint (the Web Services SDK, web access, SSH), and lockout.

Imitates: an attacker who can try passwords over the network against an ESX/ESXi or vCenter login, as in the
"SDK open to brute force" advisory the notes cite, and the host's defence, `Security.AccountLockFailures` /
`Security.AccountUnlockTime` (lock an account after N failed logins, for T seconds).

Leaves out: dictionaries and leaked-password lists (real attackers try likely passwords first, so this is the
best case for the defender), parallel attacks on many accounts, rate limits in front of the endpoint, and
lockouts used as a denial of service against the real administrator (the trade-off the guides mention).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

# Printable ASCII without space: the character classes ESXi's pam_passwdqc policy counts.
CHARACTER_CLASSES = {"lower": 26, "upper": 26, "digits": 10, "symbols": 32}
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def keyspace(length: int, classes: tuple[str, ...] = ("lower",)) -> int:
    """How many passwords of exactly `length` characters drawn from the named classes exist."""
    if length < 1:
        raise ValueError(f"length must be at least 1, not {length}")
    unknown = [c for c in classes if c not in CHARACTER_CLASSES]
    if unknown or not classes:
        raise ValueError(f"classes must be among {', '.join(CHARACTER_CLASSES)}; got {classes}")
    alphabet = sum(CHARACTER_CLASSES[c] for c in set(classes))
    return alphabet**length


@dataclass(frozen=True)
class Attack:
    """The expected cost of guessing one password by trying every candidate once, in random order."""

    keyspace: int
    guesses_per_s: float  # what the endpoint answers without lockout
    lock_failures: int  # 0 = no lockout
    unlock_s: float
    effective_guesses_per_s: float
    expected_s: float  # mean time to hit the password: half the keyspace at the effective rate

    @property
    def expected_years(self) -> float:
        return self.expected_s / SECONDS_PER_YEAR


def effective_rate(guesses_per_s: float, lock_failures: int, unlock_s: float) -> float:
    """Guesses per second once lockout is counted: `lock_failures` tries, then a wait of `unlock_s`."""
    if guesses_per_s <= 0:
        raise ValueError("guesses_per_s must be positive")
    if lock_failures < 0 or unlock_s < 0:
        raise ValueError("lock_failures and unlock_s cannot be negative")
    if lock_failures == 0 or unlock_s == 0:
        return guesses_per_s
    return lock_failures / (lock_failures / guesses_per_s + unlock_s)


def attack(space: int, guesses_per_s: float, lock_failures: int = 0, unlock_s: float = 0.0) -> Attack:
    """Expected time to find one password in a keyspace of `space` candidates."""
    if space < 1:
        raise ValueError("the keyspace must hold at least one password")
    rate = effective_rate(guesses_per_s, lock_failures, unlock_s)
    # A uniformly placed password is found after (space + 1) / 2 guesses on average.
    return Attack(space, guesses_per_s, lock_failures, unlock_s, rate, (space + 1) / 2 / rate)


def simulate_attacks(space: int, guesses_per_s: float, lock_failures: int = 0, unlock_s: float = 0.0,
                     trials: int = 1000, seed: int = 0) -> list[float]:
    """Seconds to success in `trials` attacks, each against a password placed at random in the keyspace.

    Counts lockout waits one by one (a wait after every `lock_failures` consecutive failures), so its mean can
    be checked against `attack`'s formula.
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    rng = random.Random(seed)
    times = []
    for _ in range(trials):
        tries = rng.randint(1, space)  # the guess number that hits
        waits = (tries - 1) // lock_failures if lock_failures and unlock_s else 0
        times.append(tries / guesses_per_s + waits * unlock_s)
    return times
