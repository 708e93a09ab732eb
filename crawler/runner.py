"""Running crawls in one long-lived process: the asyncio reactor and one crawl engine per ``CrawlService``.

``run_in_reactor`` is the process's one event loop: Twisted's asyncio reactor
drives asyncio, so Scrapy crawls, APScheduler's AsyncIOScheduler and our own
coroutines share it. A ``CrawlService`` keeps one Scrapy crawler open
(``crawler.engine.CrawlEngine``) and hands it every source run and full-text
fetch as a job.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from scrapy.utils.log import configure_logging
from scrapy.utils.reactor import install_reactor

from crawler import limits
from crawler.engine import CrawlEngine, Job, close_engines
from crawler.politeness import HostLimiter, host_of
from crawler.settings import ASYNCIO_REACTOR, EVENT_LOOP, scrapy_settings
from crawler.spiders.article import ArticleSpider
from crawler.spiders.base import ListingSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.html import HtmlSpider
from newswatch.config import CrawlerConfig, SourceConfig
from newswatch.model import CrawlResult, SourceState
from newswatch.store import utcnow

T = TypeVar("T")
log = logging.getLogger(__name__)


def run_in_reactor(main: Callable[[], Awaitable[T]]) -> T:
    """Install the asyncio reactor, run ``main()`` to completion on it, return its result.

    Call once per process (a reactor cannot restart); everything else runs inside ``main``.
    """
    install_reactor(ASYNCIO_REACTOR, EVENT_LOOP)
    limits.install()
    configure_logging({"LOG_INSTALL_ROOT_HANDLER": False})
    quiet = logging.getLogger().level > logging.DEBUG
    for name, level in (("scrapy", logging.WARNING), ("twisted", logging.ERROR), ("filelock", logging.WARNING),
                        # "Gave up retrying": the run's own line says why it failed, in words.
                        ("scrapy.downloadermiddlewares.retry", logging.CRITICAL if quiet else logging.DEBUG)):
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLineFilter) for f in handler.filters):
            handler.addFilter(OneLineFilter())
    from twisted.internet import reactor

    outcome: dict[str, Any] = {}

    async def wrapper() -> None:
        try:
            outcome["value"] = await main()
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc
        finally:
            await close_engines()  # the crawlers kept open for the process's runs
            reactor.callLater(0, reactor.stop)  # type: ignore[attr-defined]

    reactor.callWhenRunning(lambda: outcome.setdefault("task", asyncio.ensure_future(wrapper())))  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class OneLineFilter(logging.Filter):
    """Scrapy's and Twisted's records as one line: a site's fault is never a traceback in the user's log.

    The reason of every failure is recorded by the spiders in words; what Scrapy or Twisted log
    besides is kept as its first line. At ``--log-level debug`` tracebacks are kept, for developers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(_FRAMEWORKS) or logging.getLogger().level <= logging.DEBUG:
            return True
        message = record.getMessage()
        lines = [line.rstrip() for line in message.splitlines() if line.strip()] or [""]
        first = lines[-1] if lines[0].startswith("Traceback") else lines[0]
        if record.exc_info and record.exc_info[1] is not None and "Traceback" not in first:
            first = f"{first} ({record.exc_info[1]})" if str(record.exc_info[1]) not in first else first
        record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = first, None, None, None, None
        return True


_FRAMEWORKS = ("scrapy", "twisted", "py.warnings")


SPIDERS: dict[str, type[ListingSpider]] = {kind.name: kind for kind in (HtmlSpider, FeedSpider)}


def _dropped_reason(counts: Counter[str], url: str) -> str:
    """Why a run ended without any response, from what Scrapy dropped for its job.

    (A listing page forbidden by robots.txt reaches the errback and says so there.)
    """
    if counts["offsite/filtered"]:
        return f"redirected off the source's site (add the host to allow_hosts to follow): {url}"
    if counts["dupefilter/filtered"]:
        return f"redirect loop: {url}"
    return f"no response from {url} (too many redirects or a dropped request)"


class CrawlService:
    """Fetches sources with one long-lived Scrapy crawler; ``fetch`` is the core pipeline's ``Fetch``."""

    def __init__(self, crawler: CrawlerConfig, shared: Mapping[str, Any] | None = None) -> None:
        """``shared``: settings over the defaults (a crawl worker's politeness shared through Redis, see workers/)."""
        settings = {**scrapy_settings(crawler), **(shared or {})}
        self.limiter: HostLimiter = settings["NEWSWATCH_HOST_LIMITER"]
        self.max_size = crawler.max_size
        self.engine = CrawlEngine(settings)
        self._retired = False
        self._closing: asyncio.Future[None] | None = None

    async def fetch(self, source: SourceConfig, state: SourceState) -> CrawlResult:
        """Crawl ``source`` once and return what it produced (never raises for a site's fault)."""
        result = CrawlResult(source.name, started=utcnow())
        if self._host_asked_to_wait(source, result):
            return result
        try:
            await self._run(source, state, result)
        except Exception as exc:  # our fault, not the site's: this run fails in words, the engine goes on
            log.debug("source %s: crawl failed", source.name, exc_info=True)
            result.fail(f"newswatch could not crawl {source.url} ({type(exc).__name__}: {exc})")
        result.finished = utcnow()
        return result

    async def _run(self, source: SourceConfig, state: SourceState, result: CrawlResult) -> None:
        job = Job(result.fail)
        spider = SPIDERS[source.type](source, state, result, job, self.max_size)
        job.restrict(spider.allowed_domains())
        try:
            await self.engine.run(job, spider.first_requests())
        finally:
            self._close_if_retired()
        if result.pages == 0 and result.status != "failed":
            result.fail(_dropped_reason(job.counts, source.url))

    def _host_asked_to_wait(self, source: SourceConfig, result: CrawlResult) -> bool:
        """True (and ``result`` failed, with when to come back) if the source's host answered another source
        with ``Retry-After`` and that moment is still ahead."""
        host = host_of(source.url)
        until = self.limiter.not_before(host)
        if until is None:
            return False
        result.retry_after, result.finished = until, utcnow()
        result.fail(f"not fetched: {host} asked not to be fetched again before {until:%Y-%m-%d %H:%M} UTC "
                    "(Retry-After, answered to another source on that host)")
        return True

    async def fetch_bodies(self, source: SourceConfig, links: list[str], skipped: Counter[str]) -> dict[str, str]:
        """Main text of each article page in ``links`` (pages that fail are left out; links not fetched counted)."""
        texts: dict[str, str] = {}
        job = Job(lambda reason: log.info("source %s: full text: %s", source.name, reason))
        try:
            await self.engine.run(job, ArticleSpider(source, links, texts, skipped, job).first_requests())
        finally:
            self._close_if_retired()
        return texts

    @property
    def busy(self) -> bool:
        """True while a run or full-text fetch is in flight."""
        return self.engine.busy

    def retire(self) -> None:
        """No new work will come (a reload replaced this service): close the crawler once the last job ends."""
        self._retired = True
        self._close_if_retired()

    def _close_if_retired(self) -> None:
        if self._retired and not self.engine.busy and self._closing is None:
            self._closing = asyncio.ensure_future(self.engine.close())

    async def stop(self) -> None:
        """Cancel every crawl in flight and close the crawler."""
        await self.engine.close()
