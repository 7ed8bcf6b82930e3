"""The Batch APIs of the loopback server, in OpenAI's shape or OpenRouter's (`FakeLLM.batch_shape`).

OpenAI: `POST /v1/files` (multipart, purpose batch), `GET /v1/files/{id}/content`, `POST /v1/batches`
(input_file_id), `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel`, `GET /v1/batches`.
OpenRouter: `POST /v1/batches` (inline `requests`, 202), `GET /v1/batches/{id}`, cursor-paged
`GET /v1/batches/{id}/results`, `DELETE /v1/batches/{id}`, `GET /v1/batches`.

A batch is `validating` when created, `in_progress` at its first poll and ends at poll `steps`:
`completed`, or by `outcome` `expired_half` (half answered), `failed` (none). Each request is answered
by the chat-completions fake itself, so its faults (by title or queue) apply inside batches.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fake_llm import FakeLLM

Reply = tuple[int, bytes, dict[str, str]]
ENDED = {"completed", "expired", "failed", "cancelled"}


def _json(status: int, data: Any) -> Reply:
    return status, json.dumps(data, ensure_ascii=False).encode(), {}


def _missing() -> Reply:
    return _json(404, {"error": {"message": "Not Found", "code": 404}})


def _multipart_file(body: bytes, content_type: str) -> bytes:
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            return content.removesuffix(b"\r\n")
    raise ValueError("no file part")


class BatchService:
    def __init__(self, server: FakeLLM) -> None:
        self.server = server
        self.steps = 2
        self.outcome = "completed"
        self.create_delay = 0.0  # seconds the create answer waits after the batch exists (a kill window)
        self.page_size = 100
        self.create_error: int | None = None  # answer submissions with this status (401, 402, ...)
        self.poll_error: int | None = None  # answer every poll with this status (a provider outage)
        self.page_delay = 0.0  # seconds before every results page after the first (a kill window)
        self.create_lost = 0  # this many creations store the batch, then answer 502 (a gateway lost the answer)
        self.unlisted = False  # the batch list shows nothing (a provider slow to list what it just stored)
        self.stray_results = False  # results also repeat one custom_id and carry one never sent, both with usage
        self.calls: Counter[str] = Counter()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.results: dict[str, list[dict[str, Any]]] = {}

    async def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply:
        shape = self.server.batch_shape
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "v1":
            parts = parts[1:]
        if shape is None or not parts or parts[0] not in ("files", "batches"):
            return _missing()
        if self.create_error and method == "POST" and len(parts) == 1:
            return _json(self.create_error, {"error": {"message": f"fault {self.create_error}"}})
        self.calls[
            f"{method} /{parts[0]}{'/…' if len(parts) > 1 else ''}{'/' + parts[2] if len(parts) > 2 else ''}"
        ] += 1
        if parts[0] == "files":
            if shape != "openai":
                return _missing()
            if method == "POST" and len(parts) == 1:
                data = _multipart_file(body, headers.get("content-type", ""))
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = data
                return _json(
                    200,
                    {
                        "id": file_id,
                        "object": "file",
                        "bytes": len(data),
                        "created_at": int(time.time()),
                        "filename": "batch.jsonl",
                        "purpose": "batch",
                        "status": "processed",
                    },
                )
            if method == "GET" and len(parts) == 3 and parts[2] == "content" and parts[1] in self.files:
                return 200, self.files[parts[1]], {"content-type": "application/jsonl"}
            return _missing()
        if len(parts) == 1 and method == "POST":
            return await self._create(shape, json.loads(body))
        if len(parts) == 1 and method == "GET":
            newest = sorted(self.batches.values(), key=lambda b: b["created_at"], reverse=True)
            if self.unlisted:
                newest = []
            return _json(200, {"object": "list", "data": newest, "has_more": False})
        batch = self.batches.get(parts[1])
        if batch is None:
            return _missing()
        if len(parts) == 2 and method == "GET":
            if self.poll_error:
                return _json(self.poll_error, {"error": {"message": "upstream unavailable"}})
            await self._advance(batch)
            return _json(200, batch)
        if (shape == "openai" and method == "POST" and parts[2:] == ["cancel"]) or (
            shape == "openrouter" and method == "DELETE" and len(parts) == 2
        ):
            if batch["status"] not in ENDED:
                batch["status"] = "cancelling"
            return _json(200, batch)
        if shape == "openrouter" and method == "GET" and parts[2:] == ["results"]:
            lines = self.results.get(batch["id"], [])
            start = int(query.get("cursor") or 0)
            if start and self.page_delay:
                await asyncio.sleep(self.page_delay)
            page = lines[start : start + self.page_size]
            more = start + self.page_size < len(lines)
            return _json(
                200,
                {
                    "object": "list",
                    "data": page,
                    "has_more": more,
                    "next_cursor": str(start + self.page_size) if more else None,
                },
            )
        return _missing()

    async def _create(self, shape: str, data: dict[str, Any]) -> Reply:
        if shape == "openai":
            lines = self.files[data["input_file_id"]].decode().splitlines()
            requests = [(r["custom_id"], r["body"]) for r in map(json.loads, filter(None, lines))]
        else:
            if list(data)[:2] != ["endpoint", "model"]:  # OpenRouter reads the body as a stream
                return _json(400, {"error": {"message": "endpoint and model must come before requests"}})
            requests = [(r["custom_id"], r["body"]) for r in data["requests"]]
        batch_id = f"batch_{len(self.batches) + 1:04d}"
        self.requests[batch_id] = requests
        batch: dict[str, Any] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": data.get("endpoint", "/v1/chat/completions"),
            "model": data.get("model") or (requests[0][1].get("model") if requests else None),
            "input_file_id": data.get("input_file_id", ""),
            "completion_window": "24h",
            "status": "validating",
            "created_at": int(time.time()),
            "request_counts": {"total": len(requests), "completed": 0, "failed": 0},
            "metadata": data.get("metadata"),
            "output_file_id": None,
            "error_file_id": None,
            "polls": 0,
        }
        self.batches[batch_id] = batch
        if self.create_delay:
            await asyncio.sleep(self.create_delay)
        if self.create_lost:
            self.create_lost -= 1
            return _json(502, {"error": {"message": "Bad gateway: upstream answer lost"}})
        return _json(202 if shape == "openrouter" else 200, batch)

    async def _advance(self, batch: dict[str, Any]) -> None:
        if batch["status"] in ENDED:
            return
        batch["polls"] += 1
        if batch["status"] == "cancelling":
            await self._finish(batch, "cancelled", half=True)
        elif batch["polls"] >= self.steps:
            if self.outcome == "failed":
                batch.update(status="failed", errors={"data": [{"message": "input validation failed"}]})
                batch["error"] = {"message": "input validation failed"}
            else:
                await self._finish(
                    batch,
                    "expired" if self.outcome == "expired_half" else "completed",
                    half=self.outcome == "expired_half",
                )
        else:
            batch["status"] = "in_progress"

    async def _finish(self, batch: dict[str, Any], status: str, half: bool) -> None:
        requests = self.requests[batch["id"]]
        answered = requests[: len(requests) // 2] if half else requests
        good: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        for i, (cid, body) in enumerate(answered):
            self.server.requests.append(body)
            code, payload, _ = await self.server._answer(body)
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {"error": {"message": "broken"}}
                code = 500
            line = {
                "id": f"req_{i}",
                "custom_id": cid,
                "response": {"status_code": code, "request_id": f"r{i}", "body": answer},
                "error": None,
            }
            (good if code < 400 else bad).append(line)
            for k in usage:
                usage[k] += int((answer.get("usage") or {}).get(k) or 0)
        if self.stray_results and good:
            stray = json.loads(json.dumps(good[0]))
            stray["custom_id"] = "pg-" + "0" * 32  # never sent
            good += [json.loads(json.dumps(good[0])), stray]  # a repeat, and a stranger
        batch.update(
            status=status,
            usage=usage,
            request_counts={"total": len(requests), "completed": len(good), "failed": len(bad)},
        )
        if self.server.batch_shape == "openai":
            for name, lines in (("output_file_id", good), ("error_file_id", bad)):
                if lines:
                    file_id = f"file-{len(self.files) + 1}"
                    self.files[file_id] = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
                    batch[name] = file_id
        else:
            self.results[batch["id"]] = good + bad
