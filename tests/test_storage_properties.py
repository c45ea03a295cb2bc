"""Invariants of the storage path over random configurations (hypothesis): conservation of
commands in a closed loop, GAVG = KAVG + DAVG, Little's law, the host limit, ordered percentiles."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlab.models.storage.simulation import simulate

configs = st.fixed_dictionaries({
    "hosts": st.integers(1, 3),
    "vms_per_host": st.integers(1, 3),
    "outstanding_per_vm": st.integers(1, 3),
    "queue_depth": st.integers(1, 8),
    "dsnro": st.integers(1, 8),
    "array_queue_limit": st.integers(1, 16),
    "spindles": st.integers(1, 4),
    "raid": st.sampled_from([0, 1, 5, 6, 10]),
    "read_fraction": st.floats(0, 1),
    "cache_hit_ratio": st.floats(0, 1),
    "block_kb": st.sampled_from([4, 8, 64, 256]),
    "link_gbps": st.sampled_from([None, 1.0, 2.0, 8.0]),
    "metadata_ops_per_s": st.sampled_from([0.0, 50.0]),
    "seed": st.integers(0, 2**31),
})


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_closed_loop_invariants(config):
    r = simulate(ios=3000, **config)
    n_total = config["hosts"] * config["vms_per_host"] * config["outstanding_per_vm"]
    assert r.outstanding == pytest.approx(n_total, rel=1e-9)  # commands are never lost or made
    assert r.actv <= config["hosts"] * r.host_limit + 1e-9
    assert r.host_limit == (config["queue_depth"] if config["vms_per_host"] == 1
                            else min(config["queue_depth"], config["dsnro"]))
    assert r.gavg_ms == pytest.approx(r.kavg_ms + r.davg_ms)
    assert r.kavg_ms >= 0 and r.davg_ms > 0 and r.array_wait_ms >= 0
    assert r.littles_law_error < 0.01
    assert r.p50_ms <= r.p95_ms <= r.p99_ms <= r.max_ms
    assert r.gavg_ci_ms[0] <= r.gavg_ms <= r.gavg_ci_ms[1]
    assert 0 <= r.spindle_utilisation <= 1.0 + 1e-9
    if config["hosts"] == 1 or config["metadata_ops_per_s"] == 0:
        assert r.cons_per_s == 0
