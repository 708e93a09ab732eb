"""Which stored article a listed link is: by its key, or as the same story under an edited URL.

Every key an article is known under is a row of ``article_urls``: the key of the link it
was first stored with (``how = 'link'``) and of each edited URL (``how = 'title'``). The
same-title rule — within one source, a new link whose normalised title equals that of an
article first seen on that source within ``[alerts] same_title_window`` — holds only when
it cannot be two stories:

- the article is no longer listed by this crawl (an edited URL replaces the old one; two
  links listed side by side are two stories, e.g. a daily "Morning briefing");
- both links are on the same host;
- their publication dates, when both are known, are less than ``DATE_SLACK`` apart.

Runs inside the diff's transaction (``BEGIN IMMEDIATE``: one writer at a time), so a
look-up followed by an insert cannot race another process.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from newswatch.model import ListedArticle
from newswatch.store import Store, iso, parse_iso
from newswatch.text import title_key
from newswatch.urls import article_key

DATE_SLACK = timedelta(hours=12)


class Identities:
    """Resolves one crawl's listed articles (key → article) for one source."""

    def __init__(self, store: Store, source: str, now: datetime, window: timedelta, keys: Iterable[str]) -> None:
        self.store, self.source, self.now, self.window = store, source, now, window
        self.known = known_ids(store, list(keys))  # one query per crawl, kept up to date by add()
        self.listed = set(self.known.values())
        self.pending: list[list[object]] = []  # new keys, written by flush() (nothing reads them back in the run)

    def find(self, key: str, article: ListedArticle) -> int | None:
        """The stored article ``key`` names, or the same story under an edited URL (then ``key`` is added to it)."""
        found = self.known.get(key)
        if found is None:
            found = self._same_title(key, article)
            if found is not None:
                self.add(key, found, article.link, "title")
        if found is not None:
            self.listed.add(found)
        return found

    def add(self, key: str, article_id: int, link: str, how: str = "link") -> None:
        """Record ``key`` as a name of ``article_id`` (written by :meth:`flush`)."""
        self.pending.append([key, article_id, link, self.source, how, iso(self.now)])
        self.known[key] = article_id
        self.listed.add(article_id)

    def flush(self) -> None:
        """Write the keys this crawl added, in one statement, in the order they were found."""
        self.store.execute_many(
            "INSERT INTO article_urls (key, article_id, link, source, how, first_seen_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            self.pending,
        )
        self.pending = []

    def _same_title(self, key: str, article: ListedArticle) -> int | None:
        title = title_key(article.title)
        if not self.window or title is None:
            return None
        rows = self.store.query(
            "SELECT a.id, a.url, a.published_at FROM article_sources s JOIN articles a ON a.id = s.article_id "
            "WHERE s.source = ? AND s.title_key = ? AND s.first_seen_at >= ? ORDER BY s.first_seen_at DESC, a.id DESC",
            [self.source, title, iso(self.now - self.window)],
        )
        for row in rows:
            if row["id"] not in self.listed and _same_host(key, row["url"]) and _dates_agree(article, row):
                return int(row["id"])
        return None


def known_ids(store: Store, keys: list[str]) -> dict[str, int]:
    """Key → article id, for the ``keys`` the store knows."""
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    rows = store.query(f"SELECT key, article_id FROM article_urls WHERE key IN ({marks})", keys)
    return {r["key"]: int(r["article_id"]) for r in rows}


def _same_host(key: str, url: str) -> bool:
    return key.partition("/")[0] == article_key(url).partition("/")[0]


def _dates_agree(article: ListedArticle, row: dict) -> bool:
    stored = parse_iso(row["published_at"])
    if article.published is None or stored is None:
        return True
    return abs(article.published - stored) < DATE_SLACK
