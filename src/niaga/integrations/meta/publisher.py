"""The publishing port for Instagram and the Facebook Page (`niaga.publishing.ports.Publisher`).

Instagram: read the 24-hour publishing limit first (a full quota waits instead of failing), create the
container (image, or a Reel for a video), poll a Reel's container until FINISHED, then media_publish. The
container id is kept in the request state so a retry resumes it instead of creating a second post.
Facebook Page: a photo post for an image, a video post for a video, else a feed post.

Connection "meta": config {base_url, ig_user_id, page_id}, secrets {access_token, page_access_token}.
"""

from __future__ import annotations

from typing import Any

from niaga.integrations.base import ProviderError
from niaga.integrations.meta.client import PROVIDER, MetaClient
from niaga.publishing.ports import PublishRequest, PublishResult

REEL_POLL_S = 60.0  # Meta recommends about once a minute


def _client(config: dict[str, Any], secrets: dict[str, Any]) -> MetaClient:
    return MetaClient(access_token=str(secrets.get("access_token") or ""), base_url=config.get("base_url"))


def _need(config: dict[str, Any], key: str, what: str) -> str:
    value = str(config.get(key) or "").strip()
    if not value:
        raise ProviderError(f"meta: {what} belum diisi di koneksi Meta", provider=PROVIDER, permanent=True)
    return value


class InstagramPublisher:
    platform = "instagram"

    def __init__(self, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.config = config
        self.client = _client(config, secrets)

    def close(self) -> None:
        self.client.close()

    def publish(self, req: PublishRequest) -> PublishResult:
        ig = _need(self.config, "ig_user_id", "ID akun Instagram")
        state = req.state
        if state.get("media_id"):
            return PublishResult(True, state["media_id"], state.get("permalink"))
        video = next((m for m in req.media if m.kind == "video"), None)
        image = next((m for m in req.media if m.kind == "image"), None)
        if video is None and image is None:
            raise ProviderError("instagram: butuh gambar atau video", provider=PROVIDER, permanent=True)
        if not state.get("container_id"):
            used, total = self.client.ig_publishing_limit(ig)
            state["quota"] = {"used": used, "total": total}
            if total and used >= total:
                raise ProviderError(
                    f"instagram: batas {total} posting per 24 jam sudah tercapai",
                    provider=PROVIDER,
                    permanent=False,
                    retry_after=3600.0,
                )
            state["container_id"] = self.client.ig_create_container(
                ig,
                caption=req.caption,
                image_url=None if video else image.url if image else None,
                video_url=video.url if video else None,
                cover_url=image.url if (video and image) else None,
            )
            state["container_kind"] = "reel" if video else "image"
        if state.get("container_kind") == "reel":
            status = self.client.ig_container_status(state["container_id"])
            state["container_status"] = status
            if status == "IN_PROGRESS":
                return PublishResult(False, poll_after=REEL_POLL_S)
            if status == "ERROR":
                state.pop("container_id", None)
                raise ProviderError(
                    "instagram: video ditolak Instagram saat diproses", provider=PROVIDER, permanent=True
                )
            if status == "EXPIRED":
                state.pop("container_id", None)  # a new container next time
                raise ProviderError("instagram: container kedaluwarsa", provider=PROVIDER, permanent=False)
        media_id = self.client.ig_publish(ig, state["container_id"])
        state["media_id"] = media_id
        state["permalink"] = self.client.permalink(media_id)
        return PublishResult(True, media_id, state["permalink"])


class FacebookPagePublisher:
    platform = "facebook"

    def __init__(self, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.config = config
        self.token = str(secrets.get("page_access_token") or secrets.get("access_token") or "")
        self.client = _client(config, secrets)

    def close(self) -> None:
        self.client.close()

    def publish(self, req: PublishRequest) -> PublishResult:
        page = _need(self.config, "page_id", "ID Facebook Page")
        if req.state.get("post_id"):
            return PublishResult(True, req.state["post_id"], req.state.get("permalink"))
        video = next((m for m in req.media if m.kind == "video"), None)
        image = next((m for m in req.media if m.kind == "image"), None)
        if video is not None:
            post_id = self.client.fb_video(
                page, file_url=video.url, description=req.caption, token=self.token
            )
        elif image is not None:
            body = self.client.fb_photo(page, url=image.url, caption=req.caption, token=self.token)
            post_id = str(body.get("post_id") or body.get("id"))
        else:
            post_id = self.client.fb_feed(page, message=req.caption, token=self.token)
        req.state["post_id"] = post_id
        req.state["permalink"] = f"https://www.facebook.com/{post_id}"
        return PublishResult(True, post_id, req.state["permalink"])
