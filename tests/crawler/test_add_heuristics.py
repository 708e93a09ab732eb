"""`newswatch add`: the listing rules of issue 16's third round, on small pages written here.

Each page pins one general rule (no site is named): taxonomy links (category, tag,
author pages, "Topic (9)" counts) are no headlines; on an article's own URL a strip
of a few related links is no listing.
"""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector

from crawler.discover import choose_feeds, feed_links, propose_selectors

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


# --- fourth round: rules found on the fresh2 half (each general; no site named) ---------------------

_BODY = "<p>" + "The council met on Tuesday and spoke at length about the harbour and its future. " * 6 + "</p>"


def _related(n: int) -> str:
    return "".join(
        f'<li class="card"><h3><a href="/news/{90000 + k}.html">Another story number {k} in the city news</a></h3></li>'
        for k in range(n)
    )


def _article_page(n: int) -> str:
    body = _BODY
    return f"<html><body><main><h1>The harbour's future</h1>{body}</main><aside><ul>{_related(n)}</ul></aside></body>"


def test_related_stories_beside_an_article_on_a_document_url_are_no_listing() -> None:
    """On an URL naming one document by its id, a list that is not most of the page's text is no listing."""
    page = _article_page(10).replace("<aside>", "<div>").replace("</aside>", "</div>")
    assert propose_selectors(page, "https://news.example.org/articles/38282.html") == []
    assert len(_titles_and_links(page, "https://news.example.org/news/")) == 10


def test_a_list_that_is_the_page_on_a_document_url_is_still_proposed() -> None:
    html = f"<html><body><main><ul>{_related(12)}</ul></main></body></html>"
    assert len(_titles_and_links(html, "https://news.example.org/section/100100")) == 12


def test_a_layout_wrapper_naming_main_content_and_sidebar_is_no_chrome() -> None:
    """Regions of class "l-main-content l-sidebar-fixed" hold the main column: their lists beat a teaser strip."""
    strip = "".join(
        f'<div class="hero"><h2><a href="/t/{k}">Top story number {k} of the day here</a></h2></div>' for k in range(5)
    )
    segments = "".join(
        '<div class="l-main-content l-sidebar-fixed">'
        + "".join(
            f'<div class="entry"><h2><a href="/r/{n}/{k}">River story number {k} of the day here</a></h2></div>'
            for k in range(7)
        )
        + "</div>"
        for n in range(3)
    )
    html = f'<html><body><div class="top">{strip}</div>{segments}<div class="sidebar"><p>ads</p></div></body></html>'
    found = {link for _, link in _titles_and_links(html)}
    assert {f"{BASE}r/{n}/{k}" for n in range(3) for k in range(7)} <= found


def test_short_post_titles_in_linked_headings_are_headlines() -> None:
    """ "Article 1", "Oh yeah !": a whole linked heading of several words is a headline even when short."""
    titles = ["Article 1", "Oh yeah !", "Second article", "A markdown powered article"]
    posts = "".join(
        f'<li><article><header><h1><a href="/p{k}.html" rel="bookmark">{t}</a></h1></header>'
        f"<p>Published: Thu 17 February 2011</p></article></li>"
        for k, t in enumerate(titles)
    )
    html = (
        f'<html><body><header><h1><a href="/">My log</a></h1></header><section><ol>{posts}</ol></section></body></html>'
    )
    assert _titles_and_links(html) == [(t, urljoin(BASE, f"/p{k}.html")) for k, t in enumerate(titles)]


def test_a_tag_list_in_the_same_bare_items_is_left_out_by_what_the_posts_hold() -> None:
    """Tag links and posts both in bare ``li``: the posts have a date, the tags do not."""
    tags = "".join(f'<li><a href="/tags/t{k}">Topic{k}</a></li>' for k in range(12))
    posts = "".join(
        f'<li><time datetime="2021-02-{k + 1:02d}">2021 Feb {k + 1}</time> - <a href="{h}">{t}</a></li>'
        for k, (t, h) in enumerate(POSTS)
    )
    html = f"<html><body><main><ul>{tags}</ul><ul>{posts}</ul></main></body></html>"
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


# --- the fifth round (tuned on the fresh4 half) ---

NEWS_ZH = [(f"第{n}条新闻：市政府宣布新的港口建设计划", f"/20/0816/{n:02d}/news{n}.html") for n in range(1, 9)]


def test_a_cjk_headline_beside_a_long_timestamp_is_a_headline() -> None:
    """A script written without spaces packs a headline in few characters: 19 of them are most of a line that
    also holds a 21-character timestamp."""
    items = "".join(
        f"<li><span>(2020-08-16 22:26:{n:02d})</span><a href='{h}'>{t}</a></li>" for n, (t, h) in enumerate(NEWS_ZH)
    )
    html = f'<html><body><div class="latest"><ul class="lines">{items}</ul></div></body></html>'
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in NEWS_ZH]


def test_the_bare_headline_link_beside_a_classed_category_link_is_the_title() -> None:
    """Each line: a category link with a camel-case class ("[Society]"), then the headline link, bare."""
    items = "".join(f'<li><a class="cBlue" href="/society/">[Society]</a> <a href="{h}">{t}</a></li>' for t, h in POSTS)
    html = f'<html><body><div class="rolling"><ul class="list">{items}</ul></div></body></html>'
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


def test_a_list_of_bare_items_among_many_menu_lists_is_scoped_to_its_block() -> None:
    """``li`` matches the menus' items more than the list's; the list is the one in its own classed block."""
    menus = "".join(f'<li><a href="/section-{n}/">Section number {n} of the site</a></li>' for n in range(24))
    lines = "".join(
        f"<li><span>2020-07-0{n % 9 + 1}</span> <a href='{h}'>{t}</a></li>" for n, (t, h) in enumerate(POSTS)
    )
    html = (
        f"<html><body><nav><ul>{menus}</ul></nav><div class='notices'><ul>{lines}</ul></div>"
        f"<footer><ul>{menus}</ul></footer></body></html>"
    )
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


JOBS = [
    ("MATHS TEACHER", "/jobs/1/"),
    ("HEAD WAITER ON DUTY", "/jobs/2/"),
    ("NIGHT PORTER", "/jobs/3/"),
    ("ASSISTANT KITCHEN CHEF", "/jobs/4/"),
    ("SHOP CLERK", "/jobs/5/"),
    ("SENIOR FINANCIAL ANALYST", "/jobs/6/"),
]


def test_short_titles_in_a_title_named_block_are_headlines() -> None:
    """Job titles of two or three words (a mean of 2.5, under the 3 a menu is told apart by) in
    ``<dd class="title">``: named a title by the page, as good as a heading."""
    jobs = "".join(
        f'<li class="job"><dl><dd class="title"><strong><a href="{h}">{t}</a></strong></dd>'
        f'<dd class="place">Podgorica</dd></dl></li>'
        for t, h in JOBS
    )
    html = f'<html><body><ol class="jobs">{jobs}</ol></body></html>'
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in JOBS]


def test_one_search_result_shown_in_full_does_not_make_the_page_an_article() -> None:
    """A result list whose first entry is expanded (its whole text): the body text sits in one of many same-class
    entries with a linked heading each, so the page is a list, not one article."""
    body = "".join(
        f"<p>Paragraph {k} of the expanded answer, long enough to read as prose of its own here.</p>" for k in range(20)
    )
    cards = "".join(
        f'<div class="card"><h2><a href="{h}">{t}</a></h2><div class="text">{body if n == 0 else "<p>A line.</p>"}'
        f"</div></div>"
        for n, (t, h) in enumerate(POSTS)
    )
    html = f'<html><body><div class="results">{cards}</div></body></html>'
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


# --- sixth round: an article's related-stories module, on an URL with neither date nor id -------------------------

_PROSE = "The quay was built a century ago and the tides have worn its stones down year after year. "
_SECTION = "".join(f"<p>{_PROSE * 2}Part {k} of the story.</p>" for k in range(3))
_TOPICS = ("ferry timetable changes for the winter", "new lights along the river walk", "school roof repaired")


def _slug_article_page() -> str:
    """An article split in two sections (no block of 1,200 characters, no og:type), and a module of six
    headline links to other articles after it."""
    related = "".join(
        f'<div class="more"><h4><a href="/local/{"-".join(t.split())}-{k}/">The {t}, part {k}</a></h4></div>'
        for k in range(2)
        for t in _TOPICS
    )
    body = f"<div class='story'><section>{_SECTION}</section><section>{_SECTION}</section></div>"
    return f"<html><body><h1>Harbour council plans a new quay</h1>{body}<div class='next'>{related}</div></body></html>"


def test_a_module_linking_to_pages_shaped_like_the_article_url_is_no_listing() -> None:
    """The page's URL has the shape of the module's links (a section word, then a slug): the page is one of the
    articles the module lists, and the module beside its body is not most of the page: nothing is proposed. On a
    section's URL the same module is a list."""
    assert propose_selectors(_slug_article_page(), "https://news.example.org/local/harbour-council-plans-quay/") == []
    assert len(_titles_and_links(_slug_article_page(), "https://news.example.org/local/")) == 6


def test_a_tag_page_with_a_long_introduction_keeps_its_list() -> None:
    """A taxonomy page named by a slug, its introduction as long as an article, its list of headlines after it:
    the page is no article among those it lists, so the list is proposed."""
    page = _slug_article_page().replace("<div class='next'>", "<div class='posts'>")
    assert len(_titles_and_links(page, "https://news.example.org/tag/harbour-and-quay-works/")) == 6


# --- seventh round: rules found on the fresh5 half (each general; no site named) ---------------------


def _offer(n: int) -> str:
    return (
        f'<div class="offer"><a href="/offers/offer-{n}.html"><img src="/img/{n}.jpg" alt=""></a>'
        f'<h4><a href="/offers/offer-{n}.html">Three bedroom cottage near the river, offer {n}</a></h4>'
        f"<p>Price on request, {n + 2} rooms</p></div>"
    )


def _catalogue(extra: str) -> str:
    offers = "".join(_offer(n) for n in range(1, 9))
    return f"<html><body><h1>Cottages for sale</h1><div class='offers'>{offers}</div>{extra}</body></html>"


def test_a_log_in_box_in_a_hidden_dialog_does_not_make_the_page_a_login_form() -> None:
    """Any page can open a sign-in dialog; its password field says nothing of the page's content."""
    dialog = (
        '<div class="signin-modal" style="display: none"><form action="/login">'
        '<input type="text" name="email"><input type="password" name="password"></form></div>'
    )
    assert len(_titles_and_links(_catalogue(dialog), "https://shop.example.org/cottages/")) == 8
    shown = "<form action='/login'><input type='text' name='user'><input type='password' name='pw'></form>"
    assert propose_selectors(f"<html><body><h1>Sign in</h1>{shown}</body></html>", BASE) == []


def test_a_long_legal_notice_in_the_footer_is_no_article_body() -> None:
    notice = "<p>" + "Past results say nothing of future ones; every figure shown here is an example. " * 8 + "</p>"
    footer = f'<div class="footer-bottom"><div>{notice * 3}</div></div>'
    assert len(_titles_and_links(_catalogue(footer), "https://shop.example.org/cottages/")) == 8


def test_related_stories_on_an_url_naming_a_document_by_a_query_id_are_no_listing() -> None:
    """``articleView.html?idxno=243722`` names one document as surely as ``/articles/243722.html``."""
    page = _article_page(10).replace("<aside>", "<div>").replace("</aside>", "</div>")
    assert propose_selectors(page, "https://news.example.org/news/articleView.html?idxno=243722") == []
    assert len(_titles_and_links(page, "https://news.example.org/news/list.html?page=2")) == 10


# --- eighth round: rules found on the fresh6 half (each general; no site named) ---------------------


def _review(n: int) -> str:
    return (
        f'<div class="review"><div class="rating">{n % 5 + 1} of 5</div>'
        f"<p>We came on a Friday evening with friends; the soup was warm, the staff kind, visit {n}.</p>"
        f'<div class="tools"><a href="/review/report-to-the-editors?reviewId={4000 + n}">Report to the editors</a>'
        "</div></div>"
    )


def test_a_button_repeated_in_every_review_is_no_list_of_headlines() -> None:
    """The same link text to the same page (only the query's id differs) in each entry is an action, and
    entries without a headline link of their own are no article list."""
    html = f"<html><body><h1>The Corner Bistro</h1><div class='reviews'>{''.join(_review(n) for n in range(6))}"
    assert propose_selectors(html + "</div></body></html>", "https://food.example.org/restaurant/corner") == []


def test_entries_sharing_a_title_but_not_a_page_stay_a_list() -> None:
    """A band's concerts are all titled with its name; their pages differ: still a list."""
    gigs = "".join(
        f'<li class="gig"><p><a href="/concerts/{n}-the-river-band-at-hall-{n}">The River Band and Guests</a></p>'
        f"<time>2024-05-{n + 1:02d}</time></li>"
        for n in range(8)
    )
    assert len(_titles_and_links(f"<html><body><ul class='gigs'>{gigs}</ul></body></html>")) == 8


def test_a_bare_li_gathering_the_menu_with_the_related_strip_does_not_make_the_article_a_listing() -> None:
    """On an article's URL, only headline items outside the page's chrome count towards the list holding the
    page's text: the navigation menu's entries, matched by the same bare ``li``, do not."""
    menu = "".join(
        f'<li><div><a href="/world/region-{n}/">News and views of the wide world, region {n}</a></div></li>'
        for n in range(9)
    )
    related = "".join(
        f'<li><div><a href="/world/2024/04/{n + 1:02d}/quay-story-{n}/">Harbour quay story number {n} of April</a>'
        "</div></li>"
        for n in range(10)
    )
    body = "<p>" + "The bus touched a wire near the market and the city's police closed the road. " * 7 + "</p>"
    html = f"<html><body><nav><ul>{menu}</ul></nav><div><h1>A bus and a wire</h1>{body}</div><ul>{related}</ul>"
    assert propose_selectors(html + "</body></html>", "https://news.example.org/world/2024/05/14/bus-wire-city/") == []
    assert len(_titles_and_links(html + "</body></html>", "https://news.example.org/world/")) == 19


_COMMENT_COUNTS = ("One comment", "No comments", "12 comments")


def _wiki_entry(name: str, n: int) -> str:
    prose = f"<p>A long entry about systems, number {n}, with a heading of its own in plain words. </p>" * 3
    return (
        f'<div class="blogentry"><div class="entryid"><h2><a href="/blog/{name}">{name}</a></h2></div>'
        f"<div class='wikitext'><h2>The plain title of entry {n}</h2>{prose}</div>"
        f'<div class="commenttools"><a href="/blog/{name}?showcomments#comments">{_COMMENT_COUNTS[n % 3]}</a>'
        "</div></div>"
    )


_WIKI_NAMES = ("ZfsMountsGoStale", "DebconfWhiptailInXterms", "TerminalColoursDiffer", "PflogAndTcpdumpNotes")


def test_entry_names_of_joined_capitalised_words_are_headlines() -> None:
    """A wiki-style blog links each entry by a name of three or more joined capitalised words: several words."""
    html = "<html><body>" + "".join(_wiki_entry(name, n) for n, name in enumerate(_WIKI_NAMES)) + "</body></html>"
    found = _titles_and_links(html, "https://wiki.example.org/blog/")
    assert [title for title, _ in found] == list(_WIKI_NAMES)


def test_comment_count_links_are_no_headlines() -> None:
    """ "3 comments" (to the post's ``#comments``) is no article of its own: the entries' headline is the title."""
    names = [f"Notes on mounts and terminals, part {n}" for n in range(8)]
    html = "<html><body>" + "".join(_wiki_entry(name, n) for n, name in enumerate(names)) + "</body></html>"
    found = _titles_and_links(html, "https://wiki.example.org/blog/")
    assert [title for title, _ in found] == names


def test_a_log_in_form_in_the_bottom_bar_does_not_make_the_page_a_login_form() -> None:
    """A bottom bar, like a top bar, is page chrome: its log-in form says nothing of the page's content."""
    bar = (
        '<div class="bottombar"><form method="post" action="/login">Login: <input name="login">'
        'Password: <input type="password" name="password"></form></div>'
    )
    assert len(_titles_and_links(_catalogue(bar), "https://shop.example.org/cottages/")) == 8


def _product_card(n: int) -> str:
    review = f'<a class="link" href="/goods/item-{n}/reviews/">Write a review</a>'
    stars = f'<div class="stars"><span>★★★★</span>{review}</div>'
    name = f'<div class="name"><a class="link" href="/goods/item-{n}.html">Garden chair model {n} in oak</a></div>'
    return f'<div class="card"><div class="info">{stars}{name}</div><span class="price">{n}9 EUR</span></div>'


def test_a_link_to_the_items_reviews_page_is_no_headline() -> None:
    """A card's "Write a review" link (to the item's own ``/reviews/`` page) is no second item of the card."""
    html = "<html><body><div class='grid'>" + "".join(_product_card(n) for n in range(8)) + "</div></body></html>"
    found = _titles_and_links(html, "https://shop.example.org/garden/")
    assert [link for _, link in found] == [f"https://shop.example.org/goods/item-{n}.html" for n in range(8)]


def test_the_panes_of_a_tabbed_widget_do_not_beat_the_main_list() -> None:
    """A tabbed widget ("Latest", "Most read"...: parallel panes of timestamped links) is beside the list."""
    panes = "".join(
        f'<div id="pane{p}"><dl>'
        + "".join(
            f'<dt><a class="tl" href="/s/{p}{n}"><b>0{n}:00</b>Council votes on harbour plan {p}{n}</a></dt>'
            for n in range(9)
        )
        + "</dl></div>"
        for p in range(4)
    )
    html = f'<html><body><div class="posts">{"".join(_post(*p) for p in POSTS)}</div><div id="tabs">{panes}</div>'
    found = _titles_and_links(html + "</body></html>")
    assert [link for _, link in found] == [urljoin(BASE, href) for _, href in POSTS]


def _release(version: str) -> str:
    downloads = "".join(
        f'<div class="file"><a href="/acme/tool/archive/{version}.{ext}">Source code ({ext})</a></div>'
        for ext in ("zip", "tar.gz")
    )
    header = f'<div class="release-header"><a href="/acme/tool/releases/tag/{version}">{version}</a></div>'
    notes = f"<p>Fixes the harbour importer and speeds up the council export in {version}.</p>"
    return f'<div class="release">{header}{notes}<details><summary>Assets</summary>{downloads}</details></div>'


def test_a_release_list_is_read_by_its_version_headlines_not_its_download_links() -> None:
    """A release list's entries are headed by a version ("v2.10.1") linking to its own page; the archives each
    entry offers ("Source code (zip)") are files to fetch, never headlines."""
    versions = [f"v2.{n}.{m}" for n in (10, 9, 8) for m in (2, 1, 0)]
    html = "<html><body><div class='releases'>" + "".join(_release(v) for v in versions) + "</div></body></html>"
    found = _titles_and_links(html, "https://code.example.org/acme/tool/releases")
    assert found == [(v, f"https://code.example.org/acme/tool/releases/tag/{v}") for v in versions]


def _result(n: int) -> str:
    title = f'<h3><a href="https://site{n}.example.com/snow">Snow reports and forecasts from resort {n}</a></h3>'
    return f'<li><div class="res">{title}<p>Daily snow depth, lifts and trails open at resort {n}.</p></div></li>'


def test_stray_boxes_beside_a_list_of_results_are_left_out_by_the_results_module() -> None:
    """A search page's weather box and image box carry a headline of their own, in the same markup as the
    results but outside the results' list: the proposal is scoped to the one module holding nearly all."""
    weather = '<div class="box"><h3><a href="/weather?q=Hamburg">Weather forecast for Hamburg today</a></h3></div>'
    images = '<div class="box"><h3><a href="/images?q=snow">Snow pictures in the image search</a></h3></div>'
    results = "<ol>" + "".join(_result(n) for n in range(8)) + "</ol>"
    html = f'<html><body><div id="web">{weather}{images}{results}</div></body></html>'
    found = _titles_and_links(html, "https://search.example.org/search?q=snow")
    assert [link for _, link in found] == [f"https://site{n}.example.com/snow" for n in range(8)]


def _topic_page() -> str:
    """A topic page: a long introduction to the topic (in an ``og:type=article`` page), then the topic's posts."""
    prose = (
        "The collider is the largest particle accelerator, a ring of superconducting magnets that physicists use"
        " to study the smallest known particles and the forces between them."
    )
    intro = "<div class='intro'>" + f"<p>{prose}</p>" * 8 + "</div>"
    head = "<head><meta property='og:type' content='article'></head>"
    return f"<html>{head}<body><main>{intro}<div class='posts'>{''.join(_post(*p) for p in POSTS)}</div></main>"


def test_on_a_topic_url_a_long_introduction_is_no_article() -> None:
    """On a topic, tag, category or author URL the page is a list by its name: a long block of prose there
    introduces the topic, and the posts after it are proposed; the same page at an article-like URL is refused."""
    html = _topic_page() + "</body></html>"
    for url in ("https://science.example.org/topics/large-hadron-collider", "https://science.example.org/tag/lhc/page/2"):
        assert [link for _, link in _titles_and_links(html, url)] == [urljoin(url, h) for _, h in POSTS]
    assert propose_selectors(html, "https://science.example.org/2024/05/large-hadron-collider") == []


def _card_row(pair: list[tuple[str, str]]) -> str:
    cards = "".join(
        f'<div class="col"><div class="card"><h3 class="field-content"><a href="{href}">{title}</a></h3>'
        "<p>Teaser text of the story about the council.</p></div></div>"
        for title, href in pair
    )
    return f"<div class='row'>{cards}</div>"


def test_bare_headings_yield_to_the_headings_of_the_lists_class() -> None:
    """The items of one list share their heading's class; two boxes beside it carry headlines in bare headings
    of the same tag. The bare ``h3`` gathers them all; the classed headings, most of its links, are the list."""
    rows = "".join(_card_row(POSTS[i : i + 2]) for i in range(0, len(POSTS), 2))
    boxes = "".join(
        f'<div class="box"><h3><a href="/explainers/{n}">Read about the detectors and the magnets, part {n}</a></h3>'
        "</div>"
        for n in range(2)
    )
    found = _titles_and_links(f"<html><body><div class='main'>{rows}{boxes}</div></body></html>")
    assert [link for _, link in found] == [urljoin(BASE, href) for _, href in POSTS]


# --- the twelfth round (tuned on the fresh9, fresh10 and fresh11 halves) ---

_FORUM_TOPICS = [f"Which phone battery lasts longest in winter, part {n}" for n in range(8)]


def _topic_row(n: int, title: str) -> str:
    cells = (
        f'<td class="topicIcon"><img src="/i.gif"></td>'
        f'<td class="topicTitle"><a class="topicLink" href="/t/{n}_1.htm">{title}</a></td>'
        f'<td class="topicPages"><a href="/t/{n}_2.htm">2</a></td>'
        f'<td class="topicAuthor"><a class="userLink" href="/u/{n}">Member{n}</a></td>'
        f'<td class="lastPost"><a class="userLink" href="/t/{n}_9.htm#bas">2{n}-02-2015 à 17:42<br>'
        f"<b>Poster{n}</b></a></td>"
    )
    return f'<tr class="topicRow">{cells}</tr>'


def test_a_forum_list_is_read_by_its_camel_case_classes_and_its_last_post_stamps_are_no_headlines() -> None:
    """Hand-written classes may be camel-case ("topicTitle", "sujetCase3"): they name a forum's rows and title
    links. A row's link to its last post ("26-02-2015 à 17:42 Poster") is a timestamp and a name: no headline."""
    rows = "".join(_topic_row(n, t) for n, t in enumerate(_FORUM_TOPICS))
    base = "https://forum.example.org/phones/"
    found = _titles_and_links(f'<html><body><table class="topicList">{rows}</table></body></html>', base)
    assert found == [(t, f"https://forum.example.org/t/{n}_1.htm") for n, t in enumerate(_FORUM_TOPICS)]


def _shop_card(n: int) -> str:
    image = f'<a class="lnk" href="/p/{n}/ref=x"><img src="/{n}.jpg"></a>'
    name = f'<div class="name"><a class="lnk" href="/p/{n}/ref=x">Garden chair model {n} in oiled oak</a></div>'
    rating = f'<a class="lnk" href="/product-reviews/{n}/ref=y">4.{n} out of 5 stars 1{n},878</a>'
    stars = f'<div class="stars-row">{rating}</div>'
    price = f'<a class="lnk price" href="/p/{n}/ref=x">{n}9.99 EUR</a>'
    return f'<div class="cell"><div class="card">{image}{name}{stars}{price}</div></div>'


def test_a_rating_link_is_no_headline() -> None:
    """ "4.5 out of 5 stars 48,878" (to the product's reviews) is its rating, not a second item of the card."""
    html = f"<html><body><div class='grid'>{''.join(_shop_card(n) for n in range(8))}</div></body></html>"
    found = _titles_and_links(html, "https://shop.example.org/best/garden/")
    want = [(f"Garden chair model {n} in oiled oak", f"https://shop.example.org/p/{n}/ref=x") for n in range(8)]
    assert found == want


def _offer(n: int) -> str:
    title = f'<a class="item-link" href="/itm/{n}"><div class="title">Tablet with a 10 inch screen, offer {n}</div></a>'
    rest = f'<div class="desc">Used, very good condition, shipping included</div><span class="price">{n}9 EUR</span>'
    return f'<li class="result"><div class="info">{title}{rest}</div></li>'


def test_a_carousel_nested_in_the_results_is_left_out() -> None:
    """A carousel of suggestions sits in one entry of the results list, its offers marked up as results: the
    proposal keeps the list's own entries (``ul.results > li.result``)."""
    suggested = "".join(_offer(100 + n) for n in range(4))
    carousel = f'<li class="promo"><div class="carousel"><ul>{suggested}</ul></div></li>'
    items = "".join(_offer(n) for n in range(5)) + carousel + "".join(_offer(n) for n in range(5, 12))
    found = _titles_and_links(f'<html><body><ul class="results">{items}</ul></body></html>',
                              "https://shop.example.org/search?q=tablet")
    assert [link for _, link in found] == [f"https://shop.example.org/itm/{n}" for n in range(12)]


def _hit(n: int) -> str:
    words = ("History", "Corporate identity", "External links")
    deep = "".join(
        f'<div class="deep"><a href="https://site{n}.example.com/s{m}">{w}</a></div>' for m, w in enumerate(words)
    )
    head = f'<h2><a href="https://site{n}.example.com/">Snow reports and forecasts from resort {n}</a></h2>'
    summary = f"<p>Daily snow depth, lifts and trails open at resort {n}.</p>"
    return f'<li class="hit">{head}{summary}{deep if n % 5 else ""}</li>'


def test_a_result_with_sitelinks_is_still_one_item_with_its_summary() -> None:
    """Most results carry links to sections of their site beside their headed title: each result is still one
    item (held together by its one headline in a heading), so its summary is read with it."""
    html = f'<html><body><ol id="hits">{"".join(_hit(n) for n in range(10))}</ol></body></html>'
    url = "https://search.example.org/search?q=snow"
    top = propose_selectors(html, url)[0]
    assert [link for _, link in _titles_and_links(html, url)] == [f"https://site{n}.example.com/" for n in range(10)]
    assert top.summary is not None
    third = Selector(text=html).css(top.item)[3]
    assert third.css(top.summary).get() == "Daily snow depth, lifts and trails open at resort 3."


def _rulings_page() -> str:
    menu = "".join(f'<li><a href="/topic/{n}">Services for residents number {n}</a></li>' for n in range(30))
    rulings = "".join(
        f'<li><a href="/doc/ruling-{n}/download">Smith v. Commonwealth (SJC 1364{n}) (September {n + 1}, 2025)</a></li>'
        for n in range(10)
    )
    offices = "".join(f'<li><a href="/org/{n}">Office of the court number {n}</a></li>' for n in range(3))
    guides = "".join(f'<li><a href="/info/{n}">Guide to the appeals process, part {n}</a></li>' for n in range(4))
    return (
        f'<html><body><div class="site-hamburger-nav"><ul>{menu}</ul></div><main>'
        f'<div class="intro"><ul class="tags">{offices}</ul></div>'
        f'<div class="rich-text"><div class="rich-text"><ul>{rulings}</ul></div></div>'
        f'<section class="links"><ul>{guides}</ul></section></main></body></html>'
    )


def test_bare_list_items_are_scoped_to_the_list_holding_most_of_them_outside_the_menu() -> None:
    """Bare ``li > a`` items, most in a menu: scoped to the block around the one list holding most of the items
    outside it, though two short lists (a page's offices, its guides) hold the rest."""
    found = _titles_and_links(_rulings_page(), "https://gov.example.org/info-details/new-opinions")
    assert [link for _, link in found] == [f"https://gov.example.org/doc/ruling-{n}/download" for n in range(10)]


def test_links_no_url_parser_reads_are_no_crash() -> None:
    """A template's placeholder left in the page ("http://[site:url-brief]/x") is no URL: the list is still read,
    and such a feed is not offered."""
    head = '<head><link rel="alternate" type="application/rss+xml" href="http://[site:feed]/rss"></head>'
    posts = "".join(_post(title, f"http://[site:url-brief]{href}") for title, href in POSTS)
    html = f"<html>{head}<body><div class='posts'>{posts}</div></body></html>"
    top = propose_selectors(html, BASE)[0]
    assert [item.css(top.title).get() for item in Selector(text=html).css(top.item)] == [t for t, _ in POSTS]
    assert feed_links(html, BASE) == []


# --- the thirteenth round (tuned on the fresh12 half) ---


def _story_item(href: str, title: str) -> str:
    heading = f'<h3><a href="{href}">{title}</a></h3>'
    return f'<li class="list-item"><div class="inner">{heading}<time>08-06</time></div></li>'


def test_a_recommendation_module_in_the_main_column_is_left_out() -> None:
    """A section's page lists its stories, then, in the same column and the same markup, stories of other
    sections recommended to read: a module named for recommendations (related, popular, ranking...) is beside
    the page's list, not part of it."""
    own = "".join(_story_item(f"/national/0{n}-story", f"Harbour council news of the day, {n}") for n in range(10))
    other = "".join(_story_item(f"/culture/0{n}-read", f"A long read about the city museum, {n}") for n in range(8))
    html = (
        f"<html><body><div class='main'><section><ul class='stories'>{own}</ul></section>"
        f"<div class='reading-recommend'><ul>{other}</ul></div></div></body></html>"
    )
    found = _titles_and_links(html, "https://news.example.org/national/")
    assert [link for _, link in found] == [f"https://news.example.org/national/0{n}-story" for n in range(10)]


def test_the_feed_named_by_the_pages_whole_path_comes_first() -> None:
    """On "/links" (no trailing slash, yet no article: the section itself) the section's "/links/rss" comes before
    the site's "/rss/" and other sections' feeds."""
    feeds = [f"https://blog.example.org/{path}" for path in ("journal/rss", "links/rss", "notes/rss", "rss/")]
    assert choose_feeds(feeds, "https://blog.example.org/links")[0] == "https://blog.example.org/links/rss"
    on_a_link = choose_feeds(feeds, "https://blog.example.org/links/2024/a-link")
    assert on_a_link[0] == "https://blog.example.org/links/rss"


def _thread(n: int, cls: str = "thread_row", href: str = "") -> str:
    link = href or f"/p/{7000 + n}"
    title = f'<div class="title"><a href="{link}">Question number {n} about the new season and its servers</a></div>'
    return f'<li class="{cls} clearfix"><div><div>{title}<span class="author">player{n}</span></div></div></li>'


def test_ads_slotted_into_a_sites_list_of_threads_are_left_out() -> None:
    """Every few threads the list holds an ad, marked up like a thread but for the thread's class, linking to an
    ad server's host: the proposal keeps the threads."""
    rows = []
    for n in range(20):
        rows.append(_thread(n))
        if n % 6 == 2:
            rows.append(_thread(100 + n, f"a{n}f9e1c", f"https://ads.example.net/click.php?u=K0000{n}"))
    html = f'<html><body><ul id="threads">{"".join(rows)}</ul></body></html>'
    found = _titles_and_links(html, "https://forum.example.org/f?kw=season")
    assert [link for _, link in found] == [f"https://forum.example.org/p/{7000 + n}" for n in range(20)]


def test_results_on_many_hosts_are_kept_whole_when_a_few_lack_the_common_class() -> None:
    """On a search page every result links to its own host: one lacking the others' class is no ad to drop."""
    rows = [_thread(n, "hit" if n % 7 else "hit_alt", f"https://site{n}.example.com/q{n}") for n in range(14)]
    html = f'<html><body><ul id="hits">{"".join(rows)}</ul></body></html>'
    found = _titles_and_links(html, "https://search.example.org/?q=season")
    assert [link for _, link in found] == [f"https://site{n}.example.com/q{n}" for n in range(14)]


def _board_row(n: int) -> str:
    return (f'<tr><td class="subject"><span><a href="/index.php?topic={900 + n}.0">Which rules apply to case number'
            f' {n} in this court</a></span></td><td class="starter">member{n}</td><td>{n * 3}</td></tr>')


def test_a_log_in_box_in_a_row_named_in_camel_case_as_the_header_is_chrome() -> None:
    """A forum's log-in box sits in its header's table row (``tr#upshrinkHeader``): the board is still a list."""
    login = ('<table><tr id="upshrinkHeader"><td><form action="/login"><input name="user">'
             '<input type="password" name="pw"></form></td></tr></table>')
    html = f'<html><body>{login}<table class="topics">{"".join(_board_row(n) for n in range(12))}</table></body></html>'
    found = _titles_and_links(html, "https://forum.example.org/index.php?board=7.0")
    assert [link for _, link in found] == [f"https://forum.example.org/index.php?topic={900 + n}.0" for n in range(12)]


PACKAGES = ("Alamofire", "Moya", "swift-nio", "Kingfisher", "SnapKit", "Realm", "Charts", "Lottie", "Nuke", "Quick")


def test_cards_titled_by_one_word_names_with_a_description_each_are_a_listing() -> None:
    """A search page of packages: each card is one link wrapping a heading with the package's name and a
    description. The names are one word, and still the titles."""
    cards = "".join(
        f'<li><a href="/{name.lower()}/{name}"><h4>{name}</h4><p>A library for {name} written with care, tested'
        f' and documented.</p><small>{n * 90} stars</small></a></li>'
        for n, name in enumerate(PACKAGES)
    )
    html = f'<html><body><ul id="package-list">{cards}</ul></body></html>'
    found = _titles_and_links(html, "https://packages.example.org/search?query=ui")
    assert found == [(name, f"https://packages.example.org/{name.lower()}/{name}") for name in PACKAGES]


def test_job_ads_titled_by_one_or_two_words_with_a_summary_each_are_a_listing() -> None:
    """Job titles of one or two words, in headings, each ad with a summary: a list of ads, not a menu."""
    jobs = ("Ohjelmoija", "IT asiantuntija", "Pääsuunnittelija", "Front-end developer", "Java developer",
            "Senior tester", "Back-end developers")
    ads = "".join(
        f'<article class="job"><header><h1><a href="/jobs/{n}">{title}</a></h1></header><p>A company in the city'
        f' centre looks for a {title.lower()} to join its team this spring.</p></article>'
        for n, title in enumerate(jobs)
    )
    html = f'<html><body><div id="jobs">{ads}</div></body></html>'
    found = _titles_and_links(html, "https://jobs.example.org/search?q=it")
    assert found == [(title, f"https://jobs.example.org/jobs/{n}") for n, title in enumerate(jobs)]


def _teaser(n: int) -> str:
    return (f'<div class="item"><div class="box"><h2>Training for the under-nines starts on day {n}</h2>'
            f'<p>All players meet at the club house.</p><div class="footer"><small>{n:02d}.05.2017 | Coach</small>'
            f'<a href="/news/show.do?id={500 + n}" class="btn">Read more</a></div></div></div>')


def test_dated_teasers_with_a_plain_heading_are_read_by_their_read_more_link() -> None:
    """Each news teaser has an unlinked heading, a date and one "Read more" button: the heading is the title,
    the button the link. A hidden log-in section (``class="hide"``) and a collapsed accordion of team links in
    the side column are not the page's list."""
    login = '<section class="hide" id="login"><form><input type="password" name="pw"></form></section>'
    teams = "".join(f'<div><a href="/team/main.do?teamId={n}">Club teams for the boys born {2000 + n}</a></div>'
                    for n in range(30))
    side = f'<div class="col-side"><div class="panel-collapse collapse"><div>{teams}</div></div></div>'
    main = f'<div class="col-main">{"".join(_teaser(n) for n in range(1, 9))}</div>'
    html = f"<html><body>{login}{main}{side}</body></html>"
    found = _titles_and_links(html, "https://club.example.org/team/main.do?teamId=1")
    assert found == [(f"Training for the under-nines starts on day {n}",
                      f"https://club.example.org/news/show.do?id={500 + n}") for n in range(1, 9)]


def test_a_log_in_box_beside_a_list_of_headed_articles_does_not_make_a_log_in_page() -> None:
    """A news home carries its log-in form in a box of the page's body (``div#login-box``), beside 12 headed
    stories: the page is the list, the form a box."""
    login = '<div id="login-box"><form><input name="user"><input type="password" name="pw"></form></div>'
    stories = "".join(_post(*p) for p in POSTS + [(f"Later story {n} about the regional elections", f"/s/{n}/")
                                                   for n in range(4)])
    html = f'<html><body><div id="site">{login}<div id="news">{stories}</div></div></body></html>'
    assert len(_titles_and_links(html)) == 12


def test_a_log_in_page_with_a_few_headed_links_is_still_refused() -> None:
    login = '<div id="login"><h1>Sign in</h1><form><input name="user"><input type="password" name="pw"></form></div>'
    html = f'<html><body>{login}<div class="more">{"".join(_post(*p) for p in POSTS[:4])}</div></body></html>'
    assert propose_selectors(html, BASE) == []


def test_a_block_of_links_named_as_the_pages_foot_is_chrome() -> None:
    """``section.foot-links`` (a directory of the site's city pages) is the page's foot, not its list."""
    cities = "".join(f'<li><a href="/c/{n}">Japanese restaurants in district number {n}</a></li>' for n in range(40))
    html = (f'<html><body><div class="shops">{"".join(_post(*p) for p in POSTS)}</div>'
            f'<section class="foot-links"><ul>{cities}</ul></section></body></html>')
    assert _titles_and_links(html) == [(t, urljoin(BASE, h)) for t, h in POSTS]


def _product_row(n: int, reviews: str) -> str:
    name = f'<div class="name"><a href="/p/dryer-{n}.html">Heat pump dryer model {n} with eight kilos</a></div>'
    rating = f'<div class="rating"><a href="/?sr={n},-1">{reviews}</a></div>'
    return f'<div class="row"><div class="product">{name}{rating}<span>{n}99 EUR</span></div></div>'


def test_a_products_reviews_link_is_no_headline() -> None:
    """"5.0 8 Bewertungen" (a score, a count, a word) and "(zu wenige)" (a whole text in brackets) link to a
    product's reviews: the names are the list, not the names and the reviews."""
    rows = "".join(_product_row(n, f"4.{n} {n + 2} Bewertungen" if n % 3 else "(zu wenige)") for n in range(12))
    found = _titles_and_links(f'<html><body><div class="list">{rows}</div></body></html>', "https://shop.example.org/")
    assert found == [(f"Heat pump dryer model {n} with eight kilos", f"https://shop.example.org/p/dryer-{n}.html")
                     for n in range(12)]


def test_a_paragraph_holding_a_forms_menu_of_options_is_no_article_body() -> None:
    """A tracker's search page has its search form in paragraphs, one with a menu of every board: that is no
    prose, and the results below are the list."""
    boards = "".join(f"<option>Board number {n} of music, films, books and the rest of it</option>" for n in range(80))
    form = f"<form><p>Forum: <select name='f'>{boards}</select></p><p>Search: <input name='nm'></p></form>"
    rows = "".join(f'<tr><td class="title"><a href="/viewtopic.php?t={n}">Metallica - The Black Album'
                   f' (remaster number {n}) FLAC</a></td><td>{n} GB</td></tr>' for n in range(20))
    html = f'<html><body>{form}<table id="results">{rows}</table></body></html>'
    found = _titles_and_links(html, "https://tracker.example.org/tracker.php?nm=metallica")
    assert [link for _, link in found] == [f"https://tracker.example.org/viewtopic.php?t={n}" for n in range(20)]



def test_a_records_field_labels_linking_to_their_help_are_no_headlines() -> None:
    """A carrier's record: a table of fields whose labels ("Legal Name:", "Operating Status:") link to a help
    page. That is one record, not a list."""
    fields = ("Type of the registered entity", "Operating status of the carrier", "Legal name of the company",
              "Doing business as name", "Physical address of the office", "Mailing address of the office",
              "Power units in service today", "Drivers in service this year")
    rows = "".join(f'<tr><th><a href="/help.aspx#{n}">{label}:</a></th><td>Value of field number {n}</td></tr>'
                   for n, label in enumerate(fields))
    html = f"<html><body><h1>Company Snapshot</h1><table>{rows}</table></body></html>"
    assert propose_selectors(html, "https://registry.example.gov/query.asp?query_string=264184") == []


def _section(n: int) -> str:
    prose = " ".join(f"Line {m} of the description of this motorbike, its engine, tyres and papers." for m in range(40))
    return (f'<div class="block"><h2>Part {n} of the ad</h2><p>{prose}</p><table><tr><td>'
            f'<a href="/latest/{n}">See all the latest ads for motorbikes of part {n}</a></td></tr></table></div>')


def test_whole_sections_of_an_ad_each_ending_in_a_see_all_link_are_no_listing() -> None:
    """An ad's page (its URL names the ad by its id) is three long sections, each ending in a "See all" link:
    three items holding most of the page's text are still not a list of entries."""
    html = f'<html><body><div class="page">{"".join(_section(n) for n in range(3))}</div></body></html>'
    assert propose_selectors(html, "https://moto.example.org/suzuki/DR-Z_400_375743.html") == []


def test_a_list_table_named_by_an_acronym_class_keeps_a_vendors_credit_out() -> None:
    """A job board's results sit in a table classed by its vendor's acronym (``ATS_JobsTable``) inside layout
    tables; the vendor's "powered by" logo, in another layout row, links off-site. The class is a hand-written
    name, so the list is scoped by it and the credit is no job."""
    jobs = [(f"Territory sales manager for region {n}", f"/jobs/{4200 + n}/job") for n in range(10)]
    rows = "".join(f'<tr><td>{4200 + n}</td><td class="ATS_Field"><a class="ATS_Anchor" href="{href}">{title}</a>'
                   f"</td><td>City {n}</td></tr>" for n, (title, href) in enumerate(jobs))
    credit = ('<tr><td class="ATS_Logo"><a href="https://vendor.example.com/"><img alt="Applicant tracking'
              ' software by the vendor" src="/logo.gif"></a></td></tr>')
    html = (f'<html><body><table><tr><td><table><tr><td><table class="ATS_JobsTable">{rows}</table></td></tr>'
            f"</table></td></tr>{credit}</table></body></html>")
    base = "https://jobs.example.org/jobs/search?ss=1"
    assert _titles_and_links(html, base) == [(t, urljoin(base, h)) for t, h in jobs]


def test_search_results_of_several_kinds_are_one_list() -> None:
    """A music shop's search lists tracks, albums and artists in one list, each entry classed as a result and by
    its kind; the tracks outnumber the rest, whose short names cost the whole list a little purity. The list is
    every result, not only the tracks."""
    def entry(kind: str, title: str, href: str) -> str:
        return (f'<li class="searchresult {kind}"><div class="result-info"><div class="itemtype">{kind}</div>'
                f'<div class="heading"><a href="{href}">{title}</a></div><div class="subhead">by Some Artist'
                "</div></div></li>")
    results = [("album", "Blonde", "/album/blonde"), ("band", "The Pirates", "/band/pirates")]
    results += [("track", f"Song number {n} (a remix by a friend)", f"/track/song-{n}") for n in range(13)]
    html = f'<html><body><ul class="result-items">{"".join(entry(*r) for r in results)}</ul></body></html>'
    base = "https://music.example.org/search?q=pirate"
    assert _titles_and_links(html, base) == [(t, urljoin(base, h)) for _, t, h in results]


def _reference_results(wrapped: bool) -> str:
    names = ["Array.prototype.map()", "TypedArray.prototype.map()", "Array.from()", "Object.entries()",
             "Array", "Map", "<map>", "String.prototype.split()", "Promise.all()", "JSON.stringify()"]
    entries = "".join(
        f'<li><div class="row"><div class="icon"><i></i></div><div class="body"><h4><a href="/docs/{n}">{name}</a>'
        f'</h4><p>What {name} does, in a sentence of the reference.</p><p class="meta"><a href="/docs/{n}">'
        f"docs.example.org/docs/{n}</a></p></div></div></li>" for n, name in enumerate(names))
    results = f'<h2>10 documents found</h2><ul class="result-list">{entries}</ul>'
    body = f'<div class="row"><div class="main">{results}</div></div>' if wrapped else results
    return f"<html><body>{body}</body></html>"


def test_a_references_search_titled_by_api_names_is_a_listing() -> None:
    """A reference's search results are headed by API names of several parts joined without spaces
    ("Array.prototype.map()"), each with a summary: a list of entries, though no title has two words."""
    found = _titles_and_links(_reference_results(wrapped=False), "https://docs.example.org/search?q=map")
    assert [title for title, _ in found][:3] == ["Array.prototype.map()", "TypedArray.prototype.map()", "Array.from()"]
    assert len(found) == 10


def test_a_block_around_the_results_titled_by_them_all_is_no_result() -> None:
    """The results sit in a block of the same class as each entry's; that block is titled by every entry at once
    (short names, under the length of one long headline), so it is a wrapper, not one more result."""
    found = _titles_and_links(_reference_results(wrapped=True), "https://docs.example.org/search?q=map")
    assert [link for _, link in found] == [f"https://docs.example.org/docs/{n}" for n in range(10)]


def test_a_button_repeated_in_every_card_told_apart_only_by_a_number_is_no_headline() -> None:
    """A price tracker's deals: each card's image link holds the product's short name, and its menu of actions
    one "View on the maker's shop" link to "/link/<id>". The same words to the same path but for its number are
    a button, not the list's headlines."""
    names = ["11-11 Memories Retold", "200,000 VC", "Ashes Cricket 2019 Edition", "Forza Horizon 4 Ultimate",
             "Rocket League Game of the Year", "Minecraft Dungeons Hero Edition", "Assassin's Creed Origins Gold",
             "The Crew 2 Deluxe", "Sea of Thieves Anniversary", "Halo Wars 2 Complete"]
    cards = "".join(
        f'<div class="product" data-id="{n}"><a class="thumbnail" href="/deals/game-{n}/{name.lower()[:4]}/">'
        f'<img src="/box/{n}.png" alt="{name}"><div class="caption"><h5>{name}</h5></div></a>'
        f'<div class="offer">GBP {n}.99 Save 30%</div><div class="btn-group actions"><button>More</button>'
        f'<ul class="dropdown"><li><a href="/link/{13399 + n}">View on the maker\'s shop</a></li></ul></div></div>'
        for n, name in enumerate(names))
    menu = "".join(f'<li><a href="/en/{p}/">{p.title()} deals this week</a></li>' for p in ("xbox", "ps4", "pc"))
    sort = "".join(f'<li><a href="?sort={k}">Sort by {k} (A to Z)</a></li>' for k in ("title", "price", "date"))
    pages = "".join(f'<li><a href="/en/deals/page-{n}">{n}</a></li>' for n in range(2, 8))
    html = (f'<html><body><ul class="menu">{menu}</ul><div id="products"><ul class="dropdown">{sort}</ul>{cards}'
            f'<ul class="pagination">{pages}</ul></div></body></html>')
    found = _titles_and_links(html, "https://deals.example.org/en/deals/")
    assert [title for title, _ in found] == names


def _paged_channel(next_text: str) -> str:
    news = "".join(
        f'<dl class="story"><dt><img src="/i/{n}.jpg"></dt><dd><p class="title"><a href="/article/{4860 + n}">'
        f'Clinical news number {n} on infections this spring</a></p><p class="summary">What doctors should know'
        f" about case {n}.</p></dd></dl>" for n in range(10))
    pager = (f'<div class="pages"><a class="cur">1</a> <a href="/tag/news/p-2">2</a> <a href="/tag/news/p-3">3</a>'
             f' <a href="/tag/news/p-2">{next_text}</a></div>')
    boxes = "".join(
        f'<div class="box"><div class="box-title"><a href="/tag/topic-{b}">Topic {b}</a></div>'
        + "".join(f'<dl class="side"><dd><p class="title"><a href="/article/{4700 + 10 * b + n}">Guideline {n} of'
                  f" topic {b} for doctors in practice</a></p></dd></dl>" for n in range(10))
        + "</div>" for b in range(3))
    return (f'<html><body><div class="wrap"><div class="main">{news}{pager}</div><div class="rail">{boxes}</div>'
            f"</div></body></html>")


def test_the_list_a_pager_sits_beside_is_the_pages_list() -> None:
    """A channel's news, with summaries, sit above the pager ("下一页", next page); beside them a rail of three
    modules holds thirty guideline links. The rail has more items, but the page is page 1 of the list its pager
    pages: the news are the list, and the pager's next link is found in Chinese too."""
    html = _paged_channel("下一页")
    top = propose_selectors(html, "https://med.example.cn/tag/news")[0]
    found = _titles_and_links(html, "https://med.example.cn/tag/news")
    assert [link for _, link in found] == [f"https://med.example.cn/article/{4860 + n}" for n in range(10)]
    assert Selector(text=html).css(top.next).get() == "/tag/news/p-2"


def test_an_xhtml_page_opening_with_an_xml_declaration_is_read_as_html() -> None:
    """An XHTML page opening with ``<?xml version="1.0"?>`` is still HTML to read: parsel left to guess takes
    it for XML, its elements then namespaced and no link found."""
    posts = "".join(_post(t, h) for t, h in POSTS)
    html = ('<?xml version="1.0" encoding="utf-8" ?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f'<body><div class="posts">{posts}</div></body></html>')
    top = propose_selectors(html, BASE)[0]
    items = Selector(text=html, type="html").css(top.item)
    assert [urljoin(BASE, item.css(top.link).get()) for item in items] == [urljoin(BASE, h) for _, h in POSTS]


def test_a_table_of_records_titled_by_short_names_is_a_listing() -> None:
    """A card database's search: one table row per card, its name (a word or two) linked, its type and set in
    the next cells. Records of a table, not a menu, though the names are short."""
    cards = ["Agyrem", "Akoum", "Aretopolis", "Astral Arena", "Bant", "Cliffside Market", "Edge of Malacol",
             "Eloren Wilds", "Feeding Grounds", "Fields of Summer", "Glimmervoid Basin", "Goldmeadow",
             "Grand Ossuary", "Grixis", "Hedron Fields of Agadeem", "Horizon Boughs", "Immersturm", "Isle of Vesuva",
             "Izzet Steam Maze", "Krosa", "Lair of the Ashen Idol", "Lethe Lake", "Llanowar", "Minamo"]
    rows = "".join(f'<tr class="card"><td class="name"><a href="../Card/Details.aspx?id={19800 + n}">{name}</a>'
                   f'</td><td class="mana"></td><td class="type">Plane of world {n}</td><td><img src="/s/{n}.gif">'
                   "</td></tr>" for n, name in enumerate(cards))
    base = "https://cards.example.org/Pages/Search/Default.aspx?page=0"
    html = f'<html><body><table class="compact">{rows}</table></body></html>'
    assert [title for title, _ in _titles_and_links(html, base)] == cards


def _shop_page(og_type: str) -> str:
    slides = "".join(
        f'<div class="slide"><a href="/p/benches/tops/top-{n}"><img src="/i/{n}.jpg"><p>{48 + n}"W x 30"D Maple'
        f" Butcher Block Square Edge Workbench Top</p></a><span>$ {200 + n}.95</span></div>" for n in range(12))
    specs = "".join(f"<tr><th>Spec {n}</th><td>Value {n}</td></tr>" for n in range(8))
    specs += "".join(f"<tr><td colspan=2>{'Solid maple, sanded smooth and sealed with a food-safe oil. ' * 12}</td>"
                     "</tr>" for _ in range(4))
    return (f'<html><head><meta property="og:type" content="{og_type}"></head><body><h1>60"W x 24"D Maple Bench'
            f'Top</h1><p>$ 249.95</p><button>Add to cart</button><table>{specs}</table><div id="viewed">'
            f"<h2>Recently viewed</h2>{slides}</div></body></html>")


def test_a_page_declaring_itself_one_product_is_no_listing_for_its_carousel() -> None:
    """A shop's product page (``og:type=product``) with a carousel of twelve recently viewed products: the page
    is one product, the carousel beside it no list to watch."""
    assert propose_selectors(_shop_page("product"), "https://shop.example.org/p/benches/tops/top-60x24") == []


def test_the_same_grid_on_a_product_range_page_is_its_list() -> None:
    """The control: the same grid on a page declaring a range of products (``og:type=product.group``) is a list."""
    found = _titles_and_links(_shop_page("product.group"), "https://shop.example.org/c/benches/tops")
    assert [link for _, link in found] == [f"https://shop.example.org/p/benches/tops/top-{n}" for n in range(12)]


def test_a_log_in_box_beside_a_search_page_of_eight_headed_ads_does_not_make_a_log_in_page() -> None:
    """A classifieds search shows eight ads, each titled in a heading, beside its sellers' log-in form: six
    headed headlines are already a list, where a log-in page has none or one."""
    login = '<div id="account_login"><form><input name="user"><input type="password" name="pw"></form></div>'
    ads = "".join(f'<a href="/cars/{83970000 + n}.htm"><div class="detail"><h2 class="title">Renault Laguna 3 estate'
                  f" number {n} for sale</h2><div class=\"price\">{5000 + n} EUR</div></div></a>" for n in range(8))
    html = f'<html><body><div id="main">{login}<div class="list">{ads}</div></div></body></html>'
    found = _titles_and_links(html, "https://ads.example.fr/cars/offers/?q=laguna")
    assert [link for _, link in found] == [f"https://ads.example.fr/cars/{83970000 + n}.htm" for n in range(8)]


def _ranking_page() -> str:
    ranks = "".join(f'<li id="rank{n}"><a href="/products/{1267 + n}"><p class="card-title">Ramen shop number {n}'
                    f' and its noodle bowl</p><p class="card-tx">Why it ranks {n}.</p></a></li>' for n in range(10))
    shops = "".join(f'<li><a href="/shops/{n}">A shop of the city number {n} of Japan</a></li>' for n in range(30))
    return (f'<html><body><main><ul class="card-list ranking-list">{ranks}</ul></main>'
            f'<div class="shop-links"><ul>{shops}</ul></div></body></html>')


def test_a_region_named_by_the_pages_own_subject_is_its_content() -> None:
    """"ranking" names a side box on most pages; on "/rankings" the ranking list is the page itself."""
    found = _titles_and_links(_ranking_page(), "https://ramen.example.jp/rankings")
    assert [link for _, link in found] == [f"https://ramen.example.jp/products/{1267 + n}" for n in range(10)]
