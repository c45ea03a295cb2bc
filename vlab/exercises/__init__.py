"""Checker exercises of the labs: each module holds one lab's check functions (pure), the widget factory,
and its your-turn cells (`YOUR_TURNS`), which notebooks run with `your_turn(LAB, ID, work)`."""
from __future__ import annotations

import importlib
from typing import Any

# lab slug -> the module holding its exercises
MODULES = {
    "00_start_here": "start_here", "01_vmkernel": "vmkernel", "02_virtual_networking": "virtual_networking",
    "03_virtual_storage": "virtual_storage", "04_vcenter_suite": "vcenter_suite",
    "05_datastore_files": "datastore_files", "06_backup_options": "backup_options",
    "07_security_areas": "security_areas", "08_hardening": "hardening", "09_scalability": "scalability",
    "10_rdm_vs_vmfs": "rdm_vs_vmfs", "11_management_access": "management_access",
}


def turns(lab: str) -> tuple:
    """The your-turn exercises of a lab (empty when it has none yet)."""
    if lab not in MODULES:
        raise ValueError(f"no lab '{lab}'; the labs are {', '.join(MODULES)}")
    module = importlib.import_module(f"vlab.exercises.{MODULES[lab]}")
    return tuple(getattr(module, "YOUR_TURNS", ()))


def your_turn(lab: str, turn_id: str, work: Any, **options: Any):
    """Check a your-turn cell: run the lab's model on `work`, show feedback, record the attempt."""
    from vlab.learn.your_turn import check_turn

    found = {t.id: t for t in turns(lab)}
    if turn_id not in found:
        raise ValueError(f"lab {lab} has no your-turn '{turn_id}'; it has {', '.join(found) or 'none'}")
    return check_turn(found[turn_id], work, **options)
