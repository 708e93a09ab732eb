"""What newswatch keeps of Scrapy's stack after trimming it (crawler/settings.py) still works for a user.

Redirects, retries, size limits, robots.txt and HTTP errors are covered by the other crawler tests; here:
a proxy named in the environment is used, a compressed page is read, and the engine runs on uvloop when
uvloop is installed (and on asyncio's own loop when it is not).
"""

from __future__ import annotations

import gzip
from importlib.util import find_spec
from pathlib import Path

from support.cli import newswatch
from support.pages import Item, listing
from support.runs import config, html_source, query
from support.server import FixtureSite

PROXIED = "http://news.proxied.invalid/latest"  # resolvable by no one: only a proxy can answer it


def _once(workdir: Path, env: dict[str, str] | None = None) -> list[str]:
    proc = newswatch("--log-level", "debug", "once", "-c", workdir / "config.toml", cwd=workdir, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stderr.splitlines()


def _titles(workdir: Path) -> set[str]:
    return {row["title"] for row in query(workdir, "SELECT title FROM articles")}


def test_a_proxy_from_the_environment_is_used(site: FixtureSite, prefix: str, workdir: Path) -> None:
    # A proxy is asked with the absolute URL on the request line: the fixture server sees it as the path.
    site.set(PROXIED, listing([Item("Story through the proxy", f"{prefix}/proxied-story")]))
    config(workdir, html_source("proxied", PROXIED), "", "")
    _once(workdir, {"http_proxy": site.base, "HTTP_PROXY": site.base, "no_proxy": "", "NO_PROXY": ""})
    assert site.hits(PROXIED), "the page was not asked of the proxy"
    assert _titles(workdir) == {"Story through the proxy"}


def test_a_gzip_page_is_read(site: FixtureSite, prefix: str, workdir: Path) -> None:
    body = gzip.compress(listing([Item("Compressed story", f"{prefix}/gz-story")]).encode())
    url = site.set(f"{prefix}/gzipped", body, headers={"Content-Encoding": "gzip"})
    config(workdir, html_source("gzipped", url), "", "")
    _once(workdir)
    assert _titles(workdir) == {"Compressed story"}


def test_the_engine_runs_on_uvloop_when_installed(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/plain", listing([Item("Plain story", f"{prefix}/plain-story")]))
    config(workdir, html_source("plain", url), "", "")
    opened = [line for line in _once(workdir) if "crawl engine opened" in line]
    expected = "uvloop.Loop" if find_spec("uvloop") is not None else "asyncio."
    assert len(opened) == 1 and expected in opened[0], opened
