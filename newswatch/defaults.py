"""Every default value of newswatch, in one place.

The config model reads its defaults from here; nothing else hard-codes them.
"""

from __future__ import annotations

CONFIG_ENV_VAR = "NEWSWATCH_CONFIG"
CONFIG_FILENAME = "config.toml"

STORAGE_PATH = "newswatch.db"
KEEP_RUNS = "30d"
KEEP_QUOTES = "30d"

SCHEDULER_INTERVAL = "15m"
SCHEDULER_JITTER = "30s"
SCHEDULER_GRACE = "20s"
DELIVERY_INTERVAL = "1m"

USER_AGENT = "newswatch (+https://github.com/newswatch/newswatch)"
OBEY_ROBOTS_TXT = True
CRAWL_TIMEOUT = "30s"
CRAWL_RETRIES = 2
CRAWL_CONCURRENCY = 8
CRAWL_PER_DOMAIN = 2
CRAWL_PER_HOST_DELAY = "0s"
CRAWL_MAX_SIZE = "10MB"

FIRST_RUN = "baseline"
DIGEST = False
DELIVERY_MAX_AGE = "2d"
DELIVERY_ATTEMPTS = 3
DELIVERY_PASS_BUDGET = "60s"
FAILURE_THRESHOLD = 3
FLOOD_SHARE = 0.8  # more than this share of a page's items new at once is held back as suspicious
FLOOD_MIN = 5  # ... when at least this many are new
SAME_TITLE_WINDOW = "7d"  # a same-titled new link of one source within this is the same story (edited URL)

SOURCE_PAGES = 1
SOURCE_TYPES = ("html", "feed")
WEB_LISTEN = "127.0.0.1:8680"  # `newswatch web` without --listen or [web] listen
