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
    OptionOutcome,
    plan_outcomes,
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
                     "The notes: SnapView 'can't restore a portion of the LUN (ie, one vmdk)'. Pick an "
                     "option that backs up each vmdk through a proxy.")


def _rpo(o: OptionOutcome, interval_h: float) -> Criterion:
    said = (f"a backup every {interval_h:g} h: up to {o.data_at_risk_gb:.2f} GB of one VM's "
            f"changes can be lost")
    if interval_h <= RPO_H:
        return Criterion(True, f"RPO met: {said} (at most {RPO_H:g} h of changes).")
    return Criterion(False, f"RPO missed: {said}, {interval_h:g} h of changes, more than {RPO_H:g} h.",
                     "Data at risk = time since the last backup x change rate. Back up at least "
                     f"every {RPO_H:g} hours.")


def _rto(o: OptionOutcome) -> Criterion:
    gb = o.restore_bytes / 1024**3
    said = f"restoring copies {gb:g} GB at {BANDWIDTH_MB_S:g} MB/s = {o.restore_min:.1f} min"
    if o.restore_min <= RTO_MIN:
        return Criterion(True, f"RTO met: {said} (limit {RTO_MIN:g} min).")
    return Criterion(False, f"RTO missed: {said}, over {RTO_MIN:g} min.",
                     "A whole-LUN restore copies the whole LUN back; a per-vmdk restore copies only "
                     "the lost VM's disk.")


def _window(o: OptionOutcome, outcomes: Mapping[str, OptionOutcome]) -> Criterion:
    said = f"each run copies {o.backup_bytes / 1024**3:.1f} GB: {o.backup_window_h * 60:.1f} min"
    if o.backup_window_h <= WINDOW_H:
        return Criterion(True, f"Backup window met: {said}.")
    hint = ("VCB copies every VM in full on every run. Changed block tracking lets VADP copy only the "
            "blocks written since the last backup "
            f"({outcomes['vadp_cbt'].backup_bytes / 1024**3:.1f} GB per run at this interval).")
    if o.option == "lun_copy":
        hint = "A LUN copy moves the whole LUN every time; per-vmdk incrementals move far less."
    return Criterion(False, f"Backup window missed: {said}, more than {WINDOW_H * 60:g} min.", hint)


def _exposure(o: OptionOutcome, transport: str) -> Criterion:
    if not o.lun_exposed_to_proxy:
        how = ("the array copies the LUN itself" if o.option == "lun_copy" else
               f"{transport} transport reads the disks through an ESXi host")
        return Criterion(True, f"The DMZ LUN is not zoned to the backup proxy: {how}.")
    return Criterion(False, "SAN transport zones the DMZ LUN to the proxy, which also sits on the "
                            "management and internal networks (the notes' VCB disadvantage).",
                     "HotAdd (a proxy VM mounts the snapshot's disks) or NBD (over the hosts' "
                     "management network) read the disks without presenting the LUN to the proxy.")


def backup_choice_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_backup_choice, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Pick the backup: restore one vmdk, RPO 4 h, RTO 15 min",
                         rows=5, **kwargs)


__all__ = [
    "LAB",
    "OPTION_LABELS",
    "STARTING_TEXT",
    "backup_choice_checker",
    "check_backup_choice",
    "choice_plan",
    "parse_choice",
]
