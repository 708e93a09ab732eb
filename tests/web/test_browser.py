"""The web front in a real browser: headless Chromium (Debian's ``chromium``) renders each page of the demo.

The checks read the DOM Chromium built (``--dump-dom``), not the HTML we sent, and a screenshot must be a real
picture of the page. Skipped, saying why, where no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from lxml import html
from support.web import Serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")
TRAFFICKING = "Kazakhstan Reports 134 Human Trafficking Cases in First Half of 2025"


# The browser talks to the test server only: no update, sync, safe-browsing or metrics traffic, and every host
# name but the loopback address resolves to nothing.
LOOPBACK_ONLY = (
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--no-default-browser-check", "--safebrowsing-disable-auto-update", "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", f"--user-data-dir={profile}", "--window-size=1200,900", *LOOPBACK_ONLY, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def rendered(profile: Path, url: str) -> html.HtmlElement:
    proc = chromium(profile, "--dump-dom", url)
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr[-2000:]
    return html.fromstring(proc.stdout)


def words(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_every_page_renders_in_chromium(web: tuple[Serving, str], tmp_path: Path) -> None:
    _, base = web
    status = rendered(tmp_path, base)
    [source] = status.xpath("//table[@id='sources']/tbody/tr")
    assert [words(td) for td in source.xpath("td")][:4:3] == ["demo-news", "ok"]
    assert status.xpath("//ul[@id='feeds']//a[@href='/feeds/trafficking.atom']")

    articles = rendered(tmp_path, base + "articles?q=trafficking")
    assert TRAFFICKING in [words(a) for a in articles.xpath("//a[@class='title']")]

    chart = rendered(tmp_path, base + "tickers/TJS-USD")
    [svg] = chart.xpath("//div[@id='chart']/*[local-name()='svg']")
    assert "TJS/USD" in words(svg)
    assert len(svg.xpath(".//*[local-name()='circle' or local-name()='path']")) >= 3  # a line and its marks


def test_a_screenshot_is_a_picture_of_the_page(web: tuple[Serving, str], tmp_path: Path) -> None:
    _, base = web
    shot = tmp_path / "status.png"
    proc = chromium(tmp_path / "profile", "--hide-scrollbars", f"--screenshot={shot}", base)
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)
    assert len(data) > 20_000  # text, tables and colours; a blank page compresses to a few kB
