"""Lab 05's checker: the folder holds exactly the injected anomalies, which are exactly what
`inspect_folder` (vlab explain) finds; right answers pass, wrong or malformed ones get hints."""
from __future__ import annotations

import re

import pytest

from vlab.exercises.datastore_files import (
    ANOMALIES,
    STARTING_TEXT,
    broken_folder_checker,
    build_broken_folder,
    check_broken_chain,
    check_datastore_size,
    check_problems,
    expected_findings,
    parse_answers,
    problem_code,
    snapshot_folder,
)
from vlab.formats import read_descriptor, write_descriptor
from vlab.learn.progress import ProgressStore
from vlab.models.datastore.vm_folder import inspect_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return build_broken_folder(tmp_path_factory.mktemp("lab05"), seed=0)


def solution(broken) -> str:
    return "\n".join(f"{i.file}: {i.code}" for i in broken.injected)


@pytest.mark.parametrize("seed", range(4))
def test_each_seed_injects_three_anomalies_and_explain_finds_exactly_them(tmp_path, seed):
    broken = build_broken_folder(tmp_path, seed=seed)
    injected = {(i.code, i.file) for i in broken.injected}
    assert len(injected) == 3 and {code for code, _ in injected} <= set(ANOMALIES)
    found = {(f.code, f.file) for f in inspect_folder(broken.path).findings}
    assert found == injected
    assert {(f.code, f.file) for f in expected_findings(broken.path)} == injected


def test_seed_zero_is_the_labs_folder(folder):
    assert folder.vm == "web01" and folder.path.name == "web01"
    assert [i.code for i in folder.injected] == ["orphan_delta", "broken_chain", "vswp_while_off"]
    log = (folder.path / "vmware.log").read_text().strip().splitlines()
    assert "VMX exit" in log[-1]  # the VM is powered off, yet a .vswp is there
    # the orphan is a valid child: its parentCID matches -000002's CID, it only lacks a user
    child = (folder.path / "web01-000004.vmdk").read_text()
    parent = (folder.path / "web01-000002.vmdk").read_text()
    cid = re.search(r"^CID=(\w+)$", parent, re.M).group(1)
    assert f"parentCID={cid}" in child


def test_the_same_seed_builds_the_same_folder(tmp_path):
    a = build_broken_folder(tmp_path / "a", seed=1)
    b = build_broken_folder(tmp_path / "b", seed=1)
    names = sorted(p.name for p in a.path.iterdir())
    assert names == sorted(p.name for p in b.path.iterdir())
    assert all((a.path / n).read_bytes() == (b.path / n).read_bytes() for n in names
               if n.endswith((".vmdk", ".vmx", ".vmsd")) and "flat" not in n and "sesparse" not in n)


def test_the_starting_text_fails_with_a_hint_per_problem(folder):
    criteria = check_problems(STARTING_TEXT, folder.path)
    failed = [c for c in criteria if not c.passed]
    assert len(failed) == 3 and all(c.hint for c in failed)
    assert any("parentCID" in c.hint for c in failed) and any("vmware.log" in c.hint for c in failed)


def test_the_solution_passes_with_codes_or_words(folder):
    assert all(c.passed for c in check_problems(solution(folder), folder.path))
    words = ("web01/web01-000004-sesparse.vmdk: an orphan delta nobody uses\n"
             "`web01-000002.vmdk`: CID mismatch with its parent\n"
             "WEB01-7C65C1E5.VSWP: swap file left while powered off\n")
    assert all(c.passed for c in check_problems(words, folder.path))


def test_a_right_file_with_a_wrong_problem_says_so(folder):
    text = solution(folder).replace("web01-000002.vmdk: broken_chain", "web01-000002.vmdk: orphan")
    criteria = check_problems(text, folder.path)
    failed = [c for c in criteria if not c.passed]
    assert any("does have a problem" in c.hint and "parentCID" in c.hint for c in failed)
    assert any("has no orphan_delta problem" in c.message for c in failed)  # a false alarm too


def test_a_right_problem_in_the_wrong_file_says_so(folder):
    text = solution(folder).replace("web01-000004.vmdk: orphan_delta", "web01-000003.vmdk: orphan_delta")
    failed = [c for c in check_problems(text, folder.path) if not c.passed]
    assert any("does have a orphan_delta problem, but not in web01-000003.vmdk" in c.hint
               for c in failed)


def test_malformed_and_unknown_answers_get_messages(folder):
    with pytest.raises(ValueError, match="line 2 .* FILE: PROBLEM"):
        parse_answers("# comment\nweb01.vmx orphan\n")
    with pytest.raises(ValueError, match="one of: chain_too_deep, broken_chain"):
        problem_code("it smells funny")
    criteria = check_problems(solution(folder) + "\nweb01.vmx: it smells funny", folder.path)
    assert [c.passed for c in criteria[:4]] == [True] * 4
    assert not criteria[-1].passed and "line 4" in criteria[-1].message
    assert problem_code("Broken-Chain") == "broken_chain" and problem_code("the .vswp") == "vswp_while_off"


@pytest.mark.parametrize("words, code", [
    ("parentCID does not match", "broken_chain"),
    ("the chain is too deep", "chain_too_deep"),
    ("not used by any snapshot", "orphan_delta"),
    ("its parent is missing", "missing_parent"),
    ("missing", "missing_extent"),
    ("flat file deleted", "missing_extent"),
    ("swap file left behind", "vswp_while_off"),
    ("datastore nearly full", "datastore_nearly_full"),
    ("MISSING_DISK", "missing_disk"),
])
def test_problem_words_map_to_the_finding_a_person_means(words, code):
    assert problem_code(words) == code


def test_the_widget_records_attempts(vlab_home, folder):
    store = ProgressStore(learner="tester")
    widget = broken_folder_checker(folder, store=store)
    assert widget.folder is folder and folder.path.name in widget.statement.value
    widget.work.value = "no colon here"
    assert not widget.check().passed and "FILE: PROBLEM" in widget.results.value
    widget.work.value = solution(folder)
    widget.check_button.click()
    assert widget.passed and "✓" in widget.results.value
    assert [r.correct for r in store.attempts(lab="05_datastore_files")] == [False, True]


def test_a_bad_seed_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="seed"):
        build_broken_folder(tmp_path, seed=-1)


def test_the_orphan_copies_its_model_delta_header_and_size(folder):
    orphan = folder.path / "web01-000004-sesparse.vmdk"
    model = folder.path / "web01-000003-sesparse.vmdk"
    assert orphan.stat().st_size == model.stat().st_size
    assert orphan.read_bytes()[:512] == model.read_bytes()[:512]


def test_a_folder_without_root_is_temporary():
    import gc

    broken = build_broken_folder(seed=2)
    path = broken.path
    assert path.is_dir() and broken.vm == "app01"
    del broken
    gc.collect()
    assert not path.exists()


def test_the_checker_hints_name_the_file_only_at_the_third_failed_check(folder):
    failed = [c for c in check_problems(STARTING_TEXT, folder.path) if not c.passed]
    for c in failed:
        assert not any(i.file in c.hint_at(1) or i.file in c.hint_at(2) for i in folder.injected)
    assert {c.hint_at(3) for c in failed} == {f"{i.file}: {i.code}" for i in folder.injected}


def _edit(path, name, **fields):
    d = read_descriptor(path / name)
    for key, value in fields.items():
        setattr(d, key, value)
    write_descriptor(d, path / name)


def test_your_turn_break_chain_is_judged_by_inspect_folder(tmp_path):
    assert [c.passed for c in check_broken_chain(snapshot_folder(tmp_path / "start"))] == [False, False, True]
    right = snapshot_folder(tmp_path / "right")
    _edit(right.path, "web01.vmdk", cid=0x1234ABCD)
    assert all(c.passed for c in check_broken_chain(right))
    top = snapshot_folder(tmp_path / "top")  # nothing sits above the top delta: no link breaks
    _edit(top.path, "web01-000002.vmdk", cid=0x1234ABCD)
    assert [c.passed for c in check_broken_chain(top)] == [False, False, True]
    record = snapshot_folder(tmp_path / "record")  # the same finding, but not what a boot does
    _edit(record.path, "web01-000001.vmdk", parent_cid=0x1234ABCD)
    assert [c.passed for c in check_broken_chain(record.path)] == [True, False, True]
    deleted = snapshot_folder(tmp_path / "deleted")
    _edit(deleted.path, "web01.vmdk", cid=0x1234ABCD)
    (deleted.path / "web01-000002-sesparse.vmdk").unlink()
    result = check_broken_chain(deleted)
    assert [c.passed for c in result] == [True, True, False] and "missing_extent" in result[2].message


def test_your_turn_size_datastore_replays_the_snapshot_on_the_learners_datastore():
    from vlab.widgets.datastore_panel import FolderScenario

    def passed(**kw):
        return [c.passed for c in check_datastore_size(FolderScenario(**kw))]

    assert passed(capacity_gb=84) == passed(capacity_gb=93) == [True, True, True]  # 83.04 GiB provisioned
    assert passed() == passed(capacity_gb=83) == [True, False, True]
    assert passed(thin=False) == [True, False, True]  # the delta can grow on top of a thick disk
    assert passed(capacity_gb=94) == [True, True, False]  # more than 10 GiB to spare
    assert passed(disk_gb=10)[0] is False  # the VM changed, not the datastore
    full = check_datastore_size(FolderScenario(capacity_gb=30, thin=False))
    assert [c.passed for c in full] == [True, False] and "cannot reach" in full[1].message
