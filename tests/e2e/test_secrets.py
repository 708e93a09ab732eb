"""Secrets never leak: values taken from ``${VAR}`` stay out of output, logs and the database.

Every command a user runs is run for real against notifiers that work and
notifiers that fail (so that errors are produced and recorded), at debug log
level; stdout, stderr and every file the commands leave behind (a full dump of
the SQLite database included) are searched for each secret value.

Also here: the warning about a config file that holds literal credentials and
that other users can read.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli import newswatch, write_config
from support.configs import html_source
from support.pages import Item, listing
from support.server import FixtureSite
from support.sinks import HttpSink, SmtpSink
from support.waiting import wait_until

from newswatch.secrets import exposed_credentials, literal_credentials

SECRETS = {
    "HOOK_USER": "hookuser-Vb71q",
    "HOOK_PASS": "hookpass-Zq81xW",
    "HOOK_PATH": "hookpath-Ty62kR",
    "DOWN_PASS": "downpass-Kx93mP",
    "FAIL_PASS": "failpass-Rw55nL",
    "SMTP_PASSWORD": "smtppass-Lm42Hd",
}
DEADLINE = 30.0


@pytest.fixture
def sinks() -> Iterator[tuple[HttpSink, HttpSink, SmtpSink]]:
    """A webhook that takes messages, one that answers 500, and an SMTP server without AUTH."""
    hook, failing, smtp = HttpSink(), HttpSink(), SmtpSink()
    failing.failing = True
    yield hook, failing, smtp
    hook.close()
    failing.close()
    smtp.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def secret_config(workdir: Path, url: str, hook: HttpSink, failing: HttpSink, smtp: SmtpSink) -> Path:
    return write_config(workdir, f"""
[storage]
path = "nw.db"
[scheduler]
interval = "1s"
jitter = "0s"
grace = "3s"
delivery_interval = "1s"
[crawler]
obey_robots_txt = false
retries = 0
timeout = "5s"
[alerts]
first_run = "alert"
attempts = 1
{html_source("news", url)}
[[watches]]
name = "topic"
keywords = ["trafficking"]

[[notifiers]]
name = "hook"
url = "json://${{HOOK_USER}}:${{HOOK_PASS}}@127.0.0.1:{hook.port}/${{HOOK_PATH}}"
[[notifiers]]
name = "down"
url = "json://bob:${{DOWN_PASS}}@127.0.0.1:{closed_port()}/${{HOOK_PATH}}"
[[notifiers]]
name = "broken"
url = "json://bob:${{FAIL_PASS}}@127.0.0.1:{failing.port}/fail"
[[notifiers]]
name = "mail"
url = "mailto://nw:${{SMTP_PASSWORD}}@127.0.0.1:{smtp.port}?from=nw@example.org&to=me@example.org"
""")


def run(workdir: Path, *args: str, config: str = "config.toml") -> subprocess.CompletedProcess[str]:
    """``newswatch --log-level debug ARGS -c CONFIG`` with the secrets in its environment."""
    return newswatch("--log-level", "debug", *args, "-c", config, cwd=workdir, env=SECRETS)


def leaks(text: str) -> list[str]:
    """The names of the secrets whose value appears in ``text``."""
    return [name for name, value in SECRETS.items() if value in text]


def assert_no_leak(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    found = leaks(proc.stdout + proc.stderr)
    assert not found, f"{found} leaked by {proc.args}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"


def database_dump(path: Path) -> str:
    with sqlite3.connect(path, timeout=10) as conn:
        return "\n".join(conn.iterdump())


def rows(workdir: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(workdir / "nw.db", timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]




def alert_titles(hook: HttpSink) -> list[str]:
    return [m["title"] for m in list(hook.received) if m["title"] != "newswatch test message"]


# -- every command, for real ---------------------------------------------------------------


def test_no_command_shows_a_secret_and_the_database_holds_none(
    site: FixtureSite, prefix: str, workdir: Path, sinks: tuple[HttpSink, HttpSink, SmtpSink]
) -> None:
    hook, failing, smtp = sinks
    old = [Item("Human trafficking case opens", f"{prefix}/a/1/", "trafficking")]
    url = site.set(f"{prefix}/list/", listing(old))
    secret_config(workdir, url, hook, failing, smtp)

    check = run(workdir, "check")
    assert check.returncode == 0, check.stderr
    first = run(workdir, "once")
    assert first.returncode == 3 and "1 sent, 3 failed" in first.stdout, first.stdout + first.stderr  # 3: owed
    assert hook.wait_for(1)[0]["title"] == "Human trafficking case opens"
    assert hook.paths == [f"/{SECRETS['HOOK_PATH']}"]  # the secrets did reach the notifier
    errors = [r["last_error"] for r in rows(workdir, "SELECT last_error FROM deliveries WHERE status = 'pending'")]
    assert len(errors) == 3 and all(errors), errors
    for command in (("once",), ("status", "--json"), ("status",), ("alerts",), ("alerts", "--pending", "--json"),
                    ("articles", "--json"), ("tickers", "--json"), ("notify-test",),
                    ("notify-test", "--notifier", "down")):
        assert_no_leak(run(workdir, *command))

    run_daemon_briefly(site, prefix, workdir, old, hook)
    assert not leaks(database_dump(workdir / "nw.db"))
    for path in workdir.iterdir():  # the database, its WAL, the heartbeat...
        if path.is_file() and path.suffix != ".toml":
            assert not leaks(path.read_bytes().decode("utf-8", "replace")), path


def run_daemon_briefly(site: FixtureSite, prefix: str, workdir: Path, old: list[Item], hook: HttpSink) -> None:
    """``run --log-format json`` until it delivered one more alert and the failing notifiers were tried."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"} | SECRETS
    proc = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "--log-level", "debug", "run", "-c", "config.toml", "--log-format", "json"],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_until(lambda: rows(workdir, "SELECT 1 FROM runs WHERE finished_at IS NOT NULL AND id > 2"), "a run")
        site.set(f"{prefix}/list/", listing([Item("Trafficking ring on trial", f"{prefix}/a/2/"), *old]))
        wait_until(lambda: "Trafficking ring on trial" in alert_titles(hook), "the new alert at the sink")
        sql = "SELECT 1 FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.title LIKE 'Trafficking ring%' " \
              "AND d.notifier != 'hook' AND d.last_error IS NOT NULL"
        wait_until(lambda: len(rows(workdir, sql)) == 3, "the failing notifiers tried")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    articles = [t for t in alert_titles(hook) if not t.startswith("notifier ")]
    assert articles == ["Human trafficking case opens", "Trafficking ring on trial"]
    assert not leaks(json.dumps(hook.received))  # nor do the operator's notices of failing notifiers
    records = [json.loads(line) for line in stderr.splitlines()]
    assert any(r["message"].startswith("delivery of alert") for r in records)  # the failures were logged
    assert_no_leak(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))


def test_an_api_key_in_a_source_url_stays_out_of_output_and_the_database(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    site.set(f"{prefix}/list/?apikey={SECRETS['HOOK_PASS']}", "gone", status=404)
    url = f"{site.base}{prefix}/list/?apikey=${{HOOK_PASS}}"
    write_config(workdir, f'[storage]\npath = "nw.db"\n[crawler]\nobey_robots_txt = false\n{html_source("news", url)}')
    first = run(workdir, "once")
    assert first.returncode == 1 and "HTTP 404 from" in first.stdout, first.stdout + first.stderr
    assert site.hits(f"{prefix}/list/?apikey={SECRETS['HOOK_PASS']}")  # the key did reach the site
    for proc in (first, run(workdir, "status", "--json"), run(workdir, "preview", "news", "--json")):
        assert_no_leak(proc)
    assert not leaks(database_dump(workdir / "nw.db"))


# -- config errors that involve a secret ---------------------------------------------------

BAD_CONFIGS = [
    pytest.param('[[sources]]\nname = "a"\nurl = "ftp://${DOWN_PASS}/x"\ntype = "feed"\n', "sources[0].url",
                 id="source-url"),
    pytest.param('[[notifiers]]\nname = "n"\nurl = "nosuchscheme://u:${HOOK_PASS}@${HOOK_PATH}/x"\n',
                 "notifiers[0].url", id="notifier-url"),
    pytest.param('[[notifiers]]\nname = "n"\nurl = "${HOOK_PASS}"\n', "notifiers[0].url", id="notifier-url-bare"),
    pytest.param('[scheduler]\ninterval = ["${HOOK_PASS}"]\n', "scheduler.interval", id="value-in-a-list"),
    pytest.param('[[sources]]\nname = "a"\nurl = "http://h/"\ntype = "feed"\ncron = "${HOOK_USER} * * * *"\n',
                 "sources[0].cron", id="cron"),
    pytest.param('[[watches]]\nname = "w"\nkeywords = ["/${HOOK_PASS}(/"]\n', "watches[0].keywords[0]",
                 id="keyword"),
]


@pytest.mark.parametrize(("body", "key"), BAD_CONFIGS)
def test_a_config_error_built_from_a_secret_does_not_show_it(workdir: Path, body: str, key: str) -> None:
    write_config(workdir, body, name="bad.toml")
    for command in ("check", "once", "run"):
        proc = run(workdir, command, config="bad.toml")
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert_no_leak(proc)
        assert any(line.startswith(f"bad.toml: {key}: ") for line in proc.stderr.splitlines()), proc.stderr


# -- a readable config file holding literal credentials ------------------------------------

LITERAL = '[[notifiers]]\nname = "hook"\nurl = "json://bob:hunter2-literal@127.0.0.1:9/x"\n'
FROM_ENV = '[[notifiers]]\nname = "hook"\nurl = "json://bob:${HOOK_PASS}@127.0.0.1:9/x"\n'


@pytest.mark.parametrize(("url", "literal"), [
    pytest.param("json://127.0.0.1:9/hook", False, id="no-credentials"),
    pytest.param("json://${HOOK_USER}:${HOOK_PASS}@127.0.0.1:9/", False, id="credentials-from-env"),
    pytest.param("mailtos://${SMTP_USER}:${SMTP_PASSWORD}@smtp.example.com?to=a@example.org", False, id="mail-env"),
    pytest.param("mailto://127.0.0.1:2525?from=nw@example.org&to=me@example.org", False, id="at-in-query"),
    pytest.param("tgram://${TELEGRAM_BOT_TOKEN}/${TELEGRAM_CHAT_ID}", False, id="telegram-env"),
    pytest.param("json://bob:hunter2@127.0.0.1:9/", True, id="password"),
    pytest.param("mailtos://me:pa${X}ss@smtp.example.com", True, id="password-half-literal"),
    pytest.param("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345", True, id="telegram-token"),
    pytest.param("slack://xoxb-1234-abcdefghij/#general", True, id="slack-token"),
    pytest.param("discord://1234567890/abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", True, id="long-token"),
    pytest.param("ntfy://ntfy.sh/topic?token=tk_abc", True, id="token-parameter"),
    pytest.param("ntfy://ntfy.sh/topic?token=${NTFY_TOKEN}", False, id="token-parameter-env"),
])
def test_literal_credentials_are_found_in_notifier_urls(url: str, literal: bool) -> None:
    text = f'[[notifiers]]\nname = "a"\nurl = "json://127.0.0.1:9/"\n[[notifiers]]\nname = "b"\nurl = "{url}"\n'
    assert literal_credentials(text) == (["notifiers[1].url"] if literal else [])


def test_literal_credentials_of_a_file_that_is_no_config_are_none() -> None:
    assert literal_credentials("not = [toml") == []
    assert literal_credentials('notifiers = "x"\n') == []
    assert literal_credentials('[[notifiers]]\nurl = 5\n') == []


@pytest.mark.parametrize(("body", "mode", "warned"), [
    pytest.param(LITERAL, 0o644, True, id="literal-world-readable"),
    pytest.param(LITERAL, 0o640, True, id="literal-group-readable"),
    pytest.param(LITERAL, 0o600, False, id="literal-private"),
    pytest.param(FROM_ENV, 0o644, False, id="from-env-world-readable"),
])
def test_a_readable_config_with_literal_credentials_is_warned_about(
    workdir: Path, body: str, mode: int, warned: bool
) -> None:
    config = write_config(workdir, body)
    config.chmod(mode)
    warning = exposed_credentials(config)
    assert (warning is not None) == warned
    proc = newswatch("check", "-c", config, cwd=workdir, env={"HOOK_PASS": "x"})
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    if warned:
        assert len(lines) == 1 and str(config) in lines[0] and "notifiers[0].url" in lines[0], lines
        assert f"chmod 600 {config}" in lines[0] and "hunter2-literal" not in proc.stderr
    else:
        assert lines == []


# -- only http(s) is ever fetched -------------------------------------------------------------


def test_a_listed_file_url_is_never_read_for_full_text(site: FixtureSite, prefix: str, workdir: Path) -> None:
    paragraph = "<p>This paragraph speaks of trafficking routes and the people who run them, at length.</p>"
    page = f"<html><body><article><h1>Report</h1>{paragraph * 8}</article></body></html>"
    private = workdir / "private.html"
    private.write_text(page.replace("This paragraph", "This private local file"), encoding="utf-8")
    site.set(f"{prefix}/story/", page)
    url = site.set(f"{prefix}/list/", listing([Item("Old news", f"{prefix}/old/")]))
    source = html_source("news", url).replace("pages = 1", "pages = 1\nfull_text = true")
    write_config(workdir, f'[storage]\npath = "nw.db"\n[crawler]\nobey_robots_txt = false\n{source}'
                          '[[watches]]\nname = "topic"\nkeywords = ["trafficking"]\n')
    assert newswatch("once", cwd=workdir).returncode == 0
    listed = [Item("Harmless headline", private.as_uri()), Item("Another headline", f"{prefix}/story/")]
    site.set(f"{prefix}/list/", listing([*listed, Item("Old news", f"{prefix}/old/")]))
    second = newswatch("once", cwd=workdir)
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    bodies = {r["title"]: r["body"] for r in rows(workdir, "SELECT title, body FROM articles")}
    assert "Harmless headline" not in bodies  # a file: link is no article: never stored, never fetched
    assert "news: skipped 1 links that are not http(s)" in second.stdout
    assert "trafficking routes" in bodies["Another headline"]  # full_text does fetch http(s) pages
    assert [a["title"] for a in rows(workdir, "SELECT title FROM alerts")] == ["Another headline"]
