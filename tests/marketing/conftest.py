"""The browser fixtures of the dashboard tests (system Chromium through Playwright) for the Pemasaran pages."""

from tests.web.conftest import browser, page  # noqa: F401
