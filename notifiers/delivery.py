"""Delivering the outbox through Apprise, with tenacity retrying.

Each notifier is worked through on its own, concurrently with the others, so
one that is down never delays another. A delivery is marked delivered right
after Apprise reports SUCCESS; anything else (FAILURE, TIMEOUT, ...) is
recorded with its masked reason and retried on later passes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import apprise
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

import notifiers.console  # noqa: F401  (registers console://, the terminal notifier)
from newswatch.config import Config, NotifierConfig
from newswatch.errors import NewswatchError
from newswatch.health import NotifierHealth
from newswatch.outbox import DeliveryLock, PendingDelivery, expire, mark_delivered, mark_failed, pending, retry_delay
from newswatch.secrets import Masker
from newswatch.store import Store, utcnow
from notifiers.formats import Message, MessageFormat, format_for

log = logging.getLogger(__name__)
PASS_BUDGET_SECONDS = 60.0  # one pass spends at most this long on one notifier
LOCK_WAIT_SECONDS = PASS_BUDGET_SECONDS + 30  # a pass of another process on the same database ends by then


class DeliveryFailed(NewswatchError):
    """A notifier did not take a message."""

    def __init__(self, notifier: str, reason: str) -> None:
        self.notifier, self.reason = notifier, reason
        super().__init__(f"notifier {notifier}: {reason}")


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: list[tuple[int, str]] = field(default_factory=list)
    failed: dict[tuple[int, str], str] = field(default_factory=dict)
    expired: list[tuple[int, str]] = field(default_factory=list)


class Target:
    """One configured notifier: its Apprise object and message format."""

    def __init__(self, notifier: NotifierConfig, masker: Masker) -> None:
        url = notifier.url.get_secret_value()
        self.name, self.masker = notifier.name, masker
        self.format: MessageFormat = format_for(url)
        self.apprise = apprise.Apprise()
        if not self.apprise.add(url):
            raise DeliveryFailed(notifier.name, f"not a URL Apprise understands: {masker(url)}")

    async def send(self, messages: list[Message]) -> None:
        """Hand every message to the service; DeliveryFailed unless each one succeeded."""
        for message in messages:
            result = await asyncio.to_thread(
                self.apprise.notify, body=message.body, title=message.title, body_format=message.body_format
            )
            if not result:
                raise DeliveryFailed(self.name, self.masker(_reason(result)))


def _reason(result: apprise.AppriseResult) -> str:
    lines = [entry.message for service in result for attempt in service for entry in attempt
             if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    status = getattr(result.status, "name", str(result.status))
    return f"{status}: {lines[-1]}" if lines else status


class Deliverer:
    """Delivers pending outbox rows to the configured notifiers."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store
        self.masker = Masker(config.secrets)
        self.targets: dict[str, Target] = {}
        self.broken: dict[str, str] = {}
        self.health = NotifierHealth(config, store)
        for notifier in config.notifiers:
            try:
                self.targets[notifier.name] = Target(notifier, self.masker)
            except DeliveryFailed as exc:
                self.broken[notifier.name] = exc.reason

    async def deliver_pending(self, due_only: bool = True) -> DeliveryReport:
        """One pass over what is owed; notifiers in parallel, each in alert order.

        Waits for a pass another process is making on the same database, then sends what it left.
        """
        async with self._exclusive() as mine:
            if not mine:
                log.warning("another newswatch process is still delivering from %s; leaving what is owed to it",
                            self.store.path)
                return DeliveryReport()
            return await self._deliver_pending(due_only)

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[bool]:
        lock = DeliveryLock(self.store.path)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while not lock.acquire():
            if time.monotonic() > deadline:
                yield False
                return
            await asyncio.sleep(0.1)
        try:
            yield True
        finally:
            lock.release()

    async def _deliver_pending(self, due_only: bool) -> DeliveryReport:
        report = DeliveryReport()
        self._expire(report)
        # A second round sends the operator notices the first one queued (failing/recovered notifiers).
        for _ in range(2):
            by_notifier: dict[str, list[PendingDelivery]] = defaultdict(list)
            down = {notifier for _, notifier in report.failed}
            for item in pending(self.store, utcnow(), due_only):
                if item.notifier not in down:  # delivered items are no longer pending
                    by_notifier[item.notifier].append(item)
            if not by_notifier:
                break
            await asyncio.gather(*(self._work(name, items, report) for name, items in by_notifier.items()))
        return report

    def _expire(self, report: DeliveryReport) -> None:
        rows = expire(self.store, self.config.alerts.max_age, utcnow())
        for row in rows:
            report.expired.append((row["alert_id"], row["notifier"]))
            log.error("gave up delivering alert %d to %s: %s", row["alert_id"], row["notifier"], row["last_error"])
        self.health.gave_up([(r["alert_id"], r["notifier"], r["last_error"]) for r in rows])

    async def _work(self, name: str, items: list[PendingDelivery], report: DeliveryReport) -> None:
        """Deliver ``items`` in order; after a failure the rest wait for the next pass, untried."""
        target = self.targets.get(name)
        deadline = time.monotonic() + PASS_BUDGET_SECONDS
        for item in items:
            if target is None:
                self._failed(item, self.broken.get(name, "notifier no longer configured"), report)
                return
            if time.monotonic() > deadline:
                return
            try:
                await self._send_with_retry(target, item)
            except DeliveryFailed as exc:
                self._failed(item, exc.reason, report)
                return
            mark_delivered(self.store, item.alert_id, name, utcnow())
            report.delivered.append((item.alert_id, name))
            self.health.delivered(name)

    async def _send_with_retry(self, target: Target, item: PendingDelivery) -> None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.alerts.attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.2),
            retry=retry_if_exception_type(DeliveryFailed),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await target.send(target.format.render(item.payload))
        except RetryError as exc:  # pragma: no cover - reraise=True hands back the last DeliveryFailed
            raise DeliveryFailed(target.name, str(exc)) from None

    def _failed(self, item: PendingDelivery, reason: str, report: DeliveryReport) -> None:
        now = utcnow()
        mark_failed(self.store, item.alert_id, item.notifier, reason, now, now + retry_delay(item.attempts + 1))
        report.failed[(item.alert_id, item.notifier)] = reason
        self.health.failed(item.notifier, reason)
        log.warning("delivery of alert %d to %s failed: %s", item.alert_id, item.notifier, reason)


def notifier_problems(config: Config) -> list[str]:
    """One line per notifier whose URL Apprise cannot use (credentials masked)."""
    masker = Masker(config.secrets)
    problems = []
    for i, notifier in enumerate(config.notifiers):
        try:
            Target(notifier, masker)
        except DeliveryFailed as exc:
            problems.append(f"notifiers[{i}].url: {exc.reason}")
    return problems


async def send_test(config: Config, names: list[str]) -> dict[str, str | None]:
    """Send a test message through each named notifier; name → None on success, else the reason."""
    masker = Masker(config.secrets)
    payload = {"kind": "test", "title": "newswatch test message",
               "text": "If you can read this, newswatch can reach you through this notifier."}

    async def one(notifier: NotifierConfig) -> str | None:
        try:
            target = Target(notifier, masker)
            await target.send(target.format.render(payload))
        except DeliveryFailed as exc:
            return exc.reason
        return None

    chosen = [n for n in config.notifiers if n.name in names]
    results = await asyncio.gather(*(one(n) for n in chosen))
    return dict(zip([n.name for n in chosen], results, strict=True))
