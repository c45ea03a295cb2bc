"""The folder inspector: a clean folder has no findings; folders built to hold one anomaly each
(materialize + an edit an admin or a failed operation could make) get exactly that finding."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlab.formats import read_descriptor
from vlab.models.datastore.vm_folder import KINDS, card_key, classify_file, inspect_folder
from vlab.models.datastore.volume import Datastore

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def make(tmp_path, snapshots: int = 2, power: str = "on", vmfs_version: int = 6) -> Path:
    ds = Datastore("ds1", capacity_gb=100, seed=0, vmfs_version=vmfs_version)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=2, thin=True)
    vm.power_on()
    for i in range(snapshots):
        vm.snapshot(f"s{i + 1}")
    if power == "off":
        vm.power_off()
    ds.materialize(tmp_path)
    return tmp_path / "web"


def set_line(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    new = re.sub(pattern, replacement, text, flags=re.M)
    assert new != text, f"{pattern} not found in {path.name}"
    path.write_text(new)


@pytest.mark.parametrize("power", ["on", "off"])
def test_a_clean_folder_has_no_findings(tmp_path, power):
    folder = make(tmp_path, power=power)
    report = inspect_folder(folder)
    assert report.findings == []
    assert report.clean
    assert {f.name for f in report.files} == {p.name for p in folder.iterdir()}
    assert report.total_bytes == sum(p.stat().st_size for p in folder.iterdir())


def test_every_file_the_model_writes_is_classified_as_the_model_says():
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=2)
    vm.power_on()
    vm.snapshot("m", memory=True)
    vm.suspend()
    vm.power_off()
    vm.power_on()
    files = vm.files()
    vm.power_off()
    vm.convert_to_template()
    for f in files + vm.files():
        assert classify_file(f.name) == f.kind, f.name
        assert f.kind in KINDS
    assert classify_file("web-000001-delta.vmdk") == "delta-extent"
    assert classify_file("web-ctk.vmdk") == "ctk"
    assert classify_file("team.vmtm") == "vmtm"
    assert classify_file("notes.txt") == "other"


def test_orphan_delta(tmp_path):
    folder = make(tmp_path)
    # a delta left behind by a failed consolidation: a valid child of web-000001 nobody uses
    text = (folder / "web-000002.vmdk").read_text().replace("web-000002-sesparse", "web-000007-sesparse")
    (folder / "web-000007.vmdk").write_text(text)
    shutil.copy(folder / "web-000002-sesparse.vmdk", folder / "web-000007-sesparse.vmdk")
    report = inspect_folder(folder)
    assert report.codes() == ["orphan_delta"]
    assert report.findings[0].file == "web-000007.vmdk"


def test_broken_cid_chain(tmp_path):
    folder = make(tmp_path)
    set_line(folder / "web.vmdk", r"^CID=\w+$", "CID=12345678")  # the base changed after the snapshot
    report = inspect_folder(folder)
    assert report.codes() == ["broken_chain"]
    assert report.findings[0].file == "web-000001.vmdk"
    assert "12345678" in report.findings[0].message


def test_vswp_next_to_a_powered_off_config(tmp_path):
    folder = make(tmp_path, power="off")
    swap = [p for p in folder.iterdir() if p.suffix == ".vswp"]
    assert swap == []
    (folder / "web-0badf00d.vswp").write_bytes(b"")  # as if the VM crashed and left it
    report = inspect_folder(folder)
    assert report.codes() == ["vswp_while_off"]
    # a running VM's folder: fine by default, flagged when the caller says the VM is off
    on = make(tmp_path / "on", power="on")
    assert inspect_folder(on).codes() == []
    assert set(inspect_folder(on, powered_on=False).codes()) == {"vswp_while_off"}


def test_snapshot_chain_deeper_than_32(tmp_path):
    folder = make(tmp_path, snapshots=32)  # the model stops at ESXi's limit of 32
    assert inspect_folder(folder).codes() == []
    top = read_descriptor(folder / "web-000032.vmdk")
    # one more level, as an older or misbehaving tool might leave it
    text = (folder / "web-000032.vmdk").read_text()
    text = re.sub(r"^CID=\w+$", "CID=0000abcd", text, flags=re.M)
    text = re.sub(r"^parentCID=\w+$", f"parentCID={top.cid_hex}", text, flags=re.M)
    text = text.replace('parentFileNameHint="web-000031.vmdk"', 'parentFileNameHint="web-000032.vmdk"')
    text = text.replace("web-000032-sesparse", "web-000033-sesparse")
    (folder / "web-000033.vmdk").write_text(text)
    shutil.copy(folder / "web-000032-sesparse.vmdk", folder / "web-000033-sesparse.vmdk")
    set_line(folder / "web.vmx", r'^scsi0:0\.fileName = .*$', 'scsi0:0.fileName = "web-000033.vmdk"')
    report = inspect_folder(folder)
    assert report.codes() == ["chain_too_deep"]
    assert report.findings[0].file == "web-000033.vmdk" and "33" in report.findings[0].message


def test_datastore_nearly_full(tmp_path):
    folder = make(tmp_path)
    total = inspect_folder(folder).total_bytes
    assert inspect_folder(folder, capacity_bytes=total * 2).codes() == []
    report = inspect_folder(folder, capacity_bytes=int(total / 0.9))
    assert report.codes() == ["datastore_nearly_full"]
    assert inspect_folder(folder, capacity_bytes=10**12, free_bytes=10**10).codes() == \
        ["datastore_nearly_full"]


def test_descriptor_pointing_to_a_missing_extent(tmp_path):
    folder = make(tmp_path)
    (folder / "web-flat.vmdk").unlink()
    report = inspect_folder(folder)
    assert report.codes() == ["missing_extent"]
    assert report.findings[0].file == "web.vmdk" and "web-flat.vmdk" in report.findings[0].message


def test_missing_parent_and_missing_disk(tmp_path):
    folder = make(tmp_path)
    (folder / "web-000001.vmdk").unlink()
    codes = inspect_folder(folder).codes()
    assert "missing_parent" in codes  # web-000002's parent is gone
    assert "missing_disk" in codes  # the .vmsd's second snapshot froze web-000001.vmdk


def test_malformed_files_become_findings_not_tracebacks(tmp_path):
    folder = make(tmp_path)
    (folder / "web.vmx").write_bytes(b'displayName = "web\n\x00\x01binary')
    (folder / "web-000002.vmdk").write_text("garbage line\n")
    report = inspect_folder(folder)
    malformed = {f.file for f in report.findings if f.code == "malformed_file"}
    assert malformed == {"web.vmx", "web-000002.vmdk"}


def test_a_single_file(tmp_path):
    folder = make(tmp_path)
    report = inspect_folder(folder / "web-000001.vmdk")
    assert [f.name for f in report.files] == ["web-000001.vmdk"]
    assert report.files[0].kind == "delta-descriptor" and report.findings == []
    (folder / "web-000001-sesparse.vmdk").unlink()
    assert inspect_folder(folder / "web-000001.vmdk").codes() == ["missing_extent"]


def test_missing_path_is_a_valueerror(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        inspect_folder(tmp_path / "nope")


def test_corpus_folders_inspect_without_errors_of_our_own():
    folder = CORPUS / "vmdk"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the corpus at {folder}")
        pytest.skip(f"corpus folder {folder} is absent")
    descriptors = {p.name for p in folder.glob("*.vmdk")}
    assert len(descriptors) >= 8, f"expected the 8 descriptors of SOURCES.md in {folder}"
    report = inspect_folder(folder)
    assert "malformed_file" not in report.codes()
    # the corpus holds descriptors only: every extent is missing, and it says so per descriptor
    assert {f.file for f in report.findings if f.code == "missing_extent"} == descriptors
    vmx = inspect_folder(CORPUS / "vmx")
    assert "malformed_file" not in vmx.codes()
    assert len(vmx.files) >= 7 and all(f.kind == "vmx" for f in vmx.files)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(["web.vmx", "web.vmsd", "web.vmdk", "web-000001.vmdk", "vmware.log"]),
       data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzzed_files_never_raise_from_the_inspector(tmp_path_factory, target, data):
    folder = make(tmp_path_factory.mktemp("fuzz"))
    (folder / target).write_bytes(data)
    report = inspect_folder(folder)
    assert all(f.code and f.message for f in report.findings)
    assert {f.name for f in report.files} == {p.name for p in folder.iterdir()}


def test_a_disk_on_another_datastore_is_a_warning_not_an_error(tmp_path):
    folder = make(tmp_path, snapshots=0, power="off")
    set_line(folder / "web.vmx", r'^scsi0:0\.fileName = .*$',
             'scsi0:0.fileName = "/vmfs/volumes/other-ds/db/db.vmdk"')
    report = inspect_folder(folder)
    assert [(f.code, f.severity) for f in report.findings] == [("missing_disk", "warning")]


def test_every_file_type_names_a_card_the_knowledge_has():
    from vlab import knowledge

    examples = ["web.vmx", "web.vmtx", "web.vmxf", "web.vmsd", "web-Snapshot1.vmsn", "web-Snapshot1.vmem",
                "web.vmss", "web.nvram", "web.vmdk", "web-000001.vmdk", "web-flat.vmdk",
                "web-000001-sesparse.vmdk", "web-000002-delta.vmdk", "web-ctk.vmdk", "web-rdm.vmdk",
                "web-rdmp.vmdk", "web-1a2b3c4d.vswp", "vmx-web-123-1.vswp", "vmware.log", "vmware-3.log",
                "web-1.hlog", "team.vmtm", "web.vmx.lck", "web-aux.xml"]
    keys = {name: card_key(name) for name in examples}
    assert keys["vmware-3.log"] == "vmware-#.log" and keys["vmx-web-123-1.vswp"] == "vmx-*.vswp"
    for name, key in keys.items():
        entry = knowledge.lookup(key)
        assert entry is not None and entry.extension == key, (name, key)


def test_single_file_report_counts_only_that_file(tmp_path):
    (tmp_path / "a.vmx").write_text('displayName = "a"\n')
    (tmp_path / "a.nvram").write_bytes(b"\0" * 5000)
    report = inspect_folder(tmp_path / "a.vmx")
    assert [f.name for f in report.files] == ["a.vmx"]
    assert report.total_bytes == (tmp_path / "a.vmx").stat().st_size
