"""`newswatch once` end to end: real subprocesses crawling the local fixture site over real sockets."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from support.cli import newswatch, user_error_lines, write_config
from support.configs import base, feed_source, html_source
from support.pages import Item, atom, listing, rss
from support.server import FixtureSite

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


# -- helpers --------------------------------------------------------------------


def once(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = newswatch("once", "-c", workdir / "config.toml", *args, cwd=workdir)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def rows(workdir: Path, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    with sqlite3.connect(workdir / "newswatch.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def runs(workdir: Path, source: str) -> list[dict[str, Any]]:
    return rows(workdir, "SELECT * FROM runs WHERE source = ? ORDER BY id", (source,))


def stored_urls(workdir: Path) -> set[str]:
    return {r["url"] for r in rows(workdir, "SELECT url FROM articles")}


def listed_by(workdir: Path, source: str) -> set[str]:
    """Canonical URLs of the articles ``source`` listed."""
    sql = "SELECT a.url FROM articles a JOIN article_sources s ON s.article_id = a.id WHERE s.source = ?"
    return {r["url"] for r in rows(workdir, sql, (source,))}


def cli_json(workdir: Path, *args: str) -> Any:
    proc = newswatch(*args, "-c", workdir / "config.toml", "--json", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def status(workdir: Path) -> dict[str, dict[str, Any]]:
    return {row["source"]: row for row in cli_json(workdir, "status")["sources"]}


def header(hit: dict[str, str], name: str) -> str | None:
    return next((v for k, v in hit.items() if k.lower() == name.lower()), None)


def items(prefix: str, *numbers: int) -> list[Item]:
    """Listing cards with relative links, as news sites write them."""
    return [Item(f"Story {n}", f"{prefix}/news/{n}/", f"Summary {n}", f"2025-03-0{n % 9 + 1}T08:00:00Z")
            for n in numbers]


def table_row(stdout: str, source: str) -> list[str]:
    """The cells of ``source``'s row in a printed table."""
    return next(line.split() for line in stdout.splitlines() if line.split()[:1] == [source])


# -- new articles -----------------------------------------------------------------


def test_baseline_then_exactly_the_new_articles(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/list", listing(items(prefix, 1, 2)))
    write_config(workdir, base() + html_source("news", url))

    first = once(workdir)
    assert first.returncode == 0, first.stderr
    assert [(r["outcome"], r["items"], r["new"]) for r in runs(workdir, "news")] == [("baseline", 2, 2)]
    before = stored_urls(workdir)

    site.set(f"{prefix}/list", listing(items(prefix, 3, 4, 1, 2)))
    second = once(workdir)
    assert second.returncode == 0, second.stderr
    assert table_row(second.stdout, "news")[:4] == ["news", "ok", "4", "2"]
    last = runs(workdir, "news")[-1]
    assert (last["outcome"], last["items"], last["new"], last["error"]) == ("ok", 4, 2, None)
    assert stored_urls(workdir) - before == {site.url(f"{prefix}/news/3/"), site.url(f"{prefix}/news/4/")}

    listed = cli_json(workdir, "articles")
    assert [a["title"] for a in listed] == ["Story 4", "Story 3", "Story 2", "Story 1"]
    assert listed[0]["url"] == site.url(f"{prefix}/news/4/")  # relative link resolved against the page
    assert listed[0]["sources"] == ["news"]
    assert listed[0]["summary"] == "Summary 4"
    assert listed[0]["published_at"] == "2025-03-05T08:00:00+00:00"


def test_an_article_on_a_listing_and_a_feed_is_one_article_with_two_sources(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    story = site.url(f"{prefix}/news/7/")
    page = site.set(f"{prefix}/list", listing([Item("Deportations rise", f"{prefix}/news/7/?utm_source=tag#top")]))
    feed = site.set(f"{prefix}/feed", rss([Item("Deportations rise", story + "?utm_medium=rss&fbclid=abc")]),
                    content_type=RSS)
    write_config(workdir, base() + html_source("tag", page) + feed_source("rss", feed))

    proc = once(workdir)
    assert proc.returncode == 0, proc.stderr
    assert stored_urls(workdir) == {story}
    assert rows(workdir, "SELECT count(*) AS n FROM articles") == [{"n": 1}]
    assert listed_by(workdir, "rss") == listed_by(workdir, "tag") == {story}
    assert sum(r["new"] for r in rows(workdir, "SELECT new FROM runs")) == 1


# -- pagination ----------------------------------------------------------------------


def test_pages_limits_how_far_the_next_link_is_followed(site: FixtureSite, prefix: str, workdir: Path) -> None:
    for name, first in (("deep", 1), ("shallow", 11)):
        page2, page3 = f"{prefix}/{name}?page=2", f"{prefix}/{name}?page=3"
        site.set(f"{prefix}/{name}", listing(items(prefix, first), next_href=page2))
        site.set(page2, listing(items(prefix, first + 1), next_href=page3))
        site.set(page3, listing(items(prefix, first + 2)))
    write_config(workdir, base() + html_source("deep", site.url(f"{prefix}/deep"), pages=2)
                 + html_source("shallow", site.url(f"{prefix}/shallow"), pages=1))

    proc = once(workdir)
    assert proc.returncode == 0, proc.stderr
    assert listed_by(workdir, "deep") == {site.url(f"{prefix}/news/{n}/") for n in (1, 2)}
    assert listed_by(workdir, "shallow") == {site.url(f"{prefix}/news/11/")}
    assert [len(site.hits(f"{prefix}/deep?page={n}")) for n in (2, 3)] == [1, 0]
    assert site.hits(f"{prefix}/shallow?page=2") == []


# -- feeds ---------------------------------------------------------------------------


def test_rss_and_atom_entries_become_articles(site: FixtureSite, prefix: str, workdir: Path) -> None:
    feeds = (("rss", rss, RSS, "Tue, 04 Mar 2025 05:06:07 GMT"), ("atom", atom, ATOM, "2025-03-04T05:06:07Z"))
    config = base()
    for name, render, content_type, date in feeds:
        entries = [
            Item(f"Extradition <b>request</b> denied ({name})", site.url(f"{prefix}/{name}/1/"),
                 "A <i>court</i> ruled.", date),
            Item(f"Relative link ({name})", f"{prefix}/{name}/2/", "", date),
        ]
        config += feed_source(name, site.set(f"{prefix}/{name}.xml", render(entries), content_type=content_type))
    write_config(workdir, config)

    proc = once(workdir)
    assert proc.returncode == 0, proc.stderr
    stored = rows(workdir, "SELECT title, url, summary, published_at FROM articles")
    for name, *_ in feeds:
        assert sorted((r["title"], r["url"], r["published_at"]) for r in stored if f"/{name}/" in r["url"]) == [
            (f"Extradition request denied ({name})", site.url(f"{prefix}/{name}/1/"), "2025-03-04T05:06:07+00:00"),
            (f"Relative link ({name})", site.url(f"{prefix}/{name}/2/"), "2025-03-04T05:06:07+00:00"),
        ]
    assert sorted(r["summary"] for r in stored) == ["", "", "A court ruled.", "A court ruled."]


# -- cheap polling ---------------------------------------------------------------------


def test_etag_makes_the_second_pass_conditional_and_unchanged(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/list", listing(items(prefix, 1, 2)), etag=True)
    write_config(workdir, base() + html_source("news", url))
    assert once(workdir).returncode == 0
    assert header(site.hits(f"{prefix}/list")[0], "If-None-Match") is None  # nothing to validate yet

    proc = once(workdir)
    assert proc.returncode == 0, proc.stderr
    stored_etag = rows(workdir, "SELECT etag FROM sources WHERE name = 'news'")[0]["etag"]
    assert stored_etag and header(site.hits(f"{prefix}/list")[1], "If-None-Match") == stored_etag
    assert [r["outcome"] for r in runs(workdir, "news")] == ["baseline", "unchanged"]
    assert table_row(proc.stdout, "news")[:3] == ["news", "unchanged", "2"]


def test_an_identical_body_without_validators_is_unchanged(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/list", listing(items(prefix, 1, 2)))
    write_config(workdir, base() + html_source("news", url))
    assert once(workdir).returncode == 0
    assert once(workdir).returncode == 0
    assert header(site.hits(f"{prefix}/list")[1], "If-None-Match") is None
    assert [r["outcome"] for r in runs(workdir, "news")] == ["baseline", "unchanged"]


def test_redirects_are_followed(site: FixtureSite, prefix: str, workdir: Path) -> None:
    config = base()
    for code in (301, 302):
        old = site.set(f"{prefix}/old{code}", "", status=code, headers={"Location": f"{prefix}/new{code}/list"})
        site.set(f"{prefix}/new{code}/list", listing([Item(f"Moved {code}", "story/")]))
        config += html_source(f"moved{code}", old)
    write_config(workdir, config)

    proc = once(workdir)
    assert proc.returncode == 0, proc.stderr
    for code in (301, 302):  # links resolve against the final URL
        assert listed_by(workdir, f"moved{code}") == {site.url(f"{prefix}/new{code}/story/")}


# -- failures stay contained -----------------------------------------------------------


def test_a_failing_source_fails_alone(site: FixtureSite, prefix: str, workdir: Path) -> None:
    good = site.set(f"{prefix}/good", listing(items(prefix, 1)))
    bad = site.set(f"{prefix}/bad", "oops", status=500, content_type="text/plain")
    moved = site.set(f"{prefix}/feed.xml", "<html><body><p>Our feed moved!</p></body></html>")
    write_config(workdir, base(retries=0) + html_source("bad", bad) + html_source("good", good)
                 + feed_source("notfeed", moved))

    proc = once(workdir)
    assert proc.returncode == 1
    assert table_row(proc.stdout, "good")[:2] == ["good", "baseline"]
    assert table_row(proc.stdout, "bad")[:2] == ["bad", "failed"]
    now = status(workdir)
    assert (now["bad"]["outcome"], now["bad"]["failures"], now["bad"]["error"]) == (
        "failed", 1, f"HTTP 500 from {bad}")
    assert (now["notfeed"]["outcome"], now["notfeed"]["failures"]) == ("failed", 1)
    assert now["notfeed"]["error"].startswith("not a feed: text/html")
    assert (now["good"]["outcome"], now["good"]["failures"], now["good"]["error"]) == ("baseline", 0, None)
    assert stored_urls(workdir) == {site.url(f"{prefix}/news/1/")}


def test_a_slow_source_times_out_while_another_succeeds(site: FixtureSite, prefix: str, workdir: Path) -> None:
    good = site.set(f"{prefix}/good", listing(items(prefix, 1)))
    slow = site.set(f"{prefix}/slow", listing(items(prefix, 2)), delay=5)
    write_config(workdir, base(timeout="1s", retries=0) + html_source("slow", slow) + html_source("good", good))

    proc = once(workdir)
    assert proc.returncode == 1
    assert [r["outcome"] for r in runs(workdir, "good")] == ["baseline"]
    assert runs(workdir, "slow")[-1]["error"] == f"timed out: {slow}"
    assert stored_urls(workdir) == {site.url(f"{prefix}/news/1/")}


def test_zero_items_after_some_fails_naming_the_selector(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/list", listing(items(prefix, 1, 2)))
    write_config(workdir, base() + html_source("news", url))
    assert once(workdir).returncode == 0

    site.set(f"{prefix}/list", listing([]).replace("Viewing results", "Redesigned page"))
    proc = once(workdir)
    assert proc.returncode == 1
    assert runs(workdir, "news")[-1]["error"] == "selector `article.result` matched nothing"
    assert rows(workdir, "SELECT consecutive_failures FROM sources") == [{"consecutive_failures": 1}]


# -- choosing sources ---------------------------------------------------------------------


def test_source_option_runs_only_that_source(site: FixtureSite, prefix: str, workdir: Path) -> None:
    one = site.set(f"{prefix}/one", listing(items(prefix, 1)))
    two = site.set(f"{prefix}/two", listing(items(prefix, 2)))
    write_config(workdir, base() + html_source("one", one) + html_source("two", two))

    proc = once(workdir, "--source", "two")
    assert proc.returncode == 0, proc.stderr
    assert site.hits(f"{prefix}/one") == []
    assert [r["source"] for r in rows(workdir, "SELECT source FROM runs")] == ["two"]


def test_an_unknown_source_is_a_user_error(site: FixtureSite, prefix: str, workdir: Path) -> None:
    one = site.set(f"{prefix}/one", listing(items(prefix, 1)))
    write_config(workdir, base() + html_source("one", one))
    lines = user_error_lines(once(workdir, "--source", "onee"))
    assert lines == ["error: no source named 'onee' (known: one)"]
    assert site.hits(f"{prefix}/one") == []


# -- preview ---------------------------------------------------------------------------------


def test_preview_prints_the_extracted_articles_and_stores_nothing(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    url = site.set(f"{prefix}/list", listing(items(prefix, 1, 2), ticker=["KGS/USD = 0.01144 0%"]))
    write_config(workdir, base() + html_source("news", url))

    proc = newswatch("preview", "-c", "config.toml", "news", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "Story 1" in proc.stdout and "Story 2" in proc.stdout
    assert site.url(f"{prefix}/news/1/") in proc.stdout
    assert "2 articles" in proc.stdout

    document = json.loads(newswatch("preview", "-c", "config.toml", "news", "--json", cwd=workdir).stdout)
    assert (document["source"], document["status"], document["error"]) == ("news", "ok", None)
    assert [a["title"] for a in document["articles"]] == ["Story 1", "Story 2"]
    assert document["articles"][0]["published"] == "2025-03-02T08:00:00+00:00"
    db = workdir / "newswatch.db"
    assert not db.exists() or rows(workdir, "SELECT count(*) AS n FROM articles") == [{"n": 0}]


def test_preview_of_a_failing_source_exits_1(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/gone", "gone", status=404, content_type="text/plain")
    write_config(workdir, base() + html_source("news", url))
    proc = newswatch("preview", "-c", "config.toml", "news", "--json", cwd=workdir)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == f"HTTP 404 from {url}"
