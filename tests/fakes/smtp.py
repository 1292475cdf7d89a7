"""Alias of `niaga.integrations.smtp.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.smtp import fake

sys.modules[__name__] = fake
