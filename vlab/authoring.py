"""For lab authors: re-execute a lab notebook so its stored outputs are the ones nbval compares.

    python -m vlab.authoring labs/05_datastore_files.ipynb [...]     (or: make labs)
    python -m vlab.authoring --learner-copy OUT_DIR labs/*.ipynb        (or: make learner-labs)

The first form runs each notebook top to bottom in a fresh kernel with a throw-away $VLAB_HOME (so an author's own progress
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


def learner_copy(path: Path, out_dir: Path) -> Path:
    """Write the learner edition of a lab (what `vlab lab` serves: no instructor cells, no outputs)."""
    from vlab.learn.editions import write_edition

    return write_edition([path], out_dir, "learner")[0]


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    out_dir = None
    if args[:1] == ["--learner-copy"] and len(args) >= 2:
        out_dir = Path(args[1])
        args = args[2:]
    paths = [Path(p) for p in args]
    if not paths:
        print("usage: python -m vlab.authoring [--learner-copy OUT_DIR] NOTEBOOK.ipynb [...]",
              file=sys.stderr)
        return 2
    if out_dir is not None:
        for path in paths:
            print(f"wrote {learner_copy(path, out_dir)}")
        return 0
    for path in paths:
        print(f"executing {path}", flush=True)
        execute_notebook(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
