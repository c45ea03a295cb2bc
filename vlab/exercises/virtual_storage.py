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
from dataclasses import dataclass

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
        dominant = "DAVG (the array)" if result.davg_ms > result.kavg_ms else "KAVG (the VMkernel)"
        criteria.append(Criterion(
            False, f"Latency: {said}, over {QUIET_GAVG_LIMIT_MS:.0f} ms.",
            f"{dominant} dominates. Two levers: fewer hosts on the LUN (fewer commands compete "
            f"at the array, so DAVG falls), and DSNRO (how many of the host's slots its VMs "
            f"share; waiting VMs are served in turn, so db01 cannot hold them all). Little's law: "
            f"a quiet VM's GAVG = 4 commands / its IOPS."))
    poorest = min(quiet, key=lambda r: r.iops)
    ratio = poorest.iops / db01.iops
    said = (f"{poorest.name} gets {poorest.iops:,.0f} IOPS, {ratio:.0%} of db01's "
            f"{db01.iops:,.0f}")
    if ratio >= FAIR_SHARE:
        criteria.append(Criterion(True, f"Fairness: {said}."))
    else:
        criteria.append(Criterion(
            False, f"Fairness: {said}; it should get at least {FAIR_SHARE:.0%}.",
            f"The host lets {limit} commands through to the LUN (min(DSNRO, queue depth)); "
            f"db01 asks for 32 of the 44 in flight, so it holds most of them. Lower DSNRO "
            f"so that the VMkernel's turn-taking between VMs decides who goes next. A deeper "
            f"queue does the opposite."))
    criteria.append(_conflicts(result, design))
    return criteria


def _shared(design: LunDesign) -> Criterion:
    if design.hosts_on_lun >= 2:
        return Criterion(True, f"vmfs-prod is shared by {design.hosts_on_lun} hosts: VMFS's "
                               f"on-disk locks let them cooperate, and vMotion/HA can move VMs.")
    return Criterion(False, "vmfs-prod is seen by one host only: vMotion and HA need the VMs' "
                            "files on storage that several hosts share.",
                     "Keep hosts_on_lun at 2 or more; put the other hosts on another LUN.")


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
        "with the hosts sharing the LUN and with the metadata rate: the notes' advice is to "
        "run admin tasks off-peak (ATS locking removed most of this from vSphere 4.1 on).")


def lun_design_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_lun_design, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Share vmfs-prod fairly", rows=6, **kwargs)


__all__ = [
    "LAB",
    "STARTING_TEXT",
    "LunDesign",
    "check_lun_design",
    "lun_design_checker",
    "parse_design",
    "run_design",
]
