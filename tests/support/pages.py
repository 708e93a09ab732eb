"""Fixture markup of our own, modelled on the seed pages: ticker strip, "Viewing results", article list."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Item:
    title: str
    href: str
    summary: str = ""
    date: str | None = None


def listing(items: list[Item], ticker: list[str] = (), next_href: str | None = None, total: int | None = None) -> str:
    """A news search/tag results page."""
    strip = "".join(f"<li>{escape(t)}</li>" for t in ticker) * 2
    cards = "\n".join(_card(i) for i in items)
    pager = f'<nav class="pager"><a class="next" href="{escape(next_href)}">Next ›</a></nav>' if next_href else ""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Search results</title></head>
<body>
<header><ul class="menu"><li><a href="/">Home</a></li><li><a href="/about/">About</a></li></ul></header>
<div class="ticker"><ul>{strip}</ul></div>
<main>
<p class="results">Viewing results 1 - {len(items)} of {total or len(items)}</p>
{cards}
{pager}
</main>
<footer><a href="/contact/">Contact</a></footer>
</body></html>"""


def _card(item: Item) -> str:
    date = f'<time datetime="{escape(item.date)}">{escape(item.date)}</time>' if item.date else ""
    return f"""<article class="result">
  <h2 class="headline"><a href="{escape(item.href)}">{escape(item.title)}</a></h2>
  {date}
  <p class="excerpt">{escape(item.summary)}</p>
</article>"""


def rss(items: list[Item], title: str = "Fixture feed") -> str:
    entries = "\n".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.href)}</link>"
        f"<description>{escape(i.summary)}</description>"
        + (f"<pubDate>{escape(i.date)}</pubDate>" if i.date else "")
        + "</item>"
        for i in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>http://example.invalid/</link>
<description>fixture</description>
{entries}
</channel></rss>"""


def atom(items: list[Item], title: str = "Fixture atom") -> str:
    entries = "\n".join(
        f'<entry><title>{escape(i.title)}</title><link rel="alternate" href="{escape(i.href)}"/>'
        f"<id>{escape(i.href)}</id><summary>{escape(i.summary)}</summary>"
        f"<updated>{escape(i.date or '2025-01-01T00:00:00Z')}</updated></entry>"
        for i in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title><id>urn:fixture</id>
<updated>2025-01-01T00:00:00Z</updated>
{entries}
</feed>"""
