"""Canonical article URLs: one article, one key, however a page spells its link."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|_hsenc|_hsmi|"
    r"mkt_tok|oly_anon_id|oly_enc_id|vero_id|wt_mc|wt_zmc|at_medium|at_campaign|ocid|cmpid|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str:
    """The key an article is stored under.

    Scheme and host lower-cased, default port dropped, fragment dropped,
    tracking parameters (``utm_*``, ``fbclid``, ``gclid`` ...) dropped, the
    remaining parameters sorted by name (stable for repeated names), an empty
    path made ``/``. Relative URLs are first resolved against ``base``.
    Idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``.
    """
    parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
    scheme = parts.scheme.lower()
    netloc = _netloc(scheme, parts)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    query.sort(key=lambda kv: kv[0])
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def _netloc(scheme: str, parts) -> str:  # type: ignore[no-untyped-def]
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return netloc


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
