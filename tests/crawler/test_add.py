"""`newswatch add URL`: real subprocesses fetching pages of our own from the local fixture site.

The shared corpus (read in place at test time, never copied into the
repository) measures the quality bar: `add --dry-run` on each real listing
page shows as many articles as the verified ground truth, and every real feed
reads through the `type = "feed"` source path with its expected entries.

``python tests/crawler/test_add.py`` prints the listing table of the README.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from support.cli import newswatch, user_error_lines, write_config
from support.configs import base
from support.pages import Item, listing, rss
from support.server import FixtureSite

from newswatch.configedit import appended, default_name, source_toml

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
RSS = "application/rss+xml; charset=utf-8"
USER_AGENT = "newswatch-test (+mailto:test@example.org)"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Pages (corpus pages especially) advertise feeds on real hosts: route every
# request off 127.0.0.1 to a closed port, so the tests never leave the machine.
_DEAD_PROXY = f"http://127.0.0.1:{_closed_port()}"
HERMETIC = {"http_proxy": _DEAD_PROXY, "https_proxy": _DEAD_PROXY, "no_proxy": "127.0.0.1,localhost"}


# -- helpers --------------------------------------------------------------------


def add(workdir: Path, url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = newswatch("add", url, "-c", workdir / "config.toml", *args, cwd=workdir, env={**HERMETIC, **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def crawler_config(obey_robots: bool = False) -> str:
    return base().replace("obey_robots_txt = false", f"obey_robots_txt = {str(obey_robots).lower()}") + (
        f'user_agent = "{USER_AGENT}"\n'
    )


def sources(workdir: Path) -> list[dict[str, Any]]:
    return tomllib.loads((workdir / "config.toml").read_text(encoding="utf-8")).get("sources", [])


def stories(prefix: str, count: int = 5) -> list[Item]:
    return [
        Item(
            f"Migrants face new deportation rules, part {n}",
            f"{prefix}/news/{n}/",
            f"Summary of story {n}",
            f"2025-03-0{n}T08:00:00Z",
        )
        for n in range(1, count + 1)
    ]


def with_feed_link(html: str, href: str) -> str:
    return html.replace("<title>", f'<link rel="alternate" type="application/rss+xml" href="{href}"><title>', 1)


def preview_json(workdir: Path, name: str) -> dict[str, Any]:
    proc = newswatch("preview", name, "-c", workdir / "config.toml", "--json", cwd=workdir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def shown_count(stdout: str) -> int | None:
    """The article count ``add`` prints ("37 articles extracted by ...")."""
    match = re.search(r"^(\d+) articles (?:in the feed|extracted)", stdout, re.MULTILINE)
    return int(match[1]) if match else None


def header(hit: dict[str, str], name: str) -> str | None:
    return next((v for k, v in hit.items() if k.lower() == name.lower()), None)


# -- feeds ------------------------------------------------------------------------


def test_add_takes_the_feed_the_page_advertises(site: FixtureSite, prefix: str, workdir: Path) -> None:
    feed = site.set(f"{prefix}/rss.xml", rss(stories(prefix)), content_type=RSS)
    page = site.set(f"{prefix}/tag/migration/", with_feed_link(listing(stories(prefix)), f"{prefix}/rss.xml"))
    write_config(workdir, crawler_config())

    proc = add(workdir, page, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert f"feed found: {feed} (a feed advertised by the page)" in proc.stdout
    assert "Migrants face new deportation rules, part 1" in proc.stdout
    assert shown_count(proc.stdout) == 5
    assert sources(workdir) == [{"name": "127-0-0-1-migration", "url": feed, "type": "feed"}]
    assert [header(hit, "User-Agent") for hit in site.hits(f"{prefix}/rss.xml")] == [USER_AGENT]
    assert site.hits(f"{prefix}/tag/migration/feed/") == []  # the advertised feed was enough
    articles = preview_json(workdir, "127-0-0-1-migration")["articles"]
    assert [a["link"] for a in articles] == [site.url(f"{prefix}/news/{n}/") for n in range(1, 6)]


def test_add_probes_the_usual_feed_locations_when_none_is_advertised(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    page = site.set(f"{prefix}/tag/migration/", listing(stories(prefix)))
    feed = site.set(f"{prefix}/tag/migration/feed/", rss(stories(prefix, 3)), content_type=RSS)
    write_config(workdir, crawler_config())

    proc = add(workdir, page, "--yes", "--name", "migration")
    assert proc.returncode == 0, proc.stderr
    assert f"feed found: {feed} (a feed at a usual feed location)" in proc.stdout
    assert shown_count(proc.stdout) == 3
    assert sources(workdir) == [{"name": "migration", "url": feed, "type": "feed"}]
    assert site.hits(f"{prefix}/tag/migration/?feed=rss2") == []  # probing stops at the first feed


def test_a_page_that_is_itself_a_feed_is_added_as_a_feed(site: FixtureSite, prefix: str, workdir: Path) -> None:
    feed = site.set(f"{prefix}/feed.xml", rss(stories(prefix, 2)), content_type=RSS)
    write_config(workdir, crawler_config())

    proc = add(workdir, feed, "--yes")
    assert proc.returncode == 0, proc.stderr
    assert sources(workdir)[0]["type"] == "feed"
    assert sources(workdir)[0]["url"] == feed


# -- selectors --------------------------------------------------------------------------


def test_add_proposes_selectors_and_the_new_source_works(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/search", listing(stories(prefix), ticker=["TJS/USD = 0.0917 0%"]))
    write_config(workdir, crawler_config())

    proc = add(workdir, page, "--yes", "--name", "search")
    assert proc.returncode == 0, proc.stderr
    assert "no feed (0 advertised, 8 usual locations probed)" in proc.stdout
    assert shown_count(proc.stdout) == 5
    for n in range(1, 6):
        assert f"Migrants face new deportation rules, part {n}" in proc.stdout
    [source] = sources(workdir)
    assert (source["type"], source["url"]) == ("html", page)
    assert {"item", "title", "link"} <= set(source["select"])

    articles = preview_json(workdir, "search")["articles"]
    assert [a["title"] for a in articles] == [i.title for i in stories(prefix)]
    assert articles[0]["published"] == "2025-03-01T08:00:00+00:00"
    once = newswatch("once", "-c", workdir / "config.toml", cwd=workdir)
    assert once.returncode == 0, once.stdout + once.stderr
    assert re.search(r"^search\s+baseline\s+5\s+5\b", once.stdout, re.MULTILINE), once.stdout


def test_nothing_found_says_what_was_tried_and_exits_1(site: FixtureSite, prefix: str, workdir: Path) -> None:
    about = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="gone.xml"></head>'
        "<body><h1>About us</h1><p>We write news.</p></body></html>"
    )
    page = site.set(f"{prefix}/about", about)
    config = write_config(workdir, crawler_config())
    before = config.read_text(encoding="utf-8")

    proc = add(workdir, page, "--yes")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"nothing to watch found at {page}" in proc.stderr
    assert f"(<link rel=alternate>):\n    {site.url(prefix)}/gone.xml  HTTP 404" in proc.stderr
    assert f"{site.url(prefix)}/about/feed/  HTTP 404" in proc.stderr
    assert f"{site.base}/feed/  HTTP 404" in proc.stderr
    assert "repeated article structure: none" in proc.stderr
    assert config.read_text(encoding="utf-8") == before


def test_an_article_page_gets_nothing_found_saying_it_is_one_article(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    body = "".join(f"<p>{'Officials expect more labour migrants to come home this summer. ' * 6}</p>" for _ in range(4))
    related = "".join(f'<li><a href="{i.href}">{i.title}</a></li>' for i in stories(prefix))
    page = site.set(
        f"{prefix}/news/2025/03/story/",
        '<html><head><meta property="og:type" content="article"><title>One story</title></head><body>'
        f"<article><h1>Migrants come home</h1>{body}</article><h2>Related</h2><ul>{related}</ul></body></html>",
    )
    write_config(workdir, crawler_config())

    proc = add(workdir, page, "--yes")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "repeated article structure: not searched: the page's main content is one article" in proc.stderr
    assert "og:type=article" in proc.stderr
    assert sources(workdir) == []


def test_a_category_page_gets_its_own_feed_not_the_site_feed_and_says_so(
    site: FixtureSite, prefix: str, workdir: Path
) -> None:
    site.set(f"{prefix}/index.rss", rss(stories(prefix, 2)), content_type=RSS)
    own = site.set(f"{prefix}/politics/index.rss", rss(stories(prefix, 4)), content_type=RSS)
    site_feed, own_feed = f"{prefix}/index.rss", f"{prefix}/politics/index.rss"
    html = with_feed_link(with_feed_link(listing(stories(prefix)), site_feed), own_feed)  # the site's first
    page = site.set(f"{prefix}/politics/", html)
    write_config(workdir, crawler_config())

    proc = add(workdir, page, "--yes", "--name", "politics")
    assert proc.returncode == 0, proc.stderr
    chosen = f"feed found: {own} (a feed advertised by the page: of 2 advertised, the one under the page's path /"
    assert chosen in proc.stdout
    assert shown_count(proc.stdout) == 4
    assert sources(workdir) == [{"name": "politics", "url": own, "type": "feed"}]
    assert site.hits(f"{prefix}/index.rss") == []  # the site's feed was never needed


def test_robots_txt_disallowing_the_page_is_a_clear_refusal(workdir: Path) -> None:
    own = FixtureSite()  # a robots.txt of its own, not the session site's
    try:
        own.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        page = own.set("/private/news/", listing(stories("/private")))
        write_config(workdir, crawler_config(obey_robots=True))

        proc = add(workdir, page, "--yes")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert f"refused: {own.url('/robots.txt')} disallows {page}" in proc.stderr
        assert USER_AGENT in proc.stderr
        assert own.hits("/private/news/") == []
        assert sources(workdir) == []
    finally:
        own.close()


# -- the config file ----------------------------------------------------------------------


def test_dry_run_prints_the_toml_and_writes_nothing(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/list", listing(stories(prefix)))
    config = write_config(workdir, crawler_config())
    before = config.read_bytes()

    proc = add(workdir, page, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert config.read_bytes() == before
    assert sorted(p.name for p in workdir.iterdir()) == ["config.toml"]
    fragment = proc.stdout.split(f"would append to {config}:\n", 1)[1]
    [source] = tomllib.loads(fragment)["sources"]
    assert (source["name"], source["type"], source["url"]) == ("127-0-0-1-list", "html", page)


@pytest.mark.parametrize(("answer", "added"), [("\n", True), ("y\n", True), ("n\n", False)])
def test_add_asks_before_appending(site: FixtureSite, prefix: str, workdir: Path, answer: str, added: bool) -> None:
    page = site.set(f"{prefix}/list", listing(stories(prefix)))
    write_config(workdir, crawler_config())
    environment = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"} | HERMETIC
    proc = subprocess.run(
        [sys.executable, "-m", "newswatch", "add", page],
        cwd=workdir,
        env=environment,
        input=answer,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Append source '127-0-0-1-list' to config.toml? [Y/n]" in proc.stdout
    assert (proc.returncode, len(sources(workdir))) == ((0, 1) if added else (1, 0)), proc.stdout + proc.stderr


def test_dry_run_needs_no_config_file(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/feed.xml", rss(stories(prefix, 2)), content_type=RSS)
    proc = add(workdir, page, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "[[sources]]" in proc.stdout
    assert not (workdir / "config.toml").exists()


def test_appending_keeps_every_comment_and_the_layout(site: FixtureSite, prefix: str, workdir: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "123456789:AAdummyToken-xyz_0123456789abcdef",
        "TELEGRAM_CHAT_ID": "42",
        "SMTP_USER": "u",
        "SMTP_PASSWORD": "p",
    }
    assert newswatch("init", cwd=workdir).returncode == 0
    config = workdir / "config.toml"
    original = config.read_text(encoding="utf-8")
    page = site.set(f"{prefix}/list", listing(stories(prefix)))

    proc = add(workdir, page, "--yes", env=env)
    assert proc.returncode == 0, proc.stderr
    edited = config.read_text(encoding="utf-8")
    assert edited.startswith(original)
    assert edited[len(original) :].startswith("\n# Added by `newswatch add")
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 20 and all(line in edited.splitlines() for line in comments)
    assert [s["name"] for s in sources(workdir)] == ["timesca-feed", "timesca-migration", "127-0-0-1-list"]
    assert newswatch("check", cwd=workdir, env=env).returncode == 0


def test_names_default_to_host_and_last_segment_and_stay_unique(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/tag/migration/", listing(stories(prefix)))
    write_config(workdir, crawler_config())
    for _ in range(3):
        assert add(workdir, page, "--yes").returncode == 0
    names = ["127-0-0-1-migration", "127-0-0-1-migration-2", "127-0-0-1-migration-3"]
    assert [s["name"] for s in sources(workdir)] == names


def test_a_bad_name_or_url_is_a_user_error_before_any_fetch(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/list", listing(stories(prefix)))
    taken = '\n[[sources]]\nname = "taken"\nurl = "https://example.org/"\ntype = "feed"\n'
    write_config(workdir, crawler_config() + taken)

    assert "already exists" in user_error_lines(add(workdir, page, "--name", "taken", "--yes"))[0]
    assert "1-64 of a-z" in user_error_lines(add(workdir, page, "--name", "Bad Name", "--yes"))[0]
    assert "not an http(s) URL" in user_error_lines(add(workdir, "example.org/news", "--yes"))[0]
    assert site.hits(f"{prefix}/list") == []


def test_add_without_a_config_file_points_to_init(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/list", listing(stories(prefix)))
    [line] = user_error_lines(add(workdir, page, "--yes"))
    assert "newswatch init" in line
    assert not (workdir / "config.toml").exists()


def test_an_edit_that_would_break_the_config_is_not_written(site: FixtureSite, prefix: str, workdir: Path) -> None:
    page = site.set(f"{prefix}/list", listing(stories(prefix)))
    config = write_config(workdir, "sources = []   # an inline array: [[sources]] cannot follow\n" + crawler_config())
    before = config.read_bytes()

    lines = user_error_lines(add(workdir, page, "--yes"))
    assert lines and lines[0].startswith(f"{config}: invalid TOML")
    assert config.read_bytes() == before
    assert sorted(p.name for p in workdir.iterdir()) == ["config.toml"]


# -- pure helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "taken", "name"),
    [
        ("https://www.timesca.com/tag/migration/", [], "timesca-migration"),
        ("https://timesca.com/tag/migration/", ["timesca-migration", "timesca-migration-2"], "timesca-migration-3"),
        ("https://news.example.org/", [], "news-example"),
        ("https://example.org/world/index.html", [], "example"),
        ("https://asia.example.org/Search.PHP?q=Deportation", [], "asia-example-search"),
        ("http://127.0.0.1:8080/x/list", [], "127-0-0-1-list"),
    ],
)
def test_default_name(url: str, taken: list[str], name: str) -> None:
    assert default_name(url, taken) == name


def test_source_toml_round_trips_awkward_selectors() -> None:
    select = {
        "item": "div.main > div:has(h1 a)",
        "title": "h1 a ::text",
        "next": 'a:contains("Older \\ posts")::attr(href)',
    }
    text = appended("# mine\n[storage]\npath = 'x.db'", source_toml("x", "https://e.org/", "html", select, ["note"]))
    assert text.startswith("# mine\n[storage]\npath = 'x.db'\n\n# note\n[[sources]]\n")
    assert tomllib.loads(text)["sources"] == [{"name": "x", "url": "https://e.org/", "type": "html", "select": select}]


# -- the quality bar: the shared corpus ----------------------------------------------------------


def _corpus(kind: str) -> list[Any]:
    index = CORPUS / f"{kind}.json"
    if not index.is_file():
        reason = f"shared corpus not found at {CORPUS} (it lives outside the repository)"
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=reason))]
    entries = json.loads(index.read_text(encoding="utf-8"))[kind]
    return [pytest.param(entry, id=Path(entry["file"]).stem) for entry in entries]


def measure_listings(site: FixtureSite, workdir: Path) -> list[dict[str, Any]]:
    """`add --dry-run` on every corpus listing served locally: expected vs shown article counts."""
    write_config(workdir, crawler_config())
    rows = []
    for listing_ in json.loads((CORPUS / "listings.json").read_text(encoding="utf-8"))["listings"]:
        charset = "utf-8" if listing_["encoding"] == "utf-8-sig" else listing_["encoding"]  # the BOM says the rest
        stem = Path(listing_["file"]).stem
        url = site.set(
            f"/corpus/{stem}/", (CORPUS / listing_["file"]).read_bytes(), content_type=f"text/html; charset={charset}"
        )
        proc = add(workdir, url, "--dry-run")
        rows.append(
            {
                "listing": stem,
                "expected": listing_["expected_items"],
                "shown": shown_count(proc.stdout),
                "exit": proc.returncode,
                "item": _item_selector(proc.stdout),
            }
        )
    return rows


def _item_selector(stdout: str) -> str:
    match = re.search(r'^\s*item = "(.*)"$', stdout, re.MULTILINE)
    return match[1].replace('\\"', '"') if match else "-"


@pytest.mark.skipif(not (CORPUS / "listings.json").is_file(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_listings_show_the_expected_article_count(site: FixtureSite, workdir: Path) -> None:
    rows = measure_listings(site, workdir)
    hits = [r for r in rows if r["exit"] == 0 and r["shown"] == r["expected"]]
    assert len(hits) >= 6, json.dumps(rows, indent=1)


def _feed_content_type(body: bytes) -> str:
    """application/xml when the XML says (or is) its encoding; text/xml for undeclared non-UTF-8 bytes."""
    head = body[:200].lstrip(b"\xef\xbb\xbf \r\n\t")
    declared = head.startswith(b"<?xml") and b"encoding=" in head.split(b"?>", 1)[0]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "application/xml" if declared else "text/xml"
    return "application/xml"


@pytest.mark.parametrize("feed", _corpus("feeds"))
def test_corpus_feed_reads_through_the_feed_source(
    feed: dict[str, Any], site: FixtureSite, prefix: str, workdir: Path
) -> None:
    body = (CORPUS / feed["file"]).read_bytes()
    url = site.set(f"{prefix}/{Path(feed['file']).name}", body, content_type=_feed_content_type(body))
    write_config(workdir, crawler_config() + f'\n[[sources]]\nname = "corpus"\nurl = "{url}"\ntype = "feed"\n')

    document = preview_json(workdir, "corpus")
    articles = document["articles"]
    assert document["status"] == "ok" and len(articles) == feed["entries"]
    assert all(urlsplit(a["link"]).scheme in ("http", "https") and urlsplit(a["link"]).netloc for a in articles)
    assert all(a["title"].strip() and "\ufffd" not in a["title"] for a in articles)
    if feed.get("first_titles"):
        assert articles[0]["title"] == " ".join(feed["first_titles"][0].split())
    if feed.get("first_links"):
        assert articles[0]["link"] == urljoin(url, feed["first_links"][0])


if __name__ == "__main__":  # pragma: no cover - the README table
    import tempfile

    server = FixtureSite()
    with tempfile.TemporaryDirectory() as scratch:
        table = measure_listings(server, Path(scratch))
    server.close()
    print("| listing | expected items | shown by `add --dry-run` | item selector |\n|---|---:|---:|---|")
    for row in table:
        print(f"| {row['listing']} | {row['expected']} | {row['shown']} | `{row['item']}` |")
