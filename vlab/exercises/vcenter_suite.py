"""Lab 04's checker: configure resource pools and HA so Production gets >= 14000 MHz under contention
and the cluster tolerates one host failure.

The cluster: 3 hosts of 8000 MHz and 32 GB (24000 MHz). Production runs 4 VMs wanting 4000 MHz each,
Test 6 VMs wanting 3000 MHz each: 34000 MHz wanted, so the pools contend. The learner writes pool
settings, the VMs' reservations and the HA admission control policy as `key = value` lines; the check
builds the inventory with `vlab.models.vcenter.inventory` and runs every single host failure with
`vlab.models.vcenter.ha`.

The lab's two your-turn cells (`YOUR_TURNS`): hold a batch VM to 1000 MHz on a host with MHz to spare
(judged by `entitlements`), and pick an HA policy for a cluster with one big reservation (judged by
`power_on_all` and `fail_host` for each host).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

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
                  hint="Admission control: a reservation is a guarantee, so it must fit in what the parent "
                       "has left unreserved (24000 MHz in the cluster); a fixed (non-expandable) pool cannot "
                       "borrow for its VMs.",
                  direction="Lower the reservation that was refused (see the message), or make the pool its VMs "
                            "reserve from expandable so that it may borrow from the cluster.",
                  answer="Keep every reservation within 24000 MHz in all, for example "
                         "production.reservation_mhz = 14000 and test.reservation_mhz = 0, with "
                         "production.expandable = yes and test.expandable = yes so that the VMs' own "
                         "reservations may borrow from the cluster."),
        Criterion(entitled >= PRODUCTION_MIN_MHZ - 1, f"Production is entitled to {entitled:.0f} MHz "
                  f"under contention (needs {PRODUCTION_MIN_MHZ:.0f})",
                  hint="Under contention sibling pools divide the cluster in proportion to their shares; "
                       "only a reservation guarantees a floor whatever the shares.",
                  direction="Tip the balance towards Production at the pool: give it more shares than Test, "
                            "or a pool reservation that covers the MHz it must get (not the VMs' reservations).",
                  answer="production.shares = high (8000 against 4000: two thirds of 24000 = 16000 MHz), or "
                         "production.reservation_mhz = 14000."),
        Criterion(protects, f"HA admission control: {design.policy.kind}"
                  + (f", {design.policy.host_failures} host failure(s)" if design.policy.kind == "host_failures"
                     else f", {design.policy.percent:g} % kept free" if design.policy.kind == "percentage"
                     else ""),
                  hint="HA can only restart a failed host's VMs where there is room; admission control is what "
                       "keeps that room free, by refusing power-ons that would use it.",
                  direction="Switch HA admission control on with a policy that keeps one whole host of the "
                            "three free: the slot policy tolerating one host failure, or a percentage no smaller "
                            "than one host's share of the cluster.",
                  answer="ha.admission_control = host_failures with ha.host_failures = 1 (or "
                         "ha.admission_control = percentage with ha.percent = 34: one host of three)."),
        Criterion(all_on, "all 10 VMs power on and every single host failure restarts them all"
                  if all_on else
                  f"{len(powered.refused)} VM(s) refused at power-on"
                  + "".join(f"; if {h} fails, {', '.join(n)} cannot restart" for h, n in lost_any.items()),
                  hint="The slot policy gives every VM a slot as big as the LARGEST VM reservation: one big "
                       "per-VM reservation shrinks the number of slots on every host.",
                  direction="Take the guarantee off the VMs and put it on the pool: lower the per-VM "
                            "reservations and give Production its MHz with shares or a pool reservation.",
                  answer="production_vm.reservation_mhz = 0 and test_vm.reservation_mhz = 0, with "
                         "production.shares = high or production.reservation_mhz = 14000."),
    ]


def pools_and_ha_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_pools_and_ha, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Resource pools and HA for Production", rows=16, **kwargs)


# --------------------------------------------------------------------------- your turn
# Two short cells in which the learner writes the line that makes the model behave: a VM limit on a host
# with idle MHz (entitlements), and an HA policy for a cluster with one big reservation (admission control
# and every host failure). The checks run the models, never compare the learner's text.
TURN_HOST_MHZ = 8000.0  # esx01, one host: its root pool
TURN_DEMAND_MHZ = 2000.0  # web, app and batch each want this much
BATCH_CAP_MHZ = 1000.0
DB01_RESERVATION_MHZ = 3000.0
_BATCH_LINE = 'batch = VM("batch", demand_mhz=2000, limit_mhz=1000)'
_POLICY_LINE = 'policy = HaPolicy("percentage", percent=34)'


def check_batch_limit(batch: object) -> list[Criterion]:
    """Power web, app and the learner's batch on esx01 (8000 MHz) and divide its MHz."""
    if not isinstance(batch, VM):
        raise TypeError(f"expected the VM batch, got {type(batch).__name__}")
    host = root_pool(TURN_HOST_MHZ, "esx01")
    for vm in (VM("web", TURN_DEMAND_MHZ), VM("app", TURN_DEMAND_MHZ), replace(batch, name="batch")):
        admitted = power_on(host, vm)
        if not admitted.admitted:
            raise ValueError(admitted.reason)
    got = entitlements(host)
    idle = TURN_HOST_MHZ - sum(got[name] for name in ("web", "app", "batch"))
    wants = batch.demand_mhz
    capped = got["batch"] <= BATCH_CAP_MHZ + 1
    runs = got["batch"] >= BATCH_CAP_MHZ - 1
    return [
        Criterion(wants == TURN_DEMAND_MHZ,
                  f"batch wants {wants:g} MHz (the job wants {TURN_DEMAND_MHZ:g})",
                  hint="The job wants what it wants: hold it back with one of the three resource settings, "
                       "not by pretending it asks for less.",
                  direction="Put batch's demand back as the starter had it, and change another setting.",
                  answer=_BATCH_LINE),
        Criterion(capped, f"batch is entitled to {got['batch']:g} MHz while esx01 has {idle:g} MHz idle "
                          f"(it may use at most {BATCH_CAP_MHZ:g})",
                  hint="On a host with idle MHz, shares and reservations change nothing: every VM gets what "
                       "it wants. Which of the three settings holds a VM back even then?",
                  direction="Give batch itself a cap (a VM's limit), no higher than what it may use, and leave "
                            "its shares and its demand alone.",
                  answer=_BATCH_LINE),
        Criterion(runs, f"batch gets {got['batch']:g} MHz; it should still get the {BATCH_CAP_MHZ:g} it may use",
                  hint="A cap should stop the job taking too much, not starve it: it may still use its share.",
                  direction="Raise batch's cap to what it is allowed to use, no lower.",
                  answer=_BATCH_LINE),
    ]


def turn_cluster() -> Cluster:
    """Three 8000 MHz hosts; db01 reserves 3000 MHz, nine other VMs reserve nothing."""
    vms = [VM("db01", 2500.0, VM_MEM_MB, DB01_RESERVATION_MHZ)]
    vms += [VM(f"app{i:02}", 1500.0, VM_MEM_MB) for i in range(1, 10)]
    placement = {vm.name: HOSTS[i % len(HOSTS)].name for i, vm in enumerate(vms)}
    return Cluster("cluster01", HOSTS, tuple(vms), placement)


def check_ha_policy(policy: object) -> list[Criterion]:
    """Power the ten VMs on through the learner's HA policy, then fail each host in turn."""
    if not isinstance(policy, HaPolicy):
        raise TypeError(f"expected an HaPolicy, got {type(policy).__name__}")
    cluster = turn_cluster()
    powered = power_on_all(cluster, policy)
    lost = {h.name: fail_host(powered.cluster, h.name).not_restarted for h in HOSTS}
    lost_any = {h: names for h, names in lost.items() if names}
    one_host = 100 / len(HOSTS)
    protects = ((policy.kind == "host_failures" and policy.host_failures >= 1)
                or (policy.kind == "percentage" and policy.percent >= one_host))
    kept = {"none": "nothing kept free", "host_failures": f"{policy.host_failures} host failure(s) tolerated",
            "percentage": f"{policy.percent:g} % kept free"}[policy.kind]
    return [
        Criterion(protects, f"admission control: {policy.kind}, {kept} (one host of three is "
                            f"{one_host:.1f} % of the cluster)",
                  hint="To restart every VM of a failed host, the cluster must keep that host's worth of "
                       "capacity free before it fails.",
                  direction="Keep admission control on, with a policy that keeps at least one host of the three "
                            "free: compare your setting with one host's share of the cluster.",
                  answer=_POLICY_LINE + " (one host of three is 33.3 %)"),
        Criterion(not powered.refused, f"{len(cluster.vms) - len(powered.refused)} of {len(cluster.vms)} VMs "
                                       "power on" + "".join(f"; {vm} refused ({why})" for vm, why in powered.refused),
                  hint="The slot policy gives every VM a slot as big as the largest reservation: db01's "
                       "3000 MHz sets the slot of all ten VMs.",
                  direction="Keep the protection, but choose the admission-control policy that counts what each "
                            "VM reserves instead of counting slots.",
                  answer=_POLICY_LINE),
        Criterion(not lost_any, "every single host failure restarts every VM" if not lost_any else
                  "; ".join(f"if {h} fails, {', '.join(n)} cannot restart" for h, n in lost_any.items()),
                  hint="HA restarts a VM only where its reservation fits on a surviving host.",
                  direction="Keep more capacity free for failover, not less.",
                  answer=_POLICY_LINE),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "batch-limit",
            "hold batch to 1000 MHz on esx01 although the host has MHz to spare",
            check_batch_limit,
            starter=(
                "# esx01 (8000 MHz) runs web and app, 2000 MHz each, and a batch job that wants 2000 MHz too.\n"
                'batch = VM("batch", demand_mhz=2000)\n'
                "# Your change: batch may never use more than 1000 MHz, even while esx01 has MHz to spare.\n"
            ),
        ),
        YourTurn(
            LAB, "ha-big-reservation",
            "pick an HA policy that protects against one host failure and still powers on all ten VMs",
            check_ha_policy,
            starter=(
                "from vlab.models.vcenter.ha import HaPolicy\n\n"
                "# Three 8000 MHz hosts run ten VMs; db01 reserves 3000 MHz, the nine others nothing.\n"
                'policy = HaPolicy("host_failures", host_failures=1)  # the slot policy\n'
                "# Your change: keep the cluster safe from one host failure, with all ten VMs running.\n"
            ),
        ),
    )


YOUR_TURNS = _turns()
