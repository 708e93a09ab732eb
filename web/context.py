"""What every page reads: the config in force, the read-only store, the daemon's heartbeat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch.config import Config
from newswatch.secrets import Masker
from newswatch.store import Store


@dataclass
class WebContext:
    """Shared by the handlers; all of them run on one event loop, so one connection serves them all."""

    config: Callable[[], Config]
    store: Store
    heartbeat: Path

    def mask(self, text: str | None) -> str | None:
        """``text`` with every secret of the config masked (errors can quote a URL)."""
        return Masker(self.config().secrets)(text) if text else text
