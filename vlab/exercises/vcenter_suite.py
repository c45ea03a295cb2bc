"""Lab 04's checker: configure resource pools and HA so Production gets >= 14000 MHz under contention
and the cluster tolerates one host failure.

The cluster: 3 hosts of 8000 MHz and 32 GB (24000 MHz). Production runs 4 VMs wanting 4000 MHz each,
Test 6 VMs wanting 3000 MHz each: 34000 MHz wanted, so the pools contend. The learner writes pool
settings, the VMs' reservations and the HA admission control policy as `key = value` lines; the check
builds the inventory with `vlab.models.vcenter.inventory` and runs every single host failure with
`vlab.models.vcenter.ha`.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.formats.dictfile import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.vcenter.ha import HaPolicy, fail_host, power_on_all
from vlab.models.vcenter.inventory import (
    POOL_SHARES,
    VM,
    Cluster,
    Host,
    ResourcePool,
    add_pool,
    entitlements,
    power_on,
    root_pool,
)

LAB = "04_vcenter_suite"
EXERCISE_ID = "pools-and-ha"
HOSTS = tuple(Host(f"esx{i:02}", 8000.0, 32768.0) for i in (1, 2, 3))
POOL_VMS = {"production": (4, 4000.0), "test": (6, 3000.0)}  # pool -> (VMs, demand MHz each)
VM_MEM_MB = 4096.0
PRODUCTION_MIN_MHZ = 14000.0

STARTING_TEXT = """\
# Cluster: 3 hosts x 8000 MHz = 24000 MHz. Production: 4 VMs x 4000 MHz wanted; Test: 6 x 3000 MHz.
production.shares = normal        # low, normal, high, or a number
production.reservation_mhz = 0
production.limit_mhz = 0          # 0 = unlimited
production.expandable = yes
test.shares = normal
test.reservation_mhz = 0
test.limit_mhz = 0
test.expandable = yes
production_vm.reservation_mhz = 0 # CPU reservation of each Production VM
test_vm.reservation_mhz = 0       # CPU reservation of each Test VM
ha.admission_control = disabled   # disabled, host_failures or percentage
ha.host_failures = 1
ha.percent = 25
"""

STATEMENT = (
    "Three hosts of 8000 MHz form the cluster (24000 MHz). **Production** (4 VMs x 4000 MHz) and "
    "**Test** (6 VMs x 3000 MHz) want 34000 MHz together. Configure the pools and HA so that:\n\n"
    "- every pool and VM is admitted (reservations fit);\n"
    "- Production is entitled to **at least 14000 MHz** while both pools are busy;\n"
    "- HA admission control protects against **one host failure**, all 10 VMs still power on, and "
    "whichever host fails, every VM restarts."
)


@dataclass(frozen=True)
class Design:
    pools: dict[str, ResourcePool]
    vm_reservation_mhz: dict[str, float]
    policy: HaPolicy


def _get(settings: dict[str, str], key: str) -> str:
    raw = settings.get(key)
    if raw is None or not str(raw).strip():
        raise ValueError(f"keep the line '{key} = ...'")
    return str(raw).strip().lower()


def _mhz(settings: dict[str, str], key: str) -> float:
    raw = _get(settings, key)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number of MHz, not '{raw}'") from None
    if value < 0:
        raise ValueError(f"{key} cannot be negative")
    return value


def parse_design(text: str) -> Design:
    """The learner's text -> pools, per-VM reservations and the HA policy (ValueError says what to fix)."""
    if not isinstance(text, str):
        raise ValueError("the design must be text: key = value lines")
    lines = [line.split("#", 1)[0].rstrip() for line in text.splitlines()]  # comments may end a line
    settings = parse_dictfile("\n".join(lines) + "\n", source="your settings")
    pools = {}
    for name in POOL_VMS:
        raw_shares = _get(settings, f"{name}.shares")
        if raw_shares in POOL_SHARES:
            shares = POOL_SHARES[raw_shares]
        elif raw_shares.isdigit() and int(raw_shares) > 0:
            shares = int(raw_shares)
        else:
            raise ValueError(f"{name}.shares must be low, normal, high or a positive number, not '{raw_shares}'")
        expandable = _get(settings, f"{name}.expandable")
        if expandable not in ("yes", "no"):
            raise ValueError(f"{name}.expandable must be yes or no, not '{expandable}'")
        limit = _mhz(settings, f"{name}.limit_mhz")
        pools[name] = ResourcePool(name.capitalize(), shares=shares,
                                   reservation_mhz=_mhz(settings, f"{name}.reservation_mhz"),
                                   limit_mhz=limit or None, expandable=expandable == "yes")
    reservations = {name: _mhz(settings, f"{name}_vm.reservation_mhz") for name in POOL_VMS}
    kind = _get(settings, "ha.admission_control")
    if kind not in ("disabled", "host_failures", "percentage"):
        raise ValueError(f"ha.admission_control must be disabled, host_failures or percentage, not '{kind}'")
    failures = _mhz(settings, "ha.host_failures")
    percent = _mhz(settings, "ha.percent")
    if failures != int(failures) or failures > 2 or percent >= 100:
        raise ValueError("ha.host_failures must be 0, 1 or 2 (3 hosts) and ha.percent below 100")
    policy = HaPolicy("none" if kind == "disabled" else kind, int(failures), percent)
    return Design(pools, reservations, policy)


def cluster_vms(design: Design) -> Cluster:
    vms, placement = [], {}
    for name, (count, demand) in POOL_VMS.items():
        for i in range(count):
            vm = VM(f"{name[:4]}{i + 1}", demand, VM_MEM_MB, design.vm_reservation_mhz[name],
                    VM_MEM_MB)
            vms.append(vm)
            placement[vm.name] = HOSTS[len(placement) % len(HOSTS)].name
    return Cluster("cluster01", HOSTS, tuple(vms), placement)


def check_pools_and_ha(text: str) -> list[Criterion]:
    design = parse_design(text)
    root = root_pool(sum(h.cpu_mhz for h in HOSTS))
    refusals = [a.reason for a in (add_pool(root, p) for p in design.pools.values()) if not a.admitted]
    cluster = cluster_vms(design)
    for vm in cluster.vms:
        pool = design.pools["production" if vm.name.startswith("prod") else "test"]
        if pool.parent is not None:
            result = power_on(pool, vm)
            if not result.admitted:
                refusals.append(result.reason)
    entitled = entitlements(root).get("Production", 0.0)
    powered = power_on_all(cluster, design.policy)
    lost = {h.name: fail_host(powered.cluster, h.name).not_restarted for h in HOSTS}
    lost_any = {h: names for h, names in lost.items() if names}
    protects = ((design.policy.kind == "host_failures" and design.policy.host_failures >= 1)
                or (design.policy.kind == "percentage" and design.policy.percent >= 100 / len(HOSTS)))
    all_on = not powered.refused and not lost_any
    return [
        Criterion(not refusals, "every pool and VM is admitted" if not refusals else
                  "refused: " + "; ".join(refusals),
                  "A reservation must fit in what the parent has unreserved (24000 MHz in the cluster); "
                  "a fixed (non-expandable) pool cannot borrow for its VMs."),
        Criterion(entitled >= PRODUCTION_MIN_MHZ - 1, f"Production is entitled to {entitled:.0f} MHz "
                  f"under contention (needs {PRODUCTION_MIN_MHZ:.0f})",
                  "With equal shares the two pools split 24000 MHz in half. Give Production high shares "
                  "(8000 vs 4000: two thirds) or a reservation of 14000 MHz."),
        Criterion(protects, f"HA admission control: {design.policy.kind}"
                  + (f", {design.policy.host_failures} host failure(s)" if design.policy.kind == "host_failures"
                     else f", {design.policy.percent:g} % kept free" if design.policy.kind == "percentage"
                     else ""),
                  "Turn admission control on: ha.admission_control = host_failures with ha.host_failures = 1 "
                  "(or percentage with at least 34 %: one host of three)."),
        Criterion(all_on, "all 10 VMs power on and every single host failure restarts them all"
                  if all_on else
                  f"{len(powered.refused)} VM(s) refused at power-on"
                  + "".join(f"; if {h} fails, {', '.join(n)} cannot restart" for h, n in lost_any.items()),
                  "The slot policy sizes a slot by the LARGEST VM reservation: big per-VM reservations "
                  "shrink the slots per host. Guarantee Production at the pool, not with VM reservations."),
    ]


def pools_and_ha_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_pools_and_ha, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Resource pools and HA for Production", rows=16, **kwargs)
