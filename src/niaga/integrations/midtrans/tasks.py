"""Midtrans notifications (stored by the webhook) -> the orders domain: `handle` applies a signed
notification to its payment and order through `payments.apply_status` (orders' public service functions)."""

from __future__ import annotations

from niaga.integrations.midtrans.payments import process_notification as handle

__all__ = ["handle"]
