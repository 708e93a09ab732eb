"""The bundled demo: the seed listing page before and after, served on 127.0.0.1.

``before.html`` and ``after.html`` are our own rendering of the two seed
captures (see ``scripts/render_seeds.py``); ``demo.toml`` is the config the
demo runs with, its ``{url}`` filled in with the local server's address.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

PAGE_PATH = "/search/?q=migration"


def bundled(name: str) -> str:
    """The text of a bundled demo file."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


class DemoSite:
    """A local server showing one snapshot of the demo listing page at a time."""

    def __init__(self) -> None:
        self.body = b""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PAGE_PATH}"

    def show(self, snapshot: str) -> None:
        """Serve the bundled ``snapshot`` (``before.html`` or ``after.html``) from now on."""
        self.body = bundled(snapshot).encode("utf-8")

    def __enter__(self) -> DemoSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                found = self.path == PAGE_PATH
                body = site.body if found else b"not found"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8" if found else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def write_config(directory: Path, url: str) -> Path:
    """Write the demo config for a site at ``url`` into ``directory``; its path."""
    path = directory / "config.toml"
    path.write_text(bundled("demo.toml").replace("{url}", url), encoding="utf-8")
    return path
