"""A fake TikTok Content Posting API (protocols.md §7) on loopback: Bearer token (`access_token_invalid`),
`error.code: "ok"` on success, creator info with privacy options, direct post init (FILE_UPLOAD with an
upload URL on this server, or PULL_FROM_URL), chunked PUT with Content-Range (206, then 201), and a status
that goes PROCESSING_UPLOAD -> PUBLISH_COMPLETE after `processing_polls` reads, with the API's misspelled
`publicaly_available_post_id`. `script(route, [...])` queues error codes (strings) or `Reply`s; route
names: "query", "init", "fetch", "upload"."""

from __future__ import annotations

import itertools
from typing import Any

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

_ids = itertools.count(1)
ERROR_STATUS = {
    "access_token_invalid": 401,
    "scope_not_authorized": 401,
    "rate_limit_exceeded": 429,
    "spam_risk_too_many_posts": 403,
    "unaudited_client_can_only_post_to_private_accounts": 403,
    "url_ownership_unverified": 403,
    "privacy_level_option_mismatch": 400,
    "invalid_param": 400,
    "invalid_file_upload": 400,
    "internal_error": 500,
}


def _err(code: str, message: str = "") -> Reply:
    return Reply(
        ERROR_STATUS.get(code, 400),
        {"data": {}, "error": {"code": code, "message": message or code, "log_id": "202611301200000000FAKE"}},
    )


def _ok(data: dict[str, Any]) -> Reply:
    return Reply(
        200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "202611301200000000FAKE"}}
    )


class FakeTikTok(LoopbackServer):
    def __init__(
        self,
        *,
        token: str = "act.test-token",
        privacy_options: tuple[str, ...] = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"),
        processing_polls: int = 1,
        fail_reason: str | None = None,
    ) -> None:
        super().__init__()
        self.token = token
        self.privacy_options = list(privacy_options)
        self.processing_polls = processing_polls
        self.fail_reason = fail_reason
        self.posts: dict[str, dict[str, Any]] = {}

    def route(self, req: Recorded) -> Reply:
        if req.path.startswith("/upload/"):
            return self._upload(req)
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return _err("access_token_invalid", "The access token is invalid or not found in the request.")
        name = [p for p in req.path.split("/") if p][-1]
        step = self.scripted(name)
        if isinstance(step, str):
            return _err(step)
        if isinstance(step, Reply):
            return step
        body = req.json if isinstance(req.json, dict) else {}
        if req.path == "/v2/post/publish/creator_info/query/":
            return _ok(
                {
                    "creator_avatar_url": "https://p16.tiktokcdn.example/avatar.jpg",
                    "creator_username": "tokobatik",
                    "creator_nickname": "Toko Batik",
                    "privacy_level_options": self.privacy_options,
                    "comment_disabled": False,
                    "duet_disabled": False,
                    "stitch_disabled": True,
                    "max_video_post_duration_sec": 600,
                }
            )
        if req.path == "/v2/post/publish/video/init/":
            return self._init(body)
        if req.path == "/v2/post/publish/status/fetch/":
            post = self.posts.get(str(body.get("publish_id")))
            if post is None:
                return _err("invalid_param", "publish_id not found")
            return _ok(self._status(post))
        return Reply(
            404, {"data": {}, "error": {"code": "invalid_param", "message": "not found", "log_id": "x"}}
        )

    def _init(self, body: dict[str, Any]) -> Reply:
        info, source = body.get("post_info") or {}, body.get("source_info") or {}
        if info.get("privacy_level") not in self.privacy_options:
            return _err("privacy_level_option_mismatch")
        if len(str(info.get("title") or "")) > 2200:
            return _err("invalid_param", "title too long")
        pid = f"v_pub_file~v2-1.{7123456789012345000 + next(_ids)}"
        post: dict[str, Any] = {"publish_id": pid, "info": info, "source": source, "reads": 0, "received": 0}
        data: dict[str, Any] = {"publish_id": pid}
        if source.get("source") == "FILE_UPLOAD":
            size, chunk, count = (
                int(source.get(k) or 0) for k in ("video_size", "chunk_size", "total_chunk_count")
            )
            if size <= 0 or chunk <= 0 or count != max(size // chunk, 1):
                return _err("invalid_param", "chunk_size/total_chunk_count do not match video_size")
            post["size"] = size
            data["upload_url"] = f"{self.url}/upload/?upload_id={next(_ids)}&upload_token=Xza{pid[-6:]}"
            post["upload_url"] = data["upload_url"]
        elif source.get("source") == "PULL_FROM_URL":
            if not str(source.get("video_url") or "").startswith(("http://", "https://")):
                return _err("invalid_param", "video_url")
            post["received"] = -1
        else:
            return _err("invalid_param", "source")
        with self._lock:
            self.posts[pid] = post
        return _ok(data)

    def _upload(self, req: Recorded) -> Reply:
        step = self.scripted("upload")
        if isinstance(step, int):
            return Reply(step, {})
        post = next(
            (
                p
                for p in self.posts.values()
                if p.get("upload_url", "").endswith(
                    req.path + "?" + "&".join(f"{k}={v[0]}" for k, v in req.query.items())
                )
            ),
            None,
        )
        if post is None:
            return Reply(404, {})
        rng = req.headers.get("content-range", "")
        try:
            unit, _, spec = rng.partition(" ")
            span, _, total = spec.partition("/")
            start, _, end = span.partition("-")
            start_i, end_i, total_i = int(start), int(end), int(total)
        except ValueError:
            return Reply(400, {})
        if (
            unit != "bytes"
            or total_i != post["size"]
            or start_i != post["received"]
            or end_i - start_i + 1 != len(req.body)
        ):
            return Reply(416, {})
        post["received"] = end_i + 1
        return Reply(201 if post["received"] == post["size"] else 206, {})

    def _status(self, post: dict[str, Any]) -> dict[str, Any]:
        pull = post["received"] == -1
        if not pull and post["received"] < post.get("size", 0):
            return {"status": "PROCESSING_UPLOAD", "fail_reason": "", "uploaded_bytes": post["received"]}
        post["reads"] += 1
        if post["reads"] <= self.processing_polls:
            return {
                "status": "PROCESSING_DOWNLOAD" if pull else "PROCESSING_UPLOAD",
                "fail_reason": "",
                "uploaded_bytes": post.get("size", 0),
            }
        if self.fail_reason:
            return {"status": "FAILED", "fail_reason": self.fail_reason}
        post.setdefault("post_id", 7123456789012300000 + next(_ids))
        return {
            "status": "PUBLISH_COMPLETE",
            "fail_reason": "",
            "publicaly_available_post_id": [post["post_id"]],
            "uploaded_bytes": post.get("size", 0),
            "downloaded_bytes": 0,
        }
