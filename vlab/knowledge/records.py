"""Typed records over datasets/: one dataclass per table, validated as it is read.

Each CSV names its columns in `COLUMNS`; a row that breaks a rule raises DatasetError with the file, the line,
the column and the reason, so a reviewer can fix the data without reading Python.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path

LAB_SLUGS = (
    "00_start_here",
    "01_vmkernel",
    "02_virtual_networking",
    "03_virtual_storage",
    "04_vcenter_suite",
    "05_datastore_files",
    "06_backup_options",
    "07_security_areas",
    "08_hardening",
    "09_scalability",
    "10_rdm_vs_vmfs",
    "11_management_access",
)


class DatasetError(ValueError):
    """A dataset row that breaks a rule: says which file, line and column, and why."""

    def __init__(self, path: Path | str, line: int, column: str | None, reason: str) -> None:
        self.path, self.line, self.column, self.reason = Path(path), line, column, reason
        where = f"{Path(path).name}, line {line}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class DatastoreFile:
    """A kind of file found in a VM's folder on a datastore."""

    extension: str
    name: str
    purpose: str
    created_when: str
    removed_when: str
    size_rule: str
    text_or_binary: str
    then_and_now: str
    aliases: tuple[str, ...]
    lab: str
    source: str

    kind = "file type"

    @property
    def key(self) -> str:
        return self.extension


@dataclass(frozen=True)
class SuiteComponent:
    """A product of the VMware Infrastructure 3 suite, and what it is called today."""

    component: str
    aliases: tuple[str, ...]
    edition: str
    role: str
    talks_to: str
    today_name: str
    then_and_now: str
    lab: str
    source: str

    kind = "component"

    @property
    def key(self) -> str:
        return self.component


@dataclass(frozen=True)
class GlossaryTerm:
    """A word from the notes, defined in vlab's own words."""

    term: str
    aliases: tuple[str, ...]
    definition: str
    lab: str
    source: str

    kind = "term"

    @property
    def key(self) -> str:
        return self.term


@dataclass(frozen=True)
class Lab:
    """One lab notebook: where it is, how long it takes, whether it is written yet."""

    slug: str
    title: str
    minutes_reading: int
    minutes_exercises: int
    status: str
    topics: str

    kind = "lab"

    @property
    def key(self) -> str:
        return self.slug

    @property
    def notebook(self) -> str:
        return f"{self.slug}.ipynb"


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


def _lab(value: str) -> str:
    if value not in LAB_SLUGS:
        raise ValueError(f"unknown lab '{value}'; expected one of {', '.join(LAB_SLUGS)}")
    return value


def _one_of(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"'{value}' is not one of {', '.join(allowed)}")
        return value

    return check


def _minutes(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= 240:
        raise ValueError(f"'{value}' is not a whole number of minutes between 1 and 240")
    return int(value)


def _extension(value: str) -> str:
    if value != value.strip() or " " in value:
        raise ValueError(f"'{value}' has spaces; an extension is written like .vswp or -flat.vmdk")
    if value.lower() != value:
        raise ValueError(f"'{value}' must be lower case")
    return value


# Per table: the record class, columns that may be empty, and converters that also validate.
_SCHEMAS: dict[type, tuple[frozenset[str], dict[str, Callable[[str], object]]]] = {
    DatastoreFile: (
        frozenset({"aliases"}),
        {
            "extension": _extension,
            "aliases": _split_aliases,
            "text_or_binary": _one_of("text", "binary", "mixed"),
            "lab": _lab,
        },
    ),
    SuiteComponent: (frozenset({"aliases"}), {"aliases": _split_aliases, "lab": _lab}),
    GlossaryTerm: (frozenset({"aliases"}), {"aliases": _split_aliases, "lab": _lab}),
    Lab: (
        frozenset(),
        {
            "slug": _lab,
            "minutes_reading": _minutes,
            "minutes_exercises": _minutes,
            "status": _one_of("available", "planned"),
        },
    ),
}


class RowError(ValueError):
    """Raised by a row converter: which column is wrong, and why (read_rows adds file and line)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def read_rows(path: Path, record: type, optional: frozenset[str],
              convert_row: Callable[[dict[str, str]], dict[str, object]], *,
              require_rows: bool = False) -> list:
    """Read one CSV into `record` instances.

    Checks the file (UTF-8, a header with every field of `record`), each row (as many cells as the header, no
    empty cell outside `optional`), passes the cells to `convert_row` (which raises RowError for a bad cell),
    and refuses a repeated first-column key. Any problem raises DatasetError with file, line and column.
    """
    columns = [f.name for f in fields(record)]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(path, 1, None, f"not UTF-8 text ({err.reason})") from None
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None:
        raise DatasetError(path, 1, None, "the file is empty; expected a header row")
    missing = [c for c in columns if c not in header]
    if missing:
        raise DatasetError(path, 1, missing[0], f"header lacks column(s) {', '.join(missing)}")
    records, seen = [], {}
    key_column = columns[0]
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DatasetError(path, line, None, f"has {len(row)} cells, the header has {len(header)}")
        cells = {c: v.strip() for c, v in zip(header, row, strict=True)}
        for column in columns:
            if not cells[column] and column not in optional:
                raise DatasetError(path, line, column, "is empty")
        try:
            values = convert_row({c: cells[c] for c in columns})
        except RowError as err:
            raise DatasetError(path, line, err.column, err.reason) from None
        key = cells[key_column].lower()
        if key in seen:
            raise DatasetError(path, line, key_column, f"'{cells[key_column]}' repeats line {seen[key]}")
        seen[key] = line
        records.append(record(**values))
    if require_rows and not records:
        raise DatasetError(path, 2, None, "no rows: the file has a header and nothing else")
    return records


def read_table(path: Path, record: type) -> list:
    """Read one of the knowledge tables into `record` instances, validating every cell."""
    optional, converters = _SCHEMAS[record]

    def convert(cells: dict[str, str]) -> dict[str, object]:
        values = {}
        for column, raw in cells.items():
            try:
                values[column] = converters.get(column, str)(raw)
            except ValueError as err:
                raise RowError(column, str(err)) from None
        return values

    return read_rows(path, record, optional, convert)


def all_names(item: DatastoreFile | SuiteComponent | GlossaryTerm | Lab) -> Iterable[str]:
    """The key and every alias of a record: what a learner might type to find it."""
    yield item.key
    yield from getattr(item, "aliases", ())
