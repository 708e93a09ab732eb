"""Article URLs: the canonical URL of a link, and the identity key one story is stored under.

The rules are the field's own, not ours: w3lib's ``canonicalize_url`` (Scrapy's URL
fingerprinting: percent-encoding normalised, unreserved characters decoded, dot segments
removed, IDN hosts in punycode, query sorted) and courlan's tracker rule set
(``courlan.clean.TRACKERS_RE``, compiled from AdGuard's, ClearURLs' and Firefox's
query-stripping lists). Parameters that name an article are kept even where courlan's
prefix rules would catch them (its own ``ALLOWED_PARAMS`` and ``LANG_PARAMS``, plus ours):
dropping one would merge two stories, which is worse than a duplicate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE
from courlan.settings import ALLOWED_PARAMS, LANG_PARAMS
from w3lib.url import canonicalize_url

# Trackers courlan's rules miss that news sites put on article links: comScore/BBC ns_*,
# Webtrends WT.*, HubSpot _hs*/__hs*, the Guardian's CMP, MSN/BBC ocid, NYT smid, WaPo itid,
# Adobe cmpid/icid, PHP session ids.
_MORE_TRACKERS = re.compile(
    r"^(?:ns_|wt[._]|_hs|__hs|hsa_)|^(?:cmp|cmpid|icid|itid|ocid|smid|__twitter_impression|phpsessid)$"
)
# Names that identify an article, a page of it or its language: never dropped.
_ARTICLE_PARAMS = frozenset(ALLOWED_PARAMS | LANG_PARAMS) | {
    "sid", "nid", "cid", "articleid", "storyid", "newsid", "contentid", "docid", "node", "item", "story",
    "article", "gallery", "galleryid", "game", "gameid",
}
_SESSION_IN_PATH = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_parameter(name: str) -> bool:
    """True for a query parameter that only tracks the reader (``utm_source``, ``xtor``, ``fbclid`` ...)."""
    lowered = name.lower()
    if lowered in _ARTICLE_PARAMS:
        return False
    return bool(TRACKERS_RE.search(lowered) or _MORE_TRACKERS.search(lowered))


def canonical_url(url: str, base: str | None = None) -> str:
    """The link as a clean, still clickable URL: one spelling for every spelling of it.

    Relative links are first resolved against ``base``. Then: tracking parameters and the
    fragment dropped (a ``#!`` route is kept: it names the page), w3lib's canonical form,
    host without a trailing dot, default port dropped, empty path made ``/``.
    Idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``. A link that cannot be
    parsed (a broken IPv6 host, a port out of range) is its own canonical form, stripped.
    """
    text = url.strip()
    try:
        return _canonical(urljoin(base, text) if base else text)
    except ValueError:
        return text


@lru_cache(maxsize=4096)  # a run asks again for links it just read (key, then stored URL): pure, so cached
def _canonical(url: str) -> str:
    parts = urlsplit(url)
    route = parts.fragment.startswith("!")
    cleaned = parts._replace(
        path=_SESSION_IN_PATH.sub("", parts.path), query=_without_trackers(parts.query),
        fragment=parts.fragment if route else "",
    )
    canonical = urlsplit(canonicalize_url(urlunsplit(cleaned), keep_fragments=route))
    return urlunsplit(canonical._replace(netloc=_netloc(canonical), path=canonical.path or "/"))


def article_key(url: str, base: str | None = None) -> str:
    """The identity of the article at ``url``: its canonical URL without the scheme and a leading ``www.``.

    ``http://www.site.org/a?utm_source=x`` and ``https://site.org/a`` are one key,
    ``site.org/a``: feeds and listing pages of one site disagree on both all the time.
    """
    parts = urlsplit(canonical_url(url, base))
    netloc = parts.netloc.removeprefix("www.") if parts.netloc.count(".") > 1 else parts.netloc
    return urlunsplit(("", netloc, parts.path, parts.query, parts.fragment)).removeprefix("//")


def _without_trackers(query: str) -> str:
    fields = [f for f in query.split("&") if f]
    return "&".join(f for f in fields if not is_tracking_parameter(unquote_plus(f.partition("=")[0])))


def _netloc(parts: SplitResult) -> str:
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):  # IPv6: the port, if any, follows the bracket
        name, _, port = host.partition("]")
        name, port = name + "]", port.removeprefix(":")
    else:
        name, _, port = host.partition(":")
    name = name.rstrip(".")
    if port in ("", str(_DEFAULT_PORTS.get(parts.scheme))):
        port = ""
    userinfo = parts.netloc.rpartition("@")[0]
    return (f"{userinfo}@" if userinfo else "") + name + (f":{port}" if port else "")


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
