"""What every provider gives the engine, and the offline provider itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from profilegen.generation.context import PositionContext

if TYPE_CHECKING:
    from profilegen.template.model import Template

OFFLINE_PROMPT_VERSION = "offline-7"  # bumped by hand for a change elsewhere that shapes the drafts


def drafter_version() -> str:
    """The offline drafter's version: the hand-kept one and a digest of the drafter's own code, so that any change
    to it drafts every offline profile again (drafts cost nothing; a fix reaches the ones already made)."""
    try:
        code = Path(__file__).with_name("offline.py").read_bytes()
    except OSError:  # no source beside (a frozen build): the hand-kept version alone
        return OFFLINE_PROMPT_VERSION
    return f"{OFFLINE_PROMPT_VERSION}-{hashlib.sha256(code).hexdigest()[:12]}"


# Called with each answer as soon as it arrives (before validation) and the usage so far, so that
# nothing paid for is lost if the process dies before the profile is written.
AnswerSink = Callable[[str, dict[str, Any]], Awaitable[None]]


@dataclass(slots=True)
class ProviderResult:
    """A validated profile and what producing it cost."""

    profile: dict[str, Any]  # the written fields, validated against the template
    raw: str
    model: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    attempts: int = 1
    warnings: list[str] = field(default_factory=list)


class Provider(Protocol):
    """Turns a position's context into a validated profile."""

    name: str
    generator: str
    model: str
    prompt_version: str

    def params(self) -> dict[str, Any]:
        """Settings that shape the output (they are part of the fingerprint)."""
        ...

    async def generate(self, context: PositionContext, on_answer: AnswerSink | None = None) -> ProviderResult: ...

    async def close(self) -> None: ...


class OfflineProvider:
    """Deterministic drafts from the data alone; no network, no cost."""

    name = "offline"
    generator = "offline"
    model = "offline"

    def __init__(self, template: Template) -> None:
        self.template = template
        self.prompt_version = drafter_version()

    def params(self) -> dict[str, Any]:
        return {"language": self.template.language}

    async def generate(self, context: PositionContext, on_answer: AnswerSink | None = None) -> ProviderResult:
        from profilegen.generation.providers.offline import draft_profile  # the models load when a draft is written

        profile = draft_profile(context, self.template)
        raw = json.dumps(profile, ensure_ascii=False)
        if on_answer is not None:
            await on_answer(raw, {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0})
        return ProviderResult(profile=profile, raw=raw, model=self.model, tokens_in=0, tokens_out=0, cost_usd=0.0)

    async def close(self) -> None:
        return None
