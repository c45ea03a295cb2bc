"""The simpy engine behind `vlab.models.storage.simulation.simulate`: one shared LUN seen from many hosts.

What it imitates, stage by stage (one I/O's life):
  VM (guest issues a SCSI command to its virtual disk)
  -> VMkernel per-LUN queue on its host: at most ``host_limit`` commands active at the device
     (the LUN queue depth, or min(DSNRO, queue depth) when two or more VMs on that host share the
     LUN); the excess waits in per-VM queues that are served round-robin. Time here is KAVG/QAVG.
  -> HBA and Fibre Channel link (one per host, full duplex: writes cross host->array before the
     array sees them, reads array->host after); a FIFO wire whose transfer time is block size /
     payload rate.
  -> array front end: a SCSI reservation held by another host bounces the command (BUSY, counted
     as a conflict) and the host re-sends it after ``busy_retry_ms``; otherwise it waits for one of
     the LUN's ``array_queue_limit`` slots.
  -> cache (read hits, fixed latency) or back end: a pool of spindles taking back-end operations
     from one FIFO queue; a write costs the RAID write penalty in back-end operations and
     completes when all of them have. Time from dispatch to completion is DAVG.

Written with simpy timeouts and callbacks rather than one process per I/O, because the tests run
hundreds of thousands of I/Os; the FIFO link needs no queue at all (its next free instant is
enough, since every transfer on it takes the same time).

Left out: multiple LUNs and paths, multipathing, adaptive queue depth, QUEUE FULL responses,
Disk.SchedQControlVMSwitches, write-back caching and prefetch, per-stripe placement of I/Os on
particular spindles, CPU cost of the I/O path.
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

import simpy


@dataclass(frozen=True)
class PathParams:
    """Validated, unit-converted parameters (times in seconds)."""

    hosts: int
    vms_per_host: int
    outstanding_per_vm: tuple[int, ...] | None  # one entry per VM
    arrival_rate_per_vm: float | None
    think_s: float
    host_limit: int
    array_queue_limit: int
    spindles: int
    service_kind: str  # "exp", "fixed" or "disk"
    service_mean_s: float  # exp/fixed mean, or average seek for "disk"
    revolution_s: float  # "disk" only
    transfer_s: float  # "disk" only: media transfer of one block
    write_penalty: int
    read_fraction: float
    cache_hit_ratio: float
    cache_hit_s: float
    link_s: float | None  # wire time per block, None = link not modelled
    metadata_ops_per_s: float
    reservation_s: float
    busy_retry_s: float
    warmup_ios: int
    ios: int
    seed: int


class _IO:
    __slots__ = ("vm", "host", "write", "t_issue", "t_dispatch", "t_arrive", "t_admit", "pending")

    def __init__(self, vm: int, host: int, write: bool, now: float) -> None:
        self.vm = vm
        self.host = host
        self.write = write
        self.t_issue = now
        self.t_dispatch = 0.0
        self.t_arrive = 0.0
        self.t_admit = 0.0
        self.pending = 0


class _Host:
    __slots__ = ("actv", "limit", "vm_queues", "ring", "tx_free", "rx_free")

    def __init__(self, limit: int, vms: range) -> None:
        self.actv = 0
        self.limit = limit
        self.vm_queues: dict[int, deque[_IO]] = {vm: deque() for vm in vms}
        self.ring: deque[int] = deque()  # VMs with queued commands, in round-robin order
        self.tx_free = 0.0
        self.rx_free = 0.0


@dataclass
class PathTrace:
    """Raw measurements of the measured window (after warm-up), in seconds."""

    t_start: float
    t_end: float
    gavg_s: list[float]
    kavg_s: list[float]
    array_wait_s: float  # summed over measured I/Os
    area_actv: float  # integral of commands active at the device, all hosts
    area_qued: float  # integral of commands queued in the VMkernel, all hosts
    busy_s: float  # integral of busy spindles over the window
    conflicts: int
    completions_per_vm: list[int]


class StoragePath:
    """One run of the path. Build, then call `run()` once."""

    def __init__(self, p: PathParams) -> None:
        self.p = p
        self.env = simpy.Environment()
        master = random.Random(p.seed)
        n_vms = p.hosts * p.vms_per_host
        # Separate streams so that, e.g., a higher metadata rate does not reshuffle service times.
        self.rng_arrival = [random.Random(master.getrandbits(64)) for _ in range(n_vms)]
        self.rng_rw = random.Random(master.getrandbits(64))
        self.rng_service = random.Random(master.getrandbits(64))
        self.rng_cache = random.Random(master.getrandbits(64))
        self.rng_meta = [random.Random(master.getrandbits(64)) for _ in range(p.hosts)]
        self.hosts = [
            _Host(p.host_limit, range(h * p.vms_per_host, (h + 1) * p.vms_per_host))
            for h in range(p.hosts)
        ]
        self.array_active = 0
        self.port_queue: deque[_IO] = deque()
        self.spindles_free = p.spindles
        self.spindle_queue: deque[_IO] = deque()
        self.reserved_by = -1
        # measurement state
        self.completed = 0
        self.measuring = False
        self.t_start = 0.0
        self.actv = 0
        self.qued = 0
        self.t_last = 0.0
        self.area_actv = 0.0
        self.area_qued = 0.0
        self.busy_s = 0.0  # integral of busy spindles
        self.t_busy_last = 0.0
        self.conflicts = 0
        self.gavg: list[float] = []
        self.kavg: list[float] = []
        self.array_wait = 0.0
        self.per_vm = [0] * n_vms
        self.done = self.env.event()

    # ---- helpers ---------------------------------------------------------------------------
    def _after(self, delay: float, callback, value) -> None:
        ev = self.env.timeout(delay, value)
        ev.callbacks.append(callback)

    def _account_busy(self) -> None:
        now = self.env.now
        self.busy_s += (self.p.spindles - self.spindles_free) * (now - self.t_busy_last)
        self.t_busy_last = now

    def _account(self) -> None:
        now = self.env.now
        dt = now - self.t_last
        if dt:
            self.area_actv += self.actv * dt
            self.area_qued += self.qued * dt
            self.t_last = now

    # ---- VMs -------------------------------------------------------------------------------
    def _issue(self, vm: int) -> None:
        p = self.p
        write = p.read_fraction < 1.0 and self.rng_rw.random() >= p.read_fraction
        io = _IO(vm, vm // p.vms_per_host, write, self.env.now)
        host = self.hosts[io.host]
        self._account()
        if host.actv < host.limit:
            self._dispatch(host, io)
        else:
            self.qued += 1
            q = host.vm_queues[vm]
            if not q:
                host.ring.append(vm)
            q.append(io)

    def _open_arrival(self, ev) -> None:
        vm = ev.value
        self._issue(vm)
        self._after(self.rng_arrival[vm].expovariate(self.p.arrival_rate_per_vm),
                    self._open_arrival, vm)

    def _think_done(self, ev) -> None:
        self._issue(ev.value)

    # ---- VMkernel and link -----------------------------------------------------------------
    def _dispatch(self, host: _Host, io: _IO) -> None:
        host.actv += 1
        self.actv += 1
        now = self.env.now
        io.t_dispatch = now
        link = self.p.link_s
        if io.write and link is not None:
            start = host.tx_free if host.tx_free > now else now
            host.tx_free = start + link
            self._after(host.tx_free - now, self._arrive_ev, io)
        else:
            self._arrive(io)

    def _complete_ev(self, ev) -> None:
        self._complete(ev.value)

    def _complete(self, io: _IO) -> None:
        if self.done.triggered:  # commands finishing at the very instant the run ended
            return
        host = self.hosts[io.host]
        self._account()
        host.actv -= 1
        self.actv -= 1
        if host.ring:
            vm = host.ring.popleft()
            q = host.vm_queues[vm]
            nxt = q.popleft()
            if q:
                host.ring.append(vm)
            self.qued -= 1
            self._dispatch(host, nxt)
        now = self.env.now
        if self.measuring:
            self.gavg.append(now - io.t_issue)
            self.kavg.append(io.t_dispatch - io.t_issue)
            self.array_wait += io.t_admit - io.t_arrive
            self.per_vm[io.vm] += 1
            if len(self.gavg) >= self.p.ios:
                self.done.succeed()
                return
        else:
            self.completed += 1
            if self.completed >= self.p.warmup_ios:
                self._start_measuring()
        if self.p.outstanding_per_vm is not None:
            if self.p.think_s > 0:
                self._after(self.rng_arrival[io.vm].expovariate(1 / self.p.think_s),
                            self._think_done, io.vm)
            else:
                self._issue(io.vm)

    def _start_measuring(self) -> None:
        self._account()
        self.measuring = True
        self.t_start = self.env.now
        self.area_actv = self.area_qued = 0.0
        self._account_busy()
        self.busy_s = 0.0
        self.conflicts = 0

    # ---- array -----------------------------------------------------------------------------
    def _arrive_ev(self, ev) -> None:
        self._arrive(ev.value)

    def _arrive(self, io: _IO) -> None:
        if self.reserved_by >= 0 and self.reserved_by != io.host:
            self.conflicts += 1  # SCSI reservation conflict: BUSY, the host re-sends
            self._after(self.p.busy_retry_s, self._arrive_ev, io)
            return
        io.t_arrive = self.env.now
        if self.array_active < self.p.array_queue_limit:
            self._admit(io)
        else:
            self.port_queue.append(io)

    def _admit(self, io: _IO) -> None:
        p = self.p
        self.array_active += 1
        io.t_admit = self.env.now
        if io.write:
            io.pending = p.write_penalty
        elif p.cache_hit_ratio > 0 and self.rng_cache.random() < p.cache_hit_ratio:
            self._after(p.cache_hit_s, self._array_done_ev, io)
            return
        else:
            io.pending = 1
        for _ in range(io.pending):
            if self.spindles_free:
                self._account_busy()
                self.spindles_free -= 1
                self._serve(io)
            else:
                self.spindle_queue.append(io)

    def _service_time(self) -> float:
        p, rng = self.p, self.rng_service
        if p.service_kind == "exp":
            return rng.expovariate(1 / p.service_mean_s)
        if p.service_kind == "fixed":
            return p.service_mean_s
        # seek anywhere between track-to-track and twice the average, then on average half a turn
        return (2 * p.service_mean_s * rng.random() + p.revolution_s * rng.random()
                + p.transfer_s)

    def _serve(self, io: _IO) -> None:
        self._after(self._service_time(), self._op_done, io)

    def _op_done(self, ev) -> None:
        io = ev.value
        if self.spindle_queue:
            self._serve(self.spindle_queue.popleft())
        else:
            self._account_busy()
            self.spindles_free += 1
        io.pending -= 1
        if io.pending == 0:
            self._array_done(io)

    def _array_done_ev(self, ev) -> None:
        self._array_done(ev.value)

    def _array_done(self, io: _IO) -> None:
        self.array_active -= 1
        if self.port_queue:
            self._admit(self.port_queue.popleft())
        link = self.p.link_s
        if not io.write and link is not None:
            host = self.hosts[io.host]
            now = self.env.now
            start = host.rx_free if host.rx_free > now else now
            host.rx_free = start + link
            self._after(host.rx_free - now, self._complete_ev, io)
        else:
            self._complete(io)

    # ---- SCSI reservations -----------------------------------------------------------------
    def _metadata_op(self, ev) -> None:
        host = ev.value
        self._after(self.rng_meta[host].expovariate(self.p.metadata_ops_per_s),
                    self._metadata_op, host)
        self._reserve(host)

    def _reserve_ev(self, ev) -> None:
        self._reserve(ev.value)

    def _reserve(self, host: int) -> None:
        # RESERVE jumps the host's queue; another host's reservation makes it conflict and retry.
        # The host's own lock just delays its next metadata update (VMFS serialises them).
        if self.reserved_by >= 0:
            if self.reserved_by != host:
                self.conflicts += 1
            self._after(self.p.busy_retry_s, self._reserve_ev, host)
            return
        self.reserved_by = host
        self._after(self.p.reservation_s, self._release, host)

    def _release(self, ev) -> None:
        self.reserved_by = -1

    # ---- run -------------------------------------------------------------------------------
    def run(self) -> PathTrace:
        p = self.p
        n_vms = p.hosts * p.vms_per_host
        for vm in range(n_vms):
            if p.outstanding_per_vm is not None:
                for _ in range(p.outstanding_per_vm[vm]):
                    self._issue(vm)
            else:
                self._after(self.rng_arrival[vm].expovariate(p.arrival_rate_per_vm),
                            self._open_arrival, vm)
        if p.metadata_ops_per_s > 0:
            for h in range(p.hosts):
                self._after(self.rng_meta[h].expovariate(p.metadata_ops_per_s),
                            self._metadata_op, h)
        if p.warmup_ios == 0:
            self._start_measuring()
        self.env.run(until=self.done)
        self._account()
        self._account_busy()
        return PathTrace(
            t_start=self.t_start,
            t_end=self.env.now,
            gavg_s=self.gavg,
            kavg_s=self.kavg,
            array_wait_s=self.array_wait,
            area_actv=self.area_actv,
            area_qued=self.area_qued,
            busy_s=self.busy_s,
            conflicts=self.conflicts,
            completions_per_vm=self.per_vm,
        )
