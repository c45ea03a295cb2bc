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
        setting = ("dsnro (Disk.SchedNumReqOutstanding caps the queue when 2+ VMs share the LUN)"
                   if per_host >= 2 and dsnro < qd else
                   "queue_depth (dsnro above it is capped at the queue depth)" if dsnro > qd else
                   "queue_depth and dsnro together")
        criteria.append(Criterion(
            False, f"Commands wait in the VMkernel: each host sends {commands} commands but lets "
                   f"only {host_limit} through, so KAVG is {result.kavg_ms:.1f} ms (QUED "
                   f"{result.qued / hosts:.0f} per host).",
            f"Table 2: a host takes m = d/a = {host_limit}/{ACTIVE_PER_VM} = "
            f"{host_limit // ACTIVE_PER_VM} VMs without queueing. Spread the VMs over more hosts, or "
            f"raise {setting}."))
    criteria.append(_gavg(result, design))
    return criteria


def _vm_count(hosts: int, per_host: int) -> Criterion:
    total = hosts * per_host
    if total == TOTAL_VMS:
        return Criterion(True, f"{hosts} hosts x {per_host} VMs = {TOTAL_VMS} VMs.")
    return Criterion(False, f"{hosts} hosts x {per_host} VMs = {total} VMs, not {TOTAL_VMS}.",
                     "Pick hosts and vms_per_host whose product is 40 (e.g. 2 x 20, 4 x 10, 5 x 8).")


def _workload(design: Mapping[str, float]) -> Criterion:
    changed = [f"{k} = {design[k]:g}" for k, v in WORKLOAD.items() if k in design and design[k] != v]
    if not changed:
        return Criterion(True, f"Each VM keeps {ACTIVE_PER_VM} commands active, "
                               f"{READ_FRACTION:.0%} reads (the given workload).")
    return Criterion(False, f"The workload is given, not designed: {', '.join(changed)}.",
                     f"Remove those lines: every VM keeps {ACTIVE_PER_VM} commands active with "
                     f"{READ_FRACTION:.0%} reads. Design the hosts and the array instead.")


def _gavg(result: StorageResult, design: Mapping[str, float]) -> Criterion:
    lo, hi = result.gavg_ci_ms
    said = (f"GAVG {result.gavg_ms:.1f} ms (99 % interval {lo:.1f}-{hi:.1f}) = KAVG "
            f"{result.kavg_ms:.1f} + DAVG {result.davg_ms:.1f}, at {result.iops:,.0f} IOPS")
    if result.gavg_ms < GAVG_LIMIT_MS:
        return Criterion(True, f"{said}: under {GAVG_LIMIT_MS:.0f} ms.")
    in_flight = TOTAL_VMS * ACTIVE_PER_VM
    need_iops = in_flight / (GAVG_LIMIT_MS / 1000)
    ops = backend_ops_per_io(int(design["raid"]), float(design["cache_hit_ratio"]))
    floor = need_iops * ops / SPINDLE_IOPS
    return Criterion(
        False, f"{said}: not under {GAVG_LIMIT_MS:.0f} ms.",
        f"Little's law: {in_flight} commands in flight / GAVG = IOPS, so GAVG < 20 ms needs more "
        f"than {need_iops:,.0f} IOPS. With RAID {int(design['raid'])} and "
        f"{design['cache_hit_ratio']:.0%} cache hits each I/O costs {ops:.2f} disk operations, so "
        f"even 100 % busy 15K disks (about {SPINDLE_IOPS:.0f} IOPS each) need {floor:.0f}; leave "
        f"headroom. Add spindles, pick a RAID level with a smaller write penalty, or more cache "
        f"hits. A deeper queue does not help: it moves waiting from KAVG to DAVG.")


def cluster_sizing_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_cluster_design, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="Size the cluster: 40 VMs, GAVG under 20 ms",
                         rows=9, **kwargs)


__all__ = [
    "LAB",
    "STARTING_TEXT",
    "backend_ops_per_io",
    "check_cluster_design",
    "cluster_sizing_checker",
    "parse_design",
    "run_design",
]
