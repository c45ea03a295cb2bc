"""DRS (Distributed Resource Scheduler) load balancing, as a greedy recommender of vMotions.

Imitates what DRS does for CPU load: it measures how unevenly a cluster's hosts are loaded (the
standard deviation of host load, load = VM CPU demand / host capacity, as the "current host load
standard deviation" vCenter shows) and, while that imbalance is above a target set by the migration
threshold, recommends the single vMotion that lowers it most. Each move must fit the target host's
memory; ties break by name, so the result is deterministic.

Left out: memory balancing, the cost-benefit and risk analysis of each move, affinity rules,
priority levels of recommendations, DRS's 5-minute cycle, VM happiness (vSphere 7 DRS), and the
real threshold formula: `TARGET_STDDEV` is vlab's own scale (level 1 = conservative, only moves
for a large imbalance; level 5 = aggressive), not VMware's numbers.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, replace

from vlab.models.inventory import Cluster

# Migration threshold level -> target host-load standard deviation (vlab's scale; see docstring).
TARGET_STDDEV = {1: 0.30, 2: 0.20, 3: 0.10, 4: 0.05, 5: 0.02}


@dataclass(frozen=True)
class Migration:
    """One recommended vMotion and the imbalance before and after it."""

    vm: str
    source: str
    target: str
    demand_mhz: float
    imbalance_before: float
    imbalance_after: float


@dataclass(frozen=True)
class DrsResult:
    before: Cluster
    after: Cluster
    migrations: tuple[Migration, ...]
    target_stddev: float

    @property
    def imbalance_before(self) -> float:
        return imbalance(self.before)

    @property
    def imbalance_after(self) -> float:
        return imbalance(self.after)


def imbalance(cluster: Cluster) -> float:
    """Population standard deviation of host CPU load."""
    return statistics.pstdev(cluster.load(h.name) for h in cluster.hosts)


def target_for_level(level: int) -> float:
    if level not in TARGET_STDDEV:
        raise ValueError(f"DRS migration threshold must be 1 (conservative) to 5 (aggressive), not {level}")
    return TARGET_STDDEV[level]


def _best_move(cluster: Cluster) -> tuple[float, str, str] | None:
    loads = {h.name: cluster.load(h.name) for h in cluster.hosts}
    mem = {h.name: cluster.mem_used_mb(h.name) for h in cluster.hosts}
    best: tuple[float, str, str] | None = None
    for vm in sorted(cluster.vms, key=lambda v: v.name):
        src = cluster.placement[vm.name]
        for host in cluster.hosts:
            if host.name == src or mem[host.name] + vm.mem_mb > host.mem_mb:
                continue
            trial = dict(loads)
            trial[src] -= vm.demand_mhz / cluster.host(src).cpu_mhz
            trial[host.name] += vm.demand_mhz / host.cpu_mhz
            score = statistics.pstdev(trial.values())
            if best is None or score < best[0] - 1e-12:
                best = (score, vm.name, host.name)
    return best


def balance(cluster: Cluster, threshold: int = 3, max_moves: int = 50) -> DrsResult:
    """Recommend vMotions, best first, until imbalance <= the level's target or no move helps."""
    target = target_for_level(threshold)
    if max_moves < 0:
        raise ValueError("max_moves must be >= 0")
    current, moves = cluster, []
    while len(moves) < max_moves and imbalance(current) > target:
        found = _best_move(current)
        now = imbalance(current)
        if found is None or found[0] >= now - 1e-9:
            break
        score, vm_name, dest = found
        vm = next(v for v in current.vms if v.name == vm_name)
        moves.append(Migration(vm_name, current.placement[vm_name], dest, vm.demand_mhz, now, score))
        current = replace(current, placement={**current.placement, vm_name: dest})
    return DrsResult(cluster, current, tuple(moves), target)
