"""Publication dates: ISO 8601 takes the fast standard parser, every other spelling the general one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dateutil import parser as date_parser

from newswatch import text
from newswatch.text import parse_date

ISO = ["2024-03-02", "2024-03-02T10:15:00", "2024-03-02T10:15:00Z", "2024-03-02T10:15:00+02:00",
       "2024-03-02 10:15:00.250+01:00"]
OTHER = ["2 March 2024", "Sat, 02 Mar 2024 10:15:00 GMT", "March 2, 2024 10:15 AM", "02/03/2024"]


@pytest.mark.parametrize("spelling", ISO + OTHER)
def test_every_spelling_reads_as_the_general_parser_reads_it(spelling: str) -> None:
    expected = date_parser.parse(spelling)
    expected = expected.replace(tzinfo=UTC) if expected.tzinfo is None else expected.astimezone(UTC)
    assert parse_date(spelling) == expected


@pytest.mark.parametrize("spelling", ISO)
def test_iso_dates_never_reach_the_general_parser(spelling: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: str) -> datetime | None:
        raise AssertionError("general parser used for an ISO date")

    monkeypatch.setattr(text, "_general_date", refuse)
    assert parse_date(spelling) is not None


@pytest.mark.parametrize("spelling", ["", "  ", "32 mins ago", "2024-13-45", "not a date"])
def test_unreadable_dates_are_unknown(spelling: str) -> None:
    assert parse_date(spelling) is None
