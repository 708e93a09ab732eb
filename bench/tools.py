"""The three contenders, each run one-shot as its own process and checked against what the site changed.

* ``NewswatchTool``: ``newswatch once`` over N html sources with three watches and a
  ``json://`` webhook notifier; checked through the webhook sink and the ``runs`` table.
* ``FloorTool``: ``bench/floor.py``, bare Scrapy fetching and parsing the same pages.
* ``UrlwatchTool``: urlwatch 2.29 from PyPI in its own venv under ``bench/.cache/``,
  one job per page (css filter on the article list, html2text, grep on the diff);
  checked by reading its text report (urlwatch exits 0 even when jobs fail).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import site as listing
from bench.floor import SELECT
from bench.measure import Measured, environment, measure
from bench.sink import WebhookSink

BENCH = Path(__file__).resolve().parent
URLWATCH_VERSION = "2.29"


@dataclass
class PassResult:
    """One pass of one tool: its measurements and whether it reported exactly what changed."""

    tool: str
    number: int  # 1: first pass (baseline), 2: after the 5% change
    measured: Measured
    expected: int  # changes (alerts) it should report
    found: int  # changes (alerts) it reported
    problems: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.problems


class Tool:
    """A contender: ``start_rep`` gets a fresh state, ``run_pass`` runs and checks one pass."""

    name = ""

    def __init__(self, base: str, pages: int, workroot: Path) -> None:
        self.base, self.pages, self.workroot = base, pages, workroot
        self.workdir = workroot

    def urls(self) -> list[str]:
        return [self.base + listing.page_path(p) for p in range(self.pages)]

    def start_rep(self, rep: int) -> None:
        self.workdir = self.workroot / f"{self.name}-{self.pages}-rep{rep}"
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)

    def run_pass(self, number: int) -> PassResult:
        raise NotImplementedError

    def expected(self, number: int) -> list[listing.Change]:
        return listing.expected_changes(self.pages) if number == 2 else []


def _fail_output(m: Measured) -> str:
    tail = (m.stderr.strip().splitlines() or ["(no stderr)"])[-3:]
    return f"exit status {m.returncode}: " + " | ".join(tail)


# -- newswatch ---------------------------------------------------------------------


class NewswatchTool(Tool):
    name = "newswatch"

    def __init__(self, base: str, pages: int, workroot: Path, sink: WebhookSink, concurrency: int) -> None:
        super().__init__(base, pages, workroot)
        self.sink, self.concurrency = sink, concurrency
        script = Path(sys.executable).parent / "newswatch"
        self.command = [str(script)] if script.exists() else [sys.executable, "-m", "newswatch"]

    def start_rep(self, rep: int) -> None:
        super().start_rep(rep)
        (self.workdir / "config.toml").write_text(self.config(), encoding="utf-8")

    def config(self) -> str:
        return newswatch_config([(f"page-{p:04d}", url) for p, url in enumerate(self.urls())], self.sink.url,
                                self.concurrency)

    def run_pass(self, number: int) -> PassResult:
        self.sink.take()
        before = self._last_run_id()
        m = measure([*self.command, "once", "-c", str(self.workdir / "config.toml")], self.workdir / f"pass{number}")
        messages = self.sink.take()
        expected = self.expected(number)
        problems = [] if m.returncode == 0 else [_fail_output(m)]
        problems += self._check_outcomes(before, number, len(expected))
        problems += _check_alerts(messages, expected)
        return PassResult(self.name, number, m, len(expected), len(messages), problems)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.workdir / "newswatch.db", timeout=30)

    def _last_run_id(self) -> int:
        if not (self.workdir / "newswatch.db").exists():
            return 0
        try:
            with self._db() as db:
                return db.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]
        except sqlite3.Error:
            return 0

    def _check_outcomes(self, after_id: int, number: int, changed: int) -> list[str]:
        if not (self.workdir / "newswatch.db").exists():
            return ["no database written"]
        try:
            with self._db() as db:
                rows = db.execute("SELECT outcome, count(*) FROM runs WHERE id > ? GROUP BY outcome", [after_id])
                outcomes = dict(rows.fetchall())
        except sqlite3.Error as exc:
            return [f"cannot read its database: {exc}"]
        want = {"baseline": self.pages} if number == 1 else {"ok": changed, "unchanged": self.pages - changed}
        want = {k: v for k, v in want.items() if v}
        return [] if outcomes == want else [f"run outcomes {outcomes}, expected {want}"]


def newswatch_config(sources: list[tuple[str, str]], notifier_url: str, concurrency: int) -> str:
    """The benchmarks' config: (name, url) html sources with the floor's selectors, the site's watches,
    first runs as baselines, one notifier."""
    select = "".join(f'  {key} = "{value}"\n' for key, value in SELECT.items())
    entries = "".join(
        f'\n[[sources]]\nname = "{name}"\nurl = "{url}"\ntype = "html"\n  [sources.select]\n{select}'
        for name, url in sources
    )
    watches = "".join(
        f'\n[[watches]]\nname = "{name}"\nkeywords = {json.dumps(words, ensure_ascii=False)}\n'
        for name, words in listing.WATCHES.items()
    )
    return f"""# newswatch benchmark config (written by bench/tools.py)
[storage]
path = "newswatch.db"

[crawler]
obey_robots_txt = false
timeout = "30s"
retries = 2
concurrency = {concurrency}
per_domain = {concurrency}

[alerts]
first_run = "baseline"
{entries}{watches}
[[notifiers]]
name = "sink"
url = "{notifier_url}"
"""


def _check_alerts(messages: list[dict], expected: list[listing.Change]) -> list[str]:
    """Each expected (article, watch) alert arrived exactly once, and nothing else did."""
    wanted = Counter((c.title, c.watch) for c in expected)
    got = Counter((m.get("title", ""), _watch_of(m.get("message", ""))) for m in messages)
    problems = []
    if got - wanted:
        problems.append(f"{sum((got - wanted).values())} unexpected alerts, e.g. {next(iter(got - wanted))}")
    if wanted - got:
        problems.append(f"{sum((wanted - got).values())} expected alerts missing, e.g. {next(iter(wanted - got))}")
    return problems


def _watch_of(body: str) -> str:
    m = re.match(r"\[([^\]]+)\]", body)
    return m[1] if m else ""


# -- bare Scrapy --------------------------------------------------------------------


class FloorTool(Tool):
    """Bare Scrapy: one crawler for every page, or (``per_page``) one crawler per page as newswatch does."""

    name = "scrapy"

    def __init__(self, base: str, pages: int, workroot: Path, concurrency: int, per_page: bool = False) -> None:
        super().__init__(base, pages, workroot)
        self.concurrency, self.per_page = concurrency, per_page
        self.name = "scrapy-per-page" if per_page else "scrapy"

    def run_pass(self, number: int) -> PassResult:
        command = [sys.executable, str(BENCH / "floor.py"), "--base", self.base, "--pages", str(self.pages),
                   "--concurrency", str(self.concurrency), "--per-domain", str(self.concurrency)]
        command += ["--crawler-per-page"] if self.per_page else []
        m = measure(command, self.workdir / f"pass{number}")
        problems = [] if m.returncode == 0 else [_fail_output(m)]
        try:
            counts = json.loads(m.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            counts = {}
            problems.append("no counts printed")
        articles = self.pages * listing.ARTICLES_PER_PAGE
        if counts and (counts["pages"], counts["articles"], counts["failures"]) != (self.pages, articles, 0):
            problems.append(f"parsed {counts}, expected {self.pages} pages, {articles} articles, 0 failures")
        # The floor reports no changes: it only fetches and parses.
        return PassResult(self.name, number, m, 0, 0, problems)


# -- warm: both passes in one process (the daemon's shape) --------------------------

def _pass_lines(m: Measured) -> list[dict]:
    """The JSON lines a warm run printed, in order."""
    lines = []
    for line in m.stdout.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _split(m: Measured, walls: list[float]) -> list[Measured]:
    """One Measured per pass: its own wall time; CPU and peak RSS are the whole process's (both passes)."""
    return [Measured(wall, m.cpu, m.rss_kib, m.returncode, m.stdout, m.stderr, m.method + ", in-process wall")
            for wall in walls]


class WarmNewswatchTool(NewswatchTool):
    """``bench/warm.py``: newswatch's two passes in one process; the site is switched between them."""

    name = "newswatch-warm"

    def run_pass(self, number: int) -> PassResult:
        if number == 1:
            self._results = self._both()
        return self._results[number - 1]

    def _both(self) -> list[PassResult]:
        self.sink.take()
        command = [sys.executable, str(BENCH / "warm.py"), "-c", str(self.workdir / "config.toml"),
                   "--passes", "2", "--between", self.base + "/_control/pass2"]
        m = measure(command, self.workdir / "passes")
        lines = [line for line in _pass_lines(m) if "pass" in line]
        problems = [] if m.returncode == 0 else [_fail_output(m)]
        if len(lines) != 2:
            problems.append(f"printed {len(lines)} pass lines, expected 2")
            lines = [{"wall": m.wall}, {"wall": m.wall}]
        messages, expected = self.sink.take(), self.expected(2)
        one = PassResult(self.name, 1, _split(m, [lines[0]["wall"]])[0], 0, 0, list(problems))
        two = PassResult(self.name, 2, _split(m, [lines[1]["wall"]])[0], len(expected), len(messages),
                         problems + _check_alerts(messages, expected))
        return [one, two]


class WarmFloorTool(Tool):
    """``floor.py --warm``: the one crawler kept open for both passes; unchanged bodies not parsed."""

    name = "scrapy-warm"

    def __init__(self, base: str, pages: int, workroot: Path, concurrency: int) -> None:
        super().__init__(base, pages, workroot)
        self.concurrency = concurrency

    def run_pass(self, number: int) -> PassResult:
        if number == 1:
            self._results = self._both()
        return self._results[number - 1]

    def _both(self) -> list[PassResult]:
        command = [sys.executable, str(BENCH / "floor.py"), "--base", self.base, "--pages", str(self.pages),
                   "--concurrency", str(self.concurrency), "--per-domain", str(self.concurrency),
                   "--warm", "--passes", "2", "--between", self.base + "/_control/pass2"]
        m = measure(command, self.workdir / "passes")
        problems = [] if m.returncode == 0 else [_fail_output(m)]
        counts = (_pass_lines(m) or [{}])[-1]
        walls = counts.get("walls") or [m.wall, m.wall]
        changed = len(self.expected(2))
        want = (self.pages + changed, self.pages - changed, 0)
        if (counts.get("pages"), counts.get("unchanged"), counts.get("failures")) != want or len(walls) != 2:
            problems.append(f"counted {counts}, expected parsed/unchanged/failures {want} over 2 passes")
        first, second = _split(m, walls[:2] if len(walls) >= 2 else [m.wall, m.wall])
        return [PassResult(self.name, 1, first, 0, 0, list(problems)), PassResult(self.name, 2, second, 0, 0, problems)]


# -- urlwatch -----------------------------------------------------------------------

_URLWATCH_CONFIG = """\
# urlwatch benchmark config (written by bench/run.py)
display:
  new: true
  error: true
  unchanged: false
  empty-diff: false
report:
  text:
    line_length: 75
    details: true
    footer: false
    minimal: false
  stdout:
    enabled: true
    color: false
  html:
    separate: false
  email:
    enabled: false
job_defaults:
  all:
    ignore_cached: true
"""
_SUMMARY = re.compile(r"^\d+\. (NEW|CHANGED|ERROR|UNCHANGED): (\S+)$", re.MULTILINE)
_DETAIL = re.compile(r"^(NEW|CHANGED|ERROR|UNCHANGED): (\S+) \( .* \)$", re.MULTILINE)


def urlwatch_venv(cache: Path) -> Path:
    """The urlwatch executable of ``cache``/urlwatch-VERSION, created (venv + pip install) if missing."""
    venv = cache / f"urlwatch-{URLWATCH_VERSION}"
    exe = venv / "bin" / "urlwatch"
    if exe.exists() and _urlwatch_version(exe) == URLWATCH_VERSION:
        return exe
    shutil.rmtree(venv, ignore_errors=True)
    print(f"creating {venv} (pip install urlwatch=={URLWATCH_VERSION}) ...", flush=True)
    for step in ([sys.executable, "-m", "venv", str(venv)],
                 [str(venv / "bin" / "pip"), "install", "-q", f"urlwatch=={URLWATCH_VERSION}"]):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{shlex.join(step)} failed:\n{done.stdout}{done.stderr}")
    if _urlwatch_version(exe) != URLWATCH_VERSION:
        raise SystemExit(f"{exe} is not urlwatch {URLWATCH_VERSION}")
    return exe


def _urlwatch_version(exe: Path) -> str:
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return ""
    return out.split()[-1] if out.split() else ""


class UrlwatchTool(Tool):
    name = "urlwatch"

    def __init__(self, base: str, pages: int, workroot: Path, exe: Path) -> None:
        super().__init__(base, pages, workroot)
        self.exe = exe

    def start_rep(self, rep: int) -> None:
        super().start_rep(rep)
        (self.workdir / "config.yaml").write_text(_URLWATCH_CONFIG, encoding="utf-8")
        (self.workdir / "urls.yaml").write_text(self.jobs(), encoding="utf-8")

    def jobs(self) -> str:
        grep = listing.KEYWORD_REGEX.replace("'", "''")
        return "---\n".join(
            f"name: page-{p:04d}\nurl: {url}\nignore_cached: true\n"
            f"filter:\n  - css: {SELECT['item']}\n  - html2text\n"
            f"diff_filter:\n  - grep: '{grep}'\n"
            for p, url in enumerate(self.urls())
        )

    def run_pass(self, number: int) -> PassResult:
        w = self.workdir
        command = [str(self.exe), "--urls", str(w / "urls.yaml"), "--config", str(w / "config.yaml"),
                   "--cache", str(w / "cache.db"), "--hooks", str(w / "no-hooks.py")]
        m = measure(command, w / f"pass{number}", env=environment({"PYTHONIOENCODING": "utf-8"}))
        expected = self.expected(number)
        verbs = Counter(verb for verb, _ in _SUMMARY.findall(m.stdout))
        changed = {name for verb, name in _SUMMARY.findall(m.stdout) if verb == "CHANGED"}
        problems = [] if m.returncode == 0 else [_fail_output(m)]
        if verbs["ERROR"]:
            problems.append(f"{verbs['ERROR']} jobs failed")
        if number == 1 and verbs["NEW"] != self.pages:
            problems.append(f"{verbs['NEW']} jobs reported NEW, expected {self.pages}")
        problems += _check_diffs(m.stdout, changed, expected) if number == 2 else []
        return PassResult(self.name, number, m, len(expected), len(changed), problems)


def _check_diffs(report: str, changed: set[str], expected: list[listing.Change]) -> list[str]:
    """The changed jobs are the expected pages, each with the new title on an added line."""
    wanted = {f"page-{c.page:04d}": c for c in expected}
    problems = []
    if changed - set(wanted):
        problems.append(f"{len(changed - set(wanted))} unexpected changes, e.g. {sorted(changed - set(wanted))[0]}")
    if set(wanted) - changed:
        problems.append(f"{len(set(wanted) - changed)} changes missing, e.g. {sorted(set(wanted) - changed)[0]}")
    sections = _DETAIL.split(report)[1:]  # verb, name, text, verb, name, text, ...
    for verb, name, text in zip(sections[::3], sections[1::3], sections[2::3], strict=True):
        change = wanted.get(name)
        added = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
        if verb == "CHANGED" and change and not any(change.title in line for line in added):
            problems.append(f"{name}: the new title is not on an added line")
    return problems
