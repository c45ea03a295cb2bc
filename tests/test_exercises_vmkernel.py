"""Lab 01's checker: the starting settings fail with hints, a correct solution passes, bad input gets a message."""
from __future__ import annotations

from vlab.exercises.vmkernel import (
    STARTING_TEXT,
    check_host_settings,
    cross_vm_sharing,
    host_settings_checker,
)
from vlab.learn.checks import run_check


def solve(text: str = STARTING_TEXT, salting: int = 2) -> str:
    return (text.replace("db.reservation_mhz = 0", "db.reservation_mhz = 1500")
            .replace("batch.limit_mhz = 0", "batch.limit_mhz = 500")
            .replace("Mem.ShareForceSalting = 0", f"Mem.ShareForceSalting = {salting}")
            .replace('web1.sched.mem.pshare.salt = ""', 'web1.sched.mem.pshare.salt = "webfarm"')
            .replace('web2.sched.mem.pshare.salt = ""', 'web2.sched.mem.pshare.salt = "webfarm"'))


def test_starting_settings_fail_on_cpu_and_sharing_with_hints():
    criteria = check_host_settings(STARTING_TEXT)
    failed = [c for c in criteria if not c.passed]
    assert len(failed) == 4
    # by hand: Normal shares give db 2000/7000 of 4000 MHz = 1143 and batch the same
    assert "db gets 11" in failed[0].message and "reservation" in failed[0].hint
    assert "batch uses 11" in failed[1].message and "ceiling" in failed[1].hint
    assert "batch.limit_mhz" in failed[1].direction
    assert "salt" in failed[3].hint and "shop" in failed[3].message


def test_hints_go_from_the_idea_to_the_exact_line_only_at_the_third_failed_check():
    failed = [c for c in check_host_settings(STARTING_TEXT) if not c.passed]
    for c in failed:
        assert c.hint and c.direction and c.answer
        for early in (c.hint_at(1), c.hint_at(2)):
            assert "1500" not in early and "= 500" not in early and "= 2" not in early
    assert failed[0].hint_at(3) == "db.reservation_mhz = 1500"
    assert failed[1].hint_at(3) == "batch.limit_mhz = 500"
    assert "Mem.ShareForceSalting = 2" in failed[3].hint_at(3)


def test_the_solution_passes():
    assert all(c.passed for c in check_host_settings(solve()))


def test_salting_1_fails_because_unsalted_vms_still_share():
    criteria = check_host_settings(solve(salting=1))
    assert [c.passed for c in criteria] == [True, True, True, True, False]
    assert "batch+db" in criteria[-1].message  # the two VMs without a salt share the default salt


def test_shares_alone_can_satisfy_db_but_not_cap_batch():
    text = solve().replace("batch.limit_mhz = 500", "batch.limit_mhz = 0")
    criteria = check_host_settings(text)
    assert criteria[0].passed and not criteria[1].passed


def test_salting_2_without_a_common_salt_shares_nothing_across_vms():
    pairs = cross_vm_sharing(2, dict.fromkeys(["db", "web1", "web2", "batch", "shop"]))
    assert pairs == {}
    everyone = cross_vm_sharing(0, dict.fromkeys(["db", "web1", "web2", "batch", "shop"]))
    assert len(everyone) == 10  # all pairs of five VMs share something when salting is off


def test_malformed_input_gives_a_message_not_a_traceback():
    for bad, words in ((STARTING_TEXT.replace("db.shares = 2000", "db.shares = lots"), "db.shares"),
                       (STARTING_TEXT.replace("Mem.ShareForceSalting = 0", "Mem.ShareForceSalting = 3"), "0, 1 or 2"),
                       (STARTING_TEXT.replace("web1.limit_mhz = 0\n", ""), "web1.limit_mhz"),
                       (STARTING_TEXT.replace("shop.reservation_mhz = 0", "shop.reservation_mhz = 1900")
                        .replace("db.reservation_mhz = 0", "db.reservation_mhz = 3000"), "reservation")):
        report = run_check(check_host_settings, bad)
        assert not report.passed and words in report.criteria[0].message


def test_checker_widget_runs_the_check(vlab_home):
    checker = host_settings_checker(record=False)
    checker.check_button.click()
    assert "✗" in checker.results.value
    checker.work.value = solve()
    checker.check_button.click()
    assert checker.passed


def test_cap_batch_needs_a_limit_on_a_host_where_nobody_waits():
    from vlab.exercises.vmkernel import check_cap_batch
    from vlab.models.vmkernel.cpu_sched import VmCpu

    for idle_setting in (VmCpu("batch", shares=100), VmCpu("batch", reservation_mhz=1000)):
        capped, _kept = check_cap_batch(idle_setting)
        assert not capped.passed and "2000 MHz" in capped.message
    capped, kept = check_cap_batch(VmCpu("batch", limit_mhz=1000))
    assert capped.passed and kept.passed and "idle 12%" in capped.message
    assert not check_cap_batch(VmCpu("batch", limit_mhz=500))[1].passed  # a cap, not a stop


def test_isolate_shop_under_salting_1_needs_shop_salted_apart():
    from vlab.exercises.vmkernel import check_isolate_shop

    unsalted = dict.fromkeys(["db", "web1", "web2", "batch", "shop"])
    assert [c.passed for c in check_isolate_shop({**unsalted, "shop": "shop-only"})] == [True, True]
    clones = check_isolate_shop({**unsalted, "web1": "webfarm", "web2": "webfarm"})
    assert [c.passed for c in clones] == [False, False]
    assert "batch, db" in clones[0].message  # shop stays in the default group with the unsalted VMs
    report = run_check(check_isolate_shop, {"db": None})
    assert not report.passed and "exactly the five VMs" in report.criteria[0].message
