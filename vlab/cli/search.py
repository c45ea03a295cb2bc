"""`vlab search WORDS`: ranked matches across file types, components and the glossary."""
from __future__ import annotations

from vlab.cli.errors import UserError
from vlab.cli.util import add_term_parser, json_text, printable, short

TITLE_WIDTH = 44  # longer titles are cut with "..." so the kind and lab columns line up


def register(sub) -> None:
    p = add_term_parser(sub, "search", help="search the knowledge for words")
    p.add_argument("words", nargs="+", help="words to look for, e.g. snapshot metadata")
    p.add_argument("--limit", type=int, default=10, help="most results to show (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=run)


def run(args) -> int:
    from vlab import knowledge
    from vlab.knowledge.cards import title

    query = " ".join(args.words).strip()
    if args.limit < 1:
        raise UserError("--limit must be 1 or more")
    if not query:
        raise UserError("nothing to search for: give one or more words, e.g. "
                        "`vlab search snapshot metadata`")
    matches = knowledge.search(query, limit=args.limit)
    if args.json:
        rows = [
            {"title": title(m.entry), "kind": m.entry.kind, "score": m.score, "why": m.reason,
             "lab": m.entry.lab}
            for m in matches
        ]
        print(json_text(rows))
        return 0 if matches else 1
    if not matches:
        suggestions = knowledge.suggest(query)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise UserError(f"no matches for '{printable(short(query))}'.{hint}")
    for m in matches:
        name = short(title(m.entry), TITLE_WIDTH)
        print(f"{m.score:>3}  {name:<{TITLE_WIDTH}} {m.entry.kind:<10} labs/{m.entry.lab}.ipynb")
    return 0
