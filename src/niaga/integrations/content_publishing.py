"""Wiring of the publishing ports to the adapters (installed by `registry.install()`):

- `PUBLISHERS`: instagram/facebook (integrations.meta), tiktok (integrations.tiktok) and the Telegram
  channel (sendPhoto/sendVideo with the business's bot; the channel id from settings.publishing).
- `APPROVAL["telegram"]`: approval requests with inline buttons (Setujui / Tolak / Minta revisi) to the
  owners' Telegram chats (or the admin chat), and editing them to show the decision.
- the Telegram callback handler for `konten:` buttons: only configured approvers; idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from niaga.integrations.base import ProviderError
from niaga.integrations.meta.publisher import FacebookPagePublisher, InstagramPublisher
from niaga.integrations.telegram import webhook as telegram_webhook
from niaga.integrations.telegram.client import TelegramClient, keyboard
from niaga.integrations.tiktok.publisher import TikTokPublisher
from niaga.messaging import channels
from niaga.messaging.channels import OutboundFile
from niaga.ops.logging import get_logger
from niaga.publishing import approval
from niaga.publishing.ports import APPROVAL, PUBLISHERS, PublishRequest, PublishResult

log = get_logger("niaga.publishing")


class TelegramChannelPublisher:
    platform = "telegram_channel"

    def __init__(self, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.channel_id = str(config.get("channel_id") or "").strip()
        self.client = TelegramClient(
            bot_token=str(secrets.get("bot_token") or ""),
            base_url=config.get("base_url") or "https://api.telegram.org",
        )

    def close(self) -> None:
        self.client.close()

    def publish(self, req: PublishRequest) -> PublishResult:
        if not self.channel_id:
            raise ProviderError(
                "telegram: ID kanal belum diisi (pengaturan publikasi)", provider="telegram", permanent=True
            )
        if req.state.get("message_id"):
            return PublishResult(True, req.state["message_id"], req.state.get("permalink"))
        media = req.media[0] if req.media else None
        if media is None:
            result = self.client.send_message(chat_id=self.channel_id, text=req.caption)
        else:
            method, field = ("sendVideo", "video") if media.kind == "video" else ("sendPhoto", "photo")
            params = {"chat_id": self.channel_id, "caption": req.caption[:1024]}
            if media.path is not None and media.path.is_file():
                with Path(media.path).open("rb") as fh:
                    result = self.client.call(
                        method, params, files={field: (media.path.name, fh, media.mimetype)}
                    )
            else:
                result = self.client.call(method, {**params, field: media.url})
        message_id = str((result or {}).get("message_id"))
        req.state["message_id"] = message_id
        chan = self.channel_id.lstrip("@")
        if self.channel_id.startswith("@"):
            req.state["permalink"] = f"https://t.me/{chan}/{message_id}"
        return PublishResult(True, message_id, req.state.get("permalink"))


class TelegramApproval:
    """Approval requests on the owner's Telegram."""

    def _client(self, business_id: int) -> tuple[TelegramClient, channels.ChannelConfig] | None:
        from niaga.db.engine import session_scope

        with session_scope() as db:
            cfg = channels.load(db, business_id=business_id, kind="telegram")
        if cfg is None or not cfg.is_enabled:
            return None
        return TelegramClient.from_config(cfg), cfg

    def ask(
        self,
        *,
        business_id: int,
        chat_ids: list[str],
        text: str,
        buttons: list[list[tuple[str, str]]],
        photo: Path | None = None,
    ) -> list[dict[str, Any]]:
        found = self._client(business_id)
        if found is None:
            return []
        client, cfg = found
        targets = list(
            dict.fromkeys(chat_ids or ([str(cfg.get("admin_chat_id"))] if cfg.get("admin_chat_id") else []))
        )
        out: list[dict[str, Any]] = []
        try:
            for chat in targets:
                if photo is not None and photo.is_file():
                    res = client.send_file(
                        chat_id=chat,
                        file=OutboundFile(filename=photo.name, mimetype="image/jpeg", path=photo),
                        caption=text,
                        reply_markup=keyboard(buttons),
                    )
                    out.append({"chat_id": chat, "message_id": res.provider_message_id, "caption": True})
                else:
                    msg = client.send_message(chat_id=chat, text=text, reply_markup=keyboard(buttons))
                    out.append({"chat_id": chat, "message_id": str(msg.get("message_id")), "caption": False})
        finally:
            client.close()
        return out

    def show_decision(self, *, business_id: int, messages: list[dict[str, Any]], text: str) -> None:
        found = self._client(business_id)
        if found is None:
            return
        client, _ = found
        try:
            for m in messages:
                method = "editMessageCaption" if m.get("caption") else "editMessageText"
                field = "caption" if m.get("caption") else "text"
                try:
                    client.call(
                        method,
                        {
                            "chat_id": m["chat_id"],
                            "message_id": int(m["message_id"]),
                            field: text[: 1024 if m.get("caption") else 4096],
                            "reply_markup": {"inline_keyboard": []},
                        },
                    )
                except ProviderError as exc:
                    if exc.permanent:  # "message is not modified", deleted message: nothing left to show
                        log.info("content.decision_edit_skipped", error=str(exc)[:200])
                        continue
                    raise
        finally:
            client.close()

    def replace_buttons(
        self, *, business_id: int, messages: list[dict[str, Any]], buttons: list[list[tuple[str, str]]]
    ) -> None:
        found = self._client(business_id)
        if found is None:
            return
        client, _ = found
        try:
            for m in messages:
                client.edit_reply_markup(
                    chat_id=m["chat_id"], message_id=int(m["message_id"]), reply_markup=keyboard(buttons)
                )
        finally:
            client.close()


def on_callback(db: Session, cb: telegram_webhook.Callback) -> str | None:
    """`konten:<decision>:<item id>[:<reason code>]` from an approval message."""
    return approval.handle_button(db, business_id=cb.business_id, data=cb.data, from_id=cb.from_id)


def install() -> None:
    for platform, factory in (
        ("instagram", InstagramPublisher),
        ("facebook", FacebookPagePublisher),
        ("tiktok", TikTokPublisher),
        ("telegram_channel", TelegramChannelPublisher),
    ):
        PUBLISHERS.register(platform, factory)
    APPROVAL.register("telegram", TelegramApproval())
    telegram_webhook.CALLBACK_HANDLERS[approval.PREFIX] = on_callback
