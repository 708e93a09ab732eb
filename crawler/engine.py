"""One long-lived Scrapy crawler per ``CrawlService``, to which source runs are handed as jobs.

The crawler is opened on the first job and kept open (its ``spider_idle`` raises
``DontCloseSpider``). A ``Job`` is one source run (its listing page, next pages,
failure reason, validators) or one full-text fetch: it makes its requests, counts
them open, and its future is resolved when the last one is done — its callback
or errback has run, or Scrapy dropped it (duplicate: a redirect loop; off the
source's site). What used to be per-crawler state is per job: the allowed hosts
(``JobGateMiddleware``), the duplicate filter (``JobDupeFilter``) and the counts
the failure reasons are read from. A job that ends (done, cancelled, or errored in
our code) drops what it still has in flight; the crawler serves the others.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.python.failure import Failure

from crawler.politeness import PoliteDownloadHandler

log = logging.getLogger(__name__)

Callback = Callable[..., None]
_ENGINES: weakref.WeakSet[CrawlEngine] = weakref.WeakSet()  # open in this process, closed by close_engines()


class _Ticket:
    """One logical request of a job; a redirect's new request carries the same ticket (meta is copied)."""

    __slots__ = ("callback", "errback", "open")

    def __init__(self, callback: Callback, errback: Callback) -> None:
        self.callback, self.errback, self.open = callback, errback, True


class Job:
    """One unit of work in the engine; ``done`` resolves when its last request is accounted for."""

    def __init__(self, fail: Callable[[str], None]) -> None:
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.fail, self.open = fail, 0
        self._crawl: Callable[[Request], None] | None = None  # the crawler's engine.crawl, set when it runs
        self.counts: Counter[str] = Counter()  # what Scrapy dropped for this job, by kind
        self.seen: set[bytes] = set()  # request fingerprints: the job's own duplicate filter
        self.downloads: set[asyncio.Future[Any]] = set()
        self.hosts: re.Pattern[str] | None = None  # any host, unless restricted

    def restrict(self, allowed_domains: Iterable[str]) -> None:
        """Requests (redirects, next pages) only to these domains and their subdomains, as Scrapy's offsite filter."""
        domains = [re.escape(d) for d in allowed_domains if d]
        self.hosts = re.compile(rf"^(.*\.)?({'|'.join(domains)})$") if domains else None

    @property
    def ended(self) -> bool:
        return self.done.done()

    def request(self, url: str, callback: Callback, errback: Callback, **kwargs: Any) -> Request:
        """A request of this job, counted open until its callback or errback ran or it was dropped."""
        meta = {**kwargs.pop("meta", {}), "job": self, "ticket": _Ticket(callback, errback)}
        request = Request(url, callback=self.on_response, errback=self.on_failure, meta=meta, **kwargs)
        self.open += 1
        return request

    def schedule(self, request: Request) -> None:
        """Hand a follow-up request (a next page) of this job to the crawler."""
        if self._crawl is None or self.ended:
            self.release(request.meta["ticket"])
            return
        self._crawl(request)

    def on_site(self, request: Request) -> bool:
        return self.hosts is None or bool(self.hosts.search(urlparse_cached(request).hostname or ""))

    def on_response(self, response: Response, **kwargs: Any) -> None:
        self._call(response.meta["ticket"], response, kwargs, response.url)

    def on_failure(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None:
            self._call(request.meta["ticket"], failure, {}, request.url)

    def _call(self, ticket: _Ticket, outcome: Response | Failure, kwargs: dict[str, Any], url: str) -> None:
        if not ticket.open or self.ended:
            return
        handler = ticket.callback if isinstance(outcome, Response) else ticket.errback
        try:
            handler(outcome, **kwargs)
        except Exception as exc:  # our fault, not the site's: this job fails, the engine goes on
            log.debug("handling %s failed", url, exc_info=True)
            self.fail(f"newswatch failed reading {url} ({type(exc).__name__}: {exc})")
        finally:
            self.release(ticket)

    def dropped(self, request: Request, kind: str) -> None:
        """Scrapy let ``request`` go without calling back (``kind`` names why, as its stats do)."""
        self.counts[kind] += 1
        self.release(request.meta["ticket"])

    def release(self, ticket: _Ticket) -> None:
        if ticket.open:
            ticket.open = False
            self.open -= 1
            if self.open <= 0:
                self.finish()

    def finish(self) -> None:
        if not self.done.done():
            self.done.set_result(None)
        self.abort()

    def abort(self) -> None:
        """Stop what the job still has in flight (its future is already resolved or cancelled)."""
        for download in list(self.downloads):
            download.cancel()


def job_of(request: Request) -> Job | None:
    return request.meta.get("job")


class EngineSpider(Spider):
    """The crawler's one spider: it starts nothing and never closes while its ``CrawlEngine`` is open."""

    name = "newswatch"

    def __init__(self, engine: CrawlEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine_owner = engine

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> EngineSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> Any:
        return
        yield  # an async generator with no start requests: jobs bring theirs

    def idle(self) -> None:
        self.engine_owner.idle()
        raise DontCloseSpider

    def request_dropped(self, request: Request) -> None:
        job = job_of(request)
        if job is not None:
            job.dropped(request, "dupefilter/filtered")


class JobDupeFilter(BaseDupeFilter):
    """Scrapy's duplicate filter, per job: pass 2 of a source may fetch what pass 1 did.

    Requests outside any job (the probe's own crawler) share one set, as with Scrapy's filter.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.fingerprinter = crawler.request_fingerprinter
        self.others: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        if request.dont_filter:
            return False
        job = job_of(request)
        seen = job.seen if job is not None else self.others
        fingerprint = self.fingerprinter.fingerprint(request)
        if fingerprint in seen:
            return True
        seen.add(fingerprint)
        return False


class JobGateMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter with each job's allowed hosts; requests of a job that ended go no further."""

    def should_follow(self, request: Request, spider: Spider) -> bool:
        job = job_of(request)
        return job is None or job.on_site(request)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        job = job_of(request)
        if job is not None and job.ended:
            raise IgnoreRequest("not fetched: the run has ended")
        try:
            super().process_request(request)
        except IgnoreRequest:
            if job is not None:  # at scheduling Scrapy drops it without an errback
                job.dropped(request, "offsite/filtered")
            raise


class Downloads:
    """Every download in flight in the process's engine, so closing it need not wait for slow sites."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Future[Any]] = set()
        self.closed = False

    def __deepcopy__(self, memo: dict[int, Any]) -> Downloads:
        return self

    def cancel_all(self) -> None:
        """Cancel what is in flight; what comes later is refused (the engine is closing)."""
        self.closed = True
        for task in list(self.tasks):
            task.cancel()


class JobDownloadHandler(PoliteDownloadHandler):
    """The polite HTTP handler, each download cancellable by its job (and by closing the engine)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.downloads: Downloads = crawler.settings.get("NEWSWATCH_DOWNLOADS") or Downloads()

    async def download_request(self, request: Request) -> Response:
        job = job_of(request)
        if self.downloads.closed or (job is not None and job.ended):
            raise IgnoreRequest("not fetched: the run has ended")
        task = asyncio.ensure_future(super().download_request(request))
        for group in (self.downloads.tasks, job.downloads if job is not None else None):
            if group is not None:
                group.add(task)
                task.add_done_callback(group.discard)
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            raise IgnoreRequest("not fetched: the run was cancelled") from None


class CrawlEngine:
    """One Scrapy crawler, opened on the first job and kept open until :meth:`close`."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.downloads: Downloads = settings.setdefault("NEWSWATCH_DOWNLOADS", Downloads())
        self.runner = AsyncCrawlerRunner(settings)
        self.jobs: set[Job] = set()
        self.served = 0  # jobs handed to the crawler
        self._crawler: Crawler | None = None
        self._opening: asyncio.Future[Crawler] | None = None
        self._crawl: asyncio.Task[None] | None = None
        self._closed = False
        _ENGINES.add(self)

    async def run(self, job: Job, requests: Iterable[Request]) -> None:
        """Hand ``job``'s first requests to the crawler; return when the job is done (cancel: it is dropped)."""
        crawler = await self._ready()
        self.jobs.add(job)
        self.served += 1
        job._crawl = crawler.engine.crawl  # type: ignore[union-attr]
        try:
            for request in requests:
                job.schedule(request)
            if job.open <= 0:
                job.finish()
            await job.done
        finally:
            self.jobs.discard(job)
            if not job.done.done():
                job.done.cancel()
            job.abort()

    async def _ready(self) -> Crawler:
        if self._closed:
            raise RuntimeError("the crawl engine is closed")
        if self._opening is None or (self._opening.done() and self._opening.exception() is not None):
            self._opening = asyncio.ensure_future(self._open())
        return await asyncio.shield(self._opening)

    async def _open(self) -> Crawler:
        crawler = self.runner.create_crawler(EngineSpider)
        opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._opened = opened
        crawler.signals.connect(self._engine_started, signal=signals.engine_started)
        self._crawl = self.runner.crawl(crawler, engine=self)
        self._crawl.add_done_callback(self._crawl_ended)
        await asyncio.wait({opened, self._crawl}, return_when=asyncio.FIRST_COMPLETED)
        if not opened.done():
            raise RuntimeError("the crawl engine did not start")
        self._crawler = crawler
        return crawler

    def _engine_started(self) -> None:
        """Scrapy's ``engine_started`` (a bound method: signals hold their receivers weakly)."""
        loop = type(asyncio.get_running_loop())
        log.debug("crawl engine opened: one Scrapy crawler serves the runs of this process (event loop %s.%s)",
                  loop.__module__, loop.__qualname__)
        if not self._opened.done():
            self._opened.set_result(None)

    def _crawl_ended(self, task: asyncio.Task[None]) -> None:
        """The crawler closed (we closed it, or it failed): its jobs end; the next job opens a new one."""
        self._opening, self._crawler = None, None
        log.debug("crawl engine closed after %d jobs", self.served)
        if not self._closed:
            log.warning("the crawl engine stopped unexpectedly; the next run starts a new one")
        for job in list(self.jobs):
            job.fail("the crawl engine stopped before the run ended")
            job.finish()

    def idle(self) -> None:
        """Nothing in flight at all: a job still open has lost track of a request; it ends with what it has."""
        for job in list(self.jobs):
            if job.open > 0:
                log.debug("a job ended at idle with %d requests unaccounted for", job.open)
                job.finish()

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    async def close(self) -> None:
        """Cancel every job and download in flight and close the crawler."""
        self._closed = True
        for job in list(self.jobs):
            job.done.cancel()
            job.abort()
        self.downloads.cancel_all()
        if not self.running:
            return
        if self._opening is not None and not self._opening.done():
            await asyncio.wait({self._opening})
        if self._crawler is not None:
            await self._crawler.stop_async()
        if self._crawl is not None:
            await asyncio.wait({self._crawl})

    @property
    def running(self) -> bool:
        return self._crawl is not None and not self._crawl.done()


async def close_engines() -> None:
    """Close every crawl engine of the process still open (the end of ``run_in_reactor``)."""
    for engine in list(_ENGINES):
        if engine.running:
            await engine.close()
