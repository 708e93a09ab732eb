"""JSON (de)serialisation of what a crawl job carries and returns: plain data only, never pickle."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from newswatch.model import CrawlResult, ListedArticle, SourceState, Validators
from newswatch.units import format_duration


def _plain(value: object) -> str:
    return format_duration(value) if isinstance(value, timedelta) else str(value)


def section_to_dict(section: BaseModel) -> dict[str, Any]:
    """A config section as JSON data its own validator reads back (durations spelt as in the config)."""
    return json.loads(json.dumps(section.model_dump(), default=_plain))


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def state_to_dict(state: SourceState) -> dict[str, Any]:
    """``state`` as JSON-ready data."""
    data = asdict(state)
    data["retry_after"] = _iso(state.retry_after)
    return data


def state_from_dict(data: dict[str, Any]) -> SourceState:
    """The :class:`SourceState` that :func:`state_to_dict` wrote."""
    validators = Validators(**data.get("validators", {}))
    fields = {**data, "validators": validators, "retry_after": _when(data.get("retry_after"))}
    return SourceState(**fields)


def _article_to_dict(article: ListedArticle) -> dict[str, Any]:
    return {**asdict(article), "published": _iso(article.published)}


def result_to_json(result: CrawlResult) -> str:
    """``result`` as one JSON text."""
    data = asdict(result)
    data["articles"] = [_article_to_dict(a) for a in result.articles]
    for key in ("retry_after", "started", "finished"):
        data[key] = _iso(getattr(result, key))
    return json.dumps(data)


def result_from_json(text: str) -> CrawlResult:
    """The :class:`CrawlResult` that :func:`result_to_json` wrote."""
    data = json.loads(text)
    data["articles"] = [ListedArticle(**{**a, "published": _when(a.get("published"))}) for a in data["articles"]]
    data["validators"] = Validators(**data["validators"])
    for key in ("retry_after", "started", "finished"):
        data[key] = _when(data.get(key))
    return CrawlResult(**data)
