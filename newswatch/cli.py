"""The ``newswatch`` command: the one place that wires config, crawler, core and notifiers.

Scrapy, APScheduler and Apprise are imported inside the commands that need
them, so ``newswatch --help`` and the read-only commands start fast.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from newswatch.config import Config, default_config_path, load_config
from newswatch.diff import RunReport
from newswatch.errors import ConfigError, NewswatchError
from newswatch.output import emit_json, emit_table, shorten

log = logging.getLogger("newswatch")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def config_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-c/--config PATH`` on every command (default: $NEWSWATCH_CONFIG, else ./config.toml)."""
    return click.option(
        "-c", "--config", "config_path", type=click.Path(path_type=Path), default=None,
        help="Config file (default: $NEWSWATCH_CONFIG, else ./config.toml).",
    )(command)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a NewswatchError into one line per problem on stderr and exit 2; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"{exc.path}: {problem}" if exc.path else problem, err=True)
            sys.exit(EXIT_USAGE)
        except NewswatchError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


def load(config_path: Path | None) -> Config:
    """Load and fully validate the config, including the scheduler's cron check."""
    from scheduler.triggers import trigger_problems

    path = config_path or default_config_path()
    config = load_config(path)
    problems = trigger_problems(config)
    if problems:
        raise ConfigError(problems, str(path))
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False))
def main(log_level: str) -> None:
    """newswatch: know within minutes, exactly once, when a listing page gets a new article on your topic."""
    _setup_logging(log_level)


@main.command()
@config_option
@user_errors
def check(config_path: Path | None) -> None:
    """Validate the config; print each problem naming its key (exit 0 valid, 2 invalid)."""
    config = load(config_path)
    click.echo(
        f"{config.path}: OK — {len(config.sources)} sources, {len(config.watches)} watches, "
        f"{len(config.tickers)} ticker rules, {len(config.notifiers)} notifiers"
    )


@main.command()
@config_option
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def preview(config_path: Path | None, source: str, as_json: bool) -> None:
    """Fetch SOURCE now and print what it extracts; stores nothing, sends nothing."""
    from crawler.runner import CrawlService, run_in_reactor
    from newswatch.errors import UnknownSourceError
    from newswatch.model import SourceState
    from newswatch.previews import preview_document

    config = load(config_path)
    try:
        src = config.source(source)
    except KeyError:
        raise UnknownSourceError(source, [s.name for s in config.sources]) from None
    result = run_in_reactor(lambda: CrawlService(config.crawler).fetch(src, SourceState(src.name)))
    document = preview_document(src, result)
    if as_json:
        emit_json(document)
    else:
        _print_preview(document)
    sys.exit(EXIT_FAILED if result.status == "failed" else EXIT_OK)


def _print_preview(document: dict[str, Any]) -> None:
    rows = [
        {"title": shorten(a["title"], 60), "link": shorten(a["url"], 60), "date": (a["published"] or "")[:10],
         "summary": shorten(a["summary"], 40)}
        for a in document["articles"]
    ]
    emit_table(rows, ["title", "link", "date", "summary"], empty="no articles")
    if document["quotes"]:
        click.echo()
        emit_table(document["quotes"], ["pair", "value", "change"])
    if document["error"]:
        click.echo(f"failed: {document['error']}", err=True)
    else:
        click.echo(f"{len(document['articles'])} articles, {len(document['quotes'])} ticker quotes")


@main.command()
@config_option
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@user_errors
def once(config_path: Path | None, sources: tuple[str, ...]) -> None:
    """One full pass: crawl, store, diff, match, notify, deliver pending alerts."""
    config = load(config_path)
    reports = run_once(config, sources)
    rows = [
        {"source": r.source, "outcome": r.outcome, "items": r.items, "new": len(r.new),
         "alerts": r.alerts, "error": shorten(r.error, 70) if r.error else None}
        for r in reports
    ]
    emit_table(rows, ["source", "outcome", "items", "new", "alerts", "error"], empty="no sources configured")
    sys.exit(EXIT_FAILED if any(r.failed for r in reports) else EXIT_OK)


def run_once(config: Config, names: tuple[str, ...]) -> list[RunReport]:
    """One pass over the named (or all) sources with the real crawler."""
    from crawler.runner import CrawlService, run_in_reactor
    from newswatch.pipeline import Pipeline
    from newswatch.store import Store

    store = Store(config.storage.path)

    async def main() -> list[RunReport]:
        pipeline = Pipeline(config, store, CrawlService(config.crawler).fetch, hooks=[])
        pipeline.select(names)
        return await pipeline.run_pass(names)

    try:
        return run_in_reactor(main)
    finally:
        store.close()


@main.command()
@config_option
@click.option("--watch", help="Only articles this watch matched.")
@click.option("--source", help="Only articles this source listed.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def articles(config_path: Path | None, watch: str | None, source: str | None, limit: int, as_json: bool) -> None:
    """Stored articles, newest first, with the watches they matched."""
    from newswatch.queries import list_articles
    from newswatch.store import Store

    config = load(config_path)
    rows = list_articles(Store(config.storage.path), watch, source, limit)
    if as_json:
        emit_json(rows)
        return
    table = [
        {"seen": (r["first_seen_at"] or "")[:16].replace("T", " "), "title": shorten(r["title"], 60),
         "watches": r["watches"], "sources": r["sources"], "link": shorten(r["url"], 50)}
        for r in rows
    ]
    emit_table(table, ["seen", "title", "watches", "sources", "link"], empty="no articles stored")


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def status(config_path: Path | None, as_json: bool) -> None:
    """Per source: last run, outcome, items seen, consecutive failures, next run."""
    from newswatch.queries import source_status
    from newswatch.store import Store

    config = load(config_path)
    rows = source_status(Store(config.storage.path), config)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["error"] = shorten(row["error"], 50) if row["error"] else None
        for key in ("last_run", "next_run"):
            row[key] = (row[key] or "")[:19].replace("T", " ") or None
    emit_table(rows, ["source", "type", "last_run", "outcome", "items", "failures", "next_run", "error"])


if __name__ == "__main__":  # pragma: no cover
    main()
