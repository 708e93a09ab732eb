"""Operating the daemon: signals at start-up and shutdown, one daemon per database, a deleted database.

Each test runs ``newswatch run`` as a subprocess against the local fixture site and
synchronises on what the process does (its stderr, its signal dispositions in /proc,
files it writes), never on a guessed sleep.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.cli import newswatch, write_config
from support.configs import base, html_source
from support.daemon import Daemon
from support.pages import Item, listing
from support.server import FixtureSite
from support.waiting import wait_until

PACE = 0.005  # between two signals of a burst: a rate, not a wait for anything


@pytest.fixture
def start() -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def run(config: Path, *args: str) -> Daemon:
        started.append(Daemon(config, *args))
        return started[-1]

    yield run
    for daemon in started:
        daemon.kill()


def daemon_config(site: FixtureSite, prefix: str, workdir: Path) -> Path:
    url = site.set(f"{prefix}/list", listing([Item("Regional budget approved", f"{prefix}/news/1/")]))
    scheduler = '\n[scheduler]\ninterval = "1s"\njitter = "0s"\ngrace = "2s"\ndelivery_interval = "1s"\n'
    return write_config(workdir, base() + scheduler + html_source("news", url))


def burst(daemon: Daemon, sig: signal.Signals, until: Callable[[], bool], timeout: float = 30) -> int:
    """Send ``sig`` over and over until ``until()`` or the process ended; how many were sent."""
    sent, deadline = 0, time.monotonic() + timeout
    while daemon.proc.poll() is None and not until() and time.monotonic() < deadline:
        daemon.proc.send_signal(sig)
        sent += 1
        time.sleep(PACE)
    return sent


def test_sighup_from_start_up_to_exit_never_kills_the_daemon(
    site: FixtureSite, prefix: str, workdir: Path, start: Callable[..., Daemon]
) -> None:
    daemon = start(daemon_config(site, prefix, workdir))
    wait_until(lambda: daemon.handles(signal.SIGHUP) or daemon.proc.poll() is not None,
               "SIGHUP handled or ignored", context=daemon.tail)
    opened_before = (workdir / "newswatch.db").exists()
    during_start = burst(daemon, signal.SIGHUP, lambda: daemon.count("daemon started") > 0)
    assert daemon.proc.poll() is None, f"SIGHUP during start-up ended it ({daemon.proc.returncode})\n{daemon.tail()}"
    assert not opened_before, "SIGHUP was left deadly until after the database was opened"
    assert during_start >= 1
    daemon.wait_for_line("daemon started")

    daemon.proc.send_signal(signal.SIGTERM)
    during_stop = burst(daemon, signal.SIGHUP, lambda: False)
    assert daemon.wait() == 0, f"after {during_stop} SIGHUPs during shutdown\n{daemon.tail()}"
    assert daemon.count("daemon stopped") == 1 and not daemon.count("Traceback"), "\n".join(daemon.lines())


def test_a_second_daemon_on_the_same_database_is_refused_until_the_first_dies(
    site: FixtureSite, prefix: str, workdir: Path, start: Callable[..., Daemon]
) -> None:
    config = daemon_config(site, prefix, workdir)
    first = start(config)
    first.wait_for_line("daemon started")

    second = newswatch("run", "-c", config, cwd=workdir, timeout=60)
    assert second.returncode == 1, second.stderr
    assert second.stderr.splitlines() == [
        f"error: another `newswatch run` (pid {first.proc.pid}) is already using the database "
        f"{workdir / 'newswatch.db'}: stop it first, or give this one another [storage] path"]

    first.proc.send_signal(signal.SIGKILL)
    first.wait()
    third = start(config)
    third.wait_for_line("daemon started")
    third.proc.send_signal(signal.SIGTERM)
    assert third.wait() == 0, third.tail()


def test_a_database_deleted_under_the_daemon_is_noticed_once_and_stops_it(
    site: FixtureSite, prefix: str, workdir: Path, start: Callable[..., Daemon]
) -> None:
    config, database = daemon_config(site, prefix, workdir), workdir / "newswatch.db"
    daemon = start(config)
    daemon.wait_for_line("source=news outcome=baseline")
    wait_until(lambda: newswatch("status", "--check", "-c", config, cwd=workdir).returncode == 0, "a healthy check")

    database.unlink()
    check = newswatch("status", "--check", "-c", config, cwd=workdir)
    assert check.returncode == 1, check.stdout + check.stderr
    status = newswatch("status", "-c", config, cwd=workdir)
    assert status.returncode == 0 and status.stderr.startswith(f"note: no database at {database}: "), status.stderr
    assert not database.exists(), "a read-only command created a new empty database"

    assert daemon.wait() == 1, daemon.tail()
    assert daemon.count(f"the database {database} was deleted while the daemon ran: stopping") == 1, daemon.tail()
    assert not daemon.count("Traceback"), daemon.tail()
    again = start(config)
    again.wait_for_line("source=news outcome=baseline")  # a new database: its first run is a baseline
    again.proc.send_signal(signal.SIGTERM)
    assert again.wait() == 0, again.tail()


def test_the_health_check_tells_a_replaced_database_from_the_one_the_daemon_writes(tmp_path: Path) -> None:
    from datetime import timedelta

    from newswatch.store import Store, utcnow
    from scheduler.heartbeat import heartbeat_path, heartbeat_problem, write_heartbeat

    database = tmp_path / "newswatch.db"
    store = Store(database)
    beat = heartbeat_path(database)
    write_heartbeat(beat, timedelta(seconds=5), utcnow(), store.identity())
    assert heartbeat_problem(beat, database=database) is None
    replacement = tmp_path / "other.db"
    Store(replacement).close()
    replacement.replace(database)
    problem = heartbeat_problem(beat, database=database)
    assert problem and problem.startswith(f"the database {database} that the daemon (pid ")
    assert problem.endswith("writes was deleted or replaced: restart it")
    store.close()
