"""Lab 07's checker and your-turn cells: a multi-tenant host against the side channels the notes worry about.

The checker: the learner edits ESXi host settings (`key = value`). The check runs the hyperthread model with
the policy the settings select, so "no two tenants share a core" is measured, not asserted.

The your-turn cells run the models on what the learner builds: the tenants' VMs on esx02 under SCAv1 and
SCAv2 (vlab.models.vmkernel.ht_sharing), and a page-sharing host (lab 01's vlab.models.vmkernel.memory)
against a write-timing probe: a write to a shared page takes a copy-on-write fault, so it is slow, and the
writer learns that another VM holds the same page.
"""
from __future__ import annotations

import copy

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.vmkernel.ht_sharing import policy_from_settings, simulate_sharing
from vlab.models.vmkernel.memory import PAGE_BYTES, Host, VmMemory

LAB = "07_security_areas"
TENANTS = [4, 4, 2, 2, 4]  # vCPUs of the five tenants' VMs: 16 vCPUs on 8 cores (16 threads)
CORES = 8
MIN_THREADS_USED = 0.8  # of the default policy's running vCPUs: keep most of the capacity

STARTING_TEXT = """# esx02: a host shared by five customers
VMkernel.Boot.hyperthreadingMitigation = FALSE
VMkernel.Boot.hyperthreadingMitigationIntraVM = TRUE
Mem.ShareForceSalting = 0
UserVars.SuppressHyperthreadWarning = 1
"""


def _bool(settings, key: str) -> bool:
    value = (settings.get(key) or "").strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{key} must be TRUE or FALSE, not '{settings.get(key)}'")
    return value == "true"


def check_tenant_host(text: str) -> list[Criterion]:
    settings = parse_dictfile(text, source="your settings")
    policy = policy_from_settings(_bool(settings, "VMkernel.Boot.hyperthreadingMitigation"),
                                  _bool(settings, "VMkernel.Boot.hyperthreadingMitigationIntraVM"))
    salting = settings.get_int("Mem.ShareForceSalting")
    suppress = settings.get_int("UserVars.SuppressHyperthreadWarning")
    if salting is None or suppress is None:
        raise ValueError("keep Mem.ShareForceSalting and UserVars.SuppressHyperthreadWarning as numbers")
    run = simulate_sharing(CORES, TENANTS, busy=0.8, policy=policy, slices=400, seed=0)
    baseline = simulate_sharing(CORES, TENANTS, busy=0.8, policy="default", slices=400, seed=0)
    kept = run.placed / baseline.placed
    return [
        Criterion(run.cross_vm_cores == 0,
                  f"Cores shared by two tenants at once: {run.cross_vm_cores:.2f} on average ({policy})",
                  hint="Two customers' vCPUs on the sibling threads of one core can time each other. ESXi has a "
                       "scheduler that never runs two different VMs on one core at the same instant.",
                  direction="Turn the side-channel-aware scheduler on: it is a VMkernel boot option, the one "
                            "without IntraVM in its name.",
                  answer="VMkernel.Boot.hyperthreadingMitigation = TRUE"),
        Criterion(kept >= MIN_THREADS_USED,
                  f"Capacity kept: {kept:.0%} of the vCPUs that run without mitigation",
                  hint="SCAv1 never uses a core's second thread; SCAv2 still lets a VM's own vCPUs share a core, "
                       "so it keeps more capacity.",
                  direction="Keep the side-channel-aware scheduler on, and flip its IntraVM option to the "
                            "version that lets a VM's own vCPUs share a core.",
                  answer="VMkernel.Boot.hyperthreadingMitigationIntraVM = FALSE (SCAv2)"),
        Criterion(salting == 2, f"Mem.ShareForceSalting = {salting}",
                  hint="Page sharing between VMs leaks through timing; salting decides which VMs may share "
                       "pages with which.",
                  direction="Choose the salting mode in which a VM without a salt of its own shares only with "
                            "itself (the default since ESXi 6.0).",
                  answer="Mem.ShareForceSalting = 2"),
        Criterion(suppress == 0, f"UserVars.SuppressHyperthreadWarning = {suppress}",
                  hint="A warning that is hidden cannot tell anyone that the hyperthreading side channel is "
                       "still open.",
                  direction="Stop suppressing the host's hyperthreading warning (the UserVars option).",
                  answer="UserVars.SuppressHyperthreadWarning = 0"),
    ]


def tenant_host_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "esx02 runs VMs of five customers. Change its settings so that no two customers' vCPUs share a core "
        "at the same instant, at least 80 % of the capacity is kept, page sharing stays inside each VM, "
        "and the host's side-channel warning is not hidden.",
        check_tenant_host, exercise_id="tenant-host", lab=LAB, work=STARTING_TEXT,
        title="Configure a multi-tenant host", rows=7, **kwargs,
    )


# ----------------------------------------------------------------------------------------- your-turn cells
_TENANTS_LINE = "tenants = [2, 2, 2, 2, 2, 2, 2, 2]"


def check_scav1_cost(tenants: object) -> list[Criterion]:
    """Run the learner's tenants on esx02 (8 cores, every vCPU busy) under SCAv1 and under SCAv2."""
    if isinstance(tenants, (str, bytes)) or not hasattr(tenants, "__iter__"):
        raise TypeError(f"expected a list of vCPU counts, one per VM, got {type(tenants).__name__}")
    vcpus = list(tenants)
    if not vcpus or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in vcpus):
        raise ValueError(f"tenants must list whole vCPU counts of at least 1, one per VM: {vcpus}")
    if sum(vcpus) > 64:
        raise ValueError(f"{sum(vcpus)} vCPUs on an 8-core host: keep it to a few VMs")
    scav1 = simulate_sharing(CORES, vcpus, busy=1.0, policy="scav1", slices=2, seed=0)
    scav2 = simulate_sharing(CORES, vcpus, busy=1.0, policy="scav2", slices=2, seed=0)
    return [
        Criterion(scav1.placed < scav1.runnable,
                  f"SCAv1 runs {scav1.placed:.0f} of the {scav1.runnable:.0f} busy vCPUs",
                  hint="SCAv1 uses one thread of each core. Its cost shows only when more vCPUs want to run "
                       "than esx02 has cores.",
                  direction="Add busy vCPUs, in more VMs or bigger ones, until they outnumber esx02's cores.",
                  answer=f"{_TENANTS_LINE}  (16 vCPUs: SCAv1 runs 8, SCAv2 all 16)"),
        Criterion(scav2.placed == scav2.runnable,
                  f"SCAv2 runs {scav2.placed:.0f} of the {scav2.runnable:.0f} busy vCPUs",
                  hint="SCAv2 puts two vCPUs on one core only when they belong to the same VM; a VM with one "
                       "vCPU has no partner, so it takes a whole core.",
                  direction="Give the VMs vCPUs that can pair up within each VM, and keep the total within "
                            "esx02's threads.",
                  answer=f"{_TENANTS_LINE}  (each VM's two vCPUs share one core)"),
    ]


# Customer A runs two web servers from one image (shop1, shop2); customer B runs bank1. bank1 loads a copy of
# the shop application's first page and times a write to it: the notes' page-sharing side channel.
PROBE_VM = "bank1"
_OS_PAGES = tuple(f"os-page-{i}".encode().ljust(PAGE_BYTES, b".") for i in range(8))
_SHOP_PAGES = tuple(f"shop-app-{i}".encode().ljust(PAGE_BYTES, b".") for i in range(8))
_PROBE_PAGE = _SHOP_PAGES[0]
_SALT_LINE = 'vms = tenant_vms(salts={"shop1": "shop", "shop2": "shop"})'
_SALTING_LINE = "esx02 = Host.boot(vms, salting=2)"


def tenant_vms(salts: dict[str, str | None] | None = None) -> list[VmMemory]:
    """esx02's three VMs with their pages: shop1 and shop2 (customer A, one web image) and bank1 (customer B,
    which holds a copy of the shop's first application page). `salts` sets each VM's sched.mem.pshare.salt
    (a VM left out, or None, has none)."""
    salts = dict(salts or {})
    unknown = set(salts) - {"shop1", "shop2", PROBE_VM}
    if unknown:
        raise ValueError(f"esx02's VMs are shop1, shop2 and bank1, not {', '.join(sorted(unknown))}")

    def own(name: str) -> tuple[bytes, ...]:  # pages nobody else has: the VM's own data
        return tuple(f"{name}-data-{i}".encode().ljust(PAGE_BYTES, b".") for i in range(8))

    pages = {"shop1": _OS_PAGES + _SHOP_PAGES + own("shop1"), "shop2": _OS_PAGES + _SHOP_PAGES + own("shop2"),
             PROBE_VM: _OS_PAGES + (_PROBE_PAGE,) + own(PROBE_VM)}
    return [VmMemory(name, pages[name], vc_uuid=f"uuid-{name}", pshare_salt=salts.get(name))
            for name in ("shop1", "shop2", PROBE_VM)]


def write_probe(host: Host, vm: str, contents: bytes) -> bool:
    """`vm` writes to its page holding `contents`: True when the write takes a copy-on-write fault (it is slow:
    another guest page shares the machine page), False when it is written in place."""
    gppn = next((i for i, mpn in enumerate(host.pmap[vm]) if host.frames[mpn].contents == contents), None)
    if gppn is None:
        raise ValueError(f"{vm} holds no page with those contents")
    gvpn = host.guest_page_table[vm].index(gppn)
    before = host.cow_breaks
    host.write(vm, gvpn, b"probe".ljust(PAGE_BYTES, b"."))
    return host.cow_breaks > before


def _shared_pages(host: Host, vm: str, others: tuple[str, ...]) -> int:
    """Machine pages behind `vm` that also back a page of one of `others`."""
    return len(set(host.pmap[vm]) & {mpn for other in others for mpn in host.pmap[other]})


def check_tps_probe(esx02: object) -> list[Criterion]:
    """Scan the learner's host for identical pages, then let bank1 time a write to its copy of the shop page."""
    if not isinstance(esx02, Host):
        raise TypeError(f"expected the memory Host esx02 (Host.boot(...)), got {type(esx02).__name__}")
    host = copy.deepcopy(esx02)  # the probe writes; leave the learner's host as it was
    missing = {"shop1", "shop2", PROBE_VM} - set(host.pmap)
    if missing:
        raise ValueError(f"esx02 lacks {', '.join(sorted(missing))}: boot it with tenant_vms(...)")
    host.scan()
    across = _shared_pages(host, PROBE_VM, ("shop1", "shop2"))
    web = _shared_pages(host, "shop1", ("shop2",))
    slow = write_probe(host, PROBE_VM, _PROBE_PAGE)
    return [
        Criterion(not slow,
                  "bank1's write to its copy of the shop page was "
                  + ("slow (a copy-on-write fault): bank1 learns that customer A runs the shop application"
                     if slow else "fast (written in place): bank1 learns nothing about customer A")
                  + f"; bank1 shares {across} machine pages with customer A's VMs",
                  hint="A write to a shared page is slow, because the VMkernel must first copy it. Any page two "
                       "customers' VMs may share can be probed that way.",
                  direction="Change the host's salting mode so that VMs without a salt of their own no longer "
                            "share pages with other VMs.",
                  answer=f"{_SALTING_LINE}  (Mem.ShareForceSalting = 2: an unsalted VM's salt is its own "
                         "vc.uuid)"),
        Criterion(web > 0, f"shop1 and shop2 (one web image, one customer) share {web} machine pages",
                  hint="Salting need not end page sharing between VMs that trust each other: VMs with the same "
                       "salt still share their identical pages.",
                  direction="Give customer A's two VMs a salt of their own (sched.mem.pshare.salt, the salts "
                            "argument of tenant_vms), the same for both, and leave bank1 out of it.",
                  answer=f"{_SALT_LINE}  (then {_SALTING_LINE})"),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "scav1-cost",
            "load esx02 so that SCAv1 leaves busy vCPUs waiting while SCAv2 still runs every one",
            check_scav1_cost,
            starter=(
                "tenants = [2, 2, 2, 2]  # vCPUs of each customer's VM on esx02 (8 cores, 16 threads), all busy\n"
                "# Your change: which VMs make SCAv1's one-thread-per-core rule cost vCPUs, but not SCAv2's?\n"
            ),
        ),
        YourTurn(
            LAB, "tps-probe",
            "boot esx02 so that bank1's write probe learns nothing about customer A, "
            "while shop1 and shop2 still share pages",
            check_tps_probe,
            starter=(
                "from vlab.exercises.security_areas import tenant_vms\n"
                "from vlab.models.vmkernel.memory import Host\n"
                "\n"
                "# shop1, shop2: customer A's web servers (one image); bank1: customer B. None = no salt set\n"
                'vms = tenant_vms(salts={"shop1": None, "shop2": None, "bank1": None})\n'
                "esx02 = Host.boot(vms, salting=0)  # Mem.ShareForceSalting = 0: pages shared as in ESX 3.x\n"
                "# Your change: the salting mode, and the VMs' salts (sched.mem.pshare.salt)\n"
            ),
        ),
    )


YOUR_TURNS = _turns()
