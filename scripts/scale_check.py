"""Fill a database with many sources' articles and runs, then time what `status` and `articles` ask.

    .venv/bin/python scripts/scale_check.py /tmp/scale.db --sources 10000 [--recent 60000]

Times each read with the migration-9 indexes dropped, then with them (one run: compare the ratio).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newswatch.queries import last_successes, list_articles, run_counts
from newswatch.store import Store, iso

INDEXES = {
    "runs_source_outcome": "CREATE INDEX runs_source_outcome ON runs (source, outcome, finished_at)",
    "held_source": "CREATE INDEX held_source ON held (source)",
    "quotes_pair_source": "CREATE INDEX quotes_pair_source ON quotes (pair, source, id)",
    "alerts_created": "CREATE INDEX alerts_created ON alerts (created_at)",
}
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def articles(sources: int, per: int) -> Iterator[dict[str, Any]]:
    for s in range(sources):
        for a in range(per):
            url = f"https://h{s % 500}.example/{s}/{a}"
            at = iso(T0 + timedelta(seconds=s * per + a))
            yield {"url": url, "link": url, "title": f"Story {s}-{a}", "summary": "", "source": f"s{s}",
                   "first_seen_at": at, "last_seen_at": at}


def runs(sources: int, per: int) -> Iterator[dict[str, Any]]:
    for k in range(per):
        for s in range(sources):
            at = iso(T0 + timedelta(hours=k, seconds=s % 3600))
            yield {"source": f"s{s}", "started_at": at, "finished_at": at, "outcome": "ok" if k % 5 else "failed"}


def recent(sources: int, count: int) -> Iterator[dict[str, Any]]:
    """Daemon runs of the last hour, each with its due time and lag (what `status` sums up)."""
    now = datetime.now(UTC)
    for k in range(count):
        at = now - timedelta(seconds=3500 * k / max(count, 1))
        lag = (k * 7919) % 2000 / 100.0
        yield {"source": f"s{k % sources}", "started_at": iso(at), "finished_at": iso(at), "outcome": "ok",
               "due_at": iso(at - timedelta(seconds=lag)), "lag_seconds": lag}


def fill(store: Store, sources: int, per_source: int, runs_per_source: int, recent_runs: int = 0) -> None:
    store.db["sources"].insert_all(({"name": f"s{s}", "url": f"https://h{s % 500}.example/{s}", "type": "html"}
                                    for s in range(sources)), batch_size=5000)
    store.db["articles"].insert_all(articles(sources, per_source), batch_size=5000)
    store.db.execute("INSERT INTO article_sources (article_id, source, first_seen_at, last_seen_at) "
                     "SELECT id, source, first_seen_at, last_seen_at FROM articles")
    store.db["runs"].insert_all(runs(sources, runs_per_source), batch_size=5000)
    store.db["runs"].insert_all(recent(sources, recent_runs), batch_size=5000)
    store.db.conn.commit()


def timed(what: str, call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    print(f"  {what:<28} {seconds:8.3f} s")
    return seconds


def measure(store: Store) -> None:
    timed("articles --limit 20", lambda: list_articles(store, limit=20))
    timed("status: last successes", lambda: last_successes(store))
    timed("status: source rows", store.source_rows)
    timed("stats: run counts", lambda: run_counts(store))
    timed("per run: held of a source", lambda: store.query("SELECT * FROM held WHERE source = 's5'"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=20, help="per source")
    parser.add_argument("--runs", type=int, default=24, help="per source")
    parser.add_argument("--recent", type=int, default=0, help="daemon runs with a lag in the last hour (in all)")
    args = parser.parse_args()
    args.path.unlink(missing_ok=True)
    store = Store(args.path)
    started = time.perf_counter()
    fill(store, args.sources, args.articles, args.runs, args.recent)
    print(f"filled {args.sources} sources x {args.articles} articles, {args.runs} runs each "
          f"in {time.perf_counter() - started:.1f} s")
    for name in INDEXES:
        store.db.execute(f"DROP INDEX {name}")
    print("without the migration-9 indexes:")
    measure(store)
    for sql in INDEXES.values():
        store.db.execute(sql)
    print("with them:")
    measure(store)
    store.close()


if __name__ == "__main__":
    main()
