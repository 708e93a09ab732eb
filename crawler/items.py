"""Items the spiders yield besides core ``ListedArticle`` objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TickerText:
    """The text of one ticker element, parsed later by the core."""

    text: str
