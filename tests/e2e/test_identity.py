"""One story, one article, one alert per watch: `newswatch once` over real sockets, links spelled differently."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from support.cli import newswatch, write_config
from support.configs import base, feed_source, html_source
from support.pages import Item, listing, rss
from support.server import FixtureSite
from support.sinks import HttpSink

RSS = "application/rss+xml; charset=utf-8"


def watches_to(sink: HttpSink) -> str:
    return f"""
[[watches]]
name = "deportation"
keywords = ["deport*"]

[[watches]]
name = "trafficking"
keywords = ["trafficking"]

[[notifiers]]
name = "hook"
url = "json://127.0.0.1:{sink.port}/"
"""


def once(workdir: Path) -> subprocess.CompletedProcess[str]:
    proc = newswatch("once", "-c", workdir / "config.toml", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def rows(workdir: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(workdir / "newswatch.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


def stories(site: FixtureSite, prefix: str) -> list[tuple[str, str, str]]:
    """(title, link on the listing page, link in the feed): one story each, spelled two ways."""
    here = site.url(f"{prefix}/news/")
    return [
        ("Germany deports an activist", f"{prefix}/news/deport-1/", here + "deport-1/?utm_source=rss&utm_medium=rss"),
        ("Deportation flights resume", "http://news.example/2025/05/flights/",
         "https://www.news.example/2025/05/flights/?xtor=RSS-3208#comments"),
        ("Réfugiés expulsés: deportations rise", "https://news.example/actualité/réfugiés-expulsés",
         "https://news.example/actualit%c3%a9/r%c3%a9fugi%c3%a9s-expuls%c3%a9s?pk_campaign=feed&mtm_source=x"),
        ("Trafficking ring broken up in Osh", "https://news.example/world/../world/trafficking-ring",
         "https://NEWS.example:443/world/trafficking-ring?itm_source=parsely-api&mc_cid=abc&mc_eid=def"),
        ("Deported workers return home", "https://bücher.example/?p=4242&utm_campaign=x",
         "http://www.xn--bcher-kva.example/?p=4242"),
        ("A second deportation case", "https://bücher.example/?p=4243", "https://www.bücher.example/?p=4243&fbclid=1"),
    ]


def serve(site: FixtureSite, prefix: str, listed: list[tuple[str, str, str]]) -> tuple[str, str]:
    old = [("Weather in Almaty", f"{prefix}/news/old/", site.url(f"{prefix}/news/old/"))]
    page = site.set(f"{prefix}/list", listing([Item(t, href) for t, href, _ in [*old, *listed]]))
    feed = site.set(f"{prefix}/feed", rss([Item(t, link) for t, _, link in [*old, *listed]]), content_type=RSS)
    return page, feed


def test_two_sources_spelling_the_same_stories_differently_store_one_article_and_alert_once_per_watch(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    page, feed = serve(site, prefix, [])
    no_flood = "\n[alerts]\nflood_min = 100\n"  # six new stories at once are news here, not a changed site
    write_config(workdir, base() + no_flood + html_source("tag", page) + feed_source("rss", feed) + watches_to(hook))
    once(workdir)  # baseline of both sources
    listed = stories(site, prefix)
    serve(site, prefix, listed)
    once(workdir)
    once(workdir)

    assert rows(workdir, "SELECT count(*) AS n FROM articles") == [{"n": 1 + len(listed)}]
    per_source = rows(workdir, "SELECT article_id, count(*) AS n FROM article_sources GROUP BY article_id")
    assert all(r["n"] == 2 for r in per_source)  # every story: one article, listed by both sources
    expected = sorted([(title, "trafficking" if "Trafficking" in title else "deportation") for title, _, _ in listed])
    messages = hook.wait_for(len(expected))
    assert sorted((m["title"], m["message"].split("]")[0].lstrip("[")) for m in messages) == expected
    assert len(rows(workdir, "SELECT * FROM alerts")) == len(expected)


def test_an_edited_url_with_the_same_title_alerts_once_and_shows_in_articles(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    old = Item("Weather in Almaty", f"{prefix}/news/old/")
    page = site.set(f"{prefix}/list", listing([old]))
    write_config(workdir, base() + html_source("tag", page) + watches_to(hook))
    once(workdir)
    title = "Police arrest 3 in trafficking case"
    site.set(f"{prefix}/list", listing([old, Item(title, f"{prefix}/2025/05/police-arrest-3/")]))
    once(workdir)
    edited = f"{prefix}/2025/05/police-arrest-3-suspects/"
    site.set(f"{prefix}/list", listing([old, Item(title, edited)]))
    once(workdir)

    assert [m["title"] for m in hook.wait_for(1)] == [title]
    assert len(rows(workdir, "SELECT * FROM alerts")) == 1
    proc = newswatch("articles", "-c", workdir / "config.toml", "--json", cwd=workdir)
    [article] = [a for a in json.loads(proc.stdout) if a["title"] == title]
    assert article["link"] == site.url(f"{prefix}/2025/05/police-arrest-3/")
    assert article["also_at"] == [site.url(edited)]


def test_with_the_same_title_window_off_an_edited_url_is_a_new_article(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    old = Item("Weather in Almaty", f"{prefix}/news/old/")
    page = site.set(f"{prefix}/list", listing([old]))
    write_config(workdir, base() + '\n[alerts]\nsame_title_window = "off"\n' + html_source("tag", page)
                 + watches_to(hook))
    once(workdir)
    title = "Police arrest 3 in trafficking case"
    for slug in ("police-arrest-3", "police-arrest-3-suspects"):
        site.set(f"{prefix}/list", listing([old, Item(title, f"{prefix}/2025/05/{slug}/")]))
        once(workdir)
    assert [m["title"] for m in hook.wait_for(2)] == [title, title]
    assert rows(workdir, "SELECT count(*) AS n FROM articles") == [{"n": 3}]
