"""Alias of `niaga.integrations.resend.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.resend import fake

sys.modules[__name__] = fake
