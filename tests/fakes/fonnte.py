"""Alias of `niaga.integrations.fonnte.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.fonnte import fake

sys.modules[__name__] = fake
