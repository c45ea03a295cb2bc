"""The learner's `setting = value` lines, as several checkers read them."""
from __future__ import annotations

from collections.abc import Mapping


def read_settings(work: str | Mapping[str, object], what: str = "the design",
                  lower_keys: bool = False, form: str = "setting = value") -> dict[str, tuple[object, str]]:
    """{setting: (value, where)} from text lines (`key = value` or `key: value`, `#` comments) or a dict.

    `where` names the line (or the dict key) for error messages. Raises ValueError naming the bad line.
    """
    def key_of(k: object) -> str:
        k = str(k).strip()
        return k.lower() if lower_keys else k

    if isinstance(work, Mapping):
        return {key_of(k): (v, f"'{k}'") for k, v in work.items()}
    if not isinstance(work, str):
        raise ValueError(f"write {what} as '{form}' lines (or give a dict)")
    given: dict[str, tuple[object, str]] = {}
    for number, raw in enumerate(work.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.replace(":", "=", 1).partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"line {number} ('{raw.strip()}') is not '{form}'")
        given[key_of(key)] = (value.strip(), f"line {number}")
    return given
