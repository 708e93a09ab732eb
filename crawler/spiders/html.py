"""``type = "html"``: a listing page read with the source's CSS selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from crawler.items import TickerText
from crawler.spiders.base import ListingSpider
from newswatch.model import ListedArticle
from newswatch.text import normalize_space, parse_date


class HtmlSpider(ListingSpider):
    """A news listing page: one element per article, read with CSS selectors (``[sources.select]``)."""

    name = "html"

    def extract(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.result.fail(f"not an HTML page ({_content_type(response)}): {response.url}")
            return
        select = self.source.select
        base = get_base_url(response)
        for item in response.css(select.item or "*"):
            article = self._article(item, base)
            if article:
                yield article
        if select.ticker and response.meta["page"] == 1:
            for element in response.css(select.ticker):
                yield TickerText(normalize_space(" ".join(element.xpath(".//text()").getall())))

    def _article(self, item: Selector, base: str) -> ListedArticle | None:
        select = self.source.select
        title = text_of(item, select.title)
        href = first_value(item, select.link, "href")
        if not title or not href:
            return None
        link = self.links.link(href, base)
        if link is None:
            return None
        date = first_value(item, select.date, "datetime") or text_of(item, select.date)
        return ListedArticle(title, link, text_of(item, select.summary), parse_date(date))

    def next_page(self, response: Response) -> str | None:
        href = first_value(response, self.source.select.next, "href")
        return self.links.link(href, get_base_url(response)) if href else None


def text_of(selector: Selector, css: str | None) -> str:
    """All text the selector matches, joined and whitespace-normalised.

    A selector without ``::text``/``::attr()`` yields the text of the elements it matches.
    """
    if not css:
        return ""
    matched = selector.css(css)
    parts = matched.getall() if "::" in css else matched.xpath("string()").getall()
    return normalize_space(" ".join(parts))


def first_value(selector: Selector, css: str | None, attribute: str) -> str | None:
    """The first non-empty value; an element selector gives its ``attribute``."""
    if not css:
        return None
    query = css if "::" in css else f"{css}::attr({attribute})"
    for value in selector.css(query).getall():
        if value.strip():
            return value.strip()
    return None


def _content_type(response: Response) -> str:
    value = response.headers.get(b"Content-Type") or b"no content type"
    return value.decode("latin-1")
