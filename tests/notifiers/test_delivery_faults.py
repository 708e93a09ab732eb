"""Hostile mail servers and webhooks: no alert blocks another, no ambiguous send is repeated, every cause named."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from support.outbox import deliver, make_config, queue_article
from support.sinks import HttpSink, SmtpSink, self_signed_context

from newswatch.store import Store, iso, utcnow
from notifiers.delivery import send_test

PASSWORD = "pw-Zq81!x"  # the password the mail server wants
WRONG = "wrong-Hk27y"


def mail_url(sink: SmtpSink, scheme: str = "mailto", auth: str = "", extra: str = "") -> str:
    return f"{scheme}://{auth}127.0.0.1:{sink.port}?from=nw@example.org&to=me@example.org{extra}"


@pytest.fixture
def sinks() -> Iterator[list]:
    """Servers a test starts, closed after it."""
    started: list = []
    yield started
    for sink in started:
        sink.close()


def smtp(sinks: list, **options: object) -> SmtpSink:
    with warnings.catch_warnings():  # aiosmtpd warns about AUTH without TLS: wanted here, on loopback
        warnings.simplefilter("ignore")
        sink = SmtpSink(**options)  # type: ignore[arg-type]
    sinks.append(sink)
    return sink


def webhook(sinks: list) -> HttpSink:
    sink = HttpSink()
    sinks.append(sink)
    return sink


def rows(store: Store) -> dict[int, dict]:
    return {r["alert_id"]: r for r in store.query("SELECT * FROM deliveries WHERE notifier = 'email' ORDER BY 1")}


def queue_three(store: Store, config: object, first_title: str) -> None:
    for article_id, title in ((1, first_title), (2, "Second article"), (3, "Third article")):
        queue_article(store, config, article_id, title)  # type: ignore[arg-type]


def test_a_title_over_the_smtp_line_limit_is_shortened_and_the_alerts_behind_it_go(
    tmp_path: Path, sinks: list
) -> None:
    server = smtp(sinks)  # aiosmtpd refuses lines over 1000 octets, as RFC 5321 allows
    config = make_config(tmp_path, {"email": mail_url(server)})
    store = Store(tmp_path / "nw.db")
    queue_three(store, config, "Deportation" + "x" * 5000)
    report = deliver(config, store)
    assert sorted(report.delivered) == [(1, "email"), (2, "email"), (3, "email")]
    subjects = [m["Subject"] for m in server.wait_for(3)]
    assert subjects[0].startswith("[trafficking] Deportationxxx") and subjects[0].endswith("…")
    assert len(subjects[0]) <= 200
    assert subjects[1:] == ["[trafficking] Second article", "[trafficking] Third article"]


def test_a_long_subject_with_spaces_is_folded_at_them(tmp_path: Path, sinks: list) -> None:
    server = smtp(sinks)
    config = make_config(tmp_path, {"email": mail_url(server)})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config, 1, " ".join(["Deportations"] * 40))
    deliver(config, store)
    [mail] = server.wait_for(1)
    raw = mail.as_bytes().split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n")
    subject_lines = raw.split(b"\nSubject:", 1)[1].split(b"\n")
    folded = [subject_lines[0], *[line for line in subject_lines[1:] if line[:1] in (b" ", b"\t")]]
    assert len(folded) > 1 and all(len(line) <= 78 for line in folded)
    assert len(mail["Subject"]) <= 200 and mail["Subject"].endswith("Deportations…")


def refuse_marked(reply: str):  # type: ignore[no-untyped-def]
    """A content filter: refuses (with ``reply``) every message whose Subject says REFUSE-ME."""

    def filter_(message: EmailMessage) -> str | None:
        return reply if "REFUSE-ME" in str(message["Subject"]) else None

    return filter_


def test_a_message_refused_for_good_is_marked_failed_told_once_and_never_blocks_the_rest(
    tmp_path: Path, sinks: list
) -> None:
    server = smtp(sinks, data_reply=refuse_marked("554 5.7.1 Message rejected as spam"))
    operator = webhook(sinks)
    config = make_config(tmp_path, {"email": mail_url(server), "hook": f"json://127.0.0.1:{operator.port}/"},
                         attempts=3, operator=["hook"])
    store = Store(tmp_path / "nw.db")
    for article_id, title in ((1, "REFUSE-ME please"), (2, "Second article"), (3, "Third article")):
        queue_article(store, config, article_id, title)
        store.execute("DELETE FROM deliveries WHERE notifier = 'hook'")  # the hook is only the operator's
    report = deliver(config, store)
    assert sorted(report.delivered) == [(2, "email"), (3, "email"), (4, "hook")]
    assert list(report.refused) == [(1, "email")]
    assert len(server.seen) == 3  # refused once, not retried within the pass
    deliveries = rows(store)
    assert deliveries[1]["status"] == "failed" and "554 5.7.1 Message rejected as spam" in deliveries[1]["last_error"]
    [notice] = operator.wait_for(1)
    assert notice["title"] == "alert refused by email" and "554 5.7.1" in notice["message"]
    assert deliver(config, store).delivered == [] and len(server.seen) == 3  # never hammered
    assert len(operator.received) == 1  # told once


def test_a_message_refused_for_now_keeps_its_own_backoff_while_later_ones_go(tmp_path: Path, sinks: list) -> None:
    server = smtp(sinks, data_reply=refuse_marked("451 4.7.1 Greylisted, try again later"))
    config = make_config(tmp_path, {"email": mail_url(server)}, attempts=1)
    store = Store(tmp_path / "nw.db")
    queue_three(store, config, "REFUSE-ME later")
    report = deliver(config, store, due_only=True)  # as the daemon does
    assert sorted(report.delivered) == [(2, "email"), (3, "email")]
    first = rows(store)[1]
    assert first["status"] == "pending" and first["attempts"] == 1 and first["next_attempt_at"] > iso(utcnow())
    assert "451 4.7.1 Greylisted" in first["last_error"]
    assert deliver(config, store, due_only=True).failed == {}  # its backoff is honoured: not tried yet
    assert len(server.seen) == 3
    server.data_reply = None
    store.execute("UPDATE deliveries SET next_attempt_at = ? WHERE alert_id = 1", [iso(utcnow())])  # time passes
    assert deliver(config, store, due_only=True).delivered == [(1, "email")]


def test_smtp_connection_dropped_after_data_is_not_repeated_in_the_pass(tmp_path: Path, sinks: list) -> None:
    server = smtp(sinks, drop_after_data=True)
    config = make_config(tmp_path, {"email": mail_url(server)}, attempts=4)
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    report = deliver(config, store)
    assert list(report.failed) == [(1, "email")]
    assert len(server.seen) == 1  # the message arrived once; the pass did not send it again
    assert report.failed[(1, "email")].startswith("outcome unknown")
    assert rows(store)[1]["status"] == "pending"  # a later pass may repeat it: see README, Delivery guarantees


def test_a_webhook_that_never_answers_gets_one_copy_per_pass(tmp_path: Path, sinks: list) -> None:
    sink = webhook(sinks)
    sink.hang = True
    config = make_config(tmp_path, {"hook": f"json://127.0.0.1:{sink.port}/?rto=1"}, attempts=4)
    store = Store(tmp_path / "nw.db")
    queue_article(store, config, 1, "First")
    queue_article(store, config, 2, "Second")
    report = deliver(config, store)
    assert [m["title"] for m in sink.received] == ["First"]  # one copy, and the hung notifier is left for now
    assert list(report.failed) == [(1, "hook")]
    assert "outcome unknown" in report.failed[(1, "hook")] and "Read timed out" in report.failed[(1, "hook")]


def test_a_service_answering_503_is_retried_within_the_pass(tmp_path: Path, sinks: list) -> None:
    sink = webhook(sinks)
    sink.unavailable = 1  # the server answered: nothing was taken, so a repeat cannot duplicate
    config = make_config(tmp_path, {"hook": f"json://127.0.0.1:{sink.port}/"}, attempts=3)
    store = Store(tmp_path / "nw.db")
    queue_article(store, config, 1, "Only")
    assert deliver(config, store).delivered == [(1, "hook")]
    assert sink.refusals == 1 and [m["title"] for m in sink.received] == ["Only"]


def test_http_400_is_a_permanent_refusal_and_429_a_temporary_one(tmp_path: Path, sinks: list) -> None:
    sink = webhook(sinks)
    config = make_config(tmp_path, {"hook": f"json://127.0.0.1:{sink.port}/"})
    store = Store(tmp_path / "nw.db")
    queue_article(store, config, 1, "Refused")
    sink.status = 400
    assert (1, "hook") in deliver(config, store).refused  # (and its notice, to the same hook, too)
    queue_article(store, config, 2, "Later")
    sink.status = 429
    [(key, reason)] = deliver(config, store).failed.items()
    assert "HTTP 429" in reason
    sink.status = None
    assert deliver(config, store).delivered == [key]
    assert [m["title"] for m in sink.received] == ["Later"]  # what was refused is not tried again


def cause_of(tmp_path: Path, url: str, operator: HttpSink) -> tuple[str, str, str]:
    """The failure as the delivery's last_error, as notify-test reports it, and in the operator's notice."""
    config = make_config(tmp_path, {"email": url, "hook": f"json://127.0.0.1:{operator.port}/"},
                         failure_threshold=1, operator=["hook"])
    store = Store(tmp_path / "nw.db")
    queue_article(store, config)
    store.execute("DELETE FROM deliveries WHERE notifier = 'hook'")
    deliver(config, store)
    last_error = rows(store)[1]["last_error"]
    tested = asyncio.run(send_test(config, ["email"]))["email"]
    notices = [m["message"] for m in operator.wait_for(1) if m["title"] == "notifier email is failing"]
    return last_error, tested or "", notices[0] if notices else ""


@pytest.mark.parametrize(
    ("case", "expected"),
    [("wrong password", "authentication failed"), ("nothing listening", "connection refused"),
     ("self-signed certificate", "certificate not trusted"), ("recipient refused", "recipient refused")],
)
def test_smtp_failures_say_which_they_are(tmp_path: Path, sinks: list, case: str, expected: str) -> None:
    operator = webhook(sinks)
    if case == "wrong password":
        url = mail_url(smtp(sinks, login=("nw", PASSWORD)), auth=f"nw:{WRONG}@")
    elif case == "nothing listening":
        closed = smtp(sinks)
        closed.close()
        sinks.remove(closed)
        url = mail_url(closed)
    elif case == "self-signed certificate":
        url = mail_url(smtp(sinks, tls_context=self_signed_context(tmp_path)), "mailtos", extra="&mode=starttls")
    else:
        url = mail_url(smtp(sinks, rcpt_reply="550 5.1.1 <me@example.org>: no such user"))
    for where, text in zip(("last_error", "notify-test", "operator notice"), cause_of(tmp_path, url, operator),
                           strict=True):
        assert expected in text, f"{where}: {text!r}"
        assert WRONG not in text and PASSWORD not in text, where
