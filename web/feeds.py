"""A watch's matches as an Atom feed (feedgen), for the feed reader a journalist already uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 forbids; a hostile page title may carry them, and lxml refuses to write them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _aware(stored: str) -> datetime:
    moment = datetime.fromisoformat(stored)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def watch_feed(watch: str, rows: list[dict[str, Any]], self_url: str, home: str) -> bytes:
    """The Atom document of ``rows`` (a watch's matches, newest first)."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(f"newswatch: {watch}")
    feed.subtitle(f"Articles matched by the watch {watch!r}")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=f"{home}articles?watch={watch}", rel="alternate", type="text/html")
    feed.updated(_aware(rows[0]["matched_at"]) if rows else datetime(1970, 1, 1, tzinfo=UTC))
    for row in reversed(rows):  # feedgen puts the last added first
        _entry(feed, watch, row)
    return feed.atom_str(pretty=True)


def _entry(feed: FeedGenerator, watch: str, row: dict[str, Any]) -> None:
    entry = feed.add_entry()
    entry.id(row["url"])
    entry.title(_xml(row["title"]))
    entry.link(href=row["url"], rel="alternate")
    keywords = ", ".join(row["keywords"])
    entry.summary(_xml(f"{row['summary']}\n\n(matched {keywords}; source {row['source']})".strip()))
    entry.updated(_aware(row["matched_at"]))
    if row["published_at"]:
        entry.published(_aware(row["published_at"]))
    for keyword in row["keywords"]:
        entry.category(term=_xml(keyword))
    entry.author(name=row["source"])
