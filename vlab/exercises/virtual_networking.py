"""Lab 02's checker: fix esx01's vSwitch configuration.

The learner edits a small `key = "value"` description of one standard vSwitch (uplinks, security policy,
port groups with VLAN IDs and uplink overrides, which port group each VM uses). The check builds the switch
with `vlab.models.network.vswitch` and sends test frames, so "web01 cannot reach db01" or "a spoofed frame is
dropped" is measured on the model, not read off the text.
"""
from __future__ import annotations

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.network.vswitch import (
    VLAN_TRUNK,
    Frame,
    SecurityPolicy,
    StandardSwitch,
    VirtualNic,
    check_vlan_id,
)

LAB = "02_virtual_networking"
VM_MACS = {"web01": "00:50:56:00:02:01", "app01": "00:50:56:00:02:02", "db01": "00:50:56:00:02:03"}
VMOTION_MAC = "00:50:56:00:02:0a"  # vmk1, the VMkernel port for vMotion
ROUTER_MAC = "00:1b:54:00:00:fe"
NATIVE_VLAN = 1  # the physical switch's untagged VLAN on the trunk
POLICY_KEYS = {"promiscuous": "promiscuous", "macchanges": "mac_changes",
               "forgedtransmits": "forged_transmits"}

STARTING_TEXT = """# esx01 vSwitch0: three NICs teamed on a trunk port of the physical switch
vswitch.uplinks = "vmnic0,vmnic1,vmnic2"
vswitch.promiscuous = "Accept"
vswitch.macChanges = "Accept"
vswitch.forgedTransmits = "Accept"
# port groups: VLAN 0 = none (EST), 1-4094 = VST, 4095 = trunk (VGT)
portgroup.Production.vlan = "10"
portgroup.DMZ.vlan = "20"
portgroup.Default.vlan = "4095"
portgroup.vMotion.vlan = "10"
# which port group each VM's vNIC connects to at power-on
vm.web01.portgroup = "Production"
vm.app01.portgroup = "Production"
vm.db01.portgroup = "Production"
"""


def _accept(value: str, key: str) -> bool:
    v = value.strip().lower()
    if v not in ("accept", "reject"):
        raise ValueError(f"{key} must be Accept or Reject, not '{value}'")
    return v == "accept"


def _uplinks(value: str) -> tuple[str, ...]:
    return tuple(u.strip() for u in value.split(",") if u.strip())


def build_switch(text: str) -> StandardSwitch:
    """The vSwitch the text describes, with web01, app01, db01 and vmk1 (vMotion) connected."""
    cfg = parse_dictfile(text, source="your vSwitch")
    switch_policy: dict[str, bool] = {}
    groups: dict[str, dict[str, str]] = {}
    vm_groups: dict[str, str] = {}
    uplinks: tuple[str, ...] = ()
    for key, value in cfg.items():
        parts = key.split(".")
        low = [p.lower() for p in parts]
        if low == ["vswitch", "uplinks"]:
            uplinks = _uplinks(value)
        elif len(parts) == 2 and low[0] == "vswitch" and low[1] in POLICY_KEYS:
            switch_policy[POLICY_KEYS[low[1]]] = _accept(value, key)
        elif len(parts) == 3 and low[0] == "portgroup":
            groups.setdefault(parts[1], {})[low[2]] = value
        elif len(parts) == 3 and low[0] == "vm" and low[2] == "portgroup":
            vm_groups[parts[1]] = value
        else:
            raise ValueError(f"'{key}' is not a setting this exercise knows: use vswitch.*, "
                             "portgroup.<name>.vlan / .uplinks / .promiscuous ..., vm.<name>.portgroup")
    switch = StandardSwitch("vSwitch0", uplinks=uplinks, policy=SecurityPolicy(**switch_policy))
    for name, settings in groups.items():
        if "vlan" not in settings:
            raise ValueError(f"port group {name} needs a VLAN: portgroup.{name}.vlan = \"...\"")
        try:
            vlan = check_vlan_id(int(settings.pop("vlan")))
        except (TypeError, ValueError) as err:
            raise ValueError(f"portgroup.{name}.vlan: {err}") from None
        active = _uplinks(settings.pop("uplinks")) if "uplinks" in settings else None
        override = {POLICY_KEYS[k]: _accept(v, f"portgroup.{name}.{k}") for k, v in settings.items()
                    if k in POLICY_KEYS}
        unknown = [k for k in settings if k not in POLICY_KEYS]
        if unknown:
            raise ValueError(f"portgroup.{name}.{unknown[0]} is not a port-group setting")
        policy = SecurityPolicy(**{**switch.policy.__dict__, **override}) if override else None
        switch.add_port_group(name, vlan, policy, active, "vmotion" if name.lower() == "vmotion" else "")
    if "vMotion" not in switch.portgroups:
        raise ValueError("keep the port group named vMotion (host migrations need it)")
    missing = [vm for vm in VM_MACS if vm not in vm_groups]
    if missing:
        raise ValueError(f"say which port group {missing[0]} uses: vm.{missing[0]}.portgroup = \"...\"")
    for vm, pg in vm_groups.items():
        if vm not in VM_MACS:
            raise ValueError(f"there is no VM named {vm} on esx01 (VMs: {', '.join(VM_MACS)})")
        switch.connect(VirtualNic(vm, VM_MACS[vm]), pg)
    switch.connect(VirtualNic("vmk1", VMOTION_MAC), "vMotion")
    return switch


def _local(switch: StandardSwitch, sender: str, src: str, dst: str) -> set[str]:
    result = switch.send_from_vm(sender, Frame(src, dst))
    return {d.to for d in result.deliveries if not d.to.startswith("uplink:")}


def _vm_groups(switch: StandardSwitch) -> list:
    return [pg for pg in switch.portgroups.values() if any(
        p.portgroup == pg.name and p.nic.vm in VM_MACS for p in switch.ports.values())]


def check_vswitch(text: str) -> list[Criterion]:
    switch = build_switch(text)
    web, app, db = (VM_MACS[v] for v in ("web01", "app01", "db01"))
    dmz_vlan = switch.portgroups["DMZ"].vlan_id if "DMZ" in switch.portgroups else None
    web_vlan = switch.portgroups[switch.port_of("web01").portgroup].vlan_id
    reached = _local(switch, "web01", web, app) | _local(switch, "web01", web, db)
    isolated = web_vlan == dmz_vlan and not reached
    works = "db01" in _local(switch, "app01", app, db)

    spoof = switch.send_from_vm("web01", Frame(db, app))
    switch.set_guest_nic("app01", promiscuous_requested=True)
    sniffed = "app01" in {d.to for d in switch.send_from_vm("db01", Frame(db, ROUTER_MAC)).deliveries}
    switch.set_guest_nic("app01", promiscuous_requested=False)
    switch.set_guest_nic("db01", effective_mac="00:50:56:00:02:99")
    took = switch.send_from_vm("app01", Frame(app, "00:50:56:00:02:99"))
    mac_taken = "db01" in {d.to for d in took.deliveries}

    vmotion = switch.portgroups["vMotion"]
    vm_groups = _vm_groups(switch)
    vm_vlans = {pg.vlan_id for pg in vm_groups}
    vm_nics = {u for pg in vm_groups for u in (pg.active_uplinks or switch.uplinks)}
    own_vlan = 1 < vmotion.vlan_id < VLAN_TRUNK and vmotion.vlan_id not in vm_vlans | {VLAN_TRUNK}
    own_nic = bool(vmotion.active_uplinks) and not set(vmotion.active_uplinks) & vm_nics
    risky = sorted(pg.name for pg in switch.portgroups.values() if pg.vlan_id in (VLAN_TRUNK, NATIVE_VLAN))
    return [
        Criterion(isolated, f"web01 is on VLAN {web_vlan}; the DMZ is VLAN {dmz_vlan}; web01 reaches "
                  f"{sorted(reached) or 'no production VM'} without a router",
                  hint="A VLAN is a broadcast domain: VMs on different VLANs reach each other only through a "
                       "router. web01 is the DMZ web server; app01 and db01 are production.",
                  direction="Change which port group web01 connects to (vm.web01.portgroup): one for the DMZ, "
                            "on a VLAN that app01 and db01 are not on.",
                  answer='vm.web01.portgroup = "DMZ" (the DMZ port group on its own VLAN, Production on '
                         "another)."),
        Criterion(works, "app01 reaches db01 on the switch" if works else "app01 cannot reach db01",
                  hint="Isolation must not break what has to work: two VMs talk on the switch only when they "
                       "share a VLAN.",
                  direction="Keep app01 and db01 in one port group: the production one.",
                  answer='vm.app01.portgroup = "Production" and vm.db01.portgroup = "Production".'),
        Criterion(not sniffed, "a guest in promiscuous mode " + ("sees" if sniffed else "does not see")
                  + " other VMs' frames",
                  hint="Promiscuous mode decides whether a guest that puts its NIC in promiscuous mode gets "
                       "copies of the other frames on its VLAN.",
                  direction="Change the switch's promiscuous-mode policy so that such a request is refused, and "
                            "make sure no port group overrides it back.",
                  answer='vswitch.promiscuous = "Reject", with no port-group override back to Accept.'),
        Criterion(not spoof.deliveries, "a frame from web01 with db01's source MAC was "
                  + ("delivered" if spoof.deliveries else "dropped"),
                  hint="A frame's source MAC says who sent it; the switch can compare it with the MAC in the "
                       "sender's .vmx before the frame leaves the sender's port.",
                  direction="Change the policy that checks what a VM sends (forged transmits) on the switch, so "
                            "that a frame whose source MAC is not the sender's own is dropped.",
                  answer='vswitch.forgedTransmits = "Reject"'),
        Criterion(not mac_taken, "a guest that changes its MAC " + ("still receives" if mac_taken else
                  "receives nothing") + " at the new address",
                  hint="Spoofing has two directions: a guest can also change its own MAC and receive frames "
                       "meant for the new address.",
                  direction="Change the inbound half of anti-spoofing on the switch, the MAC address changes "
                            "policy, so a guest whose MAC differs from its .vmx receives nothing.",
                  answer='vswitch.macChanges = "Reject"'),
        Criterion(own_vlan, f"vMotion is on VLAN {vmotion.vlan_id}; VM port groups use {sorted(vm_vlans)}",
                  hint="vMotion sends a VM's whole memory over the network, in clear unless encrypted: it "
                       "belongs on a network no VM is on.",
                  direction="Give the vMotion port group a VLAN ID of its own: not 0, 1 or 4095, and none that a "
                            "VM port group uses.",
                  answer='portgroup.vMotion.vlan = "50" (any VLAN from 2 to 4094 that no VM port group uses).'),
        Criterion(own_nic, f"vMotion uses {list(vmotion.active_uplinks or switch.uplinks)}; VMs use "
                  f"{sorted(vm_nics)}",
                  hint="vMotion can fill a link: on a physical NIC of its own it neither slows the VMs nor "
                       "shares their wire.",
                  direction="Pin the vMotion port group to one NIC with a teaming override (its uplinks "
                            "setting), and pin every VM port group to the other NICs.",
                  answer='portgroup.vMotion.uplinks = "vmnic2", portgroup.Production.uplinks = "vmnic0,vmnic1" '
                         'and portgroup.DMZ.uplinks = "vmnic0,vmnic1".'),
        Criterion(not risky, f"port groups on VLAN 4095 or the native VLAN 1: {risky or 'none'}",
                  hint="A trunk port group (VLAN 4095) hands every VLAN to its guests, and the physical "
                       "switch's native VLAN lets a guest cross VLANs by double tagging.",
                  direction="Delete the port groups nobody needs, above all the trunk, and keep every port "
                            "group off VLAN 4095 and VLAN 1.",
                  answer="Delete the Default port group's line (its VLAN is 4095), and give no port group "
                         "VLAN 1."),
    ]


def vswitch_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "Fix esx01's vSwitch0. web01 is the DMZ web server: it must be on the DMZ VLAN and unable to reach "
        "app01 and db01 without a router, while app01 and db01 keep talking. No guest may sniff or "
        "impersonate another. vMotion must be isolated on its own VLAN and its own physical NIC, and no "
        "port group may hand every VLAN to a guest.",
        check_vswitch, exercise_id="fix-vswitch", lab=LAB, work=STARTING_TEXT,
        title="Fix this vSwitch", rows=16, **kwargs,
    )


# --------------------------------------------------------------------------- your turn
# Two short cells of lab 02 in which the learner writes the line that makes the model behave; the checks
# run the vSwitch model (vMotion, frames), never compare the learner's text.
TURN_MACS = {"web01": "00:50:56:00:01:01", "app01": "00:50:56:00:01:02", "db01": "00:50:56:00:01:03"}
TURN_VLANS = {"Web": 10, "DB": 20}
# the lines a right answer writes (shown only from the third failed check)
_ESX02_LINE = 'esx02 = StandardSwitch("vSwitch0", host="esx02", uplinks=("vmnic0", "vmnic1"))'
_DB_LINE = 'esx02.add_port_group("DB", 20)'
_POLICY_LINE = "policy = SecurityPolicy(forged_transmits=False)"


def _esx01(policy: SecurityPolicy | None = None) -> StandardSwitch:
    """esx01's vSwitch0 in VST: Web on VLAN 10 (web01, app01), DB on VLAN 20 (db01)."""
    sw = StandardSwitch("vSwitch0", host="esx01", uplinks=("vmnic0", "vmnic1"), policy=policy)
    for name, vlan in TURN_VLANS.items():
        sw.add_port_group(name, vlan)
    for vm, mac in TURN_MACS.items():
        sw.connect(VirtualNic(vm, mac), "DB" if vm == "db01" else "Web")
    return sw


def check_db01_vmotion(esx02: object) -> list[Criterion]:
    """vMotion db01 from esx01 to the learner's esx02, then send its broadcast there."""
    if not isinstance(esx02, StandardSwitch):
        raise TypeError(f"expected the StandardSwitch esx02, got {type(esx02).__name__}")
    import copy

    from vlab.models.network.vswitch import BROADCAST_MAC, vmotion

    esx02 = copy.deepcopy(esx02)  # judge a copy: checking twice must not find db01 already moved
    try:
        vmotion("db01", _esx01(), esx02)
    except ValueError as err:
        return [Criterion(False, f"vMotion refused db01: {err}",
                          hint="A vNIC reconnects on the new host to a port group found by its name.",
                          direction="Add to esx02's switch the port group db01 uses on esx01: the same name, "
                                    "and the VLAN ID it has there.",
                          answer=_DB_LINE)]
    sent = esx02.send_from_vm("db01", Frame(TURN_MACS["db01"], BROADCAST_MAC))
    tags = sorted({d.tag for d in sent.deliveries if d.to.startswith("uplink:")}, key=str)
    on_vlan = tags == [TURN_VLANS["DB"]]
    if tags:
        hints = dict(hint="The name let the VM move; what else must match so that it stays in its network?",
                     direction="Give the DB port group on esx02 the VLAN ID DB has on esx01: one the switch "
                               "tags, not a trunk (4095) and not none (0).",
                     answer=f"{_DB_LINE} (in place of your DB line)")
    else:
        hints = dict(hint="A frame needs a way out of the host to reach the rest of the DB tier.",
                     direction="Give esx02's vSwitch0 its physical NICs back, as the starter had them.",
                     answer=_ESX02_LINE)
    return [
        Criterion(True, "vMotion found a port group of the same name on esx02 and connected db01."),
        Criterion(on_vlan, f"db01's broadcast leaves esx02 tagged {tags or 'nowhere'} "
                           f"(on esx01 it leaves tagged {TURN_VLANS['DB']}).", **hints),
    ]


def check_forged_frame(policy: object) -> list[Criterion]:
    """app01 sends a frame in db01's name; web01 sends one to app01 as usual."""
    if not isinstance(policy, SecurityPolicy):
        raise TypeError(f"expected a SecurityPolicy, got {type(policy).__name__}")
    sw = _esx01(policy)
    forged = sw.send_from_vm("app01", Frame(TURN_MACS["db01"], TURN_MACS["web01"]))
    normal = sw.send_from_vm("web01", Frame(TURN_MACS["web01"], TURN_MACS["app01"]))
    return [
        Criterion(not forged.delivered,
                  "app01's frame with db01's source MAC is "
                  + ("dropped." if not forged.delivered else "delivered to web01."),
                  hint="Which direction does the forged frame travel: into app01's vNIC or out of it?",
                  direction="Change the one policy that checks what a VM sends (its source MAC), and leave the "
                            "policy for what it receives as it is.",
                  answer=_POLICY_LINE),
        Criterion(normal.delivered, "web01's ordinary frame to app01 is "
                  + ("delivered." if normal.delivered else "dropped."),
                  hint="Rejecting what is forged should not stop honest traffic.",
                  direction="web01 sends with its own MAC: change only the setting for forged frames.",
                  answer=_POLICY_LINE),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "db01-vmotion",
            "give esx02 what db01 needs to arrive by vMotion and stay on its VLAN",
            check_db01_vmotion,
            starter=(
                'esx02 = StandardSwitch("vSwitch0", host="esx02", uplinks=("vmnic0", "vmnic1"))\n'
                'esx02.add_port_group("Web", 10)\n'
                "# Your line: what must esx02 have before db01 (port group DB, VLAN 20 on esx01) "
                "can move here?\n"
            ),
        ),
        YourTurn(
            LAB, "forged-frame",
            "pick a policy that drops app01's frame in db01's name and lets honest frames through",
            check_forged_frame,
            starter=(
                "policy = SecurityPolicy()  # a standard vSwitch's defaults\n"
                "# Your change: which one setting stops a guest sending with another VM's MAC?\n"
            ),
        ),
    )


YOUR_TURNS = _turns()
