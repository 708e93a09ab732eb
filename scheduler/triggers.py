"""APScheduler triggers for sources, and the config check that needs APScheduler to judge a cron."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from newswatch.config import Config, SourceConfig
from scheduler.spread import SpreadIntervalTrigger, start_date


def trigger_problems(config: Config) -> list[str]:
    """One line per source whose ``cron`` APScheduler cannot read."""
    problems = []
    for i, source in enumerate(config.sources):
        if source.cron:
            try:
                CronTrigger.from_crontab(source.cron)
            except ValueError as exc:
                problems.append(f'sources[{i}].cron: "{source.cron}" is not a valid cron expression ({exc})')
    return problems


def source_trigger(config: Config, source: SourceConfig) -> CronTrigger | SpreadIntervalTrigger:
    """The trigger of ``source``: its cron, else its interval (or the default one) at the source's stable
    offset within it (scheduler.spread), with jitter."""
    jitter = int(config.scheduler.jitter.total_seconds()) or None
    if source.cron:
        trigger = CronTrigger.from_crontab(source.cron, timezone="UTC")
        trigger.jitter = jitter  # from_crontab takes no jitter argument
        return trigger
    interval = config.interval_of(source)
    anchor = start_date(source.name, interval)
    return SpreadIntervalTrigger(seconds=interval.total_seconds(), jitter=jitter, start_date=anchor)
