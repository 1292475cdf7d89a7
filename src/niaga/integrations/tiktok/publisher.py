"""The publishing port for TikTok (direct post of a video).

Creator info first (the privacy level must be one the account offers; the configured one, else the most
public allowed), then init (pull from URL when `config.source == "PULL_FROM_URL"` and the domain is
verified, else a file upload in chunks), then the status until PUBLISH_COMPLETE. The publish id is kept in
the state so a retry polls instead of posting twice.

Connection "tiktok": config {base_url, privacy_level, source}, secrets {access_token}.
"""

from __future__ import annotations

from typing import Any

from niaga.integrations.base import ProviderError
from niaga.integrations.tiktok.client import PROVIDER, TikTokClient
from niaga.publishing.ports import PublishRequest, PublishResult

POLL_S = 15.0
TITLE_LIMIT = 2200
PREFERRED = ("PUBLIC_TO_EVERYONE", "FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")


class TikTokPublisher:
    platform = "tiktok"

    def __init__(self, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.config = config
        self.client = TikTokClient(
            access_token=str(secrets.get("access_token") or ""), base_url=config.get("base_url")
        )

    def close(self) -> None:
        self.client.close()

    def publish(self, req: PublishRequest) -> PublishResult:
        state = req.state
        if state.get("post_id"):
            return PublishResult(True, state["post_id"], state.get("permalink"))
        if not state.get("publish_id"):
            video = next((m for m in req.media if m.kind == "video"), None)
            if video is None:
                raise ProviderError(
                    "tiktok: hanya video yang bisa diterbitkan", provider=PROVIDER, permanent=True
                )
            info = self.client.creator_info()
            options = [str(x) for x in info.get("privacy_level_options") or []]
            wanted = str(self.config.get("privacy_level") or "")
            privacy = (
                wanted if wanted in options else next((p for p in PREFERRED if p in options), "SELF_ONLY")
            )
            state["privacy_level"] = privacy
            state["creator"] = info.get("creator_username")
            if self.config.get("source") == "PULL_FROM_URL":
                data = self.client.init_direct_post(
                    title=req.caption[:TITLE_LIMIT], privacy_level=privacy, video_url=video.url
                )
            else:
                if video.path is None or not video.path.is_file():
                    raise ProviderError(
                        "tiktok: file video tidak ditemukan", provider=PROVIDER, permanent=True
                    )
                data = self.client.init_direct_post(
                    title=req.caption[:TITLE_LIMIT],
                    privacy_level=privacy,
                    video_size=video.path.stat().st_size,
                )
                self.client.upload(str(data["upload_url"]), video.path)
            state["publish_id"] = str(data["publish_id"])
        st = self.client.status(state["publish_id"])
        status = str(st.get("status") or "")
        state["status"] = status
        if status == "PUBLISH_COMPLETE":
            ids = [str(x) for x in st.get("publicaly_available_post_id") or []]  # (sic) the API's spelling
            post_id = ids[0] if ids else state["publish_id"]
            state["post_id"] = post_id
            if ids and state.get("creator"):
                state["permalink"] = f"https://www.tiktok.com/@{state['creator']}/video/{ids[0]}"
            return PublishResult(True, post_id, state.get("permalink"))
        if status == "FAILED":
            reason = st.get("fail_reason") or "unknown"
            state.pop("publish_id", None)
            raise ProviderError(f"tiktok: video ditolak TikTok ({reason})", provider=PROVIDER, permanent=True)
        return PublishResult(False, poll_after=POLL_S)
