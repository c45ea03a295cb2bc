"""Resource pools: admission control, expandable reservations, and the shares divvy against its rules."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.models.vcenter.inventory import (
    VM,
    Claim,
    ResourcePool,
    add_pool,
    divvy,
    entitlements,
    make_cluster,
    power_on,
    root_pool,
)


def test_a_fixed_pool_refuses_a_vm_whose_reservation_does_not_fit_and_says_why():
    root = root_pool(10000)
    prod = ResourcePool("Production", reservation_mhz=3000, expandable=False)
    assert add_pool(root, prod).admitted
    assert power_on(prod, VM("db", 2000, cpu_reservation_mhz=2000)).admitted
    refused = power_on(prod, VM("app", 2000, cpu_reservation_mhz=1500))
    assert not refused.admitted
    assert "1000 MHz unreserved" in refused.reason and "expandable" in refused.reason
    assert [vm.name for vm in prod.vms] == ["db"]


def test_an_expandable_pool_borrows_from_its_parent_and_only_what_the_parent_has():
    root = root_pool(10000)
    prod = ResourcePool("Production", reservation_mhz=3000, expandable=True)
    add_pool(root, prod)
    assert power_on(prod, VM("db", 5000, cpu_reservation_mhz=5000)).admitted
    assert prod.borrowed_mhz == pytest.approx(2000)
    assert root.reserved_by_children_mhz == pytest.approx(5000)
    assert not power_on(prod, VM("big", 6000, cpu_reservation_mhz=6000)).admitted  # 5000 left in root
    assert power_on(prod, VM("ok", 5000, cpu_reservation_mhz=5000)).admitted


def test_a_child_pool_above_the_cluster_capacity_is_refused():
    root = root_pool(8000)
    result = add_pool(root, ResourcePool("Huge", reservation_mhz=9000))
    assert not result.admitted and "9000" in result.reason
    assert root.pools == []


def test_bad_settings_give_clear_errors():
    with pytest.raises(ValueError, match="limit"):
        ResourcePool("p", reservation_mhz=2000, limit_mhz=1000)
    with pytest.raises(ValueError, match="limit"):
        VM("v", 100, cpu_reservation_mhz=500, limit_mhz=100)
    with pytest.raises(ValueError, match="at least two"):
        make_cluster(hosts=1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6000), st.booleans(), st.booleans()),
                max_size=25))
def test_reservations_never_exceed_what_the_parent_holds(steps):
    root = root_pool(12000)
    pools = [root]
    for i, (where, mhz, is_pool, expandable) in enumerate(steps):
        parent = pools[where % len(pools)]
        if is_pool:
            child = ResourcePool(f"p{i}", reservation_mhz=mhz, expandable=expandable)
            if add_pool(parent, child).admitted:
                pools.append(child)
        else:
            power_on(parent, VM(f"v{i}", mhz, cpu_reservation_mhz=mhz))
    for pool in pools:
        assert pool.reserved_by_children_mhz <= pool.effective_reservation_mhz + 1e-6
        if not pool.expandable:
            assert pool.borrowed_mhz == 0
    assert root.reserved_by_children_mhz <= 12000 + 1e-6


def test_unconstrained_siblings_split_by_shares_and_the_sum_is_capacity():
    got = divvy(9000, [Claim("a", 4000, 0, 1e9), Claim("b", 2000, 0, 1e9), Claim("c", 2000, 0, 1e9)])
    assert got["a"] == pytest.approx(4500) and got["b"] == pytest.approx(2250)
    assert sum(got.values()) == pytest.approx(9000)


def test_a_limit_caps_and_the_rest_goes_to_the_others_by_shares():
    got = divvy(9000, [Claim("a", 8000, 0, 1000), Claim("b", 2000, 0, 1e9), Claim("c", 4000, 0, 1e9)])
    assert got["a"] == pytest.approx(1000)
    assert got["c"] / got["b"] == pytest.approx(2.0)
    assert sum(got.values()) == pytest.approx(9000)


def test_a_reservation_is_a_floor_above_the_share_split():
    got = divvy(10000, [Claim("a", 1000, 6000, 1e9), Claim("b", 1000, 0, 1e9)])
    assert got["a"] == pytest.approx(6000) and got["b"] == pytest.approx(4000)


def test_without_contention_everyone_gets_their_demand():
    got = divvy(10000, [Claim("a", 1000, 0, 2000), Claim("b", 8000, 0, 3000)])
    assert got == {"a": 2000, "b": 3000}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([500, 1000, 2000, 4000, 8000]), st.integers(0, 2000),
                          st.integers(0, 8000)), min_size=1, max_size=8), st.integers(1000, 20000))
def test_divvy_rules_hold_for_any_siblings(rows, capacity):
    claims = [Claim(f"c{i}", s, min(r, c), c) for i, (s, r, c) in enumerate(rows)]
    if sum(c.floor_mhz for c in claims) > capacity:
        return  # admission control would have refused this
    got = divvy(capacity, claims)
    for c in claims:
        assert c.floor_mhz - 1e-6 <= got[c.name] <= c.cap_mhz + 1e-6
    if sum(c.cap_mhz for c in claims) > capacity:
        assert sum(got.values()) == pytest.approx(capacity, rel=1e-6)
        free = [c for c in claims if c.floor_mhz + 1e-3 < got[c.name] < c.cap_mhz - 1e-3]
        for a in free:
            for b in free:
                assert got[a.name] / a.shares == pytest.approx(got[b.name] / b.shares, rel=1e-4)


def test_entitlements_descend_the_pool_tree():
    root = root_pool(12000)
    prod, test = ResourcePool("Production", shares=8000), ResourcePool("Test", shares=2000)
    add_pool(root, prod)
    add_pool(root, test)
    for i in range(4):
        power_on(prod, VM(f"p{i}", 4000))
        power_on(test, VM(f"t{i}", 4000))
    got = entitlements(root)
    assert got["Production"] == pytest.approx(9600) and got["Test"] == pytest.approx(2400)
    assert got["p0"] == pytest.approx(2400)
    assert sum(got[f"t{i}"] for i in range(4)) == pytest.approx(2400)
