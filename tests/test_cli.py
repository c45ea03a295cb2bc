"""The `vlab` command, run through its installed entry point as a user would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

VLAB = str(Path(sys.executable).with_name("vlab"))
REPO = Path(__file__).resolve().parents[1]


def vlab(*args: str, cwd: Path | None = None, env: dict | None = None, exe: str = VLAB):
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_explain_vswp_says_what_it_is_when_it_appears_and_how_big():
    out = vlab("explain", "vswp")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.lower().split())
    assert "swap file" in text
    assert "power-on" in text and "power-off" in text
    assert "configured memory minus the memory reservation" in text
    assert "source:" in text


def test_explain_json_is_machine_readable():
    out = vlab("explain", ".VMSD", "--json")
    assert out.returncode == 0, out.stderr
    card = json.loads(out.stdout)
    assert card["kind"] == "file type" and card["extension"] == ".vmsd"
    assert card["source"]


def test_explain_a_component_and_a_multiword_term():
    out = vlab("explain", "VirtualCentre")
    assert out.returncode == 0 and "vCenter" in out.stdout
    out = vlab("explain", "resource", "pool")
    assert out.returncode == 0 and "resource pool" in out.stdout.lower()


def test_unknown_term_exits_1_with_suggestions_and_no_traceback():
    out = vlab("explain", "vswpp")
    assert out.returncode == 1
    assert "did you mean" in out.stderr.lower() and ".vswp" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_search_ranks_and_json():
    out = vlab("search", "snapshot", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all({"title", "kind", "score", "lab"} <= set(r) for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    plain = vlab("search", "page", "sharing")
    assert plain.returncode == 0 and "Transparent page sharing" in plain.stdout


def test_search_with_no_hit_and_bad_options_are_user_errors():
    out = vlab("search", "qqqzzzxx")
    assert out.returncode == 1 and "no matches" in out.stderr
    out = vlab("search", "vmdk", "--limit", "0")
    assert out.returncode == 1 and "--limit" in out.stderr
    out = vlab("explain")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_lab_command_starts_jupyterlab_on_loopback_at_the_first_lab():
    out = vlab("lab", "--dry-run", "--port", "8899")
    assert out.returncode == 0, out.stderr
    cmd = out.stdout
    assert "--ip=127.0.0.1" in cmd and "--port=8899" in cmd
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in cmd
    assert "token" not in cmd.lower(), "token auth stays on: never disable it"
    assert vlab("lab", "--port", "0", "--dry-run").returncode == 1


def test_no_command_prints_help():
    out = vlab()
    assert out.returncode == 2 and "explain" in out.stdout


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """vlab built as a wheel and installed (not editable) into a fresh venv, without its dependencies:
    the look-up commands need only the standard library, so this proves datasets/ ships in the wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp.glob("vlab-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
         "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return venv


def test_installed_wheel_explains_from_another_directory(installed_wheel, tmp_path):
    env = {**os.environ, "VLAB_HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    out = vlab("explain", "vswp", cwd=tmp_path, env=env, exe=str(installed_wheel / "bin" / "vlab"))
    assert out.returncode == 0, out.stderr
    assert "swap file" in out.stdout
    site = list(installed_wheel.glob("lib/python*/site-packages/vlab/_data/datasets/glossary.csv"))
    assert site, "datasets/ must be inside the installed package"


def test_installed_wheel_serves_a_copy_of_the_labs(installed_wheel, tmp_path):
    env = {**os.environ, "VLAB_HOME": str(tmp_path / "home")}
    out = vlab("lab", "--dry-run", cwd=tmp_path, env=env, exe=str(installed_wheel / "bin" / "vlab"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "home" / "labs" / "00_start_here.ipynb").exists()


def test_installed_wheel_explains_every_seed_file_type_and_component(installed_wheel, tmp_path):
    probe = (
        "from vlab import knowledge\n"
        "names = ['log','nvram','vmdk','vmem','vmsd','vmsn','vmss','vmtm','vmx','vmxf','vswp',"
        "'-flat.vmdk','-delta.vmdk','-ctk.vmdk','vmx-*.vswp','vmware-1.log','.vmtx','.hlog',"
        "'ESX Server','Virtual SMP','VirtualCenter Management Server','VirtualCenter database','VI Client',"
        "'VirtualCenter agent','VI Web Access','DRS','VMotion','HA','VMware Consolidated Backup']\n"
        "missing = [n for n in names if knowledge.lookup(n) is None]\n"
        "print(knowledge.datasets_dir()); print('missing', missing)\n"
    )
    out = subprocess.run([str(installed_wheel / "bin" / "python"), "-c", probe], capture_output=True,
                         text=True, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    where, missing = out.stdout.splitlines()
    assert "site-packages/vlab/_data/datasets" in where
    assert missing == "missing []"


def test_vlab_lab_serves_the_first_lab_on_loopback_with_token_auth(tmp_path):
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_TOKEN": "vlab-test-token", "VLAB_HOME": str(tmp_path / "home"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    server = subprocess.Popen([VLAB, "lab", "--no-browser", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(160):
            try:
                urllib.request.urlopen(f"{base}/api/status?token=vlab-test-token", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("vlab lab did not start JupyterLab")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/contents", timeout=5)
        assert refused.value.code == 403
        # The server's root is the learner's workspace: the labs and nothing else of $VLAB_HOME.
        listing = json.load(urllib.request.urlopen(f"{base}/api/contents?token=vlab-test-token"))
        names = {item["name"] for item in listing["content"]}
        assert "00_start_here.ipynb" in names and "progress.sqlite" not in names
        landing = urllib.request.urlopen(f"{base}/?token=vlab-test-token", timeout=10)
        assert landing.url.split("?")[0].endswith("/lab/tree/00_start_here.ipynb")
        # Offline: the page tells JupyterLab not to fetch news, and the server fetches none either.
        page = landing.read().decode("utf-8")
        tag_and_rest = page.split('id="jupyter-config-data"', 1)[1]
        config = json.loads(tag_and_rest.split(">", 1)[1].split("</script>", 1)[0])
        assert config["news"] == {"disabled": True}
        # ... and does not ask the learner about news either: the announcements plugin is off.
        assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"]
        news = json.load(urllib.request.urlopen(f"{base}/lab/api/news?token=vlab-test-token"))
        assert news["news"] == []
        # vlab lab became JupyterLab (exec): the one process serving this home is the one we started.
        assert processes_mentioning(str(tmp_path / "home")) == [server.pid]
    finally:
        server.terminate()  # SIGTERM, as a supervisor or a hub sends it
        server.wait(timeout=20)
    assert processes_mentioning(str(tmp_path / "home")) == [], "a JupyterLab outlived vlab lab"


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains `text` (read from /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(proc.name))
    return found
