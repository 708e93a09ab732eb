"""One readable line for each way a fetch can fail."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.limits import HeadersTooLarge

_NETWORK = {
    # Scrapy >= 2.17 wraps the Twisted errors below in its own exceptions.
    DownloadTimeoutError: "timed out",
    DownloadConnectionRefusedError: "connection refused",
    CannotResolveHostError: "DNS lookup failed",
    ResponseDataLossError: "connection closed before the response was complete",
    net.DNSLookupError: "DNS lookup failed",
    net.ConnectionRefusedError: "connection refused",
    net.TCPTimedOutError: "connection timed out",
    net.TimeoutError: "timed out",
    net.ConnectionLost: "connection closed before the response was complete",
    net.ConnectionDone: "connection closed before the response was complete",
    net.ConnectError: "cannot connect",
}


def describe_failure(failure: Failure, url: str, max_size: int = 0) -> str:
    """A short reason for a failed request, in words, naming the URL it concerned."""
    request = getattr(failure, "request", None)
    where = getattr(request, "url", None) or url
    causes = list(_causes(failure.value))
    for value in causes:
        reason = _known(value, where, max_size)
        if reason:
            return reason
    if any(isinstance(v, (ResponseFailed, ResponseNeverReceived, DownloadFailedError)) for v in causes):
        return f"the server closed the connection before the response was complete: {where}"
    return f"download failed ({_words(failure.value)}): {where}"


def _known(value: BaseException, where: str, max_size: int) -> str | None:
    if isinstance(value, HttpError):
        return f"HTTP {value.response.status} from {value.response.url}"
    if isinstance(value, HeadersTooLarge):
        return f"{value}: {where}"
    if isinstance(value, (DownloadCancelledError, CancelledError)):
        limit = f" ({_size(max_size)})" if max_size else ""
        return f"response larger than max_size{limit}: {where}"
    for kind, text in _NETWORK.items():
        if isinstance(value, kind):
            return f"{text}: {where}"
    if isinstance(value, IgnoreRequest):
        text = str(value) or "request ignored"
        return f"{text[0].lower()}{text[1:]}: {where}"
    return None


def _causes(value: BaseException) -> Iterator[BaseException]:
    """``value`` and what it wraps: exception chains and Twisted's lists of failures."""
    seen: set[int] = set()
    todo = [value]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [c for c in (current.__cause__, current.__context__) if c is not None]
        todo += [r.value for r in getattr(current, "reasons", []) or [] if isinstance(r, Failure)]


def _words(value: BaseException) -> str:
    """An exception's message, or its class name split into words when it has none."""
    text = str(value).strip()
    if text:
        return text
    name = type(value).__name__.removesuffix("Error")
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip() or "unknown"


def _size(count: int) -> str:
    """A byte count as the config writes it: "10 MB", "512 KiB", "1500 bytes"."""
    for unit, factor in (("GiB", 2**30), ("GB", 10**9), ("MiB", 2**20), ("MB", 10**6), ("KiB", 1024), ("KB", 1000)):
        if count >= factor and count % factor == 0:
            return f"{count // factor} {unit}"
    return f"{count} bytes"
