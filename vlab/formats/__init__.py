"""Real ESX file formats, read and written: the `key = "value"` dictionary files (.vmx, .vmtx, .vmsd),
the .vmsd snapshot database on top of them, and the VMDK text descriptor.
Parsers take untrusted input and raise ValueError with a line number."""
from vlab.formats.dictfile import (
    MAX_BYTES,
    DictFile,
    decode_value,
    encode_value,
    parse_dictfile,
    read_dictfile,
    write_dictfile,
)
from vlab.formats.vmdk import (
    NO_PARENT,
    SECTOR_BYTES,
    Extent,
    VmdkDescriptor,
    chain_problem,
    parse_descriptor,
    read_descriptor,
    validate_chain,
    write_descriptor,
)
from vlab.formats.vmsd import (
    SnapshotDatabase,
    SnapshotDisk,
    SnapshotEntry,
    decode_create_time,
    encode_create_time,
    parse_vmsd,
)

__all__ = [
    "MAX_BYTES",
    "NO_PARENT",
    "SECTOR_BYTES",
    "DictFile",
    "SnapshotDatabase",
    "SnapshotDisk",
    "SnapshotEntry",
    "Extent",
    "VmdkDescriptor",
    "chain_problem",
    "decode_create_time",
    "decode_value",
    "encode_create_time",
    "encode_value",
    "parse_descriptor",
    "parse_dictfile",
    "parse_vmsd",
    "read_descriptor",
    "read_dictfile",
    "validate_chain",
    "write_descriptor",
    "write_dictfile",
]
