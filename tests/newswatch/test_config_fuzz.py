"""Config fuzzing: whatever ``config.toml`` holds, the outcome is a Config or a ConfigError naming keys.

Documents are generated as data (random nesting of tables, arrays and values,
and mutations of a valid config: wrong types, unknown keys, missing keys, odd
strings with ``${...}``), written out as TOML and fed to ``parse_config`` and
to the checks ``newswatch check`` adds (cron by APScheduler, notifier URLs by
Apprise). Every problem line must start with the dotted key it is about, and
no value taken from the environment may show in it.

Ticker text and keywords are fuzzed in ``test_quotes.py`` and ``test_matcher.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.config import Config, parse_config
from newswatch.config_errors import key_path
from newswatch.errors import ConfigError
from newswatch.secrets import literal_credentials
from notifiers.delivery import notifier_problems
from scheduler.triggers import trigger_problems

PATH = Path("/etc/newswatch/config.toml")
SECRET = "s3cr3t-Token-9f8e7d"
ENVIRON = {"SECRET_TOKEN": SECRET, "HOST": "127.0.0.1", "EMPTY": "", "SPACE": "  padded  "}
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the generated documents, written out as TOML -----------------------------------------


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (control characters escaped)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """Any generated value as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return toml_float(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def toml_document(doc: dict[str, Any]) -> str:
    """Top-level keys one per line; tables and arrays of tables written inline."""
    return "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in doc.items())


# -- strategies ---------------------------------------------------------------------------

FIELDS = sorted({
    "storage", "scheduler", "crawler", "alerts", "sources", "watches", "tickers", "notifiers", "path", "interval",
    "jitter", "grace", "delivery_interval", "user_agent", "obey_robots_txt", "timeout", "retries", "concurrency",
    "per_domain", "max_size", "first_run", "digest", "max_age", "attempts", "failure_threshold", "operator",
    "flood_share", "flood_min", "name", "url", "type", "cron", "pages", "full_text", "allow_hosts", "select",
    "item", "title", "link", "summary", "date", "next", "ticker", "keywords", "exclude", "notify", "pair",
    "threshold", "secrets",
})
ODD_STRINGS = [
    "", " ", "${SECRET_TOKEN}", "${MISSING_VAR}", "${EMPTY}", "${SPACE}", "$", "${", "${}", "${1X}", "$SECRET_TOKEN",
    "x${SECRET_TOKEN}y", " ${SECRET_TOKEN} ", "ftp://${SECRET_TOKEN}/x", "http://${SECRET_TOKEN}:${SECRET_TOKEN}@h/",
    "json://u:${SECRET_TOKEN}@127.0.0.1:9/", "http://${HOST}/", "15m", "0s", "-1m", "1h30m", "fifteen", "10MB",
    "0.5%", "%", "*", "*/5 * * * *", "61 * * * *", "a b c d e", "* * * * * *", "L W # ? -", "/traffick(/",
    "deport*", '"forced labor"', "baseline", "alert", "html", "feed", "feed-${SECRET_TOKEN}", "UPPER", "ä" * 70,
    "\x00", "\u202e", "${SECRET_TOKEN} * * * *", "*/${HOST} * * * *", "nan", "1e999", "tgram://${SECRET_TOKEN}/1", "mailtos://u:${SECRET_TOKEN}@smtp.example.com",
]
keys = st.sampled_from(FIELDS) | st.text(min_size=1, max_size=10)
strings = st.sampled_from(ODD_STRINGS) | st.text(max_size=30)
scalars = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | strings
    | st.datetimes(timezones=st.none() | st.just(dt.UTC))
    | st.dates()
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20
)
documents = st.dictionaries(keys, values, max_size=8)

VALID: dict[str, Any] = {
    "storage": {"path": "nw.db"},
    "scheduler": {"interval": "15m", "jitter": "30s"},
    "crawler": {"user_agent": "newswatch-test", "obey_robots_txt": True, "timeout": "30s", "retries": 2},
    "alerts": {"first_run": "baseline", "digest": False, "operator": ["hook"]},
    "sources": [
        {"name": "list", "url": "https://example.org/tag/migration/", "type": "html", "interval": "10m", "pages": 2,
         "select": {"item": "article", "title": "h2 a", "link": "h2 a::attr(href)", "ticker": ".ticker li"}},
        {"name": "feed", "url": "http://${HOST}/feed", "type": "feed", "cron": "*/10 * * * *"},
    ],
    "watches": [{"name": "deportation", "keywords": ["deport*", "/extradit(e|ion)/"], "exclude": ["football"],
                 "sources": ["list"], "notify": ["hook"]}],
    "tickers": [{"pair": "TJS/USD", "threshold": "0.5%", "notify": ["hook"]}],
    "notifiers": [{"name": "hook", "url": "json://user:${SECRET_TOKEN}@127.0.0.1:9/hook"},
                  {"name": "mail", "url": "mailtos://u:${SECRET_TOKEN}@smtp.example.com?to=a@example.org"}],
}


def paths(value: Any, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every location inside a document, the document itself first."""
    yield loc
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from paths(child, (*loc, key))


def _container(doc: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        doc = doc[part]
    return doc


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    """The valid config with a few random edits: a wrong value, a key removed, an unknown key added."""
    doc = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(list(paths(doc))))
        op = draw(st.sampled_from(["set", "delete", "add", "odd"]))
        target = _container(doc, where[:-1]) if where else None
        if op in ("set", "odd") and where:
            target[where[-1]] = draw(values if op == "set" else strings)
        elif op == "delete" and where:
            del target[where[-1]]
        elif op == "add" and isinstance(_container(doc, where), dict):
            _container(doc, where)[draw(keys)] = draw(values)
    return doc


# -- the property -------------------------------------------------------------------------


def allowed_prefixes(doc: dict[str, Any]) -> set[str]:
    """What a problem line may start with: a key in the document, or a field missing from a table in it."""
    present = {_escaped(key_path(loc)) for loc in paths(doc) if loc}
    missing = {f"{p}.{field}" if p else field for p in (present | {""}) for field in FIELDS}
    return present | missing | {"(top level)"}


def _escaped(text: str) -> str:
    """A key as a one-line message shows it: characters that break or blank a line escaped."""
    return re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", lambda m: repr(m[0])[1:-1], text)


def assert_problems_name_keys(problems: list[str], allowed: set[str], text: str) -> None:
    assert problems, "a ConfigError without problems"
    for line in problems:
        assert len(line.splitlines()) == 1, f"not one line: {line!r}"
        assert any(line.startswith(p + ": ") for p in allowed), f"no key path at the start of: {line!r}"
        if SECRET not in text:
            assert SECRET not in line, f"a secret in: {line!r}"


def outcome(doc: dict[str, Any]) -> None:
    """Parse ``doc`` as ``newswatch check`` would; only Config or ConfigError, with key-named problems."""
    text = toml_document(doc)
    assert _normalised(tomllib.loads(text)) == _normalised(doc), "the generator wrote TOML that reads back differently"
    allowed = allowed_prefixes(doc)
    assert set(literal_credentials(text)) <= allowed  # the permission check reads any file without failing
    try:
        config = parse_config(text, PATH, ENVIRON)
    except ConfigError as exc:
        assert_problems_name_keys(exc.problems, allowed, text)
        return
    assert isinstance(config, Config)
    extra = trigger_problems(config) + notifier_problems(config)
    if extra:  # as `load` in the CLI raises them
        assert_problems_name_keys(ConfigError(extra, str(PATH)).problems, allowed, text)


def _normalised(value: Any) -> Any:
    """NaN never equals itself: compare documents with NaN replaced by a marker."""
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def test_the_valid_config_is_valid() -> None:
    config = parse_config(toml_document(VALID), PATH, ENVIRON)
    assert [s.name for s in config.sources] == ["list", "feed"]
    assert SECRET in config.secrets
    assert trigger_problems(config) == [] and notifier_problems(config) == []


@FUZZ
@given(documents)
def test_random_documents_give_a_config_or_key_named_problems(doc: dict[str, Any]) -> None:
    outcome(doc)


@FUZZ
@given(mutated_configs())
def test_mutated_valid_configs_give_a_config_or_key_named_problems(doc: dict[str, Any]) -> None:
    outcome(doc)


@FUZZ
@given(st.text(max_size=200) | st.builds(lambda d, cut: toml_document(d)[:cut], documents, st.integers(0, 200)))
def test_any_text_gives_a_config_or_a_config_error(text: str) -> None:
    try:
        parse_config(text, PATH, ENVIRON)
    except ConfigError as exc:
        assert exc.problems and all(len(p.splitlines()) == 1 for p in exc.problems)


# -- what the fuzzing found, kept as cases -------------------------------------------------

FOUND = [
    pytest.param({"alerts": [], "function-": {}}, id="key-named-like-a-pydantic-step"),  # was an IndexError
    pytest.param({"scheduler": {"interval": ["x${SECRET_TOKEN}y"]}}, id="secret-inside-a-list"),  # was shown
    pytest.param({"crawler": {"timeout": {"a": " ${SECRET_TOKEN} "}}}, id="secret-inside-a-table"),
    pytest.param({"\n": [], "storage": {"\x7f": "${MISSING_VAR}"}}, id="line-breaking-keys"),  # was two lines
    pytest.param({"notifiers": [{"name": "n", "url": "\x1e0"}]}, id="line-breaking-notifier-url"),
    pytest.param({"watches": [{"name": "w", "keywords": ["/${SECRET_TOKEN}(/"]}]}, id="secret-in-a-bad-regex"),
]


@pytest.mark.parametrize("doc", FOUND)
def test_found_case(doc: dict[str, Any]) -> None:
    outcome(doc)


def test_a_cron_built_from_a_secret_is_refused_without_showing_it(tmp_path: Path) -> None:
    from support.cli import newswatch, user_error_lines, write_config

    source = '[[sources]]\nname = "a"\nurl = "http://127.0.0.1/"\ntype = "feed"\ncron = "${SECRET_TOKEN} * * * *"\n'
    config = write_config(tmp_path, source)
    lines = user_error_lines(newswatch("check", "-c", config, cwd=tmp_path, env={"SECRET_TOKEN": SECRET}))
    assert lines and all(SECRET not in line for line in lines), lines
    assert lines[0].endswith('sources[0].cron: "**** * * * *" is not a valid cron expression '
                             '(Unrecognized expression "****" for field "minute")'), lines


# -- sources are http(s) only --------------------------------------------------------------

NOT_HTTP = ["file:///etc/passwd", "file://localhost/etc/passwd", "ftp://example.org/", "gopher://example.org/",
            "javascript:alert(1)", "data:text/html,<h1>x</h1>", "//example.org/news/", "/etc/passwd", "example.org"]


@pytest.mark.parametrize("url", NOT_HTTP)
def test_a_source_url_other_than_http_is_refused(url: str) -> None:
    text = f'[[sources]]\nname = "a"\nurl = {toml_string(url)}\ntype = "feed"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, PATH, {})
    assert caught.value.problems == [f'sources[0].url: "{url}" is not an http(s) URL']
