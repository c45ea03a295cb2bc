"""The hardening rules for a VM's .vmx file: datasets/hardening_rules.csv as typed, validated records.

One row per check. The check kinds copy the semantics of VMware's own audit script for vSphere 8
(audit-vm-8.ps1 of the Security Configuration Guide, SCG): `bool_true_or_absent` is its "T-OR-NP"
(TRUE passes, FALSE fails, a missing key passes because the default is secure, anything else fails),
`bool_false_or_absent` its "F-OR-NP", `must_be_absent` its "NP", `int_eq` / `int_le` its numeric
checks. A `profile` groups the rows: `baseline` (SCG 8 and the vSphere 8 VM STIG), `advanced`
(SCG 8's advanced tier and guest controls), `legacy` (keys of the 5.x/6.x guides, kept to teach
"then and now").

A key may be a pattern: `*` stands for a device name or number (`floppy*.present` matches
`floppy0.present`, `*:*.mode` matches `scsi0:1.mode`) and `a|b` lists alternatives. A `*` inside a
key read from a .vmx file is a literal character, so a mis-applied `pciPassthru*.present` line in a
real file does not count as `pciPassthru0.present`.

A bad row raises vlab.knowledge.records.DatasetError with the file, line, column and reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vlab.knowledge.paths import datasets_dir
from vlab.knowledge.records import RowError, read_rows

CHECKS = (
    "bool_true_or_absent",  # T-OR-NP
    "bool_false_or_absent",  # F-OR-NP
    "bool_true",  # TRUE only; a missing key fails
    "bool_false",  # FALSE only; a missing key fails
    "absent_or_false",  # a device: not there, or present = FALSE
    "must_be_absent",  # NP: any value fails
    "int_eq",
    "int_le",
    "int_ge",
    "string_eq",
    "not_equal",
    "enum",
)
SEVERITIES = ("high", "medium", "low", "info")  # STIG categories; info = no STIG rule
PROFILES = ("baseline", "advanced", "legacy")

_BOOL_EXPECTED = {
    "bool_true_or_absent": "TRUE",
    "bool_true": "TRUE",
    "bool_false_or_absent": "FALSE",
    "bool_false": "FALSE",
    "absent_or_false": "FALSE",
}
_ABSENT_MUST_PASS = {"bool_true_or_absent", "bool_false_or_absent", "absent_or_false", "must_be_absent"}
_ABSENT_MUST_FAIL = {"bool_true", "bool_false"}
_INT_CHECKS = {"int_eq", "int_le", "int_ge"}
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:*]+$")
_SCG8_ID = re.compile(r"^(vm|guest)-8\.[a-z0-9-]+$")
_STIG8_ID = re.compile(r"^VMCH-80-\d{6}$")
# `*` = a device name and/or number: `floppy0`, `scsi0` (in `*:*.mode`) or `0`
_WILDCARD = r"[a-z_]*\d+"


@dataclass(frozen=True)
class HardeningRule:
    """One .vmx check: which key, how it is judged, why, and where the rule comes from."""

    key: str
    check: str
    expected: str
    absent_passes: bool
    severity: str
    profile: str
    scg8_id: str
    stig8_id: str
    title: str
    why: str
    seed_bullet: str
    then_and_now: str
    source: str

    kind = "hardening rule"

    @property
    def rule_id(self) -> str:
        """The SCG 8 control id, else the STIG id, else the key."""
        return self.scg8_id or self.stig8_id or self.key

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The key patterns this rule looks at (`a|b|c` split)."""
        return tuple(self.key.split("|"))

    @property
    def is_pattern(self) -> bool:
        """True when the rule can match several keys of one file."""
        return "*" in self.key or "|" in self.key

    def matches(self, key: str) -> bool:
        """Does a key read from a .vmx file fall under this rule? (case-insensitive)"""
        return _regex(self.key).fullmatch(key.lower()) is not None


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    parts = [
        _WILDCARD.join(re.escape(piece) for piece in alt.lower().split("*"))
        for alt in pattern.split("|")
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts))


def _yes_no(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"'{value}' must be yes or no")
    return value == "yes"


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"'{value}' is not one of {', '.join(allowed)}")
    return value


def _check_row(values: dict[str, str]) -> dict[str, object]:
    """Validate one row's cells (converted where needed); raise RowError(column, reason)."""
    out: dict[str, object] = dict(values)
    key = values["key"]
    if not key or not all(_KEY_PATTERN.match(alt) for alt in key.split("|")):
        raise RowError("key", f"'{key}' is not a .vmx key or pattern (letters, digits, _ . : * and |)")
    check = values["check"]
    if check not in CHECKS:
        raise RowError("check", f"'{check}' is not one of {', '.join(CHECKS)}")
    expected = values["expected"]
    if check == "must_be_absent":
        if expected:
            raise RowError("expected", "must be empty for must_be_absent")
    elif not expected:
        raise RowError("expected", f"is empty; {check} compares against a value")
    if check in _BOOL_EXPECTED and expected != _BOOL_EXPECTED[check]:
        raise RowError("expected", f"{check} expects {_BOOL_EXPECTED[check]}, not '{expected}'")
    if check in _INT_CHECKS:
        try:
            int(expected)
        except ValueError:
            raise RowError("expected", f"'{expected}' is not a whole number for {check}") from None
    try:
        out["absent_passes"] = _yes_no(values["absent_passes"])
    except ValueError as err:
        raise RowError("absent_passes", str(err)) from None
    if check in _ABSENT_MUST_PASS and not out["absent_passes"]:
        raise RowError("absent_passes", f"{check} passes a missing key by definition; write yes")
    if check in _ABSENT_MUST_FAIL and out["absent_passes"]:
        raise RowError("absent_passes", f"{check} fails a missing key by definition; write no")
    for column, allowed in (("severity", SEVERITIES), ("profile", PROFILES)):
        try:
            _one_of(values[column], allowed)
        except ValueError as err:
            raise RowError(column, str(err)) from None
    if values["scg8_id"] and not _SCG8_ID.match(values["scg8_id"]):
        raise RowError("scg8_id", f"'{values['scg8_id']}' is not an SCG 8 id like vm-8.log-enable")
    if values["stig8_id"] and not _STIG8_ID.match(values["stig8_id"]):
        raise RowError("stig8_id", f"'{values['stig8_id']}' is not a STIG id like VMCH-80-000189")
    if values["profile"] == "baseline" and not (values["scg8_id"] or values["stig8_id"]):
        raise RowError("scg8_id", "a baseline rule needs an SCG 8 or a STIG 8 id")
    return out


_OPTIONAL = frozenset({"expected", "scg8_id", "stig8_id", "seed_bullet", "then_and_now"})


def read_hardening_rules(path: Path | str) -> tuple[HardeningRule, ...]:
    """Read and validate a hardening-rules CSV; raise DatasetError naming the first bad cell."""
    return _read_csv(Path(path), HardeningRule, _OPTIONAL, _check_row)


@cache
def hardening_rules() -> tuple[HardeningRule, ...]:
    """Every rule of datasets/hardening_rules.csv, in file order."""
    return read_hardening_rules(datasets_dir() / "hardening_rules.csv")


def rules_for(profiles: tuple[str, ...] | list[str] = ("baseline",)) -> tuple[HardeningRule, ...]:
    """The rules of the given profiles (`baseline`, `advanced`, `legacy`), in file order."""
    unknown = [p for p in profiles if p not in PROFILES]
    if unknown:
        raise ValueError(f"unknown profile '{unknown[0]}'; choose from {', '.join(PROFILES)}")
    return tuple(r for r in hardening_rules() if r.profile in profiles)


# Host, vSwitch and vCenter settings: not in a .vmx, so judged from a choice per setting.
SCOPES = ("host", "vswitch", "vcenter")
_HOST_SCG8_ID = re.compile(r"^(esxi|vcenter)-8\.[a-z0-9-]+$")
_HOST_STIG8_ID = re.compile(r"^(ESXI|VCSA)-80-\d{6}$")


@dataclass(frozen=True)
class HostSetting:
    """One host / vSwitch / vCenter setting: the values it can take, its default, which pass."""

    setting: str
    scope: str
    choices: tuple[str, ...]
    default_value: str
    expected: tuple[str, ...]
    scg8_id: str
    stig8_id: str
    title: str
    why: str
    seed_bullet: str
    then_and_now: str
    source: str

    kind = "host hardening setting"

    @property
    def rule_id(self) -> str:
        return self.scg8_id or self.stig8_id or self.setting


def _host_row(cells: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = dict(cells)
    if cells["scope"] not in SCOPES:
        raise RowError("scope", f"'{cells['scope']}' is not one of {', '.join(SCOPES)}")
    choices = tuple(c.strip() for c in cells["choices"].split("|"))
    if len(choices) < 2 or not all(choices) or len(set(choices)) != len(choices):
        raise RowError("choices", "needs two or more distinct values separated by |")
    out["choices"] = choices
    if cells["default_value"] not in choices:
        raise RowError("default_value", f"'{cells['default_value']}' is not one of the choices")
    expected = tuple(e.strip() for e in cells["expected"].split("|"))
    wrong = [e for e in expected if e not in choices]
    if wrong:
        raise RowError("expected", f"'{wrong[0]}' is not one of the choices")
    out["expected"] = expected
    if cells["scg8_id"] and not _HOST_SCG8_ID.match(cells["scg8_id"]):
        raise RowError("scg8_id", f"'{cells['scg8_id']}' is not an id like esxi-8.deactivate-ssh")
    if cells["stig8_id"] and not _HOST_STIG8_ID.match(cells["stig8_id"]):
        raise RowError("stig8_id", f"'{cells['stig8_id']}' is not an id like ESXI-80-000193")
    if not (cells["scg8_id"] or cells["stig8_id"]):
        raise RowError("scg8_id", "a setting needs an SCG 8 or a STIG 8 id")
    return out


def _read_csv(path: Path, record: type, optional: frozenset[str], check_row) -> tuple:
    return tuple(read_rows(path, record, optional, check_row, require_rows=True))


def read_host_settings(path: Path | str) -> tuple[HostSetting, ...]:
    """Read and validate a host-settings CSV; raise DatasetError naming the first bad cell."""
    optional = frozenset({"scg8_id", "stig8_id", "seed_bullet", "then_and_now"})
    return _read_csv(Path(path), HostSetting, optional, _host_row)


@cache
def host_settings() -> tuple[HostSetting, ...]:
    """Every row of datasets/hardening_host_settings.csv, in file order."""
    return read_host_settings(datasets_dir() / "hardening_host_settings.csv")
