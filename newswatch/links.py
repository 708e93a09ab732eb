"""Which links a listing may hand on as articles, and why the others are skipped.

A page or feed is written by someone else: its links may be ``javascript:``,
``mailto:``, ``data:``, relative fragments that point back at the listing page
(``#comments``), or text no database can hold (lone surrogates from ``&#xD800;``).
Such an entry is skipped and counted, never stored, never fetched, never sent.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin, urlsplit, urlunsplit

from newswatch.model import ListedArticle

NOT_HTTP = "links that are not http(s)"
SELF_LINK = "links back to the listing page itself"
UNREADABLE = "entries that cannot be read"
_HTTP = frozenset({"http", "https"})


def resolve_link(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` when it is an absolute http(s) URL with a host; else None."""
    href = href.strip()
    if not href:
        return None
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    return url if parts.scheme.lower() in _HTTP and parts.hostname else None


def without_fragment(url: str) -> str:
    """``url`` with its ``#fragment`` removed."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def is_readable(text: str) -> bool:
    """True when ``text`` can be stored and sent as UTF-8 (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class LinkFilter:
    """Decides, for one source run, which listed articles are kept; counts the rest by reason.

    ``pages`` are the URLs of the listing pages fetched so far (the source URL and
    its next pages): a link resolving to one of them, fragment aside, is the page
    itself, and with a secret in the page's query it would carry the secret on.
    """

    def __init__(self, pages: list[str] | None = None) -> None:
        self.pages = {without_fragment(p) for p in pages or []}
        self.skipped: Counter[str] = Counter()

    def add_page(self, url: str) -> None:
        """Remember one more listing page URL of this run."""
        self.pages.add(without_fragment(url))

    def link(self, href: str | None, base: str) -> str | None:
        """The absolute link of an article, or None (counted) when it is not one."""
        url = resolve_link(href or "", base)
        if url is None:
            self.skipped[NOT_HTTP] += 1
            return None
        if without_fragment(url) in self.pages:
            self.skipped[SELF_LINK] += 1
            return None
        return url

    def article(self, article: ListedArticle) -> ListedArticle | None:
        """``article`` when every text of it is storable; None (counted) otherwise."""
        if all(is_readable(t) for t in (article.title, article.link, article.summary)):
            return article
        self.skipped[UNREADABLE] += 1
        return None

    def unreadable(self) -> None:
        """Count one entry that raised while being read."""
        self.skipped[UNREADABLE] += 1
