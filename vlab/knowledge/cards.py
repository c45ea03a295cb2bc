"""A card: one entry of the knowledge as the learner reads it, in text or as a dict for --json."""
from __future__ import annotations

import textwrap

from vlab.knowledge.records import DatastoreFile, GlossaryTerm, SuiteComponent

_FIELDS = {
    DatastoreFile: (
        ("purpose", "What it is"),
        ("created_when", "Appears"),
        ("removed_when", "Goes away"),
        ("size_rule", "Size"),
        ("text_or_binary", "Format"),
        ("then_and_now", "Then and now"),
    ),
    SuiteComponent: (
        ("role", "What it does"),
        ("edition", "Edition (VI3)"),
        ("talks_to", "Talks to"),
        ("today_name", "Today"),
        ("then_and_now", "Then and now"),
    ),
    GlossaryTerm: (("definition", "Meaning"),),
}


def title(entry) -> str:
    if isinstance(entry, DatastoreFile):
        return f"{entry.extension}: {entry.name}"
    return entry.key


def card_dict(entry) -> dict:
    """Every field of the entry, plus its kind and title; stable keys for scripts."""
    data = {"kind": entry.kind, "title": title(entry)}
    for key, value in vars(entry).items():
        data[key] = list(value) if isinstance(value, tuple) else value
    return data


def card_rows(entry) -> list[tuple[str, str]]:
    """(label, text) pairs in reading order, shared by the CLI card and the look-up widget."""
    rows = [(label, getattr(entry, attr)) for attr, label in _FIELDS[type(entry)]]
    if entry.aliases:
        rows.append(("Also called", ", ".join(entry.aliases)))
    rows.append(("Taught in", f"labs/{entry.lab}.ipynb"))
    rows.append(("Source", entry.source))
    return rows


def card_text(entry, width: int = 88) -> str:
    """A plain-text card for the terminal."""
    head = title(entry)
    lines = [head, "=" * min(len(head), width), f"({entry.kind})"]
    for label, text in card_rows(entry):
        # Several sources (joined by " ; " in the datasets) start a line each.
        parts = [p.strip() for p in str(text).split(" ; ")] if label == "Source" else [str(text)]
        bullet = len(parts) > 1
        wrapped: list[str] = []
        for part in parts:
            # URLs stay whole so a terminal can open them.
            wrapped += textwrap.wrap(part, width=width - 16, break_long_words=False,
                                     break_on_hyphens=False,
                                     initial_indent="- " if bullet else "",
                                     subsequent_indent="  " if bullet else "")
        wrapped = wrapped or [""]
        lines.append(f"{label + ':':<15} {wrapped[0]}")
        lines.extend(f"{'':<15} {more}" for more in wrapped[1:])
    return "\n".join(lines)
