"""The datastore model: each lifecycle step's files and sizes (against the documented ESX rules in
shared/reference/hardening-facts.md section 3), CID chains read back by our parser, space accounting."""
from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from vlab.formats import parse_descriptor, parse_dictfile, validate_chain
from vlab.formats.vmdk import delta_metadata_bytes
from vlab.models.datastore.volume import (
    VMX_SWAP_BYTES,
    Datastore,
    DatastoreFullError,
)

MiB = 1024**2
GiB = 1024**3


def names(vm) -> set[str]:
    return {f.name for f in vm.files()}


def size(vm, name: str) -> int:
    return {f.name: f.size_bytes for f in vm.files()}[name]


def swap_file(vm) -> str:
    (name,) = [n for n in names(vm) if re.fullmatch(r"web-[0-9a-f]{8}\.vswp", n)]
    return name


def check_chain(vm) -> list[str]:
    """Follow the .vmx's disk through parentFileNameHint; every link must hold by CID."""
    vmx = parse_dictfile(vm.file_text(f"{vm.name}.vmx"))
    name = vmx["scsi0:0.fileName"]
    chain = [name]
    desc = parse_descriptor(vm.file_text(name))
    while desc.has_parent:
        parent = parse_descriptor(vm.file_text(desc.parent_filename_hint))
        validate_chain(desc, parent)
        chain.append(desc.parent_filename_hint)
        desc = parent
    return chain


def test_create_thick_vm_has_exactly_the_five_creation_files():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=4096, disk_gb=40)
    assert names(vm) == {"web.vmx", "web.vmxf", "web.vmsd", "web.vmdk", "web-flat.vmdk"}
    assert size(vm, "web.vmsd") == 0  # empty until the first snapshot
    assert size(vm, "web-flat.vmdk") == 40 * GiB  # thick: the whole disk up front
    desc = parse_descriptor(vm.file_text("web.vmdk"))
    assert desc.create_type == "vmfs" and desc.capacity_bytes == 40 * GiB and not desc.has_parent
    assert ds.free_bytes() == 100 * GiB - sum(f.size_bytes for f in vm.files())


def test_thin_disk_starts_empty_and_grows_with_guest_writes():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=40, thin=True)
    assert size(vm, "web-flat.vmdk") == 0
    assert parse_descriptor(vm.file_text("web.vmdk")).ddb["ddb.thinProvisioned"] == "1"
    vm.power_on()
    before = ds.free_bytes()
    vm.guest_write(300)
    assert size(vm, "web-flat.vmdk") == 300 * MiB
    assert before - ds.free_bytes() == 300 * MiB
    vm.guest_write(100_000)  # more than the disk: stops at 40 GiB
    assert size(vm, "web-flat.vmdk") == 40 * GiB


def test_power_on_creates_swap_nvram_log_and_power_off_removes_the_swap():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=4096, disk_gb=10, memory_reservation_mb=1024)
    vm.power_on()
    swap = swap_file(vm)
    assert size(vm, swap) == (4096 - 1024) * MiB  # configured memory minus reservation
    vmx_swaps = [n for n in names(vm) if n.startswith("vmx-web-") and n.endswith(".vswp")]
    assert len(vmx_swaps) == 1 and size(vm, vmx_swaps[0]) == VMX_SWAP_BYTES
    assert {"web.nvram", "vmware.log"} <= names(vm)
    vmx = parse_dictfile(vm.file_text("web.vmx"))
    assert vmx["sched.swap.derivedName"].endswith("/web/" + swap)
    assert vmx["sched.mem.min"] == "1024" and vmx["memsize"] == "4096"
    with pytest.raises(ValueError, match="already powered on"):
        vm.power_on()
    vm.power_off()
    assert not any(n.endswith(".vswp") for n in names(vm))
    assert {"web.nvram", "vmware.log"} <= names(vm)  # these stay
    with pytest.raises(ValueError, match="already powered off"):
        vm.power_off()


def test_full_reservation_means_a_zero_byte_vswp():
    ds = Datastore("ds1", capacity_gb=20, seed=0)
    vm = ds.create_vm("web", memory_mb=2048, disk_gb=1, memory_reservation_mb=2048)
    vm.power_on()
    assert size(vm, swap_file(vm)) == 0


# ("6", 14, 6): six old logs kept after 14 power-ons are vmware-8.log to vmware-13.log, the listing of a real
# ESX folder that datasets/datastore_files.csv cites; ESX counts upwards (open-vm-tools FileRotateByRenumber).
@pytest.mark.parametrize("keep_old, power_ons, expected_old",
                         [(None, 13, 10), ("3", 6, 3), (None, 2, 1), ("0", 3, 0), ("6", 14, 6)])
def test_vmware_log_rotates_at_power_on_keeping_log_keepold(keep_old, power_ons, expected_old):
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=1)
    if keep_old:
        vm.set_config("log.keepOld", keep_old)
        assert parse_dictfile(vm.file_text("web.vmx"))["log.keepold"] == keep_old
    for _ in range(power_ons):
        vm.power_on()
        vm.power_off()
    logs = sorted(n for n in names(vm) if n.endswith(".log"))
    assert "vmware.log" in logs
    # the highest number is the newest old log; the lowest numbers are the ones deleted
    assert sorted(set(logs) - {"vmware.log"}) == sorted(
        f"vmware-{i}.log" for i in range(power_ons - expected_old, power_ons))
    assert "VMX exit" in vm.file_text("vmware.log").splitlines()[-1]
    if expected_old:
        vm.power_on()  # the run that just ended is now the highest-numbered old log
        assert vm.file_text(f"vmware-{power_ons}.log").splitlines()[-1].endswith("VMX exit (0).")


def test_snapshots_make_vmsn_and_deltas_that_chain_by_cid():
    ds = Datastore("ds1", capacity_gb=200, seed=1)
    vm = ds.create_vm("web", memory_mb=2048, disk_gb=20)
    vm.snapshot("one")
    vm.power_on()
    vm.snapshot("two", memory=True)
    assert {"web-Snapshot1.vmsn", "web-Snapshot2.vmsn", "web-Snapshot2.vmem",
            "web-000001.vmdk", "web-000001-sesparse.vmdk",
            "web-000002.vmdk", "web-000002-sesparse.vmdk"} <= names(vm)
    assert "web-Snapshot1.vmem" not in names(vm)
    assert size(vm, "web-Snapshot2.vmem") == 2048 * MiB
    assert check_chain(vm) == ["web-000002.vmdk", "web-000001.vmdk", "web.vmdk"]
    child = parse_descriptor(vm.file_text("web-000001.vmdk"))
    assert child.create_type == "seSparse" and child.extents[0].filename == "web-000001-sesparse.vmdk"
    vmsd = parse_dictfile(vm.file_text("web.vmsd"))
    assert vmsd["snapshot.numSnapshots"] == "2" and vmsd["snapshot.current"] == "2"
    # each entry names the disk that was current when it was taken
    assert vmsd["snapshot0.disk0.fileName"] == "web.vmdk"
    assert vmsd["snapshot1.disk0.fileName"] == "web-000001.vmdk"
    assert vmsd["snapshot1.parent"] == "1"
    high, low = int(vmsd["snapshot0.createTimeHigh"]), int(vmsd["snapshot0.createTimeLow"])
    created = datetime.fromtimestamp(((high << 32) + (low & 0xFFFFFFFF)) / 1e6, tz=UTC)
    assert created.year == 2026  # decodes with the documented (High << 32) + uint32(Low) rule


def test_vmfs5_deltas_are_vmfssparse_delta_files():
    ds = Datastore("ds1", capacity_gb=50, seed=0, vmfs_version=5)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=4)
    vm.snapshot("s")
    assert {"web-000001.vmdk", "web-000001-delta.vmdk"} <= names(vm)
    d = parse_descriptor(vm.file_text("web-000001.vmdk"))
    assert d.create_type == "vmfsSparse" and d.extents[0].type == "VMFSSPARSE"


def test_illegal_snapshot_operations_are_refused_clearly():
    ds = Datastore("ds1", capacity_gb=50, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=1)
    with pytest.raises(ValueError, match="powered-on"):
        vm.snapshot("m", memory=True)
    vm.snapshot("a")
    with pytest.raises(ValueError, match="already has a snapshot called 'a'"):
        vm.snapshot("a")
    with pytest.raises(ValueError, match="no snapshot called 'zzz'.*'a'"):
        vm.revert("zzz")
    with pytest.raises(ValueError, match="no snapshot called"):
        vm.delete_snapshot("zzz")


def test_chain_limit_is_32_deltas():
    ds = Datastore("ds1", capacity_gb=50, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=1, thin=True)
    for i in range(32):
        vm.snapshot(f"s{i}")
    assert len(vm.chain()) == 33
    with pytest.raises(ValueError, match="32"):
        vm.snapshot("one too many")


def test_delete_latest_snapshot_consolidates_its_delta_into_the_parent():
    ds = Datastore("ds1", capacity_gb=100, seed=2)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10, thin=True)
    vm.power_on()
    vm.guest_write(100)
    vm.snapshot("a")
    vm.guest_write(50)
    vm.snapshot("b")
    vm.guest_write(30)
    free_before = ds.free_bytes()
    vm.delete_snapshot("b")
    assert not {"web-Snapshot2.vmsn", "web-000002.vmdk", "web-000002-sesparse.vmdk"} & names(vm)
    assert check_chain(vm) == ["web-000001.vmdk", "web.vmdk"]
    # the 30 MiB written after "b" now live in web-000001's extent (its metadata + 50 + 30 MiB)
    meta = delta_metadata_bytes(10 * GiB // 512, "seSparse")
    assert size(vm, "web-000001-sesparse.vmdk") == meta + (50 + 30) * MiB
    assert ds.free_bytes() - free_before >= meta - 4096  # the merged delta's metadata came back
    vmsd = parse_dictfile(vm.file_text("web.vmsd"))
    assert vmsd["snapshot.numSnapshots"] == "1" and vmsd["snapshot.current"] == "1"


def test_delete_oldest_snapshot_merges_into_the_base_and_rewrites_the_childs_parentcid():
    ds = Datastore("ds1", capacity_gb=100, seed=3)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10, thin=True)
    vm.power_on()
    vm.snapshot("a")
    vm.guest_write(40)
    vm.snapshot("b")
    base_cid = parse_descriptor(vm.file_text("web.vmdk")).cid
    vm.delete_snapshot("a")
    assert check_chain(vm) == ["web-000002.vmdk", "web.vmdk"]  # validate_chain holds on new CIDs
    assert parse_descriptor(vm.file_text("web.vmdk")).cid != base_cid  # the base's content changed
    assert size(vm, "web-flat.vmdk") == 40 * MiB
    vmsd = parse_dictfile(vm.file_text("web.vmsd"))
    assert vmsd["snapshot0.displayName"] == "b" and vmsd["snapshot0.disk0.fileName"] == "web.vmdk"
    assert "snapshot0.parent" not in vmsd
    vm.delete_snapshot("b")
    assert names(vm) >= {"web.vmsd"} and not any(re.search(r"-\d{6}(-sesparse)?\.vmdk$", n) for n in names(vm))
    vmsd = parse_dictfile(vm.file_text("web.vmsd"))
    assert vmsd["snapshot.lastUID"] == "2" and vmsd["snapshot.numSnapshots"] == "0"


def test_revert_discards_the_current_delta_and_starts_a_new_one():
    ds = Datastore("ds1", capacity_gb=100, seed=4)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10)
    vm.power_on()
    vm.snapshot("clean")
    vm.guest_write(200)
    meta = delta_metadata_bytes(10 * GiB // 512, "seSparse")
    assert size(vm, "web-000001-sesparse.vmdk") == meta + 200 * MiB
    old_cid = parse_descriptor(vm.file_text("web-000001.vmdk")).cid
    vm.revert("clean")
    assert vm.state == "poweredOff"  # a snapshot without memory comes back powered off
    assert size(vm, "web-000001-sesparse.vmdk") == meta  # the 200 MiB are gone
    assert parse_descriptor(vm.file_text("web-000001.vmdk")).cid != old_cid
    assert check_chain(vm) == ["web-000001.vmdk", "web.vmdk"]
    assert not any(n.endswith(".vswp") for n in names(vm))


def test_revert_to_a_memory_snapshot_comes_back_powered_on():
    ds = Datastore("ds1", capacity_gb=100, seed=4)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10)
    vm.power_on()
    vm.snapshot("live", memory=True)
    vm.power_off()
    vm.revert("live")
    assert vm.state == "poweredOn" and swap_file(vm)


def test_suspend_writes_vmss_and_resume_removes_it():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=2048, disk_gb=10)
    with pytest.raises(ValueError, match="powered on to suspend"):
        vm.suspend()
    vm.power_on()
    vm.suspend()
    assert size(vm, "web.vmss") < MiB  # device state only; the memory goes to the .vmem
    assert size(vm, "web.vmem") == 2048 * MiB
    assert not any(n.endswith(".vswp") for n in names(vm))
    assert parse_dictfile(vm.file_text("web.vmx"))["checkpoint.vmState"] == "web.vmss"
    with pytest.raises(ValueError, match="resume"):
        vm.power_on()
    vm.resume()
    assert not {"web.vmss", "web.vmem"} & names(vm) and swap_file(vm)
    with pytest.raises(ValueError, match="not suspended"):
        vm.resume()


def test_template_conversion_renames_vmx_to_vmtx_and_blocks_power_on():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10)
    vm.power_on()
    with pytest.raises(ValueError, match="powered off"):
        vm.convert_to_template()
    vm.power_off()
    vm.convert_to_template()
    assert "web.vmtx" in names(vm) and "web.vmx" not in names(vm)
    assert parse_dictfile(vm.file_text("web.vmtx"))["templateVM"] == "TRUE"
    with pytest.raises(ValueError, match="template"):
        vm.power_on()
    with pytest.raises(ValueError, match="template"):
        vm.snapshot("x")
    vm.convert_to_vm()
    assert "web.vmx" in names(vm)


def test_power_on_fails_like_esx_when_the_vswp_does_not_fit_and_changes_nothing():
    ds = Datastore("small", capacity_gb=12, seed=0)
    vm = ds.create_vm("web", memory_mb=4096, disk_gb=10)  # 10 GiB thick on 12 GiB
    before = [(f.name, f.size_bytes) for f in vm.files()]
    free = ds.free_bytes()
    with pytest.raises(DatastoreFullError, match="swap"):
        vm.power_on()
    assert [(f.name, f.size_bytes) for f in vm.files()] == before
    assert ds.free_bytes() == free and vm.state == "poweredOff"
    # reserving the memory shrinks the .vswp to what fits (the documented fix)
    ds2 = Datastore("small", capacity_gb=12, seed=0)
    vm2 = ds2.create_vm("web", memory_mb=4096, disk_gb=10, memory_reservation_mb=4096)
    vm2.power_on()
    assert vm2.state == "poweredOn"


def test_thick_disk_bigger_than_the_datastore_is_refused():
    ds = Datastore("small", capacity_gb=10, seed=0)
    with pytest.raises(DatastoreFullError, match="thin"):
        ds.create_vm("big", memory_mb=1024, disk_gb=20)
    assert ds.vms == []
    ds.create_vm("big", memory_mb=1024, disk_gb=20, thin=True)  # thin may overcommit
    assert any("overcommitted" in w for w in ds.warnings)


def test_warnings_when_snapshots_or_growth_could_fill_the_datastore():
    ds = Datastore("ds1", capacity_gb=20, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=16)
    assert len(ds.warnings) == 1 and "over 75% full" in ds.warnings[0]  # 16 of 20 GiB thick: 80 %
    vm.snapshot("s")
    assert any("snapshot 's'" in w and "can grow" in w for w in ds.warnings)
    assert any("overcommitted" in w for w in ds.warnings)
    vm.power_on()
    with pytest.raises(DatastoreFullError):
        vm.guest_write(10_000)
    vm.guest_write(1000)
    assert any("85%" in w for w in ds.warnings)


def _refusal(vm, op: str, memory: bool) -> str | None:
    """The message the documented rules say `op` must be refused with in vm's state, else None."""
    state = vm.state
    if op == "power_on" and state != "poweredOff":
        return "already powered on" if state == "poweredOn" else "is suspended: use resume"
    if op == "power_off" and state == "poweredOff":
        return "already powered off"
    if op == "suspend" and state != "poweredOn":
        return "must be powered on to suspend"
    if op == "resume" and state != "suspended":
        return "is not suspended"
    if op == "write" and state != "poweredOn":
        return "must be powered on for its guest to write"
    if op == "snapshot" and memory and state != "poweredOn":
        return "memory snapshot needs a powered-on VM"
    if op == "snapshot" and len(vm.chain()) - 1 >= 32:  # ESXi's limit of 32 deltas in a chain
        return "32 deltas in its chain"
    return None


def _run(vm, op: str, i: int, memory: bool, rng: random.Random) -> None:
    if op == "snapshot":
        vm.snapshot(f"s{i}", memory=memory)
    elif op in ("revert", "delete"):
        name = rng.choice(vm.snapshot_names)
        vm.revert(name) if op == "revert" else vm.delete_snapshot(name)
    elif op == "write":
        vm.guest_write(rng.randrange(0, 400))
    else:
        getattr(vm, op)()


def test_space_is_conserved_over_a_random_life():
    rng = random.Random(7)
    ds = Datastore("ds1", capacity_gb=60, seed=7)
    vms = [ds.create_vm(n, memory_mb=1024, disk_gb=8, thin=(n == "b")) for n in ("a", "b")]
    ops = ["power_on", "power_off", "suspend", "resume", "snapshot", "revert", "delete", "write"]
    done = refused = 0
    for i in range(300):
        vm, op = rng.choice(vms), rng.choice(ops)
        if op in ("revert", "delete") and not vm.snapshot_names:
            continue
        memory = op == "snapshot" and rng.random() < 0.3
        before = [(f.name, f.size_bytes) for v in vms for f in v.files()]
        refusal = _refusal(vm, op, memory)
        if refusal is not None:
            with pytest.raises(ValueError, match=re.escape(refusal)):
                _run(vm, op, i, memory, rng)
        else:
            try:
                _run(vm, op, i, memory, rng)
            except DatastoreFullError as err:  # the only other refusal: no room on the datastore
                assert str(err).startswith("cannot ") and "free" in str(err)
                refusal = str(err)
        if refusal is None:
            done += 1
        else:  # a refused operation changes no file
            refused += 1
            assert [(f.name, f.size_bytes) for v in vms for f in v.files()] == before, refusal
        used = sum(f.size_bytes for v in vms for f in v.files())
        assert ds.free_bytes() == ds.capacity_bytes - used >= 0
        swaps = [n for v in vms for n in names(v) if n.endswith(".vswp")]
        assert len(swaps) == 2 * sum(v.state == "poweredOn" for v in vms)
        for v in vms:
            check_chain(v)
    assert done > 100 and refused > 20


def test_same_seed_same_files_and_cids():
    def build(seed):
        ds = Datastore("ds1", capacity_gb=50, seed=seed)
        vm = ds.create_vm("web", memory_mb=1024, disk_gb=1)
        vm.power_on()
        vm.snapshot("a")
        return [(f.name, f.size_bytes, vm.file_text(f.name) if f.name.endswith((".vmdk", ".vmx")) and
                 "sesparse" not in f.name and "flat" not in f.name else "") for f in vm.files()]

    assert build(5) == build(5)
    assert build(5) != build(6)


def test_file_text_of_binary_or_unknown_files_explains():
    ds = Datastore("ds1", capacity_gb=50, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=1)
    with pytest.raises(ValueError, match="binary"):
        vm.file_text("web-flat.vmdk")
    with pytest.raises(ValueError, match="no file"):
        vm.file_text("nope.txt")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(memory_mb=1023, disk_gb=1), "multiple of 4"),
        (dict(memory_mb=1024, disk_gb=0), "disk_gb"),
        (dict(memory_mb=1024, disk_gb=1, memory_reservation_mb=2048), "reservation"),
    ],
)
def test_bad_vm_settings_raise_valueerror(kwargs, words):
    ds = Datastore("ds1", capacity_gb=50, seed=0)
    with pytest.raises(ValueError, match=words):
        ds.create_vm("web", **kwargs)


def test_thick_disk_does_not_grow_when_the_guest_writes():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=10)
    vm.power_on()
    free = ds.free_bytes()
    vm.guest_write(2000)
    assert ds.free_bytes() == free and size(vm, "web-flat.vmdk") == 10 * GiB
    with pytest.raises(ValueError, match="powered on"):
        ds.delete_vm("web")
    vm.power_off()
    ds.delete_vm("web")
    assert ds.free_bytes() == ds.capacity_bytes and ds.vms == []
    with pytest.raises(ValueError, match="no VM called"):
        ds.vm("web")


def test_vmfs5_uses_sesparse_for_disks_of_2tb_and_more():
    ds = Datastore("ds1", capacity_gb=4096, seed=0, vmfs_version=5)
    small = ds.create_vm("small", memory_mb=1024, disk_gb=100, thin=True)
    big = ds.create_vm("big", memory_mb=1024, disk_gb=2048, thin=True)
    small.snapshot("s")
    big.snapshot("s")
    assert "small-000001-delta.vmdk" in names(small)
    assert "big-000001-sesparse.vmdk" in names(big)
