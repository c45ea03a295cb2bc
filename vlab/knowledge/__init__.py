"""vlab's knowledge: datasets/ read into typed records, and search across them.

    >>> from vlab import knowledge
    >>> knowledge.lookup("VSWP").name
    'Virtual machine swap file'

This package is the only place that knows where datasets/ lives (see `paths`). It imports nothing heavier than
the standard library, so the CLI starts fast.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from vlab.knowledge.paths import datasets_dir, labs_dir
from vlab.knowledge.records import (
    LAB_SLUGS,
    DatasetError,
    DatastoreFile,
    GlossaryTerm,
    Lab,
    SuiteComponent,
    all_names,
    read_table,
)

__all__ = [
    "LAB_SLUGS",
    "DatasetError",
    "DatastoreFile",
    "GlossaryTerm",
    "Lab",
    "Match",
    "SuiteComponent",
    "datasets_dir",
    "datastore_files",
    "components",
    "glossary",
    "labs",
    "labs_dir",
    "entries",
    "lookup",
    "search",
    "suggest",
]

Entry = DatastoreFile | SuiteComponent | GlossaryTerm


@cache
def datastore_files() -> tuple[DatastoreFile, ...]:
    """Every kind of file a VM's datastore folder can hold."""
    return tuple(read_table(datasets_dir() / "datastore_files.csv", DatastoreFile))


@cache
def components() -> tuple[SuiteComponent, ...]:
    """The VI3 suite's components and their names today."""
    return tuple(read_table(datasets_dir() / "suite_components.csv", SuiteComponent))


@cache
def glossary() -> tuple[GlossaryTerm, ...]:
    """Terms from the notes, in vlab's own words."""
    return tuple(read_table(datasets_dir() / "glossary.csv", GlossaryTerm))


@cache
def labs() -> tuple[Lab, ...]:
    """The map of labs, in teaching order."""
    return tuple(read_table(datasets_dir() / "labs.csv", Lab))


def entries() -> tuple[Entry, ...]:
    """Everything `explain` can show: file types first, then components, then glossary terms."""
    return datastore_files() + components() + glossary()


def normalize(text: str) -> str:
    """Fold case, punctuation and leading dots so that `.vmsd`, `vmsd` and `VMSD` compare equal."""
    text = text.strip().lower().lstrip(".-*")
    return re.sub(r"[\s_]+", " ", text)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.lower()))  # letters of any script, and digits


@dataclass(frozen=True)
class Match:
    """One search hit: the record, how well it matched and why."""

    entry: Entry
    score: int
    reason: str


def _score(entry: Entry, query: str, query_words: set[str]) -> tuple[int, str]:
    names = [normalize(n) for n in all_names(entry)]
    if names[0] == query:
        return 100, "name"
    if query in names[1:]:
        return 90, "alias"
    if any(n.startswith(query) for n in names) and len(query) >= 3:
        return 70, "name starts with it"
    name_words = set().union(*(_words(n) for n in names))
    if query_words and query_words <= name_words:
        return 60, "all words in the name"
    body_words = _words(" ".join(str(v) for v in vars(entry).values() if isinstance(v, str)))
    hits = query_words & (body_words | name_words)
    if query_words and hits == query_words:
        return 30 + 5 * len(query_words & name_words), "all words in the text"
    if hits:
        return 10 * len(hits) // len(query_words), "some words in the text"
    return 0, ""


def search(query: str, limit: int = 10) -> list[Match]:
    """Rank every entry against `query`: exact name, then alias, prefix, words in the name, words in the text."""
    q = normalize(query)
    if not q:
        return []
    q_words = _words(q)
    hits = []
    for order, entry in enumerate(entries()):
        score, reason = _score(entry, q, q_words)
        if score:
            hits.append((-score, order, Match(entry, score, reason)))
    hits.sort(key=lambda h: h[:2])
    return [h[2] for h in hits[:limit]]


@cache
def _names() -> dict[str, Entry]:
    """Every normalized name and alias -> its entry; a key wins over another entry's alias."""
    index: dict[str, Entry] = {}
    for entry in entries():
        for name in list(all_names(entry))[1:]:
            index.setdefault(normalize(name), entry)
    for entry in entries():
        index[normalize(entry.key)] = entry
    return index


def lookup(term: str) -> Entry | None:
    """The entry whose name or alias is `term` (case and leading dot ignored), or None."""
    return _names().get(normalize(term)) if normalize(term) else None


def suggest(term: str, limit: int = 5) -> list[str]:
    """Names close to a misspelt `term`, for "did you mean ...?"."""
    names = {}
    for entry in entries():
        for name in all_names(entry):
            names.setdefault(normalize(name), name)
    close = difflib.get_close_matches(normalize(term), list(names), n=limit, cutoff=0.6)
    if not close:
        close = [normalize(m.entry.key) for m in search(term, limit=limit)]
    return [names.get(c, c) for c in close]
