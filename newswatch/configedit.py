"""Writing ``config.toml`` for ``newswatch init`` and ``newswatch add``.

The user's file is theirs: ``init`` never overwrites one, and ``add`` only
appends a ``[[sources]]`` table (rendered with tomlkit) after the existing
text, so every comment and the layout stay exactly as they were. The edited
text is validated before it replaces the file, atomically: a daemon polling
the file never sees a half-written or invalid config.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit

from newswatch.errors import ConfigError, NewswatchError
from newswatch.urls import is_http_url

_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
_NOT_NAME = re.compile(r"[^a-z0-9_]+")
_SKIPPED_SEGMENTS = frozenset({"index", "default", "home"})
_MAX_NAME = 64


class ConfigEditError(NewswatchError):
    """``add`` or ``init`` cannot edit the config as asked."""


def starter_text() -> str:
    """The commented starter config bundled with the package."""
    # Next to this module (package data), not files("newswatch"): under pytest the
    # name "newswatch" can resolve to the namespace package tests/newswatch.
    return Path(__file__).with_name("starter.toml").read_text(encoding="utf-8")


def write_starter(path: Path) -> bool:
    """Create ``path`` with the starter config; False (and nothing written) if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(starter_text())
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigEditError(f"cannot write {path}: {exc.strerror or exc}") from None
    return True


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL; else a ConfigEditError saying so."""
    if not is_http_url(url):
        raise ConfigEditError(f"{url!r} is not an http(s) URL (write it in full: https://example.org/news/)")
    return url


# --- names ------------------------------------------------------------------------


def default_name(url: str, taken: Collection[str]) -> str:
    """A source name from the URL's host and last path segment, unique among ``taken``.

    ``https://www.timesca.com/tag/migration/`` gives ``timesca-migration``;
    then ``timesca-migration-2``, ``-3``... if that is used.
    """
    parts = urlsplit(url)
    labels = _host_labels(parts.hostname or "")
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    words = [*labels, last] if last.lower() not in _SKIPPED_SEGMENTS else labels
    base = _slug("-".join(words))[: _MAX_NAME - 4].strip("-") or "source"
    return _unique(base, taken)


def check_name(name: str, taken: Collection[str]) -> str:
    """``name`` if it can name a new source; else a ConfigEditError saying why."""
    if not _NAME.match(name):
        raise ConfigEditError(f"--name {name!r}: a source name is 1-64 of a-z, 0-9, '_' and '-'")
    if name in taken:
        raise ConfigEditError(f"--name {name!r}: a source with that name already exists")
    return name


def _host_labels(host: str) -> list[str]:
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    labels = [label for label in host.removeprefix("www.").split(".") if label]
    if len(labels) > 1 and labels[-1].isalpha():
        labels = labels[:-1]  # the top-level domain says little: "timesca", not "timesca-com"
    return labels


def _slug(text: str) -> str:
    return _NOT_NAME.sub("-", text.lower()).strip("-")


def _unique(base: str, taken: Collection[str]) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


# --- the [[sources]] table ------------------------------------------------------------


def source_toml(name: str, url: str, kind: str, select: Mapping[str, str], notes: Sequence[str] = ()) -> str:
    """The ``[[sources]]`` table for one source, preceded by ``notes`` as comments."""
    table = tomlkit.table()
    table.add("name", name)
    table.add("url", url)
    table.add("type", kind)
    if select:
        selectors = tomlkit.table()
        for key, value in select.items():
            selectors.add(key, value)
        table.add("select", selectors.indent(2))
    sources = tomlkit.aot()
    sources.append(table)
    comments = "".join(f"# {line}\n" for line in notes)
    return comments + tomlkit.dumps({"sources": sources}).lstrip("\n")


def appended(original: str, fragment: str) -> str:
    """``original`` unchanged, then a blank line and ``fragment``."""
    if not original.strip():
        return original + fragment
    return original + ("" if original.endswith("\n") else "\n") + "\n" + fragment


def append_source(path: Path, fragment: str, validate: Callable[[Path], object]) -> None:
    """Append ``fragment`` to the config at ``path`` if ``validate`` accepts the result.

    ``validate`` loads a config file and raises ConfigError when it is
    invalid; it runs on the edited text in a sibling file (so relative paths
    mean the same), which then replaces ``path`` atomically. When it raises,
    ``path`` is left untouched and the error names ``path``.
    """
    target = path.resolve()
    text = appended(target.read_text(encoding="utf-8"), fragment)
    draft = target.with_name(f".{target.name}.newswatch-add-{os.getpid()}")
    try:
        draft.write_text(text, encoding="utf-8")
        shutil.copymode(target, draft)
        validate(draft)
        os.replace(draft, target)
    except ConfigError as exc:
        raise ConfigError(exc.problems, str(path)) from None
    finally:
        draft.unlink(missing_ok=True)
