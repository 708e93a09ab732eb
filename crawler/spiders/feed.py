"""``type = "feed"``: an RSS or Atom feed, read with feedparser."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from parsel import Selector
from scrapy.http import Response

from crawler.spiders.base import ListingSpider
from newswatch.model import ListedArticle
from newswatch.text import normalize_space


class FeedSpider(ListingSpider):
    """An RSS 0.9x/1.0/2.0 or Atom feed: one entry per article."""

    name = "feed"

    def extract(self, response: Response) -> Iterator[Any]:
        parsed = feedparser.parse(
            response.body,
            response_headers={"content-type": _header(response, b"Content-Type"), "content-location": response.url},
        )
        if not parsed.entries and (parsed.bozo or not parsed.version):
            reason = parsed.get("bozo_exception") or "no RSS or Atom document"
            self.result.fail(f"not a feed ({reason}): {response.url}")
            return
        for entry in parsed.entries:
            article = _article(entry, response)
            if article:
                yield article


def _article(entry: Any, response: Response) -> ListedArticle | None:
    link = entry.get("link") or next((ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None)
    title = _plain(entry.get("title", ""))
    if not link:
        return None
    summary = _plain(entry.get("summary", ""))
    return ListedArticle(title or link, response.urljoin(link), summary, _date(entry))


def _plain(html: str) -> str:
    if "<" not in html:
        return normalize_space(html)
    return normalize_space(" ".join(Selector(text=f"<div>{html}</div>").xpath("//text()").getall()))


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _header(response: Response, name: bytes) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else ""
