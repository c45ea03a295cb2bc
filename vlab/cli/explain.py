"""`vlab explain TERM`: the card for a file type, component or glossary term, or a tour of a VM folder."""
from __future__ import annotations

import json
from pathlib import Path

from vlab.cli.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="explain a file type, component or term (or a VM folder / file on disk)",
        description="Show the card for a datastore file type (vswp, .vmsd), a suite component "
        "(HA, VirtualCenter) or a glossary term (TPS, VST). Given an existing path, list a VM "
        "folder's files with their roles and flag anomalies.",
    )
    p.add_argument("term", nargs="+", help="what to explain, e.g. vswp, .vmsd, 'resource pool', ./myvm/")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=run)


def run(args) -> int:
    from vlab import knowledge
    from vlab.knowledge.cards import card_dict, card_text

    term = " ".join(args.term)
    path = Path(term).expanduser()
    if path.exists() and (path.is_dir() or path.suffix):
        from vlab.cli.folder import explain_path

        return explain_path(path, as_json=args.json)
    entry = knowledge.lookup(term)
    if entry is None:
        suggestions = knowledge.suggest(term)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise UserError(f"nothing called '{term}'.{hint} Try `vlab search {term}`.")
    if args.json:
        print(json.dumps(card_dict(entry), indent=2, ensure_ascii=False))
    else:
        print(card_text(entry))
    return 0
