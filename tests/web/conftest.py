"""The demo's database, made once by ``newswatch demo --dir`` (the real pipeline on the bundled seed pages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.demo import copy_demo, make_demo
from support.web import Serving


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the demo folder of one's own (config.toml, demo.db) that a test may change."""
    return copy_demo(demo_dir, tmp_path / "demo")


@pytest.fixture
def web(demo: Path) -> Iterator[tuple[Serving, str]]:
    """``newswatch web`` on the demo database, on a free port: the process and its base URL."""
    serving = Serving("web", "-c", demo / "config.toml", "--listen", "127.0.0.1:0", cwd=demo)
    try:
        yield serving, serving.url()
    finally:
        serving.kill()
