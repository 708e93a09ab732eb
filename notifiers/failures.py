"""What a failed send means: its cause in words, whether it may be repeated now, and whose fault it was.

Apprise reports every SMTP failure as "Connection error while submitting email"
and most HTTP failures as "error=NNN"; the cause is only in its DEBUG records
("Socket Exception: ..."), which Apprise captures per call when asked
(``notify(log_level=DEBUG)``). :func:`explain` reads those records.

Three questions decide what the deliverer does with a failure:

- ``safe_to_repeat``: the message certainly did not reach the service (connection
  refused, a reply that refused it with a temporary code), so trying again in the
  same pass cannot make a duplicate. Anything else — a timeout after the request
  was sent, a connection lost during the SMTP transaction, a cause not recognised —
  is *ambiguous* and is not repeated within the pass.
- ``permanent``: the service refused *this message* for good (an SMTP 5xx reply
  to it, an HTTP 4xx other than 401/403/404/407/408/429). It is not tried again.
- ``whole_notifier``: the failure would hit every message (the service is down,
  the password, the recipient or the certificate is wrong), so the notifier's
  other deliveries wait for the next pass instead of failing one by one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

CAPTURE_LEVEL = logging.DEBUG
_SMTP_REPLY = re.compile(r"^\((\d{3}), b?['\"](.*)['\"]\)$", re.DOTALL)
_SMTP_REFUSED = re.compile(r"'([^']+)': \((\d{3}), b?['\"]([^'\"]*)['\"]\)")
_ERRNO = re.compile(r"\[Errno -?\d+\] [^\"')]+")
_HOST_PORT = re.compile(r"host='([^']+)', port=(\d+)")
_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_NOTIFIER_WIDE_HTTP = {401, 403, 404, 407}
_REPEATABLE_HTTP = {408, 429}


class LogEntry(Protocol):
    level: str
    message: str


@dataclass(frozen=True)
class Failure:
    """A send that did not go through, explained."""

    reason: str
    safe_to_repeat: bool = False
    permanent: bool = False
    whole_notifier: bool = False


def captured(result: Iterable[Iterable[Iterable[LogEntry]]]) -> list[LogEntry]:
    """Every log entry Apprise captured for a call (services → attempts → entries)."""
    return [entry for service in result for attempt in service for entry in attempt]


def explain(entries: list[LogEntry], status: str) -> Failure:
    """The failure that ``entries`` (Apprise's records of one send) describe; ``status`` if none is recognised."""
    socket_errors = [e.message.split(":", 1)[1].strip() for e in entries if e.message.startswith("Socket Exception:")]
    if socket_errors:
        return _socket_failure(socket_errors[-1], _in_transaction(entries), _is_smtp(entries))
    warnings = [e.message for e in entries if e.level in ("WARNING", "ERROR", "CRITICAL")]
    http = next((int(m[1]) for w in reversed(warnings) if (m := _HTTP_STATUS.search(w))), None)
    if http is not None:
        return _http_failure(http, warnings[-1])
    return Failure(f"{status}: {warnings[-1]}" if warnings else status)


def _in_transaction(entries: list[LogEntry]) -> bool:
    """True once the SMTP session was up and a message was being handed over (Apprise logs "Email From")."""
    return any(e.message.startswith("Email From:") for e in entries)


def _is_smtp(entries: list[LogEntry]) -> bool:
    return any(e.message.startswith(("SMTP Host:", "E-Mail send()")) for e in entries)


def _brief(text: str) -> str:
    """An exception text without urllib3's wrapping: ``host:port: [Errno 111] Connection refused``."""
    errno, where = _ERRNO.search(text), _HOST_PORT.search(text)
    if errno is None or where is None:
        return text
    return f"{where[1]}:{where[2]}: {errno[0]}"


def _socket_failure(text: str, in_transaction: bool, smtp_session: bool) -> Failure:
    text = _brief(text)
    lowered = text.lower()
    if "connection refused" in lowered:
        return Failure(f"connection refused ({text})", safe_to_repeat=True, whole_notifier=True)
    if "certificate_verify_failed" in lowered or "certificate verify failed" in lowered:
        detail = text.split("certificate verify failed:", 1)[-1].split("(_ssl.c", 1)[0].strip()
        return Failure(f"certificate not trusted ({detail})", whole_notifier=True)
    if any(m in lowered for m in ("failed to establish a new connection", "name or service not known",
                                  "connecttimeouterror", "nameresolutionerror")):
        return Failure(f"cannot connect ({text})", safe_to_repeat=True, whole_notifier=True)
    if refused := _SMTP_REFUSED.findall(text):
        addresses = ", ".join(f"{a} ({code} {why})" for a, code, why in refused)
        return Failure(f"recipient refused: {addresses}", whole_notifier=True)
    if reply := _SMTP_REPLY.match(text):
        return _smtp_reply(int(reply[1]), reply[2], in_transaction)
    if in_transaction or "read timed out" in lowered or "connection aborted" in lowered:
        return Failure(f"outcome unknown, the message may have arrived: connection lost or timed out after it was "
                       f"sent ({text})", whole_notifier=True)
    # Before an SMTP transaction began (connecting, EHLO, STARTTLS) nothing was handed over yet.
    return Failure(f"connection failed ({text})", safe_to_repeat=smtp_session, whole_notifier=True)


def _smtp_reply(code: int, text: str, in_transaction: bool) -> Failure:
    said = f"{code} {text}".strip()
    if code in (530, 534, 535, 454) and not in_transaction:
        return Failure(f"authentication failed ({said})", whole_notifier=True)
    if not in_transaction:  # greeting, EHLO, STARTTLS: the server, not the message
        return Failure(f"server refused the session ({said})", safe_to_repeat=code < 500, whole_notifier=True)
    if code >= 500:
        return Failure(f"message refused permanently by the server ({said})", permanent=True)
    return Failure(f"message refused for now by the server ({said})", safe_to_repeat=True)


def _http_failure(code: int, warning: str) -> Failure:
    said = f"HTTP {code} ({warning})"
    if code >= 500 or code in _REPEATABLE_HTTP:
        return Failure(f"service failed: {said}", safe_to_repeat=True, whole_notifier=True)
    if code in _NOTIFIER_WIDE_HTTP:
        return Failure(f"service refused the notifier's URL or credentials: {said}", whole_notifier=True)
    return Failure(f"message refused permanently by the service: {said}", permanent=True)


class _Forward(logging.Handler):
    """Hands the ``apprise`` logger's records at or above its level to the root logger's handlers."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger().handle(record)


def listen_to_apprise() -> None:
    """Let Apprise create its DEBUG records (for :func:`explain`) without printing them.

    The ``apprise`` logger is set to DEBUG and stops propagating; a forwarding
    handler passes on only what the logger let through before (at least WARNING).
    Idempotent; a later ``setLevel`` by the CLI becomes the forwarding level.
    """
    apprise_logger = logging.getLogger("apprise")
    forward = next((h for h in apprise_logger.handlers if isinstance(h, _Forward)), None)
    if forward is None:
        forward = _Forward()
        apprise_logger.addHandler(forward)
    if apprise_logger.level != CAPTURE_LEVEL or not forward.level:
        forward.setLevel(max(apprise_logger.getEffectiveLevel(), logging.WARNING))
    apprise_logger.propagate = False
    apprise_logger.setLevel(CAPTURE_LEVEL)
