"""`newswatch run` with `[web] listen`: the web front served from the daemon's own loop."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.cli import write_config
from support.configs import base, html_source
from support.pages import Item, listing
from support.server import FixtureSite
from support.waiting import wait_until
from support.web import Serving


def status_of(url: str, path: str) -> int:
    return httpx.get(url + path.lstrip("/"), timeout=10).status_code


def test_the_daemon_serves_the_web_front_and_stops_it_on_sigterm(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    page = site.set(f"{prefix}/list", listing([Item("Trafficking ring broken up", f"{prefix}/news/1/")]))
    config = write_config(workdir, base() + html_source("news", page) + '\n[web]\nlisten = "127.0.0.1:0"\n')
    daemon = Serving("run", "-c", config, cwd=workdir)
    try:
        url = daemon.url()
        wait_until(lambda: status_of(url, "/healthz") == 200, "a fresh heartbeat on /healthz", context=daemon.tail)
        wait_until(lambda: "baseline" in httpx.get(url, timeout=10).text, "the source's first run on /",
                   context=daemon.tail)
        metrics = httpx.get(url + "metrics", timeout=10).text
        assert 'newswatch_runs_total{outcome="baseline",source="news"} 1.0' in metrics
        assert "newswatch_daemon_up 1.0" in metrics
        assert daemon.stop() == 0, daemon.tail()
    finally:
        daemon.kill()
    assert any("daemon stopped" in line for line in daemon.lines()), daemon.tail()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)


def test_a_taken_port_leaves_the_daemon_running_without_its_web_front(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    page = site.set(f"{prefix}/list", listing([Item("Story", f"{prefix}/news/1/")]))
    taken = site.url("/").split("/")[2]  # the fixture site's own HOST:PORT
    config = write_config(workdir, base() + html_source("news", page) + f'\n[web]\nlisten = "{taken}"\n')
    daemon = Serving("run", "-c", config, cwd=workdir)
    try:
        wait_until(lambda: any("source=news outcome=baseline" in line for line in daemon.lines()),
                   "the source's first run", context=daemon.tail)
        assert any(f"web: cannot listen on {taken}: Address already in use" in line for line in daemon.lines())
        assert daemon.stop() == 0
    finally:
        daemon.kill()
