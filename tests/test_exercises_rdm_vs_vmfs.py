"""Lab 10's checker and the RDM modes dataset: right disks for five situations, hints from the table."""
from __future__ import annotations

import pytest

from vlab import knowledge
from vlab.exercises.rdm_vs_vmfs import (
    SCENARIOS,
    STARTING_TEXT,
    check_choices,
    disk_choice_checker,
    load_rdm_modes,
    modes_by_feature,
    normalise_choice,
    parse_choices,
)
from vlab.learn.checks import run_check
from vlab.learn.progress import ProgressStore

SOLUTION = """\
cluster-across-boxes = rdm-physical
need-snapshots = rdm-virtual
san-agent = rdm-physical
plain-performance = vmfs
data-in-place = rdm-virtual
"""


def test_the_dataset_loads_with_a_source_on_every_row():
    rows = load_rdm_modes()
    assert len(rows) >= 12
    assert all(r.source and r.question for r in rows)
    features = {r.feature for r in rows}
    needed = {f for s in SCENARIOS for f in s.features}
    assert needed <= features


def test_the_dataset_agrees_with_vmware_docs_and_the_file_catalogue():
    m = modes_by_feature()
    assert m["snapshots"].rdm_physical.startswith("no") and m["snapshots"].rdm_virtual == "yes"
    assert "REPORT LUNS" in m["scsi_commands"].rdm_physical
    assert "READ and WRITE" in m["scsi_commands"].rdm_virtual
    assert m["create_type"].rdm_virtual.startswith("vmfsRawDeviceMap")
    assert m["create_type"].rdm_physical.startswith("vmfsPassthroughRawDeviceMap")
    # the mapping file names agree with the datastore-file catalogue (another dataset)
    assert "-rdm.vmdk" in m["mapping_file"].rdm_virtual
    assert "-rdmp.vmdk" in m["mapping_file"].rdm_physical
    assert "not possible" in knowledge.lookup("-rdmp.vmdk").purpose
    assert "snapshots still work" in knowledge.lookup("-rdm.vmdk").purpose
    assert "5 %" in m["performance"].rdm_virtual and "8 %" in m["performance"].rdm_virtual


def test_the_starting_text_fails_every_scenario_with_a_hint():
    criteria = check_choices(STARTING_TEXT)
    assert len(criteria) == len(SCENARIOS) == 5
    assert all(not c.passed and "not answered yet" in c.message for c in criteria)
    assert all("vmfs, rdm-virtual or rdm-physical" in c.hint for c in criteria)


def test_the_right_choices_pass():
    assert all(c.passed for c in check_choices(SOLUTION))
    either = SOLUTION.replace("data-in-place = rdm-virtual", "data-in-place = rdm-physical")
    assert all(c.passed for c in check_choices(either))


def test_a_wrong_choice_gets_the_deciding_table_rows_as_the_hint():
    criteria = check_choices(SOLUTION.replace("plain-performance = vmfs",
                                              "plain-performance = rdm-physical"))
    bad = [c for c in criteria if not c.passed]
    assert len(bad) == 1 and bad[0].message.startswith("plain-performance: rdm-physical")
    assert "raw is faster" in bad[0].hint  # first the idea, naming no choice
    assert "Performance Characterization of VMFS and RDM" in bad[0].direction
    assert bad[0].answer.startswith("plain-performance = vmfs")
    criteria = check_choices(SOLUTION.replace("need-snapshots = rdm-virtual",
                                              "need-snapshots = rdm-physical"))
    bad = [c for c in criteria if not c.passed]
    assert len(bad) == 1 and "snapshots" in bad[0].hint
    assert "RDM physical no" in bad[0].direction
    assert "Limitations of Raw Device Mapping" in bad[0].direction
    for c in bad:
        assert not any(choice in c.hint for choice in ("vmfs", "rdm-virtual", "rdm-physical"))


def test_either_mode_is_named_in_the_answer_for_data_in_place():
    criteria = check_choices(SOLUTION.replace("data-in-place = rdm-virtual", "data-in-place = vmfs"))
    assert criteria[4].answer.startswith("data-in-place = rdm-virtual (or rdm-physical)")


def test_vmfs_cannot_keep_an_existing_lun_in_place():
    criteria = check_choices(SOLUTION.replace("data-in-place = rdm-virtual", "data-in-place = vmfs"))
    assert [c.passed for c in criteria] == [True, True, True, True, False]


@pytest.mark.parametrize("text, expected", [
    ("pRDM", "rdm-physical"), ("pass-through", "rdm-physical"), ("Physical RDM", "rdm-physical"),
    ("vRDM", "rdm-virtual"), ("virtual compatibility", "rdm-virtual"), ("VMDK", "vmfs"),
    ("'vmfs'", "vmfs"), ("raw", None), ("", None),
])
def test_common_spellings_are_understood(text, expected):
    assert normalise_choice(text) == expected


def test_an_unknown_choice_is_a_failed_criterion_not_an_error():
    criteria = check_choices(SOLUTION.replace("= vmfs", "= raw disk"))
    assert "'raw disk' is not a choice" in criteria[3].message


@pytest.mark.parametrize("work, message", [
    ("cluster-across-boxes rdm-physical", "is not 'scenario = choice'"),
    ("quorum = rdm-physical", "unknown scenario 'quorum'"),
    ("san-agent = rdm-physical\nsan-agent = vmfs", "answered twice"),
    (42, "one 'scenario = choice' line"),
])
def test_malformed_work_says_what_to_change(work, message):
    with pytest.raises(ValueError, match=message):
        parse_choices(work)
    report = run_check(check_choices, work)
    assert not report.passed and "could not be checked" in report.criteria[0].message


def test_a_mapping_is_accepted_as_work():
    work = {"cluster-across-boxes": "prdm", "need-snapshots": "vrdm", "san-agent": "physical",
            "plain-performance": "vmfs", "data-in-place": "virtual"}
    assert all(c.passed for c in check_choices(work))


def test_a_broken_dataset_names_the_problem(tmp_path):
    bad = tmp_path / "modes.csv"
    bad.write_text("feature,question,vmfs_vmdk,rdm_virtual,rdm_physical\nx,q,a,b,c\n")
    with pytest.raises(ValueError, match="missing column"):
        load_rdm_modes(bad)
    bad.write_text("feature,question,vmfs_vmdk,rdm_virtual,rdm_physical,source\nx,q,a,b,c,\n")
    with pytest.raises(ValueError, match="row 2: empty source"):
        load_rdm_modes(bad)
    bad.write_text("feature,question,vmfs_vmdk,rdm_virtual,rdm_physical,source\n"
                   "x,q,a,b,c,s\nx,q,a,b,c,s\n")
    with pytest.raises(ValueError, match="appears twice"):
        load_rdm_modes(bad)


def test_the_widget_records_a_failure_then_a_pass(vlab_home):
    store = ProgressStore(learner="tester")
    widget = disk_choice_checker(store=store)
    assert widget.work.value == STARTING_TEXT
    widget.check_button.click()
    assert not widget.passed
    widget.work.value = SOLUTION
    widget.check_button.click()
    assert widget.passed
    assert [r.correct for r in store.attempts(lab="10_rdm_vs_vmfs")] == [False, True]


# --------------------------------------------------------------------------- your turn (lab 10)
def test_fs02_is_judged_on_the_descriptor_read_back():
    from vlab.exercises.rdm_vs_vmfs import check_fs02_disk
    from vlab.widgets.rdm_panel import mapping_descriptor

    assert all(c.passed for c in check_fs02_disk(mapping_descriptor("virtual", "fs02_1", 750)))
    text = mapping_descriptor("virtual", "fs02_1", 750).to_text()
    assert all(c.passed for c in check_fs02_disk(text))  # its text is judged the same way
    physical = check_fs02_disk(mapping_descriptor("physical", "fs02_1", 750))
    assert [c.passed for c in physical] == [True, True, False]
    small = check_fs02_disk(mapping_descriptor("virtual", "fs02_1", 700))
    assert [c.passed for c in small] == [True, False, True] and "700 GiB" in small[1].message
    with pytest.raises(ValueError, match="not one of this lab's disks"):
        check_fs02_disk(text.replace("vmfsRawDeviceMap", "monolithicFlat"))
    report = run_check(check_fs02_disk, "not a descriptor")
    assert not report.passed and "could not be checked" in report.criteria[0].message


def test_the_32kb_gap_follows_the_bottleneck():
    from vlab.exercises.rdm_vs_vmfs import check_gap_at_32kb

    bed = dict(pattern="sequential", block_kb=32, outstanding=16, link_gbps=4.0, spindles=16)
    (start,) = check_gap_at_32kb(bed)
    assert not start.passed and "Fibre Channel wire" in start.message
    (faster,) = check_gap_at_32kb({**bed, "link_gbps": 16})
    assert faster.passed and "CPU" in faster.message
    (disks,) = check_gap_at_32kb({**bed, "spindles": 64})
    assert not disks.passed and "did not help" in disks.hint
    (other,) = check_gap_at_32kb({**bed, "block_kb": 4})  # 8 % at 4 KB, but not the notes' case
    assert not other.passed and "block_kb = 4" in other.message
    with pytest.raises(ValueError, match="not a setting of this test bed"):
        check_gap_at_32kb({**bed, "base_cpu_us": 10})
    with pytest.raises(ValueError, match="at most 256"):
        check_gap_at_32kb({**bed, "spindles": 10_000})
