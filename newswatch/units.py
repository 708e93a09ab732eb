"""Friendly config values converted at the boundary: durations, sizes, thresholds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# The longest duration accepted anywhere: beyond it a schedule is meaningless, and far beyond it
# timedelta and APScheduler's date arithmetic overflow (3000000d passed the check and crashed `run`).
MAX_DURATION = timedelta(days=3650)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_FACTOR = {"b": 1, "kb": 1000, "kib": 1024, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30}


def shown(value: object) -> str:
    """A config value as the user wrote it in TOML, for error messages: ``"fifteen"``, ``15``, ``true``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_duration(value: object) -> timedelta:
    """``"30s"``, ``"15m"``, ``"1h30m"``, ``"1d"`` → timedelta; anything else is a ValueError."""
    if isinstance(value, timedelta):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    if not text or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"{shown(value)} is not a duration (use a number with a unit: 30s, 15m, 1h, 1d)")
    seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(text))
    if not seconds <= MAX_DURATION.total_seconds():  # also catches inf, from digits beyond a float
        raise ValueError(f"{shown(value)} is too long (at most {MAX_DURATION.days}d, ten years)")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest friendly spelling of a duration: 900 s → ``"15m"``."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{delta.total_seconds():g}s"


def parse_size(value: object) -> int:
    """``"10MB"``, ``"512KiB"`` or a plain byte count → bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{shown(value)} is not a size (use e.g. 10MB, 512KiB)")
    return int(float(match[1]) * _SIZE_FACTOR[(match[2] or "b").lower()])


@dataclass(frozen=True)
class Threshold:
    """How far a ticker must move to alert: a percentage or an absolute amount."""

    amount: Decimal
    percent: bool

    def reached(self, old: Decimal, new: Decimal) -> bool:
        """True when ``new`` moved at least this far from ``old``."""
        delta = abs(new - old)
        if not self.percent:
            return delta >= self.amount
        return old != 0 and delta * 100 / abs(old) >= self.amount

    def __str__(self) -> str:
        return f"{self.amount}%" if self.percent else str(self.amount)


def parse_threshold(value: object) -> Threshold:
    """``"0.5%"`` → 0.5 percent; ``"0.001"`` or ``0.001`` → an absolute amount."""
    if isinstance(value, Threshold):
        return value
    text = str(value).strip() if isinstance(value, (str, int, float)) else ""
    percent = text.endswith("%")
    try:
        amount = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if isinstance(value, bool) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"{shown(value)} is not a threshold (use a percent like \"0.5%\" or an amount like \"0.001\")")
    return Threshold(amount, percent)


_LISTEN = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):(?P<port>\d{1,5})$")


def parse_listen(value: object) -> tuple[str, int]:
    """``"127.0.0.1:8680"`` or ``"[::1]:8680"`` → (host, port); anything else is a ValueError."""
    match = _LISTEN.match(value.strip()) if isinstance(value, str) else None
    if not match or int(match["port"]) > 65535:
        raise ValueError(f'{shown(value)} is not HOST:PORT (e.g. "127.0.0.1:8680", "[::1]:8680")')
    return match["v6"] or match["host"], int(match["port"])
