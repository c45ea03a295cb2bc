"""Lab 06's checker: option, transport and interval for RPO 4 h, RTO 15 min and "restore one vmdk".

Numbers by hand: 8 x 40 GiB thick VMs, a 400 GiB LUN, 5 %/day change, 100 MiB/s.
LUN restore: 409600 MiB / 100 = 4096 s = 68.3 min; one-VM restore: 40960 / 100 = 409.6 s = 6.8 min.
VCB run: 8 x 40960 MiB / 100 = 3276.8 s = 54.6 min. VADP run every 4 h: 8 x 40 GiB x 5 % x 4/24
= 2.67 GiB = 27.3 s.
"""
from __future__ import annotations

import pytest

from vlab.exercises.backup_options import (
    STARTING_TEXT,
    backup_choice_checker,
    check_backup_choice,
    parse_choice,
)
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore

SOLUTION = "option = vadp_cbt\ntransport = hotadd\ninterval_h = 4\n"


def failed(criteria):
    return [c for c in criteria if not c.passed]


def test_the_starting_lun_copy_fails_four_ways_with_hints():
    criteria = check_backup_choice(STARTING_TEXT)
    assert len(criteria) == 5
    granular, rpo, rto, window, exposure = criteria
    assert not granular.passed and "other 7 back" in granular.message and "one vmdk" in granular.hint
    assert "vmdk on its own" in granular.direction and "option = vadp_cbt" in granular.answer
    assert not rpo.passed and "24 h" in rpo.message and "interval between backups" in rpo.hint
    assert "Shorten interval_h" in rpo.direction and "interval_h = 4" in rpo.answer
    assert not rto.passed and "68.3 min" in rto.message and "6.8 min" in rto.answer
    assert not window.passed and "68.3 min" in window.message and "whole LUN" in window.hint
    assert exposure.passed  # the array copies the LUN itself: no proxy involved


def test_hints_go_from_the_idea_to_the_value_and_never_start_with_it():
    for c in check_backup_choice(STARTING_TEXT):
        if c.passed:
            continue
        assert c.hint and c.direction and c.answer
        for shown in (c.hint, c.direction):
            assert "vadp_cbt" not in shown and "interval_h = 4" not in shown and "hotadd" not in shown
        assert [c.hint_at(n) for n in (1, 2, 3)] == [c.hint, c.direction, c.answer]


def test_vadp_with_cbt_over_hotadd_every_four_hours_passes():
    criteria = check_backup_choice(SOLUTION)
    assert all(c.passed for c in criteria), [c.message for c in criteria if not c.passed]
    assert "6.8 min" in criteria[2].message  # one 40 GB disk at 100 MB/s
    # 8 x 40 GiB x 5 % x 4/24 = 2.67 GiB per run; 2730.7 MiB / 100 MiB/s = 27.3 s = 0.455 min
    assert "2.7 GB: 0.5 min" in criteria[3].message


def test_nbd_is_also_accepted_and_a_shorter_interval_too():
    assert all(c.passed for c in check_backup_choice(dict(option="vadp_cbt", transport="nbd",
                                                          interval_h=1)))


def test_vcb_is_granular_but_its_full_copies_overrun_the_window():
    bad = failed(check_backup_choice("option = vcb\ntransport = hotadd\ninterval_h = 4"))
    assert len(bad) == 1
    assert "54.6 min" in bad[0].message and "in full on every run" in bad[0].hint
    assert "only those" in bad[0].direction
    assert "option = vadp_cbt" in bad[0].answer and "2.7 GB per run" in bad[0].answer


def test_san_transport_exposes_the_lun():
    bad = failed(check_backup_choice("option = vadp_cbt\ntransport = san\ninterval_h = 4"))
    assert len(bad) == 1 and "zones the DMZ LUN" in bad[0].message and "zoned" in bad[0].hint
    assert "through an ESXi host" in bad[0].direction and "hotadd" not in bad[0].direction.lower()
    assert "transport = hotadd" in bad[0].answer and "transport = nbd" in bad[0].answer


def test_a_daily_vadp_backup_misses_only_the_rpo():
    bad = failed(check_backup_choice("option = vadp_cbt\ntransport = hotadd\ninterval_h = 24"))
    assert len(bad) == 1 and "RPO missed" in bad[0].message and "2.00 GB" in bad[0].message


@pytest.mark.parametrize("text, message", [
    ("option = tape\ntransport = san\ninterval_h = 4", "option must be one of"),
    ("option = vcb\ntransport = usb\ninterval_h = 4", "transport must be one of"),
    ("option = vcb\ntransport = san\ninterval_h = soon", "interval_h must be a number"),
    ("option = vcb\ntransport = san\ninterval_h = 0", "from 0.25 to 168"),
    ("option vcb", "is not 'setting = value'"),
    ("option = vcb\ntransport = san", "add a line for interval_h"),
    (SOLUTION + "retention = 30\n", "unknown setting 'retention'"),
])
def test_malformed_choices_say_what_to_change(text, message):
    with pytest.raises(ValueError, match=message):
        parse_choice(text)
    report = run_check(check_backup_choice, text)
    assert not report.passed and message.split("'")[0] in report.criteria[0].message


def test_colons_comments_quotes_and_case_are_accepted():
    choice = parse_choice("Option: 'VADP_CBT'  # today\ntransport: HotAdd\ninterval_h: 2.5\n")
    assert choice == {"option": "vadp_cbt", "transport": "hotadd", "interval_h": 2.5}


def test_work_that_is_neither_text_nor_a_mapping_is_refused():
    with pytest.raises(ValueError, match="setting = value"):
        check_backup_choice(42)


def test_the_widget_records_a_failure_then_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = backup_choice_checker(store=store)
    assert widget.work.value == STARTING_TEXT
    widget.check_button.click()
    assert not widget.passed and "✗" in widget.results.value
    widget.work.value = "option = floppy"
    assert not widget.check().passed and "option must be one of" in widget.results.value
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed
    assert [r.correct for r in store.attempts(lab="06_backup_options")] == [False, False, True]


# --------------------------------------------------------------------------- your turn
def test_forty_vm_plan_needs_an_interval_between_the_vcb_run_and_the_rpo():
    from vlab.exercises.backup_options import check_forty_vm_plan
    from vlab.models.datastore.backup import BackupPlan

    def plan(hours, **changes):
        given = dict(vm_count=40, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100, interval_h=hours)
        return BackupPlan(**{**given, **changes})

    # 40 x 40 GiB at 100 MiB/s = 16384 s = 4.55 h per VCB run; 0.5 GB at risk = 40 GB x 5 % x 6 / 24
    assert all(c.passed for c in check_forty_vm_plan(plan(4.56)))
    assert all(c.passed for c in check_forty_vm_plan(plan(6)))
    given, at_risk, fits = check_forty_vm_plan(plan(4.5))
    assert given.passed and at_risk.passed and not fits.passed and "4.55 h" in fits.message
    assert "4.56" in fits.answer and "4.56" not in fits.hint + fits.direction
    _given, at_risk, _fits = check_forty_vm_plan(plan(6.5))
    assert not at_risk.passed and "0.54 GB" in at_risk.message
    # a faster copy path is not the learner's to change, and it does not bound the data at risk anyway
    given, at_risk, _fits = check_forty_vm_plan(plan(24, bandwidth_mb_s=1000))
    assert not given.passed and "bandwidth_mb_s" in given.message and not at_risk.passed


def test_lun_for_vm01_runs_the_drill_and_reports_a_lun_too_small_as_a_failure():
    from vlab.exercises import your_turn
    from vlab.exercises.backup_options import check_lun_for_vm01
    from vlab.models.datastore.backup import DrillScenario

    def drill(**changes):
        return DrillScenario(**{**dict(vm_count=1, disk_gb=8, lun_gb=10, daily_change_pct=5,
                                       hours_since_backup=6, bandwidth_mb_s=100, victim="vm01"), **changes})

    assert all(c.passed for c in check_lun_for_vm01(drill()))
    given, alone, fast = check_lun_for_vm01(drill(vm_count=2, lun_gb=20))
    assert given.passed and not alone.passed and "102 MB of 1 other VMs" in alone.message
    assert not fast.passed and "205 s" in fast.message
    # a restore right after the copy loses nothing, but the accident's timing is given
    assert not check_lun_for_vm01(drill(hours_since_backup=0))[0].passed
    # 9 GB cannot hold the 8 GB disk and its 1 GB swap file: a failed criterion, not a traceback
    result = your_turn("06_backup_options", "lun-for-vm01", drill(lun_gb=9), record=False)
    assert not result.passed and "swap" in result.report.criteria[0].message
