"""Alias of `niaga.integrations.openai_compat.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.openai_compat import fake

sys.modules[__name__] = fake
