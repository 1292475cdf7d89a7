"""Compatibility alias: channel configuration, inbound pipeline, delivery and alerts moved to
`niaga.messaging.delivery` (the same module object)."""

import sys

from niaga.messaging import delivery

sys.modules[__name__] = delivery
