"""Crash safety: ``kill -9`` of ``once`` and of ``run`` at many points, then a restart, loses no alert.

Production code has no test hooks, so the kills are timed: each round the
fixture page gains matching articles and a process is started, then SIGKILLed
either after a random (seeded) delay from its start, spread over start-up,
crawl, store and delivery, or a random moment after the round's first message
reached the webhook sink (which answers in 50 ms, like a real service), to land
inside delivery. Clean ``once`` passes then finish what is owed.

Every article must reach the sink. A second copy is allowed only for the one
send a kill can catch between "the notifier took it" and "marked delivered":
the message that was first in line when the process died. The database must
hold one alert per article and watch, nothing pending, and pass
``PRAGMA integrity_check``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.cli import write_config
from support.configs import base, html_source, topic_to_hook
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink

ROUNDS = 14
PER_ROUND = 3  # new matching articles a round
LATENCY = 0.05  # the sink's answer time, as a real webhook takes some: the send -> mark window
SEED = 6
_SCRUBBED = ("NEWSWATCH_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD")


@dataclass
class Kills:
    """What the timed kills hit."""

    rounds: int = 0
    killed: int = 0
    owed: int = 0  # kills after which alerts were still owed: each may repeat one send
    sent: int = 0  # messages the killed processes got out before the clean passes
    window: Counter[str] = field(default_factory=Counter)  # per title: kills while it was next to be marked

    def __str__(self) -> str:
        return (f"{self.rounds} rounds, {self.killed} killed, {self.owed} with alerts owed at the kill, "
                f"{self.sent} sent by them")


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    server = HttpSink(reply=answer_slowly)
    yield server
    server.close()


def answer_slowly(path: str, data: dict[str, Any]) -> dict[str, Any]:
    time.sleep(LATENCY)  # the sink's simulated service time, not a wait for anything
    return {}


def crash_config(workdir: Path, url: str, sink: HttpSink) -> Path:
    """Every second, no jitter; no flood hold-back (several articles can be new at once after kills)."""
    return write_config(workdir, base(timeout="5s") + f"""
[scheduler]
interval = "1s"
jitter = "0s"
grace = "2s"
delivery_interval = "1s"

[alerts]
flood_min = 1000
{html_source("news", url)}
{topic_to_hook(sink.port)}""")


def rows(workdir: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(workdir / "newswatch.db", timeout=15) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def start(workdir: Path, command: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    with log.open("wb") as err:
        return subprocess.Popen([sys.executable, "-m", "newswatch", command, "-c", "config.toml"],
                                cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=err)


def kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` once ``delay`` seconds passed, unless it ended first; True if it was killed."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        return True
    return False


def clean_once(workdir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "newswatch", "once", "-c", "config.toml"], cwd=workdir,
                          env={k: v for k, v in os.environ.items() if k not in _SCRUBBED},
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr


def owed(workdir: Path) -> int:
    return rows(workdir, "SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")[0]["n"]


def in_flight(workdir: Path) -> list[str]:
    """The title of the first delivery still owed: the only one a kill can have caught between send and mark."""
    sql = ("SELECT a.title FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.status = 'pending' "
           "ORDER BY d.alert_id LIMIT 1")
    return [r["title"] for r in rows(workdir, sql)]


def title(i: int) -> str:
    return f"Trafficking case number {i} reaches court"


def crash_rounds(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, command: str, spread: tuple[float, float]
) -> Kills:
    """ROUNDS times: more matching articles, start ``command``, SIGKILL it.

    Even rounds kill after a random delay from the start (import, crawl, store, delivery);
    odd rounds a random moment after the round's first message reached the sink (mid-delivery).
    """
    rng, kills = random.Random(SEED), Kills()
    for i in range(ROUNDS):
        site.set(f"{prefix}/list/", page(prefix, i))
        log = workdir / f"{command}-{i}.stderr"
        sent_before = len(sink.received)
        proc = start(workdir, command, log)
        if i % 2:
            wait_for_a_send(sink, sent_before, proc)
        kills.rounds += 1
        if kill_after(proc, rng.uniform(*spread) if i % 2 == 0 else rng.uniform(0, 2 * LATENCY * PER_ROUND)):
            kills.killed += 1
            kills.owed += owed(workdir) > 0
            kills.window.update(in_flight(workdir))
        else:
            text = log.read_text(encoding="utf-8", errors="replace")
            assert proc.returncode == 0 and "Traceback" not in text, text
    kills.sent = len(sink.received)
    return kills


def page(prefix: str, round_: int) -> str:
    """The listing after ``round_``: PER_ROUND new matching articles a round, newest first, then old news."""
    new = [Item(title(j), f"{prefix}/case/{j}/", "A trafficking trial") for j in range(PER_ROUND * (round_ + 1))]
    return listing(new[::-1] + old_news(prefix))


def old_news(prefix: str) -> list[Item]:
    return [Item(f"Regional news {i}", f"{prefix}/old/{i}/") for i in range(6)]


def wait_for_a_send(sink: HttpSink, sent_before: int, proc: subprocess.Popen[bytes]) -> None:
    """Until the sink got one more message (or the process ended, or the deadline passed): woken by the sink's
    own notice of each message, and by a watcher of the process's exit, never by polling."""

    def notify_on_exit() -> None:
        proc.wait()
        with sink.changed:
            sink.changed.notify_all()

    threading.Thread(target=notify_on_exit, daemon=True).start()
    with sink.changed:
        sink.changed.wait_for(lambda: len(sink.received) > sent_before or proc.poll() is not None, 30)


def finish_and_check(workdir: Path, sink: HttpSink, kills: Kills) -> None:
    """Clean passes until nothing is owed, then: every alert delivered, each once but for the send/mark window."""
    for _ in range(3):
        clean_once(workdir)
        if owed(workdir) == 0:
            break
    expected = {title(i) for i in range(PER_ROUND * ROUNDS)}
    counts = Counter(m["title"] for m in sink.received)
    assert set(counts) == expected, f"missing: {expected - set(counts)}; {kills}"
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\n{kills}; {duplicates} duplicate sends")
    assert duplicates <= kills.owed, f"{duplicates} duplicates but only {kills.owed} kills left alerts owed"
    for repeated, n in counts.items():
        assert n - 1 <= kills.window[repeated], f"{repeated!r} sent {n} times, outside the send/mark window"
    alerts = rows(workdir, "SELECT title FROM alerts")
    assert sorted(a["title"] for a in alerts) == sorted(expected)  # one alert per (article, watch)
    assert rows(workdir, "SELECT * FROM deliveries WHERE status != 'delivered'") == []
    assert rows(workdir, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_kill_9_of_once_at_any_point_loses_and_repeats_nothing(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink
) -> None:
    url = site.set(f"{prefix}/list/", listing(old_news(prefix)))
    crash_config(workdir, url, sink)
    clean_once(workdir)  # the baseline
    kills = crash_rounds(site, prefix, workdir, sink, "once", (0.05, 3.5))
    assert kills.killed >= ROUNDS // 2 and kills.owed >= 1, kills
    finish_and_check(workdir, sink, kills)


def test_kill_9_of_run_at_any_point_loses_and_repeats_nothing(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink
) -> None:
    url = site.set(f"{prefix}/list/", listing(old_news(prefix)))
    crash_config(workdir, url, sink)
    clean_once(workdir)  # the baseline
    kills = crash_rounds(site, prefix, workdir, sink, "run", (0.05, 4.0))
    assert kills.killed == ROUNDS and kills.owed >= 1, kills  # the daemon never ends by itself
    finish_and_check(workdir, sink, kills)
