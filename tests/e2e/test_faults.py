"""Each way a source can fail, served for real: contained to that source, recorded with its reason."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from support.cli import newswatch, write_config
from support.configs import base, feed_source, html_source
from support.pages import Item, listing
from support.server import FixtureSite


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_with(site: FixtureSite, prefix: str, workdir: Path, bad_source: str, extra: str = "") -> dict:
    """One pass over a healthy source and ``bad_source`` (named "bad"); bad's status row."""
    good = site.set(f"{prefix}/good/", listing([Item("Fine", f"{prefix}/a/1/")]))
    write_config(workdir, base(timeout="3s") + extra + html_source("good", good) + bad_source)
    proc = newswatch("once", "-c", "config.toml", cwd=workdir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    rows = {r["source"]: r for r in json.loads(newswatch("status", "--json", cwd=workdir).stdout)["sources"]}
    assert rows["good"]["outcome"] == "baseline" and rows["good"]["items"] == 1
    assert rows["bad"]["outcome"] == "failed" and rows["bad"]["failures"] == 1
    return rows["bad"]


def test_connection_refused(site: FixtureSite, prefix: str, workdir: Path) -> None:
    bad = run_with(site, prefix, workdir, html_source("bad", f"http://127.0.0.1:{closed_port()}/news/"))
    assert bad["error"].startswith("connection refused")


@pytest.mark.parametrize("status", [404, 403, 500, 503])
def test_http_errors(site: FixtureSite, prefix: str, workdir: Path, status: int) -> None:
    url = site.set(f"{prefix}/bad/", "oops", status=status)
    assert run_with(site, prefix, workdir, html_source("bad", url))["error"] == f"HTTP {status} from {url}"


def test_redirect_loop(site: FixtureSite, prefix: str, workdir: Path) -> None:
    site.set(f"{prefix}/a/", "", status=302, headers={"Location": f"{prefix}/b/"})
    site.set(f"{prefix}/b/", "", status=302, headers={"Location": f"{prefix}/a/"})
    bad = run_with(site, prefix, workdir, html_source("bad", site.url(f"{prefix}/a/")))
    assert "redirect" in bad["error"].lower() or "HTTP 302" in bad["error"]


def test_redirect_to_another_host_is_refused(site: FixtureSite, prefix: str, workdir: Path) -> None:
    elsewhere = f"http://localhost:{site.server.server_address[1]}{prefix}/good/"
    url = site.set(f"{prefix}/moved/", "", status=301, headers={"Location": elsewhere})
    assert "redirected off the source's site" in run_with(site, prefix, workdir, html_source("bad", url))["error"]


def test_redirect_to_a_file_url_is_not_followed(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/file/", "", status=302, headers={"Location": "file:///etc/passwd"})
    assert run_with(site, prefix, workdir, html_source("bad", url))["error"].startswith("HTTP 302")


def test_body_over_the_size_cap(site: FixtureSite, prefix: str, workdir: Path) -> None:
    big = listing([Item(f"Story {i} " + "x" * 200, f"{prefix}/s/{i}/") for i in range(50)])
    url = site.set(f"{prefix}/big/", big)
    bad = run_with(site, prefix, workdir, html_source("bad", url), 'max_size = "4KB"\n')
    assert "size" in bad["error"].lower() or "cancel" in bad["error"].lower(), bad["error"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "application/octet-stream"), (b"", "text/html")],
    ids=["binary", "empty"],
)
def test_a_body_that_is_no_listing(
    site: FixtureSite, prefix: str, workdir: Path, body: bytes, content_type: str
) -> None:
    url = site.set(f"{prefix}/odd/", body, content_type=content_type)
    bad = run_with(site, prefix, workdir, html_source("bad", url))
    assert "not an HTML page" in bad["error"] or "matched nothing" in bad["error"]


def test_a_feed_that_does_not_parse(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/feed/", "<html><body>no feed here</body></html>")
    assert run_with(site, prefix, workdir, feed_source("bad", url))["error"].startswith("not a feed")


def test_a_timeout_uses_the_configured_limit(site: FixtureSite, prefix: str, workdir: Path) -> None:
    url = site.set(f"{prefix}/slow/", listing([Item("Late", f"{prefix}/a/9/")]), delay=6)
    assert run_with(site, prefix, workdir, html_source("bad", url))["error"].startswith("timed out")


def test_a_legacy_charset_declared_only_in_the_page(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = listing([Item("Депортация мигрантов", f"{prefix}/a/1/")])
    page = page.replace('charset="utf-8"', 'charset="windows-1251"')
    url = site.set(f"{prefix}/cp1251/", page.encode("windows-1251"), content_type="text/html")
    write_config(workdir, base() + html_source("legacy", url))
    assert newswatch("once", cwd=workdir).returncode == 0
    with sqlite3.connect(workdir / "newswatch.db") as db:
        assert db.execute("SELECT title FROM articles").fetchone()[0] == "Депортация мигрантов"
