"""The daemon's side: a crawl service whose fetches are jobs on Redis Streams, answered by workers."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from newswatch.config import CrawlerConfig, SourceConfig
from newswatch.model import CrawlResult, SourceState
from newswatch.store import utcnow
from newswatch.wire import result_from_json, section_to_dict, state_to_dict
from workers.streams import GROUP, JOBS, RESULTS, WORKERS, config_hash, decode, encode, ensure_group

log = logging.getLogger(__name__)

PICKUP_FACTOR = 3  # a job no live worker took within this many crawl timeouts is withdrawn and its run failed


class WorkersUnreachable(Exception):
    """The broker could not be reached."""


class NoWorker(WorkersUnreachable):
    """The broker is up but no worker took the job within the bound."""


class RemoteCrawlService:
    """Same surface as :class:`crawler.runner.CrawlService`; the crawl happens in a ``newswatch worker``."""

    def __init__(self, url: str, crawler: CrawlerConfig) -> None:
        self.redis = aioredis.from_url(url)
        self.crawler = section_to_dict(crawler)
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.down = False  # told the operator already
        self.current: dict[str, SourceConfig] = {}
        self.per_domain = crawler.per_domain
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.pickup = PICKUP_FACTOR * crawler.timeout.total_seconds()
        self.unattended = False  # told the operator already
        self.answered: dict[str, list[str]] = {}  # source -> job entries answered, acknowledged once stored
        self.grouped = False  # the consumer group is known to exist (made again after the broker was down)
        self.sections: dict[str, tuple[SourceConfig, dict[str, Any], str]] = {}  # name -> (config, section, hash)

    def follow(self, sources: tuple[SourceConfig, ...]) -> None:
        """The source configs now in force: a result crawled under an older one is dropped and re-queued."""
        self.current = {s.name: s for s in sources}

    async def fetch(self, source: SourceConfig, state: SourceState) -> CrawlResult:
        """Enqueue the run of ``source`` and wait for a worker's result."""
        try:
            reply = await self._ask(source, {"kind": "fetch", "state": state_to_dict(state)})
            while (newer := self._newer(source.name, reply["hash"])) is not None:
                log.warning("source %s: result crawled under an older config dropped; re-queued", source.name)
                await self._ack(self.answered.pop(source.name, []))
                source = newer
                reply = await self._ask(source, {"kind": "fetch", "state": state_to_dict(state)})
        except WorkersUnreachable as exc:
            result = CrawlResult(source.name, started=utcnow(), finished=utcnow())
            result.fail(str(exc) if isinstance(exc, NoWorker) else f"crawl workers unreachable: {exc}")
            return result
        return result_from_json(reply["result"])

    async def fetch_bodies(self, source: SourceConfig, links: list[str], skipped: Counter[str]) -> dict[str, str]:
        """Article bodies fetched by a worker (a second job); none when the broker is down."""
        try:
            reply = await self._ask(source, {"kind": "bodies", "links": links})
        except WorkersUnreachable:
            skipped["crawl workers unreachable"] += len(links)
            return {}
        skipped.update(reply.get("skipped", {}))
        return dict(reply["texts"])

    async def _ask(self, source: SourceConfig, job: dict[str, Any]) -> dict[str, Any]:
        async with self._gate(source):
            return await self._ask_now(source, job)

    def _gate(self, source: SourceConfig) -> asyncio.Semaphore:
        """At most ``per_domain`` jobs outstanding per host of the source URL, so one busy host does not fill every
        worker's job slots. The per-request limit itself holds in Redis, across workers and reloads
        (workers/politeness.py); this gate is per service and starts afresh after a reload."""
        host = urlsplit(str(source.url)).hostname or ""
        return self.hosts.setdefault(host, asyncio.Semaphore(self.per_domain))

    async def _ask_now(self, source: SourceConfig, job: dict[str, Any]) -> dict[str, Any]:
        payload = self._job(source, job)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[payload["id"]] = future
        try:
            entry = await self._send(payload)
            reply = await self._answer(entry, future)
            self.answered.setdefault(source.name, []).append(str(reply.get("entry", "")))
            return reply
        finally:
            self.waiting.pop(payload["id"], None)

    async def stored(self, name: str) -> None:
        """The run of ``name`` is stored: acknowledge its jobs, so no worker redoes them (at-least-once)."""
        await self._ack(self.answered.pop(name, []))

    async def _ack(self, entries: list[str]) -> None:
        entries = [e for e in entries if e]
        if not entries:
            return
        try:
            await self.redis.xack(JOBS, GROUP, *entries)
        except (RedisError, OSError) as exc:  # the worker stops holding them after its bound
            log.warning("crawl jobs %s stored but not acknowledged: %s", ", ".join(entries), exc)

    def _newer(self, name: str, job_hash: str) -> SourceConfig | None:
        """The config in force for ``name`` if the job ``job_hash`` was made under another one."""
        source = self.current.get(name)
        return source if source is not None and self._hash(source) != job_hash else None

    def _hash(self, source: SourceConfig) -> str:
        return self._section(source)[1]

    def _section(self, source: SourceConfig) -> tuple[dict[str, Any], str]:
        """The job's config part for ``source`` and its hash, made once per source config (configs are frozen)."""
        known = self.sections.get(source.name)
        if known is None or known[0] is not source:
            section = {"source": section_to_dict(source), "crawler": self.crawler}
            known = self.sections[source.name] = (source, section, config_hash(section))
        return known[1], known[2]

    def _job(self, source: SourceConfig, job: dict[str, Any]) -> dict[str, Any]:
        section, digest = self._section(source)
        return {**job, **section, "id": uuid.uuid4().hex, "hash": digest, "reply": RESULTS}

    async def _answer(self, entry: str, future: asyncio.Future[dict[str, Any]]) -> dict[str, Any]:
        """The reply to job ``entry``; if no worker is alive to take it within ``pickup`` seconds, it is withdrawn."""
        while True:
            done, _ = await asyncio.wait({future}, timeout=self.pickup)
            if done:
                self.unattended = False
                return future.result()
            try:
                if not await self._unattended(entry):
                    continue
                await self.redis.xdel(JOBS, entry)  # no worker takes it later; a late reply is acked, unused
            except (RedisError, OSError) as exc:
                self._went_down(exc)
                raise WorkersUnreachable(str(exc) or type(exc).__name__) from exc
            if not self.unattended:
                self.unattended = True
                log.error("no crawl worker alive takes jobs on the broker; runs fail until one does")
            raise NoWorker(f"no crawl worker took the job within {self.pickup:.0f}s")

    async def _unattended(self, entry: str) -> bool:
        """True when job ``entry`` was not taken by any worker and no worker is alive."""
        taken = await self.redis.xpending_range(JOBS, GROUP, min=entry, max=entry, count=1)
        if taken:
            return False
        async for _key in self.redis.scan_iter(f"{WORKERS}*"):
            return False
        return True

    async def _send(self, payload: dict[str, Any]) -> str:
        try:
            if not self.grouped:  # workers make it too, on NOGROUP: a broker that lost it loses no job
                await ensure_group(self.redis)
                self.grouped = True
            entry = await self.redis.xadd(JOBS, encode(payload))
        except (RedisError, OSError) as exc:
            self._went_down(exc)
            raise WorkersUnreachable(str(exc) or type(exc).__name__) from exc
        if self.down:
            self.down = False
            log.warning("crawl workers reachable again")
        self._start_reader()
        return entry.decode() if isinstance(entry, bytes) else str(entry)

    def _went_down(self, exc: BaseException) -> None:
        self.grouped = False
        if not self.down:
            self.down = True
            log.error("crawl workers unreachable: %s; runs fail until the broker is back", exc)

    def _start_reader(self) -> None:
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self._read_results())

    async def _read_results(self) -> None:
        """Hand each result to the run waiting for it; a result nobody waits for is dropped."""
        last = "0-0"
        while True:
            try:
                entries = await self.redis.xread({RESULTS: last}, block=1000, count=100)
            except (RedisError, OSError) as exc:
                self._went_down(exc)
                self._fail_waiting(exc)
                return
            for _stream, items in entries or []:
                for entry_id, fields in items:
                    last = entry_id
                    await self._deliver(decode(fields))
                await self.redis.xdel(RESULTS, *(entry_id for entry_id, _ in items))  # read: one XDEL a batch

    async def _deliver(self, reply: dict[str, Any]) -> None:
        """Hand ``reply`` to its run; a reply nobody waits for (its run ended, the daemon restarted) is acked:
        that run was recorded failed or never stored, and the schedule runs the source again."""
        future = self.waiting.get(reply.get("id", ""))
        if future is not None and not future.done():
            future.set_result(reply)
        else:
            await self._ack([str(reply.get("entry", ""))])

    def _fail_waiting(self, exc: BaseException) -> None:
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(WorkersUnreachable(str(exc) or type(exc).__name__))

    async def stop(self) -> None:
        """Stop waiting for results."""
        if self.reader is not None:
            self.reader.cancel()
        await self.redis.aclose()
