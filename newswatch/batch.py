"""A run's writes to rows it already has, gathered and made at the end of the diff in one statement each.

Per listed article a run refreshes the stored article (seen now; its first source may edit title and
summary) and records that this source lists it. Made one row at a time that is four statements per
article; here the known articles are read in one query, and the refreshes and listings are written with
one ``executemany`` each, in listing order, inside the run's transaction. What the run decides is the
same as row by row: nothing read during the diff depends on these rows (the same-title rule skips
articles this crawl lists, and identity keys are looked up once, up front), and an article the run
meets twice sees its own first refresh (``rows`` holds each article as this run last left it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newswatch.model import NewArticle
from newswatch.store import Store, iso

ROW = "SELECT id, link, title, summary, source FROM articles WHERE id IN ({})"


@dataclass
class RunWrites:
    """The refreshes and listings of one run of ``source``; :meth:`flush` writes them."""

    store: Store
    source: str
    now: datetime
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    refreshed: dict[int, list[Any]] = field(default_factory=dict)
    listings: list[tuple[int, str | None, NewArticle | None]] = field(default_factory=list)

    def preload(self, ids: list[int]) -> None:
        """Read the stored rows of ``ids`` (the articles the crawl's keys already name) in one query."""
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self.store.query(ROW.format(",".join("?" * len(chunk))), chunk):
                self.rows.setdefault(int(row["id"]), row)

    def row(self, article_id: int) -> dict[str, Any]:
        """The article as this run last left it."""
        if article_id not in self.rows:
            self.rows[article_id] = self.store.query(ROW.format("?"), [article_id])[0]
        return self.rows[article_id]

    def refresh(self, article_id: int, title: str, summary: str, published: datetime | None, body: str | None) -> None:
        """Mark the article seen with this text; a publication date or body only where it has none yet."""
        row = self.row(article_id)
        row["title"], row["summary"] = title, summary
        earlier = self.refreshed.get(article_id)
        if earlier is not None:  # the first non-empty date and body win, as coalesce() row by row would
            published = earlier[3] if earlier[3] is not None else iso(published)
            body = earlier[4] if earlier[4] is not None else body
            self.refreshed[article_id] = [iso(self.now), title, summary, published, body, article_id]
            return
        self.refreshed[article_id] = [iso(self.now), title, summary, iso(published), body, article_id]

    def list_on(self, article_id: int, title: str | None, known: NewArticle | None) -> None:
        """Record that the source lists the article (``known``: reported as newly listed if it never was)."""
        self.listings.append((article_id, title, known))

    def flush(self) -> list[NewArticle]:
        """Write everything; the known articles this source lists for the first time, in listing order."""
        self.store.execute_many(
            "UPDATE articles SET last_seen_at = ?, title = ?, summary = ?, published_at = coalesce(published_at, ?), "
            "body = coalesce(body, ?) WHERE id = ?",
            list(self.refreshed.values()),
        )
        return self._write_listings()

    def _write_listings(self) -> list[NewArticle]:
        listed = self._listed_before({article_id for article_id, _, _ in self.listings})
        inserts, updates, first = [], [], []
        now = iso(self.now)
        for article_id, title, known in self.listings:
            if article_id in listed:
                updates.append([now, title, article_id, self.source])
                continue
            listed.add(article_id)
            inserts.append([article_id, self.source, now, now, title])
            if known is not None:
                first.append(known)
        self.store.execute_many(
            "INSERT INTO article_sources (article_id, source, first_seen_at, last_seen_at, title_key) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id, source) DO NOTHING", inserts)
        self.store.execute_many(
            "UPDATE article_sources SET last_seen_at = ?, title_key = ? WHERE article_id = ? AND source = ?", updates)
        return first

    def _listed_before(self, ids: set[int]) -> set[int]:
        """Which of ``ids`` this source listed before this run."""
        found: set[int] = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.store.query(
                f"SELECT article_id FROM article_sources WHERE source = ? AND article_id IN ({marks})",
                [self.source, *chunk],
            )
            found.update(int(r["article_id"]) for r in rows)
        return found
