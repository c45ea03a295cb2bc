"""The backup model against arithmetic done by hand: LUN copy = LUN size, full = allocated bytes,
CBT incremental = distinct blocks written since the last backup, restore time = bytes / bandwidth,
data at risk = changes since the backup, and a whole-LUN restore rolls every other VM back."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.models.datastore.backup import (
    OPTIONS,
    BackupPlan,
    ProtectedDatastore,
    ctk_file_bytes,
    lun_exposed_to_proxy,
    plan_outcomes,
)
from vlab.models.datastore.volume import Datastore, MiB

GiB = 1024 * MiB


def drill(seed: int = 0) -> ProtectedDatastore:
    """A 20 GiB LUN: web (thin, 2 GiB disk, 512 MiB written), db (thick 3 GiB), app (thin, 1 GiB)."""
    p = ProtectedDatastore(Datastore("ds1", 20, seed=seed), seed=seed)
    p.create_vm("web", 512, 2, thin=True, used_gb=0.5)
    p.create_vm("db", 512, 3, thin=False)
    p.create_vm("app", 512, 1, thin=True, used_gb=0.25)
    return p


def by_vm_mib(job):
    return {name: size / MiB for name, size in job.bytes_by_vm.items()}


def test_a_lun_copy_copies_the_whole_lun_whatever_the_vms_hold():
    p = drill()
    job = p.backup("lun_copy", bandwidth_mb_s=100)
    assert job.bytes_copied == 20 * GiB
    assert job.window_s == pytest.approx(20 * 1024 / 100)  # 204.8 s
    assert not job.snapshot_files and not job.lun_exposed_to_proxy


def test_a_full_backup_copies_allocated_bytes_thick_whole_thin_written():
    p = drill()
    for option in ("vcb", "vadp_cbt"):
        job = p.backup(option, bandwidth_mb_s=50)
        assert job.kind == "full"
        assert by_vm_mib(job) == {"web": 512, "db": 3 * 1024, "app": 256}
        assert job.window_s == pytest.approx((512 + 3072 + 256) / 50)


def test_vcb_copies_everything_every_time_but_cbt_only_the_changed_blocks():
    p = drill()
    p.backup("vcb", 100)
    p.backup("vadp_cbt", 100)
    p.guest_write("web", 100, offset_mb=0)     # blocks 0-99: already written, rewritten
    p.guest_write("web", 50, offset_mb=80)     # 80-129: 20 overlap the write above
    p.guest_write("web", 64, offset_mb=1024)   # 1024-1087: new blocks, the thin disk grows
    p.guest_write("db", 10, offset_mb=3000)
    vcb = p.backup("vcb", 100)
    cbt = p.backup("vadp_cbt", 100)
    assert by_vm_mib(vcb) == {"web": 512 + 64, "db": 3072, "app": 256}
    assert cbt.kind == "incremental"
    assert by_vm_mib(cbt) == {"web": 100 + 50 - 20 + 64, "db": 10, "app": 0}
    again = p.backup("vadp_cbt", 100)
    assert again.bytes_copied == 0  # nothing written since


def test_thin_disk_size_on_the_datastore_follows_the_written_blocks():
    p = drill()
    assert p.allocated_bytes("web") == 512 * MiB
    p.guest_write("web", 100, offset_mb=500)  # 500-599: 12 blocks under 512 exist already
    assert p.allocated_bytes("web") == (512 + 88) * MiB
    assert p.allocated_bytes("db") == 3 * GiB  # thick: the capacity, whatever is written


def test_proxy_backups_snapshot_the_running_vm_and_consolidate_afterwards():
    p = drill()
    job = p.backup("vadp_cbt", 100, transport="hotadd", writes_during_mb=20)
    files = job.snapshot_files["web"]
    assert "web-000001.vmdk" in files and "web-000001-sesparse.vmdk" in files
    assert any(name.endswith(".vmsn") for name in files)
    assert "web-ctk.vmdk" in files and "web-000001-ctk.vmdk" in files
    vm = p.ds.vm("web")
    assert vm.state == "poweredOn" and vm.snapshot_names == [] and vm.chain() == ["web.vmdk"]
    assert p.changed_bytes("vadp_cbt", "web") == 20 * MiB  # the writes made during the copy


def test_cbt_switches_on_in_the_vmx_and_keeps_a_ctk_file_per_disk():
    p = drill()
    assert p.ctk_files("db") == []
    p.enable_cbt("db")
    vmx = p.ds.vm("db").file_text("db.vmx")
    assert 'ctkEnabled = "TRUE"' in vmx and 'scsi0:0.ctkEnabled = "TRUE"' in vmx
    assert p.ctk_files("db") == [("db-ctk.vmdk", round(3 / 10 * MiB / 2))]
    assert ctk_file_bytes(40) == 2 * MiB


def test_transport_decides_whether_the_lun_is_zoned_to_the_proxy():
    assert lun_exposed_to_proxy("vcb", "san") and lun_exposed_to_proxy("vadp_cbt", "san")
    assert not lun_exposed_to_proxy("vadp_cbt", "hotadd")
    assert not lun_exposed_to_proxy("vadp_cbt", "nbd")
    assert not lun_exposed_to_proxy("lun_copy", "san")
    p = drill()
    nbd = p.backup("vcb", 100, transport="nbd")
    assert nbd.management_network_bytes == nbd.bytes_copied


def test_restoring_one_vm_from_a_per_vmdk_backup_leaves_the_others_alone():
    p = drill()
    p.backup("vadp_cbt", bandwidth_mb_s=100)
    p.guest_write("web", 40, offset_mb=1500)   # new data after the backup: lost with the VM
    p.guest_write("db", 30, offset_mb=0)
    p.advance(5)
    p.delete_vm("web")
    assert "web" not in [vm.name for vm in p.ds.vms]
    r = p.restore_vm("vadp_cbt", "web", bandwidth_mb_s=64)
    assert r.possible and r.rolled_back == {}
    assert r.bytes_copied == 512 * MiB and r.restore_s == pytest.approx(512 / 64)
    assert r.data_lost_bytes == 40 * MiB and r.hours_since_backup == 5
    assert p.allocated_bytes("web") == 512 * MiB
    assert p.changed_bytes("lun_copy", "db") == 30 * MiB  # db kept its newer data


def test_restoring_one_vm_from_the_lun_copy_rolls_every_vm_back():
    p = drill()
    p.backup("lun_copy", bandwidth_mb_s=200)
    p.guest_write("web", 40, offset_mb=1500)
    p.guest_write("db", 30, offset_mb=0)
    p.guest_write("app", 8, offset_mb=300)
    p.advance(3)
    p.create_vm("new", 512, 1, thin=True, used_gb=0.125)  # made after the copy
    p.delete_vm("web")
    r = p.restore_vm("lun_copy", "web", bandwidth_mb_s=200)
    assert r.possible and r.bytes_copied == 20 * GiB
    assert r.restore_s == pytest.approx(20 * 1024 / 200)
    assert r.data_lost_bytes == 40 * MiB
    assert r.rolled_back == {"db": 30 * MiB, "app": 8 * MiB, "new": 128 * MiB}
    assert sorted(p.vm_names) == ["app", "db", "web"]  # "new" did not exist at copy time
    assert p.allocated_bytes("app") == 256 * MiB  # back to its size at the copy
    for name in p.vm_names:
        assert p.changed_bytes("lun_copy", name) == 0


def test_no_backup_means_no_restore_and_unknown_vms_are_refused():
    p = drill()
    p.delete_vm("app")
    r = p.restore_vm("vcb", "app", 100)
    assert not r.possible and "no backup" in r.reason
    with pytest.raises(ValueError, match="not a deleted VM"):
        p.restore_vm("vcb", "web", 100)
    with pytest.raises(ValueError, match="option must be one of"):
        p.backup("tape", 100)
    with pytest.raises(ValueError, match="transport"):
        p.backup("vcb", 100, transport="usb")
    with pytest.raises(ValueError, match="bandwidth_mb_s"):
        p.backup("vcb", 0)


def test_a_restored_disk_needs_a_full_vadp_backup_again():
    p = drill()
    p.backup("vadp_cbt", 100)
    p.delete_vm("app")
    p.restore_vm("vadp_cbt", "app", 100)
    job = p.backup("vadp_cbt", 100)
    assert job.kind == "mixed"
    assert by_vm_mib(job) == {"web": 0, "db": 0, "app": 256}


def test_random_daily_change_is_seeded_and_cbt_copies_the_distinct_blocks():
    runs = []
    for _ in range(2):
        p = drill(seed=7)
        p.backup("vadp_cbt", 100)
        p.advance(24, daily_change_pct=10)  # one write of 10 % of each disk: distinct blocks
        runs.append(by_vm_mib(p.backup("vadp_cbt", 100)))
    assert runs[0] == runs[1]
    assert runs[0] == {"web": round(2048 * 0.10), "db": round(3072 * 0.10), "app": round(1024 * 0.10)}


# ------------------------------------------------------------------ the closed-form plan
def test_plan_arithmetic_for_eight_40_gb_vms():
    plan = BackupPlan(vm_count=8, disk_gb=40, daily_change_pct=5, bandwidth_mb_s=100, interval_h=24)
    lun, vcb, cbt = plan_outcomes(plan)
    assert [o.option for o in (lun, vcb, cbt)] == list(OPTIONS)
    # LUN: 8 x 40 x 1.25 = 400 GiB = 409600 MiB at 100 MiB/s = 4096 s
    assert lun.backup_bytes == 400 * GiB and lun.backup_window_h == pytest.approx(4096 / 3600)
    assert lun.restore_min == pytest.approx(4096 / 60)
    # VCB: 8 full disks = 320 GiB; restore one 40 GiB disk = 409.6 s
    assert vcb.backup_bytes == 320 * GiB and vcb.restore_min == pytest.approx(409.6 / 60)
    # CBT: 5 % of 40 GiB = 2 GiB per VM per day, 16 GiB per run
    assert cbt.backup_bytes == 16 * GiB and cbt.backup_window_h == pytest.approx(163.84 / 3600)
    for o in (lun, vcb, cbt):
        assert o.data_at_risk_gb == pytest.approx(2.0)
    assert lun.rolled_back_vms == 7 and lun.rolled_back_gb == pytest.approx(14.0)
    assert vcb.rolled_back_vms == cbt.rolled_back_vms == 0
    assert not lun.granular and vcb.granular and cbt.granular
    assert vcb.lun_exposed_to_proxy and not lun.lun_exposed_to_proxy
    assert vcb.vm_snapshot and not lun.vm_snapshot


def test_plan_data_at_risk_scales_with_the_interval_and_caps_at_the_disk():
    four = plan_outcomes(BackupPlan(interval_h=4))[2]
    assert four.data_at_risk_gb == pytest.approx(40 * 0.05 * 4 / 24)
    capped = plan_outcomes(BackupPlan(daily_change_pct=50, interval_h=24 * 5))[1]
    assert capped.data_at_risk_gb == pytest.approx(40)


def test_plan_flags_a_backup_that_cannot_finish_before_the_next_one():
    slow = plan_outcomes(BackupPlan(vm_count=20, disk_gb=200, bandwidth_mb_s=10, interval_h=4))
    assert [o.fits_interval for o in slow] == [False, False, True]
    nbd = plan_outcomes(BackupPlan(transport="nbd"))
    assert nbd[0].management_network_gb == 0 and nbd[1].management_network_gb == pytest.approx(320)


@pytest.mark.parametrize("kwargs, match", [
    (dict(vm_count=0), "vm_count"),
    (dict(vm_count=2.5), "vm_count"),
    (dict(disk_gb=-1), "disk_gb"),
    (dict(daily_change_pct=120), "daily_change_pct"),
    (dict(bandwidth_mb_s=0), "bandwidth_mb_s"),
    (dict(transport="tape"), "transport"),
    (dict(vm_count=4, disk_gb=100, lun_gb=300), "lun_gb"),
])
def test_bad_plans_say_what_to_change(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BackupPlan(**kwargs)


def test_the_plan_agrees_with_the_drill_for_one_day():
    """The closed form and the block-level drill count the same bytes for a one-day interval."""
    plan = BackupPlan(vm_count=2, disk_gb=1, daily_change_pct=10, bandwidth_mb_s=100, lun_gb=4)
    p = ProtectedDatastore(Datastore("ds", 4, seed=3), seed=3)
    for name in ("a", "b"):
        p.create_vm(name, 256, 1)
    p.backup("vadp_cbt", 100)
    p.advance(24, daily_change_pct=10)
    job = p.backup("vadp_cbt", 100)
    lun, vcb, cbt = plan_outcomes(plan)
    assert job.bytes_copied == pytest.approx(cbt.backup_bytes, abs=2 * MiB)  # 1 MiB rounding per VM
    assert p.backup("vcb", 100).bytes_copied == vcb.backup_bytes
    assert p.backup("lun_copy", 100).bytes_copied == lun.backup_bytes


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 200)), max_size=6))
def test_cbt_incremental_is_the_union_of_written_ranges(writes):
    """Conservation: an incremental copies each block written since the last backup exactly once."""
    p = ProtectedDatastore(Datastore("ds", 4, seed=0), seed=0)
    p.create_vm("vm", 256, 1.25)  # 1280 one-MiB blocks, thick
    p.backup("vadp_cbt", 100)
    touched: set[int] = set()
    for offset, mb in writes:
        p.guest_write("vm", mb, offset_mb=offset)
        touched |= set(range(offset, offset + mb))
    job = p.backup("vadp_cbt", 100)
    assert job.bytes_copied == len(touched) * MiB
    assert p.backup("vcb", 100).bytes_copied == 1280 * MiB  # a full copy: the thick disk
