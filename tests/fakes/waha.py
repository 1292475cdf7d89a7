"""Alias of `niaga.integrations.waha.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.waha import fake

sys.modules[__name__] = fake
