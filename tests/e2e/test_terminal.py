"""What people read in a terminal: tables that fit 80 and 100 columns with wide characters, links whole,
colour only on a terminal, exact decimals, labelled local times, progress of a long ``once``."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from support.cli import newswatch, write_config
from support.configs import base, html_source
from support.demo import copy_demo, make_demo
from support.pages import Item, listing
from support.server import FixtureSite

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
CJK = ["中国加强打击人口贩卖犯罪的国际合作，多国警方联合行动解救数百名受害者",
       "カザフスタンで人身売買の摘発が急増、国際移住機関が支援体制の強化を呼びかけ",
       "Кыргызстан: трудовые мигранты и торговля людьми — новый доклад МОМ о принудительном труде"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_demo(tmp_path_factory.mktemp("demo"))
    with sqlite3.connect(folder / "demo.db") as db:
        for n, title in enumerate(CJK):
            seen = f"2030-01-0{n + 1}T10:00:00+00:00"
            [(article,)] = db.execute(
                "INSERT INTO articles (url, link, title, source, first_seen_at, last_seen_at) VALUES (?, ?, ?, "
                "'demo-news', ?, ?) RETURNING id",
                [f"https://example.org/{'very-long-path/' * 6}{n}", f"https://example.org/{n}", title, seen, seen],
            ).fetchall()
            db.execute("INSERT INTO article_sources (article_id, source, first_seen_at, last_seen_at) "
                           "VALUES (?, 'demo-news', ?, ?)", [article, seen, seen])
    return folder


def run(folder: Path, *args: str, columns: int = 80, **env: str) -> subprocess.CompletedProcess[str]:
    proc = newswatch(*args, "-c", folder / "config.toml", cwd=folder, env={"COLUMNS": str(columns), **env})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def table_lines(stdout: str) -> list[str]:
    """The lines of a printed table, without the link lines under its rows."""
    return [line for line in stdout.splitlines() if not line.startswith("  http")]


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("command", [["articles"], ["articles", "--watch", "trafficking"], ["tickers"],
                                     ["tickers", "TJS/USD"], ["status"]])
def test_every_table_fits_the_terminal(demo_dir: Path, command: list[str], columns: int) -> None:
    out = run(demo_dir, *command, columns=columns).stdout
    too_wide = [line for line in table_lines(out) if cell_len(line) > columns]
    assert not too_wide, "\n".join(too_wide)
    assert not ESCAPE.search(out)  # piped: plain text


def test_links_are_never_cut_and_wide_titles_keep_the_columns(demo_dir: Path) -> None:
    out = run(demo_dir, "articles", columns=80).stdout
    with sqlite3.connect(demo_dir / "demo.db") as db:
        urls = [u for (u,) in db.execute("SELECT url FROM articles")]
    lines = out.splitlines()
    for url in urls:
        assert f"  {url}" in lines, url  # whole, on a line of its own
    header = lines[0]
    sources_at = cell_len(header[: header.index("sources")])
    rows = [line for line in table_lines(out)[2:] if "demo-news" in line]
    assert len(rows) == len(urls)
    for row in rows:  # the sources column starts at the same display column on every row, CJK or not
        assert cell_len(row[: row.index("demo-news")]) == sources_at, row
    assert any("…" in row and ("中国" in row or "カザフ" in row) for row in rows)


def test_decimals_are_shown_as_stored(demo_dir: Path) -> None:
    out = run(demo_dir, "tickers").stdout
    assert "0.00008" in out and "e-05" not in out
    assert "0.10857" in run(demo_dir, "tickers", "TJS/USD").stdout


def test_times_are_local_and_say_so_like_the_log_lines(demo_dir: Path, tmp_path: Path) -> None:
    env = {"TZ": "Asia/Almaty"}
    out = run(demo_dir, "articles", **env).stdout
    assert re.search(r"times are local \(UTC\+0[56]00\)", out), out
    assert re.search(r"^2030-01-01 1[56]:00 ", out, re.MULTILINE), out  # stored 10:00 UTC; Almaty is UTC+5 or +6
    folder = copy_demo(demo_dir, tmp_path / "demo")  # its site is gone: the pass logs a failed run
    proc = newswatch("once", "-c", folder / "config.toml", cwd=folder, env=env)
    stamps = re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d([+-]\d{4}) ", proc.stderr, re.MULTILINE)
    assert stamps and all(s in ("+0500", "+0600") for s in stamps), proc.stderr


def test_colour_only_on_request_of_a_terminal_and_never_with_no_color(demo_dir: Path) -> None:
    coloured = run(demo_dir, "status", FORCE_COLOR="1").stdout
    assert ESCAPE.search(coloured)
    assert not ESCAPE.search(run(demo_dir, "status", FORCE_COLOR="1", NO_COLOR="1").stdout)
    proc = newswatch("--no-color", "status", "-c", demo_dir / "config.toml", cwd=demo_dir, env={"FORCE_COLOR": "1"})
    assert proc.returncode == 0 and not ESCAPE.search(proc.stdout)


def test_json_is_unchanged_by_the_table_layout(demo_dir: Path) -> None:
    out = run(demo_dir, "articles", "--json", columns=40).stdout
    assert "very-long-path/very-long-path/very-long-path/very-long-path/very-long-path/very-long-path/0" in out


def test_a_long_once_shows_progress_on_a_terminal_only(site: FixtureSite, prefix: str, tmp_path: Path) -> None:
    sources = "".join(html_source(f"s{n}", site.set(f"{prefix}/{n}", listing([Item(f"Story {n}", f"/{n}/")])))
                      for n in range(3))
    write_config(tmp_path, base() + sources + html_source("gone", site.url(f"{prefix}/missing")))
    progress = _stderr_on_a_terminal(tmp_path)
    for n in range(1, 5):
        assert f"[{n}/4] " in progress, progress
    assert re.search(r"\[\d/4\] gone: failed, 0 items, 0 new · 1 failed so far", progress), progress
    piped = newswatch("once", "-c", tmp_path / "config.toml", cwd=tmp_path)
    assert "[1/4]" not in piped.stderr


def _stderr_on_a_terminal(workdir: Path) -> str:
    """Run ``once`` with its stderr on a pseudo-terminal; what it wrote there."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
    proc = subprocess.Popen([sys.executable, "-m", "newswatch", "once", "-c", str(workdir / "config.toml")],
                            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.communicate(timeout=60)
    os.close(master)
    return ESCAPE.sub("", b"".join(chunks).decode("utf-8", "replace"))
