"""Small text helpers shared by the crawler and the core."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil import parser as date_parser


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP and newlines included) to one space."""
    return " ".join(text.split())


def parse_date(text: str | None) -> datetime | None:
    """A publication date from page text or an attribute; None when it cannot be read.

    Naive times are taken as UTC. Relative dates ("32 mins ago") are unknown.
    """
    if not text or not text.strip():
        return None
    try:
        moment = date_parser.parse(text.strip(), fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
