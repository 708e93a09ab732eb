"""The scale benchmark: ``newswatch once`` over 1,000 and 10,000 sources served by nginx on many loopback hosts.

Debian's nginx (installed with ``apt-get install -y nginx`` when missing and we
are root) runs in the foreground as its own process, with a config generated
under ``bench/.cache/scale/`` (one unprivileged port, ``worker_processes 1``,
access log off), serving bench/site.py's listing pages (20 cards, ~20 KB) as
static files. Page p is served on host 127.0.1.(1 + p mod H) (H = --hosts,
default 50), so the sources name H distinct hosts and per-host politeness
applies as it would on real sites.

For every N of --sizes it measures pass 1 (baseline, fresh database) of
``newswatch once`` over N sources and the bare one-crawler Scrapy floor
(bench/floor.py) over the same URLs; then --new further sources in one pass on
a fresh database and on a copy of the largest-N database; then the wall time
of ``newswatch status`` and ``newswatch articles --limit 20`` on that database.
Writes bench/SCALE.md.

    python bench/scale.py                          # N = 1,000 and 10,000 (about 15-25 minutes on 2 cores)
    python bench/scale.py --sizes 1000 --out /tmp/scale.md
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench import site as listing  # noqa: E402
from bench.measure import Measured, measure  # noqa: E402
from bench.sink import WebhookSink  # noqa: E402
from bench.tools import NewswatchTool, newswatch_config  # noqa: E402

LINEAR_SLACK = 1.1  # N=10,000 pass 1 <= 11x N=1,000 pass 1
RSS_TARGET_MIB = 200
SAME_COST = 0.15  # the new-source pass on a big database within +-15% of a fresh one
READ_TARGET_S = 0.5


# -- nginx ---------------------------------------------------------------------------


def nginx_binary() -> str:
    """nginx's path, installed from Debian when missing and we are root; else one clear line and exit."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("scale.py needs nginx: install it (Debian: apt-get install -y nginx) and run again")
    print("installing nginx (apt-get install -y nginx) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "nginx"], env=env, capture_output=True, text=True, check=False)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if done.returncode or not found:
        raise SystemExit(f"apt-get install -y nginx failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return found


def host_of(page: int, hosts: int) -> str:
    return f"127.0.1.{1 + page % hosts}"


def write_pages(docroot: Path, pages: int) -> None:
    """bench/site.py's pass-1 pages as static files; kept between runs (they are deterministic)."""
    for page in range(pages):
        target = docroot / listing.page_path(page).strip("/") / "index.html"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(listing.render(page, 1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))  # free on the wildcard: free on every loopback address
        return s.getsockname()[1]


def nginx_config(prefix: Path, docroot: Path, port: int, hosts: int) -> str:
    listens = "".join(f"    listen 127.0.1.{h}:{port};\n" for h in range(1, hosts + 1))
    temps = "".join(f"  {kind}_temp_path {prefix / 'tmp' / kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# written by bench/scale.py
daemon off;
master_process off;
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type text/html;
  charset utf-8;
{temps}  server {{
{listens}    root {docroot};
    index index.html;
  }}
}}
"""


class Nginx:
    """nginx in the foreground, its own process, serving ``docroot`` on ``hosts`` loopback addresses."""

    def __init__(self, binary: str, prefix: Path, docroot: Path, hosts: int) -> None:
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix, docroot, self.port, hosts), encoding="utf-8")
        self.log = (prefix / "nginx.out").open("wb")
        self.proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                                     stdout=self.log, stderr=self.log)
        self._wait_ready(f"http://{host_of(0, hosts)}:{self.port}{listing.page_path(0)}", prefix)

    def _wait_ready(self, url: str, prefix: Path) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nginx did not start; see {prefix / 'error.log'}")
            time.sleep(0.1)

    def version(self) -> str:
        done = subprocess.run([self.proc.args[0], "-v"], capture_output=True, text=True, check=False)
        return (done.stderr or done.stdout).strip().removeprefix("nginx version: ")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# -- the contenders ------------------------------------------------------------------


class ScaleNewswatch(NewswatchTool):
    """``newswatch once`` over an explicit list of URLs (bench/tools.py's config, checks and sink)."""

    def __init__(self, urls: list[str], workdir: Path, sink: WebhookSink, concurrency: int, first: int = 0) -> None:
        super().__init__("", len(urls), workdir, sink, concurrency)
        self._urls, self.first, self.workdir = urls, first, workdir

    def urls(self) -> list[str]:
        return self._urls

    def config(self) -> str:  # source names stay unique across the N and the new sources
        return newswatch_config([(f"page-{self.first + p:05d}", url) for p, url in enumerate(self._urls)],
                                self.sink.url, self.concurrency)

    def prepare(self, database: Path | None = None) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        (self.workdir / "config.toml").write_text(self.config(), encoding="utf-8")
        if database:
            shutil.copyfile(database, self.workdir / "newswatch.db")


def floor(urls: list[str], workdir: Path, concurrency: int) -> tuple[Measured, list[str]]:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    command = [sys.executable, str(BENCH / "floor.py"), "--urls-file", str(workdir / "urls.txt"),
               "--concurrency", str(concurrency), "--per-domain", str(concurrency)]
    m = measure(command, workdir / "pass1")
    counts = m.stdout.strip().splitlines()[-1] if m.stdout.strip() else "no counts printed"
    want = f'"pages": {len(urls)}, "articles": {len(urls) * listing.ARTICLES_PER_PAGE}'
    problems = [] if m.returncode == 0 and want in counts and '"failures": 0' in counts else [counts]
    return m, problems


@dataclass
class Pass:
    what: str
    sources: int
    measured: Measured
    problems: list[str]


def newswatch_pass(tool: ScaleNewswatch, what: str, database: Path | None = None) -> Pass:
    tool.prepare(database)
    result = tool.run_pass(1)
    m = result.measured
    print(f"  {what:42} {m.wall:7.1f} s wall, {m.cpu:7.1f} s CPU, {m.rss_mib:6.1f} MiB"
          f"{'' if result.exact else '  PROBLEM: ' + '; '.join(result.problems)}", flush=True)
    return Pass(what, tool.pages, m, result.problems)


# -- the run -------------------------------------------------------------------------


@dataclass
class Scale:
    sizes: list[int]
    passes: dict[int, Pass]
    floors: dict[int, Pass]
    new_fresh: Pass
    new_big: Pass
    reads: dict[str, Measured]
    help_wall: float
    imports_wall: float = float("nan")


def run(args: argparse.Namespace, nginx: Nginx) -> Scale:
    urls = [f"http://{host_of(p, args.hosts)}:{nginx.port}{listing.page_path(p)}"
            for p in range(max(args.sizes) + args.new)]
    work, sink = args.cache / "scale" / "work", WebhookSink()
    shutil.rmtree(work, ignore_errors=True)
    passes, floors = {}, {}
    try:
        print("warm-up (20 sources, not measured) ...", flush=True)
        newswatch_pass(ScaleNewswatch(urls[:20], work / "warm-up", sink, args.concurrency), "warm-up")
        for n in args.sizes:
            m, problems = floor(urls[:n], work / f"scrapy-{n}", args.concurrency)
            floors[n] = Pass(f"scrapy N={n}", n, m, problems)
            print(f"  {'bare Scrapy floor, N=' + str(n):42} {m.wall:7.1f} s wall, {m.cpu:7.1f} s CPU, "
                  f"{m.rss_mib:6.1f} MiB{'' if not problems else '  PROBLEM: ' + problems[0]}", flush=True)
            tool = ScaleNewswatch(urls[:n], work / f"newswatch-{n}", sink, args.concurrency)
            passes[n] = newswatch_pass(tool, f"newswatch once pass 1, N={n}")
        big = max(args.sizes)
        new = urls[big:]
        fresh = newswatch_pass(ScaleNewswatch(new, work / "new-fresh", sink, args.concurrency, big),
                               f"{args.new} new sources, fresh database")
        on_big = ScaleNewswatch(new, work / "new-big", sink, args.concurrency, big)
        grown = newswatch_pass(on_big, f"{args.new} new sources, {big}-source database",
                               work / f"newswatch-{big}" / "newswatch.db")
        reads = read_commands(on_big, urls, sink, args.concurrency)
    finally:
        sink.close()
    return Scale(args.sizes, passes, floors, fresh, grown, reads, help_wall(on_big), imports_wall(on_big))


def read_commands(on_big: ScaleNewswatch, urls: list[str], sink: WebhookSink, concurrency: int) -> dict[str, Measured]:
    """``status`` and ``articles --limit 20`` on the grown database, with a config naming all its sources."""
    everything = ScaleNewswatch(urls, on_big.workdir, sink, concurrency)
    (on_big.workdir / "all.toml").write_text(everything.config(), encoding="utf-8")
    reads = {}
    for name, argv in (("status", ["status"]), ("articles --limit 20", ["articles", "--limit", "20"])):
        command = [*on_big.command, *argv, "-c", str(on_big.workdir / "all.toml")]
        measure(command, on_big.workdir / "warm")  # page cache, bytecode
        reads[name] = m = measure(command, on_big.workdir / name.split()[0])
        print(f"  newswatch {name:32} {m.wall:7.2f} s wall (exit {m.returncode})", flush=True)
    return reads


def help_wall(tool: ScaleNewswatch) -> float:
    return measure([*tool.command, "--help"], tool.workdir / "help").wall


READ_IMPORTS = "import newswatch.cli, newswatch.config, newswatch.store, newswatch.readview"


def imports_wall(tool: ScaleNewswatch) -> float:
    """A fresh interpreter importing what a read command needs before its first query (median of 3)."""
    walls = sorted(measure([sys.executable, "-c", READ_IMPORTS], tool.workdir / f"imports{i}").wall for i in range(3))
    return walls[1]


# -- the report ----------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def target_rows(s: Scale) -> list[str]:
    rows = []
    small, big = min(s.sizes), max(s.sizes)
    if big > small:
        ratio, allowed = s.passes[big].measured.wall / s.passes[small].measured.wall, LINEAR_SLACK * big / small
        rows.append(f"| pass 1, N={big:,} / N={small:,} (wall) | ≤ {allowed:.0f}× | {ratio:.1f}× | "
                    f"{verdict(ratio <= allowed)} |")
    else:
        rows.append(f"| linearity (needs two sizes; this run: N={small:,} only) | ≤ 11× | – | not measured |")
    rss = s.passes[big].measured.rss_mib
    rows.append(f"| peak RSS, pass 1, N={big:,} | ≤ {RSS_TARGET_MIB} MB | {rss:.0f} MiB | "
                f"{verdict(rss <= RSS_TARGET_MIB)} |")
    change = s.new_big.measured.wall / s.new_fresh.measured.wall - 1
    rows.append(f"| {s.new_fresh.sources:,} new sources: on the {big:,}-source database / fresh (wall) | ± 15 % | "
                f"{change:+.0%} | {verdict(abs(change) <= SAME_COST)} |")
    for name, m in s.reads.items():
        rows.append(f"| `newswatch {name}` on that database (wall) | < {READ_TARGET_S} s | {m.wall:.2f} s | "
                    f"{verdict(m.wall < READ_TARGET_S and m.returncode == 0)} |")
    return rows


def pass_row(p: Pass) -> str:
    m = p.measured
    check = "ok" if not p.problems else "PROBLEM: " + "; ".join(p.problems).replace("|", "/")
    return (f"| {p.what} | {p.sources:,} | {m.wall:.1f} s | {p.sources / m.wall:.0f} | {m.cpu:.1f} s | "
            f"{m.rss_mib:.0f} MiB | {check} |")


def render(s: Scale, args: argparse.Namespace, meta: dict[str, str]) -> str:
    lines = [
        "# Scale benchmark", "",
        f"Written by `{meta['command']}` on {meta['started']} in {meta['seconds']}; never edited by hand.", "",
        f"Machine: {meta['machine']}. Load average before / after: {meta['load']}.", "",
        f"Served by {meta['nginx']} (`worker_processes 1`, access log off) on {args.hosts} loopback hosts "
        f"(127.0.1.1–127.0.1.{args.hosts}), bench/site.py's pass-1 listing pages as static files "
        f"({listing.ARTICLES_PER_PAGE} cards each, {meta['page_bytes']}). newswatch and the floor: "
        f"`concurrency` = `per_domain` = {args.concurrency}, robots.txt off. One run each: compare ratios, not "
        "absolute figures.", "",
        "## Targets", "", "| what | target | measured | |", "|---|---|---|---|", *target_rows(s), "",
        "## Passes", "", "| what | sources | wall | pages/s | CPU | peak RSS | check |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in s.sizes:
        lines += [pass_row(s.floors[n]), pass_row(s.passes[n])]
        ratio = s.passes[n].measured.wall / s.floors[n].measured.wall
        lines.append(f"| newswatch / floor, N={n:,} (wall) | | {ratio:.1f}× | | | | |")
    lines += [pass_row(s.new_fresh), pass_row(s.new_big), "",
              f"`newswatch --help` takes {s.help_wall:.2f} s here: the interpreter start-up inside every read "
              f"command's wall time. A fresh interpreter importing what a read command needs before its first "
              f"query (`python -c \"{READ_IMPORTS}\"`: the CLI, pydantic and the config models, sqlite-utils) takes "
              f"{s.imports_wall:.2f} s: below that no read command can go without leaving those libraries out of "
              "the read path. The reads' own work is what they take beyond it (profiled with `python bench/reads.py`:"
              " `articles` runs one 1 ms query; `status` also parses the whole config for the source names and "
              "prints a row per source).", ""]
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return (f"{platform.node()}, {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="source counts of pass 1 (default 1000,10000)")
    parser.add_argument("--new", type=int, default=3000, help="new sources of the fresh/grown pass (default 3000)")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts the pages are spread over (default 50)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency and per_domain (default 16)")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache", help="work files (default bench/.cache)")
    parser.add_argument("--out", type=Path, default=BENCH / "SCALE.md", help="report file (default bench/SCALE.md)")
    args = parser.parse_args()
    try:
        args.sizes = sorted({int(n) for n in args.sizes.split(",") if n.strip()})
    except ValueError:
        parser.error("--sizes: comma-separated whole numbers, e.g. 1000,10000")
    if not args.sizes or min(args.sizes) < 1 or args.new < 1 or not 1 <= args.hosts <= 254:
        parser.error("--sizes and --new must be positive, --hosts between 1 and 254")
    return args


def main() -> None:
    args = parse_args()
    command = shlex.join(["python", "bench/scale.py", *sys.argv[1:]])
    started, clock, load_before = report.now(), time.monotonic(), load_average()
    binary = nginx_binary()
    prefix = args.cache / "scale" / "nginx"
    pages = max(args.sizes) + args.new
    print(f"writing {pages} static pages ...", flush=True)
    write_pages(args.cache / "scale" / "site", pages)
    nginx = Nginx(binary, prefix.resolve(), (args.cache / "scale" / "site").resolve(), args.hosts)
    try:
        result = run(args, nginx)
        version = nginx.version()
    finally:
        nginx.close()
    sizes = [len(listing.render(p, 1)) for p in range(min(pages, 200))]
    meta = {"command": command, "started": f"{started:%Y-%m-%d %H:%M} UTC",
            "seconds": f"{(time.monotonic() - clock) / 60:.1f} min",
            "machine": machine(), "load": f"{load_before} / {load_average()}", "nginx": version,
            "page_bytes": f"{min(sizes) / 1000:.0f}–{max(sizes) / 1000:.0f} KB"}
    text = render(result, args, meta)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {os.path.relpath(args.out)}\n\n{text}")


if __name__ == "__main__":
    main()
