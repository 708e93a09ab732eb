"""How well ``newswatch add`` reads pages it was not built on: the development corpus.

The corpus (pages of other projects' test fixtures with hand-checked truth;
not part of this repository, see its MANIFEST.md) lives in ``../devcorpus``
next to the repository, or where ``NEWSWATCH_DEVCORPUS`` points. Each page
``pages/<name>.html`` has ``pages/<name>.truth.json``; ``sources.json``
gives the page's URL. The pages are split in two halves by a hash of their
name: ``tune`` (the heuristics were adjusted while looking at these) and
``held-out`` (held out at first; a development half since its misses were
fixed). A third half, ``fresh`` (``"split": "fresh"`` in sources.json), was
collected after the last change to the heuristics, its truth written before
``add`` ever ran on it (its misses were tuned on in the third round, so it is
tuning data now). A fourth, ``fresh2``, was collected on Dec 2 the same way,
truth committed before ``add`` ran on it, measured once, then tuned on in the
fourth round: tuning data too now. A fifth, ``fresh3``, was collected the same
way and measured once with ``crawler/discover.py`` untouched; a sixth, ``fresh4``, the
same way again, then tuned on; a seventh, ``fresh5`` (27 pages of nine repositories no earlier half used),
the same way again, then tuned on; an eighth, ``fresh6`` (18 pages of ten more repositories), the same way
again, measured once; a ninth, ``fresh7`` (12 pages of six more repositories), the same way again
(``--half fresh7``), measured once after the eighth round; then ``fresh8``, ``fresh9`` and ``fresh10`` (16, 16
and 12 pages of seventeen more repositories), the same way, measured once each after the tenth round (fresh8 tuned
on in the eleventh); then ``fresh11`` (10 pages of five more repositories), measured once after the eleventh round
(fresh10 and fresh11 tuned on in the twelfth); then ``fresh12`` (12 pages of five more repositories), measured once
after the twelfth round (tuned on in the thirteenth); then ``fresh13`` and ``fresh14`` (13 and 11 pages of eleven
more repositories), measured once each after the fourteenth round (tuned on in the fifteenth); then ``fresh15``
and ``fresh16`` (9 and 8 pages of seven more repositories), measured once each after the fifteenth round (tuned
on in the sixteenth).
Pages are decoded as Scrapy decodes them for ``add`` (``html_to_unicode``: a BOM, the meta charset, else UTF-8).

Per page, what ``add`` would do with it offline (the pure functions of
``crawler.discover``; the feeds are not fetched):

- a listing passes when the first selector proposal extracts between
  ``min_items`` and ``items`` articles (the true list size), at least 90 %
  of their links are true headline links, and at least 80 % of their titles
  are the headline of that link;
- a non-listing passes when no selectors are proposed ("nothing found"),
  or, as ``add`` would end, when the page advertises a feed;
- a page with a true category feed passes when ``choose_feeds`` puts it first.

    python bench/add_corpus.py [--corpus DIR] [--in-repo] [--show] [--half fresh3]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

from parsel import Selector
from w3lib.encoding import html_to_unicode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.discover import choose_feeds, feed_links, propose_selectors
from newswatch.links import resolve_link

DEFAULT = Path(__file__).resolve().parents[2] / "devcorpus"
IN_REPO = Path(__file__).resolve().parents[1] / "tests" / "crawler" / "addcorpus"
HALVES = ("tune", "held-out", "fresh", *(f"fresh{n}" for n in range(2, 22)))


@dataclass(frozen=True)
class Outcome:
    """One page's result: passed or not, and what ``add`` proposed."""

    name: str
    half: str
    kind: str
    passed: bool
    detail: str
    feed_ok: bool | None = None


def corpus_dir() -> Path:
    return Path(os.environ.get("NEWSWATCH_DEVCORPUS", DEFAULT))


def half(name: str, split: str | None = None) -> str:
    """The page's half: its manifest's ``split`` where given ("fresh"), else a stable hash of its name."""
    return split or HALVES[hashlib.sha256(name.encode()).digest()[0] % 2]


def present(root: Path) -> bool:
    return (root / "sources.json").is_file()


def corpora(external: Path | None = None) -> list[Path]:
    """The in-repository pages, and the external development corpus where it is present."""
    external = external or corpus_dir()
    return [IN_REPO] + ([external] if present(external) and external.resolve() != IN_REPO.resolve() else [])


def pages(root: Path, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The corpus pages with their truth and URL, in manifest order (``skip``: names already read)."""
    rows = [r for r in json.loads((root / "sources.json").read_text(encoding="utf-8")) if r["name"] not in skip]
    for row in rows:
        row["truth"] = json.loads((root / "pages" / f"{row['name']}.truth.json").read_text(encoding="utf-8"))
        row["html"] = _decoded(_page_bytes(root / "pages" / row["name"]))
    return rows


def _decoded(body: bytes) -> str:
    """The page's text as ``add`` reads it: Scrapy's decoding (a BOM, then the page's meta charset, else UTF-8)."""
    return html_to_unicode(None, body)[1]


def _page_bytes(stem: Path) -> bytes:
    plain = stem.with_name(stem.name + ".html")
    if plain.is_file():
        return plain.read_bytes()
    return gzip.decompress(stem.with_name(stem.name + ".html.gz").read_bytes())


def _norm(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def _absolute(base: str, href: str) -> str:
    """``href`` made absolute and normalised; "" for one that is no readable http(s) URL ("http://[site:url]/x")."""
    return _norm(resolve_link(href, base) or "")


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _extract(html: str, url: str, item: str, title: str, link: str) -> list[tuple[str, str]]:
    """(title, absolute link) of each item with both, as the html spider reads them."""
    records = []
    for node in Selector(text=html, type="html").css(item):
        text = " ".join(" ".join(node.css(title).getall()).split())
        href = (node.css(link).get() or "").strip()
        if text and href:
            records.append((text, _absolute(url, href)))
    return records


def _title_fits(title: str, truth: str) -> bool:
    a, b = _squash(title), _squash(truth)
    return bool(a) and len(a) <= 200 and (a in b or b in a)


def judge_listing(row: dict[str, Any]) -> tuple[bool, str]:
    truth, proposals = row["truth"], propose_selectors(row["html"], row["url"])
    if not proposals:
        return False, "nothing proposed"
    best = proposals[0]
    records = _extract(row["html"], row["url"], best.item, best.title, best.link)
    true_links = {_norm(link) for link in truth["links"]}  # as the extracted links are
    titles = _true_titles(row)
    good_links = sum(link in true_links for _, link in records)
    good_titles = sum(any(_title_fits(text, t) for t in titles.get(link, [])) for text, link in records)
    n = len(records)
    ok = truth["min_items"] <= n <= truth["items"] and n > 0
    ok = ok and good_links >= 0.9 * n and good_titles >= 0.8 * n
    return (
        ok,
        f"{n} items (true {truth['min_items']}..{truth['items']}), {good_links} true links, "
        f"{good_titles} headline titles; item={best.item!r}",
    )


def _true_titles(row: dict[str, Any]) -> dict[str, list[str]]:
    """Every anchor text of the page by its absolute link (the headline is among them); for a "Read more"
    link (a short text), the headings of its card too: there the headline is a plain heading beside it."""
    found: dict[str, list[str]] = {}
    links = {_norm(link) for link in row["truth"]["links"]}
    for anchor in Selector(text=row["html"], type="html").css("a[href]"):
        link = _absolute(row["url"], (anchor.root.get("href") or "").strip())  # not .attrib: a bad name breaks it
        if link in links:
            text = " ".join(" ".join(anchor.css("::text").getall()).split())
            found.setdefault(link, []).extend([text, *(_card_headings(anchor) if len(text) < 10 else [])])
    return found


def _card_headings(anchor: Selector) -> list[str]:
    """The texts of the headings in the nearest of the anchor's three closest ancestors holding any."""
    for level in range(1, 4):
        headings = anchor.xpath(f"ancestor::*[{level}]//*[self::h1 or self::h2 or self::h3 or self::h4]")
        if headings:
            return [" ".join(" ".join(h.css("::text").getall()).split()) for h in headings]
    return []


def judge_other(row: dict[str, Any]) -> tuple[bool, str]:
    proposals = propose_selectors(row["html"], row["url"])
    feeds = feed_links(row["html"], row["url"])
    if not proposals:
        return True, "nothing found" + (f" (feed {feeds[0]})" if feeds else "")
    if feeds:
        return True, f"a feed ({feeds[0]}); selectors would have been {proposals[0].item!r}"
    return False, f"proposed {proposals[0].item!r}"


def judge_feed(row: dict[str, Any]) -> bool | None:
    wanted = row["truth"].get("feed")
    if not wanted:
        return None
    chosen = choose_feeds(feed_links(row["html"], row["url"]), row["url"], row["html"])
    return bool(chosen) and chosen[0] == wanted


def evaluate(roots: Path | list[Path]) -> list[Outcome]:
    """Every page of ``roots`` judged once (a page in two of them counts once, from the first)."""
    rows: list[dict[str, Any]] = []
    for root in [roots] if isinstance(roots, Path) else roots:
        rows += pages(root, frozenset(row["name"] for row in rows))
    outcomes = []
    for row in rows:
        judge = judge_listing if row["truth"]["listing"] else judge_other
        passed, detail = judge(row)
        kind = "listing" if row["truth"]["listing"] else "other"
        which = half(row["name"], row.get("split"))
        outcomes.append(Outcome(row["name"], which, kind, passed, detail, judge_feed(row)))
    return outcomes


def figures(outcomes: list[Outcome], which: str) -> dict[str, tuple[int, int]]:
    """(passed, total) of listings, non-listings and category feeds in one half."""
    mine = [o for o in outcomes if o.half == which]
    feeds = [o for o in mine if o.feed_ok is not None]
    return {
        "listings": (sum(o.passed for o in mine if o.kind == "listing"), sum(o.kind == "listing" for o in mine)),
        "non-listings": (sum(o.passed for o in mine if o.kind == "other"), sum(o.kind == "other" for o in mine)),
        "category feed": (sum(bool(o.feed_ok) for o in feeds), len(feeds)),
    }


def _cell(pair: tuple[int, int]) -> str:
    passed, total = pair
    return f"{passed}/{total} ({100 * passed / total:.0f} %)" if total else "none in this half"


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| half | listings right | non-listings: nothing found or a feed | category feed chosen |",
        "|---|---|---|---|",
    ]
    for which in HALVES:
        f = figures(outcomes, which)
        lines.append(f"| {which} | {_cell(f['listings'])} | {_cell(f['non-listings'])} | {_cell(f['category feed'])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=corpus_dir(), help="the external corpus")
    parser.add_argument("--in-repo", action="store_true", help="only the pages kept in this repository")
    parser.add_argument("--show", action="store_true", help="one line per page")
    parser.add_argument("--half", choices=HALVES, help="only this half's pages in --show")
    args = parser.parse_args()
    outcomes = evaluate([IN_REPO] if args.in_repo else corpora(args.corpus))
    if args.show:
        for o in outcomes:
            if args.half in (None, o.half):
                mark = "ok  " if o.passed else "FAIL"
                print(f"{mark} {o.half:8} {o.kind:7} {o.name:22} {o.detail}  feed={o.feed_ok}")
    print(table(outcomes))


if __name__ == "__main__":
    main()
