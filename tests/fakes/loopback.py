"""Alias of `niaga.integrations.loopback` (the same module object); new code imports that path."""

import sys

from niaga.integrations import loopback

sys.modules[__name__] = loopback
