"""Two processes on one database: ``once`` next to a running daemon, and two ``once`` at the same time.

Both must finish cleanly (no traceback, no "database is locked") and every
alert must reach the webhook sink exactly once: the database is shared, so is
the outbox, and neither process may send what the other already sent or is
sending. The sink answers in 50 ms, as a real service does, so that delivery
passes of the two processes overlap.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli import write_config
from support.configs import base, html_source, topic_to_hook
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink
from support.waiting import wait_until

from newswatch import store as store_module
from newswatch.errors import StoreError
from newswatch.outbox import DeliveryLock
from newswatch.store import Store

LATENCY = 0.05
PER_ROUND = 3
DEADLINE = 60.0
_SCRUBBED = ("NEWSWATCH_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD")


def answer_slowly(path: str, data: dict[str, Any]) -> dict[str, Any]:
    time.sleep(LATENCY)  # the sink's simulated service time, not a wait for anything
    return {}


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    server = HttpSink(reply=answer_slowly)
    yield server
    server.close()


def shared_config(workdir: Path, urls: dict[str, str], sink: HttpSink) -> Path:
    """Two sources listing the same articles (more writers), alerting from the first crawl on."""
    sources = "".join(html_source(name, url) for name, url in urls.items())
    return write_config(workdir, base(timeout="5s") + f"""
[scheduler]
interval = "1s"
jitter = "0s"
grace = "5s"
delivery_interval = "1s"

[alerts]
first_run = "alert"
flood_min = 1000
{sources}
{topic_to_hook(sink.port)}""")


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _SCRUBBED}


def title(i: int) -> str:
    return f"Trafficking report number {i} published"


def publish(site: FixtureSite, prefix: str, rounds: int) -> set[str]:
    """Both listing pages with PER_ROUND matching articles per round so far; the titles."""
    titles = [title(i) for i in range(PER_ROUND * rounds)]
    items = [Item(t, f"{prefix}/report/{i}/", "trafficking") for i, t in enumerate(titles)][::-1]
    for name in ("one", "two"):
        site.set(f"{prefix}/{name}/", listing([*items, Item("Weather", f"{prefix}/weather/")]))
    return set(titles)


def once(workdir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "newswatch", "once", "-c", "config.toml"], cwd=workdir,
                            env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished_cleanly(proc: subprocess.Popen[str]) -> None:
    stdout, stderr = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr and "locked" not in stderr.lower(), stderr


def rows(workdir: Path, sql: str) -> list[dict[str, Any]]:
    """Rows read as a user would; none while the daemon has not created the tables yet."""
    with sqlite3.connect(workdir / "newswatch.db", timeout=15) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql)]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise


def wait_until_delivered(workdir: Path, sink: HttpSink, expected: set[str]) -> None:
    """Until the sink has every expected title and the outbox owes nothing (or the deadline)."""

    def done() -> bool:
        owed = rows(workdir, "SELECT 1 FROM deliveries WHERE status = 'pending'")
        return not owed and expected <= {m["title"] for m in list(sink.received)}

    wait_until(done, f"delivery of {sorted(expected)}", DEADLINE,
               lambda: f"missing: {expected - {m['title'] for m in list(sink.received)}}")


def assert_each_alert_once(workdir: Path, sink: HttpSink, expected: set[str]) -> None:
    counts = Counter(m["title"] for m in sink.received)
    assert set(counts) == expected, f"missing {expected - set(counts)}, unexpected {set(counts) - expected}"
    assert {t: n for t, n in counts.items() if n > 1} == {}, "sent more than once"
    assert len(rows(workdir, "SELECT * FROM alerts")) == len(expected)
    assert rows(workdir, "SELECT * FROM deliveries WHERE status != 'delivered'") == []
    assert rows(workdir, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_two_once_at_the_same_time_from_a_fresh_database(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink
) -> None:
    urls = {name: site.url(f"{prefix}/{name}/") for name in ("one", "two")}
    shared_config(workdir, urls, sink)
    expected: set[str] = set()
    for round_ in range(1, 5):  # the first round also creates the database: both race to migrate it
        expected = publish(site, prefix, round_)
        pair = [once(workdir), once(workdir)]
        for proc in pair:
            finished_cleanly(proc)
    assert_each_alert_once(workdir, sink, expected)


class Daemon:
    """``newswatch run`` in the background, its stderr collected."""

    def __init__(self, workdir: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "newswatch", "run", "-c", "config.toml"], cwd=workdir,
                                     env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        self.lines.extend(self.proc.stderr)

    def stop(self) -> str:
        """SIGTERM; its stderr, once it exited 0."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(DEADLINE)
        self.reader.join(10)
        text = "".join(self.lines)
        assert code == 0, text
        return text

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def test_once_while_the_daemon_runs_on_the_same_database(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink
) -> None:
    urls = {name: site.url(f"{prefix}/{name}/") for name in ("one", "two")}
    shared_config(workdir, urls, sink)
    expected = publish(site, prefix, 1)
    daemon = Daemon(workdir)
    try:
        wait_until_delivered(workdir, sink, expected)
        for round_ in range(2, 7):
            expected = publish(site, prefix, round_)
            finished_cleanly(once(workdir))
        wait_until_delivered(workdir, sink, expected)
        log = daemon.stop()
    finally:
        daemon.kill()
    assert "Traceback" not in log and "locked" not in log.lower(), log
    assert_each_alert_once(workdir, sink, expected)


# -- the pieces, in process ------------------------------------------------------------------


def test_a_database_locked_past_the_busy_timeout_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    store = Store(tmp_path / "nw.db")
    holder = sqlite3.connect(tmp_path / "nw.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # e.g. a user's sqlite3 session with a transaction left open
    try:
        with pytest.raises(StoreError, match=r"stayed locked by another program .* try again"), store.transaction():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with store.transaction():  # usable again once the other program let go
        store.ensure_source("a", "http://h/", "feed")
    store.close()


def test_the_delivery_lock_is_held_by_one_process_at_a_time_and_dropped_at_its_death(tmp_path: Path) -> None:
    database = tmp_path / "nw.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(database)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert DeliveryLock(database).acquire() is False
    finally:
        holder.kill()  # SIGKILL: no chance to release it
        holder.wait(10)
    mine = DeliveryLock(database)
    assert mine.acquire() is True
    assert DeliveryLock(database).acquire() is False  # also against another handle in the same process
    mine.release()
    assert DeliveryLock(database).acquire() is True


HOLD_LOCK = """
import sys, time
from pathlib import Path
from newswatch.outbox import DeliveryLock
lock = DeliveryLock(Path(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
time.sleep(60)
"""
