"""One hostile or busy site never hurts the others, never leaks a secret, and fails in words.

Real servers on 127.0.0.1: the fixture site, a second site on another port, raw
TCP servers that send what no well-behaved HTTP server would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from support.cli import newswatch
from support.pages import Item, listing, rss
from support.raw import RawServer, endless_headers, truncated_body
from support.runs import config, feed_source, free_port, hook_notifier, html_source, once, query
from support.server import FixtureSite
from support.sinks import HttpSink
from w3lib.url import safe_url_string

from newswatch.store import utcnow

TOPIC = '[[watches]]\nname = "topic"\nkeywords = ["trafficking"]\n'


@pytest.fixture
def other_site() -> Iterator[FixtureSite]:
    """A second web server: another port of the same host, i.e. another site."""
    server = FixtureSite()
    yield server
    server.close()


def status_rows(workdir: Path, env: dict[str, str] | None = None) -> dict[str, dict]:
    proc = newswatch("status", "--json", "-c", workdir / "config.toml", cwd=workdir, env=env)
    assert proc.returncode == 0, proc.stderr
    return {row["source"]: row for row in json.loads(proc.stdout)["sources"]}


def article_page(title: str, sentence: str) -> str:
    filler = "<p>" + "Officials met in the capital to discuss labour markets and remittances. " * 8 + "</p>"
    return f"<html><body><article><h1>{title}</h1>{filler}<p>{sentence}</p></article></body></html>"


# --- failures in words, one site at a time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        pytest.param(endless_headers, "headers too large (over 64 KB or 256 lines)", id="endless-headers"),
        pytest.param(truncated_body, "connection closed before the response was complete", id="truncated-body"),
    ],
)
def test_a_hostile_server_fails_its_source_alone_with_a_reason_in_words(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, script, reason: str
) -> None:
    hostile = RawServer(script)
    try:
        good = site.set(f"{prefix}/list/", listing([Item("Fine story", f"{prefix}/a/1/")]))
        config(workdir, html_source("good", good) + html_source("hostile", hostile.base + "/news/"), "",
               hook_notifier(hook), crawler='retries = 0')
        proc = once(workdir)
    finally:
        hostile.close()
    rows = status_rows(workdir)
    assert rows["good"]["outcome"] == "baseline"
    assert rows["hostile"]["error"] == f"{reason}: {hostile.base}/news/", rows["hostile"]
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "twisted" not in proc.stderr.lower()


def test_a_response_over_max_size_names_the_limit(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    big = site.set(f"{prefix}/big/", listing([Item(f"Story number {i}", f"{prefix}/a/{i}/") for i in range(400)]))
    config(workdir, html_source("big", big), "", hook_notifier(hook), crawler='max_size = "16KiB"')
    proc = once(workdir)
    assert status_rows(workdir)["big"]["error"] == f"response larger than max_size (16 KiB): {big}"
    assert "Traceback" not in proc.stderr


def test_a_refused_connection_is_one_line_not_a_traceback(workdir: Path, hook: HttpSink) -> None:
    url = f"http://127.0.0.1:{free_port()}/news/"
    config(workdir, html_source("down", url), "", hook_notifier(hook), crawler="obey_robots_txt = true")
    proc = once(workdir)
    assert status_rows(workdir)["down"]["error"] == f"connection refused: {url}"
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr  # the run's log line, nothing else


# --- full_text stays on the source's site -------------------------------------------------------------


def test_full_text_never_leaves_the_sources_site(
    site: FixtureSite, other_site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    internal = other_site.set(f"{prefix}/admin/", article_page("Internal", "SECRET-INTERNAL trafficking memo."))
    on_site = Item("Trafficking report published", f"{prefix}/a/ok/")
    site.set(on_site.href, article_page(on_site.title, "The ministry published its yearly report."))
    hop = Item("Labour market update", f"{prefix}/a/hop/")
    site.set(hop.href, "", status=302, headers={"Location": internal})
    off = Item("Another labour market update", internal)
    page = site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/a/old/")]))
    config(workdir, html_source("page", page, "full_text = true"), TOPIC, hook_notifier(hook))
    once(workdir)
    site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/a/old/"), on_site, hop, off]))
    proc = once(workdir)
    assert other_site.hits(f"{prefix}/admin/") == []
    assert len(site.hits(hop.href)) == 1  # asked on site; its redirect to another port is not followed
    assert [m["title"] for m in hook.received] == [on_site.title] or on_site.title in hook.received[0]["title"]
    assert all("SECRET-INTERNAL" not in json.dumps(m) for m in hook.received)
    bodies = [r["body"] or "" for r in query(workdir, "SELECT body FROM articles")]
    assert all("SECRET-INTERNAL" not in body for body in bodies)
    assert "1 article pages on another site, not fetched for full text" in proc.stdout


# --- Retry-After ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured_until_it_passes(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, form: str
) -> None:
    later = utcnow().replace(microsecond=0) + timedelta(hours=1)
    wait = "3600" if form == "seconds" else format_datetime(later, usegmt=True)
    busy = site.set(f"{prefix}/busy/", "slow down", status=429, content_type="text/plain",
                    headers={"Retry-After": wait})
    config(workdir, html_source("busy", busy), "", hook_notifier(hook), crawler='retries = 2')
    first = once(workdir)
    assert len(site.hits(f"{prefix}/busy/")) == 1  # not retried within the pass
    assert "Retry-After" in status_rows(workdir)["busy"]["error"]
    second = once(workdir)
    assert len(site.hits(f"{prefix}/busy/")) == 1  # nor by the next pass, an hour is not over
    row = status_rows(workdir)["busy"]
    assert row["next_run"] == row["retry_after"] and row["retry_after"] > utcnow().isoformat()
    assert first.returncode == 1 and second.returncode == 0
    assert "deferred" in second.stdout


# --- robots.txt -----------------------------------------------------------------------------------------


def test_robots_txt_is_fetched_once_per_host_and_its_size_capped(
    other_site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    rules = "User-agent: *\n" + "".join(f"Disallow: /private/{i}/\n" for i in range(60_000))  # ~1.3 MB
    other_site.set("/robots.txt", rules, content_type="text/plain")
    pages = [other_site.set(f"{prefix}/s{i}/", listing([Item(f"Story {i}", f"{prefix}/a/{i}/")])) for i in range(4)]
    config(workdir, "".join(html_source(f"s{i}", url) for i, url in enumerate(pages)), "", hook_notifier(hook),
           crawler="obey_robots_txt = true")
    proc = once(workdir)
    assert len(other_site.hits("/robots.txt")) == 1  # four sources, one host: one robots.txt
    assert all(row["outcome"] == "baseline" for row in status_rows(workdir).values()), proc.stdout
    assert "Traceback" not in proc.stderr


def test_robots_txt_rules_hold_for_every_source_of_the_host(
    other_site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    other_site.set("/robots.txt", f"User-agent: *\nDisallow: {prefix}/closed/\n", content_type="text/plain")
    open_page = other_site.set(f"{prefix}/open/", listing([Item("Story", f"{prefix}/a/1/")]))
    closed = other_site.set(f"{prefix}/closed/", listing([Item("Story", f"{prefix}/a/2/")]))
    config(workdir, html_source("open", open_page) + html_source("closed", closed), "", hook_notifier(hook),
           crawler="obey_robots_txt = true")
    once(workdir)
    rows = status_rows(workdir)
    assert rows["open"]["outcome"] == "baseline"
    assert rows["closed"]["error"].startswith("forbidden by robots.txt"), rows["closed"]
    assert other_site.hits(f"{prefix}/closed/") == [] and len(other_site.hits("/robots.txt")) == 1


def test_a_robots_txt_that_never_finishes_is_one_log_line(workdir: Path, hook: HttpSink) -> None:
    slow = FixtureSite()
    try:
        slow.set("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain", delay=4)
        page = slow.set("/news/", listing([Item("Story", "/a/1/")]))
        config(workdir, html_source("slow", page), "", hook_notifier(hook),
               crawler='obey_robots_txt = true\ntimeout = "1s"')
        proc = once(workdir)
    finally:
        slow.close()
    assert "Traceback" not in proc.stderr and "File \"" not in proc.stderr, proc.stderr
    assert status_rows(workdir)["slow"]["outcome"] == "baseline"


# --- secrets in source URLs ---------------------------------------------------------------------------

KEY = "k3y wïth spacé"


def spellings(secret: str) -> list[str]:
    from urllib.parse import quote, quote_plus

    return [secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote(secret).lower()]


def test_a_secret_in_a_source_url_never_reaches_links_records_output_or_alerts(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    page_url = f"{site.base}{prefix}/list/?api_key={KEY}"
    feed_url = f"{site.base}{prefix}/feed.xml?api_key={KEY}"
    missing = f"{site.base}{prefix}/gone/?api_key={KEY}"
    old = Item("Old news", f"{prefix}/a/old/")
    site.set(_path(page_url), listing([old]))
    site.set(_path(feed_url), rss([old]), content_type="application/rss+xml")
    sources = (html_source("page", page_url.replace(KEY, "${API_KEY}")) +
               feed_source("feed", feed_url.replace(KEY, "${API_KEY}")) +
               html_source("gone", missing.replace(KEY, "${API_KEY}")))
    config(workdir, sources, TOPIC, hook_notifier(hook), alerts="failure_threshold = 1\nfirst_run = \"alert\"")
    env = {"API_KEY": KEY}
    story = Item("Trafficking ring dismantled", f"{prefix}/a/1/")
    site.set(_path(page_url), listing([old, story, Item("Trafficking: comments", "#comments")]))
    site.set(_path(feed_url), rss([old, Item("Trafficking ring, the comments", "#x")]),
             content_type="application/rss+xml")
    outputs = [newswatch("--log-level", "debug", "once", "-c", workdir / "config.toml", cwd=workdir, env=env)]
    outputs += [newswatch(*cmd, "-c", workdir / "config.toml", cwd=workdir, env=env)
                for cmd in (("status", "--json"), ("articles", "--json"), ("preview", "page", "--json"))]
    seen = "\n".join(p.stdout + p.stderr for p in outputs) + _dump(workdir) + json.dumps(hook.received)
    for spelling in spellings(KEY):
        assert spelling not in seen, spelling
    assert "api_key=****" in seen  # masked, not dropped: the user still sees which URL failed
    links = {r["link"] for r in query(workdir, "SELECT link FROM articles")}
    assert links == {site.url(old.href), site.url(story.href)}
    assert any("gone is failing" in m.get("title", "") for m in hook.received)


def _path(url: str) -> str:
    """The path and query the server sees for ``url`` (as Scrapy percent-encodes it)."""
    safe = safe_url_string(url)
    return safe[safe.index("/", len("http://")):]


def _dump(workdir: Path) -> str:
    return subprocess.run(["sqlite3", str(workdir / "nw.db"), ".dump"], capture_output=True, text=True,
                          check=False).stdout if _has_sqlite3() else _python_dump(workdir)


def _has_sqlite3() -> bool:
    import shutil

    return shutil.which("sqlite3") is not None


def _python_dump(workdir: Path) -> str:
    import sqlite3

    with sqlite3.connect(workdir / "nw.db") as db:
        return "\n".join(db.iterdump())


# --- secrets in notifier URLs -------------------------------------------------------------------------

PASSWORD = "Qz@8k/Lm?x%1#Rt"


def test_a_notifier_password_with_reserved_characters_works_and_is_masked_whole(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    import base64

    old = Item("Old news", f"{prefix}/a/old/")
    page = site.set(f"{prefix}/list/", listing([old]))
    notifier = f'[[notifiers]]\nname = "hook"\nurl = "json://desk:${{HOOK_PASSWORD}}@127.0.0.1:{hook.port}/in"\n'
    config(workdir, html_source("page", page), TOPIC, notifier)
    env = {"HOOK_PASSWORD": PASSWORD}
    newswatch("once", "-c", workdir / "config.toml", cwd=workdir, env=env)
    site.set(f"{prefix}/list/", listing([old, Item("Trafficking ring dismantled", f"{prefix}/a/1/")]))
    procs = [newswatch("--log-level", "debug", "once", "-c", workdir / "config.toml", cwd=workdir, env=env),
             newswatch("--log-level", "debug", "notify-test", "-c", workdir / "config.toml", cwd=workdir,
                       env=env)]
    assert hook.authorizations and all(
        base64.b64decode(a.split()[1]).decode() == f"desk:{PASSWORD}" for a in hook.authorizations if a
    ), hook.authorizations
    seen = "\n".join(p.stdout + p.stderr for p in procs) + _dump(workdir)
    for piece in ("Qz@8k", "8k/Lm", "Lm?x", "x%1", "%1#Rt", "Qz%408k", "Lm%3Fx"):
        assert piece not in seen, piece
