"""The `vlab` command line: look-ups, audits and progress, without widgets."""
from vlab.cli.main import main

__all__ = ["main"]
