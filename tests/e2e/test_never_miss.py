"""Alerts that must never be lost on pages nobody here wrote: watch scope across sources, bad links, bad entries.

Every test runs `newswatch once` as a user does, against the local fixture site.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import newswatch
from support.pages import Item, listing, rss
from support.runs import config, feed_source, hook_notifier, html_source, once, query
from support.server import FixtureSite
from support.sinks import HttpSink

BAD_HREFS = ["javascript:void(0)", "mailto:desk@example.org", "tel:+15550100", "data:text/html,<p>hi</p>",
             "ftp://example.org/file", "http://[bad"]


def scoped_watches(body_word: str = "trafficking") -> str:
    return f"""
        [[watches]]
        name = "inside-only"
        keywords = ["{body_word}"]
        sources = ["inside"]
        [[watches]]
        name = "both"
        keywords = ["{body_word}"]
        sources = ["outside", "inside"]
    """


def alert_keys(workdir: Path) -> set[tuple[str, str]]:
    """(title, watch) of every article alert queued."""
    rows = query(workdir, "SELECT key, title FROM alerts WHERE kind = 'article'")
    return {(r["title"], r["key"].rsplit(":", 1)[1]) for r in rows}


def body_page(title: str, body_sentence: str) -> str:
    filler = "<p>" + "Officials met in the capital to discuss labour markets and remittances. " * 8 + "</p>"
    return f"<html><body><article><h1>{title}</h1>{filler}<p>{body_sentence}</p></article></body></html>"


def test_a_watch_considers_an_article_when_its_scope_first_lists_it(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    y = Item("Trafficking ring Y dismantled", f"{prefix}/a/y/")
    x = Item("Trafficking ring X dismantled", f"{prefix}/a/x/")
    old = Item("Old news", f"{prefix}/a/old/")
    outside = site.set(f"{prefix}/outside/", listing([y]))
    inside = site.set(f"{prefix}/inside/", listing([old]))
    config(workdir, html_source("outside", outside) + html_source("inside", inside), scoped_watches(),
           hook_notifier(hook))
    once(workdir)  # both baselines: Y is on outside's baseline
    site.set(f"{prefix}/outside/", listing([y, x]))
    once(workdir)
    assert alert_keys(workdir) == {(x.title, "both")}
    site.set(f"{prefix}/inside/", listing([old, x, y]))
    once(workdir)
    # X and Y reach inside-only's scope now; "both" considered X and Y when outside listed them.
    assert alert_keys(workdir) == {(x.title, "both"), (x.title, "inside-only"), (y.title, "inside-only")}
    once(workdir)
    assert len(hook.received) == 3


@pytest.mark.parametrize("fetcher", ["outside", "inside"])
def test_a_body_fetched_for_one_source_counts_for_every_watch(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, fetcher: str
) -> None:
    old = Item("Old news", f"{prefix}/a/old/")
    story = Item("Regional labour talks", f"{prefix}/a/story/")
    site.set(story.href, body_page(story.title, "The report documents human trafficking in construction."))
    outside = site.set(f"{prefix}/outside/", listing([old]))
    inside = site.set(f"{prefix}/inside/", listing([old]))
    full = {name: "full_text = true" if name == fetcher else "" for name in ("outside", "inside")}
    sources = html_source("outside", outside, full["outside"]) + html_source("inside", inside, full["inside"])
    watch = '[[watches]]\nname = "inside-only"\nkeywords = ["trafficking"]\nsources = ["inside"]\n'
    config(workdir, sources, watch, hook_notifier(hook))
    once(workdir)
    site.set(f"{prefix}/outside/", listing([old, story]))
    once(workdir)
    assert hook.received == []  # outside is not in the watch's scope
    site.set(f"{prefix}/inside/", listing([old, story]))
    once(workdir)
    [message] = hook.received
    assert message["title"].endswith(story.title) or story.title in message["message"]
    assert "trafficking in construction" in message["message"]
    assert len(site.hits(story.href)) == 1  # the body is fetched once, for whichever source is full_text


def test_links_that_are_not_http_are_skipped_and_counted_and_full_text_goes_on(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    old = Item("Old news", f"{prefix}/a/old/")
    page = site.set(f"{prefix}/list/", listing([old]))
    config(workdir, html_source("page", page, "full_text = true\npages = 2"),
           '[[watches]]\nname = "topic"\nkeywords = ["trafficking"]\n', hook_notifier(hook))
    once(workdir)
    bad = [Item(f"Trafficking trap {i}", href) for i, href in enumerate(BAD_HREFS)]
    good = [Item(f"Regional labour talks {i}", f"{prefix}/a/{i}/") for i in range(3)]
    for item in good:
        site.set(item.href, body_page(item.title, "The ministry reported forced labour and trafficking cases."))
    site.set(f"{prefix}/list/", listing([old, *bad, good[0], *bad, *good[1:]], next_href="javascript:next()"))
    proc = once(workdir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"skipped {2 * len(BAD_HREFS) + 1} links that are not http(s)" in proc.stdout
    links = [r["link"] for r in query(workdir, "SELECT link FROM articles")]
    assert all(link.startswith("http://127.0.0.1:") for link in links), links
    assert sorted(m["title"] for m in hook.received) == sorted(i.title for i in good)
    skipped = query(workdir, "SELECT skipped FROM runs WHERE skipped IS NOT NULL")
    assert json.loads(skipped[-1]["skipped"]) == {"links that are not http(s)": 2 * len(BAD_HREFS) + 1}


def test_feed_entries_with_bad_links_or_bad_characters_are_skipped_alone(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    good = [Item(f"Story {i}", f"{prefix}/a/{i}/") for i in range(3)]
    body = rss([good[0], Item("Scripted", "javascript:alert(1)"), Item("Broken &#xD800; text", f"{prefix}/a/b/"),
                good[1], Item("Mail us", "mailto:desk@example.org"), good[2]])
    body = body.replace("Broken &amp;#xD800; text", "Broken &#xD800; text")  # an invalid character reference
    feed = site.set(f"{prefix}/feed.xml", body, content_type="application/rss+xml")
    config(workdir, feed_source("feed", feed), "", hook_notifier(hook))
    proc = once(workdir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stored = sorted(r["title"] for r in query(workdir, "SELECT title FROM articles"))
    assert stored == [i.title for i in good]
    assert "1 entries that cannot be read" in proc.stdout and "2 links that are not http(s)" in proc.stdout
    again = once(workdir)  # and the next run of that feed is not a failure either
    assert again.returncode == 0, again.stdout


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        pytest.param(b"", "application/rss+xml", "the feed is empty", id="empty-200"),
        pytest.param(b"   \n", "application/xml", "the feed is empty", id="blank-200"),
        pytest.param(b"<html><body><p>Welcome</p></body></html>", "text/html; charset=utf-8", "not a feed: text/html",
                     id="html-page"),
        pytest.param(b"Service temporarily unavailable, try later", "application/rss+xml",
                     "not an RSS or Atom feed", id="text-as-xml"),
        pytest.param(b"<?xml version='1.0'?><note><to>me</to></note>", "text/xml", "not an RSS or Atom feed",
                     id="other-xml"),
    ],
)
def test_feed_failures_are_sentences_about_the_site(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, body: bytes, content_type: str, reason: str
) -> None:
    feed = site.set(f"{prefix}/feed.xml", body, content_type=content_type)
    config(workdir, feed_source("feed", feed), "", hook_notifier(hook))
    proc = once(workdir)
    assert proc.returncode == 1
    status = newswatch("status", "--json", "-c", workdir / "config.toml", cwd=workdir)
    [row] = json.loads(status.stdout)["sources"]
    assert row["error"].startswith(reason), row["error"]
    assert "Error" not in row["error"] and "Exception" not in row["error"] and "'" not in row["error"]
