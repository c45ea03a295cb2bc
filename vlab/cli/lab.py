"""`vlab lab`: start JupyterLab on loopback, token auth on, opened at the first lab."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from vlab.cli.errors import UserError

FIRST_LAB = "00_start_here.ipynb"


def register(sub) -> None:
    p = sub.add_parser("lab", help="start JupyterLab at the first lab (127.0.0.1, token auth on)")
    p.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.set_defaults(run=run)


def _working_labs() -> Path:
    """labs/ of a checkout, or a copy of the packaged labs in $VLAB_HOME/labs for an installed wheel."""
    from vlab.knowledge import labs_dir

    labs = labs_dir()
    if os.access(labs, os.W_OK) and (labs.parent / "pyproject.toml").exists():
        return labs
    home = Path(os.environ.get("VLAB_HOME", Path.home() / ".vlab")).expanduser()
    target = home / "labs"
    if not target.exists():
        shutil.copytree(labs, target)
    return target


# vlab works offline: JupyterLab neither fetches its news feed nor checks for updates.
OFFLINE_FLAGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
)


def command(port: int, no_browser: bool) -> tuple[list[str], Path]:
    """The JupyterLab command line and the folder it serves."""
    if not 0 < port < 65536:
        raise UserError(f"port {port} is not between 1 and 65535")
    labs = _working_labs()
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={labs.parent}",
        f"--LabApp.default_url=/lab/tree/{labs.name}/{FIRST_LAB}",
        *OFFLINE_FLAGS,
    ]
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd, labs


def run(args) -> int:
    cmd, labs = command(args.port, args.no_browser)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    print(f"vlab: starting JupyterLab on http://127.0.0.1:{args.port} at {labs / FIRST_LAB}")
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
