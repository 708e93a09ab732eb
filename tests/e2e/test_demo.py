"""`newswatch demo`: the real pipeline on the bundled seed pages, no network, no config."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from support.cli import newswatch

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"


def test_demo_shows_baseline_then_the_trafficking_article_and_the_ticker_move(tmp_path: Path) -> None:
    proc = newswatch("demo", "--dir", tmp_path / "demo", cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("== pass 2")
    assert "alert delivered" not in first
    assert "alert delivered: Kazakhstan Reports 134 Human Trafficking Cases in First Half of 2025" in second
    assert "alert delivered: TJS/USD moved -0.18%" in second
    assert second.count("alert delivered") == 3
    assert "newswatch articles -c" in proc.stdout
    stored = json.loads(newswatch("articles", "-c", tmp_path / "demo" / "config.toml", "--json", cwd=tmp_path).stdout)
    assert len(stored) == 9


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed captures are not here ({SEEDS})")
def test_bundled_pages_are_the_rendering_of_the_seeds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, ROOT / "scripts" / "render_seeds.py", "--out", tmp_path], check=True)
    for name in ("before.html", "after.html"):
        bundled = resources.files("newswatch.demo").joinpath(name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == bundled
