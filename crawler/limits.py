"""A bound on response headers, which Scrapy's ``DOWNLOAD_MAXSIZE`` does not give.

Twisted's HTTP client keeps every header line until the download times out:
a server streaming ``X-Junk: …`` lines grew one process to 1.8 GB in 30 s.
Browsers and servers cap the header section at tens of kilobytes; so do we.
Twisted builds its response parser from the module-level name
``twisted.web._newclient.HTTPClientParser`` for each request, so installing a
bounded subclass there is the one seam that needs no fork of the download
handler. A response over the bound fails with ``HeadersTooLarge``.
"""

from __future__ import annotations

from twisted.web import _newclient

MAX_HEADER_BYTES = 64 * 1024
MAX_HEADER_LINES = 256
MAX_HEADER_LINE = 16 * 1024


class HeadersTooLarge(Exception):
    """The response's header section is over the bound."""

    def __init__(self) -> None:
        super().__init__(
            f"headers too large (over {MAX_HEADER_BYTES // 1024} KB or {MAX_HEADER_LINES} lines)"
        )


class BoundedHTTPClientParser(_newclient.HTTPClientParser):
    """Twisted's response parser, failing the response when its headers exceed the bound."""

    MAX_LENGTH = MAX_HEADER_LINE

    def connectionMade(self) -> None:
        super().connectionMade()
        self._header_bytes, self._header_lines = 0, 0

    def lineReceived(self, line: bytes) -> None:
        if self.state in (_newclient.STATUS, _newclient.HEADER):
            self._header_bytes += len(line) + 1
            self._header_lines += 1
            if self._header_bytes > MAX_HEADER_BYTES or self._header_lines > MAX_HEADER_LINES:
                raise HeadersTooLarge
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:
        raise HeadersTooLarge


def install() -> None:
    """Make every HTTP/1.1 response of this process go through ``BoundedHTTPClientParser``."""
    _newclient.HTTPClientParser = BoundedHTTPClientParser  # type: ignore[misc]
