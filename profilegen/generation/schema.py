"""The profile file: `{schema_version, template, profile, meta}` — the profile's part comes from the template,
the meta part (profilegen's own record of how the profile was made) is fixed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from profilegen.generation.versions import SCHEMA_VERSION
from profilegen.template.model import Template
from profilegen.template.schema import answer_schema, profile_schema


class PositionIdentity(BaseModel):
    unit_path: list[str]
    title: str


class ProfileMeta(BaseModel):
    """What profilegen records about a profile file (more keys may follow in later versions)."""

    model_config = ConfigDict(extra="allow")

    position: PositionIdentity | None = Field(None, description="Whose profile this is, as profilegen recorded it")
    generator: Literal["offline", "llm"]
    model: str
    prompt_version: str
    kpi_source: Literal["card", "explicit", "smart", "inherited", "template"]
    kpi_file: str
    kpi_scope: Literal["position", "department"]
    input_fingerprint: str
    tokens_in: int | None
    tokens_out: int | None
    cost_usd: float | None
    duration_s: float
    generated_at: str
    employee_name: str | None
    warnings: list[str]
    kpi_gates: list[str] = Field(
        default_factory=list, description="KPIs of the card that are gates (`Триггер`), outside the weighted sum"
    )


def file_json_schema(template: Template) -> dict[str, Any]:
    """The JSON Schema of a whole profile file under the template, as `profilegen schema` prints it."""
    profile = profile_schema(template)
    meta = ProfileMeta.model_json_schema()
    definitions = {**profile.pop("$defs", {}), **meta.pop("$defs", {})}
    return {
        "title": "ProfileFile",
        "type": "object",
        "properties": {
            "schema_version": {"type": "string", "description": f"This schema: {SCHEMA_VERSION}"},
            "template": {
                "type": "object",
                "description": "The template that shaped the profile: its name and the sha256 of its file",
                "properties": {"name": {"type": "string"}, "sha256": {"type": "string"}},
            },
            "profile": profile,
            "meta": meta,
        },
        "required": ["schema_version", "template", "profile", "meta"],
        "$defs": definitions,
    }


def profile_json_schema(template: Template) -> dict[str, Any]:
    """The JSON Schema of what the model writes (`profilegen schema --profile-only`)."""
    return answer_schema(template)
