"""How conversations and messages look outside the database: the one `message_out` and `conversation_out`.

`message_out(m)` is the staff view (API, dashboard inbox); `message_out(m, public=True)` is what the customer
side (website widget) and the live message events see: no staff ids, provider ids, errors or entities, and
media reduced to name, type, size, note and URL (never a local file path).
"""

from __future__ import annotations

from typing import Any

from niaga.messaging.models import Conversation, Message

PUBLIC_MEDIA_KEYS = ("filename", "mimetype", "size", "note", "url")


def conversation_out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "customer_id": c.customer_id,
        "channel": c.channel,
        "chat_id": c.chat_id,
        "owner": c.owner,
        "assigned_user_id": c.assigned_user_id,
        "status": c.status,
        "unread_count": c.unread_count,
        "last_message_at": c.last_message_at.isoformat() if c.last_message_at else None,
        "last_message_preview": c.last_message_preview,
        "handoff_reason": c.handoff_reason,
        "summary": c.summary,
        "created_at": c.created_at.isoformat() if c.created_at else None,
    }


def message_out(m: Message, *, public: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "channel": m.channel,
        "direction": m.direction,
        "sender_type": m.sender_type,
        "text": m.text,
        "media": (
            [
                {k: v for k, v in item.items() if k in PUBLIC_MEDIA_KEYS}
                for item in (m.media or [])
                if isinstance(item, dict)
            ]
            if public
            else m.media
        ),
        "intent": m.intent,
        "delivery_status": m.delivery_status,
        "created_at": m.created_at.isoformat() if m.created_at else None,
        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
    }
    if not public:
        out.update(
            sender_user_id=m.sender_user_id,
            entities=m.entities,
            provider_message_id=m.provider_message_id,
            error=m.error,
        )
    return out
