"""Alias of `niaga.integrations.gemini.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.gemini import fake

sys.modules[__name__] = fake
