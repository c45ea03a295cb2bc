"""A vSphere standard switch (vSwitch): port groups, virtual ports, uplinks, VLANs and security policy.

Imitates the layer-2 behaviour VMware documents for a standard vSwitch ("VMware Virtual Networking
Concepts", VI3; *vSphere Networking*):

- A port group carries a VLAN ID: 0 = no VLAN on the vSwitch (External Switch Tagging, EST: the physical
  switch tags), 1-4094 = the vSwitch adds and strips the tag (Virtual Switch Tagging, VST), 4095 = trunk, the
  guest tags its own frames (Virtual Guest Tagging, VGT) and sees every VLAN's tags.
- A virtual port is bound to the MAC address the VM was granted in its `.vmx`; the switch's forwarding table
  is built from those ports, authoritatively. It never learns MAC addresses from an uplink, and a frame that
  came in on an uplink never goes out on another uplink, which is why a vSwitch needs no Spanning Tree.
- One switch may team several physical NICs (uplinks) or have none (an internal-only network). Each switch
  has its own forwarding table; switches on one host are never connected to each other.
- The security policy (promiscuous mode, MAC address changes, forged transmits) is enforced per port group
  (a port group without its own policy inherits the switch's).
- Each delivery gets a private copy of the frame's bytes (`bytes_copied` counts them), so no VM can see
  or change what another receives.
- vMotion moves a vNIC's port, MAC unchanged, to a port group of the same name on another host's switch.

Left out: traffic shaping, load-balancing policies other than "route based on originating virtual port",
failover and beaconing, standby uplinks, the RARP the destination host sends after vMotion, multicast
filtering, MAC learning (a vDS 6.7+ option), private VLANs and distributed switches, frame timing.
Pure Python and deterministic: no random numbers, so no `seed`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

VLAN_NONE = 0  # EST: the vSwitch neither adds nor removes tags
VLAN_TRUNK = 4095  # VGT: every VLAN's tags pass to and from the guest
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
ETHERNET_HEADER_BYTES = 14  # destination MAC, source MAC, EtherType
VLAN_TAG_BYTES = 4  # an 802.1Q tag

_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")

# Drop reasons (a frame or a copy of it never disappears without one of these)
FORGED = "forged transmits = Reject: source MAC is not the one in the VM's .vmx"
GUEST_TAG = "guest sent an 802.1Q tag on a port group that is not a trunk (VLAN 4095)"
MAC_CHANGED = "MAC address changes = Reject: the guest changed its MAC, inbound frames are dropped"
NO_UPLINK = "destination not on this switch and the switch has no uplink (internal-only)"
NOT_HERE = "destination MAC not on this switch; a vSwitch never forwards uplink to uplink"
NOBODY = "no other port on this VLAN"


def normalize_mac(mac: str) -> str:
    """'00-50-56-AA-00-01' -> '00:50:56:aa:00:01'; ValueError for anything that is not a MAC address."""
    value = str(mac).strip().lower().replace("-", ":")
    if not _MAC_RE.match(value):
        raise ValueError(f"'{mac}' is not a MAC address: write six hex pairs, e.g. 00:50:56:00:00:01")
    return value


def check_vlan_id(vlan_id: int) -> int:
    """A port group's VLAN ID: 0 (none/EST), 1-4094 (VST) or 4095 (VGT trunk)."""
    if isinstance(vlan_id, bool) or not isinstance(vlan_id, int) or not 0 <= vlan_id <= VLAN_TRUNK:
        raise ValueError(f"VLAN ID {vlan_id!r} is out of range: use 0 (none), 1-4094, or 4095 (trunk)")
    return vlan_id


def tagging_mode(vlan_id: int) -> str:
    """'EST', 'VST' or 'VGT' for a port group's VLAN ID."""
    check_vlan_id(vlan_id)
    if vlan_id == VLAN_NONE:
        return "EST"
    return "VGT" if vlan_id == VLAN_TRUNK else "VST"


@dataclass(frozen=True)
class SecurityPolicy:
    """Layer-2 security policy; True = Accept. Defaults are a standard vSwitch's: Reject, Accept, Accept."""

    promiscuous: bool = False
    mac_changes: bool = True
    forged_transmits: bool = True

    @classmethod
    def hardened(cls) -> SecurityPolicy:
        """All three on Reject, as the vSphere 8 Security Configuration Guide asks."""
        return cls(False, False, False)


@dataclass(frozen=True)
class PortGroup:
    """A named set of ports with one VLAN ID; `policy` None inherits the switch's; `active_uplinks`
    None uses all of the switch's uplinks (a teaming override, e.g. a vMotion port group on its own NIC)."""

    name: str
    vlan_id: int = VLAN_NONE
    policy: SecurityPolicy | None = None
    active_uplinks: tuple[str, ...] | None = None
    vmkernel: str = ""  # "" for VMs; "vmotion" or "management" for a VMkernel port group

    @property
    def mode(self) -> str:
        return tagging_mode(self.vlan_id)


@dataclass(frozen=True)
class VirtualNic:
    """A VM's virtual network adapter: the MAC granted in the .vmx, and what the guest does with it."""

    vm: str
    mac: str
    effective_mac: str | None = None  # the guest changed its MAC to this
    promiscuous_requested: bool = False  # the guest put its NIC in promiscuous mode (a sniffer, an IDS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mac", normalize_mac(self.mac))
        if self.effective_mac is not None:
            object.__setattr__(self, "effective_mac", normalize_mac(self.effective_mac))

    @property
    def current_mac(self) -> str:
        return self.effective_mac or self.mac


@dataclass(frozen=True)
class VirtualPort:
    """A port of a vSwitch, bound to one vNIC: it ties the guest to the host the switch runs on."""

    port_id: int
    nic: VirtualNic
    portgroup: str
    host: str
    switch: str


@dataclass(frozen=True)
class Frame:
    """An Ethernet frame as it enters the switch; `vlan_tag` None = untagged."""

    src_mac: str
    dst_mac: str
    payload_bytes: int = 100
    vlan_tag: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "src_mac", normalize_mac(self.src_mac))
        object.__setattr__(self, "dst_mac", normalize_mac(self.dst_mac))
        if not 0 <= self.payload_bytes <= 9000:
            raise ValueError(f"payload_bytes {self.payload_bytes} must be 0-9000 (jumbo frames at most)")
        if self.vlan_tag is not None and not 1 <= self.vlan_tag <= 4094:
            raise ValueError(f"an 802.1Q tag carries VLAN 1-4094, not {self.vlan_tag}")

    @property
    def size_bytes(self) -> int:
        return ETHERNET_HEADER_BYTES + self.payload_bytes + (VLAN_TAG_BYTES if self.vlan_tag else 0)

    @property
    def broadcast(self) -> bool:
        return self.dst_mac == BROADCAST_MAC


@dataclass(frozen=True)
class Delivery:
    """One private copy handed to a VM port or sent out an uplink, with the tag it carries there."""

    to: str  # a VM name, or "uplink:vmnic1"
    tag: int | None
    reason: str


@dataclass(frozen=True)
class Drop:
    to: str  # the intended receiver, or "switch" when the frame was refused on the way in
    reason: str


@dataclass(frozen=True)
class SendResult:
    """What one frame did: its VLAN on the switch, every copy delivered and every drop with its reason."""

    frame: Frame
    ingress: str  # VM name or "uplink:vmnicN"
    vlan: int | None  # None when the frame was refused before its VLAN was known
    deliveries: tuple[Delivery, ...]
    drops: tuple[Drop, ...]

    @property
    def delivered(self) -> bool:
        return bool(self.deliveries)

    @property
    def to_uplink(self) -> bool:
        return any(d.to.startswith("uplink:") for d in self.deliveries)

    @property
    def bytes_copied(self) -> int:
        return self.frame.size_bytes * len(self.deliveries)


@dataclass
class SwitchCounters:
    """Per-switch totals; frames_in == frames_delivered + frames_dropped always holds."""

    frames_in: int = 0
    frames_delivered: int = 0  # at least one copy went somewhere (a VM or an uplink)
    frames_dropped: int = 0  # no copy went anywhere; every such frame has a drop reason
    copies_to_vms: int = 0
    copies_to_uplinks: int = 0
    bytes_copied: int = 0


@dataclass
class StandardSwitch:
    """A standard vSwitch on one host. `uplinks` are physical NIC names (several = teamed, none =
    internal-only). Port groups and ports are added with `add_port_group` and `connect`."""

    name: str
    host: str = "esx01"
    uplinks: tuple[str, ...] = ()
    policy: SecurityPolicy = field(default_factory=SecurityPolicy)
    portgroups: dict[str, PortGroup] = field(default_factory=dict)
    ports: dict[int, VirtualPort] = field(default_factory=dict)
    counters: SwitchCounters = field(default_factory=SwitchCounters)
    _next_port: int = 0

    def __post_init__(self) -> None:
        self.uplinks = tuple(self.uplinks)
        if len(set(self.uplinks)) != len(self.uplinks):
            raise ValueError(f"{self.name}: an uplink is listed twice in {self.uplinks}")

    # configuration
    def add_port_group(self, name: str, vlan_id: int = VLAN_NONE, policy: SecurityPolicy | None = None,
                       active_uplinks: tuple[str, ...] | None = None, vmkernel: str = "") -> PortGroup:
        if name in self.portgroups:
            raise ValueError(f"{self.name} already has a port group named '{name}'")
        check_vlan_id(vlan_id)
        if active_uplinks is not None:
            unknown = [u for u in active_uplinks if u not in self.uplinks]
            if unknown:
                raise ValueError(f"port group '{name}': {unknown} are not uplinks of {self.name} "
                                 f"(it has {list(self.uplinks)})")
        pg = PortGroup(name, vlan_id, policy, None if active_uplinks is None else tuple(active_uplinks),
                       vmkernel)
        self.portgroups[name] = pg
        return pg

    def effective_policy(self, portgroup: str) -> SecurityPolicy:
        return self.portgroups[portgroup].policy or self.policy

    def connect(self, nic: VirtualNic, portgroup: str) -> VirtualPort:
        """Power-on: the vNIC gets a port in `portgroup` and its .vmx MAC enters the forwarding table."""
        if portgroup not in self.portgroups:
            raise ValueError(f"{self.name} has no port group '{portgroup}' "
                             f"(it has {sorted(self.portgroups)})")
        for port in self.ports.values():
            if port.nic.vm == nic.vm:
                raise ValueError(f"{nic.vm} is already connected to {self.name}")
            if port.nic.mac == nic.mac:
                raise ValueError(f"MAC {nic.mac} is already granted to {port.nic.vm} on {self.name}")
        port = VirtualPort(self._next_port, nic, portgroup, self.host, self.name)
        self.ports[port.port_id] = port
        self._next_port += 1
        return port

    def disconnect(self, vm: str) -> VirtualNic:
        """Power-off (or the source side of vMotion): the port is freed, its MAC leaves the table."""
        port = self.port_of(vm)
        del self.ports[port.port_id]
        return port.nic

    def set_guest_nic(self, vm: str, *, effective_mac: str | None = None,
                      promiscuous_requested: bool | None = None) -> VirtualNic:
        """What the guest does inside its own OS: change its MAC, switch its NIC to promiscuous."""
        port = self.port_of(vm)
        nic = replace(port.nic, effective_mac=effective_mac,
                      promiscuous_requested=(port.nic.promiscuous_requested if promiscuous_requested is None
                                             else promiscuous_requested))
        self.ports[port.port_id] = replace(port, nic=nic)
        return nic

    # look-ups
    def port_of(self, vm: str) -> VirtualPort:
        for port in self.ports.values():
            if port.nic.vm == vm:
                return port
        raise ValueError(f"{vm} is not connected to {self.name} (connected: "
                         f"{sorted(p.nic.vm for p in self.ports.values())})")

    def has_vm(self, vm: str) -> bool:
        return any(p.nic.vm == vm for p in self.ports.values())

    def forwarding_table(self) -> dict[str, int]:
        """MAC -> port id, known from the ports (never learned). A changed MAC is listed only while
        MAC address changes are accepted."""
        table: dict[str, int] = {}
        for port in self.ports.values():
            table[port.nic.mac] = port.port_id
            nic = port.nic
            if nic.effective_mac and self.effective_policy(port.portgroup).mac_changes:
                table[nic.effective_mac] = port.port_id
        return table

    def _vlans_of(self, port: VirtualPort) -> int | None:
        """The one VLAN a port belongs to, or None for a trunk port (all VLANs)."""
        vlan = self.portgroups[port.portgroup].vlan_id
        return None if vlan == VLAN_TRUNK else vlan

    def _member(self, port: VirtualPort, vlan: int) -> bool:
        own = self._vlans_of(port)
        return own is None or own == vlan

    def _tag_to_vm(self, port: VirtualPort, vlan: int) -> int | None:
        # Only a trunk port group hands the tag to the guest; EST/VST guests see untagged frames.
        return (vlan or None) if self._vlans_of(port) is None else None

    def _uplink_for(self, port: VirtualPort | None) -> str | None:
        if port is None:
            return None
        active = self.portgroups[port.portgroup].active_uplinks
        choices = self.uplinks if active is None else active
        # "Route based on originating virtual port": a port sticks to one uplink of the team.
        return choices[port.port_id % len(choices)] if choices else None

    def _tag_to_uplink(self, vlan: int) -> int | None:
        return vlan or None  # EST (VLAN 0) leaves untagged; VST/VGT frames carry their VLAN's tag

    # frames
    def send_from_vm(self, vm: str, frame: Frame) -> SendResult:
        """A frame the guest transmits on its vNIC."""
        port = self.port_of(vm)
        pg = self.portgroups[port.portgroup]
        policy = self.effective_policy(port.portgroup)
        if not policy.forged_transmits and frame.src_mac != port.nic.mac:
            return self._finish(SendResult(frame, vm, None, (), (Drop("switch", FORGED),)))
        if pg.vlan_id == VLAN_TRUNK:
            vlan = frame.vlan_tag or VLAN_NONE
        elif frame.vlan_tag is not None:
            return self._finish(SendResult(frame, vm, None, (), (Drop("switch", GUEST_TAG),)))
        else:
            vlan = pg.vlan_id
        return self._forward(frame, vm, vlan, source=port)

    def receive_from_uplink(self, uplink: str, frame: Frame) -> SendResult:
        """A frame arriving from the physical network on `uplink` (already untagged by an EST access port)."""
        if uplink not in self.uplinks:
            raise ValueError(f"{uplink} is not an uplink of {self.name} (uplinks: {list(self.uplinks)})")
        return self._forward(frame, f"uplink:{uplink}", frame.vlan_tag or VLAN_NONE, source=None)

    def _forward(self, frame: Frame, ingress: str, vlan: int, source: VirtualPort | None) -> SendResult:
        deliveries: list[Delivery] = []
        drops: list[Drop] = []
        others = [p for p in self.ports.values() if (source is None or p.port_id != source.port_id)
                  and self._member(p, vlan)]
        if frame.broadcast:
            targets = {p.port_id: "broadcast" for p in others}
        else:
            owner = self.forwarding_table().get(frame.dst_mac)
            targets = {owner: "destination MAC"} if owner in {p.port_id for p in others} else {}
        for port in others:
            if port.port_id not in targets and port.nic.promiscuous_requested \
                    and self.effective_policy(port.portgroup).promiscuous:
                targets[port.port_id] = "promiscuous port (policy Accept)"
        for port in others:
            if port.port_id not in targets:
                continue
            nic = port.nic
            if nic.effective_mac and nic.effective_mac != nic.mac \
                    and not self.effective_policy(port.portgroup).mac_changes:
                drops.append(Drop(nic.vm, MAC_CHANGED))
            else:
                deliveries.append(Delivery(nic.vm, self._tag_to_vm(port, vlan), targets[port.port_id]))
        local_owner = not frame.broadcast and any(r == "destination MAC" for r in targets.values())
        if source is not None and not local_owner:
            # Unknown unicast and broadcasts from a VM leave through the port's uplink; never from an uplink.
            uplink = self._uplink_for(source)
            if uplink is not None:
                why = "broadcast" if frame.broadcast else "destination not on this switch"
                deliveries.append(Delivery(f"uplink:{uplink}", self._tag_to_uplink(vlan), why))
            elif not frame.broadcast:
                drops.append(Drop(frame.dst_mac, NO_UPLINK))
        if source is None and not frame.broadcast and not local_owner:
            drops.append(Drop(frame.dst_mac, NOT_HERE))
        if not deliveries and not drops:
            drops.append(Drop("switch", NOBODY))
        return self._finish(SendResult(frame, ingress, vlan, tuple(deliveries), tuple(drops)))

    def _finish(self, result: SendResult) -> SendResult:
        c = self.counters
        c.frames_in += 1
        if result.delivered:
            c.frames_delivered += 1
        else:
            c.frames_dropped += 1
        for d in result.deliveries:
            if d.to.startswith("uplink:"):
                c.copies_to_uplinks += 1
            else:
                c.copies_to_vms += 1
        c.bytes_copied += result.bytes_copied
        return result


def vmotion(vm: str, source: StandardSwitch, destination: StandardSwitch) -> VirtualPort:
    """Move a running VM's vNIC: its port on `source` is freed and it connects, same MAC and same
    guest NIC state, to the port group of the same name on `destination` (another host's switch)."""
    if source is destination:
        raise ValueError("vMotion moves a VM to another host's switch: source and destination are the same")
    portgroup = source.port_of(vm).portgroup
    if portgroup not in destination.portgroups:
        raise ValueError(f"{destination.host}/{destination.name} has no port group '{portgroup}': create it "
                         "with the same name (and VLAN) before migrating")
    nic = source.disconnect(vm)
    return destination.connect(nic, portgroup)


def find_port(switches: list[StandardSwitch], vm: str) -> tuple[StandardSwitch, VirtualPort]:
    """Which switch (and so which host) a VM's vNIC is connected to."""
    for switch in switches:
        if switch.has_vm(vm):
            return switch, switch.port_of(vm)
    raise ValueError(f"{vm} is not connected to any of {[s.name for s in switches]}")
