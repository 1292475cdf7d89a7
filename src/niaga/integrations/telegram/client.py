"""Telegram Bot API client: messages, documents, photos, inline keyboards, callbacks, files, webhooks.

Every answer is `{"ok": ..., "result"|"description", "parameters"}`; `ok: false` becomes `ProviderError`
(classified by `classify`: chat migration, unreachable customer, 429 with `retry_after`, other 4xx
permanent, 5xx temporary).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from niaga.integrations.base import ProviderError, classify_status, http_client
from niaga.integrations.http import download, request
from niaga.kit.providers import CHAT_MIGRATED, RECIPIENT_UNREACHABLE
from niaga.messaging.channels import ChannelConfig, OutboundFile, SendResult

PROVIDER = "telegram"
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def keyboard(rows: list[list[tuple[str, str]]]) -> dict[str, Any]:
    """An inline keyboard from rows of (label, callback_data)."""
    return {
        "inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in rows]
    }


# Descriptions (Bot API) meaning the customer cannot be reached by this bot any more.
UNREACHABLE = (
    "bot was blocked by the user",
    "user is deactivated",
    "bot was kicked",
    "chat not found",
    "bot can't initiate conversation",
    "have no rights to send",
)


def classify(status: int, description: str, params: dict[str, Any]) -> tuple[bool, str | None, str | None]:
    """(permanent, reason, migrate_to) of a Bot API error: a group upgraded to a supergroup answers 400
    with `parameters.migrate_to_chat_id` (temporary: send there instead); a blocked bot, a deleted account
    or an unknown chat is permanent and the customer unreachable; 429 and 5xx are temporary."""
    migrate = params.get("migrate_to_chat_id")
    if migrate is not None:
        return False, CHAT_MIGRATED, str(migrate)
    text = description.lower()
    if status in (400, 403) and any(s in text for s in UNREACHABLE):
        return True, RECIPIENT_UNREACHABLE, None
    return classify_status(status), None, None


class TelegramClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        bot_token: str,
        base_url: str = "https://api.telegram.org",
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.bot_token = bot_token
        self._http = http_client(self.base_url, transport=transport, timeout=timeout)

    @classmethod
    def from_config(cls, cfg: ChannelConfig, **kwargs: Any) -> TelegramClient:
        return cls(bot_token=cfg.secrets.get("bot_token", ""), base_url=cfg.get("base_url"), **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TelegramClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, files: dict[str, Any] | None = None
    ) -> Any:
        url = f"/bot{self.bot_token}/{method}"
        if files:
            # multipart: JSON-valued params (reply_markup) travel as JSON strings.
            data = {
                k: (json.dumps(v) if isinstance(v, dict | list) else str(v))
                for k, v in (params or {}).items()
                if v is not None
            }
            resp = request(self._http, PROVIDER, "POST", url, data=data, files=files)
        else:
            resp = request(
                self._http,
                PROVIDER,
                "POST",
                url,
                json={k: v for k, v in (params or {}).items() if v is not None},
            )
        try:
            body = resp.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        status = resp.status_code if resp.status_code >= 400 else int((body or {}).get("error_code") or 500)
        description = (body or {}).get("description") if isinstance(body, dict) else resp.text[:200]
        answer_params: dict[str, Any] = {}
        if isinstance(body, dict) and isinstance(body.get("parameters"), dict):
            answer_params = body["parameters"]
        retry_after = answer_params.get("retry_after")
        permanent, reason, migrate_to = classify(status, str(description or ""), answer_params)
        # The token is in the URL: keep it out of messages.
        raise ProviderError(
            f"telegram {method} answered {status}: {description}",
            provider=PROVIDER,
            permanent=permanent,
            status=status,
            retry_after=float(retry_after) if retry_after is not None else None,
            body=body,
            reason=reason,
            migrate_to=migrate_to,
        )

    # --- sending ------------------------------------------------------------------------------------
    def send_message(
        self,
        *,
        chat_id: str | int,
        text: str,
        reply_markup: dict[str, Any] | None = None,
        reply_to: str | None = None,
        parse_mode: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text[:4096],
            "reply_markup": reply_markup,
            "parse_mode": parse_mode,
        }
        if reply_to and str(reply_to).isdigit():
            params["reply_parameters"] = {"message_id": int(reply_to), "allow_sending_without_reply": True}
        return self.call("sendMessage", params)

    def send_text(self, *, chat_id: str, text: str, reply_to: str | None = None) -> SendResult:
        result = self.send_message(chat_id=chat_id, text=text, reply_to=reply_to)
        return SendResult(str(result.get("message_id")) if isinstance(result, dict) else None, result)

    def send_file(
        self,
        *,
        chat_id: str,
        file: OutboundFile,
        caption: str = "",
        reply_to: str | None = None,
        reply_markup: dict[str, Any] | None = None,
    ) -> SendResult:
        method, field = (
            ("sendPhoto", "photo") if file.mimetype in PHOTO_TYPES else ("sendDocument", "document")
        )
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": caption[:1024] or None,
            "reply_markup": reply_markup,
        }
        if file.path is not None:
            with Path(file.path).open("rb") as fh:
                result = self.call(method, params, files={field: (file.filename, fh, file.mimetype)})
        elif file.url:
            result = self.call(method, {**params, field: file.url})
        else:
            raise ProviderError("telegram: file without path or url", provider=PROVIDER, permanent=True)
        return SendResult(str(result.get("message_id")) if isinstance(result, dict) else None, result)

    def mark_seen(self, *, chat_id: str, message_ids: list[str]) -> None:
        return None  # bots have no read receipts

    def start_typing(self, *, chat_id: str) -> None:
        self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"})

    def stop_typing(self, *, chat_id: str) -> None:
        return None  # the typing status ends by itself after ~5 s or with the next message

    def find_sent(self, *, chat_id: str, text: str, since: datetime) -> str | None:
        return None  # the Bot API cannot list a chat's history

    def answer_callback(self, callback_query_id: str, text: str = "", *, show_alert: bool = False) -> None:
        self.call(
            "answerCallbackQuery",
            {"callback_query_id": callback_query_id, "text": text[:200] or None, "show_alert": show_alert},
        )

    def edit_reply_markup(
        self, *, chat_id: str | int, message_id: int, reply_markup: dict[str, Any] | None = None
    ) -> None:
        self.call(
            "editMessageReplyMarkup",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "reply_markup": reply_markup or {"inline_keyboard": []},
            },
        )

    # --- files and setup ----------------------------------------------------------------------------
    def get_file(self, file_id: str) -> dict[str, Any]:
        return self.call("getFile", {"file_id": file_id})

    def download_file(self, file_path: str, dest: Path, *, limit: int) -> int:
        return download(self._http, PROVIDER, f"/file/bot{self.bot_token}/{file_path}", dest, limit=limit)

    def set_webhook(
        self, *, url: str, secret_token: str, allowed_updates: tuple[str, ...] = ("message", "callback_query")
    ) -> Any:
        return self.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": list(allowed_updates),
                "max_connections": 40,
            },
        )

    def check(self) -> dict[str, Any]:
        me = self.call("getMe")
        return {"id": me.get("id"), "username": me.get("username"), "name": me.get("first_name")}
