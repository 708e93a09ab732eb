"""Politeness per site for every crawler of the process, not per source run.

Each source run has a Scrapy crawler of its own, so Scrapy's per-domain slots
bound one crawler, not the site; and Scrapy 2.19 under the asyncio reactor was
measured exceeding ``CONCURRENT_REQUESTS_PER_DOMAIN`` even inside one crawler.
``PoliteDownloadHandler`` wraps Scrapy's HTTP/1.1 handler, the one place every
request goes through just before it reaches the network, and there asks the
process-wide ``HostLimiter`` (setting ``NEWSWATCH_HOST_LIMITER``) for a turn:

- at most ``per_domain`` requests in flight per host name (any port, any scheme);
- at least ``per_host_delay`` between two request starts on one host;
- a host that answered 429/503 with ``Retry-After`` is not asked again, by any
  source, before the moment it named.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.middlewares import RETRY_AFTER_STATUSES, retry_after
from newswatch.store import utcnow


class HostLimiter:
    """Turns per host for the whole process; travels in the settings, so a deep copy is itself."""

    def __init__(self, per_host: int, delay: float = 0.0) -> None:
        self.per_host, self.delay = per_host, delay
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self._not_before: dict[str, datetime] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> HostLimiter:
        return self

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's ``per_host`` slots, started at least ``delay`` after the previous start."""
        slot = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with slot:
            await self._space(host)
            yield

    async def _space(self, host: str) -> None:
        if self.delay <= 0:
            return
        while (wait := self._last_start.get(host, -self.delay) + self.delay - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        self._last_start[host] = time.monotonic()

    def defer(self, host: str, until: datetime) -> None:
        """The host asked not to be fetched before ``until``."""
        self._not_before[host] = max(until, self._not_before.get(host, until))

    def not_before(self, host: str) -> datetime | None:
        """When the host may be asked again, if it asked us to wait and that moment is still ahead."""
        until = self._not_before.get(host)
        if until is not None and until <= utcnow():
            del self._not_before[host]
            return None
        return until


def host_of(url_or_request: str | Request) -> str:
    """The key politeness is counted by: the host name, lower case."""
    if isinstance(url_or_request, Request):
        return (urlparse_cached(url_or_request).hostname or "").lower()
    from urllib.parse import urlsplit

    return (urlsplit(url_or_request).hostname or "").lower()


class PoliteDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, each download taking a turn from the process's ``HostLimiter``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        limiter = crawler.settings.get("NEWSWATCH_HOST_LIMITER")
        self.limiter: HostLimiter = limiter or HostLimiter(crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))

    async def download_request(self, request: Request) -> Response:
        host = host_of(request)
        until = self.limiter.not_before(host)
        if until is not None:
            raise IgnoreRequest(f"not fetched: {host} asked not to be fetched before {until:%Y-%m-%d %H:%M} UTC")
        async with self.limiter.turn(host):
            response = await super().download_request(request)
        self._note_retry_after(host, response)
        return response

    def _note_retry_after(self, host: str, response: Response) -> None:
        if response.status in RETRY_AFTER_STATUSES:
            value = response.headers.get(b"Retry-After")
            until = retry_after(value.decode("latin-1") if value else None, utcnow())
            if until is not None:
                self.limiter.defer(host, until)
