"""What the read-only commands need of the config, validated without the rest of it.

``articles`` needs only ``[storage]``; ``status`` also the notifiers, ``[workers]`` and each
source's name and type. Validating 13,000 full source tables (URLs, selectors, intervals) took
longer than the whole command may: here only the keys the command reads are validated, and a bad
one is still named (``sources[3].name: ...``); ``newswatch check`` judges the whole file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from newswatch import defaults
from newswatch.config import Name, _decoded, _duplicates, _items, _parsed, read_config_bytes
from newswatch.config_errors import describe_errors
from newswatch.errors import ConfigError

ARTICLES_SECTIONS = frozenset({"storage"})
STATUS_SECTIONS = frozenset({"storage", "alerts", "notifiers", "workers"})


class SourceEntry(BaseModel):
    """A source as ``status`` lists it: its name and type."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)
    name: Name
    type: Literal[defaults.SOURCE_TYPES] = "html"  # type: ignore[valid-type]


class _Entries(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    sources: tuple[SourceEntry, ...] = ()


def source_entries(path: Path) -> tuple[SourceEntry, ...]:
    """The configured sources' names and types, in file order (ConfigError naming a bad one).

    The document is parsed once per process (tomldoc keeps it): ``load_config`` after this parses nothing.
    """
    try:
        raw = _parsed(_decoded(read_config_bytes(path)), path)  # invalid TOML: a ConfigError with its line
    except OSError as exc:  # the same words as load_config's
        raise ConfigError([f"cannot read the config file: {exc.strerror or exc}"], str(path)) from None
    except ValueError as exc:
        raise ConfigError([f"cannot read the config file: {exc}"], str(path)) from None
    data = {"sources": raw.get("sources", [])}  # SourceEntry ignores every other key of a source
    problems = _duplicates(_items(data, "sources"), "sources")
    try:
        entries = _Entries.model_validate(data).sources
    except ValidationError as exc:
        raise ConfigError(problems + describe_errors(exc, raw, _Entries), str(path)) from None
    if problems:
        raise ConfigError(problems, str(path))
    return entries

