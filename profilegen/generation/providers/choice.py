"""Which provider a run uses (and what to say about it), its cost estimate, and the lost-key guard."""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from profilegen.config import Settings, api_key
from profilegen.errors import InputError
from profilegen.export.layout import OutputLayout
from profilegen.generation.planning import Task
from profilegen.generation.providers.base import OfflineProvider, Provider
from profilegen.journal import Journal
from profilegen.org.model import OrgStructure
from profilegen.template.loader import load_template

if TYPE_CHECKING:
    from profilegen.generation.providers.openai_compatible import OpenAISettings


def estimate(provider: Provider, tasks: list[Task], settings: Settings) -> dict[str, Any]:
    """Prompt tokens the selection would send (and their cost when prices are known)."""
    prompt = getattr(provider, "prompt", None)
    if prompt is None:
        return {"estimated_prompt_tokens": 0, "estimated_cost_usd": 0.0}
    from profilegen.generation.prompt import estimate_tokens

    tokens = sum(estimate_tokens(prompt.messages(t.context)) for t in tasks)
    prices = settings.prices
    cost = None
    if "input" in prices and "output" in prices:
        cost = round((tokens * prices["input"] + len(tasks) * settings.max_tokens * prices["output"]) / 1e6, 4)
    return {"estimated_prompt_tokens": tokens, "estimated_cost_usd": cost}


def choose_provider(
    settings: Settings, requested: str, org: OrgStructure, dry_run: bool = False
) -> tuple[Provider, list[str]]:
    """The provider to use and what to tell the user about the choice (``dry_run``: nothing will be sent, so a
    hosted provider's missing key is said, not an error)."""
    name = settings.provider if requested == "auto" and settings.provider != "auto" else requested
    key = api_key()
    notice = []
    if name == "auto":
        if key:
            name, why = "openai", "API key found"
        elif server_configured(settings):
            name, why = "openai", f"the server in base_url, {settings.base_url}"
        else:
            name, why = "offline", "no API key set and no server configured"
        notice = [f"provider: {name} ({why})"]
    if name == "offline":
        return OfflineProvider(load_template(settings.template, settings.language)), notice
    if dry_run and not key and is_hosted(settings.base_url):
        notice.append(f"no API key set: a real run would stop here ({settings.base_url} needs PROFILEGEN_API_KEY)")
        key = "dry-run"  # never sent: a dry run asks nothing
    key = key_for(settings, key)
    from profilegen.company import chooser_for
    from profilegen.generation.prompt import PromptBuilder
    from profilegen.generation.providers.openai_compatible import OpenAIProvider

    prompt = PromptBuilder.load(
        load_template(settings.template, settings.language),
        settings.prompt_file,
        settings.context.company,
        chooser_for(org, settings),
        send_employee_name=settings.send_employee_name,
    )
    return OpenAIProvider(openai_settings(settings), key, prompt), notice


def key_for(settings: Settings, key: str | None) -> str:
    """The API key to send: the environment's; a hosted provider without one is an error (exit 2), a local
    server takes any."""
    if key:
        return key
    if is_hosted(settings.base_url):
        raise InputError(
            f"{settings.base_url} needs an API key: set PROFILEGEN_API_KEY (or OPENROUTER_API_KEY, "
            "OPENAI_API_KEY) in the environment the command runs in — for cron, in the crontab or the "
            "systemd unit's EnvironmentFile — or pass --provider offline to draft without a model"
        )
    return "no-key"  # a local server (llama-server, vLLM, Ollama) takes any key


def openai_settings(settings: Settings) -> OpenAISettings:
    """How requests are sent, from the settings (generation and the judge alike)."""
    from profilegen.generation.providers.openai_compatible import OpenAISettings

    return OpenAISettings(
        base_url=settings.base_url,
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        truncation_max_tokens=settings.truncation_max_tokens,
        timeout=settings.request_timeout,
        timeout_retries=settings.timeout_retries,
        response_format=settings.response_format,
        validation_retries=settings.validation_retries,
        max_attempts=settings.max_attempts,
        backoff_base=settings.retry_backoff,
        rpm=settings.rpm,
        prices=settings.prices or None,
        app_url=settings.app_url,
    )


HOSTED = ("openrouter.ai", "api.openai.com")  # providers on the internet: a key is needed, no llama-server asked


def is_hosted(base_url: str) -> bool:
    """A provider on the internet (needs a key), not a server of one's own."""
    return any(host in base_url for host in HOSTED)


def server_configured(settings: Settings) -> bool:
    """A server or model named in the config, environment or flags: `auto` then means that server."""
    return bool({"base_url", "model"} & settings.model_fields_set)


def check_key_not_lost(settings: Settings, requested: str, journal: Journal, layout: OutputLayout) -> None:
    """`--provider auto` with no key must not quietly fall back to offline over LLM profiles."""
    if (settings.provider if requested == "auto" else requested) != "auto" or api_key() or server_configured(settings):
        return
    for key, record in journal.positions():
        if record.get("generator") != "llm" or record.get("status") != "done":
            continue
        path, title, person = json.loads(key)
        path = tuple(path)
        if path not in layout.known_units:
            continue
        stem = layout.stem(path, title)
        # a personal profile's file name holds the name, which the journal does not: any personal file will do
        pattern = f"{glob.escape(stem.name)} (*).json" if person else f"{glob.escape(stem.name)}.json"
        if any(stem.parent.glob(pattern)):
            raise InputError(
                "no API key in the environment (PROFILEGEN_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY), "
                f"but {settings.out} holds profiles written by an LLM; set the key, or pass "
                "--provider offline to draft only what is missing"
            )


def remember_response_format(journal: Journal, provider: Provider, notice: Callable[[str], None]) -> None:
    """`response_format: auto`: start from what this server accepted before (per base URL and model), and
    remember a fallback in the journal, said once when it happens."""
    if provider.generator != "llm":
        return
    from profilegen.generation.providers.openai_compatible import FORMAT_CHAIN, OpenAIProvider

    if not isinstance(provider, OpenAIProvider) or not provider.auto:
        return
    where = {"base_url": provider.settings.base_url, "model": provider.model}
    key = "response-format:" + hashlib.sha256(json.dumps(where).encode("utf-8")).hexdigest()[:16]
    known = journal.meta(key) or {}
    if known.get("mode") in FORMAT_CHAIN:
        provider.mode = str(known["mode"])

    def changed(mode: str, why: str) -> None:
        journal.set_meta(key, {**where, "mode": mode})
        notice(f"{why}; sending the schema as {mode} from now on (remembered for this server and model)")

    provider.on_format_change = changed


def server_slots(base_url: str, timeout: float = 2.0) -> int | None:
    """llama-server's parallel slots, from its `/props` (None for any other server, or none answering)."""
    import urllib.error
    import urllib.request

    if is_hosted(base_url):
        return None
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        with urllib.request.urlopen(f"{root}/props", timeout=timeout) as answer:
            slots = json.loads(answer.read()).get("total_slots")
    except (OSError, ValueError, AttributeError):
        return None
    return slots if isinstance(slots, int) and slots > 0 else None
