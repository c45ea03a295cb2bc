"""The vSwitch model against the rules VMware documents, not against its own output:
conservation of frames and bytes, VLAN isolation, tags on the wire per EST/VST/VGT, the three security
policies, no uplink-to-uplink forwarding, no MAC learning, vMotion keeping the MAC."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vlab.models.network.vswitch import (
    BROADCAST_MAC,
    FORGED,
    GUEST_TAG,
    MAC_CHANGED,
    NO_UPLINK,
    NOT_HERE,
    Frame,
    SecurityPolicy,
    StandardSwitch,
    VirtualNic,
    find_port,
    tagging_mode,
    vmotion,
)


def mac(n: int) -> str:
    return f"00:50:56:00:00:{n:02x}"


# name -> (port group, MAC number); VLAN 10 = A, VLAN 20 = B, Trunk = 4095, Flat = 0
VMS = {"web": ("A", 1), "app": ("A", 2), "db": ("B", 3), "trunk": ("Trunk", 4), "flat": ("Flat", 5),
       "ids": ("A", 6)}
VLAN_OF_PG = {"A": 10, "B": 20, "Trunk": 4095, "Flat": 0}


def make_switch(policy: SecurityPolicy | None = None, uplinks=("vmnic0", "vmnic1")) -> StandardSwitch:
    sw = StandardSwitch("vSwitch0", uplinks=uplinks, policy=policy or SecurityPolicy())
    for pg, vlan in VLAN_OF_PG.items():
        sw.add_port_group(pg, vlan)
    for vm, (pg, n) in VMS.items():
        sw.connect(VirtualNic(vm, mac(n)), pg)
    return sw


def vlan_seen_by(vm: str) -> int | None:
    vlan = VLAN_OF_PG[VMS[vm][0]]
    return None if vlan == 4095 else vlan


def test_vlan_id_ranges_name_the_three_tagging_modes():
    assert [tagging_mode(v) for v in (0, 1, 4094, 4095)] == ["EST", "VST", "VST", "VGT"]
    for bad in (-1, 4096, True, "10"):
        with pytest.raises(ValueError, match="VLAN ID"):
            tagging_mode(bad)


def test_standard_switch_security_defaults_are_reject_accept_accept():
    # vSphere Networking, security policy: promiscuous Reject, MAC changes Accept, forged transmits Accept.
    assert SecurityPolicy() == SecurityPolicy(promiscuous=False, mac_changes=True, forged_transmits=True)
    assert SecurityPolicy.hardened() == SecurityPolicy(False, False, False)


# ---- frames: strategies drawing arbitrary traffic on the switch ------------------------------------------------
vm_names = st.sampled_from(sorted(VMS))
destinations = st.one_of(st.sampled_from([mac(n) for _, n in VMS.values()] + [BROADCAST_MAC, mac(0x99)]))
tags = st.one_of(st.none(), st.sampled_from([10, 20, 30]))
events = st.lists(st.tuples(st.booleans(), vm_names, destinations, tags, st.integers(0, 1500),
                            st.booleans()), min_size=1, max_size=25)
policies = st.builds(SecurityPolicy, st.booleans(), st.booleans(), st.booleans())


def run_events(sw: StandardSwitch, evs) -> list:
    results = []
    for from_uplink, vm, dst, tag, payload, spoof in evs:
        src = mac(0x77) if spoof else sw.port_of(vm).nic.mac
        frame = Frame(src, dst, payload, tag)
        if from_uplink:
            results.append(sw.receive_from_uplink("vmnic1", frame))
        else:
            results.append(sw.send_from_vm(vm, frame))
    return results


@given(events, policies)
def test_every_frame_is_delivered_or_dropped_with_a_reason_and_counts_add_up(evs, policy):
    sw = make_switch(policy)
    sw.set_guest_nic("ids", promiscuous_requested=True)
    results = run_events(sw, evs)
    c = sw.counters
    assert c.frames_in == len(evs) == c.frames_delivered + c.frames_dropped
    assert c.frames_dropped == sum(1 for r in results if not r.deliveries)
    for r in results:
        assert r.deliveries or (r.drops and all(d.reason for d in r.drops))
    assert c.copies_to_vms + c.copies_to_uplinks == sum(len(r.deliveries) for r in results)
    # private copies: every copy costs the frame's bytes once
    assert c.bytes_copied == sum(r.frame.size_bytes * len(r.deliveries) for r in results)


@given(events, policies)
def test_no_frame_crosses_vlans_and_only_trunk_ports_see_tags(evs, policy):
    sw = make_switch(policy)
    sw.set_guest_nic("ids", promiscuous_requested=True)
    for r in run_events(sw, evs):
        for d in r.deliveries:
            if d.to.startswith("uplink:"):
                assert d.tag == (r.vlan or None)  # VLAN 0 leaves untagged, others carry their tag
                continue
            own = vlan_seen_by(d.to)
            if own is None:  # trunk port: the guest gets the tag of the frame's VLAN
                assert d.tag == (r.vlan or None)
            else:
                assert r.vlan == own and d.tag is None


@given(events)
def test_a_vswitch_never_forwards_from_one_uplink_to_another(evs):
    sw = make_switch()
    for r in run_events(sw, evs):
        if r.ingress.startswith("uplink:"):
            assert not any(d.to.startswith("uplink:") for d in r.deliveries)


def test_tags_on_the_wire_per_mode():
    sw = make_switch()
    vst = sw.send_from_vm("web", Frame(mac(1), mac(0x99)))  # VST: the switch adds VLAN 10's tag
    est = sw.send_from_vm("flat", Frame(mac(5), mac(0x99)))  # EST: untagged, the physical switch tags
    vgt = sw.send_from_vm("trunk", Frame(mac(4), mac(0x99), vlan_tag=30))  # VGT: the guest's tag passes
    assert [r.deliveries[0].tag for r in (vst, est, vgt)] == [10, None, 30]
    assert all(r.deliveries[0].to.startswith("uplink:") for r in (vst, est, vgt))


def test_vlan_4095_hands_tags_to_the_guest_and_lets_it_reach_any_vlan():
    sw = make_switch()
    inbound = sw.receive_from_uplink("vmnic0", Frame(mac(0x99), BROADCAST_MAC, vlan_tag=20))
    got = {d.to: d.tag for d in inbound.deliveries}
    assert got == {"db": None, "trunk": 20}
    crossing = sw.send_from_vm("trunk", Frame(mac(4), mac(3), vlan_tag=20))  # the risk of VLAN 4095
    assert [d.to for d in crossing.deliveries] == ["db"]


def test_a_guest_tag_on_a_vst_port_group_is_dropped():
    r = make_switch().send_from_vm("web", Frame(mac(1), mac(3), vlan_tag=20))
    assert not r.deliveries and r.drops[0].reason == GUEST_TAG


def test_same_vlan_unicast_stays_on_the_switch_other_vlan_goes_to_the_uplink():
    sw = make_switch()
    same = sw.send_from_vm("web", Frame(mac(1), mac(2)))
    other = sw.send_from_vm("web", Frame(mac(1), mac(3)))  # db is on this switch but on VLAN 20
    assert [d.to for d in same.deliveries] == ["app"]
    assert [d.to for d in other.deliveries] == ["uplink:vmnic0"]  # a router must do the crossing


def test_forged_transmits_reject_drops_a_spoofed_source_and_accept_passes_it():
    spoof = Frame(mac(3), mac(2))  # web pretends to be db
    rejecting = make_switch(SecurityPolicy(forged_transmits=False)).send_from_vm("web", spoof)
    accepting = make_switch(SecurityPolicy(forged_transmits=True)).send_from_vm("web", spoof)
    assert not rejecting.deliveries and rejecting.drops[0].reason == FORGED
    assert [d.to for d in accepting.deliveries] == ["app"]


def test_promiscuous_port_sees_all_frames_of_its_vlan_only_and_only_when_accepted():
    for accept in (False, True):
        sw = make_switch(SecurityPolicy(promiscuous=accept))
        sw.set_guest_nic("ids", promiscuous_requested=True)
        in_vlan = sw.send_from_vm("web", Frame(mac(1), mac(2)))
        in_vlan_out = sw.send_from_vm("app", Frame(mac(2), mac(0x99)))
        other_vlan = sw.send_from_vm("db", Frame(mac(3), mac(0x99)))
        assert ("ids" in [d.to for d in in_vlan.deliveries]) is accept
        assert ("ids" in [d.to for d in in_vlan_out.deliveries]) is accept
        assert "ids" not in [d.to for d in other_vlan.deliveries]


def test_port_group_policy_overrides_the_switch_policy():
    sw = StandardSwitch("vSwitch1", uplinks=("vmnic2",), policy=SecurityPolicy.hardened())
    sw.add_port_group("Sniff", 10, policy=SecurityPolicy(promiscuous=True))
    sw.add_port_group("Prod", 10)
    sw.connect(VirtualNic("a", mac(1)), "Prod")
    sw.connect(VirtualNic("b", mac(2)), "Prod")
    sw.connect(VirtualNic("ids", mac(3), promiscuous_requested=True), "Sniff")
    assert "ids" in [d.to for d in sw.send_from_vm("a", Frame(mac(1), mac(2))).deliveries]


def test_mac_changes_reject_drops_inbound_frames_until_the_guest_changes_back():
    sw = make_switch(SecurityPolicy(mac_changes=False))
    sw.set_guest_nic("app", effective_mac=mac(0x42))
    r = sw.send_from_vm("web", Frame(mac(1), mac(2)))
    assert r.drops[0] == type(r.drops[0])("app", MAC_CHANGED) and not r.deliveries
    sw.set_guest_nic("app", effective_mac=None)
    assert [d.to for d in sw.send_from_vm("web", Frame(mac(1), mac(2))).deliveries] == ["app"]


def test_mac_changes_accept_makes_the_new_mac_reachable():
    sw = make_switch(SecurityPolicy(mac_changes=True))
    sw.set_guest_nic("app", effective_mac=mac(0x42))
    assert sw.forwarding_table()[mac(0x42)] == sw.port_of("app").port_id
    assert [d.to for d in sw.send_from_vm("web", Frame(mac(1), mac(0x42))).deliveries] == ["app"]


def test_the_switch_never_learns_macs_from_uplinks():
    sw = make_switch()
    before = sw.forwarding_table()
    sw.receive_from_uplink("vmnic0", Frame(mac(0x99), mac(1)))  # a physical host speaks
    assert sw.forwarding_table() == before
    back = sw.send_from_vm("web", Frame(mac(1), mac(0x99)))
    assert [d.to for d in back.deliveries] == ["uplink:vmnic0"]  # still unknown, so out the uplink
    lost = sw.receive_from_uplink("vmnic0", Frame(mac(0x98), mac(0x99)))
    assert not lost.deliveries and lost.drops[0].reason == NOT_HERE


def test_internal_only_switch_keeps_traffic_local_and_drops_unknowns():
    sw = make_switch(uplinks=())
    assert [d.to for d in sw.send_from_vm("web", Frame(mac(1), mac(2))).deliveries] == ["app"]
    r = sw.send_from_vm("web", Frame(mac(1), mac(0x99)))
    assert not r.deliveries and r.drops[0].reason == NO_UPLINK


def test_teamed_uplinks_spread_ports_and_a_port_group_can_pin_its_own_nic():
    sw = StandardSwitch("vSwitch0", uplinks=("vmnic0", "vmnic1"))
    sw.add_port_group("VM Network", 10)
    sw.add_port_group("vMotion", 50, active_uplinks=("vmnic1",), vmkernel="vmotion")
    for i in range(4):
        sw.connect(VirtualNic(f"vm{i}", mac(i + 1)), "VM Network")
    sw.connect(VirtualNic("vmk1", mac(0x10)), "vMotion")
    used = {sw.send_from_vm(f"vm{i}", Frame(mac(i + 1), mac(0x99))).deliveries[0].to for i in range(4)}
    assert used == {"uplink:vmnic0", "uplink:vmnic1"}
    assert sw.send_from_vm("vmk1", Frame(mac(0x10), mac(0x99))).deliveries[0].to == "uplink:vmnic1"
    with pytest.raises(ValueError, match="not uplinks"):
        sw.add_port_group("Bad", 5, active_uplinks=("vmnic7",))


def test_each_switch_has_its_own_table_and_vmotion_moves_the_port_with_its_mac():
    esx01, esx02 = make_switch(), StandardSwitch("vSwitch0", host="esx02", uplinks=("vmnic0",))
    esx02.add_port_group("A", 10)
    assert mac(2) not in esx02.forwarding_table()
    port = vmotion("app", esx01, esx02)
    assert (port.host, port.nic.mac, port.portgroup) == ("esx02", mac(2), "A")
    assert mac(2) not in esx01.forwarding_table() and mac(2) in esx02.forwarding_table()
    assert find_port([esx01, esx02], "app")[0] is esx02
    # on the old host the MAC is now unknown: frames to it go out the uplink, as to any remote MAC
    assert esx01.send_from_vm("web", Frame(mac(1), mac(2))).deliveries[0].to == "uplink:vmnic0"
    with pytest.raises(ValueError, match="no port group 'B'"):
        vmotion("db", esx01, esx02)


def test_bad_input_gives_clear_messages():
    sw = make_switch()
    with pytest.raises(ValueError, match="not a MAC address"):
        Frame("zz", mac(1))
    with pytest.raises(ValueError, match="already granted"):
        sw.connect(VirtualNic("copy", mac(1)), "A")
    with pytest.raises(ValueError, match="no port group"):
        sw.connect(VirtualNic("new", mac(0x50)), "Nope")
    with pytest.raises(ValueError, match="not an uplink"):
        sw.receive_from_uplink("vmnic9", Frame(mac(1), mac(2)))
    with pytest.raises(ValueError, match="1-4094"):
        Frame(mac(1), mac(2), vlan_tag=4095)
