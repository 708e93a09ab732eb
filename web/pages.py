"""The handlers: each reads through ``newswatch.queries`` and renders a template, a feed, a chart or metrics.

All ``async def``: Starlette runs them on the event loop, never in its thread pool.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from newswatch import queries
from newswatch.output import local_time
from scheduler.heartbeat import heartbeat_problem, heartbeat_summary
from web.chart import ticker_chart
from web.context import WebContext
from web.feeds import ATOM_TYPE, watch_feed
from web.metrics import exposition

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
templates.env.filters["local"] = lambda value: local_time(value) or "–"
templates.env.filters["safe_href"] = lambda url: url if urlsplit(url or "").scheme in ("http", "https") else None
ARTICLE_LIMIT = 100


def _web(request: Request) -> WebContext:
    return request.app.state.web


def _page(request: Request, name: str, status: int = 200, **values: Any) -> Response:
    return templates.TemplateResponse(request, name, {"zone": _zone(), **values}, status_code=status)


def _zone() -> str:
    return datetime.now().astimezone().strftime("UTC%z")


async def index(request: Request) -> Response:
    """Sources (failing first), notifiers and their health, the delivery queue, the daemon's heartbeat."""
    web = _web(request)
    config = web.config()
    sources = sorted(queries.source_status(web.store, config), key=lambda r: (-r["failures"], r["outcome"] != "failed"))
    for row in sources:
        row["error"] = web.mask(row["error"])
    notifiers = queries.notifier_overview(web.store, config)
    for row in notifiers:
        row["last_error"] = web.mask(row["last_error"])
    undelivered = queries.undelivered(web.store)
    for row in undelivered:
        row["last_error"] = web.mask(row["last_error"])
    problem = heartbeat_problem(web.heartbeat)
    return _page(request, "index.html", sources=sources, notifiers=notifiers, queue=queries.delivery_queue(web.store),
                 undelivered=undelivered, daemon=problem or heartbeat_summary(web.heartbeat), alive=problem is None,
                 watches=_watches(web), pairs=queries.known_pairs(web.store))


def _watches(web: WebContext) -> list[str]:
    configured = [w.name for w in web.config().watches]
    return configured + [w for w in queries.matched_watches(web.store) if w not in configured]


async def articles(request: Request) -> Response:
    """Articles newest first, filtered by watch, source and full-text ``q``."""
    web = _web(request)
    watch, source, q = (request.query_params.get(k) or None for k in ("watch", "source", "q"))
    rows = queries.list_articles(web.store, watch, source, ARTICLE_LIMIT, search=q)
    sources = [s.name for s in web.config().sources]
    return _page(request, "articles.html", articles=rows, watch=watch, source=source, q=q or "",
                 watches=_watches(web), sources=sources, limit=ARTICLE_LIMIT)


async def tickers(request: Request) -> Response:
    """Every pair: its latest value and a link to its chart."""
    return _page(request, "tickers.html", quotes=queries.latest_quotes(_web(request).store))


def _find_pair(web: WebContext, wanted: str) -> str | None:
    """The stored pair a URL names: ``TJS-USD`` and ``TJS/USD`` alike, any case."""
    pairs = {p.upper(): p for p in queries.known_pairs(web.store)}
    for candidate in (wanted, wanted.replace("-", "/", 1)):
        if candidate.upper() in pairs:
            return pairs[candidate.upper()]
    return None


async def ticker(request: Request) -> Response:
    """One pair's history as a chart with its alerts marked, and as a table of the values as stored."""
    web = _web(request)
    pair = _find_pair(web, request.path_params["pair"])
    if pair is None:
        raise HTTPException(404, f"no quotes recorded for {request.path_params['pair']}")
    history = queries.pair_history(web.store, pair, limit=1000)
    alerts = queries.ticker_alerts(web.store, pair)
    return _page(request, "ticker.html", pair=pair, history=history[::-1], alerts=alerts,
                 chart=ticker_chart(pair, history, alerts))


async def feed(request: Request) -> Response:
    """The Atom feed of one watch's matches."""
    web = _web(request)
    watch = request.path_params["watch"]
    if watch not in _watches(web):
        raise HTTPException(404, f"no watch named {watch}")
    rows = queries.watch_matches(web.store, watch)
    return Response(watch_feed(watch, rows, str(request.url), str(request.base_url)), media_type=ATOM_TYPE)


async def metrics(request: Request) -> Response:
    """Prometheus exposition of what the database records."""
    body, content_type = exposition(_web(request))
    return Response(body, media_type=content_type)


async def healthz(request: Request) -> Response:
    """200 while the daemon's heartbeat is fresh, else 503 with the reason."""
    problem = heartbeat_problem(_web(request).heartbeat)
    return PlainTextResponse(problem or "ok", status_code=503 if problem else 200)


async def not_found(request: Request, exc: Exception) -> Response:
    detail = str(getattr(exc, "detail", "not found"))
    if "text/html" in request.headers.get("accept", ""):
        return _page(request, "missing.html", status=404, detail=detail)
    return PlainTextResponse(detail, status_code=404)
