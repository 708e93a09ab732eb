"""What a listing page gave: one ``ListingPage`` per page, added to its run's result (no Scrapy item at all)."""

from __future__ import annotations

from dataclasses import dataclass, field

from newswatch.model import ListedArticle


@dataclass(frozen=True)
class TickerText:
    """The text of one ticker element, parsed later by the core."""

    text: str


@dataclass
class ListingPage:
    """Everything one listing page gave: its articles and its ticker texts, in page order."""

    articles: list[ListedArticle] = field(default_factory=list)
    ticker_texts: list[str] = field(default_factory=list)

    def add(self, item: ListedArticle | TickerText) -> None:
        if isinstance(item, ListedArticle):
            self.articles.append(item)
        else:
            self.ticker_texts.append(item.text)
