"""Migrating a database written with the old identity rules: keys recomputed, collisions merged, nothing re-alerted."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.alerts import ArticleAlerts
from newswatch.config import parse_config
from newswatch.diff import apply_crawl
from newswatch.model import CrawlResult, ListedArticle
from newswatch.schema import MIGRATIONS
from newswatch.store import Store

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# The schema just before article identity: every migration up to the one creating article_urls.
OLD = next(i for i, m in enumerate(MIGRATIONS) if isinstance(m, str) and "CREATE TABLE article_urls" in m)
CONFIG = """
[[sources]]
name = "feed"
url = "https://news.example/feed/"
type = "feed"
[[sources]]
name = "page"
url = "https://news.example/tag/"
type = "feed"
[[watches]]
name = "trafficking"
keywords = ["trafficking"]
[[watches]]
name = "deportation"
keywords = ["deport*"]
[[watches]]
name = "both"
keywords = ["arrest*"]
[[notifiers]]
name = "hook"
url = "json://127.0.0.1:9/"
"""
# id, url (the old key), link (as listed), title, source, first seen (hours after T0)
ARTICLES = [
    (1, "http://news.example/a/1", "http://news.example/a/1?utm_source=rss",
     "Police arrest trafficking suspects", "feed", 2),
    (2, "https://www.news.example/a/1", "https://www.news.example/a/1",
     "Police arrest trafficking suspects, deport two", "page", 1),
    (3, "https://news.example/a/2", "https://news.example/a/2", "Weather in Almaty", "page", 0),
    (4, "https://news.example/a/3?xtor=RSS-1", "https://news.example/a/3?xtor=RSS-1", "Markets rally", "feed", 3),
    (5, "https://news.example/a/3", "https://news.example/a/3", "Markets rally", "page", 4),
]
TITLES = {link: title for _, _, link, title, _, _ in ARTICLES}
# alert key, delivery status: the old rules alerted watch "both" twice for one story.
ALERTS = [("article:1:trafficking", "delivered"), ("article:2:deportation", "delivered"),
          ("article:2:both", "delivered"), ("article:1:both", "pending")]


def at(hours: int) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def old_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:OLD]:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {OLD}")
        for name in ("feed", "page"):
            db.execute("INSERT INTO sources (name, url, type, baseline_at) VALUES (?, ?, 'feed', ?)",
                       [name, f"https://news.example/{name}/", at(0)])
        for id_, url, link, title, source, hours in ARTICLES:
            db.execute("INSERT INTO articles (id, url, link, title, source, first_seen_at, last_seen_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", [id_, url, link, title, source, at(hours), at(hours + 5)])
            db.execute("INSERT INTO article_sources VALUES (?, ?, ?, ?)", [id_, source, at(hours), at(hours + 5)])
        for key, status in ALERTS:
            _, article, watch = key.split(":")
            db.execute("INSERT INTO matches VALUES (?, ?, '[]', ?)", [int(article), watch, at(2)])
            payload = json.dumps({"kind": "article", "article_id": int(article), "watch": watch, "notify": []})
            alert = db.execute("INSERT INTO alerts (key, kind, title, payload, created_at) "
                               "VALUES (?, 'article', 't', ?, ?)", [key, payload, at(2)]).lastrowid
            db.execute("INSERT INTO deliveries (alert_id, notifier, status) VALUES (?, 'hook', ?)", [alert, status])
        db.execute("INSERT INTO held VALUES (1, 'feed', NULL, ?)", [at(2)])


@pytest.fixture
def migrated(tmp_path: Path):
    old_database(tmp_path / "old.db")
    store = Store(tmp_path / "old.db")
    yield store
    store.close()


def test_articles_that_now_share_a_key_are_merged_into_the_first_seen(migrated: Store) -> None:
    rows = migrated.query("SELECT id, url, link, first_seen_at, last_seen_at FROM articles ORDER BY id")
    assert [(r["id"], r["url"]) for r in rows] == [
        (2, "https://www.news.example/a/1"), (3, "https://news.example/a/2"), (4, "https://news.example/a/3")]
    assert (rows[0]["first_seen_at"], rows[0]["last_seen_at"]) == (at(1), at(7))
    keys = migrated.query("SELECT key, article_id, how FROM article_urls ORDER BY key")
    assert keys == [{"key": "news.example/a/1", "article_id": 2, "how": "link"},
                    {"key": "news.example/a/2", "article_id": 3, "how": "link"},
                    {"key": "news.example/a/3", "article_id": 4, "how": "link"}]
    sources = migrated.query("SELECT article_id, source FROM article_sources ORDER BY article_id, source")
    assert [(r["article_id"], r["source"]) for r in sources] == [(2, "feed"), (2, "page"), (3, "page"), (4, "feed"),
                                                                 (4, "page")]
    assert migrated.query("SELECT article_id, source FROM held") == [{"article_id": 2, "source": "feed"}]


def test_matches_and_alerts_move_and_a_second_alert_for_one_story_is_never_sent(migrated: Store) -> None:
    matches = migrated.query("SELECT article_id, watch FROM matches ORDER BY watch")
    assert matches == [{"article_id": 2, "watch": "both"}, {"article_id": 2, "watch": "deportation"},
                       {"article_id": 2, "watch": "trafficking"}]
    alerts = {r["key"]: (json.loads(r["payload"])["article_id"], r["status"]) for r in migrated.query(
        "SELECT a.key, a.payload, d.status FROM alerts a JOIN deliveries d ON d.alert_id = a.id")}
    assert alerts == {"article:2:trafficking": (2, "delivered"), "article:2:deportation": (2, "delivered"),
                      "article:2:both": (2, "delivered"), "article:1:both": (1, "merged")}


def test_a_merged_article_listed_again_in_every_spelling_alerts_nothing(migrated: Store) -> None:
    config = parse_config(CONFIG, Path("config.toml"), {})
    hook = ArticleAlerts(config)
    listings = {
        "feed": ["http://news.example/a/1?utm_source=rss", "https://news.example/a/3?xtor=RSS-1"],
        "page": ["https://www.news.example/a/1", "https://news.example/a/2", "https://news.example/a/3"],
    }
    before = migrated.query("SELECT count(*) AS n FROM alerts")[0]["n"]
    for name, links in listings.items():
        source = config.source(name)
        result = CrawlResult(name, "ok", [ListedArticle(TITLES[link], link) for link in links])
        with migrated.transaction():
            report = apply_crawl(migrated, source, migrated.source_state(name), result, "baseline", T0 + timedelta(1))
            hook(migrated, source, report)
        assert (report.outcome, report.new) == ("ok", [])
    assert migrated.query("SELECT count(*) AS n FROM alerts")[0]["n"] == before
    assert migrated.query("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")[0]["n"] == 0
    assert migrated.query("SELECT count(*) AS n FROM articles")[0]["n"] == 3


def test_reopening_a_migrated_database_changes_nothing(tmp_path: Path) -> None:
    old_database(tmp_path / "old.db")
    Store(tmp_path / "old.db").close()
    with sqlite3.connect(tmp_path / "old.db") as db:
        first = db.execute("SELECT * FROM article_urls ORDER BY key").fetchall()
    again = Store(tmp_path / "old.db")
    assert again.db.execute("SELECT * FROM article_urls ORDER BY key").fetchall() == first
    again.close()
