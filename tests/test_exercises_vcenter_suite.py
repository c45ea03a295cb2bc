"""Lab 04's checker: pools and HA so Production gets >= 14000 MHz and one host failure is tolerated."""
from __future__ import annotations

from vlab.exercises.vcenter_suite import (
    STARTING_TEXT,
    check_batch_limit,
    check_ha_policy,
    check_pools_and_ha,
    pools_and_ha_checker,
)
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore
from vlab.models.vcenter.ha import HaPolicy
from vlab.models.vcenter.inventory import VM

HA_ON = STARTING_TEXT.replace("ha.admission_control = disabled", "ha.admission_control = host_failures")
BY_SHARES = HA_ON.replace("production.shares = normal", "production.shares = high")
BY_RESERVATION = (HA_ON.replace("production.reservation_mhz = 0", "production.reservation_mhz = 14000")
                  .replace("production.expandable = yes", "production.expandable = no"))


def test_the_starting_design_fails_on_entitlement_and_ha_with_hints():
    criteria = check_pools_and_ha(STARTING_TEXT)
    bad = [c for c in criteria if not c.passed]
    assert len(criteria) == 4 and len(bad) == 2
    assert "12000 MHz" in bad[0].message and "shares" in bad[0].hint  # 24000 split 4000:4000
    assert "none" in bad[1].message and "admission control" in bad[1].hint
    # graduated: the idea, then the direction, and the lines to type only from the third failed check
    for c, line in ((bad[0], "production.shares = high"), (bad[1], "ha.admission_control = host_failures")):
        assert line not in c.hint_at(1) and line not in c.hint_at(2) and line in c.hint_at(3)


def test_high_shares_or_a_pool_reservation_pass():
    for text in (BY_SHARES, BY_RESERVATION):
        criteria = check_pools_and_ha(text)
        assert all(c.passed for c in criteria), [c.message for c in criteria]
    assert "16000 MHz" in check_pools_and_ha(BY_SHARES)[1].message  # 8000/(8000+4000) x 24000


def test_vm_reservations_inflate_the_ha_slot_and_vms_are_refused():
    text = HA_ON.replace("production_vm.reservation_mhz = 0", "production_vm.reservation_mhz = 3500")
    criteria = check_pools_and_ha(text)
    assert criteria[1].passed  # 4 x 3500 reserved
    assert not criteria[3].passed and "refused at power-on" in criteria[3].message
    assert "LARGEST" in criteria[3].hint


def test_a_reservation_larger_than_the_cluster_is_refused_with_the_reason():
    text = BY_SHARES.replace("production.reservation_mhz = 0", "production.reservation_mhz = 30000")
    first = check_pools_and_ha(text)[0]
    assert not first.passed and "30000" in first.message and "24000" in first.message


def test_malformed_input_gives_a_message_not_a_traceback():
    for text, words in ((STARTING_TEXT.replace("= normal", "= lots"), "production.shares"),
                        (STARTING_TEXT.replace("test_vm.reservation_mhz = 0", ""), "test_vm.reservation_mhz"),
                        (STARTING_TEXT.replace("= disabled", "= maybe"), "ha.admission_control")):
        report = run_check(check_pools_and_ha, text)
        assert not report.passed and words in report.criteria[0].message


def test_the_widget_checks_the_textarea(vlab_home):
    store = ProgressStore(vlab_home / "progress.sqlite")
    widget = pools_and_ha_checker(store=store)
    widget.work.value = BY_SHARES
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value


def _passed(criteria) -> list[bool]:
    return [c.passed for c in criteria]


def test_your_turn_batch_limit_is_judged_by_the_entitlement_on_an_idle_host():
    assert all(_passed(check_batch_limit(VM("batch", 2000, limit_mhz=1000))))
    # shares and a reservation only matter under contention: esx01 has 2000 MHz idle, batch gets 2000
    for lookalike in (VM("batch", 2000, shares=500), VM("batch", 2000, cpu_reservation_mhz=1000)):
        assert _passed(check_batch_limit(lookalike)) == [True, False, True]
    assert _passed(check_batch_limit(VM("batch", 1000))) == [False, True, True]  # the job changed, not a cap
    assert _passed(check_batch_limit(VM("batch", 2000, limit_mhz=500))) == [True, True, False]  # starved
    assert "3000 MHz idle" in check_batch_limit(VM("batch", 2000, limit_mhz=1000))[1].message


def test_your_turn_ha_policy_runs_admission_control_and_every_failure():
    assert all(_passed(check_ha_policy(HaPolicy("percentage", percent=34))))
    slot = check_ha_policy(HaPolicy("host_failures", host_failures=1))
    assert _passed(slot) == [True, False, True] and "db01 refused" in slot[1].message  # 3000 MHz slots
    assert _passed(check_ha_policy(HaPolicy("none"))) == [False, True, True]  # runs all, protects nothing
    assert _passed(check_ha_policy(HaPolicy("percentage", percent=25))) == [False, True, True]
    assert _passed(check_ha_policy(HaPolicy("percentage", percent=80))) == [True, False, True]
