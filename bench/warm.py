"""Warm passes: run newswatch's ``once`` pass several times in ONE process (the daemon's shape).

No interpreter start-up, imports or crawler-service construction between passes: the pipeline and the
crawl service are built once, then ``run_pass`` + delivery run ``--passes`` times inside one reactor.
Between passes ``--between URL`` is fetched (off the event loop, outside the timed span), e.g. the bench
site's ``/_control/pass2`` switch. Each pass's wall time (``time.perf_counter`` around ``run_pass`` and
``deliver_pending``) is printed as one JSON line: ``{"pass": 1, "wall": 3.21, "sources": 500, "failed": 0}``.

    python bench/warm.py -c config.toml --passes 2 --between http://127.0.0.1:PORT/_control/pass2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newswatch.cli import build_pipeline, load

if TYPE_CHECKING:
    from newswatch.pipeline import Pipeline
    from notifiers.delivery import Deliverer


def fetch(url: str) -> None:
    """GET ``url`` (the switch between passes); raise on a non-2xx answer."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", type=Path, required=True, help="newswatch config file")
    parser.add_argument("--passes", type=int, default=2, help="passes in this one process (default 2)")
    parser.add_argument("--between", action="append", default=[], metavar="URL",
                        help="URL fetched before pass 2, 3, ... (repeat for per-pass URLs; the last one repeats)")
    return parser.parse_args(argv)


async def passes(args: argparse.Namespace) -> list[dict]:
    """Build the pipeline once and time each pass; fetch the switch URL between passes."""
    from crawler.runner import CrawlService
    from newswatch.store import Store
    from notifiers.delivery import Deliverer

    config = load(args.config, notifiers=True)
    store = Store(config.storage.path)
    pipeline = build_pipeline(config, store, CrawlService(config.crawler))
    results = []
    try:
        for number in range(1, args.passes + 1):
            if number > 1 and args.between:
                await asyncio.to_thread(fetch, args.between[min(number - 2, len(args.between) - 1)])
            results.append(await timed_pass(pipeline, Deliverer(config, store), number))
    finally:
        store.close()
    return results


async def timed_pass(pipeline: Pipeline, deliverer: Deliverer, number: int) -> dict:
    """One pass (crawl, store, diff, alerts, delivery), wall-timed; printed at once as one JSON line."""
    start = time.perf_counter()
    reports = await pipeline.run_pass(())
    delivery = await deliverer.deliver_pending(due_only=False)
    result = {"pass": number, "wall": round(time.perf_counter() - start, 3), "sources": len(reports),
              "failed": sum(1 for r in reports if r.failed), "delivered": len(delivery.delivered)}
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    from crawler.runner import run_in_reactor

    args = parse_args(argv)
    results = run_in_reactor(lambda: passes(args))
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
