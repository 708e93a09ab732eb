"""``newswatch`` subprocesses whose stderr is collected line by line: the daemon, the web front."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from support.waiting import wait_until

_SCRUBBED = ("NEWSWATCH_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD")


class Background:
    """``python -m newswatch ARGS`` in ``cwd``, in the background; its stderr collected line by line as it comes."""

    def __init__(self, *args: str | os.PathLike[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        environment = {**{k: v for k, v in os.environ.items() if k not in _SCRUBBED}, **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", *map(str, args)],
            cwd=cwd, env=environment, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._lock:
                self._lines.append(line.rstrip("\n"))

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def count(self, text: str) -> int:
        """How many stderr lines contain ``text``."""
        return sum(text in line for line in self.lines())

    def wait_for_line(self, text: str, timeout: float = 30) -> None:
        wait_until(lambda: self.count(text) or self.proc.poll() is not None, f"stderr line {text!r}", timeout,
                   self.tail)
        assert self.count(text), f"exited {self.proc.returncode} before {text!r}\n{self.tail()}"

    def wait(self, timeout: float = 30) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit within {timeout}s\n{self.tail()}") from None
        self._reader.join(5)
        return code

    def tail(self) -> str:
        return "--- daemon stderr ---\n" + "\n".join(self.lines()[-40:])

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Daemon(Background):
    """``python -m newswatch [--log-level LEVEL] run -c CONFIG ARGS`` in the config's folder."""

    def __init__(self, config: Path, *args: str, log_level: str = "info") -> None:
        super().__init__("--log-level", log_level, "run", "-c", config, *args, cwd=config.parent)

    def signal_dispositions(self) -> tuple[int, int]:
        """The (ignored, caught) signal masks from /proc: what the process did with its signals so far."""
        fields = dict(line.split(":\t", 1) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
                      if ":\t" in line)
        return int(fields["SigIgn"], 16), int(fields["SigCgt"], 16)

    def handles(self, sig: signal.Signals) -> bool:
        """True once the process ignores or catches ``sig`` (its default action would end it)."""
        try:
            ignored, caught = self.signal_dispositions()
        except (FileNotFoundError, ProcessLookupError, KeyError):
            return False
        return bool((ignored | caught) & (1 << (sig - 1)))
