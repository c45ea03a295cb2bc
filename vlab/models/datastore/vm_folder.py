"""A VM's folder on a datastore, read back: what each file is, and what looks wrong.

Imitates what an administrator does with `ls` in `/vmfs/volumes/<datastore>/<vm>/` plus the checks
support engineers run by hand: read the .vmx and .vmsd, follow each disk's descriptor chain by
`parentFileNameHint` and CID, and compare against what is on disk.

Findings (codes are stable; `Finding.severity` is "error" or "warning"):

- `malformed_file`      a .vmx/.vmtx/.vmsd or descriptor that does not parse (the reason is given);
- `unreadable_file`     such a file exists but may not be read (permission denied): not checked;
- `empty_config`        a .vmx/.vmtx with no settings (0 bytes, or only comments and blank lines):
                         ESX cannot register the VM or power it on;
- `missing_extent`      a descriptor names extent files that are not in the folder (one finding
                         per descriptor, naming every missing extent);
- `orphan_extent`       disk data (-flat, -delta, -sesparse, -s001/-f001 .vmdk) that no descriptor in
                         the folder names: the disk cannot be attached until a descriptor is
                         recreated (VMware KB 1002511; KB 1026353 for delta disks), or it is waste;
- `missing_disk`        the .vmx or .vmsd names disk descriptors that are not in the folder;
- `missing_parent`      a delta's parentFileNameHint names a descriptor that is not there;
- `broken_chain`        a delta's parentCID differs from its parent's CID (or sizes differ);
- `orphan_delta`        a delta disk that neither the .vmx, a snapshot nor another disk's chain uses;
- `chain_too_deep`      more than 32 deltas above a base disk (ESXi supports at most 32);
- `vswp_while_off`      a `.vswp` while the VM looks powered off (vmware.log ends with the VMX
                         exiting, or the caller says so): the VM is running elsewhere or crashed;
- `datastore_nearly_full` used space at or above 85 % (vCenter's default red alarm) when the caller
                         gives the datastore's capacity.

Many findings of one code (say 20,000 stray extents) are grouped: the first
`MAX_FINDINGS_PER_CODE - 1` stay, and one more finding (file None, `count` = how many) stands for
the rest, so the report stays readable; `inspect_folder(..., max_per_code=None)` keeps them all.

Left out: locks (on VMFS they live in the file system, not in files), reading binary extents, and
files of other disks in other folders (a parent outside the folder is reported as missing).
"""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vlab.formats.dictfile import DictFile, read_dictfile
from vlab.formats.vmdk import VmdkDescriptor, chain_problem, read_descriptor
from vlab.formats.vmsd import snapshot_database

MAX_CHAIN_DEPTH = 32  # ESXi: at most 32 snapshots (delta disks) in one chain
NEARLY_FULL_FRACTION = 0.85  # vCenter's default "Datastore usage on disk" alarm turns red at 85 %
MAX_FINDINGS_PER_CODE = 10  # more findings of one code than this are grouped (see the docstring)

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
    # hosted split disks (createType twoGbMaxExtentSparse / twoGbMaxExtentFlat): the descriptor
    # names one extent per 2 GB piece. datasets/datastore_files.csv has no card for these yet.
    "sparse-extent": ("hosted sparse disk data, one piece of a split disk (Workstation/Server)", ""),
    "split-flat-extent": ("hosted preallocated disk data, one piece of a split disk "
                          "(Workstation/Server)", ""),
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
_HOSTED_SPARSE = re.compile(r"-s\d{3}\.vmdk$", re.I)
_HOSTED_FLAT = re.compile(r"-f\d{3}\.vmdk$", re.I)
# the part of an extent's name that its descriptor does not have: web-flat.vmdk -> web.vmdk
_EXTENT_SUFFIX = re.compile(r"-(flat|delta|sesparse|s\d{3}|f\d{3})(\.vmdk)$", re.I)
EXTENT_KINDS = frozenset({"flat-extent", "delta-extent", "sparse-extent", "split-flat-extent"})
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
        if _HOSTED_SPARSE.search(lower):
            return "sparse-extent"
        if _HOSTED_FLAT.search(lower):
            return "split-flat-extent"
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
    """An anomaly: a stable `code`, "error" or "warning", the file concerned, and why.

    `count` > 1 only for a finding that stands for several files with the same problem (its file
    is then None)."""

    code: str
    severity: str
    file: str | None
    message: str
    count: int = 1


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


def _names(items: list[str], shown: int = 3) -> str:
    """'a', 'b', 'c' and 4 more."""
    quoted = ", ".join(f"'{x}'" for x in items[:shown])
    return quoted + (f" and {len(items) - shown} more" if len(items) > shown else "")


def descriptor_name_for(extent: str) -> str:
    """The descriptor an extent's name belongs to: web-flat.vmdk -> web.vmdk,
    web-000001-sesparse.vmdk -> web-000001.vmdk, disk-s003.vmdk -> disk.vmdk."""
    return _EXTENT_SUFFIX.sub(r"\2", extent)


def _has_settings(d: DictFile) -> bool:
    """Whether a .vmx holds any setting (`.encoding` alone says how to read the file, nothing more)."""
    return any(k.lower() != ".encoding" for k in d.keys())


class _Folder:
    """Reads the folder once and runs the checks; keeps parse results by file name."""

    def __init__(self, folder: Path, sizes: dict[str, int]) -> None:
        self.folder = folder
        self.names = sorted(sizes)
        self.sizes = sizes
        self.kinds = {n: classify_file(n) for n in self.names}
        self.lower = {n.lower(): n for n in self.names}
        self.findings: list[Finding] = []
        self.dicts: dict[str, DictFile] = {}
        self.descs: dict[str, VmdkDescriptor] = {}
        self.unparsed: set[str] = set()  # descriptors that were malformed or unreadable
        self._config: tuple[str, DictFile] | None = None
        self._parents: dict[str, str | None] = {}

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
            kind = self.kinds[name]
            if kind not in ("vmx", "vmtx", "vmsd", "disk-descriptor", "delta-descriptor"):
                continue
            path = self.folder / name
            try:
                if kind in ("vmx", "vmtx", "vmsd"):
                    if self.sizes[name] == 0:
                        d = DictFile()  # a new VM's .vmsd is empty
                    else:
                        d = read_dictfile(path)
                        if kind == "vmsd":
                            snapshot_database(d, name)  # uids and times must be numbers
                    self.dicts[name] = d
                    if kind != "vmsd" and not _has_settings(d):
                        what = "0 bytes" if self.sizes[name] == 0 else "only comments and blank lines"
                        self.add("empty_config", "error", name,
                                 f"{name} holds no settings ({what}): ESX cannot register the VM or "
                                 f"power it on. Restore it from a backup, or create a new VM that "
                                 f"uses the existing disks")
                else:
                    self.descs[name] = read_descriptor(path)
            except PermissionError as err:
                self.unparsed.add(name.lower())
                self.add("unreadable_file", "warning", name,
                         f"{name} cannot be read: permission denied ({err.strerror or err}), so it "
                         f"was not checked. Check its owner and mode (`ls -l`), or run as a user "
                         f"who may read it")
            except (ValueError, OSError) as err:
                self.unparsed.add(name.lower())
                self.add("malformed_file", "error", name, f"{name} cannot be read: {err}")

    def config(self) -> tuple[str, DictFile] | None:
        if self._config is None:
            self._config = next(((n, d) for n, d in self.dicts.items()
                                 if self.kinds[n] in ("vmx", "vmtx")), None)
        return self._config

    def referenced_disks(self) -> set[str]:
        """Descriptors the .vmx (current disks) and the .vmsd (frozen disks) name."""
        refs: set[str] = set()
        for name, d in self.dicts.items():
            kind = self.kinds[name]
            elsewhere: list[str] = []
            absent: list[str] = []
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
                    elsewhere.append(f"'{value}' ({key})")
                else:
                    absent.append(f"'{value}' ({key})")
            if len(elsewhere) == 1:
                self.add("missing_disk", "warning", name,
                         f"{name} names disk {elsewhere[0]}, not in this folder: check that "
                         f"it exists on the datastore the path names")
            elif elsewhere:
                self.add("missing_disk", "warning", name,
                         f"{name} names {len(elsewhere)} disks not in this folder: "
                         f"{', '.join(elsewhere)}; check that they exist on the datastores the "
                         f"paths name")
            if len(absent) == 1:
                self.add("missing_disk", "error", name,
                         f"{name} names disk {absent[0]} but it is not in the folder")
            elif absent:
                self.add("missing_disk", "error", name,
                         f"{name} names {len(absent)} disks that are not in the folder: "
                         f"{', '.join(absent)}")
        return refs

    def check_extents(self) -> None:
        for name, d in self.descs.items():
            missing = [e.filename for e in d.extents if e.filename and not self.find(e.filename)
                       and e.type not in ("VMFSRDM", "VMFSRAW")]
            if len(missing) == 1:
                self.add("missing_extent", "error", name,
                         f"{name} points to extent '{missing[0]}', which is missing: the disk "
                         f"cannot be opened")
            elif missing:
                self.add("missing_extent", "error", name,
                         f"{name} points to {len(missing)} extents that are missing "
                         f"({', '.join(repr(m) for m in missing)}): the disk cannot be opened")

    def check_orphan_extents(self) -> None:
        """Disk data that no descriptor in the folder names."""
        named = {e.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
                 for d in self.descs.values() for e in d.extents if e.filename}
        for name in self.names:
            kind = self.kinds[name]
            if kind not in EXTENT_KINDS or name.lower() in named:
                continue
            expected = descriptor_name_for(name)
            if expected.lower() in self.unparsed:
                continue  # its descriptor is there but unreadable: that finding says enough
            present = self.find(expected)
            if present in self.descs:
                extents = [e.filename for e in self.descs[present].extents if e.filename]
                why = (f"{present} is there but names {_names(extents)}" if extents else
                       f"{present} is there but names no extent")
            else:
                why = f"there is no {expected}"
            kb = "KB 1026353" if kind == "delta-extent" else "KB 1002511"
            self.add("orphan_extent", "error", name,
                     f"{name} holds disk data but no descriptor in the folder names it ({why}): "
                     f"the disk cannot be attached until a descriptor is recreated (VMware {kb}), "
                     f"or it is left over and wastes {self.sizes[name]} bytes")

    def parent_of(self, name: str) -> str | None:
        if name not in self._parents:
            d = self.descs[name]
            self._parents[name] = self.find(d.parent_filename_hint) if d.has_parent else None
        return self._parents[name]

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
        # each depth once (a long chain walked from every delta would take quadratic time)
        depths: dict[str, int] = {}
        for name in self.descs:
            path: list[str] = []
            on_path: set[str] = set()
            cur: str | None = name
            while cur is not None and cur in self.descs and cur not in depths and cur not in on_path:
                path.append(cur)
                on_path.add(cur)
                cur = self.parent_of(cur)
            # the walk stopped at a known depth, a missing or outside parent, or a loop
            depth = depths[cur] + 1 if cur in depths else 0
            if cur in on_path:  # a loop of L descriptors: each sits L - 1 above the others
                start = path.index(cur)
                loop = path[start:]
                for member in loop:
                    depths[member] = len(loop) - 1
                path = path[:start]
                depth = len(loop)
            for member in reversed(path):
                depths[member] = depth
                depth += 1
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
        config = self.config()
        if config is None or not _has_settings(config[1]):
            return  # without the .vmx's disk list there is no telling which deltas are in use
        for name, d in self.descs.items():
            if d.has_parent and name not in used:
                self.add("orphan_delta", "warning", name,
                         f"{name} is a delta disk that no snapshot, no disk of the .vmx and no "
                         f"other delta uses: left over from a failed consolidation? It wastes space")

    def check_swap(self, powered_on: bool | None) -> None:
        swaps = [n for n in self.names if self.kinds[n] == "vswp"]
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
                f.seek(max(0, self.sizes[log] - 4096))
                tail = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return False
        return bool(tail) and "VMX exit" in tail[-1]


def group_findings(findings: list[Finding], max_per_code: int | None = MAX_FINDINGS_PER_CODE
                   ) -> list[Finding]:
    """Findings with, for each code that has more than `max_per_code`, the first
    `max_per_code - 1` kept and one finding (file None, `count` = how many) for the rest.
    Order is kept: the group stands where its first grouped finding stood. None = no grouping."""
    if max_per_code is None:
        return list(findings)
    if max_per_code < 2:
        raise ValueError(f"max_per_code must be 2 or more (or None for no grouping), got "
                         f"{max_per_code}")
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in findings:
        group = by_code[f.code]
        n = seen[f.code] = seen.get(f.code, 0) + 1
        if len(group) <= max_per_code or n < max_per_code:
            out.append(f)
        elif n == max_per_code:
            rest = group[max_per_code - 1:]
            files = [x.file for x in rest if x.file]
            severity = "error" if any(x.severity == "error" for x in rest) else "warning"
            span = f" ({files[0]} ... {files[-1]})" if len(files) > 1 else ""
            out.append(Finding(f.code, severity, None,
                               f"and {len(rest)} more files with the same problem{span}",
                               count=sum(x.count for x in rest)))
    return out


def inspect_folder(
    path: str | Path,
    capacity_bytes: int | None = None,
    free_bytes: int | None = None,
    powered_on: bool | None = None,
    max_per_code: int | None = MAX_FINDINGS_PER_CODE,
) -> FolderReport:
    """List a VM folder (or one file) with each file's role and size, and the anomalies found.

    `capacity_bytes` / `free_bytes`: the datastore's, to check how full it is (free defaults to
    capacity minus this folder's files). `powered_on`: what the caller knows of the power state;
    None = guess from vmware.log. `max_per_code`: more findings of one code than this are grouped
    (see `group_findings`); None keeps every one. Never raises for bad file content: that becomes
    a finding. Raises ValueError if `path` does not exist.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p} does not exist")
    single = p.is_file()
    folder = p.parent if single else p
    sizes: dict[str, int] = {}
    try:
        with os.scandir(folder) as entries:  # one stat per file, not three
            for entry in entries:
                try:
                    if entry.is_file():
                        sizes[entry.name] = entry.stat().st_size
                except OSError:
                    sizes[entry.name] = 0
    except OSError as err:
        raise ValueError(f"cannot list {folder}: {err}") from None
    f = _Folder(folder, sizes)
    f.parse_all()
    refs = f.referenced_disks()
    f.check_extents()
    f.check_orphan_extents()
    depths = f.check_chains()
    for name, depth in depths.items():
        if depth > MAX_CHAIN_DEPTH:
            f.add("chain_too_deep", "warning", name,
                  f"{name} sits {depth} deltas above its base disk; ESXi supports at most "
                  f"{MAX_CHAIN_DEPTH}, and every level slows reads")
    f.check_orphans(refs)
    f.check_swap(powered_on)

    report = FolderReport(path=str(p))
    for name in f.names:
        kind = f.kinds[name]
        report.files.append(FolderFile(name, kind, role_of(kind), sizes[name], card_key(name)))
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
    report.findings = group_findings(findings, max_per_code)
    return report


__all__ = [
    "EXTENT_KINDS",
    "KINDS",
    "MAX_CHAIN_DEPTH",
    "MAX_FINDINGS_PER_CODE",
    "NEARLY_FULL_FRACTION",
    "TEXT_KINDS",
    "FolderFile",
    "FolderReport",
    "Finding",
    "card_key",
    "classify_file",
    "descriptor_name_for",
    "group_findings",
    "inspect_folder",
    "role_of",
]
