"""Facts corrected for issue 18, each pinned to the row that states it and the source it was checked
against (SCG 8 release 803-20260612-01, DISA vSphere 8 STIG V2R3, VMware KB 1003212, the VI/vSphere
API reference, VMware's vSphere 7 and 8 Virtual Machine Security Parameters notes)."""

from __future__ import annotations

from vlab import knowledge
from vlab.knowledge.hardening import hardening_rules, host_settings
from vlab.models.security.host_hardening import audit_host

REFERENCES = knowledge.datasets_dir().parent / "references.md"


def _host(name):
    (row,) = [s for s in host_settings() if s.setting == name]
    return row


def _rule(key):
    (row,) = [r for r in hardening_rules() if r.key == key]
    return row


def _file(extension):
    (row,) = [f for f in knowledge.datastore_files() if f.extension == extension]
    return row


def _term(name):
    (row,) = [t for t in knowledge.glossary() if t.term == name]
    return row


def _component(name):
    (row,) = [c for c in knowledge.components() if c.component == name]
    return row


# SNMP: SCG 8 esxi-8.deactivate-snmp maps to STIG ESXI-80-000212 ("disable SNMP v1 and v2c": running
# is acceptable only in use, with SNMPv3 targets that authenticate).
def test_snmp_row_carries_the_scg8_control_and_the_stig_rule():
    snmp = _host("SNMP service")
    assert (snmp.scg8_id, snmp.stig8_id) == ("esxi-8.deactivate-snmp", "ESXI-80-000212")
    assert snmp.rule_id == "esxi-8.deactivate-snmp"
    assert snmp.default_value == "stopped"


def test_snmp_passes_only_stopped_or_v3_with_authentication():
    snmp = _host("SNMP service")
    assert set(snmp.expected) == {"stopped", "running, SNMPv3 with authentication"}
    for value in snmp.choices:
        (result,) = [r for r in audit_host({"SNMP service": value}) if r.setting is snmp]
        assert result.passed == (value in snmp.expected), value
    assert not any("v1/v2c" in e or "community" in e for e in snmp.expected)


# Log rotation: on ESXi 8 a missing log.rotateSize means 2048000 (SCG 8 vm-8.log-rotation-size;
# STIG VMCH-80-000205 passes a missing key), vSphere 7 defaulted to 0 and 6 old logs.
def test_log_rotate_size_rule_says_why_a_missing_key_passes():
    rule = _rule("log.rotateSize")
    assert rule.absent_passes and rule.expected == "2048000"
    assert "2048000" in rule.why and "grow without bound" not in rule.why
    assert "VMCH-80-000205" in rule.source and "vSphere 7" in rule.then_and_now


def test_current_log_row_says_esxi8_rotates_without_the_key():
    log = _file(".log")
    assert "2048000" in log.size_rule and "ESXi 8" in log.size_rule
    assert "vmware-1.log" not in log.removed_when


def test_old_logs_count_up_and_the_default_kept_changed_by_era():
    old = _file("vmware-#.log")
    assert "highest number is the most recent" in old.purpose
    assert "vmware-1.log is the most recent" not in old.purpose
    assert "10 by default on ESXi 8" in old.removed_when
    assert "6 by default on vSphere 7 and on ESX Server 3.0" in old.removed_when
    assert "Same rotation scheme" not in old.then_and_now
    assert "FileRotateByRenumber" in old.source


def test_keep_old_rule_dates_the_default():
    rule = _rule("log.keepOld")
    assert rule.absent_passes and rule.expected == "10"
    assert (
        "ESX Server 3.0 kept 6" in rule.then_and_now
        and "vSphere 7 still kept 6" in rule.then_and_now
    )


# FT encryption: vlab takes the STIG's scope (not applicable without FT) and SCG 8's value.
def test_ft_encryption_says_whose_semantics_vlab_follows():
    rule = _rule("ftcpt.ftEncryptionMode")
    assert rule.absent_passes and rule.expected == "ftEncryptionRequired"
    assert "VMCH-80-000204" in rule.then_and_now and "audit-vm-8.ps1" in rule.then_and_now


# HGFS: last listed (audit only) in the 6.5 guide, absent from 6.7 on.
def test_hgfs_rule_dates_its_removal_to_the_67_guide():
    rule = _rule("isolation.tools.hgfsServerSet.disable")
    assert "6.7" in rule.then_and_now and "6.5" in rule.then_and_now
    assert not rule.then_and_now.startswith("Dropped from SCG 7 and 8")
    assert "VMCH-70-000007" in rule.then_and_now


# audit-vm-8.ps1: 19 or newer up to release 803-20260107-01, 17 or newer from 803-20260612-01.
def test_virtual_hardware_names_which_script_release_checks_what():
    rule = _rule("virtualHW.version")
    assert rule.expected == "17"
    assert "803-20260107-01" in rule.then_and_now and "803-20260612-01" in rule.then_and_now


# EVC: ESX 3.5 Update 2 with VirtualCenter 2.5 Update 2 (KB 1003212); Storage VMotion: VI 3.5.
def test_evc_and_storage_vmotion_are_vi3_features():
    evc = _term("Enhanced vMotion Compatibility")
    assert "ESX 3.5 Update 2" in evc.definition and "1003212" in evc.source
    vmotion = _component("VMotion")
    assert "ESX 3.5 Update 2" in vmotion.then_and_now and "1003212" in vmotion.source
    assert "Later releases added Storage vMotion" not in vmotion.then_and_now


# Lockdown: VI API 2.5 marks AdminDisabled and HostAdminDisableEvent "Since VI API 2.5".
def test_lockdown_is_not_said_to_be_missing_from_esx_35():
    host = _host("Lockdown mode")
    term = _term("Lockdown mode")
    for text in (host.then_and_now, term.definition):
        assert "VI API 2.5" in text
        assert "had no lockdown" not in text and "did not exist in ESX 3.x" not in text


def test_vmsn_example_keeps_gib_and_gb_apart():
    vmsn = _file(".vmsn")
    assert "4.3 GB for a 4 GB VM" not in vmsn.size_rule
    assert (
        "4,296,302,795 bytes" in vmsn.size_rule and "4 GiB (4,294,967,296 bytes)" in vmsn.size_rule
    )
    assert round((4_296_302_795 - 4 * 2**30) / 1e6, 1) == 1.3  # the "about 1.3 MB" of the row


# Hyper-threading: the notes' advice matches the 2005 cache-timing attack; L1TF (2018) came later.
def test_hyperthreading_advice_is_dated_from_2005():
    rows = [
        line
        for line in REFERENCES.read_text(encoding="utf-8").splitlines()
        if line.startswith('| "Need to prevent hyperthreading"')
    ]
    assert len(rows) == 1
    assert "Percival" in rows[0] and "2005" in rows[0] and "L1TF" in rows[0]
    term = _term("Hyperthreading")
    assert "2005" in term.definition and "Percival" in term.source
