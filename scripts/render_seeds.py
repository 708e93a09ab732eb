"""Render the two seed captures (../shared/seeds/*.txt) as the demo's listing pages.

Run from the repository root: ``python scripts/render_seeds.py``. It writes
``newswatch/demo/before.html`` and ``after.html``: our own markup around the
seed text (ticker strip, "Viewing results", article list). The earlier
capture shows no ticker, so its strip is built from the later capture's
values and the changes the site reported for them.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
QUOTE = re.compile(r"^\s*•?\s*([A-Z]{3}/[A-Z]{3}) = ([\d.]+) (-?[\d.]+)%\s*$")


def parse(text: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]], str, str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    quotes = list(dict.fromkeys(m.groups() for m in map(QUOTE.match, lines) if m))
    results = next(line for line in lines if line.startswith("Viewing results"))
    date = next((line for line in lines if re.fullmatch(r"\d{2} \w+ \d{4}", line)), "")
    body = lines[lines.index(results) + 1 :]
    articles = [(body[i], body[i + 1]) for i in range(0, len(body) - 1, 2)]
    return quotes, articles, results, date


def previous_strip(quotes: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    out = []
    for pair, value, change in quotes:
        before = Decimal(value) / (1 + Decimal(change) / 100)
        out.append((pair, f"{before:.5f}", "0"))
    return out


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80]


def render(quotes: list[tuple[str, str, str]], articles: list[tuple[str, str]], results: str, date: str) -> str:
    strip = "".join(f"<li>{escape(p)} = {v} {c}%</li>" for p, v, c in quotes) * 8
    cards = "\n".join(
        f'<article class="post">\n  <h2 class="post-title"><a href="/news/{slug(t)}/">{escape(t)}</a></h2>\n'
        f'  <div class="post-excerpt">{escape(s)}</div>\n</article>'
        for t, s in articles
    )
    dated = f'<p class="today">{escape(date)}</p>' if date else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Search results – Demo News of Central Asia</title></head>
<body>
<header><nav><ul class="menu"><li><a href="/">Home</a></li><li><a href="/news/">News</a></li></ul></nav>
<div class="currency-ticker"><ul>{strip}</ul></div>{dated}</header>
<main>
<p class="search-count">{escape(results)}</p>
{cards}
</main>
<footer><p>Demo page rendered from the newswatch seed captures.</p></footer>
</body></html>
"""


def main() -> int:
    (q0, a0, r0, d0), (q2, a2, r2, d2) = (parse(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))
    out = Path(sys.argv[2]) if sys.argv[1:2] == ["--out"] else ROOT / "newswatch" / "demo"
    (out / "before.html").write_text(render(q0 or previous_strip(q2), a0, r0, d0), encoding="utf-8")
    (out / "after.html").write_text(render(q2, a2, r2, d2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
