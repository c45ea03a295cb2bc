"""Lab 02's panel: one host, four VMs, seven frames; pick the VLAN tagging mode and the security policy
and see who received each frame, with which tag, and why the others did not.

The logic is pure (`build_host`, `run_scenario`, `scenario_frame`, `delivery_figure`); the widget only wires
drop-downs to it.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from vlab.models.network.vswitch import (
    BROADCAST_MAC,
    VLAN_NONE,
    VLAN_TRUNK,
    Frame,
    SecurityPolicy,
    SendResult,
    StandardSwitch,
    VirtualNic,
    find_port,
)

MODES = ("VST", "EST", "VGT")
# vm -> (tier, MAC granted in its .vmx); web and app are the web tier, db the database tier
VMS = {"web01": ("web", "00:50:56:00:01:01"), "app01": ("web", "00:50:56:00:01:02"),
       "db01": ("db", "00:50:56:00:01:03"), "ids01": ("web", "00:50:56:00:01:04")}
ROUTER_MAC = "00:1b:54:00:00:fe"  # the physical router's MAC, outside the host
UNKNOWN_MAC = "00:1b:54:00:00:99"  # a MAC no VM has


@dataclass(frozen=True)
class FrameSpec:
    label: str
    sender: str  # a VM, or "uplink"
    src: str  # a VM name (its granted MAC), or a MAC address
    dst: str  # a VM name, "broadcast", or a MAC address
    tag_vlan_of: str = ""  # VGT guests and the physical network tag with this tier's VLAN ("" = own tier)


FRAMES = (
    FrameSpec("1 web01 → app01 (same VLAN)", "web01", "web01", "app01"),
    FrameSpec("2 web01 → db01 (other VLAN)", "web01", "web01", "db01"),
    FrameSpec("3 web01 ARP broadcast", "web01", "web01", "broadcast"),
    FrameSpec("4 app01 forges db01's MAC", "app01", "db01", "web01"),
    FrameSpec("5 router → db01 (from uplink)", "uplink", ROUTER_MAC, "db01", "db"),
    FrameSpec("6 web01 tags db VLAN → db01", "web01", "web01", "db01", "db"),
    FrameSpec("7 uplink → unknown MAC", "uplink", ROUTER_MAC, UNKNOWN_MAC, "web"),
)


def _check_vlans(vlan_web: int, vlan_db: int) -> None:
    for name, vlan in (("web VLAN", vlan_web), ("db VLAN", vlan_db)):
        if not 1 <= vlan <= 4094:
            raise ValueError(f"{name} {vlan} must be 1-4094 (0 and 4095 are not VLANs a frame can carry)")
    if vlan_web == vlan_db:
        raise ValueError("give the web and db tiers different VLANs, or there is nothing to isolate")


def build_host(mode: str, vlan_web: int = 10, vlan_db: int = 20,
               policy: SecurityPolicy | None = None) -> list[StandardSwitch]:
    """esx01's switches in one tagging mode; ids01's guest has put its NIC in promiscuous mode.

    VST: one switch, two teamed uplinks on a trunk, port groups with VLAN IDs. EST: one switch per VLAN, each
    with its own NIC on an access port (port groups VLAN 0): the design the notes' "one switch per NIC"
    describes. VGT: one switch, one port group with VLAN 4095, the guests tag their own frames."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    _check_vlans(vlan_web, vlan_db)
    policy = policy or SecurityPolicy()
    if mode == "EST":
        switches = [StandardSwitch("vSwitch1", uplinks=("vmnic1",), policy=policy),
                    StandardSwitch("vSwitch2", uplinks=("vmnic2",), policy=policy)]
        switches[0].add_port_group("Web", VLAN_NONE)
        switches[1].add_port_group("DB", VLAN_NONE)
        place = {"web": (switches[0], "Web"), "db": (switches[1], "DB")}
    else:
        sw = StandardSwitch("vSwitch0", uplinks=("vmnic0", "vmnic1"), policy=policy)
        switches = [sw]
        if mode == "VST":
            sw.add_port_group("Web", vlan_web)
            sw.add_port_group("DB", vlan_db)
            place = {"web": (sw, "Web"), "db": (sw, "DB")}
        else:
            sw.add_port_group("Trunk", VLAN_TRUNK)
            place = {"web": (sw, "Trunk"), "db": (sw, "Trunk")}
    for vm, (tier, mac) in VMS.items():
        switch, pg = place[tier]
        switch.connect(VirtualNic(vm, mac, promiscuous_requested=(vm == "ids01")), pg)
    return switches


def scenario_frame(spec: FrameSpec, mode: str, vlan_web: int, vlan_db: int) -> Frame:
    vlans = {"web": vlan_web, "db": vlan_db}
    mac = {vm: m for vm, (_, m) in VMS.items()}
    src = mac.get(spec.src, spec.src)
    dst = BROADCAST_MAC if spec.dst == "broadcast" else mac.get(spec.dst, spec.dst)
    tier = spec.tag_vlan_of or (VMS[spec.sender][0] if spec.sender in VMS else "web")
    if spec.sender == "uplink":
        tag = None if mode == "EST" else vlans[tier]  # an EST access port has removed the tag already
    elif mode == "VGT" or spec.tag_vlan_of:
        tag = vlans[tier]  # the guest tags (in VST/EST this is the crossing attempt)
    else:
        tag = None
    return Frame(src, dst, 100, tag, spec.label)


def _send(switches: list[StandardSwitch], spec: FrameSpec, frame: Frame) -> SendResult:
    if spec.sender == "uplink":
        target = spec.dst if spec.dst in VMS else "web01"
        switch, _ = find_port(switches, target)
        return switch.receive_from_uplink(switch.uplinks[0], frame)
    switch, _ = find_port(switches, spec.sender)
    return switch.send_from_vm(spec.sender, frame)


def run_scenario(mode: str = "VST", vlan_web: int = 10, vlan_db: int = 20,
                 policy: SecurityPolicy | None = None) -> tuple[list[SendResult], list[StandardSwitch]]:
    """Send the seven frames of the scenario through a freshly built host."""
    switches = build_host(mode, vlan_web, vlan_db, policy)
    results = [_send(switches, spec, scenario_frame(spec, mode, vlan_web, vlan_db)) for spec in FRAMES]
    return results, switches


def _tag(tag: int | None) -> str:
    return "untagged" if tag is None else f"tag {tag}"


def results_frame(results: list[SendResult]) -> pd.DataFrame:
    """One row per frame: where it came in, its VLAN, who got a copy (with tag) and what was dropped."""
    rows = []
    for r in results:
        rows.append({
            "frame": r.frame.label,
            "VLAN": "-" if r.vlan is None else (r.vlan or "none"),
            "received by": "; ".join(f"{d.to} ({_tag(d.tag)}, {d.reason})" for d in r.deliveries) or "-",
            "dropped": "; ".join(f"{d.to}: {d.reason}" for d in r.drops) or "-",
            "bytes copied": r.bytes_copied,
        })
    return pd.DataFrame(rows)


def delivery_figure(results: list[SendResult]) -> go.Figure:
    """A grid, frames x receivers: green = a copy delivered (text: its tag), red = dropped there
    (the "switch" column: refused on the way in, or a destination that is not on the switch)."""
    columns = list(VMS) + ["uplink", "switch"]
    z, text = [], []
    for r in results:
        row, labels = [0] * len(columns), [""] * len(columns)
        for d in r.deliveries:
            i = columns.index("uplink" if d.to.startswith("uplink:") else d.to)
            row[i], labels[i] = 1, _tag(d.tag)
        for d in r.drops:
            i = columns.index(d.to if d.to in VMS else "switch")  # refused, or no such MAC here
            if row[i] == 0:
                row[i], labels[i] = -1, "dropped"
        z.append(row)
        text.append(labels)
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=[r.frame.label for r in results], text=text, texttemplate="%{text}",
        zmin=-1, zmax=1, showscale=False,
        colorscale=[[0, "#e57373"], [0.5, "#f5f5f5"], [1, "#81c784"]]))
    fig.update_layout(height=330, margin=dict(l=220, r=20, t=30, b=40), yaxis=dict(autorange="reversed"),
                      title="who received each frame (green) and where it was dropped (red)")
    return fig


def counters_text(switches: list[StandardSwitch]) -> str:
    parts = []
    for s in switches:
        c = s.counters
        parts.append(f"{s.name}: {c.frames_in} in = {c.frames_delivered} delivered + {c.frames_dropped} "
                     f"dropped; {c.copies_to_vms} copies to VMs, {c.copies_to_uplinks} to uplinks, "
                     f"{c.bytes_copied} bytes copied")
    return " | ".join(parts)


def _accept(value: str) -> bool:
    return value == "Accept"


class VSwitchPanel(widgets.VBox):
    """Drop-downs for tagging mode, VLANs and the three policies; a delivery grid and a table out."""

    def __init__(self, mode: str = "VST", vlan_web: int = 10, vlan_db: int = 20,
                 policy: SecurityPolicy | None = None) -> None:
        policy = policy or SecurityPolicy()
        style = {"description_width": "11em"}

        def choice(desc: str, accept: bool) -> widgets.Dropdown:
            return widgets.Dropdown(options=["Accept", "Reject"], value="Accept" if accept else "Reject",
                                    description=desc, style=style)

        self.mode = widgets.Dropdown(options=MODES, value=mode, description="tagging mode", style=style)
        self.vlan_web = widgets.BoundedIntText(vlan_web, min=1, max=4094, description="web VLAN", style=style)
        self.vlan_db = widgets.BoundedIntText(vlan_db, min=1, max=4094, description="db VLAN", style=style)
        self.promiscuous = choice("promiscuous mode", policy.promiscuous)
        self.mac_changes = choice("MAC address changes", policy.mac_changes)
        self.forged = choice("forged transmits", policy.forged_transmits)
        self.message = widgets.HTML()
        self.figure = go.FigureWidget(go.Figure())
        self.table = widgets.HTML()
        controls = (self.mode, self.vlan_web, self.vlan_db, self.promiscuous, self.mac_changes, self.forged)
        for control in controls:
            control.observe(self._update, names="value")
        self._update()
        super().__init__([widgets.HBox([widgets.VBox(controls[:3]), widgets.VBox(controls[3:])]),
                          self.message, self.figure, self.table])

    def policy(self) -> SecurityPolicy:
        return SecurityPolicy(_accept(self.promiscuous.value), _accept(self.mac_changes.value),
                              _accept(self.forged.value))

    def _update(self, _change=None) -> None:
        try:
            results, switches = run_scenario(self.mode.value, self.vlan_web.value, self.vlan_db.value,
                                             self.policy())
        except ValueError as err:
            self.message.value = f"<b>Change the settings:</b> {err}"
            self.figure.data = ()  # the last setting's grid and table would pass for this one's
            self.table.value = ""
            return
        fresh = delivery_figure(results)
        if not self.figure.data:
            self.figure.add_trace(fresh.data[0])
            self.figure.layout = fresh.layout
        else:  # frames and columns never change: only the cells do
            with self.figure.batch_update():
                self.figure.data[0].z, self.figure.data[0].text = fresh.data[0].z, fresh.data[0].text
        self.message.value = counters_text(switches)
        self.table.value = results_frame(results).to_html(index=False)
