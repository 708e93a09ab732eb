"""The demo's folder (config.toml and demo.db), made by ``newswatch demo --dir`` — the real pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.cli import newswatch


def make_demo(folder: Path) -> Path:
    """Run the demo into ``folder``; ``folder``."""
    proc = newswatch("demo", "--dir", folder, cwd=folder, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder


def copy_demo(source: Path, target: Path) -> Path:
    """A copy of a demo folder that a test may change."""
    shutil.copytree(source, target)
    return target
