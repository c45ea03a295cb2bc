"""Rules that apply only to some VMs, and what `--fix` must not do by editing text.

Secure Boot is a UEFI feature: a .vmx with no `firmware` line (or `firmware = "bios"`) boots BIOS,
so `uefi.secureBoot.enabled` is `not_applicable` there and `--fix` must not add it. Virtual hardware
is upgraded with vSphere's "Upgrade VM Compatibility" (devices change, the VM must be off), so
`--fix` never edits `virtualHW.version` and says so. The corpus has BIOS VMs (vmx-1, -2, -4, -5,
-6: no firmware line), an EFI VM at hardware 8 (vmx-3) and an EFI VM with Secure Boot on (vmx-7);
an EFI VM at hardware 14 without Secure Boot is built from vmx-6 in a temp file.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vlab.formats.dictfile import parse_dictfile, read_dictfile
from vlab.models.security.hardening import (
    STATUSES,
    UPGRADE_COMPATIBILITY,
    audit,
    counts,
    failures,
    fix_report,
    remediated,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "vmx"
VLAB = str(Path(sys.executable).with_name("vlab"))
ALL = ("baseline", "advanced", "legacy")
SB = "uefi.secureBoot.enabled"


def corpus_file(suffix: str) -> Path:
    path = CORPUS / f"virt-v2v__test-i-{suffix}.vmx"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the corpus file {path}")
        pytest.skip("corpus absent")
    return path


def verdicts(vmx) -> dict:
    return {r.rule.key: r for r in audit(vmx, ALL)}


@pytest.fixture
def efi14(tmp_path) -> Path:
    """vmx-6 (BIOS, hardware 14, no Secure Boot line) turned into an EFI VM."""
    text = corpus_file("vmx-6").read_text(encoding="utf-8")
    assert "firmware" not in text and SB not in text  # the premise of this variant
    path = tmp_path / "efi14.vmx"
    newline = "\r\n" if "\r\n" in text else "\n"  # the file has no final newline
    path.write_text(text.rstrip("\r\n") + f'{newline}firmware = "efi"{newline}',
                    encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("name", ["vmx-2", "vmx-4", "vmx-5"])
def test_secure_boot_is_not_applicable_on_bios_vms(name):
    vmx = read_dictfile(corpus_file(name))
    assert vmx.get("firmware") is None  # no firmware line: the VM boots BIOS
    result = verdicts(vmx)[SB]
    assert result.status == "not_applicable" and not result.applicable
    assert result not in failures(audit(vmx, ALL))
    assert "not applicable" in result.message and "EFI" in result.message
    tally = counts(audit(vmx, ALL))
    assert tally["not_applicable"] == 1 and sum(tally.values()) == len(audit(vmx, ALL))
    assert set(tally) == set(STATUSES)
    assert SB not in remediated(vmx, ALL)


def test_an_explicit_bios_firmware_with_secure_boot_false_is_still_not_applicable():
    vmx = parse_dictfile('firmware = "bios"\nvirtualHW.version = "19"\n' + SB + ' = "FALSE"\n')
    result = verdicts(vmx)[SB]
    assert result.status == "not_applicable" and result.actual == "FALSE"
    assert remediated(vmx, ALL)[SB] == "FALSE"  # left as it was


def test_secure_boot_is_judged_on_efi_vms():
    assert verdicts(read_dictfile(corpus_file("vmx-7")))[SB].status == "pass"  # TRUE, efi, hw 17
    efi8 = read_dictfile(corpus_file("vmx-3"))
    assert efi8["firmware"] == "efi"
    assert verdicts(efi8)[SB].status == "fail"
    upper = parse_dictfile('firmware = "EFI"\nvirtualHW.version = "19"\n')
    assert verdicts(upper)[SB].status == "fail"  # the value compares case-insensitively


def test_fix_turns_secure_boot_on_for_an_efi_vm_at_hardware_13_or_later(efi14):
    report = fix_report(read_dictfile(efi14), ALL)
    assert report.fixed[SB] == "TRUE" and SB in report.fixed_rules
    assert verdicts(report.fixed)[SB].status == "pass"


def test_fix_leaves_secure_boot_off_below_hardware_13_and_says_why():
    vmx = read_dictfile(corpus_file("vmx-3"))  # efi, virtualHW.version = "8"
    report = fix_report(vmx, ALL)
    assert SB not in report.fixed and SB not in report.fixed_rules
    (why,) = [n.reason for n in report.not_fixed if n.key == SB]
    assert "13" in why and UPGRADE_COMPATIBILITY in why


def test_fix_never_edits_virtual_hardware_and_reports_it():
    for name in ("vmx-1", "vmx-2", "vmx-3", "vmx-4", "vmx-5", "vmx-6"):  # hardware 8 to 14 < 17
        vmx = read_dictfile(corpus_file(name))
        assert verdicts(vmx)["virtualHW.version"].status == "fail", name
        report = fix_report(vmx, ALL)
        assert report.fixed["virtualHW.version"] == vmx["virtualHW.version"], name
        assert "virtualHW.version" not in report.fixed_rules
        (why,) = [n.reason for n in report.not_fixed if n.key == "virtualHW.version"]
        assert why.startswith("upgrade VM compatibility in vSphere; not a .vmx edit")
    # baseline alone has no hardware rule, so nothing is reported as left over
    assert fix_report(read_dictfile(corpus_file("vmx-6"))).not_fixed == ()


def test_json_results_carry_the_not_applicable_verdict():
    vmx = read_dictfile(corpus_file("vmx-4"))
    data = verdicts(vmx)[SB].to_dict()
    assert data["status"] == "not_applicable" and data["applicable"] is False


def harden(*args: str):
    return subprocess.run([VLAB, "harden", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("profile", ["advanced", "all"])
def test_cli_fix_on_a_bios_vm_adds_no_secure_boot_and_keeps_the_hardware(tmp_path, profile):
    source = corpus_file("vmx-2")
    out_file = tmp_path / "fixed.vmx"
    out = harden(str(source), "--profile", profile, "--fix", str(out_file), "--json")
    assert out.returncode == 4, out.stderr  # the original still fails (e.g. hardware 10 < 17)
    data = json.loads(out.stdout)
    statuses = {r["key"]: r["status"] for r in data["results"]}
    assert statuses[SB] == "not_applicable"
    assert SB not in data["fixed_keys"] and "virtualHW.version" not in data["fixed_keys"]
    fixed = read_dictfile(out_file)
    assert SB not in fixed and fixed["virtualHW.version"] == "10"
    again = json.loads(harden(str(out_file), "--profile", profile, "--json").stdout)
    assert [r["key"] for r in again["results"] if r["status"] == "fail"] == ["virtualHW.version"]


def test_cli_fix_on_an_efi_vm_may_add_secure_boot(efi14, tmp_path):
    out_file = tmp_path / "fixed.vmx"
    out = harden(str(efi14), "--profile", "advanced", "--fix", str(out_file), "--json")
    assert out.returncode == 4, out.stderr
    data = json.loads(out.stdout)
    assert {r["key"]: r["status"] for r in data["results"]}[SB] == "fail"
    assert SB in data["fixed_keys"] and "virtualHW.version" not in data["fixed_keys"]
    fixed = read_dictfile(out_file)
    assert fixed[SB] == "TRUE" and fixed["virtualHW.version"] == "14"
