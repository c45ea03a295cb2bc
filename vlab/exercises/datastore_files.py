"""Lab 05's checker: a real VM folder with three problems; the learner names them.

`build_broken_folder` writes a VM folder with `Datastore.materialize` (deterministic for a seed) and
then injects three anomalies of the kind a support engineer meets on ESX hosts, each the way it
happens in real life:

- `orphan_delta`: a delta disk left behind by a failed snapshot consolidation (a valid child of a
  disk in the chain, which no snapshot, no .vmx entry and no other delta uses);
- `broken_chain`: a delta whose parentCID no longer matches its parent's CID (the parent was opened
  and written without its child, e.g. attached to another VM);
- `vswp_while_off`: a `.vswp` next to a powered-off VM (a crash, or the VM running on another host);
- `missing_extent`: a descriptor whose data file was deleted by someone "cleaning up" big files.

The seed chooses the VM's names and CIDs and which three of the four anomalies are injected
(seed 0: orphan delta, broken chain, stray .vswp). The learner writes one line per problem,
`FILE: PROBLEM`; the answers are checked against what `inspect_folder` (`vlab explain PATH`) finds.

The lab's two your-turn cells (`YOUR_TURNS`): break web01's snapshot chain as a boot of its base disk
does (`snapshot_folder`, judged by `inspect_folder`), and size datastore1 so that web01's first snapshot
does not overcommit it (judged by replaying the lifecycle on the learner's `FolderScenario`).
"""
from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vlab.formats.vmdk import VmdkDescriptor, parse_descriptor, read_descriptor
from vlab.learn.checks import Criterion
from vlab.models.datastore.vm_folder import Finding, inspect_folder
from vlab.models.datastore.volume import Datastore

LAB = "05_datastore_files"
VM_NAMES = ("web01", "db01", "app01", "mail01")

# The anomalies the exercise can inject, in the order seed 0 uses the first three.
ANOMALIES = ("orphan_delta", "broken_chain", "vswp_while_off", "missing_extent")
_COMBOS = (
    ("orphan_delta", "broken_chain", "vswp_while_off"),
    ("orphan_delta", "broken_chain", "missing_extent"),
    ("broken_chain", "vswp_while_off", "missing_extent"),
    ("orphan_delta", "vswp_while_off", "missing_extent"),
)

# Words a learner may write for each finding code (checked in this order; codes always work).
PROBLEM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("chain_too_deep", ("too deep", "deeper", "too long", "too many")),
    ("broken_chain", ("cid", "chain", "mismatch")),
    ("orphan_delta", ("orphan", "unused", "not used", "nobody", "unreferenced", "left over delta",
                      "leftover delta")),
    ("vswp_while_off", ("vswp", "swap")),
    ("missing_parent", ("parent",)),
    ("missing_disk", ("missing disk", "disk missing")),
    ("missing_extent", ("extent", "flat", "data file", "missing")),
    ("malformed_file", ("malformed", "corrupt", "syntax", "parse")),
    ("datastore_nearly_full", ("full",)),
)
CODES = tuple(code for code, _words in PROBLEM_WORDS)

HINTS = {
    "orphan_delta": "Every -00000N.vmdk delta must be used: named by the .vmx (scsi0:0.fileName), "
                    "frozen by a snapshot in the .vmsd, or the parent (parentFileNameHint) of another "
                    "delta. Is there one nobody names?",
    "broken_chain": "Open each delta descriptor: its parentCID must equal the CID written in the "
                    "descriptor its parentFileNameHint names.",
    "vswp_while_off": "Is the VM running? Read the last line of vmware.log. Which file exists only "
                      "from power-on to power-off?",
    "missing_extent": "Each descriptor's extent line (RW ... \"name\") names the file holding the "
                      "data. Is every one of them in the listing?",
}

# The second level of each finding's hint: which file to look at and how to tell, still without its name.
DIRECTIONS = {
    "orphan_delta": "List the deltas something names: the .vmx's disk, each snapshot's disk in the .vmsd, "
                    "and each delta's parentFileNameHint. The -00000N.vmdk of the listing that is on none "
                    "of those lists is the orphan: write it with orphan_delta.",
    "broken_chain": "Walk down from the disk the .vmx names: at each delta compare its parentCID with the CID "
                    "of the descriptor it names. Write the child whose parentCID is stale (not its parent) "
                    "with broken_chain.",
    "vswp_while_off": "vmware.log ends with the VMX process exiting, so the VM is off, yet one file that "
                      "exists only while it runs is still in the listing: write that file with "
                      "vswp_while_off.",
    "missing_extent": "For each descriptor, look for the file its extent line names in the listing. Write the "
                      "descriptor (the .vmdk without -sesparse or -flat) whose data file is gone, with "
                      "missing_extent.",
}

STARTING_TEXT = "# one line per problem, FILE: PROBLEM  (e.g. web01-000009.vmdk: orphan_delta)\n"


@dataclass(frozen=True)
class Injected:
    """One anomaly put into the folder: its finding code, the file it concerns, what was done."""

    code: str
    file: str
    what: str


@dataclass(frozen=True)
class BrokenFolder:
    """The exercise's VM folder and the anomalies injected into it."""

    path: Path
    vm: str
    injected: tuple[Injected, ...]
    # the TemporaryDirectory when build_broken_folder made one: removed when this object goes
    temporary: tempfile.TemporaryDirectory | None = field(default=None, repr=False, compare=False)


def build_broken_folder(root: str | Path | None = None, seed: int = 0) -> BrokenFolder:
    """Write a VM folder with three anomalies under `root` (None: a temporary directory, deleted
    when the returned object is garbage-collected or Python exits).

    The VM (4 GiB memory, a 16 GiB thin disk) was powered on, written to, given three snapshots
    and powered off, so its vmware.log ends with the VMX process exiting.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    temporary = tempfile.TemporaryDirectory(prefix="vlab-lab05-") if root is None else None
    base = Path(temporary.name) if temporary is not None else Path(root)
    name = VM_NAMES[seed % len(VM_NAMES)]
    ds = Datastore("datastore1", capacity_gb=100, seed=seed)
    vm = ds.create_vm(name, memory_mb=4096, disk_gb=16, thin=True)
    vm.power_on()
    vm.guest_write(1500)
    for i, snap in enumerate(("before-patch", "patched", "before-upgrade")):
        vm.snapshot(snap)
        vm.guest_write(100 * (i + 1))
    vm.power_off()
    ds.materialize(base)
    folder = base / name
    injected = tuple(_INJECT[code](folder, name, vm.swap_name, vm.swap_bytes)
                     for code in _COMBOS[seed % len(_COMBOS)])
    return BrokenFolder(folder, name, injected, temporary)


def _orphan_delta(folder: Path, name: str, _swap: str, _swap_bytes: int) -> Injected:
    # a copy of the top delta under a new number: a valid child of -000002 that nobody uses
    text = (folder / f"{name}-000003.vmdk").read_text()
    extent = re.search(r'"([^"]+-sesparse\.vmdk)"', text).group(1)
    new_extent = extent.replace("-000003-", "-000004-")
    (folder / f"{name}-000004.vmdk").write_text(text.replace(extent, new_extent))
    source = folder / extent
    with source.open("rb") as src, (folder / new_extent).open("wb") as out:
        out.write(src.read(64 * 1024))  # the sparse header; the rest stays a hole, as materialize writes it
        out.truncate(source.stat().st_size)
    return Injected("orphan_delta", f"{name}-000004.vmdk",
                    "a delta left behind by a failed consolidation")


def _broken_chain(folder: Path, name: str, _swap: str, _swap_bytes: int) -> Injected:
    # -000002's parent (-000001) was written without it: -000002's parentCID is now stale
    path = folder / f"{name}-000002.vmdk"
    text = path.read_text()
    cid = re.search(r"^parentCID=(\w+)$", text, flags=re.M).group(1)
    stale = f"{(int(cid, 16) ^ 0x5A5A5A5A) & 0xFFFFFFFF:08x}"
    path.write_text(text.replace(f"parentCID={cid}", f"parentCID={stale}"))
    return Injected("broken_chain", f"{name}-000002.vmdk",
                    "its parentCID no longer matches the CID of its parent")


def _vswp_while_off(folder: Path, _name: str, swap: str, swap_bytes: int) -> Injected:
    with (folder / swap).open("wb") as out:  # sparse, like the model's other big files
        out.truncate(swap_bytes)
    return Injected("vswp_while_off", swap, "a swap file next to a powered-off VM")


def _missing_extent(folder: Path, name: str, _swap: str, _swap_bytes: int) -> Injected:
    (folder / f"{name}-000001-sesparse.vmdk").unlink()
    return Injected("missing_extent", f"{name}-000001.vmdk",
                    "the data file of a snapshot delta was deleted")


_INJECT = {"orphan_delta": _orphan_delta, "broken_chain": _broken_chain,
           "vswp_while_off": _vswp_while_off, "missing_extent": _missing_extent}


def expected_findings(folder: str | Path) -> list[Finding]:
    """What `vlab explain PATH` finds in the folder: the answers the checker expects."""
    return inspect_folder(folder).findings


def problem_code(words: str) -> str:
    """A learner's description of a problem -> a finding code (ValueError if none matches)."""
    text = " ".join(words.lower().replace("_", " ").replace("-", " ").split())
    for code, _w in PROBLEM_WORDS:
        if text == code.replace("_", " "):
            return code
    for code, keywords in PROBLEM_WORDS:
        if any(k in text for k in keywords):
            return code
    raise ValueError(f"'{words.strip()}' does not name a problem vlab knows; write one of: "
                     f"{', '.join(CODES)}")


def parse_answers(text: str) -> list[tuple[int, str, str]]:
    """`FILE: PROBLEM` lines -> (line number, file name, problem text). Blank and # lines skipped."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        file, sep, problem = line.partition(":")
        file = file.strip().strip("`'\"").replace("\\", "/").rsplit("/", 1)[-1]
        if not sep or not file or not problem.strip():
            raise ValueError(f"line {number} ('{line}') is not FILE: PROBLEM; write the file's name, "
                             f"a colon, then the problem, e.g. web01-000009.vmdk: orphan_delta")
        out.append((number, file, problem.strip()))
    return out


def accepted_files(finding: Finding) -> set[str]:
    """File names that identify a finding: its file, files its message names, and the same disk's
    other files (a delta's descriptor or its -sesparse/-delta extent)."""
    names = {finding.file} if finding.file else set()
    names |= set(re.findall(r"[\w.-]+\.(?:vmdk|vswp|vmx|vmsd)", finding.message))
    for n in list(names):
        stem = re.sub(r"-(sesparse|delta|flat)\.vmdk$", ".vmdk", n)
        names |= {stem, stem.replace(".vmdk", "-sesparse.vmdk"), stem.replace(".vmdk", "-delta.vmdk")}
    return {n.lower() for n in names}


def check_problems(text: str, folder: str | Path) -> list[Criterion]:
    """One criterion per finding in the folder (named with the right file?) and one for false alarms."""
    answers = parse_answers(text)
    findings = expected_findings(folder)
    named: list[tuple[int, str, str | None, str]] = []  # line, file, code (None = unknown), words
    unknown = []
    for number, file, words in answers:
        try:
            named.append((number, file, problem_code(words), words))
        except ValueError as err:
            unknown.append(Criterion(False, f"line {number}: {err}",
                                     hint="Use a finding code, or words such as 'orphan delta', "
                                          "'CID chain', 'swap file while off', 'missing extent'.",
                                     direction=f"Rewrite the problem on line {number} with one of the codes "
                                               f"the statement lists: {', '.join(ANOMALIES)}.",
                                     answer=f"line {number}: FILE: CODE, with CODE one of "
                                            f"{', '.join(ANOMALIES)}."))
    criteria, used = [], set()
    for finding in findings:
        files = accepted_files(finding)
        hit = [a for a in named if a[2] == finding.code and a[1].lower() in files]
        if hit:
            used.update(a[0] for a in hit)
            criteria.append(Criterion(True, f"{finding.file}: {finding.code} ({finding.message})"))
            continue
        same_file = [a for a in named if a[1].lower() in files]
        same_code = [a for a in named if a[2] == finding.code]
        idea = HINTS.get(finding.code, f"Look for a {finding.code}.")
        if same_file:
            hint = f"{same_file[0][1]} does have a problem, but not '{same_file[0][3]}'. {idea}"
        elif same_code:
            hint = f"The folder does have a {finding.code} problem, but not in {same_code[0][1]}. {idea}"
        else:
            hint = idea
        criteria.append(Criterion(False, f"problem {len(criteria) + 1} of {len(findings)} not found yet",
                                  hint=hint,
                                  direction=DIRECTIONS.get(finding.code,
                                                           f"Find the file with the {finding.code} problem."),
                                  answer=f"{finding.file}: {finding.code}"))
    false_alarms = [a for a in named if a[0] not in used]
    if false_alarms:
        n, file, code, _words = false_alarms[0]
        real = [f for f in findings if file.lower() in accepted_files(f)]
        criteria.append(Criterion(False, f"line {n}: {file} has no {code} problem",
                                  hint="vlab explain finds nothing of that kind there; remove the line or "
                                       "look again at that file's text.",
                                  direction=f"Remove line {n}, or name the problem that file really has "
                                            "(open its text and compare it with what it names).",
                                  answer=(f"line {n}: {real[0].file}: {real[0].code}" if real else
                                          f"delete line {n}: nothing is wrong with {file}.")))
    else:
        criteria.append(Criterion(True, "no false alarms"))
    return criteria + unknown


def broken_folder_checker(folder: BrokenFolder | None = None, seed: int = 0, **kwargs):
    """The lab's checker widget over `folder` (built with `seed` when None); kwargs go to
    CheckerWidget (e.g. store= in tests). The folder is on the widget as `.folder`."""
    from vlab.widgets.checker import CheckerWidget

    folder = build_broken_folder(seed=seed) if folder is None else folder
    widget = CheckerWidget(
        f"The VM folder `{folder.path.name}` below has **three problems**. Read its listing and its "
        "text files, then write one line per problem: the file concerned, a colon, and the problem "
        f"(a finding code: {', '.join(ANOMALIES)}, or your own words such as 'orphan delta').",
        functools.partial(check_problems, folder=folder.path),
        exercise_id="three-problems",
        lab=LAB,
        work=STARTING_TEXT,
        title="Three problems in a VM folder",
        rows=5,
        **kwargs,
    )
    widget.folder = folder
    return widget


# --------------------------------------------------------------------------- your turn
# Two short cells of lab 05 in which the learner drives the datastore model: break a snapshot chain the way
# a write to the parent breaks it, and size datastore1 for a snapshot. The checks run inspect_folder and the
# lifecycle model on what the learner made, never compare the learner's text.
CHAIN_STEP = "snapshot-memory"  # web01 after step 6: web01.vmdk <- -000001.vmdk <- -000002.vmdk
SIZE_STEP = "snapshot"  # web01 after step 4, its first snapshot
MAX_SPARE_GIB = 10  # "sized": no more than this above what web01 provisions
_BREAK_LINES = ('base.cid = 0x1234abcd  (any value but the old one), then '
                'write_descriptor(base, web01.path / "web01.vmdk")')
_SIZE_LINE = "scenario = FolderScenario(capacity_gb=90)  (83.04 GiB provisioned: 84 to 93 pass)"


def snapshot_folder(root: str | Path | None = None) -> BrokenFolder:
    """web01 after step 6 of the lab's lifecycle (two snapshots, a chain of three disks), written as
    files with `Datastore.materialize` under `root` (None: a temporary directory, deleted when the
    returned object goes). Nothing is injected: the learner breaks it."""
    from vlab.widgets.datastore_panel import replay

    temporary = tempfile.TemporaryDirectory(prefix="vlab-lab05-turn-") if root is None else None
    base = Path(temporary.name) if temporary is not None else Path(root)
    ds, vm = replay(CHAIN_STEP)
    ds.materialize(base)
    return BrokenFolder(base / vm.name, vm.name, (), temporary)


def _descriptor_or_none(path: Path) -> VmdkDescriptor | None:
    try:
        return read_descriptor(path)
    except (OSError, ValueError):
        return None


def check_broken_chain(work: object) -> list[Criterion]:
    """inspect_folder on the learner's folder; the model's own descriptors say what the boot changed."""
    from vlab.widgets.datastore_panel import replay

    path = work.path if isinstance(work, BrokenFolder) else Path(work) if isinstance(work, (str, Path)) else None
    if path is None:
        raise TypeError(f"expected the folder snapshot_folder() made, got {type(work).__name__}")
    _ds, vm = replay(CHAIN_STEP)
    if not (path / f"{vm.name}.vmx").is_file():
        raise ValueError(f"{path} is not web01's folder: use the one snapshot_folder() made")
    findings = inspect_folder(path).findings
    broken = [f for f in findings if f.code == "broken_chain"]
    others = [f for f in findings if f.code != "broken_chain"]
    model = {name: parse_descriptor(vm.file_text(name)) for name in vm.chain()}
    now = {name: _descriptor_or_none(path / name) for name in model}
    base_name = vm.chain()[-1]
    base_changed = now[base_name] is not None and now[base_name].cid != model[base_name].cid
    records = [name for name in model if name != base_name and now[name] is not None
               and now[name].parent_cid != model[name].parent_cid]
    as_a_boot = base_changed and not records
    return [
        Criterion(bool(broken), "inspect_folder finds " + (
                  f"a broken chain: {broken[0].message}" if broken else
                  "no broken chain" + (f" (it finds {', '.join(sorted({f.code for f in others}))})"
                                       if others else "")),
                  hint="A delta fits its parent only while its parentCID equals the CID in the parent's "
                       "descriptor. What does a disk's first write after it is opened do to its own CID?",
                  direction="Change the content ID of the disk that was booted, the base (base.cid): not a "
                            "parentCID and not a delta's CID. Then write base back to web01.vmdk.",
                  answer=_BREAK_LINES),
        Criterion(as_a_boot, f"{base_name}'s CID is "
                  + (f"{now[base_name].cid_hex}" if now[base_name] is not None else "unreadable")
                  + f" (the model wrote {model[base_name].cid_hex}); "
                  + (f"parentCID changed in {', '.join(records)}" if records else
                     "the deltas' parentCIDs are as the model wrote them"),
                  hint="A boot writes to the disk it boots from, so that disk's descriptor changes; the "
                       "deltas above it are not opened and keep what they recorded.",
                  direction=("Leave the deltas' descriptors alone and change the base's own CID instead."
                             if records else "The change belongs in the base disk's descriptor, web01.vmdk."),
                  answer=_BREAK_LINES),
        Criterion(not others, "nothing else is wrong in the folder" if not others else
                  "inspect_folder also finds: " + "; ".join(f"{f.code} ({f.file})" for f in others),
                  hint="A boot changes a disk's content and its CID; it deletes, renames or adds no file.",
                  direction="Start again from snapshot_folder() and change only the one field the boot "
                            "changes.",
                  answer=_BREAK_LINES),
    ]


def check_datastore_size(scenario: object) -> list[Criterion]:
    """Replay web01 to its first snapshot on the learner's datastore and read vCenter's warnings."""
    from vlab.models.datastore.vm import GiB
    from vlab.models.datastore.volume import DatastoreFullError
    from vlab.widgets.datastore_panel import FolderScenario, replay, space_summary, step_warnings

    if not isinstance(scenario, FolderScenario):
        raise TypeError(f"expected a FolderScenario, got {type(scenario).__name__}")
    lab = FolderScenario()
    same_vm = ((scenario.vm, scenario.memory_mb, scenario.memory_reservation_mb, scenario.disk_gb)
               == (lab.vm, lab.memory_mb, lab.memory_reservation_mb, lab.disk_gb))
    keep = Criterion(same_vm, f"web01: {scenario.memory_mb} MiB of memory ({scenario.memory_reservation_mb} "
                              f"reserved), a {scenario.disk_gb:g} GiB disk (the lab's web01: {lab.memory_mb}, "
                              f"{lab.memory_reservation_mb}, {lab.disk_gb:g} GiB)",
                     hint="The datastore is sized for web01 as it is: change the datastore, not the VM.",
                     direction="Put web01's memory, reservation and disk size back as FolderScenario() has "
                               "them, and change only the datastore's capacity.",
                     answer=_SIZE_LINE)
    try:
        ds, _vm = replay(SIZE_STEP, scenario)
    except DatastoreFullError as err:
        return [keep, Criterion(False, f"web01 cannot reach its first snapshot: {err}",
                                hint="Before anything else, web01's files must fit: its disk (all of it when "
                                     "thick) and its swap files.",
                                direction="Make datastore1 bigger (capacity_gb).",
                                answer=_SIZE_LINE)]
    provisioned, capacity = ds.provisioned_bytes(), ds.capacity_bytes
    warnings = step_warnings(ds)
    spare = (capacity - provisioned) / GiB
    return [
        keep,
        Criterion(not warnings, f"after the snapshot: {provisioned / GiB:.2f} GiB provisioned on "
                                f"{capacity / GiB:.2f} GiB ({space_summary(ds)})"
                                + ("".join(f"; vCenter warns: {w}" for w in warnings) or "; no warning"),
                  hint="Provisioned space is what every file may grow to: a thin disk at its full size, the "
                       "snapshot's delta up to the disk's full size too, and the swap files.",
                  direction="Raise datastore1's capacity_gb above what is provisioned after the snapshot; a "
                            "thick disk does not stop the delta growing.",
                  answer=_SIZE_LINE),
        Criterion(spare <= MAX_SPARE_GIB, f"datastore1 minus what web01 can grow to: {spare:+.2f} GiB "
                                          f"(at most {MAX_SPARE_GIB} GiB to spare)",
                  hint="Sizing means enough with a little to spare: every GiB a datastore holds back is one "
                       "other datastores on the array cannot use.",
                  direction=f"Lower capacity_gb until it is at most {MAX_SPARE_GIB} GiB above what is "
                            "provisioned after the snapshot.",
                  answer=_SIZE_LINE),
    ]


def _turns():
    from vlab.learn.your_turn import YourTurn

    return (
        YourTurn(
            LAB, "break-chain",
            "break web01's snapshot chain as a boot of its base disk does, and let inspect_folder find it",
            check_broken_chain,
            starter=(
                "from vlab.exercises.datastore_files import snapshot_folder\n"
                "from vlab.formats import read_descriptor, write_descriptor\n\n"
                "web01 = snapshot_folder()  # web01 after step 6, written as files to a temporary folder\n"
                'base = read_descriptor(web01.path / "web01.vmdk")  # the base disk\'s descriptor\n'
                "# Your lines: a colleague attached web01.vmdk to a test VM and booted it once. Change `base`\n"
                "# as that boot changed the disk, then write it back with\n"
                '# write_descriptor(base, web01.path / "web01.vmdk"). The check runs inspect_folder.\n'
            ),
        ),
        YourTurn(
            LAB, "size-datastore",
            "size datastore1 so that web01 with a snapshot does not overcommit it, with at most 10 GiB to spare",
            check_datastore_size,
            starter=(
                "scenario = FolderScenario()  # datastore1: 60 GiB; web01: 4 GiB memory (1 GiB reserved), "
                "a 40 GiB thin disk\n"
                "# Your change: size datastore1 (capacity_gb) so that after web01's first snapshot (step 4) it\n"
                "# is not overcommitted, with at most 10 GiB to spare.\n"
            ),
        ),
    )


YOUR_TURNS = _turns()

__all__ = [
    "ANOMALIES",
    "CODES",
    "LAB",
    "STARTING_TEXT",
    "BrokenFolder",
    "Injected",
    "accepted_files",
    "broken_folder_checker",
    "build_broken_folder",
    "check_broken_chain",
    "check_datastore_size",
    "check_problems",
    "expected_findings",
    "parse_answers",
    "problem_code",
    "snapshot_folder",
]
