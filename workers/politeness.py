"""Per-host politeness shared by every crawl worker through Redis.

Each worker's crawl engine keeps its in-process politeness (crawler/politeness.py, crawler/middlewares.py)
as the first level; what is here makes it hold across workers:

- ``SharedHostLimiter``: after its worker's own turn, a request takes one of the host's ``per_domain`` slots
  in Redis, each slot a redis-py ``Lock`` leased for the crawl timeout plus ``LEASE_MARGIN`` seconds (a killed
  worker's slot frees itself when its lease runs out). However many workers there are, a host sees at most
  ``per_domain`` requests in flight; and two request starts on a host are ``per_host_delay`` apart.
- The moment a host that answered 429/503 with ``Retry-After`` may be asked again, in one sorted set
  (``ZADD GT`` keeps the latest moment): written as soon as a worker gets the answer, read before every job.
- ``SharedRobots``: the robots.txt answer per host (status and body, at most ``ROBOTS_MAX_SIZE`` bytes) kept
  an hour; one worker downloads it under a lock while the others wait for it, then read it from Redis.

When Redis cannot be reached, a worker is polite on its own (its first level) and says so once in its log.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError
from scrapy.http import Request, Response

from crawler.middlewares import ROBOTS_MAX_SIZE, ROBOTS_TTL
from crawler.politeness import HostLimiter
from newswatch.config import CrawlerConfig

log = logging.getLogger(__name__)

SLOTS = "newswatch:host-slot:"  # + host + ":" + slot number: a redis-py Lock
STARTS = "newswatch:host-start:"  # + host: lives per_host_delay after a request started on the host
NOT_BEFORE = "newswatch:not-before"  # sorted set: host -> epoch seconds it may be asked again
ROBOTS = "newswatch:robots:"  # + scheme://netloc: hash {status, body}
LEASE_MARGIN = 5.0  # seconds a slot outlives the crawl timeout of the request holding it
POLL_SECONDS = 0.02  # how soon a request waiting for a busy host's slot first asks again
MAX_POLL_SECONDS = 0.25  # and at the longest
KEPT_STATUSES = range(200, 500)  # a 5xx robots.txt is transient: not shared, the next worker asks again


def shared_settings(redis: Redis, crawler: CrawlerConfig) -> dict[str, Any]:
    """Scrapy settings that make a worker's crawl service polite across workers (``CrawlService(shared=...)``)."""
    lease = crawler.timeout.total_seconds() + LEASE_MARGIN
    limiter = SharedHostLimiter(redis, crawler.per_domain, crawler.per_host_delay.total_seconds(), lease)
    return {"NEWSWATCH_HOST_LIMITER": limiter, "NEWSWATCH_ROBOTS_SHARED": SharedRobots(redis, lease)}


class Alone:
    """Tells the operator once that Redis is unreachable (the worker is polite on its own until it is back)."""

    def __init__(self) -> None:
        self.told = False

    def unreachable(self, exc: BaseException) -> None:
        if not self.told:
            self.told = True
            log.warning("shared politeness unreachable (%s): this worker is polite on its own until Redis is back",
                        exc or type(exc).__name__)

    def reachable(self) -> None:
        if self.told:
            self.told = False
            log.warning("shared politeness reachable again")


class SharedHostLimiter(HostLimiter):
    """``HostLimiter`` whose per-host slots and ``Retry-After`` moments are shared through Redis."""

    def __init__(self, redis: Redis, per_host: int, delay: float, lease: float) -> None:
        super().__init__(per_host, delay)
        self.redis, self.lease = redis, lease
        self.alone = Alone()
        self.publishing: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """This worker's turn on ``host``, then one of the host's slots across all workers."""
        async with super().turn(host):
            lock = await self._slot(host)
            try:
                await self._spaced(host)
                yield
            finally:
                await self._free(lock)

    async def _slot(self, host: str) -> Lock | None:
        names = [f"{SLOTS}{host}:{n}" for n in range(self.per_host)]
        pause = POLL_SECONDS
        try:
            while True:
                for name in random.sample(names, len(names)):
                    lock = self.redis.lock(name, timeout=self.lease, thread_local=False)
                    if await lock.acquire(blocking=False):
                        self.alone.reachable()
                        return lock
                await asyncio.sleep(pause * random.uniform(0.5, 1.5))
                pause = min(pause * 2, MAX_POLL_SECONDS)  # a host busy for long is asked less often
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)
            return None

    async def _spaced(self, host: str) -> None:
        """At least ``delay`` between two request starts on ``host`` across all workers: a start is a key that
        lives ``delay`` (``SET NX PX``); the next start waits until it is gone."""
        if self.delay <= 0:
            return
        key, ms = f"{STARTS}{host}", max(1, int(self.delay * 1000))
        try:
            while not await self.redis.set(key, 1, px=ms, nx=True):
                await asyncio.sleep(max(await self.redis.pttl(key), 1) / 1000)
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)

    async def _free(self, lock: Lock | None) -> None:
        if lock is None:
            return
        try:
            await lock.release()
        except LockError:  # the lease ran out first: the slot is already free
            log.debug("host slot %s outlived its lease", lock.name)
        except (RedisError, OSError) as exc:  # the lease frees it
            self.alone.unreachable(exc)

    def defer(self, host: str, until: datetime) -> None:
        """The host asked not to be fetched before ``until``: remembered here and told to every worker."""
        super().defer(host, until)
        try:
            task = asyncio.get_running_loop().create_task(self._publish(host, until))
        except RuntimeError:  # no loop: nothing to tell from here
            return
        self.publishing.add(task)
        task.add_done_callback(self.publishing.discard)

    async def _publish(self, host: str, until: datetime) -> None:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(NOT_BEFORE, {host: until.timestamp()}, gt=True)
                pipe.zremrangebyscore(NOT_BEFORE, "-inf", time.time())  # moments past: the set stays small
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)

    async def settle(self) -> None:
        """Every ``Retry-After`` learned so far is in Redis (called before a job's result is posted)."""
        if self.publishing:
            await asyncio.gather(*list(self.publishing))

    async def refresh(self, host: str) -> None:
        """Take over the moment another worker was told not to ask ``host`` before (called before a job)."""
        try:
            score = await self.redis.zscore(NOT_BEFORE, host)
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)
            return
        if score is not None and score > time.time():
            HostLimiter.defer(self, host, datetime.fromtimestamp(score, UTC))


Download = Callable[[Request], Awaitable[Response]]


class SharedRobots:
    """robots.txt answers per host in Redis for every worker (``NEWSWATCH_ROBOTS_SHARED``, crawler/middlewares.py).

    Travels in Scrapy's settings, which are deep-copied per crawler: a copy is itself.
    """

    def __init__(self, redis: Redis, lease: float, ttl: float = ROBOTS_TTL, max_size: int = ROBOTS_MAX_SIZE) -> None:
        self.redis, self.lease, self.ttl, self.max_size = redis, lease, ttl, max_size
        self.alone = Alone()

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedRobots:
        return self

    async def fetch(self, request: Request, download: Download) -> Response:
        """The robots.txt response for ``request``: another worker's if it has one, else downloaded once."""
        parts = urlsplit(request.url)
        key = f"{ROBOTS}{parts.scheme}://{parts.netloc}"
        found, lock = await self._found_or_lock(key, request)
        if found is not None:
            return found
        try:
            response = await download(request)
            if lock is not None:
                await self._keep(key, response)
            return response
        finally:
            if lock is not None:
                await self._release(lock)

    async def _found_or_lock(self, key: str, request: Request) -> tuple[Response | None, Lock | None]:
        """Another worker's answer, or the lock to download it under (neither: download it unshared)."""
        try:
            if (found := await self._read(key, request)) is not None:
                return found, None
            lock = self.redis.lock(f"{key}:lock", timeout=self.lease, blocking_timeout=self.lease,
                                   thread_local=False)
            if not await lock.acquire():  # the worker fetching it took longer than a crawl may
                return None, None
            if (found := await self._read(key, request)) is not None:  # fetched while this one waited
                await self._release(lock)
                return found, None
            return None, lock
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)
            return None, None

    async def _read(self, key: str, request: Request) -> Response | None:
        stored = await self.redis.hgetall(key)
        self.alone.reachable()
        if not stored or b"status" not in stored:
            return None
        return Response(request.url, status=int(stored[b"status"]), body=stored.get(b"body", b""), request=request)

    async def _keep(self, key: str, response: Response) -> None:
        if response.status not in KEPT_STATUSES or len(response.body) > self.max_size:
            return
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping={"status": response.status, "body": response.body})
                pipe.expire(key, int(self.ttl))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self.alone.unreachable(exc)

    async def _release(self, lock: Lock) -> None:
        try:
            await lock.release()
        except LockError:
            log.debug("robots.txt lock %s outlived its lease", lock.name)
        except (RedisError, OSError) as exc:  # its lease frees it
            self.alone.unreachable(exc)
