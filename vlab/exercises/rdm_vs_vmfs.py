"""Lab 10's checker: pick VMFS, a virtual-mode RDM or a physical-mode RDM for five situations.

The learner writes one `scenario = choice` line per scenario (choices: vmfs, rdm-virtual,
rdm-physical; common spellings such as vRDM, pRDM, pass-through are accepted). Each scenario
names the facts that decide it, as rows of datasets/rdm_modes.csv; a wrong or missing choice
fails with those rows (what VMFS, virtual RDM and physical RDM do, with the source) as the hint.

Also here: `load_rdm_modes`, the loader of datasets/rdm_modes.csv (one `ModeRow` per feature:
what a VMFS virtual disk, a virtual compatibility RDM and a physical compatibility RDM do).
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


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("cluster-across-boxes",
             "sql01 and sql02, Windows Server 2008 VMs on two different ESX hosts, form a failover "
             "cluster that shares a data disk and a quorum disk.",
             frozenset({"rdm-physical"}), ("cluster_across_boxes", "cluster_in_a_box"),
             "a cluster across boxes shares a physical compatibility RDM"),
    Scenario("need-snapshots",
             "test01's data lives on its own LUN (the array team replicates that LUN), and the "
             "developers take a vSphere snapshot before every test run.",
             frozenset({"rdm-virtual"}), ("snapshots", "disk_modes"),
             "a dedicated LUN that still allows vSphere snapshots is a virtual compatibility RDM"),
    Scenario("san-agent",
             "exch01 runs the array vendor's snapshot agent, which sends SCSI commands to the "
             "array to snapshot and mirror its own LUN.",
             frozenset({"rdm-physical"}), ("san_agents", "scsi_commands"),
             "SAN agents need the LUN's own commands passed through: physical compatibility"),
    Scenario("plain-performance",
             "The DBA of oltp01 (random 8 KB reads and writes) asks for a raw LUN 'because raw "
             "is faster'. Nothing else is special about the VM.",
             frozenset({"vmfs"}), ("performance", "snapshots"),
             "VMware's study found random throughput equal: a virtual disk on VMFS keeps every "
             "feature"),
    Scenario("data-in-place",
             "fs01, a physical file server, becomes a VM; its 1.5 TB data LUN on the SAN must "
             "stay as it is, so the old physical server could mount it again.",
             frozenset({"rdm-virtual", "rdm-physical"}), ("mapping_file", "guest_sees"),
             "either RDM mode maps the existing LUN unchanged; VMFS would need the data copied "
             "into a .vmdk"),
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


def check_choices(work: str | Mapping[str, object]) -> list[Criterion]:
    """One criterion per scenario; the hint of a failed one quotes the deciding table rows."""
    chosen = parse_choices(work)
    rows = modes_by_feature()
    criteria = []
    for s in SCENARIOS:
        raw = chosen.get(s.id, "").strip()
        choice = normalise_choice(raw) if raw and raw != "?" else None
        if choice is None:
            said = "not answered yet" if not raw or raw == "?" else f"'{raw}' is not a choice"
            criteria.append(Criterion(False, f"{s.id}: {said}.",
                                      f"Write vmfs, rdm-virtual or rdm-physical. "
                                      f"{_reasons(s, rows, limit=1)}"))
        elif choice in s.accepted:
            criteria.append(Criterion(True, f"{s.id}: {choice}, right: {s.why}."))
        else:
            criteria.append(Criterion(False, f"{s.id}: {choice} does not fit this situation.",
                                      _reasons(s, rows)))
    return criteria


def disk_choice_checker(**kwargs):
    """The lab's checker widget (kwargs go to CheckerWidget, e.g. store= in tests)."""
    from vlab.widgets.checker import CheckerWidget

    return CheckerWidget(STATEMENT, check_choices, exercise_id=EXERCISE_ID, lab=LAB,
                         work=STARTING_TEXT, title="VMFS or RDM, and which mode?", rows=7,
                         **kwargs)


__all__ = [
    "CHOICES",
    "LAB",
    "SCENARIOS",
    "STARTING_TEXT",
    "ModeRow",
    "Scenario",
    "check_choices",
    "disk_choice_checker",
    "load_rdm_modes",
    "modes_by_feature",
    "normalise_choice",
    "parse_choices",
]
