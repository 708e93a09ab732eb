"""A ``newswatch`` process serving the web front (``web`` or ``run``), and reading its address from its log."""

from __future__ import annotations

import re
import signal

from support.daemon import Background
from support.waiting import wait_until

_ADDRESS = re.compile(r"web front on (http://\S+/)")


class Serving(Background):
    """``python -m newswatch ARGS`` in the background; ``url`` once it logs where its web front listens."""

    def url(self, timeout: float = 30) -> str:
        """The base URL the web front logged (it binds before it logs)."""
        def found() -> str | None:
            assert self.proc.poll() is None, f"exited {self.proc.returncode}\n{self.tail()}"
            return next((m[1] for line in self.lines() if (m := _ADDRESS.search(line))), None)

        return wait_until(found, "the web front's address in the log", timeout, self.tail)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM; the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)
