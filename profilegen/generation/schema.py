"""The job profile: a pydantic model with the sections of HR's reference profiles."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"

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


class Subordinates(_Strict):
    units: list[str] = Field(max_length=50)
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


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile, as `profilegen schema` prints it."""
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
