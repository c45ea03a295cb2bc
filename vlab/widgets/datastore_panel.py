"""Lab 05's live VM-folder panel: one VM walked through its life, its datastore folder after each step.

What the learner sees is what `ls -l /vmfs/volumes/datastore1/web01/` would show on an ESXi host
after each vSphere Client action (create, power on, snapshot, suspend, revert, ...): every file, its
kind, size and role (from vlab's knowledge), what changed since the step before, a treemap of the
datastore's space with its free space, and the text of any text file. The steps run on
`vlab.models.datastore.volume` (see its docstring for which ESX behaviour is imitated and what is left out).

Pure functions (unit-tested without a browser): `replay`, `folder_rows`, `folder_changes`,
`folder_table`, `space_figure`, `space_summary`, `file_view`, `folder_listing`, `read_folder_file`.
Widgets only wire them: `FolderPanel` (a model VM, step by step) and `FolderBrowser` (a real folder
on disk, e.g. one written by `Datastore.materialize`).
CSS classes: vlab-folder-panel, vlab-folder-step, vlab-folder-table, vlab-folder-plot, vlab-folder-text.
"""
from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab import knowledge
from vlab.models.datastore.vm import human_size
from vlab.models.datastore.vm_folder import (
    TEXT_KINDS,
    card_key,
    classify_file,
    inspect_folder,
    role_of,
)
from vlab.models.datastore.volume import Datastore, VirtualMachine, VmFile

PLOTLY_MIME = "application/vnd.plotly.v1+json"
MAX_TEXT_BYTES = 256 * 1024  # the text view refuses bigger files (logs can be megabytes on a host)

# Colour per group of kinds (the table gives the same information in words).
_KIND_GROUP = {
    "vmx": "config", "vmtx": "config", "vmxf": "config", "vmsd": "config", "nvram": "config",
    "disk-descriptor": "disk", "flat-extent": "disk", "delta-descriptor": "snapshot",
    "delta-extent": "snapshot", "vmsn": "snapshot", "vmem": "memory", "vmss": "memory",
    "vswp": "swap", "vmx-vswp": "swap", "log": "log",
}
_GROUP_COLOUR = {"config": "#8c959f", "disk": "#0969da", "snapshot": "#bf8700", "memory": "#8250df",
                 "swap": "#cf222e", "log": "#1a7f37", "other": "#57606a", "free": "#eaeef2"}


@dataclass(frozen=True)
class FolderScenario:
    """The datastore and VM the lifecycle runs on (sizes in the units their names say)."""

    datastore: str = "datastore1"
    capacity_gb: float = 60
    vm: str = "web01"
    memory_mb: int = 4096
    memory_reservation_mb: int = 1024
    disk_gb: float = 40
    thin: bool = True
    seed: int = 0
    vmfs_version: int = 6


@dataclass(frozen=True)
class LifecycleStep:
    """One action an administrator takes, and what ESX does to the folder (in words)."""

    key: str
    label: str
    what_esx_does: str
    apply: Callable[[VirtualMachine], None]


def _create(_vm: VirtualMachine) -> None:
    """Creating is done by `replay` (Datastore.create_vm); the step only names it."""


LIFECYCLE: tuple[LifecycleStep, ...] = (
    LifecycleStep("create", "1. Create the VM",
                  "writes the .vmx, .vmxf, an empty .vmsd, the disk descriptor and its -flat.vmdk",
                  _create),
    LifecycleStep("power-on", "2. Power on",
                  "creates the .nvram (first boot), the .vswp (memory minus reservation), "
                  "vmx-*.vswp and a new vmware.log", lambda vm: vm.power_on()),
    LifecycleStep("install", "3. Guest installs its OS (writes 2 GiB)",
                  "a thin -flat.vmdk grows as the guest writes; a thick one was full from the start",
                  lambda vm: vm.guest_write(2048)),
    LifecycleStep("snapshot", "4. Snapshot 'before-patch'",
                  "writes a .vmsn, fills the .vmsd and starts a delta disk (-000001.vmdk) that "
                  "takes every new write; the base disk is frozen", lambda vm: vm.snapshot("before-patch")),
    LifecycleStep("patch", "5. Guest installs a patch (writes 512 MiB)",
                  "the writes go to the delta (-sesparse.vmdk), which grows",
                  lambda vm: vm.guest_write(512)),
    LifecycleStep("snapshot-memory", "6. Snapshot 'patched' with memory",
                  "a second .vmsn plus a .vmem holding the guest's memory, and a second delta",
                  lambda vm: vm.snapshot("patched", memory=True)),
    LifecycleStep("suspend", "7. Suspend",
                  "writes the .vmss (device state) and a .vmem (memory); the VMX process exits, "
                  "so both swap files go", lambda vm: vm.suspend()),
    LifecycleStep("resume", "8. Resume",
                  "reads and deletes the .vmss and .vmem; the swap files come back and the log "
                  "rotates (vmware.log -> vmware-1.log)", lambda vm: vm.resume()),
    LifecycleStep("revert", "9. Revert to 'patched'",
                  "discards the current delta and starts a new, empty one (same name, new CID); a "
                  "memory snapshot comes back running", lambda vm: vm.revert("patched")),
    LifecycleStep("delete-snapshot", "10. Delete snapshot 'before-patch'",
                  "its .vmsn goes and its delta is merged into the base disk (consolidation): the "
                  "chain gets one level shorter", lambda vm: vm.delete_snapshot("before-patch")),
    LifecycleStep("power-off", "11. Power off",
                  "deletes the .vswp and vmx-*.vswp; the log records the VMX exit",
                  lambda vm: vm.power_off()),
    LifecycleStep("template", "12. Convert to template",
                  "renames the .vmx to .vmtx; a template cannot be powered on",
                  lambda vm: vm.convert_to_template()),
)


def step_index(step: int | str) -> int:
    """A step's position in LIFECYCLE, from its index or key ('power-on')."""
    if isinstance(step, str):
        for i, s in enumerate(LIFECYCLE):
            if s.key == step:
                return i
        raise ValueError(f"no lifecycle step '{step}'; steps: {', '.join(s.key for s in LIFECYCLE)}")
    if not 0 <= step < len(LIFECYCLE):
        raise ValueError(f"step must be 0 to {len(LIFECYCLE) - 1}, got {step}")
    return step


def replay(step: int | str, scenario: FolderScenario = FolderScenario()) -> tuple[Datastore, VirtualMachine]:
    """A fresh datastore with the scenario's VM taken through LIFECYCLE up to `step` (included).

    Deterministic: the same scenario and step give the same files, CIDs and names.
    """
    last = step_index(step)
    ds = Datastore(scenario.datastore, scenario.capacity_gb, seed=scenario.seed,
                   vmfs_version=scenario.vmfs_version)
    vm = ds.create_vm(scenario.vm, scenario.memory_mb, scenario.disk_gb, thin=scenario.thin,
                      memory_reservation_mb=scenario.memory_reservation_mb)
    for s in LIFECYCLE[1:last + 1]:
        s.apply(vm)
    return ds, vm


@dataclass(frozen=True)
class FolderChanges:
    """File names added, removed, and grown or shrunk between two listings."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    resized: tuple[str, ...] = ()

    def text(self) -> str:
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("new", self.added), ("gone", self.removed), ("size changed", self.resized)) if names]
        return "; ".join(parts) or "no file added, removed or resized"


def folder_changes(before: Sequence[VmFile], after: Sequence[VmFile]) -> FolderChanges:
    old = {f.name: f.size_bytes for f in before}
    new = {f.name: f.size_bytes for f in after}
    return FolderChanges(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        resized=tuple(sorted(n for n in set(old) & set(new) if old[n] != new[n])),
    )


@dataclass(frozen=True)
class FolderRow:
    """One line of the folder table."""

    file: str
    kind: str
    size_bytes: int
    size: str
    role: str
    card: str  # `vlab explain <card>` shows the file type's card ("" = none)
    change: str = ""  # "new", "size changed" or "" against the previous listing


def file_role(name: str) -> str:
    """The file type's name in vlab's knowledge (e.g. 'Snapshot delta disk (child disk)')."""
    key = card_key(name)
    entry = knowledge.lookup(key) if key else None
    return entry.name if entry is not None else role_of(classify_file(name))


def folder_rows(files: Sequence[VmFile], before: Sequence[VmFile] | None = None) -> list[FolderRow]:
    """Table rows for a listing (e.g. `vm.files()`), marking what changed since `before`."""
    changes = folder_changes(before, files) if before is not None else FolderChanges()
    rows = []
    for f in files:
        change = ("new" if f.name in changes.added else
                  "size changed" if f.name in changes.resized else "")
        rows.append(FolderRow(f.name, f.kind, f.size_bytes, human_size(f.size_bytes),
                              file_role(f.name), card_key(f.name), change))
    return rows


def folder_table(rows: Sequence[FolderRow]):
    """The rows as a pandas DataFrame (file, kind, size, bytes, role, change)."""
    import pandas as pd

    return pd.DataFrame([{"file": r.file, "kind": r.kind, "size": r.size, "bytes": r.size_bytes,
                          "role": r.role, "change": r.change} for r in rows],
                        columns=["file", "kind", "size", "bytes", "role", "change"])


def space_summary(ds: Datastore) -> str:
    """One line: capacity, used, free and provisioned space of the datastore."""
    return (f"{ds.name}: {human_size(ds.capacity_bytes)} capacity, {human_size(ds.used_bytes())} used, "
            f"{human_size(ds.free_bytes())} free, {human_size(ds.provisioned_bytes())} provisioned")


def space_figure(ds: Datastore, title: str = "") -> go.Figure:
    """A treemap of the datastore: each VM folder and its files, and the free space.

    Box areas are bytes (`branchvalues="total"`: a folder's box is the sum of its files).
    """
    root = ds.name
    ids, labels, parents, values, colours, hover = [root], [ds.name], [""], [ds.capacity_bytes], \
        ["#ffffff"], [f"capacity {human_size(ds.capacity_bytes)}"]
    for vm in ds.vms:
        folder = f"{root}/{vm.name}"
        ids.append(folder)
        labels.append(vm.name)
        parents.append(root)
        values.append(vm.used_bytes())
        colours.append("#d0d7de")
        hover.append(f"folder, {human_size(vm.used_bytes())}")
        for f in vm.files():
            ids.append(f"{folder}/{f.name}")
            labels.append(f.name)
            parents.append(folder)
            values.append(f.size_bytes)
            colours.append(_GROUP_COLOUR[_KIND_GROUP.get(f.kind, "other")])
            hover.append(f"{human_size(f.size_bytes)}, {f.kind}")
    ids.append(f"{root}/free")
    labels.append("free space")
    parents.append(root)
    values.append(max(0, ds.free_bytes()))
    colours.append(_GROUP_COLOUR["free"])
    hover.append(human_size(ds.free_bytes()))
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        marker={"colors": colours}, customdata=hover,
        hovertemplate="%{label}<br>%{customdata}<extra></extra>", textinfo="label",
    ))
    fig.update_layout(title=title or space_summary(ds), height=300,
                      margin={"t": 40, "l": 5, "r": 5, "b": 5}, title_font_size=13)
    return fig


def step_warnings(ds: Datastore, before: Datastore | None = None) -> list[str]:
    """Warnings to show after a step: the ones it raised, and whether the datastore is overcommitted.

    `Datastore.warnings` keeps every warning ever raised; `before` (the datastore one step earlier)
    lets the panel show only the new ones.
    """
    seen = set(before.warnings) if before is not None else set()
    out = [w for w in ds.warnings if w not in seen and "overcommitted" not in w]
    provisioned = ds.provisioned_bytes()
    if provisioned > ds.capacity_bytes:
        out.append(f"{ds.name} is overcommitted: {human_size(provisioned)} provisioned on "
                   f"{human_size(ds.capacity_bytes)}; thin disks and snapshot deltas can grow until "
                   f"it is full")
    return out


def figure_output(fig: go.Figure, text: str) -> dict:
    """The figure as a display_data output for an Output widget (text/plain says it in words)."""
    return {"output_type": "display_data",
            "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                     "text/plain": text},
            "metadata": {}}


def file_view(vm: VirtualMachine, name: str) -> str:
    """The text of a file in the VM's folder, or for a binary file what it is and its size."""
    files = {f.name: f for f in vm.files()}
    if name not in files:
        raise ValueError(f"{vm.name} has no file '{name}'; its files are: {', '.join(files)}")
    f = files[name]
    if f.kind not in TEXT_KINDS:
        return (f"{name} is a binary file ({file_role(name)}, {f.size_bytes} bytes = "
                f"{human_size(f.size_bytes)}); it has no text to show.")
    text = vm.file_text(name)
    return text if text else f"{name} is empty (0 bytes)."


def folder_listing(path: str | Path) -> list[FolderRow]:
    """Rows for a real VM folder on disk: each file's kind, size and role (no anomaly checks shown)."""
    report = inspect_folder(path)
    return [FolderRow(f.name, f.kind, f.size_bytes, human_size(f.size_bytes), file_role(f.name),
                      f.file_type) for f in report.files]


def read_folder_file(path: str | Path, name: str) -> str:
    """The text of file `name` in the folder at `path`; binary or huge files are described instead."""
    folder = Path(path)
    target = folder / name
    if "/" in name or "\\" in name or not target.is_file():
        raise ValueError(f"no file '{name}' in {folder.name}")
    size = target.stat().st_size
    kind = classify_file(name)
    if kind not in TEXT_KINDS:
        return f"{name} is a binary file ({file_role(name)}, {human_size(size)}); it has no text to show."
    if size > MAX_TEXT_BYTES:
        return f"{name} is {human_size(size)}, more than the {human_size(MAX_TEXT_BYTES)} this view shows."
    data = target.read_bytes()
    if b"\0" in data:
        return f"{name} holds binary data (NUL bytes) although its name says text."
    return data.decode("utf-8", "replace") or f"{name} is empty (0 bytes)."


def rows_html(rows: Sequence[FolderRow]) -> str:
    head = "".join(f"<th style='text-align:left;padding-right:1em'>{h}</th>"
                   for h in ("file", "size", "role", "change"))
    body = "".join(
        f"<tr><td><code>{html.escape(r.file)}</code></td><td style='text-align:right'>{r.size}</td>"
        f"<td>{html.escape(r.role)}</td><td>{'<b>' + r.change + '</b>' if r.change else ''}</td></tr>"
        for r in rows)
    return f"<table class='vlab-folder-rows'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_widget() -> widgets.Textarea:
    area = widgets.Textarea(value="", disabled=True, rows=12, layout=widgets.Layout(width="95%"))
    area.add_class("vlab-folder-text")
    return area


class FolderPanel(widgets.VBox):
    """The VM's folder after a chosen lifecycle step: table, space treemap, text of any file.

    Controls: a step dropdown with Previous / Next buttons, a memory-reservation slider and a
    thin-disk checkbox (both replay the whole lifecycle), and a file dropdown for the text view.
    """

    def __init__(self, scenario: FolderScenario = FolderScenario(), step: int | str = 0) -> None:
        self.scenario = scenario
        self.step = widgets.Dropdown(options=[(s.label, i) for i, s in enumerate(LIFECYCLE)],
                                     value=step_index(step), description="Step:",
                                     layout=widgets.Layout(width="420px"))
        self.step.add_class("vlab-folder-step")
        self.previous_button = widgets.Button(description="◀ Previous", tooltip="the step before")
        self.next_button = widgets.Button(description="Next ▶", tooltip="the next step",
                                          button_style="primary")
        self.reservation = widgets.IntSlider(
            value=scenario.memory_reservation_mb, min=0, max=scenario.memory_mb, step=512,
            description="Reservation (MiB):", style={"description_width": "initial"},
            continuous_update=False)
        self.thin = widgets.Checkbox(value=scenario.thin, description="thin disk")
        self.status = widgets.HTML("")
        self.table = widgets.HTML("")
        self.table.add_class("vlab-folder-table")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-folder-plot")
        self.file = widgets.Dropdown(description="Open file:", options=[],
                                     layout=widgets.Layout(width="420px"))
        self.text = _text_widget()
        self.previous_button.on_click(lambda _b: self._move(-1))
        self.next_button.on_click(lambda _b: self._move(+1))
        for control in (self.step, self.reservation, self.thin):
            control.observe(lambda _c: self.refresh(), names="value")
        self.file.observe(lambda _c: self._show_file(), names="value")
        super().__init__([
            widgets.HBox([self.step, self.previous_button, self.next_button]),
            widgets.HBox([self.reservation, self.thin]),
            self.status, self.table, self.plot, self.file, self.text,
        ])
        self.add_class("vlab-folder-panel")
        self.refresh()

    def _move(self, by: int) -> None:
        self.step.value = min(len(LIFECYCLE) - 1, max(0, self.step.value + by))

    def refresh(self) -> None:
        """Replay the lifecycle up to the chosen step and redraw everything."""
        scenario = replace(self.scenario, memory_reservation_mb=self.reservation.value,
                           thin=self.thin.value)
        k = self.step.value
        self.datastore, self.vm = replay(k, scenario)
        ds_before, vm_before = replay(k - 1, scenario) if k > 0 else (None, None)
        before = vm_before.files() if vm_before is not None else []
        self.rows = folder_rows(self.vm.files(), before)
        self.changes = folder_changes(before, self.vm.files())
        s = LIFECYCLE[k]
        self.warnings = step_warnings(self.datastore, ds_before)
        warnings = "".join(f"<li>⚠ {html.escape(w)}</li>" for w in self.warnings)
        self.status.value = (
            f"<p><b>{html.escape(s.label)}</b>: ESX {html.escape(s.what_esx_does)}.<br>"
            f"VM state: <code>{self.vm.state}</code>{' (template)' if self.vm.template else ''}; "
            f"disk chain: <code>{' → '.join(self.vm.chain())}</code><br>"
            f"Changes: {html.escape(self.changes.text())}<br>{html.escape(space_summary(self.datastore))}"
            f"</p>{'<ul>' + warnings + '</ul>' if warnings else ''}")
        self.table.value = rows_html(self.rows)
        self.figure = space_figure(self.datastore)
        self.plot.outputs = (figure_output(self.figure, space_summary(self.datastore)),)
        names = [f.name for f in self.vm.files()]
        keep = self.file.value if self.file.value in names else self.vm.config_name
        self.file.options = names
        self.file.value = keep
        self._show_file()

    def _show_file(self) -> None:
        if self.file.value:
            self.text.value = file_view(self.vm, self.file.value)


class FolderBrowser(widgets.VBox):
    """A real VM folder on disk: its files (kind, size, role) and the text of the one chosen.

    It lists and reads only; it does not say what is wrong (that is `vlab explain PATH`'s job).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = folder_listing(self.path)
        self.table = widgets.HTML(rows_html(self.rows))
        self.table.add_class("vlab-folder-table")
        names = [r.file for r in self.rows]
        self.file = widgets.Dropdown(description="Open file:", options=names,
                                     layout=widgets.Layout(width="420px"))
        self.text = _text_widget()
        self.file.observe(lambda _c: self._show_file(), names="value")
        super().__init__([widgets.HTML(f"<p>Folder <code>{html.escape(self.path.name)}</code>: "
                                       f"{len(self.rows)} files</p>"),
                          self.table, self.file, self.text])
        self.add_class("vlab-folder-panel")
        for preferred in (n for n in names if classify_file(n) in ("vmx", "vmtx")):
            self.file.value = preferred
            break
        self._show_file()

    def _show_file(self) -> None:
        if self.file.value:
            self.text.value = read_folder_file(self.path, self.file.value)


__all__ = [
    "LIFECYCLE",
    "FolderBrowser",
    "FolderChanges",
    "FolderPanel",
    "FolderRow",
    "FolderScenario",
    "LifecycleStep",
    "file_role",
    "file_view",
    "folder_changes",
    "folder_listing",
    "folder_rows",
    "folder_table",
    "read_folder_file",
    "replay",
    "space_figure",
    "space_summary",
    "step_index",
    "step_warnings",
]
