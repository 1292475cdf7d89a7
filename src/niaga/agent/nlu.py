"""Intent signals and entity extraction from one customer message (text only; no database).

The agent combines these signals with what retrieval finds (a product, a policy) and with the
conversation's memory to choose one intent from the fixed list `INTENTS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from niaga.agent.enums import Intent
from niaga.kit.lang import detect_language, normalize

INTENTS = tuple(Intent)  # the fixed list, in the shared scorer's order
DOCUMENT_TYPES = ("skripsi", "tesis", "makalah", "proposal", "laporan", "ktp", "ijazah", "dokumen")
BINDINGS = ("none", "staple", "spiral", "softcover", "hardcover")

ORDER_NUMBER_RE = re.compile(r"\b(?:ORD|INV)[-\s]?\d{8}[-\s]?\d{3,6}\b", re.I)

# Indonesian and a few English city names with aliases → canonical name. Shipping rates add their own.
CITY_ALIASES: dict[str, str] = {
    "jakarta": "Jakarta",
    "bandung": "Bandung",
    "surabaya": "Surabaya",
    "yogyakarta": "Yogyakarta",
    "semarang": "Semarang",
    "solo": "Solo",
    "medan": "Medan",
    "makassar": "Makassar",
    "denpasar": "Denpasar",
    "bali": "Denpasar",
    "balikpapan": "Balikpapan",
    "palembang": "Palembang",
    "malang": "Malang",
    "sleman": "Sleman",
    "bantul": "Bantul",
    "bekasi": "Bekasi",
    "bogor": "Bogor",
    "depok": "Depok",
    "tangerang": "Tangerang",
    "cirebon": "Cirebon",
    "tasikmalaya": "Tasikmalaya",
    "purwokerto": "Purwokerto",
    "magelang": "Magelang",
    "klaten": "Klaten",
    "kudus": "Kudus",
    "pekalongan": "Pekalongan",
    "tegal": "Tegal",
    "kediri": "Kediri",
    "madiun": "Madiun",
    "jember": "Jember",
    "banyuwangi": "Banyuwangi",
    "padang": "Padang",
    "pekanbaru": "Pekanbaru",
    "batam": "Batam",
    "jambi": "Jambi",
    "bengkulu": "Bengkulu",
    "lampung": "Lampung",
    "pontianak": "Pontianak",
    "banjarmasin": "Banjarmasin",
    "samarinda": "Samarinda",
    "manado": "Manado",
    "kendari": "Kendari",
    "palu": "Palu",
    "ambon": "Ambon",
    "jayapura": "Jayapura",
    "mataram": "Mataram",
    "kupang": "Kupang",
    "aceh": "Aceh",
    "serang": "Serang",
    "cilegon": "Cilegon",
    "sukabumi": "Sukabumi",
    "garut": "Garut",
    "karawang": "Karawang",
    "wonosobo": "Wonosobo",
    "kulon": "Kulon Progo",
    "gunungkidul": "Gunungkidul",
    "sidoarjo": "Sidoarjo",
    "gresik": "Gresik",
    "mojokerto": "Mojokerto",
}

UNIT_WORDS = {
    "pcs",
    "buah",
    "eksemplar",
    "rangkap",
    "box",
    "paket",
    "set",
    "lembar",
    "pack",
    "unit",
    "item",
    "biji",
    "kali",
    "copy",
    "kopi",
    "lusin",
    "kodi",
    "botol",
    "bungkus",
    "dus",
    "kotak",
    "rim",
    "roll",
    "meter",
    "m2",
    "helai",
    "potong",
    "pasang",
    "exp",
    "eks",
    "jilid",
    "pc",
}
_NOT_QTY_AFTER = {
    "halaman",
    "tahun",
    "hari",
    "minggu",
    "bulan",
    "jam",
    "menit",
    "kg",
    "kilo",
    "gram",
    "gr",
    "ribu",
    "rb",
    "k",
    "juta",
    "jt",
    "persen",
    "karat",
    "cm",
    "mm",
    "mb",
    "gb",
    "tahunan",
    "juz",
    "km",
    "sisi",
}
_NOT_QTY_BEFORE = {
    "umur",
    "usia",
    "age",
    "rp",
    "jam",
    "juz",
    "nomor",
    "no",
    "jilid",
    "karat",
    "ukuran",
    "size",
    "hal",
    "halaman",
    "tanggal",
    "tgl",
    "pukul",
    "km",
    "blok",
    "kelas",
}
_ORDER_VERBS = {
    "mau",
    "pesan",
    "beli",
    "order",
    "ambil",
    "butuh",
    "sebanyak",
    "qty",
    "jumlah",
    "minta",
    "buy",
    "take",
    "want",
    "need",
    "pesanan",
    "memesan",
    "membeli",
    "pesankan",
    "belikan",
    "borong",
    "checkout",
    "purchase",
    "ingin",
}


@dataclass
class Analysis:
    raw: str
    norm: str
    words: list[str]
    language: str
    signals: set[str] = field(default_factory=set)
    order_number: str | None = None
    city: str | None = None
    numbers: list[tuple[int, int]] = field(default_factory=list)  # (token index, value)
    print_spec: dict[str, Any] = field(default_factory=dict)
    age: int | None = None
    budget: int | None = None  # a price ceiling stated ("harganya dibawah 250rb", "under 100k")
    budget_words: set[str] = field(default_factory=set)  # the words that state it (no product words)
    weight_g: int | None = None  # a weight the customer stated ("2 kg", "500 gr"): it overrides the products'
    clause_ends: set[int] = field(default_factory=set)  # indexes of words that end a clause (",", "?", end)

    def has(self, *names: str) -> bool:
        return any(n in self.signals for n in names)


# a place, institution or person outside the shop asked to be recommended ("rekomendasi pondok tahfidz", "saran
# dokter anak"): no goods of any shop
OUTSIDE_RECOMMEND = (
    r"\b(?:rekomendasi\w*|saran|recommend\w*)(?: \w+)? (?:pondok|pesantren|sekolah|tempat|kampus|dokter|bengkel|"
    r"hotel|penginapan|kos|kost|kontrakan|rumah makan|restoran|warung|tempat makan|wisata|ustadz|ustad|guru|les|"
    r"bimbel|kursus|klinik|rumah sakit|salon|psikolog|pengacara|notaris|jurusan|aplikasi|app|apps|software|website|"
    r"situs|web)\b|"
    # a place or tradesman outside the shop asked whether known: "tau tempat servis jam yang bagus?", "kenal
    # penjahit yang murah?"
    r"\b(?:tau|tahu|kenal|punya kenalan|ada kenalan|know)(?: \w+)? (?:tempat|penjahit|tukang|bengkel|dokter|salon|"
    r"klinik|rumah makan|restoran|warung|hotel|penginapan|kos|kost|bimbel|kursus|ustadz|ustad|masjid|musholla|"
    r"mushola|mushala|langgar|pondok|pesantren|ponpes|sekolah|kampus|kajian|pengajian|majelis)\b|"
    # how to do something outside the shop asked whether known ("tau cara bikin daftar isi di word?"), not how to
    # deal with the shop or care for its goods
    r"\b(?:tau|tahu|ngerti|paham|know) (?:cara|how to) (?!(?:pesan|memesan|order|beli|membeli|bayar|membayar|kirim|"
    r"mengirim|ambil|retur|tukar|refund|rawat|merawat|cuci|mencuci|nyuci|pakai|memakai|simpan|menyimpan|pasang|"
    r"memasang|lipat|melipat|setrika|menyetrika)\b)|"
    # chat about the customer's own day: a film watched, whose a cat is ("td aku nonton film bagus", "kucing di
    # depan toko punya siapa?")
    r"\b(?:nonton|menonton)(?: \w+){0,2} (?:film|drama|drakor|sinetron|bola|anime|konser|bioskop|series)\b|"
    r"\b(?:sudah|pernah) (?:nonton|menonton)\b|\b(?:punya|milik) siapa\b|"
    # a writing chore for the customer's own use, nothing the shop sells: "bikinin caption buat jualan",
    # "tolong buatkan pantun"
    r"\b(?:buatin|bikinin|buatkan|bikinkan|tulisin|tuliskan|karangin|carikan|cariin)(?: \w+)? (?:caption|captions|"
    r"copywriting|pantun|puisi|lirik|quotes?|kata kata mutiara|bio)\b|"
    # how a prayer is performed, religious knowledge rather than goods: "tarawih berapa rakaat?"
    r"\bberapa rakaat\b|\brakaat(?:nya)? (?:ada )?berapa\b"
)
OUTSIDE_RECOMMEND_RE = re.compile(OUTSIDE_RECOMMEND)
# whether the shop works on a day named, a job or a pick-up asked for that day ("hari minggu bisa ambil?", "bisa
# dikerjakan hari sabtu?"); "minggu" alone is also a week ("2 minggu", "minggu depan"), so it needs "hari" or the
# message's start
_DAY = (
    r"(?:hari (?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|ahad)|(?:senin|selasa|rabu|kamis|jumat|sabtu|ahad)|"
    r"^minggu)\b(?! (?:depan|ini|lalu|kemarin|lagi))"
)
_DAY_JOB = r"(?:bisa|boleh|apa bisa) (?:di)?(?:ambil|kerjain|kerjakan|proses|garap|datang|mampir|ke toko)\b"
DAY_SERVICE = rf"{_DAY}(?: \w+){{0,2}}? {_DAY_JOB}|{_DAY_JOB}(?: \w+){{0,2}}? {_DAY}"
# the opening hours asked outright ("buka jam berapa?", "jam tutupnya?"), whatever else the message names
# whether the shop is open at an hour named: "jam 7 pagi udah buka?", "pukul 21.00 masih buka gak?"
OPEN_AT_HOUR = (
    r"\b(?:jam|pukul) \d{1,2}(?:[.: ]\d{2})?(?: (?:pagi|siang|sore|malam|an|nanti|besok))?(?: (?:sudah|masih|apa|"
    r"apakah|sudah ada yang|toko|tokonya|kak|min))* (?:buka|tutup|open|close|closed)\b"
)
OPENING_ASKED_RE = re.compile(
    r"\b(?:jam (?:buka|tutup|operasional)|(?:buka|tutup)(?:nya)? (?:(?:sampai |dari )?(?:jam|pukul) )?berapa|"
    r"jam berapa (?:buka|tutup))\b|" + DAY_SERVICE + "|" + OPEN_AT_HOUR
)

SIGNALS: dict[str, str] = {
    "greeting": r"^(?:halo|assalamualaikum|salam|selamat (?:pagi|siang|sore|malam)|pagi|siang|sore|malam|"
    r"permisi|p|ping|punten|good (?:morning|afternoon|evening)|morning|test|tes|hola|yo)\b|"
    r"\b(?:(?:mau|ingin|boleh|numpang|izin|ijin) )?tanya(?: (?:dulu|saja|sedikit|ya|tidak|kak|min|dong|boleh))*$|^(?:min|kak|gan|sis)$",
    "thanks": r"\b(?:makasih|thanks|thank|jazak\w*|hatur nuhun|matur nuwun|syukron|terima kasih)\b",
    "handoff": r"\b(?:bicara|berbicara|ngobrol|ngomong|omong|diskusi|berdiskusi|konsultasi|chat|hubungi|hubungkan|menghubungi|sambung\w*|connect|talk|"
    r"speak|panggil\w*|oper|operkan|alihkan|dialihkan|langsung|telpon|telepon|nelpon|nelepon|nyambung\w*|call|dihubungi|ditelpon|"
    r"ditelepon|dihubungkan|disambung\w*|dioper\w*|diarahkan|dialihkan|diteruskan)\b(?:\s+\w+){0,3}?\s+"
    r"(?:dengan |sama |ke |to |with |a |an |the )?(?:yang |yg )?"
    r"(?:admin|cs|manusia|orang|staf|staff|operator|pemilik|owner|agent|agen|petugas|pegawai|"
    r"karyawan|human|person|penjual|seller|pengelola|customer service|punya toko|nu gaduh|someone|somebody|"
    r"anybody|anyone|penanggung ?jawab|pimpinan|manajer|manager|supervisor)\b(?! (?:bot|robot|tua\w*))|"
    r"\b(?:mau|ingin|minta|want|need|perlu|butuh|tolong)\s+(?:ke |sama |dengan |to |a |an |nomor |kontak |no |chat |"
    r"ngobrol |bicara |ngomong )?(?:sama |dengan |ke )?"
    r"(?:admin|cs|manusia|staf|staff|operator|human|person|pemilik|owner|orang|orang asli)\b"
    r"(?! (?:lain|yang (?:mau|ingin|pesan)|\d))|"
    # whether a human serves: "CS nya manusia ada gak?", "adminnya orang asli?"
    r"\b(?:cs|admin|operator|staf|staff|petugas)(?: ?nya)? (?:yang )?(?:manusia|orang asli|human)\b|"
    r"\btidak mau (?:sama |dengan |dibalas |chat )?(?:bot|robot|mesin)\b|\b(?:real|actual) (?:person|human|manusia)\b|"
    r"^(?:tolong |mohon |panggil )?(?:admin|cs|operator|staf|staff|human|manusia)"
    r"(?: (?:tolong|dong|please|saja|ya|min|kak|nya|mana))*$|"
    r"\bbukan (?:bot|robot|mesin)\b|\b(?:admin|cs|orang) (?:manusia|asli|beneran|sungguhan)\b|"
    r"\blive agent\b|\bhuman agent\b|"
    # put through to one of the shop's people, in English: "connect me to one of your staff", "can you transfer me
    # to someone from your team"
    r"\b(?:connect|transfer|put|pass|forward)(?: me| us)?(?: through)? (?:to|with) (?:one of |someone (?:from |of |on )?)?"
    r"(?:your|the) (?:shop |store |business )?(?:staff|team|agents?|admins?|people|employees|representatives?|reps?|customer service|owner|"
    r"manager|cs)\b|"
    # served by / asking a person: "maunya dilayani admin", "tanya ke orangnya langsung"
    r"\b(?:dilayani|dilayanin|layani|melayani|served)\s+(?:oleh |sama |by )?(?:admin|cs|manusia|orang|staf|staff|"
    r"operator|pemilik|owner|petugas|pegawai|human|person|penjual)\b|"
    r"\b(?:tanya|bertanya|nanya) (?:ke|sama|dengan|kepada) (?:admin|cs|manusia|orang|staf|staff|operator|"
    r"pemilik|owner|petugas|pegawai|penjual)\b(?! (?:lain|tua\w*|yang (?:pernah|sudah)))|"
    # rejecting the bot: "jangan bot terus", "bukan ke bot", "tidak mau dibalas bot"
    r"\b(?:bukan|jangan|tidak mau|malas|males)(?: (?:ke|sama|dengan|dibalas|dijawab|dilayani|chat|sama))?"
    r" (?:bot|robot|mesin)\b|"
    # is a person there: "ada orangnya gk sih?", "ada admin yang online?"
    r"\bada (?:orang|admin|manusia|cs|staf|staff|operator) (?:tidak|kah|sih|yang (?:online|bales|balas|jawab|bisa))\b|"
    r"\bada (?:orang|admin|manusia|cs|staf|staff|operator)$|"
    r"\b(?:someone|somebody|anyone|a person|staff)\b(?:\s+\w+){0,4}\s+(?:call|phone|contact|text)\s+me\b|"
    # asking whether a machine answers, or for a person to chat with: "ini mesin yg bales?", "not an automated reply"
    r"\b(?:bot|robot|mesin)(?: \w+){0,2} (?:yang|yg) (?:bales|balas|jawab|membalas|menjawab)\b|"
    r"\bnot (?:an? |the )?(?:automated|auto|bot|robot|machine)\b|"
    r"\b(?:yang|yg) (?:bales|balas|jawab|membalas|menjawab|balesin)(?: (?:ini|chat|pesan|saya))? (?:bot|robot|mesin)\b|"
    r"\b(?:someone|somebody|anyone|a person|a human|real person)\b(?:\s+\w+){0,5}\s+(?:chat|talk|speak)\b|"
    # whether the person is there: "adminnya ada?", "admin ada tidak?" (Javanese "admine wonten?")
    r"^(?:\w+ )?(?:admin|cs|operator|staf|staff|pemilik|owner)(?: ?nya)? ada\b(?! (?:promo|diskon|stok))|"
    # the person named first, then asked to be put through: "CS nya ada? tolong sambungin", "admin, hubungkan ya"
    r"\b(?:admin|cs|operator|staf|staff|petugas|pemilik|owner|manusia)\b(?: \w+){0,4} (?:tolong |mohon |minta )?"
    r"(?:sambung(?:in|kan)|disambung(?:in|kan)?|hubung(?:in|kan)|dihubung(?:in|kan)|oper(?:in|kan)|dioper|alihkan|"
    r"dialihkan|connect)\b|"
    # speaking to a person of the shop: "mau ngomong sama mas yg jaga toko", "bicara dengan penjaga toko"
    r"\b(?:bicara|berbicara|ngomong|ngobrol|omong|diskusi|sambung\w*|disambung\w*|hubung\w*|dihubungkan|alihkan|"
    r"dialihkan|oper\w*|dioper\w*|diteruskan|connect) (?:sama|dengan|ke|kepada) (?:mas|mbak|mba|bapak|ibu|pak|bu|"
    r"penjaga|pemilik|owner|pegawai|karyawan)\b(?: \w+){0,2} (?:yang|yg) (?:jaga|punya|pegang)\b|"
    r"\b(?:yang|yg) (?:jaga|punya) (?:toko|tokonya|kasir|konter)\b|\bpenjaga (?:toko|tokonya|kasir|konter)\b|"
    r"\b(?:bicara|berbicara|ngomong|ngobrol) (?:sama|dengan|ke|kepada) (?:pemilik|owner|penjaga|pegawai|"
    r"karyawan)\b|"
    # to ask or speak in person, closing the message: "saya mau tanya langsung saja"
    r"\b(?:mau|ingin|minta) (?:bicara|tanya|bertanya|ngomong|ngobrol|nanya) langsung(?: (?:saja|ya|kak|min|dong))*$|"
    # a person asked to do the replying: "bisa admin langsung yg bales?", "minta cs nya aja yang jawab"
    r"\b(?:admin|cs|operator|staf|staff|petugas|pemilik|owner|manusia)(?: ?nya)? langsung (?:yang |yg )?"
    r"(?:bales|balas|balesin|jawab|membalas|menjawab|layani|melayani)\b|"
    r"\b(?:bisa|minta|tolong|mau|maunya|ingin) (?:\w+ )?(?:admin|cs|operator|staf|staff|petugas|pemilik|owner|"
    r"manusia)(?: ?nya)?(?: (?:saja|langsung))? (?:yang|yg) (?:bales|balas|balesin|jawab|membalas|menjawab)\b|"
    # helped by a person: "bisa dibantu oleh petugas?", "dibantuin sama adminnya langsung"
    r"\b(?:dibantu|dibantuin|dibantuk?an)\s+(?:oleh |sama |by )?(?:admin|cs|manusia|orang|staf|staff|operator|"
    r"pemilik|owner|petugas|pegawai|karyawan)\b|"
    # where the person is: "mana owner nya?", "adminnya mana sih", "where is the owner"
    r"\b(?:mana|where is|where s) (?:the )?(?:admin|cs|owner|pemilik|petugas|manusia|operator|manager|manajer)\b|"
    r"\b(?:admin|cs|owner|pemilik|petugas|manusia|operator)(?: ?nya)? mana\b|"
    # the number of the person in charge: "minta no wa pemiliknya", "can I get the owner's WhatsApp number"
    r"\b(?:nomor|no|kontak|contact|number)(?: (?:whatsapp|hp|telepon|telpon|phone|pribadi))? (?:dari |of )?(?:the )?"
    r"(?:pemilik|owner|manajer|manager|penanggung ?jawab|pimpinan)\b|"
    r"\b(?:owner|pemilik|manager|manajer|penanggung ?jawab)(?: ?nya)? (?:whatsapp |phone |hp |telepon |personal )?"
    r"(?:number|nomor|no|contact|kontak)\b|"
    # speaking with whoever does the work: "ngomong sama yang pegang mesin", "bicara dengan yang ngurus"
    r"\b(?:bicara|berbicara|ngomong|ngobrol|omong|diskusi|tanya|nanya) (?:sama|dengan|ke|kepada) (?:yang|yg) "
    r"(?:pegang|megang|jaga|urus|ngurus|mengurus|menangani|handle|kerjain|ngerjain)\b|"
    # a real person asked after in English, "real person" being normalised to "manusia"
    r"\b(?:is there|are there) (?:a |an |any )?(?:manusia|human)\b|\bany (?:manusia|human)\b",
    "complaint": r"\b(?:rusak|sobek|robek|cacat|pecah|penyok|luntur|kecewa|mengecewakan|komplain|complain|"
    r"keluhan|marah|kesal|kesel|jelek|parah|penipu|nipu|tipu|ditipu|bohong|hilang|lecet|basah|"
    r"salah kirim|tidak sesuai|beda dengan|kurang lengkap|tidak lengkap|lambat|lelet|lemot|"
    r"tidak dibalas|tidak direspon|lama (?:banget|sekali)|belum (?:datang|sampai|diterima|dikirim|ada kabar)|"
    r"tidak (?:datang|sampai)|broken|damaged|torn|wrong item|disappointed|angry|"
    r"kebalik|terbalik|pudar|miring|bolong|berlubang|noda|bernoda|luntur|typo|ilang|tidak (?:ter|ke)cetak|"
    r"lepas|copot|belum ada update|tidak ada update|missing|faded|never arrived|not arrived|has not arrived|"
    r"(?:ukuran|warna|nama|cetakan|barang|pesanan|item|size|ukuranya)(?:nya)? (?:yang )?(?:salah|beda|keliru)|"
    r"salah (?:kirim|ukuran|warna|cetak|barang|item|pesanan|produk|ketik|tulis|eja|nama|print)|"
    r"(?:dikirim|datang|diterima|dapat|dapet|dicetak) (?:salah|beda|keliru|kurang)|"
    r"beda (?:warna|ukuran|motif|dengan|sama|dari)|"
    r"kurang (?:satu|\d+)(?= \w+ (?:di|dalam) (?:paket|pesanan|kiriman)|,|$| (?:harusnya|seharusnya|padahal|"
    r"yang datang|dari pesanan))|(?:wrong|incorrect) (?:size|colou?r|item|product|order)|"
    r"bau|apek|kotor|kusam|berjamur|jamuran|kekecilan|kebesaran|cacat|beda jauh|"
    r"(?:cuma|hanya|cuman) \d+ (?:padahal|harusnya|seharusnya)|"
    # fewer than paid or ordered, the goods named between: "isinya cuma 1 buku, padahal saya bayar buat 3"
    r"(?:cuma|hanya|cuman|cm) \d+(?: \w+){1,3} (?:padahal|harusnya|seharusnya)\b.{0,20}\b"
    r"(?:pesan|pesen|order|beli|bayar|dibayar|membayar)\w*(?: (?:buat|untuk|utk))? \d+\b|"
    r"(?:datang|sampai|diterima|dikirim) (?:cuma|hanya|cuman) \d+|"
    # fewer came than should have, both counted: "isinya cuma 1 pack masker, harusnya 3 pack", "yang datang 2 box
    # padahal mestinya 4"
    r"(?:cuma|hanya|cuman|cm|baru|isi|isinya|berisi|datang|datangnya|sampai|diterima|dikirim|dapat|dapet) \d+"
    r"(?: \w+){0,3} (?:padahal|harusnya|seharusnya|mestinya|semestinya)(?: \w+){0,4}? \d+\b|"
    r"(?:has ?n[o']?t|have ?n[o']?t|did ?n[o']?t|not yet|still not|never) (?:arrived|arrive|received|come|came)|"
    r"(?:hasn't|haven't|didn't) (?:arrived|arrive|received|come)|"
    r"(?:received|got|sent|send|delivered|shipped|gave)(?: me| us)? (?:the |a |an )?(?:wrong|incorrect|damaged|broken)|"
    r"(?:arrived|came) (?:damaged|broken|torn|late|wet)|defective|not what i ordered|"
    r"dirty|smells?|smelly|stained|stains?|ripped|blurry|blurred|smudged|crooked|scratched|"
    r"(?:arrived|came|come) (?:with|out) (?:a |an )?(?:hole|stain|tear|rip|damage|blurry|faded|wrong|crooked)|"
    r"(?:with|has|have|had) (?:a |an )?holes?|"
    r"halaman(?:nya)? (?:yang |yg )?(?:kosong|hilang|terlewat|kurang|blank|rusak|kebalik|terbalik)|"
    r"blank pages?|missing pages?|nyasar|kesasar|salah alamat|wrong address|lost|"
    # fewer arrived than ordered: "yang sampai cm 2, satunya mana?"
    r"(?:datang|sampai|diterima|dikirim|dapat|dapet) (?:cuma|hanya|cuman|cm|baru) \d+|"
    r"(?:satunya|sisanya|kurangnya|kekurangannya|yang satu(?:nya)?|yang kurang) (?:mana|kemana|belum)|"
    # another item than the one ordered: "kok yg dikirim kopiah putih, kan pesannya peci hitam"
    r"(?:dikirim|datang|sampai|diterima|dapat|dapet|dikasih)(?: \w+){1,6} (?:padahal|kan|harusnya|seharusnya)"
    r"(?: saya| aku)?(?: kan)? (?:pesan|pesen|order|minta|pilih|beli)|"
    # what came set against what was ordered, the arrival first: "kok yang datang peci ukuran 6, saya
    # pesannya ukuran 8"; and the order first: "warna yang saya minta hitam kok jadinya biru"
    r"kok (?:yang|yg) (?:datang|sampai|dikirim|diterima)\b.{0,60}\b(?:saya|aku) (?:pesan|pesen|order|minta)\w*|"
    r"(?:yang|yg) (?:saya |aku )?(?:minta|pesan|pesen|order|pilih)\b.{0,40}\bkok (?:jadi|jadinya|malah|berubah)\b|"
    # fewer than ordered, counted: "kurang 1 lembar dari pesanan", "order 3 yang datang 2", "ordered 3 ...
    # but only got 2"
    r"kurang \d+(?: \w+)? dari (?:pesanan|orderan|yang dipesan)|"
    r"(?:pesan|pesen|order|beli) \d+\b.{0,20}\b(?:yang|yg) (?:datang|sampai|diterima|dikirim)(?:nya)? \d+\b|"
    r"\bordered \d+\b.{0,40}\bonly (?:got|received|came|arrived)\b|"
    # English: fewer arrived than ordered, counted ("only 1 arrived"), and displeasure ("not happy at all")
    r"\bonly \d+(?: \w+){0,2} (?:arrived|came|was delivered|were delivered)\b|\bonly (?:got|received) \d+\b|"
    r"\b(?:not|never) (?:happy|satisfied|pleased)\b|\b(?:unhappy|dissatisfied|unsatisfied)\b|"
    r"\b(?:tidak|kurang) puas\b|"
    # a tracking number (or the parcel) that has not moved: "resi ga gerak", "tracking hasn't moved in 5 days"
    r"\b(?:resi|tracking|pelacakan|paket|kiriman)(?:nya)?(?: \w+){0,3} (?:masih )?(?:tidak|belum) (?:gerak|bergerak|"
    r"berubah|update|diupdate|pindah|ada perubahan|ada pergerakan)\b|"
    r"\b(?:tracking|package|parcel|shipment)(?: number)?(?: \w+){0,3} (?:has ?n[o']?t|is ?n[o']?t|still not|not) "
    r"(?:moved|moving|updated|changed|been updated)\b|"
    # not done / not arrived after the time promised: "udah 3 hari blm jadi padahal katanya sehari"
    r"sudah \d+ (?:hari|minggu|bulan|jam)\b.{0,30}\bbelum (?:jadi|selesai|beres|datang|sampai|dikirim|diproses)|"
    r"belum (?:jadi|selesai|beres|datang|sampai|dikirim|diproses)\b.{0,40}\b(?:padahal|katanya|janjinya|dijanjikan)|"
    # a mistake set against what the customer did: "nomor hp nya salah padahal file yg sy kirim bener"
    r"(?:salah|keliru)\b.{0,40}\bpadahal|"
    # what came is not what was ordered: "yg sy terima ukurannya M padahal sy pesen XL", "yg dikirim malah ..."
    r"(?:terima|diterima|dikirim|datang|sampai|dapat|dapet)\b.{0,40}\bpadahal (?:saya |aku )?(?:kan )?"
    r"(?:pesan|pesen|order|minta|pilih|beli)|(?:dikirim|datang|sampai|diterima|dapat|dapet|dikasih) malah|"
    # a finished job in the wrong order or a mess: "urutannya kacau", "halamannya berantakan"
    r"kacau|berantakan|amburadul|acakacakan|urutan(?:nya)?(?: halaman(?:nya)?)? (?:salah|acak|terbalik|kebalik|"
    r"tertukar|ketuker|loncat|lompat|melompat|meloncat)|halaman(?:nya)? (?:loncat|lompat|melompat|meloncat)|"
    # not ready by the time promised: "janjinya jadi siang tadi, sampe skrg blm jadi", "sampai sekarang belum
    # selesai"
    r"(?:janji|janjinya|dijanjikan|berjanji|katanya|bilangnya)\b.{0,60}\bbelum (?:jadi|selesai|beres|datang|sampai|"
    r"dikirim|diproses)|"
    # the hour promised has passed: "sudah jam 5 belum selesai juga"
    r"sudah (?:jam|pukul) \d+\b.{0,30}\bbelum (?:jadi|selesai|beres|diproses|datang|sampai|dikirim)|"
    r"sampai (?:sekarang|saat ini|detik ini) (?:masih )?belum (?:jadi|selesai|beres|diproses)|"
    # an exchange or a refund asked for what arrived: "yg datang ... tolong ditukar", "minta refund, yg sampai ..."
    r"(?:yang|yg) (?:datang|sampai|diterima|dikirim)\b.{0,80}\b(?:tolong|minta|mau|mohon) (?:di)?(?:tukar|ganti|"
    r"retur|refund|kembalikan)|(?<!bisa )(?:minta|mau|mohon|ajukan) (?:di)?(?:refund|retur|tukar|ganti)\b(?: \w+)?"
    r".{0,60}\b(?:yang|yg) (?:datang|sampai|diterima|dikirim)|"
    # blank pages in a received book: "halaman 50 sampai 60 nya kosong"
    r"halaman\b.{0,30}\b(?:kosong|blank|hilang|terbalik|kebalik)|"
    # not the one ordered: "warnanya bukan yang saya pesan"
    r"bukan (?:yang|yg) (?:saya |aku |kami |sy )?(?:pesan|pesen|order|minta|pilih|beli)|"
    # a mistake asked to be put right: "namanya salah, tolong diperbaiki"
    r"(?:salah|keliru)\b.{0,40}\b(?:tolong|mohon|minta|harap) (?:di)?(?:perbaiki|betulkan|benerin|revisi|ulang)|"
    # money asked back (a refund) outside a policy question: "saya minta uang kembali"
    r"(?<!bisa )(?:minta|mau|mohon|tolong) uang(?:nya| saya)? (?:kembali|dikembalikan|balik)|"
    # what was ordered set against what came: "saya pesan 5 peci ukuran 7 yang datang ukuran 9 semua" (an
    # order being placed says "mau pesan", and its relative clause names no variant or contrast)
    r"(?<!mau )(?<!ingin )(?:pesan|pesen|order|beli)\b.{0,60}\b(?:yang|yg) (?:datang|sampai|diterima|dikirim)(?:nya)? "
    r"(?:ukuran|warna|motif|size|model|malah|justru|cuma|hanya|cm)\b|"
    # an item missing from the parcel: "mukenanya tidak ada di dalam paket", "paketnya cuma isi bukunya"
    r"tidak ada di (?:dalam )?(?:paket|kiriman|kardus|dus|kotak|box)(?:nya)?\b|"
    r"(?:paket|kiriman|kardus|dus)(?:nya)? (?:cuma|hanya|cuman|cm) (?:ada|isi|berisi)\b|"
    # a finished job's result is bad: "hasil printnya buram", "cetakannya terpotong"
    r"(?:hasil|cetakan|printan|print|fotokopi)\w*(?: \w+){0,2} (?:buram|blur|burem|luntur|miring|terpotong|"
    r"kepotong|pudar|pecah|jelek)|"
    # ... the result named, then what is wrong with it a few words on: "hasil print skripsi sy banyak yg buram"
    r"hasil\w*(?: \w+){0,5} (?<!kertas )(?:buram|blur|burem|luntur|miring|terpotong|kepotong|pudar|jelek)|"
    # a finished job's print is patchy, streaked, too faint or cut off: "hasilnya belang ada garisnya", "tulisannya
    # terlalu terang, tidak kebaca", "brosur pesanan kantor kepotong pinggirnya"
    r"(?:hasil|cetakan|printan|printout|fotokopian|tulisan|tinta|huruf)\w*(?: \w+){0,3} (?:belang|bergaris|buram|"
    r"burem|blur|pudar|luntur|miring|"
    r"garis|samar|pucat|blobor|luber|meluber|terlalu (?:terang|tipis|pucat|gelap|pudar)|kurang jelas|"
    r"tidak jelas|tidak (?:ke|ter)baca|susah dibaca)|"
    r"(?:pesanan|pesenan|orderan)(?:nya)?(?: \w+){0,3} (?:kepotong|terpotong|belang|buram|luntur|miring|pudar)|"
    # ... in English: "the print is too faint", "colours look washed out", "barely legible"
    r"(?:print|prints|printed|printout|printing|copies|copy|eksemplar|warna|ink|text)\b(?: \w+){0,5} (?:too (?:light|faint|"
    r"pale|dark)|barely (?:readable|legible|visible)|hard to read|unreadable|illegible|washed out|streaky|"
    r"streaked|smeared|cut off)|"
    # the wrong variant or finish made or sent: "jilidnya salah", "cover nya beda"
    r"(?:jilid|sampul|cover|kertas|motif|model)(?: ?nya)? (?:yang )?(?:salah|keliru)|"
    # what came set against what was asked: "kok yg dikirim L", "mintanya hardcover malah dikasih spiral",
    # "kok ukurannya M, aku pesennya XL", "ukurannya tidak cocok sama yang saya pesan"
    r"\bkok (?:yang|yg) (?:dikirim|datang|sampai|diterima|dikasih|dapat|dapet)\b|"
    r"(?<!mau )(?<!ingin )(?:minta|pesan|pesen|order|pilih)\w*\b.{0,40}\bmalah (?:dikasih|dikirim\w*|datang|dapat|dapet|dibuat|dibikin|"
    r"dicetak|dijilid|diprint|jadi)\b|"
    r"\bkok (?:ukuran|warna|motif|model|size|jilid)\w*\b.{0,40}\b(?:pesan|pesen|order|minta|pilih)\w*|"
    r"(?:tidak|kurang) (?:cocok|sesuai|sama) (?:sama|dengan|dari) (?:yang|yg) (?:\w+ )?(?:pesan|pesen|order|"
    r"minta|dipesan|diminta)\b|"
    # an item of the order missing from a parcel that came: "paket datang tapi bukunya tidak ada"
    r"(?:paket|kiriman|kardus|dus|box)(?:nya)? (?:sudah )?(?:datang|sampai|nyampe|diterima)\b.{0,60}\b"
    r"(?:tidak ada|belum ada|hilang|kurang)\b|"
    # fewer than the order counted: "yg kami pesan 40 rangkap, dihitung cuma 36"
    r"(?:yang|yg) (?:saya |kami |aku )?(?:pesan|pesen|order|dipesan|beli)\w* \d+\b.{0,40}\b(?:cuma|hanya|cuman|cm|"
    r"ternyata) \d+\b|"
    # waited long, or a paid job not worked on: "sudah nunggu 3 jam", "file saya tidak dikerjain"
    r"sudah (?:nunggu|menunggu|nungguin|tunggu)(?: \w+)? \d+ (?:menit|jam|hari|minggu|bulan)\b|"
    r"(?:tidak|belum juga) (?:dikerjain|dikerjakan|digarap|digubris)\b|"
    # messages left unanswered, and asking whether the shop means to sell at all: "dari tadi tanya tidak
    # dijawab", "niat jualan nggak sih"
    r"(?:tidak|belum juga) (?:dijawab|dibales|ditanggapi|diladeni|digubris)\b|\btidak ada kabar(?:nya)?\b|"
    r"\bniat (?:jualan|jual|dagang|kerja|melayani|buka toko)(?: \w+)? tidak\b|"
    # a refund demanded: "refund aja lah", "mending refund"
    r"\b(?:di)?refund saja\b|\bmending (?:di)?refund\b|"
    # the time promised has gone by: "janji jadi jam 10, sekarang belum juga"
    r"(?:janji|janjinya|dijanjikan|katanya|bilangnya|sudah (?:jam|pukul) \d+)\b.{0,60}\bbelum juga|"
    # an amount charged set against the amount quoted: "kok ditagih 90 ribu, padahal kemarin katanya 60 ribu"
    # (both amounts of money: "totalnya 150rb katanya diskon 10%?" asks about a discount)
    r"(?:bayar|dibayar|ditagih|tagih\w*|total\w*|kena|charged?)(?: \w+){0,2}? (?:rp )?(?:\d+ ?(?:rb|ribu|k|jt|juta)|"
    r"\d{4,})\b(?: \w+){0,3}? (?:padahal|katanya|harusnya|seharusnya|mestinya|bukannya)(?: \w+){0,3}? (?:rp )?"
    r"(?:\d+ ?(?:rb|ribu|k|jt|juta)|\d{4,})\b|"
    # the customer's goods or job swapped with another customer's: "fotokopian saya tertukar dengan punya orang"
    r"(?:ketuker|ketukar|tertukar|tertuker|kecampur|tercampur|kebawa|terbawa)(?: \w+){0,2}? (?:sama|dengan|with) "
    r"(?:punya |milik |berkas |pesanan )?(?:orang|pelanggan|customer|someone)|mixed up with|"
    # paid or ordered, and still not done: "sudah lunas bayar kilat tapi masih belum jadi"
    r"sudah (?:bayar|dibayar|lunas|transfer|tf|pesan|pesen|order|dp)\w*(?: \w+){0,4}? (?:tapi|tetapi|namun|tp)"
    r"(?: (?:tetap|tetep|masih|kok|juga))* (?:belum|tidak) (?:juga )?(?:jadi|selesai|beres|diproses|dikerjakan|"
    r"dikerjain|dikirim|datang|sampai)|"
    # what was ordered set against what came, in English: "ordered 3 mugs in white, got 2 blue ones instead"
    r"(?:ordered|bought|paid for)\b.{0,60}\b(?:got|received|sent me|came|arrived)\b.{0,60}\binstead\b|"
    # paid or ordered, the job named, and still not worked on: "sudah transfer tadi pagi tapi berkasnya belum
    # dikerjakan"
    r"sudah (?:bayar|dibayar|lunas|transfer|tf|pesan|pesen|order|dp)\w*(?: \w+){0,4}? (?:tapi|tetapi|namun|tp) "
    r"(?:pesanan|orderan|order|barang|paket|kiriman|file|berkas|dokumen|cetakan|printan|fotokopian)\w*"
    r"(?: (?:saya|aku|kami|ku))?(?: (?:tetap|tetep|masih|kok|juga))* (?:belum|tidak) (?:juga )?(?:diproses|"
    r"dikerjakan|dikerjain|digarap|dikirim|datang|sampai|selesai|beres)|"
    # paid or ordered, and still not done, in English: "we paid yesterday and it is still not ready"
    r"\b(?:paid|ordered)\b.{0,80}\b(?:still not|not yet|still isn t|still hasn t been|still has not been) (?:done|"
    r"ready|finished|completed?|processed|printed|shipped|sent)\b|"
    # a person of the shop rude to the customer: "kasir yang kemarin judes banget", "mbak yg jaga galak"
    r"\b(?:jutek|judes|ketus|nyolot|ngegas)\b|\b(?:yang|yg) (?:jaga|melayani|layani)\b(?: \w+){0,3} "
    r"(?:galak|kasar|cuek|sombong|tidak ramah|tidak sopan|sinis|marah)\b|"
    r"\b(?:kasir|pegawai|karyawan|petugas|penjaga|pelayan|admin|cs|staf|staff)(?:nya)?(?: \w+){0,3} "
    r"(?:galak|kasar|cuek|sombong|tidak ramah|tidak sopan|sinis)\b|\b(?:staff?|cashier|employee)\b.{0,30}\b(?:rude|"
    r"impolite)\b|"
    # what came set against what was ordered, the order said after: "paketku isinya yang merah, aku pesannya
    # yang biru"
    r"(?:isinya|isi paket\w*|yang datang|datangnya|dapatnya|yang dikirim|dikirimnya|yang sampai|sampainya)\b"
    r"[^?]{0,60}\b(?:saya|aku|kami) (?:pesan|pesen|order|minta|pilih|beli)nya (?:kan )?(?:yang|yg)\b|"
    # fewer came than were paid or ordered, in English: "bought 3 mugs but only one came", "paid for 4 but only got
    # 2", "ordered two shirts but only one was in the box"
    r"\b(?:ordered|paid for|bought|purchased)\b.{0,50}\bbut only (?:got|received|(?:one|\d+)(?: \w+){0,2} (?:was|were|"
    r"came|arrived|in)\b)|"
    # nothing has come yet, or displeasure said in English: "still nothing has arrived", "very frustrating"
    r"\bstill nothing\b|\bnothing (?:has |have )?(?:arrived|come|came|been (?:delivered|sent|shipped))\b|"
    r"\bfrustrat\w*|\bunacceptable\b|"
    # charged twice or more than quoted: "charged twice for one order", "kepotong 2 kali", "lebih mahal dari yang
    # dibilang", "kok tadi katanya 40 rb jadi 55 rb"
    r"\b(?:charged|billed|debited)(?: me| us)? (?:twice|2 times|two times|double|more than)\b|\bovercharged\b|"
    r"\bdouble (?:charged|charge|billed)\b|\b(?:kepotong|terpotong|dipotong|ketagih|ditagih|kedebet|terdebet)"
    r"(?: \w+){0,2} (?:2 kali|dobel|double)\b|\blebih mahal (?:dari|daripada) (?:yang|harga yang) (?:dibilang|"
    r"disebut|dijanjikan|ditawarkan|dikatakan|dikasih|diinfokan|diinfoin|ditulis|tertera|disepakati|dikonfirmasi)\b|"
    r"\bkok\b.{0,60}\b(?:katanya|tadinya|bilangnya|awalnya) \d+ ?(?:rb|ribu|k)?(?: \w+)? (?:jadi|malah) \d+|"
    # pages of a finished job out of order or swapped (Javanese too): "halamannya ketuker", "halamane kewalik"
    r"\b(?:halaman|lembar|page)\w*\b.{0,30}\b(?:ketuker|tertukar|kewalik|kuwalik|kebolak)\b|\b(?:kewalik|kuwalik)\b|"
    r"\b(?:ketuker|tertukar) urutan|"
    # a print whose colour or ink came out badly: "printannya belang", "hasil cetaknya bergaris putih"
    r"\b(?:print|printan|cetak|cetakan|fotokopi|fotokopian|tinta)\w*(?: \w+){0,3} (?:belang|bergaris|blobor|"
    r"mbleber|meleber|buram|burem|tidak rata|tidak jelas|pecah)(?= (?:kak|min|mas|mbak|banget|sekali|semua|semuanya|"
    r"gitu|begitu|ya|dan|terus|jadi|di|sih|nih|parah|gini|tulisannya|gambarnya|warnanya)\b|$)|\bada garis \w+ (?:di )?(?:tiap|setiap|semua|"
    r"seluruh) halaman|"
    # a set opened and found short: "pas dibuka isinya cuma 3 buku", "paketnya kurang jilid 2"
    r"\b(?:dibuka|di buka|dibuka nya|buka paket\w*|opened)\b(?: \w+){0,2}? (?:ternyata )?(?:cuma|hanya|cuman|cm|"
    r"isinya cuma|isinya hanya) (?:ada |isi )?\d+|\b(?:paket|set|isi|kiriman|pesanan)(?:nya|an)?\b(?: \w+){0,5}? kurang "
    r"(?:jilid|buku|volume|vol|seri|bagian|item|barang|isi)\b|"
    # a complaint announced: "mau ngeluh nih", "saya mengeluhkan pelayanannya"
    r"(?:ngeluh|mengeluh|mengeluhkan|keluhkan|dikeluhkan)|"
    # too big, said colloquially, of what came (not feared before buying: "takut kegedean")
    r"(?<!takut )(?<!khawatir )(?<!kuatir )kegedean|"
    # what came holds one part twice or lacks one: "yang datang jilid 2 nya dobel", "yg sampai ... malah ga ada"
    r"(?:yang|yg) (?:datang|sampai|diterima|dikirim)\b.{0,60}\b(?:dobel|double|ganda|(?:malah|justru) tidak ada)|"
    # a part of what is shown missing, only the rest there: "kok tasnya ga ada, cuma mukenanya aja"
    r"kok(?: \w+){1,3} tidak ada\b.{0,30}\b(?:cuma|hanya|cuman|cm)|"
    # what it turned out set against what was asked: "warnanya jadi hitam padahal mintanya biru"
    r"jadi(?:nya)?(?: \w+){1,3} padahal (?:saya |aku |kami )?(?:kan )?(?:minta|pesan|pesen|order|pilih|request)|"
    # paid for more than came: "saya bayar 3 rangkap tapi isinya cuma ada 2"
    r"(?:bayar|dibayar|membayar|sudah (?:pesan|pesen|order|beli))\w*(?: (?:untuk|buat))? \d+\b.{0,40}\b"
    r"(?:tapi|tetapi|kok|eh|malah)\b.{0,30}\b(?:cuma|hanya|cuman|cm) (?:ada |dapat |dapet |datang |isi )?\d+|"
    # the customer's file or order not there when they came for it: "katanya file saya ga ada", "ternyata
    # pesanan saya hilang"
    r"(?:katanya|ternyata|tapi|kok)(?: \w+){0,3}? (?:file|berkas|dokumen|pesanan|orderan|data|barang|paket|"
    r"cetakan|printan|fotokopian)(?: ?nya)? (?:saya|aku|kami) (?:tidak ada|hilang|tidak ketemu|tidak ditemukan)|"
    # English: a thing that broke or came apart in use ("the binding broke", "the strap snapped"), not "I'm broke"
    r"(?<!i m )(?<!i'm )(?<!im )(?<!i am )(?<!phone )(?<!laptop )(?<!car )(?:broke|snapped|cracked|fell apart|came apart|came off|came loose|falling apart)|"
    # still not done until now, the job named between: "sampai sekarang skripsi saya belum selesai dicetak"
    r"sampai (?:sekarang|saat ini|detik ini|hari ini)(?: \w+){1,4} (?:masih )?belum (?:juga )?(?:jadi|selesai|beres|"
    r"diproses|dicetak|dikerjakan|dikerjain|dikirim|datang|sampai))\b",
    "angry": r"\b(?:kecewa\w*|marah|kesal|kesel|parah|penipu|nipu|tipu|ditipu|bohong|lapor\w*|tidak becus|"
    r"keterlaluan|angry|furious|scam|sialan|brengsek|bodoh)\b|!{3,}|"
    # a threat of a bad review or rating: "saya kasih bintang 1", "review jelek di gmaps", "one star review"
    r"\b(?:kasih|kasi|beri|berikan|give)\w* (?:bintang|rating|star|review|ulasan) (?:1|satu|jelek|buruk)\b|"
    r"\b(?:review|ulasan|rating)(?:nya)? (?:jelek|buruk|negatif|bintang (?:1|satu))\b|\b(?:1|one) star\b|"
    r"\b(?:di)?viral(?:kan|in)\b",
    "conditional": r"\b(?:kalau|jika|apabila|seandainya|misal|misalnya|if|bisakah|apakah bisa|bisa tidak)\b|"
    r"^(?:bisa|boleh|apakah|can|could)\b|\bkebijakan\b|\bsyarat\b|\bpolicy\b|"
    # a defect of goods in general, and whether they can be exchanged: a policy question, not a complaint
    r"^(?:barang|produk|item)(?: yang)? (?:cacat|rusak)(?: \w+){0,2} bisa (?:di)?(?:tukar|tuker|retur|refund|ganti)",
    # "dana" is the e-wallet, but money set aside ("biar saya siapin dananya dulu") is no payment question
    "payment": r"\b(?:bayar|membayar|dibayar|pembayaran|transfer|qris|cod|rekening|virtualaccount|va|ewallet|ovo|gopay|"
    r"(?<!siapin )(?<!siapkan )(?<!nyiapin )(?<!menyiapkan )(?<!kumpulin )(?<!nabung )(?<!ngumpulin )dana|"
    r"shopeepay|linkaja|tunai|cash|lunas|dp|invoice|tagihan|payment|pay|paid|midtrans|kartu kredit|"
    r"debit|bsi|bca|mandiri|bni|bri)\b",
    "order_status": r"\bstatus (?:pesanan|order)\b|\bkapan\b.{0,25}\b(?:pesanan|order|paket)\b.{0,25}"
    r"\b(?:dikirim|sampai|datang|diproses|dikirimkan)\b|\b(?:pesanan|order|paket|barang)(?: saya| ku)?\b.{0,30}"
    r"\b(?:sampai mana|dimana|sudah dikirim|kapan dikirim|kapan sampai|sudah sampai|"
    r"diproses|sudah jadi|bagaimana|status)\b|"
    # a job left earlier asked whether it is done: "printan saya yang tadi pagi sudah jadi belum?", "cetakan
    # undangan kemarin udah beres?"
    r"\b(?:printan|cetakan|fotokopian|jilidan|orderan)\b(?: \w+){0,5} (?:sudah|udah|apa sudah) (?:jadi|selesai|beres|"
    r"bisa diambil)\b|\bresi\b|\blacak\b|\btracking\b|\btrack\b|"
    r"\bwhere is my order\b|\border status\b|\bcek pesanan\b|\bcek order\b",
    "store_info": r"\bjam (?:buka|operasional|kerja|tutup|berapa)\b|\bbuka (?:jam|hari|tidak|sampai|kapan|"
    r"berapa)\b|\b(?:toko|tokonya)\b.{0,20}\bbuka\b|\btutup\b|\balamat\b|\blokasi\b|\bletak\b|"
    r"\bmaps?\b|\bdimana\b|\bdi mana\b|\b(?:daerah|sebelah|kawasan|bagian|kota) mana\b|\b(?:di)?retur\b|\btukar\b|\bgaransi\b|\b(?:di)?refund\b|"
    r"\bformat file\b|\bfile apa\b|\bukuran file\b|\bfile\b.{0,40}\bformat(?:nya)? apa\b|"
    # a file size limit asked ("maksimal berapa MB?", "max file size"): a policy of the shop, not a price
    r"\b(?:maksimal|maks|max|batas|limit)\b.{0,20}\b(?:mb|gb|kb|megabytes?)\b|\bberapa (?:mb|gb)\b|"
    r"\bpoin\b|\bpoints?\b|\bloyalitas\b|\bloyalty\b|\bmember\b|\bprivasi\b|"
    r"\bparkir\b|\bcabang\b|\bkontak\b|\bnomor telepon\b|\bopening hours\b|\bopen\b|"
    r"\baddress\b|\blocation\b|\blocated\b|\bhours\b|\bpreorder\b|\bdata saya\b|"
    r"\bhari libur\b|\blibur\b|\bkebijakan\b|\bpolicy\b|\bketentuan\b|\baturan\b|\bsyarat\b|"
    r"\b(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|weekend|sunday|saturday)(?: \w+){0,2} (?:buka|tutup|open)\b|"
    # whether someone serves on a day: "hari sabtu ada yang jaga?", "minggu ada orang yang melayani?"
    r"\b(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|weekend)(?: \w+){0,1} ada (?:(?:yang|orang|admin|staf|petugas)"
    r"(?: yang)? )?(?:jaga|berjaga|melayani|piket)\b|"
    r"\b(?:di )?jalan apa\b|\b(?:jl|jln|jalan) [a-z]+(?: [a-z]+)? (?:km|kamu|nomor|no) berapa\b|"
    r"\b(?:buka|tutup|open) (?:hari )?(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|weekend)\b|"
    r"\b(?:kurir|ekspedisi|jasa kirim|courier)(?:nya)? apa\b|\b(?:which|what) couriers?\b|\b(?:lewat|via|melalui) apa\b|\bkirim file\w*\b|\bwhere\b.{0,20}\b(?:store|shop|toko)\b|\bclose\b|\bclosing\b|"
    # the town the shop is in ("tokonya di kota apa?"), and a day's work or pick-up asked
    r"\bdi (?:kota|daerah|kabupaten|kecamatan|wilayah) apa\b|"
    # where the shop is, asked of "it" or "you" in English: "can I pick it up there? where is it?"
    r"\bwhere (?:is it|are you(?: located)?)\b|" + DAY_SERVICE + "|" + OPEN_AT_HOUR,
    "duration": r"\bberapa lama\b|\bkapan (?:selesai|jadi|beres)\b|\bhow long\b|\bestimasi\b|"
    r"\blama (?:pengerjaan|proses|cetak|print)\b|\bberapa hari\b|\bjadi kapan\b",
    # sending to a channel ("file sudah saya kirim ke email", "dikirim ke WA") is no shipment
    "shipping": r"\bongkir\b|\bkurir\b|\bjne\b|\bj&t\b|\bjnt\b|\bsicepat\b|"
    r"\b(?:di)?kirim (?:ke|sampai)\b(?! (?:email|e-mail|gmail|wa|whatsapp|sini|dm|inbox|drive)\b)|"
    r"\bpengiriman ke\b|\bsend to\b|\bship\w*(?: \w+){0,4} to\b|\bgratis ongkir\b|\bekspedisi\b|"
    # "how much to ship / send / deliver ...": the cost of shipping asked in English
    r"\bhowmuch (?:\w+ ){0,2}(?:ship|send|deliver|post)\w*\b|"
    # the place named first, then whether goods can be sent there: "ke makassar bisa kirim?"
    r"\bke [a-z]+(?: [a-z]+)? (?:bisa|bisakah|apa bisa|boleh) (?:di)?kirim\b",
    "print_verb": r"\b(?:print|cetak|fotokopi|jilid|dijilid|scan|laminating|laminasi|prints?)\b",
    "stock": r"\bstok\b|\bready\b|\btersedia\b|\bavailable\b|\binstock\b|\bmasih ada\b|\bsisa\b|"
    r"\btinggal berapa\b|\bhabis\b|\bkosong\b|\brestock\b|\bada (?:tidak|ga)\b|\bstill have\b|"
    # back in stock asked ("kemeja itu sudah ada lagi belum?", "ada lagi ga?"), not whether anything else is offered
    r"\bada lagi (?:tidak|belum)\b(?! (?:yang|yg|selain|lain|warna|motif|model|pilihan|promo|diskon))|"
    # a size asked whether there, closing the message: "yg XL ada?", "ukuran 42 nya ada kak?"
    r"\b(?:yang|yg|ukuran|size) (?:ukuran |size )?(?:xs|s|m|l|xl|xxl|xxxl|\d{2})(?: ?nya)? ada"
    r"(?: (?:tidak|kah|ya|kak|min|gan|sis|nggak))*$|"
    r"\bcukup (?:buat|untuk|\d)|\bada \d+\b|\b(?:do you )?have \d+\b|\bin stock\b|"
    r"\bhave (?:that|so) many\b|\bada (?:sebanyak itu|segitu)\b|"
    # "ada tafsir juz amma 20 biji gk?": asking whether N of a product are there
    r"^(?:\w+ ){0,2}?ada(?: (?!beli|pesan|order|kalau|jika|diskon|promo|potongan)\w+){1,5} \d+ "
    r"(?:pcs|buah|biji|eksemplar|lembar|pack|box|set|paket|unit|potong|helai|pasang|lusin|kodi|botol)"
    r"(?: (?:tidak|kah|ya|sih|kak|min|gan|lagi|belum))*$|"
    # a count, then a closing "ada?": "mau ambil 20 buat kajian, ada?" asks whether that many are there
    r"(?:\b(?:mau|ambil|butuh|perlu|ingin|pesan|beli|order) \d+|\b\d+ (?:pcs|buah|biji|eksemplar|lembar|pack|box|"
    r"set|paket|unit|potong|helai|pasang|lusin|kodi|botol))\b.{0,60}\b(?<!sudah )(?<!telah )ada"
    r"(?: (?:tidak|kah|ya|sih|kak|min|gan|belum|nih))*$|"
    # whether it is there asked first, then the count needed: "sarung tenun ada kak? butuh 3", "ada min? perlu 10 pcs"
    r"\bada(?: (?:kak|min|gan|sis|mbak|mas|tidak|kah|ya|nggak|ga|gak|ngga|sih|stoknya))+ (?:butuh|perlu|need|"
    r"dibutuhkan)(?: \w+)? \d+\b(?: (?:pcs|buah|biji|eksemplar|lembar|pack|box|set|paket|unit|potong|helai|pasang|"
    r"lusin|kodi|botol))?(?: (?:untuk|saja|ya|kak|min|sih|dong)\b.*)?$|"
    # a count wished for, then whether it can be had: "mau 12 bisa kak? buat arisan" asks whether that many are there
    r"\b(?:mau|ambil|butuh|perlu|ingin) \d+(?: (?:pcs|buah|biji|eksemplar|pack|set|unit|lembar))? (?:bisa|ada|cukup)"
    r"(?: (?:tidak|kah|ya|kak|min|gan|sis|mbak|mas))*(?= untuk\b| buat\b|$)",
    # "ambil sendiri ke toko": picking up, not taking (ordering); so is collecting a finished job ("mau ambil
    # cetakan", "ambil printannya")
    "order": r"\b(?:pesan|memesan|pesankan|order|beli|membeli|belikan|checkout|buy|purchase|borong)\b|"
    r"\bambil\b(?! (?:sendiri|langsung|ke toko|di toko|(?:cetakan|printan|fotokopian|jilidan|hasil)\w*\b))|\bi'?ll take\b|\bmau yang\b|"
    r"\b(?:mau|ingin|butuh) (?:cetak|print|bikin|buat)\b|\b(?:butuh|perlu|need|mau|ingin|minta|want) \d+\b|"
    # "bungkus X 2 ya", "bungkusin yang hitam": taking goods said as having them packed up (not a gift wrap asked)
    r"^(?:\w+ )?(?:bungkus|bungkusin|bungkuskan|dibungkus)\b(?! (?:kado|plastik|kertas|kardus|rapi|aman|bubble|"
    r"tambahan|ulang|lagi|pakai|pake|dengan|dobel|double|terpisah|sendiri|bisa|tidak|apa|gimana|bagaimana))|"
    # "mau <product> nya 2 ya": a wish opening the message and a count closing it is an order
    r"^(?:\w+ )?(?:mau|ingin|minta)\b(?! (?:tanya|nanya|tau|tahu|cek|lihat|liat|info))(?: [a-z]\w*){1,8} \d{1,3}"
    r"(?: (?:ya|kak|min|dong|aja|saja|sis|gan|deh))*$",
    # an explicit order verb (not "ambil", which is also picking up, nor "mau yang")
    "order_verb": r"\b(?:pesan|memesan|pesankan|order|beli|membeli|belikan|checkout|buy|purchase|borong)\b",
    # what the shop sells asked as a whole: "jualan apa aja?", "menyediakan apa saja", "what do you sell?", or
    # whether it sells more than one kind: "jual kain aja atau ada baju juga?"
    "catalogue": r"\b(?:jual|jualan|menjual|sedia|nyedia|menyediakan)(?:nya)? apa(?: saja)?(?: (?:sih|ya|kak|min))*$|"
    r"\b(?:jual|jualan|menjual|sedia|nyedia|menyediakan)(?:nya)? apa saja\b|"
    r"\bwhat (?:do|does) (?:you|the (?:shop|store)) (?:sell|offer)\b|\bwhat (?:products|items) do you (?:have|sell)\b|"
    r"\b(?:jual|jualan|menjual)\b(?: \w+){1,4} saja atau (?:ada|jual|juga)\b",
    # how to order asked ("cara ordernya gimana?", "gimana cara pesannya?", "how do I order?"): the shop's way of
    # taking orders, not an order's status nor an order
    "how_to_order": r"\bcara(?:nya)? (?:order|pesan|memesan|pemesanan|beli|membeli|belanja|checkout)(?:nya)?\b|"
    r"\b(?:bagaimana|gimana) (?:kalau |kalo )?(?:mau )?(?:order|pesan|memesan|beli|membeli|belanja)(?:nya)?"
    r"(?: (?:di sini|disini|di toko ini|kak|min|ya))*$|\bhow (?:do|can) (?:i|we) (?:order|buy|purchase)\b|"
    r"\bhow to (?:order|buy|purchase)\b",
    # whether the shop is real, not a fraud ("ini toko beneran kan?", "bukan penipuan?", "amanah kan?"): asked
    # of the shop itself, answered from its profile
    "trust": r"\b(?:toko|tokonya|olshop|online shop)(?: \w+){0,2} (?:beneran|asli|resmi|terpercaya|amanah|"
    r"real|legit)\b(?! (?:tidak|nya|kulit|sutra|kayu))|\bbukan (?:penipu|penipuan|tipu tipu|scam|abal abal|fake|"
    r"toko (?:palsu|bodong|fiktif))\b|\b(?:aman|amanah|terpercaya|legit) (?:kan|tidak|ya kan)\b.{0,20}"
    r"(?:toko|belanja|transfer|order)|\bis (?:this|it) (?:shop |store )?(?:a )?(?:real|legit|legitimate)\b|"
    r"\bnot a scam\b",
    # advice asked about the customer's own life, or a place or person outside the shop recommended ("ada tips
    # ga?", "rekomendasi pondok tahfidz", "saran dokter anak"): nothing a shop sells
    "advice": r"\b(?:tips?|trik|kiat|nasihat|nasehat|advice|curhat)\b|" + OUTSIDE_RECOMMEND,
    # the date of a holiday or the schedule of a school's or campus's event asked ("idul adha jatuh hari apa?",
    # "jadwal ujian masuk ugm kapan?"): the calendar of the world, not of the shop
    "outside_date": r"\b(?:lebaran|idul fitri|idulfitri|idul adha|iduladha|ramadhan|ramadan|puasa|natal|imlek|nyepi|"
    r"waisak|tahun baru|syawal|muharram|maulid)\b(?: \w+){0,3} jatuh\w*\b|\bjadwal (?:\w+ ){0,2}?(?:daftar ulang|"
    r"pendaftaran|registrasi|ujian masuk|tes masuk|wisuda|ppdb|snbt|utbk|snbp|spmb|ospek|pkkmb)\b",
    "cheapest": r"\b(?:termurah|paling murah|cheapest|murah)\b",
    "price": r"\b(?:harga|harganya|berapa(?! rakaat\b)|howmuch|price|biaya|cost|tarif|rate|cost)\b|"
    # how it is priced: "itu hitungannya gimana?", "ngitungnya bagaimana"
    r"\b(?:hitungan|hitungannya|itungannya|itungan|ngitungnya|dihitungnya)\b.{0,15}\bbagaimana\b|"
    r"\btotal(?:nya)?(?: (?:berapa|jadi berapa))?$|"
    # whether a product is marked down asks its price: "is the X book on sale?", "lagi diskon gk?"
    r"\b(?:on (?:sale|promo)|discounted|(?:lagi|sedang) (?:diskon|promo)|ada diskon(?:nya)?)\b|"
    # a price stated and asked to be confirmed: "sarung itu sekarang 80rb ya kak?" (not a budget or a payment)
    r"(?<!budget )(?<!budget saya )(?<!dana )(?<!bayar )(?<!transfer )(?<!dp )(?<!maksimal )(?<!dibawah )"
    r"(?<!di bawah )(?<!under )(?<!sekitar )(?<!kisaran )\b\d+ ?(?:rb|ribu|k)\b (?:ya|kan|bukan|betul|benar)"
    r"(?: (?:kak|min|sis|gan|mbak|mas))*$",
    "product_q": r"\b(?:ada|jual|jualan|sedia|menyediakan|nyari|cari|mencari|rekomendasi\w*|saran|recommend\w*|"
    r"promo|katalog|koleksi|produk|sell|have|punya|list|daftar|pilihan|varian|model|jenis)\b|"
    # whether the shop does a service or makes a thing: "bisa sablon kaos gk?", "terima bordir nama tidak?"
    r"^(?:bisa|apakah bisa|terima|menerima|melayani) (?:jasa |bikin |buat )?(?!(?:kirim|dikirim|bayar|cod|"
    r"transfer|ambil|diambil|pesan|order|dp|nego|tukar|retur|refund|batal|cancel|preorder|cicil|kredit|ganti|"
    r"dicicil|ditukar|diganti|dikirimi|antar|diantar|minta|tanya|pakai|via|lewat)\b)[a-z]+(?: [a-z]+){1,6} tidak\b",
    "confirm": r"^(?:ya|ok|jadi|lanjut|betul|benar|setuju|boleh|gas|yes|confirm|deal|fix|sip|mantap|yoi|"
    r"oke|baik|siap)\b(?:\s+\w+){0,5}$",
    "cancel": r"\b(?:batal|batalkan|cancel|tidak jadi|dibatalkan|nanti saja|tidak usah)\b",
    "followup": r"^(?:kalau|yang|terus|trus|lalu|itu|klo|kl|lah|and|what about|how about)\b|nya\b",
    "recommend": r"\b(?:rekomendasi\w*|saran|recommend\w*|cocok|bagus|terlaris|best ?seller|favorit|populer)\b",
    "promo": r"\b(?:promo|diskon|potongan|sale)\b",
    "express": r"\b(?:express|ekspres|ekspress|expres|kilat|cepat|urgent|buru)\b",
}
# wider wordings of a grievance: what came set against what was ordered ("isinya X, saya pesannya Y", "the one I
# received is S but I ordered M"), a part short of what was due ("arrived with only one ..., should be two"), pages
# left out of a job, a wait counted after paying, billed for more than ordered, accountability demanded ("gimana
# tanggung jawabnya"), a promised time missed (English)
_COMPLAINT_WIDER = (
    r"\b(?:isinya|isi paketnya|yang datang|yang sampai|yang dikirim|yang diterima|datangnya)\b.{0,50}\b"
    r"(?:saya|aku|kami|padahal) (?:pesan|pesen|order|minta|beli|pilih)nya\b|"
    r"\b\w+nya(?: \w+){1,4} padahal (?:saya|aku|kami) (?:minta|pesan|pesen|order|pilih|request)nya\b"
    r"(?! (?:kemarin|tadi|minggu|sudah|dari|sejak|lama|kapan))|"
    r"\bkok bisa (?:salah|keliru|beda|tertukar|ketuker)\b|"
    r"\b(?:received|got|arrived|came|delivered|sent)\b.{0,40}\bbut (?:i|we) (?:ordered|asked for|paid for|chose|picked)\b"
    r"(?! (?:another|more|again|also|too|a second|one more|some more))|"
    r"\b(?:arrived|came|received|got|delivered|sent)\b.{0,30}\bonly (?:one|a single|\d+)\b.{0,40}\b"
    r"(?:should|supposed to|meant to)\b|"
    r"\b(?:promised|was told|were told|said it would be)\b.{0,80}\b(?:still )?(?:not|n ?t) (?:done|ready|finished|"
    r"arrived|here)\b|"
    r"\b(?:kelewat|terlewat|kelewatan|kelupaan|ketinggalan) (?:tidak |belum )?(?:di)?(?:cetak|print|fotokopi|jilid)\w*|"
    r"\bhalaman \d+ (?:sampai|hingga|-) \d+(?: ?nya)? (?:tidak ada|hilang|kosong|tidak tercetak)\b|"
    r"\b(?:nunggu|menunggu|tunggu|ditunggu)\w* \d+ (?:jam|hari|minggu|menit)\b.{0,20}\bbelum (?:juga )?(?:jadi|selesai|"
    r"beres|datang|sampai|dikirim|diproses)\b|"
    r"\b(?:pesan|pesen|order|beli|minta)\w* \d+\b.{0,30}\b(?:tapi|tetapi|kok|malah|eh) (?:di)?tagih\w* \d+|"
    r"\b(?:bagaimana|gimana|mana) tanggung ?(?:jawab|jwb)\w*"
)
# a person asked for in other words: one to talk with ("a staff member I can talk to"), a human agent put through,
# the bot said not to understand ("botnya ga ngerti"), a price to be haggled with the owner
_HANDOFF_WIDER = (
    r"\b(?:staff|staf|person|someone|somebody|manusia|human|admin)(?: member)?\b(?: \w+){0,3} (?:i|we) (?:can|could) "
    r"(?:talk|speak|chat)\b|"
    r"\b(?:manusia|live|real) agent\b|"
    r"\b(?:connect|transfer|put|pass|forward)(?: me| us)?(?: through)? to (?:a |an )?(?:manusia|person|live agent|"
    r"real person|agent)\b|"
    r"\b(?:bot|robot|mesin)(?: ?nya)? (?:tidak|kurang|belum|nggak) (?:ngerti|mengerti|paham|nyambung|bisa jawab)\b|"
    r"\b(?:nego|negosiasi|tawar|nawar)\w* (?:sama|dengan|ke|kepada|with) (?:the )?(?:pemilik|owner|admin|manajer|"
    r"manager|penjual|bos|boss)\w*"
)
SIGNALS["complaint"] += "|" + _COMPLAINT_WIDER
# a delivery asked when it comes in other words ("kapan kiriman saya sampai?"), and a job left earlier asked whether
# done with "printan" split ("print an saya yang tadi pagi sudah jadi belum?")
SIGNALS["order_status"] += (
    r"|\bkapan\b.{0,25}\b(?:kiriman|kirimannya|paketnya|pesenan)\b.{0,25}\b(?:dikirim|sampai|datang)\b|"
    r"\bprint an\b(?: \w+){0,5} (?:sudah|apa sudah) (?:jadi|selesai|beres|bisa diambil)\b"
)
SIGNALS["handoff"] += "|" + _HANDOFF_WIDER
# a greeting after an address word ("kak, permisi"), thanks as goods received with praise ("udh sy terima, mantap")
SIGNALS["greeting"] += (
    r"|^(?:kak|min|mbak|mba|mas|gan|sis|pak|bu|bang) (?:permisi|punten|halo|hai|hi|assalamualaikum)"
    r"(?: (?:kak|min|ya|dulu|mau tanya))*$"
)
SIGNALS["thanks"] += (
    r"|\b(?:sudah|udah) (?:saya |aku |kami )?(?:terima|diterima|sampai)\b(?: \w+){0,2} (?:mantap|mantul|bagus|keren|"
    r"rapi|puas|cakep)\b"
)
# a street asked in shorthand ("di jl apa"), and a pick-up past an hour ("jam 5 sore lewat dikit masih bisa ambil?")
SIGNALS["store_info"] += (
    r"|\b(?:di )?(?:jl|jln) apa\b|\b(?:jam|pukul) \d{1,2}(?:[.:]\d{2})?(?: (?:pagi|siang|sore|malam))?"
    r"(?: (?:lewat|lebih|kurang|an))?(?: (?:dikit|sedikit|sikit|lah|an))?(?: (?:masih|apa|sudah))? (?:bisa|boleh) "
    r"(?:di)?(?:ambil|datang|mampir|ke toko)\b"
)
# prayer times at a mosque or a square: the calendar of the world, not the shop's hours ("jam berapa" there asks
# the prayer's hour, not the shop's)
PRAYER_TIME_ASKED = (
    r"\bjadwal (?:sholat|shalat|salat|solat|imsak\w*|adzan|azan|buka puasa)\b|"
    r"\b(?:sholat|shalat|salat|solat) (?:jumat|ied|id|idul \w+|tarawih|subuh|dzuhur|zuhur|ashar|maghrib|isya)\b"
    r"(?: \w+){0,8} (?:jam berapa|mulai jam)\b"
)
PRAYER_TIME_ASKED_RE = re.compile(PRAYER_TIME_ASKED)
SIGNALS["outside_date"] += "|" + PRAYER_TIME_ASKED


def _top_level_branches(pattern: str) -> list[str]:
    """The alternatives of `pattern`'s outermost `|` (escapes, character classes and groups kept whole)."""
    branches: list[str] = []
    cur: list[str] = []
    depth, escaped, in_class = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    branches.append("".join(cur))
    return branches


def word_start_factored(pattern: str) -> str:
    """`pattern` with the word boundary its alternatives start with taken out in front of them all: `\\bA|\\bB|C`
    becomes `\\b(?:A|B)|C`. It matches the same texts (only which alternative matches may differ, and the signals
    are only tested for a match), but the engine tries the alternatives only where a word starts instead of at every
    character: the signals grew to some sixty alternatives each, and this halves their time per message."""
    branches = _top_level_branches(pattern)
    at_word = [b[2:] for b in branches if b.startswith("\\b")]
    others = [b for b in branches if not b.startswith("\\b")]
    if len(at_word) < 2:
        return pattern
    return "|".join([rf"\b(?:{'|'.join(at_word)})", *others])


_COMPILED = {k: re.compile(word_start_factored(v)) for k, v in SIGNALS.items()}

# Where the customer found or saw the shop, told as context ("dapet nomor ini dari google maps", "liat di reels",
# "baru tau dari tiktok", "liat batiknya di IG"): how they came, not a question about the shop's location
FOUND_VIA_RE = re.compile(
    r"\b(?:liat|lihat|melihat|ngeliat|nemu|menemukan|ketemu|tau|tahu|dapat|dapet|nonton|follow|kenal)\b"
    r"(?: \w+){0,3}? (?:dari|di|lewat|via|from|on)(?: (?:akun|postingan|post|iklan|video|konten|story|status))? "
    r"(?:google maps|gmaps|google|maps|ig|instagram|insta|tiktok|reels?|fb|facebook|youtube|yt|twitter)\b"
)
# Words that only tell where the customer saw the shop: no product words
FOUND_VIA_WORDS = frozenset(
    {
        "liat",
        "lihat",
        "ngeliat",
        "nemu",
        "nonton",
        "ig",
        "instagram",
        "insta",
        "tiktok",
        "reels",
        "reel",
        "fb",
        "facebook",
        "youtube",
        "yt",
        "gmaps",
        "google",
        "maps",
        "postingan",
        "konten",
        "story",
    }
)

# Signals that a product's own name can spell ("Kain Batik Tulis Parang Rusak", "Kopi Kecewa"): they count
# only when they still match once the product's name words are taken out of the message.
NAME_SENSITIVE_SIGNALS = ("complaint", "angry")


def drop_signals_in_name(a: Analysis, name_words: list[str]) -> None:
    """Remove the name-sensitive signals that only the product's name triggered. Each name word is taken
    out once, so "parang rusak yang datang rusak" still complains."""
    present = [n for n in NAME_SENSITIVE_SIGNALS if n in a.signals]
    if not present or not name_words:
        return
    words = list(a.words)
    for w in name_words:
        if w in words:
            words.remove(w)
    rest = " ".join(words)
    bare = re.sub(r"\b([a-z]{3,}?)(?:nya|lah|kah)\b", r"\1", rest)
    for n in present:
        if n == "complaint" and own_goods_complaint(rest):
            continue
        if not (_COMPILED[n].search(rest) or _COMPILED[n].search(bare)):
            a.signals.discard(n)


def analyze(
    text: str, *, default_language: str = "id", known_cities: dict[str, str] | None = None
) -> Analysis:
    raw = (text or "")[:2000]  # a 10k-character paste is answered on its first part
    order_number = None
    m = ORDER_NUMBER_RE.search(raw)
    if m:
        digits = re.sub(r"[^0-9]", "", m.group(0))
        prefix = m.group(0)[:3].upper()
        order_number = f"{prefix}-{digits[:8]}-{digits[8:]}"
        raw_wo = raw[: m.start()] + " " + raw[m.end() :]
    else:
        raw_wo = raw
    # SKUs ("RQ-PECI-001") are looked up from the raw text; their digits are not quantities.
    raw_wo = re.sub(r"\b[A-Za-z]{2,}(?:-[A-Za-z0-9]+)*-\d+\b", " ", raw_wo)
    norm = normalize(raw_wo)
    words = norm.split()
    a = Analysis(
        raw=raw,
        norm=norm,
        words=words,
        language=detect_language(raw, default_language),
        order_number=order_number,
    )
    # Signals also match words with a particle or possessive ("pembayarannya", "tokonya", "adakah").
    bare = re.sub(r"\b([a-z]{3,}?)(?:nya|lah|kah)\b", r"\1", norm)
    # "tahan sobek", "anti luntur", "tidak mudah rusak": a product's property, not damage that happened
    props = _PROPERTY_RE.sub(" ", norm)
    # "dapet nomor ini dari google maps", "liat di reels": where the customer found the shop, no question about it
    found = FOUND_VIA_RE.sub(" ", norm)
    for name, rx in _COMPILED.items():
        text, text_bare = (props, _PROPERTY_RE.sub(" ", bare)) if name == "complaint" else (norm, bare)
        if name == "store_info" and found != norm:
            text, text_bare = found, FOUND_VIA_RE.sub(" ", bare)
        if rx.search(text) or (text_bare != text and rx.search(text_bare)):
            a.signals.add(name)
    if "complaint" in a.signals and _VARIANT_WISH_RE.search(norm) and not _OWN_PAST_RE.search(norm):
        # "mau pesan yang beda warna", "boleh beda motif?": another variant wished for, no difference complained of
        rest = _VARIANT_WISH_RE.sub(" ", props)
        if not _COMPILED["complaint"].search(rest):
            a.signals.discard("complaint")
    if "complaint" not in a.signals and own_goods_complaint(norm):
        a.signals.add("complaint")
    if "handoff" not in a.signals and (_ROLE_CONTACT_RE.search(norm) or _ROLE_CONTACT_RE.search(bare)):
        a.signals.add("handoff")
    if "handoff" in a.signals and _ON_DUTY_AT_TIME_RE.search(norm) and not _TALK_VERB_RE.search(norm):
        # "hari sabtu ada yang jaga toko?": whether the shop is staffed on a day, its opening asked, no person
        a.signals.discard("handoff")
    if "complaint" in a.signals and _RETURN_RULES_Q_RE.search(norm) and not _OWN_GOODS_RE.search(norm):
        # "berapa hari maksimal tukar barang cacat?", "retur barang rusak syaratnya apa": the shop's return
        # rules asked about, with a defect named in general: a policy question, as a conditional one is
        a.signals.add("conditional")
    budget = _budget(norm)
    if budget:
        # products asked for under a price: a request for products, the price no question
        a.budget, a.budget_words = budget
        if not _COMPILED["price"].search(_BUDGET_RE.sub(" ", norm)):
            a.signals.discard("price")
        a.signals.add("product_q")
    if "stock" not in a.signals and any(
        _COUNT_THEN_THERE_RE.search(normalize(c)) or _SIZE_THERE_RE.search(normalize(c))
        for c in _QUESTION_CLAUSE_RE.split(raw_wo)
        if c.strip()
    ):
        # "X kalau mau 12 ada kak? buat hadiah": a count asked whether there, closing its question (the
        # message may run on with what it is for); so is a size ("X size XL ada? mau 3")
        a.signals.add("stock")
    if "stock" in a.signals and _VARIANTS_ASKED_RE.search(norm) and not _STOCK_WORD_RE.search(norm):
        # "tersedia ukuran berapa aja?", "what sizes are available?": which variants the product comes in, a
        # question about the product (its sizes), not whether it is in stock
        a.signals.discard("stock")
        a.signals.add("product_q")
    if _HOURS_ASKED_RE.search(norm) and not _COMPILED["price"].search(_HOURS_ASKED_RE.sub(" ", norm)):
        # "express jadinya berapa jam?": how many hours a job takes, its only "berapa" ("jam berapa" asks a time
        # of day; "spiral brp, jadi brp jam" asks the price too)
        a.signals.discard("price")
        a.signals.add("duration")
    if "how_to_order" in a.signals and not a.has("order_number", "complaint"):
        # "cara ordernya gimana kak? bisa lewat chat?": the shop's way of ordering, a question about the shop
        a.signals -= {"order_status", "order", "order_verb"}
        a.signals.add("store_info")
    if (
        a.has("complaint")
        and "order_status" in a.signals
        and not order_number
        and _SUPPOSED_RE.search(norm)
        and not _HAPPENED_RE.search(norm)
    ):
        # "kalau barang datang cacat gimana, wajib video unboxing?": a defect supposed, the shop's rules for it
        # asked: a policy question, not the status of an order
        a.signals.discard("order_status")
        a.signals |= {"conditional", "store_info"}
    if "trust" in a.signals and not a.has("complaint", "order_number"):
        a.signals.add("store_info")
    if "thanks" in a.signals and "?" not in raw and not a.has("complaint", "order_number"):
        if "order_status" in a.signals and _ARRIVED_RE.search(norm) and not _STILL_ASKED_RE.search(norm):
            # "paketnya udah nyampe, makasih": the parcel's arrival reported with thanks, nothing asked
            a.signals.discard("order_status")
        if "order" in a.signals and _LATER_ORDER_RE.search(norm) and not any(w.isdigit() for w in words):
            # "makasih infonya, nanti aku checkout": a purchase put off until later, said with thanks: a
            # closing thanks, not an order now
            a.signals -= {"order", "order_verb"}
    least = _LEAST_ORDER_RE.search(norm)
    if (
        least
        and "order_verb" in a.signals
        and not _COMPILED["order_verb"].search(_LEAST_ORDER_RE.sub(" ", norm))
    ):
        # "minimum pesan berapa?": the order verb names the term asked (the least that can be ordered), no order
        a.signals -= {"order", "order_verb"}
        a.signals.add("product_q")
    if (
        "recommend" in a.signals
        and "?" not in raw
        and _PRAISE_RE.search(norm)
        and not _COMPILED["recommend"].search(_PRAISE_RE.sub(" ", norm))
    ):
        # "liat batiknya di IG bagus banget 😍": praise of what they saw, no request for suggestions
        a.signals.discard("recommend")
    if "price" in a.signals and MEASURE_ASKED_RE.search(norm):
        rest = MEASURE_ASKED_RE.sub(" ", norm)
        if not _COMPILED["price"].search(rest):
            a.signals.discard("price")
            a.signals.add("product_q")
    if order_number:
        a.signals.add("order_number")
    if not norm.strip():
        a.signals.add("empty")
    cities = dict(CITY_ALIASES)
    if known_cities:
        cities.update(known_cities)
    for i, w in enumerate(words):
        c = cities.get(w) or (cities.get(f"{w} {words[i + 1]}") if i + 1 < len(words) else None)
        if c:
            a.city = c
            # a city after "ke"/"to" is the destination; keep looking for one otherwise
            if i > 0 and words[i - 1] in ("ke", "to", "kota", "daerah", "wilayah"):
                break
    age = re.search(r"\b(?:umur|usia|age|aged)\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:tahun|th|thn|years?)\b", norm)
    if age:
        a.age = int(age.group(1) or age.group(2))
    for i, w in enumerate(words):
        if w.isdigit() and len(w) <= 6:
            a.numbers.append((i, int(w)))
        elif w == "one" and _english_one_counts(words, i):
            a.numbers.append((i, 1))  # "shipping for one Tafsir Juz Amma": a count, as "1" would be
    a.clause_ends = _clause_ends(raw_wo, len(words))
    if _AMOUNT_CONFIRMED_RE.search(norm):
        a.signals.add("price")  # "X msh 165rb kak?": the price it had, asked whether it still holds
    a.print_spec = _print_spec(a)
    if (
        "paper_size" in a.print_spec
        # "kertas F4 bisa diprint?": the paper, or the print verb with its passive prefix, names printing too
        and ("print_verb" in a.signals or PAPER_PRINTED_RE.search(norm))
        and "price" not in a.signals
        and not {"pages", "copies"} & set(a.print_spec)
        and PRINTABLE_ASKED_RE.search(norm)
    ):
        # "bisa print ukuran A3 ga?": whether the shop prints on a paper size, a question about what it offers
        # (with no page count or copies, which make it a job)
        a.signals.add("paper_size_asked")
    elif PAPER_SIZES_LISTED_RE.search(norm) and not {"pages", "copies"} & set(a.print_spec):
        # "ukuran kertas yg bisa apa aja?": which paper sizes the shop prints on
        a.signals.add("paper_size_asked")
    if BINDINGS_ASKED_RE.search(norm) and not COVER_COLOURS_ASKED_RE.search(norm):
        # "jilid apa aja yg ada?": which bindings the shop offers
        a.signals.add("bindings_asked")
    if COVER_COLOURS_ASKED_RE.search(norm) or COVER_COLOUR_CHOICE_RE.search(norm):
        # "warna" asks the cover's colours, not colour printing
        a.signals.add("cover_colours_asked")
        a.print_spec.pop("color", None)
    elif (
        a.print_spec.get("cover_colour")
        and COVER_COLOUR_POSSIBLE_RE.search(norm)
        and "order_verb" not in a.signals
        and not {"pages", "copies"} & set(a.print_spec)
        and not _PRINTING_NAMED_RE.search(norm)
    ):
        # "hard cover bisa warna kuning ga?": whether the cover comes in a colour, asked with no print job
        a.signals.add("cover_colour_possible_asked")
    a.weight_g = stated_weight(raw)
    return a


# an amount of money asked whether it still holds ("masih 165rb?", "tetap Rp95.000 kan?", "still 50k?")
_AMOUNT_CONFIRMED_RE = re.compile(
    r"\b(?:masih|tetap|still) (?:rp ?)?(?:\d{1,3} ?(?:rb|ribu|rbu|k)|\d{4,7})\b"
    r"(?: (?:ya|kak|kah|kan|min|sis|gan|tidak|bukan|aja|saja))*$"
)


# English "one" stays a word ("this one", "which one"); after a verb of buying or a "for", before a word that is
# not a measure of time or a partitive, it counts ("for one Madinah A4 Quran", "buy one mukena")
_ONE_COUNT_CUES = {"for", "buy", "order", "want", "need", "take", "get", "ordering", "buying", "just", "only"}
_NOT_AFTER_ONE = {
    "of",
    "more",
    "another",
    "day",
    "week",
    "month",
    "year",
    "hour",
    "night",
    "time",
    "side",
    "sided",
    "page",
    "by",
    "or",
    "and",
    "is",
    "that",
    "which",
    "left",
    "in",
    "with",
    "too",
}


def _english_one_counts(words: list[str], i: int) -> bool:
    return (
        i > 0
        and words[i - 1] in _ONE_COUNT_CUES
        and i + 1 < len(words)
        and words[i + 1].isalpha()
        and words[i + 1] not in _NOT_AFTER_ONE
    )


_RETURN_WORDS = r"(?:di)?(?:tukar|tuker|retur|refund|garansi|klaim|kembalikan)\w*"
_RULE_ASKED = (
    r"(?:berapa hari|berapa lama|maksimal|maks|max|batas(?: waktu)?|paling lambat|jangka waktu|syarat\w*|"
    r"ketentuan\w*|prosedur\w*|cara\w*|aturan\w*|kebijakan\w*)"
)
# A question about the rules of returning or exchanging goods: how long, on what terms, how, or whether at all
# ("bisa tukar tidak", "boleh retur kah").
_RETURN_RULES_Q_RE = re.compile(
    rf"\b{_RULE_ASKED}\b.{{0,50}}\b{_RETURN_WORDS}|\b{_RETURN_WORDS}\b.{{0,50}}\b(?:{_RULE_ASKED}|bagaimana)\b|"
    rf"\b(?:bisa|boleh|dapat)(?: \w+)? {_RETURN_WORDS} (?:tidak|kah|atau tidak|ya|nggak|enggak)\b"
)
# The customer's own goods: received, arrived, shown ("ini"), or theirs ("mukena saya"), not goods in general.
_OWN_GOODS_RE = re.compile(
    r"\b(?:datang|datangnya|sampai(?! (?:kapan|berapa|hari|batas))|nyampe|nyampai|diterima|terima|terimanya|"
    r"dapat(?! (?:di)?(?:tukar|tuker|retur|refund|ganti|dikembalikan))|dapet|dikirim|kemarin|tadi|barusan|ini)\b|"
    r"\b(?!(?:kalau|kalo|klo|kl|jika|bila|apabila|misal|misalnya|mau|tanya|nanya|bisa|boleh)\b)\w+ "
    r"(?:saya|aku|sy|gue|gw|kami)\b"
)
# A complaint told as a statement about the customer's own past purchase, received goods or finished job (who
# ordered, paid, printed or received it, or what came) set against what was expected, or with a defect named:
# "kaos yg aku beli kok sablonnya retak", "sy udah bayar 2 set tp yg dateng 1", "my prints came out too dark".
_OWN_PAST_RE = re.compile(
    # an order or payment is past only when said so ("saya pesan 3" orders now); goods received always are
    r"\b(?:saya|aku|kami|gue|gw) (?:sudah|kemarin|tadi|baru|pernah) (?:pesan|pesen|memesan|beli|membeli|cetak|"
    r"mencetak|print|bayar|membayar|order|ambil)\w*\b|\b(?:saya|aku|kami|gue|gw)(?: (?:sudah|kemarin|tadi|baru))? "
    r"(?:terima|menerima|dapat|dapet)\b|"
    # "yang (saya) pesan", and the Javanese first person "tak pesen" (normalised "tidak pesan")
    r"\b(?:yang|punya) (?:saya |aku |kami |tidak )?(?:terima|diterima|pesan|pesen|dipesan|beli|dibeli|cetak|"
    r"dicetak|print|diprint|order|diorder|dikasih|dikirim|datang|sampai|nyampe|dapat|dapet|ambil|diambil)\b|"
    r"\b(?:pesanan|orderan|cetakan|printan|fotokopian|jilidan|kiriman|paket)(?: ?nya)? (?:saya|aku|kami)\b|"
    r"\b\w+ (?:saya|aku|kami) (?:tidak|belum|kok)\b|"
    r"\b(?:came|arrived|received|delivered)\b|\bi (?:ordered|bought|paid|printed|got)\b|"
    r"\bmy (?:\w+ ){0,2}(?:copies|order|prints?|printouts?|books?|package|parcel|items?|shirts?|thesis|skripsi|"
    r"eksemplar|halaman|jilid|dokumen)\b"
)
# what the customer wanted or was promised set against what came, or a defect of it
_EXPECTATION_OR_DEFECT_RE = re.compile(
    # "kok belum dikirim?" chases an order's status: the rules for waiting decide it
    r"\bkok\b(?! belum)|\b(?:padahal|katanya|harusnya|seharusnya|mestinya|semestinya|bukannya|salah|keliru|tipis|rusak|lepas|"
    r"copot|sobek|robek|luntur|buram|pudar|miring|retak|kusut|terpotong|kepotong|"
    # a defect that showed in use: "talinya putus baru dipakai"
    r"putus|jebol|patah|melar|ambrol|brodol)\b|"
    # the goods or job late, not the customer ("biar saya tidak telat datang"): "nyampenya telat", "jadinya terlambat"
    # ("jangan sampai telat" wishes it not to be)
    r"\b(?<!jangan )(?<!biar )(?<!supaya )(?<!agar )(?:datang|datangnya|sampai|sampainya|nyampe|nyampenya|dikirim|"
    r"kirimnya|kiriman\w*|paket\w*|pesanan\w*|jadi|jadinya|selesai\w*|arrived|came)(?: \w+){0,2}? "
    r"(?<!tidak )(?<!jangan )(?:telat|terlambat|kelamaan|late)\b|"
    r"\b(?<!ada )(?<!yang )(?<!pilih )beda\b|\bsama semua\b|\b(?:cuma|hanya|cuman|cm) \d+\b|"
    r"\btidak (?:sesuai|cocok|kayak|seperti|sama kayak|sama seperti|ikut|masuk|tercetak|kecetak|lengkap|rapi|"
    r"rata|jelas|nyala|bisa dibuka)\b|"
    r"\b(?:wrong|apart|missing|torn|ripped|faded|smudged|crooked|instead of|falling out|fell out|falls out|"
    r"cuts? into|cut off|peeling|not what|not as|not the same|too (?:thin|faint|light|dark|small|big|short))\b"
)
# a question before buying or a wish for later: "kalau yang saya pesan beda warna bisa?", "mau pesan yang beda"
_PROSPECTIVE_RE = re.compile(
    r"^(?:\w+ ){0,2}(?:mau|ingin|apakah|kalau|kalo|klo|jika|bila|misal|can|could|would|if|will)\b|"
    r"^(?:\w+ ){0,2}(?:bisa|boleh) (?:saya |aku )?(?:pesan|pesen|beli|order|cetak|print|pilih|minta|request)\b|"
    r"\b(?:mau|ingin|akan|rencana|pengen|pingin|want to|would like to|planning to) (?:pesan|pesen|beli|order|"
    r"cetak|print|ambil)\b|"
    # a change to an order asked: "I'd like to change my order to 3 instead of 2"
    r"\b(?:want|would like|like|need|mau|ingin) (?:to )?(?:change|edit|update|add|ubah|ganti|tambah|revisi)\b|"
    # whether it has happened yet, a status question: "sudah dikirim belum?"
    r"\bsudah \w+ belum\b"
)
# someone else's purchase told ("teman saya beli di sini, katanya bagus"): not the customer's own goods
_OTHERS_RE = re.compile(
    r"\b(?:teman|temen|kawan|tetangga|saudara|sodara|kakak|kakaknya|adik|adek|ibu|bapak|ayah|mama|papa|suami|istri|"
    r"anak|orang|bos|atasan|rekan|friend|sister|brother|mother|father|mom|dad|wife|husband)\w* "
    r"(?:saya|aku|kami|gue|gw|my)\b"
)

# another variant wished for or asked after: "mau yang beda warna", "boleh beda motif?"
_VARIANT_WISH_RE = re.compile(
    r"\b(?:mau|ingin|pengen|pingin|minta|boleh|bisa|pilih|ambil)\b(?: \w+){0,3}? (?:yang )?beda (?:warna|ukuran|"
    r"motif|model|size|jenis|corak)\b"
)

# whether someone is on duty at a day or hour ("hari minggu ada yang jaga toko?", "besok pagi ada yg jaga?"): a
# question about when the shop is open, not a request to talk to that person
_TIME_WORD = (
    r"(?:hari \w+|senin|selasa|rabu|kamis|jumat|sabtu|minggu|weekend|besok|lusa|nanti|malam|pagi|siang|sore|libur|"
    r"tanggal merah|lebaran|jam \d+)"
)
_ON_DUTY_AT_TIME_RE = re.compile(
    rf"\b{_TIME_WORD}\b.{{0,30}}\bada (?:yang|orang yang|orang) (?:jaga|berjaga|piket)\b|"
    rf"\bada (?:yang|orang yang|orang) (?:jaga|berjaga|piket)\b.{{0,30}}\b{_TIME_WORD}\b"
)
_TALK_VERB_RE = re.compile(
    r"\b(?:bicara|berbicara|ngomong|ngobrol|omong|hubungi|hubungkan|dihubungi|sambung\w*|telpon|telepon|nelpon|"
    r"chat|tanya|nanya|bertanya|konsultasi|konsul|minta|talk|speak|call)\b"
)


def own_goods_complaint(norm: str) -> bool:
    """A statement about the customer's own past order, purchase or finished job that sets it against what was
    expected, or names a defect of it (not a question before buying)."""
    own = _OTHERS_RE.sub(" ", norm)
    return (
        bool(_OWN_PAST_RE.search(own))
        and bool(_EXPECTATION_OR_DEFECT_RE.search(norm))
        and not _PROSPECTIVE_RE.search(norm)
    )


# the remedy of a grievance wished for: "mau refund aja", "minta uang kembali", "tolong ditukar"
_REMEDY_WISH_RE = re.compile(
    r"\b(?:mau|minta|ingin|pengen|mohon|tolong|want|request)(?: \w+)? (?:di)?(?:refund|retur|tukar|ganti|kembalikan|"
    r"balikin)\w*|\b(?:uang|dana|duit)(?: ?nya| saya)? (?:kembali|dikembalikan|balik)\b|\b(?:refund|money back)\b"
)


def grievance_with_remedy(a: Analysis) -> bool:
    """A complaint said angrily or with its remedy (a refund, an exchange) wished for: a complaint first, whatever
    request for the admin it also makes."""
    return (
        "complaint" in a.signals
        and "conditional" not in a.signals
        and ("angry" in a.signals or bool(_REMEDY_WISH_RE.search(a.norm)))
    )


# A person of the shop by role: the admin, CS, owner, operator, designer, staff, or a department
_ROLE = (
    r"(?:admin|cs|customer service|owner|pemilik|operator|desainer|designer|petugas|staf|staff|pegawai|karyawan|"
    r"manajer|manager|supervisor|pimpinan|penanggung ?jawab|bagian \w+|divisi \w+|departemen \w+|"
    r"(?:the )?\w+ department|tim (?:keuangan|penerbitan|produksi|desain|cetak|gudang|admin)|keuangan|"
    r"penerbitan|finance|accounting|billing)"
)
# Asked to be put through to, or to contact, a person of the shop by role, for that person's number, or to phone:
# "sambungkan ke tim produksi", "desainernya bisa dikontak?", "minta no wa admin", "boleh saya telepon saja?"
_ROLE_CONTACT_RE = re.compile(
    r"\b(?:hubung\w*|dihubung\w*|sambung\w*|disambung\w*|nyambung\w*|connect\w*|alihkan|dialihkan|diteruskan|"
    r"teruskan|oper(?:kan|in)|dioper\w*|kontak|contact|put me through|transfer me|forward\w*|diforward\w*|"
    r"sampaikan|disampaikan|ketemu|bertemu|menemui|meet)(?: \w+){0,2}? "
    rf"(?:dengan|sama|ke|kepada|to|with) (?:the |your )?(?:yang |yg )?{_ROLE}\b|"
    rf"\b{_ROLE}(?: ?nya)? (?:yang )?(?:bisa |dapat |boleh )?(?:dihubungi|ditelpon|ditelepon|dikontak|dichat|"
    r"diwhatsapp|reachable|be reached|be contacted)\b|"
    r"\b(?:nomor|nomer|no|kontak|contact|number)(?: (?:whatsapp|wa|hp|telepon|telpon|phone|pribadi))? (?:dari |of )?"
    rf"(?:the )?{_ROLE}\b(?! (?:rekening|pesanan|order|resi))|"
    r"\b(?:mau|ingin|minta|boleh|bisa|perlu) (?:saya |aku )?(?:telpon|telepon|nelpon|nelepon|ditelpon|ditelepon|"
    r"call|phone)(?: (?:saja|langsung|dong|ya|kak|min))*(?: bisa(?: tidak)?)?(?:$| minta\b| (?:ke |sama )?(?:admin|"
    r"cs|toko|tokonya|owner|pemilik))|"
    r"\b(?:can i|could i|may i) (?:call|phone|ring)\b|\bspeak to (?:the |your )?\w+ department\b|"
    # a person named by the job they do, to be put through to, phoned or met: "sambungkan ke mbak yang pegang
    # jilid", "bisa telpon bapak yang ngurus cetak?"
    r"\b(?:hubung\w*|dihubung\w*|sambung\w*|disambung\w*|connect\w*|telpon|telepon|nelpon|nelepon|ditelpon|"
    r"ditelepon|call|chat|bicara|berbicara|ngobrol|ngomong|ketemu|bertemu|teruskan|diteruskan|oper(?:kan|in))"
    r"(?: (?:langsung|dengan|sama|ke|kepada|saja|dong))* (?:(?:mas|mbak|mba|bang|abang|pak|bapak|bu|ibu|kang|akang|"
    r"teh|teteh|orang|staf|petugas) )?(?:yang) (?:biasa |lagi |sedang )?(?:jaga|berjaga|pegang|megang|urus|ngurus|"
    r"mengurus|menangani|handle|kerjain|ngerjain|bagian)\b|"
    # a talk with a person of the shop, what about named between: "diskusi desain undangan langsung sama
    # desainernya", "konsultasi ukuran dulu dengan admin"
    r"\b(?:diskusi|berdiskusi|diskusiin|konsultasi|konsul|bicara|berbicara|ngobrol|ngomong|discuss)(?: \w+){0,4}? "
    rf"(?:langsung )?(?:dengan|sama|kepada|with) (?:the |your )?{_ROLE}\b|"
    # to be phoned back: "tolong telepon saya balik", "bisa hubungi saya kembali?", "please call me back"
    r"\b(?:telpon|telepon|nelpon|nelepon|hubungi|call|ring|phone) (?:saya|aku|kami|me|us) (?:balik|kembali|back)\b|"
    r"\b(?:tolong|mohon|minta|bisa|please)(?: \w+)? (?:ditelpon|ditelepon|dihubungi|telpon saya|telepon saya|"
    r"hubungi saya|call me|give me a call|(?:telpon|telepon|hubungi|call) (?:balik|kembali|back))\b"
)

_PROPERTY_RE = re.compile(
    r"\b(?:tahan|anti|(?:tidak|tak|gak|ga|nggak|enggak) (?:mudah|gampang|cepat|cepet)) "
    r"(?:air |api )?(?:rusak|sobek|robek|pecah|luntur|penyok|lecet|basah|hilang)\b|"
    # "paling lambat jam berapa?": at the latest, a deadline asked about, not slowness complained of
    r"\bpaling (?:lambat|telat|lama)\b"
)

# a price ceiling: "harganya dibawah 250rb", "budget maks 100 ribu", "under 150k"
_BUDGET_RE = re.compile(
    r"\b(?:harga(?:nya)? )?(?:di ?bawah|kurang dari|tidak lebih dari|under|below|less than|maks(?:imal)?|max|"
    r"budget(?:nya)?|bujet(?:nya)?)(?: (?:maks(?:imal)?|max|harga))? (?:rp )?(\d{1,7}) ?(rb|ribu|k|jt|juta)?\b"
)


def _budget(norm: str) -> tuple[int, set[str]] | None:
    m = _BUDGET_RE.search(norm)
    if not m:
        return None
    value, unit = int(m.group(1)), m.group(2)
    if unit in ("rb", "ribu", "k"):
        value *= 1000
    elif unit in ("jt", "juta"):
        value *= 1_000_000
    elif value < 1000:
        return None  # "di bawah 5 tahun": no amount of money
    return value, set(m.group(0).split())


# a measure of the product asked ("ukurannya berapa?", "beratnya brp", "berapa panjangnya", "ukurannya brp x
# brp"): a question about the product, not its price
_HOURS_ASKED_RE = re.compile(r"\bberapa jam\b")
MEASURE_ASKED_RE = re.compile(
    # "lengan panjang" is a sleeve (a variant), not a length asked ("kemeja lengan panjang berapa?" prices it)
    r"\b(?:ukuran|berat|(?<!lengan )panjang|lebar|tinggi|dimensi|isi|tebal|size|weight)(?:nya)? berapa"
    r"(?: (?:x|kali|sampai|hingga) berapa)?\b|"
    r"\bberapa (?:ukuran|berat|panjang|lebar|tinggi|dimensi|isi|tebal)(?:nya)?\b|"
    # how many pages, volumes or metres the product has ("brp halaman?", "isinya jilid berapa?", "jilid brp
    # sampai brp"); not a count stated before "berapa" ("90 halaman berapa?" prices 90 pages), nor "berapa
    # jilid ..." (a binding priced)
    r"\bberapa (?:halaman|meter)(?:nya)?\b|\bisi(?:nya)? jilid berapa(?: (?:sampai|hingga) berapa)?\b|"
    # how many centimetres, millimetres or inches ("ukuran syalnya brp cm"): a price is never asked in a length
    r"\bberapa (?:cm|mm|senti|sentimeter|centimeter|milimeter|inci|inch|inches)\b|"
    # the least that can be ordered ("minimal brp eksemplar?", "minimum order berapa"): a term of the product,
    # not its price
    r"\b(?:minimal|minimum|min\.)(?: (?:order|pesan|pemesanan|beli|pembelian|cetak))?(?:nya)? berapa\b|"
    # the age it suits ("cocok buat umur brp"): what the product is for, not its price
    r"\b(?:umur|usia)(?:nya)? berapa\b|\bberapa (?:umur|usia)(?:nya)?\b"
)


# whether something can be done asked ("bisa ...?", "can you ...", "melayani ...?", "terima ...?")
PRINTABLE_ASKED_RE = re.compile(
    r"\b(?:bisa|bisakah|dapatkah|can|could|do you|melayani|layani|terima|menerima|nerima|available)\b"
)


# paper named, or printing in the passive ("kertas F4 bisa diprint?"): a paper size asked about printing
PAPER_PRINTED_RE = re.compile(r"\b(?:kertas|paper|diprint|diprin|dicetak|difotokopi|diprint\w*)\b")
# which paper sizes are printed on asked ("ukuran kertas yg bisa apa aja?", "kertasnya ukuran apa aja",
# "what paper sizes")
PAPER_SIZES_LISTED_RE = re.compile(
    r"\b(?:ukuran kertas|kertas(?:nya)? ukuran|paper sizes?)(?:nya)?(?: (?:yang|bisa|ada|tersedia|kak|untuk print))*"
    r" (?:apa saja|apa|ada apa|tersedia apa|berapa saja)\b|"
    r"\b(?:what|which) paper sizes?\b"
)
# which bindings a print shop offers asked ("jilid apa aja yg ada?", "jilidnya ada apa aja", "bisa jilid apa
# aja", "what binding options")
BINDINGS_ASKED_RE = re.compile(
    r"\b(?:jilid|jilidan|binding)(?:nya)?(?: (?:yang|ada|bisa|tersedia|kak))* "
    r"(?:apa saja|ada apa|tersedia apa|apa(?= (?:yang|kak|ya|min|sih|dong)\b|$)|macam apa|pilihannya|berapa macam)"
    r"|\b(?:what|which) (?:kinds? of |types? of )?(?:binding|jilid)(?:s| options?)?\b|\b(?:binding|jilid) options\b"
)
# which variants a product comes in asked ("ukuran apa aja", "tersedia ukuran berapa", "what sizes", "warna apa
# saja"), and the words that ask about stock itself (then the stock of those variants is asked)
_VARIANTS_ASKED_RE = re.compile(
    r"\b(?:ukuran|size|warna|motif|model|varian)(?:nya)? (?:apa|berapa)(?: saja)?\b|"
    r"\b(?:apa|berapa) saja (?:ukuran|size|warna|motif|model|varian)(?:nya)?\b|"
    r"\b(?:what|which) (?:sizes?|warna|colou?rs?|models?|motifs?)\b"
)
# the least that can be ordered asked ("minimal pesan berapa?", "minimum order brp eksemplar")
_LEAST_ORDER_RE = re.compile(
    r"\b(?:minimal|minimum)(?: (?:order|pesan|pemesanan|beli|pembelian|cetak))?(?:nya)? berapa\b|"
    r"\bberapa (?:minimal|minimum)(?: (?:order|pesan|pemesanan|beli|pembelian|cetak))?(?:nya)?\b"
)
# a case supposed, opening the message ("kalau barangnya datang rusak gimana?"), and words that tell it happened
_SUPPOSED_RE = re.compile(
    r"^(?:\w+ )?(?:kalau|kalo|klo|jika|apabila|bila|misal|misalnya|seandainya|andaikan|if)\b"
)
_HAPPENED_RE = re.compile(r"\b(?:kemarin|tadi|barusan|sudah|telah|pesanan saya|paket saya|barang saya)\b")
# the customer's parcel reported arrived ("paketnya sudah sampai", "barangnya udah diterima"), not asked after
_ARRIVED_RE = re.compile(
    r"\b(?:sudah|telah|baru) (?:sampai|datang|diterima|terima|nyampe|tiba|sampe)\b|\b(?:arrived|received|came)\b"
)
_STILL_ASKED_RE = re.compile(r"\b(?:belum|kapan|apa|apakah|kah|mana|berapa|gimana|bagaimana)\b")
# a purchase put off until later: "nanti aku checkout", "besok saya order", "ntar pesen lagi"
_LATER_ORDER_RE = re.compile(
    r"\b(?:nanti|besok|ntar|entar|lain kali|kapan kapan|later)\b(?: \w+){0,2} (?:checkout|co|order|pesan|beli|"
    r"orderan|memesan|membeli)\b|\b(?:will|ll) (?:order|checkout|buy)\b(?: \w+){0,2} later\b"
)
# praise exclaimed ("bagus banget", "bagus sekali"), not "yang bagus" / "paling bagus" asked for
_PRAISE_RE = re.compile(
    r"(?<!yang )(?<!paling )(?<!lebih )(?<!mana )\bbagus (?:banget|sekali|bener|pol|amat)\b"
)
_STOCK_WORD_RE = re.compile(r"\b(?:stok|sisa|habis|kosong|restock)\b")
# a count, then whether there are that many, closing a question clause ("kalau mau 12 ada kak?")
_COUNT_THEN_THERE_RE = re.compile(
    r"\b(?:mau|ambil|butuh|perlu|ingin|pesan|beli|order) \d+\b(?: \w+){0,3} (?<!sudah )(?<!telah )ada"
    r"(?: (?:tidak|kah|ya|sih|kak|min|gan|belum|nih))*$"
)
_QUESTION_CLAUSE_RE = re.compile(r"\?+")
# a size asked whether there, closing its question clause ("size XL ada?", "yang ukuran 42 nya ada kak?")
_SIZE_THERE_RE = re.compile(
    r"\b(?:yang|ukuran|size) (?:ukuran |size )?(?:xs|s|m|l|xl|xxl|xxxl|\d{2})(?: ?nya)? ada"
    r"(?: (?:tidak|kah|ya|kak|min|gan|sis))*$"
)


# an amount of money as written: "300rb", "1,5 jt", "Rp250.000", "150k", "rp 75000"
_MONEY_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d{1,7}(?:[.,]\d{1,2})?) ?(rb|ribu|k|jt|juta)\b|"
    r"\brp\.? ?(\d{1,3}(?:[.,]\d{3})+|\d{4,10})\b",
    re.I,
)


_SE_MILLION_RE = re.compile(r"\bsejuta\b", re.I)
_SE_HUNDRED_K_RE = re.compile(r"\bseratus\s*(?:ribu|rb)\b", re.I)


def money_amount(raw: str) -> int | None:
    """The first amount of money the message states, in rupiah ("belanja 300rb" → 300000, "1,5 jt" →
    1500000), or None. "sejuta", "seratus ribu": one million, a hundred thousand said with "se-" (one)."""
    raw = _SE_MILLION_RE.sub("1 juta", raw or "")
    raw = _SE_HUNDRED_K_RE.sub("100 ribu", raw)
    m = _MONEY_RE.search(raw)
    if not m:
        return None
    if m.group(3):
        return int(re.sub(r"[.,]", "", m.group(3)))
    number = m.group(1)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number):
        value = float(re.sub(r"[.,]", "", number))
    else:
        value = float(number.replace(",", "."))
    unit = m.group(2).lower()
    return round(value * (1_000_000 if unit in ("jt", "juta") else 1000))


def _clause_ends(raw: str, n_words: int) -> set[int]:
    """Indexes (in the normalised words) of the last word of each clause of the message, clauses being cut
    at punctuation. The clauses are normalised one by one; when their words do not add up to the message's
    (a number word spanning a comma), only the message's last word is known to end a clause."""
    ends: set[int] = set()
    count = 0
    for part in re.split(r"(?:[;!?\n]|[.,](?!\d))+", raw):
        k = len(normalize(part).split())
        if k:
            count += k
            ends.add(count - 1)
    if count != n_words:
        return {n_words - 1} if n_words else set()
    return ends


_WEIGHT_RE = re.compile(r"(?<![\w.,])(\d{1,4}(?:[.,]\d{1,3})?)\s*(kg|kilo(?:gram)?|gr|gram|g)\b", re.I)


def stated_weight(text: str) -> int | None:
    """Grams from "2 kg", "1,5 kilo", "500 gr" (the first one); None when the text states no weight."""
    m = _WEIGHT_RE.search(text or "")
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    grams = value * 1000 if m.group(2).lower().startswith("k") else value
    return round(grams) if 0 < grams <= 1_000_000 else None


# The days of the week by name (ISO numbers, Monday 1); "Ahad" is read as "minggu" by the normaliser.
_WEEKDAYS = {
    "senin": 1,
    "selasa": 2,
    "rabu": 3,
    "kamis": 4,
    "jumat": 5,
    "sabtu": 6,
    "minggu": 7,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}
# "minggu" is also a week: after a count ("2 minggu"), "tiap minggu", or before "ini/depan/lalu" it is no day
_WEEK_BEFORE = {"tiap", "setiap", "per", "akhir", "sudah", "dalam", "selama"}
_WEEK_AFTER = {"ini", "depan", "lalu", "kemarin", "lagi", "lebih"}
_OPENING_WORDS = {
    "buka",
    "tutup",
    "libur",
    "open",
    "opened",
    "closed",
    "close",
    "jam",
    "hours",
    "jaga",
    "berjaga",
    "melayani",
    "piket",
}


def asked_weekday(a: Analysis) -> int | None:
    """The day of the week (ISO number) a question about opening names ("hari Minggu buka?", "are you open on
    Sunday?"), or None."""
    words = a.words
    if not _OPENING_WORDS & set(words) and not re.search(DAY_SERVICE, a.norm):
        return None
    for i, w in enumerate(words):
        day = _WEEKDAYS.get(w) or (_WEEKDAYS.get(w[:-1]) if w.endswith("days") else None)  # "on Sundays"
        if day is None:
            continue
        prv = words[i - 1] if i > 0 else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "minggu" and (prv.isdigit() or prv in _WEEK_BEFORE or nxt in _WEEK_AFTER):
            continue
        return day
    return None


# A question about where the shop is ("alamatnya?", "tokonya di daerah mana?", "where are you located?").
COURIERS_Q_RE = re.compile(
    r"\b(?:kurir|ekspedisi|jasa kirim|jasa pengiriman|courier)(?:nya)? apa\b|\b(?:which|what) couriers?\b"
)
# a width by a height in metres ("3x1 meter", "2,5 x 1 m"): the area of a product priced per square metre
_DIMENSIONS_RE = re.compile(
    r"\b(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:x|×|\*|kali)\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:m|meter|mtr)\b", re.I
)


def dimensions_m(raw: str) -> tuple[float, float] | None:
    """The width and height in metres the message gives, or None."""
    m = _DIMENSIONS_RE.search(raw or "")
    if not m:
        return None
    w, h = (float(g.replace(",", ".")) for g in m.groups())
    return (w, h) if w > 0 and h > 0 else None


# whether a payment at some hour still ships that day ("kalau transfer jam 3, dikirim hari itu juga?"): the
# shipping cut-off the shop's notes give, not how to pay; the day may come first ("hari itu juga dikirim?")
SAME_DAY_RE = re.compile(
    r"\b(?:dikirim|kirim|diproses|berangkat) (?:hari itu|hari ini|hari yang sama)\b|\bsame day\b|"
    r"\b(?:hari itu|hari ini|hari yang sama)(?: juga)?(?: (?:langsung|bisa|sudah))? (?:dikirim|diproses|berangkat)\b"
)
ADDRESS_RE = re.compile(
    r"\b(?:(?:alamat|lokasi|letak)(?:nya)?|dimana|di mana|address|location|located|maps?|jalan apa|(?:jl|jln) apa|"
    r"where is it|"
    r"(?:di |ke )?(?:daerah|sebelah|kawasan|bagian) mana|(?<!ke )(?<!kirim )kota mana|"
    r"di (?:kota|daerah|kabupaten|kecamatan|wilayah) apa|"
    r"(?:jl|jln|jalan) [a-z]+(?: [a-z]+)? (?:km|kamu|nomor|no) berapa|"
    r"where (?:is|are) (?:the |your )?(?:store|shop|you))\b"
)


PICKUP_RE = re.compile(
    r"\b(?:ambil(?:nya)? (?:di|ke) (?:toko|tempat|sana|outlet|gerai)|diambil|ambil sendiri|"
    r"saya (?:yang )?ambil|aku (?:yang )?ambil|pick ?up|pickup|ambil aja|ambil saja|"
    r"cod di toko|datang ke toko|ke toko aja|ke toko saja|take ?away)\b",
    re.I,
)
DELIVERY_RE = re.compile(
    r"\b(?:dikirim|kirim|antar|diantar|delivery|deliver|ship|paket|ekspedisi|kurir)\b", re.I
)
CHEAPEST_RE = re.compile(
    r"\b(?:termurah|paling murah|yang murah|murah aja|murah saja|bebas|terserah|apa aja|"
    r"apa saja|cheapest|any)\b",
    re.I,
)


COLOUR_WORDS = (
    "merah|biru|hijau|kuning|hitam|putih|ungu|abu|abuabu|coklat|cokelat|pink|oranye|orange|emas|gold|silver|"
    "perak|marun|maroon|dongker|donker|navy|tosca|toska|krem|cream|tua|muda|nila|jingga|salem|lilac|lavender"
)
_COVER_COLOUR_RE = re.compile(
    rf"\b(?:sampul|cover|hardcover|softcover|jilid)\w*(?:(?: \w+){{0,2}}? (?:warna|warnanya|berwarna|colou?r)"
    # "warna custom (pink)": the colour named after the word for a colour off the list
    rf"(?: (?:custom|khusus|request|lain))?"
    # ... or the colour right after the cover word, "warna" left out ("sampul hardcover merah marun")
    rf"| (?:hardcover|softcover))? ((?:{COLOUR_WORDS})(?: (?:{COLOUR_WORDS}))?)\b"
)


# which colours a binding's cover comes in asked ("warna sampul hardcover ada apa aja?", "hardcover warnanya apa
# aja?", "pilihan warna cover", "what cover colours do you have"): the price list's standard colours, no colour
# printing and no order; a colour named with it ("sampul warna biru bisa?") is no such question
_COVER_WORD = r"(?:sampul|cover|hardcover|softcover|jilid)\w*"
_WHICH_ASKED = (
    r"(?:apa saja|ada apa|apaan|yang (?:ada|tersedia)|tersedia apa|pilihannya|berapa macam|"
    # a bare "apa" closes the question ("warna sampulnya apa kak?"); "apa bisa" asks something else
    r"apa(?=(?: (?:kak|ya|min|sih|yang|dong|nih|sis|gan|aja))*$))"
)
# ... the price list's own ones ("yg standar", "yg ga kena biaya tambahan"): still which colours are asked
_STANDARD_COVER = (
    r"standar|standard|biasa|bawaan|default|gratis|free|"
    r"(?:tidak|tanpa) (?:kena |ada )?(?:biaya|charge) tambahan"
)
COVER_COLOURS_ASKED_RE = re.compile(
    rf"\b(?:warna|warnanya)(?: \w+){{0,1}}? {_COVER_WORD}(?: {_COVER_WORD})?"
    rf"(?: (?:nya|ada|kak|yang|tersedia|{_STANDARD_COVER}))*"
    rf" {_WHICH_ASKED}\b|"
    rf"\b{_COVER_WORD}(?: \w+){{0,2}}? (?:warna|warnanya)(?: (?:nya|ada|kak))* {_WHICH_ASKED}\b|"
    rf"\b{_COVER_WORD}(?: \w+){{0,2}}? ada warna apa\b|"
    rf"\bpilihan warna(?: \w+)? {_COVER_WORD}|\b(?:pilihan|daftar) warna {_COVER_WORD}|"
    r"\bwhat (?:colou?rs?|warna)\b(?: \w+){0,4} (?:cover|jilid|hardcover|softcover)\w*|"
    r"\b(?:cover|hardcover|softcover) (?:colou?rs?|warna) (?:do you have|are there|available|can i choose)"
)


# the cover's colour asked whether it can be chosen ("warna cover soft cover bisa pilih ga?", "bisa pilih
# warna sampul?"): the list of the cover colours
COVER_COLOUR_CHOICE_RE = re.compile(
    rf"\b(?:warna|warnanya)(?: \w+){{0,1}}? {_COVER_WORD}(?: {_COVER_WORD})?(?: (?:nya|kak|yang))*"
    r" (?:bisa|boleh) (?:pilih|milih|request|custom)\b|"
    rf"\b(?:bisa|boleh) (?:pilih|milih) warna(?:nya)?(?: \w+)? {_COVER_WORD}"
)
# whether a cover comes in a colour asked ("hard cover bisa warna kuning ga?", "sampulnya ada warna hijau?")
COVER_COLOUR_POSSIBLE_RE = re.compile(
    rf"\b{_COVER_WORD}(?: \w+){{0,2}}? (?:bisa|boleh|ada|can|could)(?: \w+){{0,2}}? (?:warna|berwarna|colou?r)\b|"
    rf"\b(?:bisa|boleh|ada) {_COVER_WORD}(?: \w+){{0,1}}? (?:warna|berwarna)\b"
)
# printing itself named: a print job, not a question about the cover alone
_PRINTING_NAMED_RE = re.compile(r"\b(?:print|prints|cetak|fotokopi|diprint|dicetak)\b")
# the cover page alone in colour, the rest black-and-white ("print warna cuma halaman cover aja, sisanya hitam
# putih", "halaman sampulnya aja yg berwarna")
_COVER_PAGE_COLOUR_RE = re.compile(
    r"\b(?:warna|berwarna)\b(?: \w+){0,3} (?:halaman )?(?:cover|sampul|depan)(?:nya)?\b.{0,40}\b"
    r"(?:sisanya|sisa|lainnya|yang lain|selebihnya|isinya)\b(?: \w+){0,2} hitamputih\b|"
    r"\bhalaman (?:cover|sampul|depan)(?:nya)?\b(?: \w+){0,3} (?:warna|berwarna)\b"
)
# a count of copies right after the print verb, its clause closing ("print 1 aja", "cetak 2 ya")
_COPIES_AFTER_VERB_RE = re.compile(
    r"\b(?:print|cetak|fotokopi|printnya|cetaknya|ngeprint)\s+(\d{1,3})"
    r"(?=\s+(?:aja|saja|doang|ya|dulu|kak|jilid|dan|terus|lalu)\b|\s*$)"
)
_COPIES_AFTER_BINDING_RE = re.compile(
    r"\b(?:spiral|hardcover|softcover|staples)\s+(\d{1,3})(?=(?:\s+(?:berapa|ya|saja|kak|min|dong))*\s*$)"
)
# A question that sets two products side by side: "bedanya X sama Y", "mana yg lebih murah, X atau Y", "X sama Y
# harganya selisih berapa", "mending X atau Y", "harganya masing-masing", "X vs Y"
COMPARE_RE = re.compile(
    r"\b(?:beda|bedanya|perbedaan|perbedaannya|bedain|lebih (?:murah|mahal)|selisih|selisihnya|mending|masing|"
    r"versus|vs|compare|comparison|difference|cheaper|pricier)\b"
)
# ... and one that asks for their prices (the others ask what sets them apart)
COMPARE_PRICE_RE = re.compile(
    r"\b(?:murah|mahal|selisih|selisihnya|masing|harga|harganya|berapa|cheaper|pricier|price|prices|cost)\b"
)
# the words that only ask the comparison, never a product's name
COMPARE_WORDS = frozenset(
    [
        "beda",
        "bedanya",
        "perbedaan",
        "perbedaannya",
        "bedain",
        "lebih",
        "murah",
        "mahal",
        "selisih",
        "selisihnya",
        "mending",
        "masing",
        "versus",
        "vs",
        "compare",
        "comparison",
        "difference",
        "cheaper",
        "pricier",
        "mana",
        "which",
    ]
)
# the words between the two products compared
COMPARE_SPLIT_RE = re.compile(r"\b(?:sama|dan|atau|vs|versus|or|and)\b")
# ... of which these offer a choice rather than join the two
CHOICE_SPLIT_RE = re.compile(r"\b(?:atau|vs|versus|or)\b")
_PAPER_SIZE_RE = re.compile(r"\b(a3|a4|a5|a6|b5|f4|folio|legal|letter)\b")


def paper_sizes(norm: str) -> list[str]:
    """The paper sizes a message names, in order, each once ("print warna A4 atau F4" → ["A4", "F4"])."""
    out: list[str] = []
    for m in _PAPER_SIZE_RE.finditer(norm):
        size = {"folio": "F4"}.get(m.group(1), m.group(1).upper())
        if size not in out:
            out.append(size)
    return out


_COPIES_TIMES_RE = re.compile(
    r"(?<![\d.,x])(?:\b(\d{1,3}) ?x|\bx(\d{1,3})|(?<!\d )\bx (\d{1,3}))(?![\w.]|\s*\d)"
)
# the bindings by their Indonesian names too: "jilid keras" (hard), "jilid lunak" (soft)
_HARD_RE = re.compile(r"\bhardcover\b|\bhard\b|\b(?:jilid|sampul|cover) keras\b")
_SOFT_RE = re.compile(r"\bsoftcover\b|\bsoft\b|\b(?:jilid|sampul|cover) lunak\b")
_BINDING_NAMES = (
    ("hardcover", _HARD_RE),
    ("softcover", _SOFT_RE),
    ("spiral", re.compile(r"\bspiral\b|\bring\b")),
    ("staple", re.compile(r"\b(?:di ?)?(?:staples|stapler|steples|lakban|jepret)\w*\b")),
)


def named_bindings(norm: str) -> list[str]:
    """Every binding the message names, in the price list's order ("bedanya soft cover sama spiral")."""
    return [name for name, rx in _BINDING_NAMES if rx.search(norm)]


def _print_spec(a: Analysis) -> dict[str, Any]:
    n, words = a.norm, a.words
    spec: dict[str, Any] = {}
    doc = None
    own = re.sub(r"\b([a-z]{4,}?)(?:nya|ku|mu)\b", r"\1", n)  # "skripsiku", "laporannya"
    for pat, val in (
        (r"\bskripsi\b", "skripsi"),
        (r"\b(?:tesis|disertasi)\b", "tesis"),
        (r"\b(?:makalah|paper|artikel|jurnal)\b", "makalah"),
        (r"\bproposal\b", "proposal"),
        (r"\blaporan\b", "laporan"),
        # "ID card" reads "id kartu" once "card" is normalised
        (r"\b(?:ktp|kk|sim|kartu keluarga|npwp|kartu identitas|(?:id|identity) kartu)\b", "ktp"),
        (r"\b(?:ijazah|ijasah|transkrip|sertifikat|piagam|akta)\b", "ijazah"),
        (r"\b(?:dokumen|berkas|document|tugas|modul|materi)\b", "dokumen"),
    ):
        if re.search(pat, n) or re.search(pat, own):
            doc = val
            break
    if doc:
        spec["document_type"] = doc
    if _HARD_RE.search(n):
        spec["binding"] = "hardcover"
    elif _SOFT_RE.search(n):
        spec["binding"] = "softcover"
    elif re.search(r"\bspiral\b|\bring\b", n):
        spec["binding"] = "spiral"
    elif re.search(r"\b(?:di ?)?(?:staples|stapler|steples|lakban|jepret|stapl)\w*\b", n):  # "stapled"
        spec["binding"] = "staple"
    elif re.search(
        r"\b(?:tanpa jilid|tidak (?:usah |perlu )?(?:di)?jilid|(?:no|without) (?:jilid|binding))\b", n
    ):
        spec["binding"] = "none"
    # the cover's colour ("sampul hardcover warna ungu"): a price-list item, not colour printing
    cover = _COVER_COLOUR_RE.search(n)
    if cover:
        spec["cover_colour"] = cover.group(1)
    # the paper's weight ("kertas 100 gram", "100gsm"): the price list's paper surcharge
    gsm = re.search(r"\b(\d{2,3}) ?(?:gsm|gram|gr|g)\b", n)
    if gsm and re.search(r"\b(?:kertas\w*|hvs|paper|gsm)\b", n):
        spec["paper_gsm"] = int(gsm.group(1))
    printing_colour = _COVER_COLOUR_RE.sub(" ", n) if cover else n
    if re.search(r"\bhitamputih\b|\bgrayscale\b|\bbw\b", n):
        spec["color"] = False
    elif re.search(r"\b(?:warna|berwarna|colou?r)\b", printing_colour):
        spec["color"] = True
    elif any(w.startswith(("fotokopi", "difotokopi")) for w in words):  # "fotokopiin": no colour stated
        spec["color"] = False
    # pages that are photos ("10 halaman foto"): the price list's photo page item, not colour printing; so is a
    # photo of a document tidied (straightened, cropped) onto paper ("foto ijazah di hp dirapikan terus dicetak")
    if re.search(r"\bhalaman (?:yang |yg )?(?:berisi |isinya |isi )?foto\b|\bphoto pages?\b", n) or (
        _PHOTO_TIDIED_RE.search(n)
    ):
        spec["photo"] = True
    if re.search(r"\bbolakbalik\b|\b(?:2|dua) sisi\b|\bduplex\b", n):
        spec["duplex"] = True
    elif re.search(r"\b(?:1|satu) sisi\b|\bsingle side\w*\b|\bsimplex\b", n):
        spec["duplex"] = False
    m = re.search(r"\b(a3|a4|a5|a6|b5|f4|folio|legal|letter)\b", n)
    if m:
        spec["paper_size"] = {"folio": "F4"}.get(m.group(1), m.group(1).upper())
    m = re.search(
        r"\b(\d{1,4})\s+(?:(?:warna|berwarna|hitamputih|bolakbalik|a3|a4|f4)\s+)?halaman\b", n
    ) or re.search(r"\bhalaman\s+(\d{1,4})\b", n)
    if m:
        spec["pages"] = int(m.group(1))
    # only some of the pages in colour or photos ("10 halamannya ada foto berwarna", "20 halaman warna sisanya
    # hitam putih"): those pages at their rate, the rest black-and-white
    # ... the part's unit may be left out or its "nya" written apart ("5 nya warna", "20 halaman nya warna")
    part = re.search(
        r"\b(\d{1,4}) (?:(?:halaman|lembar)(?: ?nya)?|nya) (?:(?:di antaranya|diantaranya|di antara nya|darinya|dari itu|"
        r"dari situ|di dalamnya) )?(?:yang |yg )?(?:ada |berisi |isinya |isi |pakai |pake )?"
        r"(?:(foto|gambar)(?: berwarna| warna)?|berwarna|warna)\b",
        n,
    )
    if part and spec.get("pages") and int(part.group(1)) < spec["pages"]:
        spec["colour_pages"] = int(part.group(1))
        if part.group(2):
            spec["photo"] = True
    elif spec.get("pages", 0) > 1 and _COVER_PAGE_COLOUR_RE.search(n):
        # "print warna cuma halaman cover, sisanya hitam putih": the one cover page in colour
        spec["colour_pages"], spec["color"] = 1, True
    m = re.search(
        r"\b(\d{1,4})\s+(?:eksemplar|rangkap|copy|kopi|fotokopi|set|kali|jilid|buah|pcs|exp|buku|bundel)\b",
        n,
    )
    # "rangkap 6": the count after its unit; "print 1 aja": the count right after the verb, its clause closing
    m = m or re.search(r"\b(?:rangkap|eksemplar)\s+(\d{1,4})\b", n) or _COPIES_AFTER_VERB_RE.search(n)
    # "jilid spiral 1 brp": a bare count closing after the binding is how many bound copies
    m = m or _COPIES_AFTER_BINDING_RE.search(n)
    if m:
        spec["copies"] = int(m.group(1))
    elif re.search(r"\b(?:one|a single|single) (?:fotokopi|eksemplar|rangkap|set)\b", n):
        # English "one copy" ("copy" reads "fotokopi"): "one" stays a word, yet before a copy's unit it counts
        spec["copies"] = 1
    else:
        # "x5", "2x" (a times sign written with the count; not a size such as "10x15"), "selusin" = 12 copies
        m = _COPIES_TIMES_RE.search(a.raw.lower())
        if m:
            spec["copies"] = int(m.group(1) or m.group(2) or m.group(3))
        elif m := re.search(r"\b(\d{1,2}) lusin\b", n):
            spec["copies"] = int(m.group(1)) * 12
    m_lembar = re.search(r"\b(\d{1,4})\s+lembar\b", n)
    if m_lembar and spec.get("duplex") and 0 <= 2 * int(m_lembar.group(1)) - spec.get("pages", -9) <= 1:
        m_lembar = None  # "40 halaman bolak balik jadi 20 lembar": the same pages' sheets, no copies
    if m_lembar:
        sheets = int(m_lembar.group(1))
        # a document's sheets are its pages when its copies are stated apart ("laporan 45 lembar 1 rangkap")
        if (
            doc in ("ktp", "ijazah")
            or (
                "copies" in spec
                and doc is None
                and re.search(
                    r"\blembar\b.*\b\d+\s+(?:eksemplar|rangkap|copy|kopi|fotokopi|set|kali|jilid|bundel)\b", n
                )
                is None
            )
            or ("pages" in spec and doc is None)
        ):
            spec.setdefault("copies", sheets)
        elif "pages" not in spec:
            spec["pages"] = sheets
    if doc in ("ktp", "ijazah") and "copies" not in spec:
        # "fotokopi ktp 10": a bare count closing the message after a one-sheet document is its copies
        m = _SHEET_DOC_COUNT_RE.search(n)
        if m:
            spec["copies"] = int(m.group(1))
    if "express" in a.signals:
        spec["express"] = True
    return spec


_PHOTO_TIDIED_RE = re.compile(
    r"\b(?:foto|fotonya|photo)\b(?: \w+){0,5}? (?:bisa |tolong |minta )?(?:dirapikan|dirapihkan|dirapiin|dirapihin|"
    r"rapikan|rapihkan|dilurusin|diluruskan|dicrop|dicropping|straightened|cropped)\b|"
    # a screenshot (or photo) of a document on the phone printed neatly onto paper: "ss an ktp di hp bisa diprint
    # rapi", "screenshot ijazah di hp dicetak yg rapi"
    r"\b(?:ss|screenshot|screenshoot|tangkapan layar|foto|photo)\b(?: \w+){0,6}? "
    r"(?:diprint|dicetak|print|cetak|printed)\b(?: \w+){0,2}? (?:rapi|rapih|neat|neatly)\b"
)


_SHEET_DOC_COUNT_RE = re.compile(
    r"\b(?:ktp|kk|sim|npwp|ijazah|ijasah|transkrip|sertifikat|piagam|akta)(?:nya)? (\d{1,3})"
    r"(?: (?:ya|kak|min|saja|dong|sis|gan|lagi))*$"
)


def _in_name(words: list[str], i: int, names: list[list[str]]) -> bool:
    """Whether the number at words[i] is part of a product's name as the customer wrote it: the name has the
    same number next to the same word ("hafalan *8* blok", "kisah *25* nabi", "masker batik *3* lapis",
    "iqro jilid *1-6*")."""
    w = words[i]
    prv = words[i - 1] if i > 0 else None
    nxt = words[i + 1] if i + 1 < len(words) else None
    for name in names:
        for j, t in enumerate(name):
            if t != w:
                continue
            before = name[j - 1] if j > 0 else None
            after = name[j + 1] if j + 1 < len(name) else None
            # a unit after the number that the name does not have there is a count ("masker batik 3 pack" of
            # "masker batik 3 lapis"): the number only looks like the name's
            if nxt is not None and nxt != after and nxt in UNIT_WORDS:
                continue
            if (prv is not None and prv == before) or (nxt is not None and nxt == after):
                return True
    return False


# a number hyphen-joined to the word after it ("8-block", "3-ply", "2-in-1"): a compound describing the thing;
# the Indonesian "2-nya", "10-an" (about ten) and "2-2nya" stay counts
_NOT_COMPOUND_TAILS = {"nya", "an", "annya", "anya"}


def _joined_to_word(raw: str, value: int, word: str) -> bool:
    if not word.isalpha() or word in _NOT_COMPOUND_TAILS:
        return False
    return bool(re.search(rf"(?<![\w.,-]){value}-{re.escape(word)}\b", raw, re.I))


def extract_quantity(
    a: Analysis,
    *,
    exclude_values: set[int] | None = None,
    product_words: set[str] | None = None,
    names: list[list[str]] | None = None,
    unit_nouns: set[str] | None = None,
) -> int | None:
    """The ordered quantity. A number is a quantity only with a quantity cue — a unit after it ("3 pcs",
    "2 box"), an order or stock word before it ("mau 2", "butuh 40", "ada 30"), or a product word right after
    it ("2 quran") — and never when it is part of the matched product's name (`names`: the candidates'
    name tokens), a page count, an age, a year or money. `unit_nouns`: the product's category nouns ("buku"),
    which count the product as a unit does."""
    words = a.words
    unit_nouns = unit_nouns or set()
    exclude_values = exclude_values or set()
    product_words = product_words or set()
    names = names or []
    each = _count_for_each(a)
    if each is not None:
        return each
    candidates: list[tuple[int, int, int]] = []  # (priority, index, value)
    for i, v in a.numbers:
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prv = words[i - 1] if i > 0 else ""
        # a number closing a page count ("604 halaman 1 saja") is not a page number, and one before a counting
        # unit ("blok 1 kodi") counts whatever word comes before it; nor is a number with a unit after a
        # label that already has its own number ("hafalan 8 blok 25 pcs": the 8 is the label's)
        labelled = i > 1 and words[i - 2].isdigit()
        after_count = labelled and (
            prv in ("halaman", "hal")
            or nxt in UNIT_WORDS
            # "quran hafalan 8 blok 2 aja": the label and its number are the name's, the count after them
            # closing the clause is how many
            or (_in_name(words, i - 1, names) and _closes_clause(a, i))
        )
        if prv in _NOT_QTY_BEFORE and not after_count and nxt not in _COUNTING_UNITS:
            continue
        if nxt in _NOT_QTY_AFTER or v == 0 or v > 10000:
            continue
        if _in_name(words, i, names):
            continue
        if v in exclude_values and nxt not in UNIT_WORDS:
            continue
        if a.print_spec.get("pages") == v and nxt == "halaman":
            continue
        after = words[i + 2] if i + 2 < len(words) else ""
        if nxt in UNIT_WORDS and after in ("isi", "berisi") and prv in _WHICH_ONE:
            # "kartu nama yg 1 box isi 100 lembar": which package the product comes in, not how many; with no
            # "yg"/"per" before it ("kartu nama 3 box isi 100 lembar") it counts the packages sold
            continue
        if prv in ("isi", "berisi"):
            continue  # what a package holds ("isi 100 lembar")
        if _joined_to_word(a.raw, v, nxt) or (nxt in UNIT_WORDS and _joined_to_unit(a.raw, v, nxt)):
            continue  # "the 8-block Quran", "a 3-ply mask": a number hyphen-joined to a word describes the thing
        if prv == "of" and i > 1 and words[i - 2] in UNIT_WORDS:
            continue  # "a pack of 3", "2 boxes of 100": what each package holds, not how many
        if v == 1 and nxt in UNIT_WORDS and _package_content_named(words, i, names):
            # "masker isi 3 itu sepack", "sepack isi 3": one of the package the product's name says it is sold
            # in ("(isi 3)"), described by what it holds: which package, not a count
            continue
        if (
            v == 1
            and nxt in UNIT_WORDS
            and after in ("isi", "berisi")
            and i + 3 < len(words)
            and any(nxt in name and words[i + 3] in name for name in names)
        ):
            # "kartu nama sebox isi 100": one of the package the product is sold in, described by what it holds
            # as the name says ("per box 100 lembar"): which package, not a count
            continue
        if v == 1 and nxt in UNIT_WORDS and after.isdigit() and _in_name(words, i + 2, names):
            # "kartu nama sebox (100 lbr)": one of the package the product is sold in, described by what it
            # holds as the name says ("per box 100 lembar"): which package, not a count
            continue
        if prv in _COUNT_LABELS:
            # "jumlahnya 3", "sebanyak 5", "totalnya 4 pcs": a count the customer labels as one outranks any
            # other number of the message (a product name's "8 blok" has none)
            candidates.append((-1, i, v))
        elif nxt in UNIT_WORDS or nxt in unit_nouns:
            # "3 pcs", and the product's own category noun as its unit ("tafsir juz amma 15 buku": fifteen
            # books of the product named before)
            candidates.append((0, i, v))
        elif prv in _ORDER_VERBS or prv in _STOCK_CUES or prv in ("x", "sebanyak"):
            candidates.append((1, i, v))
        elif prv in ("ongkir", "kirim") and nxt in ("ke", "to"):
            # "ongkir 3 ke Semarang": the shipping of so many of the product in focus to a place
            candidates.append((1, i, v))
        elif nxt == "saja" and _closes_clause(a, i):
            # "satu aja kak": just one, closing the clause
            candidates.append((3, i, v))
        elif prv == "nya" and i > 1 and _names_product(words[i - 2], product_words) and _closes_clause(a, i):
            # "quran B5 nya 2 ya": the count after the product's name with its split-off "nya"
            candidates.append((3, i, v))
        elif _after_size_label(words, i, product_words) and _closes_clause(a, i):
            # "kemeja size XL 2, kirim ke Malang", "dress ukuran M 1 ya": a bare number closing the clause right
            # after the size chosen is how many of that size
            candidates.append((3, i, v))
        elif prv and _names_product(prv, product_words) and _closes_clause(a, i):
            # "mukena travel 1, kirim ke Jakarta": a bare number closing the clause right after the product's
            # name (and not part of it) is how many
            candidates.append((3, i, v))
        elif (
            prv
            and _names_product(prv, product_words)
            and (nxt in _ASKED_AFTER_COUNT or (nxt in _JUST_AFTER_COUNT and after in _ASKED_AFTER_COUNT))
            and _bought_after_verb(words, i, product_words)
        ):
            # "beli quran A4 2 dapet gratis ongkir?": a number right after the name of the product a buying verb
            # opens is how many, though the clause runs on with what the purchase is asked about (a noun after
            # it, "6 buku", is counted only as the product's unit)
            candidates.append((3, i, v))
        elif (
            prv in _BACK_POINTERS
            and _closes_clause(a, i)
            and any(_names_product(w, product_words) for w in words[max(i - 10, 0) : i - 1])
        ):
            # "sajadah yg motif turki itu 2 ya": a number closing the clause right after "itu"/"tsb", which
            # points back at the product described before it, is how many
            candidates.append((3, i, v))
        elif (
            nxt == "of"
            and after in _ENGLISH_DETERMINERS
            and any(_names_product(w, product_words) for w in words[i + 3 : i + 7])
        ):
            # "ship 2 of the thick Turkish prayer mats": so many of the product named after "of the"
            candidates.append((2, i, v))
        elif _names_product(nxt, product_words) or (
            # "4 buku sirah nabawiyah": a generic noun between the number and the product's name
            i + 2 < len(words) and _names_product(words[i + 2], product_words) and not nxt.isdigit()
        ):
            candidates.append((2, i, v))
    if not candidates:
        return None
    candidates.sort()
    _, i, v = candidates[0]
    # a dozen, a score: "2 lusin" is 24 pieces, "1 kodi" 20
    return v * _COUNTING_UNITS.get(words[i + 1] if i + 1 < len(words) else "", 1)


_COUNTING_UNITS = {"lusin": 12, "kodi": 20}
# a clothing size code (XS, S, M, L, XL, XXL, 3XL) and the words that lead one ("size XL", "ukuran M")
_GARMENT_SIZE_CODE_RE = re.compile(r"x{0,2}s|m|x{0,3}l|[2-5]xl")
_GARMENT_SIZE_LEADS = {"size", "ukuran", "uk"}


def _after_size_label(words: list[str], i: int, product_words: set[str]) -> bool:
    """Whether the number at i comes right after a clothing size code that a size word ("size XL", "ukuran
    M") or the product's own name ("dress sekar L 2") leads."""
    if i < 2 or not _GARMENT_SIZE_CODE_RE.fullmatch(words[i - 1]):
        return False
    lead = words[i - 2]
    return lead in _GARMENT_SIZE_LEADS or (bool(product_words) and _names_product(lead, product_words))


# who a purchase is shared out to ("buat 5 karyawan, masing2 1 box")
_PEOPLE_WORDS = {
    "orang",
    "karyawan",
    "pegawai",
    "staf",
    "staff",
    "anak",
    "siswa",
    "murid",
    "santri",
    "peserta",
    "guru",
    "tamu",
    "jamaah",
    "jemaah",
    "panitia",
    "people",
    "persons",
    "employees",
    "students",
    "guests",
    "kids",
}


def _count_for_each(a: Analysis) -> int | None:
    """ "buat 5 karyawan, masing2 1 box", "12 santri masing-masing 2 buku", "for 4 people, 2 each": so many for
    each of so many people is their product; None unless both numbers are there."""
    words = a.words
    share = None
    for i, w in enumerate(words):
        if w == "masing" and i + 1 < len(words) and words[i + 1].isdigit():
            share = int(words[i + 1])
        elif w == "each" and i > 0 and words[i - 1].isdigit():
            share = int(words[i - 1])
        if share is not None:
            people = [
                int(words[j])
                for j in range(i)
                if words[j].isdigit() and j + 1 < i and words[j + 1] in _PEOPLE_WORDS
            ]
            return people[-1] * share if people and 0 < share <= 100 and 0 < people[-1] <= 1000 else None
    return None


# words that point back at the product just described ("... yg motif turki itu 2 ya")
_BACK_POINTERS = {"itu", "tsb", "tersebut", "td", "tadi"}
_ENGLISH_DETERMINERS = {"the", "these", "those", "your", "this", "that"}
# words that label the number after them as the count wanted ("jumlahnya 3", "sebanyak 5", "totalnya 4 pcs",
# "qty: 2")
_COUNT_LABELS = {
    "jumlah",
    "jumlahnya",
    "sejumlah",
    "sebanyak",
    "banyaknya",
    "qty",
    "qtynya",
    "total",
    "totalnya",
    "quantity",
}
# words that pick one of a product's packages rather than count them ("yg 1 box isi 100", "per 1 box isi 50")
_WHICH_ONE = {"yg", "yang", "per"}


def _closes_clause(a: Analysis, i: int) -> bool:
    """Whether the word at i ends its clause: at a clause end, or followed only by particles ("3 ya kak") up to
    the clause's end or up to a word that opens the next part of the request ("2 ya kak ukuran M",
    "3 tujuan Surabaya")."""
    words = a.words
    for j in range(i, len(words)):
        if j > i and words[j] in _CLAUSE_OPENERS:
            return True
        if j in a.clause_ends:
            return True
        if (
            j + 1 < len(words)
            and words[j + 1] not in _TRAILING_PARTICLES
            and words[j + 1] not in _CLAUSE_OPENERS
        ):
            return False
    return False


_TRAILING_PARTICLES = {
    "ya",
    "yah",
    "yaa",
    "kak",
    "min",
    "dong",
    "saja",
    "sis",
    "gan",
    "deh",
    "nih",
    "sih",
    "mas",
    "mbak",
}
_CLAUSE_OPENERS = {
    "tujuan",
    "kirim",
    "dikirim",
    "kirimnya",
    "ke",
    "alamat",
    "ukuran",
    "size",
    "warna",
    "pakai",
    "via",
    # a purpose phrase after the count ("tafsir juz amma 15 ya kak buat pengajian")
    "untuk",
    "for",
    # the next part of the request after the count: its shipping asked ("... 1 ongkirnya brp", "... 2 gratis
    # ongkir kan?") or a plea that follows it ("... 2 ya tolong dikirim")
    "ongkir",
    "gratis",
    "tolong",
}


# verbs of buying that open the product's name ("beli X 2", "pesan X 3")
_PURCHASE_VERBS = {"beli", "pesan", "order", "ambil", "buy", "membeli", "memesan", "borong", "checkout"}
# the words that open what is asked about a purchase right after its count ("beli X 2 *dapet* gratis ongkir?",
# "pesan X 3 *jadi* berapa?", "beli X 2 *bisa* dikirim hari ini?")
_ASKED_AFTER_COUNT = {
    "dapet",
    "dapat",
    "dpt",
    "bisa",
    "jadi",
    "kena",
    "gratis",
    "free",
    "total",
    "totalnya",
    "berapa",
    "harganya",
    "ongkir",
    "kirim",
    "dikirim",
    "sekalian",
    "langsung",
    "ada",
    "masih",
    "apa",
    "apakah",
    "tidak",
    "sudah",
}


# words that soften a count without ending its clause ("beli 1 aja kena ongkir?")
_JUST_AFTER_COUNT = {"saja", "doang", "aja"}


def _joined_to_unit(raw: str, value: int, unit: str) -> bool:
    """Whether the number is hyphen-joined to the unit after it in the raw text ("3-pack", "6-pcs"), whatever
    spelling of the unit the analyser normalised it to."""
    for m in re.finditer(rf"(?<![\w.,-]){value}-([a-z]+)\b", raw, re.I):
        tail = m.group(1).lower()
        if tail not in _NOT_COMPOUND_TAILS and (tail == unit or analyze(tail).words[:1] == [unit]):
            return True
    return False


def _package_content_named(words: list[str], i: int, names: list[list[str]]) -> bool:
    """Whether "1 <unit>" at words[i] sits next to "isi N"/"berisi N" (within three words either side) where a
    candidate's name says it holds the same N ("(isi 3)", "per pack 50 lembar")."""
    lo, hi = max(i - 4, 0), min(i + 5, len(words))
    for j in range(lo, hi - 1):
        if words[j] in ("isi", "berisi") and words[j + 1].isdigit() and j + 1 != i:
            n = words[j + 1]
            for name in names:
                for k, t in enumerate(name[1:], start=1):
                    if t == n and (name[k - 1] in ("isi", "berisi", "per") or name[k - 1] in UNIT_WORDS):
                        return True
    return False


def _bought_after_verb(words: list[str], i: int, product_words: set[str]) -> bool:
    """Whether the words before words[i] are all the product's name, right after a verb of buying."""
    j = i - 1
    while j >= 0 and _names_product(words[j], product_words):
        j -= 1
    return j >= 0 and j < i - 1 and words[j] in _PURCHASE_VERBS


def _names_product(word: str, product_words: set[str]) -> bool:
    return bool(word) and (
        word in product_words or any(word.startswith(p[:4]) for p in product_words if len(p) >= 4)
    )


_STOCK_CUES = {"ada", "ready", "cukup", "have", "stok", "sisa", "kalau", "klo", "kl", "for", "buat", "untuk"}
# Words before a number that make it a count (public for the planner's context words).
ORDER_VERB_WORDS = frozenset(_ORDER_VERBS)
STOCK_CUE_WORDS = frozenset(_STOCK_CUES)
COUNT_LABEL_WORDS = frozenset(_COUNT_LABELS)
