"""The read-only web front: status page, articles with full-text search, ticker charts, Atom feeds, metrics.

An ASGI app (Starlette) served by uvicorn on the caller's asyncio loop: the
daemon's own loop under ``newswatch run`` with ``[web] listen``, or a loop of
its own under ``newswatch web``. Every handler is ``async def``, so requests are
handled on that loop and never in a thread, over a read-only connection to the
database: nothing here can change the record.
"""
