"""``bench/RESULTS.md``: every table from measured values, with the machine and the exact command."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.keywords import PER_WATCH, KeywordResult
from bench.startup import BUDGET, Startup
from bench.tools import PassResult

NAMES = {"newswatch": "newswatch once", "scrapy": "bare Scrapy (floor)",
         "scrapy-per-page": "bare Scrapy, a crawler per page", "urlwatch": "urlwatch 2.29"}
SCRAPY_TARGET, URLWATCH_TARGET, RSS_TARGET_MB, KEYWORD_TARGET = 1.3, 3.0, 100.0, 1.0


@dataclass
class Run:
    """A measured pass with where it stood in the benchmark."""

    rep: int
    order: str
    result: PassResult
    load: float  # 1-minute load average when it ended


@dataclass
class Bench:
    """Everything ``run.py`` measured."""

    command: str
    pages: int
    reps: int
    concurrency: int
    runs: list[Run]
    rss_runs: list[PassResult]
    rss_pages: int
    keywords: list[KeywordResult]
    keyword_articles: int
    startup: Startup | None
    started: datetime
    seconds: float
    load_before: str
    load_after: str
    urlwatch_exe: Path | None
    page_bytes: tuple[int, int, float]  # min, max, mean HTML size


def _mb(kib: float) -> float:
    return kib * 1024 / 1e6


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _of(bench: Bench, tool: str, number: int) -> list[PassResult]:
    return [r.result for r in bench.runs if r.result.tool == tool and r.result.number == number]


def _timed(results: list[PassResult]) -> list[PassResult]:
    """The runs whose times count: those that exited 0 (a crashed run's time means nothing)."""
    return [r for r in results if r.measured.returncode == 0] or results


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def pass_table(bench: Bench) -> str:
    lines = ["| tool | pass | wall s (median) | pages/s | CPU s (median) | peak RSS MB (max) | reported / expected "
             "| exactly right |", "|---|---|---|---|---|---|---|---|"]
    for tool in NAMES:
        for number in (1, 2):
            results = _of(bench, tool, number)
            if not results:
                continue
            timed = _timed(results)
            wall = _median([r.measured.wall for r in timed])
            cpu = _median([r.measured.cpu for r in timed])
            rss = max(_mb(r.measured.rss_kib) for r in timed)
            exact = sum(r.exact for r in results)
            reported = _reported(tool, number, results)
            lines.append(f"| {NAMES[tool]} | {number} | {wall:.2f} | {bench.pages / wall:.0f} | {cpu:.2f} | {rss:.1f} "
                         f"| {reported} | {'yes' if exact == len(results) else 'NO'} ({exact}/{len(results)}) |")
    return "\n".join(lines)


def _reported(tool: str, number: int, results: list[PassResult]) -> str:
    found = "/".join(sorted({str(r.found) for r in results}))
    if tool.startswith("scrapy"):
        return "— (parses only)"
    unit = "alerts" if tool == "newswatch" else "changed jobs"
    return f"{found} {unit} / {results[0].expected}"


def ratio_table(bench: Bench) -> str:
    def ratio(tool: str, other: str, number: int, key: str) -> float:
        a = _median([getattr(r.measured, key) for r in _timed(_of(bench, tool, number))])
        b = _median([getattr(r.measured, key) for r in _timed(_of(bench, other, number))])
        return a / b

    rows = ["| ratio | pass 1 wall (CPU) | pass 2 wall (CPU) | target (pass 2, wall) | verdict |",
            "|---|---|---|---|---|"]
    for other, target, text in (("scrapy", SCRAPY_TARGET, f"≤ {SCRAPY_TARGET}×"),
                                ("urlwatch", 1 / URLWATCH_TARGET,
                                 f"≤ {1 / URLWATCH_TARGET:.2f}× (≥ {URLWATCH_TARGET:.0f}× faster)"),
                                ("scrapy-per-page", None, "— (what is newswatch's own code)")):
        if not _of(bench, other, 2) or not _of(bench, "newswatch", 2):
            continue
        cells = [f"{ratio('newswatch', other, n, 'wall'):.2f}× ({ratio('newswatch', other, n, 'cpu'):.2f}×)"
                 for n in (1, 2)]
        verdict = "—" if target is None else _verdict(ratio("newswatch", other, 2, "wall") <= target)
        rows.append(f"| newswatch / {NAMES[other]} | {cells[0]} | {cells[1]} | {text} | {verdict} |")
    return "\n".join(rows)


def rss_section(bench: Bench) -> str:
    if not bench.rss_runs:
        return "Not measured (`--rss-pages 0`)."
    cells = ", ".join(
        f"pass {r.number}: {_mb(r.measured.rss_kib):.1f} MB peak RSS, {r.measured.wall:.1f} s wall, "
        f"{r.measured.cpu:.1f} s CPU, {'exactly right' if r.exact else 'WRONG: ' + '; '.join(r.problems)}"
        for r in bench.rss_runs
    )
    peak = max(_mb(r.measured.rss_kib) for r in bench.rss_runs)
    return (f"`newswatch once` over N = {bench.rss_pages} pages (one run of each pass): {cells}. "
            f"Target ≤ {RSS_TARGET_MB:.0f} MB: {_verdict(peak <= RSS_TARGET_MB)}.")


def keyword_table(bench: Bench) -> str:
    lines = ["| keywords | watches | Matcher s | Matcher µs/article | build s | naive loop s | speed-up "
             "| articles matched | disagreements |", "|---|---|---|---|---|---|---|---|---|"]
    for k in bench.keywords:
        naive = (f"{k.naive:.1f}" if k.naive_sample == k.articles
                 else f"~{k.naive:.0f} (est. from {k.naive_sample:,} articles)")
        lines.append(f"| {k.keywords:,} | {-(-k.keywords // PER_WATCH):,} | {k.matcher:.2f} | "
                     f"{k.matcher / k.articles * 1e6:.1f} | {k.build:.2f} | {naive} | {k.speedup:,.0f}× | "
                     f"{k.matched:,} | {k.disagreements} |")
    target = [k for k in bench.keywords if k.keywords == 1000]
    verdict = f"Target 1,000 keywords × {bench.keyword_articles:,} articles < {KEYWORD_TARGET:.0f} s: " + (
        _verdict(target[0].matcher < KEYWORD_TARGET) if target else "not measured")
    return "\n".join(lines) + "\n\n" + verdict + "."


def startup_section(bench: Bench) -> str:
    s = bench.startup
    if s is None:
        return "Not measured."
    text = (f"`newswatch --help`: median {s.help_median:.3f} s over {len(s.help_runs)} runs "
            f"(min {min(s.help_runs):.3f}, max {max(s.help_runs):.3f}; median CPU time {s.help_cpu:.3f} s); "
            f"`python -c pass` alone: "
            f"{s.python_median:.3f} s. Target < {BUDGET} s: {_verdict(s.help_median < BUDGET)}.")
    if s.imports:
        rows = "\n".join(f"| {name} | {cum * 1000:.0f} | {own * 1000:.1f} |" for own, cum, name in s.imports)
        text += ("\n\nWhere `newswatch --help` spends its imports (`python -X importtime`): our modules that pull in "
                 "the most (cumulative), then third-party packages by the self time of all their modules:\n\n"
                 "| module | cumulative ms | self ms |\n|---|---|---|\n" + rows)
    return text


def details_table(bench: Bench) -> str:
    lines = ["| rep | order | tool | pass | wall s | CPU s | peak RSS MB | load avg | problems |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in bench.runs:
        m = r.result.measured
        problems = "; ".join(r.result.problems).replace("|", "/") or "—"
        lines.append(f"| {r.rep} | {r.order} | {r.result.tool} | {r.result.number} | {m.wall:.2f} | {m.cpu:.2f} "
                     f"| {_mb(m.rss_kib):.1f} | {r.load:.2f} | {problems} |")
    return "\n".join(lines)


def machine(bench: Bench) -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE)
    versions = ", ".join(f"{name} {_version(name)}" for name in
                         ("newswatch", "Scrapy", "Twisted", "parsel", "lxml", "apprise", "sqlite-utils", "pydantic"))
    urlwatch = _urlwatch_libs(bench.urlwatch_exe)
    method = bench.runs[0].result.measured.method if bench.runs else "?"
    return "\n".join([
        f"- nproc: {len(os.sched_getaffinity(0))} (os.cpu_count {os.cpu_count()}); "
        f"CPU: {cpu[1] if cpu else 'unknown'}; "
        f"RAM: {int(mem[1]) // 1024 if mem else '?'} MiB",
        f"- {platform.platform()}; Python {platform.python_version()} ({platform.python_implementation()})",
        f"- newswatch side: {versions}",
        f"- urlwatch side (its own venv): {urlwatch}",
        f"- load average (1, 5, 15 min) before: {bench.load_before}; after: {bench.load_after}",
        f"- wall time with `time.perf_counter` around each process; CPU time and peak RSS from {method}",
    ])


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _urlwatch_libs(exe: Path | None) -> str:
    if exe is None:
        return "not run"
    python = exe.parent / "python"
    code = ("from importlib import metadata as m; import platform; print(', '.join(f'{n} {m.version(n)}' for n in "
            "('urlwatch', 'requests', 'lxml', 'cssselect', 'minidb')) + f'; Python {platform.python_version()}')")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return out.stdout.strip() or out.stderr.strip()[-200:]


def render(bench: Bench) -> str:
    smallest, largest, mean = bench.page_bytes
    changed = bench.runs[0].result.expected if bench.runs else 0
    changed = max((r.result.expected for r in bench.runs), default=changed)
    return f"""# newswatch benchmarks

Generated by `bench/run.py` on {bench.started:%Y-%m-%d %H:%M} UTC in {bench.seconds / 60:.1f} minutes.
Do not edit by hand: run the command below (from the repository root) and commit what it writes.

    {bench.command}

## One pass over {bench.pages} listing pages

`bench/site.py` serves {bench.pages} generated listing pages ({smallest / 1000:.1f}–{largest / 1000:.1f} KB of
HTML, mean {mean / 1000:.1f} KB: a ticker strip, 20 article cards, about a third in Russian) from its own
process on 127.0.0.1. **Pass 1** is each tool's first run (newswatch records a baseline and sends nothing;
urlwatch reports every job NEW). **Pass 2** follows a switch of the site to its second state, where
{changed} pages (5%) list one new article matching one of three watches; the other pages are byte-identical.
Each tool runs one-shot as its own process, both passes from a fresh state, {bench.reps} repetitions in
alternating tool order; medians below. Concurrency {bench.concurrency} (newswatch `concurrency` and
`per_domain`, Scrapy `CONCURRENT_REQUESTS` and `_PER_DOMAIN`; urlwatch has a fixed pool of 10 threads).

- **newswatch once**: {bench.pages} `html` sources with the same CSS selectors as the floor, 3 watches,
  a `json://` webhook notifier to a sink in the benchmark process; checked: exit 0, every source's run
  outcome (pass 1 all `baseline`; pass 2 `ok` for the changed pages, `unchanged` for the rest) and the
  sink received exactly the expected (title, watch) alerts.
- **bare Scrapy** (`bench/floor.py`): one crawler fetching and parsing the same pages with the same
  selectors and settings, counting items (20 articles and 40 ticker texts a page), nothing else — the
  floor. Checked: all pages and articles parsed, no failure.
- **bare Scrapy, a crawler per page** (`floor.py --crawler-per-page`): the same spider with one crawler
  per page, 16 at a time, which is how newswatch crawls (a crawler per source). The gap between the two
  floors is the cost of that design; the gap between this one and newswatch is newswatch's own code.
  Both floors parse every page in pass 2 too, whereas newswatch skips the parsing of a page whose body
  hash has not changed since the last run (95% of the pages in pass 2).
- **urlwatch 2.29** (PyPI, own venv): one job per page, `css` filter on the article cards, `html2text`,
  `diff_filter: grep` for the watches' keywords, stdout text report, `ignore_cached: true`. Checked from its
  report (it exits 0 even when jobs fail): no ERROR; pass 1 all NEW; pass 2 CHANGED exactly for the
  changed pages, each with the new title on an added line.

{pass_table(bench)}

MB are 10⁶ bytes. Medians, ratios and peak RSS leave out runs that exited non-zero, if any (they are
listed under "Every measured run" below); "exactly right" counts every run.

{ratio_table(bench)}

Peak RSS: {rss_section(bench)}

## Keyword matching

{bench.keyword_articles:,} synthetic articles (title + summary ≈ 300 characters, a third in Russian, each with two
words from a pool of 20,000 invented Latin and Cyrillic words); the keywords are the first K pool words
(every 5th a `prefix*`, every 10th a two-word phrase) in watches of {PER_WATCH}. `Matcher.match` on title and
summary of every article, against the naive loop (one precompiled `re` per keyword, `\\b` boundaries,
`re.IGNORECASE`, `search` in title and summary). "est." marks naive times measured on a sample and scaled
to all articles. Disagreements: articles, among those the naive loop saw, where the two name different
watches.

{keyword_table(bench)}

## Start-up

{startup_section(bench)}

## Machine

{machine(bench)}

## Every measured run

{details_table(bench)}
"""


def now() -> datetime:
    return datetime.now(UTC)
