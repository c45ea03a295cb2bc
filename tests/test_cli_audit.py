"""An administrator's audit of the `vlab` command: odd spellings, bad files and option mix-ups.

Each test runs the installed entry point (or main() in process) as a user would and asserts the
exact outcome: the card shown, or the `vlab: ...` message and exit code, and never a traceback.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vlab.cli.main import main

VLAB = str(Path(sys.executable).with_name("vlab"))
REPO = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus")
WIN2019_VMX = """.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "14"
displayName = "win2019"
firmware = "efi"
scsi0:0.fileName = "win2019.vmdk"
"""


def vlab(*args: str, cwd: Path | None = None, env: dict | None = None, stdin: str | None = None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([VLAB, *args], capture_output=True, text=True, cwd=cwd, env=full_env,
                          input=stdin, timeout=60)


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


# -- explain: spellings ------------------------------------------------------------------------


@pytest.mark.parametrize("term, key", [
    ("-flat.vmdk", "-flat.vmdk"),
    ("-000001.vmdk", "-00000#.vmdk"),
    ("-ctk.vmdk", "-ctk.vmdk"),
    ("-aux.xml", "-aux.xml"),
])
def test_explain_takes_file_types_that_start_with_a_dash(capsys, term, key):
    # argparse used to read these as unknown options: "the following arguments are required"
    code, out, err = run_main(capsys, "explain", "--json", term)
    assert code == 0, err
    assert json.loads(out)["extension"] == key


@pytest.mark.parametrize("name, key", [
    ("web01-flat.vmdk", "-flat.vmdk"),
    ("web01-000002.vmdk", "-00000#.vmdk"),
    ("vmware-3.log", "vmware-#.log"),
    ("vmx-web01-1.vswp", "vmx-*.vswp"),
    ("web01.vmx", ".vmx"),
    ("web01-ctk.vmdk", "-ctk.vmdk"),
])
def test_explain_a_real_file_name_shows_its_file_type(capsys, tmp_path, monkeypatch, name, key):
    monkeypatch.chdir(tmp_path)  # no such file here: the name alone says what it is
    code, out, err = run_main(capsys, "explain", name)
    assert code == 0, err
    assert out.startswith(f"{name} is named like a {key} file:")
    code, out, _ = run_main(capsys, "explain", "--json", name)
    card = json.loads(out)
    assert card["extension"] == key and card["file_name"] == name


def test_a_split_disk_extent_is_named_without_a_card_of_its_own(capsys):
    # a hosted split-disk extent has no card (datasets/datastore_files.csv has no row for it);
    # the answer says what it is and points to the descriptor's card instead of "nothing called"
    code, out, _ = run_main(capsys, "explain", "web01-s001.vmdk")
    assert code == 0
    assert out.splitlines() == [
        "web01-s001.vmdk is named like disk data: hosted sparse disk data, one piece of a split disk "
        "(Workstation/Server).",
        "vlab has no card for this kind of extent; see the descriptor .vmdk that names it: "
        "`vlab explain .vmdk`."]
    code, out, _ = run_main(capsys, "explain", "--json", "web01-f001.vmdk")
    assert code == 0 and json.loads(out) == {
        "file_name": "web01-f001.vmdk", "card": None, "see": ".vmdk",
        "file_role": "hosted preallocated disk data, one piece of a split disk (Workstation/Server)"}


def test_an_unknown_file_name_is_still_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(capsys, "explain", "notes.txt")
    assert code == 1 and err.startswith("vlab: nothing called 'notes.txt'.")


def test_a_name_shared_by_two_entries_points_to_the_other(capsys):
    # VSS is both the vSphere Standard Switch and Windows' Volume Shadow Copy Service
    code, out, _ = run_main(capsys, "explain", "vss")
    assert code == 0
    assert "'vss' also names: Quiescing (term); `vlab explain Quiescing`" in out
    _, out, _ = run_main(capsys, "explain", "--json", "vss")
    assert json.loads(out)["also"] == ["Quiescing"]


def test_card_sources_start_a_line_each(capsys):
    from vlab import knowledge

    code, out, _ = run_main(capsys, "explain", "VST")
    assert code == 0
    sources = knowledge.lookup("VST").source.split(" ; ")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Source:"))
    bullets = [line for line in lines[start:] if line[16:18] == "- "]
    assert len(bullets) == len(sources) == 2


@pytest.mark.parametrize("term", ["", "   "])
def test_explain_of_nothing_is_a_user_error(capsys, term):
    # '' used to be Path('') == '.', so the current folder was listed
    code, out, err = run_main(capsys, "explain", term)
    assert code == 1 and out == ""
    assert err.startswith("vlab: nothing to explain: give a file type")


def test_a_missing_path_is_not_taken_for_a_file_name(capsys, tmp_path):
    code, _, err = run_main(capsys, "explain", str(tmp_path / "nothere.vmx"))
    assert code == 1 and err == f"vlab: {tmp_path / 'nothere.vmx'}: no such file or folder\n"


def test_explain_refuses_a_pipe_a_device_and_a_broken_link(capsys, tmp_path):
    fifo = tmp_path / "fifo.vmx"
    os.mkfifo(fifo)
    code, _, err = run_main(capsys, "explain", str(fifo))
    assert code == 1 and "is neither a regular file nor a folder" in err
    code, _, err = run_main(capsys, "explain", "/dev/zero")
    assert code == 1 and err.startswith("vlab: /dev/zero is neither a regular file nor a folder")
    link = tmp_path / "gone.vmdk"
    link.symlink_to(tmp_path / "nowhere")
    code, _, err = run_main(capsys, "explain", str(link))
    assert code == 1 and f"is a broken symbolic link (it points to {tmp_path / 'nowhere'})" in err


def test_a_file_name_that_is_not_utf8_is_printed_escaped_and_json_stays_valid(tmp_path):
    folder = tmp_path / "vm"
    folder.mkdir()
    (folder / "web01.vmx").write_text(WIN2019_VMX)
    open(os.fsencode(folder) + b"/caf\xe9.log", "wb").close()
    for env in ({}, {"PYTHONIOENCODING": "utf-8"}, {"PYTHONIOENCODING": "ascii"}):
        text = vlab("explain", str(folder), env=env)
        no_traceback(text)
        assert text.returncode == 3  # win2019.vmdk is missing
        assert "caf\\xe9.log" in text.stdout
        data = vlab("explain", "--json", str(folder), env=env)
        names = [f["name"] for f in json.loads(data.stdout.encode().decode("utf-8"))["files"]]
        assert "caf\\xe9.log" in names


def test_a_file_name_with_an_escape_sequence_cannot_drive_the_terminal(capsys, tmp_path):
    folder = tmp_path / "vm"
    folder.mkdir()
    (folder / "web01.vmx").write_text(WIN2019_VMX)
    (folder / "evil\x1b]0;owned\x07.log").write_text("")
    code, out, _ = run_main(capsys, "explain", str(folder))
    assert code == 3 and "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b]0;owned\\x07.log" in out
    code, out, _ = run_main(capsys, "explain", "--json", str(folder))
    names = {f["name"] for f in json.loads(out)["files"]}
    assert "evil\x1b]0;owned\x07.log" in names  # JSON escapes it itself and keeps the real name


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_not_a_traceback():
    # the glossary's Little's law card holds 'λ'
    out = vlab("explain", "Little's law", env={"PYTHONIOENCODING": "ascii"})
    no_traceback(out)
    assert out.returncode == 0 and "L = \\u03bbW" in out.stdout
    out = vlab("explain", "--json", "Little's law", env={"PYTHONIOENCODING": "ascii"})
    assert "L = \u03bbW" in json.loads(out.stdout)["aliases"]


def _as_unprivileged_user() -> list[str] | None:
    """A command prefix that runs without root's power to read anything; None if impossible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else None


@pytest.mark.skipif(_as_unprivileged_user() is None, reason="root without setpriv reads anything")
def test_a_file_in_a_folder_the_user_may_not_enter_is_a_message(tmp_path):
    # Path.exists() raises PermissionError there: it used to be a traceback in explain and harden
    folder = tmp_path / "locked"
    folder.mkdir()
    vmx_file = folder / "web01.vmx"
    vmx_file.write_text(WIN2019_VMX)
    folder.chmod(0o000)
    try:
        for command, message in (("explain", "cannot look at it"), ("harden", "cannot read it")):
            out = subprocess.run([*_as_unprivileged_user(), VLAB, command, str(vmx_file)],
                                 capture_output=True, text=True, timeout=60)
            assert out.returncode == 1 and out.stdout == ""
            assert out.stderr == f"vlab: {vmx_file}: {message} (Permission denied)\n"
    finally:
        folder.chmod(0o700)


# -- harden ------------------------------------------------------------------------------------


@pytest.fixture
def vmx(tmp_path) -> Path:
    path = tmp_path / "win2019.vmx"
    path.write_text(WIN2019_VMX)
    return path


def test_fix_onto_the_audited_file_is_refused_and_the_file_is_untouched(capsys, vmx, tmp_path):
    before = vmx.read_bytes()
    link = tmp_path / "link.vmx"
    link.symlink_to(vmx)
    for target in (str(vmx), str(tmp_path / "." / vmx.name), str(link)):
        code, out, err = run_main(capsys, "harden", str(vmx), "--fix", target)
        assert code == 1 and out == ""
        assert err == (f"vlab: --fix {target} is the file being audited; write the fixed copy to "
                       f"another file, compare the two, then replace the original yourself\n")
    assert vmx.read_bytes() == before


def test_fix_with_an_empty_name_is_refused(capsys, vmx):
    code, _, err = run_main(capsys, "harden", str(vmx), "--fix", "")
    assert code == 1 and err == "vlab: --fix needs a file name, not an empty string\n"


def test_fix_names_the_keys_it_changed(capsys, vmx, tmp_path):
    out_file = tmp_path / "fixed.vmx"
    code, out, _ = run_main(capsys, "harden", str(vmx), "--fix", str(out_file))
    assert code == 4
    from vlab.formats.dictfile import read_dictfile

    before, after = read_dictfile(vmx).normalized(), read_dictfile(out_file).normalized()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert changed  # the baseline fails on this file, so the fix must change something
    line = next(x for x in out.splitlines() if x.startswith(f"Wrote {out_file}"))
    listed = line.split("changed key(s): ", 1)[1].rstrip(".").split(", ")
    assert sorted(k.lower() for k in listed) == changed
    code, out, _ = run_main(capsys, "harden", "--json", str(vmx), "--fix", str(out_file))
    assert sorted(k.lower() for k in json.loads(out)["fixed_keys"]) == changed


@pytest.mark.parametrize("target, message", [
    ("/dev/zero", "vlab: /dev/zero is not a regular file (a pipe or a device?); give a .vmx file"),
    ("fifo", "is not a regular file (a pipe or a device?); give a .vmx file"),
    ("broken", "is a broken symbolic link (it points to "),
])
def test_harden_refuses_what_it_could_never_finish_reading(tmp_path, target, message):
    # reading /dev/zero or a pipe used to hang for ever
    if target == "fifo":
        target = str(tmp_path / "pipe.vmx")
        os.mkfifo(target)
    elif target == "broken":
        target = str(tmp_path / "gone.vmx")
        os.symlink(tmp_path / "nowhere.vmx", target)
    out = vlab("harden", target)  # a process with a time limit: the old bug was a hang
    assert out.returncode == 1 and out.stdout == "" and message in out.stderr


def test_read_dictfile_refuses_a_pipe_without_opening_it(tmp_path):
    from vlab.formats.dictfile import read_dictfile
    from vlab.formats.vmdk import read_descriptor

    fifo = tmp_path / "pipe.vmx"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=r"pipe\.vmx: not a regular file"):
        read_dictfile(fifo)
    with pytest.raises(ValueError, match=r"pipe\.vmx: not a regular file"):
        read_descriptor(fifo)
    with pytest.raises(ValueError, match="a folder"):
        read_dictfile(tmp_path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
def test_every_corpus_vmx_gives_valid_json_for_every_profile(capsys, tmp_path):
    for vmx_file in sorted((CORPUS / "vmx").glob("*.vmx")):
        for profile in ("baseline", "advanced", "legacy", "all"):
            fixed = tmp_path / "fixed.vmx"
            code, out, err = run_main(capsys, "harden", "--json", "--profile", profile,
                                      "--fix", str(fixed), str(vmx_file))
            data = json.loads(out)
            assert code == (4 if data["counts"]["fail"] else 0), err
            code, out, _ = run_main(capsys, "harden", "--json", "--profile", profile, str(fixed))
            # what stays failing is exactly what the fix reported it cannot do by a .vmx edit
            # (virtualHW.version: upgrade VM compatibility in vSphere)
            left = {r["key"] for r in json.loads(out)["results"] if r["status"] == "fail"}
            assert left == {n["key"] for n in data["not_fixed"]}, vmx_file.name
            assert code == (4 if left else 0), vmx_file.name


# -- search ------------------------------------------------------------------------------------


def test_search_takes_a_dash_word_and_refuses_nothing(capsys):
    code, out, _ = run_main(capsys, "search", "--json", "-flat")
    assert code == 0 and json.loads(out)[0]["title"].startswith("-flat.vmdk:")
    code, out, err = run_main(capsys, "search", " ")
    assert code == 1 and out == ""
    assert err.startswith("vlab: nothing to search for: give one or more words")


def test_a_mistyped_short_option_is_still_an_option_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["search", "vmx", "-j"])
    assert stop.value.code == 2
    assert "unrecognized arguments: -j" in capsys.readouterr().err


def test_search_columns_line_up_and_a_long_query_is_cut_in_the_message(capsys):
    code, out, _ = run_main(capsys, "search", "snapshot")
    assert code == 0
    kind_columns = {line.index(" file type ") if " file type " in line else line.index(" term ")
                    for line in out.splitlines() if " file type " in line or " term " in line}
    assert len(kind_columns) == 1  # a 45-character title used to push its row out of line
    code, _, err = run_main(capsys, "search", "q" * 500)
    assert code == 1 and err == f"vlab: no matches for '{'q' * 57}...'.\n"


# -- quiz --------------------------------------------------------------------------------------


@pytest.fixture
def bank_copy(tmp_path) -> Path:
    target = tmp_path / "b05.yaml"
    shutil.copy(REPO / "datasets" / "quizzes" / "05_datastore_files.yaml", target)
    return target


def test_quiz_export_refuses_to_overwrite_the_bank_it_reads(capsys, bank_copy, monkeypatch):
    before = bank_copy.read_bytes()
    monkeypatch.chdir(bank_copy.parent)
    for target in (str(bank_copy), "./b05.yaml"):
        code, _, err = run_main(capsys, "quiz", "export", str(bank_copy), "-o", target)
        assert code == 1
        assert err.startswith(f"vlab: --output {Path(target)} is the bank being exported")
    assert bank_copy.read_bytes() == before


def test_quiz_export_refuses_to_write_into_the_banks_folder(capsys, tmp_path, monkeypatch):
    import vlab.learn.bank

    # a copy of the banks, so that a regression cannot overwrite the real ones
    banks = tmp_path / "quizzes"
    shutil.copytree(REPO / "datasets" / "quizzes", banks)
    monkeypatch.setattr(vlab.learn.bank, "banks_dir", lambda: banks)
    bank = banks / "00_start_here.yaml"
    before = bank.read_bytes()
    code, _, err = run_main(capsys, "quiz", "export", "05_datastore_files", "-o", str(bank))
    assert code == 1 and "where every file is read as a question bank" in err
    assert bank.read_bytes() == before
    code, _, err = run_main(capsys, "quiz", "export", "05_datastore_files", "-o", "")
    assert code == 1 and err == "vlab: --output needs a file name, not an empty string\n"


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "bin.yaml").write_bytes(b"\xff\xfe\x00garbage") and d / "bin.yaml",
     "- not UTF-8 text (byte 0)"),
    (lambda d: d, "is a folder; give a question bank file (.yaml or .json) inside it"),
    (lambda d: Path("/dev/zero"), "/dev/zero is not a regular file (a pipe or a device?)"),
    (lambda d: d / "nothere.yaml", "nothere.yaml: no such file"),
])
def test_quiz_refuses_unreadable_banks_with_a_message(tmp_path, make, message):
    # these used to be a UnicodeDecodeError / IsADirectoryError traceback, or a hang on /dev/zero
    path = make(tmp_path)
    for action in ("validate", "export"):
        out = vlab("quiz", action, str(path))  # a process with a time limit: /dev/zero hung
        no_traceback(out)
        # validate reports a bank it cannot read as BROKEN on stdout; export says why on stderr
        assert out.returncode == 1 and message in out.stdout + out.stderr


def test_quiz_takes_a_lab_number_but_not_a_partial_name(capsys):
    code, out, _ = run_main(capsys, "quiz", "validate", "5", "05")
    assert code == 0
    from vlab.learn import load_bank

    assert out == f"ok      05_datastore_files ({len(load_bank('05_datastore_files'))} questions)\n" * 2
    code, _, err = run_main(capsys, "quiz", "validate", "05_data")
    assert code == 1 and "no question bank for lab '05_data'" in err


# -- progress ----------------------------------------------------------------------------------


def test_progress_refuses_empty_option_values(capsys, vlab_home):
    for args, message in (
        (("--export", ""), "vlab: --export needs a file name, not an empty string\n"),
        (("--learner", ""), "vlab: --learner needs a name, not an empty string\n"),
        (("--lab", " "), "vlab: --lab needs a lab such as 00_start_here, not an empty string\n"),
    ):
        code, out, err = run_main(capsys, "progress", *args)
        assert (code, out, err) == (1, "", message)


def test_progress_export_refuses_to_overwrite_the_store(capsys, vlab_home):
    from vlab.learn.progress import ProgressStore

    with ProgressStore(learner="ada") as store:
        store.record("00_start_here", "q1", "x", True, 1.0)
    db = vlab_home / "progress.sqlite"
    for target in (db, vlab_home / "progress.sqlite-wal"):
        code, _, err = run_main(capsys, "progress", "--export", str(target))
        assert code == 1 and err.startswith(f"vlab: --export {target} is the progress store itself")
    with ProgressStore(learner="ada") as store:
        assert len(store.attempts()) == 1


def test_an_unusable_store_is_an_error_not_an_empty_table(tmp_path):
    # VLAB_HOME pointing at a file: the store falls back to memory, which used to print an
    # all-zero table (and write an empty export) with exit 0
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file")
    for args in ((), ("--export", str(tmp_path / "a.csv")), ("--reset", "--yes")):
        out = vlab("progress", *args, env={"VLAB_HOME": str(not_a_folder)})
        no_traceback(out)
        assert out.returncode == 1 and out.stdout == ""
        assert (f"vlab: cannot open or create the progress store {not_a_folder / 'progress.sqlite'}"
                in out.stderr)
    assert not (tmp_path / "a.csv").exists()


def test_a_corrupt_store_is_moved_aside_with_a_warning(vlab_home):
    (vlab_home / "progress.sqlite").write_bytes(os.urandom(4096))
    out = vlab("progress", "--json", env={"VLAB_HOME": str(vlab_home)})
    no_traceback(out)
    assert out.returncode == 0
    assert json.loads(out.stdout)["total"]["attempts"] == 0
    assert "was unreadable" in out.stderr and "moved it to progress.sqlite.corrupt-" in out.stderr
    assert len(list(vlab_home.glob("progress.sqlite.corrupt-*"))) == 1


def test_harden_warns_when_the_file_does_not_look_like_a_vmx(capsys, tmp_path):
    # a .vmsd has the same key = "value" form; auditing it as a VM said nothing before
    vmsd = tmp_path / "web01.vmsd"
    vmsd.write_text('.encoding = "UTF-8"\nsnapshot.lastUID = "1"\nsnapshot.numSnapshots = "0"\n')
    code, out, _ = run_main(capsys, "harden", str(vmsd))
    assert code == 4  # still audited: the rules are what they are
    assert ("  warning: web01.vmsd has neither virtualHW.version nor config.version, which every "
            ".vmx has; is it a .vmx (not a .vmsd or .vmxf)?") in out.splitlines()
    code, out, _ = run_main(capsys, "harden", "--json", str(vmsd))
    assert len(json.loads(out)["warnings"]) == 1
    if CORPUS.is_dir():  # every real .vmx has both keys: no such warning
        for real in sorted((CORPUS / "vmx").glob("*.vmx")):
            code, out, _ = run_main(capsys, "harden", "--json", str(real))
            assert json.loads(out)["warnings"] == [], real.name


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
def test_the_folder_tip_names_a_card_that_explain_shows(capsys, tmp_path):
    # a snapshot delta without its parent: the tip must name the delta's card, and that card
    # must open (it starts with '-', which argparse used to refuse)
    shutil.copy(CORPUS / "vmdk" / "vmdk-rs__vmfs_thick-000001.vmdk", tmp_path / "web01-000001.vmdk")
    code, out, _ = run_main(capsys, "explain", str(tmp_path))
    assert code == 3
    tip = out.splitlines()[-1]
    assert tip == "Tip: `vlab explain '-00000#.vmdk'` (or any file type) says what such a file is for."
    code, out, _ = run_main(capsys, "explain", "-00000#.vmdk")
    assert code == 0 and out.startswith("-00000#.vmdk: Snapshot delta disk")


def test_a_hyphenated_spelling_finds_the_unhyphenated_name(capsys):
    code, out, _ = run_main(capsys, "explain", "--json", "VMFS-3")  # the alias is VMFS3
    assert code == 0 and json.loads(out)["title"] == "VMFS"
    code, out, _ = run_main(capsys, "explain", "--json", "Fault-Domain-Manager")
    assert code == 0 and json.loads(out)["title"] == "Fault Domain Manager"


def test_a_learner_name_that_is_not_utf8_is_a_message(vlab_home):
    # it reached SQLite and raised UnicodeEncodeError (a traceback)
    env = {"VLAB_HOME": str(vlab_home)}
    out = subprocess.run([VLAB, "progress"], capture_output=True, timeout=60,
                         env={**os.environ, **env, "VLAB_LEARNER": os.fsdecode(b"caf\xe9")})
    assert out.returncode == 1 and b"Traceback" not in out.stderr
    assert out.stderr == (b"vlab: the learner name ($VLAB_LEARNER or your user name) 'caf\\xe9' "
                          b"is not valid UTF-8 text; give a name with --learner\n")


def test_quiz_names_the_suffix_a_bank_needs(capsys, vmx):
    # an existing file that is not .yaml/.json was looked up as a lab slug: "no question bank"
    code, _, err = run_main(capsys, "quiz", "validate", str(vmx))
    assert code == 1 and err == f"vlab: {vmx}: a question bank is a .yaml, .yml or .json file\n"


def test_harden_prints_a_non_utf8_file_name_escaped(tmp_path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.vmx"
    with open(name, "wb") as fh:
        fh.write(WIN2019_VMX.encode())
    out = subprocess.run([VLAB, "harden", os.fsdecode(name)], capture_output=True, timeout=60,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert out.returncode == 4
    assert out.stdout.decode("utf-8").splitlines()[0].startswith(f"{tmp_path}/caf\\xe9.vmx: ")


def test_explain_takes_one_path_at_a_time(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.vmx").write_text(WIN2019_VMX)
    (tmp_path / "b.vmx").write_text(WIN2019_VMX)
    code, _, err = run_main(capsys, "explain", "a.vmx", "b.vmx")  # was "nothing called 'a.vmx b.vmx'"
    assert code == 1 and err == "vlab: explain one path at a time (got 2), e.g. `vlab explain a.vmx`\n"


def test_a_datastore_root_points_to_its_vm_folders(capsys, tmp_path):
    # /vmfs/volumes/<datastore> holds one folder per VM; listing it said only "0 file(s)"
    for vm in ("db01", "web01"):
        (tmp_path / vm).mkdir()
        (tmp_path / vm / f"{vm}.vmx").write_text(WIN2019_VMX)
    code, out, _ = run_main(capsys, "explain", str(tmp_path))
    assert code == 0
    assert (f"No VM files here, but 2 folder(s): db01/, web01/. `vlab explain {tmp_path / 'db01'}` "
            "lists one.") in out.splitlines()
    code, out, _ = run_main(capsys, "explain", str(tmp_path / "db01"))
    assert code == 3 and "No VM files here" not in out  # its disk is missing, but it is a VM


def test_a_folder_of_many_files_lists_a_few_of_each_kind_and_counts_every_anomaly(capsys, tmp_path):
    for i in range(25):
        (tmp_path / f"x{i:02d}-flat.vmdk").write_bytes(b"")
    (tmp_path / "a.vmx").write_text('config.version = "8"\nvirtualHW.version = "14"\n')
    code, out, _ = run_main(capsys, "explain", str(tmp_path))
    assert code == 3
    listed = [line for line in out.splitlines() if line.startswith("  x") and "-flat.vmdk" in line]
    assert len(listed) == 10
    assert "  ... and 15 more file(s): disk data, preallocated or thin (-flat.vmdk)" in out
    assert "25 anomalies:" in out  # 9 shown one by one, then one line for the other 16
    assert out.count("orphan_extent:") == 10 and "and 16 more files with the same problem" in out
