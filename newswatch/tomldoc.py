"""Reading a TOML document fast: a config of 10,000 sources is read by every command.

``rtoml`` (Rust) reads such a file about seven times faster than ``tomllib``; a text it refuses is
read again with ``tomllib``, whose error (line and column in words) is what the user sees, and
which also decides when the two disagree about what is valid. The last document read is kept,
so the config and the credentials check (both of the same file) parse it once.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any

import rtoml


@functools.lru_cache(maxsize=2)
def _parsed(text: str) -> dict[str, Any]:
    try:
        return rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError, TypeError):
        return tomllib.loads(text)  # raises the error the user is shown


def loads(text: str) -> dict[str, Any]:
    """The document in ``text`` (tomllib.TOMLDecodeError when it is not TOML). Callers must not change it."""
    return _parsed(text)
