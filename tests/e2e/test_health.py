"""The operator is told once: a source failing, a source recovering, a flood held back."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.cli import newswatch, write_config
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink


def setup(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink) -> None:
    write_config(workdir, f"""
        [storage]
        path = "nw.db"
        [crawler]
        obey_robots_txt = false
        retries = 0
        [alerts]
        failure_threshold = 2
        [[sources]]
        name = "news"
        url = "{site.url(prefix + '/list/')}"
          [sources.select]
          item = "article"
          title = "h2 a"
          link = "h2 a::attr(href)"
        [[sources]]
        name = "steady"
        url = "{site.url(prefix + '/steady/')}"
          [sources.select]
          item = "article"
          title = "h2 a"
          link = "h2 a::attr(href)"
        [[watches]]
        name = "deportation"
        keywords = ["deport*"]
        [[notifiers]]
        name = "hook"
        url = "json://127.0.0.1:{hook.port}/"
    """)
    site.set(f"{prefix}/steady/", listing([Item("Steady news", f"{prefix}/s/1/")]))


def once(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = newswatch("once", "-c", "config.toml", *args, cwd=workdir)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_a_failing_source_is_reported_once_and_its_recovery_once(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    setup(site, prefix, workdir, hook)
    site.set(f"{prefix}/list/", listing([Item("First", f"{prefix}/a/1/")]))
    assert once(workdir).returncode == 0
    site.set(f"{prefix}/list/", "<html><body>redesigned</body></html>")
    for _ in range(4):
        proc = once(workdir)
        assert proc.returncode == 1
        assert "selector `article` matched nothing" in proc.stdout
    [failing] = hook.wait_for(1)
    assert failing["title"] == "source news is failing"
    assert "2 runs in a row failed" in failing["message"] and "matched nothing" in failing["message"]
    site.set(f"{prefix}/list/", listing([Item("First", f"{prefix}/a/1/")]))
    assert once(workdir).returncode == 0
    once(workdir)
    titles = [m["title"] for m in hook.wait_for(2)]
    assert titles == ["source news is failing", "source news recovered"]


def test_a_flood_is_held_back_and_released_on_request(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    setup(site, prefix, workdir, hook)
    site.set(f"{prefix}/list/", listing([Item(f"Story {i}", f"{prefix}/old/{i}/") for i in range(10)]))
    once(workdir)
    moved = [Item(f"Story {i}", f"{prefix}/new/{i}/") for i in range(9)] + [Item("Deportation flights", f"{prefix}/n/")]
    site.set(f"{prefix}/list/", listing(moved))
    once(workdir)
    once(workdir)
    [notice] = hook.wait_for(1)
    assert notice["title"] == "source news: 10 new at once, held"
    assert "Story 0" in notice["message"] and "--accept-flood news" in notice["message"]
    released = once(workdir, "--accept-flood", "news")
    assert "news: released 10 held articles, 1 alerts" in released.stdout
    assert [m["title"] for m in hook.wait_for(2)] == [notice["title"], "Deportation flights"]
    assert "released 0 held" in once(workdir, "--accept-flood", "news").stdout
    assert len(hook.received) == 2
