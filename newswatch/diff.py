"""The diff engine: store what a crawl found and decide what is new.

An article is known by its identity key (``urls.article_key``: scheme, ``www.``,
trackers and encodings do not count) or, within one source, as the same story under
an edited URL (``identity``). "New" is decided inside the run's write transaction
(``BEGIN IMMEDIATE``), so an article listed by two sources or two pages is one
article, new exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newswatch import defaults
from newswatch.batch import RunWrites
from newswatch.config import SourceConfig
from newswatch.identity import Identities, known_ids
from newswatch.model import CrawlResult, ListedArticle, NewArticle, SourceState
from newswatch.store import Store, iso
from newswatch.text import title_key
from newswatch.units import parse_duration
from newswatch.urls import article_key, canonical_url

SAME_TITLE_WINDOW = parse_duration(defaults.SAME_TITLE_WINDOW)


@dataclass
class RunReport:
    """What one run of one source amounted to.

    ``new`` holds the articles stored for the first time; on a baseline run
    they are recorded but ``baseline`` is True and nothing should be alerted.
    ``changed`` holds known articles whose title or summary changed.
    ``listed`` holds known articles this source lists for the first time (a
    watch scoped to this source may not have considered them yet).
    ``skipped`` counts listed entries left out, by reason.
    """

    source: str
    outcome: str
    items: int = 0
    new: list[NewArticle] = field(default_factory=list)
    changed: list[NewArticle] = field(default_factory=list)
    listed: list[NewArticle] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    run_id: int | None = None
    alerts: int = 0
    baseline: bool = False
    ticker_texts: list[str] = field(default_factory=list)
    bodies: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fetch_seconds: float | None = None  # how long fetching (and full-text bodies) took

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "cancelled")


def apply_crawl(
    store: Store, source: SourceConfig, state: SourceState, result: CrawlResult, first_run: str, now: datetime,
    same_title_window: timedelta = SAME_TITLE_WINDOW,
) -> RunReport:
    """Record ``result`` for ``source``; call inside ``store.transaction()``.

    ``same_title_window``: how far back a same-titled article of this source counts as
    the same story under an edited URL (zero: never).
    """
    store.ensure_source(source.name, source.url, source.type)
    if result.status == "ok" and not result.articles and _expects_items(source, state):
        result.fail(_nothing_matched(source))
    if result.status == "failed":
        report = _record_failure(store, source.name, result.error or "unknown error", result.retry_after, now)
        report.skipped = dict(result.skipped)
        return report
    if result.status == "unchanged":
        return _record_unchanged(store, source.name, state, result, now)
    return _record_articles(store, source, state, result, first_run == "baseline", now, same_title_window)


def _expects_items(source: SourceConfig, state: SourceState) -> bool:
    return source.type == "html" or state.last_items > 0


def _nothing_matched(source: SourceConfig) -> str:
    if source.type == "html":
        return f"selector `{source.select.item}` matched nothing"
    return "the feed has no entries any more"


def _record_failure(store: Store, name: str, error: str, retry_after: datetime | None, now: datetime) -> RunReport:
    store.execute(
        "UPDATE sources SET last_run_at = ?, last_outcome = 'failed', last_error = ?, last_items = 0, "
        "consecutive_failures = consecutive_failures + 1, retry_after = ? WHERE name = ?",
        [iso(now), error, iso(retry_after), name],
    )
    return RunReport(name, "failed", error=error)


def _record_unchanged(store: Store, name: str, state: SourceState, result: CrawlResult, now: datetime) -> RunReport:
    store.execute(
        "UPDATE sources SET last_run_at = ?, last_outcome = 'unchanged', last_error = NULL, retry_after = NULL, "
        "last_items = last_ok_items, consecutive_failures = 0, etag = coalesce(?, etag), "
        "last_modified = coalesce(?, last_modified) WHERE name = ?",
        [iso(now), result.validators.etag, result.validators.last_modified, name],
    )
    return RunReport(name, "unchanged", items=state.last_items)


def _record_articles(
    store: Store, source: SourceConfig, state: SourceState, result: CrawlResult, baseline_mode: bool, now: datetime,
    window: timedelta,
) -> RunReport:
    baseline = baseline_mode and not state.has_baseline
    report = RunReport(source.name, "baseline" if baseline else "ok", baseline=baseline)
    report.ticker_texts = list(result.ticker_texts)
    report.bodies = dict(result.bodies)
    report.skipped = dict(result.skipped)
    listed = _unique(result.articles)
    identities = Identities(store, source.name, now, window, listed)
    writes = RunWrites(store, source.name, now)
    writes.preload(sorted(set(identities.known.values())))
    for key, article in listed.items():
        report.items += 1
        _store_article(store, identities, writes, key, article, result.bodies.get(article.link), report)
    identities.flush()
    report.listed.extend(writes.flush())
    v = result.validators
    store.execute(
        "UPDATE sources SET last_run_at = ?, last_outcome = ?, last_error = NULL, retry_after = NULL, last_items = ?, "
        "last_ok_items = ?, consecutive_failures = 0, etag = ?, last_modified = ?, body_hash = ?, "
        "baseline_at = coalesce(baseline_at, ?) WHERE name = ?",
        [iso(now), report.outcome, report.items, report.items, v.etag, v.last_modified, v.body_hash, iso(now),
         source.name],
    )
    return report


def unseen_links(store: Store, source: str, articles: list[ListedArticle]) -> dict[str, str]:
    """The links of the listed articles whose body is unknown and that ``source`` never listed, keyed by themselves.

    That is every article whose key the store has never seen, and known ones first listed elsewhere
    without a body: a watch scoped to ``source`` considers them now, with their main text.
    (``CrawlResult.bodies`` is keyed by link, as listed.) A link the same-title rule will
    take for a known article is still fetched: that is decided when the crawl is recorded.
    """
    unique = _unique(articles)
    known = known_ids(store, list(unique))
    done = _with_body_or_listed(store, source, sorted(set(known.values())))
    return {a.link: a.link for key, a in unique.items() if known.get(key) not in done}


def _with_body_or_listed(store: Store, source: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = store.query(
        f"SELECT a.id FROM articles a WHERE a.id IN ({marks}) AND (a.body IS NOT NULL OR EXISTS "
        "(SELECT 1 FROM article_sources s WHERE s.article_id = a.id AND s.source = ?))",
        [*ids, source],
    )
    return {int(r["id"]) for r in rows}


def _unique(articles: list[ListedArticle]) -> dict[str, ListedArticle]:
    """Identity key → the first listing of it."""
    unique: dict[str, ListedArticle] = {}
    for article in articles:
        unique.setdefault(article_key(article.link), article)
    return unique


def _store_article(
    store: Store, identities: Identities, writes: RunWrites, key: str, a: ListedArticle, body: str | None,
    report: RunReport,
) -> None:
    article_id = identities.find(key, a)
    if article_id is None:
        article_id, known = _insert_article(store, identities, writes, key, a, body, report)
    else:
        known = _refresh_article(writes, article_id, a, body, report)
    writes.list_on(article_id, title_key(a.title), known)


def _insert_article(
    store: Store, identities: Identities, writes: RunWrites, key: str, a: ListedArticle, body: str | None,
    report: RunReport,
) -> tuple[int, NewArticle | None]:
    """Store a new article under ``key``: its id, and None; a row with its canonical URL but not its key is
    adopted: its id and the known article."""
    url, source, now = canonical_url(a.link), identities.source, writes.now
    rows = store.query(
        "INSERT INTO articles (url, link, title, summary, body, published_at, source, first_seen_at, last_seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING RETURNING id",
        [url, a.link, a.title, a.summary, body, iso(a.published), source, iso(now), iso(now)],
    )
    if not rows:
        article_id = int(store.query("SELECT id FROM articles WHERE url = ?", [url])[0]["id"])
        identities.add(key, article_id, a.link)
        return article_id, _refresh_article(writes, article_id, a, body, report)
    article_id = int(rows[0]["id"])
    identities.add(key, article_id, a.link)
    report.new.append(NewArticle(article_id, a.link, a.title, a.summary, a.published, source))
    return article_id, None


def _refresh_article(
    writes: RunWrites, article_id: int, a: ListedArticle, body: str | None, report: RunReport
) -> NewArticle:
    """Mark a known article seen; its first source may update its title and summary (then it is re-matched).

    Only the first source edits the text, so two sources spelling a title differently never flip it.
    A body fetched now is kept when the article had none (a ``full_text`` source listing it later).
    """
    row, source = writes.row(article_id), writes.source
    mine = row["source"] == source
    title = a.title if mine and a.title else row["title"]
    summary = a.summary if mine and a.summary else row["summary"]
    before = (row["title"], row["summary"])
    writes.refresh(article_id, title, summary, a.published, body)
    known = NewArticle(int(row["id"]), row["link"], title, summary, a.published, source)
    if (title, summary) != before:
        report.changed.append(known)
    return known
