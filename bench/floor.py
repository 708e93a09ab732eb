"""The floor: a bare Scrapy spider that fetches and parses the benchmark's pages and does nothing else.

Same pages, same CSS selectors and same crawl settings as the benchmark's
newswatch config (concurrency, per-domain limit, timeout, retries, no robots.txt,
no cookies, no telnet or remote-control servers), one crawler for all pages.
Items are counted, not stored. Prints one JSON line: pages, articles, ticker
texts, failures.

With ``--crawler-per-page`` it creates one crawler per page instead, at most
``--concurrency`` crawling at once — the shape of a newswatch pass, which
crawls each source with its own crawler — so that the cost of that design
can be told apart from the cost of newswatch's own code.

With ``--warm`` the one crawler stays open across ``--passes`` passes (``spider_idle`` +
``DontCloseSpider``, the daemon's shape): when a pass goes idle its wall time is recorded, ``--between`` is
fetched (outside the timed span) and every page is requested again; a body identical to the previous pass's
is not parsed. The JSON line then also holds ``walls``, one wall time per pass (seconds, ``time.perf_counter``).

Every mode runs on the Scrapy stack newswatch runs on (crawler/settings.py): the same downloader and spider
middlewares switched off (redirect, retry, compression, size limit, proxies, timeout, default headers and user
agent kept), no extensions, a stats collector that keeps nothing, and uvloop when installed.

    python bench/floor.py --base http://127.0.0.1:PORT --pages 500 [--crawler-per-page]
    python bench/floor.py --base http://127.0.0.1:PORT --pages 500 --warm --between URL
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler, CrawlerProcess
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.settings import EVENT_LOOP, NO_EXTENSIONS, TRIMMED_DOWNLOADER_MIDDLEWARES, TRIMMED_SPIDER_MIDDLEWARES

# The selectors of the benchmark's newswatch sources (bench/run.py writes the same ones).
SELECT = {
    "item": "article.result",
    "title": "h2.headline a",
    "link": "h2.headline a::attr(href)",
    "summary": ".excerpt",
    "date": "time::attr(datetime)",
    "ticker": ".ticker li",
}


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, urls: list[str], counts: dict[str, int], **kwargs: Any) -> None:
        super().__init__(name=self.name, **kwargs)
        self.urls, self.counts = urls, counts

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response: Response) -> Iterator[dict[str, str]]:
        self.counts["pages"] += 1
        for item in response.css(SELECT["item"]):
            title = " ".join(" ".join(item.css(SELECT["title"]).xpath("string()").getall()).split())
            link = item.css(SELECT["link"]).get()
            if not title or not link:
                continue
            self.counts["articles"] += 1
            yield {
                "title": title,
                "link": response.urljoin(link.strip()),
                "summary": " ".join(" ".join(item.css(SELECT["summary"]).xpath("string()").getall()).split()),
                "date": item.css(SELECT["date"]).get(),
            }
        for element in response.css(SELECT["ticker"]):
            self.counts["tickers"] += 1
            yield {"ticker": " ".join(" ".join(element.xpath(".//text()").getall()).split())}

    def failed(self, failure: Any) -> None:
        self.counts["failures"] += 1


class WarmSpider(FloorSpider):
    """The floor kept open for several passes; unchanged bodies are not parsed again."""

    name = "warm"

    def __init__(self, urls: list[str], counts: dict[str, Any], passes: int, between: str | None,
                 **kwargs: Any) -> None:
        super().__init__(urls, counts, **kwargs)
        self.passes, self.between, self.seen = passes, between, {}
        self.counts.update(walls=[], unchanged=0)
        self.started = time.perf_counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WarmSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    def parse(self, response: Response) -> Iterator[dict[str, str]]:
        digest = hashlib.blake2b(response.body, digest_size=16).digest()
        if self.seen.get(response.url) == digest:
            self.counts["unchanged"] += 1
            return iter(())
        self.seen[response.url] = digest
        return super().parse(response)

    def idle(self) -> None:
        self.counts["walls"].append(round(time.perf_counter() - self.started, 3))
        if len(self.counts["walls"]) >= self.passes:
            return
        if self.between:
            with urllib.request.urlopen(self.between, timeout=30) as answer:
                answer.read()
        self.started = time.perf_counter()
        for url in self.urls:
            self.crawler.engine.crawl(Request(url, callback=self.parse, errback=self.failed, dont_filter=True))
        raise DontCloseSpider


def settings(concurrency: int, per_domain: int) -> dict[str, Any]:
    return {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ASYNCIO_EVENT_LOOP": EVENT_LOOP,
        # newswatch's trimmed stack (crawler/settings.py), so that the floor does what newswatch keeps.
        "DOWNLOADER_MIDDLEWARES": TRIMMED_DOWNLOADER_MIDDLEWARES,
        "SPIDER_MIDDLEWARES": TRIMMED_SPIDER_MIDDLEWARES,
        **NO_EXTENSIONS,
        "USER_AGENT": "newswatch-bench-floor",
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_TIMEOUT": 30,
        "RETRY_TIMES": 2,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "LOG_LEVEL": "WARNING",
        "LOG_INSTALL_ROOT_HANDLER": False,
        "HTTPCACHE_ENABLED": False,
    }


def one_crawler(urls: list[str], counts: dict[str, Any], config: dict[str, Any], **warm: Any) -> None:
    process = CrawlerProcess(config)
    quiet()
    if warm:
        process.crawl(WarmSpider, urls=urls, counts=counts, **warm)
    else:
        process.crawl(FloorSpider, urls=urls, counts=counts)
    process.start()


def crawler_per_page(urls: list[str], counts: dict[str, int], config: dict[str, Any], concurrency: int) -> None:
    from scrapy.utils.reactor import install_reactor

    install_reactor(config["TWISTED_REACTOR"], config["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor

    runner = AsyncCrawlerRunner(config)
    quiet()

    async def crawl_all() -> None:
        limit = asyncio.Semaphore(concurrency)

        async def one(url: str) -> None:
            async with limit:
                await runner.crawl(runner.create_crawler(FloorSpider), urls=[url], counts=counts)

        try:
            await asyncio.gather(*(one(url) for url in urls))
        finally:
            reactor.callLater(0, reactor.stop)  # type: ignore[attr-defined]

    reactor.callWhenRunning(lambda: asyncio.ensure_future(crawl_all()))  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]


def quiet() -> None:
    # Scrapy sets the root logger to NOTSET: without this every item's debug record is built and dropped.
    for name in ("scrapy", "twisted"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="the listing site, http://127.0.0.1:PORT")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-domain", type=int, default=16)
    parser.add_argument("--crawler-per-page", action="store_true", help="one crawler per page, as newswatch does")
    parser.add_argument("--warm", action="store_true", help="one crawler kept open for --passes passes")
    parser.add_argument("--passes", type=int, default=2, help="passes with --warm (default 2)")
    parser.add_argument("--between", help="with --warm: URL fetched between passes (the site's pass-2 switch)")
    parser.add_argument("--urls-file", type=Path, help="crawl these URLs (one a line) instead of --base/--pages")
    args = parser.parse_args()
    if args.urls_file:
        urls = args.urls_file.read_text(encoding="utf-8").split()
    else:
        urls = [f"{args.base}/listing/{page:04d}/" for page in range(args.pages)]
    counts = {"pages": 0, "articles": 0, "tickers": 0, "failures": 0}
    config = settings(args.concurrency, args.per_domain)
    if args.crawler_per_page:
        crawler_per_page(urls, counts, config, args.concurrency)
    elif args.warm:
        one_crawler(urls, counts, config, passes=args.passes, between=args.between)
    else:
        one_crawler(urls, counts, config)
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
