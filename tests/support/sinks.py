"""Real local endpoints that receive alerts: a webhook sink, an SMTP server, a fake Telegram Bot API."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


class HttpSink:
    """Collects JSON POST bodies; ``failing = True`` makes it answer 500 (and record nothing).

    ``status = N`` answers N (recording nothing); ``unavailable = N``: the next N requests get 503 (counted
    in ``refusals``); ``hang = True`` records the request and never answers.
    """

    def __init__(self, reply: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.authorizations: list[str | None] = []
        self.failing = False
        self.status: int | None = None
        self.hang = False
        self.unavailable = self.refusals = 0
        self.released = threading.Event()
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
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-request (a kill -9 test): nothing was delivered
                code = sink.status or (500 if sink.failing else None)
                if code is None and sink.unavailable:
                    sink.unavailable, sink.refusals, code = sink.unavailable - 1, sink.refusals + 1, 503
                if code:
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.loads(body or b"{}")
                if sink.hang:
                    with sink.changed:
                        sink.received.append(data)
                        sink.changed.notify_all()
                    sink.released.wait()
                    return
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
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping every message it accepts.

    Hostile variants for delivery tests: ``data_reply(message)`` answers DATA with its reply
    instead of "250 OK" when it returns one (a content filter); ``drop_after_data`` reads the
    message, keeps it, then drops the connection before answering; ``rcpt_reply`` refuses every
    recipient; ``login`` requires AUTH with that (user, password); ``tls_context`` requires STARTTLS.
    Every message read (accepted or not) is in ``seen``; aiosmtpd refuses lines over 1000 octets.
    """

    def __init__(
        self, port: int | None = None, *, data_reply: Callable[[EmailMessage], str | None] | None = None,
        drop_after_data: bool = False, rcpt_reply: str | None = None, login: tuple[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.messages: list[EmailMessage] = []
        self.seen: list[EmailMessage] = []
        self.data_reply, self.drop_after_data, self.rcpt_reply, self.login = (
            data_reply, drop_after_data, rcpt_reply, login)
        self.lock = threading.Condition()
        self.port = port or _free_port()
        extra: dict[str, Any] = {}
        if login:
            extra.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=False)
        if tls_context:
            extra.update(tls_context=tls_context, require_starttls=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == \
            self.login
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        reply = self.data_reply(message) if self.data_reply else None  # type: ignore[arg-type]
        with self.lock:
            self.seen.append(message)  # type: ignore[arg-type]
            if reply is None:
                self.messages.append(message)  # type: ignore[arg-type]
            self.lock.notify_all()
        if self.drop_after_data:
            server.transport.abort()  # the message arrived; the client never hears so
        return reply or "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Block until ``count`` messages arrived (or the deadline); the messages."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def close(self) -> None:
        self.controller.stop()


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (files written in ``directory``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context
