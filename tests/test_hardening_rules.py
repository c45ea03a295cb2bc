"""datasets/hardening_rules.csv: every row valid and sourced, agreeing with the reference table of
checks read from VMware's guide and audit script; bad rows are reported with line and column."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from vlab.knowledge.hardening import (
    CHECKS,
    hardening_rules,
    read_hardening_rules,
    rules_for,
)
from vlab.knowledge.records import DatasetError

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "hardening-vm-checks.csv"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "vmware-intro-notes.txt"
HEADER = ("key,check,expected,absent_passes,severity,profile,scg8_id,stig8_id,title,why,"
          "seed_bullet,then_and_now,source")
GOOD_ROW = ("log.keepOld,int_eq,10,yes,medium,baseline,vm-8.log-retention,VMCH-80-000206,"
            "Keep ten logs,Bounded logs,,,SCG 8 vm-8.log-retention")


def shared(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {path}")
        pytest.skip(f"{path} is absent (shared/ beside the clone)")
    return path


def by_key() -> dict[str, object]:
    return {r.key.lower(): r for r in hardening_rules()}


def test_every_row_loads_with_a_source_title_and_reason():
    rules = hardening_rules()
    assert len(rules) >= 25
    for r in rules:
        assert r.check in CHECKS
        assert r.source and r.title and r.why, r.key
        assert "github.com" in r.source or "guide" in r.source.lower(), r.key


def test_profiles_select_rows_and_unknown_profile_is_refused():
    baseline = rules_for(("baseline",))
    assert {r.profile for r in baseline} == {"baseline"}
    everything = rules_for(("baseline", "advanced", "legacy"))
    assert len(everything) == len(hardening_rules()) > len(baseline)
    with pytest.raises(ValueError, match="unknown profile 'strict'"):
        rules_for(("strict",))


def test_rows_agree_with_the_reference_table_of_vmware_checks():
    """Check kind, expected value and ids must be the ones read in SCG 8 / the audit script."""
    rules = by_key()
    reference = list(csv.DictReader(shared(REFERENCE).open(encoding="utf-8")))
    kinds = {"must_be_absent_unless_dvfilter_in_use": "must_be_absent"}
    compared = 0
    for ref in reference:
        rule = rules.get(ref["vmx_key"].lower())
        if rule is None:
            continue
        compared += 1
        assert rule.check == kinds.get(ref["check"], ref["check"]), ref["vmx_key"]
        assert rule.scg8_id == ref["scg8_id"], ref["vmx_key"]
        assert rule.stig8_id == ref["stig8_id"], ref["vmx_key"]
        if ref["stig8_severity"]:
            assert rule.severity == ref["stig8_severity"], ref["vmx_key"]
        if ref["absent_passes"] in ("yes", "no"):
            assert rule.absent_passes == (ref["absent_passes"] == "yes"), ref["vmx_key"]
        if ref["check"] in ("int_eq", "int_le", "string_eq"):
            assert rule.expected == ref["expected"], ref["vmx_key"]
    assert compared >= 25


def test_seed_bullets_quote_the_notes():
    notes = " ".join(shared(SEED).read_text(encoding="utf-8").split()).lower()
    bullets = {r.seed_bullet for r in hardening_rules() if r.seed_bullet}
    assert len(bullets) >= 5
    for bullet in bullets:
        _section, _, text = bullet.partition(": ")
        assert text.lower() in notes, bullet


def test_wildcards_match_device_numbers_but_not_a_literal_star():
    rules = by_key()
    passthru = rules["pcipassthru*.present"]
    assert passthru.matches("pciPassthru0.present") and passthru.matches("PCIPASSTHRU12.PRESENT")
    assert not passthru.matches("pciPassthru*.present")  # a mis-applied wildcard seen in real files
    mode = rules["*:*.mode"]
    assert mode.matches("scsi0:1.mode") and mode.matches("nvme0:0.mode")
    assert not mode.matches("sched.scsi0:0.mode") and not mode.matches("scsi0:1.modex")
    usb = rules["usb.present|ehci.present|usb_xhci.present"]
    assert usb.matches("usb_xhci.present") and not usb.matches("usb_xhci:4.present")


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "rules.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_good_file_reads_into_typed_records(tmp_path):
    (rule,) = read_hardening_rules(write(tmp_path, GOOD_ROW))
    assert rule.absent_passes is True and rule.rule_id == "vm-8.log-retention"
    assert not rule.is_pattern and rule.matches("LOG.KEEPOLD")


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (GOOD_ROW.replace("int_eq", "int_equal"), "check", "not one of"),
        (GOOD_ROW.replace(",10,", ",ten,"), "expected", "not a whole number"),
        (GOOD_ROW.replace(",yes,", ",maybe,"), "absent_passes", "yes or no"),
        (GOOD_ROW.replace("medium", "critical"), "severity", "not one of"),
        (GOOD_ROW.replace("vm-8.log-retention", "vm8-log"), "scg8_id", "not an SCG 8 id"),
        (GOOD_ROW.replace("VMCH-80-000206", "V-258719"), "stig8_id", "not a STIG id"),
        (GOOD_ROW.replace("log.keepOld", "log keep old"), "key", "not a .vmx key"),
        (GOOD_ROW.replace(",SCG 8 vm-8.log-retention", ","), "source", "is empty"),
        ("mks.enable3d,bool_false_or_absent,TRUE,yes,low,baseline,,VMCH-80-000202,t,w,,,s",
         "expected", "expects FALSE"),
        ("mks.enable3d,bool_false_or_absent,FALSE,no,low,baseline,,VMCH-80-000202,t,w,,,s",
         "absent_passes", "passes a missing key"),
        ("x.y,bool_true,TRUE,no,low,baseline,,,t,w,,,s", "scg8_id", "needs an SCG 8 or a STIG 8 id"),
    ],
)
def test_a_bad_row_names_line_column_and_reason(tmp_path, row, column, reason):
    path = write(tmp_path, GOOD_ROW.replace("log.keepOld", "log.rotateSize"), row)
    with pytest.raises(DatasetError) as info:
        read_hardening_rules(path)
    err = info.value
    assert (err.line, err.column) == (3, column)
    assert reason in err.reason
    assert "rules.csv, line 3" in str(err)


def test_duplicate_keys_missing_columns_and_short_rows_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="repeats line 2"):
        read_hardening_rules(write(tmp_path, GOOD_ROW, GOOD_ROW.replace("log.keepOld", "LOG.KEEPOLD")))
    with pytest.raises(DatasetError, match="header lacks column"):
        read_hardening_rules(write(tmp_path, GOOD_ROW, header=HEADER.replace(",why", "")))
    with pytest.raises(DatasetError, match="cells"):
        read_hardening_rules(write(tmp_path, "log.keepOld,int_eq,10"))
    with pytest.raises(DatasetError, match="no rows"):
        read_hardening_rules(write(tmp_path))
