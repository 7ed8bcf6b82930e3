"""Which position each card of HR's KPI workbooks belongs to — and, when that cannot be said, why.

A workbook sheet covers part of the org: an entry in `mapping.yaml` (`workbooks: {FILE or FILE/SHEET:
unit}`) first; else a top managers' sheet named after a top unit ("Блок Операционного директора",
"Блок ЮД и Рисков" → the block whose name shares the most words, in any form); else the department
the file's code names ("КПЭ 2025_ДИТ" → Департамент информационных технологий by its initials,
"КПЭ 2025_Закупки" → Департамент закупок by word); else the unit of the one position titled as the
sheet's first card column; else (the `ТОП` sheet) the whole organisation. A card column belongs to
the one position of the covered units whose title is the column's (word forms and case ignored), or
whose title followed by its unit's name is ("Руководитель управления анализа себестоимости").
Several such positions make the column **ambiguous**: nobody gets it until `mapping.yaml` says which
(`cards: [{file, sheet, column, unit}]`). A position with cards in several places is a **conflict**:
the card of the sheet that covers fewer units (the department's own workbook over the top managers')
wins, then file, sheet and column order; a `cards:` entry overrides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.kpi.workbook import Card, Workbook
from profilegen.org.categories import DEFAULT_UNIT_KINDS
from profilegen.org.model import OrgStructure, Position, UnitPath
from profilegen.text import normalize, words
from profilegen.words.lexicon import FILLER_WORDS, same_word

_CODE = re.compile(r"^кпэ\s*\d{4}[_\s-]*(.+)$", re.IGNORECASE)
_KIND_WORDS = frozenset(DEFAULT_UNIT_KINDS)


@dataclass(frozen=True, slots=True)
class CardOverride:
    file: str
    sheet: str | None
    column: str
    unit: UnitPath


@dataclass(slots=True)
class Ambiguous:
    card: Card
    candidates: list[Position]


@dataclass(slots=True)
class Conflict:
    position: Position
    cards: list[Card]
    chosen: Card


@dataclass(slots=True)
class CardAssignment:
    """Every workbook card given to its position, with what could not be given."""

    cards: dict[tuple[UnitPath, str], Card] = field(default_factory=dict)
    coverage: dict[tuple[str, str], tuple[list[UnitPath], str]] = field(default_factory=dict)  # (file, sheet)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unmatched: list[Card] = field(default_factory=list)
    _covered_sets: dict[tuple[str, str], frozenset[UnitPath]] | None = field(default=None, repr=False, compare=False)
    _unit_cards: dict[UnitPath, list[tuple[Position, Card]]] = field(default_factory=dict, repr=False, compare=False)

    def card_for(self, position: Position) -> Card | None:
        return self.cards.get(position.key)

    def unit_card(self, org: OrgStructure, position: Position) -> Card | None:
        """The unit's KPIs for a position with no card of its own: the card of a holder in its unit, else in
        the nearest unit above — within a department's workbook that covers its unit (a top managers' card is
        a block head's, not the unit's)."""
        path = position.unit_path
        offered = self._unit_cards.get(path)
        if offered is None:
            offered = self._unit_cards[path] = self._offered(org, path)
        return next((card for holder, card in offered if holder != position), None)

    def _offered(self, org: OrgStructure, path: UnitPath) -> list[tuple[Position, Card]]:
        """The first two holders (with their cards) whose card covers the unit at ``path``, nearest first: a
        position's unit card is the first's, or the second's when the first is its own."""
        covered = self._covered()
        found: list[tuple[Position, Card]] = []
        for depth in range(len(path), 0, -1):
            for holder in org.units[path[:depth]].positions:
                card = self.cards.get(holder.key)
                if card is None:
                    continue
                units = covered.get((card.file, card.sheet))
                if units is not None and path in units:
                    found.append((holder, card))
                    if len(found) == 2:
                        return found
        return found

    def _covered(self) -> dict[tuple[str, str], frozenset[UnitPath]]:
        """The units each sheet covers, as a set — for the sheets of single-sheet workbooks only (worked out
        once: `unit_card` asks for every position)."""
        if self._covered_sets is None:
            sheets_of: dict[str, int] = {}
            for file, _sheet in self.coverage:
                sheets_of[file] = sheets_of.get(file, 0) + 1
            self._covered_sets = {
                key: frozenset(units) for key, (units, _why) in self.coverage.items() if sheets_of[key[0]] == 1
            }
        return self._covered_sets


def file_code(name: str) -> str:
    """`КПЭ 2025_ДИТ.xlsx` → `ДИТ`."""
    stem = Path(name).stem.strip()
    found = _CODE.match(stem)
    return found.group(1).strip() if found else stem


def _same_words(a: Sequence[str], b: Sequence[str]) -> bool:
    return len(a) == len(b) and all(same_word(x, y) for x, y in zip(a, b, strict=True))


def _initials(name: str) -> frozenset[str]:
    """A unit name's abbreviations: its words' initials, with and without small words and its kind word
    ("Управление внутреннего аудита и контроля" → увaик, увак, вaик, вак)."""
    found = [w for w in words(name) if w and not w.isdigit()]
    variants = set()
    for kind in (False, True):
        for small in (False, True):
            chosen = found[1:] if kind and found and found[0] in _KIND_WORDS else found
            chosen = [w for w in chosen if not (small and w in FILLER_WORDS)]
            variants.add("".join(w[0] for w in chosen))
    return frozenset(variants)


class CardMapper:
    def __init__(self, org: OrgStructure, overrides: Sequence[CardOverride] = (), sheets: Mapping[str, UnitPath] = {}):
        self.org = org
        self.overrides = overrides
        self.sheets = sheets  # "FILE" or "FILE/SHEET" → unit (mapping.yaml `workbooks:`)
        self._titles: dict[str, list[Position]] = {}
        self._by_initials: dict[str, list[UnitPath]] | None = None  # a unit name's abbreviation → units
        self._order: dict[UnitPath, int] | None = None
        self._name_words: dict[str, list[str]] | None = None
        self._said: dict[str, list[str]] = {}  # a title's or unit name's words (a card asks of every holder)
        for position in org.positions():
            self._titles.setdefault(normalize(position.title), []).append(position)

    def assign(self, workbooks: Iterable[Workbook]) -> CardAssignment:
        result = CardAssignment()
        offers: dict[tuple[UnitPath, str], list[tuple[int, Card]]] = {}
        for workbook in workbooks:
            for sheet in workbook.sheets:
                units, why = self._coverage(workbook, sheet)
                result.coverage[(workbook.name, sheet)] = (units, why)
                covered = set(units)
                for card in (c for c in workbook.cards if c.sheet == sheet):
                    holders = self._holders(card, units, covered)
                    if len(holders) == 1:
                        offers.setdefault(holders[0].key, []).append((len(covered), card))
                    elif holders:
                        result.ambiguous.append(Ambiguous(card, holders))
                    else:
                        result.unmatched.append(card)
        for key, offered in offers.items():
            forced = [c for _, c in offered if self._override(c) is not None]
            ranked = sorted(offered, key=lambda o: (o[0], o[1].file, o[1].sheet, o[1].column))
            chosen = forced[0] if forced else ranked[0][1]
            result.cards[key] = chosen
            if len(offered) > 1:
                position = next(p for p in self.org.units[key[0]].positions if p.title == key[1])
                result.conflicts.append(Conflict(position, [c for _, c in ranked], chosen))
        return result

    def _words(self, text: str) -> list[str]:
        found = self._said.get(text)
        if found is None:
            found = self._said[text] = words(text)
        return found

    def _override(self, card: Card) -> CardOverride | None:
        for entry in self.overrides:
            if entry.file == card.file and entry.column == card.column and entry.sheet in (None, card.sheet):
                return entry
        return None

    def _holders(self, card: Card, units: Sequence[UnitPath], covered: set[UnitPath]) -> list[Position]:
        """The positions a card column fits, in the org's order (``covered``: ``units`` as a set)."""
        override = self._override(card)
        if override is not None:
            return [p for p in self.org.units[override.unit].positions if _title_is(p.title, card.title)]
        exact = [p for p in self._titles.get(normalize(card.title), []) if p.unit_path in covered]
        if exact:
            return exact
        wanted = words(card.title)
        said = self._words
        same = [p for path in units for p in self.org.units[path].positions if _same_words(wanted, said(p.title))]
        if same:
            return same
        # "Руководитель службы технического заказчика": "Руководитель службы" of that Служба
        return [
            p
            for path in units
            for p in self.org.units[path].positions
            if _names_its_unit(wanted, said(p.title), said(path[-1]))
        ]

    def _coverage(self, workbook: Workbook, sheet: str) -> tuple[list[UnitPath], str]:
        """The units a sheet's cards are for, and why."""
        for key in (f"{workbook.name}/{sheet}", workbook.name):
            if key in self.sheets:
                return self._subtree(self.sheets[key]), "mapping.yaml `workbooks:`"
        if len(workbook.sheets) > 1:  # a top managers' workbook: a sheet per block
            roots = self._roots_named(sheet)
            if roots:
                return [
                    u for r in roots for u in self._subtree(r)
                ], f"the sheet names {', '.join(r[-1] for r in roots)}"
            return list(self.org.units), "the sheet names no top unit: the whole organisation"
        code = file_code(workbook.name)
        by_code = self._unit_by_code(code)
        if by_code is not None:
            return self._subtree(by_code), f"the file's code '{code}' names '{by_code[-1]}'"
        first = next((c for c in workbook.cards if c.sheet == sheet), None)
        holders = self._titles.get(normalize(first.title), []) if first else []
        if len(holders) == 1:
            return self._subtree(holders[0].unit_path), f"its first card is the only '{first.title}'"  # type: ignore[union-attr]
        return [], f"no unit found for '{code}' (map it in mapping.yaml `workbooks:`)"

    def _subtree(self, path: UnitPath) -> list[UnitPath]:
        """The unit and every unit below it, in the org's order."""
        if self._order is None:
            self._order = {unit: number for number, unit in enumerate(self.org.units)}
        return sorted((u.path for u in self.org.subtree(path)), key=self._order.__getitem__)

    def _roots_named(self, sheet: str) -> list[UnitPath]:
        wanted = [w for w in words(sheet) if w not in _KIND_WORDS and w not in FILLER_WORDS and len(w) > 2]
        scored = []
        for root in self.org.roots:
            name = words(root.path[-1])
            score = sum(1 for w in wanted if any(same_word(w, n) or n.startswith(w) for n in name))
            if score:
                scored.append((score, root.path))
        if not scored:
            return []
        best = max(s for s, _ in scored)
        return [p for s, p in scored if s == best]

    def _names(self) -> dict[str, list[str]]:
        """Each unit name's words (worked out once: thousands of units share a few hundred names)."""
        if self._name_words is None:
            self._name_words = {name: self._words(name) for name in {p[-1] for p in self.org.units}}
        return self._name_words

    def _unit_by_code(self, code: str) -> UnitPath | None:
        wanted = normalize(code)
        if self._by_initials is None:  # once for all the workbooks (a name's initials take a dozen steps)
            self._by_initials = {}
            of_name = {name: _initials(name) for name in self._names()}
            for unit in self.org.units:
                for initials in of_name[unit[-1]]:
                    self._by_initials.setdefault(initials, []).append(unit)
        by_initials = self._by_initials.get(wanted, [])
        if len(by_initials) == 1:
            return by_initials[0]
        if not by_initials:  # "ДПУ": "Дирекция проектного управления по г.Москве, …"
            starting = {p for i, units in self._by_initials.items() if i.startswith(wanted) for p in units}
            if len(starting) == 1:
                return starting.pop()
        code_words = words(code)
        names = self._names() if code_words else {}
        named = {n for n, w in names.items() if all(any(same_word(c, x) for x in w) for c in code_words)}
        by_word = [p for p in self.org.units if p[-1] in named]
        by_word.sort(key=len)
        return by_word[0] if by_word and (len(by_word) == 1 or len(by_word[0]) < len(by_word[1])) else None


def _names_its_unit(card: Sequence[str], title: Sequence[str], unit: Sequence[str]) -> bool:
    """The card's title is the position's title followed by words of the position's unit's name."""
    rest = card[len(title) :]
    if not title or len(rest) == 0 or not _same_words(card[: len(title)], title):
        return False
    return all(any(same_word(r, u) for u in unit) for r in rest if r not in FILLER_WORDS)


def _title_is(title: str, card_title: str) -> bool:
    return normalize(title) == normalize(card_title) or _same_words(words(card_title), words(title))
