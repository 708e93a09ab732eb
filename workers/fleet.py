"""What the workers' registry and the job stream say right now: read by ``newswatch status`` and ``/metrics``.

A worker's registry hash (``newswatch:worker:<name>``) expires ``WORKER_TTL_SECONDS`` after its last heartbeat,
so a listed worker is alive; the queue depth is the consumer group's lag (queued, not yet read by a worker)
and its pending count (read by a worker, not yet acknowledged).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.exceptions import RedisError

from workers.streams import GROUP, JOBS, WORKERS

TIMEOUT_SECONDS = 2.0


def fleet(url: str) -> dict[str, Any]:
    """The workers alive and the queue depth, or ``reachable: False`` with the reason in words."""
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        return {"broker": masked(url), "reachable": True, "error": None,
                "workers": _workers(client), "queue": _queue(client)}
    except (RedisError, OSError) as exc:
        return {"broker": masked(url), "reachable": False, "error": f"{type(exc).__name__}: {exc}",
                "workers": [], "queue": None}
    finally:
        client.close()


def _workers(client: redis.Redis) -> list[dict[str, Any]]:
    found = []
    for key in sorted(client.scan_iter(f"{WORKERS}*")):
        fields = {_text(k): _text(v) for k, v in client.hgetall(key).items()}
        if fields:
            found.append({"worker": _text(key)[len(WORKERS):], "alive": True, "done": int(fields.get("done", 0)),
                          "failed": int(fields.get("failed", 0)), "running": int(fields.get("running", 0)),
                          "last_seen": _seen(fields.get("seen"))})
    return found


def _queue(client: redis.Redis) -> dict[str, int]:
    """Jobs queued (not yet read by any worker) and pending (read, not yet acknowledged)."""
    if not client.exists(JOBS):
        return {"queued": 0, "pending": 0}
    groups = {_text(g["name"]): g for g in client.xinfo_groups(JOBS)}
    group = groups.get(GROUP)
    if group is None:
        return {"queued": int(client.xlen(JOBS)), "pending": 0}
    return {"queued": int(group.get("lag") or 0), "pending": int(group.get("pending") or 0)}


def _seen(stamp: str | None) -> str | None:
    return datetime.fromtimestamp(float(stamp), UTC).isoformat() if stamp else None


def masked(url: str) -> str:
    """``url`` without its password (status output and logs may be shared)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
