"""The job profile: a pydantic model with the sections of HR's reference profiles."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from profilegen.generation.versions import SCHEMA_VERSION

Category = Literal["specialist", "line_manager", "middle_manager", "senior_manager"]

LEVEL_DESCRIPTIONS: dict[str, dict[int, str]] = {
    "ru": {
        1: "Базовый: знает основы, выполняет задачи под руководством",
        2: "Уверенный: самостоятельно решает типовые задачи",
        3: "Продвинутый: решает сложные задачи, консультирует коллег",
        4: "Экспертный: формирует подходы и стандарты, обучает других",
    },
    "en": {
        1: "Basic: knows the fundamentals, works under guidance",
        2: "Proficient: solves typical tasks independently",
        3: "Advanced: solves complex tasks, advises colleagues",
        4: "Expert: sets approaches and standards, teaches others",
    },
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UnitInfo(_Strict):
    top_block: str = Field(description="Top-level block the unit belongs to (broad unit)")
    path: list[str] = Field(min_length=1, max_length=12, description="Full unit path, top block first")


MAX_UNITS_LISTED = 50  # what the model is asked to echo; the document carries every unit from the facts


class Subordinates(_Strict):
    units: list[str] = Field(max_length=MAX_UNITS_LISTED)
    people: int = Field(ge=0, description="Direct reports")
    headcount_below: int = Field(ge=0, description="Everyone in the units the position heads, itself excepted")


class ResponsibilityArea(_Strict):
    area: str = Field(min_length=1)
    tasks: list[str] = Field(min_length=1, max_length=12)


class Skill(_Strict):
    name: str = Field(min_length=1)
    level: int = Field(ge=1, le=4)
    level_description: str


class SkillCategory(_Strict):
    category: str = Field(min_length=1)
    skills: list[Skill] = Field(min_length=1, max_length=12)


class Education(_Strict):
    level: str
    specialities: list[str] = Field(max_length=10)
    experience_years: int = Field(ge=0, le=40)
    experience: str
    additional: list[str] = Field(max_length=10)


class CareerTarget(_Strict):
    position: str
    unit: str
    rationale: str


class CareerMap(_Strict):
    feeder_positions: list[str] = Field(max_length=15)
    target_positions: list[CareerTarget] = Field(max_length=15)


class Workplace(_Strict):
    software: list[str] = Field(max_length=25)
    hardware: list[str] = Field(max_length=15)


class ProfileKpi(_Strict):
    name: str = Field(min_length=1)
    target: str
    unit: str
    weight: float | None = Field(ge=0, le=1)
    period: str


class Profile(_Strict):
    """One position's job profile, as generated (by the LLM or the offline drafter)."""

    position_title: str = Field(min_length=1)
    unit: UnitInfo
    category: Category
    direct_manager: str
    subordinates: Subordinates
    primary_activity: str = Field(min_length=1)
    responsibility_areas: list[ResponsibilityArea] = Field(min_length=1, max_length=15)
    professional_skills: list[SkillCategory] = Field(min_length=1, max_length=10)
    corporate_competencies: list[str] = Field(min_length=1, max_length=15)
    personal_qualities: list[str] = Field(min_length=1, max_length=15)
    education: Education
    career: CareerMap
    workplace: Workplace
    kpis: list[ProfileKpi] = Field(max_length=30)
    working_conditions: str
    additional_information: str


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


class ProfileFile(BaseModel):
    """A profile file as profilegen writes it: `{schema_version, profile, meta}`."""

    schema_version: str = Field(description=f"This schema: {SCHEMA_VERSION}")
    profile: Profile
    meta: ProfileMeta


def file_json_schema() -> dict[str, Any]:
    """The JSON Schema of a whole profile file, as `profilegen schema` prints it."""
    return ProfileFile.model_json_schema()


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of the profile part (what the LLM writes), as `profilegen schema --profile-only` prints it."""
    return Profile.model_json_schema()


def strict_json_schema() -> dict[str, Any]:
    """The schema for strict structured output: every property required, no additional properties."""
    schema = copy.deepcopy(Profile.model_json_schema())

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
