"""Waiting on observable events with a deadline — never a guessed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

POLL_SECONDS = 0.05


def wait_until(predicate: Callable[[], Any], what: str, timeout: float = 30.0, context: Callable[[], str] = str) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned); fail at the deadline naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{context()}")
