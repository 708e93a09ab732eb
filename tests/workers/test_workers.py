"""Scale-out mode end to end: a real redis-server, real ``newswatch worker`` processes, the real daemon.

Every wait polls something observable (the sink, the database, stderr lines, Redis) against a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from support.cli import newswatch, write_config
from support.configs import base, html_source
from support.daemon import Background, Daemon
from support.pages import Item, listing
from support.redis import RedisServer, redis_binary
from support.server import FixtureSite
from support.sinks import HttpSink, self_signed_context
from support.waiting import wait_until
from support.web import Serving

pytestmark = pytest.mark.skipif(redis_binary() is None,
                                reason="redis-server not installed (apt-get install redis-server)")

DEADLINE = 40.0
OLD = ("Regional budget approved", "Spring weather arrives early")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    server = HttpSink()
    yield server
    server.close()


@pytest.fixture
def procs() -> Iterator[list[Background]]:
    started: list[Background] = []
    yield started
    for proc in started:
        proc.kill()


@pytest.fixture
def spawn(procs: list[Background], workdir: Path) -> Callable[..., Background]:
    def run(kind: str, *args: str) -> Background:
        if kind == "daemon":
            procs.append(Daemon(workdir / "config.toml", *args))
        else:
            procs.append(Background("--log-level", "info", "worker", *args, cwd=workdir))
        return procs[-1]

    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rows(workdir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
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


def runs(workdir: Path, source: str, outcome: str | None = None) -> list[dict[str, Any]]:
    found = rows(workdir, "SELECT * FROM runs WHERE source = ? AND finished_at IS NOT NULL ORDER BY id", (source,))
    return [r for r in found if outcome is None or r["outcome"] == outcome]


def page(prefix: str, *titles: str) -> str:
    return listing([Item(t, f"{prefix}/news/{t.lower().replace(' ', '-')}/") for t in titles])


def config(workdir: Path, sink: HttpSink, sources: dict[str, str], extra: str = "") -> Path:
    text = base() + '\n[scheduler]\ninterval = "1s"\njitter = "0s"\ngrace = "5s"\ndelivery_interval = "1s"\n'
    text += "".join(html_source(name, url) for name, url in sources.items())
    text += f"""
[[watches]]
name = "topic"
keywords = ["trafficking"]

[[notifiers]]
name = "hook"
url = "json://127.0.0.1:{sink.port}/"
{extra}"""
    return write_config(workdir, text)


def wait_both_did_jobs(broker: RedisServer, workers: list[Background]) -> None:
    """Until both workers have registered done jobs (each took a share of the work)."""
    wait_until(lambda: len([w for w in worker_stats(broker.url).values() if w["done"]]) == 2,
               "both workers did jobs", DEADLINE, lambda: workers[0].tail() + workers[1].tail())


def worker_stats(url: str) -> dict[str, dict[str, int]]:
    client = redis.Redis.from_url(url)
    found = {}
    for key in client.scan_iter("newswatch:worker:*"):
        found[key.decode()] = {k.decode(): int(float(v)) for k, v in client.hgetall(key).items()}
    return found


def test_two_workers_share_the_sources_and_the_daemon_records_each_run(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    names = [f"s{i}" for i in range(4)]
    urls = {n: site.set(f"{prefix}/{n}", page(f"{prefix}/{n}", *OLD)) for n in names}
    config(workdir, sink, urls)
    workers = [spawn("worker", broker.url), spawn("worker", broker.url)]
    daemon = spawn("daemon", "--workers", broker.url)
    for n in names:
        wait_until(lambda n=n: runs(workdir, n, "baseline"), f"baseline of {n}", DEADLINE, daemon.tail)
    site.set(f"{prefix}/s0", page(f"{prefix}/s0", "Trafficking ring broken up", *OLD))
    sink.wait_for(1, DEADLINE)
    wait_until(lambda: all(len(runs(workdir, n)) >= 4 for n in names), "more runs", DEADLINE, daemon.tail)
    assert [m["title"] for m in sink.received] == ["Trafficking ring broken up"]
    wait_both_did_jobs(broker, workers)
    assert all(r["outcome"] != "failed" for n in names for r in runs(workdir, n))


def test_a_killed_workers_job_is_redelivered_and_alerts_once(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    config(workdir, sink, {"news": url})
    first = spawn("worker", broker.url, "--claim-idle", "1")
    daemon = spawn("daemon", "--workers", broker.url)
    wait_until(lambda: runs(workdir, "news", "baseline"), "baseline", DEADLINE, daemon.tail)
    site.set(f"{prefix}/list", page(prefix, "Trafficking ring broken up", *OLD), delay=2.0)
    seen = len(site.hits(f"{prefix}/list"))  # a request counted after this one is served with the delay
    wait_until(lambda: len(site.hits(f"{prefix}/list")) > seen, "the worker mid-job", DEADLINE, first.tail)
    first.kill()  # SIGKILL: the job stays pending in the consumer group, unacknowledged
    second = spawn("worker", broker.url, "--claim-idle", "1")
    second.wait_for_line("taken over from a worker gone quiet", DEADLINE)
    assert [m["title"] for m in sink.wait_for(1, DEADLINE)] == ["Trafficking ring broken up"]
    # A fast page again: a 2 s page at a 1 s interval keeps one job of it open at every moment.
    site.set(f"{prefix}/list", page(prefix, "Trafficking ring broken up", *OLD))
    done = len(runs(workdir, "news"))
    wait_until(lambda: len(runs(workdir, "news")) >= done + 2, "later runs", DEADLINE, daemon.tail)
    assert [m["title"] for m in sink.received] == ["Trafficking ring broken up"]
    assert len(rows(workdir, "SELECT * FROM articles WHERE title = ?", ("Trafficking ring broken up",))) == 1


def test_broker_down_fails_runs_with_a_reason_told_once_and_catches_up(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, tmp_path: Path,
    spawn: Callable[..., Background],
) -> None:
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    config(workdir, sink, {"news": url})
    daemon = spawn("daemon", "--workers", server.url)
    wait_until(lambda: len(runs(workdir, "news", "failed")) >= 3, "3 failed runs", DEADLINE, daemon.tail)
    errors = {r["error"] for r in runs(workdir, "news", "failed")}
    assert all(e.startswith("crawl workers unreachable") for e in errors), errors
    assert daemon.count("runs fail until the broker is back") == 1, daemon.tail()  # the operator told once
    worker = spawn("worker", server.url)  # starts before the broker: reconnects on its own
    worker.wait_for_line("broker unreachable", DEADLINE)
    server.start()
    try:
        wait_until(lambda: runs(workdir, "news", "baseline"), "the run after the broker is back", DEADLINE,
                   lambda: daemon.tail() + worker.tail())
        daemon.wait_for_line("crawl workers reachable again", DEADLINE)
    finally:
        server.stop()


def test_redis_with_password_and_tls(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, tmp_path: Path,
    spawn: Callable[..., Background],
) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    self_signed_context(certs)
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis", password="s3cret-word", tls=(certs / "cert.pem", certs / "key.pem"))
    server.start()
    try:
        secure = f"{server.url}?ssl_ca_certs={certs / 'cert.pem'}"
        url = site.set(f"{prefix}/list", page(prefix, *OLD))
        config(workdir, sink, {"news": url}, f'\n[workers]\nurl = "{secure}"\n')
        spawn("worker", secure)
        daemon = spawn("daemon")
        wait_until(lambda: runs(workdir, "news", "baseline"), "a run over TLS", DEADLINE, daemon.tail)
        wrong = secure.replace("s3cret-word", "wrong")
        assert worker_stats(secure), "the worker registered over TLS"
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(wrong).ping()
    finally:
        server.stop()


def test_a_result_crawled_under_an_older_config_is_dropped_and_re_queued(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    path = config(workdir, sink, {"news": url})
    worker = spawn("worker", broker.url)
    daemon = spawn("daemon", "--workers", broker.url)
    wait_until(lambda: runs(workdir, "news", "baseline"), "baseline", DEADLINE, daemon.tail)
    site.set(f"{prefix}/list", page(prefix, *OLD), delay=8.0)  # long enough for the reload to land mid-job
    seen = len(site.hits(f"{prefix}/list"))  # a request counted after this one is served with the delay
    wait_until(lambda: len(site.hits(f"{prefix}/list")) > seen, "a job in flight", DEADLINE, worker.tail)
    path.write_text(path.read_text().replace('summary = ".excerpt"', 'summary = "h2.headline"'))
    daemon.wait_for_line("config in force", DEADLINE)
    daemon.wait_for_line("result crawled under an older config dropped; re-queued", DEADLINE)
    done = len(runs(workdir, "news"))
    site.set(f"{prefix}/list", page(prefix, *OLD))
    wait_until(lambda: len(runs(workdir, "news")) > done, "the run recorded under the new config", DEADLINE,
               daemon.tail)
    assert daemon.count("re-queued") == 1, daemon.tail()


def metrics_text(url: str) -> str:
    return httpx.get(url + "metrics", timeout=10).text


def test_status_and_metrics_show_the_workers_and_the_queue(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background], procs: list[Background],
) -> None:
    urls = {n: site.set(f"{prefix}/{n}", page(f"{prefix}/{n}", *OLD)) for n in ("a", "b")}
    path = config(workdir, sink, urls, f'\n[workers]\nurl = "{broker.url}"\n\n[web]\nlisten = "127.0.0.1:0"\n')
    workers = [spawn("worker", broker.url), spawn("worker", broker.url)]
    procs.append(daemon := Serving("--log-level", "info", "run", "-c", path, cwd=workdir))
    front = daemon.url()
    for n in urls:
        wait_until(lambda n=n: runs(workdir, n, "baseline"), f"baseline of {n}", DEADLINE, daemon.tail)
    wait_both_did_jobs(broker, workers)
    shown = json.loads(newswatch("status", "--json", "-c", path, cwd=workdir).stdout)["workers"]
    assert shown["reachable"] and len(shown["workers"]) == 2 and all(w["alive"] for w in shown["workers"])
    assert sum(w["done"] for w in shown["workers"]) >= 2 and all(w["last_seen"] for w in shown["workers"])
    assert set(shown["queue"]) == {"queued", "pending"}
    table = newswatch("status", "-c", path, cwd=workdir)
    assert "crawl queue on" in table.stdout and all(w["worker"][:8] in table.stdout for w in shown["workers"])
    text = metrics_text(front)
    assert "newswatch_workers_alive 2.0" in text, text
    assert 'newswatch_worker_jobs_total{outcome="done",worker="' in text and "newswatch_crawl_queue_depth{" in text
    workers[0].kill()  # its registry key expires with its TTL: no longer listed as alive
    wait_until(lambda: "newswatch_workers_alive 1.0" in metrics_text(front), "one worker alive", DEADLINE)


def test_status_with_the_broker_unreachable_says_so_in_one_line(workdir: Path, sink: HttpSink) -> None:
    path = config(workdir, sink, {"news": "http://127.0.0.1:9/"})
    closed = f"redis://:hidden-pass@127.0.0.1:{free_port()}/0"
    shown = newswatch("status", "-c", path, "--workers", closed, cwd=workdir)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    lines = [line for line in shown.stdout.splitlines() if "unreachable" in line]
    assert len(lines) == 1 and "hidden-pass" not in shown.stdout, shown.stdout
    document = json.loads(newswatch("status", "--json", "-c", path, "--workers", closed, cwd=workdir).stdout)
    assert document["workers"]["reachable"] is False and document["workers"]["error"]


def pending(url: str) -> int:
    client = redis.Redis.from_url(url)
    return int(client.xpending("newswatch:jobs", "workers")["pending"]) if client.exists("newswatch:jobs") else 0


def test_the_job_is_acknowledged_only_once_the_daemon_stored_the_run(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    config(workdir, sink, {"news": url})
    worker = spawn("worker", broker.url)
    daemon = spawn("daemon", "--workers", broker.url)
    wait_until(lambda: runs(workdir, "news", "baseline"), "baseline", DEADLINE, daemon.tail)
    wait_until(lambda: pending(broker.url) == 0, "the baseline's job acknowledged", DEADLINE, worker.tail)
    site.set(f"{prefix}/list", page(prefix, "Trafficking ring broken up", *OLD), delay=2.0)
    seen = len(site.hits(f"{prefix}/list"))
    wait_until(lambda: len(site.hits(f"{prefix}/list")) > seen, "the worker mid-job", DEADLINE, worker.tail)
    os.kill(daemon.proc.pid, signal.SIGSTOP)  # the daemon cannot read the result, let alone store it
    client = redis.Redis.from_url(broker.url)
    wait_until(lambda: client.xlen("newswatch:results") >= 1, "the worker's result posted", DEADLINE, worker.tail)
    assert pending(broker.url) >= 1  # posted, not acknowledged: the worker holds the job for the daemon
    daemon.kill()  # SIGKILL: nothing of that run was stored
    assert not rows(workdir, "SELECT * FROM articles WHERE title = ?", ("Trafficking ring broken up",))
    again = spawn("daemon", "--workers", broker.url)
    assert [m["title"] for m in sink.wait_for(1, DEADLINE)] == ["Trafficking ring broken up"]
    # A fast page again: a 2 s page at a 1 s interval keeps one job of it open at every moment.
    site.set(f"{prefix}/list", page(prefix, "Trafficking ring broken up", *OLD))
    done = len(runs(workdir, "news"))
    wait_until(lambda: len(runs(workdir, "news")) >= done + 2, "later runs", DEADLINE, again.tail)
    wait_until(lambda: pending(broker.url) == 0, "every job acknowledged", DEADLINE, again.tail)
    assert [m["title"] for m in sink.received] == ["Trafficking ring broken up"]
    assert len(rows(workdir, "SELECT * FROM articles WHERE title = ?", ("Trafficking ring broken up",))) == 1


class CountingSite:
    """A local server that serves one listing per path slowly and records the most requests in flight at once."""

    def __init__(self, delay: float, titles: tuple[str, ...] = OLD) -> None:
        self.lock, self.now, self.peak, self.served = threading.Lock(), 0, 0, 0
        self.starts: list[float] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.enter()
                try:
                    time.sleep(delay)  # the server's own pace, not a test's guess
                    body = page(self.path.rstrip("/"), *titles).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    site.leave()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def enter(self) -> None:
        with self.lock:
            self.starts.append(time.monotonic())
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1
            self.served += 1


def test_per_domain_holds_across_workers(
    workdir: Path, sink: HttpSink, broker: RedisServer, spawn: Callable[..., Background],
) -> None:
    host = CountingSite(delay=0.3)
    try:
        names = [f"s{i}" for i in range(10)]
        path = config(workdir, sink, {n: f"{host.base}/{n}" for n in names})
        path.write_text(path.read_text().replace("retries = 0\n", "retries = 0\nper_domain = 1\n", 1))
        workers = [spawn("worker", broker.url, "--concurrency", "3") for _ in range(2)]
        daemon = spawn("daemon", "--workers", broker.url)
        for n in names:
            wait_until(lambda n=n: runs(workdir, n, "baseline"), f"baseline of {n}", DEADLINE, daemon.tail)
        wait_both_did_jobs(broker, workers)
        assert host.served >= 10 and host.peak == 1, (host.served, host.peak)
    finally:
        host.server.shutdown()
        host.server.server_close()


def test_no_worker_alive_fails_the_run_with_a_reason_told_once(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    url = site.set(f"{prefix}/list", page(prefix, *OLD))
    path = config(workdir, sink, {"news": url})
    path.write_text(path.read_text().replace('timeout = "10s"', 'timeout = "1s"', 1))  # pickup bound: 3 x 1 s
    daemon = spawn("daemon", "--workers", broker.url)
    wait_until(lambda: len(runs(workdir, "news", "failed")) >= 2, "2 failed runs", DEADLINE, daemon.tail)
    assert {r["error"] for r in runs(workdir, "news", "failed")} == {"no crawl worker took the job within 3s"}
    assert daemon.count("no crawl worker alive takes jobs") == 1, daemon.tail()
    assert redis.Redis.from_url(broker.url).xlen("newswatch:jobs") <= 1  # withdrawn, not left for a later worker
    worker = spawn("worker", broker.url)
    wait_until(lambda: runs(workdir, "news", "baseline"), "a run once a worker is alive", DEADLINE,
               lambda: daemon.tail() + worker.tail())


def test_per_domain_holds_per_request_across_workers_and_a_reload(
    workdir: Path, sink: HttpSink, broker: RedisServer, spawn: Callable[..., Background],
) -> None:
    """Each run fetches its new articles' pages at once (full_text, first_run = "alert"): two workers' runs on one
    host would put 2 x per_domain requests in flight, and a reload gives the daemon fresh per-host gates."""
    host = CountingSite(delay=0.2, titles=tuple(f"Story number {k}" for k in range(6)))
    try:
        first = {f"s{i}": f"{host.base}/s{i}" for i in range(5)}
        path = config(workdir, sink, first, '\n[alerts]\nfirst_run = "alert"\n')
        full = path.read_text().replace('type = "html"\n', 'type = "html"\nfull_text = true\n')
        path.write_text(full.replace("retries = 0\n", "retries = 0\nper_domain = 2\n", 1))
        workers = [spawn("worker", broker.url, "--concurrency", "3") for _ in range(2)]
        daemon = spawn("daemon", "--workers", broker.url)
        wait_until(lambda: host.served >= 3, "the first runs under way", DEADLINE, daemon.tail)
        later = "".join(html_source(f"t{i}", f"{host.base}/t{i}") for i in range(5))
        edited = path.read_text().replace('timeout = "10s"', 'timeout = "11s"', 1)  # a new crawl service
        path.write_text(edited + later.replace('type = "html"\n', 'type = "html"\nfull_text = true\n'))
        daemon.wait_for_line("config in force", DEADLINE)
        for n in [*first, *(f"t{i}" for i in range(5))]:
            wait_until(lambda n=n: runs(workdir, n, "ok"), f"a run of {n} with its articles", DEADLINE, daemon.tail)
        wait_both_did_jobs(broker, workers)
        assert host.served >= 10 * 7, host.served  # each source's listing and its 6 article pages
        assert host.peak <= 2, host.peak
    finally:
        host.server.shutdown()
        host.server.server_close()


def test_robots_txt_is_fetched_once_per_host_for_all_workers(
    workdir: Path, sink: HttpSink, broker: RedisServer, spawn: Callable[..., Background],
) -> None:
    own = FixtureSite()  # a site of its own: its robots.txt is at its root
    try:
        own.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        open_ = {f"s{i}": own.set(f"/s{i}", page(f"/s{i}", *OLD)) for i in range(6)}
        path = config(workdir, sink, {**open_, "closed": own.set("/private/list", page("/private", *OLD))})
        path.write_text(path.read_text().replace("obey_robots_txt = false", "obey_robots_txt = true", 1))
        workers = [spawn("worker", broker.url, "--concurrency", "3") for _ in range(2)]
        daemon = spawn("daemon", "--workers", broker.url)
        for n in open_:
            wait_until(lambda n=n: runs(workdir, n, "baseline"), f"baseline of {n}", DEADLINE, daemon.tail)
        wait_until(lambda: len(runs(workdir, "closed", "failed")) >= 3, "3 refused runs", DEADLINE, daemon.tail)
        wait_both_did_jobs(broker, workers)
        assert all(r["error"].startswith("forbidden by robots.txt") for r in runs(workdir, "closed", "failed"))
        assert not own.hits("/private/list")
        assert len(own.hits("/robots.txt")) == 1, own.hits("/robots.txt")
    finally:
        own.close()


def test_retry_after_told_to_one_worker_holds_for_every_worker(
    site: FixtureSite, prefix: str, workdir: Path, sink: HttpSink, broker: RedisServer,
    spawn: Callable[..., Background],
) -> None:
    busy = site.set(f"{prefix}/busy", "slow down", status=429, headers={"Retry-After": "3600"},
                    content_type="text/plain")
    path = config(workdir, sink, {"busy": busy})
    first = spawn("worker", broker.url)
    daemon = spawn("daemon", "--workers", broker.url)
    wait_until(lambda: runs(workdir, "busy", "failed"), "the host's 429 recorded", DEADLINE, daemon.tail)
    first.kill()
    second = spawn("worker", broker.url)  # a new process: it knows only what Redis tells it
    calm = site.set(f"{prefix}/calm", page(prefix, *OLD))  # another source on that host, not deferred itself
    path.write_text(path.read_text() + html_source("calm", calm))
    daemon.wait_for_line("config in force", DEADLINE)
    wait_until(lambda: runs(workdir, "calm"), "a run of the other source", DEADLINE,
               lambda: daemon.tail() + second.tail())
    [run] = runs(workdir, "calm")[:1]
    assert run["outcome"] == "failed" and "asked not to be fetched again before" in run["error"], run
    assert not site.hits(f"{prefix}/calm")


def test_per_host_delay_spaces_the_requests_of_all_workers(
    workdir: Path, sink: HttpSink, broker: RedisServer, spawn: Callable[..., Background],
) -> None:
    host = CountingSite(delay=0.0)
    try:
        names = [f"s{i}" for i in range(6)]
        path = config(workdir, sink, {n: f"{host.base}/{n}" for n in names})
        path.write_text(path.read_text().replace("retries = 0\n", 'retries = 0\nper_host_delay = "1s"\n', 1))
        workers = [spawn("worker", broker.url, "--concurrency", "3") for _ in range(2)]
        daemon = spawn("daemon", "--workers", broker.url)
        for n in names:
            wait_until(lambda n=n: runs(workdir, n, "baseline"), f"baseline of {n}", DEADLINE, daemon.tail)
        wait_both_did_jobs(broker, workers)
        with host.lock:
            starts = sorted(host.starts)
        gaps = [later - earlier for earlier, later in pairwise(starts)]
        # 1 s apart when sent; the loopback may deliver one a little late, never half a second
        assert len(starts) >= 6 and min(gaps) > 0.5, gaps
    finally:
        host.server.shutdown()
        host.server.server_close()
