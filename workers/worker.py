"""``newswatch worker URL``: read crawl jobs from Redis Streams, crawl with the daemon's engine, post results.

A job is acknowledged (XACK) by the daemon once it has stored the run; until then the worker that posted
the result keeps the job fresh (for at most ``HOLD_SECONDS``, after which it acks it itself). A job a dead
worker left pending is claimed (XAUTOCLAIM) by another worker once it has been idle ``claim_idle`` seconds.
A live worker keeps its jobs fresh (XCLAIM to itself) so they are never taken from it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from crawler.politeness import host_of
from crawler.runner import CrawlService
from newswatch.config import CrawlerConfig, SourceConfig
from newswatch.model import CrawlResult
from newswatch.wire import result_to_json, state_from_dict
from workers.politeness import SharedHostLimiter, shared_settings
from workers.streams import GROUP, JOBS, WORKER_TTL_SECONDS, WORKERS, config_hash, decode, encode, ensure_group

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0
HOLD_SECONDS = 60.0  # an answered job is kept fresh this long for the daemon to store and ack it


class Worker:
    """One worker process: ``concurrency`` jobs at a time, one crawl service per crawler config."""

    def __init__(self, url: str, concurrency: int = 1, claim_idle: float = 10.0) -> None:
        self.redis = aioredis.from_url(url)
        self.name = f"{socket.gethostname()}-{os.getpid()}"
        self.slots = asyncio.Semaphore(concurrency)
        self.claim_ms = int(claim_idle * 1000)
        self.services: dict[str, CrawlService] = {}
        self.limiters: dict[str, SharedHostLimiter] = {}
        self.running: set[str] = set()
        self.held: dict[str, float] = {}  # answered job -> when to stop waiting for the daemon's ack
        self.hold = HOLD_SECONDS
        self.done = self.failed = 0

    async def serve(self) -> None:
        """Work until cancelled, reconnecting to the broker on its own."""
        log.info("worker %s started", self.name)
        beat = asyncio.get_running_loop().create_task(self._beating())
        try:
            await self._work()
        finally:
            beat.cancel()

    async def _work(self) -> None:
        while True:
            try:
                await ensure_group(self.redis)
                await self._loop()
            except (RedisError, OSError) as exc:
                log.warning("broker unreachable: %s; retrying", exc)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _loop(self) -> None:
        while True:
            await self.slots.acquire()
            entry = await self._claim_stale() or await self._next_new()
            if entry is None:
                self.slots.release()
                continue
            asyncio.get_running_loop().create_task(self._run(*entry))

    async def _claim_stale(self) -> tuple[str, dict[str, Any]] | None:
        """A job a dead worker left pending past the idle bound, taken over."""
        _next, claimed, *_ = await self.redis.xautoclaim(JOBS, GROUP, self.name, self.claim_ms, count=1)
        for entry_id, fields in claimed:
            log.info("job %s taken over from a worker gone quiet", _text(entry_id))
            return _text(entry_id), decode(fields)
        return None

    async def _next_new(self) -> tuple[str, dict[str, Any]] | None:
        entries = await self.redis.xreadgroup(GROUP, self.name, {JOBS: ">"}, count=1, block=1000)
        for _stream, items in entries or []:
            for entry_id, fields in items:
                return _text(entry_id), decode(fields)
        return None

    async def _run(self, entry_id: str, job: dict[str, Any]) -> None:
        self.running.add(entry_id)
        try:
            reply = await self._answer(job)
            await self.redis.xadd(job["reply"], encode({**reply, "entry": entry_id}))
            self.held[entry_id] = time.monotonic() + self.hold  # the daemon acks once it has stored the run
            self.done += 1
        except (RedisError, OSError) as exc:  # left pending: redelivered
            log.warning("job %s: broker unreachable: %s", entry_id, exc)
            self.failed += 1
        finally:
            self.running.discard(entry_id)
            self.slots.release()

    async def _answer(self, job: dict[str, Any]) -> dict[str, Any]:
        """The job's reply; a job this worker cannot run is answered as a failed crawl, with the reason."""
        try:
            return await self._crawl(job)
        except (RedisError, OSError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bad job must not kill the worker nor stay pending forever
            log.error("job %s: %s: %s", job.get("id"), type(exc).__name__, exc)
            self.failed += 1
            result = CrawlResult(str(job.get("source", {}).get("name", "?")))
            result.fail(f"crawl worker could not run the job: {type(exc).__name__}: {exc}")
            return {"id": job.get("id"), "hash": job.get("hash"), "result": result_to_json(result),
                    "texts": {}, "skipped": {}}

    async def _crawl(self, job: dict[str, Any]) -> dict[str, Any]:
        service, limiter = self._service(job)
        source = SourceConfig.model_validate(job["source"])
        host = host_of(source.url)
        await limiter.refresh(host)  # another worker may have been told Retry-After by this host
        reply: dict[str, Any] = {"id": job["id"], "hash": job["hash"], "worker": self.name}
        if job["kind"] == "bodies":
            skipped: Counter[str] = Counter()
            reply["texts"] = await service.fetch_bodies(source, list(job["links"]), skipped)
            reply["skipped"] = dict(skipped)
        else:
            result = await service.fetch(source, state_from_dict(job["state"]))
            if result.retry_after is not None:
                limiter.defer(host, result.retry_after)
            reply["result"] = result_to_json(result)
        await limiter.settle()  # every worker knows the host's Retry-After before the daemon hears of the run
        return reply

    def _service(self, job: dict[str, Any]) -> tuple[CrawlService, SharedHostLimiter]:
        """The crawl service for the job's crawler section, polite across workers (workers/politeness.py)."""
        key = config_hash({"crawler": job["crawler"]})
        if key not in self.services:
            self._retire_services()
            crawler = CrawlerConfig.model_validate(job["crawler"])
            shared = shared_settings(self.redis, crawler)
            self.services[key] = CrawlService(crawler, shared)
            self.limiters[key] = shared["NEWSWATCH_HOST_LIMITER"]
        return self.services[key], self.limiters[key]

    def _retire_services(self) -> None:
        """A new [crawler] section: the older services close their crawler once their last job ends."""
        for key in list(self.services):
            self.services.pop(key).retire()
            self.limiters.pop(key)

    async def _beating(self) -> None:
        while True:
            try:
                await self._beat()
            except (RedisError, OSError) as exc:
                log.debug("heartbeat: %s", exc)
            await asyncio.sleep(max(self.claim_ms / 3000, 0.2))

    async def _beat(self) -> None:
        """Register as alive and keep this worker's jobs fresh (so only a dead worker's are claimed)."""
        key = WORKERS + self.name
        await self.redis.hset(key, mapping={"done": self.done, "failed": self.failed, "running": len(self.running),
                                               "seen": time.time()})
        await self.redis.expire(key, WORKER_TTL_SECONDS)
        if self.running:
            await self.redis.xclaim(JOBS, GROUP, self.name, 0, list(self.running), justid=True)
        await self._hold()

    async def _hold(self) -> None:
        """Keep answered jobs fresh until the daemon acks them; past the bound, ack them here (see README)."""
        now = time.monotonic()
        late = [e for e, until in self.held.items() if until <= now]
        if late:
            log.warning("jobs %s: no daemon stored the result within %.0f s; dropped (the schedule runs the "
                        "source again)", ", ".join(late), self.hold)
            await self.redis.xack(JOBS, GROUP, *late)
        waiting = [e for e in self.held if e not in late]
        kept = await self.redis.xclaim(JOBS, GROUP, self.name, 0, waiting, justid=True) if waiting else []
        self.held = {e: self.held[e] for e in map(_text, kept) if e in self.held}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value

