"""Article pages of ``full_text`` sources: fetch each and extract its main text.

Only http(s) links on the source's site (or its ``allow_hosts``) are fetched;
the site guard keeps their redirects there too. Links left out are counted in
``skipped``; a page that fails is left out of ``texts``.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.engine import Job
from crawler.failures import describe_failure
from newswatch.config import SourceConfig
from newswatch.links import NOT_HTTP, resolve_link
from newswatch.sites import SitePolicy

OFF_SITE = "article pages on another site, not fetched for full text"
log = logging.getLogger(__name__)


class ArticleSpider:
    """Fetches the given links as one ``Job`` and fills ``texts`` (link → main text); a page that fails is left out."""

    name = "article"

    def __init__(
        self, source: SourceConfig, links: list[str], texts: dict[str, str], skipped: Counter[str], job: Job
    ) -> None:
        self.source, self.links, self.texts, self.skipped, self.job = source, links, texts, skipped, job
        self.policy = SitePolicy.of(source.url, source.allow_hosts)

    def first_requests(self) -> list[Request]:
        return [r for r in map(self._request, self.links) if r is not None]

    def _request(self, link: str) -> Request | None:
        url = resolve_link(link, self.source.url)
        if url is None or self.policy is None:
            self.skipped[NOT_HTTP] += 1
            return None
        if self.policy.refusal(url):
            self.skipped[OFF_SITE] += 1
            return None
        return self.job.request(url, self.parse, self.on_error, cb_kwargs={"link": link},
                                meta={"site_policy": self.policy})

    def parse(self, response: Response, link: str) -> None:
        if not hasattr(response, "text"):
            return
        import trafilatura  # heavy, and only full_text sources need it

        text = trafilatura.extract(response.text, url=response.url, include_comments=False, include_tables=False)
        if text:
            self.texts[link] = text

    def on_error(self, failure: Failure) -> None:
        log.info("article page not read: %s", describe_failure(failure, ""))
