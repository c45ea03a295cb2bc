"""VMware HA: when a host fails, restart its VMs on the surviving hosts, subject to admission control.

Imitates two parts of HA:
- **admission control** decides at power-on whether the cluster keeps enough spare capacity for a
  failure. Policies: "host_failures" (the slot policy: a slot is the largest CPU and memory
  reservation of any powered-on VM; the cluster must keep enough slots for its VMs after the
  largest hosts fail), "percentage" (a share of cluster CPU and memory kept free) and "none";
- **restart**: each VM of the failed host is restarted on a survivor where its reservation fits,
  preferring the host with the most free slots. VMs that fit nowhere are reported as not restarted.
VMs with no reservation count as 256 MHz and 100 MB in slot sizes (vSphere API,
ClusterFailoverLevelAdmissionControlPolicy / FailoverResourcesAdmissionControlPolicy defaults for CPU;
the memory floor is vlab's stand-in for VM overhead).

Left out: FDM's master election, heartbeats over network and datastores, isolation response, VM
restart priority and orchestration, VM and application monitoring, Proactive HA, fixed slot sizes,
dedicated failover hosts, and the time a restart takes.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from vlab.models.vcenter.inventory import VM, Cluster, Host

MIN_SLOT_CPU_MHZ = 256.0
MIN_SLOT_MEM_MB = 100.0
POLICIES = ("none", "host_failures", "percentage")


@dataclass(frozen=True)
class HaPolicy:
    """HA admission control policy: kind, host failures to tolerate, or the % of resources kept free."""

    kind: str = "host_failures"
    host_failures: int = 1
    percent: float = 25.0

    def __post_init__(self) -> None:
        if self.kind not in POLICIES:
            raise ValueError(f"HA policy must be one of {', '.join(POLICIES)}, not {self.kind!r}")
        if self.host_failures < 0 or not 0 <= self.percent < 100:
            raise ValueError("host_failures must be >= 0 and percent 0 to 99")


def cpu_need_mhz(vm: VM) -> float:
    return max(vm.cpu_reservation_mhz, MIN_SLOT_CPU_MHZ)


def mem_need_mb(vm: VM) -> float:
    return max(vm.mem_reservation_mb, MIN_SLOT_MEM_MB)


@dataclass(frozen=True)
class Slots:
    cpu_mhz: float
    mem_mb: float
    per_host: dict[str, int]


def slots(hosts: tuple[Host, ...], vms: list[VM]) -> Slots:
    """The slot policy's arithmetic: slot size, and how many slots each host holds."""
    cpu = max([cpu_need_mhz(vm) for vm in vms], default=MIN_SLOT_CPU_MHZ)
    mem = max([mem_need_mb(vm) for vm in vms], default=MIN_SLOT_MEM_MB)
    per_host = {h.name: min(math.floor(h.cpu_mhz / cpu), math.floor(h.mem_mb / mem)) for h in hosts}
    return Slots(cpu, mem, per_host)


def _free(host: Host, placed: list[VM]) -> tuple[float, float]:
    return (host.cpu_mhz - sum(cpu_need_mhz(v) for v in placed),
            host.mem_mb - sum(mem_need_mb(v) for v in placed))


def admits(hosts: tuple[Host, ...], running: list[VM], vm: VM, policy: HaPolicy) -> tuple[bool, str]:
    """May vm power on, given the VMs already running and the policy? Returns (yes, reason)."""
    if policy.kind == "none":
        return True, "HA admission control is disabled"
    together = [*running, vm]
    if policy.kind == "host_failures":
        s = slots(hosts, together)
        spare = sum(s.per_host.values()) - sum(sorted(s.per_host.values())[-policy.host_failures:]
                                               if policy.host_failures else [])
        ok = len(together) <= spare
        return ok, (f"slot {s.cpu_mhz:g} MHz / {s.mem_mb:g} MB: {spare} slots left after "
                    f"{policy.host_failures} host failure(s) for {len(together)} VMs")
    cpu_total, mem_total = sum(h.cpu_mhz for h in hosts), sum(h.mem_mb for h in hosts)
    cpu_free = 1 - sum(cpu_need_mhz(v) for v in together) / cpu_total
    mem_free = 1 - sum(mem_need_mb(v) for v in together) / mem_total
    ok = min(cpu_free, mem_free) * 100 >= policy.percent
    return ok, (f"{cpu_free:.0%} CPU and {mem_free:.0%} memory would stay unreserved; the policy keeps "
                f"{policy.percent:g} %")


@dataclass(frozen=True)
class PowerOnResult:
    cluster: Cluster  # only the VMs that were admitted
    refused: tuple[tuple[str, str], ...]  # (VM, reason)


def power_on_all(cluster: Cluster, policy: HaPolicy) -> PowerOnResult:
    """Power the cluster's VMs on in name order through HA admission control; keep the admitted ones."""
    running: list[VM] = []
    refused: list[tuple[str, str]] = []
    for vm in sorted(cluster.vms, key=lambda v: v.name):
        host = cluster.host(cluster.placement[vm.name])
        cpu, mem = _free(host, [v for v in running if cluster.placement[v.name] == host.name])
        if cpu_need_mhz(vm) > cpu or mem_need_mb(vm) > mem:
            refused.append((vm.name, f"its reservation does not fit on {host.name}"))
            continue
        ok, why = admits(cluster.hosts, running, vm, policy)
        if ok:
            running.append(vm)
        else:
            refused.append((vm.name, f"HA admission control: {why}"))
    kept = {vm.name for vm in running}
    return PowerOnResult(replace(cluster, vms=tuple(running),
                                 placement={k: v for k, v in cluster.placement.items() if k in kept}),
                         tuple(refused))


@dataclass(frozen=True)
class Restart:
    vm: str
    target: str | None  # None: could not restart
    reason: str


@dataclass(frozen=True)
class FailoverResult:
    failed_host: str
    restarts: tuple[Restart, ...]
    after: Cluster  # survivors only, restarted VMs placed

    @property
    def not_restarted(self) -> list[str]:
        return [r.vm for r in self.restarts if r.target is None]


def pick_failed_host(cluster: Cluster, seed: int) -> str:
    """The host that fails, chosen at random but reproducibly from seed."""
    return random.Random(seed).choice([h.name for h in cluster.hosts])


def fail_host(cluster: Cluster, host: str | None = None, seed: int = 0) -> FailoverResult:
    """Fail one host (given, or seeded choice) and restart its VMs on the survivors where they fit."""
    failed = host if host is not None else pick_failed_host(cluster, seed)
    cluster.host(failed)
    survivors = tuple(h for h in cluster.hosts if h.name != failed)
    s = slots(cluster.hosts, list(cluster.vms))
    placed = {h.name: cluster.vms_on(h.name) for h in survivors}
    placement = {k: v for k, v in cluster.placement.items() if v != failed}
    restarts: list[Restart] = []
    victims = sorted(cluster.vms_on(failed), key=lambda v: (-cpu_need_mhz(v), -mem_need_mb(v), v.name))
    for vm in victims:
        options = []
        for h in survivors:
            cpu, mem = _free(h, placed[h.name])
            if cpu_need_mhz(vm) <= cpu and mem_need_mb(vm) <= mem:  # memory may be overcommitted
                options.append((-(s.per_host[h.name] - len(placed[h.name])), -cpu, h.name))
        if not options:
            restarts.append(Restart(vm.name, None, "no surviving host has room for its reservation"))
            continue
        target = min(options)[2]
        placed[target].append(vm)
        placement[vm.name] = target
        restarts.append(Restart(vm.name, target, "restarted"))
    after = replace(cluster, hosts=survivors, placement=placement,
                    vms=tuple(v for v in cluster.vms if v.name in placement))
    return FailoverResult(failed, tuple(restarts), after)
