"""The VM hardening audit: judge a .vmx file against the rules of datasets/hardening_rules.csv.

Imitates what VMware's vSphere 8 audit script (audit-vm-8.ps1, Security Configuration Guide) does
with a VM's advanced settings, key by key:

- T-OR-NP (`bool_true_or_absent`): TRUE passes, FALSE fails, a missing key passes (the default is
  secure), any other value fails. F-OR-NP is the mirror image. Booleans compare case-insensitively
  (PowerShell's `switch` does), so `"True"`, `"true"` and `"TRUE"` all pass; `"1"` or `"yes"` are
  neither TRUE nor FALSE to the script, so they fail with a message saying what to write.
- NP (`must_be_absent`): any value fails.
- numbers: `RemoteDisplay.maxConnections` must equal 1 and a missing key FAILS (the default, -1,
  means no limit); `tools.setInfo.sizeLimit` <= 1048576; `log.keepOld` = 10 and
  `log.rotateSize` = 2048000, where a missing key passes (the default is the value).
- `migrate.encryptionMode`: only `required` passes; `opportunistic` (also what a missing key
  means) fails.

Rules that apply only to some VMs: `uefi.secureBoot.enabled` needs EFI firmware (`firmware =
"efi"`; a .vmx without a `firmware` line boots BIOS). On a BIOS VM the rule is `not_applicable`: a
verdict of its own, neither pass nor fail, and `--fix` never adds the key there, because Secure Boot
is a UEFI feature and a BIOS-installed guest cannot be switched to EFI by editing a line (vSphere
8, "Enable or Disable UEFI Secure Boot for a Virtual Machine": prerequisites EFI firmware and
virtual hardware 13 or later; "You cannot upgrade a virtual machine that uses BIOS boot to a
virtual machine that uses UEFI boot", vSphere 6.5 Security). VMware's audit-vm-8.ps1 does not look
at the firmware: it reads `EfiSecureBootEnabled` and reports FAIL on every VM without Secure Boot,
BIOS VMs included, and its remediate-vm-8.ps1 never turns Secure Boot on. vlab departs from the
audit script here on purpose and says why in the result's message.

`fix_report` writes the smallest change that makes every audited rule it can fix pass, and lists
what it cannot fix by editing text: `virtualHW.version` (raising the number is not an upgrade:
vSphere's Upgrade VM Compatibility changes the virtual hardware the guest sees, wants the VM
powered off, a backup and VMware Tools upgraded first, or a Windows guest may lose its network
settings; vSphere 6.5/6.7 VM Administration, "Upgrade the Compatibility for Virtual Machines",
docs.vmware.com GUID-60768C2F-72E1-42E0-8A17-CA76849F2950 and GUID-96C06236-C271-4CFE-857E-
22D1FDEECC95; remediate-vm-8.ps1 likewise upgrades through the API, `Set-VM -HardwareVersion`, and
only when asked) and Secure Boot on an EFI VM whose virtual hardware is older than 13.

Left out: what the script reads through the vSphere API rather than the .vmx (connected CD-ROMs,
the VM's vSwitch and port group), host and vCenter settings, and the STIG's looser variants
(opportunistic vMotion encryption passes there). A rule's `profile` picks which rows run.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vlab.formats.dictfile import DictFile, parse_dictfile
from vlab.knowledge.hardening import HardeningRule, rules_for

STATUSES = ("pass", "fail", "not_present", "not_applicable")
_PERSISTENT_MODE = "persistent"  # the ordinary (dependent, persistent) disk mode
UPGRADE_COMPATIBILITY = "upgrade VM compatibility in vSphere; not a .vmx edit"
_SECURE_BOOT_MIN_HW = 13  # vSphere 8 VM Administration, "Enable or Disable UEFI Secure Boot ..."


@dataclass(frozen=True)
class Condition:
    """A rule applies only when `key` (missing = `default`) equals `value` (case-insensitive)."""

    key: str
    value: str
    default: str
    why: str

    def holds(self, vmx: DictFile) -> bool:
        return (vmx.get(self.key) or self.default).strip().lower() == self.value

    def reason(self, vmx: DictFile) -> str:
        actual = vmx.get(self.key)
        shown = f'{self.key} = "{actual}"' if actual is not None else \
            f"no {self.key} line (= {self.default})"
        return f"not applicable: {shown}; {self.why}"


# Which rules apply only to some VMs (sources in the module docstring).
CONDITIONS: dict[str, Condition] = {
    "uefi.secureBoot.enabled": Condition(
        "firmware", "efi", "bios",
        "Secure Boot needs EFI firmware, and a guest installed for BIOS cannot be switched to EFI "
        "by editing the .vmx (VMware's audit-vm-8.ps1 would still report FAIL here)"),
}


@dataclass(frozen=True)
class Result:
    """One rule's verdict on one file.

    status: `pass` (present and right), `fail` (wrong, or missing where missing is not allowed),
    `not_present` (missing, and missing is the secure default, so it counts as a pass),
    `not_applicable` (the rule does not apply to this VM, e.g. Secure Boot on a BIOS VM: neither a
    pass nor a fail; `passed` is True only in the sense "not a failure", `applicable` is False).
    actual: the value read (`key=value, ...` for a pattern rule), None when nothing matched.
    keys: the keys, as spelt in the file, that failed (what `remediate` changes).
    """

    rule: HardeningRule
    status: str
    actual: str | None
    expected: str
    message: str
    keys: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Not a failure (pass, not_present or not_applicable)."""
        return self.status != "fail"

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def to_dict(self) -> dict[str, object]:
        r = self.rule
        return {
            "key": r.key, "title": r.title, "status": self.status, "passed": self.passed,
            "applicable": self.applicable,
            "actual": self.actual, "expected": self.expected, "message": self.message,
            "severity": r.severity, "profile": r.profile, "scg8_id": r.scg8_id,
            "stig8_id": r.stig8_id, "failing_keys": list(self.keys),
        }


def expected_text(rule: HardeningRule) -> str:
    """The rule's requirement in words: `TRUE or absent`, `= 1`, `<= 1048576`, `absent` ..."""
    e, check = rule.expected, rule.check
    text = {
        "bool_true_or_absent": "TRUE or absent", "bool_false_or_absent": "FALSE or absent",
        "absent_or_false": "absent or FALSE", "must_be_absent": "absent",
        "bool_true": "TRUE", "bool_false": "FALSE", "int_eq": f"= {e}", "int_le": f"<= {e}",
        "int_ge": f">= {e}", "string_eq": e, "not_equal": f"not {e}", "enum": e,
    }[check]
    if check in ("int_eq", "int_le", "string_eq", "enum") and rule.absent_passes:
        text += " or absent"
    return text


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v == "true" else False if v == "false" else None


def _judge(rule: HardeningRule, value: str) -> tuple[bool, str]:
    """Does one present value satisfy the rule? (ok, reason when not)"""
    check, expected = rule.check, rule.expected
    if check in ("bool_true_or_absent", "bool_true", "bool_false_or_absent", "bool_false",
                 "absent_or_false"):
        want = expected == "TRUE"
        got = _bool(value)
        if got is None:
            return False, f"'{value}' is neither TRUE nor FALSE to VMware's audit; write {expected}"
        return got == want, "" if got == want else f"is {value}, should be {expected}"
    if check == "must_be_absent":
        return False, "is set; remove the line"
    if check in ("int_eq", "int_le", "int_ge"):
        try:
            number = int(value.strip())
        except ValueError:
            return False, f"'{value}' is not a whole number; write {expected}"
        ok = {"int_eq": number == int(expected), "int_le": number <= int(expected),
              "int_ge": number >= int(expected)}[check]
        want = {"int_eq": expected, "int_le": f"at most {expected}",
                "int_ge": f"at least {expected}"}[check]
        return ok, "" if ok else f"is {number}, should be {want}"
    if check in ("string_eq", "enum"):
        ok = value.strip().lower() == expected.lower()
        return ok, "" if ok else f"is '{value}', should be '{expected}'"
    if check == "not_equal":
        ok = value.strip().lower() != expected.lower()
        return ok, "" if ok else f"is {expected}: changes vanish at power-off"
    raise ValueError(f"unknown check kind '{check}'")


def audit_rule(rule: HardeningRule, vmx: DictFile) -> Result:
    """Judge one rule against a parsed .vmx."""
    expected = expected_text(rule)
    condition = CONDITIONS.get(rule.key)
    if condition is not None and not condition.holds(vmx):
        return Result(rule, "not_applicable", None if rule.is_pattern else vmx.get(rule.key),
                      expected, condition.reason(vmx))
    if rule.is_pattern:
        found = [(k, v) for k, v in vmx.items() if rule.matches(k)]
    else:
        value = vmx.get(rule.key)
        found = [] if value is None else [(vmx.entry(rule.key).key, value)]
    if not found:
        if rule.absent_passes:
            return Result(rule, "not_present", None, expected,
                          "not set: the default is already compliant")
        return Result(rule, "fail", None, expected,
                      f"not set, and the default does not comply: add {rule.alternatives[0]} "
                      f"= \"{rule.expected}\"", keys=(rule.alternatives[0],))
    failing, reasons = [], []
    for key, value in found:
        ok, why = _judge(rule, value)
        if not ok:
            failing.append(key)
            reasons.append(f"{key} {why}")
    actual = found[0][1] if not rule.is_pattern else ", ".join(f"{k}={v}" for k, v in found)
    if failing:
        return Result(rule, "fail", actual, expected, "; ".join(reasons), keys=tuple(failing))
    return Result(rule, "pass", actual, expected, "complies")


def audit(vmx: DictFile, profiles: Sequence[str] = ("baseline",),
          rules: Iterable[HardeningRule] | None = None) -> list[Result]:
    """One Result per rule, in the dataset's order. `rules` overrides the profile selection."""
    chosen = tuple(rules) if rules is not None else rules_for(tuple(profiles))
    return [audit_rule(rule, vmx) for rule in chosen]


def audit_text(text: str | bytes, profiles: Sequence[str] = ("baseline",),
               source: str = "<pasted .vmx>") -> list[Result]:
    """Parse .vmx content and audit it; a malformed file raises ValueError with the line number."""
    return audit(parse_dictfile(text, source=source), profiles)


def failures(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if not r.passed]


def counts(results: Iterable[Result]) -> dict[str, int]:
    """How many results have each status."""
    tally = dict.fromkeys(STATUSES, 0)
    for r in results:
        tally[r.status] += 1
    return tally


def _fix_value(rule: HardeningRule) -> str | None:
    """What a failing key is set to; None = delete the key."""
    if rule.check == "must_be_absent":
        return None
    if rule.check == "not_equal":
        return _PERSISTENT_MODE
    return rule.expected


@dataclass(frozen=True)
class NotFixed:
    """A failing rule that `fix_report` leaves alone, and what to do instead."""

    key: str
    reason: str


@dataclass(frozen=True)
class FixReport:
    """What `fix_report` did: the fixed copy, the rules it fixed, and the ones it could not."""

    fixed: DictFile
    fixed_rules: tuple[str, ...]
    not_fixed: tuple[NotFixed, ...]


def _why_not_fixable(rule: HardeningRule, vmx: DictFile) -> str | None:
    """Why a failing rule cannot be fixed by editing the .vmx text; None when it can."""
    if rule.key == "virtualHW.version":
        return (f"{UPGRADE_COMPATIBILITY} (it changes the virtual hardware the guest sees and "
                f"wants the VM powered off and VMware Tools upgraded first)")
    if rule.key == "uefi.secureBoot.enabled":
        hw = vmx.get("virtualHW.version", "").strip()
        if not hw.isdigit() or int(hw) < _SECURE_BOOT_MIN_HW:
            return (f"Secure Boot needs virtual hardware {_SECURE_BOOT_MIN_HW} or later "
                    f"(virtualHW.version = {hw or 'missing'}): {UPGRADE_COMPATIBILITY}, then "
                    f"turn Secure Boot on in the VM's boot options")
    return None


def fix_report(vmx: DictFile, profiles: Sequence[str] = ("baseline",),
               rules: Iterable[HardeningRule] | None = None) -> FixReport:
    """Fix every failing rule that a .vmx edit can fix (the input is not changed): failing keys
    set to the expected value, keys that must be absent removed, non-persistent disks made
    persistent. Rules that are not applicable are never touched; `virtualHW.version` is never
    edited (see `NotFixed.reason`). Other lines and comments are kept."""
    fixed = parse_dictfile(vmx.to_text(), source="<fixed>")
    fixed.shebang, fixed.newline = vmx.shebang, vmx.newline
    done: list[str] = []
    skipped: list[NotFixed] = []
    for result in failures(audit(vmx, profiles, rules)):
        why = _why_not_fixable(result.rule, vmx)
        if why is not None:
            skipped.append(NotFixed(result.rule.key, why))
            continue
        value = _fix_value(result.rule)
        for key in result.keys:
            if value is None:
                del fixed[key]
            else:
                fixed[key] = value
        done.append(result.rule.key)
    return FixReport(fixed, tuple(done), tuple(skipped))


def remediated(vmx: DictFile, profiles: Sequence[str] = ("baseline",),
               rules: Iterable[HardeningRule] | None = None) -> DictFile:
    """The fixed copy of `fix_report` (what it could not fix stays as it was)."""
    return fix_report(vmx, profiles, rules).fixed


def remediate(vmx: DictFile, profiles: Sequence[str] = ("baseline",),
              rules: Iterable[HardeningRule] | None = None) -> str:
    """The .vmx text of `remediated`."""
    return remediated(vmx, profiles, rules).to_text()
