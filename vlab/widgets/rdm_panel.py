"""Lab 10's panel: VMFS against Raw Device Mapping, as VMware's ESX 3.5 SAN study measured them.

An RDM is a mapping file on a VMFS volume that stands for a whole LUN: the VM's descriptor
(`createType="vmfsRawDeviceMap"` in virtual compatibility mode, `"vmfsPassthroughRawDeviceMap"`
in physical mode) names the mapping file (`-rdm.vmdk` / `-rdmp.vmdk`), and I/O goes straight to
the LUN. The throughput and CPU numbers come from `vlab.models.storage.rdm` (exact mean value analysis
of CPU, wire and disks; VMFS pays the study's published 5 % / 8 % extra CPU per I/O, and the
throughput gap follows from where the bottleneck is). The model's MB/s are illustrative, not the
paper's (whose figures we have not read); its shape and the CPU ratios are the study's findings.

Pure functions (tested without a browser): `sweep_rows`, `throughput_figure`, `cpu_figure`,
`key_numbers`, `claim_vs_study`, `modes_table`, `mapping_descriptor`. The widget `RdmPanel`
only wires controls to them. CSS classes: vlab-rdm-panel, vlab-rdm-table, vlab-rdm-plot.
"""
from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vlab.formats.vmdk import SECTOR_BYTES, Extent, VmdkDescriptor
from vlab.models.storage.rdm import PATTERNS, RdmComparison, compare, compare_sweep

PLOTLY_MIME = "application/vnd.plotly.v1+json"
BLOCK_SIZES_KB = (4, 8, 16, 32, 64, 128, 256)
NOTES_CLAIM_KB = 32  # the notes: "RDM has better I/O performance for block sizes 32kB"
COLOURS = {"vmfs": "#0969da", "rdm": "#cf222e", "gap": "#8250df"}
CREATE_TYPES = {"virtual": ("vmfsRawDeviceMap", "-rdm.vmdk"),
                "physical": ("vmfsPassthroughRawDeviceMap", "-rdmp.vmdk")}


@dataclass(frozen=True)
class SweepRow:
    """One block size of one pattern: both disks' throughput and CPU, and who is the bottleneck."""

    pattern: str
    block_kb: float
    vmfs_mbps: float
    rdm_mbps: float
    gap_pct: float  # how much more throughput RDM gives, per cent
    vmfs_cpu_us: float
    rdm_cpu_us: float
    cpu_extra_pct: float  # how much more CPU per I/O VMFS needs, per cent
    bottleneck: str  # VMFS's busiest station: cpu, wire or disk


def _row(c: RdmComparison) -> SweepRow:
    return SweepRow(c.pattern, c.block_kb, c.vmfs_mbps, c.rdm_mbps, 100 * c.throughput_gap,
                    c.vmfs_cpu_us_per_io, c.rdm_cpu_us_per_io, 100 * (c.cpu_ratio - 1),
                    c.vmfs_bottleneck)


def sweep_rows(pattern: str, block_sizes_kb: Sequence[float] = BLOCK_SIZES_KB,
               **kwargs) -> list[SweepRow]:
    """`vlab.models.storage.rdm.compare_sweep` as rows (kwargs: outstanding, link_gbps, spindles, ...)."""
    if not block_sizes_kb:
        raise ValueError("give at least one block size, e.g. (4, 8, 16, 32, 64)")
    return [_row(c) for c in compare_sweep(pattern, block_sizes_kb, **kwargs)]


def throughput_figure(by_pattern: dict[str, Sequence[SweepRow]]) -> go.Figure:
    """MB/s of VMFS and RDM against block size, one panel per pattern, and RDM's gap in %."""
    patterns = [p for p in PATTERNS if p in by_pattern]
    if not patterns:
        raise ValueError(f"give rows for at least one of {PATTERNS}")
    fig = make_subplots(rows=1, cols=len(patterns) + 1,
                        subplot_titles=[f"{p} I/O: MB/s" for p in patterns]
                        + ["RDM's extra throughput (%)"])
    for col, pattern in enumerate(patterns, start=1):
        rows = by_pattern[pattern]
        xs = [r.block_kb for r in rows]
        for kind in ("vmfs", "rdm"):
            fig.add_scatter(x=xs, y=[getattr(r, f"{kind}_mbps") for r in rows],
                            mode="lines+markers", name=kind.upper(), line_color=COLOURS[kind],
                            line_dash="dash" if kind == "rdm" else "solid",
                            legendgroup=kind, showlegend=col == 1, row=1, col=col)
        fig.add_scatter(x=xs, y=[r.gap_pct for r in rows], mode="lines+markers",
                        name=f"gap, {pattern}", line_dash="dot" if pattern == "random" else "solid",
                        line_color=COLOURS["gap"], row=1, col=len(patterns) + 1)
    last = len(patterns) + 1
    fig.add_vline(x=NOTES_CLAIM_KB, line_dash="dot", line_color="#57606a", row=1, col=last)
    fig.add_annotation(x=NOTES_CLAIM_KB, y=1, yref="y domain", xref=f"x{last}",
                       text="notes: 32 kB", showarrow=False, xanchor="left", row=1, col=last)
    fig.update_xaxes(type="log", title_text="block size (KB)", tickvals=list(BLOCK_SIZES_KB))
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(height=330, title_font_size=13, legend_orientation="h", legend_y=-0.3,
                      title="VMFS and RDM against block size (model of the ESX 3.5 SAN study)",
                      margin={"t": 60, "l": 50, "r": 20, "b": 40})
    return fig


def cpu_figure(by_pattern: dict[str, Sequence[SweepRow]]) -> go.Figure:
    """CPU microseconds per I/O for VMFS and RDM against block size, per pattern."""
    fig = go.Figure()
    for pattern, rows in by_pattern.items():
        xs = [r.block_kb for r in rows]
        for kind in ("vmfs", "rdm"):
            fig.add_scatter(x=xs, y=[getattr(r, f"{kind}_cpu_us") for r in rows],
                            mode="lines+markers", name=f"{kind.upper()}, {pattern}",
                            line_color=COLOURS[kind],
                            line_dash="dot" if pattern == "random" else "solid")
    fig.update_xaxes(type="log", title_text="block size (KB)", tickvals=list(BLOCK_SIZES_KB))
    fig.update_yaxes(title_text="CPU µs per I/O", rangemode="tozero")
    fig.update_layout(height=300, title_font_size=13, legend_orientation="h", legend_y=-0.3,
                      title="CPU cost per I/O: VMFS pays about 5 % (random) to 8 % (sequential) more",
                      margin={"t": 40, "l": 60, "r": 20, "b": 40})
    return fig


def key_numbers(by_pattern: dict[str, Sequence[SweepRow]]) -> dict[str, float]:
    """The figures the lab's text quotes: gaps (%) at 4 and 32 KB and the CPU extra (%)."""
    out: dict[str, float] = {}
    for pattern, rows in by_pattern.items():
        by_block = {r.block_kb: r for r in rows}
        out[f"{pattern}_max_gap_pct"] = max(r.gap_pct for r in rows)
        for kb in (4, NOTES_CLAIM_KB):
            if kb in by_block:
                out[f"{pattern}_gap_at_{kb}kb_pct"] = by_block[kb].gap_pct
        out[f"{pattern}_cpu_extra_pct"] = rows[0].cpu_extra_pct
    return out


def claim_vs_study(sequential: Sequence[SweepRow]) -> list[dict[str, str]]:
    """The notes' claim, the study's finding and this model's numbers, side by side."""
    by_block = {r.block_kb: r for r in sequential}
    if 4 not in by_block or NOTES_CLAIM_KB not in by_block:
        raise ValueError("the sequential rows must include 4 KB and 32 KB blocks")
    small, claim = by_block[4], by_block[NOTES_CLAIM_KB]
    largest = max(sequential, key=lambda r: r.gap_pct)
    return [
        {"": "random I/O", "notes": "VMFS and RDM similar",
         "ESX 3.5 SAN study": "similar throughput (supported)",
         "vlab model": "equal: the disks are the bottleneck"},
        {"": "sequential, small blocks", "notes": "(not mentioned)",
         "ESX 3.5 SAN study": "RDM a little faster, most at 4 KB reads",
         "vlab model": f"RDM +{small.gap_pct:.1f} % at 4 KB (largest: {largest.block_kb:g} KB), "
                       f"bottleneck: {small.bottleneck}"},
        {"": "sequential, 32 KB", "notes": "RDM better at 32 kB",
         "ESX 3.5 SAN study": "the gap shrinks as blocks grow; 32 KB is not singled out",
         "vlab model": f"RDM +{claim.gap_pct:.1f} % at 32 KB, bottleneck: {claim.bottleneck}"},
        {"": "CPU per I/O", "notes": "(not mentioned)",
         "ESX 3.5 SAN study": "VMFS ~5 % more (random), ~8 % more (sequential)",
         "vlab model": f"VMFS +{small.cpu_extra_pct:.0f} % (sequential), taken from the study"},
    ]


def modes_table(rows: Sequence) -> str:
    """datasets/rdm_modes.csv as an HTML table (VMFS, virtual RDM, physical RDM; sources on hover)."""
    if not rows:
        raise ValueError("modes_table needs at least one row")
    head = ("<tr><th></th><th>virtual disk on VMFS</th><th>RDM, virtual compatibility</th>"
            "<th>RDM, physical compatibility</th></tr>")
    body = "".join(
        f"<tr title='{html.escape(r.source, quote=True)}'><th style='text-align:left'>"
        f"{html.escape(r.question)}</th><td>{html.escape(r.vmfs_vmdk)}</td>"
        f"<td>{html.escape(r.rdm_virtual)}</td><td>{html.escape(r.rdm_physical)}</td></tr>"
        for r in rows)
    return f"<table class='vlab-rdm-table'>{head}{body}</table>"


def mapping_descriptor(mode: str, disk: str = "sql01_1", lun_gb: int = 200,
                       cid: int = 0x3B1C2A45) -> VmdkDescriptor:
    """The `<disk>.vmdk` descriptor ESXi writes for an RDM in `mode` "virtual" or "physical".

    Its one extent names the mapping file (`<disk>-rdm.vmdk` or `<disk>-rdmp.vmdk`) with the
    LUN's size in 512-byte sectors; the mapping file itself is tiny, the data stays on the LUN.
    """
    if mode not in CREATE_TYPES:
        raise ValueError(f"mode must be 'virtual' or 'physical', got {mode!r}")
    if not isinstance(lun_gb, int) or lun_gb <= 0:
        raise ValueError(f"lun_gb must be a whole number of GB > 0, got {lun_gb!r}")
    create_type, suffix = CREATE_TYPES[mode]
    sectors = lun_gb * 2**30 // SECTOR_BYTES
    return VmdkDescriptor(create_type=create_type, cid=cid,
                          extents=[Extent("RW", sectors, "VMFSRDM", f"{disk}{suffix}")],
                          ddb={"ddb.adapterType": "lsilogic", "ddb.virtualHWVersion": "4"})


def _figure_output(fig: go.Figure, text: str) -> dict:
    return {"output_type": "display_data",
            "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                     "text/plain": text},
            "metadata": {}}


class RdmPanel(widgets.VBox):
    """Pattern, block size, outstanding I/O and link speed in; one comparison and the sweep out.

    `.comparison` (the RdmComparison at the chosen block size) and `.rows` (the sweep for the
    chosen pattern) hold the last recompute.
    """

    def __init__(self, pattern: str = "sequential", block_kb: int = 4, outstanding: int = 16,
                 link_gbps: float = 4.0) -> None:
        style = {"description_width": "10em"}
        layout = widgets.Layout(width="360px")
        self.pattern = widgets.ToggleButtons(options=list(PATTERNS), value=pattern,
                                             description="pattern", style=style)
        self.block_kb = widgets.SelectionSlider(options=list(BLOCK_SIZES_KB), value=block_kb,
                                                description="block size (KB)", style=style,
                                                continuous_update=False, layout=layout)
        self.outstanding = widgets.IntSlider(value=outstanding, min=1, max=64,
                                             description="outstanding I/O", style=style,
                                             continuous_update=False, layout=layout)
        self.link_gbps = widgets.Dropdown(options=[("2 Gbps FC", 2.0), ("4 Gbps FC", 4.0),
                                                   ("8 Gbps FC", 8.0)], value=link_gbps,
                                          description="link", style=style, layout=layout)
        self.summary = widgets.HTML("")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-rdm-plot")
        for w in (self.pattern, self.block_kb, self.outstanding, self.link_gbps):
            w.observe(lambda _c: self.refresh(), names="value")
        controls = widgets.HBox([widgets.VBox([self.pattern, self.block_kb]),
                                 widgets.VBox([self.outstanding, self.link_gbps])])
        super().__init__([controls, self.summary, self.plot])
        self.add_class("vlab-rdm-panel")
        self.refresh()

    def refresh(self) -> None:
        """Recompute the point and the sweep (analytic, a few milliseconds) and redraw."""
        kwargs = {"outstanding": self.outstanding.value, "link_gbps": self.link_gbps.value}
        c = compare(self.pattern.value, self.block_kb.value, **kwargs)
        self.comparison = c
        self.rows = sweep_rows(self.pattern.value, **kwargs)
        self.summary.value = (
            f"<p>{c.pattern} {c.block_kb:g} KB, {self.outstanding.value} outstanding: VMFS "
            f"<b>{c.vmfs_mbps:.1f} MB/s</b>, RDM <b>{c.rdm_mbps:.1f} MB/s</b> (RDM "
            f"{100 * c.throughput_gap:+.1f} %). CPU per I/O: VMFS {c.vmfs_cpu_us_per_io:.1f} µs, "
            f"RDM {c.rdm_cpu_us_per_io:.1f} µs (x{c.cpu_ratio:.2f}). Bottleneck: "
            f"<b>{c.vmfs_bottleneck}</b>.</p>")
        fig = throughput_figure({self.pattern.value: self.rows})
        self.figure = fig
        self.plot.outputs = (_figure_output(fig, f"RDM {100 * c.throughput_gap:+.1f} %"),)


__all__ = [
    "BLOCK_SIZES_KB",
    "NOTES_CLAIM_KB",
    "RdmPanel",
    "SweepRow",
    "claim_vs_study",
    "cpu_figure",
    "key_numbers",
    "mapping_descriptor",
    "modes_table",
    "sweep_rows",
    "throughput_figure",
]
