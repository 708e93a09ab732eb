"""``/metrics``: Prometheus exposition (prometheus_client) of what the database records.

A collector reads the figures at every scrape, so ``newswatch web`` without the
daemon exposes the same numbers as the daemon itself, and nothing is counted
twice across restarts. Counters are totals over the database's history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from newswatch import queries
from scheduler.heartbeat import heartbeat_problem
from web.context import WebContext
from workers.fleet import fleet

log = logging.getLogger(__name__)

RUN_BUCKETS = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0]
LAG_BUCKETS = [0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0]


class StoreCollector:
    """Every newswatch metric, read from the store at collection time."""

    def __init__(self, web: WebContext) -> None:
        self.web = web

    def collect(self) -> Iterator[Metric]:
        yield from self._runs()
        yield from self._lag()
        yield from self._records(queries.record_counts(self.web.store))
        yield from self._sources()
        up = GaugeMetricFamily("newswatch_daemon_up", "1 while the daemon's heartbeat is fresh")
        up.add_metric([], 0 if heartbeat_problem(self.web.heartbeat) else 1)
        yield up
        yield from self._workers()

    def _workers(self) -> Iterator[Metric]:
        """Scale-out mode: the workers and the crawl queue, read from Redis now (absent while it is unreachable)."""
        url = self.web.config().workers.url
        if not url:
            return
        found = fleet(url)
        if not found["reachable"]:
            log.warning("/metrics: crawl workers' broker %s unreachable: %s", found["broker"], found["error"])
            return
        alive = GaugeMetricFamily("newswatch_workers_alive", "Crawl workers with a fresh heartbeat")
        alive.add_metric([], len(found["workers"]))
        jobs = CounterMetricFamily("newswatch_worker_jobs", "Jobs a live crawl worker finished, by outcome",
                                   labels=["worker", "outcome"])
        for worker in found["workers"]:
            jobs.add_metric([worker["worker"], "done"], worker["done"])
            jobs.add_metric([worker["worker"], "failed"], worker["failed"])
        depth = GaugeMetricFamily("newswatch_crawl_queue_depth", "Crawl jobs queued or taken, not yet acknowledged",
                                  labels=["state"])
        for state, n in found["queue"].items():
            depth.add_metric([state], n)
        yield from (alive, jobs, depth)

    def _runs(self) -> Iterator[Metric]:
        runs = CounterMetricFamily("newswatch_runs", "Finished source runs", labels=["source", "outcome"])
        for row in queries.run_counts(self.web.store):
            runs.add_metric([row["source"], row["outcome"]], row["n"])
        yield runs
        for fetch, name, what in ((False, "newswatch_run_duration_seconds", "source runs (fetch, diff, match, store)"),
                                  (True, "newswatch_fetch_duration_seconds", "fetches of source runs")):
            yield self._histogram(fetch, name, f"Duration of {what}")

    def _lag(self) -> Iterator[Metric]:
        """Schedule lag of daemon runs (start − due): a histogram over the database, the last hour as gauges."""
        row = queries.lag_buckets(self.web.store, LAG_BUCKETS)
        histogram = HistogramMetricFamily("newswatch_schedule_lag_seconds",
                                          "How long after it was due a scheduled source run started")
        buckets = [(str(b), int(row[f"le_{i}"])) for i, b in enumerate(LAG_BUCKETS)] + [("+Inf", row["n"])]
        histogram.add_metric([], buckets, row["seconds"])
        yield histogram
        hour = queries.schedule_lag(self.web.store)
        gauge = GaugeMetricFamily("newswatch_schedule_lag_last_hour_seconds",
                                  "Schedule lag of the runs started in the last hour", labels=["quantile"])
        for label, key in (("0.5", "lag_p50"), ("0.99", "lag_p99"), ("1", "lag_max")):
            gauge.add_metric([label], hour[key] or 0.0)
        yield gauge
        late = GaugeMetricFamily("newswatch_late_runs_last_hour",
                                 f"Runs started in the last hour more than {hour['late_seconds']:g}s after due")
        late.add_metric([], hour["late_runs"])
        yield late

    def _histogram(self, fetch: bool, name: str, documentation: str) -> Metric:
        histogram = HistogramMetricFamily(name, documentation, labels=["source"])
        for row in queries.duration_buckets(self.web.store, RUN_BUCKETS, fetch):
            buckets = [(str(b), row[f"le_{i}"] or 0) for i, b in enumerate(RUN_BUCKETS)] + [("+Inf", row["n"])]
            histogram.add_metric([row["source"]], buckets, row["seconds"] or 0.0)
        return histogram

    def _records(self, counts: dict[str, list[dict]]) -> Iterator[Metric]:
        articles = GaugeMetricFamily("newswatch_articles", "Articles stored")
        articles.add_metric([], counts["articles"][0]["n"])
        matches = CounterMetricFamily("newswatch_matches", "Articles matched, by watch", labels=["watch"])
        for row in counts["matches"]:
            matches.add_metric([row["watch"]], row["n"])
        alerts = CounterMetricFamily("newswatch_alerts", "Alerts raised, by kind and watch", labels=["kind", "watch"])
        for row in counts["alerts"]:
            alerts.add_metric([row["kind"], row["watch"]], row["n"])
        deliveries = GaugeMetricFamily("newswatch_deliveries", "Deliveries by notifier and status",
                                       labels=["notifier", "status"])
        pending = GaugeMetricFamily("newswatch_queue_depth", "Deliveries still owed (pending)")
        pending.add_metric([], sum(r["n"] for r in counts["deliveries"] if r["status"] == "pending"))
        for row in counts["deliveries"]:
            deliveries.add_metric([row["notifier"], row["status"]], row["n"])
        yield from (articles, matches, alerts, deliveries, pending)

    def _sources(self) -> Iterator[Metric]:
        success = GaugeMetricFamily("newswatch_source_last_success_timestamp_seconds",
                                    "Unix time the source's last successful run finished", labels=["source"])
        failures = GaugeMetricFamily("newswatch_source_consecutive_failures", "Failed runs in a row",
                                     labels=["source"])
        for row in queries.last_successes(self.web.store):
            if row["at"]:
                success.add_metric([row["source"]], datetime.fromisoformat(row["at"]).timestamp())
            failures.add_metric([row["source"]], row["failures"])
        yield from (success, failures)


def exposition(web: WebContext) -> tuple[bytes, str]:
    """The text exposition of every metric and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(web))
    return generate_latest(registry), CONTENT_TYPE_LATEST
