"""The profile files `check` looks for: a position's own and its personal ones, and their stamps."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from profilegen.checking.cache import Stamp, file_stamp
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import Listing, format_name
from profilegen.org.model import Position


def profiles_of(layout: OutputLayout, listing: Listing, position: Position) -> list[tuple[str, str | None]]:
    """The position's profile file and its personal profiles, with their employee (None for the position's);
    paths as text (a `Path` made for each took most of a check that read no profile)."""
    folder = layout.checked_folder(position.unit_path)
    stem = layout.file_stem(position.unit_path, position.title)
    found: list[tuple[str, str | None]] = [(os.path.join(folder, format_name(stem, "json")), None)]
    for name in listing.personal_names(folder, stem, stems_of(layout, position.unit_path)):
        found.append((os.path.join(folder, name), name[len(stem) + 2 : -len(").json")]))
    return found


def with_stamps(
    layout: OutputLayout, listing: Listing, stamps: bool, chosen: Sequence[Position]
) -> Iterator[list[tuple[str, str | None, Stamp | None]]]:
    """Each position's files (`profiles_of`) with their stamps when ``stamps``: plain rows, cheap to send back."""
    for position in chosen:
        found = profiles_of(layout, listing, position)
        yield [(path, name, file_stamp(path) if stamps else None) for path, name in found]


def stems_of(layout: OutputLayout, unit_path: tuple[str, ...]) -> Iterator[str]:
    """The unit's file stems, worked out only if asked for (only a folder with personal files asks)."""
    yield from layout.file_stems(unit_path)
