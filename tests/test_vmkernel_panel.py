"""Lab 01's panels: sliders drive the pure functions, the figure and table follow, numbers obey theory."""
from __future__ import annotations

import pytest

from vlab.models.vmkernel.binary_translation import guest_code, run
from vlab.widgets.vmkernel_panel import (
    CpuSchedPanel,
    PageSharingPanel,
    cpu_rows,
    cpu_view,
    tps_rows,
    tps_view,
    translation_cache_figure,
)


def test_cpu_view_gives_vm1_its_share():
    view = cpu_view(vms=4, vm1_shares=3000, pcpus=1)
    rows = {r["VM"]: r for r in cpu_rows(view)}
    assert rows["vm1"]["entitled MHz"] == 1000  # 3000 / 6000 shares of 2000 MHz
    assert rows["vm1"]["used MHz"] == pytest.approx(1000, rel=0.05)
    assert sum(r["% of host"] for r in rows.values()) == pytest.approx(100, abs=0.5)


def test_cpu_panel_follows_its_sliders():
    panel = CpuSchedPanel()
    before = panel.table.value
    panel.vms.value = 6
    assert len(panel.figure.data[0].x) == 6 and panel.table.value != before
    panel.reservation.value = 1500
    assert panel.view.result.vm("vm1").used_mhz >= 1500 * 0.97
    assert panel.message.value == ""


def test_a_reservation_beyond_one_vcpu_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="needs more than its 1 vCPU"):
        cpu_view(vms=2, vm1_reservation_mhz=2500, pcpus=2)
    panel = CpuSchedPanel(pcpus=1)
    panel.reservation.value = panel.reservation.max  # a whole pCPU: vm1 gets it all, the others starve
    assert panel.message.value == ""
    assert panel.view.result.vm("vm1").host_fraction >= 0.98  # a few first slices go by a tie-break


def test_tps_view_counts_follow_salting():
    view = tps_view(vms=4, identical_fraction=0.5, salting=2)
    zero, one, two = (view.by_salting[m] for m in (0, 1, 2))
    assert zero.machine_pages == one.machine_pages < two.machine_pages  # no salts set: 0 and 1 agree
    assert zero.saved_pages > two.saved_pages > 0  # salting 2 still shares inside each VM
    grouped = tps_view(vms=4, identical_fraction=0.5, salting=2, group_salt=True)
    assert zero.machine_pages < grouped.by_salting[2].machine_pages < two.machine_pages
    rows = tps_rows(grouped)
    assert rows[0]["salt"] == rows[1]["salt"] == "tenantA" != rows[2]["salt"]
    assert all(r["on private machine pages"] + r["on shared machine pages"] == r["guest pages"] for r in rows)


def test_no_identical_pages_means_no_savings():
    view = tps_view(vms=3, identical_fraction=0.0, salting=0)
    assert all(s.saved_pages == 0 for s in view.by_salting.values())


def test_page_sharing_panel_follows_its_sliders():
    panel = PageSharingPanel()
    first = panel.figure.data[0].y
    panel.salting.value = 0
    panel.fraction.value = 0.8
    assert panel.figure.data[0].y != first
    assert panel.figure.data[0].marker.color[0] != panel.figure.data[0].marker.color[2]  # salting 0 highlighted
    assert "uuid" not in panel.table.value  # salting 0: every VM has the default salt
    panel.salting.value = 2
    assert "uuid" in panel.table.value


def test_translation_cache_figure_plots_the_curve():
    r = run(guest_code(50, seed=0), 500, seed=0)
    fig = translation_cache_figure(r)
    assert list(fig.data[0].y) == list(r.hit_rate_curve)


def test_mapping_lines_follow_both_mappings():
    from vlab.models.vmkernel.memory import Host, VmMemory
    from vlab.widgets.vmkernel_panel import mapping_lines

    page = b"z" * 16
    host = Host.boot([VmMemory("a", (page, b"q" * 16)), VmMemory("b", (page,))], 0, seed=0)
    host.scan()
    lines = mapping_lines(host, pages=2)
    assert len(lines) == 1 + 3
    shared_mpn = host.pmap["b"][0]
    assert any(line.endswith(f"-> {shared_mpn:3}  (2)") for line in lines[1:])
