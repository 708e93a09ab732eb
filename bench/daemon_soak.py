"""The daemon at scale: ``newswatch run`` over 10,000 sources every 10 minutes, for 15 minutes.

nginx (bench/scale.py's: Debian's, one process, many loopback hosts) serves bench/site.py's listing
pages as static files; the daemon runs on a fresh database with ``interval`` = --interval, so every
source's runs fall at its stable offset within the interval (scheduler/spread.py): each source runs
once (its baseline) in the first interval and again after it. One interval after the daemon started,
the 5 % of pages that bench/site.py changes switch to their second state (one new article each,
matching a watch): the runs after that find them and alert a local webhook sink.

Sampled every --sample seconds: the daemon's RSS and CPU (from /proc), nginx's CPU, the runs
finished. At the end (SIGTERM): schedule lag (start - due, from the ``runs`` table) p50 / p99 / max,
runs/s sustained, outcomes, sources that missed a due run, and every alert checked: each expected
(title, watch) of a source whose run found its new article arrived exactly once, nothing else did.
Writes bench/DAEMON_SOAK.md.

    python bench/daemon_soak.py                                   # 10,000 sources, 10m, 15 minutes
    python bench/daemon_soak.py --sources 500 --interval 1m --minutes 2 --out /tmp/soak.md
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench import site as listing  # noqa: E402
from bench.daemon_scale import Lines, reap, wait_for  # noqa: E402
from bench.scale import Nginx, ScaleNewswatch, host_of, load_average, machine, nginx_binary, write_pages  # noqa: E402
from bench.sink import WebhookSink  # noqa: E402
from bench.soak import finished_runs  # noqa: E402
from bench.tools import _watch_of  # noqa: E402
from newswatch.config import parse_duration  # noqa: E402
from scheduler import spread  # noqa: E402

LAG_P99_TARGET = 30.0
JITTER_SLACK = 31.0  # a run may start up to the default jitter (30 s) before its slot
RSS_GROWTH_TARGET = 0.05  # RSS of the last sample within +5 % of the sample one interval in
TICKS = os.sysconf("SC_CLK_TCK")


# -- sampling ------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float  # seconds since the daemon started
    rss_mib: float
    cpu: float  # daemon user+system seconds so far
    nginx_cpu: float
    runs: int


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mib(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def sample(pid: int, nginx_pid: int, database: Path, since: float) -> Sample:
    return Sample(time.monotonic() - since, rss_mib(pid), cpu_seconds(pid), cpu_seconds(nginx_pid),
                  finished_runs(database))


# -- the run ------------------------------------------------------------------------------


@dataclass
class Soak:
    samples: list[Sample]
    started_s: float | None  # spawn -> "daemon started"
    stop_s: float | None  # SIGTERM -> exit
    status: int | None
    peak_rss_mib: float
    switched_at: float  # seconds after start when the changed pages switched
    runs: list[tuple[str, str, float | None, str]] = field(default_factory=list)  # source, started, lag, outcome
    alerts: list[dict] = field(default_factory=list)
    shutdown_line: str = ""
    started_utc: datetime = field(default_factory=lambda: datetime.now(UTC))


def spawn(tool: ScaleNewswatch) -> subprocess.Popen[str]:
    command = [*tool.command, "run", "-c", str(tool.workdir / "config.toml")]
    return subprocess.Popen(command, cwd=tool.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def switch_pages(docroot: Path, pages: int) -> None:
    """The changed pages (bench/site.py, 5 %) to their second state: one new article each."""
    for page in listing.changed_pages(pages):
        target = docroot / listing.page_path(page).strip("/") / "index.html"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(listing.render(page, 2))
        temporary.replace(target)  # atomic: nginx serves the old page or the new one, never half


def soak(args: argparse.Namespace, tool: ScaleNewswatch, nginx: Nginx, docroot: Path, sink: WebhookSink) -> Soak:
    proc, database = spawn(tool), tool.workdir / "newswatch.db"
    lines, spawned = Lines(proc), time.monotonic()
    if not wait_for(lambda: lines.first("daemon started:") or proc.poll() is not None, 600) or proc.poll():
        raise SystemExit("the daemon did not start:\n" + "\n".join(line for _, line in lines.got[-20:]))
    since = lines.first("daemon started:") or spawned
    started_utc = datetime.now(UTC) - timedelta(seconds=time.monotonic() - since)
    samples, switched, end = [], 0.0, since + args.minutes * 60
    interval = parse_duration(args.interval).total_seconds()
    while time.monotonic() < end and proc.poll() is None:
        if not switched and time.monotonic() - since >= interval:
            switch_pages(docroot, args.sources)
            switched = time.monotonic() - since
        samples.append(sample(proc.pid, nginx.proc.pid, database, since))
        print(f"  {samples[-1].at:6.0f} s: {samples[-1].runs:6} runs, RSS {samples[-1].rss_mib:5.0f} MiB, "
              f"CPU {samples[-1].cpu:6.0f} s", flush=True)
        time.sleep(min(args.sample, max(0.0, end - time.monotonic())))
    result = finish(proc, lines, since - spawned, samples, switched or float("inf"), database, sink)
    result.started_utc = started_utc
    return result


def finish(proc: subprocess.Popen[str], lines: Lines, started: float, samples: list[Sample], switched: float,
           database: Path, sink: WebhookSink) -> Soak:
    term = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status, peak_kib = reap(proc.pid, 300)
    stop = time.monotonic() - term if status is not None else None
    lines.thread.join(5)
    shutdown = next((line for _, line in reversed(lines.got) if "schedule:" in line), "")
    return Soak(samples, started, stop, status, peak_kib / 1024, switched, read_runs(database), sink.take(),
                shutdown)


def read_runs(database: Path) -> list[tuple[str, str, float | None, str]]:
    with sqlite3.connect(database, timeout=60) as db:
        return db.execute("SELECT source, started_at, lag_seconds, outcome FROM runs ORDER BY id").fetchall()


# -- checks -------------------------------------------------------------------------------


def alert_problems(result: Soak, pages: int, first: int = 0) -> tuple[int, list[str]]:
    """Expected: the change of every changed page whose source had a run with new articles after the switch."""
    ok_sources = {source for source, _, _, outcome in result.runs if outcome == "ok"}
    wanted = Counter((c.title, c.watch) for c in listing.expected_changes(pages)
                     if f"page-{first + c.page:05d}" in ok_sources)
    got = Counter((m.get("title", ""), _watch_of(m.get("message", ""))) for m in result.alerts)
    problems = []
    if got - wanted:
        extra = got - wanted
        problems.append(f"{sum(extra.values())} unexpected or repeated alerts, e.g. {next(iter(extra))}")
    if wanted - got:
        problems.append(f"{sum((wanted - got).values())} expected alerts missing, e.g. {next(iter(wanted - got))}")
    return sum(wanted.values()), problems


def missed_runs(result: Soak, sources: int, interval: float) -> int:
    """Sources with a due time that no run served: no run at all (the first one is due at start-up), or a grid
    slot (scheduler/spread.py) up to 60 s before SIGTERM with no run started from its jitter window on (a run
    that came first serves the slots due while it waited)."""
    starts: dict[str, list[datetime]] = {}
    for source, started, *_ in result.runs:
        starts.setdefault(source, []).append(datetime.fromisoformat(started))
    step, slack = timedelta(seconds=interval), timedelta(seconds=JITTER_SLACK)
    begin, cutoff = result.started_utc, result.started_utc + timedelta(seconds=result.samples[-1].at - 60)
    return sum(not served(starts.get(f"page-{i:05d}", []), f"page-{i:05d}", begin, cutoff, step, slack)
               for i in range(sources))


def served(starts: list[datetime], name: str, begin: datetime, cutoff: datetime, step: timedelta,
           slack: timedelta) -> bool:
    slot = spread.start_date(name, step)
    slot += step * max(0, math.ceil((begin - slot) / step))
    while starts and slot <= cutoff:
        if not any(slot - slack <= start < slot + step for start in starts):
            return False
        slot += step
    return bool(starts)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- the report ---------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def steady(samples: list[Sample], interval: float) -> tuple[Sample, Sample]:
    """The first sample at least one interval in (or the middle one) and the last."""
    later = [s for s in samples if s.at >= interval] or samples[len(samples) // 2:]
    return later[0], samples[-1]


def split_lags(runs: list[tuple[str, str, float | None, str]]) -> tuple[list[float], list[float]]:
    """Lags of each source's first run (all due at start-up: README "runs first at start-up") and of the rest."""
    seen: set[str] = set()
    first, later = [], []
    for source, _, lag, _ in runs:
        if lag is not None:
            (later if source in seen else first).append(lag)
        seen.add(source)
    return first, later


def lag_cell(lags: list[float]) -> str:
    worst = max(lags, default=float("nan"))
    return f"{percentile(lags, 0.5):.2f} / {percentile(lags, 0.99):.2f} / {worst:.2f} s"


def summary_rows(result: Soak, args: argparse.Namespace, expected: int, problems: list[str]) -> list[str]:
    interval = parse_duration(args.interval).total_seconds()
    first_lags, lags = split_lags(result.runs)
    first, last = samples_span(result.samples)
    busy = (last.cpu - first.cpu) / max(1e-9, last.at - first.at)
    rate = (last.runs - first.runs) / max(1e-9, last.at - first.at)
    mid, end = steady(result.samples, interval)
    growth = end.rss_mib / mid.rss_mib - 1
    missed = missed_runs(result, args.sources, interval)
    p99 = percentile(lags, 0.99)
    return [
        f"| schedule lag p50 / p99 / max, scheduled runs ({len(lags):,}) | p99 < {LAG_P99_TARGET:.0f} s | "
        f"{lag_cell(lags)} | {verdict(p99 < LAG_P99_TARGET)} |",
        f"| the start-up burst: every source's first run, due at start-up ({len(first_lags):,}) | – | "
        f"{lag_cell(first_lags)} | (queue position) |",
        f"| daemon CPU, busy share of one core (one Python process), after the first sample | not saturated | "
        f"{busy:.0%} | {verdict(busy < 0.9)} |",
        f"| RSS, {mid.at / 60:.0f} min → {end.at / 60:.0f} min | flat (< +{RSS_GROWTH_TARGET:.0%}) | "
        f"{mid.rss_mib:.0f} → {end.rss_mib:.0f} MiB ({growth:+.1%}) | {verdict(growth < RSS_GROWTH_TARGET)} |",
        f"| runs/s sustained after the first sample (due: {args.sources / interval:.1f}/s) | the due rate | "
        f"{rate:.1f} | {verdict(rate >= 0.95 * args.sources / interval)} |",
        f"| sources with a due run none served (no run, or a grid slot up to 60 s before SIGTERM without one) | 0 | "
        f"{missed} | {verdict(missed == 0)} |",
        f"| alerts: each expected one exactly once ({expected} expected, {len(result.alerts)} received) | exact | "
        f"{'; '.join(problems) or 'exact'} | {verdict(not problems)} |",
        f"| SIGTERM → exit, exit status | 0 | {fmt(result.stop_s)} s, {result.status} | "
        f"{verdict(result.status == 0)} |",
    ]


def samples_span(samples: list[Sample]) -> tuple[Sample, Sample]:
    return samples[min(1, len(samples) - 1)], samples[-1]


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def sample_rows(samples: list[Sample]) -> list[str]:
    rows, previous = [], None
    for s in samples[::4] + ([samples[-1]] if (len(samples) - 1) % 4 else []):
        span = s.at - previous.at if previous else s.at
        if previous and span:
            cpu, runs = f"{(s.cpu - previous.cpu) / span:.0%}", f"{(s.runs - previous.runs) / span:.1f}"
        else:
            cpu = runs = "–"
        rows.append(f"| {s.at / 60:.1f} | {s.runs:,} | {runs} | {s.rss_mib:.0f} | {cpu} | {s.nginx_cpu:.1f} |")
        previous = s
    return rows


def render(result: Soak, args: argparse.Namespace, meta: dict[str, str]) -> str:
    expected, problems = alert_problems(result, args.sources)
    outcomes = Counter(outcome for *_, outcome in result.runs)
    return "\n".join([
        "# The daemon at scale: a soak", "",
        f"Written by `{meta['command']}` on {meta['started']} in {meta['seconds']} at commit {meta['commit']}; "
        "never edited by hand.", "",
        f"Machine: {meta['machine']}. Load average before / after: {meta['load']}.", "",
        f"`newswatch run` on a fresh database, {args.sources:,} html sources at `interval = \"{args.interval}\"` "
        f"(default jitter), `concurrency` = `per_domain` = {args.concurrency}, robots.txt off, for "
        f"{args.minutes:g} minutes, then SIGTERM. Served by {meta['nginx']} on {args.hosts} loopback hosts "
        f"(bench/site.py's listing pages, 20 cards, ~20 KB, static). One interval in "
        f"({fmt(result.switched_at)} s after `daemon started`), {len(listing.changed_pages(args.sources)):,} pages "
        "(5 %) switched to a state with one new article matching a watch. Lag is the `runs` table's "
        "`lag_seconds` (actual start − due time, jitter included in the due time).", "",
        "## Targets", "", "| what | target | measured | |", "|---|---|---|---|",
        *summary_rows(result, args, expected, problems), "",
        f"Start-up (spawn → `daemon started`): {fmt(result.started_s)} s. Peak RSS {result.peak_rss_mib:.0f} MiB. "
        f"Outcomes: {dict(outcomes)}. The daemon's own shutdown line: `{result.shutdown_line.strip()}`", "",
        "## Over time", "", "| minutes | runs done | runs/s since the row before | daemon RSS MiB | daemon CPU "
        "(share of a core since the row before) | nginx CPU s so far |", "|---|---|---|---|---|---|",
        *sample_rows(result.samples), "",
    ])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=10_000, help="html sources (default 10000)")
    parser.add_argument("--interval", default="10m", help="every source's interval (default 10m)")
    parser.add_argument("--minutes", type=float, default=15, help="how long the daemon runs (default 15)")
    parser.add_argument("--sample", type=float, default=15, help="seconds between samples (default 15)")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts the pages are spread over (default 50)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency and per_domain (default 16)")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache", help="work files (default bench/.cache)")
    parser.add_argument("--out", type=Path, default=BENCH / "DAEMON_SOAK.md",
                        help="report (default bench/DAEMON_SOAK.md)")
    args = parser.parse_args()
    if args.sources < 1 or args.minutes <= 0 or not 1 <= args.hosts <= 254:
        parser.error("--sources and --minutes must be positive, --hosts between 1 and 254")
    return args


def scheduled_config(tool: ScaleNewswatch, interval: str) -> None:
    text = tool.config() + f'\n[scheduler]\ninterval = "{interval}"\n'
    (tool.workdir / "config.toml").write_text(text, encoding="utf-8")


def commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                          text=True, check=False)
    return done.stdout.strip() or "unknown"


def main() -> None:
    args = parse_args()
    command = shlex.join(["python", "bench/daemon_soak.py", *sys.argv[1:]])
    started, clock, load_before = report.now(), time.monotonic(), load_average()
    binary, work = nginx_binary(), (args.cache / "soak").resolve()
    docroot = work / "site"
    shutil.rmtree(docroot, ignore_errors=True)  # the switch rewrites pages: start from pass-1 pages
    print(f"writing {args.sources} static pages ...", flush=True)
    write_pages(docroot, args.sources)
    nginx, sink = Nginx(binary, work / "nginx", docroot, args.hosts), WebhookSink()
    try:
        urls = [f"http://{host_of(p, args.hosts)}:{nginx.port}{listing.page_path(p)}" for p in range(args.sources)]
        tool = ScaleNewswatch(urls, work / "daemon", sink, args.concurrency)
        tool.prepare()
        scheduled_config(tool, args.interval)
        result = soak(args, tool, nginx, docroot, sink)
        version = nginx.version()
    finally:
        sink.close()
        nginx.close()
    meta = {"command": command, "started": f"{started:%Y-%m-%d %H:%M} UTC",
            "seconds": f"{(time.monotonic() - clock) / 60:.1f} min", "machine": machine(),
            "load": f"{load_before} / {load_average()}", "nginx": version, "commit": commit()}
    text = render(result, args, meta)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {os.path.relpath(args.out)}\n\n{text}")


if __name__ == "__main__":
    main()
