"""Politeness per site across all sources: one host sees at most ``per_domain`` requests in flight,
its robots.txt once, and its Retry-After honoured by every source on it (not only the one that was told)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.pages import Item, listing
from support.runs import config, html_source, once, query

SOURCES = 50
HOLD = 0.05  # seconds a response is held unless an over-limit overlap releases it at once


class CountingSite:
    """A loopback HTTP server on its own address (a host of its own) that counts requests in flight."""

    def __init__(self, address: str, limit: int) -> None:
        self.limit, self.lock = limit, threading.Lock()
        self.in_flight = self.most = 0
        self.paths: Counter[str] = Counter()
        self.busy: set[str] = set()  # listing paths answering 429 with Retry-After
        self.over = threading.Event()  # set once more than ``limit`` are in flight: no need to hold any longer
        self.server = ThreadingHTTPServer((address, 0), _handler(self))
        self.server.daemon_threads = True
        self.server.request_queue_size = 1024
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def enter(self, path: str) -> None:
        with self.lock:
            self.paths[path] += 1
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            if self.in_flight > self.limit:
                self.over.set()

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def body(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        if path in self.busy:
            return 429, {"Retry-After": "3600", "Content-Type": "text/plain"}, b"slow down"
        if path.startswith("/list/"):
            n = path.rsplit("/", 2)[-2]
            items = [Item(f"Story {n}-{k}", f"/article/{n}-{k}", "summary") for k in range(2)]
            return 200, {"Content-Type": "text/html; charset=utf-8"}, listing(items).encode()
        text = f"<html><body><article><h1>{path}</h1><p>{'Body text of the story. ' * 40}</p></article></body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, text.encode()

    def close(self) -> None:
        self.over.set()
        self.server.shutdown()
        self.server.server_close()


def _handler(site: CountingSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            site.enter(self.path)
            try:
                site.over.wait(HOLD)  # overlap observable: each response stays in flight a moment
                status, headers, data = site.body(self.path)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(data))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            finally:
                site.leave()

    return Handler


@pytest.fixture
def hosts(request: pytest.FixtureRequest) -> Iterator[list[CountingSite]]:
    limit = getattr(request, "param", 1)
    sites = [CountingSite(address, limit) for address in ("127.0.0.2", "127.0.0.3")]
    yield sites
    for site in sites:
        site.close()


def _sources(site: CountingSite, first: int, count: int) -> str:
    return "".join(
        html_source(f"s{n}", f"{site.base}/list/{n}/", "full_text = true") for n in range(first, first + count)
    )


def _write(workdir: Path, sources: str, per_domain: int, robots: bool = False) -> None:
    crawler = f"per_domain = {per_domain}\nconcurrency = 16\nobey_robots_txt = {str(robots).lower()}"
    config(workdir, sources, "", "", alerts='first_run = "alert"', crawler=crawler)


@pytest.mark.parametrize("hosts", [1, 2], indirect=True)
def test_fifty_sources_on_one_host_never_exceed_per_domain(hosts: list[CountingSite], workdir: Path) -> None:
    site, other = hosts
    limit = site.limit
    _write(workdir, _sources(site, 0, SOURCES) + _sources(other, SOURCES, 4), limit)
    once(workdir)
    articles = sum(n for path, n in site.paths.items() if path.startswith("/article/"))
    assert articles == 2 * SOURCES, site.paths  # full_text fetched every article: they were in the count
    assert site.most <= limit, f"{site.most} requests in flight on one host with per_domain = {limit}"
    assert other.paths and other.most <= limit


def test_robots_txt_is_fetched_once_per_host_across_sources(hosts: list[CountingSite], workdir: Path) -> None:
    site, other = hosts
    _write(workdir, _sources(site, 0, SOURCES) + _sources(other, SOURCES, 10), 2, robots=True)
    once(workdir)
    assert site.paths["/robots.txt"] == 1
    assert other.paths["/robots.txt"] == 1
    assert sum(n for path, n in site.paths.items() if path.startswith("/list/")) == SOURCES


def test_retry_after_on_one_source_defers_the_others_on_that_host(hosts: list[CountingSite], workdir: Path) -> None:
    site, other = hosts
    site.busy.add("/list/0/")
    # concurrency 1: source s0 runs first, the others of its host come after it was told to wait
    crawler = "per_domain = 1\nconcurrency = 1"
    config(workdir, _sources(site, 0, 5) + _sources(other, 5, 2), "", "", crawler=crawler)
    once(workdir)
    assert site.paths["/list/0/"] == 1
    assert not [p for p in site.paths if p.startswith("/list/") and p != "/list/0/"], site.paths
    waiting = query(workdir, "SELECT name FROM sources WHERE retry_after IS NOT NULL ORDER BY name")
    assert [r["name"] for r in waiting] == ["s0", "s1", "s2", "s3", "s4"]
    assert sum(1 for p in other.paths if p.startswith("/list/")) == 2
