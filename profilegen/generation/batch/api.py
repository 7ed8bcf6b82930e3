"""Provider Batch APIs in two shapes: OpenAI's (a JSONL file, then a batch) and OpenRouter's (inline requests).

Both give the same thing back: a `BatchInfo` when submitting or polling, and one `BatchResult` per
request once the batch has ended.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from profilegen.errors import InputError, ProviderAbort, RunAborted
from profilegen.generation.providers.retry import ABORT_STATUSES, status_of

if TYPE_CHECKING:
    from openai import OpenAI

    from profilegen.config import Settings

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
ENDED = frozenset({"completed", "expired", "cancelled", "failed"})
MAX_FILE_BYTES = 190_000_000  # OpenAI takes 200 MB a file: room to spare
NO_BATCH_API = "this server has no Batch API; run without --batch"


class BatchNotFound(RunAborted):
    """A batch id the server does not know (another server, or one that forgot it)."""


class SubmissionLost(RunAborted):
    """A batch creation whose answer never came (a gateway error, a timeout): the provider may hold it."""


@dataclass(slots=True)
class BatchInfo:
    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    usage: dict[str, Any] | None = None
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.status in ENDED


@dataclass(slots=True)
class BatchResult:
    """One request's outcome: the chat completion (``body``) or why there is none (``error``)."""

    custom_id: str
    body: dict[str, Any] | None
    error: str | None = None
    status_code: int | None = None


class BatchApi(Protocol):
    shape: str

    def submit(self, requests: Sequence[tuple[str, dict[str, Any]]], tag: str) -> BatchInfo: ...

    def poll(self, batch_id: str) -> BatchInfo: ...

    def results(self, info: BatchInfo) -> Iterator[BatchResult]: ...

    def cancel(self, batch_id: str) -> BatchInfo: ...

    def find(self, tag: str, model: str, total: int, since: float) -> BatchInfo | None: ...


def choose_shape(batch_api: str, base_url: str) -> str:
    """`auto`: OpenRouter's shape for OpenRouter's API, OpenAI's for every other server."""
    if batch_api != "auto":
        return batch_api
    return "openrouter" if "openrouter.ai" in base_url else "openai"


def batch_api(shape: str, base_url: str, api_key: str, model: str, timeout: float = 600.0) -> BatchApi:
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key=api_key, max_retries=4, timeout=timeout)
    if shape == "openrouter":
        return OpenRouterBatches(client, model)
    return OpenAIBatches(client, model)


def api_for(settings: Settings, api_key: str, model: str) -> BatchApi:
    """The Batch API of the configured server, in the shape `batch_api` says (auto: by the base URL)."""
    shape = choose_shape(settings.batch_api, settings.base_url)
    return batch_api(shape, settings.base_url, api_key, model, settings.request_timeout)


def split(requests: Sequence[tuple[str, dict[str, Any]]], max_requests: int) -> list[list[tuple[str, dict[str, Any]]]]:
    """Chunks within a batch's limits: at most ``max_requests`` requests and MAX_FILE_BYTES of JSONL."""
    chunks: list[list[tuple[str, dict[str, Any]]]] = [[]]
    size = 0
    for request in requests:
        line = len(json.dumps(request[1], ensure_ascii=False).encode()) + 200
        if chunks[-1] and (len(chunks[-1]) >= max_requests or size + line > MAX_FILE_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(request)
        size += line
    return [c for c in chunks if c]


@contextlib.contextmanager
def _calling(what: str) -> Iterator[None]:
    """Turn the SDK's errors into ours: a missing route is exit 2, a refused key or model stops the run."""
    try:
        yield
    except (InputError, RunAborted):
        raise
    except Exception as exc:
        status = status_of(exc)
        detail = _detail(exc)
        if status == 404 and "model" not in detail.lower():
            if what in ("poll", "results", "cancel"):
                raise BatchNotFound(f"the server does not know this batch (HTTP 404: {detail})") from None
            raise InputError(NO_BATCH_API) from None
        if status in ABORT_STATUSES:
            raise ProviderAbort(ABORT_STATUSES[status], f"HTTP {status}: {detail}") from None
        if status == 405:
            raise InputError(f"{NO_BATCH_API} (HTTP 405: {detail})") from None
        where = f"HTTP {status}: {detail}" if status else f"{type(exc).__name__}: {detail}"
        if what == "create":
            raise SubmissionLost(f"the answer to the batch submission was lost ({where})") from None
        raise RunAborted(f"batch {what} failed: {where}") from None


def _detail(exc: BaseException) -> str:
    body: Any = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        text = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    else:
        text = str(body) if body is not None else str(exc)
    return " ".join(text.split())[:300]


def _info(data: dict[str, Any]) -> BatchInfo:
    counts = data.get("request_counts") or {}
    error = data.get("error") or data.get("errors")
    if isinstance(error, dict):
        items = error.get("data")
        error = items[0].get("message") if isinstance(items, list) and items else error.get("message")
    return BatchInfo(
        id=str(data["id"]),
        status=str(data.get("status") or "validating"),
        total=int(counts.get("total") or 0),
        completed=int(counts.get("completed") or 0),
        failed=int(counts.get("failed") or 0),
        output_file_id=data.get("output_file_id"),
        error_file_id=data.get("error_file_id"),
        usage=data.get("usage") if isinstance(data.get("usage"), dict) else None,
        error=str(error) if error else None,
        raw=data,
    )


def _result(line: dict[str, Any]) -> BatchResult:
    """A result line in either shape: `{custom_id, response: {status_code, body}, error}`."""
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    error = line.get("error")
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error, ensure_ascii=False)
    if isinstance(status, int) and status >= 400:
        detail = body.get("error", body) if isinstance(body, dict) else body
        message = detail.get("message") if isinstance(detail, dict) else detail
        return BatchResult(str(line.get("custom_id")), None, f"HTTP {status}: {message}", status)
    if error or not isinstance(body, dict):
        return BatchResult(str(line.get("custom_id")), None, str(error or "no answer"), status)
    return BatchResult(str(line.get("custom_id")), body, None, status)


class _Batches:
    """One server's Batch API through the openai client (its auth, retries and error types)."""

    def __init__(self, client: OpenAI, model: str) -> None:
        self.client = client
        self.model = model


class OpenAIBatches(_Batches):
    """`POST /files` (purpose batch), `POST /batches`, `GET /batches/{id}`, file contents for results."""

    shape = "openai"

    def submit(self, requests: Sequence[tuple[str, dict[str, Any]]], tag: str) -> BatchInfo:
        lines = (
            json.dumps({"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body}, ensure_ascii=False)
            for cid, body in requests
        )
        data = ("\n".join(lines) + "\n").encode("utf-8")
        with _calling("submit"):  # an upload sent twice is a spare file, not a second bill
            uploaded = self.client.files.create(file=("profilegen-batch.jsonl", data), purpose="batch")
        with _calling("create"):  # never retried by the SDK: a second try may be a second batch, paid twice
            batch = self.client.with_options(max_retries=0).batches.create(
                input_file_id=uploaded.id,
                endpoint=ENDPOINT,
                completion_window="24h",
                metadata={"profilegen": tag},
            )
        return _info(batch.model_dump())

    def poll(self, batch_id: str) -> BatchInfo:
        with _calling("poll"):
            return _info(self.client.batches.retrieve(batch_id).model_dump())

    def results(self, info: BatchInfo) -> Iterator[BatchResult]:
        for file_id in (info.output_file_id, info.error_file_id):
            if not file_id:
                continue
            with _calling("results"):
                text = self.client.files.content(file_id).text
            for line in text.splitlines():
                if line.strip():
                    yield _result(json.loads(line))

    def cancel(self, batch_id: str) -> BatchInfo:
        with _calling("cancel"):
            return _info(self.client.batches.cancel(batch_id).model_dump())

    def find(self, tag: str, model: str, total: int, since: float) -> BatchInfo | None:
        with _calling("list"):
            for batch in self.client.batches.list(limit=100):
                data = batch.model_dump()
                if (data.get("metadata") or {}).get("profilegen") == tag:
                    return _info(data)
                if float(data.get("created_at") or 0) < since - 60:
                    break
        return None


class OpenRouterBatches(_Batches):
    """`POST /batches` with the requests inline, `GET /batches/{id}`, cursor-paged `GET /batches/{id}/results`."""

    shape = "openrouter"

    def submit(self, requests: Sequence[tuple[str, dict[str, Any]]], tag: str) -> BatchInfo:
        # endpoint and model before the requests: OpenRouter reads the body as a stream
        body = {
            "endpoint": ENDPOINT,
            "model": self.model,
            "requests": [{"custom_id": cid, "body": request} for cid, request in requests],
        }
        with _calling("create"):  # never retried by the SDK: a second try may be a second batch, paid twice
            data = self.client.with_options(max_retries=0).post("/batches", cast_to=object, body=body)
        return _info(_object(data))

    def poll(self, batch_id: str) -> BatchInfo:
        with _calling("poll"):
            return _info(_object(self.client.get(f"/batches/{batch_id}", cast_to=object)))

    def results(self, info: BatchInfo) -> Iterator[BatchResult]:
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            with _calling("results"):
                page = _object(
                    self.client.get(f"/batches/{info.id}/results", cast_to=object, options={"params": params})
                )
            for line in page.get("data") or []:
                yield _result(line)
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return

    def cancel(self, batch_id: str) -> BatchInfo:
        with _calling("cancel"):
            return _info(_object(self.client.delete(f"/batches/{batch_id}", cast_to=object)))

    def find(self, tag: str, model: str, total: int, since: float) -> BatchInfo | None:
        """No metadata to match: the batch of this model and size created since the submission began."""
        with _calling("list"):
            page = _object(self.client.get("/batches", cast_to=object, options={"params": {"limit": 100}}))
        for data in page.get("data") or []:
            info = _info(data)
            if data.get("model") == model and info.total == total and float(data.get("created_at") or 0) >= since - 5:
                return info
        return None


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RunAborted(f"the batch API answered with {type(data).__name__}, not a JSON object")
    return data
