"""What ``preview`` shows of a crawl: articles with canonical links, and parsed ticker quotes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newswatch.config import SourceConfig
from newswatch.model import CrawlResult
from newswatch.quotes import collapse
from newswatch.urls import canonical_url


def preview_document(source: SourceConfig, result: CrawlResult, mask: Callable[[str], str] = str) -> dict[str, Any]:
    """A JSON-ready view of one crawl; nothing is stored. ``mask`` hides secrets in the URL and the error."""
    batch = collapse(result.ticker_texts)
    return {
        "source": source.name,
        "url": mask(source.url),
        "status": result.status,
        "error": mask(result.error) if result.error else result.error,
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
