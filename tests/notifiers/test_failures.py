"""How Apprise's records of a failed send are read: cases as data (the texts Apprise 2.2 logs)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from notifiers.failures import explain


@dataclass
class Entry:
    level: str
    message: str


SMTP_OPEN = [Entry("DEBUG", "Connecting to remote SMTP server..."), Entry("DEBUG", "Email From: a@example.org")]
SMTP_DONE = Entry("DEBUG", "E-Mail send() completed in 0.10s.")

# id: (entries, reason starts with, safe_to_repeat, permanent, whole_notifier)
CASES = {
    "smtp refused": ([Entry("DEBUG", "Socket Exception: [Errno 111] Connection refused"), SMTP_DONE],
                     "connection refused", True, False, True),
    "smtp wrong password": ([Entry("DEBUG", "Socket Exception: (535, b'5.7.8 Authentication credentials invalid')"),
                             SMTP_DONE], "authentication failed", False, False, True),
    "smtp self-signed": ([Entry("DEBUG", "Socket Exception: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                                         "failed: self-signed certificate (_ssl.c:1006)"), SMTP_DONE],
                         "certificate not trusted (self-signed certificate)", False, False, True),
    "smtp recipient": ([*SMTP_OPEN, Entry("DEBUG", "Socket Exception: {'b@example.org': (550, b'5.1.1 no user')}")],
                       "recipient refused: b@example.org (550 5.1.1 no user)", False, False, True),
    "smtp content 5xx": ([*SMTP_OPEN, Entry("DEBUG", "Socket Exception: (554, b'5.7.1 spam')")],
                         "message refused permanently", False, True, False),
    "smtp content 4xx": ([*SMTP_OPEN, Entry("DEBUG", "Socket Exception: (451, b'4.7.1 later')")],
                         "message refused for now", True, False, False),
    "smtp dropped after DATA": ([*SMTP_OPEN, Entry("DEBUG", "Socket Exception: Connection unexpectedly closed")],
                                "outcome unknown", False, False, True),
    "smtp dropped at greeting": ([Entry("DEBUG", "Socket Exception: Connection unexpectedly closed"), SMTP_DONE],
                                 "connection failed", True, False, True),
    "http refused": ([Entry("DEBUG", "Socket Exception: HTTPConnectionPool(host='h', port=9): Max retries exceeded "
                                     "(Caused by NewConnectionError(\"...: [Errno 111] Connection refused\"))")],
                     "connection refused (h:9: [Errno 111] Connection refused)", True, False, True),
    "http read timeout": ([Entry("DEBUG", "Socket Exception: HTTPConnectionPool(host='h', port=80): Read timed out. "
                                          "(read timeout=4)")], "outcome unknown", False, False, True),
    "http 503": ([Entry("WARNING", "Failed to send JSON POST notification: Service Unavailable, error=503.")],
                 "service failed: HTTP 503", True, False, True),
    "http 429": ([Entry("WARNING", "Failed to send Telegram notification to 1: Too Many Requests, error=429.")],
                 "service failed: HTTP 429", True, False, True),
    "http 401": ([Entry("WARNING", "Failed to send Telegram notification to 1: Unauthorized, error=401.")],
                 "service refused the notifier's URL or credentials: HTTP 401", False, False, True),
    "http 400": ([Entry("WARNING", "Failed to send Telegram notification to 1: can't parse entities, error=400.")],
                 "message refused permanently by the service: HTTP 400", False, True, False),
    "unrecognised": ([Entry("WARNING", "Something odd happened")], "FAILURE: Something odd happened",
                     False, False, False),
}


@pytest.mark.parametrize("case", CASES)
def test_failure_is_explained(case: str) -> None:
    entries, reason, safe, permanent, whole = CASES[case]
    failure = explain(entries, "FAILURE")  # type: ignore[arg-type]
    assert failure.reason.startswith(reason), failure.reason
    assert (failure.safe_to_repeat, failure.permanent, failure.whole_notifier) == (safe, permanent, whole)
