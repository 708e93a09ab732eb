"""The one exception hierarchy of newswatch.

The library raises these; the CLI and the daemon turn them into one line and
an exit status. Each message is built from the offending id in ``__init__``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")  # what str.splitlines breaks at, and more


class NewswatchError(Exception):
    """Base class of every error newswatch raises on purpose."""


class ConfigError(NewswatchError):
    """The configuration is invalid; ``problems`` holds one line per fault (line breaks in values escaped)."""

    def __init__(self, problems: Sequence[str], path: str = "") -> None:
        self.problems = [_LINE_BREAKING.sub(lambda m: repr(m[0])[1:-1], p) for p in problems]
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(self.problems))


class UnknownSourceError(NewswatchError):
    """A command named a source that the config does not define."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"no source named {name!r} (known: {', '.join(known) or 'none'})")


class UnknownNotifierError(NewswatchError):
    """A command named a notifier that the config does not define."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"no notifier named {name!r} (known: {', '.join(known) or 'none'})")


class StoreError(NewswatchError):
    """The database cannot be used (locked by another process, newer schema...)."""


class WebError(NewswatchError):
    """The web front cannot listen where it was asked to."""

    def __init__(self, listen: str, reason: str) -> None:
        super().__init__(f"web: cannot listen on {listen}: {reason}")


class DatabaseFault(StoreError):
    """The database failed under a running command: full, damaged, locked too long, an I/O error.

    Nothing half-done is kept (the transaction is rolled back); a daemon retries on its next
    run, a command exits 1. The message names the database and the cause in words.
    """

    exit_status = 1

    def __init__(self, database: object, cause: str) -> None:
        self.cause = cause
        super().__init__(f"database {database}: {cause}")
