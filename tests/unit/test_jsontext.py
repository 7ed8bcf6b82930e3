"""The JSON text profilegen writes: the standard library's indented form, byte for byte, and back."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from profilegen.jsontext import compact, pretty, pretty_chunks, sorted_text

_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20
)


@given(_VALUES)
def test_pretty_is_what_json_dumps_indent_2_gives(value: Any) -> None:
    assert pretty(value) == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@given(st.recursive(_SCALARS | st.floats(allow_nan=False, allow_infinity=False), lambda i: st.lists(i, max_size=4)))
def test_floats_and_compact_lines_read_back_unchanged(value: Any) -> None:
    assert json.loads(pretty(value)) == value
    line = compact(value)
    assert b"\n" not in line and json.loads(line) == value


@given(_VALUES | st.dictionaries(st.integers(), st.text(), max_size=3) | st.integers(2**64, 2**80))
def test_a_journal_record_reads_back_as_the_standard_library_wrote_it(value: Any) -> None:
    """`sorted_text` (the journal's records): orjson's, the standard library's for what orjson refuses (keys that
    are not text, integers beyond 64 bits) — read back, the same value either way, its keys sorted."""
    line = sorted_text(value)
    assert "\n" not in line
    assert json.loads(line) == json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def test_a_journal_record_is_one_sorted_line() -> None:
    assert sorted_text({"b": 1, "a": ["ж", 1.5, None]}) == '{"a":["ж",1.5,null],"b":1}'
    assert sorted_text({2: "x", 1: "y"}) == '{"1": "y", "2": "x"}'  # refused by orjson: the standard library's
    assert sorted_text({"cost": float("nan")}) == '{"cost":null}'  # what a reader (SQLite's `json_extract`) reads


def test_cyrillic_is_written_as_is() -> None:
    assert pretty({"должность": "Аналитик"}) == '{\n  "должность": "Аналитик"\n}\n'.encode()


@given(st.dictionaries(st.text(), _VALUES, max_size=4))
def test_an_object_written_in_pieces_is_its_pretty_form(value: dict[str, Any]) -> None:
    """A list value given as an iterator is written item by item, and the bytes are pretty()'s."""
    streamed = {k: iter(v) if isinstance(v, list) else v for k, v in value.items()}
    assert b"".join(pretty_chunks(streamed)) == pretty(value)


@given(_VALUES)
def test_long_lists_anywhere_are_written_in_pieces_and_still_as_pretty_form(value: Any) -> None:
    """Lists longer than the streaming limit, at any depth, are written item by item: same bytes."""
    wrapped = {"summary": {"groups": [value, {"positions": [value] * 3}]}}
    assert b"".join(pretty_chunks(wrapped, long=2)) == pretty(wrapped)


def test_a_summary_holding_100_000_names_is_never_one_piece() -> None:
    """`check --json`'s summary lists every near-duplicate position: written a name at a time, not as one text."""
    names = [f"Блок {n} / Отдел — Специалист" for n in range(20_000)]
    value = {"findings": iter([{"rule": "near_duplicate"}]), "summary": {"groups": [{"positions": names}], "n": 1}}
    pieces = list(pretty_chunks(value))
    assert b"".join(pieces) == pretty({**value, "findings": [{"rule": "near_duplicate"}]})
    assert max(map(len, pieces)) < 10_000


@given(
    st.recursive(
        _SCALARS | st.floats() | st.integers() | st.text(alphabet=st.characters(codec=None)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    ),
    st.sampled_from(["", "\ufeff", " \r\n"]),
)
@example(-(2**63) - 1, "")  # beyond 64 bits orjson gives a float: found by this test in CI
@example(2**64, "")
@example([2**200, "x" * 19 + "1" * 19, float("inf")], "")
def test_a_profile_file_reads_as_the_standard_library_reads_it(value: Any, lead: str) -> None:
    """Profiles are parsed by orjson from bytes; what it refuses (NaN, huge integers, lone surrogates, a BOM)
    is read, or refused with the same message, as the standard library does."""
    import tempfile
    from pathlib import Path

    from profilegen.export.documents import UnreadableProfile, read_profile

    text = lead + json.dumps({"profile": {"value": value}}, ensure_ascii=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Аналитик.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            expected: Any = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            expected = type(exc).__name__
        try:
            got: Any = read_profile(path)
        except UnreadableProfile as exc:
            got = "UnicodeDecodeError" if "codec" in str(exc) else "JSONDecodeError"
    assert repr(got) == repr(expected)  # NaN as NaN


@given(st.binary() | st.text(alphabet="0123456789٣ -.e").map(lambda t: t.encode("utf-8")))
@example(b"1" * 19)
@example(b"x" + b"9" * 18 + b"y" + b"9")
def test_a_long_number_is_found_as_the_regex_finds_it(raw: bytes) -> None:
    import re

    from profilegen.export.documents import has_long_number

    assert has_long_number(raw) == bool(re.search(rb"\d{19}", raw))
