"""The two editions of the labs, built from the authored notebooks in labs/, and the learner's workspace.

- **learner edition**: cells tagged `instructor` (facilitator notes, pitfalls, solutions) removed, and every
  output cleared, so nothing on the page answers a question before the learner has run the cell that asks it;
  the learner runs the cells. Saved widget state is dropped too.
- **instructor edition**: the authored labs as they are, executed outputs included.

`vlab lab` serves an edition from a workspace outside any git checkout (`$VLAB_HOME/labs`, or
`$VLAB_HOME/instructor-labs`), so a day of study never modifies a tracked file. `sync_workspace` brings the
workspace up to the installed vlab: a lab the learner has not changed is replaced by its new version; a lab
they have changed is never overwritten, and the new version is written beside it (`NAME.updated-HASH.ipynb`).
A manifest (`.vlab-workspace.json`) remembers the hash of what vlab last wrote for each lab, which is how
"not changed" is decided. Standard library only: the CLI imports this.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlab.learn.progress import vlab_home

EDITIONS = ("learner", "instructor")
INSTRUCTOR_TAG = "instructor"
MANIFEST = ".vlab-workspace.json"
# Files of labs/ that are not for the learner's workspace.
NOT_FOR_LEARNERS = {"FACILITATOR.md"}
# The reading list sits beside labs/ in a checkout (inside it in a wheel); the workspace is flat, so the
# labs' links to "../references.md" become "references.md" and the file is copied in.
REFERENCES = "references.md"
_REFERENCES_LINK = "](../references.md"


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _flat_links(cell: dict[str, Any]) -> None:
    """Point a Markdown cell's links to ../references.md at the workspace's own copy."""
    if cell.get("cell_type") != "markdown":
        return
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    if _REFERENCES_LINK in text:
        cell["source"] = text.replace(_REFERENCES_LINK, "](" + REFERENCES)


def learner_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of an authored notebook (nbformat 4 JSON) as learners get it."""
    out = json.loads(json.dumps(nb))
    cells = []
    for cell in out.get("cells", []):
        if INSTRUCTOR_TAG in _tags(cell):
            continue
        _flat_links(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    out["cells"] = cells
    out.get("metadata", {}).pop("widgets", None)
    return out


def edition_notebook(nb: dict[str, Any], edition: str) -> dict[str, Any]:
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(EDITIONS)}")
    if edition == "learner":
        return learner_notebook(nb)
    out = json.loads(json.dumps(nb))
    for cell in out.get("cells", []):
        _flat_links(cell)
    return out


def notebook_bytes(nb: dict[str, Any]) -> bytes:
    """The notebook serialised the way Jupyter writes it (indent 1, keys sorted, a final newline)."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def build_edition_file(source: Path, edition: str) -> bytes:
    """The bytes of one lab notebook in the given edition."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    return notebook_bytes(edition_notebook(nb, edition))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def workspace_dir(edition: str, home: Path | None = None) -> Path:
    home = home if home is not None else vlab_home()
    return home / ("labs" if edition == "learner" else "instructor-labs")


@dataclass
class SyncReport:
    """What `sync_workspace` did to each file of the workspace."""

    workspace: Path
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # unchanged, or edited by the learner with no news
    beside: list[tuple[str, str]] = field(default_factory=list)  # (learner's file, new version's file)

    def summary(self) -> str:
        """One line for the learner, empty when there is nothing to say."""
        if not self.beside:
            return ""
        pairs = ", ".join(f"{new}" for _mine, new in self.beside)
        n = len(self.beside)
        return (f"vlab: {n} lab{'s' if n > 1 else ''} you edited "
                f"{'have' if n > 1 else 'has'} a new version beside {'them' if n > 1 else 'it'}: {pairs}")


def _lab_sources(labs: Path) -> Iterable[Path]:
    found = sorted(p for p in labs.iterdir() if p.is_file() and not p.name.startswith("."))
    beside = labs.parent / REFERENCES
    if beside.is_file() and not (labs / REFERENCES).exists():
        found.append(beside)  # a checkout: the reading list sits next to labs/
    return found


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def sync_workspace(labs: Path, workspace: Path, edition: str = "learner") -> SyncReport:
    """Bring `workspace` up to the authored `labs`, never overwriting a file the learner changed."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {', '.join(EDITIONS)}")
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path = workspace / MANIFEST
    manifest = _read_manifest(manifest_path)
    written: dict[str, str] = {k: v for k, v in manifest.get("written", {}).items() if isinstance(v, str)}
    report = SyncReport(workspace)
    for source in _lab_sources(labs):
        if source.suffix == ".py" or (edition == "learner" and source.name in NOT_FOR_LEARNERS):
            continue
        new = (build_edition_file(source, edition) if source.suffix == ".ipynb"
               else source.read_bytes())
        new_hash = _digest(new)
        target = workspace / source.name
        if not target.exists():
            target.write_bytes(new)
            written[source.name] = new_hash
            report.created.append(source.name)
            continue
        current_hash = _digest(target.read_bytes())
        if current_hash == new_hash:
            written[source.name] = new_hash
            report.kept.append(source.name)
        elif current_hash == written.get(source.name):
            target.write_bytes(new)  # untouched by the learner: take the new version
            written[source.name] = new_hash
            report.updated.append(source.name)
        elif written.get(source.name) == new_hash or written.get("beside:" + source.name) == new_hash:
            report.kept.append(source.name)  # the learner's edit of the version we have: nothing new
        else:
            beside = target.with_name(f"{target.stem}.updated-{new_hash[:8]}{target.suffix}")
            beside.write_bytes(new)
            written["beside:" + source.name] = new_hash
            report.beside.append((source.name, beside.name))
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"edition": edition, "written": written}, indent=1, sort_keys=True),
                   encoding="utf-8")
    os.replace(tmp, manifest_path)
    return report


def write_edition(labs: Iterable[Path], out_dir: Path, edition: str = "learner") -> list[Path]:
    """Write each notebook of `labs` in the given edition into `out_dir` (overwriting); for builds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in labs:
        target = out_dir / source.name
        if source.suffix == ".ipynb":
            target.write_bytes(build_edition_file(source, edition))
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written
