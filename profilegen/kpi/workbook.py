"""HR's KPI workbooks (`.xlsx` in the KPI folder), read as they are: one card per card-holder column.

A card sheet (`Заполнить`, or one sheet per block in a top managers' workbook) has a header row whose
first cell is `КПЭ` (`КПЭ | Целевое значение | Ед. изм. | <a column per card holder> | Тип показателя |
Min значение | Max значение | Методика | Источник информации | …`); the row above it gives each holder
column's position title. Then KPI rows: a cell under a holder is that KPI's weight in the holder's card
(`-` or empty: not in it). Section rows (`Триггер`, `Корпоративные КПЭ`, `Личные КПЭ`, any `… КПЭ`) carry counts, not
weights; a `Триггер` KPI is a gate, outside the weighted sum. A card's weights sum to 1 (within 0.001)
or it is reported as inconsistent; `0.9999999999999999` is read as the 1 HR meant. Sheets without that
header (`Помощь`, `Шкалы`) are not cards and are skipped; a malformed card sheet is an error naming the
file, sheet and row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.errors import InputError
from profilegen.text import normalize

SECTIONS = {"триггер": "Триггер", "корпоративные кпэ": "Корпоративные КПЭ", "личные кпэ": "Личные КПЭ"}
_FIELDS = {
    "целевое значение": "target",
    "ед. изм.": "unit",
    "ед.изм.": "unit",
    "тип показателя": "type",
    "min значение": "min",
    "max значение": "max",
    "методика": "method",
    "мотодика": "method",  # as spelt in one of HR's workbooks
    "источник информации": "source",
    "факт": "fact",
    "исполнение": "done",
}
_TOTAL = ("итого",)
TOLERANCE = 0.001


@dataclass(frozen=True, slots=True)
class CardKpi:
    name: str
    target: str
    unit: str
    weight: float
    type: str = ""
    min: str = ""
    max: str = ""
    method: str = ""
    source: str = ""
    section: str = ""
    trigger: bool = False
    row: int = 0


@dataclass(frozen=True, slots=True)
class Card:
    """One holder column of a card sheet: a position's KPIs with their weights."""

    file: str
    sheet: str
    column: str  # the spreadsheet's column letter
    title: str  # the position title above the column
    kpis: tuple[CardKpi, ...]

    @property
    def weight_sum(self) -> float:
        return round(sum(k.weight for k in self.kpis if not k.trigger), 6)

    @property
    def consistent(self) -> bool:
        return abs(self.weight_sum - 1.0) <= TOLERANCE

    @property
    def digest(self) -> str:
        text = repr((self.file, self.sheet, self.column, self.title, self.kpis))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Workbook:
    path: Path
    name: str
    cards: list[Card] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # the card sheets, in order


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _weight(value: object) -> float | None:
    """A weight cell: a number (HR's 0.9999999999999999 is 1), or None for `-`/empty; ValueError otherwise."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "-", "—", "–")):
        return None
    number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    return round(number, 6)


def read_workbook(path: Path, name: str) -> Workbook | None:
    """The cards of a KPI workbook, or None when no sheet of it is a card sheet."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})", source=str(path)) from None
    try:
        workbook = Workbook(path, name)
        for sheet in book.worksheets:
            rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            cards = _cards(rows, name, sheet.title, path)
            if cards is not None:
                workbook.sheets.append(sheet.title)
                workbook.cards += cards
    finally:
        book.close()
    return workbook if workbook.sheets else None


def _cards(rows: list[tuple[object, ...]], name: str, sheet: str, path: Path) -> list[Card] | None:
    header_at = next((i for i, r in enumerate(rows[:20]) if r and normalize(_text(r[0])) == "кпэ"), None)
    if header_at is None or header_at == 0:
        return None
    header = [normalize(_text(c)) for c in rows[header_at]]
    titles = [_text(c) for c in rows[header_at - 1]]
    fields = {index: _FIELDS[h] for index, h in enumerate(header) if h in _FIELDS}
    holders = [
        i
        for i in range(1, len(header))
        if i not in fields and i < len(titles) and titles[i] and header[i] not in ("", "кпэ")
    ]
    if not holders:
        return None
    section = ""
    found: dict[int, list[CardKpi]] = {i: [] for i in holders}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        first = _text(row[0] if row else None)
        key = normalize(first)
        if not first:
            continue
        if key in SECTIONS or (key.endswith(" кпэ") and not _text(row[1] if len(row) > 1 else None)):
            section = SECTIONS.get(key, " ".join(first.split()))  # "Бюджетные КПЭ" in one workbook
            continue
        if key.startswith(_TOTAL):
            continue
        values = {f: _text(row[i]) if i < len(row) else "" for i, f in fields.items()}
        for index in holders:
            cell = row[index] if index < len(row) else None
            try:
                weight = _weight(cell)
            except ValueError:
                where = f"sheet {sheet!r}, row {number}, column {column_letter(index)}"
                raise InputError(f"{where}: weight {cell!r} is not a number", source=str(path)) from None
            if weight:
                found[index].append(
                    CardKpi(
                        name=" ".join(first.split()),
                        target=values.get("target", ""),
                        unit=values.get("unit", ""),
                        weight=weight,
                        type=values.get("type", ""),
                        min=values.get("min", ""),
                        max=values.get("max", ""),
                        method=values.get("method", ""),
                        source=values.get("source", ""),
                        section=section,
                        trigger=section == "Триггер",
                        row=number,
                    )
                )
    return [
        Card(name, sheet, column_letter(index), " ".join(titles[index].split()), tuple(found[index]))
        for index in holders
        if found[index]
    ]
