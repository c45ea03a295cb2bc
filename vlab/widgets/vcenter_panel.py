"""Lab 04's panel: a vCenter cluster under DRS and HA. Sliders (hosts, VMs, DRS migration threshold,
which host fails, HA admission control) -> host load before and after DRS and after the failure, and
a table of the vMotions, restarts and refusals. `cluster_view` is the pure function behind it."""
from __future__ import annotations

import html
from dataclasses import dataclass, replace

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.models.vcenter.drs import DrsResult, balance
from vlab.models.vcenter.ha import FailoverResult, HaPolicy, PowerOnResult, fail_host, power_on_all
from vlab.models.vcenter.inventory import Cluster, make_cluster

HOST_CPU_MHZ = 4000.0  # a small host, so a few VMs already contend
RESERVATION_SHARE = 0.7  # each VM reserves 70 % of its demand
SKEW = 0.4  # share of the VMs piled on esx01 at the start


@dataclass(frozen=True)
class ClusterView:
    start: Cluster
    powered: PowerOnResult
    drs: DrsResult
    failover: FailoverResult | None


def panel_cluster(hosts: int, vms: int, seed: int = 0) -> Cluster:
    """The panel's cluster: seeded VMs piled on esx01, each reserving 70 % of its demand."""
    c = make_cluster(hosts, vms, seed=seed, host_cpu_mhz=HOST_CPU_MHZ, skew=SKEW)
    return replace(c, vms=tuple(replace(v, cpu_reservation_mhz=round(RESERVATION_SHARE * v.demand_mhz))
                                for v in c.vms))


def cluster_view(hosts: int = 4, vms: int = 16, threshold: int = 3, failed_host: int = 0,
                 admission_control: bool = True, seed: int = 0) -> ClusterView:
    """Power on through HA admission control, let DRS balance, then fail host number failed_host (0: none)."""
    if not 0 <= failed_host <= hosts:
        raise ValueError(f"failed host must be 0 (none) to {hosts}")
    start = panel_cluster(hosts, vms, seed)
    policy = HaPolicy("host_failures", 1) if admission_control else HaPolicy("none")
    powered = power_on_all(start, policy)
    drs = balance(powered.cluster, threshold=threshold)
    failover = fail_host(drs.after, start.hosts[failed_host - 1].name) if failed_host else None
    return ClusterView(start, powered, drs, failover)


def loads(cluster: Cluster, names: list[str]) -> list[float]:
    present = {h.name for h in cluster.hosts}
    return [round(100 * cluster.load(n), 1) if n in present else 0.0 for n in names]


def view_figure(view: ClusterView) -> go.Figure:
    names = [h.name for h in view.start.hosts]
    after_fail = loads(view.failover.after, names) if view.failover else [0.0] * len(names)
    fig = go.Figure([
        go.Bar(name="before DRS", x=names, y=loads(view.drs.before, names)),
        go.Bar(name="after DRS vMotions", x=names, y=loads(view.drs.after, names)),
        go.Bar(name="after the host failure and HA restarts", x=names, y=after_fail),
    ])
    fig.update_layout(barmode="group", height=320, yaxis_title="CPU load (% of host MHz)",
                      margin=dict(l=50, r=20, t=30, b=40), legend=dict(orientation="h", y=1.15))
    return fig


def view_rows(view: ClusterView) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"event": "refused at power-on", "VM": vm, "from": "", "to": "", "detail": why}
        for vm, why in view.powered.refused]
    rows += [{"event": "DRS vMotion", "VM": m.vm, "from": m.source, "to": m.target,
              "detail": f"imbalance {m.imbalance_before:.3f} -> {m.imbalance_after:.3f}"}
             for m in view.drs.migrations]
    if view.failover:
        rows += [{"event": "HA restart" if r.target else "NOT restarted", "VM": r.vm,
                  "from": view.failover.failed_host, "to": r.target or "", "detail": r.reason}
                 for r in view.failover.restarts]
    return rows


def target_text(drs: DrsResult) -> str:
    """The threshold's target, or why there is none (level 1 makes mandatory moves only)."""
    if drs.target_stddev is None:
        return "mandatory moves only, no load balancing"
    return f"target {drs.target_stddev:g}"


def overload_text(view: ClusterView) -> str:
    """Hosts whose VMs demand more CPU than the host has (a bar past 100 %), before and after DRS
    and after the failure; "" when none. Their VMs get less than they ask for and wait."""
    parts = []
    stages = (("before DRS", view.drs.before), ("after DRS", view.drs.after),
              ("after the failure", view.failover.after if view.failover else None))
    for when, cluster in stages:
        if cluster is None:
            continue
        over = [f"{h.name} {100 * cluster.load(h.name):.0f} %" for h in cluster.hosts
                if cluster.load(h.name) > 1]
        if over:
            parts.append(f"{when} {', '.join(over)}")
    if not parts:
        return ""
    return "CPU demand is more than the host has, so its VMs wait: " + "; ".join(parts)


def summary(view: ClusterView) -> str:
    lost = len(view.failover.not_restarted) if view.failover else 0
    over = overload_text(view)
    return (f"{len(view.powered.cluster.vms)} of {len(view.start.vms)} VMs powered on; DRS: "
            f"{len(view.drs.migrations)} vMotion(s), imbalance {view.drs.imbalance_before:.3f} -> "
            f"{view.drs.imbalance_after:.3f} ({target_text(view.drs)})"
            + (f"; {view.failover.failed_host} failed, {lost} VM(s) not restarted" if view.failover else "")
            + (f"; {over}" if over else ""))


def rows_html(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "<p>(no vMotions, restarts or refusals)</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>"
                   for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


class VcenterPanel(widgets.VBox):
    """Sliders: hosts, VMs, DRS threshold, failed host, HA admission control. Out: load bars and a table."""

    def __init__(self, hosts: int = 4, vms: int = 16, threshold: int = 3, failed_host: int = 0,
                 admission_control: bool = True, seed: int = 0) -> None:
        style = {"description_width": "16em"}
        self.seed = seed
        self.hosts = widgets.IntSlider(hosts, 2, 8, description="hosts (4000 MHz, 32 GB)", style=style)
        self.vms = widgets.IntSlider(vms, 4, 40, description="VMs", style=style)
        self.threshold = widgets.IntSlider(threshold, 1, 5, description="DRS migration threshold",
                                           style=style)
        self.failed = widgets.IntSlider(failed_host, 0, hosts, description="failed host (0 = none)",
                                        style=style)
        self.admission = widgets.Checkbox(admission_control, description="HA admission control: tolerate 1 host",
                                          indent=False, layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML()
        self.view = self.compute()
        self.figure = go.FigureWidget(view_figure(self.view))
        self.table = widgets.HTML(rows_html(view_rows(self.view)))
        self.message.value = html.escape(summary(self.view))
        controls = (self.hosts, self.vms, self.threshold, self.failed, self.admission)
        for control in controls:
            control.observe(self._update, names="value")
        super().__init__([*controls, self.message, self.figure, self.table])

    def compute(self) -> ClusterView:
        self.failed.max = self.hosts.value
        return cluster_view(self.hosts.value, self.vms.value, self.threshold.value,
                            min(self.failed.value, self.hosts.value), self.admission.value, self.seed)

    def _update(self, _change=None) -> None:
        try:
            view = self.compute()
        except ValueError as err:
            self.message.value = f"<b>Not possible:</b> {html.escape(str(err))}"
            with self.figure.batch_update():  # the last cluster's bars would pass for this one's
                for trace in self.figure.data:
                    trace.x, trace.y = [], []
            self.table.value = ""
            return
        self.view = view
        self.message.value = html.escape(summary(view))
        fresh = view_figure(view)
        with self.figure.batch_update():
            for trace, new in zip(self.figure.data, fresh.data, strict=True):
                trace.x, trace.y = new.x, new.y
        self.table.value = rows_html(view_rows(view))
