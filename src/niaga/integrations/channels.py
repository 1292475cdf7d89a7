"""Compatibility alias: the channel configuration loader and the `Sender` port moved to
`niaga.messaging.channels` (the same module object)."""

import sys

from niaga.messaging import channels

sys.modules[__name__] = channels
