"""The reference look-up: type a file extension, component or term, get its card."""
from __future__ import annotations

import html

import ipywidgets as widgets

from vlab import knowledge
from vlab.knowledge.cards import card_rows, title


def lookup_html(term: str) -> str:
    """The card for `term` as HTML, or suggestions when nothing matches. Pure: the widget only shows it."""
    term = term.strip()
    if not term:
        return "<p>Type a file extension (<code>vswp</code>), a component (<code>HA</code>) or a term.</p>"
    entry = knowledge.lookup(term)
    if entry is None:
        hits = knowledge.search(term, limit=5)
        if not hits:
            close = knowledge.suggest(term)
            tip = f" Did you mean: {html.escape(', '.join(close))}?" if close else ""
            return f"<p role='status'>Nothing called <b>{html.escape(term)}</b>.{tip}</p>"
        items = "".join(
            f"<li>{html.escape(title(m.entry))} <i>({m.entry.kind})</i></li>" for m in hits
        )
        return f"<p role='status'>No exact match for <b>{html.escape(term)}</b>. Closest:</p><ul>{items}</ul>"
    rows = "".join(
        f"<tr><th style='text-align:left;vertical-align:top;padding-right:1em'>{html.escape(label)}</th>"
        f"<td style='text-align:left'>{html.escape(str(text))}</td></tr>"
        for label, text in card_rows(entry)
    )
    return (
        f"<div class='vlab-card'><h4>{html.escape(title(entry))} <small>({entry.kind})</small></h4>"
        f"<table>{rows}</table></div>"
    )


class LookupWidget(widgets.VBox):
    """A text box and a card; the card updates as the learner types."""

    def __init__(self, term: str = "") -> None:
        self.query = widgets.Text(
            value=term,
            description="Look up:",
            placeholder="vswp, .vmsd, HA, TPS, VST ...",
            continuous_update=True,
        )
        self.card = widgets.HTML(value=lookup_html(term))
        self.query.observe(self._on_change, names="value")
        self.query.add_class("vlab-lookup-query")
        self.card.add_class("vlab-lookup-card")
        super().__init__([self.query, self.card])

    def _on_change(self, change) -> None:
        self.card.value = lookup_html(change["new"])
