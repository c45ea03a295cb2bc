"""Lab 08's checker: web01's starting .vmx fails with hints, a hand-fixed file passes, shortcuts and
malformed input are caught, and the widget records attempts."""
from __future__ import annotations

from vlab.exercises.hardening import WEB01_VMX, check_hardened_vmx, hardening_checker
from vlab.learn.progress import ProgressStore

# Fixed by hand, line by line, from SCG 8 (not by vlab's remediate)
EDITS = {
    'scsi0:1.mode = "independent-nonpersistent"': 'scsi0:1.mode = "independent-persistent"',
    'floppy0.present = "TRUE"': 'floppy0.present = "FALSE"',
    'serial0.present = "TRUE"': "",
    'usb.present = "TRUE"': "",
    'isolation.tools.copy.disable = "FALSE"': 'isolation.tools.copy.disable = "TRUE"',
    'isolation.tools.paste.disable = "FALSE"': "",
    'logging = "FALSE"': 'logging = "TRUE"',
    'log.rotateSize = "100000"': 'log.rotateSize = "2048000"\nlog.keepOld = "10"',
    'RemoteDisplay.maxConnections = "2"': 'RemoteDisplay.maxConnections = "1"',
    'sched.mem.pshare.salt = "web-farm"': "",
    'migrate.encryptionMode = "opportunistic"': 'migrate.encryptionMode = "required"',
}


def fixed_by_hand() -> str:
    text = WEB01_VMX
    for old, new in EDITS.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_the_starting_file_fails_eleven_rules_each_with_a_hint():
    criteria = check_hardened_vmx(WEB01_VMX)
    failed = [c for c in criteria if not c.passed]
    # the .vmx keys of the eleven lines EDITS fixes by hand, each named by exactly one failure
    edited = {old.split(" = ")[0] for old in EDITS}
    assert len(edited) == len(failed) == 11
    named = [[key for key in edited if f": {key} is " in c.message] for c in failed]
    assert all(len(keys) == 1 for keys in named), [c.message for c in failed]
    assert {keys[0] for keys in named} == edited
    # each failure: the idea, then the direction, then the exact line; the value only in the last
    assert all(c.hint and c.direction and c.answer for c in failed)
    for c, keys in zip(failed, named, strict=True):
        assert keys[0] in c.answer
    fixed_values = ("2048000", '"required"', "independent-persistent", '= "1"', '"TRUE"')
    for c in failed:
        for shown in (c.hint, c.direction, c.message):
            assert not any(v in shown for v in fixed_values), shown


def test_every_rule_web01_fails_has_its_own_graduated_hints():
    from vlab.exercises.hardening import _HINTS
    from vlab.formats import parse_dictfile
    from vlab.models.security.hardening import audit, failures

    assert {r.rule.key for r in failures(audit(parse_dictfile(WEB01_VMX)))} == set(_HINTS)


def test_a_hand_fixed_file_passes_every_criterion():
    criteria = check_hardened_vmx(fixed_by_hand())
    assert all(c.passed for c in criteria), [c.message for c in criteria if not c.passed]


def test_deleting_the_vm_is_not_hardening():
    stripped = 'RemoteDisplay.maxConnections = "1"\nmigrate.encryptionMode = "required"\n'
    criteria = check_hardened_vmx(stripped)
    assert not criteria[-1].passed and "displayName" in criteria[-1].message


def test_a_new_failure_is_reported_even_if_the_old_ones_are_fixed():
    text = fixed_by_hand() + 'mks.enable3d = "TRUE"\n'
    failed = [c for c in check_hardened_vmx(text) if not c.passed]
    assert len(failed) == 1 and "mks.enable3d" in failed[0].message


def test_the_widget_shows_a_malformed_line_and_records_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = hardening_checker(store=store)
    widget.work.value = WEB01_VMX + 'logging = "TRUE\n'
    report = widget.check()
    assert not report.passed and "no closing quote" in widget.results.value
    widget.work.value = fixed_by_hand()
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value
    rows = store.attempts(lab="08_hardening")
    assert [r.correct for r in rows] == [False, True]


# --------------------------------------------------------------------------- your turn
def test_console_paths_audits_the_dictfile_and_keeps_web01_whole():
    from vlab.exercises.hardening import check_console_paths
    from vlab.formats import parse_dictfile

    vmx = parse_dictfile(WEB01_VMX)
    vmx["isolation.tools.copy.disable"] = "TRUE"
    vmx["isolation.tools.paste.disable"] = "true"
    vmx["RemoteDisplay.maxConnections"] = "1"
    assert all(c.passed for c in check_console_paths(vmx))
    vmx["mks.enable3d"] = "TRUE"
    del vmx["displayName"]
    clip, viewers, others, identity = check_console_paths(vmx)
    assert clip.passed and viewers.passed
    assert not others.passed and "mks.enable3d" in others.message
    assert not identity.passed and "displayName" in identity.message
    del vmx["RemoteDisplay.maxConnections"]
    viewers = check_console_paths(vmx)[1]
    assert not viewers.passed and "no limit" in viewers.message and "missing" in viewers.hint


def test_guest_cannot_spoof_runs_the_host_audit_and_the_exposure():
    from vlab.exercises import your_turn
    from vlab.exercises.hardening import check_guest_cannot_spoof

    right = {"mac address changes": "Reject", "Forged transmits": "Reject", "Promiscuous mode": "Reject"}
    assert all(c.passed for c in check_guest_cannot_spoof(right))
    sniff, take, forge, salt = check_guest_cannot_spoof({**right, "Promiscuous mode": "Accept",
                                                         "Mem.ShareForceSalting": "1"})
    assert not sniff.passed and take.passed and forge.passed and not salt.passed
    assert "Reject" not in sniff.hint + sniff.direction and '"Promiscuous mode": "Reject"' in sniff.answer
    result = your_turn("08_hardening", "guest-cannot-spoof", {"Forged transmit": "Reject"}, record=False)
    assert not result.passed and "unknown host setting" in result.report.criteria[0].message
