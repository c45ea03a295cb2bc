"""Entry point of the `vlab` command: one subcommand per module of vlab.cli.

Modules are imported by name from COMMANDS; each defines `register(subparsers)` and a `run(args) -> int`.
Heavy libraries are imported inside `run`, so a look-up starts fast.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from vlab import __version__
from vlab.cli.errors import UserError
from vlab.cli.util import safe_stdout

COMMANDS = ("explain", "search", "lab", "harden", "quiz", "progress", "scores")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vlab",
        description="Look up, audit and learn VMware ESX/vSphere internals.",
    )
    parser.add_argument("--version", action="version", version=f"vlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module_name = f"vlab.cli.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    safe_stdout()  # a character the terminal cannot show is printed as an escape, never a crash
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except UserError as err:
        print(f"vlab: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
