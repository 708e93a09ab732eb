"""Downloader middlewares that keep one hostile or busy site from hurting us or the others.

- ``SiteGuardMiddleware``: follow-up fetches (full text, and every redirect they
  answer with) stay on the source's site; see ``newswatch.sites``.
- ``RetryAfterMiddleware``: a 429/503 with ``Retry-After`` is not retried within
  the pass; the spider records when the site may be asked again.
- ``SharedRobotsTxtMiddleware``: robots.txt fetched once per host per TTL for
  every crawler of the process (not once per source run), its size capped, and a
  failure to fetch it one log line, not a traceback. A second level shared by
  several processes can be set as ``NEWSWATCH_ROBOTS_SHARED``: an object whose
  ``async fetch(request, download)`` returns the robots.txt response, downloading
  it with ``download`` only when no other process has (workers/politeness.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, MutableMapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newswatch.sites import SitePolicy

log = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = (429, 503)
MAX_RETRY_AFTER = timedelta(days=1)
ROBOTS_TTL = 3600.0  # seconds
ROBOTS_MAX_SIZE = 500 * 1024  # bytes; as Google's crawler, a larger robots.txt is not read


class SiteGuardMiddleware:
    """Refuses requests whose ``meta["site_policy"]`` (a ``SitePolicy``) does not allow them."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        policy: SitePolicy | None = request.meta.get("site_policy")
        if policy is None:
            return
        reason = policy.refusal(request.url) or await _address_refusal(policy, request)
        if reason:
            if self.crawler.stats:
                self.crawler.stats.inc_value("newswatch/site_guard/refused")
            raise IgnoreRequest(f"not fetched: {reason}")


async def _address_refusal(policy: SitePolicy, request: Request) -> str | None:
    parts = urlparse_cached(request)
    host = parts.hostname or ""
    if policy.local_source or policy.allowed_host(host):
        return None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443)
    except OSError:
        return None  # the download itself will say that the name does not resolve
    return policy.address_refusal(host, [str(info[4][0]) for info in infos])


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """The moment a ``Retry-After`` header value (seconds or an HTTP date) names, at most a day after ``now``."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        moment = now + timedelta(seconds=max(0, int(text))) if text.isdigit() else parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return min(max(moment, now), now + MAX_RETRY_AFTER)


class RetryAfterMiddleware:
    """A 429/503 answer with ``Retry-After`` is final for this pass: Scrapy's retry must not ask again."""

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in RETRY_AFTER_STATUSES and response.headers.get(b"Retry-After"):
            request.meta["dont_retry"] = True
        return response


class RobotsCache(MutableMapping[str, Any]):
    """Parsed robots.txt per host for every crawler of the process, each entry kept ``ttl`` seconds.

    A crawler copies its settings deeply; the cache travels in them and must stay one object.
    """

    def __init__(self, ttl: float = ROBOTS_TTL) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Any]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> RobotsCache:
        return self

    def __getitem__(self, netloc: str) -> Any:
        stored, value = self._entries[netloc]
        if not isinstance(value, Deferred) and time.monotonic() - stored > self.ttl:
            del self._entries[netloc]
            raise KeyError(netloc)
        return value

    def __setitem__(self, netloc: str, value: Any) -> None:
        self._entries[netloc] = (time.monotonic(), value)

    def __delitem__(self, netloc: str) -> None:
        del self._entries[netloc]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, netloc: object) -> bool:
        try:
            self[netloc]  # type: ignore[index]
        except KeyError:
            return False
        return True


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware over a process-wide ``RobotsCache`` (setting ``NEWSWATCH_ROBOTS_CACHE``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cache = crawler.settings.get("NEWSWATCH_ROBOTS_CACHE")
        self._parsers = cache if cache is not None else RobotsCache()  # type: ignore[assignment]
        self._shared = crawler.settings.get("NEWSWATCH_ROBOTS_SHARED")

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            await self._fetch_robots(f"{url.scheme}://{netloc}/robots.txt", netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _fetch_robots(self, robots_url: str, netloc: str, request: Request) -> None:
        robots = Request(
            robots_url, priority=self.DOWNLOAD_PRIORITY, callback=NO_CALLBACK,
            meta={"dont_obey_robotstxt": True, "download_maxsize": ROBOTS_MAX_SIZE, "site_policy": None},
        )
        try:
            download = self.crawler.engine.download_async  # type: ignore[union-attr]
            response = await (download(robots) if self._shared is None else self._shared.fetch(robots, download))
            await self._parse_robots(response, netloc, request)
        except Exception as exc:  # no robots.txt to read: everything allowed, as Scrapy does
            if not isinstance(exc, IgnoreRequest):
                log.info("robots.txt of %s not read (%s): crawling as if it had none", netloc, exc or type(exc))
            self._robots_error(exc, netloc)
        self._stats.inc_value("robotstxt/request_count")
