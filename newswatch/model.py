"""Plain data passed along the pipeline: what a crawl found, what the diff decided.

The crawler builds these; the core consumes them. No framework types here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

CrawlStatus = Literal["ok", "unchanged", "failed"]


@dataclass(frozen=True)
class ListedArticle:
    """One article as a listing page or feed shows it."""

    title: str
    link: str
    summary: str = ""
    published: datetime | None = None


@dataclass(frozen=True)
class Validators:
    """What lets the next fetch of a source be conditional and cheap."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class CrawlResult:
    """Everything one crawl of one source produced.

    ``bodies`` maps article links (as listed) to their extracted main text
    (``full_text`` sources, new articles only). ``skipped`` counts entries left
    out by reason (a link that is not http(s), an entry that cannot be read).
    ``retry_after`` is set when the site asked us (429/503 ``Retry-After``) not
    to come back before that moment.
    """

    source: str
    status: CrawlStatus = "ok"
    articles: list[ListedArticle] = field(default_factory=list)
    ticker_texts: list[str] = field(default_factory=list)
    bodies: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    validators: Validators = Validators()
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    retry_after: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None

    def fail(self, reason: str) -> None:
        """Mark the crawl failed, keeping the first reason."""
        if self.status != "failed":
            self.status, self.error = "failed", reason


@dataclass(frozen=True)
class NewArticle:
    """The diff engine's event: an article stored for the first time (or changed).

    ``url`` is the link as the source listed it: what an alert links to.
    """

    article_id: int
    url: str
    title: str
    summary: str
    published: datetime | None
    source: str


@dataclass(frozen=True)
class SourceState:
    """What the store remembers of a source between runs."""

    name: str
    validators: Validators = Validators()
    has_baseline: bool = False
    last_items: int = 0
    consecutive_failures: int = 0
    retry_after: datetime | None = None
