"""A lazy mapping: each value made once, when first asked for; the keys, order and misses as a dict's."""

from __future__ import annotations

import pytest

from profilegen.org.lazy import Lazy


def test_values_are_made_once_when_first_asked_for() -> None:
    made: list[str] = []

    def make(key: str) -> int | None:
        made.append(key)
        return None if key == "b" else len(key)

    lazy = Lazy({"a": 0, "b": 0, "ccc": 0}, make)
    assert made == [] and len(lazy) == 3
    assert lazy.get("ccc") == 3 and lazy["ccc"] == 3 and made == ["ccc"]
    assert lazy.get("b", "default") is None and lazy.get("b") is None, "None is a value, not a miss"
    assert made == ["ccc", "b"]
    assert lazy.get("zz", "default") == "default" and "zz" not in lazy
    with pytest.raises(KeyError):
        lazy["zz"]
    assert list(lazy.items()) == [("a", 1), ("b", None), ("ccc", 3)]
    assert made == ["ccc", "b", "a"]
