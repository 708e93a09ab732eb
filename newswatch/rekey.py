"""Re-keying a database: every article's identity recomputed with the current rules, collisions merged.

A migration step (``schema.MIGRATIONS``), run inside the migration's transaction. Articles
whose links now have one key (``http``/``https``, ``www.``, trackers, encodings) become one:
the earliest seen is kept, with the others' sources, matches, alerts and held rows moved to
it. A watch either of them matched stays matched, so the merged article never alerts it
again; a still-pending delivery of a second alert for one (story, watch) is marked
``merged`` and never sent.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlite_utils

from newswatch.text import title_key
from newswatch.urls import article_key, canonical_url

log = logging.getLogger(__name__)


def rekey_articles(db: sqlite_utils.Database) -> None:
    """Recompute ``articles.url`` and ``article_urls`` from each article's link; merge articles sharing a key."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in db.query("SELECT id, link, source, title, first_seen_at FROM articles ORDER BY first_seen_at, id"):
        groups.setdefault(article_key(row["link"]), []).append(row)
    db.execute("DELETE FROM article_urls")
    db.execute("UPDATE articles SET url = '#' || id")  # frees every url while they are recomputed
    merged = 0
    for key, (keep, *others) in groups.items():
        for other in others:
            _merge(db, keep["id"], other["id"])
        merged += len(others)
        db.execute("UPDATE articles SET url = ? WHERE id = ?", [canonical_url(keep["link"]), keep["id"]])
        db.execute(
            "INSERT INTO article_urls (key, article_id, link, source, how, first_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            [key, keep["id"], keep["link"], keep["source"], "link", keep["first_seen_at"]],
        )
        db.execute("UPDATE article_sources SET title_key = ? WHERE article_id = ?", [title_key(keep["title"]),
                                                                                     keep["id"]])
    if merged:
        log.warning("article identity: %d article(s) merged into the one first seen with the same key", merged)


def _merge(db: sqlite_utils.Database, keep: int, other: int) -> None:
    """Fold article ``other`` into ``keep`` (seen first), then delete it."""
    db.execute(
        "UPDATE articles SET last_seen_at = max(last_seen_at, (SELECT last_seen_at FROM articles WHERE id = :o)), "
        "published_at = coalesce(published_at, (SELECT published_at FROM articles WHERE id = :o)), "
        "body = coalesce(body, (SELECT body FROM articles WHERE id = :o)) WHERE id = :k",
        {"k": keep, "o": other},
    )
    db.execute(
        "INSERT INTO article_sources (article_id, source, first_seen_at, last_seen_at) "
        "SELECT :k, source, first_seen_at, last_seen_at FROM article_sources WHERE article_id = :o "
        "ON CONFLICT (article_id, source) DO UPDATE SET first_seen_at = min(first_seen_at, excluded.first_seen_at), "
        "last_seen_at = max(last_seen_at, excluded.last_seen_at)",
        {"k": keep, "o": other},
    )
    db.execute(
        "INSERT INTO matches (article_id, watch, keywords, matched_at) "
        "SELECT :k, watch, keywords, matched_at FROM matches WHERE article_id = :o ON CONFLICT DO NOTHING",
        {"k": keep, "o": other},
    )
    db.execute(
        "INSERT INTO held (article_id, source, run_id, held_at) "
        "SELECT :k, source, run_id, held_at FROM held WHERE article_id = :o ON CONFLICT DO NOTHING",
        {"k": keep, "o": other},
    )
    _merge_alerts(db, keep, other)
    for table in ("article_sources", "matches", "held"):
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", [other])
    db.execute("DELETE FROM articles WHERE id = ?", [other])


def _merge_alerts(db: sqlite_utils.Database, keep: int, other: int) -> None:
    """``article:<other>:<watch>`` alerts become ``keep``'s; where ``keep`` has one already, the other is never sent."""
    params = {"k": f"article:{keep}:", "o": f"article:{other}:", "id": keep}
    duplicate = (
        "SELECT o.id FROM alerts o JOIN alerts k ON k.key = :k || substr(o.key, length(:o) + 1) "
        "WHERE substr(o.key, 1, length(:o)) = :o"
    )
    db.execute(f"UPDATE deliveries SET status = 'merged' WHERE status = 'pending' AND alert_id IN ({duplicate})",
               params)
    db.execute(
        "UPDATE OR IGNORE alerts SET key = :k || substr(key, length(:o) + 1), "
        "payload = json_set(payload, '$.article_id', :id) WHERE substr(key, 1, length(:o)) = :o",
        params,
    )
