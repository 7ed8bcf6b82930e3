"""The template's parts as profilegen holds them: sections of fields, each field's kind and who fills it.

A template is data (a YAML file, see `profilegen template show`); this module only names its pieces and
the facts profilegen can fill. Everything built from a template (schema, prompt guidance, drafts, the
layout people read) is derived in the sibling modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("text", "list", "number", "choice", "table", "areas")
COLUMN_KINDS = ("text", "number", "choice", "level")

# The facts profilegen fills from its inputs, and the kind each one has.
FACTS: dict[str, str] = {
    "position_title": "text",
    "employee": "text",
    "unit_top_block": "text",
    "unit_path": "text",
    "unit_name": "text",
    "category": "choice",
    "manager": "text",
    "deputy_of": "text",
    "subordinate_units": "number",
    "subordinate_unit_names": "list",
    "direct_reports": "number",
    "headcount_below": "number",
    "competencies": "list",
    "feeders": "list",
    "targets": "list",
    "kpis": "table",
    "kpi_source": "text",
    "prepared_by": "text",
    "date": "text",
}
# The columns of the `kpis` fact: a template may relabel them, and show fewer, but not invent others.
KPI_COLUMNS = ("name", "target", "unit", "weight", "period")
CATEGORY_CODES = ("specialist", "line_manager", "middle_manager", "senior_manager")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table, or of the rows inside numbered areas."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    scale: dict[int, str] = field(default_factory=dict)  # a level column: level → the fixed text
    scale_label: str = ""  # the heading of the fixed texts' column


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the profile: its JSON key, the label people read, and who fills it."""

    key: str
    label: str
    kind: str
    fact: str | None = None  # None: the model writes it
    instruction: str = ""
    min: int | None = None  # items (list, table, areas) or value (number)
    max: int | None = None
    items_min: int | None = None  # per area: tasks or rows
    items_max: int | None = None
    choices: tuple[str, ...] = ()  # the values a choice (or each item of a list) may take
    codes: dict[str, str] = field(default_factory=dict)  # the category fact: code → the label shown
    columns: tuple[Column, ...] = ()
    start_with: tuple[str, ...] = ()  # items every profile's list begins with
    draft: str = ""  # which recipe the offline drafter uses (by kind when empty)
    source: str = ""  # "documents": only what the company's documents say, else the `missing` text

    @property
    def written(self) -> bool:
        return self.fact is None


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """A profile form: its sections in order, the texts around them, and its identity."""

    name: str
    language: str
    title: str
    sections: tuple[Section, ...]
    texts: dict[str, str]
    sha256: str
    source: str  # the shipped name or the file it was read from
    instructions: str = ""  # what the model is told about the form as a whole
    # worked out once: checking 100,000 profiles asks for them a few times each
    _fields: tuple[FieldSpec, ...] = field(init=False, repr=False, compare=False)
    _written: tuple[FieldSpec, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        every = tuple(f for s in self.sections for f in s.fields)
        object.__setattr__(self, "_fields", every)
        object.__setattr__(self, "_written", tuple(f for f in every if f.written))

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return self._fields

    @property
    def written(self) -> tuple[FieldSpec, ...]:
        return self._written

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)

    def fact_field(self, fact: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.fact == fact), None)

    def identity(self) -> dict[str, Any]:
        """What a profile file records about the template that shaped it."""
        return {"name": self.name, "sha256": self.sha256}
