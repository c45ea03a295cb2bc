"""Gaps an audit of `vlab explain PATH` found: an empty .vmx, a file the user may not read, disk
data with no descriptor, hosted split extents, and thousands of stray files. Each folder below holds
exactly one anomaly and must give exactly that finding; real files from the corpus must gain none."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from test_vm_folder import make  # the same seeded VM folder (web, 2 snapshots)

from vlab.exercises.datastore_files import build_broken_folder
from vlab.models.datastore import vm_folder
from vlab.models.datastore.vm_folder import (
    MAX_FINDINGS_PER_CODE,
    Finding,
    card_key,
    classify_file,
    descriptor_name_for,
    group_findings,
    inspect_folder,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir() and not os.environ.get("CI"),
                                  reason="shared corpus not mounted")




# -- 1. an empty .vmx ----------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"# no settings\n\n", b"#!/usr/bin/vmware\r\n# x\r\n",
                                     b'.encoding = "UTF-8"\n# only the encoding line\n'])
def test_a_vmx_with_no_settings_is_flagged(tmp_path, content):
    folder = make(tmp_path)
    (folder / "web.vmx").write_bytes(content)
    report = inspect_folder(folder)
    # only this: with no disk list, no delta can be called unused
    assert report.codes() == ["empty_config"]
    assert report.findings[0].file == "web.vmx" and report.findings[0].severity == "error"
    assert "power" in report.findings[0].message


def test_an_empty_template_config_is_flagged_and_an_empty_vmsd_is_not(tmp_path):
    folder = make(tmp_path, snapshots=0, power="off")
    assert (folder / "web.vmsd").stat().st_size == 0  # a VM without snapshots: normal
    assert inspect_folder(folder).codes() == []
    (folder / "web.vmx").rename(folder / "web.vmtx")
    assert inspect_folder(folder).codes() == []
    (folder / "web.vmtx").write_text("# emptied\n")
    assert inspect_folder(folder).codes() == ["empty_config"]


def test_a_vmx_with_one_setting_is_not_empty(tmp_path):
    (tmp_path / "a.vmx").write_text('# hand-made\ndisplayName = "a"\n')
    assert inspect_folder(tmp_path).codes() == []


# -- 2. permission denied --------------------------------------------------------------------------

def _deny(monkeypatch, module_attr: str, name: str) -> None:
    real = getattr(vm_folder, module_attr)

    def reader(path, *args, **kwargs):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(vm_folder, module_attr, reader)


@pytest.mark.parametrize("attr, name", [("read_dictfile", "web.vmx"), ("read_dictfile", "web.vmsd"),
                                        ("read_descriptor", "web.vmdk"),
                                        ("read_descriptor", "web-000002.vmdk")])
def test_a_file_that_may_not_be_read_is_unreadable_not_malformed(tmp_path, monkeypatch, attr, name):
    folder = make(tmp_path)
    _deny(monkeypatch, attr, name)
    report = inspect_folder(folder)
    # and nothing else: its extent is not an orphan, its disks are not called unused
    assert report.codes() == ["unreadable_file"]
    assert report.findings[0].file == name
    assert "permission denied" in report.findings[0].message.lower()


# -- 3. disk data with no descriptor, and a descriptor with missing data ----------------------------

def test_a_stray_flat_extent_is_an_orphan_extent(tmp_path):
    folder = make(tmp_path, power="off")
    shutil.copy(folder / "web.vmx", tmp_path / "keep.vmx")
    (folder / "old-flat.vmdk").write_bytes(b"\0" * 4096)  # a disk's data whose descriptor was deleted
    report = inspect_folder(folder)
    assert report.codes() == ["orphan_extent"]
    f = report.findings[0]
    assert f.file == "old-flat.vmdk" and f.severity == "error"
    assert "there is no old.vmdk" in f.message and "KB 1002511" in f.message


def test_deleting_the_base_descriptor_orphans_its_flat_file(tmp_path):
    folder = make(tmp_path, snapshots=0, power="off")
    (folder / "web.vmdk").unlink()
    report = inspect_folder(folder)
    assert sorted(report.codes()) == ["missing_disk", "orphan_extent"]
    assert {(f.code, f.file) for f in report.findings} == {("missing_disk", "web.vmx"),
                                                           ("orphan_extent", "web-flat.vmdk")}


def test_a_delta_extent_without_its_descriptor(tmp_path):
    folder = make(tmp_path)
    shutil.copy(folder / "web-000002-sesparse.vmdk", folder / "web-000009-sesparse.vmdk")
    report = inspect_folder(folder)
    assert report.codes() == ["orphan_extent"]
    assert report.findings[0].file == "web-000009-sesparse.vmdk"
    assert "KB 1026353" in report.findings[0].message  # the delta-disk article


def test_an_extent_its_descriptor_does_not_name(tmp_path):
    folder = make(tmp_path, snapshots=0)
    text = (folder / "web.vmdk").read_text()
    (folder / "web.vmdk").write_text(text.replace('"web-flat.vmdk"', '"web2-flat.vmdk"'))
    shutil.copy(folder / "web-flat.vmdk", folder / "web2-flat.vmdk")  # named: fine
    report = inspect_folder(folder)
    assert report.codes() == ["orphan_extent"]
    assert report.findings[0].file == "web-flat.vmdk"
    assert "web.vmdk is there but names 'web2-flat.vmdk'" in report.findings[0].message


def test_a_malformed_descriptor_does_not_also_orphan_its_extent(tmp_path):
    folder = make(tmp_path, snapshots=0)
    (folder / "web.vmdk").write_text("garbage line\n")
    assert inspect_folder(folder).codes() == ["malformed_file"]


def test_a_descriptor_whose_extent_is_missing_is_flagged_once_with_every_missing_extent(tmp_path):
    folder = make(tmp_path)
    (folder / "web-000001-sesparse.vmdk").unlink()
    report = inspect_folder(folder)
    assert report.codes() == ["missing_extent"]
    assert report.findings[0].file == "web-000001.vmdk"
    assert "'web-000001-sesparse.vmdk'" in report.findings[0].message


@needs_corpus
def test_a_split_disk_missing_one_piece_and_having_one_too_many(tmp_path):
    # VMware Workstation's twoGbMaxExtentSparse disk (the descriptor from the corpus): 16 pieces
    shutil.copy(CORPUS / "vmdk" / "vmdk-forensic__ms3-win.vmdk", tmp_path / "disk.vmdk")
    for i in range(1, 17):
        (tmp_path / f"disk-s{i:03d}.vmdk").write_bytes(b"KDMV")
    assert inspect_folder(tmp_path).codes() == []
    (tmp_path / "disk-s016.vmdk").unlink()
    (tmp_path / "disk-s002.vmdk").unlink()
    report = inspect_folder(tmp_path)
    assert report.codes() == ["missing_extent"]
    assert re.findall(r"disk-s\d{3}\.vmdk", report.findings[0].message) == ["disk-s002.vmdk",
                                                                             "disk-s016.vmdk"]
    (tmp_path / "disk-s002.vmdk").write_bytes(b"KDMV")
    (tmp_path / "disk-s016.vmdk").write_bytes(b"KDMV")
    (tmp_path / "disk-s017.vmdk").write_bytes(b"KDMV")  # a piece the descriptor does not name
    report = inspect_folder(tmp_path)
    assert report.codes() == ["orphan_extent"] and report.findings[0].file == "disk-s017.vmdk"


def test_descriptor_names_for_extents():
    assert descriptor_name_for("web-flat.vmdk") == "web.vmdk"
    assert descriptor_name_for("web-000001-sesparse.vmdk") == "web-000001.vmdk"
    assert descriptor_name_for("web-000001-delta.vmdk") == "web-000001.vmdk"
    assert descriptor_name_for("disk-s003.vmdk") == "disk.vmdk"
    assert descriptor_name_for("disk-f001.vmdk") == "disk.vmdk"


# -- 4. hosted split extents are data, not descriptors -------------------------------------------

def test_hosted_split_extents_are_extent_kinds_not_the_descriptor_card():
    assert classify_file("disk-s001.vmdk") == "sparse-extent"
    assert classify_file("disk-f001.vmdk") == "split-flat-extent"
    for name in ("disk-s001.vmdk", "disk-f012.vmdk"):
        assert card_key(name) != ".vmdk"  # the .vmdk card is about descriptors
        assert card_key(name) == ""  # datasets/datastore_files.csv has no row for them (yet)
        assert "descriptor" not in vm_folder.role_of(classify_file(name))
    assert classify_file("disk.vmdk") == "disk-descriptor" and card_key("disk.vmdk") == ".vmdk"


@needs_corpus
def test_a_hosted_split_disk_folder_is_clean(tmp_path):
    for src, pieces in (("vmdk-rs__twoGbMaxExtentSparse.vmdk", ["twoGbMaxExtentSparse-s001.vmdk"]),
                        ("vmdk-rs__twoGbMaxExtentFlat.vmdk", ["twoGbMaxExtentFlat-f001.vmdk"])):
        shutil.copy(CORPUS / "vmdk" / src, tmp_path / src.split("__", 1)[1])
        for piece in pieces:
            (tmp_path / piece).write_bytes(b"\0" * 512)
    report = inspect_folder(tmp_path)
    assert report.codes() == []
    kinds = {f.name: f.kind for f in report.files}
    assert kinds["twoGbMaxExtentSparse-s001.vmdk"] == "sparse-extent"
    assert kinds["twoGbMaxExtentFlat-f001.vmdk"] == "split-flat-extent"


# -- 5. many stray files: grouped with a count ------------------------------------------------------

def test_many_orphan_extents_are_grouped_with_a_count(tmp_path):
    folder = make(tmp_path)
    n = 1000
    for i in range(n):
        (folder / f"old{i:04d}-flat.vmdk").write_bytes(b"")
    report = inspect_folder(folder)
    assert report.codes() == ["orphan_extent"] * MAX_FINDINGS_PER_CODE
    listed, group = report.findings[:-1], report.findings[-1]
    assert [f.file for f in listed] == [f"old{i:04d}-flat.vmdk" for i in range(MAX_FINDINGS_PER_CODE - 1)]
    assert group.file is None and group.count == n - (MAX_FINDINGS_PER_CODE - 1)
    assert sum(f.count for f in report.findings) == n
    assert "old0009-flat.vmdk ... old0999-flat.vmdk" in group.message
    assert str(group.count) in group.message
    assert len(report.files) == n + len(list(make(tmp_path / "b").iterdir()))
    everything = inspect_folder(folder, max_per_code=None)
    assert len(everything.findings) == n and {f.count for f in everything.findings} == {1}


def test_group_findings_keeps_order_and_groups_each_code_alone():
    def f(code, i, severity="warning"):
        return Finding(code, severity, f"{code}{i}", "m")

    few = [f("a", i) for i in range(3)]
    many = [f("b", i) for i in range(5)]
    many[4] = f("b", 4, "error")
    mixed = [few[0], many[0], many[1], few[1], many[2], many[3], many[4], few[2]]
    out = group_findings(mixed, max_per_code=3)
    assert [(x.code, x.file, x.count) for x in out] == [
        ("a", "a0", 1), ("b", "b0", 1), ("b", "b1", 1), ("a", "a1", 1), ("b", None, 3), ("a", "a2", 1)]
    assert out[4].severity == "error"  # the worst of what it stands for
    assert group_findings(mixed[:4], max_per_code=3) == mixed[:4]  # exactly at the limit: untouched
    assert group_findings(mixed, max_per_code=None) == mixed
    with pytest.raises(ValueError, match="max_per_code"):
        group_findings(mixed, max_per_code=1)


def test_a_long_chain_is_measured_once_per_disk(tmp_path):
    # 40 deltas on one base, written by hand: depths must be 1..40, as the walk from each says
    folder = make(tmp_path, snapshots=1)
    child = (folder / "web-000001.vmdk").read_text()
    cid = re.search(r"^CID=(\w+)$", child, re.M).group(1)
    for k in range(2, 41):
        text = child.replace('parentFileNameHint="web.vmdk"', f'parentFileNameHint="web-{k - 1:06d}.vmdk"')
        text = re.sub(r"^parentCID=\w+$", f"parentCID={cid}", text, flags=re.M)
        (folder / f"web-{k:06d}.vmdk").write_text(text.replace("web-000001-sesparse",
                                                               f"web-{k:06d}-sesparse"))
        shutil.copy(folder / "web-000001-sesparse.vmdk", folder / f"web-{k:06d}-sesparse.vmdk")
    (folder / "web.vmx").write_text(re.sub(r'^scsi0:0\.fileName = .*$',
                                           'scsi0:0.fileName = "web-000040.vmdk"',
                                           (folder / "web.vmx").read_text(), flags=re.M))
    report = inspect_folder(folder, max_per_code=None)
    assert report.codes() == ["chain_too_deep"] * 8
    assert [f.file for f in report.findings] == [f"web-{k:06d}.vmdk" for k in range(33, 41)]
    assert all(f" {k} deltas" in f.message for f, k in zip(report.findings, range(33, 41), strict=True))


def test_a_loop_of_parents_ends(tmp_path):
    folder = make(tmp_path)
    one = folder / "web-000001.vmdk"
    one.write_text(one.read_text().replace('parentFileNameHint="web.vmdk"',
                                           'parentFileNameHint="web-000002.vmdk"'))
    report = inspect_folder(folder)
    assert "chain_too_deep" not in report.codes()


# -- real files and the lab's exercise gain no false findings ---------------------------------------

@needs_corpus
def test_corpus_folders_gain_no_false_findings():
    vmdk = inspect_folder(CORPUS / "vmdk")
    descriptors = sorted(p.name for p in (CORPUS / "vmdk").glob("*.vmdk"))
    # descriptors only: each names extents that are not there; the delta's parent has another name
    assert sorted(f.file for f in vmdk.findings if f.code == "missing_extent") == descriptors
    assert [(f.code, f.file) for f in vmdk.findings if f.code != "missing_extent"] == [
        ("missing_parent", "vmdk-rs__vmfs_thick-000001.vmdk")]
    ms3 = next(f for f in vmdk.findings if f.file == "vmdk-forensic__ms3-win.vmdk")
    assert "16 extents" in ms3.message
    vmx = inspect_folder(CORPUS / "vmx")
    names = sorted(p.name for p in (CORPUS / "vmx").glob("*.vmx"))
    # each .vmx names disks that were not copied with it: one finding per file, nothing else
    assert [(f.code, f.severity) for f in vmx.findings] == [("missing_disk", "error")] * len(names)
    assert sorted(f.file for f in vmx.findings) == names
    first = next(f for f in vmx.findings if f.file == "virt-v2v__test-i-vmx-1.vmx")
    assert "21 disks" in first.message and "BZ1308535_21disks_20.vmdk" in first.message


@pytest.mark.parametrize("seed", range(4))
def test_the_lab_exercise_folders_show_exactly_what_was_injected(tmp_path, seed):
    broken = build_broken_folder(tmp_path, seed=seed)
    report = inspect_folder(broken.path)
    assert sorted((f.code, f.file) for f in report.findings) == sorted(
        (i.code, i.file) for i in broken.injected)
