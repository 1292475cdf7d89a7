"""Browser helpers shared by every browser test: the system Chromium driven by Playwright (never a downloaded
browser), the two screen sizes and screenshots. The `browser` and `page` fixtures live in tests/conftest.py so
that the whole run shares ONE Playwright (a second one opened while the first is alive fails: its sync API
refuses to start inside the first one's event loop)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("NIAGA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shoot(page: Any, output_dir: Path, name: str) -> None:
    """Screenshots of the current page as seen at 1280×800 and 390×844, plus the whole page at each width
    (`-full`, where fixed bars sit at the first screen's edge), then back to desktop."""
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(250)
        page.screenshot(path=str(output_dir / f"{name}-{label}.png"))
        page.screenshot(path=str(output_dir / f"{name}-{label}-full.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(100)
