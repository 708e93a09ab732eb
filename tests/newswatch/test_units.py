"""Friendly config values: durations, sizes and thresholds, converted at the boundary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from newswatch.units import Threshold, format_duration, parse_duration, parse_size, parse_threshold

DURATIONS = [
    ("30s", timedelta(seconds=30)),
    ("15m", timedelta(minutes=15)),
    ("1h", timedelta(hours=1)),
    ("1d", timedelta(days=1)),
    ("2w", timedelta(weeks=2)),
    ("500ms", timedelta(milliseconds=500)),
    ("1h30m", timedelta(hours=1, minutes=30)),
    ("1h 30m", timedelta(hours=1, minutes=30)),
    ("1.5h", timedelta(minutes=90)),
    ("10S", timedelta(seconds=10)),
    (" 5m ", timedelta(minutes=5)),
    ("0s", timedelta(0)),
]


@pytest.mark.parametrize(("text", "expected"), DURATIONS, ids=[d[0].strip() or "blank" for d in DURATIONS])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "value",
    ["fifteen", "", "   ", "15", "m", "15 minutes", "-5m", "5mm", "1h-", "1,5h", 15, 1.5, None, True],
    ids=repr,
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(value)


def test_duration_error_shows_the_value_as_written_in_toml() -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration("fifteen")
    assert str(caught.value) == '"fifteen" is not a duration (use a number with a unit: 30s, 15m, 1h, 1d)'


def test_parse_duration_passes_a_timedelta_through() -> None:
    assert parse_duration(timedelta(minutes=3)) == timedelta(minutes=3)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=15), "15m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=1), "1d"),
        (timedelta(seconds=90), "90s"),
        (timedelta(seconds=0.5), "0.5s"),
        (timedelta(0), "0s"),
    ],
    ids=str,
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
    assert parse_duration(text) == delta


SIZES = [
    ("10MB", 10_000_000),
    ("512KiB", 512 * 1024),
    ("1GiB", 2**30),
    ("1.5kb", 1500),
    ("100", 100),
    ("2 mib", 2 * 2**20),
    (4096, 4096),
]


@pytest.mark.parametrize(("value", "expected"), SIZES, ids=[str(s[0]) for s in SIZES])
def test_parse_size(value: object, expected: int) -> None:
    assert parse_size(value) == expected


@pytest.mark.parametrize("value", ["ten", "10 XB", "-1MB", "", "MB", True, None, 1.5], ids=repr)
def test_parse_size_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(value)


THRESHOLDS = [
    ("0.5%", Decimal("0.5"), True),
    (" 2 % ", Decimal("2"), True),
    ("0.001", Decimal("0.001"), False),
    (0.001, Decimal("0.001"), False),
    (3, Decimal("3"), False),
]


@pytest.mark.parametrize(("value", "amount", "percent"), THRESHOLDS, ids=[repr(t[0]) for t in THRESHOLDS])
def test_parse_threshold(value: object, amount: Decimal, percent: bool) -> None:
    assert parse_threshold(value) == Threshold(amount, percent)


@pytest.mark.parametrize("value", ["lots", "", "%", "0", "0%", "-1%", "-0.5", "nan", "inf%", True, None, [1]], ids=repr)
def test_parse_threshold_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="is not a threshold"):
        parse_threshold(value)


@pytest.mark.parametrize(
    ("threshold", "old", "new", "reached"),
    [
        ("0.5%", "100", "100.5", True),
        ("0.5%", "100", "99.5", True),
        ("0.5%", "100", "100.49", False),
        ("0.5%", "0", "5", False),  # no percentage of zero
        ("0.01", "1.00", "1.01", True),
        ("0.01", "1.00", "0.995", False),
    ],
)
def test_threshold_reached(threshold: str, old: str, new: str, reached: bool) -> None:
    assert parse_threshold(threshold).reached(Decimal(old), Decimal(new)) is reached


@pytest.mark.parametrize(("text", "shown"), [("0.5%", "0.5%"), ("0.001", "0.001")])
def test_threshold_str_reads_like_the_config(text: str, shown: str) -> None:
    assert str(parse_threshold(text)) == shown
