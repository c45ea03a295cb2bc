"""Lab 01's checker: set CPU shares, reservations and limits, and page-sharing salts, on one host.

The learner edits the host's resource settings (`key = value`). The check runs the CPU scheduler model
(`vlab.models.vmkernel.cpu_sched`) with every VM busy and the page-sharing model (`vlab.models.vmkernel.memory`) with the
salts the settings select, so each criterion is measured, not asserted.
"""
from __future__ import annotations

from dataclasses import replace

from vlab.formats import parse_dictfile
from vlab.learn.checks import Criterion
from vlab.models.vmkernel.cpu_sched import VmCpu, schedule
from vlab.models.vmkernel.memory import Host, guest_vms

LAB = "01_vmkernel"
PCPUS = 2
MHZ_PER_PCPU = 2000.0
VCPUS = {"db": 2, "web1": 1, "web2": 1, "batch": 2, "shop": 1}
DB_MIN_MHZ = 1500.0
BATCH_MAX_MHZ = 500.0
WEB_MIN_MHZ = 600.0
SHARING_PAIR = frozenset({"web1", "web2"})  # the same web image: the only VMs allowed to share pages

STARTING_TEXT = """# esx01: 2 physical CPUs of 2000 MHz (4000 MHz in all); every VM is busy.
# Shares: Normal = 1000 per vCPU. Reservation and limit in MHz; limit 0 means unlimited.
db.shares = 2000
db.reservation_mhz = 0
db.limit_mhz = 0
web1.shares = 1000
web1.reservation_mhz = 0
web1.limit_mhz = 0
web2.shares = 1000
web2.reservation_mhz = 0
web2.limit_mhz = 0
batch.shares = 2000
batch.reservation_mhz = 0
batch.limit_mhz = 0
shop.shares = 1000
shop.reservation_mhz = 0
shop.limit_mhz = 0
# Page sharing: the host setting, and each VM's sched.mem.pshare.salt ("" = not set)
Mem.ShareForceSalting = 0
db.sched.mem.pshare.salt = ""
web1.sched.mem.pshare.salt = ""
web2.sched.mem.pshare.salt = ""
batch.sched.mem.pshare.salt = ""
shop.sched.mem.pshare.salt = ""
"""


def _number(settings, key: str) -> float:
    raw = settings.get(key)
    if raw is None:
        raise ValueError(f"keep the line '{key} = ...'")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number, not '{raw}'") from None
    if value < 0:
        raise ValueError(f"{key} cannot be negative")
    return value


def parse_settings(text: str) -> tuple[list[VmCpu], int, dict[str, str | None]]:
    """The learner's text -> (CPU settings per VM, Mem.ShareForceSalting, salt per VM or None)."""
    settings = parse_dictfile(text, source="your settings")
    vms = []
    for name, vcpus in VCPUS.items():
        shares = _number(settings, f"{name}.shares")
        if shares < 1 or shares != int(shares):
            raise ValueError(f"{name}.shares must be a whole number of at least 1, not '{settings.get(name + '.shares')}'")
        limit = _number(settings, f"{name}.limit_mhz")
        vms.append(VmCpu(name, vcpus, int(shares), _number(settings, f"{name}.reservation_mhz"),
                         limit if limit > 0 else None))
    salting_raw = settings.get("Mem.ShareForceSalting")
    if salting_raw is None or salting_raw.strip() not in ("0", "1", "2"):
        raise ValueError(f"Mem.ShareForceSalting must be 0, 1 or 2, not '{salting_raw}'")
    salts = {name: (settings.get(f"{name}.sched.mem.pshare.salt") or None) for name in VCPUS}
    return vms, int(salting_raw), salts


def cross_vm_sharing(salting: int, salts: dict[str, str | None], seed: int = 0) -> dict[frozenset, int]:
    """Machine pages shared between each pair of VMs, after one TPS scan of seeded guests with much in common."""
    guests = [replace(g, name=name, vc_uuid=f"uuid-{name}", pshare_salt=salts[name])
              for g, name in zip(guest_vms(len(VCPUS), 128, 0.5, seed=seed), VCPUS, strict=True)]
    host = Host.boot(guests, salting, seed=seed)
    host.scan()
    owners: dict[int, set[str]] = {}
    for name, pmap in host.pmap.items():
        for mpn in pmap:
            owners.setdefault(mpn, set()).add(name)
    pairs: dict[frozenset, int] = {}
    for vms in owners.values():
        for a in vms:
            for b in vms:
                if a < b:
                    pairs[frozenset({a, b})] = pairs.get(frozenset({a, b}), 0) + 1
    return pairs


def check_host_settings(text: str) -> list[Criterion]:
    vms, salting, salts = parse_settings(text)
    run = schedule(vms, PCPUS, mhz_per_pcpu=MHZ_PER_PCPU, duration_ms=4000, seed=0)
    db, batch = run.vm("db").used_mhz, run.vm("batch").used_mhz
    web = min(run.vm("web1").used_mhz, run.vm("web2").used_mhz)
    pairs = cross_vm_sharing(salting, salts)
    allowed = pairs.get(SHARING_PAIR, 0)
    other = {tuple(sorted(p)): n for p, n in pairs.items() if p != SHARING_PAIR}
    return [
        Criterion(db >= DB_MIN_MHZ * 0.99, f"db gets {db:.0f} MHz (needs at least {DB_MIN_MHZ:.0f})",
                  "Under contention shares only divide the CPU in proportion to all the VMs' shares; a "
                  "reservation is a guaranteed minimum, however busy the others are.",
                  "Give db a reservation (db.reservation_mhz) as large as what it needs; shares alone "
                  "would need far more db.shares than any other VM has.",
                  "db.reservation_mhz = 1500"),
        Criterion(batch <= BATCH_MAX_MHZ * 1.01, f"batch uses {batch:.0f} MHz (at most {BATCH_MAX_MHZ:.0f})",
                  "Shares and reservations never hold a busy VM back once CPU is free; only a ceiling does.",
                  "Give batch a limit (batch.limit_mhz, in MHz; 0 means none) no higher than its allowance.",
                  "batch.limit_mhz = 500"),
        Criterion(web >= WEB_MIN_MHZ, f"web1 and web2 get at least {web:.0f} MHz each (need {WEB_MIN_MHZ:.0f})",
                  "Whatever db's reservation and batch's limit leave is divided by shares among the VMs "
                  "still competing.",
                  "Cap batch and reserve for db no more than they need, and keep web1's and web2's shares "
                  "at least as high as shop's.",
                  "db.reservation_mhz = 1500 and batch.limit_mhz = 500, with web1.shares and web2.shares "
                  "left at 1000: web1 and web2 then get about 667 MHz each."),
        Criterion(allowed > 0, f"web1 and web2 share {allowed} machine pages",
                  "Pages are shared only between VMs whose salts match; web1 and web2 run the same image, "
                  "so they can share if they are salted alike.",
                  "Give web1 and web2 the same sched.mem.pshare.salt (any text that no other VM has).",
                  'web1.sched.mem.pshare.salt = "webfarm" and web2.sched.mem.pshare.salt = "webfarm"'),
        Criterion(not other, "no other pair of VMs shares pages" if not other else
                  "pages shared between other VMs: " + ", ".join(f"{a}+{b}: {n}" for (a, b), n in other.items()),
                  "Pages are shared only between VMs whose salts match; Mem.ShareForceSalting decides the "
                  "salt of a VM whose .vmx sets no sched.mem.pshare.salt.",
                  "Pick the host salting mode under which a VM without a salt of its own is salted with its "
                  "unique vc.uuid (the TPS table above), and salt no VM outside web1 and web2.",
                  "Mem.ShareForceSalting = 2 (the default since ESXi 6.0): db, batch and shop, unsalted, "
                  "then share with no other VM."),
    ]


def host_settings_checker(**kwargs):
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(
        "esx01 runs five busy VMs on 2 physical CPUs. Change the settings so that db always gets at least "
        "1500 MHz, batch never uses more than 500 MHz, web1 and web2 keep at least 600 MHz each, and only "
        "web1 and web2 (the same web image) share memory pages with each other.",
        check_host_settings, exercise_id="host-settings", lab=LAB, work=STARTING_TEXT,
        title="Shares, reservations, limits and salts on esx01", rows=24, **kwargs,
    )


# Your turn 1: esx02 has a pCPU for every vCPU, so nobody waits; batch must still stay within what it pays for.
ESX02_PCPUS = 4
BATCH_PAID_MHZ = 1000.0
BATCH_FLOOR_MHZ = 900.0  # a cap, not a stop: batch keeps close to what it pays for
ESX02_OTHERS = (VmCpu("db", vcpus=2), VmCpu("web"))


def check_cap_batch(batch: object) -> list[Criterion]:
    """Run esx02 (4 pCPUs: db with 2 vCPUs, web and the learner's batch with 1 each), all busy."""
    if not isinstance(batch, VmCpu):
        raise TypeError(f"expected batch's VmCpu(...), got {type(batch).__name__}")
    if batch.name != "batch":
        raise ValueError(f"the VM is called 'batch', not '{batch.name}': keep VmCpu(\"batch\", ...)")
    run = schedule([*ESX02_OTHERS, batch], ESX02_PCPUS, mhz_per_pcpu=MHZ_PER_PCPU, duration_ms=4000, seed=0)
    used = run.vm("batch").used_mhz
    idle = run.idle_ms / run.capacity_ms
    answer = 'batch = VmCpu("batch", limit_mhz=1000)'
    if used > BATCH_PAID_MHZ * 1.01:
        if batch.reservation_mhz > 0:
            idea = ("A reservation is a floor: it guarantees batch CPU when others compete and never holds "
                    "it back.")
        elif batch.shares != VmCpu("batch").shares:
            idea = ("Shares only divide CPU that VMs compete for; here every vCPU has a pCPU of its own, "
                    "so batch's shares change nothing.")
        else:
            idea = "On a host where nobody waits, every busy VM gets all its vCPUs can use."
        capped = Criterion(False, f"batch uses {used:.0f} MHz (it pays for {BATCH_PAID_MHZ:.0f}); the "
                                  f"pCPUs idle {idle:.0%} of the time.",
                           idea,
                           "Give batch a ceiling in MHz that holds even while pCPUs idle: a VmCpu setting, "
                           "neither its shares nor its reservation.",
                           answer)
    else:
        capped = Criterion(True, f"batch uses {used:.0f} MHz while the pCPUs idle {idle:.0%} of the time: "
                                 "the limit bites on a host with CPU to spare.")
    kept = Criterion(used >= BATCH_FLOOR_MHZ,
                     f"batch gets {used:.0f} MHz (it should keep at least {BATCH_FLOOR_MHZ:.0f}).",
                     "A limit is the most a VM may use, and batch is always busy: it uses all of its limit.",
                     "Raise batch's limit to what it pays for.",
                     answer)
    return [capped, kept]


# Your turn 2: a host that keeps Mem.ShareForceSalting = 1; shop belongs to another customer.
OUR_VMS = ("db", "web1", "web2", "batch")
TURN_SALTING = 1


def check_isolate_shop(salts: object) -> list[Criterion]:
    """One TPS scan of the five seeded guests under salting 1 with the learner's salts."""
    if not isinstance(salts, dict):
        raise TypeError(f"expected the dict salts (VM -> sched.mem.pshare.salt or None), got {type(salts).__name__}")
    if set(salts) != set(VCPUS):
        raise ValueError(f"salts must name exactly the five VMs {', '.join(VCPUS)}; it names {', '.join(salts)}")
    bad = [vm for vm, salt in salts.items() if salt is not None and not isinstance(salt, str)]
    if bad:
        raise ValueError(f"a salt is text or None; {bad[0]}'s is {salts[bad[0]]!r}")
    given = {vm: (salt or None) for vm, salt in salts.items()}
    pairs = cross_vm_sharing(TURN_SALTING, given)
    with_shop = sorted(next(iter(p - {"shop"})) for p in pairs if "shop" in p)
    apart = sorted(f"{a}+{b}" for i, a in enumerate(OUR_VMS) for b in OUR_VMS[i + 1:]
                   if not pairs.get(frozenset({a, b})))
    answer = 'salts["shop"] = "shop-only"'
    shared_salt = [vm for vm in OUR_VMS if given["shop"] is not None and given[vm] == given["shop"]]
    return [
        Criterion(not with_shop,
                  "shop shares pages with no other VM." if not with_shop else
                  f"shop shares pages with {', '.join(with_shop)}.",
                  ("Under salting 1 every VM whose .vmx sets no sched.mem.pshare.salt gets the same default "
                   "salt, so all unsalted VMs share with each other."
                   if given["shop"] is None else
                   f"Pages are shared between VMs whose salts match, and shop's salt is {', '.join(shared_salt)}'s."),
                  "Change shop's salt, not our VMs': give it one that no other VM has.",
                  answer),
        Criterion(not apart,
                  "our four VMs share pages with each other." if not apart else
                  f"these pairs of our VMs share nothing: {', '.join(apart)}.",
                  "Two VMs share pages only when their salts match; a VM given a salt of its own leaves the "
                  "group of unsalted VMs.",
                  "Leave db, web1, web2 and batch salted alike (under salting 1, no salt at all is alike).",
                  answer),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "cap-batch",
            "keep batch within the 1000 MHz it pays for on esx02, a host with CPU to spare",
            check_cap_batch,
            starter=(
                'batch = VmCpu("batch", shares=500)  # Low shares: the usual first try\n'
                "# Your change: esx02 has 4 pCPUs for db (2 vCPUs), web and batch, so nobody waits.\n"
                "# Make batch use at most 1000 MHz anyway (and not much less).\n"
            ),
        ),
        YourTurn(
            LAB, "isolate-shop",
            "on a salting-1 host, keep shop's pages to itself while our four VMs keep sharing",
            check_isolate_shop,
            starter=(
                'salts = {"db": None, "web1": None, "web2": None, "batch": None, "shop": None}  # no salt set\n'
                "# Your line: this host keeps Mem.ShareForceSalting = 1. shop belongs to another customer.\n"
            ),
        ),
    )


YOUR_TURNS = _turns()
