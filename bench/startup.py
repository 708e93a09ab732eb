"""Start-up time of ``newswatch --help``, and the slowest imports when it is over budget."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import environment

BUDGET = 0.3  # seconds


@dataclass(frozen=True)
class Startup:
    help_median: float  # seconds, `newswatch --help`, wall
    help_runs: list[float]
    help_cpu: float  # seconds, median user + system time
    python_median: float  # seconds, `python -c pass`: the interpreter's own floor
    imports: list[tuple[float, float, str]] = field(default_factory=list)  # (self s, cumulative s, module)


def _newswatch() -> list[str]:
    script = Path(sys.executable).parent / "newswatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "newswatch"]


def _timed(command: list[str], runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each of ``runs`` runs of ``command``."""
    times = []
    env = environment()
    for _ in range(runs):
        clock = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append((time.perf_counter() - clock, usage.ru_utime + usage.ru_stime))
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{' '.join(command)} exited with {proc.returncode}")
    return times


def import_times(top: int = 10) -> list[tuple[float, float, str]]:
    """What ``newswatch --help`` spends importing (``python -X importtime``).

    Rows (self seconds, cumulative seconds, name): first our own modules that pull in the most,
    by cumulative time, then the third-party packages by the sum of their modules' self times.
    """
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sys; from newswatch.cli import main; "
         "sys.argv = ['newswatch', '--help']; main()"],
        env=environment(), capture_output=True, text=True, check=False,
    )
    ours: list[tuple[float, float, str]] = []
    packages: dict[str, float] = {}
    for m in re.finditer(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$", proc.stderr, re.MULTILINE):
        own, cumulative, name = int(m[1]) / 1e6, int(m[2]) / 1e6, m[4]
        package = name.split(".")[0]
        if package in ("newswatch", "crawler", "scheduler", "notifiers"):
            ours.append((own, cumulative, name))
        else:
            packages[package] = packages.get(package, 0.0) + own
    ours.sort(key=lambda r: -r[1])
    theirs = sorted(((own, own, f"{name} (all its modules, self time)") for name, own in packages.items()),
                    key=lambda r: -r[0])
    return ours[:5] + theirs[:top]


def run(runs: int = 10) -> Startup:
    _timed([*_newswatch(), "--help"], 1)  # warm-up: bytecode caches, disk cache
    help_runs = _timed([*_newswatch(), "--help"], runs)
    python_runs = _timed([sys.executable, "-c", "pass"], runs)
    median = statistics.median(wall for wall, _ in help_runs)
    return Startup(median, [wall for wall, _ in help_runs], statistics.median(cpu for _, cpu in help_runs),
                   statistics.median(wall for wall, _ in python_runs), import_times() if median > BUDGET else [])
