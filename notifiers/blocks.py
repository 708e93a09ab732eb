"""Alert payloads (as stored in the outbox) turned into format-neutral blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Block:
    """What one alert says: a heading, a link, labelled fields and a quoted snippet."""

    heading: str
    link: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    quote: str | None = None


def blocks_of(payload: dict[str, Any]) -> list[Block]:
    """The blocks of an article, digest, ticker, operator or test payload."""
    kind = payload.get("kind")
    if kind == "digest":
        return [block for item in payload.get("items", []) for block in blocks_of(item)]
    if kind == "article":
        return [_article(payload)]
    if kind == "ticker":
        return [_ticker(payload)]
    return [Block(str(payload.get("title", "newswatch")), None, (), payload.get("text"))]


def _article(p: dict[str, Any]) -> Block:
    fields = [("Source", p["source"])]
    if p.get("published"):
        fields.append(("Published", p["published"][:16].replace("T", " ")))
    fields.append(("Matched", ", ".join(p.get("keywords", []))))
    return Block(f"[{p['watch']}] {p['title']}", p["url"], tuple(fields), p.get("snippet") or None)


def _ticker(p: dict[str, Any]) -> Block:
    fields = (
        ("Previous", p["previous"]),
        ("Now", p["value"]),
        ("Change", p["change"]),
        ("Source", p["source"]),
        ("Observed", p["observed_at"][:16].replace("T", " ")),
    )
    return Block(f"{p['pair']} {p['change']}", None, fields, None)
