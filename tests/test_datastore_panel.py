"""Lab 05's folder panel: the pure functions against the documented file rules (vSphere VM
Administration "Virtual Machine Files", shared/reference/hardening-facts.md section 3), and the
widgets driven by clicking, without a browser."""
from __future__ import annotations

import pytest

from vlab import knowledge
from vlab.models.datastore.volume import Datastore, GiB, MiB, VmFile
from vlab.widgets.datastore_panel import (
    LIFECYCLE,
    PLOTLY_MIME,
    FolderBrowser,
    FolderPanel,
    FolderScenario,
    file_view,
    folder_changes,
    folder_listing,
    folder_rows,
    folder_table,
    read_folder_file,
    replay,
    space_figure,
    step_index,
    step_warnings,
)

# Kinds of file in the folder after each step, written from the documented rules, not the model.
CREATED = {"vmx", "vmxf", "vmsd", "disk-descriptor", "flat-extent"}
RUNNING = CREATED | {"nvram", "vswp", "vmx-vswp", "log"}
SNAPPED = RUNNING | {"vmsn", "delta-descriptor", "delta-extent"}
EXPECTED_KINDS = {
    "create": CREATED,
    "power-on": RUNNING,
    "install": RUNNING,
    "snapshot": SNAPPED,
    "patch": SNAPPED,
    "snapshot-memory": SNAPPED | {"vmem"},  # a memory snapshot writes <vm>-SnapshotN.vmem
    "suspend": (SNAPPED - {"vswp", "vmx-vswp"}) | {"vmss", "vmem"},  # VMX exits: swap files go
    "resume": SNAPPED | {"vmem"},
    "revert": SNAPPED | {"vmem"},
    "delete-snapshot": SNAPPED | {"vmem"},
    "power-off": (SNAPPED | {"vmem"}) - {"vswp", "vmx-vswp"},
    "template": ((SNAPPED | {"vmem"}) - {"vswp", "vmx-vswp", "vmx"}) | {"vmtx"},
}


def kinds(vm) -> set[str]:
    return {f.kind for f in vm.files()}


def test_the_steps_are_the_lifecycle_the_lab_teaches():
    assert [s.key for s in LIFECYCLE] == list(EXPECTED_KINDS)
    assert step_index("power-on") == 1 and step_index(11) == 11
    with pytest.raises(ValueError, match="no lifecycle step"):
        step_index("reboot")
    with pytest.raises(ValueError, match="0 to 11"):
        step_index(12)


@pytest.mark.parametrize("key", list(EXPECTED_KINDS))
def test_each_step_leaves_the_documented_kinds_of_file(key):
    _ds, vm = replay(key)
    assert kinds(vm) == EXPECTED_KINDS[key]


@pytest.mark.parametrize("reservation_mb", [0, 1024, 2048, 4096])
def test_the_swap_file_is_configured_memory_minus_reservation(reservation_mb):
    _ds, vm = replay("power-on", FolderScenario(memory_reservation_mb=reservation_mb))
    (swap,) = [f for f in vm.files() if f.kind == "vswp"]
    assert swap.size_bytes == (4096 - reservation_mb) * MiB


def test_thin_and_thick_disks_take_the_space_the_docs_say():
    _ds, thick = replay("create", FolderScenario(thin=False))
    _ds, thin = replay("create", FolderScenario(thin=True))
    flat = {vm.thin: next(f for f in vm.files() if f.kind == "flat-extent") for vm in (thick, thin)}
    assert flat[False].size_bytes == 40 * GiB  # thick: the whole disk at creation
    assert flat[True].size_bytes == 0  # thin: nothing written yet
    _ds, installed = replay("install", FolderScenario(thin=True))
    assert next(f for f in installed.files() if f.kind == "flat-extent").size_bytes == 2048 * MiB


def test_a_snapshot_freezes_the_base_and_deleting_it_shortens_the_chain():
    assert replay("create")[1].chain() == ["web01.vmdk"]
    assert replay("snapshot-memory")[1].chain() == ["web01-000002.vmdk", "web01-000001.vmdk", "web01.vmdk"]
    assert replay("delete-snapshot")[1].chain() == ["web01-000002.vmdk", "web01.vmdk"]


def test_replay_is_deterministic():
    a, b = replay("template")[1], replay("template")[1]
    assert a.files() == b.files()
    assert a.file_text("web01.vmsd") == b.file_text("web01.vmsd")


def test_folder_changes_on_hand_made_listings():
    before = [VmFile("a.vmx", 10, "vmx"), VmFile("a.vswp", 5, "vswp"), VmFile("vmware.log", 3, "log")]
    after = [VmFile("a.vmx", 10, "vmx"), VmFile("vmware.log", 9, "log"), VmFile("a.vmss", 1, "vmss")]
    changes = folder_changes(before, after)
    assert changes.added == ("a.vmss",) and changes.removed == ("a.vswp",)
    assert changes.resized == ("vmware.log",)
    assert "gone: a.vswp" in changes.text()
    assert folder_changes(after, after).text() == "no file added, removed or resized"


def test_rows_carry_the_knowledge_role_and_the_change():
    before = replay("create")[1].files()
    rows = folder_rows(replay("power-on")[1].files(), before)
    by_kind = {r.kind: r for r in rows}
    assert by_kind["vswp"].role == knowledge.lookup(".vswp").name == "Virtual machine swap file"
    assert by_kind["vswp"].change == "new" and by_kind["vswp"].size == "3.0 GiB"
    assert by_kind["vmx"].change == "size changed"  # sched.swap.derivedName was added
    assert by_kind["vmxf"].change == ""
    assert all(r.role and r.card for r in rows)
    table = folder_table(rows)
    assert list(table.columns) == ["file", "kind", "size", "bytes", "role", "change"]
    assert table["bytes"].sum() == sum(f.size_bytes for f in replay("power-on")[1].files())


def test_the_treemap_adds_up_to_the_capacity():
    ds, vm = replay("snapshot-memory")
    trace = space_figure(ds).data[0]
    value = dict(zip(trace.ids, trace.values, strict=True))
    parent = dict(zip(trace.ids, trace.parents, strict=True))
    assert value["datastore1"] == 60 * GiB
    assert value["datastore1/free"] == ds.capacity_bytes - sum(f.size_bytes for f in vm.files())
    for node in value:  # branchvalues="total": each box is the sum of its children
        kids = [v for k, v in value.items() if parent[k] == node]
        if kids:
            assert sum(kids) == value[node], node
    assert value["datastore1/web01/web01-Snapshot2.vmem"] == 4096 * MiB


def test_overcommit_is_warned_once_snapshots_can_outgrow_the_datastore():
    # 40 GiB thin disk + 3 GiB .vswp + 40 MiB vmx swap fits in 60 GiB; a delta that can grow to
    # 40 GiB more does not
    ds, _vm = replay("power-on")
    assert step_warnings(ds) == []
    before, _ = replay("install")
    after, _ = replay("snapshot")
    warnings = step_warnings(after, before)
    assert len(warnings) == 1 and "overcommitted" in warnings[0]
    assert after.provisioned_bytes() > after.capacity_bytes >= before.provisioned_bytes()


def test_step_warnings_shows_only_new_fill_warnings():
    ds = Datastore("small", capacity_gb=10, seed=0)
    vm = ds.create_vm("big", memory_mb=1024, disk_gb=8)  # thick 8 of 10 GiB: over 75 %
    assert any("75%" in w for w in step_warnings(ds))
    before = Datastore("small", capacity_gb=10, seed=0)
    before.create_vm("big", memory_mb=1024, disk_gb=8)
    assert not any("75%" in w for w in step_warnings(ds, before))
    assert vm.state == "poweredOff"


def test_file_view_shows_text_and_describes_binary_files():
    _ds, vm = replay("snapshot")
    assert 'scsi0:0.fileName = "web01-000001.vmdk"' in file_view(vm, "web01.vmx")
    assert 'parentFileNameHint="web01.vmdk"' in file_view(vm, "web01-000001.vmdk")
    swap = next(f.name for f in vm.files() if f.kind == "vswp")
    assert "binary file" in file_view(vm, swap) and "3221225472 bytes" in file_view(vm, swap)
    assert "empty" in file_view(replay("create")[1], "web01.vmsd")
    with pytest.raises(ValueError, match="no file"):
        file_view(vm, "nothere.vmx")


def test_the_panel_steps_through_the_life_by_clicking():
    panel = FolderPanel()
    assert panel.step.value == 0 and "Create" in panel.status.value
    panel.previous_button.click()
    assert panel.step.value == 0
    panel.next_button.click()
    assert panel.step.value == 1
    assert ".vswp" in panel.table.value and "3.0 GiB" in panel.table.value
    assert "new: " in panel.status.value and "poweredOn" in panel.status.value
    assert panel.plot.outputs[0]["data"][PLOTLY_MIME]["data"][0]["type"] == "treemap"
    panel.reservation.value = 4096  # fully reserved: the .vswp is empty
    swap = next(r for r in panel.rows if r.kind == "vswp")
    assert swap.size_bytes == 0
    for _ in range(20):
        panel.next_button.click()
    assert panel.step.value == len(LIFECYCLE) - 1 and "web01.vmtx" in panel.file.options
    assert "templateVM" in panel.text.value  # the text view follows the config file


def test_the_panel_opens_any_file_and_follows_the_thin_checkbox():
    panel = FolderPanel(step="snapshot")
    panel.file.value = "web01.vmsd"
    assert 'snapshot0.displayName = "before-patch"' in panel.text.value
    panel.step.value = step_index("create")
    assert panel.file.value == "web01.vmsd"  # still in the folder, so still open: now empty
    assert "empty" in panel.text.value
    panel.thin.value = False
    flat = next(r for r in panel.rows if r.kind == "flat-extent")
    assert flat.size_bytes == 40 * GiB


def test_the_browser_lists_and_reads_a_real_folder(tmp_path):
    ds, _vm = replay("snapshot")
    ds.materialize(tmp_path)
    folder = tmp_path / "web01"
    rows = folder_listing(folder)
    assert {r.file for r in rows} == {p.name for p in folder.iterdir()}
    browser = FolderBrowser(folder)
    assert browser.file.value == "web01.vmx" and "memSize" in browser.text.value
    browser.file.value = "web01-000001.vmdk"
    assert "parentCID=" in browser.text.value
    browser.file.value = "web01-flat.vmdk"
    assert "binary file" in browser.text.value
    (folder / "notes.vmx").write_bytes(b"a = \"1\"\0\0")
    assert "NUL" in read_folder_file(folder, "notes.vmx")
    with pytest.raises(ValueError, match="no file"):
        read_folder_file(folder, "../web01/web01.vmx")


@pytest.mark.parametrize("key", ["power-on", "snapshot-memory", "suspend", "revert", "template"])
def test_every_step_writes_a_healthy_folder_of_the_listed_size(tmp_path, key):
    # the lab contrasts these folders with the checker's broken one: vlab explain finds nothing here
    from vlab.models.datastore.vm_folder import inspect_folder

    ds, vm = replay(key)
    folder = ds.materialize(tmp_path) / "web01"
    report = inspect_folder(folder, capacity_bytes=ds.capacity_bytes, free_bytes=ds.free_bytes())
    assert report.findings == []
    assert sorted(p.name for p in folder.iterdir()) == [r.file for r in folder_rows(vm.files())]
    assert report.total_bytes == sum(p.stat().st_size for p in folder.iterdir()) == vm.used_bytes()
