"""TOML snippets for configs that point at the fixture site (markup of ``support.pages``)."""

from __future__ import annotations

# Selectors matching ``support.pages.listing``.
LISTING_SELECT = """\
  [sources.select]
  item = "article.result"
  title = "h2.headline a"
  link = "h2.headline a::attr(href)"
  summary = ".excerpt"
  date = "time::attr(datetime)"
  next = "a.next::attr(href)"
  ticker = ".ticker li"
"""


def base(timeout: str = "10s", retries: int = 0, storage: str = "newswatch.db") -> str:
    """Storage, a fast polite-enough crawler section (no robots.txt: the fixture site has none)."""
    return f"""\
[storage]
path = "{storage}"

[crawler]
obey_robots_txt = false
timeout = "{timeout}"
retries = {retries}
"""


def html_source(name: str, url: str, pages: int = 1) -> str:
    """An html source reading ``support.pages.listing`` markup."""
    return f"""
[[sources]]
name = "{name}"
url = "{url}"
type = "html"
pages = {pages}
{LISTING_SELECT}"""


def feed_source(name: str, url: str) -> str:
    """An RSS/Atom source."""
    return f"""
[[sources]]
name = "{name}"
url = "{url}"
type = "feed"
"""


def topic_to_hook(port: int, keyword: str = "trafficking") -> str:
    """A watch named "topic" for ``keyword`` and a ``json://`` notifier "hook" to the sink on ``port``."""
    return f"""
[[watches]]
name = "topic"
keywords = ["{keyword}"]

[[notifiers]]
name = "hook"
url = "json://127.0.0.1:{port}/"
"""
