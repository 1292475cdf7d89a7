"""A fake Meta Graph API (protocols.md §6) on loopback: `access_token` checked (190 OAuthException),
Instagram containers (images FINISHED at once, Reels IN_PROGRESS for `reel_polls` status reads), the
publishing limit (`quota_total` per rolling 24 h, error 9/2207042 beyond it), media_publish, permalinks, and
Facebook Page photos/feed/videos. `script(route, [...])` queues errors: an int Graph error code (190, 4, 9,
100, 2) or a `Reply`."""

from __future__ import annotations

import itertools
import time
from typing import Any

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

_ids = itertools.count(1)

ERRORS: dict[int, tuple[int, dict[str, Any]]] = {
    190: (400, {"message": "Error validating access token: Session has expired.", "type": "OAuthException", "code": 190, "error_subcode": 463}),
    4: (400, {"message": "Application request limit reached", "type": "OAuthException", "code": 4, "is_transient": True}),
    9: (400, {"message": "Application does not have the capability to make this API call.", "type": "OAuthException", "code": 9, "error_subcode": 2207042, "error_user_title": "Publishing limit reached"}),
    100: (400, {"message": "Invalid parameter", "type": "OAuthException", "code": 100}),
    24: (400, {"message": "The media could not be fetched from the URI", "type": "OAuthException", "code": 24}),
    2: (500, {"message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException", "code": 2, "is_transient": True}),
}  # fmt: skip


def graph_error(code: int) -> Reply:
    status, err = ERRORS[code]
    return Reply(status, {"error": {**err, "fbtrace_id": "AbCdEf123"}})


class FakeMeta(LoopbackServer):
    def __init__(
        self, *, token: str = "EAAG-test", ig_user_id: str = "17841400000000001", page_id: str = "104000000000001",
        page_token: str | None = None, quota_total: int = 50, reel_polls: int = 2,
    ) -> None:  # fmt: skip
        super().__init__()
        self.token = token
        self.page_token = page_token or token
        self.ig_user_id = ig_user_id
        self.page_id = page_id
        self.quota_total = quota_total
        self.reel_polls = reel_polls
        self.containers: dict[str, dict[str, Any]] = {}
        self.ig_posts: list[dict[str, Any]] = []  # published media
        self.page_posts: list[dict[str, Any]] = []

    def _params(self, req: Recorded) -> dict[str, str]:
        out = {k: v[0] for k, v in req.query.items()}
        out.update({k: v[0] for k, v in req.form.items()})
        return out

    def route(self, req: Recorded) -> Reply:
        p = self._params(req)
        parts = [x for x in req.path.split("/") if x]
        if parts and parts[0].startswith("v") and parts[0].endswith(".0"):
            parts = parts[1:]
        token = p.get("access_token") or req.headers.get("authorization", "").removeprefix("Bearer ")
        is_page = len(parts) >= 1 and parts[0] == self.page_id
        if token not in ({self.token, self.page_token} if is_page else {self.token}):
            return graph_error(190)
        name = parts[-1] if len(parts) > 1 else "node"
        step = self.scripted(name)
        if isinstance(step, int):
            return graph_error(step)
        if isinstance(step, Reply):
            return step
        if len(parts) == 2 and parts[0] == self.ig_user_id:
            return self._ig(req.method, parts[1], p)
        if len(parts) == 2 and parts[0] == self.page_id and req.method == "POST":
            return self._page(parts[1], p)
        if len(parts) == 1 and req.method == "GET":
            return self._node(parts[0], p)
        return Reply(
            400, {"error": {"message": "Unsupported request", "type": "GraphMethodException", "code": 100}}
        )

    def published_last_24h(self) -> int:
        now = time.time()
        return sum(1 for x in self.ig_posts if now - x["at"] < 86400)

    def _ig(self, method: str, edge: str, p: dict[str, str]) -> Reply:
        if edge == "media" and method == "POST":
            caption = p.get("caption", "")
            if len(caption) > 2200 or caption.count("#") > 30:
                return graph_error(100)
            if p.get("media_type") == "REELS":
                if not p.get("video_url"):
                    return graph_error(100)
                kind, status = "reel", "IN_PROGRESS"
            elif p.get("image_url"):
                kind, status = "image", "FINISHED"
            else:
                return graph_error(100)
            cid = f"1788{next(_ids):011d}"
            with self._lock:
                self.containers[cid] = {"id": cid, "kind": kind, "status": status, "polls": 0, **p}
            return Reply(200, {"id": cid})
        if edge == "media_publish" and method == "POST":
            c = self.containers.get(p.get("creation_id", ""))
            if c is None:
                return graph_error(100)
            if self.published_last_24h() >= self.quota_total:
                return graph_error(9)
            if c["status"] == "PUBLISHED":
                return Reply(
                    400,
                    {"error": {"message": "Media already published", "type": "OAuthException", "code": 100}},
                )
            if c["status"] != "FINISHED":
                return Reply(
                    400,
                    {
                        "error": {
                            "message": "Media ID is not available",
                            "type": "OAuthException",
                            "code": 9007,
                            "error_subcode": 2207027,
                        }
                    },
                )
            c["status"] = "PUBLISHED"
            mid = f"1792{next(_ids):011d}"
            with self._lock:
                self.ig_posts.append({"id": mid, "container": c, "at": time.time()})
            return Reply(200, {"id": mid})
        if edge == "content_publishing_limit" and method == "GET":
            return Reply(
                200,
                {
                    "data": [
                        {
                            "quota_usage": self.published_last_24h(),
                            "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                        }
                    ]
                },
            )
        return Reply(
            400, {"error": {"message": "Unknown path components", "type": "OAuthException", "code": 2500}}
        )

    def _node(self, node: str, p: dict[str, str]) -> Reply:
        c = self.containers.get(node)
        if c is not None:
            if c["kind"] == "reel" and c["status"] == "IN_PROGRESS":
                c["polls"] += 1
                if c["polls"] > self.reel_polls:
                    c["status"] = "FINISHED"
            return Reply(200, {"status_code": c["status"], "id": node})
        for post in self.ig_posts:
            if post["id"] == node:
                return Reply(200, {"id": node, "permalink": f"https://www.instagram.com/p/FAKE{node[-6:]}/"})
        return Reply(
            400,
            {
                "error": {
                    "message": f"Unsupported get request. Object with ID '{node}' does not exist",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        )

    def _page(self, edge: str, p: dict[str, str]) -> Reply:
        n = next(_ids)
        if edge == "photos":
            if not p.get("url"):
                return graph_error(100)
            post = {"id": f"{n}", "post_id": f"{self.page_id}_{n}", "kind": "photo", **p}
            self.page_posts.append(post)
            return Reply(200, {"id": post["id"], "post_id": post["post_id"]})
        if edge == "feed":
            if not p.get("message") and not p.get("link"):
                return graph_error(100)
            post = {"id": f"{self.page_id}_{n}", "kind": "feed", **p}
            self.page_posts.append(post)
            return Reply(200, {"id": post["id"]})
        if edge == "videos":
            post = {"id": f"{n}", "kind": "video", **p}
            self.page_posts.append(post)
            return Reply(200, {"id": post["id"]})
        return graph_error(100)
