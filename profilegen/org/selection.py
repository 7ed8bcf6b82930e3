"""Resolve what a user typed (name, path, trailing part of a path) to units and positions."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence

from profilegen.errors import SelectionError
from profilegen.org.model import OrgStructure, Position, UnitPath, format_path
from profilegen.text import normalize

MAX_LISTED = 10
_SEPARATOR = re.compile(r"\s*/\s*")


def split_query(query: str) -> tuple[str, ...]:
    """Split a typed path on '/' (with or without spaces around it)."""
    return tuple(normalize(p) for p in _SEPARATOR.split(query.strip()) if p.strip())


class UnitIndex:
    """Normalised lookup over unit paths: exact path, unique trailing part, or unique name."""

    def __init__(self, org: OrgStructure) -> None:
        self.org = org
        self._paths: dict[tuple[str, ...], UnitPath] = {tuple(normalize(p) for p in path): path for path in org.units}
        self._choices: list[str] | None = None
        self._choice_paths: list[UnitPath] = []

    def resolve(self, query: str) -> UnitPath:
        """The one unit the query names, or a SelectionError that says what was meant."""
        whole = normalize(query)
        parts = split_query(query)
        # A name may itself contain '/', so the whole string is tried as one name too.
        for wanted in dict.fromkeys([parts, (whole,)]):
            if not wanted:
                continue
            exact = self._paths.get(wanted)
            if exact is not None:
                return exact
            matches = [path for key, path in self._paths.items() if key[-len(wanted) :] == wanted]
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise SelectionError(_ambiguous(query, matches))
        # "Коммерческий департамент / Отдел продаж": the unit plus some of its ancestors, in order.
        if len(parts) > 1:
            matches = [path for key, path in self._paths.items() if _ends_with_subsequence(key, parts)]
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise SelectionError(_ambiguous(query, matches))
        raise SelectionError(self._not_found(query))

    def _not_found(self, query: str) -> str:
        suggestions = self.suggest(query)
        if suggestions:
            return f"Department '{query}' not found. Did you mean: {', '.join(suggestions)}?"
        tops = ", ".join(u.name for u in self.org.roots[:MAX_LISTED])
        return f"Department '{query}' not found. Top-level units: {tops}"

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` close names (full paths where a name repeats), best first."""
        from rapidfuzz import fuzz, process

        if self._choices is None:
            name_count: dict[str, int] = {}
            for path in self.org.units:
                name_count[normalize(path[-1])] = name_count.get(normalize(path[-1]), 0) + 1
            self._choices = []
            for path in self.org.units:
                self._choices.append(normalize(path[-1]))
                self._choice_paths.append(path)
            self._repeated = {n for n, c in name_count.items() if c > 1}
            self._joined = "\n".join(self._choices)
            self._starts = list(itertools.accumulate((len(c) + 1 for c in self._choices[:-1]), initial=0))
        wanted = normalize(query)
        # A fast first pass (QRatio, plus names that contain the query) picks a small pool that
        # the slower, partial-aware WRatio then ranks: under a millisecond over thousands of names.
        pool = {i for _, _, i in process.extract(wanted, self._choices, scorer=fuzz.QRatio, limit=25, score_cutoff=40)}
        pool.update(self._containing(wanted, 25))
        ranked = sorted(((fuzz.WRatio(wanted, self._choices[i]), -i, i) for i in pool), reverse=True)
        found = [(None, score, i) for score, _, i in ranked if score >= 70][: limit * 4]
        shown: list[str] = []
        for _, _, index in found:
            path = self._choice_paths[index]
            label = format_path(path) if normalize(path[-1]) in self._repeated else path[-1]
            if label not in shown:
                shown.append(label)
            if len(shown) == limit:
                break
        return shown

    def _containing(self, wanted: str, limit: int) -> list[int]:
        """Indexes of names that contain ``wanted``, found by one C-level scan of all names joined."""
        found: list[int] = []
        position = self._joined.find(wanted) if wanted else -1
        while position >= 0 and len(found) < limit:
            index = bisect.bisect_right(self._starts, position) - 1
            if not found or found[-1] != index:
                found.append(index)
            position = self._joined.find(wanted, position + 1)
        return found


def _ends_with_subsequence(key: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if key[-1] != parts[-1]:
        return False
    remaining = iter(key[:-1])
    return all(part in remaining for part in parts[:-1])


def _ambiguous(query: str, matches: Sequence[UnitPath]) -> str:
    listed = "; ".join(format_path(p) for p in matches[:MAX_LISTED])
    more = f" and {len(matches) - MAX_LISTED} more" if len(matches) > MAX_LISTED else ""
    example = format_path(matches[0][-2:]) if len(matches[0]) > 1 else format_path(matches[0])
    return (
        f"Department '{query}' is ambiguous: it names {len(matches)} units: {listed}{more}. "
        f"Name one by more of its path, e.g. '{example}'."
    )


def select_positions(
    org: OrgStructure,
    departments: Iterable[str] | None,
    *,
    position: str | None = None,
    subunits: bool = True,
) -> list[Position]:
    """Positions of the named units (their sub-units too unless told otherwise); all when None."""
    if departments is None:
        units = list(org.units)
    else:
        index = UnitIndex(org)
        units = []
        for query in departments:
            root = index.resolve(query)
            units.extend(u.path for u in org.subtree(root)) if subunits else units.append(root)
    positions = [p for path in dict.fromkeys(units) for p in org.units[path].positions]
    if position is None:
        return positions
    wanted = normalize(position)
    chosen = [p for p in positions if normalize(p.title) == wanted]
    if chosen:
        return chosen
    titles = sorted({p.title for p in positions})
    close = _close_titles(wanted, titles)
    if close:
        raise SelectionError(f"Position '{position}' not found in the selection. Did you mean: {', '.join(close)}?")
    elsewhere = _close_titles(wanted, sorted({p.title for p in org.positions()}))
    if elsewhere:  # the title exists, outside the units asked for
        raise SelectionError(
            f"Position '{position}' not found in the selection ({len(titles)} titles there). "
            f"Did you mean: {', '.join(elsewhere)} (in other units)?"
        )
    raise SelectionError(f"Position '{position}' not found in the selection ({len(titles)} titles there).")


def _close_titles(wanted: str, titles: Sequence[str]) -> list[str]:
    from rapidfuzz import fuzz, process

    close = process.extract(wanted, [normalize(t) for t in titles], scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    return [titles[i] for _, _, i in close]
