"""Running the web front: on the daemon's loop (``[web] listen``) or on its own (``newswatch web``)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from newswatch.config import Config
from newswatch.errors import WebError
from newswatch.store import Store
from newswatch.units import parse_listen
from scheduler.heartbeat import heartbeat_path
from web.app import create_app
from web.server import EmbeddedServer, bind, embedded, serve, stop_and_wait

log = logging.getLogger(__name__)


@dataclass
class RunningWeb:
    """A web front serving on the running loop."""

    server: EmbeddedServer
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Finish requests in flight (a few seconds at most), close the socket and the read-only connection."""
        await stop_and_wait(self.server, self.task)
        self.server.config.app.state.web.store.close()


def start(config: Callable[[], Config], listen: str) -> RunningWeb:
    """Start serving on the running loop (the database must exist and be migrated); WebError if it cannot bind."""
    try:
        parse_listen(listen)
        sock = bind(listen)
    except (ValueError, OSError) as exc:
        raise WebError(listen, getattr(exc, "strerror", None) or str(exc)) from None
    database = config().storage.path
    server = embedded(create_app(config, database, heartbeat_path(database)))
    return RunningWeb(server, asyncio.get_running_loop().create_task(serve(server, sock)))


def serve_standalone(config: Config, listen: str) -> int:
    """``newswatch web``: serve until SIGTERM/SIGINT; 0."""
    Store(config.storage.path).close()  # create or migrate the database, as every command does; then read only

    async def main() -> int:
        web = start(lambda: config, listen)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, web.server.stop)
        await web.task
        log.info("web front stopped")
        return 0

    return asyncio.run(main())
