"""Work handed from the event loop to one thread or process in batches: whatever gathered while the last
batch was under way goes next, in one call (one commit, one round trip), and the loop never waits on it.
A feed with a limit holds at most about that many items: producers faster than the handler (an offline run
answers at once) wait for ``room()`` instead of piling answers up in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Feed(Generic[Item, Result]):
    """``handle`` runs in ``executor`` on a list of items and gives one result (or exception) per item."""

    def __init__(
        self,
        executor: Executor,
        handle: Callable[[list[Item]], list[Result | BaseException]],
        limit: int | None = None,
    ) -> None:
        self.executor = executor
        self._handle = handle
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._draining: asyncio.Task[None] | None = None
        self.limit = limit
        self.held = 0  # items put and not yet handled
        self._room = asyncio.Event()

    async def room(self) -> None:
        """Return once the feed holds fewer items than its limit."""
        while self.limit is not None and self.held >= self.limit:
            self._room.clear()
            await self._room.wait()

    def _handled(self, _: object) -> None:
        self.held -= 1
        self._room.set()

    async def put(self, item: Item) -> Result:
        """``item`` handled; once handed over it is handled even if the caller is cancelled meanwhile."""
        loop = asyncio.get_running_loop()
        handled: asyncio.Future[Result] = loop.create_future()
        self.held += 1
        handled.add_done_callback(self._handled)
        self._waiting.append((item, handled))
        if self._draining is None:
            self._draining = loop.create_task(self._drain())
        try:
            return await asyncio.shield(handled)
        except asyncio.CancelledError:
            await handled
            raise

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                results: list[Result | BaseException]
                try:
                    # submitted from a helper thread: a process pool's first submission waits for its process
                    # to start and read what it is started with (a pipe's worth and more)
                    submitted = await loop.run_in_executor(
                        None, self.executor.submit, self._handle, [i for i, _ in batch]
                    )
                    results = await asyncio.wrap_future(submitted)
                except Exception as exc:  # the executor itself failed (a process that could not start)
                    results = [exc] * len(batch)
                for (_, handled), result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        handled.set_exception(result)
                    else:
                        handled.set_result(result)
        finally:
            self._draining = None

    def close(self) -> None:
        self.executor.shutdown(wait=True)
