"""Shared helpers for dashboard tests: log in through the real form and pull the CSRF token from a page."""

from __future__ import annotations

import re
from typing import Any

from tests import factories as f

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: Any, email: str, password: str = f.PASSWORD, next_url: str = "/app") -> Any:
    page = client.get(f"/login?next={next_url}")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_url, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def post_form(client: Any, page_url: str, action: str, data: dict[str, Any], **kw: Any) -> Any:
    """Submit a form the way a browser does: read the page (for its CSRF token), then post."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text[:500]
    return client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False, **kw)
