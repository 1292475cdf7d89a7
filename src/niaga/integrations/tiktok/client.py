"""TikTok Content Posting API client (protocols.md §7). Every answer carries `error.code` ("ok" on
success); anything else becomes `ProviderError`: rate limits, the creator's daily cap and internal errors
are temporary, everything else (invalid token, scopes, unaudited client, unverified URL, privacy mismatch,
invalid file) is permanent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from niaga.integrations.base import ProviderError, http_client
from niaga.integrations.http import request

PROVIDER = "tiktok"
DEFAULT_BASE_URL = "https://open.tiktokapis.com"
TEMPORARY = {"rate_limit_exceeded": 60.0, "internal_error": None, "spam_risk_too_many_posts": 6 * 3600.0}
MIN_CHUNK = 5 * 1024 * 1024
MAX_CHUNK = 64 * 1024 * 1024
REASONS = {
    "access_token_invalid": "token akses TikTok kedaluwarsa atau tidak valid; sambungkan ulang akun",
    "scope_not_authorized": "izin video.publish belum diberikan",
    "unaudited_client_can_only_post_to_private_accounts": "aplikasi TikTok belum diaudit: hanya boleh posting privat",
    "url_ownership_unverified": "domain URL video belum diverifikasi di TikTok",
    "privacy_level_option_mismatch": "pilihan privasi tidak tersedia untuk akun ini",
    "spam_risk_too_many_posts": "batas posting harian akun TikTok tercapai",
    "rate_limit_exceeded": "batas panggilan API TikTok tercapai",
    "invalid_file_upload": "file video ditolak TikTok",
}


def chunks_for(size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) by the media transfer guide: one chunk under 5 MB (and up to 64 MB),
    else 10 MB chunks with the remainder folded into the last one."""
    if size <= MAX_CHUNK:
        return size, 1
    chunk = 10 * 1024 * 1024
    return chunk, size // chunk


class TikTokClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        access_token: str,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self._http = http_client(
            (base_url or DEFAULT_BASE_URL).rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        self._transport = transport

    def close(self) -> None:
        self._http.close()

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = request(
            self._http,
            PROVIDER,
            "POST",
            path,
            json=body,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
        try:
            data = resp.json()
        except ValueError:
            data = None
        err = (data or {}).get("error") if isinstance(data, dict) else None
        code = str(
            (err or {}).get("code") or ("ok" if resp.status_code < 400 else f"http_{resp.status_code}")
        )
        if code == "ok" and resp.status_code < 400:
            return dict((data or {}).get("data") or {})
        temporary = code in TEMPORARY or resp.status_code >= 500
        retry = TEMPORARY.get(code)
        raise ProviderError(
            f"tiktok {path.rstrip('/').split('/')[-2:]}: {REASONS.get(code, (err or {}).get('message') or code)} ({code})",
            provider=PROVIDER,
            permanent=not temporary,
            status=resp.status_code,
            retry_after=retry,
            body=data,
        )

    def creator_info(self) -> dict[str, Any]:
        return self.call("/v2/post/publish/creator_info/query/", {})

    def init_direct_post(
        self, *, title: str, privacy_level: str, video_size: int | None = None, video_url: str | None = None
    ) -> dict[str, Any]:
        post_info = {
            "title": title,
            "privacy_level": privacy_level,
            "disable_duet": False,
            "disable_comment": False,
            "disable_stitch": False,
            "video_cover_timestamp_ms": 1000,
        }
        if video_url:
            source: dict[str, Any] = {"source": "PULL_FROM_URL", "video_url": video_url}
        else:
            assert video_size is not None
            chunk, count = chunks_for(video_size)
            source = {
                "source": "FILE_UPLOAD",
                "video_size": video_size,
                "chunk_size": chunk,
                "total_chunk_count": count,
            }
        return self.call("/v2/post/publish/video/init/", {"post_info": post_info, "source_info": source})

    def upload(self, upload_url: str, path: Path) -> None:
        data = Path(path).read_bytes()
        size = len(data)
        chunk, count = chunks_for(size)
        with httpx.Client(transport=self._transport, timeout=120) as up:
            for i in range(count):
                start = i * chunk
                end = size - 1 if i == count - 1 else start + chunk - 1
                try:
                    resp = up.put(
                        upload_url,
                        content=data[start : end + 1],
                        headers={
                            "Content-Type": "video/mp4",
                            "Content-Range": f"bytes {start}-{end}/{size}",
                        },
                    )
                except httpx.HTTPError as exc:
                    raise ProviderError(f"tiktok upload: {exc}", provider=PROVIDER, permanent=False) from exc
                if resp.status_code not in (200, 201, 206):
                    raise ProviderError(
                        f"tiktok upload answered {resp.status_code}",
                        provider=PROVIDER,
                        permanent=400 <= resp.status_code < 500 and resp.status_code != 429,
                        status=resp.status_code,
                    )

    def status(self, publish_id: str) -> dict[str, Any]:
        return self.call("/v2/post/publish/status/fetch/", {"publish_id": publish_id})
