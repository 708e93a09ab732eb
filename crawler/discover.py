"""Page analysis behind ``newswatch add URL``.

Three pure functions (strings in, values out, no network): the feeds a page
advertises, the usual feed locations worth probing when it advertises none,
and CSS selectors for the article list of a listing page.

``propose_selectors`` knows no site. It looks for headline links (long anchor
text, in or around a heading, not buried in prose), climbs from each to the
largest ancestor holding no other headline, groups those ancestors by a
tag/class "shape", and scores each shape by what its selectors really extract:
how many items, how many with a distinct link and a headline-sized title, how
many outside navigation, header and footer chrome.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice, product
from urllib.parse import SplitResult, parse_qsl, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml.etree import _Element as Element
from parsel import Selector, css2xpath

from newswatch.links import resolve_link

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
    }
)
_ROOT_FEEDS = ("/feed/", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NEAR_HEADING = etree.XPath(
    "boolean(ancestor-or-self::*[self::h1 or self::h2 or self::h3 or self::h4]"
    " or descendant::*[self::h1 or self::h2 or self::h3 or self::h4])"
)
_INLINE = frozenset({"span", "em", "strong", "b", "i", "small", "font", "mark", "u"})
_CHROME_TAGS = frozenset({"nav", "footer", "aside"})
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "footer",
        "foot",  # "foot-links", "page-foot"
        "header",
        "masthead",
        "sidebar",
        "breadcrumb",
        "breadcrumbs",
        "topbar",
        "bottombar",
        "toolbar",
        "social",
        "share",
        "sharing",
        "widget",
        "tabs",  # a tabbed widget: parallel panes ("Latest", "Most read") beside the main list
        "recommend",  # recommendation and ranking modules: other sections' stories beside the page's own list
        "recommended",
        "related",
        "ranking",
        "trending",
        "popular",
    }
)
# Ordered: earlier words name a summary more surely than later ones.
_SUMMARY_WORDS = (
    "summary",
    "dek",
    "excerpt",
    "intro",
    "description",
    "lede",
    "standfirst",
    "abstract",
    "teaser",
)
_DATE_WORDS = frozenset({"date", "time", "dateline", "timestamp", "pubdate", "published"})
_NEXT_TEXT = re.compile(
    r"^(?:(?:next|older)(?:\s+(?:page|posts|entries|articles|stories|news))?\s*[»→›>]*"
    r"|(?:weiter|nächste(?:\s+seite)?|suivant[e]?|page\s+suivante|pagina\s+successiva|siguiente|próxima"
    r"|volgende|nästa|następna|следующая|далее|下一页|下一頁|下页|次へ|次のページ|다음)\s*[»→›>]*"
    r"|[»→›]+)$",
    re.IGNORECASE,
)
# Pager links are no articles: "More", "Older posts →", "Pagina successiva »", "Weiter", "下一页", "1", "»".
_PAGER_TEXT = re.compile(
    r"^(?:(?:load|show|view|see)\s+)?(?:more|next|older|newer|previous|prev|earlier|later)"
    r"(?:\s+(?:page|posts|entries|articles|stories|news|results))?\s*[»→›>«←‹<]*$"
    r"|^[«←‹<]*\s*(?:previous|prev|newer)(?:\s+\w+)?$"
    r"|^(?:weiter|mehr|nächste(?:\s+seite)?|ältere\s+beiträge|suivant[e]?|plus|page\s+suivante"
    r"|pagina\s+successiva|successiv[ae]|altri|siguiente|más|mais|próxima|volgende|nästa|następna"
    r"|следующая|далее|下一页|下一頁|下页|上一页|次へ|次のページ|前へ|다음|이전)\s*[»→›>]*$"
    r"|^[\d\s»→›>«←‹<.…|-]+$",
    re.IGNORECASE,
)
_ACTION_HREF = re.compile(r"[?&][^=&#]+=(?:https?(?::|%3a)|/|%2f)", re.IGNORECASE)
# Taxonomy links are no articles: "/category/security/", "/tag/rust", "/author/jane/page/2",
# Blogger's "/search/label/News", Drupal's "/taxonomy/term/12"; and "Security (9)": a count of posts.
_TAXONOMY_HREF = re.compile(
    r"/(?:categor(?:y|ies)|tags?|authors?|labels?|taxonomy/term)/[^/?#]+/?(?:page/\d+/?)?(?:[?#].*)?$",
    re.IGNORECASE,
)
_POST_COUNT = re.compile(r"\(\s*\d+\s*\)$")
_TITLE_WORDS = frozenset({"title", "headline", "heading", "hed", "head"})
_MAX_HEADLINE = 200  # characters: longer "titles" are whole cards or summaries
_NEXT_CLASS = re.compile(r"(?:^|[-_])(?:next|older)")
_PAGER_WORD = re.compile(r"^(?:pagination|paginator|pager|paging|pagenav\w*)$")
_DATE_NOISE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)"
    r"[a-z]*\b|\b(?:am|pm|[a-z]{1,2}t|utc|gmt|ago|at|on|min|mins|minutes?|hours?|hrs?"
    r"|days?|weeks?|yesterday|today|updated|published|posted)\b"
)
_BAD_HREF = re.compile(r"^(?:#|javascript:|mailto:|tel:|data:)", re.IGNORECASE)
# Hand-written class names: words, at most a small number at a word's
# end ("column2", "col-md-4"); not "css-1x2y3z", "sc-bdVaJa", "jsx-2312312".
# Camel-case words count where each capital starts a word of three letters or more ("productTitle",
# "sujetCase3", "ListItem"), which a generated name ("bdVaJa", "kFqTMn") rarely has; so does an acronym
# standing as a word of its own ("iCIMS_JobsTable", "SRP-results").
_STABLE_WORD = r"(?:(?:[a-z]+|[A-Z][a-z]{2,})(?:[A-Z][a-z]{2,})*|[a-z]?[A-Z]{2,5})\d{0,2}"
_STABLE_CLASS = re.compile(rf"^{_STABLE_WORD}(?:[-_]+(?:{_STABLE_WORD}|\d{{1,2}}))*$")
_CSS_TAG = re.compile(r"^[a-z][a-z0-9-]*$")
_TEXTS = etree.XPath("descendant-or-self::text()")
_CLASSED = etree.XPath("descendant::*[@class]")
_DIGIT = re.compile(r"\d")

_MIN_HEADLINE = 10  # characters: shorter anchor texts are "More", dates, menus
_MIN_ITEMS = 3
_MAX_KEYS = 25  # shapes scored in full
_SAMPLE = 60  # items used to choose relative selectors
_MAX_PROPOSALS = 5


@dataclass(frozen=True)
class SelectorProposal:
    """CSS selectors (Scrapy/parsel syntax) for one listing page's articles.

    ``item`` selects one element per article; ``title``, ``link``, ``summary``
    and ``date`` apply to each item element; ``next`` applies to the whole
    page and yields the pagination "next" href. ``score`` only ranks
    proposals of the same page: higher is better.
    """

    item: str
    title: str
    link: str
    summary: str | None = None
    date: str | None = None
    next: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class _Page:
    """A parsed page with its headline links and where they sit."""

    root: Element
    headlines: dict[Element, str]  # anchor -> text
    below: dict[Element, set[str]]  # element -> hrefs of the headlines inside
    base_url: str
    headed: dict[Element, set[str]] = field(default_factory=dict)  # the same, of headlines in headings
    main: Element | None = None  # the page's one <main> (or role=main) holding headlines
    short: frozenset[str] = frozenset()  # headline texts shorter than _MIN_HEADLINE (whole linked headings)


@dataclass(frozen=True)
class _Headline:
    title: Element
    link: Element


@dataclass(frozen=True)
class _Found:
    item: str
    title: str  # element selectors, relative to the item
    link: str
    items: list[Element]


# --- feeds -------------------------------------------------------------------


def feed_links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds ``html`` advertises, in page order, once each.

    Only ``<link rel="alternate">`` with an RSS, Atom, RDF or JSON Feed type
    count; hrefs are resolved against ``<base href>`` when present, else
    ``base_url``; one that is no readable http(s) URL ("http://[site:feed]/rss") is left out.
    """
    page = _parse(html)
    base = _document_base(page, base_url)
    links = (link.attrib["href"] for link in page.xpath("//link[@href]") if _is_feed_link(link.attrib))
    return _unique(url for href in links if (url := resolve_link(href, base)) is not None)


def candidate_feed_urls(page_url: str) -> list[str]:
    """Common feed locations to probe for ``page_url``, most specific first.

    ``<dir>/feed/`` for the page's own path (a tag or category page usually
    has its own feed), then the site-wide ``/feed/``, ``/rss``, ``/rss.xml``,
    ``/feed.xml``, ``/atom.xml``, ``/index.xml`` and finally ``?feed=rss2``
    on the page. Absolute, de-duplicated, never ``page_url`` itself.
    """
    parts = _split(page_url)
    page = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    head, _, last = parts.path.rpartition("/")
    directory = head if "." in last else parts.path.rstrip("/")
    paths = [f"{directory}/feed/", *_ROOT_FEEDS, "?feed=rss2"]
    urls = [_join(page, path) for path in paths]
    return [url for url in _unique(urls) if url not in (page_url, page)]


def choose_feeds(feeds: list[str], page_url: str, html: str = "") -> list[str]:
    """``feeds`` best first for ``page_url``: the page's own (category) feed before the site's.

    A feed whose path shares more leading segments with the page's path comes
    first ("/politik/deutschland/index.rss" for a page under
    "/politik/deutschland/"); among equals, the one with fewer segments the
    page does not share (the site-wide feed before another section's); feeds
    of comments (by URL or ``<link title>``) come last. Stable otherwise.
    """
    titles = _feed_titles(html, page_url) if html else {}

    def rank(indexed: tuple[int, str]) -> tuple[bool, int, int, int]:
        position, url = indexed
        own = _segments(_split(url).path, is_page=False)
        shared = _shared_with_page(own, page_url)
        comments = bool(_COMMENTS.search(f"{url} {titles.get(url, '')}"))
        return comments, -shared, len(own) - shared, position

    return [url for _, url in sorted(enumerate(feeds), key=rank)]


def feed_choice(feeds: list[str], page_url: str, html: str = "") -> str:
    """Why ``choose_feeds`` put its first feed first, in words ("" for a lone or first feed)."""
    ordered = choose_feeds(feeds, page_url, html)
    if len(feeds) < 2 or ordered[0] == feeds[0]:
        return ""
    own = _segments(_split(ordered[0]).path, is_page=False)
    shared = _shared_with_page(own, page_url)
    if shared:
        return f"of {len(feeds)} advertised, the one under the page's path /{'/'.join(own[:shared])}/"
    return f"of {len(feeds)} advertised, the site's feed rather than a comments or other section's feed"


_COMMENTS = re.compile(r"comment|kommentar|coment", re.IGNORECASE)
_FEED_FILE = re.compile(r"^(?:index|feed|feeds|rss|atom|rdf|posts|default|all)(?:\.\w+)?$|\.(?:xml|rss|atom|rdf)$")


def _segments(path: str, is_page: bool) -> list[str]:
    """Path segments that name a section: a feed's file name and a page's own slug dropped."""
    parts = [p for p in path.split("/") if p]
    if is_page:
        return parts[:-1] if parts and not path.endswith("/") else parts
    while parts and _FEED_FILE.match(parts[-1].lower()):
        parts.pop()
    return parts


def _shared_with_page(own: list[str], page_url: str) -> int:
    """Leading segments a feed's section path shares with the page's: the page's own slug left out ("/politik/
    a-story"), unless the feed's path is the page's whole path ("/links/rss" of the page "/links")."""
    path = _split(page_url).path
    whole = [p for p in path.split("/") if p]
    if own and len(own) == len(whole) and _shared_prefix(own, whole) == len(own):
        return len(own)
    return _shared_prefix(own, _segments(path, is_page=True))


def _shared_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x.lower() != y.lower():
            break
        count += 1
    return count


def _feed_titles(html: str, base_url: str) -> dict[str, str]:
    page = _parse(html)
    base = _document_base(page, base_url)
    links = (link.attrib for link in page.xpath("//link[@href]") if _is_feed_link(link.attrib))
    return {url: attrib.get("title", "") for attrib in links if (url := resolve_link(attrib["href"], base))}


def _is_feed_link(attrib: dict[str, str]) -> bool:
    rels = attrib.get("rel", "").lower().split()
    kind = attrib.get("type", "").split(";")[0].strip().lower()
    return "alternate" in rels and kind in _FEED_TYPES and bool(attrib["href"].strip())


def _document_base(page: Selector, base_url: str) -> str:
    href = (page.xpath("//base/@href").get() or "").strip()
    return _join(base_url, href) if href else base_url


def _join(base: str, href: str) -> str:
    """``href`` made absolute; itself when no URL parser reads it ("http://[site:url-brief]/x", a template's)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _split(url: str) -> SplitResult:
    """``url``'s parts; none (an empty URL's) when no URL parser reads it."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _parse(html: str) -> Selector:
    """The page as HTML, always: parsel reads a text opening with an XML declaration (an XHTML page's
    ``<?xml version="1.0"?>``) as XML, its elements then in the XHTML namespace and no ``a`` found."""
    return Selector(text=html if html.strip() else "<html></html>", type="html")


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- selectors: public entry ---------------------------------------------------


def not_a_listing(html: str, url: str = "") -> str | None:
    """Why the page is no listing, in words, or None.

    A login form (a password field outside header, navigation and
    sidebars, and not in a hidden or dialog box any page can open); a page
    whose main content is one article: one block outside the page's footer
    holding at least 1,200 characters of paragraphs and
    at least 40 % of all the page's paragraph text (a listing spreads its
    summaries over many items; ``og:type=article`` and an ``<article>``
    around that block are named in the reason); or an error page (its title
    or first heading says 404 / not found). On a taxonomy page's URL ("/topics/large-hadron-collider",
    "/tag/harbour"), a long block of prose is the topic's introduction, not an article: no refusal for it.
    """
    return _refusal(_parse(html).root, url)


def _refusal(root: Element, url: str = "") -> str | None:
    if _login_form(root):
        return "the page is a login form (it has a password field outside header, navigation, sidebars and dialogs)"
    if not _taxonomy_url(url) and (article := _one_article(root)) is not None:
        return article
    if (heading := _error_heading(root)) is not None:
        return f"the page is an error page ({heading!r})"
    return None


_MANY_HEADED = 6  # headline links in headings outside the page chrome: a list of articles, not a log-in page


def _login_form(root: Element) -> bool:
    """A password field outside header, navigation, sidebars and dialogs, on a page without a list of headed
    articles (a news home's log-in box beside its 25 headlines is a box, not the page)."""
    if not any(not _in_page_chrome(field) and not _in_closed_dialog(field) for field in _PASSWORD(root)):
        return False
    headed = (a for a in _headlines(root) if _NEAR_HEADING(a) and not _in_page_chrome(a))
    return sum(1 for _ in islice(headed, _MANY_HEADED)) < _MANY_HEADED


def _taxonomy_url(url: str) -> bool:
    """The URL names a topic, tag, category or author page ("/topics/x", "/tag/x/page/2"): a list by its name."""
    segments = [s for s in _split(url).path.lower().split("/") if s]
    if len(segments) > 2 and segments[-2] == "page" and segments[-1].isdigit():
        segments = segments[:-2]
    return len(segments) > 1 and segments[-2] in _TAXONOMY_SEGMENTS - {"page", "term"}


_PASSWORD = etree.XPath("//input[translate(@type, 'PASWORD', 'pasword') = 'password']")


def _in_page_chrome(el: Element) -> bool:
    """In a header, nav, aside or footer, or a region named like one (a log-in box in the masthead)."""
    return any(a.tag in _CHROME_TAGS or a.tag == "header" or _words(a) & _CHROME_WORDS for a in el.iterancestors())


_DIALOG_WORDS = frozenset({"modal", "popup", "overlay", "lightbox", "dialog"})
_OPEN_CLASSES = frozenset({"in", "show", "open", "active"})  # a collapsible region shown
_HIDDEN_CLASSES = frozenset({"hide", "hidden", "d-none", "invisible", "is-hidden"})  # CSS frameworks' display: none
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(el: Element) -> bool:
    """Hidden until asked: ``hidden``, ``aria-hidden``, ``display: none``, a class such as ``hide`` or
    ``d-none``, or a collapsed panel."""
    if el.get("hidden") is not None or el.get("aria-hidden", "").lower() == "true":
        return True
    hidden_class = not _HIDDEN_CLASSES.isdisjoint(el.get("class", "").lower().split())
    return _collapsed(el) or hidden_class or bool(_HIDDEN_STYLE.search(el.get("style", "")))


def _collapsed(el: Element) -> bool:
    """A collapsed panel of an accordion (``collapse`` without ``in`` or ``show``): a widget, never the page."""
    classes = set(el.get("class", "").lower().split())
    return "collapse" in classes and not classes & _OPEN_CLASSES


def _in_closed_dialog(el: Element) -> bool:
    """In a region the page hides until asked (``display: none``, ``hidden``, ``aria-hidden``, a class such as
    ``hide`` or ``d-none``) or in a dialog
    (``<dialog>``, ``role=dialog``, a class or id naming a modal, popup, overlay or lightbox): a log-in or sign-up
    box any page can open, not the page's content."""
    for a in el.iterancestors():
        if _hidden(a) or a.tag == "dialog":
            return True
        if a.get("role", "").lower() in ("dialog", "alertdialog") or _words(a) & _DIALOG_WORDS:
            return True
    return False


_ERROR_TEXT = re.compile(
    r"\b(?:404|410)\b|not found|nicht gefunden|introuvable|no encontrad|non trovat|niet gevonden|não encontrad",
    re.IGNORECASE,
)
_MIN_BODY = 1200  # characters of paragraphs in one block: an article's body
_BODY_SHARE = 0.4


def _error_heading(root: Element) -> str | None:
    candidates = root.xpath("(//title)[1] | (//h1)[1]")
    texts = [_text(el) for el in candidates]
    return next((t[:80] for t in texts if t and len(t) < 120 and _ERROR_TEXT.search(t)), None)


_CONTROLS = etree.XPath(".//*[self::select or self::textarea or self::button or self::script or self::style]")


def _prose(p: Element) -> int:
    """Characters of a paragraph's own prose (0 for short or link-dominated ones; a form's menus of options are
    none: "<p>Forum: <select>" lists every board of a tracker's search page)."""
    if _CONTROLS(p):
        return 0
    text = _text(p)
    linked = sum(len(_text(a)) for a in p.iter("a"))
    return len(text) if len(text) >= 40 and linked < 0.3 * len(text) else 0


def _one_article(root: Element) -> str | None:
    by_parent: Counter[Element] = Counter()
    for p in root.iter("p"):
        if (size := _prose(p)) and (parent := p.getparent()) is not None and not _in_footer(parent):
            by_parent[parent] += size
    total = sum(by_parent.values())
    if not total:
        return None
    body, size = by_parent.most_common(1)[0]
    if size < _MIN_BODY or size < _BODY_SHARE * total:
        return _declared_article(root, total)
    if _in_entry_list(body):
        return None  # one entry of a list shown in full (a search result's expanded answer), not the page's article
    marks = [m for m, on in (("og:type=article", _og_article(root)), ("inside <article>", _in_article(body))) if on]
    extra = f"; {', '.join(marks)}" if marks else ""
    return f"the page's main content is one article ({size} characters of body text in one block{extra})"


def _in_footer(el: Element) -> bool:
    """In the page's footer (``<footer>`` or a block whose class or id names one): its legal notes and imprint
    are no article's body."""
    blocks = (a for a in chain([el], el.iterancestors()) if a.tag not in ("body", "html"))
    return any(a.tag == "footer" or "footer" in _words(a) for a in blocks)


_MIN_ENTRIES = 5  # same-class siblings with a linked heading each: a list of entries


def _in_entry_list(el: Element) -> bool:
    """``el`` is inside one of at least five same-tag, same-class siblings, nearly all (80 %) holding a linked
    heading: a list of entries."""
    for ancestor in chain([el], el.iterancestors()):
        parent, cls = ancestor.getparent(), ancestor.get("class")
        if parent is None or not cls:
            continue
        fellows = [s for s in parent if s.tag == ancestor.tag and s.get("class") == cls]
        if len(fellows) >= _MIN_ENTRIES and sum(bool(_LINKED_HEADING(s)) for s in fellows) >= 0.8 * len(fellows):
            return True
    return False


_LINKED_HEADING = etree.XPath(".//*[self::h1 or self::h2 or self::h3 or self::h4][.//a[@href]]")
_JSONLD_ARTICLE = re.compile(r'"@type"\s*:\s*\[?\s*"(?:\w+)?(?:Article|BlogPosting|Report)"')
_SHORT_BODY = 500  # characters of paragraphs: a short article, when the page declares itself one
_ARTICLE_SHARE = 0.6


def _declared_article(root: Element, total: int) -> str | None:
    """A page that declares itself one article (``og:type=article`` or JSON-LD Article/BlogPosting)
    and holds most of its paragraph text in its only ``<article>``: a short article, split in sections."""
    articles = root.xpath("//article")
    if len(articles) != 1 or not (_og_article(root) or _jsonld_article(root)):
        return None
    size = sum(_prose(p) for p in articles[0].iter("p"))
    if size < _SHORT_BODY or size < _ARTICLE_SHARE * total:
        return None
    mark = "og:type=article" if _og_article(root) else "JSON-LD Article"
    return f"the page's main content is one article ({size} characters of body text in its only <article>; {mark})"


def _jsonld_article(root: Element) -> bool:
    scripts = root.xpath("//script[translate(@type, 'JSONLD', 'jsonld') = 'application/ld+json']/text()")
    return any(_JSONLD_ARTICLE.search(text) for text in scripts)


def _og_article(root: Element) -> bool:
    return any(v.strip().lower() == "article" for v in root.xpath("//meta[@property='og:type']/@content"))


_ONE_PRODUCT = frozenset({"product", "product.item"})  # og:type of one product's page ("product.group": a range)


def _og_product(root: Element) -> bool:
    return any(v.strip().lower() in _ONE_PRODUCT for v in root.xpath("//meta[@property='og:type']/@content"))


def _in_article(el: Element) -> bool:
    return el.tag == "article" or any(a.tag == "article" for a in el.iterancestors())


def propose_selectors(html: str, base_url: str) -> list[SelectorProposal]:
    """Best-first selector proposals for the article list of a listing page.

    Returns ``[]`` when the page is no listing (``not_a_listing``) or has no
    repeated structure of at least three headline links outside navigation,
    header and footer regions, scoring at least ``_MIN_SCORE``; on a URL naming
    one article (a dated path ending in a slug) structures of fewer than
    ``_MIN_ON_ARTICLE`` items (a strip of related links) do not count; on such a
    URL, or one naming a document by its id ("/articles/38282.html"), only a
    structure holding at least half the page's visible text counts (the list
    must be the page's content, not a related-stories module beside an article).
    So too where a structure beside the page's main body (the block holding most of its paragraph prose) links
    to URLs shaped like the page's own (``_sibling_module``): the page is one of the documents that module lists.
    """
    root = _parse(html).root
    if _refusal(root, base_url) is not None:
        return []
    headlines = _headlines(root)
    in_headings = {a: t for a, t in headlines.items() if _NEAR_HEADING(a)}
    below = _hrefs_below(headlines)
    mains = _MAIN(root)
    main = mains[0] if len(mains) == 1 and below.get(mains[0]) else None
    page = _Page(root, headlines, below, base_url, _hrefs_below(in_headings), main, _short_titles(headlines))
    assessed = [(found, p) for found in _shapes(page) if (p := _assess(page, found)) and p.score >= _MIN_SCORE]
    assessed = _fit_for_page(page, assessed)
    assessed.sort(key=lambda pair: _rank(pair[1]))
    assessed = _whole_list_first(_classed_first(assessed))
    next_sel = _next_selector(page)
    assessed = _paged_first(page, assessed, next_sel)
    return [replace(proposal, next=next_sel) for proposal in _distinct(assessed)]


def _short_titles(headlines: dict[Element, str]) -> frozenset[str]:
    """Headline texts too short for a headline but whole (linked headings: "Article 1"), names of several parts
    heading an entry ("Array.prototype.map()"), and the short headings
    inside a headline link wrapping a whole card: the names a list of packages, jobs or products is titled by."""
    short = {text for text in headlines.values() if _width(text) < _MIN_HEADLINE or _compound_name(text)}
    named = (_text(h) for anchor in headlines for h in anchor.iter(*_HEADINGS) if h is not anchor)
    return frozenset(short | {name for name in named if 0 < _width(name) < _MIN_HEADLINE})


_MIN_SCORE = 1.0  # below: a handful of weak items, or whole menus taken as titles
_MIN_ON_ARTICLE = 6  # items: on an article's own URL, fewer are a strip of related links
_PERMALINK = re.compile(
    r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/(?:(?:0?[1-9]|[12]\d|3[01])/)?[^/?#]*[a-z][^/?#]*-[^/?#]+/?$"
)


_DOCUMENT_ID = re.compile(r"\d{5,}|^(?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{12,}$")
_TAXONOMY_SEGMENTS = frozenset(
    {"author", "authors", "category", "categories", "tag", "tags", "topic", "topics", "label", "labels", "term", "page"}
)
_PAGE_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$")
_LIST_SHARE = 0.5  # of the page's visible text: on an article's URL, a list must be the page's content


def _document_id_url(url: str) -> bool:
    """The URL names one document by an id ("/articles/38282.html", "/abs/1706.03762", "/ASM2Q5HKNM2QUC.html",
    a query's "?idxno=243722"), not a taxonomy page ("/author/20415": an author's list of articles)."""
    parts = [p for p in _split(url).path.lower().split("/") if p]
    if any(_ID_PARAM.match(key.lower()) and _NUMBER_ID.match(value) for key, value in parse_qsl(_split(url).query)):
        return True  # "articleView.html?idxno=243722", "story.php?id=48213"
    if not parts or (len(parts) > 1 and parts[-2] in _TAXONOMY_SEGMENTS):
        return False
    return bool(_DOCUMENT_ID.search(_PAGE_EXTENSION.sub("", parts[-1])))


# A query parameter naming one document's id ("?idxno=", "?article_id="), not a list's ("?catid=", "?fid=").
_ID_PARAM = re.compile(r"^(?:id|idx|idxno|no|p|aid|(?:article|story|post|news|doc|item)_?id)$")
_NUMBER_ID = re.compile(r"^\d{5,}$")


_VISIBLE = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")


def _visible_length(root: Element) -> int:
    return len(_joined(_VISIBLE(root)))


def _dominates(page: _Page, found: _Found, visible: int) -> bool:
    """The headline items (with a headline title and a link, outside the page's chrome; wrappers of other items
    left out) hold at least half the page's visible text: a related-stories strip beside an article does not,
    nor a bare ``p`` matching the article's own paragraphs along with the strip's, nor a bare ``li`` gathering
    the section menu and video strip along with the related stories, nor a few whole sections of the page each
    ending in a "See all" link (an item counts for at most ``_ITEM_TEXT`` characters)."""
    wrappers = _nesting(found.items)
    items = [item for item in found.items if item not in wrappers and _complete(item, found)]
    items = [item for item in items if _is_strong(page, item, found) and not _in_chrome(page, item)]
    return sum(min(len(_text(item)), _ITEM_TEXT) for item in items) >= _LIST_SHARE * visible


_ITEM_TEXT = 800  # characters of one item, at most, counted: more is a section of the page, not one entry


def _complete(item: Element, found: _Found) -> bool:
    return _record(item, found) is not None


def _article_permalink(url: str) -> bool:
    """The URL names one article: a dated path ending in a slug ("/blog/2016/02/12/weekly-address")."""
    return bool(_PERMALINK.search(_split(url).path.lower()))


_Assessed = list[tuple[_Found, SelectorProposal]]


def _fit_for_page(page: _Page, assessed: _Assessed) -> _Assessed:
    """The structures that can be this page's list. On a page naming one document (an article's URL, a
    document id, a page declaring itself one product, or a URL shaped like the links of a module beside the
    page's main body: one of the documents that module lists), only one holding half the page's visible text:
    a related-stories strip or a recently-viewed carousel does not."""
    url = page.base_url
    if _article_permalink(url):
        assessed = [(found, p) for found, p in assessed if len(_records(found)[1]) >= _MIN_ON_ARTICLE]
    one = _article_permalink(url) or _document_id_url(url) or _og_product(page.root)
    if assessed and (one or _beside_siblings(page.root, assessed, url)):
        visible = _visible_length(page.root)
        assessed = [(found, p) for found, p in assessed if _dominates(page, found, visible)]
    return assessed


def _beside_siblings(root: Element, assessed: _Assessed, url: str) -> bool:
    """One structure is a module of the page's siblings beside its main body (``_sibling_module``)."""
    if (shape := _url_shape(url)) is None or (body := _main_body(root)) is None:
        return False
    return any(_sibling_module(found, body, url, shape) for found, _ in assessed)


def _main_body(root: Element) -> Element | None:
    """The page's main body: the smallest block holding three quarters of the page's paragraph prose; None when
    it holds less than ``_SHORT_BODY`` characters (no article body)."""
    prose: Counter[Element] = Counter()
    for p in root.iter("p"):
        if size := _prose(p):
            for ancestor in chain([p], p.iterancestors()):
                prose[ancestor] += size
    block, least = next(iter(root.xpath("//body")), root), _BODY_PART * prose[root]
    while (child := max(block, key=lambda c: prose[c], default=None)) is not None and prose[child] >= least:
        block = child
    return block if prose[block] >= _SHORT_BODY else None


_BODY_PART = 0.75


def _sibling_module(found: _Found, body: Element, url: str, shape: tuple[tuple[str, ...], str]) -> bool:
    """Every item lies outside the page's main body, and most of the links share the shape of the page's URL
    (``_url_shape``): a related-stories, "more from" or "also viewed" module on one of the documents it lists."""
    if any(_within(item, body) or _within(body, item) for item in found.items):
        return False
    links = _records(found)[1]
    return 2 * sum(_url_shape(_join(url, link)) == shape for link in links) > len(links)


def _within(el: Element, block: Element) -> bool:
    return el is block or any(a is block for a in el.iterancestors())


_SLUG = re.compile(r"^[^\W_]+(?:[-_]+[^\W_]+){2,}$")  # three words or more: "ikea-to-close-seven-stores"
_MIXED_ID = re.compile(r"^(?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{6,}$")


def _url_shape(url: str) -> tuple[tuple[str, ...], str] | None:
    """The path's shape: each segment a number, an id of letters and digits, a slug of three words or more, or
    a word, and its extension (the query, often a tracking tag, is left out). None unless the last segment names
    a document (a number, id or slug): "/c/7kQcQG2peWU" and "/c/8xRd9E1Vy6m" share a shape, "/news/world" has
    none, nor a taxonomy page's ("/tag/harbour-and-quay-works")."""
    segments = [s for s in _split(url).path.lower().split("/") if s]
    classes = tuple(_segment_class(_PAGE_EXTENSION.sub("", s)) for s in segments)
    if not classes or classes[-1] == "word" or (len(segments) > 1 and segments[-2] in _TAXONOMY_SEGMENTS):
        return None
    extension = _PAGE_EXTENSION.search(segments[-1])
    return classes, extension.group(0) if extension else ""


def _segment_class(segment: str) -> str:
    if segment.isdigit():
        return "number"
    if _MIXED_ID.match(segment):
        return "id"
    return "slug" if _SLUG.match(segment) else "word"


def _rank(proposal: SelectorProposal) -> tuple[float, bool, int]:
    """Best score first; on a tie the selector naming a class, then the shorter."""
    return -proposal.score, "." not in proposal.item, len(proposal.item)


def _promoted(assessed: _Assessed, pair: tuple[_Found, SelectorProposal]) -> _Assessed:
    """``assessed`` with ``pair`` moved to the front, the rest in their order."""
    return [pair] + [other for other in assessed if other is not pair]


_CLASSED_SHARE = 0.65  # of the bare selector's links, at least, in the classed one's
_CLASSED_SCORE = 0.6  # of the bare selector's score, at least


def _classed_first(assessed: _Assessed) -> _Assessed:
    """A best proposal of bare tags (``h3``) yields to one of the same tag naming a class or a block
    (``h3.field-content``) whose links are most of its own: the items of one list share their class, the strays
    a bare tag gathers with them (a sidebar's "Read about..." box, the header's "Topic") do not."""
    if not assessed or _names_block(assessed[0][0].item):
        return assessed
    best, links = assessed[0][1], set(_records(assessed[0][0])[1])
    for pair in assessed[1:]:
        found, proposal = pair
        mine = set(_records(found)[1])
        fits = mine < links and len(mine) >= _CLASSED_SHARE * len(links) and _names_block(found.item)
        fits = fits and _own_tag(found.item) == _own_tag(assessed[0][0].item)
        if fits and proposal.score >= _CLASSED_SCORE * best.score:
            return _promoted(assessed, pair)
    return assessed


_WHOLE_SCORE = 0.8  # of the best score, at least, for the whole list its entries of one kind belong to


def _whole_list_first(assessed: _Assessed) -> _Assessed:
    """A best proposal of one kind of entry (``li.track``) yields to the whole list it is part of
    (``li.searchresult``: tracks, albums and artists), when the rest are its siblings titled the same way: a
    search's results of several kinds are one list, and the kinds titled by a short name lose only purity."""
    if not assessed:
        return assessed
    best_found, best = assessed[0]
    for pair in assessed[1:]:
        found, proposal = pair
        if proposal.score < _WHOLE_SCORE * best.score or not _extends(found, best_found):
            continue
        return _promoted(assessed, pair)
    return assessed


def _extends(whole: _Found, part: _Found) -> bool:
    """``whole`` holds every item of ``part`` and more, with the same fields, all children of one block, and
    names its items by a class of their own (``li.searchresult``, not ``ol > li``: a bare tag gathers strays)."""
    items = set(whole.items)
    same_fields = (whole.title, whole.link) == (part.title, part.link)
    if not same_fields or not set(part.items) < items or len({item.getparent() for item in items}) != 1:
        return False
    return "." in _last_compound(whole.item).split(":")[0] and len(_records(whole)[1]) > len(_records(part)[1])


_PAGED_SCORE = 0.2  # of the best score, at least, for the list the page's pager sits beside


def _paged_first(page: _Page, assessed: _Assessed, next_sel: str | None) -> _Assessed:
    """The list the page's pager sits beside comes first (``dl.x_box12``, the pager its next sibling), when the
    best proposal is not beside it: a sidebar's modules or the page's columns merged. The page is one page of
    the list its pager pages, so that list is the page's own."""
    pager = _pager_block(page, next_sel)
    if pager is None or not assessed or _beside(assessed[0][0].items, pager):
        return assessed
    for pair in assessed[1:]:
        if pair[1].score >= _PAGED_SCORE * assessed[0][1].score and _beside(pair[0].items, pager):
            return _promoted(assessed, pair)
    return assessed


def _pager_block(page: _Page, next_sel: str | None) -> Element | None:
    """The block of the page's "next" link holding no headline: its pager (``div.el_page``)."""
    if next_sel is None or next_sel.startswith("link"):
        return None
    anchors = [el for el in _select(page.root, next_sel.removesuffix("::attr(href)")) if el.tag == "a"]
    if not anchors:
        return None
    block = anchors[0]
    while (up := block.getparent()) is not None and up.tag not in ("body", "html") and not page.below.get(up):
        block = up
    return block if block is not anchors[0] else None


def _beside(items: list[Element], pager: Element) -> bool:
    """``pager`` is a child of the lowest block holding the items and it (the list's next sibling, or the
    list's own last child), not nested in another module beside the list."""
    shared = _common_ancestors(items)
    holders = set(pager.iterancestors())
    block = next((el for el in items[0].iterancestors() if el in shared and el in holders), None)
    return block is not None and pager.getparent() is block


def _own_tag(item: str) -> str:
    """The tag of the items themselves: "h3" for ``div#web > ol h3.title:has(a)``."""
    own = re.split(r"\s*>\s*|\s+", item.split(":has(")[0].strip())[-1]
    return re.match(r"[a-z0-9-]*", own).group(0)


def _names_block(item: str) -> bool:
    """The item selector names a class or an id (``h3.field-content``, ``div#web > ol h3``)."""
    return "." in item.split(":has(")[0] or "#" in item.split(":has(")[0]


def _distinct(assessed: list[tuple[_Found, SelectorProposal]]) -> Iterator[SelectorProposal]:
    """Skip proposals extracting the same links as a better one."""
    seen: set[tuple[str, ...]] = set()
    for found, proposal in assessed:
        links = tuple(_records(found)[1])
        if links not in seen and len(seen) < _MAX_PROPOSALS:
            seen.add(links)
            yield proposal


# --- headline links --------------------------------------------------------------


def _text(el: Element) -> str:
    return " ".join(" ".join(_TEXTS(el)).split())


def _joined(strings: Iterable[str]) -> str:
    return " ".join(" ".join(strings).split())


def _usable_href(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not _BAD_HREF.match(href)


def _headlines(root: Element) -> dict[Element, str]:
    """Anchors that look like headlines, with their text."""
    found = {}
    for anchor in root.iter("a"):
        text = _text(anchor)
        if _is_headline(anchor, text):
            found[anchor] = text
        elif (heading := _dated_card_heading(anchor)) is not None:
            found[anchor] = _text(heading)  # "Read more" beside a plain heading: the heading is its headline
    return found


def _is_headline(anchor: Element, text: str) -> bool:
    if not _usable_href(anchor.get("href")):
        return False
    if _release_link(anchor, text):
        return True  # "v2.10.1" linking to ".../tag/v2.10.1": a release list's entry, its headline a version
    if _width(text) < _MIN_HEADLINE and not _whole_heading(anchor, text):
        return False
    if _looks_like_date(text) or _PAGER_TEXT.match(text) or not (_several_words(text) or _whole_heading(anchor, text)):
        return False
    if text.rstrip().endswith(":"):
        return False  # "Legal Name:", "Operating Status:": a field's label linking to its help, not a headline
    if _ACTION_HREF.search(anchor.get("href", "")):
        return False  # share, bookmark, log-in buttons: they carry another URL in their query
    if _TAXONOMY_HREF.search(anchor.get("href", "")) or _POST_COUNT.search(text):
        return False  # a category, tag or author page, or an archive's "Topic (9)"
    if _COMMENTS_LINK.search(anchor.get("href", "")) or _COMMENT_COUNT.match(text) or _reviews(text):
        return False  # "3 comments", "Leave a comment", "4.5 out of 5 stars": the item's comments or reviews
    if _DOWNLOAD_HREF.search(anchor.get("href", "")):
        return False  # "Source code (zip)", "Download for Windows": a file to fetch, not an article
    if _beside_plain_heading(anchor):
        return False  # the card's headline is plain text; this link is a call to action beside it
    if _NEAR_HEADING(anchor):
        return True
    block = anchor.getparent()
    while block is not None and block.tag in _INLINE:
        block = block.getparent()
    # A link inside a paragraph of prose, or in a list within an article's
    # body, is a reference, not a headline.
    if block is None:
        return True
    return 2 * _width(text) >= _width(_inline_text(block)) and not _in_body(block)


# The item's comments or reviews, by fragment ("#comments") or as its own sub-page ("/item-17/reviews/").
_COMMENTS_LINK = re.compile(
    r"#(?:comments?|respond|reply|disqus_thread)$|/(?:comments?|reviews?)/?(?:[?#].*)?$", re.IGNORECASE
)
# A file archive or an installer: a download, never an article ("v2.10.2.tar.gz", "setup.exe").
_DOWNLOAD_HREF = re.compile(
    r"\.(?:zip|tar|gz|tgz|bz2|tbz2?|xz|txz|7z|rar|exe|msi|dmg|pkg|deb|rpm|apk|jar|whl|iso)(?:[?#].*)?$",
    re.IGNORECASE,
)
# A rating and its count ("4.5 out of 5 stars 48,878", "4,6 von 5 Sternen"): a number, a word or two, the scale
# (5 or 10), at most a word and a count after it. "3 in 5 Americans say..." goes on: a headline.
# A score, a count and a word ("5.0 8 Bewertungen", "4,5 120 avis"), or a whole text in brackets ("(zu wenige)",
# "(12)"): a product's reviews link.
_REVIEWS = re.compile(r"^\s*(?:\d(?:[.,]\d)?\s+\d[\d.,]*\s+\w+|\([^()]*\))\s*$")
_RATING = re.compile(r"^\s*\d(?:[.,]\d)?\s+(?:\S+\s+){1,2}(?:5|10)(?:\s+\D\S*)?(?:\s+[\d.,]+)?\s*$")
_COMMENT_COUNT = re.compile(
    r"^(?:no|one|\d+)\s+(?:comments?|replies|reply)$|^(?:leave|add|post)\s+a\s+comment$", re.IGNORECASE
)


_BLOCKS = frozenset({"div", "p", "section", "article", "figure", "ul", "ol", "li", "table", "header", *_HEADINGS})


def _reviews(text: str) -> bool:
    return bool(_RATING.match(text) or _REVIEWS.match(text))


def _is_inline(el: Element) -> bool:
    """Inline markup, or a link holding no blocks (a card link is no part of the prose)."""
    if el.tag in _INLINE:
        return True
    return el.tag == "a" and not any(d.tag in _BLOCKS for d in el.iterdescendants())


def _inline_text(block: Element) -> str:
    """The text a block shows around its inline elements: its own prose, not its nested blocks."""
    parts = [block.text or ""]
    for child in block:
        if _is_inline(child):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return _joined(parts)


def _in_body(block: Element) -> bool:
    """Within a few levels of a block that holds paragraphs of prose (an article's body)."""
    for level, ancestor in enumerate(block.iterancestors()):
        if level >= 3 or ancestor.tag in ("body", "html"):
            return False
        prose = [size for p in ancestor.iterchildren("p") if (size := _prose(p))]
        if len(prose) >= 2 and sum(prose) >= 300:
            return True
    return False


# A version number ("v2.10.1", "2.3.0rc1", "release-1.4"): at least one dot between digits.
_VERSION = re.compile(r"^(?:[A-Za-z][\w-]*[ @-])?v?\d+(?:\.\d+)+(?:[-.+]?[A-Za-z0-9]+)*$")


def _release_link(anchor: Element, text: str) -> bool:
    """The link's text is a version number that its own URL names: a release of a release list."""
    return _is_version(text) and text.lower() in unquote(anchor.get("href", "")).lower()


def _is_version(text: str) -> bool:
    return bool(_VERSION.match(text)) and not _DOWNLOAD_HREF.search(text)


_MIN_SHORT_HEADLINE = 5  # characters: "Article 1", "Oh yeah !" are headlines when they are a whole linked heading


def _whole_heading(anchor: Element, text: str) -> bool:
    """The link is all of a heading's text (``<h2><a>Article 1</a></h2>``), of several words: a short headline."""
    heading = next((a for a in anchor.iterancestors() if a.tag in _HEADINGS), None)
    named = _several_words(text) or _compound_name(text)
    return len(text) >= _MIN_SHORT_HEADLINE and heading is not None and _text(heading) == text and named


_NAME_PART = re.compile(r"[^\W_]+")
_NAME = re.compile(r"^[\w$]+(?:(?:[.\-_/]|::)[\w$]+)+(?:\(\))?$")


def _compound_name(text: str) -> bool:
    """A name of several parts joined without spaces: an API's ``Array.prototype.map()``, a package's
    ``hatena-fotolife-cli``, a module's ``os.path``; a heading's whole text, it titles a reference's entry."""
    return bool(_NAME.match(text)) and len(_NAME_PART.findall(text)) >= 2


_UNSPACED_SCRIPTS = 0x2E80  # CJK radicals onwards: scripts written without spaces between words


def _width(text: str) -> int:
    """Length with a character of a script written without spaces (CJK) counting twice: "三大战区海军演练" is a
    headline of 8 characters, and a link of 24 beside a 21-character timestamp is most of its line."""
    return len(text) + sum(ord(ch) >= _UNSPACED_SCRIPTS for ch in text)


def _unspaced(text: str) -> bool:
    """Written (at least in part) in a script without spaces between words (CJK)."""
    return any(ord(ch) >= _UNSPACED_SCRIPTS for ch in text)


def _several_words(text: str) -> bool:
    """A headline has words: two or more, or is in a script written without spaces."""
    return _word_count(text) >= 2 or _unspaced(text)


_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]+|[a-z]+|\d+")
_MIN_CAMEL_WORDS = 3  # "ZfsAndNfsMounts" is a wiki's entry name of three words; "YouTube", "FrontPage" are names


def _word_count(text: str) -> int:
    """Words, a token joining three or more capitalised words ("DebconfWhiptailVsXterm") counting as each."""
    return sum(_camel_words(token) for token in text.split())


def _camel_words(token: str) -> int:
    words = _CAMEL_WORD.findall(token)
    camel = len(words) >= _MIN_CAMEL_WORDS and "".join(words) == token and token[:1].isupper()
    return len(words) if camel else 1


def _looks_like_date(text: str) -> bool:
    """ "March 6, 2016 1:46 PM PT", "32 mins ago", "2024-05-04": no headline; nor a timestamp and a name
    ("26-02-2015 à 17:42 DDReaper": a forum's link to its last post)."""
    if _STAMP_FIRST.match(text):
        return True
    rest = _DATE_NOISE.sub(" ", text.lower())
    return bool(re.search(r"\d", text)) and len(re.sub(r"[\W\d_]", "", rest)) < 3


# A numeric date and a time of day first, at most two words after them: who posted last, not a headline.
_STAMP_FIRST = re.compile(
    r"^\s*(?:\d{1,4}[-./]\d{1,2}[-./]\d{1,4})\W+(?:\w{1,3}\W+)?\d{1,2}:\d{2}(?::\d{2})?\W*(?:\S+\s*){0,2}$"
)


def _best_headline(item: Element, headlines: dict[Element, str]) -> _Headline | None:
    anchors = [a for a in item.iter("a") if a in headlines]
    if not anchors:
        return None
    best = max(anchors, key=lambda a: _headline_weight(a, headlines[a]))
    if headlines[best] != _text(best) and (card := _plain_card(best)) is not None:
        return _Headline(title=card[1], link=best)  # a dated card's "Read more": its heading is the title
    # A card: the whole block is a link; its heading (or title-named block) is the title.
    inner = sorted(
        (h for h in best.iter(etree.Element) if h is not best and _title_rank(h) < 3 and _text(h)),
        key=_title_rank,
    )
    # With a second link to the same article (a card in two links), the
    # title-named block tells the headline apart even when it is all the text.
    # Two title blocks of the same kind (a kicker and a headline) make one title: the link's.
    twin = sum(a.get("href") == best.get("href") for a in anchors) > 1
    alone = len(inner) == 1 or (len(inner) > 1 and _title_rank(inner[1]) > _title_rank(inner[0]))
    if inner and alone and (len(_text(inner[0])) < len(headlines[best]) or twin):
        return _Headline(title=inner[0], link=best)
    return _Headline(title=best, link=best)


def _headline_weight(anchor: Element, text: str) -> tuple[bool, float]:
    """Headline-sized first; then longer, more so in or around a heading or a title-named block."""
    titled = _NEAR_HEADING(anchor) or any(_title_rank(el) < 3 for el in anchor.iter(etree.Element))
    return len(text) <= _MAX_HEADLINE, min(len(text), 150) * (1 + titled)


def _title_rank(el: Element) -> int:
    """0 a heading, 1 an element whose class names a title, 2 a ``<header>``, 3 none of these."""
    if el.tag in _HEADINGS:
        return 0
    words = {w for cls in el.get("class", "").lower().split() for w in re.split(r"[^a-z]+", cls)}
    if words & _TITLE_WORDS:
        return 1
    return 2 if el.tag == "header" else 3


def _permalink(item: Element) -> Element | None:
    """An anchor the page marks as the item's permalink (rel=bookmark or class)."""
    for anchor in item.iter("a"):
        # rel=bookmark is the permalink; a *class* "bookmark" is a save-for-later button.
        marked = "bookmark" in anchor.get("rel", "").lower().split() or "permalink" in _words(anchor)
        href = anchor.get("href")
        if marked and _usable_href(href) and not _ACTION_HREF.search(href or ""):
            return anchor
    return None


# --- shapes: candidate item selectors --------------------------------------------


def _words(el: Element) -> set[str]:
    """The words of the element's classes and id: ``post-list`` and ``upshrinkHeader`` name two each."""
    raw = _CAMEL_HUMP.sub(" ", f"{el.get('class', '')} {el.get('id', '')}").lower()
    return set(re.split(r"[^a-z]+", raw)) - {""}


_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def _stable_classes(el: Element) -> list[str]:
    """Classes that look hand-written (no hashes, no runs of digits, no random capitals)."""
    tokens = el.get("class", "").split()
    return _unique(t for t in tokens if len(t) <= 40 and _STABLE_CLASS.match(t))


def _keys(el: Element) -> list[str]:
    tag, parent = el.tag, el.getparent()
    if not isinstance(tag, str) or not _CSS_TAG.match(tag):
        return []
    keys = [tag, *(f"{tag}.{cls}" for cls in _stable_classes(el)[:4])]
    if parent is not None and isinstance(parent.tag, str) and _CSS_TAG.match(parent.tag):
        keys.append(f"{parent.tag} > {tag}")
        keys += [f"{parent.tag}.{cls} > {tag}" for cls in _stable_classes(parent)[:3]]
    return keys


def _hrefs_below(headlines: dict[Element, str]) -> dict[Element, set[str]]:
    below: defaultdict[Element, set[str]] = defaultdict(set)
    for anchor in headlines:
        for ancestor in anchor.iterancestors():
            below[ancestor].add(anchor.get("href", "").strip())
    return dict(below)


def _item_candidates(page: _Page) -> dict[Element, str]:
    """Each headline's ancestors that hold no other headline, with its href; where the page heads its items
    with headings, an ancestor holding one headline in a heading counts too, whatever links it holds beside it
    (a search result's sitelinks, a card's related links)."""
    candidates = {}
    for anchor in page.headlines:
        for el in chain([anchor], anchor.iterancestors()):
            if el.tag in ("body", "html") or not _holds_one(page, el):
                break
            candidates[el] = anchor.get("href", "").strip()
    return candidates


def _holds_one(page: _Page, el: Element) -> bool:
    return len(page.below.get(el, ())) <= 1 or len(page.headed.get(el, ())) == 1


def _shapes(page: _Page) -> Iterator[_Found]:
    """The most promising item shapes, with title and link selectors."""
    for key in _promising_keys(page):
        found = _fields(_select(page.root, key), key, page.headlines)
        if found is not None:
            found = _narrowed_by_mark(page, _without_empty_items(page.root, found))
            found = _in_dominant_module(page, found) or found
            found = _among_siblings(page.root, found) or found
            found = _without_strays(page, found) or found
            found = _without_wrappers(page.root, found) or found
            yield found
            scoped = _scoped(page, found)
            if scoped is not None:
                yield scoped


_DOMINANT_SHARE = 0.75  # of the items, in one module: the rest are stray boxes (a weather box, one promo card)
_DOMINANT_RATIO = 3  # times the next module's items


def _in_dominant_module(page: _Page, found: _Found) -> _Found | None:
    """``found`` scoped to the one module holding nearly all its items (``div#web > ol h3``), when the rest are
    strays in other modules: a search page's weather, image and ad boxes, a hub's one promo card.
    Modules are the branches below the items' common ancestor, split again while one branch dominates; a list
    spread evenly over several (a home page's sections, a grid's rows) is left whole, and so is a module that is
    no one list but a region of several (the page's body below its header: its menus stay the proposal's
    weakness, not hidden by a selector scoped to the body)."""
    items = found.items
    while (top := _dominant_branch(items, len(found.items))) is not None:
        items = top
    if len(items) == len(found.items) or not _one_list(items):
        return None
    return _scope_to(page.root, found, items)


def _among_siblings(root: Element, found: _Found) -> _Found | None:
    """``found`` narrowed to the items that are each one entry of the block holding them all
    (``ul.results > li.item``), when the few others share one entry of it: a carousel of suggestions nested in
    a list of results."""
    heads = {group[0]: head for head, group in _branches(found.items).items() if len(group) == 1}
    single = list(heads)
    if len(single) == len(found.items) or len(single) < max(_MIN_ITEMS, _DOMINANT_SHARE * len(found.items)):
        return None
    path = [single[0], *_ancestors_within(single[0], heads[single[0]])]
    block = path[-1].getparent()
    if block is None or not all(_CSS_TAG.match(str(el.tag)) for el in path[1:]):
        return None
    above = "".join(f"{el.tag} > " for el in reversed(path[1:]))
    for key, own in product(_block_keys(block), _own_compounds(found.item, single)):
        scoped = _select(root, f"{key} > {above}{own}")
        if set(scoped) == set(single):
            return _Found(f"{key} > {above}{own}", found.title, found.link, scoped)
    return None


def _without_strays(page: _Page, found: _Found) -> _Found | None:
    """``found`` narrowed to the entries carrying the class most entries share (``li.j_thread_list``), when those
    link to one site and the few lacking it elsewhere: ads slotted into a site's list of posts (a search page's
    results, each on its own host, are left whole)."""
    groups = _branches(found.items)
    if len(groups) != len(found.items):
        return None  # not one item per entry of the list
    heads = {group[0]: head for head, group in groups.items()}
    for cls in _shared_by_most(list(heads.values())):
        kept = [item for item, head in heads.items() if cls in head.get("class", "").split()]
        held = set(kept)
        strays = [item for item in found.items if item not in held]
        hosts = _link_hosts(page, found, kept)
        if hosts.most_common(1)[0][1] < _DOMINANT_SHARE * len(kept) or _link_hosts(page, found, strays).keys() & hosts:
            continue
        scoped = _classed_entries(page.root, found, heads[kept[0]], kept, cls)
        if scoped is not None:
            return scoped
    return None


_FEW_WRAPPERS = 2


def _without_wrappers(root: Element, found: _Found) -> _Found | None:
    """``found`` without the items holding other items (``tr:has(b > a):not(:has(tr))``): the wrapper a table
    left unclosed or a layout table nesting the list makes, titled by every entry at once."""
    wrappers = _nesting(found.items)
    if not wrappers or len(wrappers) > _FEW_WRAPPERS:
        return None  # none, or a generic shape (``div:has(a)``) matching blocks at every level
    if not all(_titled_by_entries(w, found) for w in wrappers):
        return None  # a wrapper titled like one entry: a module of its own, not every entry at once
    wanted = {item for item in found.items if item not in wrappers}
    inner = {str(item.tag) for item in wanted if any(a in wrappers for a in item.iterancestors())}
    for inside in [*sorted(filter(_CSS_TAG.match, inner)), _last_compound(found.item)]:
        css = f"{found.item}:not(:has({inside}))"
        scoped = _select(root, css)
        if set(scoped) == wanted:
            return _Found(css, found.title, found.link, scoped)
    return None


def _titled_by_entries(wrapper: Element, found: _Found) -> bool:
    """The wrapper's title is long, or is only the titles of the (three or more) items inside it: every entry at
    once, not a module's own headline."""
    title = _joined(_select(wrapper, f"{found.title} ::text"))
    inner = [item for item in found.items if wrapper in set(item.iterancestors())]
    if len(title) > _MAX_HEADLINE:
        return True
    return len(inner) >= _MIN_ITEMS and title == _joined(_joined(_select(i, f"{found.title} ::text")) for i in inner)


def _shared_by_most(heads: list[Element]) -> list[str]:
    """Stable classes that most, not all, of ``heads`` carry, the most common first."""
    counts = Counter(cls for head in heads for cls in _stable_classes(head))
    return [cls for cls, n in counts.most_common() if _DOMINANT_SHARE * len(heads) <= n < len(heads)]


def _link_hosts(page: _Page, found: _Found, items: list[Element]) -> Counter[str]:
    urls = (_join(page.base_url, _first_href(item, found.link)) for item in items)
    return Counter(_split(url).hostname or "" for url in urls)


def _classed_entries(root: Element, found: _Found, head: Element, kept: list[Element], cls: str) -> _Found | None:
    """``found`` scoped to the entries of class ``cls`` (``ul#list > li.post > div > div.title``)."""
    item = kept[0]
    path = _ancestors_within(item, head)  # up to and with the head
    above = "".join(f"{el.tag} > " for el in reversed(path[:-1]))
    own = "" if item is head else f" > {above}{_last_compound(found.item)}"
    block = head.getparent()
    if block is None or not all(_CSS_TAG.match(str(el.tag)) for el in path):
        return None
    for key in _block_keys(block):
        css = f"{key} > {head.tag}.{cls}{own}"
        scoped = _select(root, css)
        if set(scoped) == set(kept):
            return _Found(css, found.title, found.link, scoped)
    return None


def _own_compounds(item: str, items: list[Element]) -> list[str]:
    """The item selector's last compound, and the items' tag with each class they all share."""
    shared = set.intersection(*(set(_stable_classes(el)) for el in items))
    return [_last_compound(item), *(f"{items[0].tag}.{cls}" for cls in sorted(shared))]


def _last_compound(css: str) -> str:
    """The last compound selector: ``li.s-item`` of ``ul.results li.s-item``, ``li:has(h3 a)`` of
    ``ol > li:has(h3 a)``."""
    depth, start = 0, 0
    for i, char in enumerate(css):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in " >":
            start = i + 1
    return css[start:]


_ONE_LIST = 1 / 3  # of a module's items, at most, in one branch below it: a list, or a grid of rows


def _one_list(items: list[Element]) -> bool:
    return max(len(group) for group in _branches(items).values()) <= _ONE_LIST * len(items)


def _dominant_branch(items: list[Element], total: int) -> list[Element] | None:
    groups = _branches(items)
    if len(groups) < 2:
        return None
    ranked = sorted(groups.values(), key=len, reverse=True)
    top = ranked[0]
    if len(top) < _MIN_ITEMS or len(top) < _DOMINANT_SHARE * total or len(top) < _DOMINANT_RATIO * len(ranked[1]):
        return None
    return top


def _branches(items: list[Element]) -> dict[Element, list[Element]]:
    """The items grouped by the child of their common ancestor they lie under."""
    paths = [list(reversed([item, *item.iterancestors()])) for item in items]
    depth = 0
    while all(len(p) > depth + 1 for p in paths) and len({p[depth] for p in paths}) == 1:
        depth += 1
    groups: dict[Element, list[Element]] = {}
    for item, path in zip(items, paths, strict=True):
        groups.setdefault(path[depth], []).append(item)
    return groups


def _common_ancestors(items: list[Element]) -> set[Element]:
    """The elements holding every one of ``items``."""
    return set(items[0].iterancestors()).intersection(*(set(i.iterancestors()) for i in items[1:]))


def _scope_to(root: Element, found: _Found, items: list[Element]) -> _Found | None:
    """``found`` narrowed to ``items`` by a classed or id'd block around them that holds no other item."""
    wanted = set(items)
    shared = _common_ancestors(items)
    for el in (a for a in items[0].iterancestors() if a in shared):
        if el.tag in ("body", "html") or not _CSS_TAG.match(str(el.tag)):
            return None
        for block in _block_keys(el):
            key = f"{block} {found.item}"
            scoped = _select(root, key)
            if set(scoped) == wanted:
                return _Found(key, found.title, found.link, scoped)
    return None


def _block_keys(el: Element) -> list[str]:
    """``div#web``, ``div.results``; a bare block by its named parent (``div#web > ol``)."""
    own = _named(el)
    parent = el.getparent()
    if own or parent is None or not _CSS_TAG.match(str(parent.tag)):
        return own
    return [f"{key} > {el.tag}" for key in _named(parent)]


def _named(el: Element) -> list[str]:
    ident = el.get("id", "")
    by_id = [f"{el.tag}#{ident}"] if _STABLE_CLASS.match(ident) else []
    return by_id + [f"{el.tag}.{cls}" for cls in _stable_classes(el)[:3]]


def _scoped(page: _Page, found: _Found) -> _Found | None:
    """An item selector (``li``) refused because most of its matches are in the page chrome (menus), scoped to
    the classed block around the one list holding most of its headline items outside it (``div.info_ne li``)."""
    outside = [item for item in found.items if not _in_chrome(page, item)]
    kept = [item for item in outside if _is_strong(page, item, found)]
    if len(kept) < _MIN_ITEMS or 2 * len(outside) >= len(found.items):
        return None  # few headline items, or a selector not refused for its chrome
    block, count = Counter(item.getparent() for item in kept).most_common(1)[0]
    if block is None or count < _MIN_ITEMS or 2 * count <= len(kept):
        return None  # the headline items are in several lists, none holding most: no one list to scope to
    for el in chain([block], block.iterancestors()):
        if el.tag in ("body", "html"):
            return None
        classes = _stable_classes(el)
        if classes and _CSS_TAG.match(str(el.tag)):
            key = f"{el.tag}.{classes[0]} {found.item}"
            items = _select(page.root, key)
            return _Found(key, found.title, found.link, items) if len(items) >= _MIN_ITEMS else None
    return None


def _promising_keys(page: _Page) -> list[str]:
    totals = Counter(key for el in page.root.iter(etree.Element) for key in _keys(el))
    hrefs: defaultdict[str, set[str]] = defaultdict(set)
    members: Counter[str] = Counter()
    for el, href in _item_candidates(page).items():
        for key in _keys(el):
            hrefs[key].add(href)
            members[key] += 1

    def cheap(key: str) -> float:
        return len(hrefs[key]) * min(1.0, members[key] / totals[key])

    keys = [key for key in hrefs if len(hrefs[key]) >= _MIN_ITEMS]
    return sorted(keys, key=cheap, reverse=True)[:_MAX_KEYS]


_MARKS = ("time", "h2", "h3", "h4", "p", "img")  # what an article item holds and a menu item lacks
_WEAK_SHARE = 0.2


def _narrowed_by_mark(page: _Page, found: _Found) -> _Found:
    """Narrow ``item`` with ``:has(time)`` (or a heading, a paragraph, an image) when that tells the
    headline items apart from many weak ones (a tag list in the same bare ``li``): nearly all headline
    items have it, nearly no other."""
    strong = [item for item in found.items if _is_strong(page, item, found)]
    held_up = set(strong)
    weak = [item for item in found.items if item not in held_up]
    if len(strong) < _MIN_ITEMS or len(weak) < _WEAK_SHARE * len(found.items):
        return found
    for mark in _MARKS:
        held = sum(bool(_select(item, mark)) for item in strong)
        if held >= 0.9 * len(strong) and sum(bool(_select(item, mark)) for item in weak) <= 0.1 * len(weak):
            narrowed = f"{found.item}:has({mark})"
            return _Found(narrowed, found.title, found.link, _select(page.root, narrowed))
    return found


def _select(root: Element, css: str) -> list:
    """Evaluate a CSS selector (parsel dialect) as parsel would, on lxml nodes."""
    return _xpath(css)(root)


@lru_cache(maxsize=2048)
def _xpath(css: str) -> etree.XPath:
    # A memo of a pure function: the same few selectors run on every item.
    return etree.XPath(css2xpath(css))


def _without_empty_items(root: Element, found: _Found) -> _Found:
    """Narrow ``item`` with ``:has(title)`` when some matches have no title."""
    if all(_select(item, found.title) for item in found.items):
        return found
    narrowed = f"{found.item}:has({found.title})"
    items = _select(root, narrowed)
    return _Found(narrowed, found.title, found.link, items) if items else found


# --- relative selectors (title, link, summary) --------------------------------------


def _fields(items: list[Element], key: str, headlines: dict[Element, str]) -> _Found | None:
    pairs = [(item, _best_headline(item, headlines)) for item in _sample(items)]
    pairs = [(item, found) for item, found in pairs if found is not None]
    if len(pairs) < _MIN_ITEMS:
        return None
    title = _best_option([(i, h.title) for i, h in pairs], _same_text)
    links = [(i, _permalink(i)) for i, _ in pairs]
    marked = [(i, a) for i, a in links if a is not None]
    if 2 * len(marked) < len(pairs):
        marked = [(i, h.link) for i, h in pairs]
    link = _best_option(marked, _same_href)
    if title is None or link is None:
        return None
    return _Found(key, title, link, items)


def _sample(items: Sequence[Element]) -> list[Element]:
    step = max(1, math.ceil(len(items) / _SAMPLE))
    return list(items[::step])


def _best_option(
    targets: list[tuple[Element, Element]],
    fits: Callable[[Element, str, Element], bool],
    generate: Callable[[Element, Element], list[str]] | None = None,
) -> str | None:
    """The relative selector that finds the target in most items.

    Ties go to the option generated first (headings, classes, short chains).
    """
    rank: dict[str, int] = {}
    for item, target in targets:
        for position, option in enumerate((generate or _options)(item, target)):
            rank[option] = min(rank.get(option, position), position)
    hits = {opt: sum(fits(i, opt, t) for i, t in targets) for opt in rank}
    best = max(rank, key=lambda opt: (hits[opt], -rank[opt]), default=None)
    return best if best is not None and hits[best] > 0 else None


def _options(item: Element, target: Element) -> list[str]:
    """Candidate selectors for ``target`` relative to ``item``, preferred first."""
    path = [target, *_ancestors_within(target, item)]
    tag = target.tag
    options = []
    heading = next((el for el in path[1:] if el.tag in _HEADINGS), None)
    if heading is not None:
        options.append(f"{heading.tag} {tag}")
        options += [f"{heading.tag}.{cls} {tag}" for cls in _stable_classes(heading)[:2]]
    options += [f"{tag}.{cls}" for cls in _stable_classes(target)[:4]]
    options += _chains(path[:4])
    options.append(tag)
    options += [f"{tag}:not(.{cls})" for cls in _classes_of_others(item, target)]
    if target.get("class") is None and any(el.get("class") for el in item.iter(tag) if el is not target):
        options.append(f"{tag}:not([class])")  # the bare link beside classed ones ("[Society]" category links)
    return options if all(_CSS_TAG.match(str(el.tag)) for el in path) else []


def _ancestors_within(el: Element, item: Element) -> list[Element]:
    if el is item:
        return []
    ancestors = []
    for ancestor in el.iterancestors():
        ancestors.append(ancestor)
        if ancestor is item:
            break
    return ancestors


def _chains(path: list[Element]) -> list[str]:
    """``parent > child`` chains up the path, plain and with the top's class."""
    chains, tail = [], path[0].tag
    for ancestor in path[1:]:
        chains.append(f"{ancestor.tag} > {tail}")
        chains += [f"{ancestor.tag}.{cls} > {tail}" for cls in _stable_classes(ancestor)[:2]]
        tail = f"{ancestor.tag} > {tail}"
    return chains


def _classes_of_others(item: Element, target: Element) -> list[str]:
    mine = set(_stable_classes(target))
    others = (el for el in item.iter(target.tag) if el is not target)
    return _unique(cls for el in others for cls in _stable_classes(el) if cls not in mine)


def _same_text(item: Element, option: str, target: Element) -> bool:
    """``option`` selects the target, and no other element with text."""
    if sum(1 for el in _select(item, option) if isinstance(el, etree._Element) and _text(el)) > 1:
        return False
    return _joined(_select(item, f"{option} ::text")) == _text(target)


def _same_href(item: Element, option: str, target: Element) -> bool:
    return _first_href(item, option) == target.get("href", "").strip()


def _first_href(item: Element, option: str) -> str:
    hrefs = (href.strip() for href in _select(item, f"{option}::attr(href)"))
    return next((href for href in hrefs if href), "")


# --- scoring -------------------------------------------------------------------------


def _records(found: _Found) -> tuple[list[str], list[str]]:
    """Titles and links of the complete items, in page order."""
    titles, links = [], []
    for record in filter(None, (_record(item, found) for item in found.items)):
        titles.append(record[0])
        links.append(record[1])
    return titles, links


def _record(item: Element, found: _Found) -> tuple[str, str] | None:
    """The item's title and link, or None when it lacks either."""
    title = _joined(_select(item, f"{found.title} ::text"))
    link = _first_href(item, found.link)
    return (title, link) if title and link else None


def _is_strong(page: _Page, item: Element, found: _Found) -> bool:
    """One headline link (or a heading in one) gives the title; there is a link."""
    elements = [el for el in _select(item, found.title) if _text(el)]
    text = _text(elements[0]) if len(elements) == 1 else ""
    if not ((_width(text) >= _MIN_HEADLINE and len(text) <= _MAX_HEADLINE) or text in page.short):
        return False
    anchors = _select(item, found.link)[:1]
    return any(el in page.headlines for el in elements + anchors)


def _loners(items: list[Element]) -> set[Element]:
    """Items much farther from their nearest fellow item than most are."""
    counts: Counter[Element] = Counter(a for item in items for a in item.iterancestors())
    distance = {item: _fellow_distance(item, counts) for item in items}
    usual = sorted(distance.values())[len(items) // 2]
    return {item for item, d in distance.items() if d > usual + 1}


def _nesting(items: list[Element]) -> set[Element]:
    """Items that contain other items: wrappers, not articles."""
    members = set(items)
    return {a for item in items for a in item.iterancestors() if a in members}


def _fellow_distance(item: Element, counts: Counter[Element]) -> int:
    for distance, ancestor in enumerate(item.iterancestors(), start=1):
        if counts[ancestor] > 1:
            return distance
    return 0


def _assess(page: _Page, found: _Found) -> SelectorProposal | None:
    """The proposal for ``found`` with its score, or None if it is no listing.

    Score: items × purity × link uniqueness × headline length × the share of
    titles that read like headlines, less chrome, a little less for an item
    selector of bare generic tags (``div > a``: it gathers unrelated modules),
    a little more for whole article blocks (summary, date, title deeper
    inside). Only items near their fellows count: a listing repeats in one
    place.
    """
    skip = _loners(found.items) | _nesting(found.items)
    in_chrome = {item for item in found.items if _in_chrome(page, item)}
    strong = sum(_is_strong(page, item, found) for item in found.items if item not in skip | in_chrome)
    chrome = len(in_chrome) / len(found.items)
    if strong < _MIN_ITEMS or chrome > 0.5:
        return None
    titles, links = _records(found)
    if not titles or _mean_words(titles) < _min_mean_words(found):
        return None  # menus and tag lists: "Home", "About us", "Privacy policy"
    if _repeated_action(titles, links):
        return None  # one button repeated in every entry ("Report this review", "Reply"): no headlines
    summary, date = _summary_selector(found), _date_selector(found)
    unique = len({_join(page.base_url, link) for link in links}) / len(links)
    length = sum(min(len(title), 80) for title in titles) / (80 * len(titles))
    headline = sum(_headline_text(title) or title in page.short for title in titles) / len(titles)
    score = strong * (strong / len(found.items)) * unique * math.sqrt(length) * (1 - chrome) * headline
    bonus = (1 + 0.1 * (summary is not None) + 0.1 * (date is not None)) * (1 + 0.01 * _title_depth(found))
    bonus *= _UNSPECIFIC if _unspecific(found.item) else 1.0
    title, link = f"{found.title} ::text", f"{found.link}::attr(href)"
    return SelectorProposal(found.item, title, link, summary, date, score=round(score * bonus, 3))


_MIN_MEAN_WORDS = 3.0
_DISTINCT_TITLES = 0.5  # distinct (title, link path) pairs per item: an article list names each article apart
_MIN_MEAN_WORDS_HEADED = 2.5  # titles in headings: a blog's short post titles ("Second article"), no menu


_MIN_MEAN_WORDS_DESCRIBED = 1.0  # headed titles with a summary each: names of packages, jobs, products ("Alamofire")


def _min_mean_words(found: _Found) -> float:
    in_heading = _HEADINGS & set(re.findall(r"[a-z][a-z0-9]*", found.title))
    if not in_heading and not _in_title_block(found):
        return _MIN_MEAN_WORDS_DESCRIBED if _record_rows(found) else _MIN_MEAN_WORDS
    return _MIN_MEAN_WORDS_DESCRIBED if _summary_selector(found) is not None else _MIN_MEAN_WORDS_HEADED


_RECORD_CELLS = 3  # cells in an entry's table row, two of them with text (its title's and another's): a record


def _record_rows(found: _Found) -> bool:
    """Most items are each one row of a table whose other cells hold text (a card search's name, type and set;
    a bazaar's character, level and bid): records titled by a name of a word or two, not a menu."""
    rows = [next((el for el in chain([item], item.iterancestors()) if el.tag == "tr"), None) for item in found.items]
    if None in rows or len(set(rows)) < len(rows):
        return False  # not one row per item: a layout row holding a menu's links side by side
    sample = _sample(rows)
    cells = ([bool(_text(td)) for td in row if td.tag in ("td", "th")] for row in sample)
    return 2 * sum(len(c) >= _RECORD_CELLS and sum(c) >= 2 for c in cells) > len(sample)


def _in_title_block(found: _Found) -> bool:
    """Most items' title sits in a block whose class names a title (``<dd class="title"><a>``): short titles
    there ("KONOBAR", "NASTAVNIK FIZIKE") are headlines as in a heading, not a menu."""
    items = _sample(found.items)
    titled = 0
    for item in items:
        titles = _select(item, found.title)
        titled += bool(titles) and any(_title_rank(a) == 1 for a in _ancestors_within(titles[0], item))
    return 2 * titled > len(items)


def _repeated_action(titles: list[str], links: list[str]) -> bool:
    """Most items share one title and one link path, told apart only by the query or a number ("Report this
    review" to "/report?reviewId=17", "?reviewId=18"...; "View on the shop" to "/link/133997", "/link/128498"):
    a button repeated in each entry, not a list of articles (whose titles or pages differ: a gigography's
    concerts share the band's name, not a page)."""
    pairs = {(title, _split(link).path) for title, link in zip(titles, links, strict=True)}
    if len(pairs) < _DISTINCT_TITLES * len(titles):
        return True
    ids = Counter((title, _DIGITS.sub("0", _split(link).path)) for title, link in zip(titles, links, strict=True))
    return ids.most_common(1)[0][1] > _DISTINCT_TITLES * len(titles)  # one text to one path but for its id


_DIGITS = re.compile(r"(?<=/)\d+(?=/|$)")  # a path segment that is a number: an id
_UNSPECIFIC = 0.8
_DESCENDANT = re.compile(r"(?<![>\s])\s+(?![>\s])")  # a space that scopes, not one around " > "
_GENERIC_TAGS = re.compile(r"\b(?:div|span|a)\b")


def _unspecific(item: str) -> bool:
    """An item selector of bare generic tags ("div > a", "div:has(a)"): it gathers links of unrelated modules."""
    own = _DESCENDANT.split(item.split(":has(")[0].strip())[-1]  # "div#bd div > a": the items are "div > a"
    words = re.findall(r"[a-z][a-z0-9-]*|[.#]", own)
    return "." not in words and "#" not in words and all(_GENERIC_TAGS.fullmatch(w) for w in words)


def _headline_text(title: str) -> bool:
    """A title reads like a headline: several words, not a pager, a date or a post count ("REVIEWS", "Older »")."""
    return _is_version(title) or (
        _width(title) >= _MIN_HEADLINE
        and len(title) <= _MAX_HEADLINE
        and _several_words(title)
        and not (_PAGER_TEXT.match(title) or _looks_like_date(title) or _POST_COUNT.search(title))
    )


def _beside_plain_heading(anchor: Element) -> bool:
    """The link's card (its block, up to two levels up) has a heading holding no link, and the link is
    not in it: the card's headline is plain text and the link a call to action ("Learn more about X")."""
    return _plain_card(anchor) is not None


def _plain_card(anchor: Element) -> tuple[Element, Element] | None:
    """The card and its plain heading, when ``anchor`` is a call to action beside that heading."""
    block = anchor.getparent()
    for _ in range(2):
        if block is None or block.tag in ("body", "html"):
            return None
        headings = [h for h in block.iter(*_HEADINGS) if _text(h)]
        if headings:
            inside = set(anchor.iter()) | set(anchor.iterancestors())
            plain = all(h not in inside and not h.xpath(".//a") for h in headings)
            targets = {a.get("href", "").strip() for a in block.iter("a") if a.get("href")}
            return (block, headings[0]) if plain and len(targets) <= 3 else None  # at most three pages linked
        block = block.getparent()
    return None


_NUMERIC_DATE = re.compile(r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b")


def _dated_card_heading(anchor: Element) -> Element | None:
    """The plain heading of a dated card ``anchor`` reads "Read more" in: a news teaser whose headline is no link
    (a landing page's feature cards, with their "Learn more", carry no date)."""
    if not _usable_href(anchor.get("href")) or (card := _plain_card(anchor)) is None:
        return None
    block, heading = card
    dated = block.xpath(".//time") or _NUMERIC_DATE.search(_text(block))
    return heading if dated and _width(_text(heading)) >= _MIN_HEADLINE else None


def _mean_words(titles: list[str]) -> float:
    """Mean words per title; a title in a script written without spaces counts as long enough."""
    counts = [_MIN_MEAN_WORDS if _unspaced(t) or _is_version(t) else _word_count(t) for t in titles]
    return sum(counts) / len(counts)


def _title_depth(found: _Found) -> float:
    """Mean levels between an item and its title: the tie-breaker for outer blocks."""
    depths = [
        min(8, len(_ancestors_within(titles[0], item)))
        for item in found.items
        if (titles := _select(item, found.title))
    ]
    return sum(depths) / len(depths) if depths else 0.0


def _in_chrome(page: _Page, el: Element) -> bool:
    """Inside a nav, footer, aside or page header, or in a region named like one or hidden (a collapsed
    accordion of links), or outside the page's ``<main>`` (when it has one holding headlines).

    A region only *named* like navigation (class or id) but holding most of
    the page's headlines is a layout wrapper ("nav-col"), not chrome; where
    the page has headlines in headings, only those count (a sidebar's long
    tag cloud holds many links, but not the headings of the articles).
    """
    below = page.headed if page.headed else page.below
    limit = len(below.get(page.root, ())) / 2
    if page.main is not None and page.main not in set(el.iterancestors()):
        return True  # outside the page's one <main> that holds headlines
    if _is_chrome_tag(el):
        return True  # the item itself is the page's header, a nav, an aside or a footer
    for ancestor in el.iterancestors():
        if _is_chrome_tag(ancestor):
            return True
        if _collapsed(ancestor):
            return True  # a collapsed accordion panel of links
        named = _chrome_named(ancestor) and not _named_by_url(page.base_url, ancestor)
        if (named or _hidden(ancestor)) and len(below.get(ancestor, ())) <= limit:
            return True  # a menu, sidebar or hidden region (not a wrapper holding most of the page's headlines)
    return False


def _chrome_named(el: Element) -> bool:
    """A class or id names navigation, sidebar, footer...; and none names the main content: a layout
    wrapper "l-main-content l-sidebar-fixed" holds the main column, whatever else it says."""
    tokens = [set(re.split(r"[^a-z]+", t)) - {""} for t in f"{el.get('class', '')} {el.get('id', '')}".lower().split()]
    chrome = any(t & _CHROME_WORDS for t in tokens)
    return chrome and not any("main" in t and not t & _CHROME_WORDS for t in tokens)


def _named_by_url(url: str, el: Element) -> bool:
    """The region's chrome word is the page's own subject, named by its URL's path (``ul.ranking-list`` on
    "/rankings", ``div.popular`` on "/popular/"): the page's content, not a box beside it."""
    path = {w.removesuffix("s") for w in re.split(r"[^a-z]+", _split(url).path.lower()) if w}
    return bool(path & {w.removesuffix("s") for w in _words(el) & _CHROME_WORDS})


_MAIN = etree.XPath("//main | //*[@role='main']")


def _is_chrome_tag(el: Element) -> bool:
    if el.tag in _CHROME_TAGS:
        return True
    return el.tag == "header" and not any(a.tag == "article" for a in el.iterancestors())


# --- summary, date, next -----------------------------------------------------------------


def _summary_selector(found: _Found) -> str | None:
    """A summary: an element whose class says so, else the first prose paragraph."""
    option = _keyword_option(found, _summary_class) or _prose_option(found)
    return f"{option} ::text" if option is not None else None


def _date_selector(found: _Found) -> str | None:
    """``time::attr(datetime)`` where items have one, else a date-named element."""
    if any(_select(item, "time[datetime]") for item in found.items):
        return "time::attr(datetime)"
    option = _keyword_option(found, _date_class)
    return f"{option} ::text" if option is not None else None


def _summary_class(el: Element) -> tuple[int, str] | None:
    for cls in _stable_classes(el):
        words = set(re.split(r"[^a-z]+", cls))
        rank = next((n for n, word in enumerate(_SUMMARY_WORDS) if word in words), None)
        if rank is not None and len(_text(el)) >= 20:
            return rank, f"{el.tag}.{cls}"
    return None


def _date_class(el: Element) -> tuple[int, str] | None:
    for cls in _stable_classes(el):
        if set(re.split(r"[^a-z]+", cls)) & _DATE_WORDS:
            text = _text(el)
            return (0, f"{el.tag}.{cls}") if 0 < len(text) <= 60 and _DIGIT.search(text) else None
    return None


def _keyword_option(found: _Found, classify: Callable[[Element], tuple[int, str] | None]) -> str | None:
    """The best-ranked class-named selector found often enough outside the title."""
    seen: Counter[tuple[int, str]] = Counter()
    for item in found.items:
        keep = _title_elements(item, found)
        labels = {classify(el) for el in _CLASSED(item) if el not in keep}
        seen.update(label for label in labels if label is not None)
    usable = [(rank, -n, opt) for (rank, opt), n in seen.items() if _often(n, found.items)]
    return min(usable)[2] if usable else None


def _often(count: int, items: Sequence[Element]) -> bool:
    return count >= 2 and 10 * count >= len(items)


def _prose_option(found: _Found) -> str | None:
    """A selector for each item's first paragraph of prose."""
    targets = []
    for item in _sample(found.items):
        keep = _title_elements(item, found)
        prose = (p for p in item.iter("p") if p not in keep and len(_text(p)) >= 40)
        if (first := next(prose, None)) is not None:
            targets.append((item, first))
    if not _often(len(targets), _sample(found.items)):
        return None
    return _best_option(targets, _same_text, _paragraph_options)


def _paragraph_options(item: Element, target: Element) -> list[str]:
    options = _options(item, target)
    return options + [f"{opt}:first-of-type" for opt in options if opt.endswith("p")]


def _title_elements(item: Element, found: _Found) -> set[Element]:
    """The title elements with their ancestors and descendants, the link elements with their ancestors (a link
    wrapping a whole card holds its summary too)."""
    related: set[Element] = {item}
    for el in _select(item, found.title):
        related.update(el.iter(etree.Element))
    for el in _select(item, found.title) + _select(item, found.link):
        related.update(el.iterancestors(), [el])
    return related


def _next_selector(page: _Page) -> str | None:
    """Selector of the pagination link to the next (older) page."""
    for tag in ("a", "link"):
        if _usable_href(_first_href(page.root, f'{tag}[rel~="next"]')):
            return f'{tag}[rel~="next"]::attr(href)'
    for anchor in page.root.iter("a"):
        css = _next_css(page, anchor) if _usable_href(anchor.get("href")) else None
        if css is not None and _first_href(page.root, css) == anchor.get("href", "").strip():
            return f"{css}::attr(href)"
    return None


def _next_css(page: _Page, anchor: Element) -> str | None:
    """A page-wide selector for ``anchor`` if its class or text says "next"."""
    text, parent = _text(anchor), anchor.getparent()
    if len(text) > 30:  # "Up next: <a headline>" is no pager
        return None
    for cls in _stable_classes(anchor):
        if _NEXT_CLASS.search(cls):
            return f"a.{cls}"
    for cls in _stable_classes(parent) if parent is not None else ():
        if _NEXT_CLASS.search(cls):
            return f"{parent.tag}.{cls} a"
    if not _NEXT_TEXT.match(text) or '"' in text:
        return None
    in_pager = any(_PAGER_WORD.match(w) for a in anchor.iterancestors() for w in _words(a))
    return f'a:contains("{text}")' if in_pager or not _in_chrome(page, anchor) else None
