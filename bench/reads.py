"""The read commands on a big installation: ``status`` and ``articles --limit 20`` with N sources.

    .venv/bin/python bench/reads.py [--sources 13000] [--articles 20] [--runs 3] [--reps 5] [--keep DIR]

Writes a config of N html sources (every key a real installation sets: select, interval,
a watch and a notifier) and fills a database through newswatch's own Store (migrations
included): N source rows with their last run and next run, ``--articles`` articles per
source listed by it, ``--runs`` runs per source (the last hour's carry a due time and a lag,
as the daemon writes them), a few sources failing. Then times, as separate processes,
``newswatch --help`` (the interpreter and click: the floor), ``status`` and ``articles
--limit 20``; prints the median wall and CPU of ``--reps`` runs of each. The machine is
shared: compare each command with ``--help`` of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newswatch.store import Store, iso

NOW = datetime.now(UTC)
FAILING_EVERY = 97  # every 97th source's last run failed


def config_text(sources: int) -> str:
    entries = "".join(
        f'\n[[sources]]\nname = "s{s:05d}"\nurl = "https://h{s % 500}.example/{s}/"\ntype = "html"\n'
        f'interval = "1h"\n  [sources.select]\n  item = "article"\n  title = "h2"\n  link = "a"\n'
        for s in range(sources)
    )
    return (
        '[storage]\npath = "newswatch.db"\n\n[crawler]\nconcurrency = 16\n\n[alerts]\nfirst_run = "baseline"\n'
        f'{entries}\n[[watches]]\nname = "ai"\nkeywords = ["ai", "model"]\n\n'
        '[[notifiers]]\nname = "sink"\nurl = "json://127.0.0.1:9/hook"\n'
    )


def source_rows(sources: int) -> Iterator[dict[str, Any]]:
    for s in range(sources):
        failed = s % FAILING_EVERY == 0
        yield {"name": f"s{s:05d}", "url": f"https://h{s % 500}.example/{s}/", "type": "html",
               "last_run_at": iso(NOW - timedelta(seconds=s % 3600)), "last_outcome": "failed" if failed else "ok",
               "last_items": 0 if failed else 20, "consecutive_failures": 3 if failed else 0,
               "last_error": "HTTP 503 from the site" if failed else None,
               "next_run_at": iso(NOW + timedelta(seconds=3600 - s % 3600))}


def article_rows(sources: int, per: int) -> Iterator[dict[str, Any]]:
    for s in range(sources):
        for a in range(per):
            url = f"https://h{s % 500}.example/{s}/{a}"
            at = iso(NOW - timedelta(days=30) + timedelta(seconds=(s * per + a) * 7))
            yield {"url": url, "link": url, "title": f"Story {s}-{a} about the model", "summary": "",
                   "source": f"s{s:05d}", "first_seen_at": at, "last_seen_at": at}


def run_rows(sources: int, per: int) -> Iterator[dict[str, Any]]:
    for k in range(per):
        for s in range(sources):
            at = NOW - timedelta(hours=k, seconds=s % 3600)
            lag = (s * 7919 + k) % 2000 / 100.0 if k == 0 else None
            yield {"source": f"s{s:05d}", "started_at": iso(at), "finished_at": iso(at + timedelta(seconds=1)),
                   "outcome": "failed" if s % FAILING_EVERY == 0 else "ok",
                   "due_at": iso(at - timedelta(seconds=lag)) if lag is not None else None, "lag_seconds": lag}


def build(workdir: Path, sources: int, articles: int, runs: int) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.toml").write_text(config_text(sources), encoding="utf-8")
    database = workdir / "newswatch.db"
    if database.exists():
        database.unlink()
    store = Store(database)
    store.db["sources"].insert_all(source_rows(sources), batch_size=5000)
    store.db["articles"].insert_all(article_rows(sources, articles), batch_size=5000)
    store.db.execute("INSERT INTO article_sources (article_id, source, first_seen_at, last_seen_at) "
                     "SELECT id, source, first_seen_at, last_seen_at FROM articles")
    store.db.execute("INSERT INTO matches (article_id, watch, keywords, matched_at) "
                     "SELECT id, 'ai', '[\"model\"]', first_seen_at FROM articles WHERE id % 10 = 0")
    store.db["runs"].insert_all(run_rows(sources, runs), batch_size=5000)
    store.db.conn.commit()
    store.db.execute("ANALYZE")
    store.close()


CODE: Path | None = None  # --code: run the newswatch of that source tree (e.g. `git archive` of another commit)


def newswatch() -> list[str]:
    script = Path(sys.executable).parent / "newswatch"
    return [str(script)] if script.exists() and CODE is None else [sys.executable, "-m", "newswatch"]


def timed(command: list[str], workdir: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``command``; it must exit 0."""
    started = time.perf_counter()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", **({"PYTHONPATH": str(CODE)} if CODE else {})}
    proc = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    error = proc.stderr.read().decode() if proc.stderr else ""
    if status:
        raise SystemExit(f"{' '.join(command)} failed ({status}): {error}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(workdir: Path, reps: int) -> dict[str, tuple[float, float]]:
    commands = {"--help": ["--help"], "status": ["status"], "articles --limit 20": ["articles", "--limit", "20"],
                "status --json": ["status", "--json"]}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(reps):  # interleaved, so a burst of load hits every command alike
        for name, args in commands.items():
            found[name].append(timed([*newswatch(), *args], workdir))
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=13000)
    parser.add_argument("--articles", type=int, default=20, help="articles per source (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per source (default 3)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/newswatch-reads"), help="work directory")
    parser.add_argument("--reuse", action="store_true", help="keep the config and database of an earlier run")
    parser.add_argument("--code", type=Path, help="time the newswatch in this source tree instead")
    args = parser.parse_args()
    global CODE
    CODE = args.code
    if not (args.reuse and (args.keep / "newswatch.db").exists()):
        clock = time.perf_counter()
        build(args.keep, args.sources, args.articles, args.runs)
        print(f"built {args.sources:,} sources in {time.perf_counter() - clock:.1f} s: {args.keep}")
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.reps}, wall / CPU:")
    for name, (wall, cpu) in measure(args.keep, args.reps).items():
        print(f"  {name:<22} {wall:6.2f} s / {cpu:5.2f} s")


if __name__ == "__main__":
    main()
