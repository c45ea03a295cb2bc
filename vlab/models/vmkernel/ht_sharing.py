"""Hyperthreads shared between VMs: the side channel behind the notes' "prevent hyperthreading".

Imitates: the ESXi CPU scheduler placing runnable vCPUs on the two hardware threads of each core, under the
three policies ESXi offers since the L1TF advisory (CVE-2018-3646, VMware KB 55806):
- "default": any vCPU on any thread, so two VMs can share a core at the same instant (the risk);
- "scav1": the side-channel-aware scheduler v1, one thread per core (hyperthreading unused);
- "scav2": the side-channel-aware scheduler v2 (ESXi 6.7 U2+), siblings only run vCPUs of the same VM.

Leaves out: time (each slice is independent), shares and fairness, co-scheduling of a VM's vCPUs, NUMA, the
speed gain of a second thread (a thread counts as a whole CPU here, which flatters hyperthreading).
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

POLICIES = ("default", "scav1", "scav2")


@dataclass(frozen=True)
class SharingResult:
    """Averages per time slice."""

    policy: str
    cores: int
    runnable: float  # vCPUs that wanted to run
    placed: float  # vCPUs that got a thread
    cross_vm_cores: float  # cores whose two threads ran vCPUs of different VMs
    cross_vm_cores_sem: float  # standard error of that mean

    @property
    def capacity_used(self) -> float:
        """Threads in use, as a fraction of all 2 x cores threads."""
        return self.placed / (2 * self.cores)


def _place(policy: str, runnable: list[int], cores: int, rng: random.Random) -> tuple[int, int]:
    """Place runnable vCPUs (each given by its VM number); return (placed, cross-VM cores)."""
    if policy == "default":
        slots = rng.sample(range(2 * cores), min(len(runnable), 2 * cores))
        threads: dict[int, int] = {}
        order = runnable[:]
        rng.shuffle(order)
        for slot, vm in zip(slots, order, strict=False):  # order may be longer than the free threads
            threads[slot] = vm
        cross = sum(
            1 for c in range(cores)
            if 2 * c in threads and 2 * c + 1 in threads and threads[2 * c] != threads[2 * c + 1]
        )
        return len(slots), cross
    if policy == "scav1":
        return min(len(runnable), cores), 0
    # scav2: pair vCPUs of the same VM on a core; a lone vCPU takes a core to itself.
    per_vm: dict[int, int] = {}
    for vm in runnable:
        per_vm[vm] = per_vm.get(vm, 0) + 1
    pairs = sum(n // 2 for n in per_vm.values())
    singles = sum(n % 2 for n in per_vm.values())
    used_pairs = min(pairs, cores)
    used_singles = min(singles, cores - used_pairs)
    return 2 * used_pairs + used_singles, 0


def simulate_sharing(cores: int, vcpus_per_vm: list[int], busy: float = 1.0, policy: str = "default",
                     slices: int = 2000, seed: int = 0) -> SharingResult:
    """Place each slice's runnable vCPUs (each vCPU runnable with probability `busy`) and average."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not '{policy}'")
    if cores < 1 or not vcpus_per_vm or any(v < 1 for v in vcpus_per_vm):
        raise ValueError("need at least one core and VMs with at least one vCPU each")
    if not 0 < busy <= 1:
        raise ValueError("busy is a probability between 0 (excluded) and 1")
    if slices < 2:
        raise ValueError("slices must be at least 2")
    rng = random.Random(seed)
    vcpus = [vm for vm, n in enumerate(vcpus_per_vm) for _ in range(n)]
    runnable_n, placed_n, cross_n = [], [], []
    for _ in range(slices):
        runnable = [vm for vm in vcpus if busy >= 1 or rng.random() < busy]
        placed, cross = _place(policy, runnable, cores, rng)
        runnable_n.append(len(runnable))
        placed_n.append(placed)
        cross_n.append(cross)
    return SharingResult(
        policy, cores, statistics.fmean(runnable_n), statistics.fmean(placed_n),
        statistics.fmean(cross_n), statistics.stdev(cross_n) / slices**0.5,
    )


def expected_cross_vm_cores(cores: int, vms: int, vcpus_each: int) -> float:
    """Theory for the default policy with every vCPU runnable and k = vms x vcpus_each <= 2 x cores.

    Random placement fills a given core's two threads with probability k(k-1) / (2C(2C-1)); the two vCPUs
    there belong to different VMs with probability 1 - (v-1)/(k-1).
    """
    k, slots = vms * vcpus_each, 2 * cores
    if k > slots:
        raise ValueError("the formula assumes every runnable vCPU gets a thread (k <= 2 x cores)")
    if k < 2:
        return 0.0
    both = k * (k - 1) / (slots * (slots - 1))
    return cores * both * (1 - (vcpus_each - 1) / (k - 1))


def policy_from_settings(mitigation: bool, intra_vm: bool) -> str:
    """ESXi's boot options to the policy: VMkernel.Boot.hyperthreadingMitigation(+IntraVM)."""
    if not mitigation:
        return "default"
    return "scav1" if intra_vm else "scav2"
