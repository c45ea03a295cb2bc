"""Lab 07's panel: how often two VMs share a core's hyperthreads, and what each scheduler policy costs."""
from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.models.vmkernel.ht_sharing import POLICIES, SharingResult, simulate_sharing

POLICY_NAMES = {"default": "default (HT shared)", "scav1": "SCAv1 (no HT)", "scav2": "SCAv2 (same VM only)"}


def sharing_results(cores: int, vms: int, vcpus_each: int, busy: float, seed: int = 0,
                    slices: int = 400) -> list[SharingResult]:
    """One run per policy, same seed, so the bars differ only by policy."""
    return [simulate_sharing(cores, [vcpus_each] * vms, busy, policy, slices, seed) for policy in POLICIES]


def sharing_figure(results: list[SharingResult]) -> go.Figure:
    names = [POLICY_NAMES[r.policy] for r in results]
    fig = go.Figure([
        go.Bar(name="cores shared by two VMs (avg)", x=names, y=[r.cross_vm_cores for r in results]),
        go.Bar(name="threads in use (avg)", x=names, y=[r.placed for r in results]),
    ])
    fig.update_layout(barmode="group", height=320, margin=dict(l=50, r=20, t=30, b=40),
                      legend=dict(orientation="h", y=1.15))
    return fig


def sharing_table_html(results: list[SharingResult]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(POLICY_NAMES[r.policy])}</td><td>{r.runnable:.2f}</td><td>{r.placed:.2f}</td>"
        f"<td>{r.capacity_used:.0%}</td><td>{r.cross_vm_cores:.2f}</td></tr>"
        for r in results
    )
    return ("<table><tr><th>policy</th><th>vCPUs runnable</th><th>vCPUs running</th><th>threads used</th>"
            f"<th>cores shared by two VMs</th></tr>{rows}</table>")


class HyperthreadPanel(widgets.VBox):
    """Sliders for the host and its VMs; grouped bars and a table, one column per scheduler policy."""

    def __init__(self, cores: int = 8, vms: int = 4, vcpus_each: int = 2, busy: float = 0.8,
                 seed: int = 0) -> None:
        style = {"description_width": "12em"}
        self.seed = seed
        self.cores = widgets.IntSlider(cores, 1, 32, description="physical cores", style=style)
        self.vms = widgets.IntSlider(vms, 1, 16, description="VMs", style=style)
        self.vcpus = widgets.IntSlider(vcpus_each, 1, 8, description="vCPUs per VM", style=style)
        self.busy = widgets.FloatSlider(busy, min=0.1, max=1.0, step=0.05, description="vCPU busy fraction",
                                        style=style)
        results = self.results()
        self.figure = go.FigureWidget(sharing_figure(results))
        self.table = widgets.HTML(sharing_table_html(results))
        for control in (self.cores, self.vms, self.vcpus, self.busy):
            control.observe(self._update, names="value")
        super().__init__([self.cores, self.vms, self.vcpus, self.busy, self.figure, self.table])

    def results(self) -> list[SharingResult]:
        return sharing_results(self.cores.value, self.vms.value, self.vcpus.value, self.busy.value, self.seed)

    def _update(self, _change=None) -> None:
        results = self.results()
        fresh = sharing_figure(results)
        with self.figure.batch_update():
            for trace, new in zip(self.figure.data, fresh.data, strict=True):
                trace.x, trace.y = new.x, new.y
        self.table.value = sharing_table_html(results)
