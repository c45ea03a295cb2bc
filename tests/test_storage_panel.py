"""Lab 09's storage panel: figures and tables checked against theory and arithmetic, not their own output."""
from __future__ import annotations

import math
import statistics

import pytest

from vlab.knowledge.published import Table2Row, load_table2
from vlab.models.storage.simulation import simulate
from vlab.widgets.storage_panel import (
    MAX_PANEL_OUTSTANDING,
    PanelSettings,
    StoragePanel,
    Table2Calculator,
    davg_crossings,
    esxtop_table,
    esxtop_warnings,
    hosts_sweep,
    kb_example,
    latency_bars_figure,
    latency_histogram,
    latency_histogram_figure,
    latency_split,
    link_figure,
    link_sweep,
    outstanding_figure,
    reservation_figure,
    reservation_grid,
    run_settings,
    sweep_points,
    table2_comparison,
)


@pytest.fixture(scope="module")
def queued():
    """One host, 4 VMs x 16 commands against a LUN queue of 32: half the commands wait in the kernel."""
    return simulate(hosts=1, vms_per_host=4, outstanding_per_vm=16, spindles=16, ios=3000, seed=3)


@pytest.fixture(scope="module")
def crowded():
    """Ten hosts filling their queues of 32: 320 commands against an array limit of 256."""
    return simulate(hosts=10, vms_per_host=4, outstanding_per_vm=8, spindles=64, ios=3000, seed=2)


def nearest_rank(values, q):
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


def test_latency_split_adds_up_to_gavg(queued, crowded):
    for r in (queued, crowded):
        parts = latency_split(r)
        assert sum(parts.values()) == pytest.approx(r.gavg_ms, rel=1e-9)
        assert all(v >= 0 for v in parts.values())
    assert latency_split(queued)["KAVG: VMkernel queue"] > 1  # 32 of 64 commands wait
    assert latency_split(crowded)["DAVG: waiting for the array's LUN queue"] > 1  # 320 > 256


def test_stacked_bars_sum_to_gavg_per_run(queued, crowded):
    fig = latency_bars_figure([queued, crowded], ["queued", "crowded"])
    assert fig.layout.barmode == "stack"
    assert len(fig.data) == 3
    for i, r in enumerate((queued, crowded)):
        assert sum(trace.x[i] for trace in fig.data) == pytest.approx(r.gavg_ms, rel=1e-9)
    with pytest.raises(ValueError, match="one label per result"):
        latency_bars_figure([queued], ["a", "b"])


def test_histogram_puts_every_latency_in_its_bin():
    data = [0.0, 0.5, 1.0, 2.5, 9.99, 10.0, 3.3, 7.0]
    hist = latency_histogram(data, bins=4)
    assert hist.edges == (0.0, 2.5, 5.0, 7.5, 10.0)
    # by hand: [0, 2.5): 0, 0.5, 1.0 | [2.5, 5): 2.5, 3.3 | [5, 7.5): 7.0 | [7.5, 10]: 9.99, 10.0
    assert hist.counts == (3, 2, 1, 2)
    with pytest.raises(ValueError):
        latency_histogram([])
    with pytest.raises(ValueError):
        latency_histogram(data, bins=0)


def test_histogram_of_a_run_counts_every_measured_command(queued):
    hist = latency_histogram(queued.latencies_ms, bins=40)
    assert sum(hist.counts) == queued.ios == 3000
    fig = latency_histogram_figure(queued.latencies_ms, bins=40)
    assert sum(fig.data[0].y) == queued.ios
    marked = sorted(shape.x0 for shape in fig.layout.shapes)
    expected = sorted([statistics.fmean(queued.latencies_ms),
                       *(nearest_rank(queued.latencies_ms, q) for q in (0.5, 0.95, 0.99))])
    assert marked == pytest.approx(expected)


def test_the_kb_example_mean_hides_the_outlier():
    s = kb_example()  # Broadcom KB 309140: 4 x 1 ms + 1 x 500 ms
    assert s.mean_ms == pytest.approx(100.8)
    assert s.p50_ms == 1.0 and s.max_ms == 500.0


def test_esxtop_table_follows_esxtops_definitions(queued):
    settings = PanelSettings(hosts=1, vms_per_host=4, outstanding_per_vm=16, spindles=16)
    table = esxtop_table(queued, settings)
    host = table.iloc[0]
    # closed loop with 64 commands and a queue of 32: 32 active, 32 queued (time averages)
    assert host["ACTV"] == pytest.approx(32, abs=0.5)
    assert host["QUED"] == pytest.approx(32, abs=1)
    assert host["LOAD"] == pytest.approx(2.0, abs=0.05)
    assert host["%USD"] == pytest.approx(100, abs=2)
    assert host["GAVG/cmd"] == pytest.approx(host["KAVG/cmd"] + host["DAVG/cmd"], abs=0.02)
    assert host["KAVG/cmd"] == host["QAVG/cmd"]


def test_esxtop_table_totals_are_hosts_times_one_host(crowded):
    table = esxtop_table(crowded, PanelSettings(hosts=10, vms_per_host=4, outstanding_per_vm=8,
                                                spindles=64))
    each, total = table.iloc[0], table.iloc[1]
    assert total["DQLEN"] == 10 * each["DQLEN"] == 320
    assert total["ACTV"] == pytest.approx(10 * each["ACTV"], abs=0.6)
    assert total["CMDS/s"] == pytest.approx(10 * each["CMDS/s"], abs=6)


def test_warnings_name_the_layer_that_queues(queued, crowded):
    assert any("KAVG" in w for w in esxtop_warnings(queued))
    assert any("array's per-LUN queue" in w for w in esxtop_warnings(crowded))
    light = simulate(hosts=1, vms_per_host=2, outstanding_per_vm=1, spindles=16, ios=1000, seed=1)
    assert esxtop_warnings(light) == []


def test_outstanding_sweep_kavg_zero_until_the_queue_then_littles_law():
    values = [1, 2, 4, 8, 16, 32]  # x 4 VMs = 4 ... 128 commands; LUN queue 32
    points = sweep_points("outstanding_per_vm", values, hosts=1, vms_per_host=4, spindles=16,
                          read_fraction=0.7, cache_hit_ratio=0.2, ios=2000, seed=1)
    assert [p.outstanding for p in points] == [4 * v for v in values]
    for p in points:
        if p.outstanding <= 32:
            assert p.kavg_ms < 0.01
        else:  # the excess waits in the kernel: KAVG = (N - 32) / IOPS
            assert p.kavg_ms == pytest.approx((p.outstanding - 32) / p.iops * 1000, rel=0.03)
    saturated = [p.iops for p in points if p.outstanding >= 32]
    assert max(saturated) / min(saturated) < 1.05  # IOPS flat past the queue
    fig = outstanding_figure(points, queue_limit=32)
    assert list(fig.data[0].x) == [4 * v for v in values]


def test_hosts_sweep_array_queue_and_crossings():
    hosts = [1, 2, 4, 6, 8, 10, 12, 16, 20]
    points = hosts_sweep(hosts, ios=2000)
    for p in points:
        # every host fills its queue of 32, so DAVG = 32 H / IOPS (Little) and KAVG = 0
        assert p.davg_ms == pytest.approx(32 * p.value / p.iops * 1000, rel=0.03)
        if p.value * 32 <= 256:
            assert p.array_wait_ms < 0.01
        else:
            assert p.array_wait_ms > 1
    cross = davg_crossings(points)
    assert cross[20.0] < cross[30.0] < cross[50.0]
    x_top = points[-1].iops  # the saturated array's throughput
    assert cross[50.0] == pytest.approx(0.050 * x_top / 32, abs=1.0)


def test_reservations_conflict_more_with_hosts_and_rate():
    points = reservation_grid([1, 2, 4], [0, 50], ios=1500)
    by = {(p.hosts, p.metadata_ops_per_s): p for p in points}
    assert all(by[(h, 0)].cons_per_s == 0 for h in (1, 2, 4))
    assert by[(1, 50)].cons_per_s == 0  # a host never conflicts with its own reservation
    assert 0 < by[(2, 50)].cons_per_s < by[(4, 50)].cons_per_s
    assert by[(4, 50)].lun_locked_share == pytest.approx(4 * 50 * 0.0003)
    fig = reservation_figure(points)
    assert len(fig.data) == 4  # two rates x two panels


def test_link_saturates_at_100_mb_per_gbps():
    by_link = link_sweep([1.0, 4.0], [1, 4, 8], ios=1500)
    for gbps, points in by_link.items():
        assert all(p.mbps <= 100 * gbps * 1.02 for p in points)
    one_gbps = by_link[1.0]
    assert one_gbps[-1].mbps == pytest.approx(100, rel=0.03)  # saturated wire
    assert one_gbps[-1].gavg_ms > 3 * one_gbps[0].gavg_ms  # more VMs on the path: latency climbs
    assert by_link[4.0][-1].mbps > 2 * one_gbps[-1].mbps
    assert len(link_figure(by_link).data) == 4


def test_table2_comparison_matches_the_published_rows():
    rows = table2_comparison(load_table2())
    assert len(rows) == 6 and all(r["agree"] for r in rows)
    wrong = Table2Row(256, 4, 32, 9, 64, source="test")
    assert table2_comparison([wrong])[0]["agree"] is False


def test_run_settings_refuses_runs_too_big_for_a_live_panel():
    big = PanelSettings(hosts=16, vms_per_host=16, outstanding_per_vm=8)
    assert big.total_outstanding > MAX_PANEL_OUTSTANDING
    with pytest.raises(ValueError, match="at most 1024"):
        run_settings(big)


def test_panel_reacts_to_slider_values():
    panel = StoragePanel()
    assert panel.result.kavg_ms < 0.01  # 4 VMs x 8 = 32 = the queue depth
    panel.sliders["outstanding_per_vm"].value = 16
    assert panel.settings.outstanding_per_vm == 16
    assert panel.result.kavg_ms > 1 and "KAVG" in panel.status.value
    assert panel.table.iloc[0]["QUED"] == pytest.approx(32, abs=1)
    panel.sliders["dsnro"].value = 8  # with 4 VMs sharing the LUN, DSNRO caps the host at 8
    assert panel.result.host_limit == 8
    panel.sliders["hosts"].value = 16
    panel.sliders["vms_per_host"].value = 16
    assert "at most 1024" in panel.error and "⚠" in panel.status.value
    panel.sliders["vms_per_host"].value = 1
    assert panel.error == "" and panel.result.host_limit == 32  # one VM: DSNRO has no effect
    assert len(panel.plot.outputs) == 2


def test_table2_calculator_answers_and_highlights_the_row():
    calc = Table2Calculator()
    assert (calc.sizing.vms_per_host, calc.sizing.vms_per_volume) == (8, 64)
    calc.n.value, calc.a.value, calc.d.value = 1024, 32, 32
    assert (calc.sizing.vms_per_host, calc.sizing.vms_per_volume) == (1, 32)
    assert "<b>32 VMs on the VMFS volume</b>" in calc.answer.value
    assert calc.table.value.count("background:#fff8c5") == 1
    calc.a.value = 3  # not a published row: nothing highlighted
    assert calc.table.value.count("background:#fff8c5") == 0
