"""A datastore and the files ESXi keeps in each VM's folder, through a VM's whole life.

Imitates today's ESXi (8.x on VMFS6) at the level of `ls -l /vmfs/volumes/<ds>/<vm>/`: which files
each operation creates, changes and removes, their names and sizes, and the datastore's free space.

    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=4096, disk_gb=40, thin=True)
    vm.power_on(); vm.guest_write(500); vm.snapshot("before patch"); vm.files()

Rules it follows (sources: datasets/datastore_files.csv and the sources its rows cite):
- create: `<vm>.vmx`, `<vm>.vmxf`, an empty `<vm>.vmsd`, `<vm>.vmdk` (descriptor) and `<vm>-flat.vmdk`
  (thick: the full size; thin: the bytes written so far).
- power-on: `<vm>.nvram` (first time), `<vm>-<8hex>.vswp` of configured memory minus reservation,
  `vmx-<vm>-<n>-1.vswp` (VMX overhead swap, `VMX_SWAP_BYTES`; sources give only `vmx-<vm>*.vswp`,
  the `<n>-1` tail is an assumption), `vmware.log` (the previous one becomes vmware-N.log, N one
  above the newest old log, as ESX numbers them; the lowest numbers go beyond `log.keepOld`,
  default 10). Power-off removes both swap files.
- snapshot: `<vm>-Snapshot<uid>.vmsn` (+ `.vmem` of configured memory when memory=True) and a new delta
  `<vm>-00000N.vmdk` + `-sesparse.vmdk` (VMFS6; `-delta.vmdk` on VMFS5/3), almost empty at first
  (header and grain directory) and growing as the guest writes, whose parentCID is its parent's
  CID; the .vmx then points at the delta; the .vmsd lists the tree.
- suspend: a small `<vm>.vmss` (device state) and `<vm>.vmem` of configured memory; the swap files
  go (the VMX process exits); resume reverses.
- template: `<vm>.vmx` becomes `<vm>.vmtx`.
- delete a snapshot: its delta is merged into the disk it froze (consolidation); revert: the current
  delta is discarded and a new one started.

Then and now (ESX 3.x): the per-VM .vswp already existed (ESX 2.x swapped to one host-wide file), but
`vmx-*.vswp` came with ESXi 5.0; deltas were vmfsSparse `-delta.vmdk` on VMFS3 (`vmfs_version=3`);
ESX 3.0 kept 6 old logs; a suspended VM's memory and a memory snapshot's memory lived inside the
.vmss / .vmsn (today: separate .vmem files); templates were already .vmtx files.

Left out: more than one disk per VM, changed block tracking files, .hlog (vMotion), the host's own
files, VMFS block rounding and the space a consolidation needs while it runs. Sizes of the small
binary files are typical values, not exact ones. Deterministic: CIDs, UUIDs and hashes come from `seed`.
`.vmtm` is not modelled: it holds VMware Workstation "team" settings, and ESXi never writes it.
"""
from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vlab.formats.vmdk import SECTOR_BYTES, cowd_header, sesparse_header
from vlab.models.datastore.vm import (
    LOG_KEEP_OLD_DEFAULT,
    MAX_SNAPSHOT_CHAIN,
    NVRAM_BYTES,
    POWER_STATES,
    SUSPEND_STATE_BYTES,
    VIRTUAL_HW_VERSION,
    VMSN_BYTES,
    VMX_SWAP_BYTES,
    GiB,
    MiB,
    VirtualMachine,
    VmFile,
    human_size,
)

WARN_USED_FRACTIONS = (0.75, 0.85)  # vCenter's default datastore-usage alarm: yellow, red
_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # the model's clock starts here, one minute per operation

__all__ = [
    "LOG_KEEP_OLD_DEFAULT",
    "MAX_SNAPSHOT_CHAIN",
    "NVRAM_BYTES",
    "POWER_STATES",
    "SUSPEND_STATE_BYTES",
    "VIRTUAL_HW_VERSION",
    "VMSN_BYTES",
    "VMX_SWAP_BYTES",
    "WARN_USED_FRACTIONS",
    "Datastore",
    "DatastoreFullError",
    "GiB",
    "MiB",
    "VirtualMachine",
    "VmFile",
]


class DatastoreFullError(ValueError):
    """An operation needs more space than the datastore has free; nothing was changed."""


class Datastore:
    """A VMFS datastore holding VM folders, with space accounting.

    `capacity_gb` is in GiB (what vSphere calls GB). `seed` makes CIDs, UUIDs and file hashes
    repeatable. `vmfs_version` 6 (today) makes SEsparse deltas; 5 or 3 make vmfsSparse
    `-delta.vmdk` ones, as ESX 3.x did. `warnings` collects overcommit and fill-level warnings.
    """

    def __init__(self, name: str, capacity_gb: float, seed: int = 0, vmfs_version: int = 6) -> None:
        if not name or "/" in name:
            raise ValueError("a datastore needs a name without '/'")
        if not capacity_gb > 0:
            raise ValueError(f"capacity_gb must be more than 0, got {capacity_gb}")
        if vmfs_version not in (3, 5, 6):
            raise ValueError("vmfs_version is 3, 5 or 6")
        self.name = name
        self.capacity_bytes = int(capacity_gb * GiB)
        self.vmfs_version = vmfs_version
        self.warnings: list[str] = []
        self._rng = random.Random(seed)
        self._vms: dict[str, VirtualMachine] = {}
        self._step = 0
        self.volume_uuid = (f"{self._rng.getrandbits(32):08x}-{self._rng.getrandbits(32):08x}-"
                            f"{self._rng.getrandbits(16):04x}-{self._rng.getrandbits(48):012x}")

    @property
    def vms(self) -> list[VirtualMachine]:
        return list(self._vms.values())

    def vm(self, name: str) -> VirtualMachine:
        try:
            return self._vms[name]
        except KeyError:
            raise ValueError(f"{self.name} has no VM called '{name}'") from None

    def create_vm(self, name: str, memory_mb: int, disk_gb: float, thin: bool = False,
                  memory_reservation_mb: int = 0) -> VirtualMachine:
        """Create a VM folder: .vmx, .vmxf, empty .vmsd, disk descriptor and -flat.vmdk.

        Then and now: ESX 3.x created the same set (its .vmxf held VirtualCenter metadata too).
        """
        if not name or name != name.strip() or any(c in name for c in '/\\"\n\r\t') or name[0] == ".":
            raise ValueError(f"'{name}' is not a usable VM name (no slashes, quotes or leading dot)")
        if name in self._vms:
            raise ValueError(f"{self.name} already has a VM called '{name}'")
        if not isinstance(memory_mb, int) or memory_mb <= 0 or memory_mb % 4:
            raise ValueError(f"memory_mb must be a positive multiple of 4, got {memory_mb}")
        if not 0 <= memory_reservation_mb <= memory_mb:
            raise ValueError(f"memory_reservation_mb must be between 0 and memory_mb ({memory_mb})")
        if not disk_gb > 0:
            raise ValueError(f"disk_gb must be more than 0, got {disk_gb}")
        vm = VirtualMachine(self, name, memory_mb, disk_gb, thin, memory_reservation_mb)
        self._vms[name] = vm
        self._tick()
        if self.used_bytes() > self.capacity_bytes:
            del self._vms[name]
            raise DatastoreFullError(
                f"create {name}: a thick {disk_gb} GiB disk does not fit in {human_size(self.free_bytes())} "
                f"free on {self.name}; make it thin or smaller")
        self._check_levels()
        return vm

    def delete_vm(self, name: str) -> None:
        """"Delete from disk": the VM's whole folder goes (it must be powered off or suspended)."""
        vm = self.vm(name)
        if vm.state == "poweredOn":
            raise ValueError(f"{name} is powered on: power it off before deleting it from disk")
        del self._vms[name]
        self._tick()

    def used_bytes(self) -> int:
        return sum(vm.used_bytes() for vm in self._vms.values())

    def free_bytes(self) -> int:
        return self.capacity_bytes - self.used_bytes()

    def provisioned_bytes(self) -> int:
        """Space every VM could take at once (thin disks and deltas full, swap files present)."""
        return sum(vm.provisioned_bytes() for vm in self._vms.values())

    def files(self) -> dict[str, list[VmFile]]:
        return {name: vm.files() for name, vm in self._vms.items()}

    def materialize(self, path: str | Path) -> Path:
        """Write every VM's folder under `path`: text files in their real formats, binary files
        (extents, swap, memory, state) as sparse files of the right size. Returns `path`.

        Writing again after more operations brings each folder up to date: files ESX would have
        removed (a .vswp after power-off, a merged delta) are deleted; files that are not ESX's
        (vm_folder kind "other") and folders of deleted VMs are left alone.
        """
        from vlab.models.datastore.vm_folder import classify_file

        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        for vm in self._vms.values():
            folder = root / vm.name
            folder.mkdir(exist_ok=True)
            files = vm.files()
            keep = {f.name for f in files}
            for old in folder.iterdir():
                if old.is_file() and old.name not in keep and classify_file(old.name) != "other":
                    old.unlink()
            for f in files:
                target = folder / f.name
                if f.kind in ("vmx", "vmtx", "vmxf", "vmsd", "disk-descriptor", "delta-descriptor", "log"):
                    target.write_bytes(vm.file_text(f.name).encode())
                else:
                    with target.open("wb") as out:
                        out.write(_binary_header(vm, f))
                        out.truncate(f.size_bytes)
        return root

    # ---------------------------------------------------------------- internals
    @property
    def _now(self) -> datetime:
        return _EPOCH + timedelta(minutes=self._step)

    def _tick(self) -> None:
        self._step += 1

    def _new_cid(self) -> int:
        while True:
            cid = self._rng.getrandbits(32)
            if cid < 0xFFFFFFFE:
                return cid

    def _uuid(self) -> str:
        raw = f"{self._rng.getrandbits(128):032x}"
        pairs = [raw[i:i + 2] for i in range(0, 32, 2)]
        return " ".join(pairs[:8]) + "-" + " ".join(pairs[8:])

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _check_levels(self) -> None:
        used = self.used_bytes()
        for fraction in WARN_USED_FRACTIONS:
            if used >= fraction * self.capacity_bytes:
                self._warn(f"{self.name} is over {fraction:.0%} full ({human_size(self.free_bytes())} free)")
        provisioned = self.provisioned_bytes()
        if provisioned > self.capacity_bytes:
            self._warn(f"{self.name} is overcommitted: {human_size(provisioned)} provisioned on "
                       f"{human_size(self.capacity_bytes)}; thin disks and snapshots can fill it")

    def _transaction(self, vm: VirtualMachine, what: str, hint: str = "") -> _Transaction:
        return _Transaction(self, vm, what, hint)


class _Transaction:
    """Runs one operation; if the datastore would overflow, puts the VM back and raises."""

    def __init__(self, ds: Datastore, vm: VirtualMachine, what: str, hint: str) -> None:
        self.ds, self.vm, self.what, self.hint = ds, vm, what, hint

    def __enter__(self) -> None:
        self.saved = copy.deepcopy(self.vm.__dict__, memo={id(self.ds): self.ds})
        self.rng_state = self.ds._rng.getstate()
        self.free_before = self.ds.free_bytes()
        self.ds._tick()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None and self.ds.used_bytes() > self.ds.capacity_bytes:
            need = self.free_before - self.ds.free_bytes()
            self._restore()
            hint = f": {self.hint}" if self.hint else ""
            raise DatastoreFullError(
                f"cannot {self.what}: needs {human_size(need)} more but {self.ds.name} has "
                f"{human_size(self.free_before)} free{hint}")
        if exc_type is not None:
            self._restore()
            return False
        self.ds._check_levels()
        return False

    def _restore(self) -> None:
        self.vm.__dict__.clear()
        self.vm.__dict__.update(self.saved)
        self.ds._rng.setstate(self.rng_state)
        self.ds._step -= 1


def _binary_header(vm: VirtualMachine, f: VmFile) -> bytes:
    """Delta extents start with their format's header so qemu-img can open a materialized chain;
    every other binary file is all zeros."""
    if f.kind != "delta-extent":
        return b""
    disk = next(d for d in vm._disks if d.extent_name == f.name)
    sectors = disk.capacity_bytes // SECTOR_BYTES
    return cowd_header(sectors) if disk.sparse_format == "vmfsSparse" else sesparse_header(sectors)
