"""Where a source's follow-up fetches may go: its own site, the hosts the user allows, nowhere private.

A listing page is written by someone else. When ``full_text`` follows the links
it lists (and the redirects they answer with), a hostile page could point them
at another service on the same machine, at a router's admin page, or at a cloud
metadata address, and the alert would quote what it answered. So a follow-up
fetch stays on the source's *site* — the same scheme, host and port as the
source URL — or on a host listed in ``allow_hosts``; and it never reaches a
private, loopback or link-local address unless the source URL itself is on one
(a local test site, an intranet source) or the host is listed in ``allow_hosts``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

_PORTS = {"http": 80, "https": 443}
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit; None for anything else."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".").lower()
        port = parts.port or _PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _PORTS or not host or port is None:
        return None
    return scheme, host, port


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local, reserved or unspecified IP addresses (and local names)."""
    name = address.strip("[]").lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


@dataclass(frozen=True)
class SitePolicy:
    """The follow-up fetches one source may make; see the module docstring."""

    site: tuple[str, str, int]
    allow_hosts: tuple[str, ...] = ()

    @classmethod
    def of(cls, url: str, allow_hosts: tuple[str, ...] = ()) -> SitePolicy | None:
        """The policy of a source at ``url``; None when ``url`` is not http(s)."""
        site = origin(url)
        hosts = tuple(h.strip().lower().rstrip(".") for h in allow_hosts if h.strip())
        return cls(site, hosts) if site else None

    @property
    def local_source(self) -> bool:
        """The source itself is on a private address (then so may its site's fetches be)."""
        return is_private_address(self.site[1])

    def allowed_host(self, host: str) -> bool:
        """``host`` is one the user listed in ``allow_hosts`` (or a subdomain of one)."""
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.allow_hosts)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched, in words; None when it may."""
        target = origin(url)
        if target is None:
            return "not an http(s) link"
        if target == self.site:
            return None
        if self.allowed_host(target[1]):
            return None
        return "on another site than the source (add its host to allow_hosts to follow it)"

    def address_refusal(self, host: str, addresses: list[str]) -> str | None:
        """Why ``host``, resolving to ``addresses``, may not be reached; None when it may."""
        if self.local_source or self.allowed_host(host):
            return None
        private = [a for a in [host, *addresses] if is_private_address(a)]
        if private:
            return f"{host} is a private, loopback or link-local address ({private[0]})"
        return None
