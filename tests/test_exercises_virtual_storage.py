"""Lab 03's checker: share vmfs-prod fairly between VMs and hosts, reservations under control."""
from __future__ import annotations

import pytest

from vlab.exercises.virtual_storage import (
    STARTING_TEXT,
    LunDesign,
    check_lun_design,
    lun_design_checker,
    parse_design,
    run_design,
)
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore

SOLUTION = "hosts_on_lun = 2\ndsnro = 12\nqueue_depth = 32\nadmin_tasks = off_peak\n"


def failed(criteria):
    return [c for c in criteria if not c.passed]


def test_the_starting_design_fails_latency_fairness_and_reservations_with_hints():
    criteria = check_lun_design(STARTING_TEXT)
    assert len(criteria) == 4 and criteria[0].passed  # 8 hosts do share the LUN
    latency, fairness, reservations = failed(criteria)
    assert "over 15 ms" in latency.message and "DAVG (the array) dominates" in latency.hint
    assert "fewer hosts" in latency.direction
    assert "should get at least 50%" in fairness.message and "db01 asks for 32" in fairness.hint
    assert "Lower dsnro" in fairness.direction
    assert "CONS/s" in reservations.message and "reserves the whole LUN" in reservations.hint
    assert "admin_tasks" in reservations.direction and reservations.answer == "admin_tasks = off_peak"
    for c in (latency, fairness, reservations):  # the exact lines only from the third failed check
        for early in (c.hint_at(1), c.hint_at(2)):
            assert "= 2" not in early and "= 12" not in early and "off_peak" not in early


def test_fewer_hosts_a_shared_dsnro_and_off_peak_admin_pass():
    criteria = check_lun_design(SOLUTION)
    assert all(c.passed for c in criteria), [c.message for c in criteria]


def test_the_same_design_with_admin_tasks_by_day_fails_only_on_conflicts():
    criteria = check_lun_design(SOLUTION.replace("off_peak", "business_hours"))
    bad = failed(criteria)
    assert len(bad) == 1 and "Reservations" in bad[0].message


def test_without_dsnro_the_quiet_vms_starve_even_on_two_hosts():
    bad = failed(check_lun_design(dict(hosts_on_lun=2, dsnro=32, admin_tasks="off_peak")))
    assert {c.message.split(":")[0] for c in bad} == {"Latency", "Fairness"}


def test_dsnro_alone_does_not_fix_an_overloaded_array():
    # fair shares on 8 hosts, but the array answers slowly: latency still fails, fairness passes
    criteria = check_lun_design(dict(hosts_on_lun=8, dsnro=8, admin_tasks="off_peak"))
    bad = failed(criteria)
    assert len(bad) == 1 and bad[0].message.startswith("Latency")
    assert "DAVG" in bad[0].message


def test_one_host_per_lun_is_not_shared_storage():
    criteria = check_lun_design(dict(hosts_on_lun=1, dsnro=12, admin_tasks="business_hours"))
    assert not criteria[0].passed and "vMotion and HA" in criteria[0].message
    assert criteria[3].passed and "0.0 CONS/s with 1 host " in criteria[3].message


def test_dsnro_equalises_iops_as_round_robin_predicts():
    _, rows = run_design(LunDesign(2, 8, 32, "off_peak"))
    assert min(r.iops for r in rows) / max(r.iops for r in rows) > 0.9


@pytest.mark.parametrize("text, message", [
    ("hosts_on_lun = two", "must be a whole number"),
    ("hosts_on_lun 2", "is not 'setting = value'"),
    ("dsnro = 12", "no 'hosts_on_lun' line"),
    (SOLUTION + "spindles = 64\n", "unknown setting 'spindles'"),
    (SOLUTION.replace("hosts_on_lun = 2", "hosts_on_lun = 12"), "out of range"),
    (SOLUTION.replace("dsnro = 12", "dsnro = 1.5"), "whole number"),
    (SOLUTION.replace("off_peak", "at lunch"), "business_hours or off_peak"),
])
def test_malformed_designs_say_what_to_change(text, message):
    with pytest.raises(ValueError, match=message):
        parse_design(text)
    report = run_check(check_lun_design, text)
    assert not report.passed and "could not be checked" in report.criteria[0].message


def test_spellings_and_defaults_are_accepted():
    design = parse_design("hosts_on_lun: 3  # three blades\nadmin_tasks = Off-Peak\n")
    assert design == LunDesign(3, 32, 32, "off_peak")
    with pytest.raises(ValueError, match="setting = value"):
        parse_design(42)


def test_the_widget_records_a_failure_then_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = lun_design_checker(store=store)
    assert widget.work.value == STARTING_TEXT
    widget.check_button.click()
    assert not widget.passed and "✗" in widget.results.value
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value
    assert [r.correct for r in store.attempts(lab="03_virtual_storage")] == [False, True]


def test_no_kavg_needs_both_limits_and_moves_the_wait_to_the_array():
    from vlab.exercises.virtual_storage import ESX01, check_no_kavg
    from vlab.widgets.io_path_panel import SharedLun

    deeper_queue = check_no_kavg(SharedLun(queue_depth=64))
    assert not deeper_queue[1].passed and "raise dsnro as well" in deeper_queue[1].direction
    same, done = check_no_kavg(SharedLun(dsnro=64, queue_depth=64))
    assert same.passed and done.passed
    assert "GAVG is 29.0 ms (it was 29.0)" in done.message  # the wait moved, it did not vanish
    fewer_vms = check_no_kavg(SharedLun(outstanding=(4, 4, 4, 4)))
    assert len(fewer_vms) == 1 and "outstanding" in fewer_vms[0].message
    assert ESX01 == SharedLun()


def test_protect_web01_needs_a_dsnro_that_still_keeps_32_spindles_busy():
    from dataclasses import replace

    from vlab.exercises.virtual_storage import ESX02, check_protect_web01

    def passed(dsnro):
        return [c.passed for c in check_protect_web01(replace(ESX02, dsnro=dsnro))]

    assert passed(64) == [True, False, True]  # bkp01 holds the slots
    assert passed(32) == [True, True, True]
    assert passed(16) == [True, True, False]  # fair, but some spindles idle
