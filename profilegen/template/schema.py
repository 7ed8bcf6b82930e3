"""What a template gives the model and checks in its answer: a pydantic model of the written fields, the
strict JSON schema sent with each request, and the field guidance in the prompt."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from profilegen.template.model import Column, FieldSpec, Template

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _enum(values: tuple[str, ...]) -> Any:
    return Literal[values]  # a Literal of the template's values: the schema's enum, pydantic's check


def _column_type(column: Column) -> tuple[Any, Any]:
    description = column.label
    if column.kind == "level":
        levels = "; ".join(f"{level} — {text}" for level, text in column.scale.items())
        return int, Field(ge=1, le=max(column.scale), description=f"{column.label}: {levels}")
    if column.kind == "number":
        return float, Field(description=description)
    if column.kind == "choice":
        return _enum(column.choices), Field(description=description)
    return str, Field(min_length=1, description=description)


def _row_model(spec: FieldSpec, name: str) -> type[BaseModel]:
    columns: dict[str, Any] = {c.key: _column_type(c) for c in spec.columns}
    return create_model(name, __config__=_STRICT, **columns)


def _limits(spec: FieldSpec, default_min: int) -> dict[str, Any]:
    limits: dict[str, Any] = {"min_length": default_min if spec.min is None else spec.min}
    if spec.max is not None:
        limits["max_length"] = spec.max
    return limits


def _field_type(spec: FieldSpec, model_name: str) -> tuple[Any, Any]:
    described: dict[str, Any] = {
        "description": f"{spec.label}. {spec.instruction}".strip() if spec.instruction else spec.label
    }
    if spec.kind == "text":
        return str, Field(min_length=1, **described)
    if spec.kind == "number":
        return int, Field(ge=spec.min or 0, le=spec.max, **described)
    if spec.kind == "choice":
        return _enum(spec.choices), Field(**described)
    if spec.kind == "list":
        item: Any = _enum(spec.choices) if spec.choices else str
        return list[item], Field(**_limits(spec, 1), **described)
    if spec.kind == "table":
        row: Any = _row_model(spec, f"{model_name}_{spec.key}")
        return list[row], Field(**_limits(spec, 1), **described)
    items: Any = _row_model(spec, f"{model_name}_{spec.key}_row") if spec.columns else str
    item_limits: dict[str, Any] = {"min_length": 1 if spec.items_min is None else spec.items_min}
    if spec.items_max is not None:
        item_limits["max_length"] = spec.items_max
    area = create_model(
        f"{model_name}_{spec.key}_area",
        __config__=_STRICT,
        name=(str, Field(min_length=1)),
        items=(list[items], Field(**item_limits)),
    )
    return list[area], Field(**_limits(spec, 1), **described)


_MODELS: dict[tuple[str, str], type[BaseModel]] = {}


def answer_model(template: Template) -> type[BaseModel]:
    """The pydantic model of an answer: the template's written fields, nothing else (built once a template)."""
    key = (template.sha256, template.source)
    model = _MODELS.get(key)
    if model is None:
        fields: dict[str, Any] = {spec.key: _field_type(spec, "Answer") for spec in template.written}
        model = _MODELS[key] = create_model("Answer", __config__=_STRICT, **fields)
    return model


def answer_schema(template: Template) -> dict[str, Any]:
    """The JSON Schema of an answer (what `profilegen schema --profile-only` prints)."""
    return answer_model(template).model_json_schema()


def strict_json_schema(template: Template) -> dict[str, Any]:
    """The schema for strict structured output: every property required, no additional properties."""
    schema = copy.deepcopy(answer_schema(template))

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            for key in ("default", "title"):
                if key in node and not isinstance(node[key], dict):
                    node.pop(key)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(schema)
    return schema


def profile_schema(template: Template) -> dict[str, Any]:
    """The JSON Schema of a profile as files hold it: the facts profilegen fills and the written fields."""
    properties: dict[str, Any] = {}
    written = answer_schema(template)
    for spec in template.fields:
        if spec.written:
            properties[spec.key] = written["properties"][spec.key]
            continue
        node: dict[str, Any] = {"description": f"{spec.label} (fact: {spec.fact})"}
        if spec.kind in ("text", "choice"):
            node["type"] = ["string", "null"]
            if spec.choices:
                node["enum"] = [*spec.choices, None]
        elif spec.kind == "number":
            node["type"] = "integer"
        elif spec.kind == "list":
            node.update(type="array", items={"type": "string"})
        else:
            columns = {c.key: {"description": c.label} for c in spec.columns}
            node.update(type="array", items={"type": "object", "properties": columns})
        properties[spec.key] = node
    return {
        "title": template.title or template.name,
        "type": "object",
        "properties": properties,
        "required": [f.key for f in template.fields],
        "$defs": written.get("$defs", {}),
    }


def guidance(template: Template) -> str:
    """The prompt's part about the form: each written field with its instruction, limits and values."""
    lines = [template.instructions] if template.instructions else []
    ru = template.language == "ru"
    lines.append("Поля ответа:" if ru else "Answer fields:")
    for spec in template.written:
        parts = [f"- {spec.key} — {spec.label}"]
        if spec.instruction:
            parts.append(spec.instruction)
        if spec.min is not None or spec.max is not None:
            parts.append(
                f"{'количество' if ru else 'count'}: {spec.min or 0}–{spec.max if spec.max is not None else '…'}"
            )
        if spec.items_min is not None or spec.items_max is not None:
            count = f"{spec.items_min or 1}–{spec.items_max if spec.items_max is not None else '…'}"
            parts.append(f"{'Пунктов в каждой' if ru else 'Items in each'}: {count}")
        if spec.choices:
            parts.append(f"{'Значения' if ru else 'Values'}: {'; '.join(spec.choices)}")
        if spec.source == "documents":
            missing = template.texts["missing"]
            only = "Только из документов компании; нет в них — «{}»" if ru else 'From the documents only, else "{}"'
            parts.append(only.format(missing))
        if spec.start_with:
            given = "; ".join(spec.start_with)
            parts.append(f"{'Уже включено, не повторяй' if ru else 'Already included, do not repeat'}: {given}")
        for column in spec.columns:
            if column.kind == "level":
                levels = "; ".join(f"{level} — {text}" for level, text in column.scale.items())
                parts.append(f"{column.key} ({column.label}): {levels}")
        lines.append(". ".join(p.rstrip(".") for p in parts) + ".")
    return "\n".join(lines)
