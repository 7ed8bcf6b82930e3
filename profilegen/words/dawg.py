"""Read-only lookups in a record DAWG (the dawgdic format of pymorphy3's words.dawg), mapped into memory.

The file is memory-mapped, not read: a lookup touches a few pages of the 7 MB dictionary, so opening it
costs nothing. The walk is the one DAWG-Python does (which pymorphy3 uses): a key's records are the
base64 completions that follow the key and a 0x01 separator.
"""

from __future__ import annotations

import mmap
import struct
import sys
from binascii import a2b_base64
from pathlib import Path

_MASK = 0xFFFFFFFF
_IS_LEAF = 1 << 31
_HAS_LEAF = 1 << 8
_EXTENSION = 1 << 9
_SEPARATOR = 1


class RecordDawg:
    """``word -> [records]`` where a record is a tuple unpacked with a struct format."""

    def __init__(self, path: Path, record_format: str) -> None:
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(self._map)
        size = int.from_bytes(view[:4], sys.byteorder)
        self._units = view[4 : 4 + 4 * size].cast("I")
        guide = 4 + 4 * size
        guide_size = int.from_bytes(view[guide : guide + 4], sys.byteorder)
        self._guide = view[guide + 4 : guide + 4 + 2 * guide_size]
        if len(self._units) != size or len(self._guide) != 2 * guide_size:
            raise ValueError(f"{path}: truncated DAWG file")
        self._record = struct.Struct(record_format)

    def _follow(self, label: int, index: int) -> int | None:
        base = self._units[index]
        target = (index ^ (((base >> 10) << ((base & _EXTENSION) >> 6)) & _MASK) ^ label) & _MASK
        if self._units[target] & (_IS_LEAF | 0xFF) != label:
            return None
        return target

    def _follow_bytes(self, data: bytes, index: int) -> int | None:
        for label in data:
            found = self._follow(label, index)
            if found is None:
                return None
            index = found
        return index

    def _push(self, label: int, key: bytearray, stack: list[int]) -> bool:
        step = self._follow(label, stack[-1])
        if step is None:
            return False
        key.append(label)
        stack.append(step)
        return True

    def _completions(self, index: int) -> list[bytes]:
        """Every key suffix stored below a node, in the guide's order."""
        found: list[bytes] = []
        key = bytearray()
        stack = [index]
        while True:
            while not self._units[stack[-1]] & _HAS_LEAF:  # down to the next key's end
                if not self._push(self._guide[stack[-1] * 2], key, stack):
                    return found
            found.append(bytes(key))
            child = self._guide[stack[-1] * 2]
            if child:  # the next key continues this one
                if not self._push(child, key, stack):
                    return found
                continue
            while True:  # else up to the nearest node with a next sibling
                sibling = self._guide[stack[-1] * 2 + 1]
                if key:
                    key.pop()
                stack.pop()
                if not stack:
                    return found
                if sibling:
                    if not self._push(sibling, key, stack):
                        return found
                    break

    def _records(self, index: int) -> list[tuple[int, ...]]:
        return [self._record.unpack(a2b_base64(b64)) for b64 in self._completions(index)]

    def similar_items(self, key: str, replaces: dict[str, str]) -> list[tuple[str, list[tuple[int, ...]]]]:
        """The records of the key and of its spellings with letters replaced (е → ё), key by key."""
        return self._similar("", key, 0, replaces)

    def _similar(
        self, prefix: str, key: str, index: int, replaces: dict[str, str]
    ) -> list[tuple[str, list[tuple[int, ...]]]]:
        found: list[tuple[str, list[tuple[int, ...]]]] = []
        start = position = len(prefix)
        while position < len(key):
            char = key[position]
            if char in replaces:
                for other in replaces[char]:
                    step = self._follow_bytes(other.encode("utf-8"), index)
                    if step:
                        found += self._similar(prefix + key[start:position] + other, key, step, replaces)
            step = self._follow_bytes(char.encode("utf-8"), index)
            if not step:
                return found
            index = step
            position += 1
        end = self._follow(_SEPARATOR, index)
        if end:
            found.insert(0, (prefix + key[start:], self._records(end)))
        return found
