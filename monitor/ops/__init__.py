"""Operations: structured logs, /healthz and Prometheus /metrics."""
