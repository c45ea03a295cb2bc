"""A VM as its datastore folder sees it: the files each operation creates, changes and removes.

Used through `vlab.models.datastore.volume` (`Datastore.create_vm` returns a `VirtualMachine`). The sizes of
small binary files are typical values, not exact ones (constants below say where they come from).
This module does not import the volume: `Volume` below names what a VM needs of the datastore it lives on.
"""
from __future__ import annotations

import random
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from vlab.formats.dictfile import DictFile
from vlab.formats.vmdk import SECTOR_BYTES, Extent, VmdkDescriptor, delta_metadata_bytes
from vlab.formats.vmsd import SnapshotDatabase, SnapshotDisk, SnapshotEntry

MiB = 1024 * 1024
GiB = 1024 * MiB
NVRAM_BYTES = 8684  # BIOS .nvram as listed on ESXi hosts (typical; EFI ones are larger)
VMSN_BYTES = 32 * 1024  # a snapshot's device state without memory: tens of KB (typical)
VMX_SWAP_BYTES = 40 * MiB  # VMX overhead swapped out: the vSphere 7 doc's example drops the VMX
#                            reservation from >= 50 MB to ~10 MB, so about 40 MB goes to this file
SUSPEND_STATE_BYTES = 32 * 1024  # today's .vmss: device state only, the memory goes to a .vmem
LOG_KEEP_OLD_DEFAULT = 10  # log.keepOld default on ESXi 8 (SCG 8); vSphere 7 and ESX 3.0 kept 6
MAX_SNAPSHOT_CHAIN = 32  # ESXi: at most 32 delta disks in one chain
VIRTUAL_HW_VERSION = 21  # ESXi 8.0 U2
POWER_STATES = ("poweredOff", "poweredOn", "suspended")


@dataclass
class VmFile:
    """One file in a VM's folder, as `ls -l` shows it. `kind` is one of vm_folder.KINDS."""

    name: str
    size_bytes: int
    kind: str


@dataclass(eq=False)
class _Disk:
    name: str  # descriptor, e.g. web.vmdk or web-000001.vmdk
    extent_name: str
    capacity_bytes: int
    cid: int
    parent: _Disk | None = None
    thin: bool = False
    allocated_bytes: int = 0  # the extent file's size
    sparse_format: str = "seSparse"  # for deltas: seSparse (VMFS6) or vmfsSparse (VMFS5/3)

    @property
    def is_delta(self) -> bool:
        return self.parent is not None

    @property
    def metadata_bytes(self) -> int:
        """A delta's header and grain directory (its size when new); 0 for a base disk."""
        if not self.is_delta:
            return 0
        return delta_metadata_bytes(self.capacity_bytes // SECTOR_BYTES, self.sparse_format)

    @property
    def limit_bytes(self) -> int:
        """The most the extent can grow to: the whole disk (plus a delta's metadata)."""
        return self.capacity_bytes + self.metadata_bytes

    @property
    def data_bytes(self) -> int:
        """Guest data this extent holds (deltas: minus their metadata)."""
        return max(0, self.allocated_bytes - self.metadata_bytes)


@dataclass
class _Snapshot:
    uid: int
    name: str
    parent_uid: int | None
    disk: _Disk  # the disk this snapshot froze (current when it was taken)
    memory: bool
    created: datetime
    description: str = ""


@dataclass
class _Log:
    lines: list[str] = field(default_factory=list)
    number: int = 0  # 0 while it is vmware.log; the N of vmware-N.log once rotated

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def _log_name(log: _Log) -> str:
    return "vmware.log" if log.number == 0 else f"vmware-{log.number}.log"


class Volume(Protocol):
    """What a VM needs of the datastore its folder is on (`vlab.models.datastore.volume.Datastore`)."""

    name: str
    vmfs_version: int
    volume_uuid: str
    _rng: random.Random

    @property
    def _now(self) -> datetime: ...
    def free_bytes(self) -> int: ...
    def _new_cid(self) -> int: ...
    def _uuid(self) -> str: ...
    def _warn(self, message: str) -> None: ...
    def _transaction(self, vm: VirtualMachine, what: str,
                     hint: str = "") -> AbstractContextManager[object]: ...


class VirtualMachine:
    """A VM as its folder sees it. Created by `Datastore.create_vm`; every operation edits files."""

    def __init__(self, ds: Volume, name: str, memory_mb: int, disk_gb: float, thin: bool,
                 memory_reservation_mb: int) -> None:
        self.ds = ds
        self.name = name
        self.memory_mb = memory_mb
        self.memory_reservation_mb = memory_reservation_mb
        self.thin = thin
        self.state = "poweredOff"
        self.template = False
        self.extra_config: dict[str, str] = {}
        self._uuid = ds._uuid()
        self._swap_hash = ds._rng.getrandbits(32)
        self._has_nvram = False
        self._powered_on_once = False
        self._logs: list[_Log] = []
        self._snapshots: list[_Snapshot] = []
        self._current_snapshot: int | None = None
        self._last_uid = 0
        self._vmsd_written = False
        capacity = round(disk_gb * GiB / MiB) * MiB
        base = _Disk(f"{name}.vmdk", f"{name}-flat.vmdk", capacity, ds._new_cid(), thin=thin,
                     allocated_bytes=0 if thin else capacity)
        self._disks: list[_Disk] = [base]
        self._current = base

    # ---------------------------------------------------------------- names and sizes
    @property
    def config_name(self) -> str:
        return f"{self.name}.vmtx" if self.template else f"{self.name}.vmx"

    @property
    def swap_name(self) -> str:
        return f"{self.name}-{self._swap_hash:08x}.vswp"

    @property
    def vmx_swap_name(self) -> str:
        return f"vmx-{self.name}-{self._swap_hash}-1.vswp"

    @property
    def swap_bytes(self) -> int:
        """.vswp size: configured memory minus the memory reservation."""
        return (self.memory_mb - self.memory_reservation_mb) * MiB

    @property
    def snapshot_names(self) -> list[str]:
        return [s.name for s in self._snapshots]

    @property
    def current_disk(self) -> str:
        """The descriptor the .vmx's scsi0:0.fileName points at."""
        return self._current.name

    @property
    def log_keep_old(self) -> int:
        """Old logs kept at rotation: the .vmx's log.keepOld (any spelling), default 10."""
        for key, value in self.extra_config.items():
            if key.lower() == "log.keepold":
                try:
                    return max(0, int(value))
                except ValueError:
                    return LOG_KEEP_OLD_DEFAULT
        return LOG_KEEP_OLD_DEFAULT

    def chain(self) -> list[str]:
        """Descriptor names from the current disk down to the base disk."""
        out, disk = [], self._current
        while disk is not None:
            out.append(disk.name)
            disk = disk.parent
        return out

    def set_config(self, key: str, value: str) -> None:
        """Add an advanced setting to the .vmx (e.g. `log.keepOld`)."""
        probe = DictFile()
        probe[key] = value  # validates key and value
        self.extra_config[key] = value

    def files(self) -> list[VmFile]:
        """Every file in the VM's folder, sorted by name as `ls` lists them."""
        out = [
            VmFile(self.config_name, len(self._vmx_text().encode()), "vmtx" if self.template else "vmx"),
            VmFile(f"{self.name}.vmxf", len(self._vmxf_text().encode()), "vmxf"),
            VmFile(f"{self.name}.vmsd", len(self._vmsd_text().encode()), "vmsd"),
        ]
        if self._has_nvram:
            out.append(VmFile(f"{self.name}.nvram", NVRAM_BYTES, "nvram"))
        for disk in self._disks:
            out.append(VmFile(disk.name, len(self._descriptor(disk).to_text().encode()),
                              "delta-descriptor" if disk.is_delta else "disk-descriptor"))
            out.append(VmFile(disk.extent_name, disk.allocated_bytes,
                              "delta-extent" if disk.is_delta else "flat-extent"))
        if self.state == "poweredOn":
            out.append(VmFile(self.swap_name, self.swap_bytes, "vswp"))
            out.append(VmFile(self.vmx_swap_name, VMX_SWAP_BYTES, "vmx-vswp"))
        if self.state == "suspended":
            out.append(VmFile(f"{self.name}.vmss", SUSPEND_STATE_BYTES, "vmss"))
            out.append(VmFile(f"{self.name}.vmem", self.memory_mb * MiB, "vmem"))
        for log in self._logs:
            out.append(VmFile(_log_name(log), len(log.text().encode()), "log"))
        for s in self._snapshots:
            out.append(VmFile(f"{self.name}-Snapshot{s.uid}.vmsn", VMSN_BYTES, "vmsn"))
            if s.memory:
                out.append(VmFile(f"{self.name}-Snapshot{s.uid}.vmem", self.memory_mb * MiB, "vmem"))
        return sorted(out, key=lambda f: f.name)

    def used_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files())

    def provisioned_bytes(self) -> int:
        """What the VM could grow to: every disk at full size, plus swap and state files."""
        disks = sum(d.limit_bytes for d in self._disks)
        other = sum(f.size_bytes for f in self.files() if f.kind not in ("flat-extent", "delta-extent"))
        if self.state != "poweredOn":
            other += self.swap_bytes + VMX_SWAP_BYTES
        return disks + other

    def file_text(self, name: str) -> str:
        """The content of a text file (config, descriptors, logs), as materialize() writes it."""
        texts = {self.config_name: self._vmx_text, f"{self.name}.vmxf": self._vmxf_text,
                 f"{self.name}.vmsd": self._vmsd_text}
        for disk in self._disks:
            texts[disk.name] = lambda d=disk: self._descriptor(d).to_text()
        for log in self._logs:
            texts[_log_name(log)] = log.text
        if name in texts:
            return texts[name]()
        sizes = {f.name: f for f in self.files()}
        if name in sizes:
            f = sizes[name]
            raise ValueError(f"{name} is a binary file ({f.kind}, {f.size_bytes} bytes); it has no text")
        raise ValueError(f"{self.name} has no file '{name}'; its files are: {', '.join(sizes)}")

    # ---------------------------------------------------------------- operations
    def power_on(self) -> None:
        """Start the VM: .nvram (first time), .vswp, vmx-*.vswp, a fresh vmware.log.

        Then and now: ESX 3.x already created the per-VM .vswp at power-on (ESX 2.x used one
        host-wide swap file); the VMX overhead swap `vmx-*.vswp` arrived with ESXi 5.0. ESX 3.0 kept
        6 old logs, today's default is 10 (log.keepOld). Fails like ESX ("Failed to extend swap file")
        when the .vswp does not fit.
        """
        self._not_template("power on")
        if self.state == "poweredOn":
            raise ValueError(f"{self.name} is already powered on")
        if self.state == "suspended":
            raise ValueError(f"{self.name} is suspended: use resume() to continue it")
        with self.ds._transaction(self, f"power on {self.name}", self._swap_hint()):
            self._start_vmx("Power on")

    def power_off(self) -> None:
        """Hard power-off: the swap files are deleted; vmware.log records the VMX exit.

        A suspended VM can be powered off too: its .vmss is discarded.
        """
        if self.state == "poweredOff":
            raise ValueError(f"{self.name} is already powered off")
        with self.ds._transaction(self, f"power off {self.name}"):
            if self.state == "poweredOn":
                self._stop_vmx("Powering off")
            self.state = "poweredOff"

    def suspend(self) -> None:
        """Save the VM: device state in a small `<vm>.vmss`, memory in `<vm>.vmem` (configured memory);
        the VMX process exits, so both swap files go. Resume reads and deletes both.

        Then and now: ESX 3.x put the memory inside the .vmss, which was then about the VM's
        memory size; today's ESXi writes it to a separate .vmem (API file type suspendMemory). Some
        listings name these files `<vm>-<hash>.vmss`; the model uses `<vm>.vmss`.
        """
        if self.state != "poweredOn":
            raise ValueError(f"{self.name} must be powered on to suspend (it is {self.state})")
        with self.ds._transaction(self, f"suspend {self.name}",
                                  f"the .vmem needs {self.memory_mb} MiB (the VM's memory)"):
            self._log(f"Suspending: writing {self.name}.vmss and {self.name}.vmem")
            self.state = "suspended"
            self._log("VMX exit (0).")

    def resume(self) -> None:
        """Start a new VMX from `<vm>.vmss` and `.vmem` (deleted once read): swap files and a new log
        appear."""
        if self.state != "suspended":
            raise ValueError(f"{self.name} is not suspended (it is {self.state})")
        with self.ds._transaction(self, f"resume {self.name}", self._swap_hint()):
            self.state = "poweredOff"
            self._start_vmx(f"Resuming from {self.name}.vmss")

    def guest_write(self, mb: float) -> None:
        """The guest writes `mb` MiB of new blocks: a thin disk or the current delta grows.

        A thick disk does not grow (its blocks were allocated at creation). Growth stops at the
        disk's size. With too little free space, ESX would stall the VM with an out-of-space
        question; here it raises DatastoreFullError.
        """
        if self.state != "poweredOn":
            raise ValueError(f"{self.name} must be powered on for its guest to write (it is {self.state})")
        if mb < 0:
            raise ValueError("mb must be 0 or more")
        disk = self._current
        with self.ds._transaction(self, f"write {mb} MiB in {self.name}",
                                  "a thin disk or snapshot delta grows as the guest writes"):
            if disk.is_delta or disk.thin:
                disk.allocated_bytes = min(disk.limit_bytes, disk.allocated_bytes + round(mb * MiB))

    def snapshot(self, name: str, memory: bool = False, description: str = "") -> None:
        """Take a snapshot: `.vmsn` (+ `.vmem` with memory), a new delta disk, the .vmsd updated.

        Then and now: ESX 3.x (VMFS3) created `-00000N-delta.vmdk` (vmfsSparse); VMFS6 always uses
        SEsparse `-00000N-sesparse.vmdk`. ESX 2.x had no snapshot tree, only REDO logs.
        """
        self._not_template("snapshot")
        if not name or any(c in name for c in '"\n\r'):
            raise ValueError("a snapshot needs a name without quotes or line breaks")
        if name in self.snapshot_names:
            raise ValueError(f"{self.name} already has a snapshot called '{name}'")
        if memory and self.state != "poweredOn":
            raise ValueError(f"a memory snapshot needs a powered-on VM ({self.name} is {self.state})")
        if len(self.chain()) - 1 >= MAX_SNAPSHOT_CHAIN:
            raise ValueError(f"{self.name} already has {MAX_SNAPSHOT_CHAIN} deltas in its chain, "
                             f"ESXi's limit: delete (consolidate) snapshots first")
        hint = "a snapshot needs its .vmsn, a new delta" + (" and a .vmem" if memory else "")
        with self.ds._transaction(self, f"snapshot {self.name}", hint):
            self._last_uid += 1
            self._vmsd_written = True
            snap = _Snapshot(self._last_uid, name, self._current_snapshot, self._current, memory,
                             self.ds._now, description)
            self._snapshots.append(snap)
            self._current_snapshot = snap.uid
            self._current = self._new_delta(self._current)
            self._log(f"SnapshotVMX_TakeSnapshot: '{name}' uid={snap.uid} memory={memory}")
        free = self.ds.free_bytes()
        if self._current.capacity_bytes > free:
            self.ds._warn(f"snapshot '{name}' of {self.name}: its delta can grow to "
                          f"{human_size(self._current.capacity_bytes)} (the disk's size) but {self.ds.name} "
                          f"has {human_size(free)} free")

    def revert(self, name: str) -> None:
        """Go back to snapshot `name`: the current delta is discarded and a new one started on the
        disk that snapshot froze. A memory snapshot comes back powered on, others powered off.
        """
        self._not_template("revert")
        snap = self._snapshot(name)
        with self.ds._transaction(self, f"revert {self.name} to '{name}'"):
            if self.state == "poweredOn":
                self._stop_vmx(f"Reverting to snapshot '{name}'")
            self.state = "poweredOff"
            old = self._current
            if old.is_delta and not self._children(old) and all(s.disk is not old for s in self._snapshots):
                self._disks.remove(old)
            self._current = self._new_delta(snap.disk)
            self._current_snapshot = snap.uid
            if snap.memory:
                self._start_vmx(f"Restoring memory of snapshot '{name}'")
            elif self._logs:
                self._log(f"Reverted to snapshot '{name}'")

    def delete_snapshot(self, name: str) -> None:
        """Delete snapshot `name`: its files go, and the delta written after it is consolidated
        (merged) into the disk it froze, so the chain gets one level shorter. The merged disk gets
        a new CID and its children's descriptors a new parentCID.

        Then and now: ESX 3.x merged the same way but had no "Consolidate" action (vSphere 5.0)
        for deltas a failed delete left behind. If the frozen disk has several children (after a
        revert started a new branch), the model keeps the disks and only drops the entry.
        """
        snap = self._snapshot(name)
        with self.ds._transaction(self, f"delete snapshot '{name}' of {self.name}"):
            frozen = snap.disk
            kids = self._children(frozen)
            if len(kids) == 1:
                self._merge(kids[0], frozen)
            for s in self._snapshots:
                if s.parent_uid == snap.uid:
                    s.parent_uid = snap.parent_uid
            if self._current_snapshot == snap.uid:
                self._current_snapshot = snap.parent_uid
            self._snapshots.remove(snap)
            self._log(f"SnapshotVMX_Delete: '{name}' uid={snap.uid}")

    def convert_to_template(self) -> None:
        """Mark as template: `<vm>.vmx` becomes `<vm>.vmtx`; it can no longer power on or snapshot.

        Then and now: the same in VirtualCenter 2 / ESX 3.x and today.
        """
        if self.template:
            raise ValueError(f"{self.name} is already a template")
        if self.state != "poweredOff":
            raise ValueError(f"{self.name} must be powered off to become a template (it is {self.state})")
        with self.ds._transaction(self, f"convert {self.name} to a template"):
            self.template = True

    def convert_to_vm(self) -> None:
        """Turn a template back into a VM (`.vmtx` -> `.vmx`)."""
        if not self.template:
            raise ValueError(f"{self.name} is not a template")
        self.template = False

    # ---------------------------------------------------------------- internals
    def _not_template(self, what: str) -> None:
        if self.template:
            raise ValueError(f"{self.name} is a template: cannot {what}; convert_to_vm() first")

    def _swap_hint(self) -> str:
        return (f"the .vswp needs {self.memory_mb - self.memory_reservation_mb} MiB (configured "
                f"{self.memory_mb} MiB - reservation {self.memory_reservation_mb} MiB) plus "
                f"{VMX_SWAP_BYTES // MiB} MiB for vmx-*.vswp (ESX: 'Failed to extend swap file'); "
                f"free space or raise the memory reservation")

    def _snapshot(self, name: str) -> _Snapshot:
        for s in self._snapshots:
            if s.name == name:
                return s
        known = ", ".join(repr(n) for n in self.snapshot_names) or "none"
        raise ValueError(f"{self.name} has no snapshot called '{name}' (snapshots: {known})")

    def _children(self, disk: _Disk) -> list[_Disk]:
        return [d for d in self._disks if d.parent is disk]

    def _start_vmx(self, why: str) -> None:
        self._has_nvram = True
        self._powered_on_once = True
        # ESX renumbers upwards (open-vm-tools FileRotateByRenumber, "optimized for vmfs"): the log just
        # closed becomes vmware-N.log with N one above the newest old log, and the lowest numbers go.
        if self._logs:
            newest = max((log.number for log in self._logs[1:]), default=0)
            self._logs[0].number = newest + 1
        keep = max(0, self.log_keep_old)
        old = sorted(self._logs, key=lambda log: log.number, reverse=True)[:keep]
        self._logs = [_Log()] + old
        self.state = "poweredOn"
        self._log(f"Log for VMware ESX pid={self.ds._rng.randrange(100000, 3000000)} "
                  f"version=8.0.2")
        self._log(f"{why}: swap file {self.swap_name} ({self.swap_bytes // MiB} MiB)")

    def _stop_vmx(self, why: str) -> None:
        self._log(why)
        self.state = "poweredOff"
        self._log("VMX exit (0).")

    def _log(self, message: str) -> None:
        if self._logs:
            stamp = self.ds._now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            self._logs[0].lines.append(f"{stamp}| vmx| I005: {message}")

    def _new_delta(self, parent: _Disk) -> _Disk:
        used = {d.name for d in self._disks}
        n = 1
        while f"{self.name}-{n:06d}.vmdk" in used:
            n += 1
        # VMFS6 always uses SEsparse; VMFS5 too for disks of 2 TB and more
        big = parent.capacity_bytes >= 2 * 1024**4
        fmt = "seSparse" if self.ds.vmfs_version >= 6 or big else "vmfsSparse"
        suffix = "sesparse" if fmt == "seSparse" else "delta"
        disk = _Disk(f"{self.name}-{n:06d}.vmdk", f"{self.name}-{n:06d}-{suffix}.vmdk",
                     parent.capacity_bytes, self.ds._new_cid(), parent=parent,
                     sparse_format=fmt)
        disk.allocated_bytes = disk.metadata_bytes
        self._disks.append(disk)
        return disk

    def _merge(self, child: _Disk, into: _Disk) -> None:
        if into.thin or into.is_delta:
            into.allocated_bytes = min(into.limit_bytes, into.allocated_bytes + child.data_bytes)
        into.cid = self.ds._new_cid()  # its content changed
        for d in self._children(child):
            d.parent = into
        for s in self._snapshots:
            if s.disk is child:
                s.disk = into
        if self._current is child:
            self._current = into
        self._disks.remove(child)

    # ---------------------------------------------------------------- file texts
    def _vmx_text(self) -> str:
        d = DictFile()
        rows = {
            ".encoding": "UTF-8",
            "config.version": "8",
            "virtualHW.version": str(VIRTUAL_HW_VERSION),
            "displayName": self.name,
            "guestOS": "otherlinux-64",
            "memSize": str(self.memory_mb),
            "numvcpus": "1",
            "sched.mem.min": str(self.memory_reservation_mb),
            "sched.mem.minSize": str(self.memory_reservation_mb),
            "sched.mem.shares": "normal",
            "scsi0.present": "TRUE",
            "scsi0.virtualDev": "pvscsi",
            "scsi0:0.present": "TRUE",
            "scsi0:0.deviceType": "scsi-hardDisk",
            "scsi0:0.fileName": self._current.name,
            "floppy0.present": "FALSE",
            "nvram": f"{self.name}.nvram",
            "extendedConfigFile": f"{self.name}.vmxf",
            "uuid.bios": self._uuid,
            "vc.uuid": self._uuid,
        }
        if self._powered_on_once:
            rows["sched.swap.derivedName"] = (
                f"/vmfs/volumes/{self.ds.volume_uuid}/{self.name}/{self.swap_name}")
        rows["checkpoint.vmState"] = f"{self.name}.vmss" if self.state == "suspended" else ""
        if self.template:
            rows["templateVM"] = "TRUE"
        rows.update(self.extra_config)
        for k, v in rows.items():
            d[k] = v
        return d.to_text()

    def _vmxf_text(self) -> str:
        return (
            '<?xml version="1.0"?>\n<Foundry>\n<VM>\n'
            f'<VMId type="string">{self._uuid}</VMId>\n'
            "<ClientMetaData>\n<clientMetaDataAttributes/>\n<HistoryEventList/></ClientMetaData>\n"
            f'<vmxPathName type="string">{self.name}.vmx</vmxPathName></VM></Foundry>\n'
        )

    def _vmsd_text(self) -> str:
        """Empty until the first snapshot; afterwards it keeps snapshot.lastUID even when empty."""
        if not self._vmsd_written:
            return ""
        entries = [
            SnapshotEntry(s.uid, f"{self.name}-Snapshot{s.uid}.vmsn", s.name, s.created, s.parent_uid,
                          s.description, [SnapshotDisk("scsi0:0", s.disk.name)])
            for s in self._snapshots
        ]
        return SnapshotDatabase(entries, self._last_uid, self._current_snapshot).to_text()

    def _descriptor(self, disk: _Disk) -> VmdkDescriptor:
        sectors = disk.capacity_bytes // SECTOR_BYTES
        ddb = {}
        if disk.is_delta:
            extent_type = "SESPARSE" if disk.sparse_format == "seSparse" else "VMFSSPARSE"
            if disk.sparse_format == "seSparse":
                ddb["ddb.grain"] = "8"  # 8 sectors = 4 KB grains
        else:
            extent_type = "VMFS"
            ddb = {
                "ddb.adapterType": "lsilogic",
                "ddb.geometry.cylinders": str(max(1, sectors // (255 * 63))),
                "ddb.geometry.heads": "255",
                "ddb.geometry.sectors": "63",
            }
        # ESXi's longContentID ends with the CID (as in the corpus descriptors)
        ddb["ddb.longContentID"] = f"{disk.cid * 2654435761 % 2**96:024x}{disk.cid:08x}"
        if not disk.is_delta:
            if disk.thin:
                ddb["ddb.thinProvisioned"] = "1"
            ddb["ddb.uuid"] = self._uuid
            ddb["ddb.virtualHWVersion"] = str(VIRTUAL_HW_VERSION)
        return VmdkDescriptor(
            create_type=disk.sparse_format if disk.is_delta else "vmfs",
            extents=[Extent("RW", sectors, extent_type, disk.extent_name)],
            cid=disk.cid,
            parent_cid=disk.parent.cid if disk.parent else 0xFFFFFFFF,
            parent_filename_hint=disk.parent.name if disk.parent else None,
            ddb=ddb,
        )


def human_size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"
