"""Lab 01's panels: the VMkernel's CPU scheduler (shares, reservation, pCPUs) and transparent page sharing
(identical pages, salting). Each panel's logic is a pure function here; the widget only wires sliders to it."""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.models.vmkernel.binary_translation import BtRun
from vlab.models.vmkernel.cpu_sched import SchedResult, VmCpu, entitlement_mhz, schedule
from vlab.models.vmkernel.memory import Host, SharingStats, guest_vms

MHZ_PER_PCPU = 2000.0
PAGES_PER_VM = 256  # 1 MB of 4 KB pages per VM: small enough to rescan on every slider move
GROUP_SALT = "tenantA"


@dataclass(frozen=True)
class CpuView:
    settings: tuple[VmCpu, ...]
    entitled_mhz: dict[str, float]
    result: SchedResult


def cpu_view(vms: int = 4, vm1_shares: int = 1000, vm1_reservation_mhz: float = 0.0, pcpus: int = 2,
             seed: int = 0, duration_ms: float = 2000.0) -> CpuView:
    """vm1 with the given shares and reservation, the others at Normal (1000 shares), 1 busy vCPU each."""
    settings = tuple([VmCpu("vm1", shares=vm1_shares, reservation_mhz=vm1_reservation_mhz)]
                     + [VmCpu(f"vm{i}") for i in range(2, vms + 1)])
    return CpuView(settings, entitlement_mhz(list(settings), pcpus, MHZ_PER_PCPU),
                   schedule(list(settings), pcpus, mhz_per_pcpu=MHZ_PER_PCPU, duration_ms=duration_ms, seed=seed))


def cpu_rows(view: CpuView) -> list[dict[str, object]]:
    return [{"VM": vm.name, "shares": cfg.shares, "reservation MHz": round(cfg.reservation_mhz),
             "entitled MHz": round(view.entitled_mhz[vm.name]), "used MHz": round(vm.used_mhz),
             "% of host": round(100 * vm.host_fraction, 1), "ready ms": round(vm.ready_ms)}
            for cfg, vm in zip(view.settings, view.result.vms, strict=True)]


def cpu_figure(view: CpuView) -> go.Figure:
    names = [vm.name for vm in view.result.vms]
    fig = go.Figure([
        go.Bar(name="entitled (shares, reservation)", x=names, y=[view.entitled_mhz[n] for n in names]),
        go.Bar(name="used in the simulation", x=names, y=[vm.used_mhz for vm in view.result.vms]),
    ])
    fig.update_layout(barmode="group", height=300, yaxis_title="MHz", margin=dict(l=50, r=20, t=30, b=40),
                      legend=dict(orientation="h", y=1.15))
    return fig


@dataclass(frozen=True)
class TpsView:
    salting: int
    host: Host
    by_salting: dict[int, SharingStats]  # the same VMs and pages under salting 0, 1 and 2


def tps_view(vms: int = 4, identical_fraction: float = 0.4, salting: int = 2, group_salt: bool = False,
             seed: int = 0, pages_per_vm: int = PAGES_PER_VM) -> TpsView:
    """Seeded guests; with `group_salt`, vm1 and vm2 carry sched.mem.pshare.salt = "tenantA"."""
    salts = {"vm1": GROUP_SALT, "vm2": GROUP_SALT} if group_salt else None
    guests = guest_vms(vms, pages_per_vm, identical_fraction, seed=seed, salts=salts)
    by_salting = {}
    chosen = None
    for mode in (0, 1, 2):
        host = Host.boot(guests, mode, seed=seed)
        host.scan()
        by_salting[mode] = host.stats()
        if mode == salting:
            chosen = host
    if chosen is None:
        raise ValueError(f"Mem.ShareForceSalting is 0, 1 or 2, not {salting!r}")
    return TpsView(salting, chosen, by_salting)


def tps_rows(view: TpsView) -> list[dict[str, object]]:
    rows = []
    for name in view.host.pmap:
        private, shared = view.host.vm_machine_pages(name)
        rows.append({"VM": name, "salt": view.host.salts[name], "guest pages": private + shared,
                     "on private machine pages": private, "on shared machine pages": shared})
    return rows


def tps_figure(view: TpsView) -> go.Figure:
    modes = [f"salting {m}" for m in view.by_salting]
    stats = list(view.by_salting.values())
    colors = ["#1f77b4" if m == view.salting else "#aec7e8" for m in view.by_salting]
    fig = go.Figure([
        go.Bar(name="machine pages used", x=modes, y=[s.machine_pages for s in stats], marker_color=colors),
        go.Bar(name="pages saved by TPS", x=modes, y=[s.saved_pages for s in stats]),
    ])
    fig.update_layout(barmode="group", height=300, yaxis_title="4 KB pages", margin=dict(l=50, r=20, t=30, b=40),
                      legend=dict(orientation="h", y=1.15))
    return fig


def translation_cache_figure(run: BtRun) -> go.Figure:
    fig = go.Figure(go.Scatter(y=run.hit_rate_curve, mode="lines", name="TC hit rate"))
    fig.update_layout(height=280, xaxis_title="kernel blocks executed", yaxis_title="hit rate (cumulative)",
                      yaxis_range=[0, 1], margin=dict(l=50, r=20, t=30, b=40))
    return fig


def rows_html(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "<p>(no rows)</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _refresh(figure: go.FigureWidget, fresh: go.Figure) -> None:
    with figure.batch_update():
        for trace, new in zip(figure.data, fresh.data, strict=True):
            trace.x, trace.y = new.x, new.y
            if getattr(new, "marker", None) is not None and new.marker.color is not None:
                trace.marker.color = new.marker.color


class CpuSchedPanel(widgets.VBox):
    """Sliders: VMs, vm1's shares and reservation, pCPUs. Out: entitled vs used MHz, and a table."""

    def __init__(self, vms: int = 4, vm1_shares: int = 1000, vm1_reservation_mhz: int = 0, pcpus: int = 2,
                 seed: int = 0) -> None:
        style = {"description_width": "14em"}
        self.seed = seed
        self.vms = widgets.IntSlider(vms, 1, 12, description="VMs (1 vCPU each)", style=style)
        self.shares = widgets.IntSlider(vm1_shares, 100, 8000, step=100, description="vm1 shares", style=style)
        self.reservation = widgets.IntSlider(vm1_reservation_mhz, 0, int(MHZ_PER_PCPU), step=100,
                                             description="vm1 reservation (MHz)", style=style)
        self.pcpus = widgets.IntSlider(pcpus, 1, 8, description="physical CPUs (2000 MHz)", style=style)
        self.message = widgets.HTML()
        self.view = self.compute()
        self.figure = go.FigureWidget(cpu_figure(self.view))
        self.table = widgets.HTML(rows_html(cpu_rows(self.view)))
        for control in (self.vms, self.shares, self.reservation, self.pcpus):
            control.observe(self._update, names="value")
        super().__init__([self.vms, self.shares, self.reservation, self.pcpus, self.message, self.figure,
                          self.table])

    def compute(self) -> CpuView:
        return cpu_view(self.vms.value, self.shares.value, self.reservation.value, self.pcpus.value, self.seed)

    def _update(self, _change=None) -> None:
        try:
            view = self.compute()
        except ValueError as err:
            self.message.value = f"<b>Not possible:</b> {html.escape(str(err))}"
            return
        self.message.value = ""
        self.view = view
        _refresh(self.figure, cpu_figure(view))
        self.table.value = rows_html(cpu_rows(view))


class PageSharingPanel(widgets.VBox):
    """Sliders: VMs, identical-page fraction, Mem.ShareForceSalting, a common salt for vm1 and vm2."""

    def __init__(self, vms: int = 4, identical_fraction: float = 0.4, salting: int = 2, group_salt: bool = False,
                 seed: int = 0) -> None:
        style = {"description_width": "14em"}
        self.seed = seed
        self.vms = widgets.IntSlider(vms, 1, 8, description="VMs", style=style)
        self.fraction = widgets.FloatSlider(identical_fraction, min=0.0, max=1.0, step=0.05,
                                            description="identical-page fraction", style=style)
        self.salting = widgets.IntSlider(salting, 0, 2, description="Mem.ShareForceSalting", style=style)
        self.group_salt = widgets.Checkbox(group_salt, description='vm1, vm2: pshare.salt = "tenantA"',
                                           indent=False, layout=widgets.Layout(width="auto"))
        self.view = self.compute()
        self.figure = go.FigureWidget(tps_figure(self.view))
        self.table = widgets.HTML(rows_html(tps_rows(self.view)))
        for control in (self.vms, self.fraction, self.salting, self.group_salt):
            control.observe(self._update, names="value")
        super().__init__([self.vms, self.fraction, self.salting, self.group_salt, self.figure, self.table])

    def compute(self) -> TpsView:
        return tps_view(self.vms.value, self.fraction.value, self.salting.value, self.group_salt.value, self.seed)

    def _update(self, _change=None) -> None:
        self.view = self.compute()
        _refresh(self.figure, tps_figure(self.view))
        self.table.value = rows_html(tps_rows(self.view))


def mapping_lines(host: Host, pages: int = 6) -> list[str]:
    """Each VM's first `pages` guest virtual pages through both mappings, with the machine page's users."""
    users: dict[int, int] = {}
    for pmap in host.pmap.values():
        for mpn in pmap:
            users[mpn] = users.get(mpn, 0) + 1
    lines = ["VM    GVPN -> GPPN -> MPN  (guest pages on that MPN)"]
    for name in host.pmap:
        for gvpn in range(min(pages, len(host.guest_page_table[name]))):
            gppn, mpn = host.translate(name, gvpn)
            lines.append(f"{name:5} {gvpn:4} -> {gppn:4} -> {mpn:3}  ({users[mpn]})")
    return lines
