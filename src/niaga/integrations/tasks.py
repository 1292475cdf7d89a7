"""Job registrations for integrations (imported by the job registry)."""

from niaga.integrations import inbox  # noqa: F401  (registers inbox.process)
