"""Scrapy settings for newswatch crawls, derived from the ``[crawler]`` config section."""

from __future__ import annotations

import copy
from importlib.util import find_spec
from typing import Any

from crawler.middlewares import RobotsCache
from crawler.politeness import HostLimiter
from newswatch.config import CrawlerConfig

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# uvloop when installed (measured in bench/: the warm pass's per-request cost is mostly the event loop's);
# asyncio's own loop otherwise. crawler.runner.run_in_reactor installs the reactor on it.
EVENT_LOOP = "uvloop.Loop" if find_spec("uvloop") is not None else None

# Scrapy's defaults that a poller does not use: each costs per request or per response, and nothing reads
# what they produce. Kept: robots.txt (ours), download timeout, default headers, user agent, retry,
# compression (with DOWNLOAD_MAXSIZE), HTTP redirects, proxies from the environment, and HTTP errors to the
# errback. The spiders hand every request to the engine themselves (crawler/engine.py), so the spider
# middlewares that look at callback output (URL length, depth) never see a request. Referer stays: the
# redirect middleware asks it for each redirect's Referer header (and warns at start without it).
TRIMMED_DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,  # spider attributes newswatch never sets
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,  # decoded every page; HTTP redirects kept
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,  # a poller keeps no session
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,  # rebuilt each response's bytes for unread stats
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,  # conditional GET is the pipeline's
}
TRIMMED_SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Stats nobody reads, log counts, memory checks, feeds, job state, throttling, telnet and remote control.
NO_EXTENSIONS = {"EXTENSIONS_BASE": {}, "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector"}


# What every crawl shares whatever the config says (copied per call: Scrapy may change the nested dicts).
_FIXED: dict[str, Any] = {
    "SPIDER_MODULES": ["crawler.spiders"],
    "TWISTED_REACTOR": ASYNCIO_REACTOR,
    # Scrapy's own downloader lets a slot's whole queue through at once under the asyncio reactor.
    "DOWNLOADER": "crawler.downloader.PerSiteDownloader",
    "DOWNLOAD_WARNSIZE": 0,
    "COOKIES_ENABLED": False,
    # One long-lived crawler serves every run (crawler/engine.py): offsite and duplicate filtering per job,
    # and its requests served first come, first served (Scrapy's default queue is last in, first out).
    "DUPEFILTER_CLASS": "crawler.engine.JobDupeFilter",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "DOWNLOADER_MIDDLEWARES": {
        **TRIMMED_DOWNLOADER_MIDDLEWARES,
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        "crawler.engine.JobGateMiddleware": 50,
        "crawler.middlewares.SiteGuardMiddleware": 60,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
        "crawler.middlewares.RetryAfterMiddleware": 560,
    },
    "SPIDER_MIDDLEWARES": TRIMMED_SPIDER_MIDDLEWARES,
    **NO_EXTENSIONS,
    # A daemon creates a crawler per source run: no telnet console, no
    # remote-control server (a code-execution surface), no extensions
    # that only make sense for one-off crawls.
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "LOGSTATS_INTERVAL": 0,
    "LOG_LEVEL": "WARNING",
    "LOG_INSTALL_ROOT_HANDLER": False,
    "REDIRECT_MAX_TIMES": 5,
    # http(s) only: a listing page must not make us read local files (file://) or other
    # schemes when full_text fetches the article links it lists.
    "DOWNLOAD_HANDLERS": {
        "file": None, "data": None, "ftp": None, "s3": None,
        "http": "crawler.engine.JobDownloadHandler", "https": "crawler.engine.JobDownloadHandler",
    },
    "HTTPCACHE_ENABLED": False,
    # Measured in bench/: a new crawler per source run re-parses the callbacks' source for
    # this check, and 100 concurrent item tasks per response only add overhead to list appends.
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
    "CONCURRENT_ITEMS": 1,
}


def scrapy_settings(crawler: CrawlerConfig) -> dict[str, Any]:
    """Settings shared by every crawl; polite, bounded, and with no side servers."""
    return {
        **copy.deepcopy(_FIXED),
        "USER_AGENT": crawler.user_agent,
        "ROBOTSTXT_OBEY": crawler.obey_robots_txt,
        "DOWNLOAD_TIMEOUT": crawler.timeout.total_seconds(),
        "RETRY_TIMES": crawler.retries,
        # One crawler serves every run of the process: each of `concurrency` runs at a time gets per_domain.
        "CONCURRENT_REQUESTS": crawler.concurrency * crawler.per_domain,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawler.per_domain,
        "DOWNLOAD_MAXSIZE": crawler.max_size,
        # One robots.txt cache for every crawler of the process (per host, an hour).
        "NEWSWATCH_ROBOTS_CACHE": RobotsCache(),
        # One per-host limit for every crawler of the process: per_domain means per site.
        "NEWSWATCH_HOST_LIMITER": HostLimiter(crawler.per_domain, crawler.per_host_delay.total_seconds()),
    }
