"""Prometheus metrics. One registry per process; `/metrics` renders it."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

http_requests = Counter(
    "niaga_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
http_latency = Histogram(
    "niaga_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
jobs_total = Counter("niaga_jobs_total", "Jobs finished by outcome", ["name", "outcome"], registry=REGISTRY)
job_latency = Histogram("niaga_job_seconds", "Job run time", ["name"], registry=REGISTRY)
queue_depth = Gauge("niaga_queue_depth", "Jobs waiting or running", ["status"], registry=REGISTRY)
dead_letters = Gauge("niaga_dead_letters", "Unresolved dead letters", registry=REGISTRY)
webhooks_total = Counter(
    "niaga_webhooks_total", "Inbound webhooks", ["provider", "outcome"], registry=REGISTRY
)


def render() -> bytes:
    return generate_latest(REGISTRY)
