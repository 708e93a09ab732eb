"""Watches to alerts to deliveries, end to end: `newswatch once` over real sockets."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from support.cli import newswatch, write_config
from support.pages import Item, listing, rss
from support.runs import config, free_port, hook_notifier, html_source, once, query
from support.server import FixtureSite
from support.sinks import HttpSink, SmtpSink

TRAFFICKING_TITLE = "Kazakhstan Reports 134 Human Trafficking Cases in First Half of 2025"


WATCHES = """
    [[watches]]
    name = "trafficking"
    keywords = ["trafficking", '"forced labor"']
    [[watches]]
    name = "deportation"
    keywords = ["deport*", "asylum"]
    exclude = ["football"]
"""


def demo_page(name: str) -> str:
    return resources.files("newswatch.demo").joinpath(name).read_text(encoding="utf-8")


def test_seed_pages_alert_the_trafficking_article_and_nothing_for_the_baseline(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    url = site.set(f"{prefix}/search/", demo_page("before.html"))
    config(workdir, html_source("seed", url), WATCHES, hook_notifier(hook))
    first = once(workdir)
    assert first.returncode == 0 and "baseline" in first.stdout
    assert hook.received == []
    site.set(f"{prefix}/search/", demo_page("after.html"))
    once(workdir)
    titles = {(m["title"]) for m in hook.wait_for(2)}
    assert TRAFFICKING_TITLE in titles
    assert "Nineteen Uzbek Citizens Repatriated from Ukraine After Forced Labor Exploitation" in titles
    assert len(hook.received) == 2
    body = next(m["message"] for m in hook.received if m["title"] == TRAFFICKING_TITLE)
    assert "[trafficking]" in body and "Matched: trafficking" in body and "Source: seed" in body
    assert "Trafficking" in body.split("Matched:")[1]  # the snippet around the first match
    watched = json.loads(newswatch("articles", "-c", "config.toml", "--watch", "trafficking", "--json",
                                   cwd=workdir).stdout)
    assert {a["title"] for a in watched} == titles


def test_one_alert_per_article_and_watch_across_sources_and_passes(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    old = [Item("Weather in Almaty", f"{prefix}/a/old/", "Sunny")]
    new = Item("Germany deports an activist", f"{prefix}/a/1/", "Asylum refused after trafficking probe")
    page = site.set(f"{prefix}/list/", listing(old))
    feed = site.set(f"{prefix}/feed/", rss([Item(o.title, site.url(o.href)) for o in old]),
                    content_type="application/rss+xml")
    sources = html_source("page", page) + f'[[sources]]\nname = "feed"\nurl = "{feed}"\ntype = "feed"\n'
    config(workdir, sources, WATCHES, hook_notifier(hook))
    once(workdir)
    site.set(f"{prefix}/list/", listing([*old, new]))
    site.set(f"{prefix}/feed/", rss([Item(new.title, site.url(new.href) + "?utm_source=rss", new.summary)]),
             content_type="application/rss+xml")
    once(workdir)
    once(workdir)
    watches = sorted(m["message"].split("]")[0].lstrip("[") for m in hook.wait_for(2))
    assert watches == ["deportation", "trafficking"]
    assert len(query(workdir, "SELECT * FROM alerts")) == 2


def test_exclude_sources_and_notify_route_alerts(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink) -> None:
    other = HttpSink()
    try:
        page = site.set(f"{prefix}/list/", listing([]))
        watches = """
            [[watches]]
            name = "deportation"
            keywords = ["deport*"]
            exclude = ["football"]
            notify = ["other"]
            [[watches]]
            name = "elsewhere"
            keywords = ["deport*"]
            sources = ["nowhere"]
        """
        src = html_source("page", page) + html_source("nowhere", site.url(f"{prefix}/none/"))
        config(workdir, src, watches, hook_notifier(hook) + hook_notifier(other, "other"), "first_run = \"alert\"")
        site.set(f"{prefix}/list/", listing([
            Item("Deportations resume", f"{prefix}/a/1/"),
            Item("Deported football star returns", f"{prefix}/a/2/"),
        ]))
        once(workdir, "--source", "page")
        assert [m["title"] for m in other.wait_for(1)] == ["Deportations resume"]
        assert hook.received == []
        assert query(workdir, "SELECT watch FROM matches") == [{"watch": "deportation"}]
    finally:
        other.close()


def test_digest_sends_one_message_per_source_run(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink) -> None:
    page = site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/a/0/")]))
    config(workdir, html_source("page", page), WATCHES, hook_notifier(hook), "digest = true")
    once(workdir)
    site.set(f"{prefix}/list/", listing([Item(f"Deportation case {i}", f"{prefix}/a/{i}/") for i in range(1, 4)]))
    once(workdir)
    [message] = hook.wait_for(1)
    assert message["title"] == "3 new on page"
    assert all(f"Deportation case {i}" in message["message"] for i in range(1, 4))


def test_full_text_finds_a_keyword_only_the_article_body_has(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    page = site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/a/0/")]))
    body = "<p>" + "Officials met in Bishkek to discuss labour markets and remittances. " * 8 + "</p>"
    body += "<p>The report also documents forced labor in construction, the ministry said on Tuesday.</p>"
    site.set(f"{prefix}/a/1/", f"<html><body><article><h1>Regional labour talks</h1>{body}</article></body></html>")
    config(workdir, html_source("page", page, "full_text = true"), WATCHES, hook_notifier(hook))
    once(workdir)
    site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/a/0/"),
                                         Item("Regional labour talks", f"{prefix}/a/1/", "Officials met...")]))
    once(workdir)
    [message] = hook.wait_for(1)
    assert message["title"] == "Regional labour talks"
    assert "forced labor" in message["message"]
    stored = query(workdir, "SELECT body FROM articles WHERE title = 'Regional labour talks'")
    assert "forced labor in construction" in stored[0]["body"]
    assert len(site.hits(f"{prefix}/a/0/")) == 0  # only NEW articles are fetched


def test_an_edited_title_alerts_only_for_newly_matched_watches(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    old = Item("Old news", f"{prefix}/a/0/")
    page = site.set(f"{prefix}/list/", listing([old]))
    config(workdir, html_source("page", page), WATCHES, hook_notifier(hook))
    once(workdir)
    site.set(f"{prefix}/list/", listing([old, Item("Activist deported", f"{prefix}/a/1/")]))
    once(workdir)
    assert len(hook.wait_for(1)) == 1
    site.set(f"{prefix}/list/", listing([old, Item("Activist deported over trafficking claim", f"{prefix}/a/1/")]))
    once(workdir)
    messages = hook.wait_for(2)
    assert [m["message"].split("]")[0] for m in messages] == ["[deportation", "[trafficking"]


def test_mail_server_down_then_back_delivers_each_alert_once(site: FixtureSite, prefix: str, workdir: Path) -> None:
    port = free_port()
    old = Item("Old news", f"{prefix}/a/0/")
    page = site.set(f"{prefix}/list/", listing([old]))
    email = f'[[notifiers]]\nname = "email"\nurl = "mailto://127.0.0.1:{port}?from=nw@example.org&to=me@example.org"\n'
    config(workdir, html_source("page", page), WATCHES, email)
    once(workdir)
    site.set(f"{prefix}/list/", listing([old, Item("Asylum seekers deported", f"{prefix}/a/1/"),
                                         Item("Trafficking ring broken up", f"{prefix}/a/2/")]))
    first = once(workdir)
    assert "0 sent, 1 failed" in first.stdout  # the rest waited, untried
    assert "2 still owed" in first.stdout and first.returncode == 3  # cron notices
    assert "Traceback" not in first.stderr
    once(workdir)
    smtp = SmtpSink(port)
    try:
        recovered = once(workdir)
        assert "2 sent" in recovered.stdout and recovered.returncode == 0
        once(workdir)
        subjects = sorted(m["Subject"] for m in smtp.wait_for(2))
        assert subjects == ["[deportation] Asylum seekers deported", "[trafficking] Trafficking ring broken up"]
        assert len(smtp.messages) == 2
    finally:
        smtp.close()


def test_notify_test_reports_each_notifier_and_masks_credentials(workdir: Path, hook: HttpSink) -> None:
    write_config(workdir, f"""
        [[notifiers]]
        name = "hook"
        url = "json://127.0.0.1:{hook.port}/ok"
        [[notifiers]]
        name = "dead"
        url = "json://bob:${{HOOK_SECRET}}@127.0.0.1:9/down"
    """)
    proc = newswatch("notify-test", cwd=workdir, env={"HOOK_SECRET": "hunter2-secret"})
    assert proc.returncode == 1
    assert "hook: delivered" in proc.stdout and "dead: FAILED" in proc.stdout
    assert "hunter2-secret" not in proc.stdout + proc.stderr
    only = newswatch("notify-test", "--notifier", "hook", cwd=workdir, env={"HOOK_SECRET": "x"})
    assert only.returncode == 0 and "dead" not in only.stdout
    assert len(hook.wait_for(2)) == 2
