"""Config watching, job planning, heartbeat and JSON logs: the daemon's parts that need no event loop."""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest

from newswatch.config import Config, load_config, parse_config
from newswatch.store import utcnow
from scheduler.heartbeat import heartbeat_path, heartbeat_problem, remove_heartbeat, write_heartbeat
from scheduler.logs import JsonFormatter
from scheduler.reload import ConfigWatch, JobPlan, plan_jobs
from scheduler.triggers import source_trigger

S, M = timedelta(seconds=1), timedelta(minutes=1)


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        pytest.param({"a": (None, S, S)}, {"a": (None, S, S)}, JobPlan(), id="unchanged"),
        pytest.param({}, {"a": (None, S, S)}, JobPlan(added=["a"]), id="added"),
        pytest.param({"a": (None, S, S)}, {}, JobPlan(removed=["a"]), id="removed"),
        pytest.param({"a": (None, S, S)}, {"a": (None, M, S)}, JobPlan(rescheduled=["a"]), id="interval"),
        pytest.param({"a": (None, S, S)}, {"a": ("*/5 * * * *", S, S)}, JobPlan(rescheduled=["a"]), id="cron"),
        pytest.param({"a": (None, S, S)}, {"a": (None, S, M)}, JobPlan(rescheduled=["a"]), id="jitter"),
        pytest.param({"a": (None, S, S), "b": (None, S, S)}, {"b": (None, M, S), "c": (None, S, S)},
                     JobPlan(added=["c"], removed=["a"], rescheduled=["b"]), id="all-at-once"),
    ],
)
def test_plan_jobs(current: dict, wanted: dict, expected: JobPlan) -> None:
    assert plan_jobs(current, wanted) == expected


def test_plan_reads_as_a_log_line() -> None:
    assert str(JobPlan(added=["c"], removed=["a", "b"])) == "added c; removed a, b"
    assert str(JobPlan()) == "schedules unchanged"


class CountingLoader:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> Config:
        self.calls += 1
        return load_config(path, environ={})


def edit(path: Path, text: str) -> None:
    """Write ``text`` and move the mtime on, as an editor a second later would."""
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[scheduler]\ninterval = "1m"\n')
    return path


def test_a_change_is_loaded_once_it_held_still_for_a_poll(config_file: Path) -> None:
    loader = CountingLoader()
    watch = ConfigWatch(config_file, loader)
    assert watch.poll() is None and loader.calls == 0  # nothing changed
    edit(config_file, '[scheduler]\ninterval = "5m"\n')
    assert watch.poll() is None  # just changed: maybe still being written
    config = watch.poll()
    assert config is not None and config.scheduler.interval == timedelta(minutes=5)
    assert watch.poll() is None and loader.calls == 1


def test_saving_the_same_content_reloads_nothing(config_file: Path) -> None:
    loader = CountingLoader()
    watch = ConfigWatch(config_file, loader)
    edit(config_file, config_file.read_text())
    assert watch.poll() is None and watch.poll() is None
    assert loader.calls == 0


def test_an_invalid_edit_is_logged_once_naming_the_key(config_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    watch = ConfigWatch(config_file, CountingLoader())
    edit(config_file, '[scheduler]\ninterval = "fifteen"\n')
    with caplog.at_level(logging.ERROR, logger="scheduler.reload"):
        for _ in range(5):
            assert watch.poll() is None
    problems = [r.getMessage() for r in caplog.records if "scheduler.interval" in r.getMessage()]
    assert problems == [f'{config_file}: scheduler.interval: "fifteen" is not a duration '
                        "(use a number with a unit: 30s, 15m, 1h, 1d)"]
    assert all(r.levelno == logging.ERROR for r in caplog.records)


def test_force_loads_an_unchanged_file(config_file: Path) -> None:
    loader = CountingLoader()
    watch = ConfigWatch(config_file, loader)
    assert watch.force() is not None and loader.calls == 1


def test_a_missing_file_is_an_error_that_keeps_the_last_config(config_file: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    watch = ConfigWatch(config_file, CountingLoader())
    config_file.unlink()
    with caplog.at_level(logging.ERROR, logger="scheduler.reload"):
        assert watch.poll() is None and watch.poll() is None and watch.poll() is None
    assert sum("cannot read the config file" in r.getMessage() for r in caplog.records) == 1


def test_heartbeat_fresh_stale_and_absent(tmp_path: Path) -> None:
    beat = heartbeat_path(tmp_path / "newswatch.db")
    assert beat.name == "newswatch.db.heartbeat"
    assert "not running" in (heartbeat_problem(beat) or "")
    write_heartbeat(beat, timedelta(seconds=10), utcnow())
    assert heartbeat_problem(beat) is None
    assert heartbeat_problem(beat, utcnow() + timedelta(seconds=29)) is None
    assert "stale heartbeat" in (heartbeat_problem(beat, utcnow() + timedelta(seconds=31)) or "")
    beat.write_text("{not json")
    assert "unreadable" in (heartbeat_problem(beat) or "")
    remove_heartbeat(beat)
    assert not beat.exists()


def test_json_log_lines() -> None:
    record = logging.LogRecord("newswatch.pipeline", logging.INFO, __file__, 1, "source=%s outcome=%s",
                               ("news", "ok"), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "source=news outcome=ok"
    assert (line["level"], line["logger"]) == ("INFO", "newswatch.pipeline")
    assert line["time"].endswith("+00:00")


def test_jitter_applies_to_cron_and_interval_sources() -> None:
    text = """
[scheduler]
jitter = "30s"
[[sources]]
name = "by-cron"
url = "http://news.example/"
type = "feed"
cron = "*/5 * * * *"
[[sources]]
name = "by-interval"
url = "http://news.example/b"
type = "feed"
"""
    config = parse_config(text, Path("config.toml"), {})
    assert [source_trigger(config, s).jitter for s in config.sources] == [30, 30]
