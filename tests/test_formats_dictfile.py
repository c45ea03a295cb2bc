"""The .vmx / .vmsd dictionary format: real files, the syntax corners, untrusted input, fuzzing."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.formats import DictFile, decode_value, encode_value, parse_dictfile, read_dictfile

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_files(sub: str, pattern: str) -> list[Path]:
    folder = CORPUS / sub
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the corpus at {folder}")
        pytest.skip(f"corpus folder {folder} is absent (shared/ beside the clone)")
    files = sorted(folder.glob(pattern))
    assert files, f"no {pattern} files in {folder}"
    return files


def test_every_corpus_vmx_parses_and_round_trips():
    for path in corpus_files("vmx", "*.vmx"):
        d = read_dictfile(path)
        assert d.get("config.version") == "8", path.name
        assert d.get_int("virtualHW.version") is not None, path.name
        again = parse_dictfile(d.to_text())
        assert again == d, path.name
        assert len(again) == len(d) > 50


def test_corpus_crlf_file_keeps_its_line_ends():
    (path,) = [p for p in corpus_files("vmx", "*.vmx") if p.name.endswith("vmx-5.vmx")]
    assert b"\r\n" in path.read_bytes()
    d = read_dictfile(path)
    assert d.newline == "\r\n" and len(d) > 50
    assert d.to_bytes().count(b"\r\n") == d.to_text().count("\n")
    assert all(not v.endswith("\r") for _, v in d.items())


def test_keys_are_case_insensitive_and_keep_their_spelling():
    d = parse_dictfile('memSize = "2048"\nscsi0:0.fileName = "a.vmdk"\n')
    assert d["memsize"] == d["MEMSIZE"] == "2048"
    assert "SCSI0:0.FILENAME" in d
    assert list(d) == ["memSize", "scsi0:0.fileName"]
    d["MEMSIZE"] = "4096"
    assert 'memSize = "4096"' in d.to_text()


def test_duplicate_key_last_wins_with_a_warning_naming_both_lines():
    d = parse_dictfile('memsize = "1024"\nnumvcpus = "1"\nmemSize = "2048"\n', source="x.vmx")
    assert d["memsize"] == "2048"
    assert len(d.warnings) == 1
    assert "line 3" in d.warnings[0] and "line 1" in d.warnings[0] and "last value wins" in d.warnings[0]


def test_shebang_encoding_comments_and_legacy_unquoted_values():
    text = (
        "#!/usr/bin/vmware\n"
        "# a legacy GSX file\n"
        "config.version = 4\n"
        "floppy0.present = TRUE\n"
        '.encoding = "windows-1252"\n'
        'displayName = "my vm"   # trailing comment\n'
    )
    d = parse_dictfile(text)
    assert d.shebang == "#!/usr/bin/vmware"
    assert d["config.version"] == "4" and d.entry("config.version").quoted is False
    assert d.get_bool("floppy0.present") is True
    assert d["displayName"] == "my vm"
    assert d.encoding == "windows-1252"
    out = d.to_text().splitlines()
    assert out[0] == "#!/usr/bin/vmware"
    assert out[1] == '.encoding = "windows-1252"'  # dot-keys first, as VMware writes them
    assert 'config.version = "4"' in out and "# a legacy GSX file" in out
    assert parse_dictfile(d.to_text()) == d


def test_non_utf8_file_is_decoded_with_its_declared_encoding():
    data = '.encoding = "GBK"\ndisplayName = "虚拟机"\n'.encode("gbk")
    d = parse_dictfile(data)
    assert d["displayName"] == "虚拟机"
    assert d.to_bytes() == data


@pytest.mark.parametrize(
    "text, words",
    [
        ('memsize = "1024"\nthis is not a setting\n', ["line 2", "key"]),
        ('memsize = "1024\n', ["line 1", "closing quote"]),
        ('memsize = "1" x\n', ["line 1", "after the closing quote"]),
        (' = "1"\n', ["line 1", "key"]),
        ('my key = "1"\n', ["line 1", "space"]),
        ('a = b"c\n', ["line 1", "quote"]),
    ],
)
def test_malformed_lines_raise_valueerror_with_the_line_number(text, words):
    with pytest.raises(ValueError) as err:
        parse_dictfile(text, source="bad.vmx")
    message = str(err.value)
    assert "bad.vmx" in message
    for word in words:
        assert word in message


def test_binary_and_oversized_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="NUL"):
        parse_dictfile(b"KDMV\x01\x00\x00\x00")
    with pytest.raises(ValueError, match="control character"):
        parse_dictfile(b'a = "1"\n\x1b[2J\n')
    with pytest.raises(ValueError, match="limit"):
        parse_dictfile(b"a = 1\n" * 200_000)
    with pytest.raises(ValueError, match="UTF-8"):
        parse_dictfile(b'a = "\xff\xfe"\n')


def test_setting_a_value_with_a_quote_needs_vmware_escaping():
    d = DictFile()
    with pytest.raises(ValueError, match="encode_value"):
        d["annotation"] = 'say "hi"'
    d["annotation"] = encode_value('say "hi"\nbye | ok')
    assert d["annotation"] == "say |22hi|22|0Abye |7C ok"
    assert decode_value(parse_dictfile(d.to_text())["annotation"]) == 'say "hi"\nbye | ok'


def test_delete_and_membership():
    d = DictFile({"a": "1", "B": "2"})
    del d["b"]
    assert "B" not in d and len(d) == 1
    with pytest.raises(KeyError):
        d["missing"]


# ---------------------------------------------------------------- fuzzing
# A generated well-formed file must give exactly the entries the test wrote (last value wins for a
# key repeated in any case, the first spelling kept, one warning per repeat naming its line); a bad
# line anywhere must be refused naming that line; any other input parses and round-trips or raises
# a ValueError naming the source. Only ValueError may escape.

KEY = st.from_regex(r"[A-Za-z.][A-Za-z0-9_.:*-]{0,12}", fullmatch=True).filter(
    lambda k: k.lower() != ".encoding")
RAW_VALUE = st.text(st.characters(blacklist_characters='"', blacklist_categories=("Cc", "Cs")),
                    max_size=20)
BLANK = st.sampled_from(["", " ", "\t", "  "])


@st.composite
def setting_lines(draw, earlier: list[str]) -> tuple[str, str, str]:
    """(line as written, key, value the parser must return); now and then a key used before."""
    key = draw(st.sampled_from(earlier)) if earlier and draw(st.integers(0, 3)) == 0 else draw(KEY)
    key = "".join(c.upper() if draw(st.booleans()) else c for c in key)  # any spelling
    if draw(st.booleans()):  # VMware's own form, maybe with a comment after the value
        value = draw(RAW_VALUE)
        tail = draw(st.sampled_from(["", "  # note", "#x"]))
        line = f'{draw(BLANK)}{key}{draw(BLANK)}={draw(BLANK)}"{value}"{tail}{draw(BLANK)}'
    else:  # legacy unquoted value (GSX / ESX 2): no quotes, outer blanks not part of it
        value = draw(RAW_VALUE).strip(" \t")
        line = f"{draw(BLANK)}{key}{draw(BLANK)}={draw(BLANK)}{value}{draw(BLANK)}"
    return line, key, value


OTHER_LINES = st.sampled_from(["", "# a comment", "   # indented comment", "\t"])


@st.composite
def documents(draw):
    """(text, expected {lower key: (first spelling, last value)}, repeat line numbers)."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = ["#!/usr/bin/vmware"] if draw(st.booleans()) else []
    expected: dict[str, tuple[str, str]] = {}
    repeats: list[int] = []
    for _ in range(draw(st.integers(0, 10))):
        if draw(st.booleans()):
            lines.append(draw(OTHER_LINES))
        line, key, value = draw(setting_lines([k for k, _ in expected.values()]))
        lines.append(line)
        if key.lower() in expected:
            repeats.append(len(lines))
        expected[key.lower()] = (expected.get(key.lower(), (key, ""))[0], value)
    return newline.join(lines) + newline, expected, repeats


@settings(max_examples=300, deadline=None)
@given(documents())
def test_fuzz_well_formed_files_give_exactly_the_written_entries(doc):
    text, expected, repeats = doc
    d = parse_dictfile(text, source="gen.vmx")
    assert {k.lower(): (k, v) for k, v in d.items()} == expected
    assert [int(re.search(r"line (\d+)", w).group(1)) for w in d.warnings] == repeats
    assert all(w.startswith("gen.vmx, line ") for w in d.warnings)
    assert parse_dictfile(text.encode("utf-8"), source="gen.vmx") == d
    again = parse_dictfile(d.to_text())
    assert again == d and again.to_text() == d.to_text()
    if len(d):
        assert again.newline == d.newline == ("\r\n" if "\r\n" in text else "\n")
    assert all(again.entry(k).quoted for k in again)  # written back quoted, as VMware does


# (line, words its error must contain): each is wrong wherever it stands in a file
BAD_LINES = [
    ("this is not a setting", "expected key"),
    ('memsize = "1024', "no closing quote"),
    ('memsize = "1" x', "after the closing quote"),
    (' = "1"', "nothing before '='"),
    ('my key = "1"', "contains a space or a quote"),
    ('a = b"c', "stray quote"),
    ('a = "\x1b[2J"', "control character"),
]


@settings(max_examples=300, deadline=None)
@given(documents(), st.sampled_from(BAD_LINES), st.data())
def test_fuzz_a_bad_line_anywhere_is_refused_naming_that_line(doc, bad, data):
    text, _, _ = doc
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    at = data.draw(st.integers(0, len(lines)), label="insert at")
    lines.insert(at, bad[0])
    with pytest.raises(ValueError) as err:
        parse_dictfile(newline.join(lines), source="bad.vmx")
    assert str(err.value).startswith(f"bad.vmx, line {at + 1}: ") and bad[1] in str(err.value)


def assert_clear_refusal(err: ValueError, source: str, n_lines: int) -> None:
    """The message names the source, then either a line that exists or a whole-file reason."""
    m = re.match(rf"{re.escape(source)}(?:, line (\d+))?: (.+)", str(err), re.S)
    assert m, str(err)
    if m.group(1):
        assert 1 <= int(m.group(1)) <= n_lines, str(err)
    else:
        assert any(reason in m.group(2) for reason in ("contains NUL", "not valid", "-byte limit",
                                                      "characters; not a configuration")), str(err)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_bytes_parse_and_round_trip_or_are_refused_clearly(data):
    try:
        d = parse_dictfile(data, source="fuzz.vmx")
    except ValueError as err:
        assert_clear_refusal(err, "fuzz.vmx", data.count(b"\n") + 1)
        return
    assert parse_dictfile(d.to_text()) == d


LINE = st.one_of(
    st.builds(lambda k, v: f'{k} = "{v}"', st.from_regex(r"[A-Za-z.][A-Za-z0-9_.:*]{0,12}", fullmatch=True),
              st.text(alphabet=st.characters(blacklist_characters='"\n\r', blacklist_categories=("Cc", "Cs")),
                      max_size=20)),
    st.text(max_size=30),
    st.just("#!/usr/bin/vmware"),
    st.just("# comment"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_fuzz_text_round_trips_or_raises_valueerror_naming_the_line(lines, newline):
    text = newline.join(lines)
    try:
        d = parse_dictfile(text, source="fuzz.vmx")
    except ValueError as err:
        assert_clear_refusal(err, "fuzz.vmx", text.count("\n") + 1)
        return
    again = parse_dictfile(d.to_text())
    assert again == d
    assert again.to_text() == d.to_text()


def test_an_unknown_encoding_is_refused_naming_the_file_and_line():
    with pytest.raises(ValueError, match=r"^k\.vmx, line 2: \.encoding 'klingon' is not an encoding"):
        parse_dictfile(b'config.version = "8"\n.encoding = "klingon"\nx = "\xff"\n', source="k.vmx")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=' \t="#ab.:|x', max_size=16))
def test_fast_line_match_agrees_with_the_explaining_parser(line):
    from vlab.formats.dictfile import _LINE, _parse_line

    stripped = line.strip(" \t")
    if not stripped or stripped.startswith("#"):
        return
    m = _LINE.match(stripped)
    try:
        slow = _parse_line(stripped, "x", 1)
    except ValueError:
        assert m is None, stripped
        return
    assert m is not None, stripped
    fast = (m.group(1), m.group(2) if m.group(2) is not None else m.group(3), m.group(2) is not None)
    assert fast == slow
