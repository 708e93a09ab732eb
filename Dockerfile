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
# Pinned: the Python these releases are tested on (3.11.7), on Debian bookworm, by digest so that a
# rebuild gets the same base. To move on: `docker buildx imagetools inspect python:3.11.X-slim-bookworm`.
FROM python:3.11.7-slim-bookworm@sha256:d11b9bd5e49ea7401753d78f4d3b56f3aec952b85b49bcae88981f0452818e0b

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSWATCH_CONFIG=/config/config.toml

WORKDIR /src
# The dependencies (~200 MB) in a layer of their own, built from pyproject.toml alone: a code change
# reuses it; only an edit of the dependency list installs them again.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin newswatch \
    && mkdir -p /data /config \
    && chown newswatch:newswatch /data

COPY README.md ./
COPY newswatch ./newswatch
COPY crawler ./crawler
COPY scheduler ./scheduler
COPY notifiers ./notifiers
RUN pip install --no-deps . \
    && rm -rf /src

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
