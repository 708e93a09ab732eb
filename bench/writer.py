"""The single writer's CPU per stored run, in process: worker results fed through the daemon's own code path.

What ``newswatch run --workers`` does with each result, minus the Redis round trip: the result's JSON (as a
worker writes it, ``newswatch.wire.result_to_json``) is decoded, then ``Pipeline.run_source`` with the
daemon's hooks (article alerts and matching, ticker quotes, source health) records it in a real SQLite
database. The results are bench/site.py's listing pages (20 articles, 40 ticker quotes each), as the
crawler reads them. Four passes over N sources, each timed with the process's CPU clock:

- baseline: the first run of each source (20 articles stored, none alerted);
- unchanged: the page did not change (the worker answers "unchanged": its body hash matched);
- same articles: the page changed but lists the same articles (ticker quotes moved: the common case);
- changed: each page lists one new article (matched against the watches; some alert).

    python bench/writer.py                      # N = 500
    python bench/writer.py --profile changed    # also the top of a cProfile of that pass
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import site  # noqa: E402
from bench.tools import newswatch_config  # noqa: E402
from newswatch.cli import build_pipeline  # noqa: E402
from newswatch.config import load_config  # noqa: E402
from newswatch.model import CrawlResult, ListedArticle, SourceState, Validators  # noqa: E402
from newswatch.pipeline import Pipeline  # noqa: E402
from newswatch.store import Store  # noqa: E402
from newswatch.wire import result_from_json, result_to_json  # noqa: E402

PASSES = ("baseline", "unchanged", "same articles", "changed")
def config_text(n: int) -> str:
    """bench/tools.py's config over n sources (page-00000, ...) on bench/site.py's paths; the notifier is never
    reached (the writer is measured before delivery)."""
    urls = [f"http://127.0.1.{1 + i % 50}{site.page_path(i)}" for i in range(n)]
    return newswatch_config([(f"page-{i:05d}", url) for i, url in enumerate(urls)], "json://127.0.0.1:9/newswatch", 16)


def listed(page: int, state: int) -> list[ListedArticle]:
    base = f"http://127.0.1.{1 + page % 50}"
    return [ListedArticle(a.title, base + a.href, a.summary, datetime.fromisoformat(a.date))
            for a in site.articles_of(page, state)]


def result_json(page: int, what: str) -> str:
    """What a worker would answer for ``page`` in pass ``what``."""
    name, now = f"page-{page:05d}", datetime.now(UTC)
    if what == "unchanged":
        return result_to_json(CrawlResult(name, "unchanged", validators=Validators(body_hash="h1"), pages=1,
                                          started=now, finished=now))
    state, moved = (2, "+0.2%") if what == "changed" else (1, "+0.1%" if what == "same articles" else "0%")
    tickers = [t.rsplit(" ", 1)[0] + f" {moved}" for t in site._TICKER] * 5
    return result_to_json(CrawlResult(name, "ok", listed(page, state), tickers, pages=1, started=now, finished=now,
                                      validators=Validators(body_hash=f"h-{what}")))


def time_pass(pipeline: Pipeline, what: str, n: int, profile: cProfile.Profile | None) -> float:
    """CPU seconds per run of pass ``what`` over the N sources (decoding each result included)."""
    answers = {f"page-{i:05d}": result_json(i, what) for i in range(n)}

    async def fetch(source: object, state: SourceState) -> CrawlResult:
        return result_from_json(answers[source.name])  # type: ignore[attr-defined]

    pipeline.fetch = fetch

    async def one_pass() -> None:
        for source in pipeline.config.sources:
            await pipeline.run_source(source)

    start = time.process_time()
    if profile:
        profile.enable()
    asyncio.run(one_pass())
    if profile:
        profile.disable()
    return (time.process_time() - start) / n


def run(n: int, profiled: str | None, top: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="newswatch-writer-") as folder:
        path = Path(folder) / "config.toml"
        path.write_text(config_text(n), encoding="utf-8")
        config = load_config(path)
        store = Store(config.storage.path)
        pipeline = build_pipeline(config, store, _NoCrawl())
        costs = {}
        for what in PASSES:
            profile = cProfile.Profile() if profiled == what else None
            costs[what] = time_pass(pipeline, what, n, profile)
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
        store.close()
    return costs


class _NoCrawl:
    """build_pipeline's crawl service; every fetch is replaced by a worker's answer."""

    async def fetch(self, source: object, state: SourceState) -> CrawlResult:
        raise AssertionError("not used")

    async def fetch_bodies(self, source: object, links: list[str], skipped: object) -> dict[str, str]:
        return {}


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--profile", choices=PASSES, default=None)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    costs = run(args.sources, args.profile, args.top)
    for what, cost in costs.items():
        out(f"{what:14s} {cost * 1000:6.2f} ms CPU per run")


if __name__ == "__main__":
    main()
