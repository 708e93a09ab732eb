"""Canonical article URLs: one article, one key, however a page spells its link."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswatch.urls import canonical_url, is_http_url

CASES = [
    # (id, url, base, canonical)
    ("scheme-and-host-lower-cased", "HTTP://Example.COM/Path", None, "http://example.com/Path"),
    ("empty-path-is-slash", "https://example.com", None, "https://example.com/"),
    ("default-https-port-dropped", "https://example.com:443/a", None, "https://example.com/a"),
    ("default-http-port-dropped", "http://example.com:80/a", None, "http://example.com/a"),
    ("other-port-kept", "http://Example.com:8080/a", None, "http://example.com:8080/a"),
    ("fragment-dropped", "https://example.com/a#comments", None, "https://example.com/a"),
    ("utm-dropped", "https://example.com/a?utm_source=x&utm_medium=y&id=3", None, "https://example.com/a?id=3"),
    ("click-ids-dropped", "https://example.com/a?fbclid=1&gclid=2", None, "https://example.com/a"),
    ("tracking-case-insensitive", "https://example.com/a?UTM_Source=x&p=1", None, "https://example.com/a?p=1"),
    ("utm-lookalike-kept", "https://example.com/a?utmost=1", None, "https://example.com/a?utmost=1"),
    ("params-sorted", "https://example.com/a?b=2&a=1", None, "https://example.com/a?a=1&b=2"),
    ("repeated-param-order-kept", "https://example.com/a?x=2&x=1&a=0", None, "https://example.com/a?a=0&x=2&x=1"),
    ("blank-value-kept", "https://example.com/a?q=", None, "https://example.com/a?q="),
    ("encoded-value-kept", "https://example.com/s?q=caf%C3%A9+noir", None, "https://example.com/s?q=caf%C3%A9+noir"),
    ("empty-query-dropped", "https://example.com/a/?", None, "https://example.com/a/"),
    ("path-case-kept", "https://example.com/News/Item-1", None, "https://example.com/News/Item-1"),
    ("path-encoding-kept", "https://example.com/%7Euser/a%20b", None, "https://example.com/%7Euser/a%20b"),
    ("trailing-slash-significant", "https://example.com/a/", None, "https://example.com/a/"),
    ("whitespace-stripped", "  https://example.com/a \n", None, "https://example.com/a"),
    ("host-trailing-dot-dropped", "https://example.com./a", None, "https://example.com/a"),
    ("userinfo-kept", "https://user@Example.com/a", None, "https://user@example.com/a"),
    ("ipv6-host", "http://[2001:DB8::1]:8080/a", None, "http://[2001:db8::1]:8080/a"),
    ("relative-resolved", "/news/1?utm_source=x", "https://Site.org/list/", "https://site.org/news/1"),
    ("relative-to-directory", "item.html#top", "https://site.org/list/?page=2", "https://site.org/list/item.html"),
    ("protocol-relative", "//cdn.Site.org/x", "https://site.org/", "https://cdn.site.org/x"),
    ("absolute-ignores-base", "https://other.org/x", "https://site.org/", "https://other.org/x"),
]


@pytest.mark.parametrize(("url", "base", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", True),
        ("HTTP://example.com", True),
        ("ftp://example.com/a", False),
        ("/relative/path", False),
        ("http:///no-host", False),
        ("mailto:someone@example.com", False),
    ],
)
def test_is_http_url(url: str, expected: bool) -> None:
    assert is_http_url(url) is expected


# -- properties ---------------------------------------------------------------

TRACKING = ["utm_source", "utm_medium", "utm_campaign", "UTM_Content", "utm_", "fbclid", "gclid"]
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True)
_segments = st.lists(st.text("abcXYZ019-._~!$'()*,;=:@%", max_size=8), max_size=4)
_keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda k: not k.startswith("utm_") and k not in ("fbclid", "gclid", "dclid", "yclid", "ocid", "cmpid")
)
_params = st.dictionaries(_keys, _text, max_size=5).map(lambda d: list(d.items()))


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str, str, list[tuple[str, str]]]:
    """(scheme, host, path, params) of an absolute http(s) URL with distinct, non-tracking parameter names."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(_hosts)
    port = draw(st.none() | st.integers(1, 65535))
    path = "/" + "/".join(draw(_segments))
    return scheme, f"{host}:{port}" if port else host, path, draw(_params)


def build(scheme: str, netloc: str, path: str, params: list[tuple[str, str]], fragment: str = "") -> str:
    query = urlencode(params)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@given(urls())
def test_canonical_url_is_idempotent(parts: tuple) -> None:
    once = canonical_url(build(*parts))
    assert canonical_url(once) == once


@given(urls(), st.lists(st.tuples(st.sampled_from(TRACKING), _text), max_size=3), st.randoms(), _text)
def test_fragment_and_tracking_parameters_never_matter(parts: tuple, tracking: list, rnd, fragment: str) -> None:
    scheme, netloc, path, params = parts
    tracked = list(params)
    for pair in tracking:
        tracked.insert(rnd.randint(0, len(tracked)), pair)
    assert canonical_url(build(scheme, netloc, path, tracked, fragment)) == canonical_url(build(*parts))


@given(urls(), st.randoms())
def test_parameter_order_never_matters(parts: tuple, rnd) -> None:
    scheme, netloc, path, params = parts
    shuffled = list(params)
    rnd.shuffle(shuffled)
    assert canonical_url(build(scheme, netloc, path, shuffled)) == canonical_url(build(*parts))


@given(urls(), st.randoms())
def test_scheme_and_host_case_never_matter(parts: tuple, rnd) -> None:
    scheme, netloc, path, params = parts

    def shout(text: str) -> str:
        return "".join(c.upper() if rnd.random() < 0.5 else c for c in text)

    assert canonical_url(build(shout(scheme), shout(netloc), path, params)) == canonical_url(build(*parts))
