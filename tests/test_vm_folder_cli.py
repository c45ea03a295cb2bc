"""`vlab explain PATH` on a folder: listing, findings, JSON and exit codes (0 clean, 3 anomalies)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from vlab.cli.folder import explain_path, human_size
from vlab.models.datastore.volume import Datastore

VLAB = str(Path(sys.executable).with_name("vlab"))


def folder(tmp_path) -> Path:
    ds = Datastore("ds1", capacity_gb=100, seed=0)
    vm = ds.create_vm("web", memory_mb=1024, disk_gb=2)
    vm.power_on()
    vm.snapshot("s1")
    vm.power_off()
    ds.materialize(tmp_path)
    return tmp_path / "web"


def test_human_size():
    assert human_size(0) == "0 B"
    assert human_size(8684) == "8.5 KiB"
    assert human_size(2 * 1024**3) == "2.0 GiB"


def test_clean_folder_listing_exits_0(tmp_path, capsys):
    path = folder(tmp_path)
    assert explain_path(path, as_json=False) == 0
    out = capsys.readouterr().out
    assert re.search(r"web-flat\.vmdk\s+2\.0 GiB\s+disk data", out)
    assert "snapshot database" in out and "No anomalies found." in out


def test_anomalies_exit_3_with_codes_in_text_and_json(tmp_path, capsys):
    path = folder(tmp_path)
    (path / "web-flat.vmdk").unlink()
    (path / "web-deadbeef.vswp").write_bytes(b"")
    (path / "web.vmsd").write_bytes(b"\x00\x01\x02")
    assert explain_path(path, as_json=False) == 3
    out = capsys.readouterr().out
    for code in ("missing_extent", "vswp_while_off", "malformed_file"):
        assert code in out
    assert "Traceback" not in out
    assert explain_path(path, as_json=True) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["clean"] is False
    assert {f["code"] for f in data["findings"]} == {"missing_extent", "vswp_while_off", "malformed_file"}
    assert {f["name"] for f in data["files"]} == {p.name for p in path.iterdir()}


def test_through_the_vlab_entry_point(tmp_path):
    path = folder(tmp_path)
    out = subprocess.run([VLAB, "explain", str(path), "--json"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["clean"] is True
    set_cid = (path / "web.vmdk").read_text()
    (path / "web.vmdk").write_text(re.sub(r"^CID=\w+$", "CID=00000001", set_cid, flags=re.M))
    out = subprocess.run([VLAB, "explain", str(path / "web-000001.vmdk")], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "broken_chain" in out.stdout and "Traceback" not in out.stderr
