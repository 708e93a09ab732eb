"""Scrapy's downloader with its per-slot concurrency actually enforced under the asyncio reactor.

Scrapy 2.19's ``Downloader._process_queue`` pops queued requests while ``slot.free_transfer_slots() > 0``
and schedules each download with ``_schedule_coro``; under the asyncio reactor that is ``loop.create_task``,
so the request joins ``slot.transferring`` only when the task first runs, after the loop has emptied the
whole queue. ``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` then let 15 requests onto one host at once. (Under
Twisted's default reactor ``Deferred.fromCoroutine`` runs the coroutine at once and the count holds.)
Here a request is counted as transferring the moment it leaves the queue.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PerSiteDownloader(Downloader):
    """Counts a request against its slot when it is dequeued, not when its download task starts."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay and delay - now + slot.lastseen > 0:
            slot.latercall = call_later(delay - now + slot.lastseen, self._latercall, slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # reserved now; Scrapy's own add in _download is then a no-op
            _schedule_coro(self._reserved_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

    async def _reserved_download(self, slot: Slot, request: Any, queue_dfd: Any) -> None:
        try:
            await self._wait_for_download(slot, request, queue_dfd)
        finally:
            if request in slot.transferring:  # freed by _download normally; here if it never started
                slot.transferring.discard(request)
                self._process_queue(slot)
