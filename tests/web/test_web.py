"""The web front over real sockets: ``newswatch web`` on the demo's database, fetched with an HTTP client."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import feedparser
import httpx
from lxml import html
from prometheus_client.parser import text_string_to_metric_families
from support.cli import newswatch
from support.web import Serving

TRAFFICKING = "Kazakhstan Reports 134 Human Trafficking Cases in First Half of 2025"


def dump(database: Path) -> str:
    """Every row of the database, as SQL text."""
    with sqlite3.connect(database) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


def get(base: str, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(base + path.lstrip("/"), timeout=10, **kwargs)


def texts(response: httpx.Response, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in html.fromstring(response.text).xpath(xpath)]


def rows(response: httpx.Response, table: str) -> list[list[str]]:
    """The cell texts of each body row of the table with id ``table``."""
    tree = html.fromstring(response.text)
    return [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in tree.xpath(f"//table[@id='{table}']/tbody/tr")]


def test_status_page_shows_sources_notifiers_and_the_queue(web: tuple[Serving, str]) -> None:
    _, base = web
    page = get(base, "/")
    assert page.status_code == 200
    [row] = rows(page, "sources")
    assert row[:2] == ["demo-news", "html"] and row[3:6] == ["ok", "4", "0"]
    [notifier] = rows(page, "notifiers")
    assert notifier[:6] == ["terminal", "ok", "0", "3", "0", "0"]  # three alerts delivered to the terminal
    assert texts(page, "//p[@id='queue']") == ["0 pending · 0 retrying · 3 delivered · 0 refused · 0 given up"]
    assert "the daemon is not running" in texts(page, "//p[@id='daemon']")[0]
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_articles_filter_by_watch_and_search_the_full_text(web: tuple[Serving, str]) -> None:
    _, base = web
    titles = texts(get(base, "/articles", params={"watch": "trafficking"}), "//*[@class='title']")
    assert TRAFFICKING in titles and len(titles) == 2
    found = texts(get(base, "/articles", params={"q": "transgender victims"}), "//*[@class='title']")
    assert found == [TRAFFICKING]  # both words are in its summary only
    prefixed = texts(get(base, "/articles", params={"q": "deport*"}), "//*[@class='title']")
    assert prefixed and all("deport" in t.lower() or "Tajik" in t for t in prefixed)
    for hostile in ('"unbalanced', "AND OR NOT", "*", "title:x", ")("):
        response = get(base, "/articles", params={"q": hostile})
        assert response.status_code == 200, hostile
    nothing = get(base, "/articles", params={"q": "zzzznotaword"})
    assert rows(nothing, "articles") == [["no articles match “zzzznotaword”"]]


def test_ticker_chart_is_an_svg_drawn_on_the_server_with_the_alert_marked(web: tuple[Serving, str]) -> None:
    _, base = web
    for path in ("/tickers/TJS-USD", "/tickers/TJS/USD", "/tickers/tjs-usd"):
        page = get(base, path)
        assert page.status_code == 200, path
    tree = html.fromstring(page.text)
    assert tree.xpath("//div[@id='chart']//*[local-name()='svg']")
    assert not tree.xpath("//script") and "src=" not in page.text  # nothing fetched from elsewhere
    assert texts(page, "//table[@id='alerts']/tbody/tr/td[2]") == ["TJS/USD moved -0.18%"]
    assert [v for v in texts(page, "//table[@id='history']/tbody/tr/td[2]")] == ["0.10857", "0.10877"]
    listing = get(base, "/tickers")
    assert "0.00008" in listing.text and "e-05" not in listing.text
    assert get(base, "/tickers/XXX-YYY").status_code == 404


def test_atom_feed_of_a_watch(web: tuple[Serving, str]) -> None:
    _, base = web
    response = get(base, "/feeds/trafficking.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert TRAFFICKING in titles and len(titles) == 2
    entry = feed.entries[titles.index(TRAFFICKING)]
    assert entry.link.startswith("http://127.0.0.1:") and "trafficking" in [t.term for t in entry.tags]
    assert get(base, "/feeds/nonexistent.atom").status_code == 404


def test_metrics_and_health(web: tuple[Serving, str]) -> None:
    _, base = web
    response = get(base, "/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("newswatch_runs_total", (("outcome", "baseline"), ("source", "demo-news")))] == 1
    assert samples[("newswatch_runs_total", (("outcome", "ok"), ("source", "demo-news")))] == 1
    assert samples[("newswatch_run_duration_seconds_count", (("source", "demo-news"),))] == 2
    assert samples[("newswatch_fetch_duration_seconds_count", (("source", "demo-news"),))] == 2
    fetches = samples[("newswatch_fetch_duration_seconds_sum", (("source", "demo-news"),))]
    assert 0 < fetches <= samples[("newswatch_run_duration_seconds_sum", (("source", "demo-news"),))] + 1
    assert samples[("newswatch_matches_total", (("watch", "trafficking"),))] == 2
    assert samples[("newswatch_deliveries", (("notifier", "terminal"), ("status", "delivered")))] == 3
    assert samples[("newswatch_queue_depth", ())] == 0
    assert samples[("newswatch_source_last_success_timestamp_seconds", (("source", "demo-news"),))] > 0
    assert samples[("newswatch_daemon_up", ())] == 0
    # The demo's runs are one-shot passes nobody scheduled: no lag recorded (the daemon's is in tests/scheduler).
    assert samples[("newswatch_schedule_lag_seconds_count", ())] == 0
    assert samples[("newswatch_late_runs_last_hour", ())] == 0
    for path in ("/healthz", "/healthcheck"):  # no daemon runs on this database
        health = get(base, path)
        assert health.status_code == 503 and "not running" in health.text


def test_read_only_pages_escape_hostile_text_and_change_nothing(demo: Path) -> None:
    database = demo / "demo.db"
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO articles (url, link, title, summary, source, first_seen_at, last_seen_at) VALUES "
            "('javascript:alert(1)', 'javascript:alert(1)', ?, '<img src=x onerror=alert(2)>', 'demo-news', "
            "'2030-01-01T00:00:00+00:00', '2030-01-01T00:00:00+00:00')",
            ["<script>alert(1)</script> trafficking \x0b\x00 ring"],
        )
        article = db.execute("SELECT max(id) FROM articles").fetchone()[0]
        db.execute("INSERT INTO matches VALUES (?, 'trafficking', '[\"<b>x</b>\"]', '2030-01-01T00:00:00+00:00')",
                   [article])
    before = dump(database)
    serving = Serving("web", "-c", demo / "config.toml", "--listen", "127.0.0.1:0", cwd=demo)
    try:
        base = serving.url()
        page = get(base, "/articles", params={"q": "ring"})
        tree = html.fromstring(page.text)
        assert not tree.xpath("//script") and not tree.xpath("//img")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert not tree.xpath("//a[starts-with(@href, 'javascript:')]")
        feed = feedparser.parse(get(base, "/feeds/trafficking.atom").content)
        assert not feed.bozo and feed.entries[0].title.startswith("<script>alert(1)</script> trafficking")
        assert httpx.post(base + "articles", timeout=10).status_code == 405
        assert serving.stop() == 0
    finally:
        serving.kill()
    assert dump(database) == before


def test_a_bad_listen_address_is_one_line(demo: Path) -> None:
    proc = newswatch("web", "-c", demo / "config.toml", "--listen", "localhost:http", cwd=demo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert 'cannot listen on localhost:http: "localhost:http" is not HOST:PORT' in proc.stderr


def test_no_page_shows_a_credential(demo: Path) -> None:
    secret = "s3cr3t-T0ken-4242"
    config = demo / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[[notifiers]]\nname = "hook"\n'
                      'url = "json://alerts:${HOOK_TOKEN}@127.0.0.1:9/"\n', encoding="utf-8")
    with sqlite3.connect(demo / "demo.db") as db:  # as if an error had been stored before masking existed
        db.execute("UPDATE deliveries SET status = 'pending', attempts = 2, notifier = 'hook', "
                   "last_error = ? WHERE rowid = 1", [f"refused by json://alerts:{secret}@127.0.0.1:9/"])
        db.execute("INSERT INTO notifier_health VALUES ('hook', 2, 0, ?)", [f"token {secret} rejected"])
    serving = Serving("web", "-c", config, "--listen", "127.0.0.1:0", cwd=demo, env={"HOOK_TOKEN": secret})
    try:
        base = serving.url()
        pages = {path: get(base, path).text for path in ("/", "/articles", "/tickers", "/tickers/TJS-USD",
                                                         "/feeds/trafficking.atom", "/metrics")}
        assert "****" in pages["/"] and "retrying" in pages["/"]
        for path, text in pages.items():
            assert secret not in text, path
    finally:
        serving.kill()
    assert all(secret not in line for line in serving.lines())
