"""``type = "feed"``: an RSS or Atom feed, read with feedparser."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from parsel import Selector
from scrapy.http import Response

from crawler.spiders.base import ListingSpider
from newswatch.model import ListedArticle
from newswatch.text import normalize_space

_ENTRY = re.compile(rb"<(item|entry)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class FeedSpider(ListingSpider):
    """An RSS 0.9x/1.0/2.0 or Atom feed: one entry per article."""

    name = "feed"

    def extract(self, response: Response) -> Iterator[Any]:
        content_type = _header(response, b"Content-Type")
        if not response.body.strip():
            self.result.fail(f"the feed is empty (the server sent no content): {response.url}")
            return
        headers = {"content-type": content_type, "content-location": response.url}
        try:
            parsed = feedparser.parse(response.body, response_headers=headers)
        except Exception:  # an entry the parser chokes on (e.g. "&#xD800;"): read the entries one by one
            parsed = self._parse_entries(response.body, headers)
        if not parsed.get("entries") and (parsed.get("bozo") or not parsed.get("version")):
            self.result.fail(f"{_not_a_feed(parsed, content_type)}: {response.url}")
            return
        for entry in parsed.entries:
            article = self._entry(entry, response)
            if article:
                yield article

    def _parse_entries(self, body: bytes, headers: dict[str, str]) -> Any:
        """The feed parsed entry by entry, each inside the feed's own head and tail; failures counted."""
        spans = [m.span() for m in _ENTRY.finditer(body)]
        if not spans:
            return feedparser.FeedParserDict(entries=[], bozo=1, bozo_exception="the document cannot be parsed")
        head, tail = body[: spans[0][0]], body[spans[-1][1] :]
        merged = feedparser.FeedParserDict(entries=[], bozo=1, version="")
        for start, end in spans:
            try:
                one = feedparser.parse(head + body[start:end] + tail, response_headers=headers)
            except Exception:
                self.links.unreadable()
                continue
            merged["version"] = merged["version"] or one.get("version", "")
            merged["entries"].extend(one.get("entries", []))
        return merged

    def _entry(self, entry: Any, response: Response) -> ListedArticle | None:
        """One entry as an article; None (counted) when its link or text cannot be used."""
        try:
            return self._article(entry, response)
        except Exception:  # one unreadable entry never costs the others
            self.links.unreadable()
            return None

    def _article(self, entry: Any, response: Response) -> ListedArticle | None:
        href = entry.get("link") or next((ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None)
        if not href:
            return None
        link = self.links.link(href, response.url)
        if link is None:
            return None
        title = _plain(entry.get("title", ""))
        return ListedArticle(title or link, link, _plain(entry.get("summary", "")), _date(entry))


def _not_a_feed(parsed: Any, content_type: str) -> str:
    """Why a document is no feed, in words about the document."""
    kind = content_type.split(";")[0].strip().lower()
    if kind and "xml" not in kind and "rss" not in kind and "atom" not in kind:
        return f"not a feed: {kind}"
    problem = parsed.get("bozo_exception")
    detail = f" ({_sentence(problem)})" if problem else ""
    return f"not an RSS or Atom feed{detail}"


def _sentence(problem: Any) -> str:
    """An XML parser's complaint without its exception class: "not well-formed (invalid token)"."""
    text = str(problem).strip()
    return text.split(":", 1)[-1].strip() if text.startswith("<") else text


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
