"""One long-lived Scrapy crawler per process serves every source run: `once` over many sources and the daemon's
passes open it once. Runs on it stay apart: each keeps its own pages, next pages, and failure reason.

The crawl engine logs (at debug) when Scrapy's ``engine_started`` signal reaches it and when its crawler closed,
with how many jobs it served; the tests count those lines of real ``newswatch`` processes on the fixture site.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support.cli import newswatch
from support.daemon import Background
from support.pages import Item, listing, rss
from support.runs import config, feed_source, html_source, query
from support.server import FixtureSite
from support.waiting import wait_until

OPENED = "crawl engine opened"
CLOSED = "crawl engine closed after"


def _sources(site: FixtureSite, prefix: str) -> str:
    """Seven sources of every kind and outcome: paged, feed, full text, HTTP error, redirect loop, off site."""
    page2 = site.set(f"{prefix}/paged/2", listing([Item("Second page story", f"{prefix}/p2")]))
    paged = site.set(f"{prefix}/paged/1", listing([Item("First page story", f"{prefix}/p1")], next_href=page2))
    plain = site.set(f"{prefix}/plain", listing([Item("Plain story", f"{prefix}/plain-story")]))
    feed = site.set(f"{prefix}/feed.xml", rss([Item("Feed story", site.url(f"{prefix}/f1"))]),
                    content_type="application/rss+xml")
    full = site.set(f"{prefix}/full", listing([Item("Full text story", f"{prefix}/story-old")]))
    site.set(f"{prefix}/loop/a", "", status=302, headers={"Location": f"{prefix}/loop/b"})
    site.set(f"{prefix}/loop/b", "", status=302, headers={"Location": f"{prefix}/loop/a"})
    away = site.set(f"{prefix}/away", "", status=301,
                    headers={"Location": f"http://localhost:{site.server.server_address[1]}{prefix}/plain"})
    return "".join((
        html_source("paged", paged, "pages = 2"), html_source("plain", plain), feed_source("feed", feed),
        html_source("full", full, "full_text = true"), html_source("gone", site.url(f"{prefix}/nothing-here")),
        html_source("loop", site.url(f"{prefix}/loop/a")), html_source("away", away),
    ))


def _last_runs(workdir: Path) -> dict[str, dict[str, object]]:
    return {r["source"]: r for r in query(workdir, "SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY id")}


def _once(workdir: Path) -> list[str]:
    proc = newswatch("--log-level", "debug", "once", "-c", workdir / "config.toml", cwd=workdir)
    assert proc.returncode == 1, proc.stderr[-4000:]  # three sources fail, on purpose
    return proc.stderr.splitlines()


def test_once_serves_every_source_from_one_crawler(site: FixtureSite, prefix: str, workdir: Path) -> None:
    config(workdir, _sources(site, prefix), "", "")
    unchanged = {"paged": "ok", "plain": "unchanged", "feed": "unchanged", "full": "ok"}  # pass 2; paged: no hash
    for new_story, jobs in ((None, 7), ("/story", 8)):  # pass 2: a new article on the full-text source
        if new_story:
            site.set(f"{prefix}{new_story}", "<html><body><article><p>" + "Full text words. " * 40 + "</p>")
            site.set(f"{prefix}/full", listing([Item("Newer story", f"{prefix}{new_story}"),
                                                Item("Full text story", f"{prefix}/story-old")]))
        lines = _once(workdir)
        assert sum(OPENED in line for line in lines) == 1, "\n".join(lines[-60:])
        closed = [line for line in lines if CLOSED in line]
        assert len(closed) == 1 and f"after {jobs} jobs" in closed[0], closed  # 7 runs (+ 1 full-text fetch)
        runs = _last_runs(workdir)
        expected = dict.fromkeys(unchanged, "baseline") if jobs == 7 else unchanged
        assert {name: runs[name]["outcome"] for name in unchanged} == expected
        assert runs["gone"]["error"] == f"HTTP 404 from {site.url(f'{prefix}/nothing-here')}"
        assert runs["loop"]["error"].startswith("redirect loop: "), runs["loop"]
        assert runs["away"]["error"].startswith("redirected off the source's site"), runs["away"]
    assert len(site.hits(f"{prefix}/paged/2")) == 2, "the next page is part of its run, each pass"
    assert len(site.hits(f"{prefix}/story")) == 1, "the new article's page fetched for its full text"


def _finished(workdir: Path, source: str) -> int:
    """Finished runs of ``source`` (none while the daemon has not created its database yet)."""
    try:
        return len(query(workdir, "SELECT id FROM runs WHERE source = ? AND finished_at IS NOT NULL", (source,)))
    except sqlite3.OperationalError:
        return 0


def test_the_daemons_passes_share_one_crawler(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/plain", listing([Item("Plain story", f"{prefix}/plain-story")]))
    other = site.set(f"{prefix}/other", listing([Item("Other story", f"{prefix}/other-story")]))
    config(workdir, html_source("plain", url, 'interval = "1s"') + html_source("other", other, 'interval = "1s"'),
           "", "")
    with (workdir / "config.toml").open("a") as out:
        out.write('\n[scheduler]\njitter = "0s"\ngrace = "5s"\n')
    daemon = Background("--log-level", "debug", "run", "-c", workdir / "config.toml", cwd=workdir)
    try:
        wait_until(lambda: all(_finished(workdir, name) >= 3 for name in ("plain", "other")),
                   "three finished runs of each source", 60, daemon.tail)
        daemon.proc.terminate()
        assert daemon.wait(30) == 0
    finally:
        if daemon.proc.poll() is None:
            daemon.proc.kill()
    assert daemon.count(OPENED) == 1, daemon.tail()
    assert daemon.count(CLOSED) == 1, daemon.tail()
