"""Shared fixtures: the local fixture site, a work directory, and the CLI run as a user runs it.

``tests/`` is put on ``sys.path`` so that test modules (imported with
``--import-mode=importlib``) can import the helpers in ``support/``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from support.cli import newswatch, write_config  # noqa: E402  (re-exported: the helpers of this suite)
from support.server import FixtureSite  # noqa: E402
from support.sinks import HttpSink  # noqa: E402

__all__ = ["newswatch", "write_config"]


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    """One local HTTP server for the whole session; each test serves its pages under its own ``prefix``."""
    server = FixtureSite()
    yield server
    server.close()


@pytest.fixture
def prefix() -> str:
    """A path prefix no other test uses, so tests never see each other's pages or hits."""
    return "/" + uuid.uuid4().hex[:12]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The directory a test's config, database and subprocess cwd live in."""
    return tmp_path


@pytest.fixture
def hook() -> Iterator[HttpSink]:
    """A local webhook sink for ``json://127.0.0.1:PORT/`` notifiers."""
    sink = HttpSink()
    yield sink
    sink.close()
