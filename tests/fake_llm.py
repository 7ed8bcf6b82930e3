"""A small chat-completions server on 127.0.0.1 with faults you can switch on.

It answers `POST /v1/chat/completions` like an OpenAI-compatible provider. A valid answer is a
profile built from the position data in the prompt (so KPIs and units are the real ones). Faults:
`429` (Retry-After), `429ms` (retry-after-ms), `500`, `502`, `slow` (answers after `slow_seconds`),
`broken_body` (200 with a cut-off JSON body), `no_choices` (200 with an empty `choices` list),
`not_json` (prose content), `schema_invalid` (JSON
missing required sections), `truncated` (finish_reason "length"), `fenced` (valid JSON in ``` fences),
`alter_identity` (a valid profile whose title and unit path the model changed), `other_kpis` (other
KPIs than the data's), `no_usage` (no `usage`
object), `raw_control` (raw control characters inside a string), `400`, `401`, `402`, `403`, `404`;
`refuse_json_schema = True` answers like llama-cpp-python's server. `batch_shape` serves a Batch API
(see `tests/fake_batches.py`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from typing import Any

from tests.fake_batches import BatchService


def position_data(body: dict[str, Any]) -> dict[str, Any]:
    """The position data the client sent (the JSON after the data header of the first user message; the
    company's document sections come before it)."""
    user = next(m for m in body["messages"] if m["role"] == "user")["content"]
    return dict(json.loads(user[user.index("(JSON):\n") + len("(JSON):\n") :]))


def schema_of(body: dict[str, Any]) -> dict[str, Any]:
    """The answer schema the client sent: in `response_format`, or in the system prompt (`JSON Schema:`)."""
    response_format = body.get("response_format") or {}
    if "json_schema" in response_format:
        return dict(response_format["json_schema"]["schema"])
    if "schema" in response_format:
        return dict(response_format["schema"])
    system = next(m for m in body["messages"] if m["role"] == "system")["content"]
    return dict(json.loads(system[system.index("JSON Schema:\n") + len("JSON Schema:\n") :]))


def instance(schema: dict[str, Any], data: dict[str, Any], node: dict[str, Any] | None = None, name: str = "") -> Any:
    """A valid answer built from the schema alone, as a model following it would write (enums: their first
    values; arrays: their fewest items, at least one; levels: 3 where allowed)."""
    node = schema if node is None else node
    if "$ref" in node:
        return instance(schema, data, schema["$defs"][node["$ref"].rsplit("/", 1)[-1]], name)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {key: instance(schema, data, sub, f"{name} {key}".strip()) for key, sub in node["properties"].items()}
    if kind == "array":
        count = max(1, node.get("minItems", 0))
        count = min(count, node.get("maxItems", count))
        items = node["items"]
        if "enum" in items:
            return items["enum"][:count]
        return [instance(schema, data, items, f"{name} {n + 1}") for n in range(count)]
    if kind == "integer":
        return max(node.get("minimum", 0), min(3, node.get("maximum", 3)))
    if kind == "number":
        return 0.5
    return f"{name}: {data['title']} ({data['unit_path'][-1]})"


def profile_for(body: dict[str, Any]) -> dict[str, Any]:
    """A valid answer for the request: the schema's shape, the position's own words."""
    answer = instance(schema_of(body), position_data(body))
    assert isinstance(answer, dict)
    return answer


class FakeLLM:
    """Start with `with FakeLLM() as server:`; `server.base_url` goes to `--base-url`.

    An asyncio server on its own thread: many concurrent connections, keep-alive, no thread per request.
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.slow_seconds = 5.0
        self.retry_after = "1"
        self.cost_per_request: float | None = None
        self.always: str | None = None
        self.queue: list[str] = []  # faults for the next requests, any position
        self.by_title: dict[str, list[str]] = defaultdict(list)  # faults for a position's next requests
        self.requests: list[dict[str, Any]] = []
        # like llama-cpp-python's server: `json_schema` refused (HTTP 500 naming response_format), the
        # `{"type": "json_object", "schema": ...}` form accepted
        self.refuse_json_schema = False
        self.headers: list[dict[str, str]] = []
        self.batch_shape: str | None = None  # "openai" or "openrouter": serve that Batch API (else 404)
        self.batches = BatchService(self)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._port = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop.call_soon(self._loop.stop)

    def titles(self) -> list[str]:
        """The position title of every request received, in order."""
        return [position_data(r)["title"] for r in self.requests]

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        start = asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=512)
        self._server = self._loop.run_until_complete(start)
        self._port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _next_fault(self, title: str) -> str | None:
        with self._lock:
            if self.by_title.get(title):
                return self.by_title[title].pop(0)
            if self.queue:
                return self.queue.pop(0)
            return self.always

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                path, _, query = target.partition("?")
                headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                raw = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "POST" and path.endswith("/chat/completions"):
                    body = json.loads(raw)
                    with self._lock:
                        self.requests.append(body)
                        self.headers.append(headers)
                    status, payload, extra = await self._answer(body)
                elif "/batches" in path or "/files" in path:
                    with self._lock:
                        self.headers.append(headers)
                    status, payload, extra = await self.batches.handle(
                        method, path, dict(urllib.parse.parse_qsl(query)), headers, raw
                    )
                else:  # no /props or anything else: not a llama-server
                    status, payload, extra = 404, b"", {}
                reason = {200: "OK", 202: "Accepted", 404: "Not Found"}.get(status, "Error")
                out = [
                    f"HTTP/1.1 {status} {reason}",
                    "content-type: application/json",
                    f"content-length: {len(payload)}",
                    *(f"{k}: {v}" for k, v in extra.items()),
                ]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _answer(self, body: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        data = position_data(body)
        fault = self._next_fault(data["title"])
        if self.latency:
            await asyncio.sleep(self.latency)

        def error(
            status: int, message: str, headers: dict[str, str] | None = None
        ) -> tuple[int, bytes, dict[str, str]]:
            return status, json.dumps({"error": {"message": message, "code": status}}).encode(), headers or {}

        if self.refuse_json_schema and (body.get("response_format") or {}).get("type") == "json_schema":
            detail = {
                "type": "literal_error",
                "loc": ["body", "response_format", "type"],
                "msg": "Input should be 'text' or 'json_object'",
                "input": "json_schema",
            }
            return 500, json.dumps({"detail": [detail]}).encode(), {}
        if fault == "429":
            return error(429, "rate limited", {"retry-after": self.retry_after})
        if fault == "429ms":
            return error(429, "rate limited", {"retry-after-ms": "50"})
        if fault in ("400", "401", "402", "403", "404", "500", "502"):
            return error(int(fault), f"fault {fault}")
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        content = json.dumps(profile_for(body), ensure_ascii=False)
        finish = "stop"
        if fault == "not_json":
            content = "Конечно! Вот профиль должности: ..."
        elif fault == "schema_invalid":
            content = json.dumps({"position_title": data["title"], "category": "wizard"}, ensure_ascii=False)
        elif fault == "truncated":
            content, finish = content[: len(content) // 2], "length"
        elif fault == "fenced":
            content = f"```json\n{content}\n```"
        elif fault == "raw_control":  # a raw newline and tab inside a string, as some grammars let through
            altered = profile_for(body)
            text_key = [  # the last free text: the first ones may say only what company documents say
                k for k, v in schema_of(body)["properties"].items() if v.get("type") == "string" and "enum" not in v
            ][-1]
            altered[text_key] = "RAW-CONTROL"
            content = json.dumps(altered, ensure_ascii=False).replace("RAW-CONTROL", "строка\n\tвторая")
        elif fault == "alter_identity":  # the model writes the facts too, "improving" the title and the path
            altered = profile_for(body)
            altered["position_title"] = f"{data['title']} (CRM)"
            altered["unit"] = {"path": data["unit_path"][1:] or ["?"]}
            content = json.dumps(altered, ensure_ascii=False)
        elif fault == "other_kpis":  # the model writes KPIs of its own beside the fields it was asked for
            altered = profile_for(body)
            altered["kpis"] = [{"name": "Придуманный КПЭ", "target": "100", "unit": "%", "weight": 0.5}]
            content = json.dumps(altered, ensure_ascii=False)
        elif fault == "outside_enum":  # a value outside a field's list (a choice written in other words)
            altered = profile_for(body)
            key = next(k for k, v in schema_of(body)["properties"].items() if "enum" in v)
            altered[key] = "Что-то свое"
            content = json.dumps(altered, ensure_ascii=False)
        prompt_chars = sum(len(m["content"]) for m in body["messages"])
        usage: dict[str, Any] = {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": len(content) // 4,
            "total_tokens": prompt_chars // 4 + len(content) // 4,
        }
        if self.cost_per_request is not None:
            usage["cost"] = self.cost_per_request
        answer_usage = {} if fault == "no_usage" else {"usage": usage}
        payload = json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
                ],
                **answer_usage,
            },
            ensure_ascii=False,
        ).encode()
        if fault == "broken_body":
            payload = payload[: len(payload) // 2]
        if fault == "no_choices":
            payload = json.dumps({"id": "chatcmpl-fake", "object": "chat.completion", "choices": []}).encode()
        return 200, payload, {}


def main() -> None:
    """`python -m tests.fake_llm [LATENCY]`: serve until killed; prints the base URL."""
    import sys

    latency = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    with FakeLLM(latency) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
