"""The outbox delivered through real Apprise plugins to real local endpoints."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from apprise.plugins.telegram import NotifyTelegram
from support.outbox import HOSTILE, deliver, make_config, queue_article, statuses
from support.sinks import HttpSink, SmtpSink, telegram_reply

from newswatch.store import Store, utcnow
from notifiers.delivery import send_test


@pytest.fixture
def webhook() -> Iterator[HttpSink]:
    sink = HttpSink()
    yield sink
    sink.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpSink]:
    """A fake Bot API; the real Telegram plugin is pointed at it (the only mock: the public API)."""
    sink = HttpSink(reply=telegram_reply)
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"http://127.0.0.1:{sink.port}/bot")
    yield sink
    sink.close()


def test_email_has_an_html_body_and_a_plain_text_alternative(tmp_path: Path, smtp: SmtpSink) -> None:
    config = make_config(tmp_path, {"email": f"mailto://127.0.0.1:{smtp.port}?from=nw@example.org&to=me@example.org"})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    report = deliver(config, store)
    assert report.delivered == [(1, "email")]
    [mail] = smtp.wait_for(1)
    assert mail["Subject"] == f"[trafficking] {HOSTILE}"
    html_part = mail.get_body(("html",)).get_content()
    text_part = mail.get_body(("plain",)).get_content()
    assert "&lt;b&gt;Reports&lt;/b&gt;" in html_part and "<b>Reports</b>" not in html_part
    assert HOSTILE in text_part
    assert "https://news.example/1" in text_part and "trafficking" in text_part


def test_telegram_gets_its_html_subset_with_the_title_escaped(tmp_path: Path, telegram: HttpSink) -> None:
    config = make_config(tmp_path, {"telegram": "tgram://123456789:AABBCCDDEEFFaabbccddeeff-1234567/987654"})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    assert deliver(config, store).delivered == [(1, "telegram")]
    [sent] = [m for m, p in zip(telegram.received, telegram.paths, strict=True) if p.endswith("/sendMessage")]
    assert sent["parse_mode"] == "HTML"
    assert "&lt;b&gt;Reports&lt;/b&gt; 134 &amp; *Human* _Trafficking_ [Cases](x)" in sent["text"]
    assert '<a href="https://news.example/1">' in sent["text"]


def test_webhook_down_for_two_passes_is_delivered_once_on_the_third(
    tmp_path: Path, webhook: HttpSink, smtp: SmtpSink
) -> None:
    config = make_config(
        tmp_path,
        {
            "hook": f"json://127.0.0.1:{webhook.port}/alerts",
            "email": f"mailto://127.0.0.1:{smtp.port}?from=nw@example.org&to=me@example.org",
        },
    )
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    webhook.failing = True
    first = deliver(config, store)
    assert (1, "email") in first.delivered and (1, "hook") in first.failed
    assert len(smtp.wait_for(1)) == 1
    assert deliver(config, store).failed  # still down on pass two
    webhook.failing = False
    assert deliver(config, store).delivered == [(1, "hook")]
    assert deliver(config, store).delivered == []  # nothing is ever sent twice
    assert len(webhook.received) == 1 and webhook.received[0]["title"] == HOSTILE
    assert len(smtp.messages) == 1
    assert statuses(store) == {"hook": "delivered", "email": "delivered"}
    attempts = store.query("SELECT attempts FROM deliveries WHERE notifier = 'hook'")[0]["attempts"]
    assert attempts == 3


def test_failure_reason_is_recorded_with_credentials_masked(tmp_path: Path, webhook: HttpSink) -> None:
    webhook.failing = True
    config = make_config(tmp_path, {"hook": f"json://alice:${{HOOK_PASSWORD}}@127.0.0.1:{webhook.port}/x"})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    report = deliver(config, store)
    reason = report.failed[(1, "hook")]
    assert reason.startswith("service failed: HTTP 500")
    store.close()
    dump = "\n".join(sqlite3.connect(tmp_path / "nw.db").iterdump())
    assert "s3cr3t-pw" not in dump and "s3cr3t-pw" not in reason


def test_a_failing_notifier_does_not_block_the_others(tmp_path: Path, webhook: HttpSink) -> None:
    config = make_config(tmp_path, {"dead": "json://127.0.0.1:9/closed", "hook": f"json://127.0.0.1:{webhook.port}/"})
    store = Store(tmp_path / "nw.db")
    for article_id in (1, 2, 3):
        queue_article(store, config, article_id, title=f"Article {article_id}")
    report = deliver(config, store)
    assert sorted(report.delivered) == [(1, "hook"), (2, "hook"), (3, "hook")]
    assert list(report.failed) == [(1, "dead")]  # the rest wait for the next pass, untried
    assert [m["title"] for m in webhook.received] == ["Article 1", "Article 2", "Article 3"]


def test_a_delivery_older_than_max_age_is_given_up_and_the_operator_told(tmp_path: Path, webhook: HttpSink) -> None:
    config = make_config(tmp_path, {"dead": "json://127.0.0.1:9/closed", "hook": f"json://127.0.0.1:{webhook.port}/"})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    with store.transaction():
        store.execute("UPDATE alerts SET created_at = ?", [(utcnow() - timedelta(hours=2)).isoformat()])
        store.execute("UPDATE deliveries SET status = 'delivered' WHERE notifier = 'hook'")
    config = make_config(
        tmp_path, {"dead": "json://127.0.0.1:9/closed", "hook": f"json://127.0.0.1:{webhook.port}/"}, max_age="1h"
    )
    report = deliver(config, store)
    assert report.expired == [(1, "dead")] and not report.failed
    [notice] = webhook.wait_for(1)
    assert notice["title"] == "alerts given up" and "1 alerts could not be delivered to dead" in notice["message"]
    assert deliver(config, store).delivered == []  # told once
    assert statuses(store)["dead"] == "expired"


def test_a_notifier_that_keeps_failing_is_reported_once_and_its_recovery_once(
    tmp_path: Path, webhook: HttpSink
) -> None:
    flaky = HttpSink()
    try:
        config = make_config(
            tmp_path, {"flaky": f"json://127.0.0.1:{flaky.port}/", "hook": f"json://127.0.0.1:{webhook.port}/"}
        )
        store = Store(tmp_path / "nw.db")
        flaky.failing = True
        for article_id in range(1, 6):
            queue_article(store, config, article_id, title=f"Article {article_id}")
            deliver(config, store)
        notices = [m["title"] for m in webhook.received if m["title"].startswith("notifier")]
        assert notices == ["notifier flaky is failing"]
        flaky.failing = False
        deliver(config, store)
        deliver(config, store)
        assert [m["title"] for m in flaky.received] == [f"Article {i}" for i in range(1, 6)]
        notices = [m["title"] for m in webhook.received if m["title"].startswith("notifier")]
        assert notices == ["notifier flaky is failing", "notifier flaky recovered"]
    finally:
        flaky.close()


def test_send_test_reports_each_notifier(tmp_path: Path, webhook: HttpSink) -> None:
    config = make_config(tmp_path, {"hook": f"json://127.0.0.1:{webhook.port}/", "dead": "json://127.0.0.1:9/"})
    results = asyncio.run(send_test(config, ["hook", "dead"]))
    assert results["hook"] is None
    assert results["dead"] and results["dead"].startswith("connection refused")
    assert webhook.received[0]["title"] == "newswatch test message"
