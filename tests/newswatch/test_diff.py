"""The diff engine and the store, in process, with hand-built crawl results (no network)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.config import SelectConfig, SourceConfig
from newswatch.diff import SAME_TITLE_WINDOW, RunReport, apply_crawl
from newswatch.errors import StoreError
from newswatch.model import CrawlResult, ListedArticle, Validators
from newswatch.queries import list_articles
from newswatch.schema import MIGRATIONS
from newswatch.store import Store

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LISTING = SourceConfig(
    name="listing", url="https://news.example/tag/migration/", type="html",
    select=SelectConfig(item="article.result", title="h2 a", link="h2 a::attr(href)"),
)
FEED = SourceConfig(name="feed", url="https://news.example/feed/", type="feed")


def art(n: int, title: str | None = None, query: str = "", summary: str = "") -> ListedArticle:
    return ListedArticle(title or f"Article {n}", f"https://news.example/news/{n}/{query}", summary)


NO_VALIDATORS = Validators()


def ok(source: SourceConfig, *articles: ListedArticle, validators: Validators = NO_VALIDATORS) -> CrawlResult:
    return CrawlResult(source.name, "ok", list(articles), validators=validators, pages=1)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "newswatch.db")
    yield s
    s.close()


def crawl(store: Store, source: SourceConfig, result: CrawlResult, first_run: str = "baseline",
          now: datetime = T0, same_title_window: timedelta = SAME_TITLE_WINDOW) -> RunReport:
    """One run as the pipeline records it: state read before, the diff inside one transaction."""
    state = store.source_state(source.name)
    with store.transaction():
        return apply_crawl(store, source, state, result, first_run, now, same_title_window)


def new_urls(report: RunReport) -> list[str]:
    return [a.url for a in report.new]


def source_row(store: Store, name: str) -> dict:
    return store.query("SELECT * FROM sources WHERE name = ?", [name])[0]


# -- new articles ----------------------------------------------------------------


def test_first_run_is_a_baseline_and_later_runs_report_only_new_articles(store: Store) -> None:
    first = crawl(store, LISTING, ok(LISTING, art(1), art(2)))
    assert (first.outcome, first.baseline, first.items) == ("baseline", True, 2)
    assert len(first.new) == 2  # recorded, flagged as baseline: nothing is alerted

    second = crawl(store, LISTING, ok(LISTING, art(3), art(1), art(2)), now=T0 + timedelta(minutes=15))
    assert (second.outcome, second.baseline, second.items) == ("ok", False, 3)
    assert new_urls(second) == ["https://news.example/news/3/"]
    assert second.changed == []

    third = crawl(store, LISTING, ok(LISTING, art(3), art(1)), now=T0 + timedelta(minutes=30))
    assert third.new == []


def test_first_run_alert_mode_reports_the_first_crawl_as_new(store: Store) -> None:
    report = crawl(store, LISTING, ok(LISTING, art(1)), first_run="alert")
    assert (report.outcome, report.baseline) == ("ok", False)
    assert new_urls(report) == ["https://news.example/news/1/"]


def test_an_article_on_two_sources_is_one_article_new_once(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    crawl(store, FEED, ok(FEED, art(0)))
    a = crawl(store, LISTING, ok(LISTING, art(0), art(1, query="?utm_source=listing")))
    b = crawl(store, FEED, ok(FEED, art(0), art(1, query="?utm_source=rss&fbclid=x#top")))

    assert new_urls(a) == ["https://news.example/news/1/?utm_source=listing"]  # the link as listed, for the alert
    assert b.new == []
    rows = store.query("SELECT a.url, group_concat(s.source) AS sources FROM articles a "
                       "JOIN article_sources s ON s.article_id = a.id WHERE a.url LIKE '%/1/' GROUP BY a.id")
    assert [(r["url"], sorted(r["sources"].split(","))) for r in rows] == [
        ("https://news.example/news/1/", ["feed", "listing"])
    ]


def test_the_same_article_on_two_pages_is_counted_and_stored_once(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    report = crawl(store, LISTING, ok(LISTING, art(1), art(2), art(1, query="#page-2")))
    assert report.items == 2
    assert new_urls(report) == ["https://news.example/news/1/", "https://news.example/news/2/"]
    assert store.query("SELECT count(*) AS n FROM articles")[0]["n"] == 3


def test_a_changed_title_is_reported_as_changed_not_new(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1, "Old headline", summary="same")))
    report = crawl(store, LISTING, ok(LISTING, art(1, "Corrected headline", summary="same")))
    assert report.new == []
    assert [(a.url, a.title) for a in report.changed] == [("https://news.example/news/1/", "Corrected headline")]
    assert store.query("SELECT title FROM articles")[0]["title"] == "Corrected headline"


def test_two_sources_spelling_a_title_differently_do_not_flip_it(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1, "Headline on the page")))
    crawl(store, FEED, ok(FEED, art(1, "Headline in the feed")))
    for _ in range(2):
        assert crawl(store, LISTING, ok(LISTING, art(1, "Headline on the page"))).changed == []
        assert crawl(store, FEED, ok(FEED, art(1, "Headline in the feed"))).changed == []
    assert store.query("SELECT title FROM articles")[0]["title"] == "Headline on the page"


def test_an_unchanged_article_is_neither_new_nor_changed_but_its_last_seen_moves(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1)))
    later = T0 + timedelta(hours=1)
    report = crawl(store, LISTING, ok(LISTING, art(1)), now=later)
    assert (report.new, report.changed) == ([], [])
    row = store.query("SELECT first_seen_at, last_seen_at FROM articles")[0]
    assert (row["first_seen_at"], row["last_seen_at"]) == (T0.isoformat(), later.isoformat())


# -- failures --------------------------------------------------------------------


def test_zero_items_where_there_were_some_fails_naming_the_selector(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1)))
    report = crawl(store, LISTING, ok(LISTING))
    assert report.failed
    assert report.error == "selector `article.result` matched nothing"
    assert source_row(store, "listing")["last_error"] == report.error


def test_an_empty_feed_is_fine_until_it_had_entries(store: Store) -> None:
    assert crawl(store, FEED, ok(FEED)).outcome == "baseline"
    crawl(store, FEED, ok(FEED, art(1)))
    report = crawl(store, FEED, ok(FEED))
    assert (report.outcome, report.error) == ("failed", "the feed has no entries any more")


def test_failures_count_up_and_a_success_resets_them(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1)))
    for expected in (1, 2, 3):
        report = crawl(store, LISTING, CrawlResult("listing", "failed", error="HTTP 500 from https://news.example/"))
        assert report.outcome == "failed"
        assert store.source_state("listing").consecutive_failures == expected
    assert source_row(store, "listing")["last_error"] == "HTTP 500 from https://news.example/"

    report = crawl(store, LISTING, ok(LISTING, art(1), art(2)))
    assert report.outcome == "ok"
    assert store.source_state("listing").consecutive_failures == 0
    assert source_row(store, "listing")["last_error"] is None
    assert new_urls(report) == ["https://news.example/news/2/"]  # failed runs lose no baseline


def test_a_failed_first_run_is_not_a_baseline(store: Store) -> None:
    crawl(store, LISTING, CrawlResult("listing", "failed", error="timed out"))
    report = crawl(store, LISTING, ok(LISTING, art(1)))
    assert (report.outcome, report.baseline) == ("baseline", True)


# -- conditional GET state ---------------------------------------------------------


def test_unchanged_keeps_validators_and_item_count(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1), art(2), validators=Validators('"v1"', "Sat, 01 Mar 2025", "hash1")))
    crawl(store, LISTING, CrawlResult("listing", "failed", error="timed out"))
    report = crawl(store, LISTING, CrawlResult("listing", "unchanged", validators=Validators(None, None, "")))

    assert report.outcome == "unchanged"
    state = store.source_state("listing")
    assert state.validators == Validators('"v1"', "Sat, 01 Mar 2025", "hash1")
    assert (state.last_items, state.consecutive_failures) == (2, 0)
    assert source_row(store, "listing")["last_outcome"] == "unchanged"


def test_unchanged_takes_a_refreshed_etag(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1), validators=Validators('"v1"', None, "hash1")))
    crawl(store, LISTING, CrawlResult("listing", "unchanged", validators=Validators('"v2"', None, None)))
    assert store.source_state("listing").validators == Validators('"v2"', None, "hash1")


def test_a_new_crawl_replaces_the_validators(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(1), validators=Validators('"v1"', "Sat, 01 Mar 2025", "hash1")))
    crawl(store, LISTING, ok(LISTING, art(2), validators=Validators(None, None, "hash2")))
    assert store.source_state("listing").validators == Validators(None, None, "hash2")


# -- the store ---------------------------------------------------------------------


def test_a_new_database_is_at_the_latest_schema(tmp_path: Path) -> None:
    Store(tmp_path / "db.sqlite").close()
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "articles", "article_sources", "runs", "matches", "alerts", "deliveries", "quotes"} <= tables


def test_reopening_does_not_migrate_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "db.sqlite"
    caplog.set_level(logging.DEBUG, logger="newswatch.store")
    first = Store(path)
    crawl(first, LISTING, ok(LISTING, art(1)))
    first.close()
    assert len([r for r in caplog.records if "migrated" in r.getMessage()]) == len(MIGRATIONS)

    caplog.clear()
    again = Store(path)
    assert [r.getMessage() for r in caplog.records if "migrated" in r.getMessage()] == []
    assert again.query("SELECT count(*) AS n FROM articles")[0]["n"] == 1
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_a_database_from_a_newer_newswatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer newswatch"):
        Store(path)


def test_a_failing_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.ensure_source("listing", LISTING.url, "html")
        raise RuntimeError("boom")
    assert store.source_rows() == []


# -- article identity ----------------------------------------------------------------


def story(link: str, title: str = "Police arrest three suspects in Almaty", published: datetime | None = None,
          summary: str = "") -> ListedArticle:
    return ListedArticle(title, link, summary, published)


def article_count(store: Store) -> int:
    return store.query("SELECT count(*) AS n FROM articles")[0]["n"]


def test_spellings_of_one_link_on_two_sources_are_one_article(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    crawl(store, FEED, ok(FEED, art(0)))
    page = crawl(store, LISTING, ok(LISTING, story("https://news.example/a/caf%C3%A9/?utm_source=x#top")))
    feed = crawl(store, FEED, ok(FEED, story("http://www.news.example/a/../a/café/?xtor=RSS-1&pk_kwd=y")))
    assert new_urls(page) == ["https://news.example/a/caf%C3%A9/?utm_source=x#top"]
    assert feed.new == [] and feed.items == 1
    row = store.query("SELECT url, link FROM articles WHERE title LIKE 'Police%'")[0]
    assert row == {"url": "https://news.example/a/caf%C3%A9/", "link": "https://news.example/a/caf%C3%A9/?utm_source=x#top"}


def test_an_edited_url_with_the_same_title_is_the_same_story(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    crawl(store, LISTING, ok(LISTING, art(0), story("https://news.example/2025/05/police-arrest-3/")))
    edited = "https://news.example/2025/05/police-arrest-3-suspects/"
    later = crawl(store, LISTING, ok(LISTING, art(0), story(edited, "Police arrest three suspects in Almaty!")),
                  now=T0 + timedelta(days=2))
    assert later.new == []  # (the "!" is a changed title: re-matched, alerting only watches it newly matches)
    again = crawl(store, LISTING, ok(LISTING, art(0), story(edited)), now=T0 + timedelta(days=3))
    assert again.new == []
    assert article_count(store) == 2
    [listed] = [a for a in list_articles(store) if a["title"].startswith("Police")]
    assert listed["link"] == "https://news.example/2025/05/police-arrest-3/"
    assert listed["also_at"] == [edited]
    assert [a["also_at"] for a in list_articles(store) if a["title"] == "Article 0"] == [[]]


@pytest.mark.parametrize(
    ("case", "window", "first", "second", "later"),
    [
        pytest.param("off", timedelta(0), story("https://news.example/a/1"), story("https://news.example/a/1-x"),
                     timedelta(hours=1), id="window-off"),
        pytest.param("old", timedelta(days=7), story("https://news.example/a/1"), story("https://news.example/a/1-x"),
                     timedelta(days=8), id="first-seen-before-the-window"),
        pytest.param("host", timedelta(days=7), story("https://news.example/a/1"),
                     story("https://other.example/a/1-x"), timedelta(hours=1), id="other-host"),
        pytest.param("dates", timedelta(days=7), story("https://news.example/a/1", published=T0),
                     story("https://news.example/a/2", published=T0 + timedelta(days=1)), timedelta(days=1),
                     id="published-a-day-apart"),
        pytest.param("short", timedelta(days=7), story("https://news.example/a/1", "Video"),
                     story("https://news.example/a/2", "Video"), timedelta(hours=1), id="title-too-short"),
    ],
)
def test_a_same_title_that_may_be_another_story_is_new(
    store: Store, case: str, window: timedelta, first: ListedArticle, second: ListedArticle, later: timedelta
) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    crawl(store, LISTING, ok(LISTING, art(0), first))
    report = crawl(store, LISTING, ok(LISTING, art(0), second), now=T0 + later, same_title_window=window)
    assert new_urls(report) == [second.link], case


def test_two_same_titled_links_listed_side_by_side_are_two_stories(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    monday = story("https://news.example/briefing/monday", "Morning briefing: what you need to know")
    crawl(store, LISTING, ok(LISTING, art(0), monday))
    tuesday = story("https://news.example/briefing/tuesday", monday.title)
    report = crawl(store, LISTING, ok(LISTING, art(0), monday, tuesday), now=T0 + timedelta(days=1))
    assert new_urls(report) == [tuesday.link]


def test_the_same_title_on_another_source_is_not_an_edited_url(store: Store) -> None:
    crawl(store, LISTING, ok(LISTING, art(0)))
    crawl(store, FEED, ok(FEED, art(0)))
    crawl(store, LISTING, ok(LISTING, art(0), story("https://news.example/a/1")))
    report = crawl(store, FEED, ok(FEED, art(0), story("https://news.example/a/1-edited")))
    assert new_urls(report) == ["https://news.example/a/1-edited"]
