"""Dashboard labels: Indonesian first, English available. A plain dict per language (no gettext);
a key missing in English falls back to Indonesian, a key missing everywhere shows the key itself."""

from __future__ import annotations

import re

LANGS = ("id", "en")

ID: dict[str, str] = {
    # shell
    "app.title": "niaga",
    "nav.overview": "Ringkasan", "nav.inbox": "Inbox", "nav.catalog": "Katalog", "nav.customers": "Pelanggan",
    "nav.marketing": "Pemasaran",
    "nav.orders": "Pesanan", "nav.settings": "Pengaturan", "nav.jobs": "Job gagal", "nav.print": "Antrean cetak",
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
    "jobs.title": "Job gagal", "jobs.name": "Nama job", "jobs.error": "Galat", "jobs.attempts": "Percobaan",
    "jobs.replay": "Jalankan ulang", "jobs.discard": "Buang", "jobs.empty": "Tidak ada job gagal. 🎉",
    "jobs.created": "Waktu",
    "print.title": "Antrean cetak", "print.soon": "Antrean cetak akan tampil di sini setelah modul "
                                                  "percetakan aktif.",
    # day-one additions
    "inbox.show_intents": "Tampilkan label maksud", "ord.method.other": "Lainnya",
    "cat.adjust_set": "= jumlah baru", "set.notification_url": "URL notifikasi",
    "set.not_configured": "Belum diatur", "set.inactive": "Nonaktif",
    "set.allowed_origins": "Situs yang boleh memakai widget",
    "set.allowed_origins_help": "Satu alamat per baris, mis. https://tokoanda.com. Kosongkan agar semua situs "
                                "boleh (hanya untuk uji coba).",
    "set.save_origins": "Simpan daftar situs", "set.you": "Anda", "set.prefix": "Awalan",
    "set.last_used": "Terakhir dipakai",
    "cust.purchases": "Pembelian", "cust.history": "Riwayat belanja", "cust.imported": "Transaksi impor",
    "cust.source.import": "Impor", "cust.source.order": "Pesanan", "cust.open_orders": "pesanan belum dibayar",
    "cust.from_import": "dari impor", "cust.ref": "No. transaksi",
    "imp.kind": "Jenis data", "imp.template": "Unduh templat CSV", "imp.columns": "Kolom",
    "imp.required": "wajib", "imp.missing_columns": "Kolom wajib tidak ada",
    "imp.kind.products": "Produk", "imp.kind.shipping-rates": "Tarif ongkir",
    "imp.kind.knowledge": "Pengetahuan (CSV/XLSX/MD)", "imp.kind.customers": "Pelanggan",
    "imp.kind.transactions": "Transaksi",
    "chart.months": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
    "loyalty.earn": "Poin didapat", "loyalty.redeem": "Poin dipakai", "loyalty.restore": "Poin dikembalikan",
    "loyalty.reverse": "Poin ditarik", "loyalty.adjust": "Penyesuaian", "loyalty.expire": "Poin kedaluwarsa",
}

EN: dict[str, str] = {
    "nav.overview": "Overview", "nav.inbox": "Inbox", "nav.catalog": "Catalog", "nav.customers": "Customers",
    "nav.marketing": "Marketing",
    "nav.orders": "Orders", "nav.settings": "Settings", "nav.jobs": "Failed jobs", "nav.print": "Print queue",
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
    "inbox.show_intents": "Show intent labels", "ord.method.transfer": "Transfer", "ord.method.other": "Other",
    "cat.adjust_set": "= new count", "set.notification_url": "Notification URL",
    "set.not_configured": "Not configured", "set.inactive": "Inactive",
    "set.allowed_origins": "Sites allowed to embed the widget",
    "set.allowed_origins_help": "One origin per line, e.g. https://yourshop.com. Leave empty to allow any site "
                                "(for testing only).",
    "set.save_origins": "Save sites", "set.you": "You", "set.prefix": "Prefix",
    "set.last_used": "Last used",
    "cust.purchases": "Purchases", "cust.history": "Purchase history", "cust.imported": "Imported transaction",
    "cust.source.import": "Import", "cust.source.order": "Order", "cust.open_orders": "unpaid orders",
    "cust.from_import": "from import", "cust.ref": "Transaction no.",
    "imp.kind": "Data type", "imp.template": "Download CSV template", "imp.columns": "Columns",
    "imp.required": "required", "imp.missing_columns": "Required columns missing",
    "imp.kind.products": "Products", "imp.kind.shipping-rates": "Shipping rates",
    "imp.kind.knowledge": "Knowledge (CSV/XLSX/MD)", "imp.kind.customers": "Customers",
    "imp.kind.transactions": "Transactions",
    "chart.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "loyalty.earn": "Points earned", "loyalty.redeem": "Points used", "loyalty.restore": "Points restored",
    "loyalty.reverse": "Points reversed", "loyalty.adjust": "Adjustment", "loyalty.expire": "Points expired",
}

STATUS_LABELS = {
    "id": {"draft": "Draf", "awaiting_payment": "Menunggu bayar", "paid": "Lunas", "processing": "Diproses",
           "ready": "Siap", "shipped": "Dikirim", "picked_up": "Diambil", "completed": "Selesai",
           "cancelled": "Dibatalkan", "expired": "Kedaluwarsa", "refunded": "Dikembalikan",
           "open": "Terbuka", "closed": "Ditutup", "pending": "Menunggu", "failed": "Gagal",
           "settlement": "Lunas", "dead": "Gagal", "replayed": "Diulang", "discarded": "Dibuang",
           "imported": "Impor (selesai)"},
    "en": {"draft": "Draft", "awaiting_payment": "Awaiting payment", "paid": "Paid", "processing": "Processing",
           "ready": "Ready", "shipped": "Shipped", "picked_up": "Picked up", "completed": "Completed",
           "cancelled": "Cancelled", "expired": "Expired", "refunded": "Refunded", "open": "Open",
           "closed": "Closed", "pending": "Pending", "failed": "Failed", "settlement": "Settled", "dead": "Failed",
           "replayed": "Replayed", "discarded": "Discarded", "imported": "Imported (completed)"},
}

EVENT_LABELS = {
    "id": {"payment.recorded": "Pembayaran dicatat", "payment.refunded": "Dana dikembalikan",
           "loyalty.earned": "Poin didapat", "invoice.sent": "Invoice terkirim", "order.flagged": "Perlu dicek",
           "order.created": "Pesanan dibuat", "payment.link_created": "Link pembayaran dibuat"},
    "en": {"payment.recorded": "Payment recorded", "payment.refunded": "Refunded", "loyalty.earned": "Points earned",
           "invoice.sent": "Invoice sent", "order.flagged": "Needs attention", "order.created": "Order created",
           "payment.link_created": "Payment link created"},
}


INTENT_LABELS = {
    "id": {"greeting": "Salam", "store_info": "Info toko", "product_query": "Tanya produk", "price_check": "Cek harga",
           "stock_check": "Cek stok", "shipping_cost": "Ongkir", "order_create": "Buat pesanan",
           "order_status": "Status pesanan", "payment": "Pembayaran", "print_order": "Pesanan cetak",
           "complaint": "Keluhan", "human_handoff": "Minta staf", "thanks": "Terima kasih", "other": "Lainnya"},
    "en": {"greeting": "Greeting", "store_info": "Store info", "product_query": "Product question",
           "price_check": "Price check", "stock_check": "Stock check", "shipping_cost": "Shipping cost",
           "order_create": "New order", "order_status": "Order status", "payment": "Payment",
           "print_order": "Print order", "complaint": "Complaint", "human_handoff": "Wants staff",
           "thanks": "Thanks", "other": "Other"},
}

ROLE_LABELS = {
    "id": {"owner": "Pemilik", "admin": "Admin", "staff": "Staf", "operator": "Operator cetak", "viewer": "Pembaca"},
    "en": {"owner": "Owner", "admin": "Admin", "staff": "Staff", "operator": "Print operator", "viewer": "Viewer"},
}

ACTOR_LABELS = {
    "id": {"customer": "pelanggan", "user": "staf", "system": "sistem", "provider": "penyedia pembayaran",
           "bot": "bot", "agent": "bot", "api": "API"},
    "en": {"customer": "customer", "user": "staff", "system": "system", "provider": "payment provider",
           "bot": "bot", "agent": "bot", "api": "API"},
}

DELIVERY_LABELS = {
    "id": {"pending": "menunggu", "queued": "antre", "failed": "gagal kirim", "sending": "mengirim"},
    "en": {"pending": "pending", "queued": "queued", "failed": "failed", "sending": "sending"},
}

PAYMENT_FLAG_LABELS = {
    "id": {"refund_due": "perlu dikembalikan", "overpaid": "kelebihan bayar"},
    "en": {"refund_due": "refund due", "overpaid": "overpaid"},
}


def _pick(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if not key:
        return ""
    return table.get(lang, table["id"]).get(key) or table["id"].get(key) or key.replace("_", " ")


def intent_label(intent: str | None, lang: str = "id") -> str:
    return _pick(INTENT_LABELS, intent, lang)


def role_label(role: str | None, lang: str = "id") -> str:
    return _pick(ROLE_LABELS, role, lang)


def actor_label(actor: str | None, lang: str = "id") -> str:
    return _pick(ACTOR_LABELS, actor, lang)


def delivery_label(status: str | None, lang: str = "id") -> str:
    return _pick(DELIVERY_LABELS, status, lang)


def payment_flag_label(flag: str | None, lang: str = "id") -> str:
    return _pick(PAYMENT_FLAG_LABELS, flag, lang)


def method_label(method: str | None, lang: str = "id") -> str:
    if not method:
        return ""
    return t(f"ord.method.{method}", lang) if f"ord.method.{method}" in ID else method


_METHOD_WORD = re.compile(r"\b(cash|transfer|qris|midtrans)\b")


def event_note(note: str | None, lang: str = "id") -> str:
    """Notes written by the order service name payment methods by their code ("lunas via cash"): show the
    label ("lunas via Tunai") instead."""
    if not note:
        return ""
    return _METHOD_WORD.sub(lambda m: method_label(m.group(1), lang), note)


def event_label(event: str, lang: str = "id") -> str:
    return EVENT_LABELS.get(lang, EVENT_LABELS["id"]).get(event, event)


# Shipping on the order page and customer display names (issue 10, items 2 and 3).
ID.update({
    "ord.shipping_title": "Pengiriman", "ord.ship.pickup": "Diambil di toko", "ord.ship.delivery": "Dikirim",
    "ord.ship.to": "Kota tujuan", "ord.ship.courier": "Kurir", "ord.ship.days": "hari", "ord.ship.weight": "Berat",
    "ord.ship.stated": "berat yang disebutkan", "ord.ship.cost": "Ongkir", "ord.ship.free": "Gratis",
    "ord.ship.none": "Belum diatur: kirim ke mana atau diambil di toko?", "ord.ship.change": "Atur pengiriman",
    "ord.ship.cheapest": "Termurah", "ord.ship.weight_kg": "Berat (kg, kosongkan = dari produk)",
    "ord.ship.save": "Simpan pengiriman",
    "cust.anon.web": "Pengunjung web", "cust.anon.telegram": "Pengguna Telegram",
    "cust.anon.whatsapp": "Pelanggan WhatsApp", "cust.anon.other": "Pelanggan",
    "cust.rename": "Ubah nama", "cust.name_saved": "Nama pelanggan disimpan.",
})
EN.update({
    "ord.shipping_title": "Delivery", "ord.ship.pickup": "Picked up at the shop", "ord.ship.delivery": "Delivered",
    "ord.ship.to": "Destination city", "ord.ship.courier": "Courier", "ord.ship.days": "days", "ord.ship.weight": "Weight",
    "ord.ship.stated": "stated weight", "ord.ship.cost": "Shipping", "ord.ship.free": "Free",
    "ord.ship.none": "Not set yet: deliver where, or pick up at the shop?", "ord.ship.change": "Set delivery",
    "ord.ship.cheapest": "Cheapest", "ord.ship.weight_kg": "Weight (kg, empty = from the products)",
    "ord.ship.save": "Save delivery",
    "cust.anon.web": "Web visitor", "cust.anon.telegram": "Telegram user", "cust.anon.whatsapp": "WhatsApp customer",
    "cust.anon.other": "Customer", "cust.rename": "Rename", "cust.name_saved": "Customer name saved.",
})
EVENT_LABELS["id"]["order.shipping_set"] = "Pengiriman diatur"
EVENT_LABELS["en"]["order.shipping_set"] = "Delivery set"

_TABLES = {"id": ID, "en": {**ID, **EN}}


def t(key: str, lang: str = "id") -> str:
    return _TABLES.get(lang, ID).get(key, key)


def status_label(status: str | None, lang: str = "id") -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(lang, STATUS_LABELS["id"]).get(status, status.replace("_", " "))
