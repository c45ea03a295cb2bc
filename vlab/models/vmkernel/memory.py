"""VMkernel memory virtualization in miniature: three address spaces and transparent page sharing (TPS).

Imitates the notes' "physical virtual mapping" and "transparent page sharing": a guest maps its virtual
pages (GVPN) to what it believes is physical memory (guest physical pages, GPPN, its own page table); the
VMkernel maps each GPPN to a real machine page (MPN, the per-VM "pmap"). TPS scans guest pages, hashes
their contents, and where two pages hold the same bytes *and the same salt*, remaps both to one read-only
machine page; a later write to it is a copy-on-write fault that gives the writer a private copy again.
The guest never notices (it is *transparent*). Sources: VMware, *Understanding Memory Resource Management
in VMware ESX Server* (2009), sections 2.2 and 3.2; C. Waldspurger, "Memory Resource Management in VMware
ESX Server", OSDI 2002, section 4; salting: VMware KB 2097593 (Broadcom 323624).

Salt per VM (`Mem.ShareForceSalting`, host setting; `sched.mem.pshare.salt`, per VM .vmx option):
- 0: salting off, every VM shares with every VM (the ESX 3.x behaviour the notes describe);
- 1: a VM's salt is its `sched.mem.pshare.salt`; VMs without one all use the default salt and share;
- 2 (default since ESXi 6.0 and the 5.x updates of 2014-15): the salt is `sched.mem.pshare.salt` if set,
  otherwise the VM's unique `vc.uuid`, so by default pages are shared only within a VM.

Left out: shadow page tables and EPT/RVI (how the hardware walks the two mappings), large pages (which
ESX does not share until it must break them up), the scan rate, zero-page special cases, ballooning,
compression and swapping. Page contents are short byte strings standing in for 4 KB pages.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

PAGE_BYTES = 16  # a stand-in for a 4 KB page: enough to make distinct contents distinct
DEFAULT_SALT = "0"  # what salting 1 uses for a VM without sched.mem.pshare.salt (KB 2097593)
SALTING_MODES = (0, 1, 2)


@dataclass(frozen=True)
class VmMemory:
    """One VM: its guest physical pages' contents (index = GPPN) and the .vmx options TPS looks at."""

    name: str
    pages: tuple[bytes, ...]
    vc_uuid: str = ""
    pshare_salt: str | None = None  # sched.mem.pshare.salt; None = not present in the .vmx


def vm_salt(vm: VmMemory, salting: int) -> str:
    """The salt the VMkernel uses for `vm` under Mem.ShareForceSalting = `salting`."""
    if salting not in SALTING_MODES:
        raise ValueError(f"Mem.ShareForceSalting is 0, 1 or 2, not {salting!r}")
    if salting == 0:
        return DEFAULT_SALT
    if vm.pshare_salt is not None:
        return vm.pshare_salt
    return DEFAULT_SALT if salting == 1 else (vm.vc_uuid or f"uuid-{vm.name}")


@dataclass
class MachinePage:
    contents: bytes
    salt: str
    refs: int = 1
    shared: bool = False  # in the TPS hash table; read-only once a second guest page maps it


@dataclass(frozen=True)
class SharingStats:
    guest_pages: int
    machine_pages: int
    shared_machine_pages: int  # machine pages that back two or more guest pages
    cow_breaks: int

    @property
    def saved_pages(self) -> int:
        return self.guest_pages - self.machine_pages


@dataclass
class Host:
    """A host's machine memory and each VM's two mappings. Build with `Host.boot(vms, salting, seed)`."""

    salting: int
    salts: dict[str, str]
    guest_page_table: dict[str, list[int]]  # per VM: GVPN -> GPPN (the guest OS's page table)
    pmap: dict[str, list[int]]  # per VM: GPPN -> MPN (the VMkernel's map)
    frames: dict[int, MachinePage] = field(default_factory=dict)
    hash_table: dict[tuple[str, bytes], int] = field(default_factory=dict)  # (salt, hash) -> MPN
    cow_breaks: int = 0
    _next_mpn: int = 0

    @classmethod
    def boot(cls, vms: list[VmMemory], salting: int = 2, seed: int = 0) -> Host:
        """Power the VMs on: every guest page gets a private machine page; guest page tables are shuffled."""
        names = [vm.name for vm in vms]
        if not vms or len(set(names)) != len(names):
            raise ValueError(f"give at least one VM, with unique names: {names}")
        rng = random.Random(seed)
        host = cls(salting, {vm.name: vm_salt(vm, salting) for vm in vms}, {}, {})
        for vm in vms:
            order = list(range(len(vm.pages)))
            rng.shuffle(order)  # a guest maps its virtual pages anywhere in its "physical" memory
            host.guest_page_table[vm.name] = order
            host.pmap[vm.name] = [host._allocate(page, host.salts[vm.name]) for page in vm.pages]
        return host

    def _allocate(self, contents: bytes, salt: str) -> int:
        mpn = self._next_mpn
        self._next_mpn += 1
        self.frames[mpn] = MachinePage(contents, salt)
        return mpn

    def _release(self, mpn: int) -> None:
        frame = self.frames[mpn]
        frame.refs -= 1
        if frame.refs == 0:
            if frame.shared:
                del self.hash_table[(frame.salt, _page_hash(frame.contents))]
            del self.frames[mpn]

    def translate(self, vm: str, gvpn: int) -> tuple[int, int]:
        """Guest virtual page -> (guest physical page, machine page): the two mappings in turn."""
        gppn = self._table(vm)[gvpn]
        return gppn, self.pmap[vm][gppn]

    def read(self, vm: str, gvpn: int) -> bytes:
        return self.frames[self.translate(vm, gvpn)[1]].contents

    def write(self, vm: str, gvpn: int, contents: bytes) -> None:
        """A guest store. On a shared page this is the copy-on-write fault: a private copy first."""
        gppn, mpn = self.translate(vm, gvpn)
        frame = self.frames[mpn]
        if frame.shared and frame.refs > 1:
            self.cow_breaks += 1
            self._release(mpn)
            self.pmap[vm][gppn] = self._allocate(contents, self.salts[vm])
            return
        if frame.shared:  # hashed but nobody joined it yet: leave the table, write in place
            del self.hash_table[(frame.salt, _page_hash(frame.contents))]
            frame.shared = False
        frame.contents = contents

    def scan(self) -> int:
        """One TPS pass over every guest page; returns how many guest pages were newly shared."""
        newly = 0
        for pmap in self.pmap.values():
            for gppn, mpn in enumerate(pmap):
                frame = self.frames[mpn]
                if frame.shared:
                    continue
                key = (frame.salt, _page_hash(frame.contents))
                match = self.hash_table.get(key)
                if match is None:
                    frame.shared = True  # first of its kind: becomes the read-only copy others join
                    self.hash_table[key] = mpn
                elif self.frames[match].contents == frame.contents:  # a full compare, as ESX does
                    self.frames[match].refs += 1
                    self._release(mpn)
                    pmap[gppn] = match
                    newly += 1
        return newly

    def stats(self) -> SharingStats:
        guest = sum(len(p) for p in self.pmap.values())
        shared = sum(1 for f in self.frames.values() if f.refs > 1)
        return SharingStats(guest, len(self.frames), shared, self.cow_breaks)

    def vm_machine_pages(self, vm: str) -> tuple[int, int]:
        """(private, shared) machine pages behind one VM's guest pages."""
        self._table(vm)
        mpns = self.pmap[vm]
        private = sum(1 for m in mpns if self.frames[m].refs == 1)
        return private, len(mpns) - private

    def _table(self, vm: str) -> list[int]:
        if vm not in self.guest_page_table:
            raise KeyError(f"no VM named {vm!r}; the VMs are {sorted(self.guest_page_table)}")
        return self.guest_page_table[vm]


def _page_hash(contents: bytes) -> bytes:
    return hashlib.blake2b(contents, digest_size=8).digest()  # ESX keys its table by a 64-bit hash


def guest_vms(count: int, pages_per_vm: int, identical_fraction: float, *, seed: int = 0,
              common_pool: int = 32, salts: dict[str, str] | None = None) -> list[VmMemory]:
    """Seeded page contents: `identical_fraction` of each VM's pages come from a pool every guest has
    (the same OS code, zeroed pages), the rest are unique to the VM. Names vm1, vm2, ..."""
    if count < 1 or pages_per_vm < 1:
        raise ValueError("give at least one VM with at least one page")
    if not 0.0 <= identical_fraction <= 1.0:
        raise ValueError(f"identical_fraction is a fraction between 0 and 1, not {identical_fraction}")
    if common_pool < 1:
        raise ValueError("common_pool must be at least 1 page")
    rng = random.Random(seed)
    pool = [f"os-page-{i}".encode().ljust(PAGE_BYTES, b".") for i in range(common_pool)]
    vms = []
    for v in range(1, count + 1):
        name = f"vm{v}"
        pages = tuple(rng.choice(pool) if rng.random() < identical_fraction else rng.randbytes(PAGE_BYTES)
                      for _ in range(pages_per_vm))
        vms.append(VmMemory(name, pages, vc_uuid=f"uuid-{v:04d}", pshare_salt=(salts or {}).get(name)))
    return vms
