"""Page analysis for ``newswatch add``: feeds, feed probes, selector proposals.

Small pages written here pin the behaviour; the real listing pages of the
shared corpus (read in place, never copied) measure the quality bar: the top
proposal extracts the expected number of items (±10 %) and the same first
three titles and links as the verified ground truth.

``python tests/crawler/test_discover.py`` prints the corpus table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parsel import Selector

from crawler.discover import (
    SelectorProposal,
    candidate_feed_urls,
    choose_feeds,
    feed_choice,
    feed_links,
    not_a_listing,
    propose_selectors,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
BASE = "https://news.example.org/"


# --- helpers: extraction as the corpus rules define it ------------------------------------


def _joined(strings: list[str]) -> str:
    return " ".join(" ".join(strings).split())


def extract(html: str, proposal: SelectorProposal, base_url: str) -> list[dict[str, str]]:
    """Complete items (title and link) the proposal extracts, links resolved."""
    records = []
    for item in Selector(text=html).css(proposal.item):
        title = _joined(item.css(proposal.title).getall())
        link = next((h.strip() for h in item.css(proposal.link).getall() if h.strip()), "")
        if title and link:
            record = {"title": title, "link": urljoin(base_url, link)}
            for field in ("summary", "date"):
                selector = getattr(proposal, field)
                record[field] = _joined(item.css(selector).getall()) if selector else ""
            records.append(record)
    return records


def evaluate(listing: dict[str, Any], corpus_dir: Path) -> dict[str, Any]:
    """The top proposal for one ground-truth listing, measured against it."""
    html = (corpus_dir / listing["file"]).read_bytes().decode(listing["encoding"])
    base = listing["base_url"]
    proposals = propose_selectors(html, base)
    records = extract(html, proposals[0], base) if proposals else []
    expected_links = [urljoin(base, link) for link in listing["first_links"]]
    return {
        "file": Path(listing["file"]).name,
        "expected": listing["expected_items"],
        "found": len(records),
        "titles_ok": [r["title"] for r in records[:3]] == listing["first_titles"],
        "links_ok": [r["link"] for r in records[:3]] == expected_links,
        "proposal": proposals[0] if proposals else None,
    }


def evaluate_corpus(corpus_dir: Path) -> list[dict[str, Any]]:
    """One evaluation per listing of ``corpus_dir/listings.json``."""
    listings = json.loads((corpus_dir / "listings.json").read_text(encoding="utf-8"))["listings"]
    return [evaluate(listing, corpus_dir) for listing in listings]


def _corpus_params() -> list[Any]:
    if not (CORPUS / "listings.json").is_file():
        reason = f"shared corpus not found at {CORPUS} (it lives outside the repository)"
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=reason))]
    listings = json.loads((CORPUS / "listings.json").read_text(encoding="utf-8"))["listings"]
    return [pytest.param(listing, id=Path(listing["file"]).stem) for listing in listings]


# --- the real listing pages -------------------------------------------------------------------


@pytest.mark.parametrize("listing", _corpus_params())
def test_top_proposal_matches_ground_truth(listing: dict[str, Any]) -> None:
    result = evaluate(listing, CORPUS)
    assert result["proposal"] is not None, "no proposal at all"
    assert abs(result["found"] - result["expected"]) <= 0.1 * result["expected"], result
    assert result["titles_ok"], result
    assert result["links_ok"], result


# --- feeds ------------------------------------------------------------------------------------

FEED_HEAD = """<html><head>
<link rel="stylesheet" type="text/css" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="All stories" href="feed.xml">
<link rel="alternate" hreflang="de" type="text/html" href="/de/">
<link rel="alternate" type="application/atom+xml" href="https://cdn.example.net/atom">
<link rel="alternate" type="application/rss+xml" title="Again" href="feed.xml">
<link rel="Alternate" type="application/RDF+XML" href="/rdf">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="icon" type="application/rss+xml" href="/not-a-feed.xml">
</head><body><p>Hello</p></body></html>"""


def test_feed_links_resolves_against_page_url_in_page_order_once_each() -> None:
    assert feed_links(FEED_HEAD, "https://news.example.org/tag/migration/") == [
        "https://news.example.org/tag/migration/feed.xml",
        "https://cdn.example.net/atom",
        "https://news.example.org/rdf",
        "https://news.example.org/feed.json",
    ]


def test_feed_links_honours_base_href() -> None:
    html = FEED_HEAD.replace("<head>", '<head><base href="/blog/">')
    assert feed_links(html, "https://news.example.org/tag/migration/")[:2] == [
        "https://news.example.org/blog/feed.xml",
        "https://cdn.example.net/atom",
    ]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><head><title>x</title></head><body><a href='/feed.xml'>RSS</a></body></html>",
        '<link rel="alternate" type="text/html" href="/en/">',
    ],
    ids=["empty", "only-a-body-link", "alternate-language"],
)
def test_feed_links_without_feed_is_empty(html: str) -> None:
    assert feed_links(html, BASE) == []


def test_candidate_feed_urls_for_a_tag_page() -> None:
    assert candidate_feed_urls("https://news.example.org/tag/migration/") == [
        "https://news.example.org/tag/migration/feed/",
        "https://news.example.org/feed/",
        "https://news.example.org/rss",
        "https://news.example.org/rss.xml",
        "https://news.example.org/feed.xml",
        "https://news.example.org/atom.xml",
        "https://news.example.org/index.xml",
        "https://news.example.org/tag/migration/?feed=rss2",
    ]


def test_candidate_feed_urls_for_the_home_page_has_no_duplicates() -> None:
    assert candidate_feed_urls("https://news.example.org/") == [
        "https://news.example.org/feed/",
        "https://news.example.org/rss",
        "https://news.example.org/rss.xml",
        "https://news.example.org/feed.xml",
        "https://news.example.org/atom.xml",
        "https://news.example.org/index.xml",
        "https://news.example.org/?feed=rss2",
    ]


def test_candidate_feed_urls_use_the_directory_of_a_file_page_and_never_the_page() -> None:
    urls = candidate_feed_urls("https://news.example.org/news/index.html?page=2#top")
    assert urls[0] == "https://news.example.org/news/feed/"
    assert "https://news.example.org/rss.xml" not in candidate_feed_urls("https://news.example.org/rss.xml")


@given(
    segments=st.lists(st.text(alphabet="abcxyz-_.", min_size=1, max_size=6), max_size=4),
    slash=st.booleans(),
)
def test_candidate_feed_urls_are_absolute_unique_and_exclude_the_page(segments: list[str], slash: bool) -> None:
    page = "https://news.example.org/" + "/".join(segments) + ("/" if slash and segments else "")
    urls = candidate_feed_urls(page)
    assert urls and len(urls) == len(set(urls))
    assert page not in urls
    assert all(url.startswith("https://news.example.org/") for url in urls)


# --- selector proposals on our own markup ----------------------------------------------------

STORIES = [
    ("Seasonal workers return as remittances fall", "/2024/05/03/workers-return/", "2024-05-03T09:00:00+05:00"),
    ("New rules for labour migrants take effect", "/2024/05/02/new-rules/", "2024-05-02T18:30:00+05:00"),
    ("Court hears first trafficking case of the year", "/2024/05/02/court-case/", "2024-05-02T11:15:00+05:00"),
    ("Border crossing reopens after two weeks", "/2024/05/01/border-reopens/", "2024-05-01T08:00:00+05:00"),
    ("Recruitment agencies face stricter licensing", "/2024/04/30/agencies/", "2024-04-30T16:45:00+05:00"),
]

MENU = "".join(
    f'<li><a href="/{slug}/">{text}</a></li>'
    for slug, text in [
        ("politics", "Politics and government news"),
        ("economy", "Economy and business reporting"),
        ("world", "World news from every region"),
        ("culture", "Culture, arts and entertainment"),
        ("sport", "Sport results and commentary"),
        ("opinion", "Opinion, analysis and columns"),
    ]
)


def _story(title: str, href: str, stamp: str) -> str:
    return f"""
    <article class="post-card">
      <span class="category"><a href="/tag/migration/">Migration</a></span>
      <h2 class="post-title"><a href="{href}">{title}</a></h2>
      <p class="post-excerpt">What happened, in two sentences of summary for the reader of {title}.</p>
      <time datetime="{stamp}">{stamp[:10]}</time>
      <a class="more-link" href="{href}">Read more</a>
    </article>"""


def _listing_page(pager: str) -> str:
    stories = "".join(_story(*story) for story in STORIES)
    return f"""<!doctype html><html><head><title>Tag: migration</title></head><body>
    <header class="site-header"><nav class="main-nav"><ul>{MENU}</ul></nav></header>
    <div class="layout"><main>
      <h1>Tag: migration</h1>
      <div class="post-list">{stories}</div>
      {pager}
    </main>
    <aside class="widget-area"><h3>Most read</h3><ul>{MENU.replace('href="/', 'href="/popular/')}</ul></aside>
    </div>
    <footer class="site-footer"><ul>{MENU.replace('href="/', 'href="/about/')}</ul></footer>
    </body></html>"""


PAGERS = {
    "text": '<div class="pagination"><a href="/tag/migration/">« Newer</a> '
    '<a href="/tag/migration/page/3/">Older posts »</a></div>',
    "rel": '<nav class="pagination"><a rel="prev" href="/tag/migration/">1</a>'
    '<a rel="next" href="/tag/migration/page/3/">3</a></nav>',
    "class": '<ul class="pager"><li class="pager-prev"><a href="/tag/migration/">‹</a></li>'
    '<li class="pager-next"><a href="/tag/migration/page/3/">›</a></li></ul>',
}


@pytest.mark.parametrize("pager", sorted(PAGERS))
def test_listing_articles_win_over_menus_sidebar_and_footer(pager: str) -> None:
    html = _listing_page(PAGERS[pager])
    top = propose_selectors(html, BASE)[0]
    records = extract(html, top, BASE)
    assert [(r["title"], r["link"]) for r in records] == [(t, urljoin(BASE, h)) for t, h, _ in STORIES]
    assert all(r["summary"].startswith("What happened") for r in records)
    assert [r["date"] for r in records] == [stamp for _, _, stamp in STORIES]
    assert top.next is not None
    assert Selector(text=html).css(top.next).get() == "/tag/migration/page/3/"


def test_proposals_are_best_first_and_distinct() -> None:
    proposals = propose_selectors(_listing_page(PAGERS["text"]), BASE)
    scores = [p.score for p in proposals]
    assert scores == sorted(scores, reverse=True)
    assert len({p.item for p in proposals}) == len(proposals)


CARDS = """<html><body><div class="grid">{cards}</div></body></html>"""
CARD = """<div class="Card-sc-1x2y3z kLmNoP card">
  <a class="card__link" href="{href}"><h3 class="card__title">{title}</h3>
  <p class="card__dek">A short standfirst that is not part of the headline itself.</p></a>
</div>"""


def test_card_links_take_the_heading_as_title_and_skip_hashed_classes() -> None:
    html = CARDS.format(cards="".join(CARD.format(title=t, href=h) for t, h, _ in STORIES))
    top = propose_selectors(html, BASE)[0]
    records = extract(html, top, BASE)
    assert [(r["title"], r["link"]) for r in records] == [(t, urljoin(BASE, h)) for t, h, _ in STORIES]
    assert "sc-1x2y3z" not in top.item + top.title + top.link
    assert "kLmNoP" not in top.item


LINKED_LIST = """<html><body><dl class="links">{entries}</dl></body></html>"""
LINKED = """<dt><a href="https://elsewhere.example.com{href}">{title}</a>
<a class="permalink" title="Permanent link" href="https://news.example.org/linked{href}">★</a></dt>
<dd><p>A comment on the linked story, long enough to be prose rather than a headline link.</p></dd>"""


def test_linked_list_titles_leave_out_the_permalink_star_and_link_to_the_permalink() -> None:
    html = LINKED_LIST.format(entries="".join(LINKED.format(title=t, href=h) for t, h, _ in STORIES))
    records = extract(html, propose_selectors(html, BASE)[0], BASE)
    assert [r["title"] for r in records] == [t for t, _, _ in STORIES]
    assert [r["link"] for r in records] == [f"https://news.example.org/linked{h}" for _, h, _ in STORIES]


ARTICLE_PAGE = """<html><head><title>One story</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/about/">About</a></nav></header>
<main><article>
  <h1>Seasonal workers return as remittances fall</h1>
  <p>By A. Reporter, <time datetime="2024-05-03">3 May 2024</time></p>
  <p>The number of labour migrants coming home rose again, <a href="/2024/04/01/earlier/">as we reported
  in April</a>, and officials expect the trend to continue through the summer months of this year.</p>
  <p>Officials declined to comment on <a href="https://stats.example.gov/">the statistics office figures</a>
  published this week, saying a fuller review of the numbers would follow in the autumn.</p>
</article></main>
<footer class="site-footer"><a href="/privacy/">Privacy policy and cookie settings</a>
<a href="/contact/">Contact the newsroom and editors</a></footer>
</body></html>"""


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body><p>No links at all.</p></body></html>",
        ARTICLE_PAGE,
        f"<ul>{MENU}</ul>".join(["<nav>", "</nav>"]),
    ],
    ids=["empty", "no-links", "single-article", "menu-only"],
)
def test_no_repeated_article_structure_gives_no_proposal(html: str) -> None:
    assert propose_selectors(html, BASE) == []


# --- issue 16: what generalises beyond the corpus the heuristics were built on ---------------


def _post(title: str, href: str, stamp: str) -> str:
    return f"""<div class="post"><h2><a href="{href}">{title}</a></h2>
      <div class="meta">{stamp[:10]}</div><p>A first paragraph of the story of {title}, as a teaser.</p></div>"""


PAGER_IN_LIST = """<html><body><main><div class="posts">{posts}
<div class="navigation"><span class="button"><a href="/page/2/">Older posts →</a></span></div>
<div class="navigation"><a href="/page/2/">Pagina successiva »</a></div></div></main></body></html>"""


def test_pager_links_inside_the_list_are_no_items() -> None:
    html = PAGER_IN_LIST.format(posts="".join(_post(*story) for story in STORIES))
    records = extract(html, propose_selectors(html, BASE)[0], BASE)
    assert [r["link"] for r in records] == [urljoin(BASE, h) for _, h, _ in STORIES]


TAG_CLOUD = "".join(f'<li><a href="/label/{n}/">Label number {n}</a></li>' for n in range(60))
BLOG_HOME = """<html><body><div class="main">{posts}</div>
<div class="sidebar"><h2>Labels</h2><ul>{cloud}</ul></div></body></html>"""


def test_a_long_sidebar_tag_cloud_does_not_beat_the_posts() -> None:
    html = BLOG_HOME.format(posts="".join(_post(*story) for story in STORIES), cloud=TAG_CLOUD)
    records = extract(html, propose_selectors(html, BASE)[0], BASE)
    assert [r["title"] for r in records] == [t for t, _, _ in STORIES]


SHARE_CARD = """<div class="teaser"><a class="share" href="https://social.example.com/share?u={href}">
<span>Share this story with friends</span></a><h3><a href="{href}">{title}</a></h3>
<a class="bookmark" href="/bookmarks/add?u={href}">Save to your reading list</a></div>"""


def test_the_title_link_is_the_headline_not_a_share_or_bookmark_button() -> None:
    html = "<html><body><section>" + "".join(SHARE_CARD.format(title=t, href=h) for t, h, _ in STORIES)
    records = extract(html + "</section></body></html>", propose_selectors(html, BASE)[0], BASE)
    assert [(r["title"], r["link"]) for r in records] == [(t, urljoin(BASE, h)) for t, h, _ in STORIES]


KICKER_CARD = """<article><a href="{href}"><span class="headline-intro">Kicker {n}</span>
<span class="headline">{title}</span></a><p>Teaser text of the story, long enough to be prose here.</p></article>"""


def test_a_kicker_and_a_headline_in_one_link_make_the_title() -> None:
    cards = "".join(KICKER_CARD.format(title=t, href=h, n=n) for n, (t, h, _) in enumerate(STORIES))
    html = f"<html><body><div>{cards}</div></body></html>"
    records = extract(html, propose_selectors(html, BASE)[0], BASE)
    assert [r["title"] for r in records] == [f"Kicker {n} {t}" for n, (t, _, _) in enumerate(STORIES)]


BODY = " ".join(["The number of labour migrants coming home rose again this spring, officials said."] * 4)
ONE_ARTICLE = f"""<html><head><meta property="og:type" content="article"></head><body><article>
<h1>Seasonal workers return as remittances fall</h1><p>{BODY}</p><p>{BODY}</p><p>{BODY}</p>
<p>{BODY}</p></article><section class="related"><h2>Related stories</h2>{"".join(_post(*s) for s in STORIES)}
</section></body></html>"""
LOGIN = f"""<html><body><form action="/login" method="post"><input name="user"><input type="password" name="pw">
</form><div>{"".join(_post(*s) for s in STORIES)}</div></body></html>"""
ERROR = f"""<html><head><title>Page not found – Example News</title></head><body>
<h1>Oops! That page can’t be found.</h1><div class="suggestions">{"".join(_post(*s) for s in STORIES)}</div>
</body></html>"""


@pytest.mark.parametrize(
    ("html", "reason"),
    [(ONE_ARTICLE, "one article"), (LOGIN, "login form"), (ERROR, "error page")],
    ids=["article-with-related-stories", "login-form", "error-page"],
)
def test_an_article_a_form_or_an_error_page_is_no_listing(html: str, reason: str) -> None:
    assert reason in (not_a_listing(html) or "")
    assert propose_selectors(html, BASE) == []


def test_a_log_in_box_in_the_masthead_does_not_make_a_listing_a_form() -> None:
    box = '<header class="masthead"><form><input name="u"><input type="Password" name="p"></form></header>'
    posts = "".join(_post(*story) for story in STORIES)
    html = BLOG_HOME.format(posts=posts, cloud="").replace("<body>", "<body>" + box)
    assert not_a_listing(html) is None
    assert propose_selectors(html, BASE)


def test_a_listing_with_long_summaries_is_still_a_listing() -> None:
    html = BLOG_HOME.format(posts="".join(_post(*story) for story in STORIES), cloud="")
    assert not_a_listing(html) is None


MENU_ONLY = "<html><body><div class='links'>{}</div></body></html>".format(
    "".join(f'<div class="item"><a href="/{w.lower()}/">{w} page</a></div>' for w in ["Home", "About", "Team", "Jobs"])
)


def test_a_menu_of_short_links_is_no_listing() -> None:
    assert propose_selectors(MENU_ONLY, BASE) == []


def test_the_page_category_feed_comes_before_the_site_feed_and_comments_last() -> None:
    page = "https://news.example.org/politik/deutschland/some-story-a-123"
    feeds = [
        "https://news.example.org/comments/feed/",
        "https://news.example.org/index.rss",
        "https://news.example.org/sport/index.rss",
        "https://news.example.org/politik/deutschland/index.rss",
        "https://news.example.org/politik/index.rss",
    ]
    assert choose_feeds(feeds, page) == [feeds[3], feeds[4], feeds[1], feeds[2], feeds[0]]
    assert "/politik/deutschland/" in feed_choice(feeds, page)


def test_a_feed_titled_as_comments_comes_last_and_one_feed_needs_no_choice() -> None:
    html = """<head><link rel="alternate" type="application/rss+xml" title="Post » Comments Feed"
    href="/2024/05/03/story/feed/"><link rel="alternate" type="application/rss+xml" href="/feed/"></head>"""
    page = "https://blog.example.org/2024/05/03/story/"
    feeds = feed_links(html, page)
    assert choose_feeds(feeds, page, html) == ["https://blog.example.org/feed/", feeds[0]]
    assert feed_choice(feeds[:1], page, html) == ""


if __name__ == "__main__":
    rows = evaluate_corpus(CORPUS)
    print(f"{'file':36} {'expected':>8} {'found':>6}  titles ok  links ok")
    for row in rows:
        print(f"{row['file']:36} {row['expected']:>8} {row['found']:>6}  {row['titles_ok']!s:9}  {row['links_ok']!s}")
    for row in rows:
        print(row["file"], row["proposal"], sep="\n  ")


SECTION = "Readers came back to the short piece again and again this week, the editors said. " * 2
SHORT_ARTICLE = f"""<html><head><script type="application/ld+json">{{"@type": "NewsArticle"}}</script></head>
<body><article><h1>Add a version file to your project</h1>{"".join(f"<section><p>{SECTION}</p></section>" * 8)}
</article><div class="more-from"><h2>More from the author</h2>{"".join(_post(*s) for s in STORIES)}</div>
</body></html>"""


def test_a_short_article_split_in_sections_that_declares_itself_one_is_no_listing() -> None:
    assert "one article" in (not_a_listing(SHORT_ARTICLE) or "")
    assert propose_selectors(SHORT_ARTICLE, BASE) == []


def test_the_same_sections_without_an_article_declaration_stay_undecided() -> None:
    html = SHORT_ARTICLE.replace("NewsArticle", "WebPage")
    assert not_a_listing(html) is None


FEATURE = """<li class="feature"><a href="https://video.example.net/{n}"><img src="/s{n}.jpg" alt="Screenshot"></a>
<h2>{title}</h2><p>What the tool does for you, described in one sentence of marketing text.</p>
<a class="more" href="https://docs.example.net/tools/{n}">Learn more about {title}</a></li>"""
LANDING = """<html><head><meta property="og:type" content="website"></head><body><main><ul>{}</ul></main>
<footer><ul>{}</ul></footer></body></html>""".format(
    "".join(FEATURE.format(n=n, title=f"Tool number {n}") for n in range(8)),
    "".join(f'<li><a href="/about/{n}/">About the foundation part {n}</a></li>' for n in range(10)),
)


def test_a_landing_page_of_feature_cards_and_a_footer_is_no_listing() -> None:
    assert propose_selectors(LANDING, BASE) == []


def test_cards_whose_heading_is_the_link_are_still_a_listing() -> None:
    cards = "".join(
        f'<li class="feature"><h2><a href="{h}">{t}</a></h2><p>{SECTION}</p>'
        f'<a class="more" href="{h}">Learn more about it</a></li>'
        for t, h, _ in STORIES
    )
    html = f"<html><body><main><ul>{cards}</ul></main></body></html>"
    records = extract(html, propose_selectors(html, BASE)[0], BASE)
    assert [r["title"] for r in records] == [t for t, _, _ in STORIES]
