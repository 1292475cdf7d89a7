"""Browser tests' helpers (tests/browser.py); the `browser` and `page` fixtures are in tests/conftest.py, shared by
the whole run."""

from __future__ import annotations

from tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, shoot

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "DESKTOP", "PHONE", "shoot"]
