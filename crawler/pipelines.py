"""Hands what a spider yields to the crawl's result object (no framework types leak out)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import TickerText
from newswatch.model import ListedArticle


class CollectorPipeline:
    """Appends articles and ticker texts to ``spider.result`` (a core ``CrawlResult``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        result = self.crawler.spider.result  # type: ignore[union-attr]
        if isinstance(item, ListedArticle):
            result.articles.append(item)
        elif isinstance(item, TickerText):
            result.ticker_texts.append(item.text)
        return item
