"""Database faults after open, made for real: a full filesystem, damaged pages, a lock held too long.

Each command says one line naming the database and the cause (exit 1, no traceback);
the daemon stays up, says it once, and recovers on its own once the fault clears,
with nothing lost or sent twice. The full disk is a real tmpfs of a few MiB (mounting
needs root: skipped elsewhere), filled to the last byte with a file the test removes.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.cli import newswatch, write_config
from support.configs import base, html_source, topic_to_hook
from support.daemon import Daemon
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink
from support.waiting import wait_until

FULL = "the disk or the database is full"
DAMAGED = "the file is damaged"
LOCKED = "stayed locked by another program"
PAD = "Background paragraph on regional affairs. " * 40  # new articles that need fresh database pages


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted at the end."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def start() -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def run(config: Path, *args: str, log_level: str = "info") -> Daemon:
        started.append(Daemon(config, *args, log_level=log_level))
        return started[-1]

    yield run
    for daemon in started:
        daemon.kill()


def fill(disk: Path) -> Path:
    """Write a file until the filesystem has no byte left; the file (remove it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


def old_page(prefix: str) -> list[Item]:
    return [Item(f"Regional news {i}", f"{prefix}/old/{i}/") for i in range(5)]


def new_page(prefix: str) -> str:
    """One matching article and many long ones: more than the write-ahead log already holds."""
    filler = [Item(f"Weather report {i}", f"{prefix}/weather/{i}/", PAD) for i in range(60)]
    return listing([Item("Trafficking ring broken up", f"{prefix}/case/1/", "A trafficking trial"), *filler,
                    *old_page(prefix)])


def fault_config(workdir: Path, storage: Path, url: str, sink: HttpSink, daemon: bool = False) -> Path:
    scheduler = '\n[scheduler]\ninterval = "1s"\njitter = "0s"\ngrace = "2s"\ndelivery_interval = "1s"\n'
    return write_config(workdir, base(storage=str(storage)) + (scheduler if daemon else "")
                        + "\n[alerts]\nflood_min = 1000\n" + html_source("news", url) + topic_to_hook(sink.port))


def one_error_line(proc: subprocess.CompletedProcess[str], database: Path, cause: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: database {database}: {cause}"), proc.stderr


def stored(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=30) as conn:
        return conn.execute(sql).fetchall()


# -- one-shot commands ---------------------------------------------------------------------


def test_once_on_a_full_disk_says_so_and_the_next_pass_loses_nothing(
    site: FixtureSite, prefix: str, workdir: Path, small_disk: Path, hook: HttpSink
) -> None:
    database = small_disk / "newswatch.db"
    url = site.set(f"{prefix}/list", listing(old_page(prefix)))
    config = fault_config(workdir, database, url, hook)
    assert newswatch("once", "-c", config, cwd=workdir).returncode == 0  # the baseline
    filler = fill(small_disk)
    site.set(f"{prefix}/list", new_page(prefix))

    one_error_line(newswatch("once", "-c", config, cwd=workdir), database, FULL)
    filler.unlink()
    proc = newswatch("once", "-c", config, cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert [m["title"] for m in hook.received] == ["Trafficking ring broken up"]
    assert stored(database, "SELECT count(*) FROM articles") == [(66,)]
    assert stored(database, "PRAGMA integrity_check") == [("ok",)]


def damage(database: Path) -> None:
    """Garbage over every page but the first (the header and schema stay, the tables' pages do not)."""
    with sqlite3.connect(database) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(database.read_bytes())
    for offset in range(page_size, len(data), 7):
        data[offset] = (offset * 131) % 251
    database.write_bytes(bytes(data))


@pytest.mark.parametrize("command", [["articles"], ["articles", "--json"], ["once"], ["status"], ["tickers"]])
def test_a_damaged_database_is_one_line(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, command: list[str]
) -> None:
    database = workdir / "newswatch.db"
    config = fault_config(workdir, database, site.set(f"{prefix}/list", new_page(prefix)), hook)
    assert newswatch("once", "-c", config, cwd=workdir).returncode == 0
    damage(database)
    one_error_line(newswatch(*command, "-c", config, cwd=workdir), database, DAMAGED)


# -- the daemon ------------------------------------------------------------------------------


def test_the_daemon_outlives_a_full_disk_says_it_once_and_recovers(
    site: FixtureSite, prefix: str, workdir: Path, small_disk: Path, hook: HttpSink, start: Callable[..., Daemon]
) -> None:
    database = small_disk / "newswatch.db"
    url = site.set(f"{prefix}/list", listing(old_page(prefix)))
    daemon = start(fault_config(workdir, database, url, hook, daemon=True), log_level="debug")
    daemon.wait_for_line("source=news outcome=baseline")
    filler = fill(small_disk)
    site.set(f"{prefix}/list", new_page(prefix))

    daemon.wait_for_line(FULL)
    wait_until(lambda: daemon.count("still failing (in the run of source news)") >= 3,
               "three more runs on the full disk", context=daemon.tail)
    assert daemon.proc.poll() is None and daemon.count(FULL) == 1, daemon.tail()
    assert not daemon.count("Traceback") and not daemon.count("Job raised"), daemon.tail()

    filler.unlink()
    wait_until(lambda: len(hook.received) >= 2, "the alert and the operator's notice", context=daemon.tail)
    daemon.wait_for_line("works again")
    titles = sorted(m["title"] for m in hook.received)
    assert titles == ["Trafficking ring broken up", f"database {database} works again"], titles
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait() == 0, daemon.tail()
    assert [m["title"] for m in hook.received].count("Trafficking ring broken up") == 1
    assert stored(database, "SELECT count(*) FROM articles") == [(66,)]


def test_the_daemon_outlives_a_lock_held_past_the_busy_timeout(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, start: Callable[..., Daemon]
) -> None:
    database = workdir / "newswatch.db"
    url = site.set(f"{prefix}/list", listing(old_page(prefix)))
    daemon = start(fault_config(workdir, database, url, hook, daemon=True))
    daemon.wait_for_line("source=news outcome=baseline")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a user's sqlite3 session with a write left open
    try:
        site.set(f"{prefix}/list", new_page(prefix))
        daemon.wait_for_line(LOCKED, timeout=60)
        assert daemon.proc.poll() is None and not daemon.count("Traceback"), daemon.tail()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_until(lambda: len(hook.received) >= 2, "the alert and the operator's notice", 60, daemon.tail)
    assert daemon.count(LOCKED) == 1 and not daemon.count("Job raised"), daemon.tail()
    titles = sorted(m["title"] for m in hook.received)
    assert titles == ["Trafficking ring broken up", f"database {database} works again"], titles
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait() == 0, daemon.tail()
    assert json.loads(newswatch("status", "--json", "-c", workdir / "config.toml", cwd=workdir).stdout)
