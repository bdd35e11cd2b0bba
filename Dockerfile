# statement-monitor: the daemon in a slim, non-root image.
#   docker build -t statement-monitor .
#   docker run -v stmon-data:/data -v "$PWD/sources.yaml:/app/sources.yaml:ro" statement-monitor
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STMON_HOME=/data \
    STMON_CONFIG=/app/sources.yaml

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md sources.yaml ./
COPY monitor ./monitor
COPY storage ./storage
COPY notifier ./notifier
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /data stmon \
    && mkdir -p /data && chown stmon /data

USER 10001
VOLUME ["/data"]
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "monitor.ops.healthcheck", "http://127.0.0.1:9108/healthz"]
CMD ["stmon", "run", "--health-host", "0.0.0.0", "--health-port", "9108", "--json-logs"]
