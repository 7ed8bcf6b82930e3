"""The review page as one self-contained HTML file: styles, script and data inline, no network at all
(its Content-Security-Policy forbids any request), so it works when e-mailed or opened from a share."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

LABELS: dict[str, dict[str, Any]] = {
    "ru": {
        "summary": "профилей {profiles} (не создано {missing}) · ошибок {errors} · предупреждений {warnings} · "
        "утверждено {approved}, изменено после утверждения {changed} · отчет от {made}",
        "search": "Поиск: должность, подразделение…",
        "filters": {
            "all": "Все",
            "errors": "С ошибками",
            "findings": "С замечаниями",
            "unapproved": "Не утверждены",
            "template_kpis": "Шаблонные КПЭ",
            "missing": "Не созданы",
        },
        "errors": "ошибки",
        "warnings": "замечания",
        "template_kpis": "шабл. КПЭ",
        "approved": "утв.",
        "findings": "Замечания",
        "status": {
            "approved": "Утвержден",
            "changed": "Изменен после утверждения — нужно утвердить заново",
            "unapproved": "Не утвержден",
            "missing": "Профиль еще не создан",
        },
        "approved_by": "{by}, {at}",
        "to_approve": "Утвердить (в папке профилей):",
        "who": "ФИО",
        "judge": "Оценка модели ({model}): {mean} из 10",
        "criteria": {
            "kpis": "КПЭ подходят должности",
            "skills": "Конкретные навыки",
            "career": "Полная карьерограмма",
            "company": "Про эту компанию",
            "boundaries": "Задачи в пределах подразделения",
        },
    },
    "en": {
        "summary": "profiles {profiles} (not generated {missing}) · errors {errors} · warnings {warnings} · "
        "approved {approved}, changed since approval {changed} · report of {made}",
        "search": "Search: position, unit…",
        "filters": {
            "all": "All",
            "errors": "With errors",
            "findings": "With findings",
            "unapproved": "Not approved",
            "template_kpis": "Template KPIs",
            "missing": "Not generated",
        },
        "errors": "errors",
        "warnings": "findings",
        "template_kpis": "tmpl. KPIs",
        "approved": "appr.",
        "findings": "Findings",
        "status": {
            "approved": "Approved",
            "changed": "Changed since approval — needs approval again",
            "unapproved": "Not approved",
            "missing": "Not generated yet",
        },
        "approved_by": "{by}, {at}",
        "to_approve": "To approve (in the profiles folder):",
        "who": "NAME",
        "judge": "Model's score ({model}): {mean} of 10",
        "criteria": {
            "kpis": "KPIs fit the position",
            "skills": "Specific skills",
            "career": "Complete career map",
            "company": "About this company",
            "boundaries": "Tasks within the unit",
        },
    },
}


def _script_json(value: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(data: dict[str, Any]) -> str:
    language = "en" if data.get("lang") == "en" else "ru"
    page = resources.files("profilegen.reporting").joinpath("assets/page.html").read_text(encoding="utf-8")
    return (
        page.replace("__LANG__", language)
        .replace("__TITLE__", html.escape(str(data["title"])))
        .replace("__LABELS__", _script_json(LABELS[language]))
        .replace("__DATA__", _script_json(data))
    )
