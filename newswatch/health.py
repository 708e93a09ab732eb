"""Telling the operator, once, that a source or a notifier keeps failing, and once that it recovered.

``SourceHealth`` is a pipeline ``RunHook``: after ``alerts.failure_threshold``
consecutive failed runs it queues one "source failing" alert with the reason;
nothing more while it stays down; one "recovered" alert when a run succeeds.
"""

from __future__ import annotations

from newswatch.alerts import routed
from newswatch.config import Config, SourceConfig
from newswatch.diff import RunReport
from newswatch.outbox import enqueue
from newswatch.store import Store, iso, utcnow


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


class NotifierHealth:
    """Counts each notifier's consecutive failed deliveries; tells the operator on transitions.

    The notice goes to the operator notifiers other than the failing one (to all
    of them when it is the only one), through the outbox like any alert.
    """

    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store
        self.operators = routed(config, config.alerts.operator)

    def failed(self, name: str, reason: str) -> None:
        """One delivery to ``name`` failed (after its retries)."""
        with self.store.transaction():
            row = self._row(name, reason, +1)
            if row["consecutive_failures"] >= self.config.alerts.failure_threshold and not row["failing_notified"]:
                text = f"{row['consecutive_failures']} deliveries in a row failed. Last error: {reason}"
                self._tell(name, f"notifier {name} is failing", text, True)

    def delivered(self, name: str) -> None:
        """A delivery to ``name`` went through."""
        with self.store.transaction():
            row = self._row(name, None, 0)
            if row["failing_notified"]:
                self._tell(name, f"notifier {name} recovered", "Deliveries go through again.", False)

    def refused(self, alert_id: int, name: str, reason: str) -> None:
        """Tell the operator, once, that ``name`` refused alert ``alert_id`` for good (it is not tried again)."""
        text = (f"Alert {alert_id} was refused by notifier {name} and will not be tried again: {reason}. "
                f"`newswatch alerts` lists it.")
        with self.store.transaction():
            self._tell(name, f"alert refused by {name}", text, None, key=f"refused:{alert_id}:{name}")

    def gave_up(self, expired: list[tuple[int, str, str | None]]) -> None:
        """Tell the operator, once, about deliveries given up after ``alerts.max_age``."""
        if not expired:
            return
        names = sorted({notifier for _, notifier, _ in expired})
        text = (f"{len(expired)} alerts could not be delivered to {', '.join(names)} within "
                f"{self.config.alerts.max_age} and were given up. Last error: {expired[-1][2]}")
        with self.store.transaction():
            self._tell(names[0], "alerts given up", text, None, key=f"expired:{expired[0][0]}:{expired[-1][0]}")

    def _row(self, name: str, reason: str | None, step: int) -> dict:
        return self.store.query(
            "INSERT INTO notifier_health (name, consecutive_failures, last_error) VALUES (?, max(?, 0), ?) "
            "ON CONFLICT (name) DO UPDATE SET consecutive_failures = "
            "CASE WHEN ? > 0 THEN consecutive_failures + 1 ELSE 0 END, last_error = excluded.last_error "
            "RETURNING consecutive_failures, failing_notified",
            [name, step, reason, step],
        )[0]

    def _tell(self, name: str, title: str, text: str, failing: bool | None, key: str | None = None) -> None:
        targets = [n for n in self.operators if n != name] or self.operators
        payload = {"kind": "operator", "title": title, "text": text}
        enqueue(self.store, key or f"notifier:{name}:{title}:{iso(utcnow())}", "operator", payload, targets, utcnow())
        if failing is not None:
            self.store.execute("UPDATE notifier_health SET failing_notified = ? WHERE name = ?", [int(failing), name])
