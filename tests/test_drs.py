"""DRS: every balancing vMotion lowers the imbalance, conserves demand and memory, stops at target;
level 1 (vSphere's Conservative) makes mandatory moves only, such as evacuating a host entering
maintenance mode (vSphere Resource Management, "DRS Migration Threshold")."""
from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.models.vcenter.drs import BALANCE, MAINTENANCE, TARGET_STDDEV, balance, imbalance
from vlab.models.vcenter.inventory import VM, Cluster, Host, make_cluster


def test_imbalance_is_the_population_std_dev_of_host_load():
    hosts = (Host("a", 1000, 8192), Host("b", 1000, 8192))
    c = Cluster("c", hosts, (VM("v1", 800), VM("v2", 200)), {"v1": "a", "v2": "b"})
    assert imbalance(c) == pytest.approx(statistics.pstdev([0.8, 0.2]))


def test_two_hosts_one_pile_moves_half_over():
    hosts = (Host("a", 1000, 8192), Host("b", 1000, 8192))
    vms = tuple(VM(f"v{i}", 250) for i in range(4))
    c = Cluster("c", hosts, vms, {v.name: "a" for v in vms})
    r = balance(c, threshold=5)
    assert len(r.migrations) == 2 and r.imbalance_after == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(2, 7), st.integers(0, 1000), st.integers(1, 5))
def test_each_move_lowers_imbalance_and_resources_are_conserved(hosts, vms_per_host, seed, level):
    c = make_cluster(hosts, vms_per_host * hosts, seed=seed)
    r = balance(c, threshold=level)
    for m in r.migrations:
        assert m.imbalance_after < m.imbalance_before
    assert sorted(v.name for v in r.after.vms) == sorted(v.name for v in c.vms)
    total = sum(v.demand_mhz for v in c.vms)
    assert sum(r.after.load(h.name) * h.cpu_mhz for h in c.hosts) == pytest.approx(total)
    for h in c.hosts:
        assert r.after.mem_used_mb(h.name) <= h.mem_mb
    assert sum(r.after.mem_used_mb(h.name) for h in c.hosts) == sum(v.mem_mb for v in c.vms)
    # stops as soon as the target is met: the imbalance before the last move was above it
    if level == 1:
        assert r.migrations == () and r.target_stddev is None
    elif r.migrations:
        assert r.migrations[-1].imbalance_before > TARGET_STDDEV[level]
    assert r.imbalance_after <= r.imbalance_before


def test_a_cluster_already_balanced_gets_no_recommendation():
    r = balance(make_cluster(4, 16, seed=0), threshold=3)
    assert r.migrations and r.imbalance_after <= TARGET_STDDEV[3]
    assert balance(r.after, threshold=3).migrations == ()


def test_aggressive_moves_at_least_as_much_as_conservative_and_is_deterministic():
    c = make_cluster(4, 16, seed=3)
    low, high = balance(c, threshold=1), balance(c, threshold=5)
    assert len(high.migrations) >= len(low.migrations)
    assert high.imbalance_after <= low.imbalance_after
    assert balance(c, threshold=5) == high


def test_bad_threshold_is_explained():
    with pytest.raises(ValueError, match="1 .* to 5"):
        balance(make_cluster(), threshold=7)


def piled_cluster() -> Cluster:
    """Eight 500 MHz VMs all on esx01 of three equal hosts: host loads 1.0, 0, 0 (stdev 0.471)."""
    hosts = tuple(Host(f"esx0{i}", 4000, 32768) for i in (1, 2, 3))
    vms = tuple(VM(f"v{i}", 500, 2048) for i in range(8))
    return Cluster("c", hosts, vms, {v.name: "esx01" for v in vms})


def test_level_1_makes_no_balancing_move_however_uneven_the_cluster():
    c = piled_cluster()
    assert imbalance(c) == pytest.approx(statistics.pstdev([1.0, 0.0, 0.0]))
    r = balance(c, threshold=1)
    assert r.migrations == () and r.after == c and r.target_stddev is None
    assert balance(c, threshold=2).migrations  # the same cluster is balanced from level 2 on


def test_levels_2_to_5_are_increasingly_aggressive():
    c = make_cluster(6, 30, seed=11)
    runs = [balance(c, threshold=level) for level in (2, 3, 4, 5)]
    targets = [r.target_stddev for r in runs]
    assert targets == sorted(targets, reverse=True)
    assert len(runs[0].migrations) < len(runs[-1].migrations)
    for lower, higher in zip(runs, runs[1:], strict=False):
        # one greedy path: a more aggressive level continues where a more conservative one stops
        assert higher.migrations[:len(lower.migrations)] == lower.migrations
        assert higher.imbalance_after <= lower.imbalance_after


def test_level_1_still_evacuates_a_host_entering_maintenance_mode():
    c = make_cluster(4, 16, seed=0)
    on_esx02 = {vm.name for vm in c.vms_on("esx02")}
    r = balance(c, threshold=1, maintenance=["esx02"])
    assert on_esx02 and {m.vm for m in r.migrations} == on_esx02
    assert all(m.reason == MAINTENANCE and m.source == "esx02" and m.target != "esx02"
               for m in r.migrations)
    assert r.balancing == () and r.stuck == ()
    assert r.after.vms_on("esx02") == [] and r.after.load("esx02") == 0
    for h in c.hosts:
        assert r.after.mem_used_mb(h.name) <= h.mem_mb
    total = sum(v.demand_mhz for v in c.vms)
    assert sum(r.after.load(h.name) * h.cpu_mhz for h in c.hosts) == pytest.approx(total)


def test_evacuation_then_balancing_never_targets_the_host_in_maintenance():
    c = make_cluster(4, 16, seed=0)
    r = balance(c, threshold=5, maintenance=["esx03"])
    assert r.mandatory and all(m.reason in (MAINTENANCE, BALANCE) for m in r.migrations)
    assert all(m.target != "esx03" for m in r.migrations)
    assert all(m.imbalance_after < m.imbalance_before for m in r.balancing)
    assert r.after.vms_on("esx03") == []
    # the imbalance is judged over the hosts that stay in service
    assert r.imbalance_after == pytest.approx(imbalance(r.after, exclude=["esx03"]))


def test_a_vm_with_no_room_elsewhere_stays_and_is_reported():
    hosts = (Host("a", 4000, 4096), Host("b", 4000, 4096))
    vms = (VM("big", 1000, 4096), VM("small", 500, 1024), VM("filler", 500, 3072))
    c = Cluster("c", hosts, vms, {"big": "a", "small": "a", "filler": "b"})
    r = balance(c, threshold=3, maintenance=["a"])
    assert r.stuck == ("big",) and r.after.placement["big"] == "a"
    assert r.after.placement["small"] == "b"


def test_bad_maintenance_host_is_explained():
    with pytest.raises(ValueError, match="no host 'esx09'"):
        balance(make_cluster(), maintenance=["esx09"])
    with pytest.raises(ValueError, match="at least one host"):
        balance(make_cluster(2, 4), maintenance=["esx01", "esx02"])
