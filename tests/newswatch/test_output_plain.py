"""Long tables (``status`` over 10,000 sources) are laid out without rich, and look the same as rich's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newswatch import output

COLUMNS = ["source", "type", "last_run", "outcome", "items", "failures", "next_run", "error"]
TIMES = ["last_run", "next_run"]


def rows(n: int, last_run: str = "2026-12-02T01:00:00+00:00") -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for i in range(n):
        error = f"connection refused: http://127.0.0.1:9/feed/{i} and a long reason after it" if i % 2 else None
        found.append({"source": f"source-{i}" if i % 3 else f"新闻来源-{i}", "type": "feed", "outcome": "ok",
                      "last_run": last_run, "items": i * 7, "failures": i % 4, "next_run": None,
                      "error": error})
    return found


def rich_lines(found: list[dict[str, object]], width: int, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setattr(output, "RICH_ROWS", len(found) + 1)
    output.emit_table(found, COLUMNS, times=TIMES, optional=["type", "next_run"])
    return capsys.readouterr().out.splitlines()


NOW = datetime.now(UTC)
# Each time form ("01:00" today, "12-02 01:00" this year, a date before it): the columns' widths differ with it.
WHEN = [NOW.isoformat(), (NOW - timedelta(days=2)).isoformat(), "2019-06-02T01:00:00+00:00"]


@pytest.mark.parametrize("last_run", WHEN, ids=["today", "two-days-ago", "years-ago"])
@pytest.mark.parametrize("width", [200, 80, 72, 60])
def test_the_plain_layout_is_richs(width: int, last_run: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    found = rows(12, last_run)
    expected = rich_lines(found, width, monkeypatch, capsys)
    assert output.plain_table(found, COLUMNS, TIMES, ["type", "next_run"], width) == expected


def test_a_long_table_goes_the_plain_way_and_fits(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    found = rows(output.RICH_ROWS + 1)
    output.emit_table(found, COLUMNS, times=TIMES, optional=["type", "next_run"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + len(found) + 1
    assert all(output.cell_len(line) <= 70 for line in lines)
    assert lines[3].endswith("…") and lines[4].startswith("source-2 ")
