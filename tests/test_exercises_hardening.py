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
    assert all(c.hint and "Expected" in c.hint for c in failed)


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
