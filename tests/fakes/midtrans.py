"""Alias of `niaga.integrations.midtrans.fake` (the same module object); new code imports that path."""

import sys

from niaga.integrations.midtrans import fake

sys.modules[__name__] = fake
