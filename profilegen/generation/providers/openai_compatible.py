"""The LLM provider: any OpenAI-compatible chat-completions API, with one retry loop of our own."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from profilegen.errors import GenerationError, ProviderAbort
from profilegen.generation.answer import InvalidAnswer, parse_answer
from profilegen.generation.context import PositionContext
from profilegen.generation.prompt import PromptBuilder
from profilegen.generation.providers.base import AnswerSink, ProviderResult
from profilegen.generation.providers.retry import (
    ABORT_STATUSES,
    RETRY_AFTER_CAP,
    EmptyAnswer,
    Pacer,
    backoff,
    is_transient,
    retry_after,
    status_of,
)
from profilegen.jsontext import compact
from profilegen.template.schema import strict_json_schema
from profilegen.text import plural

_JSON = {"Content-Type": "application/json"}
# How the schema is conveyed, strongest first; `auto` starts at the first and steps down when a server
# rejects one (llama-cpp-python's server takes only the second, some servers only the third).
FORMAT_CHAIN = ("json_schema", "json_object_schema", "json_object")
REJECTING_STATUSES = frozenset({400, 422, 500})


class FormatRejected(Exception):
    """The server refused how the schema was sent; the request is sent again the next way."""


if TYPE_CHECKING:
    from tenacity import RetryCallState


@dataclass(slots=True)
class OpenAISettings:
    base_url: str
    model: str
    temperature: float = 0.2
    max_tokens: int = 4000
    truncation_max_tokens: int | None = None
    timeout: float = 600.0
    timeout_retries: int = 1
    response_format: str = "json_schema"
    validation_retries: int = 2
    max_attempts: int = 6
    backoff_base: float = 1.0
    rpm: int | None = None
    prices: dict[str, float] | None = None  # USD per million tokens: {"input": x, "output": y}
    app_url: str | None = None
    app_title: str | None = "profilegen"


@dataclass(slots=True)
class Usage:
    """Tokens and cost over every attempt for one position, failed attempts included."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = 0.0
    calls: int = 0
    timeouts: int = 0  # attempts that timed out: the server may have done (and billed) work we never saw

    def add(self, usage: Any, prices: dict[str, float] | None) -> None:
        """Count one answered call; ``usage`` is the response's `usage` object (JSON)."""
        self.calls += 1
        if not isinstance(usage, dict):
            usage = {}
        tokens_in = int(usage.get("prompt_tokens") or 0)
        tokens_out = int(usage.get("completion_tokens") or 0)
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        reported = usage.get("cost")  # OpenRouter reports the real cost
        counted = "prompt_tokens" in usage or "completion_tokens" in usage
        if isinstance(reported, int | float) and not isinstance(reported, bool):
            cost: float | None = float(reported)
        elif counted and prices and "input" in prices and "output" in prices:  # no usage: cost unknown, not $0
            cost = (tokens_in * prices["input"] + tokens_out * prices["output"]) / 1_000_000
        else:
            cost = None
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost

    def as_dict(self) -> dict[str, Any]:
        """Tokens and cost; unknown (None), not 0, once an attempt timed out."""
        if self.timeouts:
            return {"tokens_in": None, "tokens_out": None, "cost_usd": None}
        return {"tokens_in": self.tokens_in, "tokens_out": self.tokens_out, "cost_usd": self.cost_usd}

    def error(self, error_type: str, message: str) -> GenerationError:
        counted = self.as_dict()
        return GenerationError(
            error_type,
            message,
            tokens_in=counted["tokens_in"],
            tokens_out=counted["tokens_out"],
            cost_usd=counted["cost_usd"],
            attempts=self.calls,
        )


class OpenAIProvider:
    """Generates profiles through `AsyncOpenAI` (its own retries off) with validation re-asks."""

    name = "openai"
    generator = "llm"
    schema_name = "job_profile"

    def __init__(self, settings: OpenAISettings, api_key: str, prompt: PromptBuilder) -> None:
        self.prompt = prompt
        self.prompt_version = prompt.version
        self._connect(settings, api_key, strict_json_schema(prompt.template))

    def _connect(self, settings: OpenAISettings, api_key: str, schema: dict[str, Any]) -> None:
        """The client, the answer's schema and the retry state (shared with the judge)."""
        from openai import AsyncOpenAI

        self.settings = settings
        self.model = settings.model
        self.pacer = Pacer(settings.rpm)
        self._schema = schema
        self._static: dict[str, bytes] = {}
        self.auto = settings.response_format == "auto"
        self.mode = FORMAT_CHAIN[0] if self.auto else settings.response_format
        self.on_format_change: Callable[[str, str], None] | None = None  # (mode, why): remembered by the caller
        self._prompt_with_schema: PromptBuilder | None = None
        headers = {}
        if "openrouter.ai" in settings.base_url:
            if settings.app_url:
                headers["HTTP-Referer"] = settings.app_url
            if settings.app_title:
                headers["X-Title"] = settings.app_title
        self._client = AsyncOpenAI(
            base_url=settings.base_url,
            api_key=api_key,
            max_retries=0,
            timeout=settings.timeout,
            default_headers=headers or None,
        )

    def params(self) -> dict[str, Any]:
        s = self.settings
        # the endpoint (base URL) is not an input of a profile: a new gateway for the same model changes nothing
        return {
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
            "company": self.prompt.company_digest,
        }  # how the schema is conveyed (response_format) is not an input either: a fallback changes nothing

    def _prompt(self) -> PromptBuilder:
        """The prompt for the current mode: the schema goes into it when the request cannot carry it."""
        if self.mode in ("json_schema", "json_object_schema"):
            return self.prompt
        if self._prompt_with_schema is None:
            self._prompt_with_schema = self.prompt.with_schema()
        return self._prompt_with_schema

    def _rejects_format(self, exc: BaseException) -> bool:
        """A refusal of the response_format itself (not worth retrying the same way)."""
        if not self.auto or status_of(exc) not in REJECTING_STATUSES or self.mode == FORMAT_CHAIN[-1]:
            return False
        body: Any = getattr(exc, "body", None)
        text = json.dumps(body) if body is not None else str(exc)
        return "response_format" in text or "json_schema" in text

    def _step_down(self, exc: BaseException) -> None:
        index = FORMAT_CHAIN.index(self.mode) if self.mode in FORMAT_CHAIN else 0
        previous, self.mode = self.mode, FORMAT_CHAIN[min(index + 1, len(FORMAT_CHAIN) - 1)]
        if self.on_format_change is not None:
            self.on_format_change(self.mode, f"the server refused response_format {previous}: {_describe(exc)}")

    async def close(self) -> None:
        await self._client.close()

    async def generate(self, context: PositionContext, on_answer: AnswerSink | None = None) -> ProviderResult:
        usage = Usage()
        messages = self._prompt().messages(context)
        request = messages
        max_tokens = self.settings.max_tokens
        widened = False
        fixes = 0
        while True:
            try:
                completion = await self._complete(request, max_tokens, usage)
            except FormatRejected:  # the same question again, the schema conveyed the next way
                messages = request = self._prompt().messages(context)
                fixes = 0
                continue
            choice = completion["choices"][0]
            content = str((choice.get("message") or {}).get("content") or "")
            if choice.get("finish_reason") == "length":
                bigger = self.settings.truncation_max_tokens
                if bigger and bigger > max_tokens and not widened:
                    max_tokens, widened = bigger, True
                    continue
                raise usage.error("truncated", f"answer cut off at max_tokens={max_tokens} (finish_reason=length)")
            if on_answer is not None:
                await on_answer(content, usage.as_dict())
            try:
                profile = parse_answer(content, self.prompt.template)
            except InvalidAnswer as exc:
                if fixes >= self.settings.validation_retries:
                    first = exc.errors.splitlines()[0] if exc.errors else "invalid"
                    raise usage.error(
                        "invalid_output", f"answer failed validation {plural(fixes + 1, 'time')}: {first}"
                    ) from None
                fixes += 1
                request = self.prompt.fix_messages(messages, content, exc.errors)
                continue
            counted = usage.as_dict()
            return ProviderResult(
                profile=profile,
                raw=content,
                model=str(completion.get("model") or self.model),
                tokens_in=counted["tokens_in"],
                tokens_out=counted["tokens_out"],
                cost_usd=counted["cost_usd"],
                attempts=usage.calls,
            )

    def batch_request(self, context: PositionContext, fix: dict[str, str] | None = None) -> dict[str, Any]:
        """The body the live path would send for this position (or its re-ask after an invalid answer)."""
        messages = self._prompt().messages(context)
        if fix:
            messages = self.prompt.fix_messages(messages, fix["answer"], fix["errors"])
        return self._request(messages, self.settings.max_tokens)

    def _request(self, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
        s = self.settings
        body: dict[str, Any] = {"model": s.model, "temperature": s.temperature}
        if messages:
            body.update(messages=messages, max_tokens=max_tokens)
        if self.mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": self.schema_name, "strict": True, "schema": self._schema},
            }
        elif self.mode == "json_object_schema":  # llama-cpp-python's form: the schema beside the type
            body["response_format"] = {"type": "json_object", "schema": self._schema}
        elif self.mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        if "openrouter.ai" in s.base_url:
            body["provider"] = {"require_parameters": True}
            body["usage"] = {"include": True}
        return body

    def _payload(self, messages: list[dict[str, str]], max_tokens: int) -> bytes:
        """The request body; everything but the messages (the schema above all) is encoded once."""
        static = self._static.get(self.mode)
        if static is None:
            encoded = json.dumps(self._request([], 0), ensure_ascii=False)
            static = self._static[self.mode] = encoded[: encoded.rindex("}")].encode()  # the same object, left open
        encoded_messages = compact(messages)  # the system prompt's 10 KB a request: orjson's, a sixth of the time
        return static + b', "messages": ' + encoded_messages + f', "max_tokens": {max_tokens}}}'.encode()

    async def _complete(self, messages: list[dict[str, str]], max_tokens: int, usage: Usage) -> dict[str, Any]:
        """One answer, through transient failures (one tenacity loop); fatal statuses abort the run."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

        payload = self._payload(messages, max_tokens)
        mode = self.mode
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            retry=retry_if_exception(lambda exc: self._worth_retrying(exc, usage)),
            wait=self._wait,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self.pacer.wait()
                    try:
                        # The SDK's generic `post` (its documented way to send any body), with the body
                        # encoded once and the answer kept as plain JSON: the typed `create` spends more
                        # CPU per call on transforming parameters and building models than a request's
                        # own I/O, and with dozens in flight that CPU delays every one of them.
                        completion = await self._client.post(
                            "/chat/completions", cast_to=object, content=payload, options={"headers": _JSON}
                        )
                        if not isinstance(completion, dict) or not completion.get("choices"):
                            raise EmptyAnswer("the provider returned no choices")
                    except Exception as exc:
                        usage.calls += 1
                        usage.timeouts += _is_timeout(exc)
                        raise
                    usage.add(completion.get("usage"), self.settings.prices)
                    return completion
        except Exception as exc:
            if self._rejects_format(exc) or (self.auto and self.mode != mode and status_of(exc) in REJECTING_STATUSES):
                if self.mode == mode:  # requests in flight together are refused together: step down once
                    self._step_down(exc)
                raise FormatRejected() from None
            status = status_of(exc)
            if status in ABORT_STATUSES:
                raise ProviderAbort(ABORT_STATUSES[status], _describe(exc) + _what_to_set(status)) from None
            if _is_unreachable(exc):  # every request would fail the same way: say it once, where, and stop
                raise ProviderAbort(
                    "connection",
                    f"cannot reach {self.settings.base_url} ({_describe(exc)}): is the server running? Set "
                    "base_url (--base-url, PROFILEGEN_BASE_URL) to where it listens",
                ) from None
            if not is_transient(exc):
                raise usage.error("bad_request" if status else type(exc).__name__, _describe(exc)) from None
            raise usage.error(_transient_type(exc), f"gave up after {usage.calls} attempts: {_describe(exc)}") from None
        raise AssertionError("unreachable: tenacity either returns an answer or re-raises")

    def _worth_retrying(self, exc: BaseException, usage: Usage) -> bool:
        """Transient failures, but not a refused response_format (sent another way instead), a timeout only
        `timeout_retries` times (a server that does not cancel on disconnect does the work again), and a
        server that refuses connections only twice more (it is down, not busy)."""
        if not is_transient(exc) or self._rejects_format(exc):
            return False
        if _is_unreachable(exc):
            return usage.calls < UNREACHABLE_ATTEMPTS
        return not _is_timeout(exc) or usage.timeouts <= self.settings.timeout_retries

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gives one (capped), else backoff; a 429 holds back every request."""
        exc = state.outcome.exception() if state.outcome is not None else None
        asked = retry_after(exc) if exc is not None else None
        delay = (
            min(asked, RETRY_AFTER_CAP)
            if asked is not None
            else backoff(state.attempt_number, self.settings.backoff_base)
        )
        if exc is not None and status_of(exc) == 429:
            self.pacer.hold(delay)
        return delay


UNREACHABLE_ATTEMPTS = 3


def _is_unreachable(exc: BaseException) -> bool:
    """No connection at all (refused, no route, unknown host) — not a timeout or a cut-off answer."""
    import openai

    return (
        isinstance(exc, openai.APIConnectionError)
        and not isinstance(exc, openai.APITimeoutError)
        and type(exc.__cause__).__name__ == "ConnectError"  # httpx's: the SDK raises from it
    )


def _what_to_set(status: int | None) -> str:
    """For a refused key: which variable held it."""
    if status not in (401, 403):
        return ""
    from profilegen.config import api_key_variable

    variable = api_key_variable()
    if variable is None:
        return " — no API key is set: set PROFILEGEN_API_KEY in the environment"
    return f" — the key in {variable} was refused: set a valid key there"


def _is_timeout(exc: BaseException) -> bool:
    return "Timeout" in type(exc).__name__


def _transient_type(exc: BaseException) -> str:
    if isinstance(exc, EmptyAnswer):
        return "empty_response"
    status = status_of(exc)
    if status == 429:
        return "rate_limited"
    if status is not None:
        return f"http_{status}"
    return "timeout" if "Timeout" in type(exc).__name__ else "connection"


def _describe(exc: BaseException) -> str:
    """A one-line description of a provider error that never includes request headers (the key)."""
    status = status_of(exc)
    body: Any = getattr(exc, "body", None)
    detail = ""
    if isinstance(body, dict):
        error = body.get("error", body)
        detail = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    elif body is not None:
        detail = str(body)
    if not detail:
        detail = json.dumps(str(exc))[1:-1]
    detail = " ".join(detail.split())[:300]
    return f"HTTP {status}: {detail}" if status else f"{type(exc).__name__}: {detail}"
