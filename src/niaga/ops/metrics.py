"""Prometheus metrics. One registry per process; `/metrics` renders it."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from niaga.kit.providers import error_hooks

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


# --- business metrics, refreshed from the database at scrape time (niaga.operations.alerts.collect) --------------
job_age = Gauge("niaga_job_oldest_due_seconds", "Age of the oldest due job still waiting", registry=REGISTRY)
dead_letters_by_kind = Gauge(
    "niaga_dead_letters_by_kind", "Unresolved dead letters by job kind", ["kind"], registry=REGISTRY
)
messages = Gauge(
    "niaga_messages", "Messages stored, by channel and direction", ["channel", "direction"], registry=REGISTRY
)
print_jobs = Gauge("niaga_print_jobs", "Print orders by state", ["state"], registry=REGISTRY)
event_deliveries = Gauge(
    "niaga_event_deliveries", "Outgoing event webhook deliveries by status", ["status"], registry=REGISTRY
)
whatsapp_session_working = Gauge(
    "niaga_whatsapp_session_working",
    "1 when the business's WAHA session is WORKING",
    ["business_id"],
    registry=REGISTRY,
)
reply_latency = Gauge(
    "niaga_reply_latency_seconds",
    "Inbound message to reply sent, over the last day, by quantile",
    ["quantile"],
    registry=REGISTRY,
)
backup_age = Gauge(
    "niaga_backup_age_seconds", "Age of the newest backup archive (-1: none)", registry=REGISTRY
)
disk_used = Gauge("niaga_disk_used_ratio", "Used fraction of the disk holding NIAGA_HOME", registry=REGISTRY)
active_alerts = Gauge("niaga_active_alerts", "Alert conditions firing now", registry=REGISTRY)
alerts_sent = Counter(
    "niaga_alerts_sent_total", "Alerts queued to admin chats", ["condition"], registry=REGISTRY
)
provider_errors = Counter(
    "niaga_provider_errors_total", "Errors from provider APIs", ["provider", "kind"], registry=REGISTRY
)
agent_turn_latency = Histogram(
    "niaga_agent_turn_seconds",
    "Agent turn latency (message in -> reply text ready)",
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
print_requests = Gauge(
    "niaga_print_requests", "Print requests sent to printers (IPP), by state", ["state"], registry=REGISTRY
)


def _count_provider_error(provider: str, permanent: bool) -> None:
    provider_errors.labels(provider, "permanent" if permanent else "temporary").inc()


if _count_provider_error not in error_hooks:
    error_hooks.append(_count_provider_error)
