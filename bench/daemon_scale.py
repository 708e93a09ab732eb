"""Start-up and shutdown of the daemon against the number of sources: both should not grow with N.

For each size N, starts ``python -m newswatch run`` on a config of N feed sources on loopback, all on
one port nothing listens on (every run fails at once with "connection refused": no site's speed in
the figures, only newswatch's own work), ``interval = "24h"`` so each source runs once, at start-up.
Measures, from the process start: the "daemon started" log line (config read, N jobs scheduled, next
runs published), the first heartbeat file; then sends SIGTERM once the heartbeat is there (the
start-up runs are under way or queued for a concurrency slot) and measures the time to exit, the
exit status and the peak RSS (``wait4``). Writes ``bench/DAEMON.md``.

    python bench/daemon_scale.py                         # N = 1,000, 10,000, 50,000
    python bench/daemon_scale.py --sizes 1000,5000 --out /tmp/d.md

One run per size on a shared machine: compare the ratios between sizes, not absolute figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 600.0
GRACE = "5s"
STARTED = "daemon started:"


@dataclass
class Measure:
    sources: int
    config_bytes: int
    started: float | None  # seconds from spawn to the "daemon started" line
    heartbeat: float | None  # seconds from spawn to the first heartbeat file
    stop: float | None  # seconds from SIGTERM to exit
    status: int | None
    runs: int  # runs finished when the daemon exited
    peak_rss_kib: int
    schedule: str  # the daemon's own "schedule: ..." line at shutdown


def closed_port() -> int:
    """A loopback port nothing listens on (taken from the kernel, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, sources: int, port: int) -> Path:
    head = f"""[storage]
path = "{folder / 'newswatch.db'}"

[crawler]
obey_robots_txt = false
timeout = "2s"
retries = 0

[scheduler]
interval = "24h"
jitter = "0s"
grace = "{GRACE}"
"""
    body = "".join(f'\n[[sources]]\nname = "s{i:05}"\nurl = "http://127.0.0.1:{port}/feed/{i}"\ntype = "feed"\n'
                   for i in range(sources))
    path = folder / "config.toml"
    path.write_text(head + body, encoding="utf-8")
    return path


class Lines:
    """The daemon's stderr, collected by a thread, each line with the moment it arrived."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.got: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.got.append((time.monotonic(), line.rstrip("\n")))

    def first(self, text: str) -> float | None:
        return next((at for at, line in list(self.got) if text in line), None)

    def count(self, pattern: re.Pattern[str]) -> int:
        return sum(1 for _, line in list(self.got) if pattern.search(line))


def wait_for(predicate, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def reap(pid: int, deadline: float) -> tuple[int | None, int]:
    """Wait for ``pid`` (polling wait4); its exit status (None if it did not end) and peak RSS in KiB."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss
        time.sleep(0.02)
    return None, 0


def measure(sources: int, folder: Path, profile: Path | None = None) -> Measure:
    config = write_config(folder, sources, closed_port())
    beat = folder / "newswatch.db.heartbeat"
    spawned = time.monotonic()
    profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
    proc = subprocess.Popen([sys.executable, *profiler, "-m", "newswatch", "run", "-c", str(config)], cwd=folder,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = Lines(proc)
    got_beat = wait_for(beat.exists, DEADLINE)
    heartbeat = time.monotonic() - spawned if got_beat else None
    started_at = lines.first(STARTED)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status, rss = reap(proc.pid, DEADLINE)
    stop = time.monotonic() - signalled if status is not None else None
    if status is None:
        proc.kill()
        status, rss = reap(proc.pid, 30)
    proc.returncode = status  # reaped here with wait4: Popen must not wait for it again
    lines.thread.join(10)
    runs = lines.count(re.compile(r"source=\S+ outcome="))
    schedule = next((line.split("scheduler.daemon: ", 1)[-1] for _, line in lines.got if "schedule: " in line), "")
    return Measure(sources, config.stat().st_size, None if started_at is None else started_at - spawned, heartbeat,
                   stop, status, runs, rss, schedule)


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def report(results: list[Measure], command: str, took: float, load: tuple[str, str]) -> str:
    lines = [
        "# Daemon start-up and shutdown against the number of sources",
        "",
        f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {took / 60:.1f} min; "
        "never edited by hand.",
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}. Load average before / after: {load[0]} / {load[1]}.",
        "",
        "Each size: `newswatch run` on N feed sources on one loopback port nothing listens on (each run fails at "
        "once: connection refused), `interval = \"24h\"` (one run per source, at start-up), `grace = "
        f"\"{GRACE}\"`. SIGTERM is sent as soon as the first heartbeat file is written, while the start-up runs "
        "are going or queued for a concurrency slot. One run per size: compare ratios.",
        "",
        "| sources | config | to `daemon started` | to first heartbeat | SIGTERM → exit | exit | runs done | "
        "peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in results:
        lines.append(f"| {m.sources:,} | {m.config_bytes / 1e6:.1f} MB | {seconds(m.started)} | {seconds(m.heartbeat)} "
                     f"| {seconds(m.stop)} | {m.status} | {m.runs:,} | {m.peak_rss_kib / 1024:.0f} MiB |")
    if len(results) > 1 and all(m.started and m.stop for m in (results[0], results[-1])):
        first, last = results[0], results[-1]
        lines += ["", f"{last.sources:,} / {first.sources:,} sources ({last.sources / first.sources:.0f}× N): "
                  f"start-up {last.started / first.started:.1f}×, SIGTERM → exit {last.stop / first.stop:.1f}×."]
    lines += ["", "The daemon's own count at shutdown:", ""]
    lines += [f"- {m.sources:,}: {m.schedule or '(no schedule line)'}" for m in results]
    return "\n".join(lines) + "\n"


PROFILED = (  # (what, the profiled function's file suffix and name)
    ("reading and validating the config", "newswatch/config.py", "load_config"),
    ("importing modules", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("adding one APScheduler job per source (`_sync_sources`)", "scheduler/daemon.py", "_sync_sources"),
    ("… of which APScheduler's `add_job`", "apscheduler/schedulers/base.py", "add_job"),
    ("… of which its check of the job function's signature", "apscheduler/util.py", "check_callable_args"),
    ("APScheduler handing every due run to the executor (`_process_jobs`)", "apscheduler/schedulers/base.py",
     "_process_jobs"),
    ("the runs' tasks entering the concurrency queue (`_run_source`)", "scheduler/daemon.py", "_run_source"),
    ("publishing every next run to the database (start-up and shutdown)", "scheduler/daemon.py",
     "_publish_next_runs"),
    ("shutdown (`_shutdown`: drain, cancel, close)", "scheduler/daemon.py", "_shutdown"),
)


def profile_rows(path: Path) -> list[str]:
    """The cumulative time of each PROFILED function, and its share of the profiled process."""
    import pstats

    loaded = pstats.Stats(str(path))
    stats, total = loaded.stats, loaded.total_tt  # stats: {(file, line, name): (cc, nc, tt, ct, callers)}
    rows = []
    for what, suffix, name in PROFILED:
        found = [(nc, ct) for (file, _, fn), (_, nc, _, ct, _) in stats.items() if fn == name and file.endswith(suffix)]
        calls, cum = max(found, key=lambda f: f[1], default=(0, 0.0))
        rows.append(f"| {what} | {calls:,} | {cum:.1f} s | {cum / total:.0%} |")
    return rows


def profile_section(sources: int, profile: Path, m: Measure) -> list[str]:
    return ["", f"## Where the time goes at {sources:,} sources (cProfile, the same protocol once more)", "",
            f"`python -m cProfile -m newswatch run` ({seconds(m.started)} to `daemon started`, SIGTERM → exit "
            f"{seconds(m.stop)} under the profiler, which inflates every call: read the shares). Cumulative time "
            "of each part (nested parts are inside their parent's time):", "",
            "| part | calls | cumulative | share of the profiled process |", "|---|---|---|---|",
            *profile_rows(profile)]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def profiled(sources: int) -> list[str]:
    print(f"{sources}: once more under cProfile ...", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"daemon-{sources}-profile-") as folder:
        profile = Path(folder) / "run.prof"
        m = measure(sources, Path(folder), profile)
        return profile_section(sources, profile, m) if profile.exists() else ["", "(the profiled run wrote no profile)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated numbers of sources")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "DAEMON.md")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run of the largest size")
    args = parser.parse_args()
    command = "python bench/daemon_scale.py" + "".join(f" {a}" for a in map(shlex.quote, sys.argv[1:]))
    before, began = load_average(), time.monotonic()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"daemon-{size}-") as folder:
            results.append(measure(size, Path(folder)))
        m = results[-1]
        print(f"{size}: started {seconds(m.started)}, heartbeat {seconds(m.heartbeat)}, stop {seconds(m.stop)}, "
              f"exit {m.status}, runs {m.runs}, rss {m.peak_rss_kib // 1024} MiB", flush=True)
    extra = [] if args.no_profile else profiled(max(m.sources for m in results))
    text = report(results, command, time.monotonic() - began, (before, load_average())) + "\n".join(extra)
    args.out.write_text(text + ("\n" if extra else ""), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
