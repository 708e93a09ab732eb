"""`newswatch add`: the listing rules of issue 16's third round, on small pages written here.

Each page pins one general rule (no site is named): taxonomy links (category, tag,
author pages, "Topic (9)" counts) are no headlines; on an article's own URL a strip
of a few related links is no listing.
"""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector

from crawler.discover import propose_selectors

BASE = "https://news.example.org/"
POSTS = [
    (f"Story number {n} about the harbour and the city council", f"/2024/05/{n:02d}/story-{n}/") for n in range(1, 9)
]


def _titles_and_links(html: str, base: str = BASE) -> list[tuple[str, str]]:
    top = propose_selectors(html, base)[0]
    found = []
    for item in Selector(text=html).css(top.item):
        title = " ".join(" ".join(item.css(top.title).getall()).split())
        found.append((title, urljoin(base, item.css(top.link).get() or "")))
    return found


def _post(title: str, href: str) -> str:
    return f'<div class="entry"><h3><a href="{href}">{title}</a></h3><p>Two lines of teaser about {title}.</p></div>'


def test_a_long_list_of_topics_with_post_counts_does_not_beat_the_posts() -> None:
    topics = "".join(
        f'<li class="topic"><div><a href="/topic-{n}">Research topic {n} ({n % 9 + 1})</a></div></li>'
        for n in range(40)
    )
    html = f'<html><body><div class="posts">{"".join(_post(*p) for p in POSTS)}</div><ul>{topics}</ul></body></html>'
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


def test_links_to_author_category_and_tag_pages_are_no_articles() -> None:
    kinds = ("author", "category", "tag")
    links = "".join(
        f'<li><h3><a href="/{kinds[n % 3]}/name-{n}/">Jane Doe the writer {n}</a></h3></li>' for n in range(30)
    )
    html = f"<html><body><main><ul>{links}</ul></main></body></html>"
    assert propose_selectors(html, BASE) == []


def _strip_page(links: int) -> str:
    touts = "".join(
        f'<a class="tout" href="/feature-{n}/"><h2>Take a look at the feature number {n} of this week</h2></a>'
        for n in range(links)
    )
    return f"<html><body><main><h1>A weekly address</h1><div class='touts'>{touts}</div></main></body></html>"


def test_a_strip_of_three_links_on_an_article_url_is_no_listing_but_is_on_a_section_url() -> None:
    assert propose_selectors(_strip_page(3), "https://news.example.org/blog/2016/02/12/weekly-address") == []
    assert len(_titles_and_links(_strip_page(3), "https://news.example.org/blog/")) == 3


def test_a_long_list_on_an_article_url_is_still_proposed() -> None:
    """The rule refuses strips, not lists: a dated URL with eight items still gets its list."""
    assert len(_titles_and_links(_strip_page(8), "https://news.example.org/2016/02/12/weekly-address")) == 8
