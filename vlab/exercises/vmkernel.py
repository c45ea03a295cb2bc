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
                  "A reservation is a guaranteed minimum under contention: db.reservation_mhz = 1500 "
                  "(or give db many more shares than the others)."),
        Criterion(batch <= BATCH_MAX_MHZ * 1.01, f"batch uses {batch:.0f} MHz (at most {BATCH_MAX_MHZ:.0f})",
                  "Shares only divide contended CPU; a limit caps a VM even when CPU is free: batch.limit_mhz."),
        Criterion(web >= WEB_MIN_MHZ, f"web1 and web2 get at least {web:.0f} MHz each (need {WEB_MIN_MHZ:.0f})",
                  "Whatever db and batch do not take is divided by shares: check that web1 and web2 keep theirs."),
        Criterion(allowed > 0, f"web1 and web2 share {allowed} machine pages",
                  "They run the same image: give both the same sched.mem.pshare.salt (salting 1 or 2)."),
        Criterion(not other, "no other pair of VMs shares pages" if not other else
                  "pages shared between other VMs: " + ", ".join(f"{a}+{b}: {n}" for (a, b), n in other.items()),
                  "Salting 0 shares across every VM; salting 1 lets every VM without a salt share too. "
                  "Salting 2 (the default since ESXi 6.0) keeps unsalted VMs to themselves."),
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
