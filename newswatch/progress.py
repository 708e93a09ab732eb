"""A progress line per finished source during a long ``newswatch once`` (on a terminal only)."""

from __future__ import annotations

from rich.text import Text

from newswatch.config import SourceConfig
from newswatch.diff import RunReport
from newswatch.output import STYLES, console
from newswatch.store import Store


class PassProgress:
    """A run hook printing ``[done/total] source: outcome, items, new · failed so far`` to stderr per source."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.out = console(stderr=True)

    def __call__(self, store: Store, source: SourceConfig, report: RunReport) -> None:
        self.done += 1
        self.failed += report.outcome == "failed"
        line = Text(f"[{self.done}/{self.total}] {report.source}: ")
        line.append(report.outcome, style=STYLES.get(report.outcome, ""))
        line.append(f", {report.items} items, {len(report.new)} new · {self.failed} failed so far")
        self.out.print(line, soft_wrap=True)
