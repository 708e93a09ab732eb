"""The contract every source kind implements, and what they share.

A spider is created per source run with the source's config, its stored
state, the ``CrawlResult`` to fill and its ``Job`` in the crawl engine. It fetches
the source URL (conditional GET when it has validators), follows up to ``pages``
pages, and adds each page's ``ListingPage`` (its core ``ListedArticle`` objects and
ticker texts) to the result: no Scrapy item at all. Faults never raise: they
mark the result failed with a reason a user can act on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.engine import Job
from crawler.failures import describe_failure
from crawler.items import ListingPage
from crawler.middlewares import RETRY_AFTER_STATUSES, retry_after
from newswatch.config import SourceConfig
from newswatch.links import LinkFilter
from newswatch.model import CrawlResult, ListedArticle, SourceState, Validators
from newswatch.store import utcnow

log = logging.getLogger(__name__)


class ListingSpider:
    """Base of the source kinds; subclasses implement :meth:`extract` and are named by config ``type``.

    One is made per source run, for one ``Job`` of the long-lived crawl engine: its requests are the job's.
    """

    name = ""

    def __init__(
        self, source: SourceConfig, state: SourceState, result: CrawlResult, job: Job | None = None, max_size: int = 0
    ) -> None:
        self.source, self.state, self.result, self.job, self.max_size = source, state, result, job, max_size
        self.links = LinkFilter([source.url])
        result.skipped = self.links.skipped  # counted as pages are read

    def allowed_domains(self) -> list[str]:
        """Redirects and next pages stay on the source's site (and its subdomains) or allowed hosts."""
        site = (urlsplit(self.source.url).hostname or "").removeprefix("www.")
        return [site, *self.source.allow_hosts]

    def first_requests(self) -> list[Request]:
        return [self.page_request(self.source.url, 1, self._conditional_headers())]

    def page_request(self, url: str, page: int, headers: dict[str, str] | None = None) -> Request:
        """A request for listing page number ``page``."""
        assert self.job is not None  # only probes, which never request, go without a job
        return self.job.request(
            url, self.parse_page, self.on_error, headers=headers or {},
            meta={"handle_httpstatus_list": [304], "page": page},
        )

    def _conditional_headers(self) -> dict[str, str]:
        v = self.state.validators
        if self.source.pages > 1 or not self.state.has_baseline:
            return {}
        headers = {"If-None-Match": v.etag} if v.etag else {}
        if v.last_modified:
            headers["If-Modified-Since"] = v.last_modified
        return headers

    def parse_page(self, response: Response) -> None:
        page = response.meta["page"]
        self.result.pages += 1
        self.links.add_page(response.url)
        if page == 1 and self._unchanged(response):
            self.result.status = "unchanged"
            return
        listing = ListingPage()
        try:
            for item in self._checked(self.extract(response)):
                listing.add(item)
        except Exception:  # a page we cannot read fails this source, not the crawl
            log.debug("source %s: cannot parse %s", self.source.name, response.url, exc_info=True)
            self.result.fail(f"cannot read {response.url}: the page could not be parsed")
            return
        # No Scrapy item: Scrapy's per-item machinery costs more than these list appends.
        self.result.articles.extend(listing.articles)
        self.result.ticker_texts.extend(listing.ticker_texts)
        if page < self.source.pages:
            next_url = self.next_page(response)
            if next_url and self.job is not None:
                self.job.schedule(self.page_request(next_url, page + 1))

    def _checked(self, items: Iterator[Any]) -> Iterator[Any]:
        """Only articles whose text can be stored and sent; the rest are counted as skipped."""
        for item in items:
            if not isinstance(item, ListedArticle) or self.links.article(item):
                yield item

    def _unchanged(self, response: Response) -> bool:
        body_hash = hashlib.sha256(response.body).hexdigest()
        self.result.validators = Validators(
            _header(response, b"ETag"), _header(response, b"Last-Modified"), body_hash
        )
        if response.status == 304:
            return True
        single = self.source.pages == 1 and self.state.has_baseline
        return single and body_hash == self.state.validators.body_hash

    def extract(self, response: Response) -> Iterator[Any]:
        """Yield the ``ListedArticle`` and ``TickerText`` items of one page."""
        raise NotImplementedError

    def next_page(self, response: Response) -> str | None:
        """The absolute URL of the next listing page, if any."""
        return None

    def on_error(self, failure: Failure) -> None:
        reason = describe_failure(failure, self.source.url, self.max_size)
        response = getattr(failure.value, "response", None)
        if isinstance(failure.value, HttpError) and response.status in RETRY_AFTER_STATUSES:
            until = retry_after(_header(response, b"Retry-After"), utcnow())
            if until is not None:
                self.result.retry_after = until
                reason += f"; the site asks not to be fetched again before {until:%Y-%m-%d %H:%M} UTC (Retry-After)"
        self.result.fail(reason)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
