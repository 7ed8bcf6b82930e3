"""The prompt: a static, cacheable prefix (rules, the form, the company-wide part of its documents), then the
sections of the documents that concern the position, and its data last."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from profilegen.company.choosing import Chooser
from profilegen.company.documents import count_tokens
from profilegen.config import CompanySettings
from profilegen.errors import InputError
from profilegen.generation.context import PositionContext
from profilegen.generation.facts import position_facts
from profilegen.template.model import Template
from profilegen.template.schema import guidance, strict_json_schema

_VERSION = re.compile(r"<!--\s*prompt-version:\s*([\w.-]+)\s*-->")
DATA_HEADER = {"ru": "Данные должности (JSON):", "en": "Position data (JSON):"}
SECTIONS_HEADER = {
    "ru": "Разделы документов компании, относящиеся к должности:",
    "en": "Sections of the company's documents that concern the position:",
}
ABOUT_HEADER = {"ru": "О компании{name} (из ее документов):", "en": "About the company{name} (from its documents):"}
GENERIC_COMPANY = {"ru": "в крупной российской компании", "en": "at a large company"}
FIX_REQUEST = {
    "ru": "Твой ответ не прошел проверку схемы. Ошибки:\n{errors}\n"
    "Верни исправленный JSON-объект целиком, только JSON.",
    "en": "Your answer failed schema validation. Errors:\n{errors}\nReturn the whole corrected JSON object, JSON only.",
}


def _read_template(language: str, prompt_file: Path | None) -> str:
    if prompt_file is not None:
        try:
            return prompt_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the prompt file ({type(exc).__name__})", source=str(prompt_file)) from None
    name = f"profile_{'en' if language == 'en' else 'ru'}.md"
    return resources.files("profilegen.generation.prompts").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class PromptBuilder:
    """Builds chat messages whose system part is byte-identical for every position of a run."""

    version: str
    template: Template
    system: str
    company_digest: str  # what the system prompt says of the company (its name and documents' shared part)
    send_employee_name: bool = False

    @property
    def language(self) -> str:
        return self.template.language

    @classmethod
    def load(
        cls,
        template: Template,
        prompt_file: Path | None = None,
        company: CompanySettings | None = None,
        chooser: Chooser | None = None,
        send_employee_name: bool = False,
    ) -> PromptBuilder:
        language = "en" if template.language == "en" else "ru"
        text = _read_template(template.language, prompt_file)
        match = _VERSION.search(text)
        declared = match.group(1) if match else "0"
        body = _VERSION.sub("", text).strip()
        version = f"{declared}+{hashlib.sha256(body.encode('utf-8')).hexdigest()[:8]}"
        named = _company_phrase(company, language)
        body = body.replace("{company}", named).replace("{missing}", template.texts["missing"])
        parts = [body, guidance(template)]  # the form's part: the template's hash is a fingerprint input itself
        about = ""
        if chooser is not None and chooser.shared_text:
            name = f" {company.name}" if company is not None and company.name else ""
            about = f"{ABOUT_HEADER[language].format(name=name)}\n\n{chooser.shared_text}"
            parts.append(about)
        digest = hashlib.sha256(f"{named}\n{about}".encode()).hexdigest()[:16]
        return cls(version, template, "\n\n".join(parts), digest, send_employee_name)

    def with_schema(self) -> PromptBuilder:
        """The same prompt with the JSON Schema appended, for servers whose request cannot carry it (without
        the descriptions: the field guidance above already says them)."""
        schema = json.dumps(_undescribed(strict_json_schema(self.template)), ensure_ascii=False, separators=(",", ":"))
        return dataclasses.replace(self, system=f"{self.system}\n\nJSON Schema:\n{schema}")

    def position_data(self, context: PositionContext) -> dict[str, Any]:
        """What the model is told about one position (an employee's name only with `send_employee_name`)."""
        facts = position_facts(context)
        data = {
            "title": context.title,
            "unit_path": list(context.unit_path),
            "unit_level": context.depth,
            "unit_code": context.unit_code,
            "headcount": context.headcount,
            "unit_headcount": context.unit_headcount,
            "is_head": context.is_head,
            "category": facts["category"]["label"],
            "direct_manager": facts["manager"],
            "deputy_of": facts["deputy_of"],
            "subordinates": facts["subordinates"],
            "kpi_scope": context.kpi_scope,
            "kpis": facts["kpis"]["items"],
            "career": facts["career"],
            "competencies": facts["competencies"],
            "related_units": list(context.related_units),
            "sibling_units": [
                {"name": name, "purpose": purpose} if purpose else {"name": name}
                for name, purpose in context.sibling_units
            ],
        }
        if self.send_employee_name and context.employee_name:
            data["employee_name"] = context.employee_name
        return data

    def messages(self, context: PositionContext) -> list[dict[str, str]]:
        data = json.dumps(self.position_data(context), ensure_ascii=False)  # compact: the C encoder, one line
        language = "en" if self.language == "en" else "ru"
        user = f"{DATA_HEADER[language]}\n{data}"
        sections = [p.text for p in context.company_sections if p.sent]
        if sections:
            user = "\n\n".join([SECTIONS_HEADER[language], *sections, user])
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def fix_messages(self, original: list[dict[str, str]], answer: str, errors: str) -> list[dict[str, str]]:
        """The re-ask: the original prompt, the last answer and its errors — no growing history."""
        request = FIX_REQUEST["en" if self.language == "en" else "ru"].format(errors=errors)
        return [*original, {"role": "assistant", "content": answer}, {"role": "user", "content": request}]


def _company_phrase(company: CompanySettings | None, language: str) -> str:
    """ "в компании «ГК А101» (девелопмент, Москва)", or the generic phrase when the config names none."""
    if company is None or not company.name:
        return GENERIC_COMPANY[language]
    about = ", ".join(x for x in (company.industry, company.city) if x)
    name = f"«{company.name}»" if language == "ru" else company.name
    where = "в компании" if language == "ru" else "at"
    return f"{where} {name}" + (f" ({about})" if about else "")


def _undescribed(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _undescribed(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_undescribed(v) for v in node]
    return node


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """A rough token count (about 4 characters a token for Latin, 2.5 for Cyrillic)."""
    return count_tokens("".join(m["content"] for m in messages)) + 4 * len(messages)
