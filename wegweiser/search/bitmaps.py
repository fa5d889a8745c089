"""Sets of document numbers as Python integers: bit n set = document n.

Intersections and counts of big integers run in C, so facet counts over every filter value
cost microseconds, not the milliseconds Python sets would.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator


def from_docnums(docnums: Iterable[int]) -> int:
    buffer = bytearray()
    for docnum in docnums:
        byte = docnum >> 3
        if byte >= len(buffer):
            buffer.extend(bytes(byte - len(buffer) + 64))
        buffer[byte] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def docnums(bitmap: int) -> Iterator[int]:
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    for byte_index, byte in enumerate(data):
        while byte:
            low = byte & -byte
            yield (byte_index << 3) + low.bit_length() - 1
            byte ^= low


def count(bitmap: int) -> int:
    return bitmap.bit_count()
