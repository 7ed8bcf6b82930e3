"""What a batch request cost: the provider's own figure, else tokens × prices × the batch discount."""

from __future__ import annotations

from typing import Any

from profilegen.generation.batch.api import BatchResult


def result_cost(result: BatchResult, prices: dict[str, float] | None, discount: float) -> tuple[int, int, float | None]:
    """Tokens and cost of one request of a batch: nothing for a request that was not answered."""
    if result.body is None:
        return 0, 0, 0.0
    return batch_cost(result.body.get("usage"), prices, discount)


def batch_cost(usage: Any, prices: dict[str, float] | None, discount: float) -> tuple[int, int, float | None]:
    """Tokens and cost of one answer: the provider's own cost, else tokens × prices × the batch discount."""
    if not isinstance(usage, dict):
        return 0, 0, None
    tokens_in, tokens_out = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    reported = usage.get("cost")
    if isinstance(reported, int | float) and not isinstance(reported, bool):
        return tokens_in, tokens_out, float(reported)
    if prices and "input" in prices and "output" in prices:
        return tokens_in, tokens_out, (tokens_in * prices["input"] + tokens_out * prices["output"]) * discount / 1e6
    return tokens_in, tokens_out, None


def add_cost(total: float | None, cost: float | None) -> float | None:
    return None if total is None or cost is None else total + cost
