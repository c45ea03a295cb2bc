"""A VM's folder on a datastore, read back: what each file is, and what looks wrong.

Imitates what an administrator does with `ls` in `/vmfs/volumes/<datastore>/<vm>/` plus the checks
support engineers run by hand: read the .vmx and .vmsd, follow each disk's descriptor chain by
`parentFileNameHint` and CID, and compare against what is on disk.

Findings (codes are stable; `Finding.severity` is "error" or "warning"):

- `malformed_file`      a .vmx/.vmtx/.vmsd or descriptor that does not parse (the reason is given);
- `missing_extent`      a descriptor names an extent file that is not in the folder;
- `missing_disk`        the .vmx or .vmsd names a disk descriptor that is not in the folder;
- `missing_parent`      a delta's parentFileNameHint names a descriptor that is not there;
- `broken_chain`        a delta's parentCID differs from its parent's CID (or sizes differ);
- `orphan_delta`        a delta disk that neither the .vmx, a snapshot nor another disk's chain uses;
- `chain_too_deep`      more than 32 deltas above a base disk (ESXi supports at most 32);
- `vswp_while_off`      a `.vswp` while the VM looks powered off (vmware.log ends with the VMX
                         exiting, or the caller says so): the VM is running elsewhere or crashed;
- `datastore_nearly_full` used space at or above 85 % (vCenter's default red alarm) when the caller
                         gives the datastore's capacity.

Left out: locks (on VMFS they live in the file system, not in files), reading binary extents, and
files of other disks in other folders (a parent outside the folder is reported as missing).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vlab.formats.dictfile import DictFile, read_dictfile
from vlab.formats.vmdk import VmdkDescriptor, chain_problem, read_descriptor
from vlab.formats.vmsd import snapshot_database

MAX_CHAIN_DEPTH = 32  # ESXi: at most 32 snapshots (delta disks) in one chain
NEARLY_FULL_FRACTION = 0.85  # vCenter's default "Datastore usage on disk" alarm turns red at 85 %

# kind -> (what the file is for, the key of its card in datasets/datastore_files.csv, which
# `vlab explain KEY` shows; "" = no card)
KINDS: dict[str, tuple[str, str]] = {
    "vmx": ("virtual machine configuration", ".vmx"),
    "vmtx": ("template configuration (a .vmx renamed when the VM became a template)", ".vmtx"),
    "vmxf": ("extended configuration (team / vCenter metadata)", ".vmxf"),
    "vmsd": ("snapshot database (tree of snapshots and the disk each froze)", ".vmsd"),
    "vmsn": ("snapshot state (device state and config at the snapshot)", ".vmsn"),
    "vmem": ("memory image (a memory snapshot or suspended memory)", ".vmem"),
    "vmss": ("suspended state", ".vmss"),
    "nvram": ("BIOS/EFI settings", ".nvram"),
    "disk-descriptor": ("virtual disk descriptor (text: size, CID, extents)", ".vmdk"),
    "delta-descriptor": ("snapshot delta disk descriptor (text: parentCID, parent hint)", "-00000#.vmdk"),
    "flat-extent": ("disk data, preallocated or thin (-flat.vmdk)", "-flat.vmdk"),
    "delta-extent": ("snapshot delta data: writes since the snapshot", "-00000#.vmdk"),
    "sparse-extent": ("hosted sparse disk data (Workstation/Server)", ".vmdk"),
    "rdm-mapping": ("raw device mapping file (points at a LUN)", "-rdm.vmdk"),
    "ctk": ("changed block tracking map (backup)", "-ctk.vmdk"),
    "vswp": ("VM swap file: configured memory minus reservation, while running", ".vswp"),
    "vmx-vswp": ("swap for the VMX process's own overhead memory, while running", "vmx-*.vswp"),
    "log": ("VM log (rotated at power-on)", ".log"),
    "hlog": ("migration bookkeeping (vMotion / Storage vMotion)", ".hlog"),
    "vmtm": ("team configuration (VMware Workstation teams; ESXi never writes it)", ".vmtm"),
    "lck": ("lock file (hosted products; VMFS keeps locks on disk)", ".lck"),
    "scoreboard": ("VMX statistics scoreboard", ""),
    "aux-xml": ("snapshot manifest (legacy)", "-aux.xml"),
    "other": ("not a file ESX writes", ""),
}
TEXT_KINDS = frozenset({"vmx", "vmtx", "vmxf", "vmsd", "disk-descriptor", "delta-descriptor", "log",
                        "vmtm"})

_DELTA_DESC = re.compile(r"-\d{6}\.vmdk$", re.I)
_DELTA_EXTENT = re.compile(r"-\d{6}-(delta|sesparse)\.vmdk$", re.I)
_HOSTED_EXTENT = re.compile(r"-(s|f)\d{3}\.vmdk$", re.I)
_LOG = re.compile(r"^vmware(-\d+)?\.log$", re.I)
_VMX_SWAP = re.compile(r"^vmx-.*\.vswp$", re.I)


def classify_file(name: str) -> str:
    """The kind of a file in a VM folder, from its name alone (see KINDS)."""
    lower = name.lower()
    if _VMX_SWAP.match(lower):
        return "vmx-vswp"
    if _LOG.match(lower):
        return "log"
    if lower.endswith(".vmdk"):
        if lower.endswith("-flat.vmdk"):
            return "flat-extent"
        if _DELTA_EXTENT.search(lower) or lower.endswith(("-delta.vmdk", "-sesparse.vmdk")):
            return "delta-extent"
        if lower.endswith("-ctk.vmdk"):
            return "ctk"
        if lower.endswith(("-rdm.vmdk", "-rdmp.vmdk")):
            return "rdm-mapping"
        if _HOSTED_EXTENT.search(lower):
            return "sparse-extent"
        if _DELTA_DESC.search(lower):
            return "delta-descriptor"
        return "disk-descriptor"
    suffix = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if suffix in {"vmx", "vmtx", "vmxf", "vmsd", "vmsn", "vmem", "vmss", "nvram", "vswp", "hlog",
                  "vmtm", "lck", "scoreboard"}:
        return suffix
    if lower.endswith(".log"):
        return "log"
    if lower.endswith("-aux.xml"):
        return "aux-xml"
    return "other"


def role_of(kind: str) -> str:
    """What a file of this kind is for, in a few words."""
    return KINDS.get(kind, KINDS["other"])[0]


def card_key(name: str) -> str:
    """The datastore_files.csv key `vlab explain` has a card for ("" = none), e.g. vmware-#.log."""
    kind = classify_file(name)
    lower = name.lower()
    if kind == "log" and re.match(r"^vmware-\d+\.log$", lower):
        return "vmware-#.log"
    if kind == "rdm-mapping" and lower.endswith("-rdmp.vmdk"):
        return "-rdmp.vmdk"
    return KINDS[kind][1]


@dataclass
class FolderFile:
    """One file: its name, kind (see KINDS), role in words, size in bytes."""

    name: str
    kind: str
    role: str
    size_bytes: int
    file_type: str  # the key of its card in the knowledge (`vlab explain <file_type>`), or ""


@dataclass
class Finding:
    """An anomaly: a stable `code`, "error" or "warning", the file concerned, and why."""

    code: str
    severity: str
    file: str | None
    message: str


@dataclass
class FolderReport:
    path: str
    files: list[FolderFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    total_bytes: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "total_bytes": self.total_bytes,
            "files": [asdict(f) for f in self.files],
            "findings": [asdict(f) for f in self.findings],
        }


class _Folder:
    """Reads the folder once and runs the checks; keeps parse results by file name."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder = folder
        self.names = names
        self.lower = {n.lower(): n for n in names}
        self.findings: list[Finding] = []
        self.dicts: dict[str, DictFile] = {}
        self.descs: dict[str, VmdkDescriptor] = {}

    def add(self, code: str, severity: str, file: str | None, message: str) -> None:
        self.findings.append(Finding(code, severity, file, message))

    def find(self, name: str | None) -> str | None:
        """A referenced file name (maybe a /vmfs/volumes path) -> the name in this folder, if present."""
        if not name:
            return None
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        return self.lower.get(base.lower())

    def parse_all(self) -> None:
        for name in self.names:
            kind = classify_file(name)
            path = self.folder / name
            try:
                if kind in ("vmx", "vmtx", "vmsd"):
                    if path.stat().st_size == 0:
                        self.dicts[name] = DictFile()  # a new VM's .vmsd is empty
                    else:
                        d = read_dictfile(path)
                        if kind == "vmsd":
                            snapshot_database(d, name)  # uids and times must be numbers
                        self.dicts[name] = d
                elif kind in ("disk-descriptor", "delta-descriptor"):
                    self.descs[name] = read_descriptor(path)
            except (ValueError, OSError) as err:
                self.add("malformed_file", "error", name, f"{name} cannot be read: {err}")

    def config(self) -> tuple[str, DictFile] | None:
        for name, d in self.dicts.items():
            if classify_file(name) in ("vmx", "vmtx"):
                return name, d
        return None

    def referenced_disks(self) -> set[str]:
        """Descriptors the .vmx (current disks) and the .vmsd (frozen disks) name."""
        refs: set[str] = set()
        for name, d in self.dicts.items():
            kind = classify_file(name)
            for key, value in d.items():
                k = key.lower()
                wanted = (kind in ("vmx", "vmtx") and k.endswith(".filename")
                          and value.lower().endswith(".vmdk")) or (
                    kind == "vmsd" and re.match(r"snapshot\d+\.disk\d+\.filename$", k))
                if not wanted:
                    continue
                found = self.find(value)
                if found:
                    refs.add(found)
                elif "/" in value:
                    self.add("missing_disk", "warning", name,
                             f"{name} names disk '{value}' ({key}), not in this folder: check that "
                             f"it exists on the datastore the path names")
                else:
                    self.add("missing_disk", "error", name,
                             f"{name} names disk '{value}' ({key}) but it is not in the folder")
        return refs

    def check_extents(self) -> None:
        for name, d in self.descs.items():
            for e in d.extents:
                if e.filename and not self.find(e.filename) and e.type not in ("VMFSRDM", "VMFSRAW"):
                    self.add("missing_extent", "error", name,
                             f"{name} points to extent '{e.filename}', which is missing: the disk "
                             f"cannot be opened")

    def parent_of(self, name: str) -> str | None:
        d = self.descs[name]
        if not d.has_parent:
            return None
        return self.find(d.parent_filename_hint)

    def check_chains(self) -> dict[str, int]:
        """Link checks for every delta; returns each descriptor's depth (0 = base)."""
        for name, d in self.descs.items():
            if not d.has_parent:
                continue
            parent = self.parent_of(name)
            if parent is None:
                self.add("missing_parent", "error", name,
                         f"{name} is a delta whose parent '{d.parent_filename_hint}' is missing")
            elif parent in self.descs:
                problem = chain_problem(d, self.descs[parent])
                if problem:
                    self.add("broken_chain", "error", name, f"{name} -> {parent}: {problem}")
        depths: dict[str, int] = {}
        for name in self.descs:
            depth, seen, cur = 0, {name}, name
            while (parent := self.parent_of(cur)) and parent in self.descs and parent not in seen:
                seen.add(parent)
                depth, cur = depth + 1, parent
            depths[name] = depth
        return depths

    def check_orphans(self, refs: set[str]) -> None:
        used: set[str] = set()
        for name in refs:
            cur: str | None = name
            while cur and cur in self.descs and cur not in used:
                used.add(cur)
                cur = self.parent_of(cur)
            if cur:
                used.add(cur)
        for name, d in self.descs.items():
            if d.has_parent and name not in used and self.config() is not None:
                self.add("orphan_delta", "warning", name,
                         f"{name} is a delta disk that no snapshot, no disk of the .vmx and no "
                         f"other delta uses: left over from a failed consolidation? It wastes space")

    def check_swap(self, powered_on: bool | None) -> None:
        swaps = [n for n in self.names if classify_file(n) == "vswp"]
        if not swaps:
            return
        if powered_on is None:
            powered_on = not self._log_says_exited()
            if powered_on:
                return
            why = "vmware.log ends with the VMX process exiting"
        elif powered_on:
            return
        else:
            why = "the VM is said to be powered off"
        for name in swaps:
            self.add("vswp_while_off", "warning", name,
                     f"{name} exists but {why}: ESX deletes the .vswp at power-off, so the VM is "
                     f"running on another host, or it crashed and left the file behind")

    def _log_says_exited(self) -> bool:
        log = self.lower.get("vmware.log")
        if not log:
            return False
        try:
            with (self.folder / log).open("rb") as f:
                f.seek(max(0, (self.folder / log).stat().st_size - 4096))
                tail = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return False
        return bool(tail) and "VMX exit" in tail[-1]


def inspect_folder(
    path: str | Path,
    capacity_bytes: int | None = None,
    free_bytes: int | None = None,
    powered_on: bool | None = None,
) -> FolderReport:
    """List a VM folder (or one file) with each file's role and size, and the anomalies found.

    `capacity_bytes` / `free_bytes`: the datastore's, to check how full it is (free defaults to
    capacity minus this folder's files). `powered_on`: what the caller knows of the power state;
    None = guess from vmware.log. Never raises for bad file content: that becomes a finding.
    Raises ValueError if `path` does not exist.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p} does not exist")
    single = p.is_file()
    folder = p.parent if single else p
    try:
        names = sorted(x.name for x in folder.iterdir() if x.is_file())
    except OSError as err:
        raise ValueError(f"cannot list {folder}: {err}") from None
    f = _Folder(folder, names)
    f.parse_all()
    refs = f.referenced_disks()
    f.check_extents()
    depths = f.check_chains()
    for name, depth in depths.items():
        if depth > MAX_CHAIN_DEPTH:
            f.add("chain_too_deep", "warning", name,
                  f"{name} sits {depth} deltas above its base disk; ESXi supports at most "
                  f"{MAX_CHAIN_DEPTH}, and every level slows reads")
    f.check_orphans(refs)
    f.check_swap(powered_on)

    report = FolderReport(path=str(p))
    for name in names:
        try:
            size = (folder / name).stat().st_size
        except OSError:
            size = 0
        kind = classify_file(name)
        report.files.append(FolderFile(name, kind, role_of(kind), size, card_key(name)))
    findings = f.findings
    if single:
        report.files = [x for x in report.files if x.name == p.name]
        findings = [x for x in findings if x.file == p.name]
    report.total_bytes = sum(x.size_bytes for x in report.files)
    if capacity_bytes is not None:
        free = capacity_bytes - report.total_bytes if free_bytes is None else free_bytes
        used = capacity_bytes - free
        if capacity_bytes > 0 and used >= NEARLY_FULL_FRACTION * capacity_bytes:
            findings.append(Finding(
                "datastore_nearly_full", "warning", None,
                f"datastore {used / capacity_bytes:.0%} used ({free} bytes free): snapshots and "
                f"thin disks that grow will fail, and VMs will not power on when a .vswp cannot "
                f"be created"))
    report.findings = findings
    return report


__all__ = [
    "KINDS",
    "MAX_CHAIN_DEPTH",
    "NEARLY_FULL_FRACTION",
    "TEXT_KINDS",
    "FolderFile",
    "FolderReport",
    "Finding",
    "card_key",
    "classify_file",
    "inspect_folder",
    "role_of",
]
