"""VMDK text descriptors: the real corpus, the worked snapshot pair, writing, chains, fuzzing."""
from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.formats import (
    NO_PARENT,
    Extent,
    VmdkDescriptor,
    chain_problem,
    parse_descriptor,
    read_descriptor,
    validate_chain,
)
from vlab.formats.vmdk import ACCESS_MODES, EXTENT_TYPES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "vmdk"


def corpus(name: str = "*.vmdk") -> list[Path]:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the corpus at {CORPUS}")
        pytest.skip(f"corpus folder {CORPUS} is absent (shared/ beside the clone)")
    files = sorted(CORPUS.glob(name))
    assert files, f"no {name} in {CORPUS}"
    return files


def test_every_corpus_descriptor_parses_and_round_trips():
    for path in corpus():
        d = read_descriptor(path)
        assert d.extents and d.create_type, path.name
        again = parse_descriptor(d.to_text())
        assert again.to_text() == d.to_text()
        assert (again.cid, again.parent_cid, again.extents, again.ddb) == (d.cid, d.parent_cid, d.extents, d.ddb)


def test_worked_example_fields_match_the_technote_layout():
    base = read_descriptor(corpus("vmdk-rs__vmfs_thick.vmdk")[0])
    assert (base.version, base.cid, base.parent_cid) == (1, 0x0172E8A4, NO_PARENT)
    assert base.create_type == "vmfs" and base.encoding == "UTF-8"
    assert base.extents == [Extent("RW", 4096, "VMFS", "vmfs_thick-flat.vmdk", None)]
    assert base.capacity_bytes == 4096 * 512
    assert base.ddb["ddb.adapterType"] == "lsilogic"
    flat = read_descriptor(corpus("vmdk-forensic__mono_flat.vmdk")[0])
    assert flat.extents[0].offset == 0 and flat.extents[0].type == "FLAT"
    split = read_descriptor(corpus("vmdk-forensic__ms3-win.vmdk")[0])
    assert len(split.extents) == 16 and split.capacity_sectors == 15 * 8323072 + 983040


def test_the_corpus_snapshot_pair_validates_as_a_chain():
    base = read_descriptor(corpus("vmdk-rs__vmfs_thick.vmdk")[0])
    child = read_descriptor(corpus("vmdk-rs__vmfs_thick-000001.vmdk")[0])
    assert child.parent_filename_hint == "vmfs_thick.vmdk"
    assert child.create_type == "vmfsSparse" and child.extents[0].type == "VMFSSPARSE"
    validate_chain(child, base)
    with pytest.raises(ValueError, match="base disk"):
        validate_chain(base, child)  # the base has no parent


def test_a_changed_parent_cid_breaks_the_chain():
    base = read_descriptor(corpus("vmdk-rs__vmfs_thick.vmdk")[0])
    child = read_descriptor(corpus("vmdk-rs__vmfs_thick-000001.vmdk")[0])
    base.cid = 0x12345678
    assert "does not match" in chain_problem(child, base)
    with pytest.raises(ValueError, match="parentCID=0172e8a4"):
        validate_chain(child, base)


def test_writer_output_is_what_esxi_writes():
    d = VmdkDescriptor(
        create_type="vmfsSparse",
        extents=[Extent("RW", 8192, "VMFSSPARSE", "web-000001-delta.vmdk")],
        cid=0xABC,
        parent_cid=0x0172E8A4,
        parent_filename_hint="web.vmdk",
        change_track_path="web-000001-ctk.vmdk",
        version=3,
        ddb={"ddb.longContentID": "0" * 24 + "00000abc"},
    )
    text = d.to_text()
    lines = text.splitlines()
    assert lines[0] == "# Disk DescriptorFile"
    assert "CID=00000abc" in lines and "parentCID=0172e8a4" in lines
    assert lines.index('createType="vmfsSparse"') < lines.index('parentFileNameHint="web.vmdk"')
    assert 'RW 8192 VMFSSPARSE "web-000001-delta.vmdk"' in lines
    assert 'changeTrackPath="web-000001-ctk.vmdk"' in lines
    again = parse_descriptor(text)
    assert again == d


def test_embedded_descriptor_of_a_hosted_sparse_file():
    desc = b'# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicSparse"\nRW 2048 SPARSE "x.vmdk"\n'
    header = b"KDMV" + struct.pack("<IIQQQQ", 1, 3, 2048, 128, 1, 1)
    data = header.ljust(512, b"\x00") + desc.ljust(512, b"\x00")
    d = parse_descriptor(data)
    assert d.create_type == "monolithicSparse" and d.capacity_sectors == 2048


@pytest.mark.parametrize(
    "text, words",
    [
        ('version=1\nCID=zz\ncreateType="vmfs"\nRW 1 VMFS "a"\n', ["line 2", "hex"]),
        ('version=1\nCID=1\ncreateType="vmfs"\nRW 1 BOGUS "a"\n', ["line 4", "extent type"]),
        ('version=1\nCID=1\ncreateType="vmfs"\nRW 1 VMFS\n', ["line 4", "file name"]),
        ('CID=1\ncreateType="vmfs"\n', ["no extent"]),
        ('CID=1\nRW 1 VMFS "a"\n', ["createType"]),
        ('CID=1\ncreateType="vmfs\nRW 1 VMFS "a"\n', ["line 2", "quoted"]),
        ('CID=1\ncreateType="vmfs"\nthis is junk\n', ["line 3", "expected"]),
    ],
)
def test_malformed_descriptors_say_which_line(text, words):
    with pytest.raises(ValueError) as err:
        parse_descriptor(text, source="d.vmdk")
    assert "d.vmdk" in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_binary_extents_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="COWD"):
        parse_descriptor(b"COWD\x01\x00\x00\x00")
    with pytest.raises(ValueError, match="NUL"):
        parse_descriptor(b"\x00" * 64)


# ---------------------------------------------------------------- fuzzing
# Any well-formed descriptor must parse back to itself; a bad line anywhere must be refused naming
# that line; any other input either parses (and then round-trips) or raises a ValueError that names
# the source and, for a line-level problem, a line that exists. Only ValueError may escape.

QUOTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='"'),
                   max_size=16)
DDB_KEY = st.from_regex(r"ddb\.[A-Za-z][A-Za-z0-9_.:-]{0,12}", fullmatch=True)


@st.composite
def extents(draw) -> Extent:
    etype = draw(st.sampled_from(EXTENT_TYPES))
    filename = draw(st.none() | QUOTABLE) if etype == "ZERO" else draw(QUOTABLE)
    offset = draw(st.none() | st.integers(0, 2**40)) if filename is not None else None
    return Extent(draw(st.sampled_from(ACCESS_MODES)), draw(st.integers(0, 2**40)), etype,
                  filename, offset)


DESCRIPTORS = st.builds(
    VmdkDescriptor,
    create_type=st.sampled_from(["vmfs", "vmfsSparse", "seSparse", "monolithicFlat"]) | QUOTABLE,
    extents=st.lists(extents(), min_size=1, max_size=4),
    cid=st.integers(0, NO_PARENT),
    parent_cid=st.integers(0, NO_PARENT),
    version=st.integers(0, 999),
    encoding=st.none() | QUOTABLE,
    parent_filename_hint=st.none() | QUOTABLE,
    is_native_snapshot=st.none() | st.sampled_from(["no", "yes"]),
    change_track_path=st.none() | QUOTABLE,
    ddb=st.lists(st.tuples(DDB_KEY, QUOTABLE), max_size=5, unique_by=lambda kv: kv[0].lower()).map(dict),
)

# (line, words its error must contain): each is wrong wherever it stands in a descriptor
BAD_LINES = [
    ("this is junk", "expected key=value"),
    ('RW 1 BOGUS "a"', "unknown extent type"),
    ("RW 8 VMFS", "needs a quoted file name"),
    ("CID=zz", "hex digits"),
    ("parentCID=123456789", "hex digits"),
    ('createType="vmfs', "badly quoted"),
    ('ddb.uuid = 60"00', "stray quote"),
    ("version=one", "version must be"),
    ("RW 8 ZERO \x07", "control character"),
]
WHOLE_FILE_REASONS = ("no createType line", "no CID line", "no extent lines", "contains NUL")
BINARY_REASONS = ("not valid UTF-8 text", "not a hosted sparse extent",
                  "embedded descriptor", "(COWD), not a descriptor")


def assert_clear_refusal(err: ValueError, source: str, n_lines: int,
                         reasons: tuple[str, ...] = WHOLE_FILE_REASONS) -> None:
    """The message names the source, then either a line that exists or a whole-file reason."""
    m = re.match(rf"{re.escape(source)}(?:, line (\d+))?: \S", str(err))
    assert m, str(err)
    if m.group(1):
        assert 1 <= int(m.group(1)) <= n_lines, str(err)
    else:
        assert any(reason in str(err) for reason in reasons), str(err)


@settings(max_examples=300, deadline=None)
@given(DESCRIPTORS)
def test_fuzz_every_well_formed_descriptor_parses_back_to_itself(d):
    text = d.to_text()
    assert parse_descriptor(text) == d
    assert parse_descriptor(text.encode("utf-8"), source="d.vmdk") == d
    assert parse_descriptor(text.replace("\n", "\r\n")) == d  # CRLF line ends read the same


@settings(max_examples=300, deadline=None)
@given(DESCRIPTORS, st.sampled_from(BAD_LINES), st.data())
def test_fuzz_a_bad_line_anywhere_is_refused_naming_that_line(d, bad, data):
    line, words = bad
    lines = d.to_text().split("\n")
    at = data.draw(st.integers(0, len(lines)), label="insert at")
    lines.insert(at, line)
    with pytest.raises(ValueError) as err:
        parse_descriptor("\n".join(lines), source="d.vmdk")
    assert str(err.value).startswith(f"d.vmdk, line {at + 1}: ") and words in str(err.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | DESCRIPTORS.map(lambda d: d.to_text().encode()).flatmap(
    lambda b: st.tuples(st.integers(0, len(b) - 1), st.integers(0, 255)).map(
        lambda at: b[: at[0]] + bytes([at[1]]) + b[at[0] + 1:])))
def test_fuzz_bytes_parse_and_round_trip_or_are_refused_clearly(data):
    """Random bytes, and well-formed descriptors with one byte changed."""
    try:
        d = parse_descriptor(data, source="fuzz.vmdk")
    except ValueError as err:
        assert_clear_refusal(err, "fuzz.vmdk", data.count(b"\n") + 1,
                             WHOLE_FILE_REASONS + BINARY_REASONS)
        return
    assert parse_descriptor(d.to_text()).to_text() == d.to_text()


DESC_LINE = st.one_of(
    st.sampled_from([
        "# Disk DescriptorFile", "version=1", 'createType="vmfs"', "CID=0172e8a4", "parentCID=ffffffff",
        'RW 4096 VMFS "a-flat.vmdk"', 'RDONLY 8 FLAT "b" 0', "RW 8 ZERO", 'ddb.uuid = "60 00"',
        'parentFileNameHint="p.vmdk"', "", "#DDB",
    ]),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(DESC_LINE, max_size=12))
def test_fuzz_text_round_trips_or_raises_valueerror_naming_the_line(lines):
    text = "\n".join(lines)
    try:
        d = parse_descriptor(text, source="fuzz.vmdk")
    except ValueError as err:
        assert_clear_refusal(err, "fuzz.vmdk", text.count("\n") + 1)
        return
    again = parse_descriptor(d.to_text())
    assert again.to_text() == d.to_text()
    assert (again.cid, again.extents, again.ddb) == (d.cid, d.extents, d.ddb)


def test_new_delta_extents_are_header_plus_grain_directory():
    from vlab.formats.vmdk import cowd_header, delta_metadata_bytes, sesparse_header

    ten_gib = 10 * 1024**3 // 512
    # COWD: 4 header sectors + one 4-byte directory entry per 4096 one-sector grains
    assert delta_metadata_bytes(ten_gib, "vmfsSparse") == 2048 + ten_gib // 4096 * 4
    # SEsparse: 8 header sectors + one 8-byte entry per grain table (4096 grains of 4 KB = 16 MiB)
    assert delta_metadata_bytes(ten_gib, "seSparse") == 8 * 512 + 640 * 8
    for sectors in (1, 4096, ten_gib, 2 * 1024**4 // 512 - 1):
        assert len(cowd_header(sectors)) <= delta_metadata_bytes(sectors, "vmfsSparse")
        assert len(sesparse_header(sectors)) <= delta_metadata_bytes(sectors, "seSparse")
    with pytest.raises(ValueError, match="2 TB"):
        cowd_header(2 * 1024**4 // 512)
    assert cowd_header(8).startswith(b"COWD") and sesparse_header(8)[:8] == (0xCAFEBABE).to_bytes(8, "little")
    with pytest.raises(ValueError, match="delta format"):
        delta_metadata_bytes(8, "vmfs")
