"""``console://``: an Apprise notifier that prints alerts to the terminal (used by ``newswatch demo``).

Registered with Apprise's own custom-notification decorator, so alerts reach
it through the same outbox and Apprise delivery as Telegram or email.
"""

from __future__ import annotations

from typing import Any

import click
from apprise.decorators import notify


@notify(on="console", name="newswatch console")
def console(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    """Print one delivered message, framed so it stands out from the logs."""
    click.echo(click.style(f"┌─ alert delivered: {title}", fg="green", bold=True))
    for line in body.splitlines():
        click.echo(f"│ {line}")
    click.echo("└─")
    return True
