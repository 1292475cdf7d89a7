"""Midtrans jobs: `handle` (the inbox handler of stored notifications) applies a signed notification to its
payment and order through `payments.apply_status` (orders' public service functions); a paying notification
is first confirmed through the status API in the same job, with no transaction open (`inbox.TwoPhase`).
`midtrans.confirm_payment` stays for confirmation jobs enqueued by earlier versions."""

from __future__ import annotations

from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.payments import process_notification as handle
from niaga.jobs.registry import PermanentError, RetryLater, task
from niaga.kit.providers import ProviderError

__all__ = ["confirm_payment", "handle"]


@task("midtrans.confirm_payment", max_attempts=8, base_delay=30.0)
def confirm_payment(event_id: int) -> str:
    """Confirm a stored paying notification through the status API, then apply it (see payments)."""
    try:
        return payments.confirm_event(event_id)
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
