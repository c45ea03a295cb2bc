"""Lab 06's backup-options panel: sliders in, the three options side by side out.

For one VMFS datastore of `vm_count` VMs, the panel compares an array LUN copy (SnapView), a VCB
proxy backup and VADP with changed block tracking: how long each backup runs (against the backup
interval), how long restoring one deleted VM takes, how much data is at risk, and what else the
restore undoes. The numbers come from `vlab.models.datastore.backup.plan_outcomes` (see its docstring for the
rules and what is left out); this module only tabulates and draws them.

Pure functions (unit-tested without a browser): `outcome_rows`, `rows_html`, `comparison_figure`,
`plan_warnings`, `drill_rows`. The widget `BackupPanel` only wires sliders to them.
CSS classes: vlab-backup-panel, vlab-backup-table (the table widget; its <table> is vlab-backup-rows),
vlab-backup-plot.
"""
from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.models.datastore.backup import (
    OPTION_LABELS,
    OPTIONS,
    BackupPlan,
    DrillScenario,
    OptionOutcome,
    plan_outcomes,
    run_restore_drill,
)
from vlab.models.datastore.volume import MiB

PLOTLY_MIME = "application/vnd.plotly.v1+json"
COLOURS = {"lun_copy": "#bf8700", "vcb": "#8250df", "vadp_cbt": "#0969da", "others": "#cf222e"}
SHORT = {"lun_copy": "LUN copy", "vcb": "VCB", "vadp_cbt": "VADP+CBT"}


@dataclass(frozen=True)
class OutcomeRow:
    """One option as the table shows it (units in the names)."""

    option: str
    backup_gb: float
    backup_window_h: float
    fits_interval: bool
    restore_min: float
    restore_one_vmdk: bool
    data_at_risk_gb: float
    rolled_back_vms: int
    rolled_back_gb: float
    lun_exposed_to_proxy: bool
    vm_snapshot: bool


def outcome_rows(outcomes: Sequence[OptionOutcome]) -> list[OutcomeRow]:
    """The table's rows, rounded for reading (the figure uses the exact values)."""
    gib = 1024 * MiB
    return [OutcomeRow(o.label, round(o.backup_bytes / gib, 1), round(o.backup_window_h, 2),
                       o.fits_interval, round(o.restore_min, 1), o.granular,
                       round(o.data_at_risk_gb, 2), o.rolled_back_vms, round(o.rolled_back_gb, 2),
                       o.lun_exposed_to_proxy, o.vm_snapshot)
            for o in outcomes]


_HEADERS = ("Option", "Backup copies (GB)", "Backup window (h)", "Restore one VM (min)",
            "Restore just one vmdk?", "Data at risk (GB)", "Other VMs rolled back",
            "LUN zoned to proxy?", "VM snapshot while copying?")


def rows_html(rows: Sequence[OutcomeRow]) -> str:
    """An HTML table of the rows (yes/no spelled out, a window longer than the interval marked)."""
    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    body = []
    for r in rows:
        window = f"{r.backup_window_h:g}" + ("" if r.fits_interval else " ⚠ longer than the interval")
        rolled = f"{r.rolled_back_vms} ({r.rolled_back_gb:g} GB of their changes)" if r.rolled_back_vms else "0"
        cells = (r.option, f"{r.backup_gb:g}", window, f"{r.restore_min:g}", yes(r.restore_one_vmdk),
                 f"{r.data_at_risk_gb:g}", rolled, yes(r.lun_exposed_to_proxy), yes(r.vm_snapshot))
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in _HEADERS)
    return f'<table class="vlab-backup-rows"><tr>{head}</tr>{"".join(body)}</table>'


def comparison_figure(outcomes: Sequence[OptionOutcome], interval_h: float | None = None) -> go.Figure:
    """Three bar charts: backup window (h, with the interval as a dashed line), restore time for one
    VM (min), and data at risk (GB): the restored VM's own changes plus other VMs' changes undone.

    Axes are laid out by hand (no make_subplots) so a slider move redraws in well under 0.1 s.
    """
    names = [SHORT[o.option] for o in outcomes]
    colours = [COLOURS[o.option] for o in outcomes]
    titles = ("Backup window (h)", "Restore one deleted VM (min)", "Data at risk (GB)")
    domains = ((0.0, 0.28), (0.36, 0.64), (0.72, 1.0))
    data = [
        {"type": "bar", "x": names, "y": [o.backup_window_h for o in outcomes], "xaxis": "x",
         "yaxis": "y", "marker": {"color": colours}, "name": "backup window", "showlegend": False},
        {"type": "bar", "x": names, "y": [o.restore_min for o in outcomes], "xaxis": "x2",
         "yaxis": "y2", "marker": {"color": colours}, "name": "restore", "showlegend": False},
        {"type": "bar", "x": names, "y": [o.data_at_risk_gb for o in outcomes], "xaxis": "x3",
         "yaxis": "y3", "marker": {"color": colours},
         "name": "the restored VM's changes since its backup"},
        {"type": "bar", "x": names, "y": [o.rolled_back_gb for o in outcomes], "xaxis": "x3",
         "yaxis": "y3", "marker": {"color": COLOURS["others"]},
         "name": "other VMs' changes rolled back"},
    ]
    layout: dict = {"barmode": "stack", "height": 340, "margin": {"l": 40, "r": 20, "t": 50, "b": 40},
                    "legend": {"orientation": "h", "y": -0.15}, "annotations": [], "shapes": []}
    for i, (title, domain) in enumerate(zip(titles, domains, strict=True), start=1):
        suffix = "" if i == 1 else str(i)
        layout[f"xaxis{suffix}"] = {"domain": list(domain), "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "rangemode": "tozero"}
        layout["annotations"].append({"text": title, "x": sum(domain) / 2, "y": 1.08,
                                      "xref": "paper", "yref": "paper", "showarrow": False,
                                      "font": {"size": 13}})
    if interval_h is not None:
        layout["shapes"].append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
                                 "y0": interval_h, "y1": interval_h,
                                 "line": {"dash": "dash", "color": "#57606a"}})
        layout["annotations"].append({"text": f"interval {interval_h:g} h", "xref": "x domain",
                                      "x": 1, "yref": "y", "y": interval_h, "showarrow": False,
                                      "xanchor": "right", "yanchor": "bottom"})
    return go.Figure(data=data, layout=layout)


def plan_warnings(plan: BackupPlan, outcomes: Sequence[OptionOutcome]) -> list[str]:
    """Sentences about what the numbers mean for this plan (backups that overrun, exposure)."""
    out = []
    for o in outcomes:
        if not o.fits_interval:
            out.append(f"{SHORT[o.option]}: a backup runs {o.backup_window_h:.1f} h but one is due "
                       f"every {plan.interval_h:g} h, so backups would overlap")
    if plan.transport == "san":
        out.append("SAN transport: the VMFS LUN is zoned to the backup proxy (the notes' "
                   "'single LUN exposed'); HotAdd or NBD avoid that")
    elif plan.transport == "nbd":
        out.append("NBD transport: backup data crosses the hosts' management network")
    return out


def drill_rows(scenario: DrillScenario | None = None) -> list[dict[str, object]]:
    """The restore drill under each option, as rows: what came back, time, data lost, side effects."""
    scenario = scenario if scenario is not None else DrillScenario()
    rows = []
    for option in OPTIONS:
        _p, r = run_restore_drill(scenario, option)
        rows.append({
            "option": OPTION_LABELS[option],
            "possible": r.possible,
            "restore_s": round(r.restore_s, 1),
            "copied_gb": round(r.bytes_copied / (1024 * MiB), 2),
            "data_lost_mb": round(r.data_lost_bytes / MiB),
            "vms_rolled_back": len(r.rolled_back),
            "their_changes_undone_mb": round(r.side_effect_bytes / MiB),
        })
    return rows


def _figure_output(fig: go.Figure, text: str) -> dict:
    return {"output_type": "display_data",
            "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                     "text/plain": text},
            "metadata": {}}


def _slider(kind, value, low, high, step, label):
    return kind(value=value, min=low, max=high, step=step, description=label,
                style={"description_width": "initial"}, continuous_update=False,
                layout=widgets.Layout(width="330px"))


class BackupPanel(widgets.VBox):
    """Sliders for the datastore and the backup schedule; the three options compared below them."""

    def __init__(self, plan: BackupPlan | None = None) -> None:
        plan = plan if plan is not None else BackupPlan()
        self.vm_count = _slider(widgets.IntSlider, plan.vm_count, 1, 40, 1, "VMs on the LUN")
        self.disk_gb = _slider(widgets.FloatSlider, plan.disk_gb, 5, 500, 5, "Disk per VM (GB)")
        self.daily_change_pct = _slider(widgets.FloatSlider, plan.daily_change_pct, 0, 50, 0.5,
                                        "Daily change (%)")
        self.bandwidth_mb_s = _slider(widgets.FloatSlider, plan.bandwidth_mb_s, 10, 1000, 10,
                                      "Copy bandwidth (MB/s)")
        self.interval_h = _slider(widgets.FloatSlider, plan.interval_h, 1, 168, 1,
                                  "Backup every (h)")
        self.transport = widgets.Dropdown(options=[("SAN (LUN zoned to proxy)", "san"),
                                                   ("HotAdd (proxy VM)", "hotadd"),
                                                   ("NBD (management network)", "nbd")],
                                          value=plan.transport, description="Proxy transport:",
                                          style={"description_width": "initial"},
                                          layout=widgets.Layout(width="360px"))
        self.status = widgets.HTML("")
        self.table = widgets.HTML("")
        self.table.add_class("vlab-backup-table")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-backup-plot")
        controls = (self.vm_count, self.disk_gb, self.daily_change_pct, self.bandwidth_mb_s,
                    self.interval_h, self.transport)
        for control in controls:
            control.observe(lambda _c: self.refresh(), names="value")
        super().__init__([widgets.HBox(list(controls[:3])), widgets.HBox(list(controls[3:])),
                          self.plot, self.table, self.status])
        self.add_class("vlab-backup-panel")
        self.refresh()

    def current_plan(self) -> BackupPlan:
        return BackupPlan(vm_count=self.vm_count.value, disk_gb=self.disk_gb.value,
                          daily_change_pct=self.daily_change_pct.value,
                          bandwidth_mb_s=self.bandwidth_mb_s.value, interval_h=self.interval_h.value,
                          transport=self.transport.value)

    def refresh(self) -> None:
        """Recompute the three options for the sliders' plan and redraw table and figure."""
        self.plan = self.current_plan()
        self.outcomes = plan_outcomes(self.plan)
        self.rows = outcome_rows(self.outcomes)
        self.table.value = rows_html(self.rows)
        self.warnings = plan_warnings(self.plan, self.outcomes)
        self.status.value = "".join(f"<p>⚠ {html.escape(w)}</p>" for w in self.warnings)
        self.figure = comparison_figure(self.outcomes, self.plan.interval_h)
        text = "; ".join(f"{SHORT[o.option]}: window {o.backup_window_h:.2f} h, restore "
                         f"{o.restore_min:.1f} min" for o in self.outcomes)
        self.plot.outputs = (_figure_output(self.figure, text),)


__all__ = [
    "BackupPanel",
    "OutcomeRow",
    "comparison_figure",
    "drill_rows",
    "outcome_rows",
    "plan_warnings",
    "rows_html",
]
