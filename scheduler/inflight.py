"""Work in flight on the daemon's loop: tracked so a shutdown can wait for it, then cancel it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)


class InFlight:
    """The tasks running source runs and delivery passes."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    @contextmanager
    def tracked(self) -> Iterator[None]:
        """Count the current task as work in flight while the block runs."""
        task = asyncio.current_task()
        assert task is not None, "tracked() needs a running task"
        self.tasks.add(task)
        try:
            yield
        finally:
            self.tasks.discard(task)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` in a task of its own, counted as work in flight."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def busy(self) -> set[asyncio.Task[Any]]:
        """The tasks not finished yet."""
        return {task for task in self.tasks if not task.done()}

    async def drain(self, grace: float, hurry: asyncio.Event, cancel_wait: float) -> None:
        """Wait up to ``grace`` seconds (or until ``hurry`` is set) for the work to end, then cancel the rest.

        Work started meanwhile (a delivery after a run) counts too. Cancelled
        tasks get ``cancel_wait`` seconds to record their cancellation.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        hurried = asyncio.ensure_future(hurry.wait())
        try:
            while (busy := self.busy()) and not hurry.is_set() and deadline > loop.time():
                # One waiter for all of them, not a wake-up per finished task over all the rest (O(N²) at N = 50,000)
                everything = asyncio.ensure_future(asyncio.wait(busy))
                await asyncio.wait({everything, hurried}, timeout=deadline - loop.time(),
                                   return_when=asyncio.FIRST_COMPLETED)
                everything.cancel()
        finally:
            hurried.cancel()
        busy = self.busy()
        if busy:
            log.warning("cancelling %d runs/delivery passes still in flight", len(busy))
            for task in busy:
                task.cancel()
            await asyncio.wait(busy, timeout=cancel_wait)
