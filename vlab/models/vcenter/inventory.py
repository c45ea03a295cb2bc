"""The vCenter (VirtualCenter) inventory: datacenter -> cluster -> hosts, and a cluster's resource pools.

Imitates how VirtualCenter "manages the creation and enforcement of resource pools" (the notes):
- a resource pool has CPU **shares**, a **reservation** (guaranteed MHz), a **limit** (a cap) and an
  **expandable** flag; a pool with an expandable reservation may borrow unreserved capacity from its
  parent (vSphere API, ResourceAllocationInfo.expandableReservation);
- **admission control**: a child pool or a powered-on VM whose reservation does not fit in what its
  pool (and, if expandable, its ancestors) has left unreserved is refused, with the reason;
- **entitlement**: under contention a pool's MHz are divided among its children in proportion to their
  shares, but never below a child's reservation nor above its limit or its demand (a water-filling
  divvy, as the vSphere Resource Management guide describes shares/reservation/limit).

Left out: memory entitlement (only CPU MHz are divided), per-VM overhead, the root pool's slow
reservation of host memory, vApps, scalable shares (vSphere 7), and DRS's periodic re-divvy over time.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

# Pool share levels (vSphere Resource Management: a pool's Low/Normal/High CPU shares are
# 2000/4000/8000, i.e. the 1:2:4 ratio VMs use per vCPU).
POOL_SHARES = {"low": 2000, "normal": 4000, "high": 8000}
VM_SHARES = {"low": 500, "normal": 1000, "high": 2000}


@dataclass(frozen=True)
class Host:
    """An ESX host as VirtualCenter sees it: CPU and memory capacity for VMs."""

    name: str
    cpu_mhz: float
    mem_mb: float


@dataclass(frozen=True)
class VM:
    """A VM: what it wants (demand) and what it is guaranteed (reservations)."""

    name: str
    demand_mhz: float
    mem_mb: float = 1024.0
    cpu_reservation_mhz: float = 0.0
    mem_reservation_mb: float = 0.0
    shares: int = 1000
    limit_mhz: float | None = None

    def __post_init__(self) -> None:
        if self.demand_mhz < 0 or self.cpu_reservation_mhz < 0 or self.mem_mb <= 0:
            raise ValueError(f"VM {self.name}: demand and reservation must be >= 0 and memory > 0")
        if self.limit_mhz is not None and self.limit_mhz < self.cpu_reservation_mhz:
            raise ValueError(f"VM {self.name}: the limit ({self.limit_mhz:g} MHz) must be at least the "
                             f"reservation ({self.cpu_reservation_mhz:g} MHz)")
        if self.shares <= 0:
            raise ValueError(f"VM {self.name}: shares must be positive")


@dataclass(frozen=True)
class Admission:
    """The answer of admission control: admitted or not, and why."""

    admitted: bool
    reason: str


@dataclass(eq=False)
class ResourcePool:
    """A resource pool (CPU side). Create children with `add_pool` / `power_on`, not by hand."""

    name: str
    shares: int = POOL_SHARES["normal"]
    reservation_mhz: float = 0.0
    limit_mhz: float | None = None
    expandable: bool = True
    parent: ResourcePool | None = None
    pools: list[ResourcePool] = field(default_factory=list)
    vms: list[VM] = field(default_factory=list)
    borrowed_mhz: float = 0.0  # reservation taken from the parent beyond reservation_mhz (expandable)

    def __post_init__(self) -> None:
        if self.reservation_mhz < 0 or self.shares <= 0:
            raise ValueError(f"pool {self.name}: reservation must be >= 0 and shares positive")
        if self.limit_mhz is not None and self.limit_mhz < self.reservation_mhz:
            raise ValueError(f"pool {self.name}: the limit ({self.limit_mhz:g} MHz) must be at least the "
                             f"reservation ({self.reservation_mhz:g} MHz)")

    @property
    def effective_reservation_mhz(self) -> float:
        return self.reservation_mhz + self.borrowed_mhz

    @property
    def reserved_by_children_mhz(self) -> float:
        return (sum(p.effective_reservation_mhz for p in self.pools)
                + sum(vm.cpu_reservation_mhz for vm in self.vms))

    @property
    def unreserved_mhz(self) -> float:
        """What a new child could reserve here, counting what an expandable pool may borrow."""
        own = self.effective_reservation_mhz - self.reserved_by_children_mhz
        if self.expandable and self.parent is not None:
            own += self.parent.unreserved_mhz
        return own

    def walk(self):
        yield self
        for pool in self.pools:
            yield from pool.walk()


def root_pool(capacity_mhz: float, name: str = "cluster") -> ResourcePool:
    """The cluster's invisible root pool: it reserves the cluster's whole capacity, fixed."""
    if capacity_mhz <= 0:
        raise ValueError("the cluster's capacity must be positive (add a host)")
    return ResourcePool(name, shares=POOL_SHARES["normal"], reservation_mhz=capacity_mhz,
                        limit_mhz=capacity_mhz, expandable=False)


def _reserve(pool: ResourcePool, amount_mhz: float) -> bool:
    """Take amount_mhz from pool's unreserved capacity, borrowing up the tree if expandable."""
    free = pool.effective_reservation_mhz - pool.reserved_by_children_mhz
    if amount_mhz <= free + 1e-9:
        return True
    if not pool.expandable or pool.parent is None:
        return False
    need = amount_mhz - max(free, 0.0)
    if pool.limit_mhz is not None and pool.effective_reservation_mhz + need > pool.limit_mhz + 1e-9:
        return False
    if not _reserve(pool.parent, need):
        return False
    pool.borrowed_mhz += need
    return True


def _refusal(pool: ResourcePool, what: str, amount_mhz: float) -> str:
    how = ("even borrowing from its parents (expandable)" if pool.expandable and pool.parent
           else "and its reservation is fixed (not expandable)")
    return (f"{what} reserves {amount_mhz:g} MHz but pool {pool.name} has only "
            f"{max(pool.unreserved_mhz, 0):g} MHz unreserved {how}: lower the reservation, raise "
            f"{pool.name}'s reservation or make it expandable")


def add_pool(parent: ResourcePool, child: ResourcePool) -> Admission:
    """Create child under parent if its reservation fits (admission control); else refuse with a reason."""
    if any(p.name == child.name for p in parent.walk()):
        raise ValueError(f"a pool named {child.name} already exists under {parent.name}")
    if parent.limit_mhz is not None and child.reservation_mhz > parent.limit_mhz:
        return Admission(False, f"pool {child.name} reserves {child.reservation_mhz:g} MHz, above "
                                f"{parent.name}'s limit of {parent.limit_mhz:g} MHz")
    if not _reserve(parent, child.reservation_mhz):
        return Admission(False, _refusal(parent, f"pool {child.name}", child.reservation_mhz))
    child.parent = parent
    parent.pools.append(child)
    return Admission(True, f"pool {child.name} created in {parent.name}")


def power_on(pool: ResourcePool, vm: VM) -> Admission:
    """Power vm on in pool if its CPU reservation fits (admission control); else refuse with a reason."""
    if not _reserve(pool, vm.cpu_reservation_mhz):
        return Admission(False, _refusal(pool, f"VM {vm.name}", vm.cpu_reservation_mhz))
    pool.vms.append(vm)
    return Admission(True, f"VM {vm.name} powered on in {pool.name}")


@dataclass(frozen=True)
class Claim:
    """One sibling's claim in a divvy: shares, a floor (reservation) and a cap (min of limit, demand)."""

    name: str
    shares: float
    floor_mhz: float
    cap_mhz: float


def divvy(capacity_mhz: float, claims: list[Claim]) -> dict[str, float]:
    """Divide capacity among siblings: proportional to shares, clamped to [floor, cap].

    Finds the scale λ with sum(clamp(λ·shares, floor, cap)) = capacity by bisection. If every cap
    fits, each sibling gets its cap (no contention). Floors are honoured first; admission control
    guarantees they fit.
    """
    if not claims:
        return {}
    caps = [max(c.cap_mhz, c.floor_mhz) for c in claims]

    def total(scale: float) -> float:
        return sum(min(max(scale * c.shares, c.floor_mhz), cap) for c, cap in zip(claims, caps, strict=True))

    if sum(caps) <= capacity_mhz:
        return {c.name: cap for c, cap in zip(claims, caps, strict=True)}
    low, high = 0.0, max(caps) / min(c.shares for c in claims) + 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if total(mid) < capacity_mhz:
            low = mid
        else:
            high = mid
    return {c.name: min(max(high * c.shares, c.floor_mhz), cap)
            for c, cap in zip(claims, caps, strict=True)}


def pool_demand_mhz(pool: ResourcePool) -> float:
    """What a pool's VMs want in all, capped by the limits on the way up."""
    demand = (sum(pool_demand_mhz(p) for p in pool.pools)
              + sum(min(vm.demand_mhz, vm.limit_mhz if vm.limit_mhz is not None else vm.demand_mhz)
                    for vm in pool.vms))
    return demand if pool.limit_mhz is None else min(demand, pool.limit_mhz)


def entitlements(root: ResourcePool, capacity_mhz: float | None = None) -> dict[str, float]:
    """MHz each pool and VM is entitled to, divided top-down through the pool tree."""
    result: dict[str, float] = {}

    def visit(pool: ResourcePool, mhz: float) -> None:
        result[pool.name] = mhz
        claims = [Claim(p.name, p.shares, p.effective_reservation_mhz, pool_demand_mhz(p))
                  for p in pool.pools]
        claims += [Claim(vm.name, vm.shares, vm.cpu_reservation_mhz,
                         min(vm.demand_mhz, vm.limit_mhz if vm.limit_mhz is not None else vm.demand_mhz))
                   for vm in pool.vms]
        shares = divvy(mhz, claims)
        for vm in pool.vms:
            result[vm.name] = shares[vm.name]
        for child in pool.pools:
            visit(child, shares[child.name])

    top = root.reservation_mhz if capacity_mhz is None else capacity_mhz
    visit(root, min(top, root.limit_mhz) if root.limit_mhz is not None else top)
    return result


@dataclass(frozen=True)
class Cluster:
    """A cluster: hosts, the VMs on them (placement: VM name -> host name)."""

    name: str
    hosts: tuple[Host, ...]
    vms: tuple[VM, ...]
    placement: dict[str, str]

    @property
    def capacity_mhz(self) -> float:
        return sum(h.cpu_mhz for h in self.hosts)

    def host(self, name: str) -> Host:
        for h in self.hosts:
            if h.name == name:
                return h
        raise ValueError(f"no host {name} in cluster {self.name}; hosts: "
                         + ", ".join(h.name for h in self.hosts))

    def vms_on(self, host_name: str) -> list[VM]:
        return [vm for vm in self.vms if self.placement.get(vm.name) == host_name]

    def load(self, host_name: str) -> float:
        """Host CPU load: demand of its VMs over its capacity (1.0 = fully busy)."""
        return sum(vm.demand_mhz for vm in self.vms_on(host_name)) / self.host(host_name).cpu_mhz

    def mem_used_mb(self, host_name: str) -> float:
        return sum(vm.mem_mb for vm in self.vms_on(host_name))


@dataclass(frozen=True)
class Datacenter:
    """A logical datacenter: the top of VirtualCenter's inventory; holds clusters and standalone hosts."""

    name: str
    clusters: tuple[Cluster, ...] = ()
    standalone_hosts: tuple[Host, ...] = ()


def make_cluster(hosts: int = 4, vms: int = 16, seed: int = 0, host_cpu_mhz: float = 8000.0,
                 host_mem_mb: float = 32768.0, skew: float = 0.6) -> Cluster:
    """A seeded cluster whose VMs start piled up: a `skew` share of them on the first host.

    Demands are drawn from 300-1500 MHz and memory from 1, 2 or 4 GB. VMs that would not fit a host's
    memory go to the next host, so the starting placement is always possible.
    """
    if not 2 <= hosts <= 32:
        raise ValueError("hosts must be 2 to 32 (a DRS/HA cluster needs at least two)")
    if not 1 <= vms <= 400:
        raise ValueError("vms must be 1 to 400")
    rng = random.Random(seed)
    host_list = tuple(Host(f"esx{i + 1:02}", host_cpu_mhz, host_mem_mb) for i in range(hosts))
    vm_list = tuple(VM(f"vm{i + 1:02}", demand_mhz=float(rng.randrange(300, 1501, 50)),
                       mem_mb=float(rng.choice((1024, 2048, 4096)))) for i in range(vms))
    placement: dict[str, str] = {}
    mem = dict.fromkeys((h.name for h in host_list), 0.0)
    piled = round(skew * vms)
    for i, vm in enumerate(vm_list):
        start = 0 if i < piled else 1 + (i - piled) % (hosts - 1)
        for k in range(hosts):
            h = host_list[(start + k) % hosts]
            if mem[h.name] + vm.mem_mb <= h.mem_mb:
                placement[vm.name] = h.name
                mem[h.name] += vm.mem_mb
                break
        else:
            raise ValueError(f"{vms} VMs do not fit the memory of {hosts} hosts: use fewer VMs")
    return Cluster("cluster01", host_list, vm_list, placement)
