"""A bound on response headers, which Scrapy's ``DOWNLOAD_MAXSIZE`` does not give.

Twisted's HTTP client keeps every header line until the download times out:
a server streaming ``X-Junk: …`` lines grew one process to 1.8 GB in 30 s.
Browsers and servers cap the header section at tens of kilobytes; so do we.
Twisted builds its response parser from the module-level name
``twisted.web._newclient.HTTPClientParser`` for each request, and Scrapy then
swaps the parser's class for its lenient subclass (``http11._LenientHTTPClientParser``,
looked up by module-level name too): installing a bounded subclass under both
names is the one seam that needs no fork of the download handler. A response
over the bound fails with ``HeadersTooLarge``; ``tests/e2e/test_hostile_sites.py``
fails if a Scrapy or Twisted upgrade moves the seam.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers import http11
from twisted.web import _newclient

_Parser = getattr(http11, "_LenientHTTPClientParser", _newclient.HTTPClientParser)

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_LINES = 256
MAX_HEADER_LINE = 16 * 1024


class HeadersTooLarge(Exception):
    """The response's header section is over the bound."""

    def __init__(self) -> None:
        super().__init__(
            f"headers too large (over {MAX_HEADER_BYTES // 1024} KB or {MAX_HEADER_LINES} lines)"
        )


class BoundedHTTPClientParser(_Parser):  # type: ignore[misc,valid-type]
    """Scrapy's (lenient) response parser, failing the response when its headers exceed the bound.

    Its class may be swapped in after construction, so the counters start lazily.
    """

    MAX_LENGTH = MAX_HEADER_LINE

    def lineReceived(self, line: bytes) -> None:
        if self.state in (_newclient.STATUS, _newclient.HEADER):
            self._header_bytes = getattr(self, "_header_bytes", 0) + len(line) + 1
            self._header_lines = getattr(self, "_header_lines", 0) + 1
            if self._header_bytes > MAX_HEADER_BYTES or self._header_lines > MAX_HEADER_LINES:
                raise HeadersTooLarge
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:
        raise HeadersTooLarge


def install() -> None:
    """Make every HTTP/1.1 response of this process go through ``BoundedHTTPClientParser``."""
    _newclient.HTTPClientParser = BoundedHTTPClientParser  # type: ignore[misc]
    if hasattr(http11, "_LenientHTTPClientParser"):
        http11._LenientHTTPClientParser = BoundedHTTPClientParser  # type: ignore[misc]
