"""Alias of `niaga.integrations.starsender.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.starsender import fake

sys.modules[__name__] = fake
