"""Reading a template: YAML with every error on its line, the checks `template check` runs, shipped names.

The YAML is composed into nodes (not loaded) so that every key keeps its line: duplicate keys (which a
YAML loader silently lets win), unknown kinds, a fact profilegen cannot fill, a choice without values
— each is one message naming the file and the line.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from profilegen.errors import InputError
from profilegen.template.model import (
    CATEGORY_CODES,
    COLUMN_KINDS,
    FACTS,
    KINDS,
    KPI_COLUMNS,
    Column,
    FieldSpec,
    Section,
    Template,
)
from profilegen.yamlsafe import parse_yaml

SHIPPED = ("a101", "en")
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "missing": "требует уточнения HR",
        "none": "нет",
        "warnings": "Замечания к профилю",
        "generated": "Сведения о генерации",
        "gate": "триггер (условие, вне весов)",
        "kpi_card": "Карта КПЭ должности, утвержденная HR ({file})",
        "kpi_position": "КПЭ должности из файла КПЭ подразделения ({file})",
        "kpi_department": "КПЭ должности не установлены; показаны КПЭ подразделения ({file}), не карта должности",
        "kpi_template": "Шаблон КПЭ ({file}): не утвержден HR, требует проверки",
        "kpi_none": "КПЭ должности не установлены",
        "summary": "Сводка",
        "summary_unit": "Подразделение",
        "summary_position": "Должность",
        "summary_category": "Категория",
        "summary_kpis": "Источник КПЭ",
        "summary_generator": "Генератор",
        "summary_model": "Модель",
        "summary_tokens_in": "Токены (вход)",
        "summary_tokens_out": "Токены (выход)",
        "summary_cost": "Стоимость, USD",
        "summary_generated": "Сформирован",
        "summary_warnings": "Замечания",
        "summary_sheet": "Лист",
        "track_vertical": "рост по вертикали",
        "track_horizontal": "горизонтальный переход",
        "track_expert": "экспертный трек",
    },
    "en": {
        "missing": "HR to specify",
        "none": "none",
        "warnings": "Review notes",
        "generated": "Generation details",
        "gate": "trigger (a gate, outside the weights)",
        "kpi_card": "The position's KPI card set by HR ({file})",
        "kpi_position": "The position's KPIs from its unit's KPI file ({file})",
        "kpi_department": "No KPIs set for the position; the unit's KPIs ({file}) are shown, not a card of its own",
        "kpi_template": "KPI template ({file}): not set by HR, needs review",
        "kpi_none": "No KPIs set for the position",
        "summary": "Summary",
        "summary_unit": "Unit path",
        "summary_position": "Position",
        "summary_category": "Category",
        "summary_kpis": "KPIs",
        "summary_generator": "Generator",
        "summary_model": "Model",
        "summary_tokens_in": "Tokens in",
        "summary_tokens_out": "Tokens out",
        "summary_cost": "Cost USD",
        "summary_generated": "Generated at",
        "summary_warnings": "Review notes",
        "summary_sheet": "Sheet",
        "track_vertical": "a step up",
        "track_horizontal": "a move across",
        "track_expert": "the expert track",
    },
}
_FIELD_KEYS = {
    "key", "label", "kind", "fact", "instruction", "min", "max", "items_min", "items_max", "choices", "columns",
    "start_with", "draft", "source",
}  # fmt: skip
_COLUMN_KEYS = {"key", "label", "kind", "choices", "scale", "scale_label"}


class _Lines(dict[int, int]):
    """id(python value) → the line its YAML node started on."""


def _plain(node: yaml.Node, source: str, lines: _Lines) -> Any:
    """A composed node as Python values, refusing duplicate keys; containers remember their line."""
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, source, lines)
            if key in out:
                raise InputError(f"duplicate key '{key}'", source=source, where=f"line {key_node.start_mark.line + 1}")
            out[key] = _plain(value_node, source, lines)
        lines[id(out)] = node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        items = [_plain(v, source, lines) for v in node.value]
        lines[id(items)] = node.start_mark.line + 1
        return items
    return yaml.safe_load(yaml.serialize(node)) if node.tag != "tag:yaml.org,2002:str" else node.value


@lru_cache(maxsize=16)
def parse_template(text: str, source: str) -> Template:
    """A template from YAML text, or InputError naming the line of the first problem."""
    parse_yaml(text, source)  # syntax errors (and aliases) with line and column
    lines = _Lines()
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    data = _plain(node, source, lines) if node is not None else None
    return _Reader(source, lines).template(data, hashlib.sha256(text.encode("utf-8")).hexdigest())


class _Reader:
    def __init__(self, source: str, lines: _Lines) -> None:
        self.source = source
        self.lines = lines

    def fail(self, message: str, where: object) -> InputError:
        line = self.lines.get(id(where))
        return InputError(message, source=self.source, where=f"line {line}" if line else None)

    def mapping(self, value: Any, what: str, allowed: set[str], parent: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping", parent)
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(f"{what}: unknown key '{unknown[0]}' (known: {', '.join(sorted(allowed))})", value)
        return value

    def template(self, data: Any, sha256: str) -> Template:
        top = self.mapping(
            data, "the template", {"name", "language", "title", "instructions", "texts", "sections"}, data
        )
        language = str(top.get("language", "ru"))
        if language not in DEFAULT_TEXTS:
            raise self.fail(f"language must be one of {', '.join(DEFAULT_TEXTS)}, not '{language}'", top)
        texts = dict(DEFAULT_TEXTS[language])
        custom = top.get("texts") or {}
        texts.update({str(k): str(v) for k, v in self.mapping(custom, "texts", set(texts), top).items()})
        raw_sections = top.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("the template needs a non-empty list of sections", top)
        sections = tuple(self.section(s, raw_sections) for s in raw_sections)
        keys: dict[str, str] = {}
        for spec in (f for s in sections for f in s.fields):
            if spec.key in keys:
                raise self.fail(f"field key '{spec.key}' is used twice", raw_sections)
            keys[spec.key] = spec.label
        facts = [f.fact for s in sections for f in s.fields if f.fact]
        twice = next((f for f in facts if facts.count(f) > 1), None)
        if twice:
            raise self.fail(f"the fact '{twice}' is given to two fields", raw_sections)
        if not any(f.fact is None for s in sections for f in s.fields):
            raise self.fail("the template has no field for the model to write", raw_sections)
        return Template(
            name=str(top.get("name") or "custom"),
            language=language,
            title=str(top.get("title") or ""),
            sections=sections,
            texts=texts,
            sha256=sha256,
            source=self.source,
            instructions=str(top.get("instructions") or ""),
        )

    def section(self, raw: Any, parent: object) -> Section:
        data = self.mapping(raw, "a section", {"label", "fields"}, parent)
        label = str(data.get("label") or "").strip()
        if not label:
            raise self.fail("a section needs a label", data)
        fields = data.get("fields")
        if not isinstance(fields, list) or not fields:
            raise self.fail(f"section '{label}' needs a non-empty list of fields", data)
        return Section(label, tuple(self.field(f, label, fields) for f in fields))

    def field(self, raw: Any, section: str, parent: object) -> FieldSpec:
        data = self.mapping(raw, f"a field of '{section}'", _FIELD_KEYS, parent)
        key = str(data.get("key") or "")
        if not key.isidentifier():
            raise self.fail(f"a field of '{section}' needs a key (letters, digits, _), not '{key}'", data)
        fact = data.get("fact")
        if fact is not None and fact not in FACTS:
            raise self.fail(
                f"field '{key}': profilegen cannot fill the fact '{fact}' (known: {', '.join(FACTS)})", data
            )
        kind = str(data.get("kind") or (FACTS[fact] if fact else ""))
        if kind not in KINDS:
            raise self.fail(f"field '{key}': unknown kind '{kind}' (known: {', '.join(KINDS)})", data)
        if fact and kind != FACTS[fact]:
            raise self.fail(f"field '{key}': the fact '{fact}' is a {FACTS[fact]}, not a {kind}", data)
        raw_choices = data.get("choices")
        codes: dict[str, str] = {}
        if isinstance(raw_choices, dict):
            if fact != "category" or set(raw_choices) != set(CATEGORY_CODES):
                raise self.fail(
                    f"field '{key}': choices as a mapping are the category's labels ({', '.join(CATEGORY_CODES)})", data
                )
            codes = {str(k): str(v) for k, v in raw_choices.items()}
            choices: tuple[str, ...] = tuple(codes[c] for c in CATEGORY_CODES)
        else:
            choices = tuple(str(c) for c in raw_choices or ())
        if kind == "choice" and not choices:
            raise self.fail(f"field '{key}': a choice needs its values (choices)", data)
        if "choices" in data and not choices:
            raise self.fail(f"field '{key}': choices is empty", data)
        columns = tuple(self.column(c, key, data) for c in data.get("columns") or ())
        if kind == "table" and not columns:
            raise self.fail(f"field '{key}': a table needs its columns", data)
        if fact == "kpis":
            stray = [c.key for c in columns if c.key not in KPI_COLUMNS]
            if stray:
                raise self.fail(
                    f"field '{key}': KPI cards have no column '{stray[0]}' ({', '.join(KPI_COLUMNS)})", data
                )
        source = str(data.get("source") or "")
        if source and (source != "documents" or fact or kind not in ("text", "list") or choices):
            raise self.fail(
                f"field '{key}': source: documents is for a text or a free list the model writes, not '{source}'",
                data,
            )
        limits = {name: self.count(data, name, key) for name in ("min", "max", "items_min", "items_max")}
        if None not in (limits["min"], limits["max"]) and limits["min"] > limits["max"]:  # type: ignore[operator]
            raise self.fail(f"field '{key}': min is above max", data)
        return FieldSpec(
            key=key,
            label=str(data.get("label") or section),
            kind=kind,
            fact=fact,
            instruction=" ".join(str(data.get("instruction") or "").split()),
            min=limits["min"],
            max=limits["max"],
            items_min=limits["items_min"],
            items_max=limits["items_max"],
            choices=choices,
            codes=codes,
            columns=columns,
            start_with=tuple(str(s) for s in data.get("start_with") or ()),
            draft=str(data.get("draft") or ""),
            source=source,
        )

    def count(self, data: dict[str, Any], name: str, key: str) -> int | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"field '{key}': {name} must be a whole number ≥ 0, not '{value}'", data)
        return value

    def column(self, raw: Any, key: str, parent: object) -> Column:
        data = self.mapping(raw, f"a column of '{key}'", _COLUMN_KEYS, parent)
        name = str(data.get("key") or "")
        kind = str(data.get("kind") or "text")
        if not name.isidentifier():
            raise self.fail(f"a column of '{key}' needs a key, not '{name}'", data)
        if kind not in COLUMN_KINDS:
            raise self.fail(
                f"column '{name}' of '{key}': unknown kind '{kind}' (known: {', '.join(COLUMN_KINDS)})", data
            )
        scale = {int(k): str(v) for k, v in (data.get("scale") or {}).items()} if kind == "level" else {}
        if kind == "level" and sorted(scale) != list(range(1, len(scale) + 1)):
            raise self.fail(f"column '{name}' of '{key}': a level needs a scale numbered 1, 2, …", data)
        choices = tuple(str(c) for c in data.get("choices") or ())
        if kind == "choice" and not choices:
            raise self.fail(f"column '{name}' of '{key}': a choice needs its values (choices)", data)
        return Column(name, str(data.get("label") or name), kind, choices, scale, str(data.get("scale_label") or ""))


def shipped_text(name: str) -> str:
    return resources.files("profilegen.template").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_template(choice: str | Path | None = None, language: str = "ru") -> Template:
    """A shipped template by name (`a101`, `en`), or a template file; by default the language's own."""
    if choice is None or str(choice) == "":
        choice = "en" if language == "en" else "a101"
    if str(choice) in SHIPPED:
        return parse_template(shipped_text(str(choice)), str(choice))
    path = Path(choice)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"no such template (shipped: {', '.join(SHIPPED)})", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the template ({type(exc).__name__})", source=str(path)) from None
    return parse_template(text, str(path))
