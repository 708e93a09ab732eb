"""The benchmark's listing site: N generated news listing pages served from their own process.

Every page is a search/tag results page modelled on the seed pages: a menu, a
currency ticker strip, "Viewing results", 20 article cards (title, date,
summary; about a third of them in Russian) and a footer, 15–25 KB of HTML. The
text is generated here from our own word lists, deterministically.

The site has two states. In "pass 1" every page lists its 20 base articles. In
"pass 2" every 20th page (5%) lists one new article at the top, whose title
matches exactly one of the benchmark's watches, and drops its oldest one; the
other pages are byte-identical to pass 1. ``GET /_control/pass1`` and
``GET /_control/pass2`` switch state; ``GET /_control/stats`` returns the number
of listing requests served so far (JSON).

    python bench/site.py --pages 500 --port-file /tmp/port   # serves until killed
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import threading
import time
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLES_PER_PAGE = 20
CHANGE_EVERY = 20  # 1 page in 20 (5%) gets a new article in pass 2
CHANGE_OFFSET = 7

# The benchmark's watches. Base articles never contain these words; each new
# article of pass 2 matches exactly one watch.
WATCHES: dict[str, list[str]] = {
    "trafficking": ["traffick*", "forced labor", "торговле людьми"],
    "deportation": ["deport*", "депортац*", "expelled"],
    "extradition": ["extradit*", "экстрадиц*", "asylum"],
}
# The same words as one case-insensitive regular expression (urlwatch's grep).
KEYWORD_REGEX = r"(?i)(traffick|forced\s+labor|торговле\s+людьми|deport|депортац|expelled|extradit|экстрадиц|asylum)"

_NEW_TITLES = {
    "trafficking": [
        "Police in {city} uncover a human trafficking ring recruiting seasonal workers",
        "В {city_ru} задержаны подозреваемые в торговле людьми",
    ],
    "deportation": [
        "{count} labour migrants face deportation after raids in {city}",
        "В {city_ru} начата депортация {count} трудовых мигрантов",
    ],
    "extradition": [
        "Court in {city} weighs extradition request for a former official",
        "Суд в {city_ru} рассмотрит вопрос об экстрадиции бывшего чиновника",
    ],
}

_CITIES = ["Bishkek", "Osh", "Dushanbe", "Khujand", "Tashkent", "Samarkand", "Almaty", "Astana", "Ashgabat",
           "Namangan", "Karakol", "Termez", "Shymkent", "Andijan", "Bukhara", "Kulob"]
_CITIES_RU = ["Бишкеке", "Оше", "Душанбе", "Худжанде", "Ташкенте", "Самарканде", "Алматы", "Астане", "Ашхабаде",
              "Намангане", "Караколе", "Термезе", "Шымкенте", "Андижане", "Бухаре", "Кулябе"]
_EN_WORDS = (  # noqa: SIM905 (easier to read as prose)
    "government ministry regional council budget water energy harvest railway border trade market bank currency "
    "inflation school teachers hospital doctors festival museum tourism airport flights road bridge reform "
    "parliament election committee report statistics growth export import cotton wheat gold mining power plant "
    "summer winter season price rise fall agreement meeting delegation investment project construction village "
    "district residents officials announced expected according data week month year new plan local national program "
    "support development digital services online platform students university research climate drought glacier "
    "river reservoir irrigation farmers livestock"
).split()
_RU_WORDS = (  # noqa: SIM905 (easier to read as prose)
    "правительство министерство совет бюджет вода энергия урожай железная дорога граница рынок банк валюта инфляция "
    "школа учителя больница врачи фестиваль музей туризм аэропорт рейсы мост реформа парламент выборы комитет отчет "
    "статистика рост экспорт импорт хлопок пшеница золото добыча электростанция лето зима сезон цены соглашение "
    "встреча делегация инвестиции проект строительство село район жители чиновники заявили ожидается данным неделя "
    "месяц год новый план местный национальный программа поддержка развитие цифровые услуги студенты университет "
    "исследование климат засуха ледник река водохранилище орошение фермеры"
).split()
_TICKER = ["KGS/USD = 0.01144 0%", "KZT/USD = 0.00198 -0%", "TJS/USD = 0.10857 -0.18%", "UZS/USD = 0.00008 0%",
           "TMT/USD = 0.28571 0%", "RUB/USD = 0.01235 +0.4%", "CNY/USD = 0.14052 +0.03%", "EUR/USD = 1.08214 -0.1%"]


@dataclass(frozen=True)
class Article:
    title: str
    href: str
    date: str
    summary: str


@dataclass(frozen=True)
class Change:
    """The new article a page lists in pass 2, and the watch it matches."""

    page: int
    watch: str
    title: str
    href: str


def page_path(page: int) -> str:
    return f"/listing/{page:04d}/"


def changed_pages(pages: int) -> list[int]:
    """The pages that get a new article in pass 2 (5%)."""
    return [p for p in range(pages) if p % CHANGE_EVERY == CHANGE_OFFSET]


def change_of(page: int) -> Change:
    """The new article of ``page`` in pass 2; watches and languages rotate."""
    number = page // CHANGE_EVERY
    watch = list(WATCHES)[number % len(WATCHES)]
    template = _NEW_TITLES[watch][(number // len(WATCHES)) % 2]
    city = number % len(_CITIES)
    title = template.format(city=_CITIES[city], city_ru=_CITIES_RU[city], count=12 + number % 30)
    return Change(page, watch, title, f"/news/{page:04d}/breaking-{number}/")


def expected_changes(pages: int) -> list[Change]:
    return [change_of(p) for p in changed_pages(pages)]


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:]


def base_articles(page: int) -> list[Article]:
    """The page's 20 base articles, newest first; roughly one in three in Russian."""
    rng = random.Random(page)
    articles = []
    for n in range(ARTICLES_PER_PAGE):
        words = _RU_WORDS if rng.random() < 0.33 else _EN_WORDS
        title = f"{_sentence(rng, words, rng.randint(7, 11))} in {rng.choice(_CITIES)}"
        summary = ". ".join(_sentence(rng, words, rng.randint(9, 14)) for _ in range(rng.randint(4, 6))) + "."
        day = 28 - (n % 28)
        articles.append(Article(title, f"/news/{page:04d}/story-{n}/", f"2025-11-{day:02d}T08:{n:02d}:00Z", summary))
    return articles


def articles_of(page: int, state: int) -> list[Article]:
    """What ``page`` lists in ``state`` 1 or 2."""
    articles = base_articles(page)
    if state == 2 and page % CHANGE_EVERY == CHANGE_OFFSET:
        change = change_of(page)
        summary = f"{change.title}. " + articles[-1].summary
        articles = [Article(change.title, change.href, "2025-11-29T09:00:00Z", summary), *articles[:-1]]
    return articles


def render(page: int, state: int) -> bytes:
    """The HTML of ``page`` in ``state``."""
    articles = articles_of(page, state)
    strip = "".join(f"<li>{escape(t)}</li>" for t in _TICKER) * 5
    cards = "\n".join(_card(a) for a in articles)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Search results – page {page} – Bench News of Central Asia</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<header><nav><ul class="menu"><li><a href="/">Home</a></li><li><a href="/news/">News</a></li>
<li><a href="/region/">Region</a></li><li><a href="/about/">About</a></li></ul></nav>
<div class="ticker"><ul>{strip}</ul></div><p class="today">29 November 2025</p></header>
<main>
<h1>Search results</h1>
<p class="results">Viewing results 1 - {len(articles)} of {len(articles) * 7}</p>
{cards}
<nav class="pager"><a class="next" href="{page_path(page)}?page=2">Next ›</a></nav>
</main>
<footer><p>© Bench News of Central Asia</p><a href="/contact/">Contact</a></footer>
</body></html>
""".encode()


def _card(a: Article) -> str:
    return f"""<article class="result">
  <h2 class="headline"><a href="{escape(a.href)}">{escape(a.title)}</a></h2>
  <time datetime="{a.date}">{a.date[:10]}</time>
  <p class="excerpt">{escape(a.summary)}</p>
</article>"""


class ListingSite:
    """All pages of both states, rendered once, and which state is served."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.bodies = {1: {}, 2: {}}  # type: dict[int, dict[str, bytes]]
        for page in range(pages):
            self.bodies[1][page_path(page)] = body = render(page, 1)
            self.bodies[2][page_path(page)] = render(page, 2) if page in set(changed_pages(pages)) else body
        self.state = 1
        self.served = 0
        self.lock = threading.Lock()


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default backlog of 5 stalls under concurrent clients (NOTES.md)
    daemon_threads = True
    allow_reuse_address = True


def _handler(site: ListingSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real sites do

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/_control/"):
                self._control(self.path.removeprefix("/_control/"))
                return
            body = site.bodies[site.state].get(self.path)
            if body is None:
                self._send(404, b"not found", "text/plain")
                return
            with site.lock:
                site.served += 1
            self._send(200, body, "text/html; charset=utf-8")

        def _control(self, command: str) -> None:
            if command in ("pass1", "pass2"):
                site.state = int(command[-1])
            elif command != "stats":
                self._send(404, b"unknown control command", "text/plain")
                return
            with site.lock:
                answer = {"state": site.state, "served": site.served, "pages": site.pages}
            self._send(200, json.dumps(answer).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--port-file", type=Path, help="write the port here once serving")
    args = parser.parse_args()
    site = ListingSite(args.pages)
    server = _Server(("127.0.0.1", args.port), _handler(site))
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file.with_suffix(".tmp")
        tmp.write_text(str(port))
        tmp.replace(args.port_file)
    print(f"serving {args.pages} pages on http://127.0.0.1:{port}/", flush=True)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    server.serve_forever()


def _exit_with_parent(parent: int) -> None:
    """Stop serving when the benchmark that started us is gone (killed, crashed)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


if __name__ == "__main__":
    main()
