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
"""
from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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
                                     "Use a finding code, or words such as 'orphan delta', "
                                     "'CID chain', 'swap file while off', 'missing extent'."))
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
        if same_file:
            hint = (f"{same_file[0][1]} does have a problem, but not '{same_file[0][3]}'. "
                    f"{HINTS.get(finding.code, '')}")
        elif same_code:
            hint = (f"The folder does have a {finding.code} problem, but not in {same_code[0][1]}. "
                    f"{HINTS.get(finding.code, '')}")
        else:
            hint = HINTS.get(finding.code, f"Look for a {finding.code}.")
        criteria.append(Criterion(False, f"problem {len(criteria) + 1} of {len(findings)} not found yet",
                                  hint))
    false_alarms = [a for a in named if a[0] not in used]
    if false_alarms:
        n, file, code, _words = false_alarms[0]
        criteria.append(Criterion(False, f"line {n}: {file} has no {code} problem",
                                  "vlab explain finds nothing of that kind there; remove the line or "
                                  "look again at that file's text."))
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
    "check_problems",
    "expected_findings",
    "parse_answers",
    "problem_code",
]
