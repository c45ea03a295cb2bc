"""Published reference results, read from datasets/: the figures models and checkers are compared with.

Today: Table 2 of "Scalable Storage Performance" (VMware, ESX 3.5, 2008), "Calculating Load on a VMFS
volume for Sample Configurations" (datasets/storage_table2.csv), used by lab 09's storage panel and its
checker. Standard library only, like the rest of `vlab.knowledge`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from vlab.knowledge.paths import datasets_dir


@dataclass(frozen=True)
class Table2Row:
    """One published row of Table 2 ("Calculating Load on a VMFS volume for Sample Configurations")."""

    array_queue_limit: int  # n
    active_per_vm: int  # a
    host_queue_depth: int  # d
    vms_per_host: int  # m = d/a, as printed
    vms_per_volume: int  # n/a, as printed
    source: str


def load_table2(path: str | Path | None = None) -> tuple[Table2Row, ...]:
    """The rows of Table 2 as published (datasets/storage_table2.csv), checked for shape."""
    path = Path(path) if path is not None else datasets_dir() / "storage_table2.csv"
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            try:
                values = [int(record[k]) for k in ("array_queue_limit", "active_per_vm",
                                                   "host_queue_depth", "vms_per_host",
                                                   "vms_per_volume")]
            except (KeyError, TypeError, ValueError) as err:
                raise ValueError(f"{path.name}, row {number}: every column but source must be a "
                                 f"whole number ({err})") from None
            if not (record.get("source") or "").strip():
                raise ValueError(f"{path.name}, row {number}: the source column is empty")
            rows.append(Table2Row(*values, source=record["source"].strip()))
    if not rows:
        raise ValueError(f"{path.name} has no rows")
    return tuple(rows)
