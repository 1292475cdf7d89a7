"""Compatibility alias: the Indonesian text tools moved to `niaga.kit.lang` (the same module object)."""

import sys

from niaga.kit import lang

sys.modules[__name__] = lang
