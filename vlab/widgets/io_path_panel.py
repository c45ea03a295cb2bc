"""Lab 03's I/O-path panel: a few VMs on one host share a VMFS LUN; where does a command's time go?

What it shows, in ESX's terms: a guest issues SCSI commands to its virtual adapter (LSI Logic or
PVSCSI), the VMM hands them to the VMkernel, which maps the virtual disk's blocks onto the VMFS
volume and queues the commands per LUN; the HBA sends them over the Fibre Channel fabric to the
array. esxtop splits the guest's latency GAVG into KAVG (time in the VMkernel, mostly the LUN
queue) and DAVG (HBA to array and back). When several VMs share the LUN, the VMkernel lets at most
Disk.SchedNumReqOutstanding (DSNRO) of their commands through and serves the waiting VMs in turn,
so one VM with many outstanding I/Os (a noisy neighbour) cannot hold every slot.

The numbers come from `vlab.models.storage.simulation.simulate` (see its docstring for what the model
imitates and leaves out: CPU time in the VMM and VMkernel is not modelled, so the vSCSI stage costs
0 ms here). Per-VM latency is not measured directly: in a closed loop Little's law gives it
exactly, GAVG of a VM = its outstanding commands / its IOPS.

Pure functions (tested without a browser): `run_shared_lun`, `vm_rows`, `latency_parts`,
`path_stages`, `path_figure`, `fairness_figure`, `expected_conflicts_per_s`, `reservation_points`,
`reservation_figure`, `guest_and_host_view`. The widget `IoPathPanel` only wires sliders to them.
CSS classes: vlab-io-path-panel, vlab-io-path-table, vlab-io-path-plot.
"""
from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vlab.models.storage.simulation import StorageResult, simulate

PLOTLY_MIME = "application/vnd.plotly.v1+json"
VM_NAMES = ("db01", "app01", "web01", "web02", "web03", "mail01")
COLOURS = {"kavg": "#cf222e", "array": "#bf8700", "device": "#0969da", "iops": "#1a7f37",
           "noisy": "#8250df", "quiet": "#0969da"}
MAX_PANEL_VMS = 6


@dataclass(frozen=True)
class SharedLun:
    """One host whose VMs keep commands in flight to one VMFS LUN (IOmeter style).

    ``outstanding`` has one entry per VM (the first is the noisy neighbour, db01). ``hosts`` > 1
    repeats the same VM mix on more hosts sharing the LUN.
    """

    outstanding: tuple[int, ...] = (32, 4, 4, 4)
    dsnro: int = 32  # Disk.SchedNumReqOutstanding: slots all VMs on the host share (2+ VMs)
    queue_depth: int = 32  # HBA LUN queue depth per host
    spindles: int = 16
    hosts: int = 1
    metadata_ops_per_s: float = 0.0  # per host: snapshots, power-ons, growing files
    read_fraction: float = 0.7
    raid: int = 5
    block_kb: float = 8.0
    link_gbps: float = 2.0
    ios: int = 2500
    seed: int = 1
    names: tuple[str, ...] = field(default=VM_NAMES)

    def vm_names(self) -> tuple[str, ...]:
        if len(self.outstanding) > len(self.names):
            raise ValueError(f"give at most {len(self.names)} VMs (or more names)")
        return self.names[: len(self.outstanding)]


def run_shared_lun(lun: SharedLun) -> StorageResult:
    """Simulate the design (seeded); ValueError naming what to change for a bad design."""
    if not lun.outstanding:
        raise ValueError("give at least one VM: outstanding=(32, 4, ...) commands per VM")
    lun.vm_names()
    return simulate(hosts=lun.hosts, vms_per_host=len(lun.outstanding),
                    outstanding_per_vm=list(lun.outstanding) * lun.hosts, dsnro=lun.dsnro,
                    queue_depth=lun.queue_depth, spindles=lun.spindles, raid=lun.raid,
                    read_fraction=lun.read_fraction, block_kb=lun.block_kb,
                    link_gbps=lun.link_gbps, metadata_ops_per_s=lun.metadata_ops_per_s,
                    ios=lun.ios, seed=lun.seed)


@dataclass(frozen=True)
class VmRow:
    """One VM on the first host: what it asks for and what it gets."""

    name: str
    outstanding: int
    iops: float
    share: float  # of the host's IOPS
    gavg_ms: float  # Little's law: outstanding / IOPS


def vm_rows(lun: SharedLun, result: StorageResult) -> list[VmRow]:
    """Per-VM IOPS, share of the host's IOPS and latency (Little's law) for the first host."""
    n = len(lun.outstanding)
    iops = result.iops_per_vm[:n]
    total = sum(iops)
    return [VmRow(name, out, x, x / total, out / x * 1000)
            for name, out, x in zip(lun.vm_names(), lun.outstanding, iops, strict=True)]


def latency_parts(result: StorageResult) -> dict[str, float]:
    """GAVG split into where the time goes (ms); the parts add up to GAVG."""
    return {"KAVG: VMkernel LUN queue": result.kavg_ms,
            "DAVG: waiting for the array's LUN queue": result.array_wait_ms,
            "DAVG: link, cache and spindles": result.davg_ms - result.array_wait_ms}


@dataclass(frozen=True)
class Stage:
    """One hop of the path, what it knows about the disk, and the time the model gives it."""

    name: str
    knows: str
    ms: float
    counter: str  # the esxtop counter this time shows up in


def path_stages(result: StorageResult, adapter: str = "LSI Logic") -> list[Stage]:
    """The I/O path from the guest to the spindles with the mean time spent at each hop."""
    parts = list(latency_parts(result).values())
    return [
        Stage("guest OS driver", f"its {adapter} controller and disk 0:0; no WWN, no LUN", 0.0,
              "(inside GAVG)"),
        Stage("VMM: virtual SCSI device", "turns the command into I/O on a virtual disk file",
              0.0, "(CPU, not modelled)"),
        Stage("VMkernel: VMFS + LUN queue", "file block -> LUN block; DSNRO, queue depth",
              parts[0], "KAVG"),
        Stage("HBA, FC fabric, array port", "WWPN, zoning, LUN masking, the array's LUN queue",
              parts[1], "DAVG"),
        Stage("array: cache and spindles", "RAID group, cache, seek and rotation", parts[2],
              "DAVG"),
    ]


def path_figure(result: StorageResult, adapter: str = "LSI Logic") -> go.Figure:
    """One stacked bar per hop of the path (ms per command); the stack's length is GAVG."""
    stages = path_stages(result, adapter)
    colours = ("#8c959f", "#8c959f", COLOURS["kavg"], COLOURS["array"], COLOURS["device"])
    fig = go.Figure()
    for stage, colour in zip(stages, colours, strict=True):
        fig.add_bar(y=["one command"], x=[stage.ms], orientation="h", name=stage.name,
                    marker_color=colour, hovertemplate=(f"{stage.name}: %{{x:.2f}} ms "
                                                        f"({stage.counter})<extra></extra>"))
    fig.add_annotation(y="one command", x=result.gavg_ms, text=f" GAVG {result.gavg_ms:.1f} ms",
                       xanchor="left", showarrow=False)
    fig.update_layout(barmode="stack", height=190, title_font_size=13,
                      title=(f"Where the time goes: KAVG {result.kavg_ms:.1f} ms + DAVG "
                             f"{result.davg_ms:.1f} ms = GAVG {result.gavg_ms:.1f} ms"),
                      xaxis_title="ms per command", legend_orientation="h", legend_y=-0.6,
                      margin={"t": 40, "l": 90, "r": 90, "b": 40})
    return fig


def fairness_figure(rows: Sequence[VmRow]) -> go.Figure:
    """Per-VM IOPS (left) and per-VM GAVG (right): does the noisy neighbour starve the others?"""
    if not rows:
        raise ValueError("fairness_figure needs at least one VM row")
    names = [r.name for r in rows]
    colours = [COLOURS["noisy"]] + [COLOURS["quiet"]] * (len(rows) - 1)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("IOPS per VM", "GAVG per VM (ms)"))
    fig.add_bar(x=names, y=[r.iops for r in rows], marker_color=colours, row=1, col=1,
                text=[f"{r.outstanding} out" for r in rows], showlegend=False,
                hovertemplate="%{x}: %{y:.0f} IOPS<extra></extra>")
    fig.add_bar(x=names, y=[r.gavg_ms for r in rows], marker_color=colours, row=1, col=2,
                showlegend=False, hovertemplate="%{x}: %{y:.1f} ms<extra></extra>")
    fig.update_layout(height=300, title_font_size=13, margin={"t": 60, "l": 50, "r": 20, "b": 40},
                      title="Sharing one LUN: IOPS and latency per VM (first bar: the noisy one)")
    return fig


def expected_conflicts_per_s(hosts: int, metadata_ops_per_s: float, iops: float,
                             reservation_ms: float = 0.3) -> float:
    """Reservation conflicts per second that theory predicts for light locking.

    Each of `hosts` hosts reserves the LUN `metadata_ops_per_s` times a second for
    `reservation_ms`; a command from one of the other hosts - (hosts-1)/hosts of the `iops` -
    arriving inside such a window is answered BUSY. So CONS/s ~ iops x (hosts-1) x rate x hold.
    """
    if hosts < 1 or metadata_ops_per_s < 0 or iops < 0 or reservation_ms <= 0:
        raise ValueError("hosts >= 1, metadata_ops_per_s >= 0, iops >= 0, reservation_ms > 0")
    return iops * (hosts - 1) * metadata_ops_per_s * reservation_ms / 1000


@dataclass(frozen=True)
class ReservationPoint:
    """Reservation conflicts for one number of hosts at one metadata rate."""

    hosts: int
    metadata_ops_per_s: float
    cons_per_s: float
    expected_cons_per_s: float
    iops: float
    p99_ms: float


def reservation_points(hosts: Sequence[int], metadata_ops_per_s: float, *, vms_per_host: int = 2,
                       outstanding_per_vm: int = 4, spindles: int = 64, ios: int = 6000,
                       seed: int = 1) -> list[ReservationPoint]:
    """Simulated CONS/s against hosts sharing one VMFS LUN, next to `expected_conflicts_per_s`."""
    points = []
    for h in hosts:
        r = simulate(hosts=h, vms_per_host=vms_per_host, outstanding_per_vm=outstanding_per_vm,
                     spindles=spindles, metadata_ops_per_s=metadata_ops_per_s, ios=ios,
                     seed=seed)
        points.append(ReservationPoint(h, metadata_ops_per_s, r.cons_per_s,
                                       expected_conflicts_per_s(h, metadata_ops_per_s, r.iops),
                                       r.iops, r.p99_ms))
    return points


def reservation_figure(by_rate: dict[float, Sequence[ReservationPoint]]) -> go.Figure:
    """CONS/s against hosts on the LUN: simulated (markers) and theory (dashed), one colour per rate."""
    fig = go.Figure()
    for i, (rate, points) in enumerate(sorted(by_rate.items())):
        colour = f"hsl({210 - 70 * i}, 70%, 45%)"
        xs = [p.hosts for p in points]
        fig.add_scatter(x=xs, y=[p.cons_per_s for p in points], mode="markers+lines",
                        line_color=colour, name=f"{rate:g} metadata ops/s per host (simulated)")
        fig.add_scatter(x=xs, y=[p.expected_cons_per_s for p in points], mode="lines",
                        line_color=colour, line_dash="dash", name=f"{rate:g}/s: theory")
    fig.update_layout(title="SCSI reservations: conflicts grow with hosts and metadata rate",
                      xaxis_title="ESX hosts sharing the VMFS LUN", yaxis_title="CONS/s",
                      height=330, title_font_size=13, legend_orientation="h", legend_y=-0.3,
                      margin={"t": 40, "l": 60, "r": 20, "b": 40})
    return fig


ADAPTERS = {
    # scsi0.virtualDev -> (what the guest's device manager / lspci shows, driver the guest loads)
    "lsilogic": ("LSI Logic 53C1030 (Fusion-MPT) parallel SCSI", "mptspi / lsi_scsi"),
    "lsisas1068": ("LSI Logic SAS 1068", "mptsas / lsi_sas"),
    "pvscsi": ("VMware PVSCSI (paravirtual)", "vmw_pvscsi / pvscsi"),
    "buslogic": ("BusLogic BT-958", "BusLogic"),
}


def guest_and_host_view(virtual_dev: str = "lsisas1068", disk_gb: int = 40,
                        wwpn: str = "21:00:00:1b:32:0a:4e:71",
                        naa: str = "naa.600601604d2a1e00c6b8e4c6d0f3e011",
                        lun: int = 7) -> list[dict[str, str]]:
    """The same disk seen from inside the guest and from the ESX host, item by item.

    The guest's column is what a virtual SCSI adapter presents (vendor "VMware", model
    "Virtual disk"); the host's column is what the VMkernel knows about the SAN. Identifiers are
    examples in the right format.
    """
    if virtual_dev not in ADAPTERS:
        raise ValueError(f"virtual_dev must be one of {sorted(ADAPTERS)}, got {virtual_dev!r}")
    controller, driver = ADAPTERS[virtual_dev]
    return [
        {"item": "controller", "guest sees": f"{controller}, driver {driver}",
         "host sees": "vmhba1: QLogic FC HBA, 2 Gbps, queue depth 32 per LUN"},
        {"item": "disk", "guest sees": f'SCSI 0:0, vendor "VMware", model "Virtual disk", '
                                       f"{disk_gb} GB",
         "host sees": f"/vmfs/volumes/vmfs-prod/web01/web01.vmdk (scsi0:0.fileName), "
                      f"{disk_gb} GB of a 500 GB VMFS volume"},
        {"item": "Fibre Channel identity", "guest sees": "none: no WWN, no fabric, no zoning",
         "host sees": f"WWPN {wwpn}; the array masks LUNs by this name"},
        {"item": "LUN", "guest sees": "none: the disk is target 0, LUN 0 of its own virtual bus",
         "host sees": f"vmhba1:C0:T0:L{lun}, device {naa}"},
        {"item": "other VMs' disks", "guest sees": "invisible",
         "host sees": "db01, app01, web02 have their own .vmdk files on the same LUN"},
        {"item": "multipathing", "guest sees": "one path, always up",
         "host sees": "2 paths (vmhba1, vmhba2); the VMkernel fails over between them"},
        {"item": "queueing", "guest sees": "its own adapter's queue only",
         "host sees": "one queue per LUN shared by all VMs (DSNRO), KAVG and DAVG in esxtop"},
    ]


def _figure_output(fig: go.Figure, text: str) -> dict:
    return {"output_type": "display_data",
            "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                     "text/plain": text},
            "metadata": {}}


def _slider(value: int, low: int, high: int, label: str) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=low, max=high, step=1, description=label,
                             continuous_update=False, style={"description_width": "11em"},
                             layout=widgets.Layout(width="360px"))


class IoPathPanel(widgets.VBox):
    """Sliders for a host's VMs on one LUN; per-VM table, path bar and fairness plots out.

    `.lun` (the SharedLun), `.result`, `.rows` hold the last recompute; `.error` the message of a
    refused one. Every slider recomputes when released (continuous_update=False).
    """

    def __init__(self, lun: SharedLun = SharedLun()) -> None:
        self.base = lun
        others = lun.outstanding[1] if len(lun.outstanding) > 1 else 4
        self.sliders = {
            "vms": _slider(len(lun.outstanding), 2, MAX_PANEL_VMS, "VMs on the LUN"),
            "noisy": _slider(lun.outstanding[0], 1, 64, "db01 outstanding I/O"),
            "others": _slider(others, 1, 16, "each other VM"),
            "dsnro": _slider(lun.dsnro, 1, 64, "DSNRO"),
            "queue_depth": _slider(lun.queue_depth, 1, 64, "LUN queue depth"),
            "spindles": _slider(lun.spindles, 2, 64, "spindles"),
        }
        self.status = widgets.HTML("")
        self.table = widgets.HTML("")
        self.table.add_class("vlab-io-path-table")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-io-path-plot")
        for s in self.sliders.values():
            s.observe(lambda _c: self.refresh(), names="value")
        names = list(self.sliders)
        columns = [widgets.VBox([self.sliders[n] for n in names[i::2]]) for i in range(2)]
        super().__init__([widgets.HBox(columns), self.status, self.table, self.plot])
        self.add_class("vlab-io-path-panel")
        self.result: StorageResult | None = None
        self.rows: list[VmRow] = []
        self.error = ""
        self.refresh()

    def current_lun(self) -> SharedLun:
        v = {k: s.value for k, s in self.sliders.items()}
        outstanding = (v["noisy"],) + (v["others"],) * (v["vms"] - 1)
        return SharedLun(outstanding=outstanding, dsnro=v["dsnro"], queue_depth=v["queue_depth"],
                         spindles=v["spindles"], hosts=self.base.hosts, ios=self.base.ios,
                         seed=self.base.seed)

    def refresh(self) -> None:
        """Simulate the sliders' design and redraw."""
        self.lun = self.current_lun()
        try:
            self.result = run_shared_lun(self.lun)
        except ValueError as err:
            self.error = str(err)
            self.status.value = f"<p>⚠ {html.escape(self.error)}</p>"
            return
        self.error = ""
        r = self.result
        self.rows = vm_rows(self.lun, r)
        limit = r.host_limit
        self.status.value = (
            f"<p>{sum(self.lun.outstanding)} commands in flight; the VMkernel lets <b>{limit}</b> "
            f"through to the LUN (min(DSNRO, queue depth) with 2+ VMs). <b>{r.iops:,.0f} IOPS</b>, "
            f"GAVG <b>{r.gavg_ms:.1f} ms</b> = KAVG {r.kavg_ms:.1f} + DAVG {r.davg_ms:.1f}.</p>")
        head = "<tr><th>VM</th><th>outstanding</th><th>IOPS</th><th>share</th><th>GAVG ms</th></tr>"
        body = "".join(f"<tr><td>{x.name}</td><td>{x.outstanding}</td><td>{x.iops:,.0f}</td>"
                       f"<td>{x.share:.0%}</td><td>{x.gavg_ms:.1f}</td></tr>" for x in self.rows)
        self.table.value = f"<table>{head}{body}</table>"
        self.path = path_figure(r)
        self.fairness = fairness_figure(self.rows)
        self.plot.outputs = (
            _figure_output(self.path, f"GAVG {r.gavg_ms:.1f} ms"),
            _figure_output(self.fairness, ", ".join(f"{x.name} {x.iops:.0f} IOPS"
                                                    for x in self.rows)),
        )


__all__ = [
    "ADAPTERS",
    "IoPathPanel",
    "ReservationPoint",
    "SharedLun",
    "Stage",
    "VmRow",
    "expected_conflicts_per_s",
    "fairness_figure",
    "guest_and_host_view",
    "latency_parts",
    "path_figure",
    "path_stages",
    "reservation_figure",
    "reservation_points",
    "run_shared_lun",
    "vm_rows",
]
