"""What the CLI prints: readable tables for people, one JSON document for machines.

Tables are laid out by ``rich`` to the terminal's width (80 columns when the
output is not a terminal, or ``$COLUMNS``), measuring wide characters, so a
Chinese title keeps the columns straight. Free text (titles, errors) is cut
with ``…``; a link is never cut: it goes on a line of its own under its row.
Colour only on a terminal, never with ``$NO_COLOR`` or ``--no-color``.
Times are shown in local time, and the table says which zone that is.
"""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

FREE_TEXT = frozenset({"title", "summary", "error", "last_error", "watches", "sources", "link", "trend"})
"""Columns that give up width first (cut with an ellipsis) when the table is too wide."""
FREE_TEXT_MIN = 12
STYLES = {"failed": "bold red", "cancelled": "red", "expired": "red", "unchanged": "dim", "never run": "dim",
          "ok": "green", "delivered": "green", "baseline": "cyan", "pending": "yellow"}
"""Colour of a cell by its value (outcomes and delivery statuses)."""
_color = True


def disable_color() -> None:
    """``--no-color``: plain text even on a terminal."""
    global _color
    _color = False


def console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr): terminal width; styles only on a terminal, never with $NO_COLOR."""
    out = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if out.no_color or not _color:  # rich keeps bold and dim under NO_COLOR; plain means no escape code at all
        out = Console(stderr=stderr, highlight=False, soft_wrap=False, color_system=None)
    return out


def emit_json(document: Any) -> None:
    """Print ``document`` as one JSON document."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=_jsonable))


def emit_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], empty: str = "nothing yet", link: str | None = None,
    times: Sequence[str] = (), optional: Sequence[str] = (),
) -> None:
    """Print rows as a table of ``columns`` fitted to the terminal; ``link``'s value under each row, uncut.

    ``times`` name columns holding stored (UTC ISO) timestamps: shown in local time, the zone in the caption.
    ``optional`` columns are left out, in that order, while the table would not fit at its natural width.
    """
    if not rows:
        click.echo(empty)
        return
    out = console()
    if len(rows) > RICH_ROWS:
        lines = plain_table(rows, columns, times, optional, out.width, out.color_system is not None)
        click.echo("\n".join(_with_links(lines, rows, link) if link else lines), color=True)
        return
    shown = list(columns)
    for col in optional:  # measured with free text cut to FREE_TEXT_MIN: free text gives way before a column goes
        if _natural_width(out, _filled(rows, shown, times, True)) <= out.width:
            break
        shown.remove(col)
    table = _filled(rows, shown, times)
    with out.capture() as captured:
        out.print(table)
    lines = [line.rstrip() for line in captured.get().splitlines()]
    click.echo("\n".join(_with_links(lines, rows, link) if link else lines), color=True)  # rich chose already


RICH_ROWS = 300
"""Tables longer than this are laid out by :func:`plain_table` (rich measures and renders each cell several
times: 10,000 rows of ``status`` took seconds); the same columns, cuts and look, one pass over the cells."""
GAP = "  "


def plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], times: Sequence[str] = (),
                optional: Sequence[str] = (), width: int = 80, color: bool = False) -> list[str]:
    """The lines of the table, as rich lays it out (a head, a rule, one line per row, the times caption)."""
    now = datetime.now().astimezone()
    cells = {col: [_plain(compact_time(r.get(col), now) if col in times else r.get(col)) for r in rows]
             for col in columns}
    natural = {col: max([_cells(col.replace("_", " ")), min(len(col), 8), *map(_cells, cells[col])])
               for col in columns}
    shown = list(columns)
    for col in optional:
        if _fitted_width(natural, shown, FREE_TEXT_MIN) <= width:
            break
        shown.remove(col)
    widths = _fit({col: natural[col] for col in shown}, width)
    total = sum(widths.values(), len(GAP) * (len(shown) - 1))
    crop = {col: max(0, total - width) if col == shown[-1] else 0 for col in shown}  # rich's console crops the rest
    head = GAP.join(_cropped(col.replace("_", " "), widths[col], crop[col]) for col in shown).rstrip()
    lines = [click.style(head, bold=True) if color else head, "─" * min(total, width)]
    columns_padded = [[_styled(_cropped(v, widths[col], crop[col]), v, color) for v in cells[col]] for col in shown]
    lines += [GAP.join(parts).rstrip() for parts in zip(*columns_padded, strict=True)]  # by column: fast
    if times:
        caption = f"times are local (UTC{datetime.now().astimezone():%z}): HH:MM today, MM-DD HH:MM this year"
        lines += [click.style(c, dim=True) if color else c for c in textwrap.wrap(caption, max(len(lines[1]), 20))]
    return lines


def _fitted_width(natural: dict[str, int], shown: Sequence[str], free_min: int) -> int:
    return sum(min(natural[c], free_min) if c in FREE_TEXT else natural[c] for c in shown) + len(GAP) * (len(shown) - 1)


def _fit(widths: dict[str, int], width: int) -> dict[str, int]:
    """Narrow the widest free-text column, one cell at a time, until the table fits: down to FREE_TEXT_MIN, then,
    as rich does when the other columns leave less room than that, further (to its header's minimum width)."""
    over = sum(widths.values()) + len(GAP) * (len(widths) - 1) - width
    for floor in (FREE_TEXT_MIN, 0):
        while over > 0:
            free = [c for c in widths if c in FREE_TEXT and widths[c] > max(floor, min(len(c), 8))]
            if not free:
                break
            widths[max(free, key=lambda c: widths[c])] -= 1
            over -= 1
    return widths


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide characters count two)."""
    return len(text) if text.isascii() else cell_len(text)


def _pad(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded with spaces."""
    if text.isascii():  # one cell per character
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    size = _cells(text)
    if size > width:
        text = set_cell_size(text, width - 1) + "…"
        size = width
    return text + " " * (width - size)


def _cropped(text: str, width: int, crop: int) -> str:
    """``text`` padded or cut to ``width`` cells, then its last ``crop`` cells cut away (past the screen's edge)."""
    padded = _pad(text, width)
    return set_cell_size(padded, width - crop) if crop else padded


def _styled(padded: str, value: str, color: bool) -> str:
    style = STYLES.get(value) if color else None
    if not style:
        return padded
    return click.style(padded, bold="bold" in style, dim="dim" in style,
                       fg=next((c for c in ("red", "green", "cyan", "yellow") if c in style), None))


def _natural_width(out: Console, table: Table) -> int:
    return Measurement.get(out, out.options.update_width(10**4), table).maximum


def _filled(rows: Sequence[dict[str, Any]], columns: Sequence[str], times: Sequence[str], cut: bool = False) -> Table:
    table = _table(columns, bool(times))
    for row in rows:
        cells = [_cell(row.get(col), col in times) for col in columns]
        if cut:
            for cell, col in zip(cells, columns, strict=True):
                cell.truncate(FREE_TEXT_MIN if col in FREE_TEXT else cell.cell_len, overflow="ellipsis")
        table.add_row(*cells)
    return table


def _table(columns: Sequence[str], times: bool) -> Table:
    zone = f"UTC{datetime.now().astimezone():%z}"
    caption = f"times are local ({zone}): HH:MM today, MM-DD HH:MM this year" if times else None
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True, caption=caption,
                  caption_justify="left", caption_style="dim", header_style="bold")
    for col in columns:
        header = Text(col.replace("_", " "), no_wrap=True, overflow="ellipsis")
        table.add_column(header, no_wrap=col not in FREE_TEXT, overflow="ellipsis", min_width=min(len(col), 8))
    return table


def _with_links(lines: list[str], rows: Sequence[dict[str, Any]], link: str) -> list[str]:
    """The table's lines with each row's link on the line after it (every row is one line: cells never wrap)."""
    head, body = lines[:2], lines[2 : 2 + len(rows)]
    result = list(head)
    for line, row in zip(body, rows, strict=True):
        result.append(line)
        if row.get(link):
            result.append(f"  {row[link]}")
    return result + lines[2 + len(rows) :]


def local_time(stored: str | datetime | None) -> str | None:
    """A stored UTC timestamp as local time to the minute (``2026-12-01 19:05``)."""
    if not stored:
        return None
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return moment.astimezone().isoformat(" ", "minutes")[:16]  # isoformat: a tenth of strftime's cost


def compact_time(stored: str | datetime | None, now: datetime | None = None) -> str | None:
    """Local time as short as it stays clear, as ``ls -l`` does: ``19:05`` today, ``12-01 19:05`` this year."""
    full = local_time(stored)
    today = _local_day(now or datetime.now())
    if full is None or full[:4] != today[:4]:
        return full
    return full[11:] if full[:10] == today else full[5:]


@functools.lru_cache(maxsize=8)  # a table passes the same `now` for each of its 13,000 rows
def _local_day(now: datetime) -> str:
    return now.astimezone().isoformat()[:10]


def shorten(text: str | None, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    text = text or ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _cell(value: Any, is_time: bool = False) -> Text:
    if is_time:
        value = compact_time(value)
    text = _plain(value)
    return Text(text, style=STYLES.get(text, ""), no_wrap=True, overflow="ellipsis")


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return local_time(value) or "-"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (Decimal, Path)):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
