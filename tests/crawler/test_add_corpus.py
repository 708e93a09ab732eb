"""`newswatch add` on pages it was not built on: the development corpus (bench/add_corpus.py).

Two parts: the pages whose licence allows redistribution live in this
repository (tests/crawler/addcorpus/, with their sources and licences) and
always run; the others live outside it (``../devcorpus``, or where
``NEWSWATCH_DEVCORPUS`` points) and run where present, skipping with the
reason where not. The targets of issue 16 are asserted on the half the
heuristics were not first tuned on ("held-out"; since the fix of its two
misses it is a development half, see the README), and on the "fresh" half
(collected after the last change to the heuristics, truth written before add
ran on it; tuned on in the third round, so now tuning data), and on the
"fresh2" half (collected on Dec 2, truth committed before add ran on it,
measured once, then tuned on in the fourth round: tuning data now too; the
next unseen figure needs a new held-out half), and on the "fresh3" half (collected
the same way, measured once with crawler/discover.py untouched; tuning data since
the fifth round), and on the "fresh4" half (collected the same way on Dec 2,
measured once with crawler/discover.py untouched, then tuned on: tuning data
too), and on the "fresh5" half (27 pages of nine repositories no earlier half used,
collected the same way, measured once with crawler/discover.py untouched, then tuned
on in the seventh round: tuning data too), "fresh6" (18 pages, the same way,
tuned on in the eighth round) and "fresh7" (12 pages, the same way, measured after the
seventh and the eighth rounds, tuned on by neither, then tuned on in the ninth round: tuning data too), and
"fresh8", "fresh9" and "fresh10" (16, 16 and 12 pages, the same way, measured once each after the tenth round;
fresh8 tuned on in the eleventh, fresh10 and fresh11 in the twelfth), "fresh11" (10 pages, the same way, measured
once after the eleventh round) and "fresh12" (12 pages, measured once after the twelfth, tuned on in the
thirteenth and fourteenth): targets met there are
asserted, targets missed are strict xfails naming the measured figure (a fix
makes them XPASS, which fails until the expectation is updated).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "add_corpus.py"
    spec = importlib.util.spec_from_file_location("add_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _bench()
EXTERNAL = bench.corpus_dir()
WHOLE = pytest.mark.skipif(
    not bench.present(EXTERNAL),
    reason=f"external development corpus not present at {EXTERNAL} (set NEWSWATCH_DEVCORPUS; see bench/add_corpus.py);"
    " the in-repository part ran",
)
PARTS = [pytest.param([bench.IN_REPO], id="in-repo"), pytest.param(bench.corpora(EXTERNAL), id="whole", marks=WHOLE)]


@pytest.fixture(scope="module", params=PARTS)
def outcomes(request: pytest.FixtureRequest) -> list:
    return bench.evaluate(request.param)


def _share(pair: tuple[int, int]) -> float:
    passed, total = pair
    assert total > 0
    return passed / total


def _all_feeds_chosen(outcomes: list, half: str, at_least: int) -> None:
    feeds = [o for o in outcomes if o.half == half and o.feed_ok is not None]
    assert len(feeds) >= at_least
    assert [o.name for o in feeds if not o.feed_ok] == []


def _failed(outcomes: list, kind: str, half: str = "held-out") -> list[str]:
    return [o.name + ": " + o.detail for o in outcomes if o.half == half and o.kind == kind and not o.passed]


def test_the_in_repo_pages_are_the_recorded_sources_with_their_licences() -> None:
    rows = json.loads((bench.IN_REPO / "sources.json").read_text(encoding="utf-8"))
    licences = {p.name for p in (bench.IN_REPO / "LICENSES").iterdir()}
    for row in rows:
        assert row["licence"].startswith(("Apache-2.0", "MIT", "BSD-3-Clause", "BSD-2-Clause", "0BSD")), row["name"]
        assert hashlib.sha256(bench._page_bytes(bench.IN_REPO / "pages" / row["name"])).hexdigest() == row["sha256"]
        assert f"{row['repo'].replace('/', '+')}-{row['licence'].split('(')[1].rstrip(')')}" in licences


def test_both_halves_hold_listings_and_others(outcomes: list) -> None:
    for half in bench.HALVES:
        assert {o.kind for o in outcomes if o.half == half} >= {"other"}, half
    assert {o.kind for o in outcomes if o.half == "held-out"} == {"listing", "other"}


@WHOLE
def test_the_whole_corpus_has_thirty_pages() -> None:
    assert len(bench.evaluate(bench.corpora(EXTERNAL))) >= 30


def test_held_out_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "held-out")["listings"]) >= 0.85, _failed(outcomes, "listing")


def test_held_out_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "held-out")["non-listings"]) >= 0.90, _failed(outcomes, "other")


FEED_MISSES = {"patchofland_investments"}  # fresh5, measured once: see test_fresh5_feeds


def test_the_category_feed_is_chosen_wherever_there_is_one(outcomes: list) -> None:
    wrong = [o.name for o in outcomes if o.feed_ok is False and o.name not in FEED_MISSES]
    assert not wrong


def test_the_fresh_half_has_sixteen_pages_of_both_kinds(outcomes: list) -> None:
    fresh = [o for o in outcomes if o.half == "fresh"]
    assert len(fresh) >= 16
    assert {o.kind for o in fresh} == {"listing", "other"}


@pytest.mark.xfail(strict=True, reason="fresh half (now tuning data): 2/5 listings before the third round (23:36 UTC "
                   "Dec 1), 4/5 (80 %) after it (02:07 UTC Dec 2) and the 4th (02:40), target 85 %: truesec (7 for 6)")
def test_fresh_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh")


def test_fresh_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """11/13 before the third round; 13/13 since (an article's related strip and a reddit thread fixed)."""
    assert _share(bench.figures(outcomes, "fresh")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh")


def test_no_fresh_page_gets_the_wrong_feed(outcomes: list) -> None:
    """No fresh listing advertises a category feed, so the target is only checked as "never a wrong one"."""
    assert not [o.name for o in outcomes if o.half == "fresh" and o.feed_ok is False]


# --- fresh2: collected on Dec 2 (truth committed before add ran on it); tuned on since the fourth round ---


def test_the_fresh2_half_has_twenty_pages_of_both_kinds(outcomes: list) -> None:
    fresh2 = [o for o in outcomes if o.half == "fresh2"]
    assert len(fresh2) >= 20
    assert {o.kind for o in fresh2} == {"listing", "other"}


@WHOLE
def test_the_whole_fresh2_half_has_ten_listings() -> None:
    fresh2 = [o for o in bench.evaluate(bench.corpora(EXTERNAL)) if o.half == "fresh2"]
    assert sum(o.kind == "listing" for o in fresh2) >= 10


def test_fresh2_listings_get_the_right_list(outcomes: list) -> None:
    """Once before any change (01:55 UTC Dec 2): 5/10 (in-repo 4/5); tuned on it (02:40): 9/10, in-repo 5/5
    (pelican's archive, short titles in a ``dd`` list, still missed)."""
    assert _share(bench.figures(outcomes, "fresh2")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh2")


def test_fresh2_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Once before any change: 12/16 (in-repo 11/15); 13/16 after the third round; tuned on it (02:40): 16/16."""
    assert _share(bench.figures(outcomes, "fresh2")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh2")


def test_no_fresh2_page_gets_the_wrong_feed(outcomes: list) -> None:
    """No fresh2 listing advertises a category feed, so the target is only checked as "never a wrong one"."""
    assert not [o.name for o in outcomes if o.half == "fresh2" and o.feed_ok is False]


# --- fresh3: collected on Dec 2 (truth committed in ed866b6 before add ran on it), measured once (03:15 UTC),
# then the fifth round's changes (tuned on fresh4; fresh3's miss was looked at, not fixed): tuning data now.
# In-repo part: 3 listings, 7 others. ---


def test_the_fresh3_half_has_ten_pages_of_both_kinds(outcomes: list) -> None:
    fresh3 = [o for o in outcomes if o.half == "fresh3"]
    assert len(fresh3) >= 10
    assert {o.kind for o in fresh3} == {"listing", "other"}


@WHOLE
def test_the_whole_fresh3_half_has_sixteen_pages_six_of_them_listings() -> None:
    fresh3 = [o for o in bench.evaluate(bench.corpora(EXTERNAL)) if o.half == "fresh3"]
    assert len(fresh3) >= 16
    assert sum(o.kind == "listing" for o in fresh3) >= 6


def test_fresh3_listings_get_the_right_list(outcomes: list, request: pytest.FixtureRequest) -> None:
    """Measured once (03:15 UTC Dec 2): in-repo 3/3; whole 5/6 (83 %), under the 85 % target: inotomsk_home
    (``p.title``: 20 items, the 10 news and 4 interviews of the truth plus the event calendar's titles)."""
    if "whole" in request.node.callspec.id:
        reason = "fresh3 measured once: 5/6 listings (83 %), target 85 %: inotomsk_home"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    assert _share(bench.figures(outcomes, "fresh3")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh3")


def test_fresh3_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once (03:15 UTC Dec 2): in-repo 7/7, whole 10/10."""
    assert _share(bench.figures(outcomes, "fresh3")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh3")


def test_fresh3_category_feeds_are_chosen(outcomes: list) -> None:
    """Measured once: in-repo 2/2 (Polygon, Wikinews), whole 3/3 (and cnblogs)."""
    _all_feeds_chosen(outcomes, "fresh3", 2)


# --- fresh4: collected on Dec 2 (truth committed in aeec6e7 before add ran on it), measured once (05:09 UTC) with
# crawler/discover.py untouched, then tuned on (its listing misses; fifth round): tuning data now.
# In-repo part: 8 listings, 7 others; external: 1 listing (with a feed), 2 others. ---


def test_the_fresh4_half_has_fifteen_pages_of_both_kinds(outcomes: list) -> None:
    fresh4 = [o for o in outcomes if o.half == "fresh4"]
    assert len(fresh4) >= 15
    assert {o.kind for o in fresh4} == {"listing", "other"}


@WHOLE
def test_the_whole_fresh4_half_has_eighteen_pages_nine_of_them_listings() -> None:
    fresh4 = [o for o in bench.evaluate(bench.corpora(EXTERNAL)) if o.half == "fresh4"]
    assert len(fresh4) >= 18
    assert sum(o.kind == "listing" for o in fresh4) >= 9


def test_fresh4_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (05:09 UTC Dec 2, discover.py untouched): in-repo 5/8 (62 %), whole 5/9 (56 %); missed
    rtfund_disclosures, netease_rolling_news, zhihu_search_results, zzzcg_job_listings (nothing proposed). Tuned
    on them in the fifth round (so fresh4 is tuning data now): 8/8, 9/9."""
    assert _share(bench.figures(outcomes, "fresh4")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh4")


def test_fresh4_non_listings_get_nothing_or_a_feed(outcomes: list, request: pytest.FixtureRequest) -> None:
    """Measured once (05:09 UTC Dec 2): in-repo 5/7 (71 %), whole 6/9 (67 %), under the 90 % target. Since the
    sibling-module rule (a module beside the main body linking to URLs shaped like the page's): in-repo 7/7; the
    whole corpus not re-measured (yelp_business_page is external), so its expectation is a non-strict xfail."""
    if "whole" in request.node.callspec.id:
        reason = "fresh4 measured once: 6/9 (67 %), target 90 %; not re-measured since the sibling-module rule"
        request.applymarker(pytest.mark.xfail(strict=False, reason=reason))
    assert _share(bench.figures(outcomes, "fresh4")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh4")


def test_no_fresh4_page_gets_the_wrong_feed(outcomes: list) -> None:
    """Measured once: the one listing with its own feed (zzzcg's jobs, external) gets it, 1/1."""
    assert not [o.name for o in outcomes if o.half == "fresh4" and o.feed_ok is False]


@WHOLE
def test_the_fresh4_category_feed_is_chosen() -> None:
    feeds = [o for o in bench.evaluate(bench.corpora(EXTERNAL)) if o.half == "fresh4" and o.feed_ok is not None]
    assert len(feeds) >= 1
    assert [o.name for o in feeds if not o.feed_ok] == []


# --- fresh5: collected on Dec 2 (truth committed in c32ee79 before add ran on it), measured once (15:05 UTC) with
# crawler/discover.py untouched, then tuned on (its two listing misses; seventh round): tuning data now.
# All 27 pages in the repository: 8 listings, 19 others, 4 with a feed truth. ---


def test_the_fresh5_half_has_twenty_seven_pages_eight_of_them_listings(outcomes: list) -> None:
    fresh5 = [o for o in outcomes if o.half == "fresh5"]
    assert len(fresh5) >= 27
    assert sum(o.kind == "listing" for o in fresh5) >= 8


def test_fresh5_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (15:05 UTC Dec 2, discover.py untouched): 6/8 (75 %), under the 85 % target; missed
    patchofland_investments and daft_houses_search (nothing proposed: both refused as login pages for a password
    field in a hidden sign-up dialog). Tuned on them in the seventh round (fresh5 is tuning data now): 8/8."""
    assert _share(bench.figures(outcomes, "fresh5")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh5")


def test_fresh5_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 19/19 (100 %)."""
    assert _share(bench.figures(outcomes, "fresh5")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh5")


@pytest.mark.xfail(strict=True, reason="fresh5 measured once: category feed 3/4; patchofland_investments gets its "
                   "blog feed, the truth is its catalogue's new-products feed (neither matches the page's path or "
                   "title, so the page-matching rule cannot tell them apart)")
def test_fresh5_feeds(outcomes: list) -> None:
    assert not [o.name for o in outcomes if o.half == "fresh5" and o.feed_ok is False]


# --- fresh6: collected on Dec 2 (truth committed in 61cd535 before add ran on it), measured once (15:23 UTC) after
# the seventh round, nothing tuned on it; then tuned on (its non-listing misses and one listing; eighth round).
# All 18 pages in the repository: 7 listings, 11 others, 4 with a feed truth. ---


def test_the_fresh6_half_has_eighteen_pages_seven_of_them_listings(outcomes: list) -> None:
    fresh6 = [o for o in outcomes if o.half == "fresh6"]
    assert len(fresh6) >= 18
    assert sum(o.kind == "listing" for o in fresh6) >= 7


@pytest.mark.xfail(strict=True, reason="fresh6 measured once: listings 4/7 (57 %), after the eighth round 5/7 (71 %), "
                   "target 85 %: bnqt_blog_home (a teaser slider merged with the posts, 15 for 5), newyorker_home "
                   "(27 for 24)")
def test_fresh6_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh6")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh6")


def test_fresh6_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 9/11 (82 %; foxnews_article's related list and iens_restaurant_reviews' reviews were
    proposed); after the eighth round, tuned on them: 11/11."""
    assert _share(bench.figures(outcomes, "fresh6")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh6")


def test_fresh6_feeds(outcomes: list) -> None:
    """Measured once: 4/4."""
    _all_feeds_chosen(outcomes, "fresh6", 4)


# --- fresh7: collected on Dec 2 (truth committed in 535313d before add ran on it; its three Hacker News pages
# dropped before the run, the site being in earlier halves), measured at 15:34 UTC after the seventh round and
# again after the eighth, tuned on by neither; then tuned on (ninth round). 12 pages: 7 listings, 5 others. ---


def test_the_fresh7_half_has_twelve_pages_seven_of_them_listings(outcomes: list) -> None:
    fresh7 = [o for o in outcomes if o.half == "fresh7"]
    assert len(fresh7) >= 12
    assert sum(o.kind == "listing" for o in fresh7) >= 7


def test_fresh7_listings_get_the_right_list(outcomes: list) -> None:
    """Measured after the seventh and the eighth rounds (tuned on by neither): 4/7 (57 %), under the 85 % target;
    missed yahoo_de_search (13 for 11), epicentrk_shop_category (each card twice, 44 for 22), udn_news_home (a
    tab strip). Tuned on in the ninth round (so fresh7 is tuning data now): 6/7 (86 %)."""
    assert _share(bench.figures(outcomes, "fresh7")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh7")


def test_fresh7_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 5/5."""
    assert _share(bench.figures(outcomes, "fresh7")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh7")


def test_fresh7_feeds(outcomes: list) -> None:
    """Measured once: 1/1 (the blog home's own feed)."""
    _all_feeds_chosen(outcomes, "fresh7", 1)


# --- fresh8, fresh9, fresh10: collected on Dec 2 (truth committed in b7fe1c8, 3be647b and 4b8a875 before add ran on
# them), each measured once with crawler/discover.py untouched since the tenth round (3226edb); the eleventh round
# was tuned on fresh8 only (so fresh8 is tuning data now, fresh9 and fresh10 are not). All pages in the repository. ---


def _half(outcomes: list, name: str) -> list:
    return [o for o in outcomes if o.half == name]


def test_the_fresh8_half_has_sixteen_pages_eight_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh8")) >= 16
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh8")) >= 8


@pytest.mark.xfail(strict=True, reason="fresh8 measured once (18:41 UTC Dec 2): listings 4/8 (50 %); after the "
                   "eleventh round, tuned on it, 5/8 (62 %), target 85 %: npmjs_home (package names of one word, "
                   "nothing proposed), beatport_genre (6 chart boxes), beatport_home (115 for 25)")
def test_fresh8_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh8")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh8")


def test_fresh8_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 8/8."""
    assert _share(bench.figures(outcomes, "fresh8")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh8")


def test_the_fresh9_half_has_sixteen_pages_seven_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh9")) >= 16
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh9")) >= 7


def test_fresh9_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (18:59 UTC Dec 2): 6/7 (86 %), the target met; missed mdn_search_results (nothing proposed:
    its results are titled by code identifiers such as ``Array.prototype.map()``). 7/7 since the eighteenth round
    (a whole heading naming an entry by several parts is a headline)."""
    assert _share(bench.figures(outcomes, "fresh9")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh9")


@pytest.mark.xfail(strict=True, reason="fresh9 measured once (18:59 UTC Dec 2): non-listings 8/9 (89 %), target 90 %: "
                   "edworkingpapers_paper (a paper's page: its \"Related Resources\" block of another site proposed)")
def test_fresh9_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh9")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh9")


def test_the_fresh10_half_has_twelve_pages_six_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh10")) >= 12
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh10")) >= 6


@pytest.mark.xfail(strict=True, reason="fresh10 measured once (19:04 UTC Dec 2): listings 1/6 (17 %), target 85 %: "
                   "amazon_de_bestsellers (30 rating rows), amazon_com_bestsellers (90 for 30), ebay_de_search (a "
                   "carousel merged in, 68 for 60), hardwarefr_forum_topics (222 for 54: each row's last-post link), "
                   "geizhals_nas_category (a 2-item list); after the twelfth round, tuned on it, 5/6 (83 %): "
                   "geizhals_nas_category, under the 3-item minimum by design")
def test_fresh10_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh10")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh10")


def test_fresh10_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 6/6."""
    assert _share(bench.figures(outcomes, "fresh10")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh10")


def test_no_fresh8_to_fresh10_page_gets_the_wrong_feed(outcomes: list) -> None:
    """None of their listings advertises a category feed, so the target is only checked as "never a wrong one"."""
    assert not [o.name for o in outcomes if o.half in ("fresh8", "fresh9", "fresh10") and o.feed_ok is False]


# --- fresh11: collected on Dec 3 (truth committed in 8dc65aa before add ran on it), measured once (10:59 UTC) with
# crawler/discover.py at the eleventh round, then tuned on (its two listing misses; twelfth round): tuning data now.
# 10 pages, all in the repository: 4 listings (a search page and three court-opinion lists), 6 others. ---


def test_the_fresh11_half_has_ten_pages_four_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh11")) >= 10
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh11")) >= 4


def test_fresh11_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (10:59 UTC Dec 3): 2/4 (50 %), under the 85 % target; missed bing_microsoft_search (26 for 10:
    the blocks inside each result, which its sitelinks had kept from being items) and massgov_new_opinions (nothing:
    its bare ``li > a`` list beside a menu and two short lists). Tuned on them in the twelfth round: 4/4."""
    assert _share(bench.figures(outcomes, "fresh11")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh11")


def test_fresh11_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 6/6."""
    assert _share(bench.figures(outcomes, "fresh11")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh11")


def test_fresh11_feeds(outcomes: list) -> None:
    """Measured once: 1/1 (the search's own RSS)."""
    _all_feeds_chosen(outcomes, "fresh11", 1)


# --- fresh12: collected on Dec 3 (truth committed in bf91f55 before add ran on it), measured once (11:45 UTC) with
# crawler/discover.py at the twelfth round, then tuned on (thirteenth round): tuning data now. 12 pages, all in the
# repository: 7 listings (four Japanese news lists, a link blog, two Chinese forum boards), 5 articles. ---


def test_the_fresh12_half_has_twelve_pages_seven_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh12")) >= 12
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh12")) >= 7


def test_fresh12_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (11:45 UTC Dec 3): 4/7 (57 %); 5/7 after the thirteenth round, tuned on it; 6/7 (86 %) since
    the fourteenth (ads slotted among a forum's threads left out). Still missed: adactio_links (each entry's
    permalink taken, the truth is the linked page)."""
    assert _share(bench.figures(outcomes, "fresh12")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh12")


def test_fresh12_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 5/5."""
    assert _share(bench.figures(outcomes, "fresh12")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh12")


def test_fresh12_feeds(outcomes: list) -> None:
    """Measured once: 1/2 (adactio's "/links" page got the site's "/rss/", not "/links/rss"); 2/2 since the
    thirteenth round (a feed named by the page's whole path)."""
    _all_feeds_chosen(outcomes, "fresh12", 2)


# --- fresh13 and fresh14: collected on Dec 3 by two collectors at once (truth committed in bbeba22 and b0bc616
# before add ran on them), measured once (13:37 and 13:36 UTC) with crawler/discover.py at the fourteenth round,
# then tuned on (fifteenth round): tuning data now. fresh13: 13 pages of seven Python and JavaScript projects, 8
# listings (a news home, a tech blog home, a link aggregator, a club's news page, a forum board, a package search,
# two job lists), 5 others (a form, a product, an article, a job ad, a profile). fresh14: 11 pages of four PHP, C#,
# Kotlin and Ruby projects, 6 listings (two French news homes, a Chinese blog hub, three Chinese shop and
# restaurant lists), 5 others (an article, a comic strip, a FAQ, a 404, an article). ---


def test_the_fresh13_half_has_thirteen_pages_eight_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh13")) >= 13
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh13")) >= 8


def test_fresh13_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once (13:37 UTC Dec 3): 2/8 (25 %) as printed, 3/8 (38 %) once the judge compared the truth's
    links normalised like the extracted ones (TechCrunch's end in a slash; its list was right). 7/8 (88 %) since
    the fifteenth round, tuned on it. Still missed: drudge_report_home (flat columns of links, the site's
    newspaper directory in the same element as the stories)."""
    assert _share(bench.figures(outcomes, "fresh13")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh13")


def test_fresh13_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 5/5."""
    assert _share(bench.figures(outcomes, "fresh13")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh13")


def test_fresh13_feeds(outcomes: list) -> None:
    """Measured once: 1/1."""
    _all_feeds_chosen(outcomes, "fresh13", 1)


def test_the_fresh14_half_has_eleven_pages_six_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh14")) >= 11
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh14")) >= 6


@pytest.mark.xfail(strict=True, reason="fresh14 measured once (13:36 UTC Dec 3): listings 4/6 (67 %), the same "
                   "after the fifteenth round, target 85 %: universfreebox_home (its 25 news merged with four side "
                   "boxes of the same site's stories, 73 for 25), dianping_japanese_restaurants (restaurant names "
                   "of a few characters lose to a block of SEO links)")
def test_fresh14_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh14")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh14")


def test_fresh14_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 5/5."""
    assert _share(bench.figures(outcomes, "fresh14")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh14")


def test_fresh14_feeds(outcomes: list) -> None:
    """Measured once: 3/3."""
    _all_feeds_chosen(outcomes, "fresh14", 3)


# --- fresh15 and fresh16: collected on Dec 3 by two collectors at once (truth committed in 6dd2bad and bc56f28
# before add ran on them), measured once (14:21 and 14:20 UTC) with crawler/discover.py at the fifteenth round, then
# tuned on (sixteenth round): tuning data now. fresh15: 9 pages of three Python and JavaScript projects, 5 listings
# (a game's forum board, news archive and character bazaar, a tracker's search results and latest torrents), 4
# others (two forms, a topic, a housing programme). fresh16: 8 pages of four Ruby, Go and Elixir projects, 3
# listings (a motorbike classifieds search, a Japanese forum portal, a carrier registry search), 5 others (an ad,
# a "record not found" page, a carrier snapshot, a blog post, an abstract). ---


def test_the_fresh15_half_has_nine_pages_five_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh15")) >= 9
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh15")) >= 5


@pytest.mark.xfail(strict=True, reason="fresh15 measured once (14:21 UTC Dec 3): listings 2/5 (40 %); after the "
                   "sixteenth round, tuned on it, 4/5 (80 %), target 85 %: tibia_char_bazaar (titles are one-word "
                   "character names with no summary, like a menu's)")
def test_fresh15_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh15")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh15")


def test_fresh15_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 4/4."""
    assert _share(bench.figures(outcomes, "fresh15")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh15")


def test_the_fresh16_half_has_eight_pages_three_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh16")) >= 8
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh16")) >= 3


@pytest.mark.xfail(strict=True, reason="fresh16 measured once (14:20 UTC Dec 3): listings 1/3 (33 %); after the "
                   "sixteenth round 2/3 (67 %), target 85 %: itest5ch_home (its hot-thread blocks sit in a "
                   "ranking region, chrome, beside a menu of over a thousand boards)")
def test_fresh16_listings_get_the_right_list(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh16")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh16")


def test_fresh16_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 3/5 (60 %): a classified ad (its long sections, each ending in a "See all" link) and a
    registry record (its field labels linking to a help page) got proposals. 5/5 since the sixteenth round."""
    assert _share(bench.figures(outcomes, "fresh16")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh16")


def test_a_registry_search_whose_rows_a_layout_row_wraps_is_read_row_by_row(outcomes: list) -> None:
    """The registry's layout leaves a row open around its 484 result rows; that wrapper row, titled by every
    entry at once, is no item (sixteenth round): 485 items before, 484 now."""
    [page] = [o for o in outcomes if o.name == "safer_company_search"]
    assert page.passed, page.detail


# --- fresh17: collected on Dec 3 (truth committed in 61fa912 before add ran on it), measured once (14:56 UTC) with
# crawler/discover.py at the sixteenth round: 5 pages of two Python projects, 2 listings (a WordPress category of
# meeting minutes, a commission's calendar of hearings), 3 others (an event page, a 404, an anime's entry). ---


def test_the_fresh17_half_has_five_pages_two_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh17")) >= 5
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh17")) >= 2


def test_fresh17_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once: 2/2."""
    assert _share(bench.figures(outcomes, "fresh17")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh17")


@pytest.mark.xfail(strict=True, reason="fresh17 measured once (14:56 UTC Dec 3): non-listings 2/3 (67 %), target "
                   "90 %: mal_anime_entry (an anime's entry page: its cast table of four character and voice actor "
                   "names is proposed)")
def test_fresh17_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    assert _share(bench.figures(outcomes, "fresh17")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh17")


def test_fresh17_feeds(outcomes: list) -> None:
    """Measured once: 1/1 (the category's own feed)."""
    _all_feeds_chosen(outcomes, "fresh17", 1)


# --- fresh18: collected on Dec 3 (truth committed in 7bf1d00 before add ran on it), measured once (16:52 UTC Dec 3)
# with crawler/discover.py at the sixteenth round: 11 pages of six JavaScript, Ruby and Rust projects, 7 listings (a
# music shop's search and tag pages, a tracker's search and top 100, a film database's search, a job board's search,
# a cinema's films), 4 others (an album page, a torrent's page, a Rust API page, a job ad). ---


def test_the_fresh18_half_has_eleven_pages_seven_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh18")) >= 11
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh18")) >= 7


def test_fresh18_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once: 5/7 (71 %): the job board's vendor credit was one more job (its list table is classed by an
    acronym, which did not count as a hand-written class), and of a search's tracks, albums and artists only the
    tracks were taken. 7/7 since the seventeenth round."""
    assert _share(bench.figures(outcomes, "fresh18")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh18")


def test_fresh18_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 4/4 (the album page by its artist's feed)."""
    assert _share(bench.figures(outcomes, "fresh18")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh18")


# --- fresh20: collected on Dec 3 (truth committed in 3caded7 before add ran on it), measured once (17:27 UTC Dec 3)
# with crawler/discover.py at the eighteenth round (7e2889b): 6 pages of three Ruby, Python and Rust projects, 2
# listings (a price tracker's deals grid, a conservation district's events), 4 others (three meeting pages, a wiki's
# list of applications). ---


def test_the_fresh20_half_has_six_pages_two_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh20")) >= 6
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh20")) >= 2


def test_fresh20_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once: 1/2: the deals grid was read by each card's "View On Microsoft.com" button (one text to
    "/link/<id>"). 2/2 since the nineteenth round: a title repeated to one path but for its number is a button."""
    assert _share(bench.figures(outcomes, "fresh20")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh20")


def test_fresh20_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 4/4."""
    assert _share(bench.figures(outcomes, "fresh20")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh20")


def test_fresh20_feeds(outcomes: list) -> None:
    """Measured once: 1/1 (the events' own feed)."""
    _all_feeds_chosen(outcomes, "fresh20", 1)


# --- fresh19: collected on Dec 3 (truth committed in b270d6b before add ran on it), measured once (17:37 UTC Dec 3)
# with crawler/discover.py at the nineteenth round (da6422b): 11 pages of seven Go, TypeScript, JavaScript and Java
# projects, 6 listings (a Taiwanese forum board, a rentals search, a Chinese medical channel's news, a Japanese
# chain's news releases, a game's news index, a card database's search), 5 others (a forum post, a forum's
# not-found page, a paper's abstract, two product pages). ---


def test_the_fresh19_half_has_eleven_pages_six_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh19")) >= 11
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh19")) >= 6


def test_fresh19_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once: 4/6 (67 %): the medical channel's sidebar modules beat its news (the list its pager,
    "下一页", sits beside), and the card search, an XHTML page opening with an XML declaration, was read as XML
    (no link found). 6/6 since the twentieth round."""
    assert _share(bench.figures(outcomes, "fresh19")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh19")


def test_fresh19_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 4/5 (80 %): a product page's recently-viewed carousel was proposed. 5/5 since the twentieth
    round: a page declaring itself one product (``og:type=product``) names one document."""
    assert _share(bench.figures(outcomes, "fresh19")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh19")


def test_fresh19_feeds(outcomes: list) -> None:
    """Measured once: 1/1 (the channel's own feed)."""
    _all_feeds_chosen(outcomes, "fresh19", 1)


# --- fresh21: collected on Dec 3 (truth committed in 7430f32 before add ran on it), measured once (17:56 UTC Dec 3)
# with crawler/discover.py at the twentieth round (60a7798): 12 pages of six Python, Rust, Ruby, Elixir and JavaScript
# projects in Finnish, Japanese, French, Chinese, German and English, 7 listings (a classifieds search, a ramen
# ranking, a 2012 portal home, three forum thread lists, a web archive's captures), 5 others. ---


def test_the_fresh21_half_has_twelve_pages_seven_of_them_listings(outcomes: list) -> None:
    assert len(_half(outcomes, "fresh21")) >= 12
    assert sum(o.kind == "listing" for o in _half(outcomes, "fresh21")) >= 7


def test_fresh21_listings_get_the_right_list(outcomes: list) -> None:
    """Measured once: 4/7 (57 %): the classifieds search was refused as a log-in page (its sellers' log-in box
    beside nine headed ads), the ranking page's list was chrome (a region named "ranking"), and the portal home
    merged a travel agency's promotions with its news. 6/7 (86 %) since the twenty-first round; the portal stays
    a miss."""
    assert _share(bench.figures(outcomes, "fresh21")["listings"]) >= 0.85, _failed(outcomes, "listing", "fresh21")


def test_fresh21_non_listings_get_nothing_or_a_feed(outcomes: list) -> None:
    """Measured once: 5/5."""
    assert _share(bench.figures(outcomes, "fresh21")["non-listings"]) >= 0.90, _failed(outcomes, "other", "fresh21")
