"""The pure rules behind hostile-input handling, as data: links, site policy, secret spellings."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswatch.links import NOT_HTTP, SELF_LINK, UNREADABLE, LinkFilter, resolve_link
from newswatch.model import ListedArticle
from newswatch.secrets import Masker, url_credential
from newswatch.sites import SitePolicy, is_private_address

BASE = "https://news.example.org/tag/migration/?api_key=K"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        pytest.param("/2025/05/story", "https://news.example.org/2025/05/story", id="absolute-path"),
        pytest.param("story", "https://news.example.org/tag/migration/story", id="relative"),
        pytest.param("//cdn.example.org/a", "https://cdn.example.org/a", id="scheme-relative"),
        pytest.param("HTTP://Example.org/a", "HTTP://Example.org/a", id="upper-case-scheme"),
        pytest.param("  https://example.org/a \n", "https://example.org/a", id="whitespace"),
        pytest.param("javascript:void(0)", None, id="javascript"),
        pytest.param("JavaScript:alert(1)", None, id="javascript-case"),
        pytest.param("mailto:desk@example.org", None, id="mailto"),
        pytest.param("tel:+15550100", None, id="tel"),
        pytest.param("data:text/html,<p>x</p>", None, id="data"),
        pytest.param("ftp://example.org/f", None, id="ftp"),
        pytest.param("file:///etc/passwd", None, id="file"),
        pytest.param("http://[bad", None, id="broken-ipv6"),
        pytest.param("http://example.org:port/", None, id="bad-port"),
        pytest.param("http:///no-host", None, id="no-host"),
        pytest.param("", None, id="empty"),
    ],
)
def test_resolve_link(href: str, expected: str | None) -> None:
    assert resolve_link(href, BASE) == expected


@pytest.mark.parametrize(
    ("href", "reason"),
    [
        pytest.param("#comments", SELF_LINK, id="fragment"),
        pytest.param("?api_key=K#x", SELF_LINK, id="same-query-fragment"),
        pytest.param(BASE, SELF_LINK, id="itself"),
        pytest.param("javascript:void(0)", NOT_HTTP, id="javascript"),
    ],
)
def test_the_filter_counts_what_it_skips(href: str, reason: str) -> None:
    links = LinkFilter([BASE])
    assert links.link(href, BASE) is None
    assert links.skipped == {reason: 1}


def test_unreadable_text_is_skipped_and_counted() -> None:
    links = LinkFilter([BASE])
    assert links.article(ListedArticle("Broken \ud800 title", "https://news.example.org/a")) is None
    assert links.article(ListedArticle("Fine", "https://news.example.org/b")) is not None
    assert links.skipped == {UNREADABLE: 1}


# --- where follow-up fetches may go ----------------------------------------------------------------------

PUBLIC = SitePolicy.of("https://news.example.org/list/", ("media.example.net",))
LOCAL = SitePolicy.of("http://127.0.0.1:8080/list/")


@pytest.mark.parametrize(
    ("policy", "url", "allowed"),
    [
        pytest.param(PUBLIC, "https://news.example.org/a/1", True, id="same-site"),
        pytest.param(PUBLIC, "https://NEWS.example.org:443/a/1", True, id="same-site-spelled-differently"),
        pytest.param(PUBLIC, "http://news.example.org/a/1", False, id="other-scheme"),
        pytest.param(PUBLIC, "https://news.example.org:8443/a/1", False, id="other-port"),
        pytest.param(PUBLIC, "https://evil.example.com/a/1", False, id="other-host"),
        pytest.param(PUBLIC, "https://media.example.net/a/1", True, id="allowed-host"),
        pytest.param(PUBLIC, "https://img.media.example.net/a/1", True, id="allowed-subdomain"),
        pytest.param(PUBLIC, "https://notmedia.example.net/a/1", False, id="suffix-is-not-subdomain"),
        pytest.param(LOCAL, "http://127.0.0.1:8080/a/1", True, id="local-same-site"),
        pytest.param(LOCAL, "http://127.0.0.1:9090/admin", False, id="local-other-port"),
        pytest.param(LOCAL, "http://localhost:8080/a/1", False, id="local-other-name"),
        pytest.param(PUBLIC, "mailto:x@example.org", False, id="not-http"),
    ],
)
def test_site_policy(policy: SitePolicy, url: str, allowed: bool) -> None:
    assert (policy.refusal(url) is None) is allowed


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True),
        ("169.254.169.254", True), ("::1", True), ("[::1]", True), ("fe80::1", True), ("fc00::1", True),
        ("::ffff:127.0.0.1", True), ("0.0.0.0", True), ("localhost", True), ("api.localhost", True),
        ("93.184.215.14", False), ("2606:4700::1111", False), ("news.example.org", False),
    ],
)
def test_private_addresses(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def test_a_public_source_may_not_reach_private_addresses_unless_allowed() -> None:
    assert PUBLIC.address_refusal("news.example.org", ["10.0.0.5"]) is not None
    assert PUBLIC.address_refusal("news.example.org", ["93.184.215.14"]) is None
    assert PUBLIC.address_refusal("media.example.net", ["10.0.0.5"]) is None  # the user listed it
    assert LOCAL.address_refusal("127.0.0.1", ["127.0.0.1"]) is None  # the source itself is local


# --- secrets in every spelling ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(lambda s: s, id="raw"),
        pytest.param(lambda s: quote(s, safe=""), id="percent-all"),
        pytest.param(lambda s: quote(s), id="percent-path"),
        pytest.param(lambda s: quote(s).lower(), id="percent-lower-hex"),
        pytest.param(lambda s: quote_plus(s), id="form"),
        pytest.param(lambda s: s.replace("&", "&amp;"), id="html"),
    ],
)
def test_every_spelling_of_a_secret_is_masked(spell) -> None:
    secret = "k3y wïth/spacé&x"
    masked = Masker([secret])(f"GET https://h/x?api_key={spell(secret)}&b=1")
    assert masked == "GET https://h/x?api_key=****&b=1"


@given(st.text(min_size=3, max_size=24).filter(lambda s: s.strip() == s and "\x00" not in s))
def test_any_secret_is_masked_raw_and_percent_encoded(secret: str) -> None:
    mask = Masker([secret])
    for spelling in (secret, quote(secret, safe=""), quote_plus(secret)):
        assert secret not in mask(f"<{spelling}>") or secret in "****"


def test_url_credentials_encode_every_reserved_character() -> None:
    assert url_credential("Qz@8k/Lm?x%1#Rt") == "Qz%408k%2FLm%3Fx%251%23Rt"
    assert Masker([])("mailtos://me:Qz%408k%2FLm%3Fx%251%23Rt@mail.example.org") == "mailtos://****@mail.example.org"


def test_medium_style_article_links_are_not_taken_for_credentials() -> None:
    assert Masker([])("https://medium.com/@author/story-1") == "https://medium.com/@author/story-1"
