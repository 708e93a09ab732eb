"""Telling the operator, once, that a source keeps failing, and once that it recovered.

``SourceHealth`` is a pipeline ``RunHook``: after ``alerts.failure_threshold``
consecutive failed runs it queues one "source failing" alert with the reason;
nothing more while it stays down; one "recovered" alert when a run succeeds.
"""

from __future__ import annotations

from newswatch.alerts import routed
from newswatch.config import Config, SourceConfig
from newswatch.diff import RunReport
from newswatch.outbox import enqueue
from newswatch.store import Store, utcnow


class SourceHealth:
    """Queues operator alerts on a source's failing/recovered transitions."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.notifiers = routed(config, config.alerts.operator)

    def __call__(self, store: Store, source: SourceConfig, report: RunReport) -> None:
        row = store.query(
            "SELECT consecutive_failures, failing_notified FROM sources WHERE name = ?", [source.name]
        )[0]
        if report.failed and not row["failing_notified"]:
            if row["consecutive_failures"] >= self.config.alerts.failure_threshold:
                self._tell(store, source.name, report, True, row["consecutive_failures"])
        elif not report.failed and row["failing_notified"]:
            self._tell(store, source.name, report, False, 0)

    def _tell(self, store: Store, name: str, report: RunReport, failing: bool, failures: int) -> None:
        if failing:
            title = f"source {name} is failing"
            text = f"{failures} runs in a row failed. Last error: {report.error}"
        else:
            title = f"source {name} recovered"
            text = f"The last run succeeded ({report.items} items)."
        payload = {"kind": "operator", "source": name, "title": title, "text": text}
        enqueue(store, f"health:{name}:{report.run_id}", "operator", payload, self.notifiers, utcnow())
        store.execute("UPDATE sources SET failing_notified = ? WHERE name = ?", [int(failing), name])
