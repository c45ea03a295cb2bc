"""The `.vmsd` snapshot database: the tree of a VM's snapshots and the disk each one froze.

Same `key = "value"` syntax as a .vmx (read with vlab.formats.dictfile). Keys as ESXi writes them:

    snapshot.lastUID = "4"            last uid handed out; uids are never reused
    snapshot.current = "4"            the snapshot the VM is running "after"
    snapshot.numSnapshots = "4"
    snapshot0.uid = "1"               entry number (0-based) is not the uid (1-based)
    snapshot0.parent = "..."          parent uid (absent for a root)
    snapshot0.filename = "vm-Snapshot1.vmsn"
    snapshot0.displayName / .description
    snapshot0.createTimeHigh / .createTimeLow   microseconds since 1970 = (High << 32) + uint32(Low)
    snapshot0.numDisks = "1"
    snapshot0.disk0.fileName = "vm.vmdk"        the disk that was current when the snapshot was taken
    snapshot0.disk0.node = "scsi0:0"

A VM that never had a snapshot has an empty (0-byte) .vmsd. Left out: `snapshot.mru*` and `type` keys
(kept when read, not interpreted).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vlab.formats.dictfile import DictFile, parse_dictfile

_ENTRY_KEY = re.compile(r"^snapshot(\d+)\.(.+)$", re.I)
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DISK_KEY = re.compile(r"^disk(\d+)\.(filename|node)$", re.I)


@dataclass
class SnapshotDisk:
    node: str  # e.g. scsi0:0
    filename: str


@dataclass
class SnapshotEntry:
    uid: int
    filename: str
    display_name: str
    create_time: datetime | None = None
    parent_uid: int | None = None
    description: str = ""
    disks: list[SnapshotDisk] = field(default_factory=list)


@dataclass
class SnapshotDatabase:
    """A parsed .vmsd. `last_uid` survives deleting every snapshot."""

    entries: list[SnapshotEntry] = field(default_factory=list)
    last_uid: int = 0
    current_uid: int | None = None

    def to_text(self) -> str:
        d = DictFile({".encoding": "UTF-8", "snapshot.lastUID": str(self.last_uid)})
        if self.current_uid is not None:
            d["snapshot.current"] = str(self.current_uid)
        for i, e in enumerate(self.entries):
            rows = {"uid": str(e.uid)}
            if e.parent_uid is not None:
                rows["parent"] = str(e.parent_uid)
            rows |= {"filename": e.filename, "displayName": e.display_name, "description": e.description}
            if e.create_time is not None:
                high, low = encode_create_time(e.create_time)
                rows |= {"createTimeHigh": str(high), "createTimeLow": str(low)}
            rows["numDisks"] = str(len(e.disks))
            for j, disk in enumerate(e.disks):
                rows[f"disk{j}.fileName"] = disk.filename
                rows[f"disk{j}.node"] = disk.node
            for k, v in rows.items():
                d[f"snapshot{i}.{k}"] = v
        d["snapshot.numSnapshots"] = str(len(self.entries))
        return d.to_text()


def encode_create_time(when: datetime) -> tuple[int, int]:
    """datetime -> (createTimeHigh, createTimeLow), Low written as a signed 32-bit number."""
    micros = (when - _UNIX_EPOCH) // timedelta(microseconds=1)
    low = micros & 0xFFFFFFFF
    return micros >> 32, low - (1 << 32) if low >= 1 << 31 else low


def decode_create_time(high: int, low: int) -> datetime:
    """(createTimeHigh, createTimeLow) -> an aware UTC datetime."""
    return _UNIX_EPOCH + timedelta(microseconds=(high << 32) + (low & 0xFFFFFFFF))


def _int(value: str | None, what: str, source: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{source}: {what} must be a whole number, got {value[:20]!r}") from None


def parse_vmsd(data: bytes | str, source: str = "<input>") -> SnapshotDatabase:
    """Parse a .vmsd (an empty one is an empty database). Raises ValueError for bad content."""
    if not data:
        return SnapshotDatabase()
    d = parse_dictfile(data, source=source)
    return snapshot_database(d, source)


def snapshot_database(d: DictFile, source: str = "<input>") -> SnapshotDatabase:
    """The snapshot tree held in an already parsed .vmsd dictionary."""
    raw: dict[int, dict[str, str]] = {}
    for key, value in d.items():
        m = _ENTRY_KEY.match(key)
        if m:
            raw.setdefault(int(m.group(1)), {})[m.group(2).lower()] = value
    entries = []
    for number in sorted(raw):
        row = raw[number]
        where = f"snapshot{number}"
        uid = _int(row.get("uid"), f"{where}.uid", source)
        if uid is None:
            raise ValueError(f"{source}: {where} has no uid")
        disks: dict[int, dict[str, str]] = {}
        for key, value in row.items():
            m = _DISK_KEY.match(key)
            if m:
                disks.setdefault(int(m.group(1)), {})[m.group(2).lower()] = value
        high = _int(row.get("createtimehigh"), f"{where}.createTimeHigh", source)
        low = _int(row.get("createtimelow"), f"{where}.createTimeLow", source)
        when = None
        if high is not None and low is not None:
            try:
                when = decode_create_time(high, low)
            except (OverflowError, OSError, ValueError):
                raise ValueError(f"{source}: {where} has an impossible create time") from None
        entries.append(SnapshotEntry(
            uid=uid,
            filename=row.get("filename", ""),
            display_name=row.get("displayname", ""),
            create_time=when,
            parent_uid=_int(row.get("parent"), f"{where}.parent", source),
            description=row.get("description", ""),
            disks=[SnapshotDisk(v.get("node", ""), v["filename"]) for _, v in sorted(disks.items())
                   if "filename" in v],
        ))
    return SnapshotDatabase(
        entries=entries,
        last_uid=_int(d.get("snapshot.lastUID"), "snapshot.lastUID", source) or 0,
        current_uid=_int(d.get("snapshot.current"), "snapshot.current", source),
    )
