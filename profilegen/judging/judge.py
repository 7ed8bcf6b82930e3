"""The model as judge: one profile's five scores through the same transport as generation (retries,
Retry-After, pacing, the schema conveyed the way the server takes it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profilegen.export.markdown import render_markdown
from profilegen.generation.providers.openai_compatible import FormatRejected, OpenAIProvider, OpenAISettings, Usage
from profilegen.judging.criteria import InvalidScores, answer_schema, messages, parse_scores
from profilegen.template.documents import readable
from profilegen.template.model import Template

FIXES = 1  # an answer that breaks the schema is asked again this often


@dataclass(slots=True)
class Verdict:
    scores: dict[str, dict[str, Any]]
    model: str
    tokens_in: int | None
    tokens_out: int | None
    cost_usd: float | None


class Judge(OpenAIProvider):
    schema_name = "profile_score"

    def __init__(self, settings: OpenAISettings, api_key: str, language: str, send_employee_name: bool = False) -> None:
        self.language = language
        self.send_employee_name = send_employee_name
        self._connect(settings, api_key, answer_schema())

    def profile_text(self, document: dict[str, Any], template: Template) -> str:
        """The profile as the judge reads it: its Markdown in the form it was made in — without the
        employee's name of a personal profile unless `send_employee_name` (as for generation)."""
        document, own = readable(document, template)
        if not self.send_employee_name:
            meta = {**(document.get("meta") or {}), "employee_name": None}
            named = {spec.key for spec in own.fields if spec.fact == "employee"}
            profile = {k: (None if k in named else v) for k, v in (document.get("profile") or {}).items()}
            document = {**document, "meta": meta, "profile": profile}
        return render_markdown(document, own)

    def request(self, markdown: str, unit_path: list[str], title: str) -> list[dict[str, str]]:
        return messages(
            markdown, unit_path, title, self.language, self.mode not in ("json_schema", "json_object_schema")
        )

    def batch_body(self, markdown: str, unit_path: list[str], title: str) -> dict[str, Any]:
        """The body the live path would send (for the Batch API)."""
        return self._request(self.request(markdown, unit_path, title), self.settings.max_tokens)

    async def score(self, markdown: str, unit_path: list[str], title: str) -> Verdict:
        usage = Usage()
        request = self.request(markdown, unit_path, title)
        fixes = 0
        while True:
            try:
                completion = await self._complete(request, self.settings.max_tokens, usage)
            except FormatRejected:
                request = self.request(markdown, unit_path, title)
                continue
            choice = completion["choices"][0]
            content = str((choice.get("message") or {}).get("content") or "")
            try:
                scores = parse_scores(content)
            except InvalidScores as exc:
                if fixes >= FIXES or choice.get("finish_reason") == "length":
                    raise usage.error("invalid_output", f"the judge's answer: {exc}") from None
                fixes += 1
                request = [
                    *request,
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": f"The answer does not follow the schema: {exc}. Answer again."},
                ]
                continue
            counted = usage.as_dict()
            return Verdict(
                scores,
                str(completion.get("model") or self.model),
                counted["tokens_in"],
                counted["tokens_out"],
                counted["cost_usd"],
            )
