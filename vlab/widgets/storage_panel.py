"""Lab 09's storage-scalability panel: sliders in, esxtop's view of one shared LUN out.

What the learner sees is what `esxtop` (disk device view, `u`) would show for a VMFS volume shared by
several ESX hosts: commands active (ACTV) and queued (QUED), IOPS, MB/s and the latency split
GAVG = KAVG + DAVG, plus the distribution behind the averages. The numbers come from
`vlab.models.storage.simulation.simulate` (see its docstring for which parts of ESX and the array are
imitated and what is left out); this module only chooses runs, tabulates and draws them.

Pure functions (unit-tested without a browser): `run_settings`, `esxtop_table`, `esxtop_warnings`,
`latency_split`, `latency_bars_figure`, `latency_histogram`, `latency_histogram_figure`,
`kb_example`, `sweep_points`, `outstanding_figure`, `hosts_sweep`, `davg_crossings`, `hosts_figure`,
`reservation_grid`, `reservation_figure`, `link_sweep`, `link_figure`, `table2_comparison`.
Widgets only wire them: `StoragePanel` (the sliders) and `Table2Calculator` (the paper's Table 2).
CSS classes: vlab-storage-panel, vlab-storage-table, vlab-storage-plot, vlab-table2.
"""
from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import ipywidgets as widgets
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vlab.knowledge.published import load_table2
from vlab.models.storage.simulation import (
    ADD_HARDWARE_MS,
    DAVG_ALARM_MS,
    LatencySummary,
    StorageResult,
    first_crossing,
    latency_summary,
    lun_sizing,
    simulate,
    sweep,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
MAX_PANEL_OUTSTANDING = 1024  # commands in flight the live panel simulates (keeps it under 0.5 s)
KAVG_ALARM_MS = 2.0  # esxtop: KAVG above 2 ms means commands wait in the VMkernel
COLOURS = {"kavg": "#cf222e", "array": "#bf8700", "device": "#0969da", "iops": "#1a7f37"}


@dataclass(frozen=True)
class PanelSettings:
    """What the sliders set: one shared LUN, `hosts` x `vms_per_host` VMs (units in the names)."""

    hosts: int = 1
    vms_per_host: int = 4
    outstanding_per_vm: int = 8
    queue_depth: int = 32
    dsnro: int = 32
    spindles: int = 8
    raid: int = 5
    read_fraction: float = 0.7
    cache_hit_ratio: float = 0.2
    link_gbps: float = 2.0
    block_kb: float = 8.0
    metadata_ops_per_s: float = 0.0
    ios: int = 3000  # measured completions per recompute: enough for stable means, fast enough
    seed: int = 1

    @property
    def total_outstanding(self) -> int:
        return self.hosts * self.vms_per_host * self.outstanding_per_vm

    def simulate_kwargs(self) -> dict:
        """The keyword arguments of `vlab.models.storage.simulation.simulate` for these settings."""
        return asdict(self)


def run_settings(settings: PanelSettings) -> StorageResult:
    """Simulate the settings; refuses designs too big for a live recompute, saying what to change."""
    if settings.total_outstanding > MAX_PANEL_OUTSTANDING:
        raise ValueError(
            f"{settings.hosts} hosts x {settings.vms_per_host} VMs x {settings.outstanding_per_vm} "
            f"outstanding = {settings.total_outstanding} commands in flight; the live panel "
            f"simulates at most {MAX_PANEL_OUTSTANDING}. Lower one of them, or call "
            f"vlab.models.storage.simulation.simulate(...) in a cell for bigger runs.")
    return simulate(**settings.simulate_kwargs())


def esxtop_table(result: StorageResult, settings: PanelSettings):
    """esxtop's disk-device columns for the LUN: one row per host (they are alike) and the total.

    DQLEN is the LUN queue depth; %USD = ACTV / DQLEN; LOAD = (ACTV + QUED) / DQLEN. Latencies are
    per command (ms), as esxtop's DAVG/cmd, KAVG/cmd, GAVG/cmd, QAVG/cmd.
    """
    import pandas as pd

    h = settings.hosts
    rows = []
    for device, n, dqlen in (("naa.6006 (LUN 0), each host", 1 / h, settings.queue_depth),
                             ("naa.6006 (LUN 0), all hosts", 1.0, settings.queue_depth * h)):
        actv, qued = result.actv * n, result.qued * n
        rows.append({
            "DEVICE": device, "DQLEN": dqlen, "ACTV": round(actv, 1), "QUED": round(qued, 1),
            "%USD": round(100 * actv / dqlen), "LOAD": round((actv + qued) / dqlen, 2),
            "CMDS/s": round(result.iops * n), "MB/s": round(result.mbps * n, 1),
            "DAVG/cmd": round(result.davg_ms, 2), "KAVG/cmd": round(result.kavg_ms, 2),
            "GAVG/cmd": round(result.gavg_ms, 2), "QAVG/cmd": round(result.qavg_ms, 2),
            "CONS/s": round(result.cons_per_s * n, 1),
        })
    return pd.DataFrame(rows).set_index("DEVICE")


def esxtop_warnings(result: StorageResult) -> list[str]:
    """What an administrator reading these counters should worry about (thresholds with sources)."""
    low, high = DAVG_ALARM_MS
    out = []
    if result.kavg_ms > KAVG_ALARM_MS:
        out.append(f"KAVG {result.kavg_ms:.1f} ms > {KAVG_ALARM_MS:.0f} ms: commands queue in the "
                   f"VMkernel (QUED {result.qued:.0f}); the LUN queue or DSNRO is the limit.")
    if result.davg_ms >= ADD_HARDWARE_MS:
        out.append(f"DAVG {result.davg_ms:.1f} ms >= {ADD_HARDWARE_MS:.0f} ms: the study's line for "
                   f"adding physical resources (spindles, cache, arrays).")
    elif result.davg_ms > low:
        out.append(f"DAVG {result.davg_ms:.1f} ms is in or past the {low:.0f}-{high:.0f} ms alarm "
                   f"band: the array is slow for this load.")
    if result.array_wait_ms > 0.05 * result.davg_ms:
        out.append(f"{result.array_wait_ms:.1f} ms of DAVG is waiting for the array's per-LUN "
                   f"queue: more commands reach the LUN than the array works on at once.")
    if result.cons_per_s > 0:
        out.append(f"{result.cons_per_s:.0f} SCSI reservation conflicts per second (CONS/s).")
    return out


def latency_split(result: StorageResult) -> dict[str, float]:
    """GAVG split into where the time goes (ms): VMkernel queue, array port queue, device."""
    return {"KAVG: VMkernel queue": result.kavg_ms,
            "DAVG: waiting for the array's LUN queue": result.array_wait_ms,
            "DAVG: cache, link and spindles": result.davg_ms - result.array_wait_ms}


def latency_bars_figure(results: Sequence[StorageResult], labels: Sequence[str]) -> go.Figure:
    """Stacked horizontal bars, one per run: KAVG and the two parts of DAVG add up to GAVG."""
    if len(results) != len(labels) or not results:
        raise ValueError("give one label per result (at least one)")
    fig = go.Figure()
    parts = list(latency_split(results[0]))
    for part, colour in zip(parts, (COLOURS["kavg"], COLOURS["array"], COLOURS["device"]),
                            strict=True):
        fig.add_bar(y=list(labels), x=[latency_split(r)[part] for r in results], name=part,
                    orientation="h", marker_color=colour,
                    hovertemplate="%{x:.1f} ms<extra>" + part + "</extra>")
    for label, r in zip(labels, results, strict=True):
        fig.add_annotation(y=label, x=r.gavg_ms, text=f" GAVG {r.gavg_ms:.1f} ms", xanchor="left",
                           showarrow=False)
    fig.update_layout(barmode="stack", title="Where a command's time goes (GAVG = KAVG + DAVG)",
                      xaxis_title="ms per command", height=140 + 40 * len(results),
                      margin={"t": 40, "l": 10, "r": 90, "b": 40}, legend_orientation="h",
                      legend_y=-0.35, title_font_size=13)
    return fig


@dataclass(frozen=True)
class Histogram:
    """Counts of latencies per bin: bin i holds edges[i] <= x < edges[i+1] (the last bin is closed)."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


def latency_histogram(latencies_ms: Sequence[float], bins: int = 40) -> Histogram:
    """Equal-width bins from 0 to the largest latency; every latency falls in exactly one bin."""
    if not latencies_ms:
        raise ValueError("latency_histogram needs at least one latency")
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    top = max(latencies_ms)
    width = top / bins if top > 0 else 1.0
    counts = [0] * bins
    for x in latencies_ms:
        counts[min(bins - 1, int(x / width))] += 1
    return Histogram(tuple(i * width for i in range(bins + 1)), tuple(counts))


def latency_histogram_figure(latencies_ms: Sequence[float], bins: int = 40,
                             title: str = "") -> go.Figure:
    """The latency distribution with the mean and the 50th, 95th and 99th percentiles marked."""
    hist = latency_histogram(latencies_ms, bins)
    summary = latency_summary(latencies_ms)
    centres = [(a + b) / 2 for a, b in zip(hist.edges, hist.edges[1:], strict=False)]
    fig = go.Figure(go.Bar(x=centres, y=list(hist.counts), width=hist.edges[1] - hist.edges[0],
                           marker_color="#8c959f", name="commands",
                           hovertemplate="%{x:.1f} ms: %{y} commands<extra></extra>"))
    marks = (("mean", summary.mean_ms, "#cf222e", "dash"), ("p50", summary.p50_ms, "#1a7f37", "dot"),
             ("p95", summary.p95_ms, "#bf8700", "dot"), ("p99", summary.p99_ms, "#8250df", "dot"))
    for i, (name, x, colour, dash) in enumerate(marks):
        fig.add_vline(x=x, line_color=colour, line_dash=dash)
        fig.add_annotation(x=x, y=1 - 0.09 * i, yref="paper", text=f"{name} {x:.1f}",
                           showarrow=False, xanchor="left", font_color=colour)
    fig.update_layout(title=title or f"{summary.count} commands: the mean hides the tail",
                      xaxis_title="GAVG per command (ms)", yaxis_title="commands", height=300,
                      bargap=0.02, margin={"t": 40, "l": 50, "r": 20, "b": 40}, title_font_size=13,
                      showlegend=False)
    return fig


def kb_example() -> LatencySummary:
    """Broadcom KB 309140: four commands of 1 ms and one of 500 ms in one esxtop interval."""
    return latency_summary([1.0, 1.0, 1.0, 1.0, 500.0])


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: the swept value and the esxtop figures that matter for the plots."""

    value: float
    iops: float
    mbps: float
    gavg_ms: float
    kavg_ms: float
    davg_ms: float
    array_wait_ms: float
    p99_ms: float
    cons_per_s: float
    outstanding: int  # commands the VMs keep in flight, all hosts


def sweep_points(parameter: str, values: Sequence[float], **config) -> list[SweepPoint]:
    """`vlab.models.storage.simulation.sweep` reduced to the figures the plots use."""
    results = sweep(parameter, values, **config)
    points = []
    for v, r in zip(values, results, strict=True):
        cfg = {**config, parameter: v}
        vms = cfg.get("hosts", 1) * cfg.get("vms_per_host", 1)
        points.append(SweepPoint(v, r.iops, r.mbps, r.gavg_ms, r.kavg_ms, r.davg_ms,
                                 r.array_wait_ms, r.p99_ms, r.cons_per_s,
                                 vms * int(cfg.get("outstanding_per_vm") or 0)))
    return points


def outstanding_figure(points: Sequence[SweepPoint], queue_limit: int | None = None) -> go.Figure:
    """IOPS (left) and GAVG/KAVG (right) against the commands kept in flight."""
    xs = [p.outstanding for p in points]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=xs, y=[p.iops for p in points], name="IOPS", mode="lines+markers",
                    line_color=COLOURS["iops"])
    fig.add_scatter(x=xs, y=[p.gavg_ms for p in points], name="GAVG (ms)", mode="lines+markers",
                    line_color=COLOURS["device"], secondary_y=True)
    fig.add_scatter(x=xs, y=[p.kavg_ms for p in points], name="KAVG (ms)", mode="lines+markers",
                    line_color=COLOURS["kavg"], line_dash="dash", secondary_y=True)
    if queue_limit:
        fig.add_vline(x=queue_limit, line_dash="dot", line_color="#57606a")
        fig.add_annotation(x=queue_limit, y=1, yref="paper", text=f" LUN queue: {queue_limit}",
                           showarrow=False, xanchor="left")
    fig.update_xaxes(title_text="commands in flight (all VMs)", type="log")
    fig.update_yaxes(title_text="IOPS", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="ms per command", rangemode="tozero", secondary_y=True)
    fig.update_layout(title="Throughput and latency against outstanding I/O", height=340,
                      margin={"t": 40, "l": 60, "r": 60, "b": 40}, title_font_size=13,
                      legend_orientation="h", legend_y=-0.25)
    return fig


def hosts_sweep(hosts: Sequence[int], *, vms_per_host: int = 4, outstanding_per_vm: int = 8,
                spindles: int = 64, ios: int = 3000, seed: int = 1, **config) -> list[SweepPoint]:
    """Many hosts on one LUN: each host fills its queue of 32 (4 VMs x 8 commands by default)."""
    return sweep_points("hosts", hosts, vms_per_host=vms_per_host,
                        outstanding_per_vm=outstanding_per_vm, spindles=spindles, ios=ios,
                        seed=seed, **config)


def davg_crossings(points: Sequence[SweepPoint]) -> dict[float, float | None]:
    """Where DAVG first reaches 20 ms, 30 ms (the alarm band) and 50 ms (add hardware)."""
    xs = [p.value for p in points]
    ys = [p.davg_ms for p in points]
    return {level: first_crossing(xs, ys, level) for level in (*DAVG_ALARM_MS, ADD_HARDWARE_MS)}


def hosts_figure(points: Sequence[SweepPoint], array_queue_limit: int = 256,
                 queue_depth: int = 32) -> go.Figure:
    """DAVG (and the part spent waiting for the array's LUN queue) against hosts on the LUN."""
    xs = [p.value for p in points]
    fig = go.Figure()
    fig.add_scatter(x=xs, y=[p.davg_ms for p in points], name="DAVG", mode="lines+markers",
                    line_color=COLOURS["device"])
    fig.add_scatter(x=xs, y=[p.array_wait_ms for p in points], name="of which: array LUN queue",
                    mode="lines+markers", line_color=COLOURS["array"], line_dash="dash")
    low, high = DAVG_ALARM_MS
    fig.add_hrect(y0=low, y1=high, fillcolor="#bf8700", opacity=0.15, line_width=0,
                  annotation_text="DAVG alarm 20-30 ms", annotation_position="top left")
    fig.add_hline(y=ADD_HARDWARE_MS, line_color="#cf222e", line_dash="dash",
                  annotation_text="50 ms: add hardware", annotation_position="top left")
    knee = array_queue_limit / queue_depth
    fig.add_vline(x=knee, line_dash="dot", line_color="#57606a",
                  annotation_text=f" hosts x {queue_depth} = {array_queue_limit}",
                  annotation_position="bottom right")
    fig.update_layout(title="Many hosts on one LUN", xaxis_title="ESX hosts sharing the LUN",
                      yaxis_title="ms per command", height=340, title_font_size=13,
                      margin={"t": 40, "l": 60, "r": 20, "b": 40}, legend_orientation="h",
                      legend_y=-0.25)
    return fig


@dataclass(frozen=True)
class ReservationPoint:
    """SCSI reservations: conflicts and latency for one number of hosts and metadata rate."""

    hosts: int
    metadata_ops_per_s: float  # per host: creating disks, snapshots, power-ons, growing thin disks
    cons_per_s: float
    lun_locked_share: float  # hosts x rate x hold time: share of time the LUN is reserved
    gavg_ms: float
    p99_ms: float
    max_ms: float
    iops: float


def reservation_grid(hosts: Sequence[int], metadata_ops_per_s: Sequence[float], *,
                     vms_per_host: int = 2, outstanding_per_vm: int = 4, spindles: int = 64,
                     reservation_ms: float = 0.3, ios: int = 3000, seed: int = 1,
                     **config) -> list[ReservationPoint]:
    """Every combination of hosts and per-host metadata rate, same seed."""
    points = []
    for h in hosts:
        for rate in metadata_ops_per_s:
            r = simulate(hosts=h, vms_per_host=vms_per_host, outstanding_per_vm=outstanding_per_vm,
                         spindles=spindles, metadata_ops_per_s=rate, reservation_ms=reservation_ms,
                         ios=ios, seed=seed, **config)
            points.append(ReservationPoint(h, rate, r.cons_per_s, h * rate * reservation_ms / 1000,
                                           r.gavg_ms, r.p99_ms, r.max_ms, r.iops))
    return points


def reservation_figure(points: Sequence[ReservationPoint]) -> go.Figure:
    """Conflicts per second (left) and p99 latency (right) against hosts, one line per rate."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("CONS/s (reservation conflicts)",
                                                        "p99 GAVG (ms)"))
    rates = sorted({p.metadata_ops_per_s for p in points})
    for i, rate in enumerate(rates):
        sel = [p for p in points if p.metadata_ops_per_s == rate]
        colour = f"hsl({210 - 60 * i}, 70%, 45%)"
        for col, attr in ((1, "cons_per_s"), (2, "p99_ms")):
            fig.add_scatter(x=[p.hosts for p in sel], y=[getattr(p, attr) for p in sel],
                            mode="lines+markers", name=f"{rate:g} metadata ops/s per host",
                            line_color=colour, showlegend=col == 1, row=1, col=col)
    fig.update_xaxes(title_text="hosts sharing the LUN")
    fig.update_layout(title="SCSI reservations: more hosts, more metadata updates, more conflicts",
                      height=340, title_font_size=13, margin={"t": 60, "l": 50, "r": 20, "b": 40},
                      legend_orientation="h", legend_y=-0.3)
    return fig


def link_sweep(link_gbps: Sequence[float], vms_per_host: Sequence[int], *, block_kb: float = 64,
               outstanding_per_vm: int = 4, spindles: int = 64, cache_hit_ratio: float = 0.8,
               ios: int = 3000, seed: int = 1, **config) -> dict[float, list[SweepPoint]]:
    """One host, more and more VMs (busy volumes) behind one Fibre Channel path, per link speed."""
    return {g: sweep_points("vms_per_host", vms_per_host, link_gbps=g, block_kb=block_kb,
                            outstanding_per_vm=outstanding_per_vm, spindles=spindles,
                            cache_hit_ratio=cache_hit_ratio, ios=ios, seed=seed, **config)
            for g in link_gbps}


def link_figure(by_link: dict[float, Sequence[SweepPoint]]) -> go.Figure:
    """MB/s (left) and GAVG (right) against busy VMs on one path, one line per link speed."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("MB/s through the path", "GAVG (ms)"))
    for i, (gbps, points) in enumerate(sorted(by_link.items())):
        colour = f"hsl({210 - 50 * i}, 70%, 45%)"
        for col, attr in ((1, "mbps"), (2, "gavg_ms")):
            fig.add_scatter(x=[p.value for p in points], y=[getattr(p, attr) for p in points],
                            mode="lines+markers", name=f"{gbps:g} Gbps FC", line_color=colour,
                            showlegend=col == 1, row=1, col=col)
    fig.update_xaxes(title_text="busy VMs on the path")
    fig.update_layout(title="Link saturation: MB/s flattens at the wire's speed, latency climbs",
                      height=340, title_font_size=13, margin={"t": 60, "l": 50, "r": 20, "b": 40},
                      legend_orientation="h", legend_y=-0.3)
    return fig


def table2_comparison(published: Sequence) -> list[dict[str, int | bool]]:
    """Each published Table 2 row next to `lun_sizing`'s answer for the same n, a, d."""
    rows = []
    for p in published:
        s = lun_sizing(p.array_queue_limit, p.active_per_vm, p.host_queue_depth)
        rows.append({"n": p.array_queue_limit, "a": p.active_per_vm, "d": p.host_queue_depth,
                     "m = d/a (paper)": p.vms_per_host, "n/a (paper)": p.vms_per_volume,
                     "m = d/a (vlab)": s.vms_per_host, "n/a (vlab)": s.vms_per_volume,
                     "agree": (s.vms_per_host, s.vms_per_volume) == (p.vms_per_host,
                                                                     p.vms_per_volume)})
    return rows


def _figure_output(fig: go.Figure, text: str) -> dict:
    return {"output_type": "display_data",
            "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                     "text/plain": text},
            "metadata": {}}


def _slider(kind, value, low, high, step, label):
    return kind(value=value, min=low, max=high, step=step, description=label,
                continuous_update=False, style={"description_width": "9em"},
                layout=widgets.Layout(width="330px"))


class StoragePanel(widgets.VBox):
    """Sliders for the cluster and the array; esxtop table, latency bars and histogram out.

    Every slider has continuous_update=False, so a recompute (one seeded simulation of
    `settings.ios` commands) happens when the learner lets go. `.settings`, `.result` and
    `.table` (a DataFrame) hold the last recompute; `.error` the message of a refused one.
    """

    def __init__(self, settings: PanelSettings = PanelSettings()) -> None:
        s = settings
        self.base = settings
        self.sliders = {
            "hosts": _slider(widgets.IntSlider, s.hosts, 1, 16, 1, "ESX hosts"),
            "vms_per_host": _slider(widgets.IntSlider, s.vms_per_host, 1, 16, 1, "VMs per host"),
            "outstanding_per_vm": _slider(widgets.IntSlider, s.outstanding_per_vm, 1, 64, 1,
                                          "I/Os per VM"),
            "queue_depth": _slider(widgets.IntSlider, s.queue_depth, 1, 128, 1, "LUN queue depth"),
            "dsnro": _slider(widgets.IntSlider, s.dsnro, 1, 128, 1, "DSNRO"),
            "spindles": _slider(widgets.IntSlider, s.spindles, 1, 128, 1, "spindles"),
            "raid": widgets.Dropdown(options=[("RAID 0", 0), ("RAID 1", 1), ("RAID 5", 5),
                                              ("RAID 6", 6), ("RAID 10", 10)], value=s.raid,
                                     description="RAID", style={"description_width": "9em"},
                                     layout=widgets.Layout(width="330px")),
            "read_fraction": _slider(widgets.FloatSlider, s.read_fraction, 0, 1, 0.05,
                                     "read fraction"),
            "cache_hit_ratio": _slider(widgets.FloatSlider, s.cache_hit_ratio, 0, 1, 0.05,
                                       "cache hit ratio"),
            "link_gbps": widgets.Dropdown(options=[("1 Gbps FC", 1.0), ("2 Gbps FC", 2.0),
                                                   ("4 Gbps FC", 4.0), ("8 Gbps FC", 8.0)],
                                          value=s.link_gbps, description="link",
                                          style={"description_width": "9em"},
                                          layout=widgets.Layout(width="330px")),
        }
        self.status = widgets.HTML("")
        self.table_html = widgets.HTML("")
        self.table_html.add_class("vlab-storage-table")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-storage-plot")
        self.sliders["outstanding_per_vm"].tooltip = "outstanding (in-flight) I/Os each VM keeps"
        for control in self.sliders.values():
            control.observe(lambda _c: self.refresh(), names="value")
        names = list(self.sliders)
        columns = [widgets.VBox([self.sliders[n] for n in names[i::3]]) for i in range(3)]
        super().__init__([widgets.HBox(columns), self.status, self.table_html, self.plot])
        self.add_class("vlab-storage-panel")
        self.result: StorageResult | None = None
        self.error = ""
        self.refresh()

    def current_settings(self) -> PanelSettings:
        return replace(self.base, **{k: w.value for k, w in self.sliders.items()})

    def refresh(self) -> None:
        """Simulate the sliders' settings and redraw the table and the figures."""
        self.settings = self.current_settings()
        try:
            self.result = run_settings(self.settings)
        except ValueError as err:
            self.error = str(err)
            self.status.value = f"<p>⚠ {html.escape(self.error)}</p>"
            # the last design's table and figures would pass for this one's: take them down
            self.table_html.value = ""
            self.plot.outputs = ()
            return
        self.error = ""
        r = self.result
        self.table = esxtop_table(r, self.settings)
        self.table_html.value = self.table.to_html()
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in esxtop_warnings(r))
        self.status.value = (
            f"<p><b>{self.settings.total_outstanding}</b> commands in flight; each host lets "
            f"<b>{r.host_limit}</b> through to the LUN. <b>{r.iops:,.0f} IOPS</b>, "
            f"{r.mbps:.1f} MB/s, GAVG <b>{r.gavg_ms:.1f} ms</b> (p99 {r.p99_ms:.1f} ms), "
            f"spindles {100 * r.spindle_utilisation:.0f} % busy.</p>"
            + (f"<ul>{notes}</ul>" if notes else "<p>✓ No esxtop threshold crossed.</p>"))
        self.bars = latency_bars_figure([r], ["this design"])
        self.histogram = latency_histogram_figure(r.latencies_ms)
        self.plot.outputs = (
            _figure_output(self.bars, f"GAVG {r.gavg_ms:.1f} ms = KAVG {r.kavg_ms:.1f} + DAVG "
                                      f"{r.davg_ms:.1f}"),
            _figure_output(self.histogram, f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms"),
        )


class Table2Calculator(widgets.VBox):
    """Table 2 as a calculator: n, a and d in; VMs per host and per VMFS volume out, next to the
    published rows (the row with the same n, a, d is highlighted)."""

    def __init__(self, published: Sequence | None = None, n: int = 256, a: int = 4,
                 d: int = 32) -> None:
        if published is None:
            published = load_table2()
        self.published = tuple(published)
        style = {"description_width": "initial"}
        self.n = widgets.BoundedIntText(value=n, min=1, max=4096, style=style,
                                        description="n, commands the array takes per LUN:")
        self.a = widgets.BoundedIntText(value=a, min=1, max=256, style=style,
                                        description="a, active commands per VM:")
        self.d = widgets.BoundedIntText(value=d, min=1, max=256, style=style,
                                        description="d, LUN queue depth per host:")
        self.answer = widgets.HTML("")
        self.table = widgets.HTML("")
        self.table.add_class("vlab-table2")
        for w in (self.n, self.a, self.d):
            w.observe(lambda _c: self.refresh(), names="value")
        super().__init__([widgets.HBox([self.n, self.a, self.d]), self.answer, self.table])
        self.refresh()

    def refresh(self) -> None:
        self.sizing = lun_sizing(self.n.value, self.a.value, self.d.value)
        s = self.sizing
        hosts = s.array_queue_limit // s.host_queue_depth
        fill = (f"n/d = {hosts} hosts with full LUN queues fill the array's queue for the LUN"
                if hosts else
                f"n < d: one host's full LUN queue ({s.host_queue_depth}) is already more than "
                f"the array takes for the LUN ({s.array_queue_limit})")
        self.answer.value = (
            f"<p>m = d/a = {s.host_queue_depth}/{s.active_per_vm} → <b>{s.vms_per_host} VMs per "
            f"host</b>; n/a = {s.array_queue_limit}/{s.active_per_vm} → <b>{s.vms_per_volume} VMs "
            f"on the VMFS volume</b>; {html.escape(fill)}.</p>")
        rows = table2_comparison(self.published)
        head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0] if k != "agree")
        body = []
        for row in rows:
            mine = (row["n"], row["a"], row["d"]) == (s.array_queue_limit, s.active_per_vm,
                                                      s.host_queue_depth)
            cells = "".join(f"<td style='text-align:right'>{v}</td>" for k, v in row.items()
                            if k != "agree")
            body.append(f"<tr style='{'background:#fff8c5;font-weight:bold' if mine else ''}'>"
                        f"{cells}</tr>")
        self.table.value = (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
                            f"</tbody></table><p><small>Published rows: VMware, <i>Scalable "
                            f"Storage Performance</i> (ESX 3.5), Table 2.</small></p>")


__all__ = [
    "MAX_PANEL_OUTSTANDING",
    "Histogram",
    "PanelSettings",
    "ReservationPoint",
    "StoragePanel",
    "SweepPoint",
    "Table2Calculator",
    "davg_crossings",
    "esxtop_table",
    "esxtop_warnings",
    "hosts_figure",
    "hosts_sweep",
    "kb_example",
    "latency_bars_figure",
    "latency_histogram",
    "latency_histogram_figure",
    "latency_split",
    "link_figure",
    "link_sweep",
    "outstanding_figure",
    "reservation_figure",
    "reservation_grid",
    "run_settings",
    "sweep_points",
    "table2_comparison",
]
