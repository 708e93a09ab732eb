# newswatch daemon image.
#
#   docker build -t newswatch .
#   docker run -d --name newswatch --stop-timeout 40 \
#     -v "$PWD/config:/config:ro" -v newswatch-data:/data \
#     --env-file newswatch.env newswatch
#
# Mount the config *directory* (config.toml inside) rather than the single file,
# so that edits made by replacing the file reach the running daemon. In
# config.toml set  [storage] path = "/data/newswatch.db"  (/config is read-only).
# Secrets come from the environment: write ${TELEGRAM_BOT_TOKEN} etc. in config.toml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSWATCH_CONFIG=/config/config.toml

WORKDIR /src
COPY pyproject.toml README.md ./
COPY newswatch ./newswatch
COPY crawler ./crawler
COPY scheduler ./scheduler
COPY notifiers ./notifiers
RUN pip install . \
    && rm -rf /src \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin newswatch \
    && mkdir -p /data /config \
    && chown newswatch:newswatch /data

USER newswatch
WORKDIR /data
VOLUME ["/data"]

# Unhealthy when the daemon's heartbeat (written next to the database every
# few seconds) is older than three ticks, or missing.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["newswatch", "status", "--check"]

# SIGTERM: runs in flight get scheduler.grace (20s by default) to finish;
# give `docker stop` more than that (--stop-timeout 40, or stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["newswatch"]
CMD ["run"]
