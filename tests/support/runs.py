"""Running `newswatch once` on a config of fixture sources, and reading what it stored."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from support.cli import newswatch, write_config
from support.sinks import HttpSink


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def once(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`newswatch once` on ``workdir/config.toml``; it must end without a traceback."""
    proc = newswatch("once", "-c", workdir / "config.toml", *args, cwd=workdir)
    assert proc.returncode in (0, 1, 3), proc.stderr  # 3: every source ran, a delivery is still owed
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def query(workdir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows of ``sql`` on the test's database ``workdir/nw.db``."""
    with sqlite3.connect(workdir / "nw.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql, params)]


def config(workdir: Path, sources: str, watches: str, notifiers: str, alerts: str = "", crawler: str = "") -> Path:
    """A config with storage ``nw.db`` and a quick crawler section; ``crawler`` lines override its keys."""
    keys = {"obey_robots_txt": "false", "timeout": '"5s"', "retries": "0"}
    pairs = (line.split("=", 1) for line in crawler.splitlines() if "=" in line)
    keys.update({k.strip(): v.strip() for k, v in pairs})
    crawler_section = "\n        ".join(f"{k} = {v}" for k, v in keys.items())
    return write_config(workdir, f"""
        [storage]
        path = "nw.db"
        [crawler]
        {crawler_section}
        [alerts]
        attempts = 1
        {alerts}
        {sources}
        {watches}
        {notifiers}
    """)


def html_source(name: str, url: str, extra: str = "") -> str:
    """An html source reading ``support.pages.listing`` markup (and the demo's)."""
    return f"""
        [[sources]]
        name = "{name}"
        url = "{url}"
        {extra}
          [sources.select]
          item = "article"
          title = "h2 a"
          link = "h2 a::attr(href)"
          summary = ".excerpt, .post-excerpt"
          ticker = ".ticker li, .currency-ticker li"
          next = "a.next::attr(href)"
    """


def feed_source(name: str, url: str, extra: str = "") -> str:
    return f"""
        [[sources]]
        name = "{name}"
        url = "{url}"
        type = "feed"
        {extra}
    """


def hook_notifier(sink: HttpSink, name: str = "hook") -> str:
    return f'[[notifiers]]\nname = "{name}"\nurl = "json://127.0.0.1:{sink.port}/{name}"\n'
