"""Retry-After values as data: seconds or an HTTP date, never before now, never more than a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.middlewares import RobotsCache, retry_after

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("120", NOW + timedelta(seconds=120), id="seconds"),
        pytest.param("0", NOW, id="zero"),
        pytest.param(format_datetime(NOW + timedelta(hours=2), usegmt=True), NOW + timedelta(hours=2), id="date"),
        pytest.param(format_datetime(NOW - timedelta(hours=2), usegmt=True), NOW, id="date-in-the-past"),
        pytest.param("99999999999", NOW + timedelta(days=1), id="capped-at-a-day"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("-5", None, id="negative"),
        pytest.param("", None, id="empty"),
    ],
)
def test_retry_after(value: str, expected: datetime | None) -> None:
    assert retry_after(value, NOW) == expected


def test_the_robots_cache_forgets_after_its_ttl_and_survives_a_settings_copy() -> None:
    import copy

    cache = RobotsCache(ttl=0.0)
    assert copy.deepcopy(cache) is cache  # every crawler's settings copy shares the one cache
    cache["h:1"] = "parser"
    assert "h:1" not in cache  # expired at once with a zero TTL
    kept = RobotsCache(ttl=3600)
    kept["h:1"] = "parser"
    assert kept["h:1"] == "parser" and len(kept) == 1
