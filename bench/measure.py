"""Running one command and measuring it: wall time, CPU time, peak RSS, exit status, output.

Peak RSS and CPU time come from ``/usr/bin/time -v`` when it is installed, else
from ``os.wait4`` on the child (the same kernel accounting: the child's own
maximum resident set and user+system time).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Measured:
    """One command's run."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the process (and children it waited for)
    rss_kib: int  # peak resident set size
    returncode: int
    stdout: str
    stderr: str
    method: str  # "/usr/bin/time -v" or "wait4"

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment for a measured command: bytecode caches on (as for an installed package)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


def measure(
    command: Sequence[str], workdir: Path, env: Mapping[str, str] | None = None, timeout: float = 1800
) -> Measured:
    """Run ``command`` in ``workdir`` (stdout/stderr kept in files there) and measure it."""
    workdir.mkdir(parents=True, exist_ok=True)
    out, err, report = workdir / "stdout.txt", workdir / "stderr.txt", workdir / "time.txt"
    use_time = Path(GNU_TIME).exists() and shutil.which(GNU_TIME) is not None
    argv = [GNU_TIME, "-v", "-o", str(report), *command] if use_time else list(command)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=workdir, env=dict(env or environment()), stdout=stdout, stderr=stderr,
                                start_new_session=True)
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if use_time:
        cpu, rss, code = _gnu_time(_read(report))
        return Measured(wall, cpu, rss, code, _read(out), _read(err), "/usr/bin/time -v")
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(wall, cpu, usage.ru_maxrss, proc.returncode, _read(out), _read(err), "wait4")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _gnu_time(report: str) -> tuple[float, int, int]:
    """CPU seconds, peak RSS (KiB) and exit status from a ``time -v`` report."""

    def field(name: str) -> str:
        m = re.search(rf"^\s*{re.escape(name)}: (.+)$", report, re.MULTILINE)
        if not m:
            raise RuntimeError(f"no {name!r} in the /usr/bin/time report:\n{report}")
        return m[1].strip()

    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return cpu, int(field("Maximum resident set size (kbytes)")), int(field("Exit status"))
