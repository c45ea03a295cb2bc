"""Lab 06's checker: pick the backup option and schedule that meet an RPO, an RTO and "restore one vmdk".

The datastore is given: 8 thick VMs of 40 GB on one 400 GB VMFS LUN in the DMZ, each guest rewriting
5 % of its disk a day, and a 100 MB/s copy path for backups and restores. The learner writes three
settings (option, proxy transport, backup interval) as `key = value` lines; the check runs
`vlab.models.datastore.backup.plan_outcomes` and reports each requirement with what the choice achieved and a
hint for what to change.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from vlab.exercises.settings_text import read_settings
from vlab.learn.checks import Criterion
from vlab.models.datastore.backup import (
    OPTION_LABELS,
    OPTIONS,
    TRANSPORTS,
    BackupPlan,
    DrillScenario,
    OptionOutcome,
    plan_outcomes,
    run_restore_drill,
)

LAB = "06_backup_options"
EXERCISE_ID = "pick-the-backup"

# The datastore the exercise fixes (the learner chooses option, transport and interval).
VM_COUNT = 8
DISK_GB = 40.0
LUN_GB = 400.0
DAILY_CHANGE_PCT = 5.0
BANDWIDTH_MB_S = 100.0
# The requirements.
RPO_H = 4.0  # at most 4 hours of changes may be lost
RTO_MIN = 15.0  # one deleted VM back within 15 minutes
WINDOW_H = 0.5  # each backup run done within 30 minutes (snapshots stay short)
INTERVAL_RANGE_H = (0.25, 168.0)

STARTING_TEXT = """\
# Protect the DMZ datastore: change the settings, then press Check.
option = lun_copy     # lun_copy, vcb or vadp_cbt
transport = san       # how a backup proxy reads the disks: san, hotadd or nbd
interval_h = 24       # hours between backups
"""

STATEMENT = (
    "The DMZ datastore holds **8 VMs of 40 GB** on one 400 GB LUN; each guest rewrites 5 % of its "
    "disk a day, and backups and restores move data at **100 MB/s**. Choose a backup so that:\n\n"
    "- one deleted VM can be restored **without rolling back the other seven**;\n"
    f"- at most **{RPO_H:g} hours** of changes can be lost (RPO);\n"
    f"- a deleted VM is back within **{RTO_MIN:g} minutes** (RTO);\n"
    f"- each backup run finishes within **{WINDOW_H * 60:g} minutes**;\n"
    "- the security team will **not zone the DMZ LUN to the backup proxy**.\n\n"
    "Edit the three settings and press **Check**. The panel above shows the numbers for any choice."
)

_KEYS = ("option", "transport", "interval_h")


def parse_choice(work: str | Mapping[str, object]) -> dict[str, object]:
    """The learner's choice as {option, transport, interval_h}, from text lines or a mapping.

    Text: one `key = value` (or `key: value`) per line; `#` starts a comment. Raises ValueError
    naming the line and what to write instead.
    """
    given = read_settings(work, "the choice", lower_keys=True)
    for key, (_value, where) in given.items():
        if key not in _KEYS:
            raise ValueError(f"{where}: unknown setting '{key}'; the settings are {', '.join(_KEYS)}")
    choice: dict[str, object] = {}
    if "option" in given:
        value, where = given["option"]
        choice["option"] = _word(value, where, "option", OPTIONS)
    if "transport" in given:
        value, where = given["transport"]
        choice["transport"] = _word(value, where, "transport", TRANSPORTS)
    if "interval_h" in given:
        choice["interval_h"] = _hours(*given["interval_h"])
    missing = [k for k in _KEYS if k not in given]
    if missing:
        raise ValueError(f"add a line for {', '.join(missing)} (e.g. '{missing[0]} = ...')")
    return choice


def _word(value: object, where: str, key: str, allowed: tuple[str, ...]) -> str:
    word = str(value).strip().strip("'\"").lower()
    if word not in allowed:
        raise ValueError(f"{where}: {key} must be one of {', '.join(allowed)}, got '{word}'")
    return word


def _hours(value: object, where: str) -> float:
    try:
        interval = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        interval = math.nan
    low, high = INTERVAL_RANGE_H
    if not math.isfinite(interval) or not low <= interval <= high:
        raise ValueError(f"{where}: interval_h must be a number of hours from {low:g} to {high:g}, "
                         f"got '{value}'")
    return interval


def choice_plan(choice: Mapping[str, object]) -> BackupPlan:
    """The exercise's datastore with the learner's transport and interval."""
    return BackupPlan(vm_count=VM_COUNT, disk_gb=DISK_GB, daily_change_pct=DAILY_CHANGE_PCT,
                      bandwidth_mb_s=BANDWIDTH_MB_S, interval_h=float(choice["interval_h"]),
                      transport=str(choice["transport"]), lun_gb=LUN_GB)


def check_backup_choice(work: str | Mapping[str, object]) -> list[Criterion]:
    """The exercise's five criteria for a choice (text or mapping); ValueError for malformed input."""
    choice = parse_choice(work)
    outcomes = {o.option: o for o in plan_outcomes(choice_plan(choice))}
    o = outcomes[str(choice["option"])]
    return [_granular(o), _rpo(o, float(choice["interval_h"])), _rto(o), _window(o, outcomes),
            _exposure(o, str(choice["transport"]))]


def _granular(o: OptionOutcome) -> Criterion:
    if o.granular:
        return Criterion(True, f"{o.label} restores one VM's vmdk on its own; the other VMs keep "
                               f"their data.")
    return Criterion(False, f"{o.label} can only put back the whole LUN: restoring one VM rolls the "
                            f"other {o.rolled_back_vms} back too ({o.rolled_back_gb:.1f} GB of their "
                            f"changes undone).",
                     hint="An array copies blocks of a LUN and knows nothing of the VMFS files on it; the "
                          "notes: SnapView 'can't restore a portion of the LUN (ie, one vmdk)'.",
                     direction="Change the option to one that backs up each VM's vmdk on its own, "
                               "through a proxy and a snapshot, instead of copying the LUN.",
                     answer="option = vadp_cbt (vcb is per vmdk too, but its full copies overrun the "
                            "window).")


def _rpo(o: OptionOutcome, interval_h: float) -> Criterion:
    said = (f"a backup every {interval_h:g} h: up to {o.data_at_risk_gb:.2f} GB of one VM's "
            f"changes can be lost")
    if interval_h <= RPO_H:
        return Criterion(True, f"RPO met: {said} (at most {RPO_H:g} h of changes).")
    return Criterion(False, f"RPO missed: {said}, {interval_h:g} h of changes, more than {RPO_H:g} h.",
                     hint="Data at risk is the time since the last backup times the change rate; the "
                          "option does not change it, the interval between backups does.",
                     direction="Shorten interval_h: back up at least as often as the RPO allows changes "
                               "to pile up.",
                     answer=f"interval_h = {RPO_H:g} (or less, down to {INTERVAL_RANGE_H[0]:g}).")


def _rto(o: OptionOutcome) -> Criterion:
    gb = o.restore_bytes / 1024**3
    said = f"restoring copies {gb:g} GB at {BANDWIDTH_MB_S:g} MB/s = {o.restore_min:.1f} min"
    if o.restore_min <= RTO_MIN:
        return Criterion(True, f"RTO met: {said} (limit {RTO_MIN:g} min).")
    return Criterion(False, f"RTO missed: {said}, over {RTO_MIN:g} min.",
                     hint="Restore time is the bytes a restore must copy divided by the bandwidth, and "
                          "the bandwidth is given.",
                     direction="Copy back less: choose an option whose restore copies only the lost "
                               "VM's disk, not the whole LUN.",
                     answer="option = vadp_cbt (or vcb): one 40 GB disk comes back in 6.8 min.")


def _window(o: OptionOutcome, outcomes: Mapping[str, OptionOutcome]) -> Criterion:
    said = f"each run copies {o.backup_bytes / 1024**3:.1f} GB: {o.backup_window_h * 60:.1f} min"
    if o.backup_window_h <= WINDOW_H:
        return Criterion(True, f"Backup window met: {said}.")
    cbt_gb = outcomes["vadp_cbt"].backup_bytes / 1024**3
    if o.option == "lun_copy":
        hint = ("A LUN copy moves the whole LUN, free space included, on every run, however little "
                "the VMs changed.")
    else:
        hint = ("VCB copies every VM's disk in full on every run, however little the guests "
                "changed since the last one.")
    return Criterion(False, f"Backup window missed: {said}, more than {WINDOW_H * 60:g} min.",
                     hint=hint,
                     direction="Copy less on each run: pick the per-vmdk option that tracks which "
                               "blocks changed since the last backup and copies only those.",
                     answer=f"option = vadp_cbt: changed block tracking copies {cbt_gb:.1f} GB per run "
                            "at this interval.")


def _exposure(o: OptionOutcome, transport: str) -> Criterion:
    if not o.lun_exposed_to_proxy:
        how = ("the array copies the LUN itself" if o.option == "lun_copy" else
               f"{transport} transport reads the disks through an ESXi host")
        return Criterion(True, f"The DMZ LUN is not zoned to the backup proxy: {how}.")
    return Criterion(False, "SAN transport zones the DMZ LUN to the proxy, which also sits on the "
                            "management and internal networks (the notes' VCB disadvantage).",
                     hint="SAN transport reads the VMFS LUN itself, so the LUN must be zoned and "
                          "presented to the proxy.",
                     direction="Keep the option, change the transport: to one that reaches the disks "
                               "through an ESXi host rather than over the SAN.",
                     answer="transport = hotadd (a proxy VM mounts the snapshot's disks) or transport = "
                            "nbd (the host sends them over its management network).")


def backup_choice_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_backup_choice, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Pick the backup: restore one vmdk, RPO 4 h, RTO 15 min",
                         rows=5, **kwargs)



# --------------------------------------------------------------------------- your turn
# Two short cells of lab 06 in which the learner changes the line that builds a model; the checks run
# plan_outcomes and the restore drill on what the learner built, never read the learner's text.
TURN_PLAN = {"vm_count": 40, "disk_gb": 40.0, "daily_change_pct": 5.0, "bandwidth_mb_s": 100.0}
TURN_AT_RISK_GB = 0.5  # at most this much of one VM's changes may be lost
TURN_DRILL = {"disk_gb": 8.0, "daily_change_pct": 5.0, "hours_since_backup": 6.0, "bandwidth_mb_s": 100.0,
              "victim": "vm01"}
TURN_RTO_S = 120.0  # vm01 back within 2 minutes


def _given(thing: object, fixed: Mapping[str, object]) -> list[str]:
    return [f"{k} = {getattr(thing, k)!r} (given: {v!r})" for k, v in fixed.items()
            if getattr(thing, k) != v]


def check_forty_vm_plan(plan: object) -> list[Criterion]:
    """The learner's plan for 40 VMs backed up with VCB: data at risk, and whether each run fits."""
    if not isinstance(plan, BackupPlan):
        raise TypeError(f"expected the BackupPlan called plan, got {type(plan).__name__}")
    changed = _given(plan, TURN_PLAN)
    vcb = {o.option: o for o in plan_outcomes(plan)}["vcb"]
    window_h = vcb.backup_window_h
    return [
        Criterion(not changed,
                  "the host and its copy path are as given" if not changed else
                  "you changed what is given: " + "; ".join(changed),
                  hint="The plan describes a host you cannot change (its VMs, their disks, how fast the "
                       "guests write, the copy path) and a backup you can.",
                  direction="Put the host's numbers back as the starter had them and change only how "
                            "often the backup runs.",
                  answer="vm_count=40, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100; change "
                         "interval_h only."),
        Criterion(vcb.data_at_risk_gb <= TURN_AT_RISK_GB + 1e-9,
                  f"a VM lost just before the next backup loses {vcb.data_at_risk_gb:.2f} GB of its "
                  f"changes (limit {TURN_AT_RISK_GB:g} GB)",
                  hint="Data at risk is the time since the last backup times the change rate.",
                  direction="The change rate is given, so back up more often: shorten interval_h.",
                  answer="interval_h=6 at most: 40 GB x 5 % x 6 h / 24 h = 0.5 GB."),
        Criterion(vcb.fits_interval,
                  f"a VCB run copies {vcb.backup_bytes / 1024**3:.0f} GB in {window_h:.2f} h; a backup "
                  f"is due every {plan.interval_h:g} h",
                  hint="A backup must finish before the next one is due, and VCB copies every disk in "
                       "full on every run, however little changed.",
                  direction="The runs overlap: lengthen interval_h again, as far as the data at risk "
                            "allows.",
                  answer=f"interval_h between {math.ceil(window_h * 100) / 100:g} and 6, for example "
                         "interval_h=6."),
    ]


def check_lun_for_vm01(drill: object) -> list[Criterion]:
    """Run the restore drill from the array's LUN copy on the learner's layout."""
    if not isinstance(drill, DrillScenario):
        raise TypeError(f"expected the DrillScenario called drill, got {type(drill).__name__}")
    changed = _given(drill, TURN_DRILL)
    _lun, result = run_restore_drill(drill, "lun_copy")
    undone = result.side_effect_bytes // 2**20
    return [
        Criterion(not changed,
                  "the accident and the copy path are as given" if not changed else
                  "you changed what is given: " + "; ".join(changed),
                  hint="The accident is given: vm01 (an 8 GB disk) is lost 6 hours after the copy, "
                       "and the array restores at 100 MB/s. What you choose is the storage layout.",
                  direction="Put those numbers back and change only how many VMs share the LUN and "
                            "how big it is.",
                  answer="disk_gb=8, daily_change_pct=5, hours_since_backup=6, bandwidth_mb_s=100, "
                         "victim=\"vm01\"; change vm_count and lun_gb only."),
        Criterion(not result.rolled_back,
                  f"the LUN restore undoes {undone} MB of "
                  f"{len(result.rolled_back)} other VMs' work" if result.rolled_back else
                  "the LUN restore brings vm01 back and undoes no other VM's work",
                  hint="The array puts back the whole LUN, never part of one: every VM that shares "
                       "vm01's LUN goes back in time with it.",
                  direction="Put fewer VMs on vm01's LUN: it restores alone only when it is alone.",
                  answer="vm_count=1: a LUN of its own for vm01 (the other VMs get LUNs of their own)."),
        Criterion(result.restore_s <= TURN_RTO_S,
                  f"the restore copies {drill.lun_gb:g} GB at {drill.bandwidth_mb_s:g} MB/s: "
                  f"{result.restore_s:.0f} s (limit {TURN_RTO_S:.0f} s)",
                  hint="A LUN restore copies the whole LUN, free space included: its time is the LUN's "
                       "size divided by the bandwidth, whatever the lost VM's size.",
                  direction="Make vm01's LUN smaller: just big enough for its disk and swap file.",
                  answer="lun_gb=10: 10 GB at 100 MB/s is 102 s (an 8 GB disk and its 1 GB swap file "
                         "need a little over 9 GB)."),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "forty-vm-plan",
            "plan VCB backups for 40 VMs that lose at most 0.5 GB of one VM's changes and never overlap",
            check_forty_vm_plan,
            starter=(
                "plan = BackupPlan(vm_count=40, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100, "
                "interval_h=24)\n"
                "# Your change: which setting bounds the data at risk, and how far can you turn it\n"
                "# before one VCB run is still copying when the next is due?\n"
            ),
        ),
        YourTurn(
            LAB, "lun-for-vm01",
            "lay out the LUN so that the array's restore brings vm01 back alone, within 2 minutes",
            check_lun_for_vm01,
            starter=(
                "drill = DrillScenario(vm_count=4, disk_gb=8, lun_gb=40, daily_change_pct=5,\n"
                "                      hours_since_backup=6, bandwidth_mb_s=100, victim=\"vm01\", seed=0)\n"
                "# Your change: the array restores whole LUNs. What must vm01's LUN hold, and how big\n"
                "# may it be, for the restore to cost no one else anything and take under 2 minutes?\n"
            ),
        ),
    )


YOUR_TURNS = _turns()

__all__ = [
    "LAB",
    "YOUR_TURNS",
    "OPTION_LABELS",
    "STARTING_TEXT",
    "backup_choice_checker",
    "check_backup_choice",
    "check_forty_vm_plan",
    "check_lun_for_vm01",
    "choice_plan",
    "parse_choice",
]
