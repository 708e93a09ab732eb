"""A ``newswatch`` process serving the web front (``web`` or ``run``), and reading its address from its log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from support.waiting import wait_until

_SCRUBBED = ("NEWSWATCH_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD")
_ADDRESS = re.compile(r"web front on (http://\S+/)")


class Serving:
    """``python -m newswatch ARGS`` in the background; ``url`` once it logs where its web front listens."""

    def __init__(self, *args: str | os.PathLike[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        env = {**{k: v for k, v in os.environ.items() if k not in _SCRUBBED}, **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "newswatch", *map(str, args)], cwd=cwd, env=env,
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def tail(self) -> str:
        return "--- stderr ---\n" + "\n".join(self.lines[-30:])

    def url(self, timeout: float = 30) -> str:
        """The base URL the web front logged (it binds before it logs)."""
        def found() -> str | None:
            assert self.proc.poll() is None, f"exited {self.proc.returncode}\n{self.tail()}"
            return next((m[1] for line in list(self.lines) if (m := _ADDRESS.search(line))), None)

        return wait_until(found, "the web front's address in the log", timeout, self.tail)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM; the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
