"""What publishing needs from the outside world, filled by `niaga.integrations.registry` at start-up:

- `PUBLISHERS`: platform ("instagram" | "facebook" | "tiktok" | "telegram_channel") -> factory(config,
  secrets) -> `Publisher`. Config and secrets come from the business's provider connection ("meta" for
  Instagram and the Facebook Page, "tiktok", and "telegram" plus the channel id for the Telegram channel).
- `APPROVAL`: "telegram" -> `ApprovalChannel` (the owner's inline buttons).

Failures raise `niaga.kit.providers.ProviderError`; `permanent=True` stops the retries (expired token,
policy rejection, a video the platform refuses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from niaga.kit.ports import Port


@dataclass
class Media:
    kind: str  # image|video
    mimetype: str
    url: str  # public URL the platform fetches
    path: Path | None = None  # the local file (uploads)


@dataclass
class PublishRequest:
    business_id: int
    item_id: int
    platform: str
    caption: str
    media: list[Media]
    # ids kept from earlier attempts (IG container, TikTok publish id): a retry resumes with them instead of
    # posting twice. The publisher updates it in place; the caller stores it after every attempt.
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class PublishResult:
    done: bool
    remote_id: str | None = None
    permalink: str | None = None
    poll_after: float | None = None  # not done yet (video processing): ask again after this many seconds


class Publisher(Protocol):
    platform: str

    def publish(self, req: PublishRequest) -> PublishResult: ...

    def close(self) -> None: ...


class ApprovalChannel(Protocol):
    def ask(
        self,
        *,
        business_id: int,
        chat_ids: list[str],
        text: str,
        buttons: list[list[tuple[str, str]]],
        photo: Path | None = None,
    ) -> list[dict[str, Any]]:
        """Send the request to each chat; returns [{"chat_id", "message_id"}]."""
        ...

    def show_decision(self, *, business_id: int, messages: list[dict[str, Any]], text: str) -> None: ...

    def replace_buttons(
        self, *, business_id: int, messages: list[dict[str, Any]], buttons: list[list[tuple[str, str]]]
    ) -> None: ...


PublisherFactory = Callable[[dict[str, Any], dict[str, Any]], Publisher]
PUBLISHERS: Port[PublisherFactory] = Port("publisher")
APPROVAL: Port[ApprovalChannel] = Port("approval channel")

# platform -> provider connection kind whose config/secrets the publisher needs
CONNECTION_OF = {
    "instagram": "meta",
    "facebook": "meta",
    "tiktok": "tiktok",
    "telegram_channel": "telegram",
}
