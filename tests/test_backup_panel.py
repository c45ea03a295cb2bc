"""Lab 06's panel: the pure table and figure functions, and the widget driven through .value."""
from __future__ import annotations

import pytest

from vlab.models.datastore.backup import BackupPlan, DrillScenario, plan_outcomes
from vlab.widgets.backup_panel import (
    PLOTLY_MIME,
    BackupPanel,
    comparison_figure,
    drill_rows,
    outcome_rows,
    plan_warnings,
    rows_html,
)


def test_rows_carry_the_hand_computed_numbers():
    rows = outcome_rows(plan_outcomes(BackupPlan()))  # 8 x 40 GB, 5 %/day, 100 MB/s, daily
    lun, vcb, cbt = rows
    assert (lun.backup_gb, vcb.backup_gb, cbt.backup_gb) == (400, 320, 16)
    assert lun.restore_min == round(409600 / 100 / 60, 1) and vcb.restore_min == round(40960 / 100 / 60, 1)
    assert not lun.restore_one_vmdk and vcb.restore_one_vmdk and cbt.restore_one_vmdk
    assert lun.rolled_back_vms == 7 and lun.rolled_back_gb == 14


def test_the_table_spells_out_overruns_and_side_effects():
    plan = BackupPlan(vm_count=20, disk_gb=200, bandwidth_mb_s=10, interval_h=4)
    text = rows_html(outcome_rows(plan_outcomes(plan)))
    assert text.count("longer than the interval") == 2  # LUN copy and VCB; CBT fits
    assert "19 (" in text  # the LUN restore rolls the 19 other VMs back
    assert text.count("<tr>") == 4


def test_the_figure_has_three_panels_and_stacks_the_rolled_back_data():
    outcomes = plan_outcomes(BackupPlan())
    fig = comparison_figure(outcomes, interval_h=24)
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y3", "y3"]
    assert fig.layout.barmode == "stack"
    assert list(fig.data[0].x) == ["LUN copy", "VCB", "VADP+CBT"]
    assert list(fig.data[1].y) == [o.restore_min for o in outcomes]
    assert list(fig.data[3].y) == [14.0, 0.0, 0.0]  # only the LUN restore undoes other VMs' work
    assert fig.layout.shapes[0].y0 == 24
    assert "interval" not in str(comparison_figure(outcomes).layout.annotations)


def test_warnings_name_the_exposure_and_the_overrun():
    plan = BackupPlan(vm_count=20, disk_gb=200, bandwidth_mb_s=10, interval_h=4)
    warnings = plan_warnings(plan, plan_outcomes(plan))
    assert any("LUN copy" in w and "overlap" in w for w in warnings)
    assert any("zoned" in w for w in warnings)
    hotadd = BackupPlan(transport="hotadd")
    assert plan_warnings(hotadd, plan_outcomes(hotadd)) == []


def test_the_drill_rows_show_the_whole_lun_rollback():
    rows = drill_rows(DrillScenario(vm_count=3, disk_gb=2, lun_gb=10, hours_since_backup=12))
    lun, vcb, cbt = rows
    # 2 GiB x 5 %/day x 12 h / 24 h = 51.2 MiB -> 51 one-MiB blocks per VM
    assert [r["data_lost_mb"] for r in rows] == [51, 51, 51]
    assert lun["vms_rolled_back"] == 2 and lun["their_changes_undone_mb"] == 102
    assert lun["copied_gb"] == 10 and vcb["copied_gb"] == cbt["copied_gb"] == 2
    assert vcb["vms_rolled_back"] == 0


def test_the_panel_recomputes_when_a_slider_moves():
    panel = BackupPanel()
    assert panel.rows[1].backup_gb == 320
    panel.vm_count.value = 4
    assert panel.plan.vm_count == 4 and panel.rows[1].backup_gb == 160
    panel.interval_h.value = 6
    assert panel.outcomes[2].data_at_risk_gb == pytest.approx(40 * 0.05 * 6 / 24)
    panel.transport.value = "hotadd"
    assert not any(r.lun_exposed_to_proxy for r in panel.rows)
    assert panel.status.value == ""
    output = panel.plot.outputs[0]
    assert PLOTLY_MIME in output["data"] and "VADP+CBT" in output["data"]["text/plain"]
    assert "vlab-backup-rows" in panel.table.value
