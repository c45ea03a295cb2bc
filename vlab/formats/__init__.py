"""Real ESX file formats, read and written: the `key = "value"` dictionary files (.vmx, .vmtx, .vmsd)
and the VMDK text descriptor. Parsers take untrusted input and raise ValueError with a line number."""
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

__all__ = [
    "MAX_BYTES",
    "NO_PARENT",
    "SECTOR_BYTES",
    "DictFile",
    "Extent",
    "VmdkDescriptor",
    "chain_problem",
    "decode_value",
    "encode_value",
    "parse_descriptor",
    "parse_dictfile",
    "read_descriptor",
    "read_dictfile",
    "validate_chain",
    "write_descriptor",
    "write_dictfile",
]
