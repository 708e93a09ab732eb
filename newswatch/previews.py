"""What ``preview`` shows of a crawl: articles with canonical links, and parsed ticker quotes."""

from __future__ import annotations

from typing import Any

from newswatch.config import SourceConfig
from newswatch.model import CrawlResult
from newswatch.quotes import collapse
from newswatch.urls import canonical_url


def preview_document(source: SourceConfig, result: CrawlResult) -> dict[str, Any]:
    """A JSON-ready view of one crawl; nothing is stored."""
    batch = collapse(result.ticker_texts)
    return {
        "source": source.name,
        "url": source.url,
        "status": result.status,
        "error": result.error,
        "pages": result.pages,
        "articles": [
            {
                "title": a.title,
                "url": canonical_url(a.link),
                "link": a.link,
                "published": a.published.isoformat() if a.published else None,
                "summary": a.summary,
            }
            for a in result.articles
        ],
        "quotes": [{"pair": q.pair, "value": format(q.value, "f"), "change": _percent(q.change)} for q in batch.quotes],
        "unparsed_ticker_texts": list(batch.skipped),
    }


def _percent(change: Any) -> str | None:
    return None if change is None else f"{change}%"
