"""Lab 10's checker: pick VMFS, a virtual-mode RDM or a physical-mode RDM for five situations.

The learner writes one `scenario = choice` line per scenario (choices: vmfs, rdm-virtual,
rdm-physical; common spellings such as vRDM, pRDM, pass-through are accepted). Each scenario
names the facts that decide it, as rows of datasets/rdm_modes.csv; a wrong or missing choice
fails with those rows (what VMFS, virtual RDM and physical RDM do, with the source) as the hint.

Hints are graduated (vlab.learn.checks.Criterion): the idea that decides a scenario first, then the
deciding rows of the table with their sources, and the choice itself only from the third failed check.

Also here: `load_rdm_modes`, the loader of datasets/rdm_modes.csv (one `ModeRow` per feature:
what a VMFS virtual disk, a virtual compatibility RDM and a physical compatibility RDM do), and the
lab's two your-turn cells (`YOUR_TURNS`): map fs02's LUN so it can still be cloned (the check reads the
learner's descriptor back with vlab's VMDK parser and looks the disk up in the modes table), and make
VMFS's extra CPU show at 32 KB (the check runs `vlab.models.storage.rdm.compare`).
"""
from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vlab.knowledge.paths import datasets_dir
from vlab.learn.checks import Criterion

LAB = "10_rdm_vs_vmfs"
EXERCISE_ID = "pick-the-disk"
CHOICES = ("vmfs", "rdm-virtual", "rdm-physical")
ALIASES = {
    "vmfs": "vmfs", "vmdk": "vmfs", "virtual disk": "vmfs", "vmfs vmdk": "vmfs",
    "rdm-virtual": "rdm-virtual", "rdm virtual": "rdm-virtual", "virtual rdm": "rdm-virtual",
    "vrdm": "rdm-virtual", "virtual": "rdm-virtual", "rdm-v": "rdm-virtual",
    "virtual compatibility": "rdm-virtual",
    "rdm-physical": "rdm-physical", "rdm physical": "rdm-physical", "physical rdm": "rdm-physical",
    "prdm": "rdm-physical", "physical": "rdm-physical", "rdm-p": "rdm-physical",
    "pass-through": "rdm-physical", "passthrough": "rdm-physical",
    "physical compatibility": "rdm-physical",
}
COLUMNS = ("feature", "question", "vmfs_vmdk", "rdm_virtual", "rdm_physical", "source")


@dataclass(frozen=True)
class ModeRow:
    """One feature of datasets/rdm_modes.csv: what each kind of disk does, and the source."""

    feature: str
    question: str
    vmfs_vmdk: str
    rdm_virtual: str
    rdm_physical: str
    source: str

    def answer(self, choice: str) -> str:
        """This row's entry for a choice ("vmfs", "rdm-virtual" or "rdm-physical")."""
        return {"vmfs": self.vmfs_vmdk, "rdm-virtual": self.rdm_virtual,
                "rdm-physical": self.rdm_physical}[choice]


def load_rdm_modes(path: str | Path | None = None) -> tuple[ModeRow, ...]:
    """The rows of datasets/rdm_modes.csv, checked: all columns present, none empty."""
    path = Path(path) if path is not None else datasets_dir() / "rdm_modes.csv"
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for number, record in enumerate(reader, start=2):
            empty = [c for c in COLUMNS if not (record.get(c) or "").strip()]
            if empty:
                raise ValueError(f"{path.name}, row {number}: empty {', '.join(empty)}")
            rows.append(ModeRow(**{c: record[c].strip() for c in COLUMNS}))
    if not rows:
        raise ValueError(f"{path.name} has no rows")
    features = [r.feature for r in rows]
    if len(set(features)) != len(features):
        raise ValueError(f"{path.name}: a feature appears twice")
    return tuple(rows)


def modes_by_feature(rows: tuple[ModeRow, ...] | None = None) -> dict[str, ModeRow]:
    return {r.feature: r for r in (rows if rows is not None else load_rdm_modes())}


@dataclass(frozen=True)
class Scenario:
    """A situation, the acceptable choices, and the dataset features that decide it."""

    id: str
    text: str
    accepted: frozenset[str]
    features: tuple[str, ...]
    why: str  # one sentence for the passed message
    idea: str = ""  # the concept that decides it, without naming the choice (the first hint)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("cluster-across-boxes",
             "sql01 and sql02, Windows Server 2008 VMs on two different ESX hosts, form a failover "
             "cluster that shares a data disk and a quorum disk.",
             frozenset({"rdm-physical"}), ("cluster_across_boxes", "cluster_in_a_box"),
             "a cluster across boxes shares a physical compatibility RDM",
             "A failover cluster's shared disk must carry the cluster software's SCSI reservations to "
             "the LUN itself, from VMs on two different hosts."),
    Scenario("need-snapshots",
             "test01's data lives on its own LUN (the array team replicates that LUN), and the "
             "developers take a vSphere snapshot before every test run.",
             frozenset({"rdm-virtual"}), ("snapshots", "disk_modes"),
             "a dedicated LUN that still allows vSphere snapshots is a virtual compatibility RDM",
             "Two needs at once: the data on a LUN of its own (the array replicates it), and vSphere "
             "snapshots of that disk. Which disks keep VMFS's snapshots?"),
    Scenario("san-agent",
             "exch01 runs the array vendor's snapshot agent, which sends SCSI commands to the "
             "array to snapshot and mirror its own LUN.",
             frozenset({"rdm-physical"}), ("san_agents", "scsi_commands"),
             "SAN agents need the LUN's own commands passed through: physical compatibility",
             "The agent talks to the array in SCSI commands of its own: which disk lets commands other "
             "than reads and writes reach the LUN?"),
    Scenario("plain-performance",
             "The DBA of oltp01 (random 8 KB reads and writes) asks for a raw LUN 'because raw "
             "is faster'. Nothing else is special about the VM.",
             frozenset({"vmfs"}), ("performance", "snapshots"),
             "VMware's study found random throughput equal: a virtual disk on VMFS keeps every "
             "feature",
             "Is 'raw is faster' what VMware's study found for random I/O? An RDM is worth its lost "
             "features only for what nothing else can do."),
    Scenario("data-in-place",
             "fs01, a physical file server, becomes a VM; its 1.5 TB data LUN on the SAN must "
             "stay as it is, so the old physical server could mount it again.",
             frozenset({"rdm-virtual", "rdm-physical"}), ("mapping_file", "guest_sees"),
             "either RDM mode maps the existing LUN unchanged; VMFS would need the data copied "
             "into a .vmdk",
             "The data must stay on its LUN, unchanged: which disks leave the data where it is, and "
             "which copy it into a file on VMFS?"),
)

STARTING_TEXT = "# One line per scenario: vmfs, rdm-virtual or rdm-physical.\n" + "".join(
    f"{s.id} = ?\n" for s in SCENARIOS)

STATEMENT = (
    "For each situation, choose the disk: a virtual disk on **VMFS**, an RDM in **virtual** "
    "compatibility mode (`rdm-virtual`) or in **physical** compatibility mode "
    "(`rdm-physical`).\n\n"
    + "\n".join(f"- `{s.id}`: {s.text}" for s in SCENARIOS)
    + "\n\nReplace each `?` and press **Check**; the hints quote the table above."
)


def normalise_choice(text: str) -> str | None:
    """A choice in any accepted spelling -> "vmfs", "rdm-virtual" or "rdm-physical"; None if unknown."""
    key = " ".join(text.strip().strip("'\"").lower().replace("_", " ").split())
    return ALIASES.get(key) or ALIASES.get(key.replace(" ", "-"))


def parse_choices(work: str | Mapping[str, object]) -> dict[str, str]:
    """`scenario = choice` lines (or a mapping) -> {scenario: raw choice text}.

    ValueError for a line that is not `name = value`, an unknown scenario, or a repeated one.
    Unanswered (`?`) and unknown choices are kept: the check reports them per scenario.
    """
    ids = [s.id for s in SCENARIOS]
    if isinstance(work, Mapping):
        pairs = [(str(k).strip(), str(v), f"'{k}'") for k, v in work.items()]
    elif isinstance(work, str):
        pairs = []
        for number, raw in enumerate(work.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            key, sep, value = line.replace(":", "=", 1).partition("=")
            if not sep or not key.strip():
                raise ValueError(f"line {number} ('{raw.strip()}') is not 'scenario = choice'")
            pairs.append((key.strip(), value.strip(), f"line {number}"))
    else:
        raise ValueError("write one 'scenario = choice' line per scenario (or give a dict)")
    chosen: dict[str, str] = {}
    for key, value, where in pairs:
        if key not in ids:
            raise ValueError(f"{where}: unknown scenario '{key}'; the scenarios are {', '.join(ids)}")
        if key in chosen:
            raise ValueError(f"{where}: '{key}' is answered twice; keep one line")
        chosen[key] = value
    return chosen


def _reasons(scenario: Scenario, rows: dict[str, ModeRow], limit: int | None = None) -> str:
    parts = []
    for feature in scenario.features[:limit]:
        r = rows[feature]
        parts.append(f"{r.question}: VMFS {r.vmfs_vmdk}; RDM virtual {r.rdm_virtual}; "
                      f"RDM physical {r.rdm_physical} ({r.source.split(';')[0].strip()}).")
    return " ".join(parts)


def _answer(scenario: Scenario) -> str:
    first, *others = sorted(scenario.accepted, key=CHOICES.index)
    also = f" (or {' or '.join(others)})" if others else ""
    return f"{scenario.id} = {first}{also}: {scenario.why}."


def check_choices(work: str | Mapping[str, object]) -> list[Criterion]:
    """One criterion per scenario. Graduated hints: the deciding idea (or the table row to read), then
    the deciding table rows with their sources, and the choice itself only from the third failed check."""
    chosen = parse_choices(work)
    rows = modes_by_feature()
    criteria = []
    for s in SCENARIOS:
        raw = chosen.get(s.id, "").strip()
        choice = normalise_choice(raw) if raw and raw != "?" else None
        if choice is None:
            said = "not answered yet" if not raw or raw == "?" else f"'{raw}' is not a choice"
            first = rows[s.features[0]].question
            criteria.append(Criterion(
                False, f"{s.id}: {said}.",
                hint=f"Write vmfs, rdm-virtual or rdm-physical. The row of the table above that decides "
                     f"it: '{first}'.",
                direction=f"The rows of the table that decide it: {_reasons(s, rows)}",
                answer=_answer(s)))
        elif choice in s.accepted:
            criteria.append(Criterion(True, f"{s.id}: {choice}, right: {s.why}."))
        else:
            criteria.append(Criterion(
                False, f"{s.id}: {choice} does not fit this situation.",
                hint=s.idea,
                direction=f"The rows of the table that decide it: {_reasons(s, rows)}",
                answer=_answer(s)))
    return criteria


def disk_choice_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_choices, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="VMFS or RDM, and which mode?", rows=7,
                         **kwargs)


# --------------------------------------------------------------------------- your turn
# Two short cells of lab 10. fs02: the learner builds a disk descriptor; the check writes it out, reads
# it back with vlab's VMDK parser and looks its kind of disk up in datasets/rdm_modes.csv. 32 KB: the
# learner changes the test bed; the check solves vlab.models.storage.rdm.compare on it.
FS02_LUN_GIB = 750
_FS02_LINE = 'fs02_data = mapping_descriptor("virtual", disk="fs02_1", lun_gb=750)'
DISK_KIND = {"vmfs": "vmfs", "vmfsRawDeviceMap": "rdm-virtual", "vmfsPassthroughRawDeviceMap": "rdm-physical"}
SEQ32_GIVEN = {"pattern": "sequential", "block_kb": 32}
SEQ32_KEYS = ("pattern", "block_kb", "outstanding", "link_gbps", "spindles")
SEQ32_MIN_GAP = 0.03  # RDM ahead by at least 3 %: most of VMFS's 8 % extra CPU per sequential I/O
_SEQ32_LINE = 'seq32["link_gbps"] = 16'
STATION_NAMES = {"cpu": "CPU", "wire": "Fibre Channel wire", "disk": "disks"}


def _descriptor(work: object):
    from vlab.formats.vmdk import VmdkDescriptor, parse_descriptor

    if isinstance(work, VmdkDescriptor):
        work = work.to_text()
    if not isinstance(work, str):
        raise TypeError(f"expected a disk descriptor (VmdkDescriptor or its text), got {type(work).__name__}")
    return parse_descriptor(work, source="fs02_data")


def check_fs02_disk(fs02_data: object) -> list[Criterion]:
    """fs02's data disk: the data stays on its 750 GiB LUN, and fs02 can still be cloned into a template."""
    d = _descriptor(fs02_data)
    kind = DISK_KIND.get(d.create_type)
    if kind is None:
        raise ValueError(f"createType '{d.create_type}' is not one of this lab's disks "
                         f"({', '.join(DISK_KIND)})")
    rows = modes_by_feature()
    where, clone = rows["mapping_file"].answer(kind), rows["clone_template"].answer(kind)
    in_place = kind != "vmfs" and all(e.type == "VMFSRDM" for e in d.extents)
    lun_sectors = FS02_LUN_GIB * 2**30 // 512
    whole = d.capacity_sectors == lun_sectors
    cloneable = not clone.lower().startswith("no")
    return [
        Criterion(in_place, f"createType {d.create_type}: {where}.",
                  hint="A virtual disk on VMFS holds the data in a -flat.vmdk file, so converting fs02 "
                       "would copy the LUN into it. Only a mapping file leaves the data where it is.",
                  direction="Replace the virtual disk by a raw device mapping of fs02's LUN, built the way "
                            "the lab's first cell builds sql01's.",
                  answer=_FS02_LINE),
        Criterion(whole, f"the disk is {d.capacity_sectors:,} sectors ({d.capacity_bytes / 2**30:g} GiB); "
                         f"fs02's LUN is {FS02_LUN_GIB} GiB ({lun_sectors:,} sectors).",
                  hint="A mapping stands for the whole LUN: its extent gives the LUN's size in 512-byte "
                       "sectors, and the guest sees a disk of exactly that size.",
                  direction="Give the mapping the LUN's full size in GiB (lun_gb).",
                  answer=_FS02_LINE),
        Criterion(cloneable, f"cloning fs02 into a template: {clone}.",
                  hint="Which compatibility mode keeps VMFS's features, snapshots and cloning among them, "
                       "and which hands the guest the LUN itself?",
                  direction="Keep the mapping and change its compatibility mode: to the one in which the "
                            "VMkernel sends only reads and writes to the LUN.",
                  answer=_FS02_LINE),
    ]


def check_gap_at_32kb(seq32: object) -> list[Criterion]:
    """Solve the VMFS/RDM model on the learner's test bed: does VMFS's extra CPU show at 32 KB?"""
    from vlab.models.storage.rdm import compare

    if not isinstance(seq32, Mapping):
        raise TypeError(f"expected the dict seq32, got {type(seq32).__name__}")
    unknown = [k for k in seq32 if k not in SEQ32_KEYS]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a setting of this test bed; it has {', '.join(SEQ32_KEYS)}")
    for key, high in (("outstanding", 256), ("spindles", 256), ("link_gbps", 128)):
        value = seq32.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= high:
            raise ValueError(f"{key} must be a number above 0 and at most {high}, got {value!r}")
    changed = [f"{k} = {seq32.get(k)!r}" for k, v in SEQ32_GIVEN.items() if seq32.get(k) != v]
    if changed:
        return [Criterion(
            False, f"The workload is the notes' claim, 32 KB sequential I/O: {', '.join(changed)}.",
            hint="The question is about the notes' case: sequential I/O in 32 KB blocks. Keep it, and "
                 "change the test bed it runs on.",
            direction="Put pattern and block_kb back as the starter had them; change link_gbps, spindles "
                      "or outstanding.",
            answer=f'keep pattern="sequential" and block_kb=32, and add {_SEQ32_LINE}')]
    c = compare(**seq32)
    gap = c.throughput_gap
    shows = gap >= SEQ32_MIN_GAP
    neck = STATION_NAMES.get(c.vmfs_bottleneck, c.vmfs_bottleneck)
    said = (f"RDM {gap * 100:+.2f} % over VMFS at 32 KB sequential ({c.rdm_mbps:.0f} against "
            f"{c.vmfs_mbps:.0f} MB/s); the busiest station is the {neck}.")
    if shows:
        return [Criterion(True, said + " VMFS's extra CPU now costs throughput: the gap follows the "
                                       "bottleneck, not the block size.")]
    tried = ("More spindles or more I/Os in flight did not help: for sequential I/O the array streams from "
             "its prefetch cache, so the disks are not what caps 32 KB blocks. "
             if c.vmfs_bottleneck != "cpu" and (seq32.get("spindles", 16) > 16 or seq32.get("outstanding", 16) > 16)
             else "")
    return [Criterion(
        False, said,
        hint=tried + "VMFS's extra CPU per I/O costs throughput only where the CPU is the busiest station. "
                     "At 32 KB on this test bed another station caps VMFS and RDM alike.",
        direction=f"Make the station the model names as the bottleneck (the {neck}) faster, until "
                  "the CPU is the busiest station at 32 KB.",
        answer=f"{_SEQ32_LINE} (16 Gb/s Fibre Channel: the wire stops capping 32 KB blocks, the CPU becomes "
               "the bottleneck, and RDM leads by about 5 %).")]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "fs02-clone",
            "map fs02's 750 GiB data LUN so the data stays in place and fs02 can still be cloned",
            check_fs02_disk,
            starter=(
                "from vlab.formats.vmdk import Extent, VmdkDescriptor\n"
                "\n"
                "# the converter's default: copy the LUN's 750 GiB into a new virtual disk on VMFS\n"
                'fs02_data = VmdkDescriptor(create_type="vmfs",\n'
                '                           extents=[Extent("RW", 750 * 2**21, "VMFS", "fs02_1-flat.vmdk")])\n'
                "# Your change: keep the data on its LUN, and keep cloning into a template possible\n"
            ),
        ),
        YourTurn(
            LAB, "gap-at-32kb",
            "change the test bed so that VMFS's extra CPU costs throughput at 32 KB sequential",
            check_gap_at_32kb,
            starter=(
                "# the model's test bed: 16 I/Os in flight, a 4 Gb/s link, 16 spindles, the 2008 CPU\n"
                'seq32 = dict(pattern="sequential", block_kb=32, outstanding=16, link_gbps=4.0, spindles=16)\n'
                "# Your change: one setting of the test bed, so that RDM gets ahead at 32 KB\n"
            ),
        ),
    )


YOUR_TURNS = _turns()

__all__ = [
    "CHOICES",
    "LAB",
    "SCENARIOS",
    "STARTING_TEXT",
    "YOUR_TURNS",
    "ModeRow",
    "Scenario",
    "check_choices",
    "check_fs02_disk",
    "check_gap_at_32kb",
    "disk_choice_checker",
    "load_rdm_modes",
    "modes_by_feature",
    "normalise_choice",
    "parse_choices",
]
