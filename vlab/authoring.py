"""For lab authors: re-execute a lab notebook so its stored outputs are the ones nbval compares.

    python -m vlab.authoring labs/05_datastore_files.ipynb [...]     (or: make labs)

Runs each notebook top to bottom in a fresh kernel with a throw-away $VLAB_HOME (so an author's own progress
never leaks into a committed notebook), then drops the saved widget state, which only bloats the file.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def execute_notebook(path: Path, timeout_s: int = 600) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="vlab-home-") as home:
        old = os.environ.get("VLAB_HOME")
        os.environ["VLAB_HOME"] = home
        try:
            NotebookClient(
                nb, timeout=timeout_s, kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
        finally:
            if old is None:
                os.environ.pop("VLAB_HOME", None)
            else:
                os.environ["VLAB_HOME"] = old
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        print("usage: python -m vlab.authoring NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for path in paths:
        print(f"executing {path}", flush=True)
        execute_notebook(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
