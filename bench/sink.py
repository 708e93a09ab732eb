"""A local webhook sink for newswatch's ``json://`` notifier: keeps every JSON body POSTed to it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


class WebhookSink:
    """Answers 200 to every POST on 127.0.0.1:<free port> and records its JSON body."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/newswatch"

    def take(self) -> list[dict[str, Any]]:
        """The messages received since the last call."""
        with self.lock:
            taken, self.received = self.received, []
        return taken

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body or b"{}")
                except ValueError:
                    data = {"unparsable": body.decode("utf-8", "replace")}
                with sink.lock:
                    sink.received.append(data)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
