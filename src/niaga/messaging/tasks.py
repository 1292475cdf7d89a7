"""Jobs of the messaging domain: durable outbound delivery, alerts to the admin chat, and the dead-letter
hook that marks an undeliverable message failed and tells the business's admins."""

from __future__ import annotations

from niaga.db.engine import session_scope
from niaga.jobs.models import DeadLetter
from niaga.jobs.registry import task
from niaga.jobs.runner import dead_letter_hooks
from niaga.messaging.alerts import queue_alert, send_alert
from niaga.messaging.delivery import deliver, do_mark_failed
from niaga.messaging.models import Conversation
from niaga.ops.logging import get_logger

log = get_logger("niaga.channels")


@task("channels.send_message", max_attempts=10, base_delay=2.0, max_delay=900.0)
def send_message(message_id: int) -> str:
    return deliver(message_id)


@task("channels.alert", max_attempts=5, base_delay=5.0)
def alert(for_business: int, text: str, only: list[str] | None = None) -> str:
    return send_alert(for_business, text, only)


def on_dead_letter(dl: DeadLetter) -> None:
    """A message that will not be delivered: mark it failed (the inbox shows it) and alert the admins."""
    if dl.name != "channels.send_message" or dl.business_id is None:
        return
    message_id = int(dl.args.get("message_id") or 0)
    with session_scope() as db:
        msg = do_mark_failed(db, message_id=message_id, error=dl.error.splitlines()[0] if dl.error else "")
        conv = db.get(Conversation, msg.conversation_id) if msg is not None else None
        target = conv.chat_id if conv is not None else "?"
        channel = msg.channel if msg is not None else "?"
        reason = (dl.error.splitlines()[0] if dl.error else dl.error_class)[:300]
        queue_alert(
            db,
            business_id=dl.business_id,
            topic=f"send-{channel}",
            text=(
                f"⚠️ Pesan {channel} ke {target} gagal terkirim setelah {dl.attempts} percobaan"
                f"{' (kesalahan permanen)' if dl.permanent else ''}: {reason}\n"
                f"Periksa pengaturan kanal, lalu kirim ulang dari menu Job gagal (#{dl.id})."
            ),
        )
    log.warning("channel.dead_letter", business_id=dl.business_id, message_id=message_id)


if on_dead_letter not in dead_letter_hooks:
    dead_letter_hooks.append(on_dead_letter)
