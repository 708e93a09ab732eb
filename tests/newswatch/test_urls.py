"""Canonical article URLs: one article, one key, however a page spells its link."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from newswatch.urls import article_key, canonical_url, is_http_url, is_tracking_parameter

DATA = tomllib.loads((Path(__file__).parent / "url_cases.toml").read_text(encoding="utf-8"))
SAME, DIFFERENT, CANONICAL = DATA["same"], DATA["different"], DATA["canonical"]


def ids(cases: list[dict]) -> list[str]:
    return [c["id"] for c in cases]


def test_the_cases_are_many_and_uniquely_named() -> None:
    every = ids(SAME) + ids(DIFFERENT) + ids(CANONICAL)
    assert len(every) == len(set(every))
    assert len(SAME) + len(DIFFERENT) >= 40 and len(DIFFERENT) >= 15


@pytest.mark.parametrize("case", SAME, ids=ids(SAME))
def test_links_of_one_story_have_one_key(case: dict) -> None:
    assert article_key(case["a"]) == article_key(case["b"])


@pytest.mark.parametrize("case", DIFFERENT, ids=ids(DIFFERENT))
def test_links_of_two_stories_keep_two_keys(case: dict) -> None:
    assert article_key(case["a"]) != article_key(case["b"])


@pytest.mark.parametrize("case", CANONICAL, ids=ids(CANONICAL))
def test_canonical_url(case: dict) -> None:
    assert canonical_url(case["url"], case.get("base")) == case["expected"]


def test_the_key_drops_scheme_and_www_but_the_canonical_url_keeps_them() -> None:
    link = "http://www.Example.org/a?utm_source=x&id=1"
    assert canonical_url(link) == "http://www.example.org/a?id=1"
    assert article_key(link) == "example.org/a?id=1"


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
_keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda k: not is_tracking_parameter(k))
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
    """A fragment never matters, but for a ``#!`` route, which names the page (see the next test)."""
    assume(not fragment.startswith("!"))
    scheme, netloc, path, params = parts
    tracked = list(params)
    for pair in tracking:
        tracked.insert(rnd.randint(0, len(tracked)), pair)
    assert canonical_url(build(scheme, netloc, path, tracked, fragment)) == canonical_url(build(*parts))


@given(urls(), _text)
def test_a_hashbang_route_is_kept_as_part_of_the_page(parts: tuple, route: str) -> None:
    """ "#!/story/12" is a single-page site's address of a page: two routes are two pages, kept apart."""
    one, other = canonical_url(build(*parts, f"!{route}/1")), canonical_url(build(*parts, f"!{route}/2"))
    assert one != other and one.endswith("/1") and other.endswith("/2")


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


@given(urls())
def test_scheme_and_www_never_matter_to_the_key(parts: tuple) -> None:
    _, netloc, path, params = parts
    if netloc.endswith((":80", ":443")):  # a default port is the scheme's: http://x:443/ is not https://x/
        netloc = netloc.rpartition(":")[0]
    plain = article_key(build("https", netloc, path, params))
    assert article_key(build("http", "www." + netloc, path, params)) == plain


_words = st.lists(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8), min_size=1, max_size=3)


@given(_hosts, _words)
def test_raw_and_percent_encoded_spellings_are_one_key(host: str, words: list[str]) -> None:
    raw = "/" + "/".join(words)
    upper = quote(raw)
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), upper)
    keys = {article_key(f"https://{host}{path}") for path in (raw, upper, lower)}
    assert len(keys) == 1
