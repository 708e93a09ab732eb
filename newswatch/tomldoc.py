"""Reading a TOML document fast: a config of 10,000 sources is read by every command.

``rtoml`` (Rust) reads such a file about seven times faster than ``tomllib``; a text it refuses is
read again with ``tomllib``, whose error (line and column in words) is what the user sees, and
which also decides when the two disagree about what is valid. The last document read is kept,
so the config and the credentials check (both of the same file) parse it once.

A command that needs only some top-level tables (``articles`` needs ``[storage]``) asks for those
``sections``: only the text before the first table header and the tables whose header starts with
one of them is parsed (13,000 ``[[sources]]`` are 2 MB, most of the time of a read command). When
that cut could be wrong (a multi-line string, or the cut text is not TOML: a line inside an array
that looks like a header), the whole document is parsed instead, so the result and the errors are
the whole document's.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection
from typing import Any

import rtoml

# A line starting a table: "\n" first, not "^" with MULTILINE (that tries every one of 2 MB's positions: 3x slower)
_HEADER = re.compile(r"""\n[ \t]*\[\[?[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)""")


@functools.lru_cache(maxsize=2)
def _parsed(text: str) -> dict[str, Any]:
    try:
        document = rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError, TypeError):
        document = tomllib.loads(text)  # raises the error the user is shown
    if len(_WHOLE) >= 2:
        _WHOLE.clear()
    _WHOLE.add(text)
    return document


def loads(text: str, sections: Collection[str] | None = None) -> dict[str, Any]:
    """The document in ``text`` (tomllib.TOMLDecodeError when it is not TOML). Callers must not change it.

    With ``sections``, a document holding at least those top-level keys (perhaps only them)."""
    if sections is None or text in _WHOLE:  # parsed whole already: nothing to save by cutting it
        return _parsed(text)
    return _sections(text, frozenset(sections))


_WHOLE: set[str] = set()  # the texts _parsed holds (at most its two)


def forget() -> None:
    """Drop the documents kept: once a command has read its config, they are only memory (the text and its
    parsed tables: ~20 MB at 10,000 sources, for the life of a daemon)."""
    _parsed.cache_clear()
    _sections.cache_clear()
    _tables.cache_clear()
    _WHOLE.clear()


@functools.lru_cache(maxsize=4)
def _sections(text: str, sections: frozenset[str]) -> dict[str, Any]:
    part = _cut(text, sections)
    if part is not None:
        try:
            return rtoml.loads(part)
        except (rtoml.TomlParsingError, ValueError, TypeError):
            pass  # a cut in the wrong place, or an error: the whole document decides
    return _parsed(text)


def _cut(text: str, sections: frozenset[str]) -> str | None:
    """The text before the first table header and the tables of ``sections``; None when no cut is safe."""
    if '"""' in text or "'''" in text:
        return None
    text = "\n" + text  # a header on the first line too; the kept text starts with an empty line
    tables = _tables(text)
    if not tables:
        return None
    return text[: tables[0][0]] + "".join(text[start:end] for start, end, key in tables if key in sections)


@functools.lru_cache(maxsize=2)  # the config and the credentials check cut the same text
def _tables(text: str) -> list[tuple[int, int, str]]:
    """(start, end, first key) of each table of ``text`` (a str starting with a line break)."""
    starts = [(m.start(), m[1].strip("\"'")) for m in _HEADER.finditer(text)]
    if not starts:
        return []
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return [(start, end, key) for (start, key), end in zip(starts, ends, strict=True)]
