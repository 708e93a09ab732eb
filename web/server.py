"""uvicorn on a loop that someone else runs: no signal handlers of its own, no loop of its own, no lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from newswatch.units import parse_listen

log = logging.getLogger(__name__)


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host (the daemon or ``newswatch web``): stop it with :meth:`stop`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def stop(self) -> None:
        """Finish the requests in flight and close the listening socket."""
        self.should_exit = True


def bind(listen: str) -> socket.socket:
    """A listening socket on ``listen`` (``HOST:PORT``; port 0 picks a free one)."""
    host, port = parse_listen(listen)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def address(sock: socket.socket) -> str:
    """The URL a browser opens for ``sock``."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


async def serve(server: EmbeddedServer, sock: socket.socket) -> None:
    """Serve on ``sock`` on the running loop until ``server.stop()`` (or cancellation)."""
    log.info("web front on %s (read-only, no login: keep it on localhost or behind a proxy's auth)", address(sock))
    try:
        await server.serve(sockets=[sock])
    finally:
        sock.close()


def embedded(app: ASGIApp) -> EmbeddedServer:
    """The server for ``app``: our logging, no access log, no lifespan, the running asyncio loop."""
    config = uvicorn.Config(app, loop="none", lifespan="off", log_config=None, access_log=False,
                            server_header=False, timeout_graceful_shutdown=5)
    return EmbeddedServer(config)


async def stop_and_wait(server: EmbeddedServer, task: asyncio.Task[None]) -> None:
    """Stop ``server`` and wait for its task (a few seconds for requests in flight)."""
    server.stop()
    try:
        await asyncio.wait_for(task, 10)
    except (TimeoutError, asyncio.CancelledError):
        log.warning("web front did not stop in time; closed")
