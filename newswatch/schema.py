"""The database schema, as numbered migrations.

``PRAGMA user_version`` holds the number of the last migration applied; each
migration runs once, in its own transaction. Tables are plain and documented
in the README so that users can query them with ``sqlite3`` or ``sqlite-utils``.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = str | Callable[[sqlite_utils.Database], None]
"""SQL statements, or a function for what SQL cannot do (recomputing keys with Python rules)."""


def rekey_articles(db: sqlite_utils.Database) -> None:
    """Migration 6 (imported only when it runs: the URL rules pull in courlan, slow for every read command)."""
    from newswatch.rekey import rekey_articles as rekey

    rekey(db)

MIGRATIONS: tuple[Migration, ...] = (
    # 1: sources, articles, runs, and the alert outbox.
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        type TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        baseline_at TEXT,
        last_run_at TEXT,
        last_outcome TEXT,
        last_error TEXT,
        last_items INTEGER NOT NULL DEFAULT 0,
        last_ok_items INTEGER NOT NULL DEFAULT 0,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        failing_notified INTEGER NOT NULL DEFAULT 0,
        next_run_at TEXT
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        link TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        body TEXT,
        published_at TEXT,
        source TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE INDEX articles_first_seen ON articles (first_seen_at);
    CREATE TABLE article_sources (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (article_id, source)
    );
    CREATE INDEX article_sources_source ON article_sources (source);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL,
        items INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        alerts INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE INDEX runs_source ON runs (source, id);
    CREATE TABLE matches (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        watch TEXT NOT NULL,
        keywords TEXT NOT NULL,
        matched_at TEXT NOT NULL,
        PRIMARY KEY (article_id, watch)
    );
    CREATE INDEX matches_watch ON matches (watch);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        source TEXT,
        title TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        notifier TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_attempt_at TEXT,
        next_attempt_at TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, notifier)
    );
    CREATE INDEX deliveries_pending ON deliveries (status, next_attempt_at);
    """,
    # 2: ticker history and the per-rule reference value of ticker alerts.
    """
    CREATE TABLE quotes (
        id INTEGER PRIMARY KEY,
        pair TEXT NOT NULL,
        value TEXT NOT NULL,
        change TEXT,
        source TEXT NOT NULL,
        observed_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE INDEX quotes_pair ON quotes (pair, id);
    CREATE TABLE ticker_marks (
        rule TEXT NOT NULL,
        pair TEXT NOT NULL,
        value TEXT NOT NULL,
        marked_at TEXT NOT NULL,
        PRIMARY KEY (rule, pair)
    );
    ALTER TABLE sources ADD COLUMN ticker_skipped INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: new articles held back from alerting because too many arrived at once.
    """
    CREATE TABLE held (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        run_id INTEGER,
        held_at TEXT NOT NULL,
        PRIMARY KEY (article_id, source)
    );
    """,
    # 4: notifiers whose deliveries keep failing, so the operator is told once.
    """
    CREATE TABLE notifier_health (
        name TEXT PRIMARY KEY,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        failing_notified INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    """,
    # 5: article identity: every key an article is known under (its link, an edited URL with the same
    # title), and each source's spelling of the title (for that same-title rule).
    """
    CREATE TABLE article_urls (
        key TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        link TEXT NOT NULL,
        source TEXT,
        how TEXT NOT NULL,
        first_seen_at TEXT NOT NULL
    );
    CREATE INDEX article_urls_article ON article_urls (article_id);
    ALTER TABLE article_sources ADD COLUMN title_key TEXT;
    CREATE INDEX article_sources_title ON article_sources (source, title_key);
    """,
    # 6: recompute every key with the current rules; merge the articles that now share one.
    rekey_articles,
    # 7: entries a run skipped (by reason), and a site's Retry-After.
    """
    ALTER TABLE runs ADD COLUMN skipped TEXT;
    ALTER TABLE sources ADD COLUMN retry_after TEXT;
    """,
    # 8: full-text search over articles (title, summary, body) for the web front's ``q``; fetch time of runs.
    """
    ALTER TABLE runs ADD COLUMN fetch_seconds REAL;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, summary, body, content = 'articles', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles
    WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary OR old.body IS NOT new.body BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO articles_fts (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
    END;
    """,
    # 9: indexes for what every run and `status` ask of tables that grow with history (issue 15):
    # a source's last success (covering), a source's held articles, a ticker's last quote per source,
    # alerts by age (expiry on every delivery cycle).
    """
    CREATE INDEX runs_source_outcome ON runs (source, outcome, finished_at);
    CREATE INDEX held_source ON held (source);
    CREATE INDEX quotes_pair_source ON quotes (pair, source, id);
    CREATE INDEX alerts_created ON alerts (created_at);
    """,
    # 10: schedule lag (issue 15): when a daemon run was due, and how many seconds after that it started
    # (NULL for `once` and other runs nobody scheduled); runs by start time with their lag (covering) for
    # `status`' last hour.
    """
    ALTER TABLE runs ADD COLUMN due_at TEXT;
    ALTER TABLE runs ADD COLUMN lag_seconds REAL;
    CREATE INDEX runs_started ON runs (started_at, lag_seconds);
    """,
)
