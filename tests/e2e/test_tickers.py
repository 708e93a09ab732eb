"""Ticker quotes end to end: extraction, history, threshold alerts, the `tickers` command."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from support.cli import newswatch, write_config
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink

# The strip of the later seed capture, and the one before it implied by the changes the site reported.
LATER = ["KGS/USD = 0.01144 0%", "KZT/USD = 0.00198 -0%", "TJS/USD = 0.10857 -0.18%",
         "UZS/USD = 0.00008 0%", "TMT/USD = 0.28571 0%"]
EARLIER = ["KGS/USD = 0.01144 0%", "KZT/USD = 0.00198 0%", "TJS/USD = 0.10877 0%",
           "UZS/USD = 0.00008 0%", "TMT/USD = 0.28571 0%"]


def setup(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink, rules: str) -> None:
    url = site.url(f"{prefix}/list/")
    write_config(workdir, f"""
        [storage]
        path = "nw.db"
        [crawler]
        obey_robots_txt = false
        retries = 0
        [[sources]]
        name = "rates"
        url = "{url}"
          [sources.select]
          item = "article"
          title = "h2 a"
          link = "h2 a::attr(href)"
          ticker = ".ticker li"
        {rules}
        [[notifiers]]
        name = "hook"
        url = "json://127.0.0.1:{hook.port}/"
    """)


def serve(site: FixtureSite, prefix: str, ticker: list[str]) -> None:
    site.set(f"{prefix}/list/", listing([Item("Markets today", f"{prefix}/a/1/")], ticker))


def once(workdir: Path) -> None:
    proc = newswatch("once", "-c", "config.toml", cwd=workdir)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_seed_strip_alerts_the_pair_that_moved_past_the_threshold_once(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    setup(site, prefix, workdir, hook, '[[tickers]]\npair = "*"\nthreshold = "0.1%"\n')
    serve(site, prefix, EARLIER)
    once(workdir)
    serve(site, prefix, LATER)
    once(workdir)
    once(workdir)
    [alert] = hook.wait_for(1)
    assert alert["title"] == "TJS/USD moved -0.18%"
    for text in ("0.10877", "0.10857", "-0.18%", "rates"):
        assert text in alert["message"]
    assert len(hook.received) == 1


def test_a_slow_drift_alerts_once_it_adds_up(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink) -> None:
    setup(site, prefix, workdir, hook, '[[tickers]]\npair = "EUR/USD"\nthreshold = "0.5%"\n')
    for value in ("1.0000", "1.0020", "1.0040"):
        serve(site, prefix, [f"EUR/USD = {value} +0.2%", "Gold = 2000 +0%"])
        once(workdir)
    assert hook.received == []
    serve(site, prefix, ["EUR/USD = 1.0060 +0.2%"])
    once(workdir)
    [alert] = hook.wait_for(1)
    assert alert["title"] == "EUR/USD moved +0.60%"
    serve(site, prefix, ["EUR/USD = 1.0070 +0.1%"])
    once(workdir)
    assert len(hook.received) == 1  # measured from the last alert now


def test_an_absolute_threshold(site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink) -> None:
    setup(site, prefix, workdir, hook, '[[tickers]]\npair = "usd/kzt"\nthreshold = "2.5"\n')
    for value in ("470.00", "472.00", "473.00"):
        serve(site, prefix, [f"USD/KZT = {value}"])
        once(workdir)
    [alert] = hook.wait_for(1)
    assert "470.00" in alert["message"] and "473.00" in alert["message"]


def test_history_keeps_exact_values_and_the_cli_shows_it(
    site: FixtureSite, prefix: str, workdir: Path, hook: HttpSink
) -> None:
    setup(site, prefix, workdir, hook, "")
    for strip in (EARLIER, LATER, [*LATER, "garbage that is no quote", "TJS/USD = 0.20000 0%"]):
        serve(site, prefix, strip)
        once(workdir)
    with sqlite3.connect(workdir / "nw.db") as db:
        values = [v for (v,) in db.execute("SELECT value FROM quotes WHERE pair = 'UZS/USD'")]
        tjs = [v for (v,) in db.execute("SELECT value FROM quotes WHERE pair = 'TJS/USD' ORDER BY id")]
        skipped = db.execute("SELECT ticker_skipped FROM sources").fetchone()[0]
    assert values == ["0.00008"]  # unchanged values are not stored again
    assert tjs == ["0.10877", "0.10857"]  # the conflicting repeat in one page is not taken
    assert skipped == 1
    latest = json.loads(newswatch("tickers", "-c", "config.toml", "--json", cwd=workdir).stdout)
    by_pair = {row["pair"]: row for row in latest}
    assert by_pair["TJS/USD"]["value"] == "0.10857" and by_pair["TJS/USD"]["change"] == "-0.18%"
    table = newswatch("tickers", "-c", "config.toml", cwd=workdir).stdout
    assert "TJS/USD" in table and any(ch in table for ch in "▁▂▃▄▅▆▇█")
    history = json.loads(newswatch("tickers", "TJS/USD", "-c", "config.toml", "--json", cwd=workdir).stdout)
    assert [h["value"] for h in history["history"]] == ["0.10877", "0.10857"]
