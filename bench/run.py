"""newswatch benchmarks, measured in one run and reported as ratios: writes bench/RESULTS.md.

1. One pass over N generated listing pages (bench/site.py, its own process) by
   ``newswatch once``, a bare Scrapy spider (the floor, bench/floor.py) and
   urlwatch 2.29 (installed from PyPI into bench/.cache/), first pass and second
   pass after 5% of the pages got a new article matching a watch; wall time, CPU
   time, peak RSS, and whether each tool reported exactly the expected changes.
   R repetitions, tools in alternating order.
2. Peak RSS of ``newswatch once`` at --rss-pages pages.
3. Keyword matching: ``newswatch.matcher.Matcher`` against a naive per-keyword
   ``re.search`` loop, 10 to 10,000 keywords over 100,000 synthetic articles.
4. Start-up time of ``newswatch --help``.

    python bench/run.py                      # N=500, R=3 (about 8-10 minutes on 2 cores)
    python bench/run.py --pages 100 --reps 1 --keyword-articles 10000   # a quick look
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Run as a script, sys.path[0] is bench/ (whose site.py would shadow nothing now, but could): use the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import embedded, report, startup  # noqa: E402
from bench import keywords as keyword_bench  # noqa: E402
from bench import site as listing  # noqa: E402
from bench.sink import WebhookSink  # noqa: E402
from bench.tools import (  # noqa: E402
    FloorTool,
    NewswatchTool,
    PassResult,
    Tool,
    UrlwatchTool,
    WarmFloorTool,
    WarmNewswatchTool,
    urlwatch_venv,
)

TOOLS = ("newswatch", "scrapy", "scrapy-per-page", "urlwatch", "newswatch-warm", "scrapy-warm")


class SiteProcess:
    """``bench/site.py`` in its own process, so serving never competes with a measured tool for our GIL."""

    def __init__(self, pages: int, workdir: Path) -> None:
        port_file = workdir / "site.port"
        port_file.unlink(missing_ok=True)
        self.log = (workdir / "site.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "site.py"), "--pages", str(pages),
                                      "--port-file", str(port_file)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the listing site did not start; see {workdir / 'site.log'}")
            time.sleep(0.1)
        self.base = f"http://127.0.0.1:{port_file.read_text().strip()}"

    def control(self, command: str) -> dict:
        with urllib.request.urlopen(f"{self.base}/_control/{command}", timeout=30) as answer:
            return json.load(answer)

    def show(self, state: int) -> None:
        if self.control(f"pass{state}")["state"] != state:
            raise SystemExit(f"the listing site did not switch to pass {state}")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def both_passes(tool: Tool, site: SiteProcess, rep: int, label: str = "") -> list[PassResult]:
    tool.start_rep(rep)
    results = []
    for number in (1, 2):
        site.show(number)
        result = tool.run_pass(number)
        m = result.measured
        print(f"  {label or f'rep {rep}'} {tool.name:15} pass {number}: {m.wall:6.2f} s wall, {m.cpu:6.2f} s CPU, "
              f"{m.rss_kib / 1024:5.1f} MiB, {result.found}/{result.expected} "
              f"{'ok' if result.exact else 'PROBLEM: ' + '; '.join(result.problems)}", flush=True)
        results.append(result)
    return results


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def one_minute_load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500, help="listing pages per pass (default 500)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of every tool's two passes (default 3)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests (default 16)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--rss-pages", type=int, default=1000,
                        help="pages for the separate newswatch peak-RSS run (default 1000; 0: skip)")
    parser.add_argument("--keyword-articles", type=int, default=100_000,
                        help="articles of the keyword micro-benchmark (default 100000; 0: skip)")
    parser.add_argument("--keyword-counts", default="10,100,1000,10000", help="keyword counts (default 10,...,10000)")
    parser.add_argument("--with-scale", action="store_true",
                        help="then run the benches embedded from their own reports (bench/embedded.py: scale, "
                             "daemon soak and start-up, workers; nginx and redis-server needed; about an hour)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache",
                        help="urlwatch venv and work files (default bench/.cache, git-ignored)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="report file (default bench/RESULTS.md)")
    args = parser.parse_args()
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if unknown := set(args.tools) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    return args


def make_tool(site: SiteProcess, sink: WebhookSink, concurrency: int, exe: Path | None,
              name: str, pages: int, root: Path) -> Tool:
    """The contender ``name`` over ``pages`` pages of ``site``, its work files under ``root``."""
    if name == "newswatch-warm":
        return WarmNewswatchTool(site.base, pages, root, sink, concurrency)
    if name == "scrapy-warm":
        return WarmFloorTool(site.base, pages, root, concurrency)
    if name == "newswatch":
        return NewswatchTool(site.base, pages, root, sink, concurrency)
    if name.startswith("scrapy"):
        return FloorTool(site.base, pages, root, concurrency, per_page=name == "scrapy-per-page")
    return UrlwatchTool(site.base, pages, root, exe)  # type: ignore[arg-type]


def repetitions(tools: list[Tool], site: SiteProcess, reps: int) -> list[report.Run]:
    """Both passes of every tool, ``reps`` times, in alternating order."""
    runs: list[report.Run] = []
    for rep in range(1, reps + 1):
        order = tools if rep % 2 else tools[::-1]
        print(f"rep {rep}/{reps}: {' → '.join(t.name for t in order)}", flush=True)
        for tool in order:
            for result in both_passes(tool, site, rep):
                runs.append(report.Run(rep, " → ".join(t.name for t in order), result, one_minute_load()))
    return runs


def crawls(args: argparse.Namespace, work: Path, exe: Path | None) -> tuple[list[report.Run], list[PassResult]]:
    """The warm-up, the measured passes and the peak-RSS run, against the listing site in its own process."""
    rss_runs: list[PassResult] = []
    site, sink = SiteProcess(max(args.pages, args.rss_pages, 20), work), WebhookSink()
    try:
        make = functools.partial(make_tool, site, sink, args.concurrency, exe)
        print("warm-up (20 pages, not measured: bytecode caches, disk cache) ...", flush=True)
        for name in args.tools:
            both_passes(make(name, 20, work / "warm-up"), site, 0, "warm-up")
        runs = repetitions([make(name, args.pages, work) for name in args.tools], site, args.reps)
        if args.rss_pages and "newswatch" in args.tools:
            print(f"peak RSS of newswatch at {args.rss_pages} pages ...", flush=True)
            rss_runs = both_passes(make("newswatch", args.rss_pages, work), site, 1, f"N={args.rss_pages}")
    finally:
        sink.close()
        site.close()
    return runs, rss_runs


def keyword_matching(args: argparse.Namespace) -> list[keyword_bench.KeywordResult]:
    if not args.keyword_articles:
        return []
    print(f"keyword matching over {args.keyword_articles:,} articles ...", flush=True)
    counts = [int(c) for c in args.keyword_counts.split(",") if c.strip()]
    return keyword_bench.run(counts, args.keyword_articles, log=lambda s: print("  " + s, flush=True))


def start_up(args: argparse.Namespace) -> startup.Startup | None:
    if args.no_startup:
        return None
    print("start-up of newswatch --help ...", flush=True)
    return startup.run()


def write(bench: report.Bench, out: Path) -> None:
    text = report.render(bench) + "\n" + embedded.section() + "\n"
    out.write_text(text, encoding="utf-8")
    print(f"\nwrote {os.path.relpath(out)}\n")
    print(text)


def main() -> None:
    args = parse_args()
    command = shlex.join(["python", "bench/run.py", *sys.argv[1:]])
    started, clock, load_before = report.now(), time.monotonic(), load_average()
    work = args.cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    exe = urlwatch_venv(args.cache) if "urlwatch" in args.tools else None
    sizes = [len(listing.render(p, 1)) for p in range(min(args.pages, 200))]
    runs, rss_runs = crawls(args, work, exe)
    keyword_results = keyword_matching(args)
    startup_result = start_up(args)
    bench = report.Bench(
        command=command, pages=args.pages, reps=args.reps, concurrency=args.concurrency, runs=runs,
        rss_runs=rss_runs, rss_pages=args.rss_pages, keywords=keyword_results,
        keyword_articles=args.keyword_articles, startup=startup_result, started=started,
        seconds=time.monotonic() - clock, load_before=load_before, load_after=load_average(), urlwatch_exe=exe,
        page_bytes=(min(sizes), max(sizes), sum(sizes) / len(sizes)),
    )
    if args.with_scale:
        embedded.run_all()
    write(bench, args.out)


if __name__ == "__main__":
    main()
