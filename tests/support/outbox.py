"""Alerts queued straight into a real outbox, and one delivery pass over it (for tests of notifiers/)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from newswatch.config import Config, parse_config
from newswatch.outbox import enqueue
from newswatch.store import Store, utcnow
from notifiers.delivery import Deliverer, DeliveryReport

HOSTILE = "Kazakhstan <b>Reports</b> 134 & *Human* _Trafficking_ [Cases](x)"


def make_config(tmp_path: Path, notifiers: dict[str, str], **alerts: object) -> Config:
    """A config with these notifiers (name → Apprise URL) and ``[alerts]`` keys (default: 2 attempts)."""
    settings: dict[str, object] = {"attempts": 2, **alerts}
    lines = ["[alerts]", *(f"{k} = {json.dumps(v)}" for k, v in settings.items())]
    for name, url in notifiers.items():
        lines += ["[[notifiers]]", f'name = "{name}"', f'url = "{url}"']
    return parse_config("\n".join(lines), tmp_path / "config.toml", {"HOOK_PASSWORD": "s3cr3t-pw"})


def queue_article(store: Store, config: Config, article_id: int = 1, title: str = HOSTILE) -> None:
    payload = {
        "kind": "article",
        "article_id": article_id,
        "watch": "trafficking",
        "notify": [],
        "title": title,
        "url": f"https://news.example/{article_id}",
        "source": "demo",
        "published": None,
        "keywords": ["trafficking"],
        "snippet": "…134 human trafficking cases…",
    }
    with store.transaction():
        enqueue(
            store, f"article:{article_id}:trafficking", "article", payload, [n.name for n in config.notifiers], utcnow()
        )


def deliver(config: Config, store: Store, due_only: bool = False) -> DeliveryReport:
    return asyncio.run(Deliverer(config, store).deliver_pending(due_only=due_only))


def statuses(store: Store) -> dict[str, str]:
    return {r["notifier"]: r["status"] for r in store.query("SELECT notifier, status FROM deliveries")}
