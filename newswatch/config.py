"""The configuration model: ``config.toml`` parsed once into frozen typed objects.

``load_config`` reads the file, substitutes ``${VAR}`` from the environment,
validates everything and raises one :class:`ConfigError` listing every problem,
each naming its dotted key (``sources[1].interval``), the value and the fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from newswatch import defaults, tomldoc
from newswatch.config_errors import describe_errors, key_path
from newswatch.errors import ConfigError
from newswatch.secrets import Masker, in_userinfo, url_credential
from newswatch.units import Threshold, parse_duration, parse_listen, parse_size, parse_threshold, shown


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero (use e.g. 30s, 15m)")
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
PositiveDuration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]
Size = Annotated[int, BeforeValidator(parse_size)]
ThresholdValue = Annotated[Threshold, BeforeValidator(parse_threshold)]
Name = Annotated[str, Field(pattern=r"^[a-z0-9_-]+$", min_length=1, max_length=64)]

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,?#LW-]+$")


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value, re.IGNORECASE):
        raise ValueError(f"{shown(value)} is not an http(s) URL")
    return value


def _cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"{shown(value)} is not a cron expression (five fields: minute hour day month weekday)")
    return value


def _window(value: object) -> timedelta:
    if (isinstance(value, str) and value.strip().lower() in ("0", "off")) or (type(value) is int and value == 0):
        return timedelta(0)
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f'{shown(value)} is not a duration (use e.g. "7d", or "off")') from None


Window = Annotated[timedelta, BeforeValidator(_window)]  # a duration, or "0"/"off" for none
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Listen = Annotated[str, AfterValidator(lambda v: parse_listen(v) and v)]
Cron = Annotated[str, AfterValidator(_cron)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StorageConfig(_Section):
    path: Path = Path(defaults.STORAGE_PATH)
    keep_runs: Duration = parse_duration(defaults.KEEP_RUNS)  # "0s": keep forever (newswatch.retention)
    keep_quotes: Duration = parse_duration(defaults.KEEP_QUOTES)


class SchedulerConfig(_Section):
    interval: PositiveDuration = parse_duration(defaults.SCHEDULER_INTERVAL)
    jitter: Duration = parse_duration(defaults.SCHEDULER_JITTER)
    grace: PositiveDuration = parse_duration(defaults.SCHEDULER_GRACE)
    delivery_interval: PositiveDuration = parse_duration(defaults.DELIVERY_INTERVAL)


class CrawlerConfig(_Section):
    user_agent: str = Field(defaults.USER_AGENT, min_length=1)
    obey_robots_txt: StrictBool = defaults.OBEY_ROBOTS_TXT
    timeout: PositiveDuration = parse_duration(defaults.CRAWL_TIMEOUT)
    retries: StrictInt = Field(defaults.CRAWL_RETRIES, ge=0, le=10)
    concurrency: StrictInt = Field(defaults.CRAWL_CONCURRENCY, ge=1, le=64)
    per_domain: StrictInt = Field(defaults.CRAWL_PER_DOMAIN, ge=1, le=16)
    per_host_delay: Duration = parse_duration(defaults.CRAWL_PER_HOST_DELAY)
    max_size: Size = parse_size(defaults.CRAWL_MAX_SIZE)


class AlertsConfig(_Section):
    first_run: Literal["baseline", "alert"] = defaults.FIRST_RUN
    digest: StrictBool = defaults.DIGEST
    max_age: PositiveDuration = parse_duration(defaults.DELIVERY_MAX_AGE)
    attempts: StrictInt = Field(defaults.DELIVERY_ATTEMPTS, ge=1, le=10)
    failure_threshold: StrictInt = Field(defaults.FAILURE_THRESHOLD, ge=1)
    operator: tuple[Name, ...] = ()
    flood_share: float = Field(defaults.FLOOD_SHARE, gt=0, le=1)
    flood_min: StrictInt = Field(defaults.FLOOD_MIN, ge=1)
    same_title_window: Window = parse_duration(defaults.SAME_TITLE_WINDOW)


class SelectConfig(_Section):
    item: str | None = None
    title: str | None = None
    link: str | None = None
    summary: str | None = None
    date: str | None = None
    next: str | None = None
    ticker: str | None = None


class SourceConfig(_Section):
    name: Name
    url: HttpUrl
    type: Literal[defaults.SOURCE_TYPES] = "html"  # type: ignore[valid-type]
    interval: PositiveDuration | None = None
    cron: Cron | None = None
    pages: StrictInt = Field(defaults.SOURCE_PAGES, ge=1, le=50)
    full_text: StrictBool = False
    allow_hosts: tuple[str, ...] = ()
    select: SelectConfig = SelectConfig()

    @model_validator(mode="after")
    def _check(self) -> SourceConfig:
        if self.interval is not None and self.cron is not None:
            raise ValueError("set either interval or cron, not both")
        if self.type == "html":
            missing = [k for k in ("item", "title", "link") if not getattr(self.select, k)]
            if missing:
                raise ValueError(f'type "html" needs select.{", select.".join(missing)}')
        return self


class WatchConfig(_Section):
    name: Name
    keywords: tuple[str, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    sources: tuple[Name, ...] = ()
    notify: tuple[Name, ...] = ()


class TickerConfig(_Section):
    pair: str = Field(min_length=1)
    threshold: ThresholdValue
    notify: tuple[Name, ...] = ()
    sources: tuple[Name, ...] = ()


class WebConfig(_Section):
    listen: Listen | None = None  # off unless set: the daemon serves the web front on HOST:PORT


class NotifierConfig(_Section):
    name: Name
    url: SecretStr


class WorkersConfig(_Section):
    """Scale-out mode: crawl jobs go to ``newswatch worker`` processes over this Redis URL (none: crawl here)."""

    url: str | None = None


class Config(_Section):
    """The whole validated configuration. ``path`` is the file it came from."""

    storage: StorageConfig = StorageConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    crawler: CrawlerConfig = CrawlerConfig()
    alerts: AlertsConfig = AlertsConfig()
    sources: tuple[SourceConfig, ...] = ()
    watches: tuple[WatchConfig, ...] = ()
    tickers: tuple[TickerConfig, ...] = ()
    notifiers: tuple[NotifierConfig, ...] = ()
    web: WebConfig = WebConfig()
    workers: WorkersConfig = WorkersConfig()
    path: Path = Field(Path(defaults.CONFIG_FILENAME), exclude=True)
    secrets: tuple[str, ...] = Field((), exclude=True, repr=False)
    unresolved: tuple[tuple[int, str], ...] = Field((), exclude=True, repr=False)  # (notifier index, problem)

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``; KeyError if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def unresolved_notifiers(self, names: Iterable[str] | None = None) -> list[str]:
        """Problems of the (named, or all) notifiers whose ``${VAR}`` is unset: only sending needs them."""
        wanted = None if names is None else set(names)
        return [p for i, p in self.unresolved if wanted is None or self.notifiers[i].name in wanted]

    def interval_of(self, source: SourceConfig) -> timedelta:
        """The source's own interval, else the scheduler default."""
        return source.interval or self.scheduler.interval


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$NEWSWATCH_CONFIG``, else ``./config.toml``."""
    env = os.environ if environ is None else environ
    return Path(env.get(defaults.CONFIG_ENV_VAR) or defaults.CONFIG_FILENAME)


MAX_CONFIG_BYTES = 32 << 20  # 50,000 sources with selectors are ~10 MB; this bounds what `-c /dev/zero` makes us read
MAX_DEPTH = 32  # tables and arrays inside each other; the real config needs 4


def read_config_bytes(path: Path) -> bytes:
    """The file's bytes, at most ``MAX_CONFIG_BYTES`` (OSError, or ValueError when larger)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"larger than {MAX_CONFIG_BYTES // 1024} KiB: is this a config file?")
    return data


def load_config(
    path: Path, environ: Mapping[str, str] | None = None, *, notifier_secrets: bool = True,
    sections: Collection[str] | None = None,
) -> Config:
    """Read, substitute, validate. Raises ConfigError naming every bad key.

    With ``notifier_secrets=False`` an unset ``${VAR}`` in a notifier is no error: it is kept in
    :meth:`Config.unresolved` for the commands that send (the read-only ones need no secrets).
    With ``sections`` only those top-level keys are substituted and validated (the others keep
    their defaults): what a read-only command needs of a config of 13,000 sources.
    """
    try:
        text = _decoded(read_config_bytes(path))
    except OSError as exc:
        raise ConfigError([f"cannot read the config file: {exc.strerror or exc}"], str(path)) from None
    except ValueError as exc:
        raise ConfigError([f"cannot read the config file: {exc}"], str(path)) from None
    return parse_config(text, path, os.environ if environ is None else environ, notifier_secrets=notifier_secrets,
                        sections=sections)


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ValueError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, column {column} "
            "(save the file as UTF-8)"
        ) from None


def parse_config(
    text: str, path: Path, environ: Mapping[str, str], *, notifier_secrets: bool = True,
    sections: Collection[str] | None = None,
) -> Config:
    """Validate the TOML ``text`` of the file at ``path`` (used for relative paths); every problem at once."""
    raw = _parsed(text, path, sections)
    secrets: list[str] = []
    problems: list[str] = []
    unresolved: list[tuple[int, str]] = []
    # No "$" in the text (nor an escape that could spell one): nothing to substitute in 10,000 sources' values.
    literal = "$" not in text and "\\u" not in text and "\\U" not in text
    data = raw if literal else _substitute(raw, (), environ, secrets, problems, unresolved)
    if notifier_secrets:
        problems += [problem for _, problem in unresolved]
    problems += _raw_cross_checks(data) + _keyword_problems(data)
    try:
        config = Config.model_validate({**data, "path": path, "secrets": tuple(s for s in secrets if s),
                                        "unresolved": tuple(unresolved)})
    except ValidationError as exc:
        unset = {p.split(": ", 1)[0] for p in problems}  # a key whose variable is unset is told once
        invalid = [p for p in describe_errors(exc, raw, Config) if p.split(": ", 1)[0] not in unset]
        raise _config_error(problems + invalid, path, secrets) from None
    if problems:
        raise _config_error(problems, path, secrets)
    return _resolve_paths(config, path)


def _parsed(text: str, path: Path, sections: Collection[str] | None = None) -> dict[str, Any]:
    """The TOML document (only its top-level keys in ``sections``, when given), no deeper than ``MAX_DEPTH``."""
    try:
        raw = tomldoc.loads(text, sections)
        if sections is not None:
            raw = {key: value for key, value in raw.items() if key in sections}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"invalid TOML: {exc}"], str(path)) from None
    except RecursionError:
        raise ConfigError([f"invalid TOML: nested more than {MAX_DEPTH} levels deep"], str(path)) from None
    if _depth(raw) > MAX_DEPTH:
        raise ConfigError([f"invalid TOML: nested more than {MAX_DEPTH} levels deep"], str(path))
    return raw


def _depth(value: Any) -> int:
    """How many tables and arrays are inside each other in ``value`` (iterative: no recursion limit)."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:  # only tables and arrays are pushed: a config of 10,000 sources has 50,000 plain values
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            continue
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
    return deepest


def _config_error(problems: list[str], path: Path, secrets: list[str]) -> ConfigError:
    """The error to raise, with every value taken from the environment masked."""
    mask = Masker(secrets)
    return ConfigError([mask(p) for p in problems], str(path))


def _substitute(
    value: Any, loc: tuple[str | int, ...], environ: Mapping[str, str], secrets: list[str], problems: list[str],
    unresolved: list[tuple[int, str]],
) -> Any:
    """``value`` with ``${VAR}`` replaced; an unset variable is a problem (in ``unresolved`` for a notifier)."""
    if isinstance(value, dict):
        return {k: _substitute(v, (*loc, k), environ, secrets, problems, unresolved) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, (*loc, i), environ, secrets, problems, unresolved) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in environ:
            problem = f"{key_path(loc)}: environment variable {name} is not set (export it or remove ${{{name}}})"
            if len(loc) > 1 and loc[0] == "notifiers" and isinstance(loc[1], int):
                unresolved.append((loc[1], problem))
            else:
                problems.append(problem)
            return ""
        secrets.append(environ[name])
        return url_credential(environ[name]) if in_userinfo(match) else environ[name]

    return _ENV_REF.sub(replace, value)


def _raw_cross_checks(data: dict[str, Any]) -> list[str]:
    """Duplicate names and unknown references, read from the document itself: they are reported even
    when other keys are invalid (what is not the expected type is left to the validation)."""
    problems = [p for part in ("sources", "watches", "notifiers") for p in _duplicates(_items(data, part), part)]
    sources, notifiers = set(_names(data, "sources")), set(_names(data, "notifiers"))
    for section in ("watches", "tickers"):
        for i, item in enumerate(_items(data, section)):
            problems += _unknown_refs(f"{section}[{i}].sources", item.get("sources"), sources, "source")
            problems += _unknown_refs(f"{section}[{i}].notify", item.get("notify"), notifiers, "notifier")
    alerts = data.get("alerts")
    if isinstance(alerts, dict):
        problems += _unknown_refs("alerts.operator", alerts.get("operator"), notifiers, "notifier")
    return problems


def _items(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The tables of an array-of-tables section (others become empty tables, keeping indexes)."""
    items = data.get(section)
    return [i if isinstance(i, dict) else {} for i in items] if isinstance(items, list) else []


def _names(data: dict[str, Any], section: str) -> list[str]:
    return [i["name"].strip() for i in _items(data, section) if isinstance(i.get("name"), str)]


def _duplicates(items: list[dict[str, Any]], section: str) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        name = name.strip()
        if name in seen:
            problems.append(f'{section}[{i}].name: duplicate name "{name}" (already used by {section}[{seen[name]}])')
        seen.setdefault(name, i)
    return problems


def _unknown_refs(key: str, names: Any, known: set[str], kind: str) -> list[str]:
    if not isinstance(names, list):
        return []
    return [
        f'{key}[{i}]: no {kind} named "{name}" (known: {", ".join(sorted(known)) or "none"})'
        for i, name in enumerate(names)
        if isinstance(name, str) and name.strip() not in known
    ]


def _keyword_problems(data: dict[str, Any]) -> list[str]:
    watches = _items(data, "watches")
    if not watches:
        return []
    from newswatch.matcher import KeywordError, compile_keyword

    problems = []
    for i, watch in enumerate(watches):
        for field in ("keywords", "exclude"):
            keywords = watch.get(field)
            for j, keyword in enumerate(keywords if isinstance(keywords, list) else []):
                if not isinstance(keyword, str) or not keyword.strip():
                    continue  # the validation reports it
                try:
                    compile_keyword(keyword.strip())
                except KeywordError as exc:
                    problems.append(f"watches[{i}].{field}[{j}]: {exc}")
    return problems


def _resolve_paths(config: Config, path: Path) -> Config:
    base = path.resolve().parent
    storage = config.storage.model_copy(update={"path": base / config.storage.path.expanduser()})
    return config.model_copy(update={"storage": storage})
