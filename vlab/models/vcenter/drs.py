"""DRS (Distributed Resource Scheduler) as a greedy recommender of vMotions: mandatory moves first,
then load balancing.

Imitates two things DRS does with vMotion:

- **Mandatory moves** (vSphere's priority-1 recommendations): every powered-on VM leaves a host that
  enters maintenance mode. Each goes, largest CPU demand first, to the least loaded host that is not in
  maintenance and has memory for it; a VM that fits nowhere stays and is reported, as vCenter reports a
  host that cannot finish entering maintenance mode.
- **Load balancing** for CPU: DRS measures how unevenly the hosts are loaded (the standard deviation of
  host load, load = VM CPU demand / host capacity, the "current host load standard deviation" vCenter
  shows) and, while that imbalance is above a target set by the migration threshold, recommends the
  single vMotion that lowers it most. Each move must fit the target host's memory; ties break by name,
  so the result is deterministic.

The migration threshold, as in vSphere, runs from 1 (conservative) to 5 (aggressive). **Level 1 applies
mandatory recommendations only and never moves a VM for load balance**, however uneven the cluster.
Levels 2 to 5 balance, each accepting less imbalance than the one before. vSphere turns each
recommendation's expected improvement into a priority (2 to 5) and applies those up to the threshold;
vlab instead gives each level a target standard deviation, `TARGET_STDDEV` (2: 0.20, 3: 0.10,
4: 0.05, 5: 0.02). That scale is vlab's own, not VMware's formula.

Left out: memory balancing, the cost-benefit and risk analysis of each move, affinity and anti-affinity
rules and reservation violations (the other sources of mandatory moves), standby mode, DRS's 5-minute
cycle, and VM happiness (vSphere 7 DRS).
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from vlab.models.vcenter.inventory import Cluster

MANDATORY_ONLY_LEVEL = 1  # vSphere's "Conservative": priority-1 (mandatory) recommendations only
# Migration threshold level -> target host-load standard deviation for load balancing (vlab's scale).
TARGET_STDDEV = {2: 0.20, 3: 0.10, 4: 0.05, 5: 0.02}
LEVELS = (MANDATORY_ONLY_LEVEL, *TARGET_STDDEV)

MAINTENANCE = "host entering maintenance mode"
BALANCE = "balance average CPU load"


@dataclass(frozen=True)
class Migration:
    """One recommended vMotion, why, and the imbalance (of the hosts not in maintenance) around it."""

    vm: str
    source: str
    target: str
    demand_mhz: float
    imbalance_before: float
    imbalance_after: float
    reason: str = BALANCE


@dataclass(frozen=True)
class DrsResult:
    """`target_stddev` is None at level 1 (no load balancing); `stuck` lists VMs left on a host in
    maintenance mode because no other host had memory for them."""

    before: Cluster
    after: Cluster
    migrations: tuple[Migration, ...]
    target_stddev: float | None
    maintenance: tuple[str, ...] = ()
    stuck: tuple[str, ...] = ()

    @property
    def imbalance_before(self) -> float:
        return imbalance(self.before, exclude=self.maintenance)

    @property
    def imbalance_after(self) -> float:
        return imbalance(self.after, exclude=self.maintenance)

    @property
    def mandatory(self) -> tuple[Migration, ...]:
        return tuple(m for m in self.migrations if m.reason == MAINTENANCE)

    @property
    def balancing(self) -> tuple[Migration, ...]:
        return tuple(m for m in self.migrations if m.reason == BALANCE)


def imbalance(cluster: Cluster, exclude: Iterable[str] = ()) -> float:
    """Population standard deviation of host CPU load, over the hosts not in `exclude`."""
    skip = set(exclude)
    return statistics.pstdev(cluster.load(h.name) for h in cluster.hosts if h.name not in skip)


def target_for_level(level: int) -> float | None:
    """The level's load-balancing target; None for level 1, which does no load balancing."""
    if level not in LEVELS:
        raise ValueError(f"DRS migration threshold must be 1 (conservative) to 5 (aggressive), not {level}")
    return TARGET_STDDEV.get(level)


def _check_maintenance(cluster: Cluster, maintenance: Sequence[str]) -> tuple[str, ...]:
    names = [h.name for h in cluster.hosts]
    for name in maintenance:
        if name not in names:
            raise ValueError(f"no host {name!r} to put in maintenance mode; hosts: {', '.join(names)}")
    if set(names) <= set(maintenance):
        raise ValueError("at least one host must stay out of maintenance mode to take the VMs")
    return tuple(dict.fromkeys(maintenance))


def _evacuate(cluster: Cluster, maintenance: tuple[str, ...]):
    """Mandatory moves: empty the hosts in maintenance mode, largest demand first."""
    current, moves, stuck = cluster, [], []
    leaving = [vm for vm in cluster.vms if cluster.placement[vm.name] in maintenance]
    for vm in sorted(leaving, key=lambda v: (-v.demand_mhz, v.name)):
        fits = [h for h in current.hosts if h.name not in maintenance
                and current.mem_used_mb(h.name) + vm.mem_mb <= h.mem_mb]
        if not fits:
            stuck.append(vm.name)
            continue
        dest = min(fits, key=lambda h: (current.load(h.name) + vm.demand_mhz / h.cpu_mhz, h.name))
        before = imbalance(current, exclude=maintenance)
        nxt = replace(current, placement={**current.placement, vm.name: dest.name})
        moves.append(Migration(vm.name, current.placement[vm.name], dest.name, vm.demand_mhz, before,
                               imbalance(nxt, exclude=maintenance), MAINTENANCE))
        current = nxt
    return current, moves, tuple(stuck)


def _best_move(cluster: Cluster, exclude: tuple[str, ...] = ()) -> tuple[float, str, str] | None:
    active = [h for h in cluster.hosts if h.name not in exclude]
    loads = {h.name: cluster.load(h.name) for h in active}
    mem = {h.name: cluster.mem_used_mb(h.name) for h in active}
    best: tuple[float, str, str] | None = None
    for vm in sorted(cluster.vms, key=lambda v: v.name):
        src = cluster.placement[vm.name]
        if src in exclude:
            continue
        for host in active:
            if host.name == src or mem[host.name] + vm.mem_mb > host.mem_mb:
                continue
            trial = dict(loads)
            trial[src] -= vm.demand_mhz / cluster.host(src).cpu_mhz
            trial[host.name] += vm.demand_mhz / host.cpu_mhz
            score = statistics.pstdev(trial.values())
            if best is None or score < best[0] - 1e-12:
                best = (score, vm.name, host.name)
    return best


def balance(cluster: Cluster, threshold: int = 3, max_moves: int = 50,
            maintenance: Sequence[str] = ()) -> DrsResult:
    """Recommend vMotions: first evacuate the hosts in `maintenance` (at every level), then, from
    level 2 on, balance load best move first until the imbalance is at most the level's target or no
    move helps. `max_moves` caps the load-balancing moves only; mandatory moves are never skipped."""
    target = target_for_level(threshold)
    if max_moves < 0:
        raise ValueError("max_moves must be >= 0")
    maint = _check_maintenance(cluster, maintenance)
    current, moves, stuck = _evacuate(cluster, maint)
    balanced = 0
    while target is not None and balanced < max_moves and imbalance(current, maint) > target:
        found = _best_move(current, maint)
        now = imbalance(current, maint)
        if found is None or found[0] >= now - 1e-9:
            break
        score, vm_name, dest = found
        vm = next(v for v in current.vms if v.name == vm_name)
        moves.append(Migration(vm_name, current.placement[vm_name], dest, vm.demand_mhz, now, score))
        current = replace(current, placement={**current.placement, vm_name: dest})
        balanced += 1
    return DrsResult(cluster, current, tuple(moves), target, maint, stuck)
