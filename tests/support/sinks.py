"""Real local endpoints that receive alerts: a webhook sink, an SMTP server, a fake Telegram Bot API."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


class HttpSink:
    """Collects JSON POST bodies; ``failing = True`` makes it answer 500 (and record nothing)."""

    def __init__(self, reply: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.authorizations: list[str | None] = []
        self.failing = False
        self.reply = reply
        self.changed = threading.Condition()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Block until ``count`` messages arrived (or the deadline); the messages."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

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
                if sink.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                data = json.loads(body or b"{}")
                answer = sink.reply(self.path, data) if sink.reply else {}
                with sink.changed:
                    sink.received.append(data)
                    sink.paths.append(self.path)
                    sink.authorizations.append(self.headers.get("Authorization"))
                    sink.changed.notify_all()
                out = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        return Handler


def telegram_reply(path: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the Bot API answers to sendMessage/getMe."""
    return {"ok": True, "result": {"message_id": 1, "id": 1, "is_bot": True, "first_name": "bot",
                                   "username": "fake_bot", "chat": {"id": 1}, "date": 0, "text": ""}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping every message it accepts."""

    def __init__(self, port: int | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Condition()
        self.port = port or _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.lock.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Block until ``count`` messages arrived (or the deadline); the messages."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def close(self) -> None:
        self.controller.stop()
