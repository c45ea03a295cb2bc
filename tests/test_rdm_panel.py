"""Lab 10's panel: the study's findings (shape and published CPU ratios), descriptors that parse."""
from __future__ import annotations

import re

import pytest

from vlab.exercises.rdm_vs_vmfs import load_rdm_modes
from vlab.formats.vmdk import parse_descriptor
from vlab.widgets.rdm_panel import (
    BLOCK_SIZES_KB,
    RdmPanel,
    claim_vs_study,
    cpu_figure,
    key_numbers,
    mapping_descriptor,
    modes_table,
    sweep_rows,
    throughput_figure,
)


@pytest.fixture(scope="module")
def by_pattern():
    return {p: sweep_rows(p) for p in ("random", "sequential")}


def test_random_throughput_is_equal_as_the_study_found(by_pattern):
    assert all(abs(r.gap_pct) < 1.0 for r in by_pattern["random"])


def test_the_sequential_gap_is_largest_at_small_blocks_and_shrinks(by_pattern):
    gaps = [r.gap_pct for r in by_pattern["sequential"]]
    assert gaps[0] == max(gaps) and gaps[0] > 2.0  # 4 KB: a few per cent
    assert all(a >= b - 1e-9 for a, b in zip(gaps, gaps[1:], strict=False))  # never grows
    assert gaps[-1] < 0.5  # gone at large blocks
    numbers = key_numbers(by_pattern)
    assert numbers["sequential_gap_at_32kb_pct"] < numbers["sequential_gap_at_4kb_pct"] / 4


def test_the_cpu_figure_draws_what_its_title_and_the_claim_table_say(by_pattern):
    # The figure's title and the claim table state VMFS's extra CPU per I/O in words; the traces
    # the figure draws (VMFS over RDM, point by point) must show exactly those percentages.
    fig = cpu_figure(by_pattern)
    stated = {p: float(pct) for pct, p in re.findall(r"(\d+) % \((random|sequential)\)",
                                                       fig.layout.title.text)}
    assert stated == {"random": 5.0, "sequential": 8.0}  # the study's figures
    traces = {t.name: list(t.y) for t in fig.data}
    for pattern, pct in stated.items():
        vmfs, rdm = traces[f"VMFS, {pattern}"], traces[f"RDM, {pattern}"]
        assert [v / r for v, r in zip(vmfs, rdm, strict=True)] == pytest.approx(
            [1 + pct / 100] * len(rdm))
    (cpu_row,) = [r for r in claim_vs_study(by_pattern["sequential"]) if r[""] == "CPU per I/O"]
    assert f"+{stated['sequential']:.0f} %" in cpu_row["vlab model"]


def test_throughput_is_iops_times_block_size(by_pattern):
    # MB/s rise with block size until the 4 Gb/s wire (~400 MB/s of payload) caps them
    seq = by_pattern["sequential"]
    assert all(r.rdm_mbps <= 400.0 + 1e-6 for r in seq)
    assert seq[-1].rdm_mbps == pytest.approx(400.0, rel=0.01)
    assert seq[-1].bottleneck == "wire" and seq[0].bottleneck == "cpu"


def test_figures_draw_the_rows(by_pattern):
    fig = throughput_figure(by_pattern)
    vmfs_random = fig.data[0]
    assert list(vmfs_random.x) == list(BLOCK_SIZES_KB)
    assert list(vmfs_random.y) == pytest.approx([r.vmfs_mbps for r in by_pattern["random"]])
    gap = [t for t in fig.data if t.name == "gap, sequential"][0]
    assert list(gap.y) == pytest.approx([r.gap_pct for r in by_pattern["sequential"]])
    cpu = cpu_figure(by_pattern)
    assert len(cpu.data) == 4
    with pytest.raises(ValueError, match="at least one"):
        throughput_figure({})


def test_claim_versus_study_names_the_32_kb_claim(by_pattern):
    rows = claim_vs_study(by_pattern["sequential"])
    claim = [r for r in rows if "32" in r[""]][0]
    assert "32 kB" in claim["notes"] and "shrinks" in claim["ESX 3.5 SAN study"]
    with pytest.raises(ValueError, match="4 KB and 32 KB"):
        claim_vs_study(sweep_rows("sequential", (64, 128)))


@pytest.mark.parametrize("mode, create_type, suffix", [
    ("virtual", "vmfsRawDeviceMap", "-rdm.vmdk"),
    ("physical", "vmfsPassthroughRawDeviceMap", "-rdmp.vmdk"),
])
def test_mapping_descriptors_parse_back_with_the_luns_size(mode, create_type, suffix):
    text = mapping_descriptor(mode, disk="sql01_1", lun_gb=200).to_text()
    d = parse_descriptor(text)
    assert d.create_type == create_type
    assert [e.type for e in d.extents] == ["VMFSRDM"]
    assert d.extents[0].filename == "sql01_1" + suffix
    assert d.capacity_bytes == 200 * 2**30
    assert not d.has_parent


def test_bad_descriptor_requests_are_refused():
    with pytest.raises(ValueError, match="'virtual' or 'physical'"):
        mapping_descriptor("raw")
    with pytest.raises(ValueError, match="lun_gb"):
        mapping_descriptor("virtual", lun_gb=0)


def test_modes_table_shows_every_row_escaped():
    rows = load_rdm_modes()
    table = modes_table(rows)
    assert table.count("<tr") == len(rows) + 1
    assert "&lt;disk&gt;-rdmp.vmdk" in table and "<disk>" not in table
    with pytest.raises(ValueError):
        modes_table([])


def test_the_panel_recomputes_from_its_controls():
    panel = RdmPanel()
    assert panel.comparison.pattern == "sequential" and panel.comparison.block_kb == 4
    assert panel.comparison.throughput_gap > 0.02
    panel.pattern.value = "random"
    assert abs(panel.comparison.throughput_gap) < 0.01 and panel.rows[0].pattern == "random"
    panel.block_kb.value = 64
    assert panel.comparison.block_kb == 64 and "64 KB" in panel.summary.value
    panel.outstanding.value = 1
    assert "1 outstanding" in panel.summary.value and len(panel.plot.outputs) == 1
