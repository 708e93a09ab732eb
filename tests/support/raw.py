"""A TCP server that answers each connection with a script of its own: for HTTP a real server would refuse to send."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

Script = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """Runs ``script(connection, stopping)`` for every connection to 127.0.0.1:<free port>."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.stopping = threading.Event()
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.recv(65536)
            self.script(conn, self.stopping)

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()


def endless_headers(conn: socket.socket, stopping: threading.Event) -> None:
    """A status line, then header lines for as long as the client reads them."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    line = b"X-Junk: " + b"j" * 1000 + b"\r\n"
    while not stopping.is_set():
        conn.sendall(line * 64)


def truncated_body(conn: socket.socket, stopping: threading.Event) -> None:
    """Promises 100 000 bytes, sends 100, closes."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n" + b"<p>x</p>" * 12)
