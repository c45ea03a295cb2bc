"""Lab 02's checker: the starting vSwitch fails with hints, a correct configuration passes, half-fixes and
shortcuts are caught, malformed input gets a message, and the widget records attempts."""
from __future__ import annotations

import pytest

from vlab.exercises.virtual_networking import (
    STARTING_TEXT,
    build_switch,
    check_vswitch,
    vswitch_checker,
)
from vlab.learn.progress import ProgressStore

SOLUTION = """vswitch.uplinks = "vmnic0,vmnic1,vmnic2"
vswitch.promiscuous = "Reject"
vswitch.macChanges = "Reject"
vswitch.forgedTransmits = "Reject"
portgroup.Production.vlan = "10"
portgroup.Production.uplinks = "vmnic0,vmnic1"
portgroup.DMZ.vlan = "20"
portgroup.DMZ.uplinks = "vmnic0,vmnic1"
portgroup.vMotion.vlan = "50"
portgroup.vMotion.uplinks = "vmnic2"
vm.web01.portgroup = "DMZ"
vm.app01.portgroup = "Production"
vm.db01.portgroup = "Production"
"""


def failed(text: str) -> list:
    return [c for c in check_vswitch(text) if not c.passed]


def test_the_starting_switch_fails_seven_criteria_each_with_a_hint():
    bad = failed(STARTING_TEXT)
    assert len(bad) == 7
    assert all(c.hint for c in bad)
    # graduated: the idea, the direction, then the exact line (tests/test_checker_hints.py checks the order)
    assert all(c.direction and c.answer for c in bad)


def test_the_answer_level_names_the_exact_lines_and_the_earlier_levels_do_not():
    by_start = {c.message.split(" ")[0]: c for c in failed(STARTING_TEXT)}
    forged = next(c for c in failed(STARTING_TEXT) if "source MAC" in c.message)
    assert forged.hint_at(3) == 'vswitch.forgedTransmits = "Reject"'
    assert "Reject" not in forged.hint_at(1) + forged.hint_at(2)
    assert 'vm.web01.portgroup = "DMZ"' in by_start["web01"].hint_at(3)
    assert "vm.web01.portgroup" in by_start["web01"].hint_at(2) and '"DMZ"' not in by_start["web01"].hint_at(2)


def test_a_correct_configuration_passes_every_criterion():
    assert failed(SOLUTION) == []


def test_a_port_group_override_can_undo_the_switch_policy():
    text = SOLUTION + 'portgroup.Production.promiscuous = "Accept"\n'
    assert [c.message for c in failed(text)] == ["a guest in promiscuous mode sees other VMs' frames"]


def test_isolating_everything_is_not_a_fix():
    text = SOLUTION.replace('vm.db01.portgroup = "Production"', 'vm.db01.portgroup = "DMZ"')
    messages = " ".join(c.message for c in failed(text))
    assert "app01 cannot reach db01" in messages and "web01 reaches ['db01']" in messages


def test_vmotion_sharing_a_vm_nic_or_vlan_fails():
    shared_nic = SOLUTION.replace('portgroup.DMZ.uplinks = "vmnic0,vmnic1"', 'portgroup.DMZ.uplinks = "vmnic2"')
    assert [c.message.split(";")[0] for c in failed(shared_nic)] == ["vMotion uses ['vmnic2']"]
    same_vlan = SOLUTION.replace('portgroup.vMotion.vlan = "50"', 'portgroup.vMotion.vlan = "20"')
    assert len(failed(same_vlan)) == 1 and "vMotion is on VLAN 20" in failed(same_vlan)[0].message


def test_a_native_vlan_port_group_is_flagged():
    text = SOLUTION.replace('portgroup.Production.vlan = "10"', 'portgroup.Production.vlan = "1"')
    assert any("Production" in c.message for c in failed(text))


@pytest.mark.parametrize("text, message", [
    (SOLUTION.replace('"Reject"', '"Maybe"', 1), "Accept or Reject"),
    (SOLUTION.replace('vlan = "50"', 'vlan = "5000"'), "out of range"),
    (SOLUTION.replace('vm.web01.portgroup = "DMZ"', 'vm.web01.portgroup = "Web"'), "no port group 'Web'"),
    (SOLUTION + 'vswitch.mtu = "9000"\n', "not a setting"),
    (SOLUTION.replace('portgroup.vMotion.vlan = "50"\n', ""), "needs a VLAN"),
    (SOLUTION.replace('portgroup.vMotion.uplinks = "vmnic2"', 'portgroup.vMotion.uplinks = "vmnic7"'),
     "not uplinks"),
])
def test_malformed_input_gets_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        build_switch(text)


def test_the_widget_shows_a_message_and_records_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = vswitch_checker(store=store)
    widget.work.value = STARTING_TEXT.replace('"10"', '"ten"', 1)
    report = widget.check()
    assert not report.passed and "could not be checked" in widget.results.value
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value
    assert [r.correct for r in store.attempts(lab="02_virtual_networking")] == [False, True]


def test_the_db01_turn_judges_a_copy_so_a_second_check_gives_the_same_verdict():
    from vlab.exercises.virtual_networking import check_db01_vmotion
    from vlab.learn.checks import run_check
    from vlab.models.network.vswitch import StandardSwitch

    esx02 = StandardSwitch("vSwitch0", host="esx02", uplinks=("vmnic0", "vmnic1"))
    esx02.add_port_group("DB", 20)
    assert run_check(check_db01_vmotion, esx02).passed and run_check(check_db01_vmotion, esx02).passed
    assert esx02.ports == {}  # the learner's switch is left as they built it
