"""Lab 09's checker: size a cluster for 40 VMs x 4 active commands with GAVG under 20 ms."""
from __future__ import annotations

import re

import pytest

from vlab.exercises.scalability import (
    STARTING_TEXT,
    backend_ops_per_io,
    check_cluster_design,
    cluster_sizing_checker,
    parse_design,
)
from vlab.knowledge.published import load_table2
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore
from vlab.models.storage.simulation import lun_sizing

SOLUTION = "hosts = 5\nvms_per_host = 8\nqueue_depth = 32\ndsnro = 32\nspindles = 96\nraid = 10\n"


def failed(criteria):
    return [c for c in criteria if not c.passed]


def test_the_starting_design_fails_on_queueing_and_latency_with_hints():
    criteria = check_cluster_design(STARTING_TEXT)
    bad = failed(criteria)
    assert len(criteria) == 4 and len(bad) == 2
    queue, gavg = bad
    assert "VMkernel" in queue.message and "d/a" in queue.hint
    assert "m = d/a = 32/4 = 8" in queue.answer and "m = d/a = 32/4 = 8" not in queue.hint + queue.direction
    assert "not under 20 ms" in gavg.message and "Little's law" in gavg.hint
    assert "8,000 IOPS" in gavg.answer and "1.60 disk operations" in gavg.answer
    assert "8,000" not in gavg.hint + gavg.direction


@pytest.mark.parametrize("raid", [1, 5, 6, 10])
def test_the_spindles_the_answer_names_do_pass(raid):
    # the third hint names spindles for the learner's RAID level: they must really be enough
    design = dict(hosts=5, vms_per_host=8, spindles=16, raid=raid)
    gavg = failed(check_cluster_design(design))[-1]
    named = re.search(rf"spindles = (\d+) with raid = {raid}", gavg.answer)
    assert named, gavg.answer
    assert all(c.passed for c in check_cluster_design({**design, "spindles": int(named.group(1))}))


def test_table2_rows_and_enough_spindles_pass():
    criteria = check_cluster_design(SOLUTION)
    assert all(c.passed for c in criteria), [c.message for c in criteria]
    assert len(criteria) == 4


def test_a_deeper_queue_is_another_way_to_stop_kernel_queueing():
    design = dict(hosts=2, vms_per_host=20, queue_depth=128, dsnro=128, spindles=96, raid=10)
    assert all(c.passed for c in check_cluster_design(design))


def test_low_gavg_with_kernel_queueing_still_fails():
    # 96 spindles on RAID 10 are fast enough, but 80 commands per host wait behind a queue of 32
    design = dict(hosts=2, vms_per_host=20, spindles=96, raid=10)
    criteria = check_cluster_design(design)
    bad = failed(criteria)
    assert len(bad) == 1 and "VMkernel" in bad[0].message
    assert criteria[-1].passed  # GAVG is under 20 ms


def test_dsnro_below_the_queue_depth_is_named_in_the_hint():
    design = dict(hosts=4, vms_per_host=10, queue_depth=64, dsnro=32, spindles=96, raid=10)
    bad = failed(check_cluster_design(design))
    assert len(bad) == 1 and "DSNRO" in bad[0].hint and "dsnro" in bad[0].direction


def test_enough_hosts_but_too_few_spindles_fails_on_gavg_only():
    bad = failed(check_cluster_design(dict(hosts=5, vms_per_host=8, spindles=48, raid=5)))
    assert len(bad) == 1 and "GAVG" in bad[0].message and "RAID" in bad[0].hint


def test_the_wrong_number_of_vms_stops_before_simulating():
    criteria = check_cluster_design(dict(hosts=4, vms_per_host=8, spindles=96, raid=10))
    assert len(criteria) == 2
    assert not criteria[0].passed and "32 VMs, not 40" in criteria[0].message
    assert "forty" in criteria[0].hint and "hosts times VMs per host" in criteria[0].direction
    assert "hosts = 5 and vms_per_host = 8" in criteria[0].answer


def test_the_workload_cannot_be_redesigned():
    criteria = check_cluster_design(SOLUTION + "outstanding_per_vm = 1\n")
    bad = failed(criteria)
    assert len(bad) == 1 and "workload is given" in bad[0].message


@pytest.mark.parametrize("text, message", [
    ("hosts = lots\nvms_per_host = 8\nspindles = 96\nraid = 10", "hosts must be a number"),
    ("hosts 5", "is not 'setting = number'"),
    (SOLUTION + "luns = 2\n", "unknown setting 'luns'"),
    ("vms_per_host = 8\nspindles = 96\nraid = 10", "no 'hosts' line"),
    (SOLUTION.replace("raid = 10", "raid = 3"), "raid must be 1, 5, 6 or 10"),
    (SOLUTION.replace("raid = 10", "raid = 0"), "out of range"),
    (SOLUTION.replace("spindles = 96", "spindles = 500"), "spindles = 500 is out of range"),
    (SOLUTION.replace("hosts = 5", "hosts = 2.5"), "whole number"),
    (SOLUTION + "cache_hit_ratio = 0.9\n", "0 to 0.5"),
])
def test_malformed_designs_say_what_to_change(text, message):
    with pytest.raises(ValueError, match=message):
        parse_design(text)
    report = run_check(check_cluster_design, text)
    assert not report.passed and message.split("'")[0] in report.criteria[0].message


def test_work_that_is_neither_text_nor_a_mapping_is_refused():
    with pytest.raises(ValueError, match="setting = number"):
        check_cluster_design(42)


def test_colons_comments_and_defaults_are_accepted():
    design = parse_design("hosts: 5  # five blades\nvms_per_host: 8\nspindles: 96\nraid: 10\n")
    assert design == {"hosts": 5, "vms_per_host": 8, "spindles": 96, "raid": 10,
                      "queue_depth": 32, "dsnro": 32, "cache_hit_ratio": 0.0}


def test_backend_operations_match_townsends_worked_example():
    # 1000 front-end IOPS, 50/50 -> RAID 5: 2500, RAID 6: 3500, RAID 10: 1500 back-end IOPS
    assert 1000 * backend_ops_per_io(5, 0.0, read_fraction=0.5) == pytest.approx(2500)
    assert 1000 * backend_ops_per_io(6, 0.0, read_fraction=0.5) == pytest.approx(3500)
    assert 1000 * backend_ops_per_io(10, 0.0, read_fraction=0.5) == pytest.approx(1500)


def test_published_table2_loads_with_sources_and_matches_lun_sizing():
    rows = load_table2()
    assert [(r.array_queue_limit, r.active_per_vm, r.host_queue_depth) for r in rows] == [
        (256, 4, 32), (256, 4, 64), (1024, 4, 64), (256, 32, 32), (1024, 32, 32), (1024, 1, 32)]
    for r in rows:
        assert "Scalable Storage Performance" in r.source
        s = lun_sizing(r.array_queue_limit, r.active_per_vm, r.host_queue_depth)
        assert (s.vms_per_host, s.vms_per_volume) == (r.vms_per_host, r.vms_per_volume)


def test_a_broken_table2_file_names_the_row(tmp_path):
    bad = tmp_path / "t2.csv"
    bad.write_text("array_queue_limit,active_per_vm,host_queue_depth,vms_per_host,vms_per_volume,"
                   "source\n256,4,32,8,64,paper\n256,four,32,8,64,paper\n")
    with pytest.raises(ValueError, match="row 3"):
        load_table2(bad)
    bad.write_text("array_queue_limit,active_per_vm,host_queue_depth,vms_per_host,vms_per_volume,"
                   "source\n256,4,32,8,64,\n")
    with pytest.raises(ValueError, match="source column is empty"):
        load_table2(bad)


def test_the_widget_records_a_failure_then_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = cluster_sizing_checker(store=store)
    assert widget.work.value == STARTING_TEXT
    widget.check_button.click()
    assert not widget.passed and "✗" in widget.results.value
    widget.work.value = "hosts = many"
    assert not widget.check().passed and "must be a number" in widget.results.value
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed
    assert [r.correct for r in store.attempts(lab="09_scalability")] == [False, False, True]


# --------------------------------------------------------------------------- your turn (lab 09)
def _turn(turn_id: str, **changes):
    from dataclasses import replace

    from vlab.exercises import turns
    from vlab.widgets.storage_panel import PanelSettings

    turn = next(t for t in turns("09_scalability") if t.id == turn_id)
    ns = {"PanelSettings": PanelSettings, "replace": replace}
    exec(turn.starter, ns)
    work = ns["shared" if turn_id == "dsnro-two-vms" else "lun"]
    return turn.check(replace(work, **changes))


def test_two_vms_pass_once_dsnro_covers_both_and_not_with_a_deeper_queue():
    assert all(c.passed for c in _turn("dsnro-two-vms", dsnro=32))
    assert all(c.passed for c in _turn("dsnro-two-vms", queue_depth=64, dsnro=64))
    (deeper,) = _turn("dsnro-two-vms", queue_depth=64)
    assert not deeper.passed and "deeper LUN queue did not help" in deeper.hint


def test_two_vms_cannot_become_one_vm():
    (c,) = _turn("dsnro-two-vms", vms_per_host=1, outstanding_per_vm=32)
    assert not c.passed and "given, not designed" in c.message


def test_the_lun_for_40_vms_needs_the_raid_penalty_counted():
    assert all(c.passed for c in _turn("lun-for-40-vms", spindles=48))
    assert all(c.passed for c in _turn("lun-for-40-vms", raid=10, spindles=32))
    queue, gavg = _turn("lun-for-40-vms", spindles=24)  # guest IOPS / 182 per disk, penalty forgotten
    assert queue.passed and not gavg.passed and "1.90 disk operations" in gavg.message


def test_the_lun_for_40_vms_keeps_its_workload_and_its_kernel_queue():
    (c,) = _turn("lun-for-40-vms", spindles=48, outstanding_per_vm=1)
    assert not c.passed and "outstanding_per_vm = 1" in c.message
    queue, gavg = _turn("lun-for-40-vms", hosts=1, vms_per_host=40, spindles=96)
    assert not queue.passed and "lets 32 through" in queue.message
    (deeper,) = [c for c in _turn("lun-for-40-vms", queue_depth=128, dsnro=128) if not c.passed]
    assert "deeper queue does not make the disks faster" in deeper.hint
