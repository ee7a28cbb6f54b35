"""Bounded concurrency with a bounded queue: a request waits its turn, or is told to come back."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from tts.server.errors import ApiError

# What Retry-After says when the queue is full: a one-sentence request takes about this long.
RETRY_AFTER_S = 1


class Admission:
    """At most ``concurrency`` requests at work and ``queue`` waiting; more get a 429."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self.concurrency, self.queue = concurrency, queue
        self.active = 0
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def enter(self, timeout: float | None) -> None:
        """Take a place at work, waiting in the queue up to ``timeout`` seconds."""
        if self.active < self.concurrency and not self.waiting:
            self.active += 1
            return
        if len(self.waiting) >= self.queue:
            raise ApiError(429, f"the server is busy ({self.active} requests at work, "
                           f"{len(self.waiting)} waiting); retry after {RETRY_AFTER_S} s",
                           None, "rate_limit_exceeded", {"Retry-After": str(RETRY_AFTER_S)})
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), timeout)
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.leave()  # the place was handed over as the wait ended: give it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):
                    self.waiting.remove(turn)
            raise

    def leave(self) -> None:
        """Give the place to the next one waiting, or free it."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.active -= 1
