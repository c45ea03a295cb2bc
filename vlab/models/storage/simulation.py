"""The ESX storage path as a seeded simpy simulation, reported in esxtop's terms.

What it imitates: VMs on one or more ESX hosts doing I/O to virtual disks that live on ONE shared
VMFS volume (one LUN), the way the "Scalable Storage Performance" study (VMware, ESX 3.5, 2008)
loads a LUN with IOmeter. A command goes guest -> VMkernel per-LUN queue (queue depth, and
Disk.SchedNumReqOutstanding when two or more VMs on the host share the LUN, VMs served
round-robin) -> HBA and Fibre Channel link -> array (per-LUN queue limit, SCSI reservations,
read cache, spindles with seek + half a rotation, RAID write penalty). The engine is in
`vlab.models.storage.path`; this module validates the configuration and turns the trace into a
`StorageResult` with esxtop's counters:

  GAVG = KAVG + DAVG   guest latency = time in the VMkernel + time from the HBA to the array and back
  QAVG                 queueing part of KAVG (in this model all of KAVG is queueing, so QAVG = KAVG)
  ACTV, QUED           commands active at the device / queued in the VMkernel (time averages,
                       summed over hosts)
  CONS/s               SCSI reservation conflicts per second

Two ways to drive it: closed loop (``outstanding_per_vm``: each VM keeps that many I/Os in
flight, like IOmeter's "# of outstanding I/Os") or open loop (``arrival_rate_per_vm``: Poisson
arrivals, I/Os per second). With ``service_ms`` the spindle physics is replaced by ``spindles``
(default 1) servers with that mean service time, exponential or fixed, and no cache hits unless
``cache_hit_ratio`` is set, so textbook M/M/1, M/M/c and closed-loop cases run exactly; pass
``link_gbps=None`` as well to take the wire out of the path.

Left out (see vlab.models.storage.path for more): several LUNs or paths per host, adaptive queue depth and
QUEUE FULL, write-back cache and prefetch, sequential locality, guest and VMkernel CPU time, the
paper's own measured figures (not available to us; the model reproduces the mechanisms, not
those numbers).
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from vlab.models.storage.path import PathParams, StoragePath
from vlab.models.storage.sizing import LunSizing, lun_sizing
from vlab.models.storage.stats import LatencySummary, batch_means_ci, latency_summary

__all__ = [
    "RAID_WRITE_PENALTY",
    "LatencySummary",
    "LunSizing",
    "StorageResult",
    "first_crossing",
    "latency_summary",
    "lun_sizing",
    "simulate",
    "sweep",
]

# Back-end I/Os per front-end write (crucial.com.au, 2010); reads carry no penalty.
RAID_WRITE_PENALTY: dict[int, int] = {0: 1, 1: 2, 5: 4, 6: 6, 10: 2}
FC_MB_PER_S_PER_GBPS = 100.0  # FC "1G" carries ~100 MB/s of payload: 8b/10b coding, 10 bits a byte
MEDIA_MB_PER_S = 100.0  # sustained media rate of one spindle, for the transfer part of service
DAVG_ALARM_MS = (20.0, 30.0)  # vSphere blog: DAVG "consistently greater than 20 to 30 ms"
ADD_HARDWARE_MS = 50.0  # Scalable Storage Performance: at 50 ms add physical resources


@dataclass(frozen=True)
class StorageResult:
    """One simulated run, in esxtop's terms. Times in ms, rates per second."""

    gavg_ms: float  # mean guest latency (= kavg_ms + davg_ms)
    kavg_ms: float  # mean time in the VMkernel
    qavg_ms: float  # mean time queued in the VMkernel (all of KAVG in this model)
    davg_ms: float  # mean time from the HBA to the array and back
    array_wait_ms: float  # part of DAVG spent waiting for one of the array's per-LUN slots
    iops: float
    mbps: float  # MB/s (MiB), iops * block_kb / 1024
    actv: float  # mean commands active at the device, summed over hosts
    qued: float  # mean commands queued in the VMkernel, summed over hosts
    cons_per_s: float  # SCSI reservation conflicts per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    gavg_ci_ms: tuple[float, float]  # 99 % confidence interval of gavg_ms (batch means)
    spindle_utilisation: float  # measured busy fraction of the back end
    offered_utilisation: float | None  # open loop only: offered back-end or link load, >= 1 = overload
    unstable: bool  # open loop at or past full utilisation: latency grows without bound
    host_limit: int  # commands each host lets through to the LUN: queue_depth or min(dsnro, qd)
    ios: int  # measured completions (after warm-up)
    sim_seconds: float  # simulated time of the measured window
    iops_per_vm: tuple[float, ...]
    # GAVG of every measured command, in completion order (for histograms; kept out of repr)
    latencies_ms: tuple[float, ...] = field(repr=False)

    def counters(self) -> dict[str, float | bool]:
        """The esxtop-style figures as a flat dict (no per-I/O latencies): for tables and JSON."""
        keys = ("gavg_ms", "kavg_ms", "qavg_ms", "davg_ms", "array_wait_ms", "iops", "mbps",
                "actv", "qued", "cons_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                "spindle_utilisation", "unstable")
        return {k: getattr(self, k) for k in keys}

    @property
    def outstanding(self) -> float:
        """Mean commands in flight (ACTV + QUED); Little's law says this equals IOPS x GAVG."""
        return self.actv + self.qued

    @property
    def littles_law_error(self) -> float:
        """Relative gap between ACTV + QUED and IOPS x GAVG (0 for a consistent run)."""
        little = self.iops * self.gavg_ms / 1000
        return abs(self.outstanding - little) / max(self.outstanding, 1e-12)

    @property
    def gavg_ci_halfwidth_rel(self) -> float:
        """Half-width of the 99 % confidence interval relative to the mean."""
        lo, hi = self.gavg_ci_ms
        return (hi - lo) / 2 / self.gavg_ms


def _count(name: str, value: object, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _number(name: str, value: object, *, low: float = 0.0, low_ok: bool = False,
            high: float = math.inf) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < low or (value == low and not low_ok) or value > high:
        bound = f">= {low}" if low_ok else f"> {low}"
        if high < math.inf:
            bound += f" and <= {high}"
        raise ValueError(f"{name} must be a number {bound}, got {value!r}")
    return float(value)


def _raid_penalty(raid: int | str) -> int:
    key = str(raid).strip().lower().removeprefix("raid").strip(" -")
    if not key.isdigit() or int(key) not in RAID_WRITE_PENALTY:
        raise ValueError(f"raid must be one of {sorted(RAID_WRITE_PENALTY)}, got {raid!r}")
    return RAID_WRITE_PENALTY[int(key)]


def simulate(
    *,
    hosts: int = 1,
    vms_per_host: int = 1,
    outstanding_per_vm: int | Sequence[int] | None = None,
    arrival_rate_per_vm: float | None = None,
    think_ms: float = 0.0,
    queue_depth: int = 32,
    dsnro: int = 32,
    array_queue_limit: int = 256,
    service_ms: float | None = None,
    service_dist: str = "exp",
    spindles: int | None = None,
    rpm: int = 15000,
    seek_ms: float = 3.5,
    raid: int | str = 5,
    read_fraction: float = 1.0,
    cache_hit_ratio: float = 0.0,
    cache_hit_ms: float = 0.2,
    block_kb: float = 8.0,
    link_gbps: float | None = 2.0,
    metadata_ops_per_s: float = 0.0,
    reservation_ms: float = 0.3,
    busy_retry_ms: float = 0.5,
    ios: int = 5000,
    warmup_ios: int | None = None,
    batches: int = 30,
    seed: int = 1,
) -> StorageResult:
    """Simulate ``hosts`` x ``vms_per_host`` VMs doing I/O to one shared LUN.

    Load (give exactly one):
      outstanding_per_vm   closed loop: commands each VM keeps in flight (IOmeter style), one
                           number for all VMs or a list with one per VM (host-major order);
                           ``think_ms`` adds an exponential pause before each re-issue
      arrival_rate_per_vm  open loop: Poisson arrivals, I/Os per second per VM
    Host: queue_depth (LUN queue depth per host, HBA default 32), dsnro (Disk.SchedNumReqOutstanding,
      applies only when vms_per_host >= 2; capped at queue_depth).
    Link: link_gbps (Fibre Channel speed per host, ~100 MB/s per Gbps; None = not modelled).
    Array: array_queue_limit (commands per LUN the array works on at once; the rest wait at its
      port), cache_hit_ratio / cache_hit_ms (read hits), raid (0, 1, 5, 6, 10: write penalty
      1/2/4/6/2), read_fraction, block_kb. Back end: ``spindles`` disks (default 8) of ``rpm``
      with average ``seek_ms``: service = seek + half a rotation on average + media transfer; or
      ``service_ms`` with ``service_dist`` "exp" or "fixed" (``spindles`` default 1).
    SCSI reservations: metadata_ops_per_s per host, each holding the LUN for ``reservation_ms``;
      another host's I/O or RESERVE arriving meanwhile is a conflict and is re-sent after
      ``busy_retry_ms``.
    Run: ``ios`` completions are measured after ``warmup_ios`` (default: the larger of 500,
      ios/10 and 5 x all outstanding commands); the 99 % CI of GAVG uses ``batches`` batch means.
    Same arguments and seed -> same result.
    """
    hosts = _count("hosts", hosts)
    vms_per_host = _count("vms_per_host", vms_per_host)
    if (outstanding_per_vm is None) == (arrival_rate_per_vm is None):
        raise ValueError(
            "give exactly one load: outstanding_per_vm=N (closed loop, N commands in flight per VM,"
            " like IOmeter) or arrival_rate_per_vm=R (open loop, R I/Os per second per VM)"
        )
    n_vms = hosts * vms_per_host
    per_vm: tuple[int, ...] | None = None
    if outstanding_per_vm is not None:
        if isinstance(outstanding_per_vm, int):
            per_vm = (_count("outstanding_per_vm", outstanding_per_vm),) * n_vms
        else:
            per_vm = tuple(_count("outstanding_per_vm[i]", v) for v in outstanding_per_vm)
            if len(per_vm) != n_vms:
                raise ValueError(f"outstanding_per_vm lists {len(per_vm)} VMs; give one number or "
                                 f"one per VM (hosts x vms_per_host = {n_vms})")
    else:
        arrival_rate_per_vm = _number("arrival_rate_per_vm (I/Os per second)", arrival_rate_per_vm)
        if think_ms:
            raise ValueError("think_ms applies to the closed loop only; drop it or use "
                             "outstanding_per_vm instead of arrival_rate_per_vm")
    think_ms = _number("think_ms", think_ms, low_ok=True)
    queue_depth = _count("queue_depth", queue_depth)
    dsnro = _count("dsnro", dsnro)
    array_queue_limit = _count("array_queue_limit", array_queue_limit)
    if service_dist not in ("exp", "fixed"):
        raise ValueError(f"service_dist must be 'exp' or 'fixed', got {service_dist!r}")
    if service_ms is None:
        spindles = _count("spindles", 8 if spindles is None else spindles)
        rpm = _count("rpm", rpm, minimum=1000)
        seek_ms = _number("seek_ms", seek_ms, low_ok=True)
    else:
        service_ms = _number("service_ms", service_ms)
        spindles = _count("spindles", 1 if spindles is None else spindles)
    penalty = _raid_penalty(raid)
    read_fraction = _number("read_fraction", read_fraction, low_ok=True, high=1.0)
    cache_hit_ratio = _number("cache_hit_ratio", cache_hit_ratio, low_ok=True, high=1.0)
    cache_hit_ms = _number("cache_hit_ms", cache_hit_ms)
    block_kb = _number("block_kb", block_kb)
    if link_gbps is not None:
        link_gbps = _number("link_gbps", link_gbps)
    metadata_ops_per_s = _number("metadata_ops_per_s", metadata_ops_per_s, low_ok=True)
    reservation_ms = _number("reservation_ms", reservation_ms)
    busy_retry_ms = _number("busy_retry_ms", busy_retry_ms)
    ios = _count("ios", ios, minimum=100)
    batches = _count("batches", batches, minimum=5)
    if ios < 10 * batches:
        raise ValueError(f"ios must be at least 10 x batches ({10 * batches}) for batch means")
    if warmup_ios is None:
        warmup_ios = max(500, ios // 10, 5 * sum(per_vm or ()))
    warmup_ios = _count("warmup_ios", warmup_ios, minimum=0)
    if not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")

    host_limit = queue_depth if vms_per_host < 2 else min(dsnro, queue_depth)
    block_mb = block_kb / 1024
    if service_ms is None:
        revolution_ms = 60000 / rpm
        transfer_ms = block_mb / MEDIA_MB_PER_S * 1000
        kind, mean_s = "disk", seek_ms / 1000
        mean_service_ms = seek_ms + revolution_ms / 2 + transfer_ms
    else:
        revolution_ms = transfer_ms = 0.0
        kind, mean_s = service_dist, service_ms / 1000
        mean_service_ms = service_ms
    link_s = None if link_gbps is None else block_mb / (link_gbps * FC_MB_PER_S_PER_GBPS)

    params = PathParams(
        hosts=hosts, vms_per_host=vms_per_host, outstanding_per_vm=per_vm,
        arrival_rate_per_vm=arrival_rate_per_vm, think_s=think_ms / 1000, host_limit=host_limit,
        array_queue_limit=array_queue_limit, spindles=spindles, service_kind=kind,
        service_mean_s=mean_s, revolution_s=revolution_ms / 1000, transfer_s=transfer_ms / 1000,
        write_penalty=penalty, read_fraction=read_fraction, cache_hit_ratio=cache_hit_ratio,
        cache_hit_s=cache_hit_ms / 1000, link_s=link_s, metadata_ops_per_s=metadata_ops_per_s,
        reservation_s=reservation_ms / 1000, busy_retry_s=busy_retry_ms / 1000,
        warmup_ios=warmup_ios, ios=ios, seed=seed,
    )
    trace = StoragePath(params).run()

    offered = None
    if arrival_rate_per_vm is not None:
        backend_ops = read_fraction * (1 - cache_hit_ratio) + (1 - read_fraction) * penalty
        rate = arrival_rate_per_vm * n_vms
        offered = rate * backend_ops * mean_service_ms / 1000 / spindles
        if link_s is not None:
            per_host = arrival_rate_per_vm * vms_per_host * link_s
            offered = max(offered, per_host * max(read_fraction, 1 - read_fraction))
    return _result(trace, params, block_kb, offered, batches)


def _result(trace, params: PathParams, block_kb: float, offered: float | None,
            batches: int) -> StorageResult:
    span = trace.t_end - trace.t_start
    n = len(trace.gavg_s)
    gavg = [x * 1000 for x in trace.gavg_s]
    summary = latency_summary(gavg)
    kavg_ms = statistics.fmean(trace.kavg_s) * 1000
    iops = n / span
    lo, hi = batch_means_ci(gavg, batches)
    return StorageResult(
        gavg_ms=summary.mean_ms,
        kavg_ms=kavg_ms,
        qavg_ms=kavg_ms,
        davg_ms=summary.mean_ms - kavg_ms,
        array_wait_ms=trace.array_wait_s / n * 1000,
        iops=iops,
        mbps=iops * block_kb / 1024,
        actv=trace.area_actv / span,
        qued=trace.area_qued / span,
        cons_per_s=trace.conflicts / span,
        p50_ms=summary.p50_ms,
        p95_ms=summary.p95_ms,
        p99_ms=summary.p99_ms,
        max_ms=summary.max_ms,
        gavg_ci_ms=(lo, hi),
        spindle_utilisation=trace.busy_s / (span * params.spindles),
        offered_utilisation=offered,
        unstable=offered is not None and offered >= 1.0,
        host_limit=params.host_limit,
        ios=n,
        sim_seconds=span,
        iops_per_vm=tuple(c / span for c in trace.completions_per_vm),
        latencies_ms=tuple(gavg),
    )


def sweep(parameter: str, values: Sequence[object], **config) -> list[StorageResult]:
    """Run `simulate` once per value of one keyword, the rest of ``config`` fixed (same seed).

    Example: sweep("hosts", [1, 2, 4, 8, 16], outstanding_per_vm=32, spindles=64).
    """
    if parameter in config:
        raise ValueError(f"{parameter!r} is the swept parameter; remove it from the fixed config")
    return [simulate(**{**config, parameter: v}) for v in values]


def first_crossing(xs: Sequence[float], ys: Sequence[float], level: float) -> float | None:
    """The x where ys first reaches ``level``, interpolated linearly; None if it never does.

    For labs: where DAVG crosses the 20-30 ms alarm or the 50 ms "add hardware" line.
    """
    if len(xs) != len(ys) or not xs:
        raise ValueError("xs and ys must be non-empty and of the same length")
    if ys[0] >= level:
        return float(xs[0])
    for (x0, y0), (x1, y1) in zip(zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True),
                                  strict=False):
        if y0 < level <= y1:
            return x0 + (level - y0) * (x1 - x0) / (y1 - y0)
    return None
