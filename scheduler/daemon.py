"""The daemon behind ``newswatch run``: every source on its own schedule, on one event loop.

One process, one asyncio loop driven by Twisted's asyncio reactor
(``crawler.runner.run_in_reactor``): Scrapy crawls, APScheduler's
``AsyncIOScheduler`` and the jobs below all share it. Every job is ``async
def``, so APScheduler runs it on the loop and never in a thread: the store's
single SQLite connection is only ever used from the loop.

Jobs: one per source (``source:NAME``) that runs ``pipeline.run_source`` and
nothing else; ``deliver``, a delivery pass every ``scheduler.delivery_interval``
(and right after any run that produced alerts); ``heartbeat`` for
``status --check``; ``config-watch``, which puts a valid edit of the config
file in force (SIGHUP does the same at once).

Shutdown (SIGTERM/SIGINT): no new runs start; work in flight gets
``scheduler.grace`` to finish, then is cancelled (the pipeline records the run
as ``cancelled``); a second signal cancels at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from crawler.runner import CrawlService, run_in_reactor
from newswatch.alerts import routed
from newswatch.config import Config, SourceConfig
from newswatch.diff import RunReport
from newswatch.errors import DatabaseFault, NewswatchError
from newswatch.outbox import enqueue
from newswatch.pipeline import Pipeline, lag_since
from newswatch.retention import prune
from newswatch.store import Store, iso, utcnow
from notifiers.delivery import Deliverer
from scheduler.dbhealth import DatabaseHealth
from scheduler.heartbeat import heartbeat_path, heartbeat_tick, remove_heartbeat, write_heartbeat
from scheduler.inflight import InFlight
from scheduler.lateness import Lateness
from scheduler.reload import ConfigWatch, JobPlan, TriggerKey, plan_jobs, trigger_keys
from scheduler.runlock import RunLock
from scheduler.slots import Slots
from scheduler.triggers import source_trigger

if TYPE_CHECKING:
    from web.run import RunningWeb

log = logging.getLogger(__name__)

BuildPipeline = Callable[[Config, Store, CrawlService], Pipeline]
"""Builds the pipeline (watches, notifiers, hooks) for a config: the CLI's wiring."""

CONFIG_POLL_SECONDS = 2.0
RETENTION_SECONDS = 3600.0
CANCEL_WAIT_SECONDS = 5.0
# A late run still runs, once (coalesce), however late: a poller should catch
# up after a suspend, never drop the run. Overlapping runs of a source are skipped.
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def serve(config: Config, watch: ConfigWatch, build: BuildPipeline) -> int:
    """Run the daemon until SIGTERM/SIGINT; the exit status (0 after a clean shutdown)."""

    async def main() -> int:
        return await Daemon(config, watch, build).serve()

    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not two INFO lines per job run
    lock = RunLock(config.storage.path)
    lock.acquire()  # before the database is opened: a second daemon touches nothing
    try:
        return run_in_reactor(main)
    finally:
        lock.release()


def _job_id(source: str) -> str:
    return f"source:{source}"


def _crawl_service(config: Config) -> CrawlService:
    """The seam of scale-out mode: crawl here, or send each crawl to the workers (``[workers] url``)."""
    if config.workers.url is None:
        return CrawlService(config.crawler)
    from workers.remote import RemoteCrawlService

    return RemoteCrawlService(config.workers.url, config.crawler)  # type: ignore[return-value]


def _still_crawling(service: CrawlService) -> bool:
    return bool(getattr(service, "busy", False))


class Daemon:
    """The scheduler, its jobs and what they share; call :meth:`serve` on the running loop."""

    def __init__(self, config: Config, watch: ConfigWatch, build: BuildPipeline) -> None:
        self.watch, self.build = watch, build
        self.store = Store(config.storage.path)
        self.database_id = self.store.identity()  # to notice the file deleted or replaced under us
        self.health = DatabaseHealth(config.storage.path)
        self.exit_status = 0
        self.beat_error: str | None = None
        self.scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self.scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        self.started = utcnow()
        self.beat = heartbeat_path(config.storage.path)
        self.inflight = InFlight()
        self.lateness = Lateness()
        self.stopping, self.hurry = asyncio.Event(), asyncio.Event()
        self.triggers: dict[str, TriggerKey] = {}
        self.services: list[CrawlService] = []
        self.delivering = self.deliver_again = False
        self.web: RunningWeb | None = None
        self.hup_pending = False
        self.ready = False  # jobs scheduled: a SIGHUP before this has nothing to reload (the config was just read)
        self._wire(config, None)

    # -- lifecycle ---------------------------------------------------------

    async def serve(self) -> int:
        """Schedule everything, run until a stop signal, shut down gracefully; 0 (1 if the database vanished)."""
        loop = asyncio.get_running_loop()
        self._install_signals(loop)
        try:
            self.scheduler.start()
            self._add_service_jobs()
            self._sync_sources()
            self.ready = True
            self._start_web()
            log.info("daemon started: %s; database %s", self._summary(), self.config.storage.path)
            await self.stopping.wait()
            await self._shutdown()
        finally:
            for sig in (*STOP_SIGNALS, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # removing restored the default, which kills: not now
            self.store.close()
        log.info("daemon stopped")
        return self.exit_status

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self._on_hup)
        # A burst of signals while the loop is busy fills asyncio's wakeup socket; Python would print a
        # traceback-shaped warning per signal it cannot note. Repeated HUPs are one reload anyway.
        signal.set_wakeup_fd(signal.set_wakeup_fd(-1), warn_on_full_buffer=False)

    def _on_stop(self, sig: int) -> None:
        name = signal.Signals(sig).name
        if self.stopping.is_set():
            log.warning("%s again: cancelling work in flight now", name)
            self.hurry.set()
            return
        log.info("%s: starting no new runs; work in flight may finish within %ss (send it again to cancel now)",
                 name, self.config.scheduler.grace.total_seconds())
        self.stopping.set()
        self.limit.close()  # runs waiting for a slot never started: they leave now, nothing to record

    def _on_hup(self) -> None:
        if not self.ready:
            log.debug("SIGHUP during start-up: the config was just read, nothing to reload")
            return
        if not self.hup_pending:  # several SIGHUPs noted in one go are one reload
            self.hup_pending = True
            asyncio.get_running_loop().call_soon(self._reload_now)

    def _reload_now(self) -> None:
        self.hup_pending = False
        config = self.watch.force()
        if config is not None:
            self._reload(config)
        self._report_rejected()

    def _report_rejected(self) -> None:
        """Tell the operator, once per rejected content, that an edit of the config was refused."""
        rejected, self.watch.rejected = self.watch.rejected, None
        if rejected is None:
            return
        text = "The last good config stays in force. " + " | ".join(rejected.problems)
        payload = {"kind": "operator", "title": f"config edit rejected: {self.watch.path}", "text": text}
        try:
            with self.store.transaction():
                enqueue(self.store, f"config-rejected:{self.watch.digest}", "operator", payload,
                        routed(self.config, self.config.alerts.operator), utcnow())
        except DatabaseFault as exc:  # the rejection is in the log already
            self.health.failed(exc, "telling the operator of a rejected config edit")
            return
        self.inflight.spawn(self._deliver())

    async def _shutdown(self) -> None:
        self.scheduler.pause()
        late = self.lateness
        log.info("schedule: %d of %d runs started late (max %.1fs), %d came due during their own run and ran "
                 "after it, %d came due while their run waited for a slot and were served by it",
                 late.late_runs, late.runs, late.max_lag, late.overlapped, late.served)
        await self.inflight.drain(self.config.scheduler.grace.total_seconds(), self.hurry, CANCEL_WAIT_SECONDS)
        for service in self.services:
            await self._stop_crawls(service)
        self.scheduler.shutdown(wait=False)
        self._publish_next_runs(clear=True)
        remove_heartbeat(self.beat)
        if self.web is not None:
            await self.web.stop()

    async def _stop_crawls(self, service: CrawlService) -> None:
        """Close crawls a cancelled run left behind, so the process ends with no half-open engine."""
        try:
            await asyncio.wait_for(service.stop(), CANCEL_WAIT_SECONDS)
        except Exception as exc:  # shutting down: report and go on
            log.warning("stopping crawls: %s: %s", type(exc).__name__, exc)

    def _start_web(self) -> None:
        """Serve the read-only web front on this loop when ``[web] listen`` is set; monitoring goes on without it."""
        listen = self.config.web.listen
        if listen is None:
            return
        from web.run import start

        try:
            self.web = start(lambda: self.config, listen)
        except NewswatchError as exc:
            log.error("%s; the daemon runs on without its web front", exc)

    # -- configuration -----------------------------------------------------

    def _wire(self, config: Config, previous: Config | None) -> None:
        """(Re)build what follows from the config: crawl service, concurrency limit, pipeline, deliverer."""
        if previous is None or config.crawler != previous.crawler or config.workers != previous.workers:
            for old in self.services:  # each closes its crawl engine when its last run ends
                getattr(old, "retire", lambda: None)()
            self.services = [s for s in self.services if _still_crawling(s)]
            self.services.append(_crawl_service(config))
        if previous is None or config.crawler.concurrency != previous.crawler.concurrency:
            self.limit = Slots(config.crawler.concurrency)
        self.config = config
        self.sources = {s.name: s for s in config.sources}  # a job looks its source up in O(1), whatever N
        follow = getattr(self.services[-1], "follow", None)  # scale-out: results of an older config re-queued
        if follow is not None:
            follow(config.sources)
        self.pipeline = self.build(config, self.store, self.services[-1])
        self.deliverer = Deliverer(config, self.store)

    def _reload(self, config: Config) -> None:
        """Put a new valid config in force: rewire, then add, remove and reschedule jobs in place."""
        if self.stopping.is_set():
            return
        previous = self.config
        if config.storage.path != previous.storage.path:
            log.warning("storage.path changed to %s: restart newswatch to use it; staying on %s",
                        config.storage.path, previous.storage.path)
            config = config.model_copy(update={"storage": previous.storage})
        if config.web != previous.web:
            log.warning("web.listen changed to %s: restart newswatch to serve there", config.web.listen)
        self._wire(config, previous)
        if config.scheduler.delivery_interval != previous.scheduler.delivery_interval:
            self._reschedule_service_jobs()
        plan = self._sync_sources()
        log.info("config in force: %s; %s", self._summary(), plan)

    def _summary(self) -> str:
        """What is configured, naming notifiers but never showing their URLs."""
        c = self.config
        notifiers = ", ".join(n.name for n in c.notifiers) or "none"
        return f"{len(c.sources)} sources, {len(c.watches)} watches, notifiers: {notifiers}"

    # -- jobs --------------------------------------------------------------

    def _add_service_jobs(self) -> None:
        now = datetime.now(UTC)
        self.scheduler.add_job(self._deliver, "interval", id="deliver", name="delivery", next_run_time=now,
                               seconds=self.config.scheduler.delivery_interval.total_seconds())
        self.scheduler.add_job(self._heartbeat, "interval", id="heartbeat", name="heartbeat", next_run_time=now,
                               seconds=self._tick())
        self.scheduler.add_job(self._poll_config, "interval", id="config-watch", name="config watch",
                               seconds=CONFIG_POLL_SECONDS)
        self.scheduler.add_job(self._prune, "interval", id="retention", name="retention", next_run_time=now,
                               seconds=RETENTION_SECONDS)

    def _reschedule_service_jobs(self) -> None:
        self.scheduler.reschedule_job("deliver", trigger="interval",
                                      seconds=self.config.scheduler.delivery_interval.total_seconds())
        self.scheduler.reschedule_job("heartbeat", trigger="interval", seconds=self._tick())

    def _tick(self) -> float:
        return heartbeat_tick(self.config.scheduler.delivery_interval).total_seconds()

    def _sync_sources(self) -> JobPlan:
        """Make the source jobs follow the config: new ones run now, changed schedules are replaced."""
        wanted = trigger_keys(self.config)
        plan = plan_jobs(self.triggers, wanted)
        running = self.scheduler.state == STATE_RUNNING
        if running:  # else every add_job would look for due jobs at once: N passes over the job store
            self.scheduler.pause()
        for name in plan.removed:
            self.scheduler.remove_job(_job_id(name))
            self.store.set_next_run(name, None)
        for name in plan.rescheduled:
            self.scheduler.reschedule_job(_job_id(name), trigger=source_trigger(self.config, self.sources[name]))
        for name in plan.added:  # next run at its trigger's time; the first one is _first_runs'
            self.scheduler.add_job(self._run_source, source_trigger(self.config, self.sources[name]),
                                   args=[name], id=_job_id(name), name=f"source {name}", max_instances=2)
        self.triggers = wanted
        if running:
            self.scheduler.resume()
        self._publish_next_runs()
        if plan.added:
            self.inflight.spawn(self._first_runs(list(plan.added), datetime.now(UTC)))
        return plan

    async def _first_runs(self, names: list[str], due: datetime) -> None:
        """The first run of every added source (at start-up, or when added), in config order, due now: one task
        waits for a slot at a time and hands it to the source's run, so N queued sources are not N tasks."""
        for name in names:
            limit = self.limit
            if self.stopping.is_set() or not await limit.take():
                return
            if self.stopping.is_set() or self.lateness.started_since(name, due) or name not in self.sources:
                limit.give()  # it ran at its scheduled time meanwhile (or left the config): that was its first run
                continue
            self.lateness.submitted(name, due)
            self.inflight.spawn(self._run_source(name, limit))

    def _publish_next_runs(self, clear: bool = False) -> None:
        """Write each source's next run (None once stopped) where ``newswatch status`` reads it (one statement
        each for all sources: start-up and shutdown do not grow with N beyond that)."""
        nexts = {} if clear else {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
        sources = self.config.sources
        try:
            with self.store.transaction():
                self.store.ensure_sources([(s.name, self.pipeline.masked(s.url), s.type) for s in sources])
                self.store.execute_many("UPDATE sources SET next_run_at = ? WHERE name = ?",
                                        [(iso(nexts.get(_job_id(s.name))), s.name) for s in sources])
        except DatabaseFault as exc:  # only what `status` shows: the next run writes it again
            self.health.failed(exc, "publishing the next runs")

    def _next_run(self, name: str) -> datetime | None:
        job = self.scheduler.get_job(_job_id(name))
        return job.next_run_time if job else None

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        """APScheduler handed a job to its executor: note when a source's run was due (it starts next turn)."""
        if event.job_id.startswith("source:") and event.scheduled_run_times:
            self.lateness.submitted(event.job_id.removeprefix("source:"), event.scheduled_run_times[0])

    async def _run_source(self, name: str, held: Slots | None = None) -> None:
        """The job of one source: a run, and one more right after if it came due meanwhile (scheduler.lateness).
        ``held``: the concurrency slot its first run already holds (from _first_runs)."""
        due: datetime | None = self.lateness.take_due(name)
        if not self.lateness.enter(name, due):
            if held is not None:
                held.give()
            return
        try:
            while due is not None and not self.stopping.is_set():
                slot, held = held, None  # given back by the run whatever happens to it
                await self._run_source_once(name, due, slot)
                due = self.lateness.run_again(name)
        finally:
            self.lateness.leave(name)
            if held is not None:  # stopped before its run took the slot
                held.give()

    async def _run_source_once(self, name: str, due: datetime, held: Slots | None = None) -> None:
        """One run within the concurrency limit, then its next run, then delivery."""
        with self.inflight.tracked():
            try:
                report = await self._bounded_run(name, due, held)
                if report is None:
                    return
                self.store.set_next_run(name, self._next_run(name))
            except asyncio.CancelledError:  # recorded as cancelled by the pipeline if it had started
                log.info("source %s: cancelled at shutdown", name)
                return
            except DatabaseFault as exc:  # rolled back: the next run does it again
                self.health.failed(exc, f"the run of source {name}")
                return
            self._database_works()
            if report.alerts:
                self.inflight.spawn(self._deliver())

    async def _bounded_run(self, name: str, due: datetime, held: Slots | None = None) -> RunReport | None:
        limit = held or self.limit  # this one: a reload may put a new limit in place meanwhile
        if held is None and (self.stopping.is_set() or not await limit.take()):
            return None
        try:
            source = self._source(name)
            if source is None or self.stopping.is_set():
                return None
            self.lateness.started(name, lag_since(due) or 0.0)
            report = await self.pipeline.run_source(source, due)
            for service in self.services:  # scale-out: the run is stored, so its crawl jobs are acknowledged
                if (stored := getattr(service, "stored", None)) is not None:
                    await stored(name)
            return report
        finally:
            limit.give()

    def _source(self, name: str) -> SourceConfig | None:
        return self.sources.get(name)

    async def _prune(self) -> None:
        """Retention: old runs and quote history pruned ([storage] keep_runs, keep_quotes)."""
        storage = self.config.storage
        try:
            prune(self.store, storage.keep_runs, storage.keep_quotes, utcnow())
        except DatabaseFault as exc:  # the next hour tries again
            self.health.failed(exc, "pruning old runs and quotes")

    async def _deliver(self) -> None:
        """A delivery pass; asked for during one, it makes that pass run once more rather than overlap."""
        self.deliver_again = True
        if self.delivering:
            return
        self.delivering = True
        with self.inflight.tracked():
            try:
                while self.deliver_again:
                    self.deliver_again = False
                    await self._deliver_once()
            finally:
                self.delivering = False

    async def _deliver_once(self) -> None:
        try:
            report = await self.deliverer.deliver_pending(due_only=True)
        except asyncio.CancelledError:
            self.deliver_again = False
            log.info("delivery cancelled at shutdown; what was not sent stays pending")
            return
        except DatabaseFault as exc:  # the outbox keeps everything; the next pass retries
            self.health.failed(exc, "a delivery pass")
            return
        except Exception:  # the outbox keeps everything; the next pass retries
            log.exception("delivery pass failed; pending alerts stay pending")
            return
        self._database_works()
        if report.delivered or report.failed or report.expired:
            log.info("delivery: %d sent, %d failed (will retry), %d given up",
                     len(report.delivered), len(report.failed), len(report.expired))

    def _database_works(self) -> None:
        """A run or a pass went through: if the database was failing, tell the operator it works again."""
        notice = self.health.notice()
        if notice is None:
            return
        try:
            with self.store.transaction():
                enqueue(self.store, notice[0], "operator", notice[1], routed(self.config, self.config.alerts.operator),
                        utcnow())
        except DatabaseFault as exc:
            self.health.failed(exc, "telling the operator")
            return
        self.health.cleared()
        self.inflight.spawn(self._deliver())

    async def _heartbeat(self) -> None:
        if self._database_gone():
            return
        try:
            write_heartbeat(self.beat, heartbeat_tick(self.config.scheduler.delivery_interval), self.started,
                            self.database_id, self.lateness.summary())
        except OSError as exc:
            if str(exc) != self.beat_error:  # once per cause, not every tick
                log.warning("cannot write the heartbeat %s: %s", self.beat, exc)
            self.beat_error = str(exc)
        else:
            self.beat_error = None

    def _database_gone(self) -> bool:
        """True when the file at the database's path is no longer the one open here; then stop, exit 1.

        Writing on into a deleted file loses everything written from then on; recreating it in
        place under a running daemon would hide that. Stopping says so once, and a supervisor's
        restart (systemd, compose) starts on a new database (the first run of each source is a baseline).
        """
        now = self.store.identity()
        if now == self.database_id:
            return False
        if not self.stopping.is_set():
            log.error("the database %s was %s while the daemon ran: stopping (exit 1); start newswatch again "
                      "to use the file now at that path", self.config.storage.path,
                      "deleted" if now is None else "replaced by another file")
            self.exit_status = 1
            self.stopping.set()
        return True

    async def _poll_config(self) -> None:
        config = self.watch.poll()
        if config is not None:
            self._reload(config)
        self._report_rejected()
