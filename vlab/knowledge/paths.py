"""Where vlab's data lives, from a checkout and from an installed wheel.

In a checkout (or an editable install) datasets/ and labs/ sit next to the vlab package; a wheel carries
copies under vlab/_data/ (see pyproject.toml, force-include).
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _first_existing(name: str) -> Path:
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"vlab cannot find its {name}/ folder next to the package or inside it ({_PACKAGE}); "
        "reinstall vlab"
    )


def datasets_dir() -> Path:
    """The folder holding datasets/*.csv and datasets/quizzes/."""
    return _first_existing("datasets")


def labs_dir() -> Path:
    """The folder holding the lab notebooks."""
    return _first_existing("labs")
