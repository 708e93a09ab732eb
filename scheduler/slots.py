"""The concurrency limit of source runs: a FIFO of waiters that a shutdown turns away all at once.

``asyncio.Semaphore`` would do but for one thing at scale: each waiter that is cancelled takes
itself out of the waiters' deque (``deque.remove``, a linear search), so turning away 50,000 runs
queued for a slot took O(N²) — most of a 90 s SIGTERM at 50,000 sources. Here a cancelled waiter
stays in the deque until :meth:`Slots.give` meets it, and :meth:`Slots.close` answers every waiter
"no" in one pass.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Slots:
    """At most ``size`` holders at a time; the others wait, first come first served."""

    def __init__(self, size: int) -> None:
        self.free = size
        self.waiters: deque[asyncio.Future[bool]] = deque()
        self.closed = False

    async def take(self) -> bool:
        """Wait for a slot: True once held (then :meth:`give` it back), False when closed meanwhile."""
        if self.closed:
            return False
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return True
        granted = asyncio.get_running_loop().create_future()
        self.waiters.append(granted)
        try:
            return await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled() and granted.result():
                self.give()  # handed a slot, then cancelled before taking it: pass it on
            raise

    def give(self) -> None:
        """Give a slot back: to the first waiter still waiting, else to the pool."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self.free += 1

    def close(self) -> None:
        """Turn every waiter away (their take() returns False), and every later one."""
        self.closed = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(False)
