"""VMware's dictionary files: `.vmx`, `.vmtx`, `.vmsd` and friends, read and written.

Imitates the `key = "value"` format the VMX process and hostd read and write:

- one `key = "value"` per line, `#` comment lines, blank lines;
- an optional `#!/usr/bin/vmware` first line (old ESX and GSX files);
- a leading `.encoding = "UTF-8"` saying how the bytes are encoded;
- CRLF or LF line ends (kept on write);
- legacy unquoted values from GSX / ESX 2 (`config.version = 4`), written back quoted;
- keys compared case-insensitively (`memsize` and `memSize` are one key, as libvirt and
  dissect read them), the first spelling seen kept for display;
- a repeated key: the last value wins and a warning is collected in `DictFile.warnings`.

Values are kept raw, exactly as between the quotes. VMware writes a `"`, `|` or line break inside
a value as `|22`, `|7C`, `|0A`; `decode_value` / `encode_value` convert.

Input is untrusted: at most `MAX_BYTES`, no NUL bytes or control characters (binary files are refused
with a message), and a malformed line raises `ValueError` naming the file and the line number.

Left out: VMware's exact handling of odd spacing inside keys and of comments after values (accepted
here after a quoted value), and encodings Python does not know (refused).
"""
from __future__ import annotations

import codecs
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 1024 * 1024  # 1 MiB: real .vmx files are a few KB; anything bigger is not one
_BLANK = " \t"
# the whole of a well-formed line, so most lines cost one match; _parse_line explains the others
_LINE = re.compile(r'([^ \t"=]+)[ \t]*=[ \t]*(?:"([^"]*)"(?:[ \t]*#.*)?|([^"]*?))[ \t]*\Z', re.S)
_BAD_KEY = re.compile(r'[ \t"=]')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ESCAPE = re.compile(r"\|([0-9A-Fa-f]{2})")
_ENCODING_LINE = re.compile(rb'^[ \t]*\.encoding[ \t]*=[ \t]*"?([A-Za-z0-9_.:-]{1,40})"?', re.M | re.I)


@dataclass
class Entry:
    """One key: its spelling as first seen, its raw value, and the line it came from (0 = set in code)."""

    key: str
    value: str
    line: int = 0
    quoted: bool = True


class DictFile:
    """An ordered, case-insensitive `key = "value"` dictionary, as in a .vmx or .vmsd file.

    `d["memsize"]` and `d["memSize"]` are the same entry; iteration yields the original spellings.
    `warnings` lists what the parser let through (duplicate keys). Two DictFiles are equal when
    they hold the same keys (case-insensitively) with the same values.
    """

    def __init__(self, items: dict[str, str] | None = None) -> None:
        self._entries: dict[str, Entry] = {}
        self._comments: dict[str, list[str]] = {}  # comment lines kept above the entry they precede
        self.trailing_comments: list[str] = []
        self.shebang: str | None = None
        self.newline = "\n"
        self.warnings: list[str] = []
        for key, value in (items or {}).items():
            self[key] = value

    # mapping protocol
    def __getitem__(self, key: str) -> str:
        try:
            return self._entries[key.lower()].value
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: str, value: str) -> None:
        _check_key(key)
        value = str(value)
        if '"' in value or "\n" in value or "\r" in value or "\x00" in value:
            raise ValueError(
                f"value for '{key}' contains a quote, line break or NUL; write it as VMware does "
                f"with encode_value() (|22, |0A)"
            )
        old = self._entries.get(key.lower())
        spelling = old.key if old else key
        self._entries[key.lower()] = Entry(spelling, value, old.line if old else 0)

    def __delitem__(self, key: str) -> None:
        try:
            del self._entries[key.lower()]
        except KeyError:
            raise KeyError(key) from None
        self._comments.pop(key.lower(), None)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._entries

    def __iter__(self) -> Iterator[str]:
        return (e.key for e in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DictFile):
            return NotImplemented
        return self.normalized() == other.normalized()

    def __repr__(self) -> str:
        return f"DictFile({len(self)} keys)"

    def get(self, key: str, default: str | None = None) -> str | None:
        entry = self._entries.get(key.lower())
        return entry.value if entry else default

    def entry(self, key: str) -> Entry | None:
        """The full record for `key` (spelling, raw value, line number), or None."""
        return self._entries.get(key.lower())

    def items(self) -> list[tuple[str, str]]:
        return [(e.key, e.value) for e in self._entries.values()]

    def keys(self) -> list[str]:
        return [e.key for e in self._entries.values()]

    def normalized(self) -> dict[str, str]:
        """{lower-case key: value}: what VMware sees, whatever the spelling."""
        return {k: e.value for k, e in self._entries.items()}

    def get_bool(self, key: str, default: bool = False) -> bool:
        """VMware's booleans: TRUE/FALSE, yes/no, 1/0, any case."""
        value = self.get(key)
        if value is None:
            return default
        v = value.strip().lower()
        if v in ("true", "yes", "1", "on"):
            return True
        if v in ("false", "no", "0", "off", ""):
            return False
        return default

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self.get(key)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    @property
    def encoding(self) -> str:
        """The file's `.encoding`, or UTF-8 (VMware's default) when absent."""
        return self.get(".encoding") or "UTF-8"

    def to_text(self) -> str:
        """The file as VMware writes it: shebang, `.`-keys first, every value quoted."""
        lines: list[str] = []
        if self.shebang is not None:
            lines.append(self.shebang)
        ordered = sorted(self._entries.items(), key=lambda kv: not kv[0].startswith("."))
        for lower, e in ordered:
            lines.extend(self._comments.get(lower, ()))
            lines.append(f'{e.key} = "{e.value}"')
        lines.extend(self.trailing_comments)
        return self.newline.join(lines) + self.newline if lines else ""

    def to_bytes(self) -> bytes:
        """`to_text()` encoded in the file's `.encoding`."""
        try:
            return self.to_text().encode(_codec(self.encoding))
        except UnicodeEncodeError as err:
            raise ValueError(
                f"a value cannot be written in the file's encoding {self.encoding}: {err.reason}"
            ) from None


def _check_key(key: str) -> None:
    if not key or _BAD_KEY.search(key) or key.startswith("#"):
        raise ValueError(f"'{key}' is not a valid key: keys are non-empty, without spaces, quotes or '='")
    if _CONTROL.search(key) or "\n" in key or "\r" in key:
        raise ValueError(f"key {key!r} contains a control character")


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f".encoding '{name}' is not an encoding this parser knows") from None


def decode_bytes(data: bytes, source: str = "<input>", max_bytes: int = MAX_BYTES) -> str:
    """Bytes of a text file -> str, refusing what is too big, binary, or in an unknown encoding."""
    if len(data) > max_bytes:
        raise ValueError(
            f"{source}: {len(data)} bytes is more than the {max_bytes}-byte limit for a text "
            f"configuration file; is this really a .vmx/.vmsd/descriptor?"
        )
    if b"\x00" in data:
        raise ValueError(
            f"{source}: contains NUL bytes, so it is binary (a disk extent, .nvram or .vmsn?), "
            f"not a text configuration file"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _ENCODING_LINE.search(data[:4096])
    if m:
        try:
            codec = _codec(m.group(1).decode("ascii"))
        except ValueError as err:
            line = data[:m.start()].count(b"\n") + 1
            raise ValueError(f"{source}, line {line}: {err}") from None
        try:
            return data.decode(codec)
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{source}: not valid {m.group(1).decode('ascii')} text (byte {err.start})"
            ) from None
    raise ValueError(f"{source}: not valid UTF-8 text and no .encoding line says otherwise")


def parse_dictfile(
    data: bytes | str, source: str = "<input>", max_bytes: int = MAX_BYTES
) -> DictFile:
    """Parse a .vmx / .vmsd / .vmtx file's content; `source` names it in error messages.

    Raises ValueError (with the line number) for a malformed line, binary content, or too much input.
    """
    if isinstance(data, bytes):
        text = decode_bytes(data, source, max_bytes)
    elif isinstance(data, str):
        if len(data) > max_bytes:
            raise ValueError(f"{source}: more than {max_bytes} characters; not a configuration file")
        if "\x00" in data:
            raise ValueError(f"{source}: contains NUL characters, so it is binary, not text")
        text = data.removeprefix("\ufeff")
    else:
        raise TypeError("parse_dictfile takes bytes or str")
    d = DictFile()
    raw_lines = text.split("\n")
    if len(raw_lines) > 1 and all(line.endswith("\r") for line in raw_lines[:-1]):
        d.newline = "\r\n"
    check_lines = _CONTROL.search(text.replace("\r\n", "\n")) is not None  # rare: find the line
    pending: list[str] = []
    for number, raw in enumerate(raw_lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        bad = check_lines and _CONTROL.search(line)
        if bad:
            raise ValueError(
                f"{source}, line {number}: control character {bad.group(0)!r}; binary data is not "
                f"a configuration file"
            )
        stripped = line.strip(_BLANK)
        if not stripped:
            continue
        if stripped.startswith("#"):
            if number == 1 and stripped.startswith("#!"):
                d.shebang = stripped
            else:
                pending.append(stripped)
            continue
        m = _LINE.match(stripped)
        if m:
            key, value = m.group(1), m.group(2)
            quoted = value is not None
            if not quoted:
                value = m.group(3)
        else:
            key, value, quoted = _parse_line(stripped, source, number)  # raises, saying why
        lower = key.lower()
        old = d._entries.get(lower)
        if old is not None:
            d.warnings.append(
                f"{source}, line {number}: '{key}' repeats line {old.line} ('{old.key}'); "
                f"the last value wins, as VMware reads it"
            )
            d._entries[lower] = Entry(old.key, value, number, quoted)
        else:
            d._entries[lower] = Entry(key, value, number, quoted)
        if pending:
            d._comments.setdefault(lower, []).extend(pending)
            pending = []
    d.trailing_comments = pending
    return d


def _parse_line(line: str, source: str, number: int) -> tuple[str, str, bool]:
    where = f"{source}, line {number}"
    if "=" not in line:
        raise ValueError(f'{where}: expected key = "value", got {line[:60]!r}')
    key, rest = line.split("=", 1)
    key = key.strip(_BLANK)
    rest = rest.strip(_BLANK)
    if not key:
        raise ValueError(f"{where}: nothing before '='; a line must start with a key")
    if _BAD_KEY.search(key):
        raise ValueError(f"{where}: key {key[:60]!r} contains a space or a quote")
    if rest.startswith('"'):
        end = rest.find('"', 1)
        if end < 0:
            raise ValueError(f"{where}: value for '{key}' has no closing quote")
        tail = rest[end + 1:].strip(_BLANK)
        if tail and not tail.startswith("#"):
            raise ValueError(f"{where}: unexpected text after the closing quote: {tail[:40]!r}")
        return key, rest[1:end], True
    if '"' in rest:
        raise ValueError(f"{where}: stray quote in the value of '{key}'")
    return key, rest, False  # legacy unquoted value (GSX / ESX 2)


def read_limited(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """At most `max_bytes` + 1 bytes of a regular file (a pipe or a device such as /dev/zero is
    refused before it is opened, so reading never blocks or runs forever).

    Raises ValueError naming the file for a non-regular file; OSError when it cannot be read.
    """
    p = Path(path)
    st = p.stat()
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or a device?)"
        raise ValueError(f"{p.name}: {what}, so not a configuration file")
    if st.st_size > max_bytes:
        raise ValueError(f"{p.name}: {st.st_size} bytes is more than the {max_bytes}-byte limit")
    with p.open("rb") as fh:
        return fh.read(max_bytes + 1)


def read_dictfile(path: str | Path, max_bytes: int = MAX_BYTES) -> DictFile:
    """Read and parse a file from disk (a regular file only; size checked before reading it)."""
    p = Path(path)
    return parse_dictfile(read_limited(p, max_bytes), source=p.name, max_bytes=max_bytes)


def write_dictfile(d: DictFile, path: str | Path) -> None:
    """Write `d` to `path` in its own encoding and line ends."""
    Path(path).write_bytes(d.to_bytes())


def decode_value(raw: str) -> str:
    """VMware's `|XX` escapes -> characters (`|22` is a quote, `|0A` a line feed)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


def encode_value(text: str) -> str:
    """Characters that cannot sit between quotes -> VMware's `|XX` escapes."""
    out = []
    for ch in text:
        if ch == "|" or ch == '"' or ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"|{ord(ch):02X}")
        else:
            out.append(ch)
    return "".join(out)
