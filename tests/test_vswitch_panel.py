"""Lab 02's panel: the scenario follows the documented rules per tagging mode and policy, and the widget
recomputes when a drop-down changes and shows a message (not a traceback) for a bad VLAN."""
from __future__ import annotations

import pytest

from vlab.models.network.vswitch import FORGED, GUEST_TAG, SecurityPolicy
from vlab.widgets.vswitch_panel import (
    FRAMES,
    MODES,
    VSwitchPanel,
    build_host,
    delivery_figure,
    results_frame,
    run_scenario,
)


def receivers(result) -> set[str]:
    return {d.to for d in result.deliveries}


@pytest.mark.parametrize("mode", MODES)
def test_counts_add_up_in_every_mode(mode):
    results, switches = run_scenario(mode)
    assert sum(s.counters.frames_in for s in switches) == len(FRAMES)
    assert sum(s.counters.frames_delivered + s.counters.frames_dropped for s in switches) == len(FRAMES)
    table = results_frame(results)
    assert list(table["bytes copied"]) == [r.frame.size_bytes * len(r.deliveries) for r in results]


def test_est_needs_one_switch_and_one_nic_per_vlan_vst_and_vgt_share_a_teamed_pair():
    assert [s.uplinks for s in build_host("EST")] == [("vmnic1",), ("vmnic2",)]
    assert [s.uplinks for s in build_host("VST")] == [("vmnic0", "vmnic1")]
    assert [pg.vlan_id for pg in build_host("VGT")[0].portgroups.values()] == [4095]


def test_vst_keeps_tiers_apart_and_refuses_guest_tags():
    results, _ = run_scenario("VST", 10, 20)
    other_vlan, crossing = results[1], results[5]
    assert "db01" not in receivers(other_vlan) and "uplink:vmnic0" in receivers(other_vlan)
    assert crossing.drops[0].reason == GUEST_TAG


def test_vgt_lets_a_guest_reach_another_vlan_by_tagging():
    results, _ = run_scenario("VGT", 10, 20)
    crossing = results[5]
    assert [(d.to, d.tag) for d in crossing.deliveries] == [("db01", 20)]


def test_on_the_wire_vst_tags_and_est_does_not():
    vst, _ = run_scenario("VST", 30, 40)
    est, _ = run_scenario("EST", 30, 40)
    assert {d.tag for d in vst[2].deliveries if d.to.startswith("uplink")} == {30}
    assert {d.tag for d in est[2].deliveries if d.to.startswith("uplink")} == {None}


def test_hardened_policy_blocks_the_forgery_and_the_sniffer():
    open_results, _ = run_scenario("VST", policy=SecurityPolicy(True, True, True))
    hard_results, _ = run_scenario("VST", policy=SecurityPolicy.hardened())
    assert "ids01" in receivers(open_results[0])  # promiscuous copy of web01 -> app01
    assert "web01" in receivers(open_results[3])  # forged frame delivered
    assert "ids01" not in receivers(hard_results[0])
    assert not hard_results[3].deliveries and hard_results[3].drops[0].reason == FORGED


def test_figure_marks_deliveries_and_drops():
    results, _ = run_scenario("VST", policy=SecurityPolicy.hardened())
    heat = delivery_figure(results).data[0]
    columns = list(heat.x)
    assert heat.z[0][columns.index("app01")] == 1
    assert heat.z[3][columns.index("switch")] == -1  # the forged frame refused on the way in
    assert heat.z[4][columns.index("web01")] == 0


def test_bad_vlans_are_explained():
    with pytest.raises(ValueError, match="different VLANs"):
        build_host("VST", 10, 10)
    with pytest.raises(ValueError, match="mode must be"):
        build_host("XYZ")


def test_widget_recomputes_and_shows_a_message_for_a_bad_vlan():
    panel = VSwitchPanel()
    assert "7 in" in panel.message.value and "forged" not in panel.table.value
    panel.forged.value = "Reject"
    assert "forged transmits = Reject" in panel.table.value
    heat = panel.figure.data[0]
    db01 = list(heat.x).index("db01")
    assert heat.z[5][db01] == 0  # VST: web01's self-tagged frame does not reach db01
    panel.mode.value = "VGT"
    assert panel.figure.data[0].z[5][db01] == 1  # VGT: it does, and the figure shows it
    panel.mode.value = "EST"
    assert "vSwitch2" in panel.message.value
    panel.vlan_db.value = panel.vlan_web.value
    assert "different VLANs" in panel.message.value
