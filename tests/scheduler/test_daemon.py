"""`newswatch run` end to end: the daemon as a subprocess, the local fixture site, a webhook sink.

Every wait polls something observable (the sink, the database, stderr lines)
against a deadline; nothing sleeps on a guess.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import waiting
from support.cli import newswatch, user_error_lines, write_config
from support.configs import base, html_source
from support.daemon import Daemon
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink

from scheduler import spread

DEADLINE = 20.0

# -- the daemon process -------------------------------------------------------------


class DaemonProcess(Daemon):
    """A running ``python -m newswatch run``; its stderr is collected line by line as it comes."""

    def wait_for_line(self, text: str, occurrences: int = 1) -> None:
        wait_until(lambda: self.count(text) >= occurrences, f"{occurrences}× stderr line {text!r}", self)

    def stop(self, timeout: float, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send ``sig``; the exit status, which must come within ``timeout`` seconds."""
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit within {timeout}s of {sig.name}\n{self.tail()}") from None
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def wait_until(predicate: Callable[[], Any], what: str, daemon: DaemonProcess | None = None,
               timeout: float = DEADLINE) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned), or fail at the deadline."""
    return waiting.wait_until(predicate, what, timeout, daemon.tail if daemon else str)


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    server = HttpSink()
    yield server
    server.close()


@pytest.fixture
def start() -> Iterator[Callable[..., DaemonProcess]]:
    """Start ``newswatch run -c CONFIG [ARGS]``; whatever still runs at teardown is killed."""
    started: list[DaemonProcess] = []

    def run(config: Path, *args: str) -> DaemonProcess:
        started.append(DaemonProcess(config, *args))
        return started[-1]

    yield run
    for daemon in started:
        daemon.kill()


# -- observing the database and the CLI --------------------------------------------------


def rows(workdir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows read with sqlite3, as a user would; none while the database or its tables do not exist yet."""
    database = workdir / "newswatch.db"
    if not database.exists():
        return []
    with sqlite3.connect(database, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise


def finished_runs(workdir: Path, source: str, outcome: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM runs WHERE source = ? AND finished_at IS NOT NULL"
    params: tuple[Any, ...] = (source,)
    if outcome:
        sql, params = sql + " AND outcome = ?", (source, outcome)
    return rows(workdir, sql + " ORDER BY id", params)


def wait_runs(workdir: Path, source: str, count: int, daemon: DaemonProcess) -> None:
    """Wait until ``source`` has ``count`` more finished runs than now."""
    target = len(finished_runs(workdir, source)) + count
    wait_until(lambda: len(finished_runs(workdir, source)) >= target, f"{count} more runs of {source}", daemon)


def status_json(workdir: Path) -> dict[str, dict[str, Any]]:
    proc = newswatch("status", "--json", "-c", workdir / "config.toml", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    return {row["source"]: row for row in json.loads(proc.stdout)["sources"]}


# -- configs and pages --------------------------------------------------------------------


def scheduler_section(grace: str = "5s") -> str:
    return f"""
[scheduler]
interval = "1s"
jitter = "0s"
grace = "{grace}"
delivery_interval = "1s"
"""


def watch_and_sink(sink: HttpSink, keywords: list[str]) -> str:
    return f"""
[[watches]]
name = "topic"
keywords = {json.dumps(keywords)}

[[notifiers]]
name = "hook"
url = "json://127.0.0.1:{sink.port}/"
"""


def daemon_config(workdir: Path, sink: HttpSink, sources: dict[str, str], keywords: list[str],
                  grace: str = "5s", crawler_timeout: str = "10s", name: str = "config.toml") -> Path:
    """A config: every source every second, one watch, the sink as the one notifier."""
    text = base(timeout=crawler_timeout) + scheduler_section(grace)
    text += "".join(html_source(source, url) for source, url in sources.items())
    return write_config(workdir, text + watch_and_sink(sink, keywords), name)


def page(prefix: str, *titles: str) -> str:
    """A listing page with one card per title, newest first."""
    return listing([Item(title, f"{prefix}/news/{_slug(title)}/") for title in titles])


def _slug(title: str) -> str:
    return re.sub(r"\W+", "-", title.lower())


OLD = ("Regional budget approved", "Spring weather arrives early")


def start_with_baseline(site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink,
                        start: Callable[..., DaemonProcess], keywords: list[str], *args: str) -> DaemonProcess:
    """Serve two old articles, start the daemon, wait for the baseline run of source ``news``."""
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    config = daemon_config(workdir, sink, {"news": url}, keywords)
    daemon = start(config, *args)
    wait_until(lambda: finished_runs(workdir, "news", "baseline"), "the baseline run", daemon)
    return daemon


def titles(sink: HttpSink) -> list[str]:
    return [message["title"] for message in sink.received]


# -- tests ----------------------------------------------------------------------------------


def test_new_matching_article_reaches_the_sink_once(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    daemon = start_with_baseline(site, prefix, workdir, sink, start, ["trafficking"])
    site.set(f"{prefix}/list", page(prefix, "Trafficking ring broken up", "Football results", *OLD))

    received = sink.wait_for(1, DEADLINE)
    assert [m["title"] for m in received] == ["Trafficking ring broken up"], daemon.tail()
    assert "Football" not in received[0]["message"]
    wait_runs(workdir, "news", 3, daemon)  # later runs of the same page alert nothing again
    assert titles(sink) == ["Trafficking ring broken up"]
    assert daemon.stop(timeout=15) == 0


def test_config_edit_adds_a_keyword_without_restart(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    daemon = start_with_baseline(site, prefix, workdir, sink, start, ["trafficking"])
    site.set(f"{prefix}/list", page(prefix, "Migrants deported at dawn", *OLD))
    wait_until(lambda: rows(workdir, "SELECT 1 FROM articles WHERE title LIKE 'Migrants%'"), "the article", daemon)
    assert rows(workdir, "SELECT * FROM alerts") == []  # "deport*" is not watched yet

    config = workdir / "config.toml"
    config.write_text(config.read_text().replace('["trafficking"]', '["trafficking", "deport*"]'))
    daemon.wait_for_line("config in force")
    site.set(f"{prefix}/list", page(prefix, "Second family deported", "Migrants deported at dawn", *OLD))

    assert [m["title"] for m in sink.wait_for(1, DEADLINE)] == ["Second family deported"], daemon.tail()
    assert daemon.stop(timeout=15) == 0


def test_invalid_edit_is_reported_once_and_the_old_config_stays(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    daemon = start_with_baseline(site, prefix, workdir, sink, start, ["trafficking"])
    config = workdir / "config.toml"
    config.write_text(config.read_text().replace('interval = "1s"', 'interval = "fifteen"'))

    daemon.wait_for_line('scheduler.interval: "fifteen" is not a duration')
    wait_runs(workdir, "news", 5, daemon)  # a few config polls (every 2 s) later...
    assert daemon.count('scheduler.interval: "fifteen"') == 1  # ...reported once, not at every poll
    assert all(" ERROR " in line for line in daemon.lines() if "fifteen" in line)

    notice = f"config edit rejected: {config}"
    assert titles_after(sink) == [notice], daemon.tail()  # the operator is told once, too
    assert 'scheduler.interval: \\"fifteen\\" is not a duration' in json.dumps(sink.received[0]["message"])
    site.set(f"{prefix}/list", page(prefix, "Trafficking case reopened", *OLD))
    assert titles_after(sink, 2) == [notice, "Trafficking case reopened"], daemon.tail()
    assert daemon.stop(timeout=15) == 0


def titles_after(sink: HttpSink, count: int = 1) -> list[str]:
    return [m["title"] for m in sink.wait_for(count, DEADLINE)]


def test_sighup_reloads_even_an_edit_the_watch_cannot_see(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    daemon = start_with_baseline(site, prefix, workdir, sink, start, ["trafficking"])
    config = workdir / "config.toml"
    before = config.stat()
    text = config.read_text()
    edited = text.replace('"trafficking"', '"deportation"')
    assert len(edited) == len(text)  # same size, same inode, old mtime: only SIGHUP can reveal it
    config.write_text(edited)
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))

    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_for_line("reload requested: loaded")
    daemon.wait_for_line("config in force")
    site.set(f"{prefix}/list", page(prefix, "Court halts deportation", "Trafficking trial opens", *OLD))

    assert titles_after(sink) == ["Court halts deportation"], daemon.tail()
    assert daemon.stop(timeout=15) == 0


def test_reload_adds_removes_and_reschedules_sources_in_place(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    urls = {name: site.set(f"{prefix}/{name}", page(prefix, *OLD)) for name in ("one", "two", "three")}
    config = daemon_config(workdir, sink, {"one": urls["one"], "two": urls["two"]}, ["trafficking"])
    daemon = start(config)
    for name in ("one", "two"):
        wait_runs(workdir, name, 1, daemon)

    draft = daemon_config(workdir, sink, {"one": urls["one"], "three": urls["three"]}, ["trafficking"], name="new.toml")
    text = draft.read_text()
    config.write_text(text.replace(f'url = "{urls["one"]}"', f'url = "{urls["one"]}"\ninterval = "1h"', 1))
    daemon.wait_for_line("added three; removed two; rescheduled one")

    wait_runs(workdir, "three", 2, daemon)
    sources = {r["name"]: r for r in rows(workdir, "SELECT * FROM sources")}
    assert sources["two"]["next_run_at"] is None
    next_one = datetime.fromisoformat(sources["one"]["next_run_at"])  # at its own place in the new hour (spread)
    assert datetime.now(UTC) - timedelta(seconds=5) < next_one <= datetime.now(UTC) + timedelta(hours=1)
    assert (next_one - spread.ANCHOR) % timedelta(hours=1) == spread.offset("one", timedelta(hours=1))
    runs_of_two = len(finished_runs(workdir, "two"))
    wait_runs(workdir, "three", 2, daemon)
    assert len(finished_runs(workdir, "two")) == runs_of_two  # its job is gone
    assert daemon.stop(timeout=15) == 0


def test_status_while_running_then_sigterm_exits_0_within_grace(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    urls = {name: site.set(f"{prefix}/{name}", page(prefix, *OLD)) for name in ("alpha", "beta")}
    config = daemon_config(workdir, sink, urls, ["trafficking"], grace="5s")
    daemon = start(config, "--log-format", "json")
    for name in urls:
        wait_runs(workdir, name, 2, daemon)

    running = status_json(workdir)
    assert all(running[name]["next_run"] for name in urls), running
    table = newswatch("status", "-c", config, cwd=workdir).stdout
    for name in urls:  # the table shows a last run and a next run
        row = next(line for line in table.splitlines() if line.startswith(name))
        assert len(re.findall(r"(?<![\d:])\d\d:\d\d(?![\d:])", row)) == 2, table  # local times, compact today
    check = newswatch("status", "--check", "-c", config, cwd=workdir)
    assert check.returncode == 0 and "daemon alive" in check.stdout, check.stderr

    started = time.monotonic()
    assert daemon.stop(timeout=5 + 10) == 0
    assert time.monotonic() - started < 5 + 5
    stopped = status_json(workdir)
    for name in urls:
        assert stopped[name]["last_run"] and stopped[name]["outcome"] in ("ok", "unchanged"), stopped
        assert stopped[name]["next_run"] is None, stopped
    assert rows(workdir, "SELECT * FROM runs WHERE finished_at IS NULL") == []
    assert newswatch("status", "--check", "-c", config, cwd=workdir).returncode == 1
    records = [json.loads(line) for line in daemon.lines()]  # --log-format json: every line is a JSON object
    assert any(r["message"].startswith("source=alpha") for r in records)


def test_sigterm_cancels_a_run_that_outlives_the_grace(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    url = site.set(f"{prefix}/slow", page(prefix, *OLD), delay=60)
    config = daemon_config(workdir, sink, {"slow": url}, ["trafficking"], grace="1s", crawler_timeout="90s")
    daemon = start(config)
    wait_until(lambda: site.hits(f"{prefix}/slow"), "the slow request", daemon)

    started = time.monotonic()
    assert daemon.stop(timeout=15) == 0
    assert time.monotonic() - started < 1 + 5 + 3  # grace, then at most the cancel wait
    assert rows(workdir, "SELECT * FROM runs WHERE finished_at IS NULL") == []
    outcomes = [r["outcome"] for r in finished_runs(workdir, "slow")]
    assert outcomes == ["cancelled"], daemon.tail()


def test_a_second_sigterm_cancels_at_once(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    url = site.set(f"{prefix}/slow", page(prefix, *OLD), delay=60)
    config = daemon_config(workdir, sink, {"slow": url}, ["trafficking"], grace="60s", crawler_timeout="90s")
    daemon = start(config)
    wait_until(lambda: site.hits(f"{prefix}/slow"), "the slow request", daemon)

    daemon.proc.send_signal(signal.SIGTERM)
    daemon.wait_for_line("starting no new runs")
    started = time.monotonic()
    assert daemon.stop(timeout=15) == 0
    assert time.monotonic() - started < 10  # far less than the 60 s grace
    assert daemon.count("again: cancelling") == 1


def test_bad_config_at_start_exits_2_naming_the_key(workdir: Path) -> None:
    config = write_config(workdir, base() + '\n[scheduler]\ninterval = "fifteen"\n')
    lines = user_error_lines(newswatch("run", "-c", config, cwd=workdir, timeout=30))
    assert any('scheduler.interval: "fifteen" is not a duration' in line for line in lines), lines


# -- many sources: spread over the interval, late rather than skipped ----------------------------


def test_interval_runs_are_spread_over_the_interval_at_each_sources_place(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    names = [f"s{i:02}" for i in range(24)]
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    config = daemon_config(workdir, sink, dict.fromkeys(names, url), ["trafficking"])
    config.write_text(config.read_text().replace('interval = "1s"', 'interval = "4s"'))
    daemon = start(config)
    for name in names:  # the first run of each is at start-up; the next one at its own place
        wait_runs(workdir, name, 1, daemon)
    interval = timedelta(seconds=4)
    nexts = {r["name"]: datetime.fromisoformat(r["next_run_at"]) for r in rows(workdir, "SELECT * FROM sources")}
    places = {name: (nexts[name] - spread.ANCHOR) % interval for name in names}
    assert places == {name: spread.offset(name, interval) for name in names}
    quarters = {int(place / (interval / 4)) for place in places.values()}
    assert quarters == {0, 1, 2, 3}, places  # not all due in the same second
    assert daemon.stop(timeout=15) == 0


def test_a_run_due_during_its_own_overrunning_run_runs_right_after_it_not_skipped(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    url = site.set(f"{prefix}/slow", page(prefix, *OLD), delay=1.6)  # longer than the 1 s interval
    daemon = start(daemon_config(workdir, sink, {"slow": url}, ["trafficking"]))
    daemon.wait_for_line("source slow: due while its previous run is in flight; it runs again right after")
    wait_runs(workdir, "slow", 3, daemon)
    assert daemon.count("maximum number of running instances reached") == 0, daemon.tail()
    assert daemon.stop(timeout=15) == 0


def test_a_run_due_again_while_it_waits_for_a_slot_is_served_by_that_wait_not_run_twice(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    hold = 3.0  # the slow run holds the one slot this long: "quick" (every 1 s) comes due meanwhile
    urls = {"slow": site.set(f"{prefix}/slow", page(prefix, *OLD), delay=hold),
            "quick": site.set(f"{prefix}/quick", page(prefix, *OLD))}
    config = daemon_config(workdir, sink, urls, ["trafficking"])
    text = config.read_text().replace("[crawler]\n", "[crawler]\nconcurrency = 1\n", 1)
    config.write_text(text.replace('name = "slow"\n', 'name = "slow"\ninterval = "1h"\n', 1))
    daemon = start(config)
    wait_until(lambda: finished_runs(workdir, "slow"), "the slow run", daemon)
    released = finished_runs(workdir, "slow")[0]["finished_at"]  # the slot is free from here on
    wait_until(lambda: [r for r in finished_runs(workdir, "quick") if r["due_at"] > released],
               "a run of quick due after the slow run", daemon)
    # Due before the slot came free and started after it: one run serves every due time of the wait.
    waited = [r for r in finished_runs(workdir, "quick") if r["due_at"] < released <= r["started_at"]]
    assert len(waited) == 1, finished_runs(workdir, "quick")
    assert daemon.stop(timeout=15) == 0
    assert re.search(r"[1-9]\d* came due while their run waited for a slot and were served by it",
                     "\n".join(daemon.lines())), daemon.tail()


def test_a_run_waiting_behind_the_concurrency_limit_records_and_shows_its_lag(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    delay = 1.5  # each run holds the one slot at least this long, so the second one due at start-up waits for it
    urls = {name: site.set(f"{prefix}/{name}", page(prefix, *OLD), delay=delay) for name in ("first", "second")}
    config = daemon_config(workdir, sink, urls, ["trafficking"])
    text = config.read_text().replace("[crawler]\n", "[crawler]\nconcurrency = 1\n", 1)
    config.write_text(text.replace('\ninterval = "1s"', '\ninterval = "1h"', 1))
    daemon = start(config)
    for name in urls:
        wait_until(lambda name=name: finished_runs(workdir, name), f"the start-up run of {name}", daemon)

    recorded = rows(workdir, "SELECT source, started_at, finished_at, due_at, lag_seconds FROM runs ORDER BY id")
    assert [r["source"] for r in recorded] and all(r["due_at"] for r in recorded), recorded
    waited = max(recorded, key=lambda r: r["lag_seconds"])
    # It could not start before the other run (a page served after `delay`) finished: its lag is at least that.
    assert waited["lag_seconds"] >= delay - 0.1, recorded
    listed = json.loads(newswatch("runs", "--json", "-c", config, cwd=workdir).stdout)
    assert {r["source"]: r["lag_seconds"] for r in listed}[waited["source"]] == waited["lag_seconds"]
    table = newswatch("runs", "-c", config, cwd=workdir).stdout
    assert "lag" in table.splitlines()[0] and f"{waited['lag_seconds']:.1f}s" in table, table

    proc = newswatch("status", "--json", "-c", config, cwd=workdir)
    schedule = json.loads(proc.stdout)["schedule"]
    assert schedule["runs"] == 2 and schedule["late_runs"] >= 1, schedule
    assert schedule["lag_max"] == waited["lag_seconds"], schedule
    shown = newswatch("status", "-c", config, cwd=workdir).stdout
    assert re.search(r"schedule, last hour: 2 runs, .* max \d+\.\ds; [12] started late", shown), shown
    def beat() -> str:
        return newswatch("status", "--check", "-c", config, cwd=workdir).stdout

    wait_until(lambda: re.search(r"[12] of 2 runs started late", beat()), "the heartbeat counting the late run",
               daemon)
    assert daemon.stop(timeout=15) == 0
    assert re.search(r"schedule: [12] of 2 runs started late", "\n".join(daemon.lines())), daemon.tail()


def test_sigterm_lets_runs_queued_for_a_slot_go_unstarted_and_unrecorded(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, start: Callable[..., DaemonProcess]
) -> None:
    url = site.set(f"{prefix}/slow", page(prefix, *OLD), delay=1.5)
    names = [f"q{i:02}" for i in range(30)]
    config = daemon_config(workdir, sink, dict.fromkeys(names, url), ["trafficking"])
    text = config.read_text().replace("[crawler]\n", "[crawler]\nconcurrency = 1\n", 1)
    config.write_text(text.replace('\ninterval = "1s"', '\ninterval = "1h"', 1))
    daemon = start(config)
    wait_until(lambda: rows(workdir, "SELECT id FROM runs"), "the first run to start", daemon)
    assert daemon.stop(timeout=15) == 0
    recorded = rows(workdir, "SELECT source, outcome FROM runs")
    # One slot: at most the run in flight and one more had started; the 28+ queued ones never did.
    assert 1 <= len(recorded) <= 2 and all(r["outcome"] != "running" for r in recorded), recorded
    assert daemon.count("cancelled at shutdown") == 0, daemon.tail()
