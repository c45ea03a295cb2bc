"""`vlab explain PATH`: list a VM folder's (or one file's) files with their roles, then the anomalies.

Called by `vlab explain` when its term is an existing path. Exit codes: 0 = no anomalies,
3 = anomalies found (listed; `--json` gives them as data), 1 = the path cannot be read (UserError).
A malformed file in the folder is a finding, never a traceback.
"""
from __future__ import annotations

from pathlib import Path

from vlab.cli.errors import UserError
from vlab.cli.util import json_text, printable, quoted

EXIT_CLEAN = 0
EXIT_ANOMALIES = 3


def human_size(n: int) -> str:
    """Bytes as `ls -lh` would print them, with binary units."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _point_to_subfolders(folder: Path, shown: int = 5) -> None:
    """A datastore's root holds one folder per VM and no VM files: say where to look."""
    try:
        subs = sorted(x.name for x in folder.iterdir() if x.is_dir() and not x.name.startswith("."))
    except OSError:
        return
    if not subs:
        return
    listed = ", ".join(printable(s) + "/" for s in subs[:shown])
    more = f" and {len(subs) - shown} more" if len(subs) > shown else ""
    print(f"No VM files here, but {len(subs)} folder(s): {listed}{more}. "
          f"`vlab explain {quoted(str(folder / subs[0]))}` lists one.")


FILES_PER_KIND = 10  # a folder of thousands of files lists the first few of each kind, then a count


def _listed(files):
    """The files to list (at most FILES_PER_KIND of each kind) and {role: how many more}."""
    seen: dict[str, int] = {}
    shown, hidden = [], {}
    for f in files:
        seen[f.kind] = seen.get(f.kind, 0) + 1
        if seen[f.kind] <= FILES_PER_KIND:
            shown.append(f)
        else:
            hidden[f.role] = hidden.get(f.role, 0) + 1
    return shown, hidden


def explain_path(path: Path, as_json: bool) -> int:
    """Print the folder report for `path`; return 0 when clean, 3 when anomalies were found."""
    from vlab.models.datastore.vm_folder import inspect_folder

    try:
        report = inspect_folder(path)
    except ValueError as err:
        raise UserError(str(err)) from None
    if as_json:
        data = report.to_dict()
        data["clean"] = report.clean
        # file names that are not UTF-8 become \xNN, so the output stays valid UTF-8 JSON
        print(json_text(data))
        return EXIT_CLEAN if report.clean else EXIT_ANOMALIES
    what = "File" if Path(path).is_file() else "VM folder"
    print(f"{what} {printable(str(path))}: {len(report.files)} file(s), "
          f"{human_size(report.total_bytes)}")
    if report.files:
        shown, hidden = _listed(report.files)
        names = [printable(f.name) for f in shown]
        width = max(len(n) for n in names)
        for name, f in zip(names, shown, strict=True):
            print(f"  {name:<{width}}  {human_size(f.size_bytes):>10}  {f.role}")
        for role, count in hidden.items():
            print(f"  ... and {count} more file(s): {role}")
    if Path(path).is_dir() and not any(f.kind != "other" for f in report.files):
        _point_to_subfolders(Path(path))
    if report.clean:
        print("No anomalies found.")
        return EXIT_CLEAN
    total = sum(f.count for f in report.findings)
    print(f"{total} anomal{'y' if total == 1 else 'ies'}:")
    for finding in report.findings:
        where = f"{finding.file}: " if finding.file else ""
        print(printable(f"  [{finding.severity}] {finding.code}: {where}{finding.message}"))
    types = {f.name: f.file_type for f in report.files}
    key = next((types[x.file] for x in report.findings if types.get(x.file)), "") or ".vswp"
    print(f"Tip: `vlab explain {quoted(key)}` (or any file type) says what such a file is for.")
    return EXIT_ANOMALIES
