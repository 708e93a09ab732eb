"""``newswatch add URL``: find what a new source should read, fetching as the daemon would.

In order: the page itself when it is a feed; the feeds the page advertises
(``<link rel="alternate">``); the usual feed locations; and last the page's
repeated article structure (``propose_selectors``). A feed is taken when our
feed spider reads at least one entry from it, and a selector proposal when the
html spider reads at least one article with it: what ``add`` shows is exactly
what the new source will extract. Every fetch goes through Scrapy with the
``[crawler]`` settings (robots.txt, user agent, timeout), one URL at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

from scrapy.crawler import AsyncCrawlerRunner
from scrapy.http import Response, TextResponse

from crawler.discover import (
    SelectorProposal,
    candidate_feed_urls,
    choose_feeds,
    feed_choice,
    feed_links,
    not_a_listing,
    propose_selectors,
)
from crawler.settings import scrapy_settings
from crawler.spiders.base import ListingSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.html import HtmlSpider
from crawler.spiders.probe import Fetched
from newswatch.config import CrawlerConfig, SelectConfig, SourceConfig
from newswatch.model import CrawlResult, ListedArticle, SourceState
from newswatch.output import shorten
from newswatch.urls import canonical_url

Kind = Literal["feed", "html"]
_SELECT_KEYS = ("item", "title", "link", "summary", "date", "next")


@dataclass(frozen=True)
class Tried:
    """One feed location probed, and what came of it."""

    url: str
    outcome: str


@dataclass
class Discovery:
    """What ``add`` found for ``page_url``: a feed, selectors, or what was tried in vain.

    ``kind`` is None when nothing was found; ``error`` is set when the page
    itself could not be fetched (robots.txt refusal, HTTP error, timeout).
    """

    page_url: str
    kind: Kind | None = None
    url: str = ""
    how: str = ""
    proposal: SelectorProposal | None = None
    articles: list[ListedArticle] = field(default_factory=list)
    advertised: list[Tried] = field(default_factory=list)
    probed: list[Tried] = field(default_factory=list)
    structure: str = ""
    error: str | None = None

    def select(self) -> dict[str, str]:
        """The ``[sources.select]`` table of an html find (empty for a feed)."""
        if self.proposal is None:
            return {}
        values = {key: getattr(self.proposal, key) for key in _SELECT_KEYS}
        return {key: value for key, value in values.items() if value}

    def columns(self) -> list[str]:
        """The table columns: a feed's entries (title, link, date), or preview's for html."""
        return ["title", "link", "date"] if self.kind == "feed" else ["title", "link", "date", "summary"]

    def rows(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` articles as ``preview`` prints them."""
        return [
            {
                "title": shorten(a.title, 60),
                "link": canonical_url(a.link),
                "date": a.published.isoformat()[:10] if a.published else "",
                "summary": shorten(a.summary, 40),
            }
            for a in self.articles[:limit]
        ]

    def headline(self) -> str:
        """One line: what was found, where, and how."""
        if self.kind == "feed":
            return f"feed found: {self.url} ({self.how})"
        feeds = f"{len(self.advertised)} advertised, {len(self.probed)} usual locations probed"
        return f"no feed ({feeds}); {self.how} on {self.url}"

    def summary(self) -> str:
        """The count line: how many articles the new source reads now."""
        where = "in the feed" if self.kind == "feed" else "extracted by the proposed selectors"
        return f"{len(self.articles)} articles {where}"

    def notes(self, name: str) -> list[str]:
        """Comment lines to write above the new ``[[sources]]`` table."""
        added = f"Added by `newswatch add {self.page_url}`"
        if self.kind == "feed":
            return [f"{added}: {self.how}."]
        return [f"{added}: {self.how};", f"check what they extract with `newswatch preview {name}`."]

    def explanation(self) -> list[str]:
        """What was tried, for a page where nothing was found."""
        lines = [f"nothing to watch found at {self.page_url}", "  feeds the page advertises (<link rel=alternate>):"]
        lines += _tried(self.advertised)
        lines += ["  usual feed locations, probed in order:", *_tried(self.probed)]
        lines.append(f"  repeated article structure: {self.structure}")
        lines.append("Write the source by hand ([sources.select] in config.toml), or try a tag or search page.")
        return lines


def _tried(attempts: list[Tried]) -> list[str]:
    return [f"    {t.url}  {t.outcome}" for t in attempts] or ["    none"]


def _without_url(reason: str, url: str) -> str:
    """A failure reason without the URL it names (shown next to it already)."""
    return reason.replace(f" from {url}", "").removesuffix(f": {url}")


class SourceFinder:
    """Runs the probe spider with the crawl settings of ``[crawler]``; call inside ``run_in_reactor``."""

    def __init__(self, crawler: CrawlerConfig) -> None:
        self.crawler = crawler
        self.runner = AsyncCrawlerRunner(scrapy_settings(crawler))

    async def find(self, url: str) -> Discovery:
        """Fetch ``url`` and look for a feed, then for selectors (see the module docstring)."""
        found = Discovery(url)
        page = next(iter(await self.fetch([url])), Fetched(url, error=f"no response from {url}"))
        if page.response is None:
            found.error = self._refusal(page) if page.robots_denied else f"cannot fetch the page: {page.error}"
            return found
        response = page.response
        articles, _ = feed_articles(response)
        if articles:
            return _take_feed(found, response.url, articles, "the page itself is a feed")
        html = response.text if isinstance(response, TextResponse) else ""
        advertised = choose_feeds(feed_links(html, response.url), response.url, html)
        choice = feed_choice(feed_links(html, response.url), response.url, html)
        how = f"a feed advertised by the page: {choice}" if choice else "a feed advertised by the page"
        if await self._probe_feeds(found, advertised, found.advertised, how):
            return found
        usual = [u for u in candidate_feed_urls(response.url) if u not in advertised]
        if await self._probe_feeds(found, usual, found.probed, "a feed at a usual feed location"):
            return found
        _propose(found, response, html)
        return found

    async def fetch(self, urls: list[str], accept: Callable[[Response], bool] | None = None) -> list[Fetched]:
        """Fetch ``urls`` in order until ``accept`` takes a response; every outcome, in order."""
        fetched: list[Fetched] = []
        if urls:
            await self.runner.crawl(self.runner.create_crawler("probe"), urls=urls, fetched=fetched, accept=accept)
        return fetched

    async def _probe_feeds(self, found: Discovery, urls: list[str], log: list[Tried], how: str) -> bool:
        for probe in await self.fetch(urls, accept=lambda r: bool(feed_articles(r)[0])):
            if probe.response is None:
                reason = "disallowed by robots.txt" if probe.robots_denied else str(probe.error)
                log.append(Tried(probe.url, _without_url(reason, probe.url)))
                continue
            articles, reason = feed_articles(probe.response)
            log.append(Tried(probe.url, f"{len(articles)} entries" if articles else reason))
            if articles:
                _take_feed(found, probe.response.url, articles, how)
                return True
        return False

    def _refusal(self, page: Fetched) -> str:
        robots = urljoin(page.url, "/robots.txt")
        return (
            f"refused: {robots} disallows {page.url} for user agent {self.crawler.user_agent!r}, "
            "and newswatch obeys robots.txt ([crawler] obey_robots_txt = true)"
        )


def _take_feed(found: Discovery, url: str, articles: list[ListedArticle], how: str) -> Discovery:
    found.kind, found.url, found.articles, found.how = "feed", url, articles, how
    return found


def _propose(found: Discovery, response: Response, html: str) -> None:
    proposals = propose_selectors(html, response.url) if html else []
    for proposal in proposals:
        articles = html_articles(response, proposal)
        if articles:
            found.kind, found.url, found.proposal, found.articles = "html", response.url, proposal, articles
            found.how = f"selectors proposed for the repeated structure {proposal.item!r}"
            return
    if not html:
        found.structure = "not searched: the page is not HTML"
    elif (reason := not_a_listing(html, response.url)) is not None:
        found.structure = f"not searched: {reason}"
    elif proposals:
        found.structure = f"{len(proposals)} candidate structures, none yielded an article with title and link"
    else:
        found.structure = "none (no 3+ similar blocks with a headline link outside navigation, header and footer)"


# --- extraction exactly as the source's spider will do it ------------------------------------


def feed_articles(response: Response) -> tuple[list[ListedArticle], str]:
    """The entries our feed spider reads from ``response``, or why it reads none."""
    source = SourceConfig(name="probe", url=response.url, type="feed")
    articles, error = _extract(FeedSpider, source, response)
    if articles:
        return articles, ""
    return [], _without_url(error, response.url) if error else "a feed without entries"


def html_articles(response: Response, proposal: SelectorProposal) -> list[ListedArticle]:
    """The articles the html spider reads from ``response`` with ``proposal``'s selectors."""
    select = SelectConfig(**{key: getattr(proposal, key) for key in _SELECT_KEYS})
    source = SourceConfig(name="probe", url=response.url, type="html", select=select)
    return _extract(HtmlSpider, source, response)[0]


def _extract(kind: type[ListingSpider], source: SourceConfig, response: Response) -> tuple[list[ListedArticle], str]:
    result = CrawlResult(source.name)
    spider = kind(source=source, state=SourceState(source.name), result=result)
    articles = [item for item in spider.extract(response) if isinstance(item, ListedArticle)]
    return articles, result.error or ""
