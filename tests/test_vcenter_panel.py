"""Lab 04's panel: the pure view function and the widget's wiring."""
from __future__ import annotations

import pytest

from vlab.widgets.vcenter_panel import VcenterPanel, cluster_view, summary, view_figure, view_rows


def test_drs_lowers_the_imbalance_and_the_figure_shows_three_series_per_host():
    view = cluster_view(hosts=4, vms=16, threshold=3)
    assert view.drs.imbalance_after < view.drs.imbalance_before
    fig = view_figure(view)
    assert [len(t.y) for t in fig.data] == [4, 4, 4]
    assert sum(fig.data[2].y) == 0  # no host failed


def test_admission_control_protects_every_vm_and_without_it_some_are_lost():
    for failed in range(1, 5):
        assert cluster_view(failed_host=failed, admission_control=True).failover.not_restarted == []
    lost = [cluster_view(failed_host=f, admission_control=False).failover.not_restarted for f in range(1, 5)]
    assert any(lost)
    rows = view_rows(cluster_view(failed_host=1, admission_control=False))
    assert any(r["event"] == "NOT restarted" for r in rows)


def test_the_failed_host_carries_no_load_afterwards():
    view = cluster_view(failed_host=2)
    fig = view_figure(view)
    assert fig.data[2].y[1] == 0 and sum(fig.data[2].y) > 0
    assert "esx02 failed" in summary(view)


def test_bad_failed_host_is_explained():
    with pytest.raises(ValueError, match="failed host"):
        cluster_view(hosts=3, failed_host=5)


def test_sliders_update_the_table_and_figure():
    panel = VcenterPanel()
    panel.admission.value = False
    panel.failed.value = 1
    # without admission control the survivors lack room for some of esx01's VMs (as the pure
    # function says for the same sliders, in test_admission_control_... above) ...
    lost = cluster_view(failed_host=1, admission_control=False).failover.not_restarted
    assert lost and panel.table.value.count("NOT restarted") == len(lost)
    assert f"esx01 failed, {len(lost)} VM(s) not restarted" in panel.message.value
    # ... and with it, every VM that was allowed to power on is restarted
    panel.admission.value = True
    assert "NOT restarted" not in panel.table.value and "HA restart" in panel.table.value
    assert "esx01 failed, 0 VM(s) not restarted" in panel.message.value
    panel.hosts.value = 2
    assert panel.failed.max == 2 and len(panel.figure.data[0].y) == 2
    assert "VMs powered on" in panel.message.value
