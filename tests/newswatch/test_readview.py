"""The read-only commands read only the keys they need: the same values as the whole document, a bad key they
need still named, a bad key they do not need no reason to refuse (``newswatch check`` judges the whole file)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from support.cli import newswatch, user_error_lines, write_config

from newswatch import tomldoc

WANTED = frozenset({"storage", "alerts", "notifiers", "workers"})
DOCUMENTS = [
    '[storage]\npath = "a.db"\n[[sources]]\nname = "s"\n  [sources.select]\n  item = "x"\n',
    'storage.path = "root.db"\n[[sources]]\nname = "s"\n',  # a dotted key before the first table
    'storage = { path = "inline.db" }\nalerts.first_run = "alert"\n[[sources]]\nname = "s"\n',
    '[[sources]]\nname = "s"\n[ "storage" ]  # quoted, spaced\npath = "q.db"\n[[ notifiers ]]\nname = "n"\nurl = "x"\n',
    '[[sources]]\nname = "s"\nallow_hosts = [\n["storage"],\n["x"]\n]\n[storage]\npath = "after.db"\n',
    '[[sources]]\nname = "s"\nallow_hosts = [\n["storage"]\n]\n',  # an array line that reads as a header
    '[[sources]]\nname = """\n[storage]\npath = "in a string"\n"""\n[workers]\nurl = "redis://x"\n',
    "[[sources]]\nname = '''\n[storage]\n'''\n",
    '[storage]\npath = "a.db"\n[storage.extra]\nk = 1\n[[notifiers]]\nname = "n"\n[notifiers.more]\nx = 2\n',
    '# no tables\nx = 1\n',
    '',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_a_cut_document_holds_the_same_wanted_tables_as_the_whole(text: str) -> None:
    whole = tomllib.loads(text)
    cut = tomldoc.loads(text, WANTED)
    assert {k: v for k, v in cut.items() if k in WANTED} == {k: v for k, v in whole.items() if k in WANTED}


def test_a_syntax_error_in_a_wanted_table_is_told_with_its_line_in_the_whole_file() -> None:
    text = '[[sources]]\nname = "s"\n[[sources]]\nname = "t"\n[storage]\npath = \n'
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomldoc.loads(text, WANTED)
    assert "line 6" in str(caught.value)


def _config(tmp_path: Path, source_extra: str, storage: str = 'path = "newswatch.db"') -> Path:
    return write_config(tmp_path, f"""
        [storage]
        {storage}

        [[sources]]
        name = "good"
        url = "https://example.org/"
        type = "feed"

        [[sources]]
        {source_extra}
        url = "https://example.org/b"
        type = "feed"
        """)


def test_articles_and_status_read_past_a_bad_key_they_do_not_need(tmp_path: Path) -> None:
    config = _config(tmp_path, 'name = "second"\ninterval = "soon"\npages = "many"')
    assert newswatch("articles", "-c", config, cwd=tmp_path).returncode == 0
    status = newswatch("status", "-c", config, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "good" in status.stdout and "second" in status.stdout
    problems = user_error_lines(newswatch("check", "-c", config, cwd=tmp_path))
    assert any("sources[1].interval" in line for line in problems), problems


def test_status_names_a_bad_source_name_and_type(tmp_path: Path) -> None:
    config = write_config(tmp_path, """
        [[sources]]
        name = "Bad Name"
        url = "https://example.org/"
        type = "podcast"
        """)
    lines = user_error_lines(newswatch("status", "-c", config, cwd=tmp_path))
    assert any(line.startswith(f"{config}: sources[0].name") for line in lines), lines
    assert any(line.startswith(f"{config}: sources[0].type") for line in lines), lines


def test_articles_and_status_name_a_bad_storage_key(tmp_path: Path) -> None:
    config = _config(tmp_path, 'name = "second"', storage='path = "newswatch.db"\nkeep_runs = "a while"')
    for command in ("articles", "status"):
        lines = user_error_lines(newswatch(command, "-c", config, cwd=tmp_path))
        assert any("storage.keep_runs" in line for line in lines), (command, lines)


def test_status_names_a_duplicate_source(tmp_path: Path) -> None:
    config = _config(tmp_path, 'name = "good"')
    lines = user_error_lines(newswatch("status", "-c", config, cwd=tmp_path))
    assert any("duplicate" in line and "sources[1].name" in line for line in lines), lines


def test_status_tells_invalid_toml_in_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[[sources]]\nname = "a"\nurl = \n')
    lines = user_error_lines(newswatch("status", "-c", config, cwd=tmp_path))
    assert lines and all(line.startswith(f"{config}: invalid TOML") for line in lines), lines


def test_a_loaded_config_keeps_no_copy_of_its_text_or_parsed_document(tmp_path: Path) -> None:
    """The daemon lives with its config for days: the text and the parsed tables go once it is validated."""
    from newswatch.cli import load

    path = tmp_path / "config.toml"
    path.write_text('[storage]\npath = "n.db"\n\n[[sources]]\nname = "a"\nurl = "https://example.org/"\n'
                    'type = "feed"\n', encoding="utf-8")
    config = load(path)
    assert [s.name for s in config.sources] == ["a"]
    assert tomldoc._parsed.cache_info().currsize == 0 and not tomldoc._WHOLE
    assert tomldoc._sections.cache_info().currsize == 0 and tomldoc._tables.cache_info().currsize == 0
