"""Starsender inbox handler: a stored webhook event -> a customer message (`gateway_inbound.handler`)."""

from __future__ import annotations

from niaga.integrations import gateway_inbound as gw
from niaga.integrations.starsender.webhook import PROVIDER, normalise

handle = gw.handler(PROVIDER, normalise)
