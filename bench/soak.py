"""Soak test of the daemon: many scheduled runs in one process, watching memory and file descriptors.

Runs ``python -m newswatch run`` in its own process against a local fixture
site (``tests/support``) whose pages gain an article every few seconds (some
of them matching a watch, so alerts go to a local webhook sink too). Counts
finished runs in the ``runs`` table; samples RSS (``/proc/PID/status``) and
open fds (``/proc/PID/fd``) every ``--every`` runs; after ``--runs`` runs stops
the daemon with SIGTERM and writes ``bench/SOAK.md``.

    python bench/soak.py                       # 1000 runs: 5 sources, every second
    python bench/soak.py --runs 300 --sources 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.configs import base, html_source  # noqa: E402
from support.pages import Item, listing  # noqa: E402
from support.server import FixtureSite  # noqa: E402
from support.sinks import HttpSink  # noqa: E402

RSS_TARGET, FD_TARGET = 0.05, 0
DURATION = re.compile(r"source=\S+ outcome=(\S+) .* duration=([0-9.]+)s")


@dataclass
class Sample:
    runs: int
    seconds: float
    rss_kib: int
    fds: int


@dataclass
class Soak:
    """One soak: its settings, the daemon process, and what was measured."""

    runs: int
    sources: int
    interval: str
    every: int
    workdir: Path
    samples: list[Sample] = field(default_factory=list)
    exit_code: int | None = None
    alerts_sent: int = 0
    started: float = field(default_factory=time.monotonic)


# -- the world the daemon runs in ---------------------------------------------------


class ChangingSite:
    """The fixture site with one listing per source, each gaining an article every ``period`` seconds."""

    def __init__(self, sources: int, period: float = 3.0) -> None:
        self.site, self.period, self.sources = FixtureSite(), period, sources
        self.items: dict[int, list[Item]] = {n: [_item(n, i) for i in range(10)] for n in range(sources)}
        self.stop = threading.Event()
        for n in range(sources):
            self._publish(n)
        threading.Thread(target=self._churn, daemon=True).start()

    def url(self, n: int) -> str:
        return self.site.url(f"/source{n}/list")

    def _publish(self, n: int) -> None:
        self.site.set(f"/source{n}/list", listing(self.items[n][:20], ticker=["KGS/USD = 0.0114 0%"]))

    def _churn(self) -> None:
        count = 10
        while not self.stop.wait(self.period):
            for n in range(self.sources):
                self.items[n].insert(0, _item(n, count))
                self._publish(n)
            count += 1

    def close(self) -> None:
        self.stop.set()
        self.site.close()


def _item(source: int, number: int) -> Item:
    topic = "human trafficking case" if number % 5 == 0 else "regional news"
    return Item(f"Story {number} of source {source}: {topic}", f"/source{source}/news/{number}/",
                f"Summary of story {number} about {topic}.", "2025-03-01T08:00:00Z")


def write_config(soak: Soak, site: ChangingSite, sink: HttpSink) -> Path:
    text = base() + f'\n[scheduler]\ninterval = "{soak.interval}"\njitter = "0s"\ndelivery_interval = "5s"\n'
    text += "".join(html_source(f"source{n}", site.url(n)) for n in range(soak.sources))
    text += f"""
[[watches]]
name = "trafficking"
keywords = ["trafficking"]

[[notifiers]]
name = "sink"
url = "json://127.0.0.1:{sink.port}/"
"""
    path = soak.workdir / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- measuring ----------------------------------------------------------------------


def finished_runs(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def sample(pid: int, runs: int, started: float) -> Sample:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)[1])  # type: ignore[index]
    return Sample(runs, time.monotonic() - started, rss, len(os.listdir(f"/proc/{pid}/fd")))


def watch_daemon(soak: Soak, proc: subprocess.Popen[bytes]) -> None:
    """Sample every ``soak.every`` finished runs until ``soak.runs``."""
    database, next_mark = soak.workdir / "newswatch.db", soak.every
    while next_mark <= soak.runs:
        if proc.poll() is not None:
            raise SystemExit(f"the daemon exited early ({proc.returncode}); see {soak.workdir / 'daemon.log'}")
        runs = finished_runs(database)
        if runs >= next_mark:
            soak.samples.append(sample(proc.pid, runs, soak.started))
            print(f"runs={runs} rss={soak.samples[-1].rss_kib} KiB fds={soak.samples[-1].fds}", flush=True)
            next_mark += soak.every
        time.sleep(0.2)


def durations(log: Path) -> tuple[list[float], dict[str, int]]:
    """Run durations (seconds) and the count of each outcome, from the daemon's per-run log lines."""
    values, outcomes = [], {}
    for match in DURATION.finditer(log.read_text(encoding="utf-8", errors="replace")):
        outcomes[match[1]] = outcomes.get(match[1], 0) + 1
        values.append(float(match[2]))
    return values, outcomes


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": max(values)}


# -- running ----------------------------------------------------------------------


def run(soak: Soak) -> None:
    site, sink = ChangingSite(soak.sources), HttpSink()
    config = write_config(soak, site, sink)
    with (soak.workdir / "daemon.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "newswatch", "run", "-c", str(config)],
                                cwd=soak.workdir, stderr=log, stdout=subprocess.DEVNULL)
        try:
            watch_daemon(soak, proc)
            proc.send_signal(signal.SIGTERM)
            soak.exit_code = proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
    soak.alerts_sent = len(sink.received)
    sink.close()
    site.close()


def machine() -> str:
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu[1] if cpu else 'unknown CPU'}, "
            f"{int(mem[1]) // 1024 if mem else '?'} MiB RAM; {platform.platform()}; "
            f"Python {platform.python_version()}; load average at the end "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine may be shared)")


def report(soak: Soak, command: str) -> str:
    """The SOAK.md text: figures, verdict, machine and the exact command."""
    first, last = soak.samples[0], soak.samples[-1]
    growth = (last.rss_kib - first.rss_kib) / first.rss_kib
    values, outcomes = durations(soak.workdir / "daemon.log")
    p = percentiles(values)
    ok_rss, ok_fds = growth < RSS_TARGET, last.fds - first.fds <= FD_TARGET
    table = "\n".join(f"| {s.runs} | {s.seconds:.0f} | {s.rss_kib / 1024:.1f} | {s.fds} |" for s in soak.samples)
    return f"""# Daemon soak test

{datetime.now(UTC):%Y-%m-%d %H:%M} UTC — `newswatch run` over {last.runs} scheduled runs
({soak.sources} sources every {soak.interval}, pages gaining an article every 3 s, every 5th one
matching a watch and alerted to a local webhook sink).

| | run {first.runs} | run {last.runs} | change | target | verdict |
|---|---|---|---|---|---|
| RSS | {first.rss_kib / 1024:.1f} MiB | {last.rss_kib / 1024:.1f} MiB | {growth:+.1%} | < +5% | {_verdict(ok_rss)} |
| open fds | {first.fds} | {last.fds} | {last.fds - first.fds:+d} | no growth | {_verdict(ok_fds)} |

Run durations (from the daemon's per-run log lines, {len(values)} runs):
p50 {p['p50']:.3f} s, p90 {p['p90']:.3f} s, p99 {p['p99']:.3f} s, max {p['max']:.3f} s.
Outcomes: {json.dumps(outcomes)}. Alerts received by the sink: {soak.alerts_sent}.
Exit status after SIGTERM: {soak.exit_code}. Wall time: {last.seconds:.0f} s.

Every {soak.every} runs:

| runs | seconds | RSS MiB | fds |
|---|---|---|---|
{table}

Machine: {machine()}.

Command (from the repository root):

    {command}
"""


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def main() -> None:
    """Parse the options, soak, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000, help="scheduled runs in all (default 1000)")
    parser.add_argument("--sources", type=int, default=5, help="sources, each on its own schedule (default 5)")
    parser.add_argument("--interval", default="1s", help="interval of every source (default 1s)")
    parser.add_argument("--every", type=int, default=100, help="sample every this many runs (default 100)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "SOAK.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newswatch-soak-") as scratch:
        soak = Soak(args.runs, args.sources, args.interval, args.every, Path(scratch))
        run(soak)
        text = report(soak, shlex.join(["python", "bench/soak.py", *sys.argv[1:]]))
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
