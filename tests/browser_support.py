"""What the browser tests share: JupyterLab on loopback (token on, stopped by its PID), Debian's Chromium
driven by Playwright (never a downloaded browser), and a notebook opened and run as a learner does."""
from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# no news feed, no update check and no question about news, as `vlab lab` runs it
from vlab.cli.lab import OFFLINE_FLAGS, quiet_config_dir

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_jupyterlab(root: Path, tmp: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving `root`, with its own config, settings and $VLAB_HOME under `tmp`.

    Every cell is rendered (no windowing), so checks see the cells below the fold too.
    Yields (base URL, token); the server is terminated and waited for on exit.
    """
    port, token = free_port(), secrets.token_hex(16)
    tracker = tmp / "jsettings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text('{"windowingMode": "none"}')
    env = {
        **os.environ,
        "VLAB_HOME": str(tmp / "vlab_home"),
        "JUPYTER_CONFIG_DIR": str(tmp / "jconfig"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "jruntime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "jworkspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "jsettings"),
        "JUPYTER_CONFIG_PATH": str(quiet_config_dir(tmp / "vlab_home")),
    }
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", *OFFLINE_FLAGS]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp / "jupyter.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                    break
                except OSError:
                    time.sleep(0.25)
            else:
                pytest.fail("JupyterLab did not start: " + log_path.read_text()[-2000:])
            # Token auth is on: the API refuses a request without the token.
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}/api/contents", timeout=5)
            yield base, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def launch(playwright, chromium: str, tmp: Path, profile: str, **options):
    """Debian's Chromium, headless, with a browser profile of its own under `tmp`."""
    return playwright.chromium.launch_persistent_context(
        str(tmp / profile), executable_path=chromium, headless=True, args=CHROMIUM_ARGS, **options
    )


KERNEL_OR_DIALOG_JS = """() => {
  if (document.querySelector('.jp-Dialog')) return true;
  const name = document.querySelector('.jp-NotebookPanel .jp-KernelName, .jp-Toolbar-kernelName');
  return !!name && name.textContent.trim() !== '' && !/No Kernel/i.test(name.textContent);
}"""


def open_and_run_all(browser, base: str, token: str, notebook: str, folder: str = "labs"):
    """Open a notebook in JupyterLab and run all its cells, as a learner does; returns the page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page()
    page.set_default_timeout(60_000)
    # A workspace of its own: the server is shared, and a workspace reopens the tabs it last had.
    workspace = notebook.removesuffix(".ipynb")
    path = f"{folder}/{notebook}" if folder else notebook
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    # JupyterLab may ask once which kernel to start (the notebook's own): answer the dialog if it comes,
    # and go on as soon as the notebook has a kernel, rather than waiting a fixed time for a dialog.
    page.wait_for_function(KERNEL_OR_DIALOG_JS, timeout=60_000, polling=200)
    select_kernel = page.get_by_role("button", name="Select Kernel")
    if select_kernel.count():
        try:
            select_kernel.click(timeout=10_000)
        except PlaywrightTimeout:
            pass
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    return page
