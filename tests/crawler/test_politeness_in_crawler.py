"""Politeness: a site never has more requests from us in flight than ``per_domain``.

The site is a real local server that counts the requests it is serving at once. Each request is held
until either a second-too-many request arrives (the limit is broken: release everyone at once) or a short
hold passes (the site's latency), so a crawl that overruns the limit is seen doing so.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.cli import newswatch, write_config
from support.configs import base, html_source
from support.pages import Item, listing

HOLD = 0.3  # the site's latency, seconds (not a synchronisation: the count is read after the crawl)


class CountingSite(ThreadingHTTPServer):
    """Serves ``pages`` (path -> HTML) and records the most requests it had in flight at once."""

    daemon_threads = True

    def __init__(self, host: str, pages: dict[str, str], limit: int) -> None:
        self.pages, self.limit, self.in_flight, self.most = pages, limit, 0, 0
        self.lock, self.broken = threading.Lock(), threading.Event()
        super().__init__((host, 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            if self.in_flight > self.limit:
                self.broken.set()
        self.broken.wait(HOLD)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    server: CountingSite

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.enter()
        try:
            body = self.server.pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            data = (body or "not found").encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            self.server.leave()


def article(n: int) -> str:
    return f"<html><body><article><h1>Story {n}</h1><p>{'Body text of the story. ' * 20}</p></article></body></html>"


def test_full_text_article_fetches_stay_within_per_domain(tmp_path: Path) -> None:
    items = [Item(f"Story number {n} about the harbour", f"/a/{n}") for n in range(20)]
    pages = {"/list": listing(items)} | {f"/a/{n}": article(n) for n in range(20)}
    site = CountingSite("127.0.0.2", pages, limit=2)
    try:
        url = f"http://127.0.0.2:{site.server_address[1]}/list"
        source = html_source("news", url).replace("  [sources.select]", "full_text = true\n  [sources.select]")
        config = base() + "concurrency = 16\nper_domain = 2\n\n[alerts]\nfirst_run = \"alert\"\n" + source
        write_config(tmp_path, config)
        proc = newswatch("once", "-c", tmp_path / "config.toml", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert site.most >= 2  # the crawl did run requests side by side
        assert site.most <= 2, f"{site.most} requests in flight on one host with per_domain = 2"
    finally:
        site.shutdown()
        site.server_close()
