"""The deployment files agree with the daemon: systemd unit, Dockerfile, compose file."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
    assert [x for x in lines if x.startswith("FROM ")] == ["FROM python:3.11-slim"]
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
