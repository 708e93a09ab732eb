"""A real ``redis-server`` on a free loopback port with a temp dir (Debian package ``redis-server``)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from support.waiting import wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """Started by :meth:`start` (again after :meth:`stop`, on the same port); ``password``/``tls`` optional."""

    def __init__(self, directory: Path, password: str | None = None, tls: tuple[Path, Path] | None = None) -> None:
        self.directory, self.password, self.tls = directory, password, tls
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"{'rediss' if self.tls else 'redis'}://{auth}127.0.0.1:{self.port}/0"

    def _args(self) -> list[str]:
        args = [redis_binary() or "redis-server", "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--save", "", "--appendonly", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        if self.tls:
            cert, key = self.tls
            return [*args, "--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(cert),
                    "--tls-key-file", str(key), "--tls-auth-clients", "no"]
        return [*args, "--port", str(self.port)]

    def start(self) -> None:
        self.proc = subprocess.Popen(self._args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, f"redis-server on port {self.port}", 20)

    def _listening(self) -> bool:
        assert self.proc is not None
        assert self.proc.poll() is None, "redis-server exited"
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.5).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
