"""`vlab lab`: start JupyterLab on loopback, token auth on, opened at the first lab.

It serves the learner edition of the labs (no instructor cells, no outputs: see `vlab.learn.editions`) from
a workspace in $VLAB_HOME, never the authored labs/ of a checkout; `--instructor` serves the full labs
from a workspace of their own. `vlab lab` then becomes JupyterLab (exec), so a signal sent to it (a
supervisor's SIGTERM, Ctrl-C) reaches JupyterLab itself and nothing is left running.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from vlab.cli.errors import UserError

FIRST_LAB = "00_start_here.ipynb"


def register(sub) -> None:
    p = sub.add_parser("lab", help="start JupyterLab at the first lab (127.0.0.1, token auth on)")
    p.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    p.add_argument("--instructor", action="store_true",
                   help="serve the instructor edition (facilitator notes, pitfalls, solutions, outputs)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--dry-run", action="store_true",
                   help="prepare the workspace and print the command instead of running it")
    p.set_defaults(run=run)


def prepare_workspace(edition: str) -> tuple[Path, str]:
    """Bring the edition's workspace up to the installed labs; returns it and a line for the learner."""
    from vlab.knowledge import labs_dir
    from vlab.learn.editions import sync_workspace, workspace_dir

    target = workspace_dir(edition)
    try:
        report = sync_workspace(labs_dir(), target, edition)
    except OSError as err:
        raise UserError(f"cannot prepare the labs in {target}: {err.strerror or err}; set VLAB_HOME to a "
                        "folder you can write to") from None
    return target, report.summary()


# vlab works offline: JupyterLab neither fetches its news feed nor checks for updates.
OFFLINE_FLAGS = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
)


# ... and never asks the learner whether to fetch it: the consent toast comes from the announcements
# plugin, which a page_config.json on JUPYTER_CONFIG_PATH disables for the sessions vlab starts only.
QUIET_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)


def quiet_config_dir(home: Path) -> Path:
    """A Jupyter config folder of vlab's own (labconfig/page_config.json), for JUPYTER_CONFIG_PATH."""
    import json

    folder = home / "jupyter-config"
    page_config = folder / "labconfig" / "page_config.json"
    wanted = json.dumps({"disabledExtensions": {name: True for name in QUIET_PLUGINS}}, indent=1) + "\n"
    try:
        if not page_config.is_file() or page_config.read_text(encoding="utf-8") != wanted:
            page_config.parent.mkdir(parents=True, exist_ok=True)
            page_config.write_text(wanted, encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write {page_config}: {err.strerror or err}; set VLAB_HOME to a folder "
                        "you can write to") from None
    return folder


def command(port: int, no_browser: bool, workspace: Path) -> list[str]:
    """The JupyterLab command line serving `workspace`, opened at the first lab."""
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={workspace}",
        f"--LabApp.default_url=/lab/tree/{FIRST_LAB}",
        *OFFLINE_FLAGS,
    ]
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def run(args) -> int:
    if not 0 < args.port < 65536:
        raise UserError(f"port {args.port} is not between 1 and 65535")
    edition = "instructor" if args.instructor else "learner"
    workspace, news = prepare_workspace(edition)
    cmd = command(args.port, args.no_browser, workspace)
    if news:
        print(news)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    from vlab.learn.progress import vlab_home

    quiet = str(quiet_config_dir(vlab_home()))
    paths = [quiet, *(p for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p)]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    print(f"vlab: starting JupyterLab on http://127.0.0.1:{args.port} at {workspace / FIRST_LAB} "
          f"({edition} edition)", flush=True)
    os.execv(sys.executable, cmd)
    return 0  # not reached: exec replaced this process
