"""The bounded pool where parsing, extraction and scoring run, off the event loop.

A large letter takes seconds to read; on the event loop it would stall every other client, health
checks included. Here it takes one of `threads` threads, and at most `max_queued` more requests wait
for one; past that, a request gets 503 with Retry-After instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import HTTPException, status

R = TypeVar("R")


class ScoringPool:
    """`await pool.run(fn, *args)`: `fn(*args)` in a worker thread, or 503 when too many wait."""

    def __init__(self, threads: int, max_queued: int) -> None:
        self.threads = threads
        self.max_queued = max_queued
        self._executor: ThreadPoolExecutor | None = None  # made on first use, again after shutdown
        self._in_flight = 0  # changed on the event loop only

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        if self._in_flight >= self.threads + self.max_queued:
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"server busy: {self._in_flight} scoring requests in progress; retry shortly",
                headers={"Retry-After": "1"},
            )
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="imr-score")
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args))
        finally:
            self._in_flight -= 1

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
