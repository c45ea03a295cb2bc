"""DRS: every recommended vMotion lowers the imbalance, conserves demand and memory, stops at target."""
from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.models.drs import TARGET_STDDEV, balance, imbalance
from vlab.models.inventory import VM, Cluster, Host, make_cluster


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
    if r.migrations:
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
