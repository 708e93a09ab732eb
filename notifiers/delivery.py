"""Delivering the outbox through Apprise, with tenacity retrying where that is safe.

Each notifier is worked through on its own, concurrently with the others, so
one that is down never delays another; within a notifier, one message the
service refuses never holds back the next. A delivery is marked delivered right
after Apprise reports SUCCESS. A failure is explained (``notifiers.failures``):
refused for good → status ``failed``, the operator told once; otherwise it stays
pending with its own backoff. Only a failure known to have happened before the
message was handed over is repeated within the pass.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

import apprise
from tenacity import AsyncRetrying, RetryError, retry_if_exception, stop_after_attempt, wait_exponential_jitter

import notifiers.console  # noqa: F401  (registers console://, the terminal notifier)
from newswatch.config import Config, NotifierConfig
from newswatch.errors import NewswatchError
from newswatch.health import NotifierHealth
from newswatch.outbox import (
    DeliveryLock,
    PendingDelivery,
    expire,
    mark_delivered,
    mark_failed,
    mark_refused,
    owed,
    pending,
    retry_delay,
)
from newswatch.secrets import Masker
from newswatch.store import Store, utcnow
from notifiers.failures import CAPTURE_LEVEL, Failure, captured, explain, listen_to_apprise
from notifiers.formats import Message, MessageFormat, format_for

log = logging.getLogger(__name__)
PASS_BUDGET_SECONDS = 60.0  # one pass spends at most this long on one notifier
LOCK_WAIT_SECONDS = PASS_BUDGET_SECONDS + 30  # a pass of another process on the same database ends by then


class DeliveryFailed(NewswatchError):
    """A notifier did not take a message; ``failure`` says why and what may follow (credentials masked)."""

    def __init__(self, notifier: str, failure: Failure | str) -> None:
        self.failure = failure if isinstance(failure, Failure) else Failure(failure)
        self.notifier, self.reason = notifier, self.failure.reason
        super().__init__(f"notifier {notifier}: {self.reason}")


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: list[tuple[int, str]] = field(default_factory=list)
    failed: dict[tuple[int, str], str] = field(default_factory=dict)
    expired: list[tuple[int, str]] = field(default_factory=list)
    refused: dict[tuple[int, str], str] = field(default_factory=dict)  # permanently: not tried again
    down: set[str] = field(default_factory=set)  # notifiers whose other deliveries wait for the next pass
    owed: int = 0  # deliveries still pending after the pass


class Target:
    """One configured notifier: its Apprise object and message format."""

    def __init__(self, notifier: NotifierConfig, masker: Masker) -> None:
        url = notifier.url.get_secret_value()
        self.name, self.masker = notifier.name, masker
        self.format: MessageFormat = format_for(url)
        self.apprise = apprise.Apprise()
        if not self.apprise.add(url):
            raise DeliveryFailed(notifier.name, f"not a URL Apprise understands: {masker(url)}")
        listen_to_apprise()

    async def send(self, messages: list[Message]) -> None:
        """Hand every message to the service; DeliveryFailed (explained) unless each one succeeded."""
        for message in messages:
            result = await asyncio.to_thread(
                self.apprise.notify, body=message.body, title=message.title, body_format=message.body_format,
                log_level=CAPTURE_LEVEL,
            )
            if not result:
                failure = explain(captured(result), getattr(result.status, "name", str(result.status)))
                raise DeliveryFailed(self.name, replace(failure, reason=self.masker(failure.reason)))


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
                report = DeliveryReport()
            else:
                report = await self._deliver_pending(due_only)
        report.owed = owed(self.store)
        return report

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
            for item in pending(self.store, utcnow(), due_only):  # delivered or refused items are no longer pending
                if item.notifier not in report.down and (item.alert_id, item.notifier) not in report.failed:
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
        """Deliver ``items`` in order. A failure of one message never holds back the next; a failure that
        would hit every message (or two failures in a row) leaves the rest for the next pass, untried."""
        target = self.targets.get(name)
        deadline, streak = time.monotonic() + PASS_BUDGET_SECONDS, 0
        for item in items:
            if target is None:
                self._failed(item, Failure(self.broken.get(name, "notifier no longer configured")), report)
                report.down.add(name)
                return
            if time.monotonic() > deadline:
                report.down.add(name)
                return
            failure = await self._attempt(target, item, report)
            streak = streak + 1 if failure and not failure.permanent else 0
            if failure and (failure.whole_notifier or streak >= 2):
                report.down.add(name)
                return

    async def _attempt(self, target: Target, item: PendingDelivery, report: DeliveryReport) -> Failure | None:
        """Send one delivery (with in-pass retries where safe) and record the outcome; the failure, if any."""
        try:
            await self._send_with_retry(target, item)
        except DeliveryFailed as exc:
            self._failed(item, exc.failure, report)
            return exc.failure
        mark_delivered(self.store, item.alert_id, target.name, utcnow())
        report.delivered.append((item.alert_id, target.name))
        self.health.delivered(target.name)
        return None

    async def _send_with_retry(self, target: Target, item: PendingDelivery) -> None:
        """Only a failure known to have happened before anything was handed over is repeated in this pass."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.alerts.attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.2),
            retry=retry_if_exception(lambda exc: isinstance(exc, DeliveryFailed) and exc.failure.safe_to_repeat),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await target.send(target.format.render(item.payload))
        except RetryError as exc:  # pragma: no cover - reraise=True hands back the last DeliveryFailed
            raise DeliveryFailed(target.name, str(exc)) from None

    def _failed(self, item: PendingDelivery, failure: Failure, report: DeliveryReport) -> None:
        now, key = utcnow(), (item.alert_id, item.notifier)
        if failure.permanent:
            mark_refused(self.store, item.alert_id, item.notifier, failure.reason, now)
            report.refused[key] = failure.reason
            log.error("alert %d was refused by %s and will not be tried again: %s", *key, failure.reason)
            if item.kind != "operator":  # a refused notice is not reported, or notices could beget notices
                self.health.refused(item.alert_id, item.notifier, failure.reason)
            return
        mark_failed(self.store, item.alert_id, item.notifier, failure.reason, now, now + retry_delay(item.attempts + 1))
        report.failed[key] = failure.reason
        self.health.failed(item.notifier, failure.reason)
        log.warning("delivery of alert %d to %s failed: %s", *key, failure.reason)


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
