"""Jobs of the integrations layer: processing stored webhook events (job `inbox.process`). Importing this
module installs every provider adapter (webhook handlers, senders) from `niaga.integrations.registry`."""

from __future__ import annotations

from niaga.integrations import inbox, registry
from niaga.jobs.registry import task

registry.install()

process_event = task("inbox.process", max_attempts=6, batch=inbox.process_events)(inbox.process_event)
