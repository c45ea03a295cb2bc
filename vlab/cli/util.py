"""Small helpers shared by the command modules: terms that start with '-', safe terminal output,
and checks on files named on the command line. Standard library only, so `vlab explain` stays fast."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import stat
import sys
from pathlib import Path

from vlab.cli.errors import UserError


class _DashTermsMixin:
    """Treat an unknown argument that starts with a single '-' as a word, not an option.

    Datastore file types are spelt `-flat.vmdk`, `-000001.vmdk`, `-ctk.vmdk`; argparse would
    otherwise refuse them as unknown options. Real options (-h, --json, --limit) still work, and
    a mistyped short option such as `-j` is still refused.
    """

    def _parse_optional(self, arg_string):  # argparse hook; None means "a positional"
        if (len(arg_string) > 2 and arg_string[0] == "-" and arg_string[1] != "-"
                and arg_string not in self._option_string_actions):
            return None
        return super()._parse_optional(arg_string)


def add_term_parser(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    """`sub.add_parser(name, ...)` whose positional words may start with '-' (e.g. -flat.vmdk)."""
    base = sub._parser_class
    sub._parser_class = type("TermParser", (_DashTermsMixin, base), {})
    try:
        return sub.add_parser(name, **kwargs)
    finally:
        sub._parser_class = base


def safe_stdout() -> None:
    """Never crash on a terminal that cannot show a character (PYTHONIOENCODING=ascii, cp1252):
    write it as a backslash escape instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or detached stream: leave it
                pass


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, controls: bool = True) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (kept by Python as lone
    surrogates) shown as \\xNN, so neither the terminal nor a JSON reader chokes on them; with
    `controls`, control characters too (a file named with an escape sequence must not drive the
    terminal of the administrator who lists the folder)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if controls:
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    return text


def printable_data(data):
    """`printable` applied to every string inside dicts and lists (for --json output, which
    escapes control characters itself)."""
    if isinstance(data, str):
        return printable(data, controls=False)
    if isinstance(data, dict):
        return {printable_data(k): printable_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [printable_data(v) for v in data]
    return data


def json_text(data) -> str:
    """`data` as indented JSON that any reader accepts: non-UTF-8 file names as \\xNN, and
    non-ASCII characters escaped (\\u00e9) when the terminal cannot show them."""
    import json

    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return json.dumps(printable_data(data), indent=2, ensure_ascii=encoding != "utf8")


def quoted(words: str) -> str:
    """`words` as one shell argument, for a `Try vlab ...` hint."""
    return shlex.quote(words)


def short(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def need_value(option: str, value: str | None) -> None:
    """Refuse an option given an empty string (`--fix ''`), which would otherwise be ignored."""
    if value is not None and not value.strip():
        raise UserError(f"{option} needs a file name, not an empty string")


def check_input_file(path: Path, what: str = "file") -> None:
    """Refuse, with a message, what cannot be read as a small text file: missing, a folder,
    a broken link, a FIFO or device (reading /dev/zero would never end)."""
    try:
        if path.is_symlink() and not path.exists():
            raise UserError(f"{path} is a broken symbolic link (it points to {os.readlink(path)})")
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror or err})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{path} is a folder; give a {what} inside it")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} is not a regular file (a pipe or a device?); give a {what}")


def same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` name one file (through links, `./`, or a different spelling)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()
