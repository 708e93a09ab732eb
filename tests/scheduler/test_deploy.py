"""The deployment files agree with the daemon: systemd unit, Dockerfile, compose file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from newswatch import defaults
from newswatch.units import parse_duration

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "newswatch.service"
GRACE = parse_duration(defaults.SCHEDULER_GRACE).total_seconds()
CANCEL_WAIT = 5  # scheduler.daemon.CANCEL_WAIT_SECONDS, twice at worst (runs, then crawls)


def directives(unit: Path) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit file, values in order."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_unit_is_hardened_and_waits_longer_than_the_grace() -> None:
    unit = directives(UNIT)
    for key, value in {"DynamicUser": "yes", "StateDirectory": "newswatch", "ProtectSystem": "strict",
                       "NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectHome": "yes",
                       "EnvironmentFile": "-/etc/newswatch/env", "Restart": "on-failure",
                       "ExecReload": "/bin/kill -HUP $MAINPID", "KillSignal": "SIGTERM",
                       "RestartPreventExitStatus": "2"}.items():
        assert unit.get(key) == [value], key
    assert float(unit["TimeoutStopSec"][0]) >= GRACE + 2 * CANCEL_WAIT + 10
    assert unit["ExecStart"][0].split()[1:] == ["run", "-c", "/etc/newswatch/config.toml"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at this environment's newswatch.
    installed = Path(sys.executable).parent / "newswatch"
    copy = tmp_path / "newswatch.service"
    copy.write_text(UNIT.read_text().replace("/opt/newswatch/bin/newswatch", str(installed)))
    proc = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr


def test_dockerfile_runs_the_daemon_as_non_root_with_a_healthcheck() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert len([x for x in lines if x.startswith("FROM ")]) == 1
    assert "USER newswatch" in lines
    assert 'VOLUME ["/data"]' in lines
    assert any("NEWSWATCH_CONFIG=/config/config.toml" in line for line in lines)
    assert 'CMD ["newswatch", "status", "--check"]' in lines
    assert lines[-2:] == ['ENTRYPOINT ["newswatch"]', 'CMD ["run"]']


def test_compose_mounts_config_read_only_and_waits_for_the_grace() -> None:
    yaml = pytest.importorskip("yaml")
    service = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["newswatch"]
    assert "./config:/config:ro" in service["volumes"]
    assert any(volume.endswith(":/data") for volume in service["volumes"])
    assert parse_duration(service["stop_grace_period"]).total_seconds() >= GRACE + 2 * CANCEL_WAIT + 10
    assert service["environment"]["NEWSWATCH_CONFIG"] == "/config/config.toml"


def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_base_image_is_pinned_to_a_release_and_a_digest() -> None:
    (base,) = [line for line in dockerfile() if line.startswith("FROM ")]
    assert re.fullmatch(r"FROM python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base), base


def test_dependencies_are_a_layer_of_their_own_before_the_code() -> None:
    steps = dockerfile()
    code = re.compile(r"COPY (newswatch|crawler|scheduler|notifiers) ")
    first_code = min(i for i, line in enumerate(steps) if code.match(line))
    deps = [i for i, line in enumerate(steps) if line.startswith("RUN ") and "pip install -r" in line]
    assert deps and deps[0] < first_code, steps
    assert [line for line in steps[:deps[0]] if line.startswith("COPY ")] == ["COPY pyproject.toml ./"]
    installs = [line for line in steps[first_code:] if "pip install" in line]
    assert installs and all("--no-deps" in line for line in installs), installs


def test_the_dependency_list_the_image_installs_is_pyprojects(tmp_path: Path) -> None:
    step = next(line for line in dockerfile() if "pip install -r" in line)
    program = re.search(r'python -c "(.+?)"\s*>', step)
    assert program, step
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    proc = subprocess.run([sys.executable, "-c", program[1]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=30, check=True)
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert proc.stdout.splitlines() == expected


def test_compose_stops_restarting_a_bad_config_and_rotates_its_logs() -> None:
    yaml = pytest.importorskip("yaml")
    service = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["newswatch"]
    # systemd stops on exit 2 (RestartPreventExitStatus); compose can only cap the attempts.
    match = re.fullmatch(r"on-failure:(\d+)", service["restart"])
    assert match and 1 <= int(match[1]) <= 10, service["restart"]
    logging = service["logging"]
    assert logging["driver"] in ("json-file", "local")
    assert re.fullmatch(r"\d+[kmg]", logging["options"]["max-size"]) and int(logging["options"]["max-file"]) >= 1


def test_the_unit_says_how_to_install_from_the_repository() -> None:
    comments = [line.lstrip("# ").strip() for line in UNIT.read_text().splitlines() if line.startswith("#")]
    installs = [line for line in comments if "pip install" in line]
    assert installs, comments
    assert not any(re.search(r"pip install newswatch\b", line) for line in installs), installs  # not on the index
    assert any("git clone" in line for line in comments)
