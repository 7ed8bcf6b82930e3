"""The feed that hands answered positions to the writer: batches, results in order, and a bounded backlog."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from profilegen.generation.feed import Feed


def test_a_feed_handles_what_gathered_in_batches_and_answers_each_caller() -> None:
    gate = threading.Event()
    batches: list[list[int]] = []

    def handle(batch: list[int]) -> list[int | BaseException]:
        gate.wait(10)
        batches.append(list(batch))
        return [ValueError(i) if i == 3 else i * 10 for i in batch]

    async def scenario() -> None:
        feed: Feed[int, int] = Feed(ThreadPoolExecutor(1), handle)
        puts = [asyncio.create_task(feed.put(0))]
        await asyncio.sleep(0.05)  # the first batch is under way (and waits at the gate)
        puts += [asyncio.create_task(feed.put(i)) for i in range(1, 5)]
        await asyncio.sleep(0.05)
        gate.set()
        results = await asyncio.gather(*puts, return_exceptions=True)
        feed.close()
        assert results[:3] == [0, 10, 20] and results[4] == 40
        assert isinstance(results[3], ValueError)

    asyncio.run(scenario())
    assert batches[0] == [0]  # the first goes at once; the rest gathered while it was handled, in one batch
    assert batches[1:] == [[1, 2, 3, 4]]


def test_a_feed_makes_its_callers_wait_for_room_while_it_holds_its_limit() -> None:
    """Answers come faster than they are written (an offline run): the workers wait, memory stays bounded."""
    gate = threading.Event()

    def handle(batch: list[int]) -> list[int | BaseException]:
        gate.wait(10)
        return list(batch)

    async def scenario() -> None:
        feed: Feed[int, int] = Feed(ThreadPoolExecutor(1), handle, limit=3)
        await feed.room()  # nothing held: room at once
        puts = [asyncio.create_task(feed.put(i)) for i in range(5)]
        await asyncio.sleep(0)
        assert feed.held == 5
        room = asyncio.create_task(feed.room())
        await asyncio.sleep(0.05)
        assert not room.done()  # five held, three allowed: the caller waits
        gate.set()
        await room
        assert feed.held < 3
        assert await asyncio.gather(*puts) == [0, 1, 2, 3, 4]
        assert feed.held == 0
        feed.close()

    asyncio.run(scenario())
