"""What a print job tells its customer, through the messaging domain's outbound port (stored in the
conversation, shown in the inbox, delivered by the durable `channels.send_message` job). Every number in
these texts comes from the job's quote (the price list) or its processing result."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.money import format_rupiah
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Conversation, Message
from niaga.printshop import jobs
from niaga.printshop.jobs_models import PrintJob
from niaga.tenancy.models import Business

CHAT_CHANNELS = ("whatsapp", "telegram", "web")


def conversation_of(db: Session, job: PrintJob) -> Conversation | None:
    if job.conversation_id:
        conv = db.get(Conversation, job.conversation_id)
        if conv is not None and conv.business_id == job.business_id:
            return conv
    if job.customer_id:
        return db.scalars(
            sa.select(Conversation)
            .where(
                Conversation.business_id == job.business_id,
                Conversation.customer_id == job.customer_id,
                Conversation.channel.in_(CHAT_CHANNELS),
            )
            .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
            .limit(1)
        ).first()
    return None


def send(
    db: Session, job: PrintJob, text: str, *, media: list[dict[str, str]] | None = None
) -> Message | None:
    conv = conversation_of(db, job)
    if conv is None:
        return None
    return do_send(db, conversation=conv, text=text, media=media, sender_type="bot", intent="print_order")


def quote_text(business: Business, job: PrintJob) -> str:
    q = job.quote or {}
    lines = [f"Pesanan cetak *{job.number}* sudah kami periksa 🙏"]
    if job.findings:
        lines.append("")
        lines.append("Hasil pemeriksaan:")
        lines += [f"• {f}" for f in job.findings]
    lines.append("")
    lines.append("Rincian biaya:")
    for item in q.get("items", []):
        lines.append(f"• {item['label']}: {format_rupiah(item['amount'])}")
    lines.append(f"*Total: {format_rupiah(int(q.get('total') or 0))}*")
    if job.pickup_text:
        lines.append(f"Rencana ambil: {job.pickup_text}")
    lines.append("")
    lines.append(
        "Balas *YA* untuk lanjut ke pembayaran (link QRIS/transfer), *BAYAR DI KASIR* untuk bayar di toko, "
        "atau *BATAL*. Mau ubah jumlah rangkap/jilid? Tulis saja ya, kak."
    )
    return "\n".join(lines)


def send_quote(db: Session, business: Business, job: PrintJob) -> None:
    if job.previews:
        send(
            db,
            job,
            f"Pratinjau {job.number} (halaman awal hasil cetak)",
            media=[
                {"path": p, "mimetype": "image/jpeg", "filename": f"{job.number}-hal{n}.jpg"}
                for n, p in enumerate(job.previews, start=1)
            ],
        )
    send(db, job, quote_text(business, job))


def ask_for_files(db: Session, business: Business, job: PrintJob, *, reason: str | None = None) -> None:
    lines = [f"Mohon maaf kak, pesanan cetak {job.number} belum bisa kami hitung 🙏"]
    lines += [f"• {f}" for f in job.findings or []]
    if reason and reason not in (job.findings or []):
        lines.append(f"• {reason}")
    lines.append("Silakan kirim ulang filenya (PDF, DOCX atau foto JPG/PNG) di chat ini ya.")
    send(db, job, "\n".join(lines))


def received_text(job: PrintJob, *, added: bool = False) -> str:
    names = [f["name"] for f in job.files or [] if f.get("kind") != "rejected"]
    what = f"{len(names)} file" if names else "pesan"
    if added:
        return (
            f"Baik kak, file tambahan masuk ke pesanan {job.number} ({what}). Kami periksa ulang dulu ya 🙏"
        )
    return (
        f"Terima kasih kak, {what} sudah kami terima (pesanan {job.number}). Sedang kami periksa "
        "dan hitung biayanya, sebentar ya 🙏"
    )


def paid_text(job: PrintJob) -> str:
    return (
        f"Pembayaran pesanan cetak {job.number} sudah kami terima, terima kasih kak 🙏 Pesanan masuk antrean "
        f"cetak; kami kabari begitu siap diambil."
    )


def ready_text(business: Business, job: PrintJob) -> str:
    where = (business.profile or {}).get("address") or business.name
    tail = f" Jadwal ambil: {job.pickup_text}." if job.pickup_text else ""
    return (
        f"Kabar baik kak, pesanan cetak {job.number} sudah *siap diambil* di {where}.{tail} "
        f"Sebutkan nomor {job.number} di kasir ya 🙏"
    )


def picked_up_text(job: PrintJob, points: int | None) -> str:
    extra = f" Poin kakak bertambah {points} poin." if points else ""
    return f"Pesanan {job.number} sudah diambil. Terima kasih sudah mencetak di tempat kami!{extra} 🙏"


def reminder_text(job: PrintJob) -> str:
    if job.status == "awaiting_payment":
        return (
            f"Halo kak, pesanan cetak {job.number} masih menunggu pembayaran "
            f"({format_rupiah(job.total)}). Kalau sudah tidak jadi, balas BATAL ya 🙏"
        )
    if job.status == "needs_customer":
        return f"Halo kak, pesanan cetak {job.number} masih menunggu file/jawaban dari kakak. Masih mau dilanjut? 🙏"
    return (
        f"Halo kak, penawaran pesanan cetak {job.number} ({format_rupiah(job.total)}) masih menunggu "
        "jawaban. Balas YA untuk lanjut atau BATAL bila tidak jadi 🙏"
    )


def expired_text(job: PrintJob) -> str:
    return (
        f"Pesanan cetak {job.number} kami batalkan karena belum ada jawaban. Kalau masih perlu, kirim ulang "
        "filenya kapan saja ya kak 🙏"
    )


def state_label(status: str) -> str:
    return jobs.STATE_LABELS_ID.get(status, status)
