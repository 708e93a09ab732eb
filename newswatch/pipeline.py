"""One pass over the sources: fetch → diff → hooks (matching, alerts), fault-isolated.

The pipeline is framework-free: the crawl itself is a ``Fetch`` coroutine
function handed in by the CLI wiring (Scrapy lives in ``crawler/``), and what
happens after the diff is a list of ``RunHook`` callables that run inside the
same transaction as the articles they react to.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from newswatch.config import Config, SourceConfig
from newswatch.diff import RunReport, apply_crawl, unseen_links
from newswatch.errors import DatabaseFault, UnknownSourceError
from newswatch.model import CrawlResult, SourceState
from newswatch.secrets import Masker
from newswatch.store import Store, iso, utcnow

log = logging.getLogger(__name__)

Fetch = Callable[[SourceConfig, SourceState], Awaitable[CrawlResult]]
FetchBodies = Callable[[SourceConfig, list[str], Counter[str]], Awaitable[dict[str, str]]]
"""Fetch article pages and return link → extracted main text (missing on failure); count links not fetched."""
RunHook = Callable[[Store, SourceConfig, RunReport], None]
"""Called inside the run's transaction after the diff; may add alerts to the report."""


@dataclass(frozen=True)
class RunSummary:
    """What a pass keeps of one run: counts and the failure reason, not the articles."""

    source: str
    outcome: str
    items: int
    new: int
    alerts: int
    error: str | None
    skipped: dict[str, int]

    @classmethod
    def of(cls, report: RunReport) -> RunSummary:
        return cls(report.source, report.outcome, report.items, len(report.new), report.alerts, report.error,
                   report.skipped)

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "cancelled")


@dataclass
class Pipeline:
    """Runs sources through fetch and diff, one transaction per source run."""

    config: Config
    store: Store
    fetch: Fetch
    hooks: Sequence[RunHook] = field(default_factory=list)
    fetch_bodies: FetchBodies | None = None

    def select(self, names: Iterable[str] = ()) -> list[SourceConfig]:
        """The named sources (all when ``names`` is empty); UnknownSourceError otherwise."""
        wanted = list(names)
        known = [s.name for s in self.config.sources]
        for name in wanted:
            if name not in known:
                raise UnknownSourceError(name, known)
        return [s for s in self.config.sources if not wanted or s.name in wanted]

    async def run_pass(self, names: Iterable[str] = ()) -> list[RunSummary]:
        """Run the selected sources concurrently (bounded by crawler.concurrency); a small summary of each
        (a run's articles are released as it ends, so a pass over 10,000 sources does not hold them all)."""
        limit = asyncio.Semaphore(self.config.crawler.concurrency)

        async def bounded(source: SourceConfig) -> RunSummary:
            async with limit:
                return RunSummary.of(await self.run_source(source))

        return list(await asyncio.gather(*(bounded(s) for s in self.select(names))))

    async def run_source(self, source: SourceConfig, due: datetime | None = None) -> RunReport:
        """Fetch and record one source; any fault ends as a failed run of that source only.

        ``due``: when the scheduler meant the run to start; the run records how late it started (its lag).
        """
        state = self.store.source_state(source.name)
        started, clock = utcnow(), time.monotonic()
        if state.retry_after is not None and state.retry_after > started:
            return _deferred(source.name, state.retry_after)
        with self.store.transaction():
            self.store.ensure_source(source.name, self.masked(source.url), source.type)
            run_id = self.store.start_run(source.name, started, due, lag_since(due))
        try:
            result = await self.fetch(source, state)
            await self._add_bodies(source, state, result)
            fetched = time.monotonic() - clock
        except asyncio.CancelledError:
            self._finish(run_id, RunReport(source.name, "cancelled", error="cancelled at shutdown"))
            raise
        except Exception as exc:  # a crawler bug must not stop the other sources
            log.exception("source %s: crawl crashed", source.name)
            result = CrawlResult(source.name, "failed", error=f"internal error: {type(exc).__name__}: {exc}")
            fetched = time.monotonic() - clock
        try:
            report = self._record(source, state, result, run_id, fetched)
        except DatabaseFault as exc:  # rolled back whole: the next run records it all again
            self._abandon(run_id, source.name, exc)
            raise
        log.info(
            "source=%s outcome=%s items=%d new=%d alerts=%d duration=%.2fs%s",
            source.name, report.outcome, report.items, len(report.new), report.alerts,
            time.monotonic() - clock, f" error={report.error!r}" if report.error else "",
        )
        return report

    async def _add_bodies(self, source: SourceConfig, state: SourceState, result: CrawlResult) -> None:
        """For ``full_text`` sources, the main text of articles never seen before (not on a baseline)."""
        baseline = not state.has_baseline and self.config.alerts.first_run == "baseline"
        if not source.full_text or baseline or result.status != "ok" or self.fetch_bodies is None:
            return
        links = unseen_links(self.store, source.name, result.articles)
        if links:
            skipped = Counter(result.skipped)
            texts = await self.fetch_bodies(source, list(links.values()), skipped)
            result.skipped = dict(skipped)
            result.bodies = {url: texts[link] for url, link in links.items() if texts.get(link)}

    @cached_property
    def _masker(self) -> Masker:
        return Masker(self.config.secrets)  # one compiled pattern for the pipeline's life, not one per run

    def masked(self, text: str) -> str:
        """``text`` as the database and output may show it: a source URL can carry an API key from ``${VAR}``."""
        return self._masker(text)

    def _record(
        self, source: SourceConfig, state: SourceState, result: CrawlResult, run_id: int, fetched: float | None = None
    ) -> RunReport:
        shown = source.model_copy(update={"url": self.masked(source.url)})
        result.error = self.masked(result.error) if result.error else result.error
        with self.store.transaction():
            report = apply_crawl(self.store, shown, state, result, self.config.alerts.first_run, utcnow(),
                                 self.config.alerts.same_title_window)
            report.run_id, report.fetch_seconds = run_id, fetched
            for hook in self.hooks:
                hook(self.store, source, report)
            self._finish(run_id, report)
        return report

    def _abandon(self, run_id: int, name: str, exc: DatabaseFault) -> None:
        """Best effort: close the run as failed with the database's fault (a full disk may refuse this too)."""
        try:
            self._finish(run_id, RunReport(name, "failed", error=str(exc)))
        except DatabaseFault:
            log.debug("source %s: run %d stays open: %s", name, run_id, exc)

    def _finish(self, run_id: int, report: RunReport) -> None:
        with self.store.transaction():
            self.store.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, items = ?, new = ?, alerts = ?, error = ?, "
                "fetch_seconds = ?, skipped = ? WHERE id = ?",
                [iso(utcnow()), report.outcome, report.items, len(report.new), report.alerts, report.error,
                 report.fetch_seconds, json.dumps(report.skipped) if report.skipped else None, run_id],
            )
            if report.outcome == "cancelled":
                self.store.execute(
                    "UPDATE sources SET last_outcome = 'cancelled', last_error = ? WHERE name = ?",
                    [report.error, report.source],
                )


def lag_since(due: datetime | None) -> float | None:
    """Seconds from ``due`` to now (never negative, to the millisecond); None for a run nobody scheduled."""
    if due is None:
        return None
    return round(max(0.0, (datetime.now(UTC) - due).total_seconds()), 3)


def _deferred(name: str, until: datetime) -> RunReport:
    """A run not made: the site asked (Retry-After) not to be fetched before ``until``."""
    log.info("source=%s outcome=deferred until=%s (the site's Retry-After)", name, iso(until))
    return RunReport(name, "deferred", error=f"not fetched: the site asked to wait until {until:%Y-%m-%d %H:%M} UTC")
