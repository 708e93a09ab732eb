"""Running ``newswatch`` the way a user does: a subprocess per command.

Crawling commands must run in their own process anyway: a Twisted reactor
cannot be restarted inside one test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Variables of the outer environment that would change what a command does.
_SCRUBBED = ("NEWSWATCH_CONFIG", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "SMTP_USER", "SMTP_PASSWORD")


def write_config(tmp_path: Path, body: str, name: str = "config.toml") -> Path:
    """Write ``body`` (dedented) as the config file in ``tmp_path``; its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def newswatch(
    *args: str | os.PathLike[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m newswatch ARGS`` in ``cwd``; ``env`` is added to a scrubbed copy of ours."""
    environment = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "newswatch", *map(str, args)],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False,
    )


def user_error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines of a command that must have failed as a user error: exit 2, no traceback."""
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr.splitlines()
