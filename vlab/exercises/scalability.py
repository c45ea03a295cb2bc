"""Lab 09's checker: size a cluster so that 40 VMs with 4 active commands each keep GAVG under 20 ms.

The learner writes a design (hosts, VMs per host, LUN queue depth, Disk.SchedNumReqOutstanding,
spindles, RAID level, cache hit ratio) as `key = value` lines. The workload is given: 40 VMs on one
shared VMFS volume, each keeping 4 commands in flight (IOmeter style), 8 KB I/Os, 80 % reads (the
"typical workload" of VMware's storage troubleshooting series), a 2 Gbps Fibre Channel link per
host and an array good for 256 commands per LUN, as in the "Scalable Storage Performance" test bed.
The check runs `vlab.models.storage.simulation.simulate` with a fixed seed and reports, per criterion, what the
design achieved and a hint for what to change.

The published Table 2 of that paper is loaded by `vlab.knowledge.published.load_table2`, so tests
and the lab can set `vlab.models.storage.simulation.lun_sizing` next to the rows as printed.

Hints are graduated (vlab.learn.checks.Criterion): the idea first, then which way to change the design,
and the exact lines only from the third failed check.

Also here: the lab's two your-turn cells (`YOUR_TURNS`): let two VMs' commands past DSNRO, and size a
second LUN for 40 lighter VMs. Both checks run the simulation on the learner's `PanelSettings`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from vlab.exercises.settings_text import read_settings
from vlab.learn.checks import Criterion
from vlab.models.storage.simulation import RAID_WRITE_PENALTY, StorageResult, simulate

LAB = "09_scalability"
EXERCISE_ID = "size-the-cluster"

# The workload the exercise fixes (the learner designs the rest).
TOTAL_VMS = 40
ACTIVE_PER_VM = 4  # a: average active SCSI commands per VM (Table 2's symbol)
READ_FRACTION = 0.8  # vSphere blog's "typical workload": 8K I/O, 80 % random, 80 % read
BLOCK_KB = 8.0
LINK_GBPS = 2.0  # the study's blades reached the array over 2 Gbps Fibre Channel
ARRAY_QUEUE_LIMIT = 256  # n: "the maximum supported value is most commonly 256"
GAVG_LIMIT_MS = 20.0
KAVG_LIMIT_MS = 2.0  # esxtop threshold: KAVG above 2 ms means commands wait in the VMkernel
SEED = 1
IOS = 4000  # measured completions per check (plus the model's warm-up)
SPINDLE_IOPS = 1000 / (3.5 + 2.0)  # 15K disk: 3.5 ms seek + 2 ms half rotation, about 182 IOPS

# setting -> (kind, low, high, default or None when required, why the bounds)
SETTINGS: dict[str, tuple[type, float, float, float | None, str]] = {
    "hosts": (int, 1, 32, None, "1 to 32 ESX hosts"),
    "vms_per_host": (int, 1, 64, None, "1 to 64 VMs on each host"),
    "queue_depth": (int, 1, 255, 32, "HBA LUN queue depth 1 to 255 (QLogic's maximum; Emulex 128; "
                                     "default 32)"),
    "dsnro": (int, 1, 256, 32, "Disk.SchedNumReqOutstanding 1 to 256 (default 32)"),
    "spindles": (int, 1, 128, None, "1 to 128 disks (the array's shelves hold 128)"),
    "raid": (int, 1, 10, None, "RAID 1, 5, 6 or 10"),
    "cache_hit_ratio": (float, 0.0, 0.5, 0.0, "a read cache hit ratio from 0 to 0.5"),
}
WORKLOAD = {"outstanding_per_vm": ACTIVE_PER_VM, "read_fraction": READ_FRACTION}

STARTING_TEXT = """\
# The cluster's design: change the numbers, then press Check.
hosts = 2
vms_per_host = 20
queue_depth = 32      # HBA LUN queue depth on each host
dsnro = 32            # Disk.SchedNumReqOutstanding
spindles = 48         # 15K rpm disks behind the LUN
raid = 5              # 1, 5, 6 or 10
cache_hit_ratio = 0.0 # share of reads the array's cache answers
"""

STATEMENT = (
    "Forty VMs will share one VMFS volume. Each keeps **4 commands active** (a = 4), with 8 KB "
    "I/Os and 80 % reads; each host reaches the array over 2 Gbps Fibre Channel and the array "
    "takes 256 commands per LUN. Design the cluster so that:\n\n"
    "- hosts x VMs per host = 40;\n"
    "- no command waits in a host's VMkernel (KAVG under 2 ms);\n"
    "- the guests see **GAVG under 20 ms** (a seeded simulation of your design decides).\n\n"
    "Edit the numbers below and press **Check**. Use the panel and Table 2 above to try ideas."
)


def parse_design(work: str | Mapping[str, object]) -> dict[str, float]:
    """The design as a dict of the SETTINGS (defaults filled in), from text lines or a mapping.

    Text: one `key = value` (or `key: value`) per line; `#` starts a comment. Raises ValueError
    naming the line and what to write instead.
    """
    given = read_settings(work, "the design", form="setting = number")
    known = sorted(SETTINGS) + sorted(WORKLOAD)
    design: dict[str, float] = {}
    for key, (value, where) in given.items():
        if key not in SETTINGS and key not in WORKLOAD:
            raise ValueError(f"{where}: unknown setting '{key}'; the settings are {', '.join(known)}")
        design[key] = _number(key, value, where)
    for key, (_kind, _low, _high, default, _why) in SETTINGS.items():
        if key not in design:
            if default is None:
                raise ValueError(f"the design has no '{key}' line; add one, e.g. '{key} = ...'")
            design[key] = default
    return design


def _number(key: str, value: object, where: str) -> float:
    kind, low, high, _default, why = SETTINGS.get(key, (float, 0, 1e9, None, "the given workload"))
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"{where}: {key} must be a number, got '{value}'")
    if kind is int:
        if number != int(number):
            raise ValueError(f"{where}: {key} must be a whole number, got {value}")
        number = int(number)
    if not low <= number <= high:
        raise ValueError(f"{where}: {key} = {value} is out of range; use {why}")
    if key == "raid" and number not in RAID_WRITE_PENALTY:
        raise ValueError(f"{where}: raid must be 1, 5, 6 or 10, got {value}")
    return number


def run_design(design: Mapping[str, float]) -> StorageResult:
    """Simulate the design under the exercise's fixed workload (seeded: same design, same result)."""
    return simulate(
        hosts=int(design["hosts"]), vms_per_host=int(design["vms_per_host"]),
        outstanding_per_vm=ACTIVE_PER_VM, read_fraction=READ_FRACTION, block_kb=BLOCK_KB,
        link_gbps=LINK_GBPS, array_queue_limit=ARRAY_QUEUE_LIMIT,
        queue_depth=int(design["queue_depth"]), dsnro=int(design["dsnro"]),
        spindles=int(design["spindles"]), raid=int(design["raid"]),
        cache_hit_ratio=float(design["cache_hit_ratio"]), ios=IOS, seed=SEED,
    )


def backend_ops_per_io(raid: int, cache_hit_ratio: float, read_fraction: float = READ_FRACTION) -> float:
    """Back-end disk operations per guest I/O: reads that miss the cache plus writes x RAID penalty."""
    return read_fraction * (1 - cache_hit_ratio) + (1 - read_fraction) * RAID_WRITE_PENALTY[raid]


def check_cluster_design(work: str | Mapping[str, object]) -> list[Criterion]:
    """The exercise's criteria for a design (text or mapping); ValueError for malformed input."""
    design = parse_design(work)
    hosts, per_host = int(design["hosts"]), int(design["vms_per_host"])
    qd, dsnro = int(design["queue_depth"]), int(design["dsnro"])
    criteria = [_vm_count(hosts, per_host), _workload(design)]
    if not criteria[0].passed:
        return criteria  # a simulation of the wrong cluster would only confuse
    result = run_design(design)
    host_limit = qd if per_host < 2 else min(qd, dsnro)
    commands = per_host * ACTIVE_PER_VM
    queued = result.kavg_ms >= KAVG_LIMIT_MS or commands > host_limit
    if not queued:
        criteria.append(Criterion(True, f"No queueing in the VMkernel: each host sends {commands} "
                                        f"commands and its LUN queue takes {host_limit} "
                                        f"(KAVG {result.kavg_ms:.1f} ms)."))
    else:
        criteria.append(_kernel_queue(result, hosts, per_host, qd, dsnro, host_limit))
    criteria.append(_gavg(result, design))
    return criteria


def _kernel_queue(result: StorageResult, hosts: int, per_host: int, qd: int, dsnro: int,
                  host_limit: int) -> Criterion:
    commands = per_host * ACTIVE_PER_VM
    if per_host >= 2 and dsnro < qd:
        setting = "dsnro (Disk.SchedNumReqOutstanding, which caps the queue once 2 or more VMs share the LUN)"
    elif dsnro > qd:
        setting = "queue_depth (a dsnro above the queue depth is capped at it)"
    else:
        setting = "queue_depth and dsnro together"
    fit = host_limit // ACTIVE_PER_VM
    per = max((d for d in range(1, TOTAL_VMS + 1) if TOTAL_VMS % d == 0 and d <= fit), default=1)
    deeper = min(255, 1 << (commands - 1).bit_length())
    if fit < 1:
        answer = ("queue_depth = 32 and dsnro = 32 (the defaults), then hosts = 5 and vms_per_host = 8 "
                  f"(Table 2: m = d/a = 32/{ACTIVE_PER_VM} = 8 VMs per host).")
    else:
        answer = (f"hosts = {TOTAL_VMS // per} and vms_per_host = {per} (Table 2: m = d/a = "
                  f"{host_limit}/{ACTIVE_PER_VM} = {fit} VMs per host), or keep {hosts} x {per_host} with "
                  f"queue_depth = {deeper} and dsnro = {deeper} ({commands} commands per host).")
    return Criterion(
        False, f"Commands wait in the VMkernel: each host sends {commands} commands but lets "
               f"only {host_limit} through, so KAVG is {result.kavg_ms:.1f} ms (QUED "
               f"{result.qued / hosts:.0f} per host).",
        hint="Table 2: a host carries as many VMs on the volume as its LUN queue depth divided by each "
             "VM's active commands (d/a); beyond that their commands wait in the VMkernel. Once two or "
             "more VMs share the LUN, DSNRO caps the host's queue too.",
        direction=f"Put fewer VMs on each host (more hosts), or raise {setting} until one host's queue "
                  "holds all its VMs' commands.",
        answer=answer)


def _vm_count(hosts: int, per_host: int) -> Criterion:
    total = hosts * per_host
    if total == TOTAL_VMS:
        return Criterion(True, f"{hosts} hosts x {per_host} VMs = {TOTAL_VMS} VMs.")
    return Criterion(
        False, f"{hosts} hosts x {per_host} VMs = {total} VMs, not {TOTAL_VMS}.",
        hint="The workload is forty VMs on one volume: every one of them needs a host.",
        direction="Change vms_per_host or hosts so that hosts times VMs per host comes to forty; Table 2's "
                  "d/a says how many fit on one host without queueing.",
        answer="hosts = 5 and vms_per_host = 8 (Table 2: 32/4 = 8 VMs per host); 4 x 10 or 2 x 20 also "
               "make 40 but need deeper queues.")


def _workload(design: Mapping[str, float]) -> Criterion:
    changed = [f"{k} = {design[k]:g}" for k, v in WORKLOAD.items() if k in design and design[k] != v]
    if not changed:
        return Criterion(True, f"Each VM keeps {ACTIVE_PER_VM} commands active, "
                               f"{READ_FRACTION:.0%} reads (the given workload).")
    names = ", ".join(k for k, v in WORKLOAD.items() if k in design and design[k] != v)
    return Criterion(
        False, f"The workload is given, not designed: {', '.join(changed)}.",
        hint=f"The workload is measured on the old servers, not designed: every VM keeps "
             f"{ACTIVE_PER_VM} commands active with {READ_FRACTION:.0%} reads.",
        direction=f"Delete the lines that change the workload ({names}) and design the hosts and the "
                  "array instead.",
        answer=f"Remove the line(s) {', '.join(changed)}.")


def _spindles_for(raid: int, cache_hit_ratio: float) -> int | None:
    """Spindles with about 25 % headroom over Little's law's floor for GAVG under the limit (None: > 128)."""
    need_iops = TOTAL_VMS * ACTIVE_PER_VM / (GAVG_LIMIT_MS / 1000)
    floor = need_iops * backend_ops_per_io(raid, cache_hit_ratio) / SPINDLE_IOPS
    spindles = math.ceil(floor * 1.25 / 8) * 8
    return spindles if spindles <= 128 else None


def _gavg(result: StorageResult, design: Mapping[str, float]) -> Criterion:
    lo, hi = result.gavg_ci_ms
    said = (f"GAVG {result.gavg_ms:.1f} ms (99 % interval {lo:.1f}-{hi:.1f}) = KAVG "
            f"{result.kavg_ms:.1f} + DAVG {result.davg_ms:.1f}, at {result.iops:,.0f} IOPS")
    if result.gavg_ms < GAVG_LIMIT_MS:
        return Criterion(True, f"{said}: under {GAVG_LIMIT_MS:.0f} ms.")
    in_flight = TOTAL_VMS * ACTIVE_PER_VM
    need_iops = in_flight / (GAVG_LIMIT_MS / 1000)
    raid, cache = int(design["raid"]), float(design["cache_hit_ratio"])
    ops = backend_ops_per_io(raid, cache)
    floor = need_iops * ops / SPINDLE_IOPS
    mine, raid10 = _spindles_for(raid, cache), _spindles_for(10, cache)
    options = [f"spindles = {mine} with raid = {raid}"] if mine else []
    if raid not in (1, 10) or not mine:
        options.append(f"raid = 10 with spindles = {raid10}")
    deeper = int(design["queue_depth"]) > 32 or int(design["dsnro"]) > 32
    return Criterion(
        False, f"{said}: not under {GAVG_LIMIT_MS:.0f} ms.",
        hint=("A deeper queue does not make the array faster: it only moves the waiting from KAVG to DAVG. "
              if deeper else "")
             + "Little's law: the VMs keep the same number of commands in flight whatever you design, so "
               "GAVG falls only when the array completes more I/Os per second. Count disk operations, not "
               "guest I/Os: under RAID a write costs more than one.",
        direction="Make the back end faster: more spindles, a RAID level with a smaller write penalty, or "
                  "more cache hits. Aim for the IOPS the commands in flight need at 20 ms, times the disk "
                  "operations per I/O, with headroom; a deeper queue does not help.",
        answer=f"{' or '.join(options)}. Little's law: {in_flight} commands in flight / 20 ms = "
               f"{need_iops:,.0f} IOPS; with RAID {raid} and {cache:.0%} cache hits each I/O costs "
               f"{ops:.2f} disk operations, so even 100 % busy 15K disks (about {SPINDLE_IOPS:.0f} IOPS "
               f"each) need {floor:.0f}, and headroom adds a quarter.")


def cluster_sizing_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_cluster_design, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Size the cluster: 40 VMs, GAVG under 20 ms",
                         rows=9, **kwargs)


# --------------------------------------------------------------------------- your turn
# Two short cells of lab 09: the learner changes a PanelSettings (the panel's settings, a frozen
# dataclass) and the check simulates it; nothing is read off the learner's text.
TURN_IOS = 1500  # measured completions per check: about 0.05 s, stable to a few per cent
TURN_SEED = 1
TWO_VMS = {"hosts": 1, "vms_per_host": 2, "outstanding_per_vm": 16, "spindles": 64}
TWO_VMS_QUEUE_DEPTH = 32  # the starter's LUN queue depth (DSNRO 16 below it)
_DSNRO_LINE = "shared = replace(shared, dsnro=32)"
# the second LUN: 40 lighter VMs, 2 active commands each (80 in flight), 70 % reads, no cache hits
LIGHT_VMS = 40
LIGHT_WORKLOAD = {"outstanding_per_vm": 2, "read_fraction": 0.7, "cache_hit_ratio": 0.0,
                  "block_kb": 8.0, "link_gbps": 2.0, "metadata_ops_per_s": 0.0}
_LUN_LINE = "lun = replace(lun, spindles=48)"


def _turn_settings(work: object, name: str):
    from dataclasses import replace

    from vlab.widgets.storage_panel import PanelSettings

    if not isinstance(work, PanelSettings):
        raise TypeError(f"expected the PanelSettings {name}, got {type(work).__name__}")
    bounds = {"spindles": (1, 256), "queue_depth": (1, 255), "dsnro": (1, 256)}
    for key, (low, high) in bounds.items():
        value = getattr(work, key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{key} must be a whole number from {low} to {high}, got {value!r}")
    return replace(work, ios=TURN_IOS, seed=TURN_SEED)


def _run(settings) -> StorageResult:
    from vlab.widgets.storage_panel import run_settings

    return run_settings(settings)


def check_two_vms_dsnro(shared: object) -> list[Criterion]:
    """Two VMs on one host share a LUN with 16 commands each: do all 32 reach the LUN?"""
    settings = _turn_settings(shared, "shared")
    changed = [f"{k} = {getattr(settings, k)}" for k, v in TWO_VMS.items() if getattr(settings, k) != v]
    if changed:
        return [Criterion(
            False, f"The VMs and the LUN are given, not designed: {', '.join(changed)}.",
            hint="The task keeps two VMs on one host, each with 16 commands in flight, on a LUN of 64 "
                 "spindles: only the host's settings are yours to change.",
            direction="Put back hosts, vms_per_host, outstanding_per_vm and spindles as the starter had "
                      "them, and change one of the host's queue settings instead.",
            answer=_DSNRO_LINE)]
    result = _run(settings)
    wanted = TWO_VMS["vms_per_host"] * TWO_VMS["outstanding_per_vm"]
    through = result.host_limit >= wanted and result.kavg_ms < 0.5
    said = (f"The host lets {result.host_limit} of the {wanted} commands through: KAVG "
            f"{result.kavg_ms:.1f} ms, {result.iops:,.0f} IOPS.")
    if through:
        return [Criterion(True, said + " Nothing waits in the VMkernel.")]
    if settings.queue_depth > TWO_VMS_QUEUE_DEPTH and settings.dsnro < wanted:
        idea = ("A deeper LUN queue did not help: once two or more VMs share a LUN, the host lets "
                "through the smaller of two limits, the queue depth and the one for VMs sharing a LUN.")
    else:
        idea = ("With two or more VMs on a LUN, a host lets through the smaller of two limits: the LUN "
                "queue depth, and Disk.SchedNumReqOutstanding (DSNRO), which caps all the sharing VMs "
                "together.")
    return [Criterion(
        False, said, hint=idea,
        direction="Raise dsnro (Disk.SchedNumReqOutstanding) until it covers both VMs' commands together, "
                  "and keep queue_depth at least as high: the host uses the smaller of the two.",
        answer=f"{_DSNRO_LINE} (the study advises setting DSNRO equal to the queue depth).")]


def check_lun_for_40_vms(lun: object) -> list[Criterion]:
    """Simulate the learner's LUN for 40 VMs x 2 active commands: no VMkernel queue, GAVG under 20 ms."""
    settings = _turn_settings(lun, "lun")
    vms = settings.hosts * settings.vms_per_host
    changed = [f"{k} = {getattr(settings, k):g}" for k, v in LIGHT_WORKLOAD.items()
               if getattr(settings, k) != v]
    if vms != LIGHT_VMS or changed:
        said = ([f"{settings.hosts} hosts x {settings.vms_per_host} VMs = {vms}, not {LIGHT_VMS}"]
                if vms != LIGHT_VMS else []) + changed
        return [Criterion(
            False, f"The workload is given, not designed: {'; '.join(said)}.",
            hint="Sizing a LUN starts from the load it must carry: forty VMs, each with 2 commands in "
                 "flight, 70 % reads, none answered by the cache.",
            direction="Put the workload back as the starter had it (hosts x VMs per host, "
                      "outstanding_per_vm, read_fraction, cache_hit_ratio) and change the array instead.",
            answer=f"keep the starter's PanelSettings line and add {_LUN_LINE}")]
    result = _run(settings)
    per_host = settings.vms_per_host * settings.outstanding_per_vm
    queue_ok = result.kavg_ms < KAVG_LIMIT_MS
    criteria = [Criterion(
        queue_ok, f"Each host sends {per_host} commands and lets {result.host_limit} through: KAVG "
                  f"{result.kavg_ms:.1f} ms.",
        hint="Table 2: a host's LUN queue holds its depth divided by each VM's active commands in VMs; "
             "the commands of any more VMs wait in the VMkernel.",
        direction="Put fewer VMs on each host (more hosts), or raise queue_depth and dsnro together.",
        answer="hosts=4, vms_per_host=10, as in the starter (20 commands per host fit a queue of 32).")]
    fast = result.gavg_ms < GAVG_LIMIT_MS
    ops = backend_ops_per_io(settings.raid, settings.cache_hit_ratio, settings.read_fraction)
    deeper = settings.queue_depth > 32 or settings.dsnro > 32
    criteria.append(Criterion(
        fast, f"GAVG {result.gavg_ms:.1f} ms = KAVG {result.kavg_ms:.1f} + DAVG {result.davg_ms:.1f}, at "
              f"{result.iops:,.0f} IOPS on {settings.spindles} spindles in RAID {settings.raid} "
              f"({ops:.2f} disk operations per guest I/O)"
              + (": under 20 ms." if fast else ": not under 20 ms."),
        hint=("A deeper queue does not make the disks faster: it only moves the waiting. " if deeper else "")
             + "Little's law: the VMs keep the same commands in flight whatever the LUN is, so GAVG falls "
               "only when the LUN completes more I/Os per second. Count disk operations, not guest I/Os: "
               "a RAID 5 write costs four.",
        direction="Give the LUN more spindles, or a RAID level with a smaller write penalty: enough disk "
                  "IOPS for the guests' IOPS at 20 ms times the disk operations each guest I/O costs, "
                  "with some headroom.",
        answer=f"{_LUN_LINE} on RAID 5: 80 commands / 20 ms = 4,000 guest IOPS, x 1.9 disk operations on RAID 5 = "
               f"7,600 disk IOPS, about 42 disks at {SPINDLE_IOPS:.0f} IOPS; 48 leave headroom. Or "
               "lun = replace(lun, raid=10, spindles=32)."))
    return criteria


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "dsnro-two-vms",
            "let both VMs' 32 commands be active at the LUN, with nothing waiting in the VMkernel",
            check_two_vms_dsnro,
            starter=(
                "# one host, two VMs sharing the LUN with 16 commands each; 64 spindles to spare\n"
                "shared = PanelSettings(vms_per_host=2, outstanding_per_vm=16, spindles=64,\n"
                "                       queue_depth=32, dsnro=16)\n"
                "# Your change: one host setting, so that all 32 commands are active at once\n"
            ),
        ),
        YourTurn(
            LAB, "lun-for-40-vms",
            "size the second LUN so that its 40 VMs see GAVG under 20 ms",
            check_lun_for_40_vms,
            starter=(
                "# 40 VMs on 4 hosts, 2 commands in flight each (80 in all), 70 % reads, no cache hits\n"
                "lun = PanelSettings(hosts=4, vms_per_host=10, outstanding_per_vm=2, read_fraction=0.7,\n"
                "                    cache_hit_ratio=0.0, spindles=16, raid=5)\n"
                "# Your change: size the LUN's back end (spindles, RAID level)\n"
            ),
        ),
    )


YOUR_TURNS = _turns()

__all__ = [
    "LAB",
    "STARTING_TEXT",
    "YOUR_TURNS",
    "backend_ops_per_io",
    "check_cluster_design",
    "check_lun_for_40_vms",
    "check_two_vms_dsnro",
    "cluster_sizing_checker",
    "parse_design",
    "run_design",
]
