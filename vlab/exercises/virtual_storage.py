"""Lab 03's checker: share one VMFS LUN fairly and keep SCSI reservation conflicts down.

Scenario: on esx01, db01 runs a report with 32 commands in flight while app01, web01 and web02 keep
4 each, all on the VMFS volume `vmfs-prod`. The cluster's other hosts run the same mix. The learner
chooses how many hosts share the LUN (the rest go to another LUN), Disk.SchedNumReqOutstanding,
the HBA's LUN queue depth, and when administrators run snapshots and deployments (during business
hours: 5 metadata updates per second per host, each taking a SCSI reservation; off-peak: none
during the day). A seeded run of `vlab.models.storage.simulation.simulate` decides:

- the LUN stays shared by at least 2 hosts (so vMotion and HA can move the VMs);
- every quiet VM on esx01 sees GAVG at most 15 ms (Little's law: 4 commands / its IOPS);
- fairness: every quiet VM gets at least half of db01's IOPS;
- SCSI reservation conflicts at most 2 per second (esxtop CONS/s).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

from vlab.exercises.settings_text import read_settings
from vlab.learn.checks import Criterion
from vlab.models.storage.simulation import StorageResult
from vlab.widgets.io_path_panel import SharedLun, VmRow, run_shared_lun, vm_rows

LAB = "03_virtual_storage"
EXERCISE_ID = "share-the-lun"

VM_MIX = (32, 4, 4, 4)  # db01 (the noisy neighbour), app01, web01, web02
SPINDLES = 32  # 15K disks behind vmfs-prod
BUSINESS_HOURS_OPS_PER_S = 5.0  # metadata updates per host while admins work during the day
QUIET_GAVG_LIMIT_MS = 15.0
FAIR_SHARE = 0.5  # each quiet VM gets at least this fraction of db01's IOPS
CONS_LIMIT_PER_S = 2.0
IOS = 8000
SEED = 1
ADMIN_TIMES = ("business_hours", "off_peak")

# setting -> (low, high, default or None when required, what is allowed)
SETTINGS: dict[str, tuple[int, int, int | None, str]] = {
    "hosts_on_lun": (1, 8, None, "1 to 8 hosts (the cluster has 8)"),
    "dsnro": (1, 256, 32, "Disk.SchedNumReqOutstanding 1 to 256 (default 32)"),
    "queue_depth": (1, 255, 32, "LUN queue depth 1 to 255 (QLogic maximum; default 32)"),
}

STARTING_TEXT = """\
# vmfs-prod's design: change the values, then press Check.
hosts_on_lun = 8              # hosts of the cluster that share vmfs-prod (1-8)
dsnro = 32                    # Disk.SchedNumReqOutstanding on each host
queue_depth = 32              # HBA LUN queue depth on each host
admin_tasks = business_hours  # when snapshots/deployments run: business_hours or off_peak
"""

STATEMENT = (
    "On esx01, **db01** keeps 32 commands in flight to the VMFS volume `vmfs-prod`, while app01, "
    "web01 and web02 keep 4 each; every host of the 8-host cluster runs the same mix. Choose the "
    "design so that, during business hours:\n\n"
    "- vmfs-prod stays shared by **at least 2 hosts** (vMotion and HA need shared storage);\n"
    f"- each quiet VM sees **GAVG at most {QUIET_GAVG_LIMIT_MS:.0f} ms**;\n"
    f"- each quiet VM gets **at least half of db01's IOPS** (fairness);\n"
    f"- SCSI reservation conflicts stay at **{CONS_LIMIT_PER_S:.0f} CONS/s or fewer**.\n\n"
    "Edit the values and press **Check**; try ideas in the panel above first."
)


@dataclass(frozen=True)
class LunDesign:
    hosts_on_lun: int
    dsnro: int
    queue_depth: int
    admin_tasks: str

    @property
    def metadata_ops_per_s(self) -> float:
        return BUSINESS_HOURS_OPS_PER_S if self.admin_tasks == "business_hours" else 0.0

    def shared_lun(self) -> SharedLun:
        return SharedLun(outstanding=VM_MIX, dsnro=self.dsnro, queue_depth=self.queue_depth,
                         spindles=SPINDLES, hosts=self.hosts_on_lun,
                         metadata_ops_per_s=self.metadata_ops_per_s, ios=IOS, seed=SEED)


def parse_design(work: str | Mapping[str, object]) -> LunDesign:
    """The design from `key = value` lines (or a mapping); ValueError naming the line to fix."""
    given = {k: (str(v).strip(), where) for k, (v, where) in read_settings(work, "the design").items()}
    known = [*SETTINGS, "admin_tasks"]
    for key, (_value, where) in given.items():
        if key not in known:
            raise ValueError(f"{where}: unknown setting '{key}'; the settings are {', '.join(known)}")
    values: dict[str, int] = {}
    for key, (low, high, default, why) in SETTINGS.items():
        if key not in given:
            if default is None:
                raise ValueError(f"the design has no '{key}' line; add one, e.g. '{key} = 4'")
            values[key] = default
            continue
        text, where = given[key]
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{where}: {key} must be a whole number, got '{text}'") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"{where}: {key} must be a whole number, got '{text}'")
        if not low <= number <= high:
            raise ValueError(f"{where}: {key} = {text} is out of range; use {why}")
        values[key] = int(number)
    admin, where = given.get("admin_tasks", ("business_hours", "default"))
    admin = admin.strip().strip("'\"").lower().replace("-", "_").replace(" ", "_")
    if admin not in ADMIN_TIMES:
        raise ValueError(f"{where}: admin_tasks must be business_hours or off_peak, got '{admin}'")
    return LunDesign(values["hosts_on_lun"], values["dsnro"], values["queue_depth"], admin)


def run_design(design: LunDesign) -> tuple[StorageResult, list[VmRow]]:
    """Simulate the design (seeded) and return the run and esx01's per-VM rows."""
    lun = design.shared_lun()
    result = run_shared_lun(lun)
    return result, vm_rows(lun, result)


def check_lun_design(work: str | Mapping[str, object]) -> list[Criterion]:
    """The exercise's four criteria for a design; ValueError for malformed input."""
    design = parse_design(work)
    criteria = [_shared(design)]
    result, rows = run_design(design)
    quiet, db01 = rows[1:], rows[0]
    limit = design.queue_depth if len(VM_MIX) < 2 else min(design.dsnro, design.queue_depth)
    worst = max(quiet, key=lambda r: r.gavg_ms)
    said = (f"the slowest quiet VM, {worst.name}, sees GAVG {worst.gavg_ms:.1f} ms "
            f"(host: KAVG {result.kavg_ms:.1f} + DAVG {result.davg_ms:.1f} ms)")
    if worst.gavg_ms <= QUIET_GAVG_LIMIT_MS:
        criteria.append(Criterion(True, f"Latency: {said}, within {QUIET_GAVG_LIMIT_MS:.0f} ms."))
    else:
        array_bound = result.davg_ms > result.kavg_ms
        dominant = "DAVG (the array)" if array_bound else "KAVG (the VMkernel)"
        criteria.append(Criterion(
            False, f"Latency: {said}, over {QUIET_GAVG_LIMIT_MS:.0f} ms.",
            f"{dominant} dominates. By Little's law a quiet VM waits its 4 commands divided by its "
            f"IOPS: it waits longer when the array is busy with every host's commands (DAVG), or "
            f"when it queues in the host behind db01 (KAVG).",
            "Put fewer hosts on vmfs-prod: each host adds its VMs' commands at the array."
            if array_bound else
            "Lower DSNRO, so that the host serves the waiting VMs in turn and db01 cannot hold most "
            "of the slots.",
            "hosts_on_lun = 2 and dsnro = 12 (8 to 16 work)."))
    poorest = min(quiet, key=lambda r: r.iops)
    ratio = poorest.iops / db01.iops
    said = (f"{poorest.name} gets {poorest.iops:,.0f} IOPS, {ratio:.0%} of db01's "
            f"{db01.iops:,.0f}")
    if ratio >= FAIR_SHARE:
        criteria.append(Criterion(True, f"Fairness: {said}."))
    else:
        criteria.append(Criterion(
            False, f"Fairness: {said}; it should get at least {FAIR_SHARE:.0%}.",
            f"The host lets {limit} commands through to the LUN (the smaller of DSNRO and the queue "
            f"depth), and db01 asks for 32 of the 44 in flight, so it holds most of them.",
            "Lower dsnro, so that the VMkernel's turn-taking between VMs decides who goes next; a "
            "deeper queue_depth does the opposite. Keep enough slots to keep the spindles busy.",
            "dsnro = 12 (8 to 16 work)"))
    criteria.append(_conflicts(result, design))
    return criteria


def _shared(design: LunDesign) -> Criterion:
    if design.hosts_on_lun >= 2:
        return Criterion(True, f"vmfs-prod is shared by {design.hosts_on_lun} hosts: VMFS's "
                               f"on-disk locks let them cooperate, and vMotion/HA can move VMs.")
    return Criterion(False, "vmfs-prod is seen by one host only: vMotion and HA need the VMs' "
                            "files on storage that several hosts share.",
                     "vMotion and HA move a VM by letting another host open its files: that host must "
                     "see the same LUN.",
                     "Raise hosts_on_lun; put only the remaining hosts on another LUN.",
                     "hosts_on_lun = 2")


def _conflicts(result: StorageResult, design: LunDesign) -> Criterion:
    hosts = f"{design.hosts_on_lun} host{'s' if design.hosts_on_lun > 1 else ''}"
    said = (f"{result.cons_per_s:.1f} CONS/s with {hosts} and admin tasks "
            f"{design.admin_tasks.replace('_', ' ')}")
    if result.cons_per_s <= CONS_LIMIT_PER_S:
        return Criterion(True, f"Reservations: {said}.")
    return Criterion(
        False, f"Reservations: {said}; the target is {CONS_LIMIT_PER_S:.0f} or fewer.",
        "Each snapshot, power-on or file growth reserves the whole LUN for a few hundred "
        "microseconds; commands from the other hosts get BUSY and are retried. Conflicts grow "
        "with the hosts sharing the LUN and with the metadata rate.",
        "Move the snapshots and deployments out of the hours when the VMs are busy (admin_tasks), "
        "and keep the hosts on the LUN few, as the notes advise (ATS locking removed most of this "
        "from vSphere 4.1 on).",
        "admin_tasks = off_peak")


def lun_design_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_lun_design, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Share vmfs-prod fairly", rows=6, **kwargs)


# Your turns: the learner builds a SharedLun (one host's VMs on one LUN) and the check simulates it.
ESX01 = SharedLun()  # the lab's esx01: db01 32 commands, three VMs 4 each, DSNRO and queue depth 32
ESX02 = SharedLun(outstanding=(64, 4, 4, 4), names=("bkp01", "web01", "web02", "web03"),
                  spindles=32, queue_depth=64, dsnro=64)  # a backup VM next to three web VMs
NO_KAVG_MS = 0.5
WEB01_LIMIT_MS = 15.0
KEEP_IOPS = 0.95  # of what esx02 does with DSNRO 64


@lru_cache(maxsize=32)  # seeded runs: the same design gives the same result
def _simulated(lun: SharedLun) -> tuple[StorageResult, tuple[VmRow, ...]]:
    result = run_shared_lun(lun)
    return result, tuple(vm_rows(lun, result))


def _same_workload(lun: object, base: SharedLun, name: str, answer: str) -> Criterion:
    """Only the host's DSNRO and queue depth may change: the VMs and the array stay as they are."""
    if not isinstance(lun, SharedLun):
        raise TypeError(f"expected the SharedLun {name}, got {type(lun).__name__}")
    changed = [f.name for f in fields(SharedLun) if f.name not in ("dsnro", "queue_depth")
               and getattr(lun, f.name) != getattr(base, f.name)]
    if not changed:
        return Criterion(True, f"{name}'s VMs and array are as given; only host settings changed.")
    return Criterion(False, f"{name}: you changed {', '.join(changed)}; the VMs and the array must stay "
                            "as they are.",
                     "The VMs' load and the array are not yours to change here: the host's own "
                     "settings decide how their commands queue.",
                     "Keep outstanding, spindles and the rest as given; change only dsnro and queue_depth.",
                     answer)


def check_no_kavg(esx01: object) -> list[Criterion]:
    """Simulate the learner's esx01 and look at KAVG: do any commands still wait in the VMkernel?"""
    answer = "esx01 = SharedLun(outstanding=(32, 4, 4, 4), dsnro=64, queue_depth=64)"
    same = _same_workload(esx01, ESX01, "esx01", answer)
    if not same.passed:
        return [same]
    before, before_rows = _simulated(ESX01)
    result, rows = _simulated(esx01)
    in_flight = sum(esx01.outstanding)
    if result.kavg_ms > NO_KAVG_MS:
        if esx01.queue_depth >= in_flight > esx01.dsnro:
            direction = ("You made room in the LUN queue, but with two or more VMs on the LUN the host "
                         "also applies DSNRO: raise dsnro as well.")
        elif esx01.dsnro >= in_flight > esx01.queue_depth:
            direction = "Raise queue_depth as well: the host applies the smaller of the two."
        else:
            direction = (f"Raise both dsnro and queue_depth to at least the {in_flight} commands in "
                         "flight; the host applies the smaller of the two.")
        return [same, Criterion(
            False, f"KAVG {result.kavg_ms:.1f} ms: the host lets {result.host_limit} of the "
                   f"{in_flight} commands through, and the rest wait in the VMkernel.",
            "KAVG is time commands wait in the VMkernel, because the host lets only so many of them "
            "through to the LUN at once.",
            direction, answer)]
    web01 = next(r for r in rows if r.name == "web01")
    web01_before = next(r for r in before_rows if r.name == "web01")
    return [same, Criterion(
        True, f"KAVG {result.kavg_ms:.1f} ms: all {in_flight} commands go through. GAVG is "
              f"{result.gavg_ms:.1f} ms (it was {before.gavg_ms:.1f}): the waiting moved to the array, "
              f"DAVG {result.davg_ms:.1f} ms, and web01 now waits {web01.gavg_ms:.1f} ms instead of "
              f"{web01_before.gavg_ms:.1f}.")]


def check_protect_web01(esx02: object) -> list[Criterion]:
    """Simulate the learner's esx02: is web01 fast again, and does the array still get enough work?"""
    answer = ('esx02 = SharedLun(outstanding=(64, 4, 4, 4), names=("bkp01", "web01", "web02", "web03"), '
              "spindles=32, queue_depth=64, dsnro=32)")
    same = _same_workload(esx02, ESX02, "esx02", answer)
    if not same.passed:
        return [same]
    base, _ = _simulated(ESX02)
    result, rows = _simulated(esx02)
    web01 = next(r for r in rows if r.name == "web01")
    kept = result.iops / base.iops
    fast = web01.gavg_ms <= WEB01_LIMIT_MS
    busy = kept >= KEEP_IOPS
    return [
        same,
        Criterion(fast, f"web01 waits {web01.gavg_ms:.1f} ms per command (4 commands / "
                        f"{web01.iops:,.0f} IOPS; at most {WEB01_LIMIT_MS:.0f} ms wanted).",
                  "The host lets the smaller of DSNRO and the queue depth through, and serves the VMs "
                  "waiting for a slot in turn; the more slots there are, the more of them bkp01's 64 "
                  "commands hold.",
                  "Lower dsnro, so that the VMs take turns for fewer slots; a deeper queue does the "
                  "opposite.",
                  answer),
        Criterion(busy, f"esx02 does {result.iops:,.0f} IOPS, {kept:.0%} of the {base.iops:,.0f} it did "
                        f"with DSNRO 64 (at least {KEEP_IOPS:.0%} wanted).",
                  "The array's 32 spindles serve many commands at once; with too few commands at the "
                  "LUN some spindles sit idle and the whole host loses IOPS.",
                  "Raise dsnro again: enough slots to keep every spindle busy, few enough that bkp01 "
                  "cannot hold them all.",
                  answer),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "no-kavg",
            "let every one of esx01's commands through to the LUN, so that none waits in the VMkernel",
            check_no_kavg,
            starter=(
                "esx01 = SharedLun(outstanding=(32, 4, 4, 4), dsnro=32, queue_depth=32)  # as in the cell above\n"
                "# Your change: the storage team says 'raise the queue depth'. Make KAVG disappear,\n"
                "# changing only the host's settings, then read what happened to GAVG.\n"
            ),
        ),
        YourTurn(
            LAB, "protect-web01",
            "on esx02, bring web01 to 15 ms or less while the host keeps 95 % of its IOPS",
            check_protect_web01,
            starter=(
                'esx02 = SharedLun(outstanding=(64, 4, 4, 4), names=("bkp01", "web01", "web02", "web03"),\n'
                "                  spindles=32, queue_depth=64, dsnro=64)\n"
                "# Your change: one host setting, so that web01 waits at most 15 ms and the array stays busy.\n"
            ),
        ),
    )


YOUR_TURNS = _turns()


__all__ = [
    "LAB",
    "STARTING_TEXT",
    "YOUR_TURNS",
    "LunDesign",
    "check_lun_design",
    "check_no_kavg",
    "check_protect_web01",
    "lun_design_checker",
    "parse_design",
    "run_design",
]
