"""One readable line for each way a fetch can fail."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_NETWORK = {
    # Scrapy >= 2.17 wraps the Twisted errors below in its own exceptions.
    DownloadTimeoutError: "timed out",
    DownloadConnectionRefusedError: "connection refused",
    CannotResolveHostError: "DNS lookup failed",
    ResponseDataLossError: "incomplete response",
    net.DNSLookupError: "DNS lookup failed",
    net.ConnectionRefusedError: "connection refused",
    net.TCPTimedOutError: "connection timed out",
    net.TimeoutError: "timed out",
    net.ConnectionLost: "connection lost",
    net.ConnectError: "cannot connect",
}


def describe_failure(failure: Failure, url: str) -> str:
    """A short reason for a failed request, naming the URL it concerned."""
    value = failure.value
    request = getattr(failure, "request", None)
    where = getattr(request, "url", None) or url
    if isinstance(value, HttpError):
        return f"HTTP {value.response.status} from {value.response.url}"
    for kind, text in _NETWORK.items():
        if isinstance(value, kind):
            return f"{text}: {where}"
    if isinstance(value, (ResponseFailed, ResponseNeverReceived)):
        return f"the server closed the connection: {where}"
    if isinstance(value, IgnoreRequest):
        return f"{value or 'request ignored'}: {where}"
    return f"{type(value).__name__}: {value or 'download failed'}: {where}"
