"""Alias of `niaga.integrations.telegram.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.telegram import fake

sys.modules[__name__] = fake
