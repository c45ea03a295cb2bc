"""Lab 03's I/O-path panel: per-VM figures against conservation, Little's law and round-robin theory."""
from __future__ import annotations

import pytest

from vlab.models.storage.simulation import MEDIA_MB_PER_S
from vlab.widgets.io_path_panel import (
    IoPathPanel,
    SharedLun,
    expected_conflicts_per_s,
    fairness_figure,
    guest_and_host_view,
    latency_parts,
    path_figure,
    path_stages,
    reservation_figure,
    reservation_points,
    run_shared_lun,
    vm_rows,
)

MEAN_DISK_MS = 3.5 + 2.0 + 8 / 1024 / MEDIA_MB_PER_S * 1000  # seek + half a 15K turn + transfer
NOISY = SharedLun(outstanding=(32, 4, 4, 4), dsnro=32, spindles=16, ios=3000, seed=2)
FAIR = SharedLun(outstanding=(32, 4, 4, 4), dsnro=8, spindles=16, ios=3000, seed=2)


@pytest.fixture(scope="module")
def noisy():
    return run_shared_lun(NOISY)


@pytest.fixture(scope="module")
def fair():
    return run_shared_lun(FAIR)


def test_per_vm_iops_add_up_to_the_hosts_iops(noisy, fair):
    for lun, r in ((NOISY, noisy), (FAIR, fair)):
        rows = vm_rows(lun, r)
        assert sum(x.iops for x in rows) == pytest.approx(r.iops, rel=1e-6)
        assert sum(x.share for x in rows) == pytest.approx(1.0)


def test_per_vm_latency_from_littles_law_matches_the_measured_mean(noisy, fair):
    # sum of outstanding = total IOPS x GAVG (closed loop); the result's GAVG is measured per I/O
    for lun, r in ((NOISY, noisy), (FAIR, fair)):
        rows = vm_rows(lun, r)
        weighted = sum(x.gavg_ms * x.iops for x in rows) / sum(x.iops for x in rows)
        assert weighted == pytest.approx(r.gavg_ms, rel=0.03)
        assert sum(lun.outstanding) / r.iops * 1000 == pytest.approx(r.gavg_ms, rel=0.03)


def test_a_noisy_neighbour_takes_most_slots_until_dsnro_shares_them(noisy, fair):
    loud = vm_rows(NOISY, noisy)
    # 44 commands, 32 slots: db01 holds most of them, so it gets most of the IOPS
    assert loud[0].share > 0.5
    assert all(x.iops < 0.3 * loud[0].iops for x in loud[1:])
    # DSNRO 8 < 4 VMs x 4: every VM always has a command waiting, and round-robin serves them in
    # turn, so each gets about a quarter of the host's IOPS
    shared = vm_rows(FAIR, fair)
    assert all(x.share == pytest.approx(0.25, abs=0.03) for x in shared)
    assert shared[1].gavg_ms < loud[1].gavg_ms and shared[0].gavg_ms > loud[0].gavg_ms


def test_dsnro_shares_iops_but_cannot_add_any(noisy, fair):
    # With DSNRO 32, 32 commands sit at the array: at least 32 back-end operations for 16
    # spindles, so they never idle and the host gets the back end's cap, n x IOPS_disk /
    # (R + 4 W) for RAID 5 at 70 % reads (EMC rule, storage-facts.md section 4). 3000 I/Os:
    # the write fraction alone moves back-end ops per I/O by sqrt(0.21 / 3000) x 3 / 1.9 =
    # 1.3 %, so 6 % is about 4 sigma.
    cap = 16 * 1000 / MEAN_DISK_MS / (0.7 + 4 * 0.3)
    assert noisy.spindle_utilisation > 0.99
    assert noisy.iops == pytest.approx(cap, rel=0.06)
    # DSNRO 8 lets only 8 commands reach the array, too few to keep 16 spindles busy (a read
    # holds one). Utilisation law, IOPS = busy spindles / (ms and ops per I/O), same disks and
    # mix: the fair host's IOPS fall with its utilisation. Fairness moves IOPS between VMs;
    # here it costs some, it never adds any.
    assert fair.actv == pytest.approx(8)
    assert fair.spindle_utilisation < noisy.spindle_utilisation
    assert fair.iops < noisy.iops
    assert fair.iops / noisy.iops == pytest.approx(
        fair.spindle_utilisation / noisy.spindle_utilisation, rel=0.06)


def test_dsnro_does_nothing_with_one_vm_on_the_lun():
    one = [run_shared_lun(SharedLun(outstanding=(48,), dsnro=d, ios=1000)) for d in (4, 32)]
    assert one[0].host_limit == one[1].host_limit == 32
    assert one[0].iops == one[1].iops


def test_latency_parts_and_path_stages_add_up_to_gavg(noisy, fair):
    for r in (noisy, fair):
        assert sum(latency_parts(r).values()) == pytest.approx(r.gavg_ms, rel=1e-9)
        stages = path_stages(r)
        assert sum(s.ms for s in stages) == pytest.approx(r.gavg_ms, rel=1e-9)
        assert sum(s.ms for s in stages if s.counter == "KAVG") == pytest.approx(r.kavg_ms)
        assert sum(s.ms for s in stages if s.counter == "DAVG") == pytest.approx(r.davg_ms)
    assert "no WWN" in path_stages(noisy)[0].knows
    bars = path_figure(fair).data
    assert sum(b.x[0] for b in bars) == pytest.approx(fair.gavg_ms)


def test_fairness_figure_draws_the_rows(fair):
    rows = vm_rows(FAIR, fair)
    fig = fairness_figure(rows)
    assert list(fig.data[0].y) == pytest.approx([x.iops for x in rows])
    assert list(fig.data[1].y) == pytest.approx([x.gavg_ms for x in rows])
    with pytest.raises(ValueError, match="at least one"):
        fairness_figure([])


def test_expected_conflicts_by_hand():
    # 1000 IOPS, 3 hosts, 2 reservations/s per host of 0.3 ms: 1000 x 2 x 2 x 0.0003 = 1.2
    assert expected_conflicts_per_s(3, 2.0, 1000.0) == pytest.approx(1.2)
    assert expected_conflicts_per_s(1, 50.0, 5000.0) == 0.0  # a host never conflicts with itself
    with pytest.raises(ValueError):
        expected_conflicts_per_s(0, 1.0, 100.0)


def test_simulated_conflicts_follow_light_locking_theory():
    assert reservation_points([1], 20.0, ios=2000, seed=5)[0].cons_per_s == 0.0
    # 4 hosts at 20 reservations/s each: p = 3 x 20 x 0.3 ms = 1.8 % of the time another host
    # holds the lock, ~700 conflicts in 40 000 I/Os. expected_conflicts_per_s is first order;
    # add what it leaves out: other hosts' RESERVEs hit the lock too (H m per second beside
    # IOPS), and a bounced command is re-sent into another lock with probability p.
    h, rate, ios = 4, 20.0, 40_000
    (four,) = reservation_points([h], rate, ios=ios, seed=5)
    seconds = ios / four.iops
    p = (h - 1) * rate * 0.3e-3
    expected = four.expected_cons_per_s * seconds * (1 + h * rate / four.iops) / (1 - p)
    counted = four.cons_per_s * seconds
    # Locks come as a Poisson stream and each catches Poisson(mu) commands of the other hosts:
    # the count is compound Poisson, Var = E (1 + mu). 4 sigma (+-22 % here); checked over 24
    # seeds, all inside (|z| <= 3.2), while a model counting H instead of H - 1 hosts fails 23.
    mu = four.iops * (h - 1) / h * 0.3e-3
    assert expected > 500
    assert abs(counted - expected) <= 4 * (expected * (1 + mu)) ** 0.5, (counted, expected)
    points = reservation_points([1, 4], 2.0, ios=3000, seed=5)
    fig = reservation_figure({2.0: points})
    assert list(fig.data[0].y) == [p.cons_per_s for p in points]


def test_conflicts_grow_with_hosts_and_rate():
    low = reservation_points([2, 8], 2.0, ios=4000)
    high = reservation_points([2, 8], 10.0, ios=4000)
    assert low[1].cons_per_s > low[0].cons_per_s
    assert high[1].cons_per_s > low[1].cons_per_s


def test_the_guest_sees_no_wwn_and_no_lun():
    rows = guest_and_host_view("pvscsi", wwpn="21:00:00:aa:bb:cc:dd:ee", naa="naa.6000ABC", lun=9)
    guest = " ".join(r["guest sees"] for r in rows)
    host = " ".join(r["host sees"] for r in rows)
    for secret in ("21:00:00:aa:bb:cc:dd:ee", "naa.6000ABC", "L9"):
        assert secret not in guest and secret in host
    assert "PVSCSI" in guest and 'vendor "VMware"' in guest
    with pytest.raises(ValueError, match="virtual_dev"):
        guest_and_host_view("ide")


def test_bad_designs_are_refused_with_a_message():
    with pytest.raises(ValueError, match="at least one VM"):
        run_shared_lun(SharedLun(outstanding=()))
    with pytest.raises(ValueError, match="at most 6 VMs"):
        run_shared_lun(SharedLun(outstanding=(1,) * 7))


def test_the_panel_recomputes_from_its_sliders():
    panel = IoPathPanel(SharedLun(ios=1500))
    assert len(panel.rows) == 4 and panel.error == ""
    before = panel.rows[1].share
    panel.sliders["dsnro"].value = 8
    assert panel.lun.dsnro == 8 and panel.rows[1].share > before + 0.05
    panel.sliders["vms"].value = 3
    assert [r.name for r in panel.rows] == ["db01", "app01", "web01"]
    assert "IOPS" in panel.status.value and "<table>" in panel.table.value
    assert len(panel.plot.outputs) == 2
