"""Meta Graph API client (protocols.md §6): Instagram containers, Reels status, media_publish, the 24-hour
publishing limit, and Facebook Page photo/feed/video posts.

Errors are `{"error": {"message", "type", "code", "error_subcode", "is_transient"}}`; they are classified
here: an expired/invalid token (190), missing permissions (10, 200-299), invalid parameters (100) and bad
media (24, 36003) are permanent; rate limits (4, 17, 32, 613, 80001) and the publishing limit (9/2207042)
are temporary with a wait; 1/2 and `is_transient` are temporary.
"""

from __future__ import annotations

from typing import Any

import httpx

from niaga.integrations.base import ProviderError, http_client
from niaga.integrations.http import request

PROVIDER = "meta"
DEFAULT_BASE_URL = "https://graph.facebook.com/v21.0"
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001}
PUBLISH_LIMIT_SUBCODE = 2207042
PERMANENT_CODES = {10, 24, 100, 190, 36003} | set(range(200, 300))


def classify(status: int, error: dict[str, Any]) -> tuple[bool, float | None, str]:
    """(permanent, retry_after, plain reason) of a Graph error."""
    code = int(error.get("code") or 0)
    sub = int(error.get("error_subcode") or 0)
    if code == 9 and sub == PUBLISH_LIMIT_SUBCODE:
        return False, 3600.0, "batas publikasi Instagram 24 jam tercapai"
    if code in RATE_LIMIT_CODES:
        return False, 300.0, "batas panggilan API Meta tercapai"
    if code == 190:
        return True, None, "token akses Meta kedaluwarsa atau tidak valid; sambungkan ulang akun"
    if code == 10 or 200 <= code < 300:
        return True, None, "izin akun Meta kurang (pages_manage_posts / instagram_content_publish)"
    if error.get("is_transient") or code in (1, 2) or status >= 500:
        return False, None, "gangguan sementara di Meta"
    if code in PERMANENT_CODES or 400 <= status < 500:
        return (
            True,
            None,
            str(error.get("error_user_msg") or error.get("message") or "permintaan ditolak Meta"),
        )
    return False, None, str(error.get("message") or "kesalahan Meta")


class MetaClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        access_token: str,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self.access_token = access_token
        self._http = http_client(
            (base_url or DEFAULT_BASE_URL).rstrip("/"), transport=transport, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MetaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Any:
        data = {k: v for k, v in (params or {}).items() if v is not None}
        data["access_token"] = token or self.access_token
        if method == "GET":
            resp = request(self._http, PROVIDER, "GET", path, params=data)
        else:
            resp = request(self._http, PROVIDER, "POST", path, data=data)
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code < 400 and isinstance(body, dict) and "error" not in body:
            return body
        error = (body or {}).get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {"message": resp.text[:200]}
        permanent, retry_after, reason = classify(resp.status_code, error)
        raise ProviderError(
            f"meta {path.split('/')[-1]}: {reason} (code {error.get('code')}"
            + (f"/{error.get('error_subcode')}" if error.get("error_subcode") else "")
            + ")",
            provider=PROVIDER,
            permanent=permanent,
            status=resp.status_code,
            retry_after=retry_after,
            body=body,
        )

    # --- Instagram ----------------------------------------------------------------------------------
    def ig_create_container(
        self,
        ig_user_id: str,
        *,
        caption: str,
        image_url: str | None = None,
        video_url: str | None = None,
        cover_url: str | None = None,
    ) -> str:
        params: dict[str, Any] = {"caption": caption}
        if video_url:
            params.update(media_type="REELS", video_url=video_url, share_to_feed="true", cover_url=cover_url)
        else:
            params["image_url"] = image_url
        return str(self.call("POST", f"/{ig_user_id}/media", params)["id"])

    def ig_container_status(self, container_id: str) -> str:
        body = self.call("GET", f"/{container_id}", {"fields": "status_code,status"})
        return str(body.get("status_code") or "")

    def ig_publish(self, ig_user_id: str, creation_id: str) -> str:
        return str(self.call("POST", f"/{ig_user_id}/media_publish", {"creation_id": creation_id})["id"])

    def ig_publishing_limit(self, ig_user_id: str) -> tuple[int, int]:
        """(posts used in the rolling 24 h, the quota)."""
        body = self.call("GET", f"/{ig_user_id}/content_publishing_limit", {"fields": "quota_usage,config"})
        row = (body.get("data") or [{}])[0]
        total = int((row.get("config") or {}).get("quota_total") or 0)
        return int(row.get("quota_usage") or 0), total

    def permalink(self, media_id: str) -> str | None:
        try:
            return self.call("GET", f"/{media_id}", {"fields": "permalink"}).get("permalink")
        except ProviderError:
            return None  # the post is out; a missing link is not worth a failure

    # --- Facebook Page ------------------------------------------------------------------------------
    def fb_photo(self, page_id: str, *, url: str, caption: str, token: str | None = None) -> dict[str, Any]:
        return dict(
            self.call(
                "POST",
                f"/{page_id}/photos",
                {"url": url, "caption": caption, "published": "true"},
                token=token,
            )
        )

    def fb_feed(
        self, page_id: str, *, message: str, link: str | None = None, token: str | None = None
    ) -> str:
        return str(
            self.call("POST", f"/{page_id}/feed", {"message": message, "link": link}, token=token)["id"]
        )

    def fb_video(self, page_id: str, *, file_url: str, description: str, token: str | None = None) -> str:
        return str(
            self.call(
                "POST", f"/{page_id}/videos", {"file_url": file_url, "description": description}, token=token
            )["id"]
        )
