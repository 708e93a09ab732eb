"""Fetching for ``newswatch add``: a few URLs, one after another, until one is good enough.

The probe spider knows nothing about feeds or selectors: it fetches its URLs
in order through the crawl's usual middlewares (robots.txt, user agent,
timeout, retries, size limit), records every outcome in ``fetched`` and
stops at the first response ``accept`` takes. Probing in order, one request
at a time, keeps a site from seeing a burst of guesses at its feed location.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.failures import describe_failure


@dataclass
class Fetched:
    """One probed URL: its response, or why there is none."""

    url: str
    response: Response | None = None
    error: str | None = None
    robots_denied: bool = False


class ProbeSpider(scrapy.Spider):
    """Fetches ``urls`` in order until ``accept`` takes a response (every URL when it is None)."""

    name = "probe"

    def __init__(
        self,
        urls: list[str],
        fetched: list[Fetched],
        accept: Callable[[Response], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=self.name, **kwargs)
        self.urls, self.fetched, self.accept = list(urls), fetched, accept

    async def start(self) -> AsyncIterator[Request]:
        for request in self._next(0):
            yield request

    def _next(self, index: int) -> Iterator[Request]:
        if index < len(self.urls):
            yield Request(
                self.urls[index],
                callback=self.parse,
                errback=self.on_error,
                cb_kwargs={"index": index},
                dont_filter=True,
            )

    def parse(self, response: Response, index: int) -> Iterator[Request]:
        self.fetched.append(Fetched(self.urls[index], response))
        if self.accept is None or not self.accept(response):
            yield from self._next(index + 1)

    def on_error(self, failure: Failure) -> Iterator[Request]:
        index = failure.request.cb_kwargs["index"]  # type: ignore[attr-defined]
        url = self.urls[index]
        denied = isinstance(failure.value, IgnoreRequest) and "robots.txt" in str(failure.value)
        self.fetched.append(Fetched(url, error=describe_failure(failure, url), robots_denied=denied))
        yield from self._next(index + 1)
