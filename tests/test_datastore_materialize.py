"""materialize(): the folder on disk matches the model, and a real tool (qemu-img) reads our disks."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from vlab.formats import read_descriptor, read_dictfile
from vlab.models.datastore.volume import Datastore

MiB = 1024**2
GiB = 1024**3


def build(vmfs_version: int = 6):
    ds = Datastore("ds1", capacity_gb=100, seed=0, vmfs_version=vmfs_version)
    vm = ds.create_vm("web", memory_mb=2048, disk_gb=3, memory_reservation_mb=512)
    vm.power_on()
    vm.snapshot("a")
    vm.snapshot("b")
    return ds, vm


def test_written_folder_matches_files_and_parses(tmp_path):
    ds, vm = build()
    ds.materialize(tmp_path)
    folder = tmp_path / "web"
    on_disk = {p.name: p.stat().st_size for p in folder.iterdir()}
    assert on_disk == {f.name: f.size_bytes for f in vm.files()}
    vmx = read_dictfile(folder / "web.vmx")
    for key in ("displayName", "memsize", "sched.mem.min", "scsi0:0.fileName",
                "sched.swap.derivedName", "nvram", "extendedConfigFile"):
        assert key in vmx, key
    assert (folder / vmx["scsi0:0.fileName"]).is_file()
    assert (folder / vmx["nvram"]).is_file() and (folder / vmx["extendedConfigFile"]).is_file()
    assert (folder / vmx["sched.swap.derivedName"].rsplit("/", 1)[1]).is_file()
    vmsd = read_dictfile(folder / "web.vmsd")
    assert vmsd["snapshot.numSnapshots"] == "2"
    for name in ("web.vmdk", "web-000001.vmdk", "web-000002.vmdk"):
        assert read_descriptor(folder / name).capacity_bytes == 3 * GiB
    # what every file system guarantees: the apparent size is the virtual disk's size
    assert (folder / "web-flat.vmdk").stat().st_size == 3 * GiB
    assert (folder / vm.swap_name).stat().st_size == (2048 - 512) * MiB


def _allocated_bytes(path) -> int:
    return path.stat().st_blocks * 512


def _require_sparse_files(folder) -> None:
    """Sparseness is the file system's to give: check it can make a hole the way materialize()
    asks for one (truncate past the end). Skipped with the reason where it cannot; CI must."""
    if not hasattr(os.stat_result, "st_blocks"):
        reason = "this platform's stat() has no st_blocks, so allocated space cannot be measured"
    else:
        probe = folder / "sparse-probe"
        with probe.open("wb") as f:
            f.truncate(64 * MiB)
        sparse = _allocated_bytes(probe) < MiB
        probe.unlink()
        if sparse:
            return
        reason = f"the file system under {folder} does not make sparse files (64 MiB hole allocated)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run on a file system with sparse files: {reason}")
    pytest.skip(reason)


def test_binary_files_are_written_sparse(tmp_path):
    _require_sparse_files(tmp_path)
    ds, vm = build()
    ds.materialize(tmp_path)
    folder = tmp_path / "web"
    big = {f.name: f.size_bytes for f in vm.files() if f.size_bytes >= 16 * MiB}
    assert {"web-flat.vmdk", vm.swap_name} <= set(big)  # 3 GiB disk, 1.5 GiB swap, vmx swap
    for name, size in big.items():
        path = folder / name
        assert path.stat().st_size == size, name
        assert _allocated_bytes(path) < MiB, f"{name}: {_allocated_bytes(path)} bytes allocated"
    allocated = sum(_allocated_bytes(p) for p in folder.iterdir())
    assert allocated < 4 * MiB < 4 * GiB < sum(big.values())


def qemu_info(qemu_img: str, path, *extra: str) -> dict | list:
    out = subprocess.run([qemu_img, "info", "--output=json", *extra, str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_qemu_img_reads_the_base_disk_size(tmp_path, require_tool):
    qemu_img = require_tool("qemu-img")
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    ds.create_vm("thick", memory_mb=1024, disk_gb=3)
    ds.create_vm("thin", memory_mb=1024, disk_gb=5, thin=True)
    ds.materialize(tmp_path)
    info = qemu_info(qemu_img, tmp_path / "thick" / "thick.vmdk")
    assert info["format"] == "vmdk" and info["virtual-size"] == 3 * GiB
    assert info["format-specific"]["data"]["create-type"] == "vmfs"
    info = qemu_info(qemu_img, tmp_path / "thin" / "thin.vmdk")
    assert info["virtual-size"] == 5 * GiB


def test_qemu_img_follows_a_vmfs5_snapshot_chain_by_cid(tmp_path, require_tool):
    """qemu-img opens the child descriptor, its backing parent by parentFileNameHint, and reports
    each one's CID and parent CID: an independent reader of the chain we wrote."""
    qemu_img = require_tool("qemu-img")
    ds, vm = build(vmfs_version=5)
    ds.materialize(tmp_path)
    chain = qemu_info(qemu_img, tmp_path / "web" / vm.current_disk, "--backing-chain")
    assert [c["filename"].rsplit("/", 1)[1] for c in chain] == \
        ["web-000002.vmdk", "web-000001.vmdk", "web.vmdk"]
    for child, parent in zip(chain, chain[1:], strict=False):
        assert child["format-specific"]["data"]["parent-cid"] == parent["format-specific"]["data"]["cid"]
        assert child["virtual-size"] == parent["virtual-size"] == 3 * GiB
    assert chain[-1]["format-specific"]["data"]["parent-cid"] == 0xFFFFFFFF
    check = subprocess.run([qemu_img, "check", str(tmp_path / "web" / vm.current_disk)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


def test_qemu_img_follows_a_vmfs6_sesparse_chain_and_reads_it_through(tmp_path, require_tool):
    qemu_img = require_tool("qemu-img")
    ds, vm = build(vmfs_version=6)
    ds.materialize(tmp_path)
    top = tmp_path / "web" / vm.current_disk
    chain = qemu_info(qemu_img, top, "--backing-chain")
    assert [c["format-specific"]["data"]["create-type"] for c in chain] == ["seSparse", "seSparse", "vmfs"]
    for child, parent in zip(chain, chain[1:], strict=False):
        assert child["format-specific"]["data"]["parent-cid"] == parent["format-specific"]["data"]["cid"]
    # empty deltas: reading through the chain gives the base disk's (zero) content
    same = subprocess.run([qemu_img, "compare", str(top), str(tmp_path / "web" / "web.vmdk")],
                          capture_output=True, text=True, timeout=120)
    assert same.returncode == 0, same.stdout + same.stderr


def test_materializing_again_follows_the_vm(tmp_path):
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=1)
    vm.power_on()
    vm.snapshot("a")
    ds.materialize(tmp_path)
    (tmp_path / "web" / "notes.txt").write_text("mine")
    vm.delete_snapshot("a")
    vm.power_off()
    ds.materialize(tmp_path)
    on_disk = {p.name for p in (tmp_path / "web").iterdir()}
    assert on_disk == {f.name for f in vm.files()} | {"notes.txt"}
    assert not any(n.endswith(".vswp") or "-000001" in n for n in on_disk)
