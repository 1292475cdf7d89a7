"""Dashboard labels: Indonesian first, English available. A plain dict per language (no gettext);
a key missing in English falls back to Indonesian, a key missing everywhere shows the key itself."""

from __future__ import annotations

LANGS = ("id", "en")

ID: dict[str, str] = {
    # shell
    "app.title": "niaga",
    "nav.overview": "Ringkasan", "nav.inbox": "Inbox", "nav.catalog": "Katalog", "nav.customers": "Pelanggan", "nav.marketing": "Pemasaran",
    "nav.orders": "Pesanan", "nav.settings": "Pengaturan", "nav.jobs": "Jobs", "nav.print": "Antrean cetak",
    "nav.knowledge": "Pengetahuan", "nav.rates": "Ongkir", "nav.import": "Impor",
    "nav.menu": "Menu", "nav.skip": "Langsung ke konten",
    "shell.logout": "Keluar", "shell.switch_business": "Ganti bisnis", "shell.language": "English",
    "shell.theme": "Mode gelap",
    "login.title": "Masuk ke dashboard", "login.email": "Email", "login.password": "Kata sandi",
    "login.submit": "Masuk", "login.expired": "Sesi Anda berakhir. Silakan masuk lagi.",
    "login.logged_out": "Anda sudah keluar.", "login.required": "Silakan masuk untuk melanjutkan.",
    "common.save": "Simpan", "common.cancel": "Batal", "common.search": "Cari", "common.filter": "Saring",
    "common.all": "Semua", "common.edit": "Ubah", "common.delete": "Hapus", "common.back": "Kembali",
    "common.new": "Baru", "common.none": "Belum ada data.", "common.saved": "Tersimpan.",
    "common.actions": "Aksi", "common.status": "Status", "common.date": "Tanggal", "common.total": "Total",
    "common.name": "Nama", "common.yes": "Ya", "common.no": "Tidak", "common.prev": "Sebelumnya",
    "common.next": "Berikutnya", "common.page": "Halaman", "common.copy": "Salin", "common.copied": "Tersalin",
    "common.form_errors": "Periksa kembali isian yang ditandai.",
    "common.test": "Tes koneksi", "common.secret_set": "tersimpan (tidak ditampilkan)",
    "common.secret_empty": "belum diisi", "common.secret_hint": "Kosongkan untuk mempertahankan nilai lama.",
    # errors
    "error.forbidden.title": "Tidak punya akses",
    "error.forbidden.body": "Akun Anda tidak punya akses ke halaman ini. Minta pemilik atau admin bisnis "
                            "untuk mengubah peran Anda.",
    "error.notfound.title": "Halaman tidak ditemukan",
    "error.notfound.body": "Data atau halaman yang Anda cari tidak ada, atau bukan milik bisnis ini.",
    "error.server.title": "Terjadi kesalahan",
    "error.server.body": "Maaf, terjadi kesalahan pada server. Kejadian ini sudah dicatat; silakan coba lagi.",
    "error.csrf": "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
    "error.home": "Kembali ke dashboard",
    # overview
    "ov.today": "Hari ini", "ov.month": "Bulan ini", "ov.orders": "Pesanan", "ov.revenue": "Pendapatan",
    "ov.new_customers": "Pelanggan baru", "ov.returning_customers": "Pelanggan kembali",
    "ov.open_conversations": "Percakapan terbuka", "ov.bot": "Bot", "ov.staff": "Staf",
    "ov.handled": "Balasan bulan ini (bot / staf)", "ov.failed_jobs": "Job gagal",
    "ov.chart.revenue": "Pendapatan per hari (30 hari)", "ov.chart.status": "Pesanan menurut status (30 hari)",
    "ov.chart.hours": "Jam sibuk (pesan masuk, 30 hari)", "ov.owned_bot": "dijawab bot",
    "ov.owned_staff": "ditangani staf",
    # inbox
    "inbox.title": "Inbox", "inbox.empty": "Belum ada percakapan.", "inbox.owner.bot": "Bot",
    "inbox.owner.staff": "Staf", "inbox.unread": "belum dibaca", "inbox.reply": "Balas",
    "inbox.reply_placeholder": "Tulis balasan…", "inbox.send": "Kirim", "inbox.take_over": "Ambil alih",
    "inbox.hand_back": "Kembalikan ke bot", "inbox.select": "Pilih percakapan di sebelah kiri.",
    "inbox.customer": "Pelanggan", "inbox.orders": "Pesanan", "inbox.points": "Poin", "inbox.notes": "Catatan",
    "inbox.tags": "Tag", "inbox.intent": "intent", "inbox.attachment": "Lampiran",
    "inbox.take_over_first": "Ambil alih percakapan dulu agar bot berhenti menjawab.",
    "inbox.live": "Langsung", "inbox.filter.mine": "Ditangani staf", "inbox.filter.unread": "Belum dibaca",
    "inbox.sender.customer": "Pelanggan", "inbox.sender.bot": "Bot", "inbox.sender.staff": "Staf",
    "inbox.sender.system": "Sistem", "inbox.save_notes": "Simpan catatan",
    # catalog
    "cat.title": "Katalog produk", "cat.new": "Produk baru", "cat.edit": "Ubah produk", "cat.sku": "SKU",
    "cat.name": "Nama produk", "cat.category": "Kategori", "cat.price": "Harga", "cat.sale_price": "Harga promo",
    "cat.stock": "Stok", "cat.weight": "Berat (gram)", "cat.description": "Deskripsi", "cat.tags": "Tag",
    "cat.active": "Aktif", "cat.untracked": "tidak dilacak", "cat.adjust": "Ubah stok",
    "cat.adjust_hint": "Tambah (+) atau kurangi (−) stok", "cat.search": "Cari nama atau SKU",
    "cat.import": "Impor CSV/XLSX", "cat.import.file": "Berkas CSV atau XLSX",
    "cat.import.help": "Kolom: sku, name, price, sale_price, stock, category, weight_g, description, tags.",
    "cat.import.submit": "Impor", "cat.import.result": "Hasil impor", "cat.import.created": "dibuat",
    "cat.import.updated": "diperbarui", "cat.import.errors": "baris bermasalah", "cat.import.row": "Baris",
    "cat.import.error": "Masalah", "cat.reserved": "dipesan", "cat.inactive": "Nonaktif",
    "kn.title": "Dokumen pengetahuan", "kn.new": "Dokumen baru", "kn.doc_title": "Judul", "kn.content": "Isi",
    "rates.title": "Tarif ongkir", "rates.origin": "Kota asal", "rates.destination": "Kota tujuan",
    "rates.courier": "Kurir", "rates.service": "Layanan", "rates.per_kg": "Tarif per kg", "rates.etd": "Estimasi (hari)",
    "rates.add": "Tambah tarif",
    # customers
    "cust.title": "Pelanggan", "cust.phone": "Telepon", "cust.city": "Kota", "cust.tag": "Tag",
    "cust.orders": "Pesanan", "cust.spent": "Total belanja", "cust.points": "Poin", "cust.last_seen": "Terakhir aktif",
    "cust.conversations": "Percakapan", "cust.email": "Email", "cust.address": "Alamat",
    # orders
    "ord.title": "Pesanan", "ord.number": "Nomor", "ord.customer": "Pelanggan", "ord.items": "Barang",
    "ord.qty": "Jml", "ord.unit_price": "Harga", "ord.subtotal": "Subtotal", "ord.shipping": "Ongkir",
    "ord.discount": "Diskon", "ord.paid": "Sudah dibayar", "ord.remaining": "Sisa tagihan",
    "ord.payments": "Pembayaran", "ord.timeline": "Riwayat", "ord.invoice": "Unduh invoice",
    "ord.no_invoice": "Invoice belum dibuat.", "ord.record_payment": "Catat pembayaran",
    "ord.method": "Metode", "ord.method.cash": "Tunai", "ord.method.transfer": "Transfer",
    "ord.method.qris": "QRIS", "ord.method.midtrans": "Midtrans", "ord.amount": "Jumlah",
    "ord.tendered": "Uang diterima", "ord.change": "Kembalian", "ord.proof": "Bukti transfer",
    "ord.reference": "Referensi", "ord.actions": "Ubah status", "ord.flags": "Perlu dicek",
    "ord.notes": "Catatan",
    # settings
    "set.title": "Pengaturan", "set.profile": "Profil & persona", "set.channels": "Kanal",
    "set.payments": "Pembayaran", "set.ai": "AI", "set.users": "Pengguna", "set.api_keys": "API key",
    "set.hours": "Jam buka", "set.pricing": "Harga cetak", "set.business_name": "Nama bisnis",
    "set.address": "Alamat", "set.city": "Kota (asal pengiriman)", "set.phone": "Telepon", "set.email": "Email",
    "set.description": "Deskripsi", "set.persona_name": "Nama asisten", "set.greeting": "Salam pembuka",
    "set.tone": "Gaya bahasa", "set.address_as": "Sapaan pelanggan", "set.closed": "Tutup",
    "set.widget": "Widget web", "set.widget_help": "Tempel potongan ini sebelum </body> di situs Anda.",
    "set.provider": "Penyedia", "set.model": "Model", "set.base_url": "Base URL", "set.api_key": "API key",
    "set.daily_budget": "Batas token per hari", "set.role": "Peran", "set.add_user": "Tambah pengguna",
    "set.password": "Kata sandi awal", "set.new_key": "Buat API key", "set.key_shown_once":
        "Salin key ini sekarang — key tidak akan ditampilkan lagi.", "set.revoke": "Cabut",
    "set.revoked": "dicabut", "set.enabled": "Aktif", "set.last_test": "Tes terakhir",
    "set.server_key": "Server key", "set.client_key": "Client key", "set.production": "Mode produksi",
    "set.session": "Sesi", "set.token": "Token", "set.device": "Nomor perangkat", "set.webhook_secret":
        "Kunci HMAC webhook", "set.bot_token": "Bot token", "set.webhook_url": "URL webhook",
    # jobs
    "jobs.title": "Job gagal", "jobs.name": "Job", "jobs.error": "Galat", "jobs.attempts": "Percobaan",
    "jobs.replay": "Jalankan ulang", "jobs.discard": "Buang", "jobs.empty": "Tidak ada job gagal. 🎉",
    "jobs.created": "Waktu",
    "print.title": "Antrean cetak", "print.soon": "Antrean cetak akan tampil di sini setelah modul "
                                                  "percetakan aktif.",
}

EN: dict[str, str] = {
    "nav.overview": "Overview", "nav.inbox": "Inbox", "nav.catalog": "Catalog", "nav.customers": "Customers", "nav.marketing": "Marketing",
    "nav.orders": "Orders", "nav.settings": "Settings", "nav.jobs": "Jobs", "nav.print": "Print queue",
    "nav.knowledge": "Knowledge", "nav.rates": "Shipping", "nav.import": "Import",
    "nav.menu": "Menu", "nav.skip": "Skip to content",
    "shell.logout": "Log out", "shell.switch_business": "Switch business", "shell.language": "Bahasa Indonesia",
    "shell.theme": "Dark mode",
    "login.title": "Sign in to the dashboard", "login.email": "Email", "login.password": "Password",
    "login.submit": "Sign in", "login.expired": "Your session ended. Please sign in again.",
    "login.logged_out": "You have signed out.", "login.required": "Please sign in to continue.",
    "common.save": "Save", "common.cancel": "Cancel", "common.search": "Search", "common.filter": "Filter",
    "common.all": "All", "common.edit": "Edit", "common.delete": "Delete", "common.back": "Back",
    "common.new": "New", "common.none": "Nothing here yet.", "common.saved": "Saved.",
    "common.actions": "Actions", "common.status": "Status", "common.date": "Date", "common.total": "Total",
    "common.name": "Name", "common.yes": "Yes", "common.no": "No", "common.prev": "Previous",
    "common.next": "Next", "common.page": "Page", "common.copy": "Copy", "common.copied": "Copied",
    "common.form_errors": "Please check the highlighted fields.",
    "common.test": "Test connection", "common.secret_set": "stored (hidden)", "common.secret_empty": "not set",
    "common.secret_hint": "Leave empty to keep the current value.",
    "error.forbidden.title": "No access",
    "error.forbidden.body": "Your account cannot open this page. Ask the business owner or an admin to change "
                            "your role.",
    "error.notfound.title": "Page not found",
    "error.notfound.body": "The page or record does not exist, or it belongs to another business.",
    "error.server.title": "Something went wrong",
    "error.server.body": "Sorry, the server hit an error. It has been logged; please try again.",
    "error.csrf": "The form expired. Reload the page and try again.", "error.home": "Back to the dashboard",
    "ov.today": "Today", "ov.month": "This month", "ov.orders": "Orders", "ov.revenue": "Revenue",
    "ov.new_customers": "New customers", "ov.returning_customers": "Returning customers",
    "ov.open_conversations": "Open conversations", "ov.bot": "Bot", "ov.staff": "Staff",
    "ov.handled": "Replies this month (bot / staff)", "ov.failed_jobs": "Failed jobs",
    "ov.chart.revenue": "Revenue per day (30 days)", "ov.chart.status": "Orders by status (30 days)",
    "ov.chart.hours": "Peak hours (incoming messages, 30 days)", "ov.owned_bot": "answered by the bot",
    "ov.owned_staff": "handled by staff",
    "inbox.empty": "No conversations yet.", "inbox.owner.staff": "Staff", "inbox.unread": "unread",
    "inbox.reply": "Reply", "inbox.reply_placeholder": "Write a reply…", "inbox.send": "Send",
    "inbox.take_over": "Take over", "inbox.hand_back": "Hand back to bot",
    "inbox.select": "Pick a conversation on the left.", "inbox.customer": "Customer", "inbox.orders": "Orders",
    "inbox.points": "Points", "inbox.notes": "Notes", "inbox.tags": "Tags", "inbox.attachment": "Attachment",
    "inbox.take_over_first": "Take the conversation over first so the bot stops answering.",
    "inbox.live": "Live", "inbox.filter.mine": "Handled by staff", "inbox.filter.unread": "Unread",
    "inbox.sender.customer": "Customer", "inbox.sender.staff": "Staff", "inbox.sender.system": "System",
    "inbox.save_notes": "Save notes",
    "cat.title": "Product catalog", "cat.new": "New product", "cat.edit": "Edit product",
    "cat.name": "Product name", "cat.category": "Category", "cat.price": "Price", "cat.sale_price": "Sale price",
    "cat.stock": "Stock", "cat.weight": "Weight (grams)", "cat.description": "Description", "cat.tags": "Tags",
    "cat.active": "Active", "cat.untracked": "not tracked", "cat.adjust": "Adjust stock",
    "cat.adjust_hint": "Add (+) or remove (−) stock", "cat.search": "Search name or SKU",
    "cat.import": "Import CSV/XLSX", "cat.import.file": "CSV or XLSX file", "cat.import.submit": "Import",
    "cat.import.help": "Columns: sku, name, price, sale_price, stock, category, weight_g, description, tags.",
    "cat.import.result": "Import result", "cat.import.created": "created", "cat.import.updated": "updated",
    "cat.import.errors": "rows with problems", "cat.import.row": "Row", "cat.import.error": "Problem",
    "cat.reserved": "reserved", "cat.inactive": "Inactive",
    "kn.title": "Knowledge documents", "kn.new": "New document", "kn.doc_title": "Title", "kn.content": "Content",
    "rates.title": "Shipping rates", "rates.origin": "Origin city", "rates.destination": "Destination city",
    "rates.courier": "Courier", "rates.service": "Service", "rates.per_kg": "Rate per kg",
    "rates.etd": "ETA (days)", "rates.add": "Add rate",
    "cust.title": "Customers", "cust.phone": "Phone", "cust.city": "City", "cust.orders": "Orders",
    "cust.spent": "Total spent", "cust.points": "Points", "cust.last_seen": "Last seen",
    "cust.conversations": "Conversations", "cust.address": "Address",
    "ord.title": "Orders", "ord.number": "Number", "ord.customer": "Customer", "ord.items": "Items",
    "ord.qty": "Qty", "ord.unit_price": "Price", "ord.shipping": "Shipping", "ord.discount": "Discount",
    "ord.paid": "Paid", "ord.remaining": "Balance due", "ord.payments": "Payments", "ord.timeline": "Timeline",
    "ord.invoice": "Download invoice", "ord.no_invoice": "No invoice yet.", "ord.record_payment": "Record payment",
    "ord.method": "Method", "ord.method.cash": "Cash", "ord.amount": "Amount", "ord.tendered": "Cash received",
    "ord.change": "Change", "ord.proof": "Transfer proof", "ord.reference": "Reference",
    "ord.actions": "Change status", "ord.flags": "Needs attention", "ord.notes": "Notes",
    "set.title": "Settings", "set.profile": "Profile & persona", "set.channels": "Channels",
    "set.payments": "Payments", "set.users": "Users", "set.api_keys": "API keys", "set.hours": "Opening hours",
    "set.pricing": "Print pricing", "set.business_name": "Business name", "set.address": "Address",
    "set.city": "City (shipping origin)", "set.phone": "Phone", "set.description": "Description",
    "set.persona_name": "Assistant name", "set.greeting": "Greeting", "set.tone": "Tone",
    "set.address_as": "Address customers as", "set.closed": "Closed", "set.widget": "Web widget",
    "set.widget_help": "Paste this snippet before </body> on your site.", "set.provider": "Provider",
    "set.daily_budget": "Daily token budget", "set.role": "Role", "set.add_user": "Add user",
    "set.password": "Initial password", "set.new_key": "Create API key",
    "set.key_shown_once": "Copy this key now — it will not be shown again.", "set.revoke": "Revoke",
    "set.revoked": "revoked", "set.enabled": "Enabled", "set.last_test": "Last test",
    "set.production": "Production mode", "set.session": "Session", "set.device": "Device number",
    "set.webhook_secret": "Webhook HMAC key", "set.webhook_url": "Webhook URL",
    "jobs.title": "Failed jobs", "jobs.error": "Error", "jobs.attempts": "Attempts", "jobs.replay": "Replay",
    "jobs.discard": "Discard", "jobs.empty": "No failed jobs. 🎉", "jobs.created": "Time",
    "print.title": "Print queue", "print.soon": "The print queue will appear here once the print module is on.",
}

STATUS_LABELS = {
    "id": {"draft": "Draf", "awaiting_payment": "Menunggu bayar", "paid": "Lunas", "processing": "Diproses",
           "ready": "Siap", "shipped": "Dikirim", "picked_up": "Diambil", "completed": "Selesai",
           "cancelled": "Dibatalkan", "expired": "Kedaluwarsa", "refunded": "Dikembalikan",
           "open": "Terbuka", "closed": "Ditutup", "pending": "Menunggu", "failed": "Gagal",
           "settlement": "Lunas", "dead": "Gagal", "replayed": "Diulang", "discarded": "Dibuang"},
    "en": {"draft": "Draft", "awaiting_payment": "Awaiting payment", "paid": "Paid", "processing": "Processing",
           "ready": "Ready", "shipped": "Shipped", "picked_up": "Picked up", "completed": "Completed",
           "cancelled": "Cancelled", "expired": "Expired", "refunded": "Refunded", "open": "Open",
           "closed": "Closed", "pending": "Pending", "failed": "Failed", "settlement": "Settled", "dead": "Failed",
           "replayed": "Replayed", "discarded": "Discarded"},
}

EVENT_LABELS = {
    "id": {"payment.recorded": "Pembayaran dicatat", "payment.refunded": "Dana dikembalikan",
           "loyalty.earned": "Poin didapat", "invoice.sent": "Invoice terkirim", "order.flagged": "Perlu dicek",
           "order.created": "Pesanan dibuat", "payment.link_created": "Link pembayaran dibuat"},
    "en": {"payment.recorded": "Payment recorded", "payment.refunded": "Refunded", "loyalty.earned": "Points earned",
           "invoice.sent": "Invoice sent", "order.flagged": "Needs attention", "order.created": "Order created",
           "payment.link_created": "Payment link created"},
}


def event_label(event: str, lang: str = "id") -> str:
    return EVENT_LABELS.get(lang, EVENT_LABELS["id"]).get(event, event)


_TABLES = {"id": ID, "en": {**ID, **EN}}


def t(key: str, lang: str = "id") -> str:
    return _TABLES.get(lang, ID).get(key, key)


def status_label(status: str | None, lang: str = "id") -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(lang, STATUS_LABELS["id"]).get(status, status.replace("_", " "))
