"""What the CLI prints: readable tables for people, one JSON document for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click


def emit_json(document: Any) -> None:
    """Print ``document`` as one JSON document."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=_jsonable))


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], empty: str = "nothing yet") -> None:
    """Print rows as an aligned table with the given columns (keys of the rows)."""
    if not rows:
        click.echo(empty)
        return
    from tabulate import tabulate

    body = [[_cell(row.get(col)) for col in columns] for row in rows]
    click.echo(tabulate(body, headers=[c.replace("_", " ") for c in columns], tablefmt="simple"))


def shorten(text: str | None, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    text = text or ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (Decimal, Path)):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
