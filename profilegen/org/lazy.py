"""A mapping whose values are worked out when first asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")
_UNSET: Any = object()


class Lazy(Mapping[Key, Value]):
    """The keys of ``keys``, each value ``make(key)`` the first time it is asked for and kept: a run over one
    department asks about a few units of an organisation of 30,000 (choosing every unit's head up front took
    a second at 100,000 positions); iterating asks for all, in ``keys``' order."""

    def __init__(self, keys: Mapping[Key, Any], make: Callable[[Key], Value]) -> None:
        self._keys = keys
        self._make = make
        self._found: dict[Key, Value] = {}

    def __getitem__(self, key: Key) -> Value:
        found = self._found.get(key, _UNSET)
        if found is _UNSET:
            if key not in self._keys:
                raise KeyError(key)
            found = self._found[key] = self._make(key)
        return found  # type: ignore[no-any-return]

    def get(self, key: Key, default: Any = None) -> Any:  # as dict.get, without Mapping's try/except per call
        found = self._found.get(key, _UNSET)
        if found is not _UNSET:
            return found
        return self[key] if key in self._keys else default

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
