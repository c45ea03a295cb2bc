"""Backing up the VMs of one VMFS datastore three ways, and restoring one VM's disk after deletion.

The notes' two "Backup Options" for a datastore on a CLARiiON CX300, plus today's way:

- `lun_copy`: the array copies the whole LUN (EMC SnapView; a clone is a full copy of the source
  LUN). Seamless, no downtime, and the backup traffic never crosses the VMs' networks (the notes:
  "separates DMZ LAN from production LAN"). But a restore puts back the whole LUN: restoring one
  deleted VM rolls every other VM on the LUN back to the copy's point in time.
- `vcb`: VMware Consolidated Backup (ESX 3.x). A proxy snapshots each VM (so it keeps running),
  copies its vmdk, then deletes the snapshot. Restores are per vmdk ("granular"), but every backup
  is a full copy, and in SAN mode the VMFS LUN is zoned to the proxy, a Windows server that also
  sits on the management and internal networks (the notes: "single LUN exposed").
- `vadp_cbt`: vSphere Storage APIs for Data Protection with changed block tracking (vSphere 4.0+).
  Same snapshot-and-copy, but after one full copy each backup copies only the blocks
  QueryChangedDiskAreas lists as changed since the last one; CBT keeps its map in `<vm>-ctk.vmdk`.
  The proxy reads over SAN (LUN zoned to it), HotAdd (a proxy VM mounts the disk) or NBD (the
  host's management network), so only SAN transport exposes the LUN.

Two layers, both hand-checkable:
- `ProtectedDatastore`: a stateful drill on `vlab.models.datastore.volume.Datastore`. VMs are created on the
  datastore, guests write blocks (tracked per 1 MiB block), backups snapshot the VM on the datastore
  while they copy, a VM is deleted from disk and restored. Bytes copied: LUN copy = the LUN's
  capacity; full = the disk's allocated bytes (`ls -l` size of the flat extent: thick = capacity,
  thin = bytes written); CBT incremental = distinct blocks changed since the last backup.
- `plan_outcomes(BackupPlan)`: the same rules as closed-form arithmetic for a whole datastore
  (used by the lab's panel): backup window, restore time, data at risk, VMs rolled back.

Left out: compression and deduplication, backup media and retention, file-level (in-guest) restore,
SnapView's copy-on-first-write snapshots and a clone's incremental resynchronisation (every LUN copy
here is a full copy), mounting a LUN copy as a second datastore to copy one VM out (today's
workaround), quiescing (VSS), the time a snapshot consolidation takes, and CBT's real tracking
granularity (it depends on the disk's size; here 1 MiB blocks). MB means MiB throughout.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from vlab.models.datastore.volume import Datastore, MiB

GiB = 1024 * MiB
OPTIONS = ("lun_copy", "vcb", "vadp_cbt")
OPTION_LABELS = {"lun_copy": "Array LUN copy (SnapView)", "vcb": "VCB proxy (per vmdk)",
                 "vadp_cbt": "VADP + CBT (per vmdk)"}
TRANSPORTS = ("san", "hotadd", "nbd")
CTK_BYTES_PER_10_GIB = MiB // 2  # -ctk.vmdk: about 0.5 MB per 10 GB of disk (vladan.fr, vslapp)
BLOCK_MB = 1  # the drill tracks changes per 1 MiB block (VMFS6's file block size)


def _check_option(option: str) -> None:
    if option not in OPTIONS:
        raise ValueError(f"option must be one of {', '.join(OPTIONS)}, got '{option}'")


def _check_transport(transport: str) -> None:
    if transport not in TRANSPORTS:
        raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, got '{transport}'")


def _positive(name: str, value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a number above 0, got {value!r}")


def lun_exposed_to_proxy(option: str, transport: str) -> bool:
    """True when the VMFS LUN must be zoned/masked to the backup proxy (proxy options, SAN mode)."""
    _check_option(option)
    _check_transport(transport)
    return option != "lun_copy" and transport == "san"


def ctk_file_bytes(disk_gb: float) -> int:
    """Typical size of a disk's `-ctk.vmdk` change-tracking file (about 0.5 MB per 10 GB)."""
    _positive("disk_gb", disk_gb)
    return max(1, round(disk_gb / 10 * CTK_BYTES_PER_10_GIB))


# ---------------------------------------------------------------------------- the stateful drill
@dataclass
class BackupJob:
    """One backup run of one option over every VM on the datastore."""

    option: str
    transport: str
    kind: str  # "lun copy", "full" or "incremental" (VADP's first run is full)
    bytes_by_vm: dict[str, int]  # for a LUN copy: {"<LUN>": capacity}
    bandwidth_mb_s: float
    hour: float
    snapshot_files: dict[str, list[str]] = field(default_factory=dict)  # seen while each VM copied
    lun_exposed_to_proxy: bool = False
    management_network_bytes: int = 0  # NBD reads cross the hosts' management network

    @property
    def bytes_copied(self) -> int:
        return sum(self.bytes_by_vm.values())

    @property
    def window_s(self) -> float:
        return self.bytes_copied / (self.bandwidth_mb_s * MiB)


@dataclass
class RestoreResult:
    """Restoring one VM's disk with one option: what was possible and what it cost."""

    option: str
    vm: str
    possible: bool
    reason: str
    bytes_copied: int = 0
    restore_s: float = 0.0
    hours_since_backup: float = 0.0
    data_lost_bytes: int = 0  # the VM's own changes since the backup it came back from
    rolled_back: dict[str, int] = field(default_factory=dict)  # other VM -> its changes undone

    @property
    def side_effect_bytes(self) -> int:
        return sum(self.rolled_back.values())


@dataclass
class _Tracked:
    memory_mb: int
    disk_gb: float
    thin: bool
    version: dict[int, int] = field(default_factory=dict)  # block -> the write that last hit it
    cbt: bool = False

    @property
    def blocks(self) -> int:
        return round(self.disk_gb * GiB / (BLOCK_MB * MiB))

    def changed_since(self, copy: _VmCopy | None) -> int:
        """Blocks written since `copy` was taken (all written blocks when there is no copy)."""
        if copy is None:
            return len(self.version)
        return sum(1 for b, v in self.version.items() if copy.version.get(b) != v)


@dataclass(frozen=True)
class _VmCopy:
    """What a backup holds of one VM: its configuration and its blocks at that time."""

    memory_mb: int
    disk_gb: float
    thin: bool
    version: dict[int, int]
    hour: float
    cbt: bool


class ProtectedDatastore:
    """A datastore (the LUN) whose VMs are protected by the three options at once.

    `ds` is a `vlab.models.datastore.volume.Datastore`; `seed` drives which blocks random writes hit.
    Times are in hours on the drill's own clock (`advance`). Each option keeps its own last backup
    of each VM; "changed since a backup" means written after it (CBT counts a rewrite of the same
    data as a change too). A restored disk starts a new change-tracking history, so its next VADP
    backup is a full one.
    """

    def __init__(self, ds: Datastore, seed: int = 0) -> None:
        if not isinstance(ds, Datastore):
            raise ValueError("ProtectedDatastore needs a vlab.models.datastore.volume.Datastore")
        self.ds = ds
        self.hour = 0.0
        self._rng = random.Random(seed)
        self._write_seq = 0
        self._vms: dict[str, _Tracked] = {}
        self._deleted: dict[str, _Tracked] = {}
        self._lun_copy: dict[str, _VmCopy] | None = None
        self._lun_copy_hour = 0.0
        self._copies: dict[str, dict[str, _VmCopy]] = {"vcb": {}, "vadp_cbt": {}}

    # ------------------------------------------------------------------ the VMs
    @property
    def vm_names(self) -> list[str]:
        return list(self._vms)

    def create_vm(self, name: str, memory_mb: int, disk_gb: float, thin: bool = False,
                  used_gb: float = 0.0) -> None:
        """Create and power on a VM; its guest then writes `used_gb` of data from block 0."""
        if name in self._deleted:
            raise ValueError(f"'{name}' was deleted and awaits a restore; pick another name")
        vm = self.ds.create_vm(name, memory_mb, disk_gb, thin=thin)
        vm.power_on()
        self._vms[name] = _Tracked(memory_mb, disk_gb, thin)
        if used_gb:
            self.guest_write(name, used_gb * 1024, offset_mb=0)

    def enable_cbt(self, name: str) -> None:
        """Turn on changed block tracking: `ctkEnabled` and `scsi0:0.ctkEnabled` in the .vmx."""
        vm = self.ds.vm(name)
        vm.set_config("ctkEnabled", "TRUE")
        vm.set_config("scsi0:0.ctkEnabled", "TRUE")
        self._tracked(name).cbt = True

    def ctk_files(self, name: str) -> list[tuple[str, int]]:
        """The change-tracking files CBT keeps next to each disk of the chain (name, bytes); the
        datastore model itself does not list them."""
        t = self._tracked(name)
        if not t.cbt:
            return []
        return [(disk.removesuffix(".vmdk") + "-ctk.vmdk", ctk_file_bytes(t.disk_gb))
                for disk in reversed(self.ds.vm(name).chain())]

    def changed_bytes(self, option: str, name: str) -> int:
        """Bytes VM `name` wrote since `option`'s last backup of it (all of them if none)."""
        _check_option(option)
        t = self._vms.get(name) or self._deleted.get(name)
        if t is None:
            raise ValueError(f"{self.ds.name} has no VM called '{name}'")
        return t.changed_since(self._copy_for(option, name)) * BLOCK_MB * MiB

    def guest_write(self, name: str, mb: float, offset_mb: float | None = None) -> int:
        """The guest writes `mb` MiB: at `offset_mb` (contiguous) or on random distinct blocks.

        Returns how many of those blocks were never written before (a thin disk grows by them).
        """
        t = self._tracked(name)
        if mb < 0:
            raise ValueError("mb must be 0 or more")
        count = min(t.blocks, round(mb / BLOCK_MB))
        if offset_mb is None:
            blocks = self._rng.sample(range(t.blocks), count)
        else:
            start = round(offset_mb / BLOCK_MB)
            if start < 0 or start + count > t.blocks:
                raise ValueError(f"blocks {start}..{start + count - 1} are outside {name}'s "
                                 f"{t.blocks} blocks")
            blocks = range(start, start + count)
        new = sum(1 for b in blocks if b not in t.version)
        vm = self.ds.vm(name)
        on_base = vm.current_disk == vm.chain()[-1]
        if not on_base:
            vm.guest_write(count * BLOCK_MB)  # a snapshot is open: the delta takes the writes
        elif t.thin:
            vm.guest_write(new * BLOCK_MB)  # a thin base grows by the blocks new to it
        self._write_seq += 1
        for b in blocks:
            t.version[b] = self._write_seq
        return new

    def advance(self, hours: float, daily_change_pct: float = 0.0) -> None:
        """Let time pass; each VM's guest rewrites `daily_change_pct` % of its disk per day."""
        if hours < 0 or not 0 <= daily_change_pct <= 100:
            raise ValueError("hours must be 0 or more and daily_change_pct between 0 and 100")
        self.hour += hours
        for name, t in list(self._vms.items()):
            mb = t.disk_gb * 1024 * daily_change_pct / 100 * hours / 24
            if mb:
                self.guest_write(name, mb)

    def delete_vm(self, name: str) -> None:
        """Someone powers the VM off and deletes it from disk: its folder is gone."""
        self._tracked(name)
        vm = self.ds.vm(name)
        if vm.state != "poweredOff":
            vm.power_off()
        self.ds.delete_vm(name)
        self._deleted[name] = self._vms.pop(name)

    def allocated_bytes(self, name: str) -> int:
        """The disk's flat extent size on the datastore (thick: its capacity; thin: bytes written)."""
        self._tracked(name)
        return next(f.size_bytes for f in self.ds.vm(name).files() if f.kind == "flat-extent")

    # ------------------------------------------------------------------ backups
    def backup(self, option: str, bandwidth_mb_s: float, transport: str = "san",
               writes_during_mb: float = 0.0) -> BackupJob:
        """Back up every VM with `option`. Proxy options snapshot each VM while copying it (the guest
        keeps running and may write `writes_during_mb` into the delta), then delete the snapshot.
        VADP copies a VM in full the first time (CBT is switched on then) and incrementally after.
        """
        _check_option(option)
        _check_transport(transport)
        _positive("bandwidth_mb_s", bandwidth_mb_s)
        if option == "lun_copy":
            self._lun_copy = {n: self._copy_of(n) for n in self._vms}
            self._lun_copy_hour = self.hour
            return BackupJob(option, "array", "lun copy",
                             {f"<LUN {self.ds.name}>": self.ds.capacity_bytes}, bandwidth_mb_s,
                             self.hour)
        copies = self._copies[option]
        job = BackupJob(option, transport, "", {}, bandwidth_mb_s, self.hour,
                        lun_exposed_to_proxy=lun_exposed_to_proxy(option, transport))
        kinds = set()
        for name, t in self._vms.items():
            vm = self.ds.vm(name)
            incremental = option == "vadp_cbt" and t.cbt and name in copies
            if option == "vadp_cbt" and not t.cbt:
                self.enable_cbt(name)
            label = f"{option} backup {self.hour:g}h"
            vm.snapshot(label)
            job.snapshot_files[name] = [f.name for f in vm.files()
                                        if f.kind in ("delta-descriptor", "delta-extent", "vmsn")]
            job.snapshot_files[name] += [n for n, _size in self.ctk_files(name)]
            if incremental:
                job.bytes_by_vm[name] = t.changed_since(copies[name]) * BLOCK_MB * MiB
            else:
                job.bytes_by_vm[name] = self.allocated_bytes(name)
            kinds.add("incremental" if incremental else "full")
            copies[name] = self._copy_of(name)
            if writes_during_mb:
                self.guest_write(name, writes_during_mb)
            vm.delete_snapshot(label)
        job.kind = kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "full"
        if transport == "nbd":
            job.management_network_bytes = job.bytes_copied
        return job

    # ------------------------------------------------------------------ restores
    def restore_vm(self, option: str, name: str, bandwidth_mb_s: float) -> RestoreResult:
        """Bring back VM `name` (deleted from disk) from `option`'s last backup."""
        _check_option(option)
        _positive("bandwidth_mb_s", bandwidth_mb_s)
        if name not in self._deleted:
            known = ", ".join(self._deleted) or "none"
            raise ValueError(f"'{name}' is not a deleted VM (deleted VMs: {known})")
        lost = self._deleted[name]
        copy = self._copy_for(option, name)
        if copy is None:
            return RestoreResult(option, name, False,
                                 f"{OPTION_LABELS[option]} has no backup of {name} yet")
        data_lost = lost.changed_since(copy) * BLOCK_MB * MiB
        if option == "lun_copy":
            return self._restore_lun(name, data_lost, bandwidth_mb_s)
        del self._deleted[name]
        self._recreate(name, copy)
        restored = self.allocated_bytes(name)
        return RestoreResult(option, name, True,
                             f"{name}'s vmdk copied back from the {copy.hour:g} h backup; "
                             f"no other VM touched", restored, restored / (bandwidth_mb_s * MiB),
                             self.hour - copy.hour, data_lost)

    def _restore_lun(self, name: str, data_lost: int, bandwidth_mb_s: float) -> RestoreResult:
        copy = self._lun_copy or {}
        rolled = {n: t.changed_since(copy.get(n)) * BLOCK_MB * MiB for n, t in self._vms.items()}
        for other in list(self._vms):
            vm = self.ds.vm(other)
            if vm.state != "poweredOff":
                vm.power_off()
            self.ds.delete_vm(other)
            del self._vms[other]
        for vm_name, vm_copy in copy.items():
            self._deleted.pop(vm_name, None)
            self._recreate(vm_name, vm_copy)
        gone = [n for n in rolled if n not in copy]
        reason = (f"the whole LUN was put back to the {self._lun_copy_hour:g} h copy; every VM on "
                  f"it went back with it")
        if gone:
            reason += f" ({', '.join(gone)} did not exist then and are gone)"
        capacity = self.ds.capacity_bytes
        return RestoreResult("lun_copy", name, True, reason, capacity,
                             capacity / (bandwidth_mb_s * MiB), self.hour - self._lun_copy_hour,
                             data_lost, {n: b for n, b in rolled.items() if b})

    # ------------------------------------------------------------------ internals
    def _tracked(self, name: str) -> _Tracked:
        if name not in self._vms:
            raise ValueError(f"{self.ds.name} has no VM called '{name}' (VMs: {', '.join(self._vms)})")
        return self._vms[name]

    def _copy_for(self, option: str, name: str) -> _VmCopy | None:
        if option == "lun_copy":
            return (self._lun_copy or {}).get(name)
        return self._copies[option].get(name)

    def _copy_of(self, name: str) -> _VmCopy:
        t = self._vms[name]
        return _VmCopy(t.memory_mb, t.disk_gb, t.thin, dict(t.version), self.hour, t.cbt)

    def _recreate(self, name: str, copy: _VmCopy) -> None:
        vm = self.ds.create_vm(name, copy.memory_mb, copy.disk_gb, thin=copy.thin)
        vm.power_on()
        if copy.thin:
            vm.guest_write(len(copy.version) * BLOCK_MB)
        self._vms[name] = _Tracked(copy.memory_mb, copy.disk_gb, copy.thin, dict(copy.version))
        if copy.cbt:
            self.enable_cbt(name)
        self._copies["vadp_cbt"].pop(name, None)  # a new disk: CBT history starts again


# ---------------------------------------------------------------------------- closed-form plan
@dataclass(frozen=True)
class BackupPlan:
    """A datastore to protect: `vm_count` VMs of `disk_gb` each (thick, so allocated = disk_gb),
    `daily_change_pct` % of each disk rewritten per day, one copy path of `bandwidth_mb_s` for
    backups and restores, a backup every `interval_h` hours. The LUN is `lun_gb` (default: the VMs'
    disks plus 25 % headroom for swap files, logs and snapshots)."""

    vm_count: int = 8
    disk_gb: float = 40.0
    daily_change_pct: float = 5.0
    bandwidth_mb_s: float = 100.0
    interval_h: float = 24.0
    transport: str = "san"
    lun_gb: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.vm_count, int) or isinstance(self.vm_count, bool) or self.vm_count < 1:
            raise ValueError(f"vm_count must be a whole number of at least 1, got {self.vm_count!r}")
        for name in ("disk_gb", "bandwidth_mb_s", "interval_h"):
            _positive(name, getattr(self, name))
        if not 0 <= self.daily_change_pct <= 100:
            raise ValueError(f"daily_change_pct must be between 0 and 100, got {self.daily_change_pct}")
        _check_transport(self.transport)
        if self.lun_gb is not None and self.lun_gb < self.vm_count * self.disk_gb:
            raise ValueError(f"lun_gb ({self.lun_gb}) is smaller than {self.vm_count} disks of "
                             f"{self.disk_gb} GB; make it at least {self.vm_count * self.disk_gb:g}")

    @property
    def lun_bytes(self) -> int:
        gb = self.lun_gb if self.lun_gb is not None else self.vm_count * self.disk_gb * 1.25
        return round(gb * GiB)

    @property
    def disk_bytes(self) -> int:
        return round(self.disk_gb * GiB)

    def changed_bytes(self, hours: float) -> int:
        """One VM's data changed in `hours` (linear in time, at most the whole disk)."""
        return min(self.disk_bytes, round(self.disk_bytes * self.daily_change_pct / 100 * hours / 24))


@dataclass(frozen=True)
class OptionOutcome:
    """One option under a plan: a steady-state backup, and restoring one deleted VM just before the
    next backup would have run (the worst case: `interval_h` of changes since the last one)."""

    option: str
    label: str
    backup_bytes: int
    backup_window_h: float
    fits_interval: bool  # the backup finishes before the next one is due
    restore_bytes: int
    restore_min: float
    granular: bool  # one VM's disk can come back alone
    data_at_risk_gb: float  # the restored VM's own changes since its last backup
    rolled_back_vms: int  # other VMs put back in time by the restore
    rolled_back_gb: float  # their changes undone
    lun_exposed_to_proxy: bool
    vm_snapshot: bool  # a VMware snapshot is open on each VM while it is copied
    management_network_gb: float  # backup bytes over the hosts' management network (NBD)


def plan_outcomes(plan: BackupPlan) -> list[OptionOutcome]:
    """The three options under `plan`, in OPTIONS order (pure arithmetic; see the module docstring)."""
    bw = plan.bandwidth_mb_s * MiB
    lost = plan.changed_bytes(plan.interval_h)
    others = plan.vm_count - 1
    per_backup = {
        "lun_copy": plan.lun_bytes,
        "vcb": plan.vm_count * plan.disk_bytes,
        "vadp_cbt": plan.vm_count * lost,  # steady state: incrementals after the first full
    }
    out = []
    for option in OPTIONS:
        copied = per_backup[option]
        restore = plan.lun_bytes if option == "lun_copy" else plan.disk_bytes
        whole_lun = option == "lun_copy"
        window_h = copied / bw / 3600
        nbd = option != "lun_copy" and plan.transport == "nbd"
        out.append(OptionOutcome(
            option, OPTION_LABELS[option], copied, window_h, window_h <= plan.interval_h, restore,
            restore / bw / 60, not whole_lun, lost / GiB, others if whole_lun else 0,
            others * lost / GiB if whole_lun else 0.0,
            lun_exposed_to_proxy(option, plan.transport), not whole_lun,
            copied / GiB if nbd else 0.0))
    return out


# ---------------------------------------------------------------------------- the lab's drill
@dataclass(frozen=True)
class DrillScenario:
    """The lab's restore drill: `vm_count` thick VMs of `disk_gb` on one LUN, backed up by every
    option at hour 0, then `hours_since_backup` hours of guest changes at `daily_change_pct` % a
    day; then VM `victim` is deleted from disk and restored at `bandwidth_mb_s`."""

    vm_count: int = 4
    disk_gb: float = 8.0
    lun_gb: float = 40.0
    daily_change_pct: float = 5.0
    hours_since_backup: float = 6.0
    bandwidth_mb_s: float = 100.0
    victim: str = "vm01"
    transport: str = "hotadd"
    seed: int = 0

    @property
    def vm_names(self) -> list[str]:
        return [f"vm{i:02d}" for i in range(1, self.vm_count + 1)]


def run_restore_drill(scenario: DrillScenario, option: str) -> tuple[ProtectedDatastore, RestoreResult]:
    """Build the scenario on a fresh seeded datastore, lose `victim`, restore it with `option`."""
    _check_option(option)
    if scenario.victim not in scenario.vm_names:
        raise ValueError(f"victim must be one of {', '.join(scenario.vm_names)}")
    ds = Datastore("datastore1", scenario.lun_gb, seed=scenario.seed)
    p = ProtectedDatastore(ds, seed=scenario.seed)
    for name in scenario.vm_names:
        p.create_vm(name, 1024, scenario.disk_gb)
    for each in OPTIONS:
        p.backup(each, scenario.bandwidth_mb_s, transport=scenario.transport)
    p.advance(scenario.hours_since_backup, scenario.daily_change_pct)
    p.delete_vm(scenario.victim)
    return p, p.restore_vm(option, scenario.victim, scenario.bandwidth_mb_s)


__all__ = [
    "BLOCK_MB",
    "OPTIONS",
    "OPTION_LABELS",
    "TRANSPORTS",
    "BackupJob",
    "BackupPlan",
    "DrillScenario",
    "OptionOutcome",
    "ProtectedDatastore",
    "RestoreResult",
    "ctk_file_bytes",
    "lun_exposed_to_proxy",
    "plan_outcomes",
    "run_restore_drill",
]
