"""What the judge is asked: HR's five criteria, the answer's strict schema, and the messages for one profile.

The profile goes as people read it (its Markdown, in the template's layout), the position's identity last
as JSON, so the instructions are one prefix for every request.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# HR's criteria, as they judged the old system's profiles.
CRITERIA: dict[str, dict[str, str]] = {
    "kpis": {
        "ru": "КПЭ подходят именно этой должности (не чужие, не шаблонные, не все КПЭ подразделения)",
        "en": "the KPIs fit this very position (not another's, not a template, not every KPI of the unit)",
    },
    "skills": {
        "ru": "навыки конкретны: названы инструменты, методы, системы, версии — не общие слова",
        "en": "the skills are specific: tools, methods, systems, versions — not general words",
    },
    "career": {
        "ru": "карьерограмма полна: есть позиции-доноры и целевые позиции, и они правдоподобны",
        "en": "the career map is complete: feeder and target positions exist and make sense",
    },
    "company": {
        "ru": "профиль про эту компанию: ее системы, процессы, продукты — а не про любую компанию отрасли",
        "en": "the profile is about this company: its systems, processes, products — not any company",
    },
    "boundaries": {
        "ru": "задачи не выходят за пределы подразделения и не берут работу соседних подразделений",
        "en": "the tasks stay within the unit and take no work of the units beside it",
    },
}
MIN_SCORE, MAX_SCORE = 1, 10

_SYSTEM = {
    "ru": (
        "Ты — опытный HR-бизнес-партнер и проверяешь профиль должности перед утверждением. Оцени его по "
        "каждому из пяти критериев целым числом от 1 (неприемлемо) до 10 (образцово) и коротко (одно-два "
        "предложения) объясни оценку, ссылаясь на конкретные места профиля. Критерии:\n{criteria}\n"
        "Ответь только JSON по схеме ответа."
    ),
    "en": (
        "You are an experienced HR business partner reviewing a job profile before sign-off. Score it on each "
        "of the five criteria with a whole number from 1 (unacceptable) to 10 (exemplary) and explain each "
        "score briefly (one or two sentences) with reference to the profile. Criteria:\n{criteria}\n"
        "Answer with JSON following the answer schema only."
    ),
}
_PROFILE = {"ru": "Профиль должности:", "en": "The job profile:"}
_DATA = {"ru": "Должность (JSON):", "en": "Position (JSON):"}


def answer_schema() -> dict[str, Any]:
    """Each criterion: a score and a reason (strict: every key required, nothing else)."""
    criterion = {
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": MIN_SCORE, "maximum": MAX_SCORE},
            "reason": {"type": "string"},
        },
        "required": ["score", "reason"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {key: criterion for key in CRITERIA},
        "required": list(CRITERIA),
        "additionalProperties": False,
    }


def system_prompt(language: str, with_schema: bool) -> str:
    language = "en" if language == "en" else "ru"
    listed = "\n".join(f"- {key}: {texts[language]}" for key, texts in CRITERIA.items())
    text = _SYSTEM[language].format(criteria=listed)
    if with_schema:
        text += "\n\nJSON Schema:\n" + json.dumps(answer_schema(), ensure_ascii=False, separators=(",", ":"))
    return text


def judge_version(language: str) -> str:
    """What the scores depend on besides the profile and the model: a new version judges again."""
    return hashlib.sha256(system_prompt(language, True).encode("utf-8")).hexdigest()[:12]


def messages(markdown: str, unit_path: list[str], title: str, language: str, with_schema: bool) -> list[dict[str, str]]:
    language = "en" if language == "en" else "ru"
    data = json.dumps({"title": title, "unit_path": unit_path}, ensure_ascii=False)
    user = f"{_PROFILE[language]}\n\n{markdown}\n\n{_DATA[language]}\n{data}"
    return [{"role": "system", "content": system_prompt(language, with_schema)}, {"role": "user", "content": user}]


class InvalidScores(ValueError):
    pass


def parse_scores(content: str) -> dict[str, dict[str, Any]]:
    """The answer as {criterion: {"score": int, "reason": str}}; InvalidScores says what is wrong."""
    from profilegen.generation.answer import strip_fences

    try:
        data = json.loads(strip_fences(content))
    except ValueError as exc:
        raise InvalidScores(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidScores("not a JSON object")
    scores: dict[str, dict[str, Any]] = {}
    for key in CRITERIA:
        item = data.get(key)
        score = item.get("score") if isinstance(item, dict) else None
        if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise InvalidScores(f"{key}.score: a whole number from {MIN_SCORE} to {MAX_SCORE} is required")
        scores[key] = {"score": score, "reason": str(item.get("reason") or "")}  # type: ignore[union-attr]
    return scores
