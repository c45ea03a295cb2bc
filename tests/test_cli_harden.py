"""`vlab harden`, run through the installed entry point: exit codes 0 / 4 / 1, --json, --fix."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

VLAB = str(Path(sys.executable).with_name("vlab"))
WIN2019 = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "vmx" / "virt-v2v__test-i-vmx-7.vmx"
CLEAN = 'config.version = "8"\nvirtualHW.version = "19"\nRemoteDisplay.maxConnections = "1"\n' \
        'migrate.encryptionMode = "required"\n'


def vlab(*args: str):
    return subprocess.run([VLAB, "harden", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def win2019() -> Path:
    if not WIN2019.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the corpus file {WIN2019}")
        pytest.skip("corpus absent")
    return WIN2019


def test_a_clean_file_exits_0(tmp_path):
    path = tmp_path / "clean.vmx"
    path.write_text(CLEAN)
    out = vlab(str(path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All audited rules pass" in out.stdout


def test_failures_exit_4_and_name_the_keys(win2019):
    out = vlab(str(win2019))
    assert out.returncode == 4
    for key in ("tools.guest.desktop.autolock", "RemoteDisplay.maxConnections", "usb_xhci.present",
                "migrate.encryptionMode"):
        assert key in out.stdout
    assert "4 fail" in out.stdout


def test_json_is_data(win2019):
    out = vlab(str(win2019), "--json", "--profile", "all")
    assert out.returncode == 4
    data = json.loads(out.stdout)
    assert data["passed"] is False and data["profiles"] == ["baseline", "advanced", "legacy"]
    statuses = {r["key"]: r["status"] for r in data["results"]}
    assert statuses["RemoteDisplay.maxConnections"] == "fail"
    assert statuses["uefi.secureBoot.enabled"] == "pass"
    assert sum(data["counts"].values()) == len(data["results"])


def test_fix_writes_a_file_that_then_passes(win2019, tmp_path):
    out_file = tmp_path / "fixed.vmx"
    out = vlab(str(win2019), "--fix", str(out_file))
    assert out.returncode == 4  # the original still had failures
    assert out_file.exists() and f"Wrote {out_file}" in out.stdout
    again = vlab(str(out_file))
    assert again.returncode == 0, again.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b'config.version = "8\n', "line 1"),
        (b"\x7fELF\x02\x01\x00\x00", "binary"),
        (b"", "no key"),
    ],
)
def test_user_errors_exit_1_with_a_message_and_no_traceback(tmp_path, content, message):
    path = tmp_path / "vm.vmx"
    if content is not None:
        path.write_bytes(content)
    out = vlab(str(path))
    assert out.returncode == 1
    assert message in out.stderr and out.stderr.startswith("vlab: ")
    assert "Traceback" not in out.stderr + out.stdout


def test_a_folder_and_an_unwritable_fix_target_are_user_errors(tmp_path):
    out = vlab(str(tmp_path))
    assert out.returncode == 1 and "is a folder" in out.stderr
    path = tmp_path / "clean.vmx"
    path.write_text(CLEAN)
    out = vlab(str(path), "--fix", str(tmp_path))
    assert out.returncode == 1 and "--fix" in out.stderr and "Traceback" not in out.stderr
