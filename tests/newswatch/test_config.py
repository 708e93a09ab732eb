"""The config contract: typed values, relative paths, and one clear line per problem naming its key."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from support.cli import newswatch, user_error_lines, write_config
from support.server import FixtureSite

from newswatch.config import default_config_path, load_config, parse_config
from newswatch.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
HAS_MATCHER = importlib.util.find_spec("newswatch.matcher") is not None
needs_matcher = pytest.mark.skipif(not HAS_MATCHER, reason="newswatch.matcher is not written yet")

THRESHOLD_HELP = 'is not a threshold (use a percent like "0.5%" or an amount like "0.001")'
CRON_HELP = "is not a cron expression (five fields: minute hour day month weekday)"
FEED = """
[[sources]]
name = "feed"
url = "http://127.0.0.1/feed"
type = "feed"
"""
NOTIFIER = """
[[notifiers]]
name = "log"
url = "json://127.0.0.1:9/hook"
"""
WATCH = """
[[watches]]
name = "deportation"
keywords = ["deport*"]
"""


def problems_of(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/etc/nw/config.toml"), environ or {})
    return caught.value.problems


# -- valid configs, in process -------------------------------------------------


def test_empty_config_takes_every_default() -> None:
    config = parse_config("", Path("/etc/nw/config.toml"), {})
    assert config.sources == ()
    assert config.scheduler.interval == timedelta(minutes=15)
    assert config.crawler.obey_robots_txt is True
    assert config.alerts.first_run == "baseline"
    assert config.storage.path == Path("/etc/nw/newswatch.db")


def test_values_are_converted_at_the_boundary() -> None:
    text = (
        '[scheduler]\ninterval = "1h30m"\n[crawler]\ntimeout = "45s"\nmax_size = "2MiB"\n'
        + FEED + 'interval = "10m"\n'
        + '[[tickers]]\npair = "TJS/USD"\nthreshold = "0.5%"\n'
    )
    config = parse_config(text, Path("/etc/nw/config.toml"), {})
    assert config.scheduler.interval == timedelta(hours=1, minutes=30)
    assert config.crawler.timeout == timedelta(seconds=45)
    assert config.crawler.max_size == 2 * 1024 * 1024
    assert config.interval_of(config.source("feed")) == timedelta(minutes=10)
    assert config.tickers[0].threshold.amount == Decimal("0.5")
    assert config.tickers[0].threshold.percent


@pytest.mark.parametrize(("value", "expected"), [
    (None, timedelta(days=7)), ('"2d"', timedelta(days=2)), ('"off"', timedelta(0)), ('"0"', timedelta(0)),
    ("0", timedelta(0)),
])
def test_the_same_title_window_is_a_duration_or_off(value: str | None, expected: timedelta) -> None:
    text = f"[alerts]\nsame_title_window = {value}\n" if value else ""
    assert parse_config(text, Path("/etc/nw/config.toml"), {}).alerts.same_title_window == expected


def test_source_without_interval_uses_the_scheduler_default() -> None:
    config = parse_config('[scheduler]\ninterval = "7m"\n' + FEED, Path("/x/config.toml"), {})
    assert config.interval_of(config.source("feed")) == timedelta(minutes=7)


def test_env_references_are_substituted_anywhere_in_a_string() -> None:
    text = '[[notifiers]]\nname = "tg"\nurl = "tgram://${BOT}/${CHAT}"\n'
    config = parse_config(text, Path("/x/config.toml"), {"BOT": "123:abc", "CHAT": "42"})
    assert config.notifiers[0].url.get_secret_value() == "tgram://123:abc/42"
    assert "123:abc" not in repr(config)  # the URL is a secret


def test_relative_storage_path_resolves_next_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    path = write_config(tmp_path / "etc", '[storage]\npath = "data/nw.db"\n')
    config = load_config(path, {})
    assert config.storage.path == tmp_path / "etc" / "data" / "nw.db"


def test_absolute_storage_path_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "nw.db"
    config = parse_config(f'[storage]\npath = "{target}"\n', Path("/etc/nw/config.toml"), {})
    assert config.storage.path == target


def test_default_config_path_prefers_the_environment() -> None:
    assert default_config_path({"NEWSWATCH_CONFIG": "/srv/nw.toml"}) == Path("/srv/nw.toml")
    assert default_config_path({}) == Path("config.toml")


def test_unreadable_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml", {})
    assert caught.value.problems[0].startswith("cannot read the config file")


# -- invalid configs, in process: every problem named by its key ----------------

PROBLEMS = [
    pytest.param(
        FEED + 'interval = "fifteen"\n',
        'sources[0].interval: "fifteen" is not a duration (use a number with a unit: 30s, 15m, 1h, 1d)',
        id="bad-duration",
    ),
    pytest.param(FEED + 'intervall = "15m"\n', 'sources[0].intervall: unknown key (did you mean "interval"?)',
                 id="typo-did-you-mean"),
    pytest.param('[storag]\npath = "x.db"\n', 'storag: unknown key (did you mean "storage"?)', id="typo-section"),
    pytest.param(
        "[plugins]\nx = 1\n",
        "plugins: unknown key (allowed: storage, scheduler, crawler, alerts, sources, watches, tickers, notifiers, "
        "web, workers)",
        id="unknown-section",
    ),
    pytest.param('[web]\nlisten = "localhost"\n',
                 'web.listen: "localhost" is not HOST:PORT (e.g. "127.0.0.1:8680", "[::1]:8680")', id="web-listen"),
    pytest.param(FEED + '[sources.select]\nitme = "article"\n',
                 'sources[0].select.itme: unknown key (did you mean "item"?)', id="typo-nested"),
    pytest.param('[[sources]]\nname = "a"\ntype = "feed"\n', "sources[0].url: required key is missing",
                 id="missing-url"),
    pytest.param('[[sources]]\nname = "a"\nurl = "http://127.0.0.1/"\n',
                 'sources[0]: type "html" needs select.item, select.title, select.link', id="html-without-select"),
    pytest.param('[[sources]]\nname = "a"\nurl = "http://127.0.0.1/"\n[sources.select]\ntitle = "h2"\nlink = "a"\n',
                 'sources[0]: type "html" needs select.item', id="html-without-select-item"),
    pytest.param(FEED + 'cron = "every minute"\n',
                 f'sources[0].cron: "every minute" {CRON_HELP}',
                 id="cron-shape"),
    pytest.param(FEED + 'interval = "1m"\ncron = "* * * * *"\n', "sources[0]: set either interval or cron, not both",
                 id="interval-and-cron"),
    pytest.param(FEED + '[[tickers]]\npair = "TJS/USD"\nthreshold = "lots"\n',
                 f'tickers[0].threshold: "lots" {THRESHOLD_HELP}',
                 id="bad-threshold"),
    pytest.param('[[tickers]]\npair = "TJS/USD"\nthreshold = "-1%"\n',
                 f'tickers[0].threshold: "-1%" {THRESHOLD_HELP}',
                 id="negative-threshold"),
    pytest.param('[[tickers]]\npair = "TJS/USD"\n', "tickers[0].threshold: required key is missing",
                 id="missing-threshold"),
    pytest.param(FEED + 'pages = "two"\n', 'sources[0].pages: expected an integer, got "two"', id="type-int"),
    pytest.param(FEED + "pages = 0\n",
                 "sources[0].pages: 0 is out of range (input should be greater than or equal to 1)", id="out-of-range"),
    pytest.param("sources = 3\n", "sources: expected a list, got 3", id="type-list"),
    pytest.param('[crawler]\nmax_size = "huge"\n', 'crawler.max_size: "huge" is not a size (use e.g. 10MB, 512KiB)',
                 id="bad-size"),
    pytest.param('[[sources]]\nname = "My Feed"\nurl = "http://127.0.0.1/"\ntype = "feed"\n',
                 'sources[0].name: "My Feed" is not a valid name (use lower-case letters, digits, - and _)',
                 id="bad-name"),
    pytest.param('[[sources]]\nname = "a"\nurl = "ftp://127.0.0.1/"\ntype = "feed"\n',
                 'sources[0].url: "ftp://127.0.0.1/" is not an http(s) URL', id="not-http"),
    pytest.param('[[sources]]\nname = "a"\nurl = "http://127.0.0.1/"\ntype = "json"\n',
                 "sources[0].type: \"json\" is not one of 'html' or 'feed'", id="bad-type"),
    pytest.param('[alerts]\nfirst_run = "always"\n', "alerts.first_run: \"always\" is not one of 'baseline' or 'alert'",
                 id="bad-first-run"),
    pytest.param(FEED + FEED, 'sources[1].name: duplicate name "feed" (already used by sources[0])',
                 id="duplicate-source"),
    pytest.param(NOTIFIER + NOTIFIER, 'notifiers[1].name: duplicate name "log" (already used by notifiers[0])',
                 id="duplicate-notifier"),
    pytest.param(FEED + '[[tickers]]\npair = "*"\nthreshold = "1%"\nsources = ["nope"]\n',
                 'tickers[0].sources[0]: no source named "nope" (known: feed)', id="ticker-unknown-source"),
    pytest.param('[alerts]\noperator = ["pager"]\n' + NOTIFIER,
                 'alerts.operator[0]: no notifier named "pager" (known: log)', id="operator-unknown-notifier"),
    pytest.param('[alerts]\nsame_title_window = "a week"\n',
                 'alerts.same_title_window: "a week" is not a duration (use e.g. "7d", or "off")',
                 id="same-title-window-not-a-duration"),
]


@pytest.mark.parametrize(("text", "expected"), PROBLEMS)
def test_problem_is_reported_naming_its_key(text: str, expected: str) -> None:
    assert expected in problems_of(text)


WATCH_PROBLEMS = [
    pytest.param(WATCH + WATCH, 'watches[1].name: duplicate name "deportation" (already used by watches[0])',
                 id="duplicate-watch"),
    pytest.param(FEED + WATCH + 'sources = ["feeed"]\n', 'watches[0].sources[0]: no source named "feeed" (known: feed)',
                 id="watch-unknown-source"),
    pytest.param(NOTIFIER + WATCH + 'notify = ["telegram"]\n',
                 'watches[0].notify[0]: no notifier named "telegram" (known: log)', id="watch-unknown-notifier"),
    pytest.param('[[watches]]\nname = "w"\nkeywords = []\n', "watches[0].keywords: must not be empty",
                 id="watch-no-keywords"),
]


@needs_matcher
@pytest.mark.parametrize(("text", "expected"), WATCH_PROBLEMS)
def test_watch_problem_is_reported_naming_its_key(text: str, expected: str) -> None:
    assert expected in problems_of(text)


@needs_matcher
def test_bad_regex_keyword_names_the_keyword() -> None:
    problems = problems_of('[[watches]]\nname = "w"\nkeywords = ["ok", "/traffick(/"]\n')
    assert len(problems) == 1
    assert problems[0].startswith("watches[0].keywords[1]: ")
    assert "/traffick(/" in problems[0]


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(FEED + 'interval = "fifteen"\npages = "two"\n[crawler]\nretries = -1\n')
    assert [p.split(":")[0] for p in problems] == ["crawler.retries", "sources[0].interval", "sources[0].pages"]


def test_toml_syntax_error_keeps_line_and_column() -> None:
    problems = problems_of(FEED + "pages = = 2\n")
    assert problems == ["invalid TOML: Invalid value (at line 6, column 9)"]


def test_missing_env_var_is_named_and_other_secrets_are_not_shown() -> None:
    text = '[[notifiers]]\nname = "tg"\nurl = "tgram://${BOT_TOKEN}/${CHAT_ID}"\n'
    problems = problems_of(text, {"BOT_TOKEN": "123456:very-secret-token"})
    assert problems == ["notifiers[0].url: environment variable CHAT_ID is not set (export it or remove ${CHAT_ID})"]


def test_invalid_substituted_value_is_shown_as_written_not_as_the_secret() -> None:
    text = '[[sources]]\nname = "a"\nurl = "ftp://${HOST_TOKEN}/x"\ntype = "feed"\n'
    problems = problems_of(text, {"HOST_TOKEN": "very-secret-token"})
    assert problems == ['sources[0].url: "ftp://${HOST_TOKEN}/x" is not an http(s) URL']


# -- `newswatch check`, as a user runs it ----------------------------------------

CHECK_CASES = [
    pytest.param(FEED + 'interval = "fifteen"\n',
                 'sources[0].interval: "fifteen" is not a duration (use a number with a unit: 30s, 15m, 1h, 1d)',
                 id="bad-duration"),
    pytest.param(FEED + 'intervall = "15m"\n', 'sources[0].intervall: unknown key (did you mean "interval"?)',
                 id="unknown-key"),
    pytest.param("[notifier]\n", 'notifier: unknown key (did you mean "notifiers"?)', id="unknown-section"),
    pytest.param('[[sources]]\nurl = "http://127.0.0.1/"\ntype = "feed"\n', "sources[0].name: required key is missing",
                 id="missing-name"),
    pytest.param(FEED + FEED, 'sources[1].name: duplicate name "feed" (already used by sources[0])',
                 id="duplicate-source"),
    pytest.param(NOTIFIER + NOTIFIER, 'notifiers[1].name: duplicate name "log" (already used by notifiers[0])',
                 id="duplicate-notifier"),
    pytest.param('[[sources]]\nname = "a"\nurl = "http://127.0.0.1/"\n[sources.select]\ntitle = "h2"\nlink = "a"\n',
                 'sources[0]: type "html" needs select.item', id="html-without-item"),
    pytest.param(FEED + 'cron = "every 5 minutes"\n',
                 'sources[0].cron: "every 5 minutes" is not a cron expression (five fields: minute hour day month '
                 "weekday)", id="cron-shape"),
    pytest.param(FEED + 'cron = "61 * * * *"\n', 'sources[0].cron: "61 * * * *" is not a valid cron expression (',
                 id="cron-out-of-range"),
    pytest.param('[[tickers]]\npair = "TJS/USD"\nthreshold = "0%"\n',
                 'tickers[0].threshold: "0%" is not a threshold (use a percent like "0.5%" or an amount like "0.001")',
                 id="bad-threshold"),
    # write_config strips FEED's leading blank line: the bad line is the 5th of the file.
    pytest.param(FEED + "pages = = 2\n", "invalid TOML: Invalid value (at line 5, column 9)", id="toml-syntax"),
    pytest.param(FEED + 'pages = "two"\n', 'sources[0].pages: expected an integer, got "two"', id="type-error"),
]


@pytest.mark.parametrize(("body", "expected"), CHECK_CASES)
def test_check_reports_the_problem_and_exits_2(workdir: Path, body: str, expected: str) -> None:
    path = write_config(workdir, body)
    lines = user_error_lines(newswatch("check", "-c", path, cwd=workdir))
    assert any(line.startswith(f"{path}: {expected}") for line in lines), lines


@needs_matcher
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(WATCH + WATCH, 'watches[1].name: duplicate name "deportation" (already used by watches[0])',
                     id="duplicate-watch"),
        pytest.param(FEED + NOTIFIER + WATCH + 'sources = ["nope"]\nnotify = ["email"]\n',
                     'watches[0].sources[0]: no source named "nope" (known: feed)', id="watch-unknown-source"),
        pytest.param(FEED + NOTIFIER + WATCH + 'notify = ["email"]\n',
                     'watches[0].notify[0]: no notifier named "email" (known: log)', id="watch-unknown-notifier"),
        pytest.param('[[watches]]\nname = "w"\nkeywords = ["/traffick(/"]\n', "watches[0].keywords[0]: ",
                     id="bad-regex"),
    ],
)
def test_check_reports_watch_problems(workdir: Path, body: str, expected: str) -> None:
    path = write_config(workdir, body)
    lines = user_error_lines(newswatch("check", "-c", path, cwd=workdir))
    assert any(line.startswith(f"{path}: {expected}") for line in lines), lines


def test_check_names_a_missing_env_var_and_never_shows_other_secrets(workdir: Path) -> None:
    path = write_config(workdir, '[[notifiers]]\nname = "tg"\nurl = "tgram://${NW_BOT_TOKEN}/${NW_CHAT_ID}"\n')
    proc = newswatch("check", "-c", path, cwd=workdir, env={"NW_BOT_TOKEN": "123456:very-secret-token"})
    lines = user_error_lines(proc)
    assert lines == [f"{path}: notifiers[0].url: environment variable NW_CHAT_ID is not set "
                     "(export it or remove ${NW_CHAT_ID})"]
    assert "very-secret-token" not in proc.stderr + proc.stdout


def test_check_reports_a_missing_file(workdir: Path) -> None:
    lines = user_error_lines(newswatch("check", "-c", "nope.toml", cwd=workdir))
    assert lines == ["nope.toml: cannot read the config file: No such file or directory"]


def test_check_accepts_a_valid_config(workdir: Path) -> None:
    path = write_config(workdir, FEED + NOTIFIER + '[[tickers]]\npair = "*"\nthreshold = "1%"\n')
    proc = newswatch("check", "-c", path, cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{path}: OK — 1 sources, 0 watches, 1 ticker rules, 1 notifiers"


def test_check_uses_newswatch_config_when_c_is_absent(workdir: Path) -> None:
    (workdir / "etc").mkdir()
    path = write_config(workdir / "etc", FEED)
    (workdir / "config.toml").write_text('[bogus]\n', encoding="utf-8")  # ./config.toml must not be read
    proc = newswatch("check", cwd=workdir, env={"NEWSWATCH_CONFIG": str(path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{path}: OK")


def test_check_reads_config_toml_in_the_current_directory_by_default(workdir: Path) -> None:
    write_config(workdir, FEED)
    proc = newswatch("check", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("config.toml: OK — 1 sources")


def test_c_option_wins_over_newswatch_config(workdir: Path) -> None:
    good = write_config(workdir, FEED, name="good.toml")
    bad = write_config(workdir, "[bogus]\n", name="bad.toml")
    proc = newswatch("check", "-c", good, cwd=workdir, env={"NEWSWATCH_CONFIG": str(bad)})
    assert proc.returncode == 0, proc.stderr


@needs_matcher
def test_shipped_config_passes_check(workdir: Path) -> None:
    dummies = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_CHAT_ID": "42", "SMTP_USER": "u", "SMTP_PASSWORD": "p"}
    proc = newswatch("check", "-c", REPO / "config.toml", cwd=workdir, env=dummies)
    assert proc.returncode == 0, proc.stderr
    assert "OK — 2 sources, 2 watches, 1 ticker rules, 2 notifiers" in proc.stdout


def test_shipped_config_without_credentials_names_the_missing_variables(workdir: Path) -> None:
    proc = newswatch("check", "-c", REPO / "config.toml", cwd=workdir)
    text = "\n".join(user_error_lines(proc))
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD"):
        assert f"environment variable {name} is not set" in text


# -- files that used to crash instead of giving one line -----------------------------------


def test_a_latin_1_byte_even_in_a_comment_is_one_line_naming_where(workdir: Path) -> None:
    path = workdir / "config.toml"
    path.write_bytes(FEED.lstrip().encode() + "# café\n".encode("latin-1"))
    lines = user_error_lines(newswatch("check", "-c", path, cwd=workdir))
    assert lines == [f"{path}: cannot read the config file: not UTF-8 text: byte 0xe9 at line 5, column 6 "
                     "(save the file as UTF-8)"]


@pytest.mark.parametrize("text", [
    "a = " + "[" * 600 + "]" * 600,
    "a = " + "{ b = " * 600 + "1" + " }" * 600,
    "[" + ".".join(["t"] * 600) + "]\n",
    "x = " + "[" * 40 + "]" * 40,
], ids=["arrays", "inline-tables", "dotted-table", "beyond-the-cap"])
def test_deep_nesting_is_one_line(text: str) -> None:
    assert problems_of(text) == ["invalid TOML: nested more than 32 levels deep"]


@pytest.mark.parametrize("value", ["1000000000d", "3000000d", "3651d", "9" * 400 + "s", "522w"])
def test_a_duration_beyond_ten_years_names_its_key(value: str) -> None:
    problems = problems_of(f'[scheduler]\ninterval = "{value}"\n')
    assert problems == [f'scheduler.interval: "{value}" is too long (at most 3650d, ten years)']


def test_the_longest_accepted_interval_schedules(tmp_path: Path) -> None:
    from scheduler.triggers import source_trigger

    config = parse_config(FEED + 'interval = "3650d"\n', tmp_path / "c.toml", {})
    now = datetime.now(UTC)
    assert source_trigger(config, config.sources[0]).get_next_fire_time(None, now) > now


def test_an_endless_file_is_refused_after_a_bounded_read(workdir: Path) -> None:
    lines = user_error_lines(newswatch("check", "-c", "/dev/zero", cwd=workdir, timeout=30))
    assert lines == ["/dev/zero: cannot read the config file: larger than 32768 KiB: is this a config file?"]


def test_a_directory_is_refused(workdir: Path) -> None:
    lines = user_error_lines(newswatch("check", "-c", workdir, cwd=workdir))
    assert lines == [f"{workdir}: cannot read the config file: Is a directory"]


def test_every_kind_of_problem_is_reported_in_one_run(workdir: Path) -> None:
    body = (FEED.replace("http://127.0.0.1/feed", "http://${NW_UNSET_HOST}/feed") + 'interval = "fifteen"\n'
            + '[[watches]]\nname = "w"\nkeywords = ["/bad(/"]\nnotify = ["nobody"]\n' + FEED)
    lines = user_error_lines(newswatch("check", "-c", write_config(workdir, body), cwd=workdir))
    keys = sorted(line.split(": ")[1] for line in lines)
    assert keys == ["sources[0].interval", "sources[0].url", "sources[1].name", "watches[0].keywords[0]",
                    "watches[0].notify[0]"], lines


# -- notifier secrets are only needed by the commands that send ------------------------------

UNSET_NOTIFIER = FEED + '[[notifiers]]\nname = "tg"\nurl = "tgram://${NW_UNSET_TOKEN}/42"\n'


def test_an_unset_notifier_variable_is_kept_for_the_commands_that_send(tmp_path: Path) -> None:
    config = parse_config(UNSET_NOTIFIER, tmp_path / "c.toml", {}, notifier_secrets=False)
    assert config.unresolved_notifiers() == [
        "notifiers[0].url: environment variable NW_UNSET_TOKEN is not set (export it or remove ${NW_UNSET_TOKEN})"]
    assert config.unresolved_notifiers(["other"]) == []
    assert problems_of(UNSET_NOTIFIER) == config.unresolved_notifiers()


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["articles"], ["articles", "--json"],
                                     ["tickers"], ["tickers", "TJS/USD"]])
def test_read_only_commands_work_without_notifier_secrets(workdir: Path, command: list[str]) -> None:
    path = write_config(workdir, UNSET_NOTIFIER)
    assert newswatch("once", "-c", path, cwd=workdir).returncode == 2  # it sends: it needs them
    assert newswatch("init", workdir / "other.toml", cwd=workdir).returncode == 0
    proc = newswatch(*command, "-c", path, cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert "NW_UNSET_TOKEN" not in proc.stderr and "Traceback" not in proc.stderr


def test_status_check_works_without_notifier_secrets(workdir: Path) -> None:
    proc = newswatch("status", "--check", "-c", write_config(workdir, UNSET_NOTIFIER), cwd=workdir)
    assert proc.returncode == 1 and proc.stderr.startswith("no heartbeat at "), proc.stderr


@pytest.mark.parametrize("command", [["once"], ["run"], ["notify-test"], ["notify-test", "--notifier", "tg"]])
def test_commands_that_send_name_the_unset_variable(workdir: Path, command: list[str]) -> None:
    path = write_config(workdir, UNSET_NOTIFIER)
    lines = user_error_lines(newswatch(*command, "-c", path, cwd=workdir))
    assert lines == [f"{path}: notifiers[0].url: environment variable NW_UNSET_TOKEN is not set "
                     "(export it or remove ${NW_UNSET_TOKEN})"]


def test_preview_and_add_work_without_notifier_secrets(site: FixtureSite, prefix: str, workdir: Path) -> None:
    from support.configs import html_source
    from support.pages import Item, listing

    items = [Item(f"Deportation rules change, part {n}", f"{prefix}/news/{n}/", f"Summary {n}") for n in range(5)]
    url = site.set(f"{prefix}/list", listing(items))
    notifier = '\n[[notifiers]]\nname = "tg"\nurl = "tgram://${NW_UNSET_TOKEN}/42"\n'
    path = write_config(workdir, '[crawler]\nobey_robots_txt = false\n' + html_source("news", url) + notifier)
    preview = newswatch("preview", "news", "-c", path, cwd=workdir)
    assert preview.returncode == 0 and "Deportation rules change, part 4" in preview.stdout, preview.stderr
    added = newswatch("add", site.url(f"{prefix}/list"), "--name", "again", "--yes", "-c", path, cwd=workdir)
    assert added.returncode == 0, added.stdout + added.stderr
    assert "NW_UNSET_TOKEN" not in preview.stderr + added.stderr
    assert 'name = "again"' in path.read_text(encoding="utf-8")
