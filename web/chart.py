"""A ticker pair's history as an SVG chart drawn on the server (pygal): no script, no CDN."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pygal
from lxml import etree
from pygal.style import CleanStyle


def _plain(value: float) -> str:
    """A value as a person writes it: ``0.00008``, never ``8e-05``."""
    return format(Decimal(repr(value)).normalize(), "f")


def ticker_chart(pair: str, history: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> str:
    """The SVG of ``history`` (oldest first) with each alert marked; markup safe to embed in a page."""
    chart = pygal.DateTimeLine(
        js=[], disable_xml_declaration=True, width=900, height=360, style=CleanStyle, show_legend=True,
        legend_at_bottom=True, x_label_rotation=20, truncate_label=-1, value_formatter=_plain,
        x_value_formatter=lambda moment: moment.strftime(_time_format(history)), dots_size=3,
        title=f"{pair} (local time, {datetime.now().astimezone():UTC%z})",
    )
    chart.add(pair, [(_moment(r["observed_at"]), float(Decimal(r["value"]))) for r in history])
    marks = [(_moment(a["created_at"]), float(Decimal(a["value"]))) for a in alerts if a["value"]]
    chart.add("alerts", marks, stroke=False, dots_size=7)
    tree = chart.render_tree()
    for script in tree.xpath("//*[local-name() = 'script']"):  # pygal's inline config for its (absent) JS
        script.getparent().remove(script)
    return etree.tostring(tree, encoding="unicode")


def _time_format(history: list[dict[str, Any]]) -> str:
    """Seconds when the history spans minutes (the demo's two passes), the date when it spans days."""
    span = _moment(history[-1]["observed_at"]) - _moment(history[0]["observed_at"]) if history else None
    return "%H:%M:%S" if span is not None and span.total_seconds() < 3600 else "%Y-%m-%d %H:%M"


def _moment(stored: str) -> datetime:
    return datetime.fromisoformat(stored).astimezone().replace(tzinfo=None)  # local, as the page shows times
