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
from typing import TYPE_CHECKING, Any

import click

from newswatch.errors import ConfigError, NewswatchError
from newswatch.output import disable_color, emit_json, emit_table

if TYPE_CHECKING:  # the commands import what they use, so `newswatch --help` starts fast
    from crawler.runner import CrawlService
    from newswatch.config import Config
    from newswatch.demo import DemoSite
    from newswatch.pipeline import Pipeline, RunSummary
    from newswatch.store import Store
    from notifiers.delivery import DeliveryReport

log = logging.getLogger("newswatch")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOG_TIME = "%Y-%m-%d %H:%M:%S%z"  # local time with its offset, as the tables show it
EXIT_OWED = 3  # `once`: every source ran, but some delivery is still owed after the pass


def _setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", LOG_TIME))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("apprise").setLevel(max(root.level, logging.WARNING))


def config_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-c/--config PATH`` on every command (default: $NEWSWATCH_CONFIG, else ./config.toml)."""
    return click.option(
        "-c", "--config", "config_path", type=click.Path(path_type=Path), default=None,
        help="Config file (default: $NEWSWATCH_CONFIG, else ./config.toml).",
    )(command)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a NewswatchError into one line per problem on stderr and exit 2 (or its ``exit_status``); no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"{exc.path}: {problem}" if exc.path else problem, err=True)
            sys.exit(EXIT_USAGE)
        except NewswatchError as exc:  # a user error (2), or a fault that names its own status (a database fault: 1)
            click.echo(f"error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_status", EXIT_USAGE))

    return wrapper


def resolve_config_path(config_path: Path | None) -> Path:
    """The ``-c`` path, else ``$NEWSWATCH_CONFIG``, else ``./config.toml``."""
    from newswatch.config import default_config_path

    return config_path or default_config_path()


def load(config_path: Path | None, notifiers: bool = False, sections: frozenset[str] | None = None) -> Config:
    """Load and fully validate the config: crons by APScheduler, notifier URLs by Apprise.

    Only with ``notifiers`` (commands that send) must every notifier's ``${VAR}`` be set; the
    read-only commands work without the secrets. With ``sections`` only those top-level keys are
    validated (newswatch.readview: what a read-only command reads).
    """
    from newswatch import tomldoc
    from newswatch.config import load_config
    from newswatch.secrets import Masker, exposed_credentials, mask_logs

    path = resolve_config_path(config_path)
    config = load_config(path, notifier_secrets=notifiers, sections=sections)
    mask_logs(config.secrets)
    warning = exposed_credentials(path)
    tomldoc.forget()  # read twice (the config, the credentials check), parsed once: no longer needed
    if warning:
        log.warning("%s", warning)
    problems: list[str] = []
    if any(s.cron for s in config.sources):  # APScheduler judges a cron; without one, a read needs no import of it
        from scheduler.triggers import trigger_problems

        problems = trigger_problems(config)
    if notifiers:
        from notifiers.delivery import notifier_problems

        problems += notifier_problems(config)
    if problems:
        raise ConfigError([Masker(config.secrets)(p) for p in problems], str(path))
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False))
@click.option("--no-color", is_flag=True, help="Plain text even on a terminal (so does $NO_COLOR).")
def main(log_level: str, no_color: bool) -> None:
    """newswatch: know within minutes, exactly once, when a listing page gets a new article on your topic."""
    _setup_logging(log_level)
    if no_color:
        disable_color()


@main.command()
@config_option
@user_errors
def check(config_path: Path | None) -> None:
    """Validate the config; print each problem naming its key (exit 0 valid, 2 invalid)."""
    config = load(config_path, notifiers=True)
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
    from newswatch.secrets import Masker

    config = load(config_path)
    try:
        src = config.source(source)
    except KeyError:
        raise UnknownSourceError(source, [s.name for s in config.sources]) from None
    result = run_in_reactor(lambda: CrawlService(config.crawler).fetch(src, SourceState(src.name)))
    document = preview_document(src, result, Masker(config.secrets))
    if as_json:
        emit_json(document)
    else:
        _print_preview(document)
    sys.exit(EXIT_FAILED if result.status == "failed" else EXIT_OK)


def _print_preview(document: dict[str, Any]) -> None:
    rows = [{"title": a["title"], "link": a["url"], "date": (a["published"] or "")[:10], "summary": a["summary"]}
            for a in document["articles"]]
    emit_table(rows, ["title", "date", "summary"], empty="no articles", link="link")
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
@click.option("--accept-flood", "floods", multiple=True, metavar="NAME",
              help="Alert the articles held back as a flood on this source (repeatable).")
@user_errors
def once(config_path: Path | None, sources: tuple[str, ...], floods: tuple[str, ...]) -> None:
    """One full pass: crawl, store, diff, match, notify, deliver pending alerts."""
    config = load(config_path, notifiers=True)
    for name in floods:
        click.echo(release_flood(config, name))
    reports, delivery = run_once(config, sources)
    rows = [
        {"source": r.source, "outcome": r.outcome, "items": r.items, "new": r.new, "alerts": r.alerts,
         "error": r.error}
        for r in reports
    ]
    emit_table(rows, ["source", "outcome", "items", "new", "alerts", "error"], empty="no sources configured")
    for r in reports:
        if r.skipped:
            click.echo(f"{r.source}: skipped " + ", ".join(f"{n} {why}" for why, n in sorted(r.skipped.items())))
    click.echo(
        f"deliveries: {len(delivery.delivered)} sent, {len(delivery.failed)} failed (will retry), "
        f"{len(delivery.refused)} refused for good, {len(delivery.expired)} given up; {delivery.owed} still owed"
        + (" (`newswatch alerts --pending` lists them)" if delivery.owed else "")
    )
    sys.exit(EXIT_FAILED if any(r.failed for r in reports) else EXIT_OWED if delivery.owed else EXIT_OK)


def release_flood(config: Config, name: str) -> str:
    """Match and alert the articles held back on source ``name``; a line saying what happened."""
    from newswatch.alerts import ArticleAlerts, release_held
    from newswatch.errors import UnknownSourceError
    from newswatch.store import Store, iso, utcnow

    try:
        source = config.source(name)
    except KeyError:
        raise UnknownSourceError(name, [s.name for s in config.sources]) from None
    store = Store(config.storage.path)
    with store.transaction():
        held = release_held(store, name)
        alerts = ArticleAlerts(config).alert(store, source, f"release-{iso(utcnow())}", held, {})
    store.close()
    return f"{name}: released {len(held)} held articles, {alerts} alerts"


def build_pipeline(config: Config, store: Store, service: CrawlService) -> Pipeline:
    """The pipeline with the real crawler and every hook (alerts)."""
    from newswatch.alerts import ArticleAlerts
    from newswatch.health import SourceHealth
    from newswatch.pipeline import Pipeline
    from newswatch.tickers import TickerAlerts

    hooks = [ArticleAlerts(config), TickerAlerts(config), SourceHealth(config)]
    return Pipeline(config, store, service.fetch, hooks=hooks, fetch_bodies=service.fetch_bodies)


def run_once(config: Config, names: tuple[str, ...]) -> tuple[list[RunSummary], DeliveryReport]:
    """One pass over the named (or all) sources with the real crawler, then deliver what is owed."""
    from crawler.runner import CrawlService, run_in_reactor
    from newswatch.retention import prune
    from newswatch.store import Store, utcnow
    from notifiers.delivery import Deliverer

    store = Store(config.storage.path)

    async def main() -> tuple[list[RunSummary], DeliveryReport]:
        pipeline = build_pipeline(config, store, CrawlService(config.crawler))
        selected = pipeline.select(names)
        if sys.stderr.isatty():  # a progress line per finished source, for a person watching a long pass
            from newswatch.progress import PassProgress

            pipeline.hooks = [*pipeline.hooks, PassProgress(len(selected))]
        reports = await pipeline.run_pass(names)
        delivery = await Deliverer(config, store).deliver_pending(due_only=False)
        prune(store, config.storage.keep_runs, config.storage.keep_quotes, utcnow())
        return reports, delivery

    try:
        return run_in_reactor(main)
    finally:
        store.close()


@main.command("notify-test")
@config_option
@click.option("--notifier", "names", multiple=True, metavar="NAME", help="Only this notifier (repeatable).")
@user_errors
def notify_test(config_path: Path | None, names: tuple[str, ...]) -> None:
    """Send a test message through each (or the named) notifier."""
    import asyncio

    from newswatch.errors import UnknownNotifierError
    from notifiers.delivery import send_test

    config = load(config_path)
    known = [n.name for n in config.notifiers]
    for name in names:
        if name not in known:
            raise UnknownNotifierError(name, known)
    if config.unresolved_notifiers(names or None):
        raise ConfigError(config.unresolved_notifiers(names or None), str(config.path))
    results = asyncio.run(send_test(config, list(names) or known))
    for name, reason in results.items():
        click.echo(f"{name}: {'delivered' if reason is None else 'FAILED: ' + reason}")
    if not results:
        click.echo("no notifiers configured")
    sys.exit(EXIT_OK if results and all(r is None for r in results.values()) else EXIT_FAILED)


def open_for_reading(config: Config) -> Store:
    """The database for a read-only command. It never creates one: it says so and shows an empty one."""
    from newswatch.store import MissingDatabase, Store

    try:
        return Store(config.storage.path, create=False)
    except MissingDatabase as exc:
        click.echo(f"note: {exc}", err=True)
        return Store.in_memory()


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
    from newswatch.readview import ARTICLES_SECTIONS

    config = load(config_path, sections=ARTICLES_SECTIONS)
    rows = list_articles(open_for_reading(config), watch, source, limit)
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, ["first_seen_at", "title", "watches", "sources"], empty="no articles stored", link="url",
               times=["first_seen_at"])


@main.command()
@config_option
@click.argument("pair", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def tickers(config_path: Path | None, pair: str | None, as_json: bool) -> None:
    """Latest value per pair, or one PAIR's history."""
    from newswatch.queries import latest_quotes, pair_history, sparkline

    config = load(config_path)
    store = open_for_reading(config)
    if pair:
        rows = pair_history(store, pair)
        if as_json:
            emit_json({"pair": pair, "history": rows})
            return
        emit_table(rows, ["observed_at", "value", "change", "source", "last_seen_at"], empty=f"no quotes for {pair}",
                   times=["observed_at", "last_seen_at"], optional=["last_seen_at"])
        from decimal import Decimal

        click.echo(sparkline([Decimal(r["value"]) for r in rows]))
        return
    rows = latest_quotes(store)
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, ["pair", "value", "change", "previous", "site_change", "trend", "source", "last_seen"],
               empty="no ticker quotes stored", times=["last_seen"], optional=["site_change", "previous", "source"])


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--check", is_flag=True, help="Only check that a daemon is running (fresh heartbeat): exit 0, else 1.")
@click.option("--workers", "workers_url", default=None, metavar="redis://HOST:6379/0",
              help="Also show the crawl workers and the queue on this Redis (default: [workers] url).")
@user_errors
def status(config_path: Path | None, as_json: bool, check: bool, workers_url: str | None = None) -> None:
    """Per source: last run, outcome, items seen, consecutive failures, next run."""
    from newswatch.queries import notifier_status, schedule_lag, source_status
    from newswatch.readview import STATUS_SECTIONS, source_entries

    sources = None if check else source_entries(resolve_config_path(config_path))  # the whole file, parsed first
    config = load(config_path, sections=STATUS_SECTIONS)
    if check:
        from scheduler.heartbeat import heartbeat_path, heartbeat_problem, heartbeat_summary

        beat = heartbeat_path(config.storage.path)
        problem = heartbeat_problem(beat, database=config.storage.path)
        click.echo(problem or heartbeat_summary(beat), err=bool(problem))
        sys.exit(EXIT_FAILED if problem else EXIT_OK)
    store = open_for_reading(config)
    rows = source_status(store, config, sources)
    notifiers = notifier_status(store, config)
    schedule = schedule_lag(store)
    workers = _fleet(workers_url or config.workers.url)
    if as_json:
        emit_json({"sources": rows, "notifiers": notifiers, "schedule": schedule,
                   **({"workers": workers} if workers else {})})
        return
    emit_table(rows, ["source", "type", "last_run", "outcome", "items", "failures", "next_run", "error"],
               times=["last_run", "next_run"], optional=["type", "next_run"])
    click.echo(_schedule_line(schedule))
    click.echo()
    emit_table(notifiers, ["notifier", "pending", "refused", "given_up", "last_delivered", "failures", "error"],
               empty="no notifiers configured", times=["last_delivered"], optional=["given_up", "last_delivered"])
    if workers:
        click.echo()
        _print_fleet(workers)


def _schedule_line(lag: dict[str, Any]) -> str:
    """The daemon's schedule over the last hour: runs, their lag (start − due), how many started late."""
    if not lag["runs"]:
        return "schedule, last hour: no scheduled runs"
    return (f"schedule, last hour: {lag['runs']} runs, lag p50 {lag['lag_p50']:.1f}s, p99 {lag['lag_p99']:.1f}s, "
            f"max {lag['lag_max']:.1f}s; {lag['late_runs']} started late (> {lag['late_seconds']:.0f}s after due)")


def _fleet(url: str | None) -> dict[str, Any] | None:
    """The crawl workers and the queue, when scale-out mode is configured."""
    if not url:
        return None
    from workers.fleet import fleet

    return fleet(url)


def _print_fleet(found: dict[str, Any]) -> None:
    if not found["reachable"]:
        click.echo(f"crawl workers: broker {found['broker']} unreachable: {found['error']}")
        return
    queue = found["queue"]
    click.echo(f"crawl queue on {found['broker']}: {queue['queued']} queued, "
               f"{queue['pending']} taken, not yet acknowledged")
    emit_table(found["workers"], ["worker", "alive", "done", "failed", "running", "last_seen"],
               empty="no crawl worker alive", times=["last_seen"])


@main.command()
@config_option
@click.option("--pending", is_flag=True, help="Only alerts still owed to some notifier.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="At most this many alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def alerts(config_path: Path | None, pending: bool, limit: int, as_json: bool) -> None:
    """Alerts, newest first, with per notifier: status, attempts, last error (masked), delivered at."""
    from newswatch.queries import list_alerts
    from newswatch.secrets import Masker

    config = load(config_path)
    masker = Masker(config.secrets)
    found = list_alerts(open_for_reading(config), pending, limit)
    for alert in found:
        for delivery in alert["deliveries"]:
            delivery["last_error"] = masker(delivery["last_error"]) if delivery["last_error"] else None
    if as_json:
        emit_json(found)
        return
    emit_table(_alert_rows(found), ["id", "created", "about", "title", "notifier", "status", "attempts",
                                    "delivered", "last_error"], empty="no alerts" + (" pending" if pending else ""),
               times=["created", "delivered"], optional=["attempts", "delivered"])


def _alert_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One table row per (alert, notifier); the alert's own columns only on its first row."""
    rows = []
    for alert in found:
        about = f"watch {alert['watch']}" if alert["watch"] else f"ticker {alert['ticker']}" if alert["ticker"] \
            else alert["kind"]
        first = {"id": alert["id"], "created": alert["created_at"], "about": about, "title": alert["title"]}
        for i, d in enumerate(alert["deliveries"] or [{}]):
            rows.append({**(first if i == 0 else dict.fromkeys(first, "")), "notifier": d.get("notifier"),
                         "status": d.get("status"), "attempts": d.get("attempts"),
                         "delivered": d.get("delivered_at"), "last_error": d.get("last_error")})
    return rows


@main.command()
@config_option
@click.option("--source", help="Only this source's runs.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="At most this many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@user_errors
def runs(config_path: Path | None, source: str | None, limit: int, as_json: bool) -> None:
    """Source runs, newest first: outcome, items, new, alerts, fetch time, lag (start − due), error."""
    from newswatch.queries import recent_runs

    config = load(config_path)
    found = recent_runs(open_for_reading(config), source, limit)
    if as_json:
        emit_json(found)
        return
    shown = [{**r, "lag": None if r["lag_seconds"] is None else f"{r['lag_seconds']:.1f}s"} for r in found]
    emit_table(shown, ["started_at", "source", "outcome", "items", "new", "alerts", "lag", "error"],
               empty="no runs recorded", times=["started_at"], optional=["alerts", "new"])



@main.command()
@config_option
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per log line (for journald/Docker log collectors).")
@click.option("--workers", "workers_url", default=None, metavar="redis://HOST:6379/0",
              help="Scale-out: crawl in `newswatch worker` processes over this Redis (overrides [workers] url).")
@user_errors
def run(config_path: Path | None, log_format: str, workers_url: str | None = None) -> None:
    """The daemon: every source on its own schedule until SIGTERM/SIGINT; config edits apply live (and on SIGHUP)."""
    import signal

    # First, before the slow imports: a reload request (systemd's ExecReload) at start-up must not kill us.
    # The config is read below anyway; the daemon's own handler takes over once its loop runs.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    from scheduler.daemon import serve
    from scheduler.reload import ConfigWatch

    if log_format == "json":
        from scheduler.logs import use_json_logs

        use_json_logs()
    path = resolve_config_path(config_path)
    def read(p: Path) -> Config:  # --workers holds across reloads too
        config = load(p, notifiers=True)
        return config.model_copy(update={"workers": config.workers.model_copy(update={"url": workers_url})}) \
            if workers_url else config

    watch = ConfigWatch(path, read)  # fingerprint first: no edit slips between
    config = read(path)
    sys.exit(serve(config, watch, build_pipeline))


@main.command()
@click.argument("url")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1), help="Jobs crawled at once.")
@click.option("--claim-idle", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds a dead worker's job waits before another worker takes it over.")
@user_errors
def worker(url: str, concurrency: int, claim_idle: float) -> None:
    """A crawl worker: crawl the jobs a `newswatch run --workers URL` daemon queues (needs no database)."""
    from crawler.runner import run_in_reactor
    from workers.worker import Worker

    run_in_reactor(Worker(url, concurrency, claim_idle).serve)


@main.command()
@config_option
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@user_errors
def init(config_path: Path | None, path: Path | None) -> None:
    """Write a commented starter config to PATH (default: -c, $NEWSWATCH_CONFIG, ./config.toml); never overwrites."""
    from newswatch.configedit import write_starter

    target = path or resolve_config_path(config_path)
    if not write_starter(target):
        click.echo(f"{target} already exists: not overwriting it (edit it, or give another PATH)", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"wrote {target}: set the notifier variables it names, then add pages with "
               f"`newswatch add URL -c {target}` and validate with `newswatch check -c {target}`")


@main.command()
@config_option
@click.argument("url")
@click.option("--name", help="Name of the new source (default: from the URL's host and last path segment).")
@click.option("--yes", "-y", is_flag=True, help="Append without asking.")
@click.option("--dry-run", is_flag=True, help="Print the TOML that would be appended; write nothing.")
@user_errors
def add(config_path: Path | None, url: str, name: str | None, yes: bool, dry_run: bool) -> None:
    """Find URL's feed, or propose CSS selectors for its article list; show what they extract; append the source."""
    from newswatch import configedit

    url, path = configedit.check_url(url), resolve_config_path(config_path)
    if not path.exists() and not dry_run:
        raise configedit.ConfigEditError(f"{path} does not exist: write one with `newswatch init` first")
    from newswatch.config import Config

    config = load(path) if path.exists() else Config()
    taken = [s.name for s in config.sources]
    name = configedit.check_name(name, taken) if name else configedit.default_name(url, taken)
    from crawler.probe import SourceFinder  # Scrapy: only once there is something to fetch
    from crawler.runner import run_in_reactor

    found = run_in_reactor(lambda: SourceFinder(config.crawler).find(url))
    if found.kind is None:
        click.echo("\n".join([found.error] if found.error else found.explanation()), err=True)
        sys.exit(EXIT_FAILED)
    click.echo(found.headline() + "\n")
    emit_table(found.rows(10), [c for c in found.columns() if c != "link"], link="link")
    click.echo((f"… and {len(found.articles) - 10} more\n" if len(found.articles) > 10 else "") + found.summary())
    fragment = configedit.source_toml(name, found.url, found.kind, found.select(), found.notes(name))
    if dry_run:
        click.echo(f"\n--dry-run: would append to {path}:\n\n{fragment}", nl=False)
        return
    if not yes and not click.confirm(f"Append source {name!r} to {path}?", default=True):
        click.echo("not added")
        sys.exit(EXIT_FAILED)
    configedit.append_source(path, fragment, validate=load)
    click.echo(f"added source {name!r} to {path}; `newswatch preview {name}` shows what it extracts")


@main.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the demo's config and database here (default: a temporary folder).")
@user_errors
def demo(directory: Path | None) -> None:
    """Run the real pipeline on a bundled copy of the seed pages served on 127.0.0.1."""
    import tempfile

    from newswatch.defaults import WEB_LISTEN
    from newswatch.demo import DemoSite

    with tempfile.TemporaryDirectory(prefix="newswatch-demo-") as scratch, DemoSite() as site:
        folder = directory or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        config_path = _run_demo(site, folder)
        click.echo(f"\nThe demo ran with this config ({config_path}):\n")
        click.echo(config_path.read_text(encoding="utf-8"))
        if directory:
            click.echo("Try next, against the demo database:")
            for command in ("articles", "articles --watch trafficking", "tickers", "tickers TJS/USD", "status"):
                click.echo(f"  newswatch {command} -c {config_path}")
            click.echo(f"  newswatch web -c {config_path}    # then open http://{WEB_LISTEN}/ in a browser")
        else:
            click.echo("Run `newswatch demo --dir DIR` to keep the database and try `articles`, `tickers`, `status`.")


def _run_demo(site: DemoSite, folder: Path) -> Path:
    """Two passes: the earlier snapshot (baseline, no alerts), then the later one."""
    import notifiers.console  # noqa: F401  (registers console://)
    from crawler.runner import CrawlService, run_in_reactor
    from newswatch.demo import write_config
    from newswatch.store import Store
    from notifiers.delivery import Deliverer

    config = load(write_config(folder, site.url), notifiers=True)
    store = Store(config.storage.path)

    async def main() -> None:
        service = CrawlService(config.crawler)
        for number, snapshot, note in ((1, "before.html", "earlier snapshot: baseline, nothing is sent"),
                                       (2, "after.html", "later snapshot: new articles and ticker moves")):
            site.show(snapshot)
            click.echo(click.style(f"\n== pass {number}: {note}", bold=True))
            for r in await build_pipeline(config, store, service).run_pass():
                click.echo(f"{r.source}: {r.outcome}, {r.items} articles, {r.new} new, {r.alerts} alerts")
            await Deliverer(config, store).deliver_pending(due_only=False)

    run_in_reactor(main)
    store.close()
    return config.path


@main.command()
@config_option
@click.option("--listen", metavar="HOST:PORT", help="Where to serve (default: [web] listen, else 127.0.0.1:8680).")
@user_errors
def web(config_path: Path | None, listen: str | None) -> None:
    """Read-only web front over the database (status, articles, ticker charts, Atom feeds, /metrics, /healthz)."""
    from newswatch.defaults import WEB_LISTEN
    from web.run import serve_standalone

    config = load(config_path)
    sys.exit(serve_standalone(config, listen or config.web.listen or WEB_LISTEN))


if __name__ == "__main__":  # pragma: no cover
    main()
