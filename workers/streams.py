"""Names and job payloads shared by the daemon and the workers (Redis Streams, JSON only)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

JOBS = "newswatch:jobs"
GROUP = "workers"
RESULTS = "newswatch:results"
WORKERS = "newswatch:worker:"
WORKER_TTL_SECONDS = 30


def config_hash(data: dict[str, Any]) -> str:
    """A short, stable hash of the crawler-relevant config a job carries."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def encode(payload: dict[str, Any]) -> dict[str, str]:
    """One stream entry's fields: the payload as one JSON text."""
    return {"json": json.dumps(payload)}


def decode(fields: dict[Any, Any]) -> dict[str, Any]:
    """The payload of a stream entry written by :func:`encode` (bytes or str keys)."""
    raw = fields.get(b"json", fields.get("json"))
    return json.loads(raw)


async def ensure_group(redis: Redis) -> None:
    """The workers' consumer group on the jobs stream, made with the stream if missing (already there is fine)."""
    try:
        await redis.xgroup_create(JOBS, GROUP, id="0", mkstream=True)
    except RedisError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
