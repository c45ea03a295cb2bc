"""The VMkernel CPU scheduler, in miniature: vCPUs (worlds) time-sliced onto physical CPUs.

Imitates what the notes mean by "controls the hardware & schedules resource allocation ... by saving each
slice's register values": every quantum, each physical CPU (pCPU) runs one vCPU; when the vCPU on a pCPU
changes, the outgoing vCPU's registers are saved to memory and the incoming one's restored (a world
switch), so a vCPU can resume on any pCPU where it stopped. Who runs follows ESX's documented resource
controls (vSphere Resource Management, "Resource Allocation Settings"; VMware, *The CPU Scheduler in
VMware vSphere 5.1*, "Proportional Share-Based Algorithm"):

- **reservation_mhz**: a guaranteed minimum under contention; **limit_mhz**: an upper bound, enforced even
  when a pCPU would otherwise idle; **shares**: the spare capacity is divided in proportion to shares.
- These become an *entitlement* per VM (`entitlement_mhz`, water-filling); each quantum the scheduler runs
  the worlds furthest behind their entitlement (consumed / entitled), skipping any VM at its limit. It is
  work-conserving: a pCPU idles only when no world below its limit has work.

Left out: co-scheduling of SMP vCPUs, hyperthreads, NUMA, the real quantum and its adaptation, the idle
world's halting, interrupts, and MHz differences between pCPUs. `demand` < 1 draws, per quantum and per
vCPU, whether the vCPU has work (seeded), which gives ESX's "ready" time a meaning: runnable but waiting.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

NORMAL_SHARES_PER_VCPU = 1000  # vSphere: Normal = 1000 CPU shares per vCPU (Low 500, High 2000)
REGISTERS = ("rip", "rax", "rsp")  # a stand-in for the architectural state a world switch saves


@dataclass(frozen=True)
class VmCpu:
    """One VM's CPU settings. `limit_mhz=None` means unlimited; `demand` is the busy fraction of each vCPU."""

    name: str
    vcpus: int = 1
    shares: int = NORMAL_SHARES_PER_VCPU
    reservation_mhz: float = 0.0
    limit_mhz: float | None = None
    demand: float = 1.0

    def validate(self, host_mhz: float) -> None:
        if not self.name:
            raise ValueError("every VM needs a name")
        if self.vcpus < 1:
            raise ValueError(f"{self.name}: vcpus must be at least 1, not {self.vcpus}")
        if self.shares < 1:
            raise ValueError(f"{self.name}: shares must be a positive number, not {self.shares}")
        if self.reservation_mhz < 0:
            raise ValueError(f"{self.name}: reservation_mhz cannot be negative")
        if self.limit_mhz is not None and self.limit_mhz < self.reservation_mhz:
            raise ValueError(f"{self.name}: the limit ({self.limit_mhz} MHz) is below the reservation "
                             f"({self.reservation_mhz} MHz); raise the limit or lower the reservation")
        if not 0.0 <= self.demand <= 1.0:
            raise ValueError(f"{self.name}: demand is a fraction between 0 and 1, not {self.demand}")


@dataclass
class Vcpu:
    """A world: one virtual CPU and the registers saved while it is not on a pCPU."""

    vm: str
    index: int
    share_weight: float
    saved: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REGISTERS, 0))
    used_ms: float = 0.0
    ready_ms: float = 0.0
    instructions: int = 0  # what the vCPU executed; its saved rip must agree after every switch


@dataclass(frozen=True)
class VmUsage:
    """What one VM got: CPU time, its MHz equivalent and fraction of the host, and time spent ready."""

    name: str
    used_ms: float
    used_mhz: float
    host_fraction: float
    ready_ms: float


@dataclass(frozen=True)
class SchedResult:
    pcpus: int
    mhz_per_pcpu: float
    duration_ms: float
    quantum_ms: float
    vms: tuple[VmUsage, ...]
    context_switches: int
    idle_ms: float
    registers_consistent: bool  # every vCPU's saved rip equals the instructions it executed

    @property
    def used_ms(self) -> float:
        return sum(v.used_ms for v in self.vms)

    @property
    def capacity_ms(self) -> float:
        return self.pcpus * self.duration_ms

    def vm(self, name: str) -> VmUsage:
        for v in self.vms:
            if v.name == name:
                return v
        raise KeyError(f"no VM named {name!r}; the VMs are {[v.name for v in self.vms]}")


def _validate(vms: list[VmCpu], pcpus: int, mhz_per_pcpu: float, duration_ms: float,
              quantum_ms: float) -> None:
    if pcpus < 1:
        raise ValueError(f"pcpus must be at least 1, not {pcpus}")
    if mhz_per_pcpu <= 0 or duration_ms <= 0 or quantum_ms <= 0:
        raise ValueError("mhz_per_pcpu, duration_ms and quantum_ms must be positive")
    if not vms:
        raise ValueError("give at least one VM")
    names = [vm.name for vm in vms]
    if len(set(names)) != len(names):
        raise ValueError(f"VM names must be unique: {names}")
    for vm in vms:
        vm.validate(pcpus * mhz_per_pcpu)
        if vm.reservation_mhz > vm.vcpus * mhz_per_pcpu:
            raise ValueError(f"{vm.name}: a reservation of {vm.reservation_mhz:.0f} MHz needs more than its "
                             f"{vm.vcpus} vCPU(s) x {mhz_per_pcpu:.0f} MHz can use")
    reserved = sum(vm.reservation_mhz for vm in vms)
    if reserved > pcpus * mhz_per_pcpu:
        raise ValueError(f"the reservations add up to {reserved:.0f} MHz but the host has only "
                         f"{pcpus * mhz_per_pcpu:.0f} MHz: admission control would refuse to power them on")


def schedule(vms: list[VmCpu], pcpus: int, *, mhz_per_pcpu: float = 2000.0, duration_ms: float = 2000.0,
             quantum_ms: float = 10.0, instructions_per_ms: int = 1000, seed: int = 0) -> SchedResult:
    """Run the VMs' vCPUs on `pcpus` physical CPUs for `duration_ms`, one `quantum_ms` slice at a time."""
    _validate(vms, pcpus, mhz_per_pcpu, duration_ms, quantum_ms)
    rng = random.Random(seed)
    # ESX's way: turn shares, reservation and limit into an entitlement per VM, then always run the
    # world that is furthest behind its entitlement (consumed / entitled), skipping worlds at their limit.
    rate = {name: mhz / vm_count for (name, mhz), vm_count in
            zip(entitlement_mhz(vms, pcpus, mhz_per_pcpu).items(), [vm.vcpus for vm in vms], strict=True)}
    config = {vm.name: vm for vm in vms}
    worlds = [Vcpu(vm.name, i, vm.shares / vm.vcpus) for vm in vms for i in range(vm.vcpus)]
    vm_used = dict.fromkeys(config, 0.0)
    on_pcpu: list[Vcpu | None] = [None] * pcpus  # None is the idle world
    live = [dict.fromkeys(REGISTERS, 0) for _ in range(pcpus)]  # the pCPUs' register files
    switches, idle_ms, now = 0, 0.0, 0.0
    slices = max(1, round(duration_ms / quantum_ms))
    for _ in range(slices):
        end = now + quantum_ms
        runnable = [w for w in worlds if config[w.vm].demand >= 1.0 or rng.random() < config[w.vm].demand]
        eligible = [w for w in runnable if _under_limit(config[w.vm], vm_used[w.vm], end, mhz_per_pcpu)]
        rng.shuffle(eligible)  # ties are broken at random, not by list order
        # a world entitled to nothing (the reservations take the host) runs only on a spare pCPU
        eligible.sort(key=lambda w: w.used_ms / rate[w.vm] if rate[w.vm] > 0 else math.inf)
        chosen = _keep_placement(eligible[:pcpus], on_pcpu)
        for p, world in enumerate(chosen):
            if world is not on_pcpu[p]:
                switches += 1
                if on_pcpu[p] is not None:
                    on_pcpu[p].saved = dict(live[p])  # save the outgoing world's registers
                live[p] = dict(world.saved) if world is not None else dict.fromkeys(REGISTERS, 0)
                on_pcpu[p] = world
            if world is None:
                idle_ms += quantum_ms
                continue
            executed = instructions_per_ms * int(quantum_ms)
            live[p]["rip"] += executed  # the guest runs: its instruction pointer advances
            world.instructions += executed
            world.used_ms += quantum_ms
            vm_used[world.vm] += quantum_ms
        for world in runnable:
            if world not in chosen:
                world.ready_ms += quantum_ms
        now = end
    for p, world in enumerate(on_pcpu):  # deschedule everything at the end: a final save
        if world is not None:
            world.saved = dict(live[p])
    consistent = all(w.saved["rip"] == w.instructions for w in worlds)
    capacity = pcpus * now
    usage = tuple(
        VmUsage(vm.name, vm_used[vm.name], vm_used[vm.name] / now * mhz_per_pcpu, vm_used[vm.name] / capacity,
                sum(w.ready_ms for w in worlds if w.vm == vm.name))
        for vm in vms
    )
    return SchedResult(pcpus, mhz_per_pcpu, now, quantum_ms, usage, switches, idle_ms, consistent)


def _under_limit(vm: VmCpu, used_ms: float, end_ms: float, mhz_per_pcpu: float) -> bool:
    if vm.limit_mhz is None:
        return True
    return used_ms < vm.limit_mhz / mhz_per_pcpu * end_ms


def _keep_placement(chosen: list[Vcpu], on_pcpu: list[Vcpu | None]) -> list[Vcpu | None]:
    """Leave a chosen vCPU on the pCPU it already occupies (no needless switch); fill the rest in order."""
    placed: list[Vcpu | None] = [None] * len(on_pcpu)
    rest = []
    for world in chosen:
        if world in on_pcpu:
            placed[on_pcpu.index(world)] = world
        else:
            rest.append(world)
    for p in range(len(placed)):
        if placed[p] is None and rest:
            placed[p] = rest.pop(0)
    return placed


def entitlement_mhz(vms: list[VmCpu], pcpus: int, mhz_per_pcpu: float = 2000.0) -> dict[str, float]:
    """What each always-busy VM should get: max(reservation, level x shares), capped by its limit and by
    its vCPUs, with the level set so the host's MHz are used up (water-filling). The textbook rule the
    simulation should converge to; a VM whose reservation exceeds its share keeps the reservation."""
    _validate(vms, pcpus, mhz_per_pcpu, 1.0, 1.0)
    capacity = pcpus * mhz_per_pcpu
    cap = {vm.name: min(vm.vcpus * mhz_per_pcpu, vm.limit_mhz if vm.limit_mhz is not None else float("inf"))
           for vm in vms}

    def at(level: float) -> dict[str, float]:
        return {vm.name: min(cap[vm.name], max(vm.reservation_mhz, level * vm.shares)) for vm in vms}

    if sum(cap.values()) <= capacity:
        return dict(cap)  # undercommitted: everyone gets what its vCPUs and limit allow
    if sum(at(0.0).values()) >= capacity:
        return at(0.0)  # the reservations take the whole host: no spare MHz for shares to divide
    low, high = 0.0, capacity / min(vm.shares for vm in vms)
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if sum(at(mid).values()) < capacity else (low, mid)
    return at(high)
