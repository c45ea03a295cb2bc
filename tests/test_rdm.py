"""VMFS vs RDM model against what the ESX 3.5 SAN study reports (storage-facts.md section 2):
equal random-I/O throughput, a small-block sequential RDM advantage that shrinks as blocks grow,
and 5 % (random) / 8 % (sequential) more CPU per I/O for VMFS. The CPU figures are published
inputs to the model; the throughput results follow from where the bottleneck sits."""
from __future__ import annotations

import pytest

from vlab.models.storage.queueing import mva
from vlab.models.storage.rdm import VMFS_CPU_OVERHEAD, compare, compare_sweep

BLOCKS = (4, 8, 16, 32, 64, 128, 256)


def test_random_io_throughput_is_equal():
    for c in compare_sweep("random", BLOCKS):
        assert abs(c.throughput_gap) < 0.005, (c.block_kb, c.throughput_gap)
    assert compare("random", 8).vmfs_bottleneck == "disk"  # seeks, not CPU, limit random I/O


def test_small_block_sequential_gap_shrinks_as_blocks_grow():
    seq = compare_sweep("sequential", BLOCKS)
    gaps = [c.throughput_gap for c in seq]
    assert 0.03 < gaps[0] <= 0.08 + 1e-9  # RDM a few per cent ahead at 4 KB, the study's case
    assert gaps[0] == max(gaps)
    assert all(b <= a + 1e-12 for a, b in zip(gaps, gaps[1:], strict=False))  # never widens
    assert gaps[-1] < 0.001  # closed at large blocks
    assert seq[0].rdm_bottleneck == "cpu"  # the study saw differences only with a saturated CPU
    assert seq[-1].rdm_bottleneck == "wire"


def test_both_exceed_300_mbps_at_large_sequential_blocks():
    # "very high throughput in excess of 300 megabytes per second depending on the I/O block size"
    # (with the model's assumed 4 Gb/s link; the paper's own figures are not available to us).
    big = compare("sequential", 64)
    assert big.vmfs_mbps > 300 and big.rdm_mbps > 300
    assert compare("sequential", 4).vmfs_mbps < 300


@pytest.mark.parametrize(("pattern", "block_kb", "ratio"),
                         [("random", 8, 1.05), ("random", 256, 1.05), ("sequential", 256, 1.08)])
def test_when_the_cpu_is_not_the_bottleneck_vmfs_pays_in_cpu_load_not_throughput(
        pattern, block_kb, ratio):
    # The study: equal throughput, yet VMFS uses about 5 % (random) / 8 % (sequential) more CPU.
    # Where disks or the wire limit throughput, the model must deliver the same I/O rate and show
    # the whole CPU difference as CPU load (busy microseconds per second), not lose it.
    c = compare(pattern, block_kb)
    assert c.vmfs_bottleneck == c.rdm_bottleneck != "cpu"
    assert c.throughput_gap == pytest.approx(0.0, abs=0.005)
    vmfs_load = c.vmfs_iops * c.vmfs_cpu_us_per_io / 1e6  # fraction of one CPU kept busy
    rdm_load = c.rdm_iops * c.rdm_cpu_us_per_io / 1e6
    assert vmfs_load < 0.95  # not saturated, or the overhead would turn into a throughput gap
    assert vmfs_load / rdm_load == pytest.approx(ratio, rel=0.005)


def test_published_overheads_table_has_one_entry_per_pattern():
    # Data-presence check only: the model's inputs are the study's 5 % and 8 % (the behaviour
    # that follows from them is tested above and in test_cpu_bound_gap_equals_the_cpu_ratio).
    assert VMFS_CPU_OVERHEAD == pytest.approx({"random": 0.05, "sequential": 0.08})


def test_cpu_bound_gap_equals_the_cpu_ratio():
    # When the CPU is the only bottleneck, throughput is 1 / (CPU per I/O): the gap is the ratio.
    c = compare("sequential", 4, outstanding=64)
    assert c.throughput_gap == pytest.approx(0.08, rel=0.01)
    assert c.rdm_iops == pytest.approx(1e6 / c.rdm_cpu_us_per_io, rel=0.01)


def test_matches_mva_by_hand():
    # RDM at 4 KB sequential: stations CPU (40.8 us), wire (4 KB at 400 MB/s), 16 spindles.
    c = compare("sequential", 4, outstanding=16)
    wire_ms = 4 / 1024 / 400 * 1000
    disk_ms = 4 / 1024 / 100 * 1000 / 16
    x = mva([0.0408, wire_ms] + [disk_ms] * 16, 16).throughput * 1000
    assert c.rdm_iops == pytest.approx(x)


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [({"pattern": "mixed"}, "pattern"), ({"block_kb": 0}, "block_kb"),
     ({"outstanding": 0}, "outstanding"), ({"spindles": 2.5}, "spindles"),
     ({"link_gbps": -1}, "link_gbps"), ({"cpu_us_per_kb": -1}, "cpu_us_per_kb")],
)
def test_bad_input(kwargs, hint):
    with pytest.raises(ValueError, match=hint):
        compare(**kwargs)
