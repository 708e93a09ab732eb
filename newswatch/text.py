"""Small text helpers shared by the crawler and the core."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from dateutil import parser as date_parser

TITLE_KEY_MIN = 12
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP and newlines included) to one space."""
    return " ".join(text.split())


def parse_date(text: str | None) -> datetime | None:
    """A publication date from page text or an attribute; None when it cannot be read.

    Naive times are taken as UTC. Relative dates ("32 mins ago") are unknown.
    """
    if not text or not text.strip():
        return None
    moment = _iso_date(text.strip()) or _general_date(text.strip())
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso_date(text: str) -> datetime | None:
    """ISO 8601 (the common case in <time datetime>) read by the fast standard parser; None otherwise."""
    if not ISO_DATE.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _general_date(text: str) -> datetime | None:
    """Any other spelling ("2 March 2024", RFC 822), read by dateutil's slower general parser."""
    try:
        return date_parser.parse(text, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None


def title_key(title: str) -> str | None:
    """A headline as compared to tell "the same story": NFKC, case-folded, punctuation dropped.

    None for a title too short to name one story (under 12 characters: "Video", "Live").
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    key = " ".join(folded.translate(_PUNCTUATION_TO_SPACE).split())
    return key if len(key) >= TITLE_KEY_MIN else None


class _PunctuationToSpace(dict[int, str]):
    """A ``str.translate`` table: punctuation and symbols (Unicode categories P*, S*) to a space, others kept;
    each code point's category is looked up once, on first sight (a title costs a C loop, not a Python one);
    at most ``_MOST_POINTS`` are kept, so titles made of every code point cannot grow it without bound."""

    def __missing__(self, point: int) -> str:
        mapped = " " if unicodedata.category(chr(point)).startswith(("P", "S")) else chr(point)
        if len(self) < _MOST_POINTS:
            self[point] = mapped
        return mapped


_MOST_POINTS = 20_000


_PUNCTUATION_TO_SPACE = _PunctuationToSpace()
