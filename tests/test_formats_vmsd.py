"""The .vmsd snapshot database: the documented time encoding, entries, round trip, bad values."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.formats import (
    SnapshotDatabase,
    SnapshotDisk,
    SnapshotEntry,
    decode_create_time,
    encode_create_time,
    parse_vmsd,
)

# Shaped like a real ESXi .vmsd (virtuallyhyper's vps.vmsd); a name with a space, as seen in real files.
VMSD = """.encoding = "UTF-8"
snapshot.lastUID = "4"
snapshot.current = "4"
snapshot0.uid = "1"
snapshot0.filename = "vps-Snapshot1.vmsn"
snapshot0.displayName = "before update"
snapshot0.createTimeHigh = "310596"
snapshot0.createTimeLow = "938781285"
snapshot0.numDisks = "1"
snapshot0.disk0.fileName = "my vm_0.vmdk"
snapshot0.disk0.node = "scsi0:0"
snapshot1.uid = "4"
snapshot1.parent = "1"
snapshot1.filename = "vps-Snapshot4.vmsn"
snapshot1.displayName = "after"
snapshot1.type = "1"
snapshot1.numDisks = "1"
snapshot1.disk0.fileName = "my vm_0-000001.vmdk"
snapshot1.disk0.node = "scsi0:0"
snapshot.numSnapshots = "2"
"""


def test_create_time_decodes_to_the_documented_date():
    # virtuallyhyper's vps.vmsd: 310596 / 938781285 -> 2012-04-09 19:43 UTC (the blog's ls timestamps)
    when = decode_create_time(310596, 938781285)
    assert (when.year, when.month, when.day, when.hour, when.minute) == (2012, 4, 9, 19, 43)


def test_create_time_low_is_written_signed_and_read_as_unsigned():
    when = datetime(2026, 1, 5, 9, 0, 0, 123000, tzinfo=UTC)
    high, low = encode_create_time(when)
    assert -(2**31) <= low < 2**31
    assert decode_create_time(high, low) == when


def test_entries_tree_and_disks():
    db = parse_vmsd(VMSD)
    assert (db.last_uid, db.current_uid) == (4, 4)
    first, second = db.entries
    assert first.uid == 1 and first.parent_uid is None and first.display_name == "before update"
    assert first.disks == [SnapshotDisk("scsi0:0", "my vm_0.vmdk")]
    assert second.parent_uid == 1 and second.create_time is None
    assert second.disks[0].filename == "my vm_0-000001.vmdk"


def test_round_trip_and_empty_file():
    db = parse_vmsd(VMSD)
    again = parse_vmsd(db.to_text())
    assert again == db
    assert parse_vmsd(b"") == SnapshotDatabase()
    empty = SnapshotDatabase(last_uid=7)
    assert parse_vmsd(empty.to_text()).last_uid == 7  # lastUID survives deleting every snapshot


def test_writer_names_parent_only_for_child_entries():
    db = SnapshotDatabase([SnapshotEntry(1, "a-Snapshot1.vmsn", "one", disks=[SnapshotDisk("scsi0:0", "a.vmdk")])],
                          last_uid=1, current_uid=1)
    text = db.to_text()
    assert "snapshot0.parent" not in text and 'snapshot0.disk0.fileName = "a.vmdk"' in text
    assert 'snapshot.numSnapshots = "1"' in text


@pytest.mark.parametrize("bad, message", [
    ('snapshot0.uid = "x"\n', "t.vmsd: snapshot0.uid must be a whole number, got 'x'"),
    ('snapshot0.filename = "a"\n', "t.vmsd: snapshot0 has no uid"),
    ('snapshot.lastUID = "many"\n', "t.vmsd: snapshot.lastUID must be a whole number"),
    ('snapshot0.uid = "1"\nsnapshot0.parent = "one"\n', "t.vmsd: snapshot0.parent must be"),
    ('snapshot0.uid = "1"\nsnapshot0.createTimeHigh = "99999999999"\nsnapshot0.createTimeLow = "0"\n',
     "t.vmsd: snapshot0 has an impossible create time"),
    ('snapshot0.uid = "1\n', "t.vmsd, line 1: value for 'snapshot0.uid' has no closing quote"),
])
def test_bad_values_raise_valueerror_naming_the_file_and_the_key(bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_vmsd(bad, source="t.vmsd")


# ---------------------------------------------------------------- fuzzing
# A generated snapshot database must read back equal; random keys and values either read back
# (and round-trip) or raise a ValueError naming the file and the key or entry at fault.

QUOTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters='"'),
                   max_size=16)
ENTRIES = st.builds(
    SnapshotEntry,
    uid=st.integers(0, 2**40),
    filename=QUOTABLE,
    display_name=QUOTABLE,
    create_time=st.none() | st.datetimes(datetime(1971, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)),
    parent_uid=st.none() | st.integers(0, 2**40),
    description=QUOTABLE,
    disks=st.lists(st.builds(SnapshotDisk, node=QUOTABLE, filename=QUOTABLE), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRIES, max_size=5), st.integers(0, 2**40), st.none() | st.integers(0, 2**40))
def test_fuzz_every_generated_database_reads_back_equal(entries, last_uid, current_uid):
    db = SnapshotDatabase(entries, last_uid=last_uid, current_uid=current_uid)
    text = db.to_text()
    assert parse_vmsd(text) == db
    assert parse_vmsd(text.encode("utf-8")) == db
    assert f'snapshot.numSnapshots = "{len(entries)}"' in text


KEYS = st.sampled_from(["snapshot.lastUID", "snapshot.current", "snapshot0.uid", "snapshot0.parent",
                        "snapshot0.createTimeHigh", "snapshot0.createTimeLow", "snapshot1.uid",
                        "snapshot0.disk0.fileName", "snapshot0.disk3.node", "snapshot12.displayName"])
VALUES = st.one_of(st.integers(-(2**70), 2**70).map(str), st.text(alphabet="0123456789x- ", max_size=8))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_fuzz_reads_back_or_names_the_key_at_fault(rows):
    text = "".join(f'{k} = "{v}"\n' for k, v in rows.items())
    try:
        db = parse_vmsd(text, source="f.vmsd")
    except ValueError as err:
        m = re.match(r"f\.vmsd: (snapshot(?:\d+|\.lastUID|\.current))(\.\w+)? ", str(err))
        assert m, str(err)
        named = m.group(1) + (m.group(2) or "")
        assert any(key == named or key.startswith(named + ".") for key in rows), str(err)
        return
    assert parse_vmsd(db.to_text()) == db
    assert [e.uid for e in db.entries] == [int(rows[k]) for k in ("snapshot0.uid", "snapshot1.uid")
                                           if k in rows]
