"""`newswatch init`: a commented starter config that `check` accepts, never written over an existing file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from support.cli import newswatch, user_error_lines

from newswatch.configedit import starter_text

# Values of the shape Apprise accepts for the starter's notifiers.
NOTIFIER_ENV = {
    "TELEGRAM_BOT_TOKEN": "123456789:AAdummyToken-xyz_0123456789abcdef",
    "TELEGRAM_CHAT_ID": "42",
    "SMTP_USER": "alerts",
    "SMTP_PASSWORD": "secret",
}


def test_init_writes_a_commented_starter_that_check_accepts(workdir: Path) -> None:
    proc = newswatch("init", cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    config = workdir / "config.toml"
    assert config.read_text(encoding="utf-8") == starter_text()
    assert "newswatch add URL" in proc.stdout

    check = newswatch("check", cwd=workdir)  # no credentials needed: alerts go to the terminal
    assert check.returncode == 0, check.stdout + check.stderr
    assert "2 sources, 2 watches, 0 ticker rules, 1 notifiers" in check.stdout


def test_init_never_overwrites(workdir: Path) -> None:
    config = workdir / "config.toml"
    config.write_text("# my own config\n", encoding="utf-8")

    proc = newswatch("init", cwd=workdir)
    assert proc.returncode == 1
    refusal = f"{config.name} already exists: not overwriting it (edit it, or give another PATH)"
    assert proc.stderr.splitlines() == [refusal]
    assert "Traceback" not in proc.stderr
    assert config.read_text(encoding="utf-8") == "# my own config\n"


def test_init_writes_where_it_is_told(workdir: Path) -> None:
    assert newswatch("init", "nested/dir/watch.toml", cwd=workdir).returncode == 0
    assert newswatch("init", "-c", "other.toml", cwd=workdir).returncode == 0
    assert newswatch("init", cwd=workdir, env={"NEWSWATCH_CONFIG": "from-env.toml"}).returncode == 0
    for name in ("nested/dir/watch.toml", "other.toml", "from-env.toml"):
        assert (workdir / name).read_text(encoding="utf-8") == starter_text()
    assert not (workdir / "config.toml").exists()


def test_the_starter_names_the_variables_its_commented_notifiers_need(workdir: Path) -> None:
    assert newswatch("init", cwd=workdir).returncode == 0
    config = workdir / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("# [[notifiers]]\n# name", "[[notifiers]]\nname")
                      .replace('\n# url = "', '\nurl = "'), encoding="utf-8")
    lines = user_error_lines(newswatch("check", cwd=workdir))
    for name in NOTIFIER_ENV:
        assert any(f"environment variable {name} is not set" in line for line in lines), lines


def test_the_starter_is_generic_and_commented() -> None:
    text = starter_text()
    data = tomllib.loads(text)
    assert [s["type"] for s in data["sources"]] == ["feed", "html"]
    assert len(data["watches"]) == 2
    assert [n["url"] for n in data["notifiers"]] == ["console://"]  # the rest need credentials: commented
    comment_lines = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comment_lines) >= 30
    for section in ("[storage]", "[scheduler]", "[crawler]", "[alerts]"):
        assert section in text
