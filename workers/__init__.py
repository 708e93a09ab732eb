"""Crawl workers: the daemon enqueues source runs on Redis Streams, workers crawl them, the daemon records."""
