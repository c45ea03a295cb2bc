"""The CPU scheduler against proportional-share theory: shares ratios, reservations, limits, conservation,
and register state that survives every world switch."""
from __future__ import annotations

import pytest

from vlab.models.vmkernel.cpu_sched import VmCpu, entitlement_mhz, schedule

MHZ = 2000.0


def test_time_converges_to_the_shares_ratio_on_one_pcpu():
    vms = [VmCpu("a", shares=1000), VmCpu("b", shares=2000), VmCpu("c", shares=4000)]
    r = schedule(vms, pcpus=1, duration_ms=10_000, seed=3)
    # theory: a 1/7, b 2/7, c 4/7 of one pCPU
    for name, expected in (("a", 1 / 7), ("b", 2 / 7), ("c", 4 / 7)):
        assert r.vm(name).host_fraction == pytest.approx(expected, abs=0.01)
    assert r.vm("c").used_ms / r.vm("a").used_ms == pytest.approx(4.0, rel=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equal_shares_split_an_overcommitted_host_evenly(seed):
    vms = [VmCpu(f"vm{i}") for i in range(6)]  # 6 busy vCPUs on 4 pCPUs: 2/3 of a pCPU each
    r = schedule(vms, pcpus=4, duration_ms=6000, seed=seed)
    for vm in r.vms:
        assert vm.used_mhz == pytest.approx(MHZ * 4 / 6, rel=0.03)


def test_total_cpu_time_is_conserved_when_overcommitted():
    vms = [VmCpu("a", vcpus=2, shares=3000), VmCpu("b"), VmCpu("c", vcpus=2), VmCpu("d", shares=500)]
    r = schedule(vms, pcpus=3, duration_ms=3000, seed=0)
    assert r.used_ms == pytest.approx(r.capacity_ms)  # 3 pCPUs x 3000 ms, nothing idle
    assert r.idle_ms == 0


def test_undercommitted_host_idles_and_no_vcpu_exceeds_one_pcpu():
    r = schedule([VmCpu("a"), VmCpu("b", shares=4000)], pcpus=4, duration_ms=2000, seed=0)
    assert r.vm("a").used_ms == r.vm("b").used_ms == 2000  # each vCPU runs all the time, shares irrelevant
    assert r.idle_ms == pytest.approx(2 * 2000)


def test_a_reservation_is_honoured_even_with_few_shares():
    vms = [VmCpu("db", shares=100, reservation_mhz=1500), VmCpu("w1", shares=4000), VmCpu("w2", shares=4000)]
    r = schedule(vms, pcpus=1, duration_ms=5000, seed=1)
    # by shares alone db would get 100/8100 of 2000 MHz = 25 MHz
    assert r.vm("db").used_mhz >= 1500 * 0.98
    assert r.vm("w1").used_mhz == pytest.approx(250, rel=0.1)  # the remaining 500 MHz split evenly


def test_a_limit_caps_a_vm_even_when_the_host_is_idle():
    r = schedule([VmCpu("batch", vcpus=2, limit_mhz=500)], pcpus=4, duration_ms=4000, seed=0)
    assert r.vm("batch").used_mhz <= 500 * 1.02
    assert r.vm("batch").used_mhz >= 500 * 0.95
    assert r.idle_ms > 0  # work-conserving stops at the limit


def test_mixed_settings_match_hand_computed_water_filling():
    vms = [VmCpu("db", vcpus=2, reservation_mhz=1500), VmCpu("w1", shares=2000), VmCpu("w2"),
           VmCpu("batch", vcpus=2, limit_mhz=500)]
    # by hand: 4000 MHz; db 1500 reserved (more than its share), batch limited to 500,
    # the 2000 left split 2:1 between w1 and w2
    expected = {"db": 1500, "w1": 4000 / 3, "w2": 2000 / 3, "batch": 500}
    assert entitlement_mhz(vms, 2) == pytest.approx(expected, rel=1e-6)
    r = schedule(vms, pcpus=2, duration_ms=6000, seed=4)
    for name, mhz in expected.items():
        assert r.vm(name).used_mhz == pytest.approx(mhz, rel=0.03)


def test_registers_survive_every_world_switch_and_switches_are_counted():
    vms = [VmCpu(f"vm{i}", vcpus=2) for i in range(5)]  # 10 vCPUs on 3 pCPUs: they migrate between pCPUs
    r = schedule(vms, pcpus=3, duration_ms=2000, seed=7)
    assert r.registers_consistent  # the model's own check: saved rip == instructions executed
    # Independent evidence, from the accounting alone. Conservation: 10 always-busy vCPUs keep all
    # 3 pCPUs busy, so every ms of the 3 x 2000 ms goes to some vCPU and none is lost or doubled.
    assert r.used_ms == pytest.approx(r.capacity_ms) and r.idle_ms == 0
    for vm in r.vms:  # equal shares: 6000 ms / 5 VMs, and run + ready = 2 vCPUs x 2000 ms
        assert vm.used_ms == pytest.approx(1200, abs=2 * r.quantum_ms)
        assert vm.used_ms + vm.ready_ms == pytest.approx(2 * 2000)
    # Switch count from the same theory: running the 3 worlds furthest behind keeps every world
    # within one quantum of the others. A world that ran L slices in a row gained L quanta while
    # the other 9 shared 2L, so 9 (L - 2) <= 2L, L <= 2: each world's 60 quanta (of 200 slices)
    # come in at least 30 runs, each started by a switch. At most every pCPU switches every slice.
    slices = 2000 / 10
    assert 10 * (60 / 2) <= r.context_switches <= 3 * slices
    alone = schedule([VmCpu("solo")], pcpus=1, duration_ms=2000, seed=7)
    assert alone.context_switches == 1  # one vCPU on one pCPU: switched in once, never out
    assert alone.registers_consistent and alone.idle_ms == 0 and alone.used_ms == 2000


def test_ready_time_is_time_runnable_but_not_running():
    r = schedule([VmCpu("a"), VmCpu("b")], pcpus=1, duration_ms=2000, seed=0)
    for vm in r.vms:
        assert vm.used_ms + vm.ready_ms == pytest.approx(2000)


def test_same_seed_same_schedule_and_demand_changes_it():
    vms = [VmCpu("a", demand=0.5), VmCpu("b", demand=0.5), VmCpu("c", demand=0.5)]
    assert schedule(vms, 1, seed=5) == schedule(vms, 1, seed=5)
    assert schedule(vms, 1, seed=5) != schedule(vms, 1, seed=6)


@pytest.mark.parametrize("vms, pcpus, match", [
    ([VmCpu("a", vcpus=0)], 1, "vcpus"),
    ([VmCpu("a", shares=0)], 1, "shares"),
    ([VmCpu("a", reservation_mhz=900, limit_mhz=500)], 1, "limit"),
    ([VmCpu("a", reservation_mhz=1500), VmCpu("b", reservation_mhz=1500)], 1, "admission control"),
    ([VmCpu("a"), VmCpu("a")], 1, "unique"),
    ([VmCpu("a", demand=1.5)], 1, "demand"),
    ([VmCpu("a")], 0, "pcpus"),
    ([], 1, "at least one VM"),
])
def test_bad_settings_say_what_to_change(vms, pcpus, match):
    with pytest.raises(ValueError, match=match):
        schedule(vms, pcpus)
