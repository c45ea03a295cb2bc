"""The learner and instructor editions, and the learner's workspace outside the checkout that `vlab lab`
serves (tests/test_cli.py starts the real server and checks a SIGTERM leaves nothing running)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vlab.learn.editions import (
    EDITIONS,
    MANIFEST,
    build_edition_file,
    learner_notebook,
    sync_workspace,
    workspace_dir,
    write_edition,
)

REPO = Path(__file__).resolve().parents[1]
LABS = REPO / "labs"
VLAB = str(Path(sys.executable).with_name("vlab"))
NOTEBOOKS = sorted(LABS.glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_authored_labs_carry_instructor_cells_and_outputs():
    """What the learner edition must remove is there to remove (else the tests below prove nothing)."""
    assert len(NOTEBOOKS) == 12
    for path in NOTEBOOKS:
        cells = load(path)["cells"]
        assert any("instructor" in c.get("metadata", {}).get("tags", []) for c in cells), path.name
    assert sum(bool(c.get("outputs")) for p in NOTEBOOKS for c in load(p)["cells"]) > 50


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_edition_has_no_instructor_cell_and_no_output(path):
    authored = load(path)
    learner = learner_notebook(authored)
    assert not any("instructor" in c.get("metadata", {}).get("tags", []) for c in learner["cells"])
    for cell in learner["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    kept = ["".join(c["source"]).replace("](../references.md", "](references.md")
            for c in authored["cells"] if "instructor" not in c.get("metadata", {}).get("tags", [])]
    assert ["".join(c["source"]) for c in learner["cells"]] == kept  # nothing else is lost
    assert "widgets" not in learner.get("metadata", {})
    assert authored["cells"][0]["source"] == learner["cells"][0]["source"]


def _edited(path: Path, note: str) -> None:
    nb = load(path)
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": note})
    path.write_text(json.dumps(nb), encoding="utf-8")


def _new_version(labs: Path, name: str, text: str) -> None:
    nb = load(labs / name)
    nb["cells"][0]["source"] = text
    (labs / name).write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture
def authored(tmp_path):
    """A copy of the authored labs that the test may change, as a new vlab version would."""
    labs = tmp_path / "authored"
    labs.mkdir()
    for path in NOTEBOOKS[:3]:
        (labs / path.name).write_bytes(path.read_bytes())
    (labs / "FACILITATOR.md").write_text("for instructors")
    return labs


def test_a_new_version_replaces_untouched_labs_and_goes_beside_edited_ones(authored, tmp_path):
    ws = tmp_path / "home" / "labs"
    first = sync_workspace(authored, ws)
    names = [p.name for p in NOTEBOOKS[:3]]
    assert sorted(first.created) == names and not first.beside and first.summary() == ""
    assert not (ws / "FACILITATOR.md").exists()  # an instructor's guide is not a learner's file

    mine, untouched = ws / names[0], ws / names[1]
    _edited(mine, "my notes")
    my_text = mine.read_bytes()
    again = sync_workspace(authored, ws)  # no new version: the learner's edit stays, nothing beside
    assert not again.beside and mine.read_bytes() == my_text

    _new_version(authored, names[0], "# new title 0")
    _new_version(authored, names[1], "# new title 1")
    report = sync_workspace(authored, ws)
    assert mine.read_bytes() == my_text  # never overwritten
    (mine_name, beside), = report.beside
    assert mine_name == names[0] and beside.startswith(Path(names[0]).stem + ".updated-")
    assert load(ws / beside)["cells"][0]["source"] == "# new title 0"
    assert report.updated == [names[1]]
    assert load(untouched)["cells"][0]["source"] == "# new title 1"
    line = report.summary()
    assert "\n" not in line and beside in line and "1 lab you edited" in line

    quiet = sync_workspace(authored, ws)  # the same new version is not written beside twice
    assert not quiet.beside and not quiet.updated

    mine.unlink()  # a lab the learner deleted comes back
    assert names[0] in sync_workspace(authored, ws).created


def test_a_broken_manifest_never_costs_the_learner_an_edit(authored, tmp_path):
    ws = tmp_path / "labs"
    sync_workspace(authored, ws)
    name = NOTEBOOKS[0].name
    _edited(ws / name, "mine")
    mine = (ws / name).read_bytes()
    (ws / MANIFEST).write_text("{not json")
    _new_version(authored, name, "# newer")
    report = sync_workspace(authored, ws)
    assert (ws / name).read_bytes() == mine and report.beside


def test_make_learner_labs_gives_exactly_what_the_learner_workspace_holds(tmp_path):
    built = write_edition(NOTEBOOKS, tmp_path / "build", "learner")
    ws = tmp_path / "labs"
    sync_workspace(LABS, ws)
    for path in built:
        assert path.read_bytes() == (ws / path.name).read_bytes(), path.name
    make = subprocess.run(["make", "-s", "learner-labs"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert make.returncode == 0, make.stderr
    for path in built:
        assert (REPO / "build" / "learner-labs" / path.name).read_bytes() == path.read_bytes()


def vlab(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([VLAB, *args], capture_output=True, text=True, env=env, timeout=120)


def test_vlab_lab_serves_the_learner_workspace_outside_the_checkout(tmp_path):
    env = {**os.environ, "VLAB_HOME": str(tmp_path / "home")}
    out = vlab("lab", "--dry-run", "--port", "8899", env=env)
    assert out.returncode == 0, out.stderr
    ws = workspace_dir("learner", tmp_path / "home")
    assert f"--ServerApp.root_dir={ws}" in out.stdout and str(REPO / "labs") not in out.stdout
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in out.stdout
    lab01 = load(ws / "01_vmkernel.ipynb")
    assert not any(c.get("outputs") for c in lab01["cells"])
    assert not any("instructor" in c.get("metadata", {}).get("tags", []) for c in lab01["cells"])

    inst = vlab("lab", "--instructor", "--dry-run", env=env)
    assert inst.returncode == 0, inst.stderr
    iws = workspace_dir("instructor", tmp_path / "home")
    assert f"--ServerApp.root_dir={iws}" in inst.stdout
    assert (iws / "FACILITATOR.md").exists()
    full = load(iws / "01_vmkernel.ipynb")
    assert any("instructor" in c.get("metadata", {}).get("tags", []) for c in full["cells"])


def test_vlab_lab_says_so_when_it_cannot_write_its_workspace(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = vlab("lab", "--dry-run", env={**os.environ, "VLAB_HOME": str(blocker)})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "cannot prepare the labs" in out.stderr and "VLAB_HOME" in out.stderr


def test_the_workspace_holds_the_reading_list_the_labs_link_to(tmp_path):
    # labs link to ../references.md (beside labs/ in a checkout); the workspace is flat, so the link is
    # rewritten and the file copied in: a learner's click on "references.md" opens it.
    ws = tmp_path / "labs"
    sync_workspace(LABS, ws)
    assert (ws / "references.md").read_bytes() == (REPO / "references.md").read_bytes()
    for edition in EDITIONS:
        for path in NOTEBOOKS:
            text = build_edition_file(path, edition).decode("utf-8")
            assert "../references.md" not in text, (edition, path.name)
            if "../references.md" in path.read_text(encoding="utf-8"):
                assert "](references.md)" in text
    built = write_edition([REPO / "references.md"], tmp_path / "build")
    assert built[0].read_bytes() == (ws / "references.md").read_bytes()
