"""`vlab explain TERM`: the card for a file type, component or glossary term, or a tour of a VM folder.

A term is looked up by name or alias (case and a leading dot ignored). A real file name such as
`web01-flat.vmdk` or `vmware-3.log` that is not itself a card gets the card of its file type. A term
that names an existing folder, or an existing file with an extension or a '/', is a path: its folder
report is printed (see vlab.cli.folder).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from vlab.cli.errors import UserError
from vlab.cli.util import add_term_parser, json_text, printable, quoted, short

_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{1,12}\Z")


def register(sub) -> None:
    p = add_term_parser(
        sub,
        "explain",
        help="explain a file type, component or term (or a VM folder / file on disk)",
        description="Show the card for a datastore file type (vswp, .vmsd, -flat.vmdk, or a file "
        "name such as web01-000001.vmdk), a suite component (HA, VirtualCenter) or a glossary term "
        "(TPS, VST). Given an existing path, list a VM folder's files with their roles and flag "
        "anomalies (exit 3 when there are any).",
    )
    p.add_argument("term", nargs="+", help="what to explain, e.g. vswp, .vmsd, 'resource pool', ./myvm/")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=run)


def _is_path(term: str, path: Path) -> bool:
    if path.is_symlink():
        return True
    if not path.exists():
        return False
    return path.is_dir() or bool(path.suffix) or os.sep in term or "/" in term


def _exists(word: str) -> bool:
    try:
        return Path(word).expanduser().exists()
    except OSError:
        return False


def _check_path(path: Path) -> None:
    if path.is_symlink() and not path.exists():
        raise UserError(f"{printable(str(path))} is a broken symbolic link "
                        f"(it points to {printable(os.readlink(path))})")
    if not (path.is_dir() or path.is_file()):
        raise UserError(f"{printable(str(path))} is neither a regular file nor a folder "
                        f"(a pipe or a device?); give a VM folder or a file in one")


def _same_name_elsewhere(entry, term: str) -> list:
    """Other entries that `term` also names (e.g. 'vss': a switch and a Windows service)."""
    from vlab import knowledge
    from vlab.knowledge.records import all_names

    wanted = knowledge.normalize(term)
    return [e for e in knowledge.entries() if e is not entry
            and wanted in {knowledge.normalize(n) for n in all_names(e)}]


def _by_file_name(term: str):
    """(card key, what the file is for, entry) for a file name like web01-000002.vmdk, or Nones."""
    if " " in term or not _FILE_NAME.search(term):
        return None, None, None
    from vlab import knowledge
    from vlab.models.datastore.vm_folder import EXTENT_KINDS, card_key, classify_file, role_of

    name = os.path.basename(term)
    kind = classify_file(name)
    key = card_key(name)
    entry = knowledge.lookup(key) if key else None
    if entry is None:
        if kind in EXTENT_KINDS:  # a known kind of disk data with no card of its own
            return "", role_of(kind), None
        return None, None, None
    return key, role_of(kind), entry


def run(args) -> int:
    from vlab import knowledge
    from vlab.knowledge.cards import card_dict, card_text, title

    term = " ".join(args.term).strip()
    if not term:
        raise UserError("nothing to explain: give a file type, component or term (e.g. "
                        "`vlab explain vswp`) or the path of a VM folder")
    path = Path(term).expanduser()
    try:
        is_path = _is_path(term, path)
        if is_path:
            _check_path(path)
    except OSError as err:  # e.g. a file inside a folder the user may not enter
        raise UserError(f"{printable(term)}: cannot look at it ({err.strerror or err})") from None
    if not is_path and len(args.term) > 1 and all(_exists(t) for t in args.term):
        raise UserError(f"explain one path at a time (got {len(args.term)}), e.g. "
                        f"`vlab explain {quoted(args.term[0])}`")
    if is_path:
        from vlab.cli.folder import explain_path

        return explain_path(path, as_json=args.json)
    entry = knowledge.lookup(term)
    named_as = role = None
    if entry is None and ("/" in term or os.sep in term):
        raise UserError(f"{printable(term)}: no such file or folder")
    if entry is None and "-" in term[1:]:  # VMFS-3 for VMFS3, hot-add for hot add
        entry = knowledge.lookup(term.replace("-", "")) or knowledge.lookup(term.replace("-", " "))
    if entry is None:
        named_as, role, entry = _by_file_name(term)
    if entry is None and named_as == "":
        see = "the descriptor .vmdk that names it: `vlab explain .vmdk`"
        if args.json:
            print(json_text({"file_name": term, "file_role": role, "card": None, "see": ".vmdk"}))
        else:
            print(f"{printable(term)} is named like disk data: {role}.\n"
                  f"vlab has no card for this kind of extent; see {see}.")
        return 0
    if entry is None:
        suggestions = knowledge.suggest(term)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise UserError(f"nothing called '{printable(short(term))}'.{hint} "
                        f"Try `vlab search {printable(quoted(short(term)))}`.")
    others = [] if named_as else _same_name_elsewhere(entry, term)
    if args.json:
        data = card_dict(entry)
        if named_as:
            data["file_name"] = term
            data["file_role"] = role
        data["also"] = [title(e) for e in others]
        print(json_text(data))
        return 0
    if named_as:
        print(f"{printable(term)} is named like a {named_as} file: {role}.\n")
    print(card_text(entry))
    for other in others:
        print(f"\n'{term}' also names: {title(other)} ({other.kind}); "
              f"`vlab explain {quoted(other.key)}`")
    return 0
