"""HA: with 'tolerate one host failure' every single failure restarts every VM; without it, some can't."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.models.vcenter.ha import HaPolicy, fail_host, pick_failed_host, power_on_all, slots
from vlab.models.vcenter.inventory import VM, Cluster, Host, make_cluster


def reserved_cluster(hosts: int, vms: int, seed: int, mhz: int) -> Cluster:
    c = make_cluster(hosts, vms, seed=seed, skew=0.3)
    return replace(c, vms=tuple(replace(v, cpu_reservation_mhz=float(mhz), mem_reservation_mb=v.mem_mb)
                                for v in c.vms))


def test_slot_size_is_the_largest_reservation_and_counts_per_host():
    hosts = (Host("a", 8000, 32768), Host("b", 6000, 32768))
    s = slots(hosts, [VM("x", 1, 4096, 2000, 4096), VM("y", 1, 1024, 500, 1024)])
    assert (s.cpu_mhz, s.mem_mb) == (2000, 4096)
    assert s.per_host == {"a": 4, "b": 3}  # min(8000/2000, 32768/4096), min(6000/2000, 8)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(2, 20), st.integers(0, 500), st.sampled_from([0, 500, 1500, 2500]))
def test_tolerate_one_failure_means_every_single_failure_restarts_every_vm(hosts, vms, seed, mhz):
    vms = min(vms, 7 * hosts)  # what the hosts' memory holds
    running = power_on_all(reserved_cluster(hosts, vms, seed, mhz), HaPolicy("host_failures", 1)).cluster
    for h in running.hosts:
        result = fail_host(running, h.name)
        assert result.not_restarted == []
        assert len(result.after.vms) == len(running.vms)


def test_without_admission_control_some_vms_cannot_restart_and_are_named():
    c = reserved_cluster(3, 12, seed=1, mhz=2000)
    running = power_on_all(c, HaPolicy("none")).cluster
    lost = {h.name: fail_host(running, h.name).not_restarted for h in running.hosts}
    assert any(lost.values())
    failed = next(h for h, names in lost.items() if names)
    result = fail_host(running, failed)
    for r in result.restarts:
        if r.target is None:
            assert "no surviving host" in r.reason
    # with the policy on, fewer VMs run, but none is lost
    protected = power_on_all(c, HaPolicy("host_failures", 1))
    assert len(protected.cluster.vms) < len(running.vms)
    assert any("HA admission control" in why for _, why in protected.refused)


def test_percentage_policy_keeps_the_share_free():
    hosts = (Host("a", 4000, 65536), Host("b", 4000, 65536))
    vms = tuple(VM(f"v{i}", 1000, 1024, 1000, 0) for i in range(8))
    c = Cluster("c", hosts, vms, {v.name: ("a" if i < 4 else "b") for i, v in enumerate(vms)})
    result = power_on_all(c, HaPolicy("percentage", percent=25))
    assert len(result.cluster.vms) == 6  # 6 x 1000 of 8000 MHz leaves exactly 25 %


def test_failure_choice_is_seeded_and_reproducible():
    c = make_cluster(5, 10, seed=0)
    picks = {pick_failed_host(c, seed) for seed in range(20)}
    assert len(picks) > 1
    assert fail_host(c, seed=7) == fail_host(c, seed=7)
    with pytest.raises(ValueError, match="no host"):
        fail_host(c, "esx99")
    with pytest.raises(ValueError, match="policy"):
        HaPolicy("sometimes")
