"""The VMDK text descriptor: the small `<disk>.vmdk` file that says where a virtual disk's data lives.

Imitates the format in VMware's "Virtual Disk Format" technote (1.1 / 5.0) as ESXi writes it:

    # Disk DescriptorFile
    version=1
    encoding="UTF-8"
    CID=0172e8a4                       content ID, 8 hex digits
    parentCID=ffffffff                 ffffffff = no parent; a delta names its parent's CID
    createType="vmfs"                  vmfs, vmfsSparse, seSparse, monolithicFlat, ...
    parentFileNameHint="base.vmdk"     deltas only
    # Extent description
    RW 4096 VMFS "base-flat.vmdk"      ACCESS SECTORS TYPE "file" [offset]
    # Change Tracking File
    changeTrackPath="base-ctk.vmdk"    version=3 (changed block tracking) only
    # The Disk Data Base
    #DDB
    ddb.adapterType = "lsilogic"

Sectors are 512 bytes. `validate_chain(child, parent)` checks the link a snapshot delta relies on.
Input is untrusted: size-limited, binary refused, a malformed line raises ValueError with its number.
Descriptors embedded in a hosted monolithicSparse file (magic `KDMV`) are read by `parse_descriptor`
from the header's descriptor offset. Left out: the binary grain tables and the data itself.
"""
from __future__ import annotations

import re
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path

from vlab.formats.dictfile import MAX_BYTES, decode_bytes

SECTOR_BYTES = 512
NO_PARENT = 0xFFFFFFFF
ACCESS_MODES = ("RW", "RDONLY", "NOACCESS")
EXTENT_TYPES = ("FLAT", "SPARSE", "ZERO", "VMFS", "VMFSSPARSE", "VMFSRDM", "VMFSRAW", "SESPARSE")
SPARSE_MAGIC = b"KDMV"  # hosted sparse extent header ("VMDK" little-endian)
COWD_MAGIC = b"COWD"  # ESX vmfsSparse delta extent header

_EXTENT = re.compile(
    r'^(?P<access>[A-Za-z]+)[ \t]+(?P<sectors>\d+)[ \t]+(?P<type>[A-Za-z]+)'
    r'(?:[ \t]+"(?P<file>[^"]*)"(?:[ \t]+(?P<offset>\d+))?)?[ \t]*$'
)
_KEYVAL = re.compile(r'^(?P<key>[A-Za-z][A-Za-z0-9_.:-]*)[ \t]*=[ \t]*(?P<value>.*?)[ \t]*$')
_HEX8 = re.compile(r"^[0-9a-fA-F]{1,8}$")
_HEADER_KEYS = {
    "version": "version",
    "encoding": "encoding",
    "cid": "cid",
    "parentcid": "parent_cid",
    "createtype": "create_type",
    "parentfilenamehint": "parent_filename_hint",
    "isnativesnapshot": "is_native_snapshot",
    "changetrackpath": "change_track_path",
}


@dataclass
class Extent:
    """One extent line: `RW 4096 VMFS "x-flat.vmdk"`; `offset` (in sectors) only for flat extents."""

    access: str
    sectors: int
    type: str
    filename: str | None = None
    offset: int | None = None

    def to_line(self) -> str:
        line = f"{self.access} {self.sectors} {self.type}"
        if self.filename is not None:
            line += f' "{self.filename}"'
            if self.offset is not None:
                line += f" {self.offset}"
        return line


@dataclass
class VmdkDescriptor:
    """A parsed descriptor. CIDs are ints (written as 8 lower-case hex digits)."""

    create_type: str
    extents: list[Extent]
    cid: int = 0
    parent_cid: int = NO_PARENT
    version: int = 1
    encoding: str | None = "UTF-8"
    parent_filename_hint: str | None = None
    is_native_snapshot: str | None = None
    change_track_path: str | None = None
    ddb: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def capacity_sectors(self) -> int:
        return sum(e.sectors for e in self.extents)

    @property
    def capacity_bytes(self) -> int:
        """The virtual disk size the guest sees."""
        return self.capacity_sectors * SECTOR_BYTES

    @property
    def has_parent(self) -> bool:
        return self.parent_cid != NO_PARENT

    @property
    def cid_hex(self) -> str:
        return f"{self.cid:08x}"

    @property
    def parent_cid_hex(self) -> str:
        return f"{self.parent_cid:08x}"

    def to_text(self) -> str:
        """The descriptor as ESXi writes it (LF line ends)."""
        lines = ["# Disk DescriptorFile", f"version={self.version}"]
        if self.encoding is not None:
            lines.append(f'encoding="{self.encoding}"')
        lines += [f"CID={self.cid_hex}", f"parentCID={self.parent_cid_hex}"]
        if self.is_native_snapshot is not None:
            lines.append(f'isNativeSnapshot="{self.is_native_snapshot}"')
        lines.append(f'createType="{self.create_type}"')
        if self.parent_filename_hint is not None:
            lines.append(f'parentFileNameHint="{self.parent_filename_hint}"')
        lines += ["", "# Extent description"]
        lines += [e.to_line() for e in self.extents]
        if self.change_track_path is not None:
            lines += ["", "# Change Tracking File", f'changeTrackPath="{self.change_track_path}"']
        lines += ["", "# The Disk Data Base", "#DDB", ""]
        lines += [f'{k} = "{v}"' for k, v in self.ddb.items()]
        return "\n".join(lines) + "\n"


def _unquote(value: str, where: str) -> str:
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"') or '"' in value[1:-1]:
            raise ValueError(f"{where}: badly quoted value {value[:60]!r}")
        return value[1:-1]
    if '"' in value:
        raise ValueError(f"{where}: stray quote in {value[:60]!r}")
    return value


def _cid(value: str, where: str, name: str) -> int:
    if not _HEX8.match(value):
        raise ValueError(f"{where}: {name} must be up to 8 hex digits, got {value[:20]!r}")
    return int(value, 16)


def embedded_descriptor(data: bytes, source: str = "<input>") -> bytes:
    """The descriptor text inside a hosted sparse (KDMV) file, from the header's offset and size."""
    if len(data) < 44 or not data.startswith(SPARSE_MAGIC):
        raise ValueError(f"{source}: not a hosted sparse extent (no KDMV header)")
    offset_sectors, size_sectors = struct.unpack_from("<QQ", data, 28)
    if offset_sectors == 0 or size_sectors == 0:
        raise ValueError(f"{source}: sparse extent without an embedded descriptor")
    start = offset_sectors * SECTOR_BYTES
    end = start + size_sectors * SECTOR_BYTES
    if size_sectors * SECTOR_BYTES > MAX_BYTES or end > len(data):
        raise ValueError(f"{source}: embedded descriptor lies outside the bytes given")
    return data[start:end].split(b"\x00", 1)[0]


def parse_descriptor(
    data: bytes | str, source: str = "<input>", max_bytes: int = MAX_BYTES
) -> VmdkDescriptor:
    """Parse a VMDK text descriptor (or a KDMV sparse file's embedded one).

    Raises ValueError with the line number for a malformed line, and for binary or oversized input.
    """
    if isinstance(data, bytes):
        if data.startswith(SPARSE_MAGIC):
            data = embedded_descriptor(data[: 64 * 1024 * 1024], source)
        elif data.startswith(COWD_MAGIC):
            raise ValueError(f"{source}: this is an ESX sparse delta extent (COWD), not a descriptor")
        text = decode_bytes(data, source, max_bytes)
    elif isinstance(data, str):
        if len(data) > max_bytes:
            raise ValueError(f"{source}: more than {max_bytes} characters; not a descriptor")
        if "\x00" in data:
            raise ValueError(f"{source}: contains NUL characters, so it is binary, not a descriptor")
        text = data.removeprefix("\ufeff")
    else:
        raise TypeError("parse_descriptor takes bytes or str")

    header: dict[str, object] = {}
    extents: list[Extent] = []
    ddb: dict[str, str] = {}
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r")
        where = f"{source}, line {number}"
        if not line or line.startswith("#"):
            continue
        if any(ord(c) < 0x20 and c != "\t" for c in line):
            raise ValueError(f"{where}: control character; binary data is not a descriptor")
        m = _EXTENT.match(line)
        if m and m.group("access").upper() in ACCESS_MODES:
            extents.append(_extent(m, where))
            continue
        m = _KEYVAL.match(line)
        if not m:
            raise ValueError(
                f'{where}: expected key=value or an extent line like RW 4096 VMFS "x-flat.vmdk", '
                f"got {line[:60]!r}"
            )
        key, value = m.group("key"), _unquote(m.group("value"), where)
        lower = key.lower()
        if lower in seen:
            warnings.append(f"{where}: '{key}' repeats line {seen[lower]}; the last value wins")
        seen[lower] = number
        if lower.startswith("ddb."):
            ddb[key] = value
        elif lower in _HEADER_KEYS:
            header[_HEADER_KEYS[lower]] = _header_value(lower, value, where)
        else:
            warnings.append(f"{where}: unknown header key '{key}' ignored")
    if "create_type" not in header:
        raise ValueError(f"{source}: no createType line; is this a VMDK descriptor?")
    if "cid" not in header:
        raise ValueError(f"{source}: no CID line; is this a VMDK descriptor?")
    if not extents:
        raise ValueError(f"{source}: no extent lines (like RW 4096 VMFS \"x-flat.vmdk\")")
    header.setdefault("encoding", None)
    return VmdkDescriptor(extents=extents, ddb=ddb, warnings=warnings, **header)  # type: ignore[arg-type]


def _header_value(lower: str, value: str, where: str) -> object:
    if lower == "version":
        if not value.isdigit() or len(value) > 3:
            raise ValueError(f"{where}: version must be a small whole number, got {value[:20]!r}")
        return int(value)
    if lower == "cid":
        return _cid(value, where, "CID")
    if lower == "parentcid":
        return _cid(value, where, "parentCID")
    return value


def _extent(m: re.Match, where: str) -> Extent:
    etype = m.group("type").upper()
    if etype not in EXTENT_TYPES:
        raise ValueError(f"{where}: unknown extent type {m.group('type')!r} (one of {', '.join(EXTENT_TYPES)})")
    filename = m.group("file")
    if filename is None and etype != "ZERO":
        raise ValueError(f"{where}: a {etype} extent needs a quoted file name")
    offset = m.group("offset")
    return Extent(
        access=m.group("access").upper(),
        sectors=int(m.group("sectors")),
        type=etype,
        filename=filename,
        offset=int(offset) if offset is not None else None,
    )


def read_descriptor(path: str | Path, max_bytes: int = MAX_BYTES) -> VmdkDescriptor:
    """Read a descriptor from disk: a text .vmdk, or the head of a hosted sparse one."""
    p = Path(path)
    st = p.stat()
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or a device?)"
        raise ValueError(f"{p.name}: {what}, so not a VMDK descriptor")
    with p.open("rb") as f:
        head = f.read(max_bytes + 1)
    if head.startswith(SPARSE_MAGIC):
        return parse_descriptor(head, source=p.name, max_bytes=max_bytes)
    if len(head) > max_bytes:
        raise ValueError(f"{p.name}: larger than {max_bytes} bytes, so not a text descriptor")
    return parse_descriptor(head, source=p.name, max_bytes=max_bytes)


def delta_metadata_bytes(sectors: int, create_type: str) -> int:
    """Size of a new, empty delta extent: its header and grain directory, whole sectors.

    `create_type` is "vmfsSparse" (COWD, `-delta.vmdk`) or "seSparse" (`-sesparse.vmdk`). A delta
    starts almost empty and grows as the guest writes new blocks."""
    if create_type == "vmfsSparse":
        directory_bytes = 4 * -(-sectors // 4096)
        return 4 * SECTOR_BYTES + -(-directory_bytes // SECTOR_BYTES) * SECTOR_BYTES
    if create_type == "seSparse":
        grain_tables = -(-sectors // 8 // 4096)
        return (8 + -(-grain_tables * 8 // SECTOR_BYTES)) * SECTOR_BYTES
    raise ValueError(f"'{create_type}' is not a delta format (vmfsSparse or seSparse)")


def cowd_header(sectors: int) -> bytes:
    """The start of an empty vmfsSparse (COWD) delta extent: magic, version 1, flags 3, size,
    1-sector grains, an all-zero grain directory at sector 4 (every grain unallocated = read the parent).
    Enough for qemu-img to open it; ESX's later metadata fields are left zero."""
    if sectors >= 1 << 32:
        raise ValueError("vmfsSparse (COWD) deltas exist only for disks under 2 TB; ESXi uses seSparse")
    granularity = 1
    directory_entries = -(-sectors // (4096 * granularity))
    return COWD_MAGIC + struct.pack("<10I", 1, 3, sectors, granularity, 4, directory_entries, 0, 0, 0, 0)


def sesparse_header(sectors: int) -> bytes:
    """The constant and volatile headers of an empty SEsparse extent (4 KB grains, 64-sector grain
    tables, an all-zero grain directory at sector 8). The values are those qemu's vmdk driver checks;
    the later regions (journal, free bitmap, backmap) are declared, not laid out."""
    grain_tables = -(-sectors // 8 // 4096)
    dir_sectors = -(-grain_tables * 8 // SECTOR_BYTES)
    gd, gt = 8, 8 + dir_sectors
    fb = gt + grain_tables * 64
    const = struct.pack(
        "<26Q", 0xCAFEBABE, 0x200000001, sectors, 8, 64, 0, 0, 0, 0, 0,
        1, 1, 2, 1, 3, 1, gd, dir_sectors, gt, grain_tables * 64, fb, 8, fb + 8, 8, fb + 16, sectors,
    ).ljust(SECTOR_BYTES, b"\0")
    volatile = struct.pack("<4Q", 0xCAFECAFE, 0, 0, 0).ljust(SECTOR_BYTES, b"\0")
    return const + volatile


def write_descriptor(d: VmdkDescriptor, path: str | Path) -> None:
    Path(path).write_text(d.to_text(), encoding="utf-8", newline="\n")


def chain_problem(child: VmdkDescriptor, parent: VmdkDescriptor) -> str | None:
    """Why `child` cannot sit on `parent`, or None when the link holds."""
    if not child.has_parent:
        return "the child has parentCID=ffffffff: it is a base disk, not a delta"
    if child.parent_cid != parent.cid:
        return (
            f"the child's parentCID={child.parent_cid_hex} does not match the parent's "
            f"CID={parent.cid_hex}: the parent changed after the snapshot, so the chain is broken"
        )
    if child.capacity_sectors != parent.capacity_sectors:
        return (
            f"the child has {child.capacity_sectors} sectors but the parent has "
            f"{parent.capacity_sectors}: a delta must be exactly its parent's size"
        )
    return None


def validate_chain(child: VmdkDescriptor, parent: VmdkDescriptor) -> None:
    """Raise ValueError unless `child` is a valid delta of `parent` (child's parentCID == parent's CID)."""
    problem = chain_problem(child, parent)
    if problem:
        raise ValueError(problem)
