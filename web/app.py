"""The Starlette app: routes, the read-only store, security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from newswatch.config import Config
from web import pages
from web.context import WebContext
from web.readonly import ReadOnlyStore

# No script runs on these pages (the chart is SVG drawn on the server); styles are inline.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(config: Callable[[], Config], database: Path, heartbeat: Path) -> Starlette:
    """The web front over ``database`` (opened read-only); ``config`` gives the config in force."""
    context = WebContext(config, ReadOnlyStore(database), heartbeat)
    routes = [
        Route("/", pages.index),
        Route("/articles", pages.articles),
        Route("/tickers", pages.tickers),
        Route("/tickers/{pair:path}", pages.ticker),
        Route("/feeds/{watch}.atom", pages.feed),
        Route("/metrics", pages.metrics),
        Route("/healthz", pages.healthz),
        Route("/healthcheck", pages.healthz),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(BaseHTTPMiddleware, dispatch=_headers)],
                    exception_handlers={404: pages.not_found})
    app.state.web = context
    return app
