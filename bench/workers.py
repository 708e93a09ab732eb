"""The scale-out benchmark: one ``newswatch run --workers`` daemon and 1, 2, 3 ``newswatch worker`` processes.

A real ``redis-server`` (Debian package) on a free loopback port and nginx on H loopback hosts
(127.0.1.1-127.0.1.H, bench/scale.py's helpers and static listing pages) serve N html sources. For each
worker count K of --workers it starts K ``newswatch worker --concurrency C`` processes, waits until each has
registered in Redis, then starts the real daemon (``newswatch run -c CONFIG --workers URL``, interval 30 d,
no jitter): every source is due at once at its start, so its first pass over the N sources is the measured
load. It polls the database until N runs are finished and reads from /proc, while the daemon still runs:

- pages/s: N / the time from the first run started to the last one finished (one page per source);
- lag of the schedule: how long after the first run each source's run started (all were due then);
- the daemon's CPU seconds during that pass and its peak RSS; per stored run, the writer's cost
  (the daemon enqueues, reads results, diffs and stores: everything but crawling), and from it the
  runs/s one writer core can store, i.e. the sources one writer serves at one run per source per hour;
- per worker: jobs done (its Redis registry), pages/s and CPU seconds per page;
- the CPU budget: the whole machine's busy CPU seconds during the pass (/proc/stat) split into the workers',
  the daemon's and everything else's (nginx, Redis, this driver, other work) per run, and from them the
  pages/s the machine allows K workers: min(K / worker, 1 / daemon, cores / all three), since the daemon
  (asyncio and one SQLite writer in one thread) runs on one core at most.

Between passes Redis is flushed and the database is fresh. A warm-up pass (1 worker, 50 sources) is not
measured. Writes bench/WORKERS.md (never edit it by hand).

    python bench/workers.py                      # N = 2,000 sources, 1/2/3 workers (about 6-12 minutes on 2 cores)
    python bench/workers.py --sources 10000      # the issue's size (much longer on 2 shared cores)
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench import report  # noqa: E402
from bench import site as listing  # noqa: E402
from bench.scale import (  # noqa: E402
    Nginx,
    ScaleNewswatch,
    free_port,
    host_of,
    load_average,
    machine,
    nginx_binary,
    write_pages,
)
from bench.sink import WebhookSink  # noqa: E402

SPEED_UP_TARGET = 1.6  # pages/s with 2 workers against 1
PASS_TIMEOUT = 900.0  # seconds one pass may take before it is given up
# Each source's next run falls at its own offset within the interval (scheduler/spread.py): with 30 days,
# a pass of minutes sees one rarely. Such a run (outcome "unchanged") is the schedule's, not a fault.
INTERVAL = "30d"
REGISTRY_SECONDS = 4.0  # a worker's heartbeat (its registry hash) comes at least this often with --claim-idle 10
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


# -- processes ------------------------------------------------------------------------


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise SystemExit("workers.py needs redis-server: install it (Debian: apt-get install -y redis-server)")
    return found


class RedisServer:
    """``redis-server`` on a free loopback port, no persistence, its files under ``directory``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen([redis_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--dir",
                                      str(directory), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis.from_url(self.url)
        wait_for(self._up, "redis-server", 20)

    def _up(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def version(self) -> str:
        return str(self.client.info("server").get("redis_version", "?"))

    def close(self) -> None:
        self.client.close()
        stop(self.proc)


def wait_for(check: object, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS_PER_SECOND


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def newswatch_command() -> list[str]:
    script = Path(sys.executable).parent / "newswatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "newswatch"]


# -- one pass ------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    jobs: int
    cpu: float
    rss_mib: float


@dataclass
class Pass:
    workers: int
    sources: int
    wall: float
    daemon_cpu: float
    daemon_rss_mib: float
    lags: list[float]
    outcomes: dict[str, int]
    load: str
    fleet: list[Worker] = field(default_factory=list)
    machine_cpu: float = 0.0  # busy CPU seconds of the whole machine during the pass

    @property
    def worker_cost(self) -> float:
        """Worker CPU seconds per crawled run, all workers together."""
        return sum(w.cpu for w in self.fleet) / self.sources

    @property
    def other_cost(self) -> float:
        """CPU seconds per run of everything but the daemon and the workers (nginx, Redis, the driver, others)."""
        return max(0.0, self.machine_cpu / self.sources - self.writer_cost - self.worker_cost)

    def bound(self, k: int, cores: int) -> float:
        """The pages/s this machine allows ``k`` workers at this pass's CPU costs per run."""
        w, d, o = self.worker_cost, self.writer_cost, self.other_cost
        return min(k / w, 1 / d, cores / (w + d + o))

    @property
    def pages_per_s(self) -> float:
        return self.sources / self.wall

    @property
    def writer_cost(self) -> float:
        """Daemon CPU seconds per stored run."""
        return self.daemon_cpu / self.sources

    def problems(self) -> list[str]:
        bad = {k: v for k, v in self.outcomes.items() if k not in ("baseline", "unchanged")}
        if bad or self.outcomes.get("baseline") != self.sources:
            return [f"run outcomes {self.outcomes}, expected {self.sources} baseline runs"]
        return []


def config_text(urls: list[str], workdir: Path, sink: WebhookSink, concurrency: int, most: int) -> str:
    """bench/scale.py's config over ``urls``; the daemon may have ``concurrency`` jobs per worker outstanding."""
    text = ScaleNewswatch(urls, workdir, sink, concurrency).config()
    text = re.sub(r"^concurrency = \d+$", f"concurrency = {concurrency * most}", text, count=1, flags=re.MULTILINE)
    return text + f'\n[scheduler]\ninterval = "{INTERVAL}"\njitter = "0s"\n'


def finished(database: Path) -> tuple[int, int]:
    """(runs started, first runs finished) so far."""
    if not database.exists():
        return 0, 0
    try:
        with sqlite3.connect(database, timeout=5) as db:
            row = db.execute("SELECT count(*), count(finished_at) FILTER (WHERE outcome != 'unchanged') "
                             "FROM runs").fetchone()
    except sqlite3.Error:
        return 0, 0
    return int(row[0]), int(row[1])


def start_workers(k: int, broker: RedisServer, concurrency: int, workdir: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for n in range(k):
        log = (workdir / f"worker-{n}.log").open("wb")
        procs.append(subprocess.Popen([*newswatch_command(), "--log-level", "warning", "worker", broker.url,
                                       "--concurrency", str(concurrency)], cwd=workdir, stdout=log, stderr=log))
    wait_for(lambda: len(list(broker.client.scan_iter("newswatch:worker:*"))) >= k, f"{k} workers registered", 60)
    return procs


def run_pass(k: int, urls: list[str], broker: RedisServer, sink: WebhookSink, args: argparse.Namespace,
             workdir: Path) -> Pass:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    config = workdir / "config.toml"
    config.write_text(config_text(urls, workdir, sink, args.concurrency, max(args.workers)), encoding="utf-8")
    broker.client.flushall()
    workers = start_workers(k, broker, args.concurrency, workdir)
    log = (workdir / "daemon.log").open("wb")
    daemon = subprocess.Popen([*newswatch_command(), "--log-level", "warning", "run", "-c", str(config),
                               "--workers", broker.url], cwd=workdir, stdout=log, stderr=log)
    try:
        return measure_pass(k, len(urls), daemon, workers, broker, workdir)
    finally:
        stop(daemon)
        for proc in workers:
            stop(proc)


def measure_pass(k: int, n: int, daemon: subprocess.Popen[bytes], workers: list[subprocess.Popen[bytes]],
                 broker: RedisServer, workdir: Path) -> Pass:
    database = workdir / "newswatch.db"
    deadline = time.monotonic() + PASS_TIMEOUT
    while finished(database)[0] == 0:
        check_alive(daemon, deadline, workdir)
    start, cpu0, load = time.monotonic(), cpu_seconds(daemon.pid), load_average().split()[0]
    busy0, workers0 = machine_busy_seconds(), [cpu_seconds(p.pid) for p in workers]
    while finished(database)[1] < n:
        check_alive(daemon, deadline, workdir)
    wall, cpu, busy = time.monotonic() - start, cpu_seconds(daemon.pid) - cpu0, machine_busy_seconds() - busy0
    cpus = [(cpu_seconds(p.pid) - c0, peak_rss_mib(p.pid)) for p, c0 in zip(workers, workers0, strict=True)]
    time.sleep(REGISTRY_SECONDS)  # each worker's registry (jobs done) is written at its heartbeat
    fleet = worker_figures(workers, cpus, broker)
    lags, outcomes = read_runs(database)
    return Pass(k, n, wall, cpu, peak_rss_mib(daemon.pid), lags, outcomes, load, fleet, busy)


def check_alive(daemon: subprocess.Popen[bytes], deadline: float, workdir: Path) -> None:
    if daemon.poll() is not None:
        raise SystemExit(f"the daemon exited ({daemon.returncode}); see {workdir / 'daemon.log'}")
    if time.monotonic() > deadline:
        raise SystemExit(f"the pass took over {PASS_TIMEOUT:.0f} s; see {workdir}")
    time.sleep(0.2)


def worker_figures(workers: list[subprocess.Popen[bytes]], cpus: list[tuple[float, float]],
                   broker: RedisServer) -> list[Worker]:
    jobs = {}
    for key in broker.client.scan_iter("newswatch:worker:*"):
        name = key.decode().rsplit("-", 1)[-1]  # the pid
        jobs[name] = int(broker.client.hget(key, "done") or 0)
    return [Worker(str(p.pid), jobs.get(str(p.pid), 0), cpu, rss) for p, (cpu, rss) in zip(workers, cpus, strict=True)]


def read_runs(database: Path) -> tuple[list[float], dict[str, int]]:
    with sqlite3.connect(database, timeout=30) as db:
        starts = [datetime.fromisoformat(r[0]) for r in db.execute("SELECT started_at FROM runs WHERE outcome = "
                                                                   "'baseline'")]
        outcomes = dict(db.execute("SELECT outcome, count(*) FROM runs GROUP BY outcome").fetchall())
    first = min(starts)
    return sorted((s - first).total_seconds() for s in starts), outcomes


# -- the report ----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def pass_row(p: Pass) -> str:
    check = "ok" if not p.problems() else "PROBLEM: " + "; ".join(p.problems())
    lag = f"{percentile(p.lags, 50):.0f} s / {percentile(p.lags, 95):.0f} s / {max(p.lags):.0f} s"
    return (f"| {p.workers} | {p.load} | {p.sources:,} | {p.wall:.1f} s | {p.pages_per_s:.1f} | {lag} | "
            f"{p.daemon_cpu:.1f} s | {p.daemon_rss_mib:.0f} MiB | {1000 * p.writer_cost:.1f} ms | {check} |")


def worker_rows(p: Pass) -> list[str]:
    return [f"| {p.workers} | {w.name} | {w.jobs:,} | {w.jobs / p.wall:.1f} | "
            f"{1000 * w.cpu / w.jobs if w.jobs else 0:.0f} ms | {w.rss_mib:.0f} MiB |" for w in p.fleet]


def target_rows(passes: dict[int, Pass]) -> list[str]:
    if 1 not in passes or 2 not in passes:
        return ["| pages/s, 2 workers / 1 worker | ≥ 1.6× | – | not measured (needs --workers 1,2) |"]
    ratio = passes[2].pages_per_s / passes[1].pages_per_s
    ok = "met" if ratio >= SPEED_UP_TARGET else "**missed**"
    return [f"| pages/s, 2 workers / 1 worker | ≥ {SPEED_UP_TARGET}× | {ratio:.2f}× | {ok} |"]


CORES = os.cpu_count() or 1


def budget_row(p: Pass) -> str:
    w, d, o = p.worker_cost, p.writer_cost, p.other_cost
    return (f"| {p.workers} | {p.machine_cpu / p.wall:.2f} of {CORES} | {1000 * w:.1f} ms | {1000 * d:.1f} ms | "
            f"{1000 * o:.1f} ms | {p.bound(p.workers, CORES):.1f} | {p.pages_per_s:.1f} |")


def budget_lines(passes: dict[int, Pass]) -> list[str]:
    """What the CPU costs of the 1-worker pass allow 2 workers on this machine, and why."""
    if 1 not in passes:
        return []
    one = passes[1]
    w, d, o = one.worker_cost, one.writer_cost, one.other_cost
    allowed = one.bound(2, CORES) / one.bound(1, CORES)
    limit = "the daemon's one core" if 1 / d <= CORES / (w + d + o) else f"the {CORES} cores"
    need = SPEED_UP_TARGET / (2 - SPEED_UP_TARGET)  # crawl cost per (daemon + everything else) for that gain
    return [f"At the 1-worker pass's costs per run (worker {1000 * w:.1f} ms, daemon {1000 * d:.1f} ms, "
            f"everything else {1000 * o:.1f} ms of CPU), 1 worker may do min(1/worker, 1/daemon, "
            f"{CORES}/all) = {one.bound(1, CORES):.1f} pages/s and 2 workers {one.bound(2, CORES):.1f}: "
            f"this machine allows 2 workers at most **{allowed:.2f}×** of 1, bounded by {limit}. "
            f"A 2-worker gain of g needs the crawl to cost at least g/(2-g) × (daemon + everything else) per run "
            f"on {CORES} shared cores ({SPEED_UP_TARGET}×: {need:.0f}×, here {1000 * need * (d + o):.0f} ms of crawl "
            f"per run against {1000 * w:.1f} ms); with the daemon, Redis and nginx on other machines the bound is "
            "K / worker alone."]


def ceiling_lines(passes: list[Pass]) -> list[str]:
    cost = statistics.median(p.writer_cost for p in passes)
    per_s = 1 / cost
    return [f"The writer's cost per run (median over all passes): {1000 * cost:.1f} ms of daemon CPU per stored run "
            f"(a baseline run: {listing.ARTICLES_PER_PAGE} articles upserted, the run recorded, the job sent and "
            f"its result read). One writer core therefore stores at most ~{per_s:.0f} runs/s: "
            f"~{per_s * 3600:,.0f} sources at one run per source per hour, ~{per_s * 900:,.0f} at one run every "
            "15 minutes. That is the writer's ceiling; crawling scales out past it with more workers "
            "(on more machines: here every process shares the same 2 cores)."]


def render(every: dict[int, list[Pass]], args: argparse.Namespace, meta: dict[str, str]) -> str:
    passes = {k: min(ps, key=lambda p: p.wall) for k, ps in every.items()}  # the least disturbed pass of each K
    lines = [
        "# Scale-out benchmark (crawl workers)", "",
        f"Written by `{meta['command']}` on {meta['started']} in {meta['seconds']}; never edited by hand.", "",
        f"Machine: {meta['machine']}. Load average before / after: {meta['load']} (the cores are shared with "
        "other work: compare ratios within this run, not absolute figures).", "",
        f"Driver: the real daemon, `newswatch run -c CONFIG --workers URL` (every source due at its start, "
        f"interval {INTERVAL}), against K `newswatch worker URL --concurrency {args.concurrency}` processes and "
        f"redis-server {meta['redis']} on loopback; {args.sources:,} html sources served by {meta['nginx']} "
        f"(`worker_processes 1`) on {args.hosts} loopback hosts, bench/site.py's listing pages "
        f"({listing.ARTICLES_PER_PAGE} cards each); `[crawler] per_domain = {args.concurrency}`, "
        f"`concurrency = {args.concurrency * max(args.workers)}` (the daemon's outstanding jobs), robots.txt off. "
        "Every process (nginx, Redis, the daemon, the workers) runs on this one machine.", "",
        "## Target", "", "| what | target | measured | |", "|---|---|---|---|", *target_rows(passes), "",
        "## Passes", "",
        "| workers | load at start | sources | wall | pages/s | lag p50 / p95 / max | daemon CPU | daemon peak RSS | "
        "writer cost per run | check |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(pass_row(p) for ps in every.values() for p in ps), "",
        f"{args.rounds} round(s), the worker counts interleaved; the target compares the fastest pass of each count. "
        "wall: first run started to last run finished. lag: how long after the first run each source's run "
        "started (all were due at the daemon's start). daemon CPU: during the pass only. load at start: the "
        "machine's 1-minute load average when the pass began (other agents share the 2 cores).", "",
        "## Per worker (the fastest pass of each count)", "",
        "| workers | worker (pid) | jobs | jobs/s | CPU per job | peak RSS |",
        "|---|---|---|---|---|---|", *(row for p in passes.values() for row in worker_rows(p)), "",
        "## CPU budget (the fastest pass of each count)", "",
        "| workers | machine busy (cores) | workers' CPU per run | daemon CPU per run | everything else per run | "
        "pages/s the CPU allows | pages/s measured |",
        "|---|---|---|---|---|---|---|", *(budget_row(p) for p in passes.values()), "",
        "everything else: the machine's busy CPU (/proc/stat) less the daemon's and the workers' (nginx, Redis, "
        "this driver, other work). pages/s the CPU allows K workers: min(K / workers' cost, 1 / daemon cost, "
        f"{CORES} / all costs); the daemon runs its asyncio loop and its one SQLite writer in one thread.", "",
        *budget_lines(passes), "",
        "## One writer's ceiling", "", *ceiling_lines([p for ps in every.values() for p in ps]), "",
    ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=2000, help="html sources (default 2000)")
    parser.add_argument("--workers", default="1,2,3", help="worker counts, one pass each (default 1,2,3)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of the worker counts, interleaved; the fastest pass of each count is compared "
                             "(default 1)")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts the pages are spread over (default 50)")
    parser.add_argument("--concurrency", type=int, default=16, help="jobs per worker and per_domain (default 16)")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache", help="work files (default bench/.cache)")
    parser.add_argument("--out", type=Path, default=BENCH / "WORKERS.md", help="report (default bench/WORKERS.md)")
    args = parser.parse_args()
    try:
        args.workers = sorted({int(k) for k in args.workers.split(",") if k.strip()})
    except ValueError:
        parser.error("--workers: comma-separated whole numbers, e.g. 1,2,3")
    if not args.workers or min(args.workers) < 1 or args.sources < 1 or args.rounds < 1 or not 1 <= args.hosts <= 254:
        parser.error("--workers and --sources must be positive, --hosts between 1 and 254")
    return args


def run(args: argparse.Namespace, nginx: Nginx, broker: RedisServer) -> dict[int, list[Pass]]:
    urls = [f"http://{host_of(p, args.hosts)}:{nginx.port}{listing.page_path(p)}" for p in range(args.sources)]
    work, sink = args.cache / "workers", WebhookSink()
    passes: dict[int, list[Pass]] = {}
    try:
        print("warm-up (1 worker, 50 sources, not measured) ...", flush=True)
        run_pass(1, urls[:50], broker, sink, args, work / "warm-up")
        for round_ in range(1, args.rounds + 1):
            for k in args.workers:
                p = run_pass(k, urls, broker, sink, args, work / f"workers-{k}")
                print(f"  round {round_}, {k} worker(s): {p.wall:6.1f} s, {p.pages_per_s:5.1f} pages/s, daemon "
                      f"{p.daemon_cpu:.1f} s CPU, {1000 * p.writer_cost:.1f} ms/run"
                      f"{'  PROBLEM: ' + p.problems()[0] if p.problems() else ''}", flush=True)
                passes.setdefault(k, []).append(p)
    finally:
        sink.close()
    return passes


def main() -> None:
    args = parse_args()
    command = shlex.join(["python", "bench/workers.py", *sys.argv[1:]])
    started, clock, load_before = report.now(), time.monotonic(), load_average()
    binary = nginx_binary()
    print(f"writing {args.sources} static pages ...", flush=True)
    site_dir = args.cache / "scale" / "site"  # shared with bench/scale.py: the same deterministic pages
    write_pages(site_dir, args.sources)
    nginx = Nginx(binary, (args.cache / "workers-nginx").resolve(), site_dir.resolve(), args.hosts)
    broker = RedisServer(args.cache / "workers-redis")
    try:
        passes = run(args, nginx, broker)
        versions = {"nginx": nginx.version(), "redis": broker.version()}
    finally:
        broker.close()
        nginx.close()
    meta = {"command": command, "started": f"{started:%Y-%m-%d %H:%M} UTC",
            "seconds": f"{(time.monotonic() - clock) / 60:.1f} min", "machine": machine(),
            "load": f"{load_before} / {load_average()}", **versions}
    text = render(passes, args, meta)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {os.path.relpath(args.out)}\n\n{text}")


if __name__ == "__main__":
    main()
