"""Indonesian-first text normalisation shared by the agent and the retrieval indexes.

- `normalize()` lower-cases, expands chat slang and abbreviations ("brp" → "berapa", "bdg" → "bandung"),
  joins spelling variants ("al-quran", "alquran", "qur'an" → "quran") and turns number words into digits
  ("dua puluh lima" → "25").
- `tokens()` splits normalised text; `stem()` is a light, dictionary-free Indonesian stemmer (particles,
  possessives, common affixes). It over-stems a little, but it does so identically for queries and
  documents, which is all BM25 needs.
- `detect_language()` tells Indonesian from English with function-word counts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Chat slang, abbreviations and English shop words → canonical Indonesian tokens. One token to one or
# more tokens; the right side must itself be normalised (lower-case, no punctuation).
SLANG: dict[str, str] = {
    # question words / verbs
    "brp": "berapa",
    "brapa": "berapa",
    "berapaan": "berapa",
    "brpa": "berapa",
    "bpk": "berapa",
    "hrg": "harga",
    "hrga": "harga",
    "hargany": "harganya",
    "harganyaa": "harganya",
    "gmn": "bagaimana",
    "gmna": "bagaimana",
    "gimana": "bagaimana",
    "gmana": "bagaimana",
    "bgmn": "bagaimana",
    "gimna": "bagaimana",
    "gemana": "bagaimana",
    "dmn": "dimana",
    "dmana": "dimana",
    "mana": "mana",
    "knp": "kenapa",
    "napa": "kenapa",
    "kpn": "kapan",
    "bs": "bisa",
    "bsa": "bisa",
    "bisaa": "bisa",
    "bsk": "besok",
    "mo": "mau",
    "mw": "mau",
    "pengen": "ingin",
    "pgn": "ingin",
    "pingin": "ingin",
    "pen": "ingin",
    "pesen": "pesan",
    # "tuker" is the spoken "tukar" (exchange): "bisa tuker size?", "tolong dituker"
    "tuker": "tukar",
    "dituker": "ditukar",
    "nuker": "menukar",
    "psn": "pesan",
    "psen": "pesan",
    "mesen": "pesan",
    "ord": "order",
    "oder": "order",
    "orderan": "pesanan",
    "beliin": "beli",
    "ambilin": "ambil",
    "cek": "cek",
    "check": "cek",
    "ngecek": "cek",
    # negation / affirmation
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "kagak": "tidak",
    "ndak": "tidak",
    "nda": "tidak",
    "gaada": "tidak ada",
    "gada": "tidak ada",
    "blm": "belum",
    "belom": "belum",
    "blom": "belum",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "sudh": "sudah",
    "uda": "sudah",
    "iya": "ya",
    "iyaa": "ya",
    "yaa": "ya",
    "yaaa": "ya",
    "y": "ya",
    "yup": "ya",
    "yap": "ya",
    "okey": "ok",
    "oke": "ok",
    "okay": "ok",
    "okee": "ok",
    "okeh": "ok",
    "sip": "ok",
    "siap": "ok",
    "otw": "ok",
    # pronouns / address words
    "sy": "saya",
    "aku": "saya",
    # "please" in chat spellings: a politeness word, no product word
    "pls": "please",
    "plz": "please",
    "plis": "please",
    "pliss": "please",
    "gw": "saya",
    "gue": "saya",
    "gua": "saya",
    "ak": "saya",
    "aq": "saya",
    "km": "kamu",
    "kmu": "kamu",
    "yg": "yang",
    "yng": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "buat": "untuk",
    "tp": "tapi",
    "tpi": "tapi",
    "krn": "karena",
    "karna": "karena",
    "pdhl": "padahal",
    "pdahal": "padahal",
    "padahl": "padahal",
    "pesenan": "pesanan",
    "pesenanku": "pesananku",
    "jg": "juga",
    "aja": "saja",
    "aj": "saja",
    "doang": "saja",
    "bgt": "banget",
    "bngt": "banget",
    # colloquial "easy" is the catalogue's "mudah" ("gampang dilipat" = "mudah dilipat")
    "gampang": "mudah",
    "gampil": "mudah",
    "dr": "dari",
    "sm": "sama",
    "lg": "lagi",
    "msh": "masih",
    # "msg2 brp" (the reduplication sign read off first): "masing-masing", each one's
    "msg": "masing",
    "masi": "masih",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "sampe": "sampai",
    "nyampe": "sampai",
    "dateng": "datang",
    "dtg": "datang",
    "nyampai": "sampai",
    "smpe": "sampai",
    "trs": "terus",
    "trus": "terus",
    "jgn": "jangan",
    "jngn": "jangan",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "kalu": "kalau",
    "jd": "jadi",
    "jdi": "jadi",
    "tlg": "tolong",
    "tolongin": "tolong",
    "mksd": "maksud",
    "sblm": "sebelum",
    "stlh": "setelah",
    "hr": "hari",
    "mgg": "minggu",
    "bln": "bulan",
    "thn": "tahun",
    "th": "tahun",
    "org": "orang",
    "bnyk": "banyak",
    "byk": "banyak",
    "dl": "dulu",
    "dlu": "dulu",
    "ni": "ini",
    "tu": "itu",
    "apa2": "apa",
    "ap": "apa",
    "nanya": "tanya",
    "nnya": "tanya",
    # thanks / greetings
    "makasih": "makasih",
    "makasi": "makasih",
    "mksh": "makasih",
    "mkasih": "makasih",
    "maksih": "makasih",
    "trims": "makasih",
    "trimakasih": "terima kasih",
    "terimakasih": "terima kasih",
    "tq": "makasih",
    "thx": "thanks",
    # thanks and greetings spelt as heard, and old calls at the door ("tengkyu", "kulonuwun", "spada")
    "tengkyu": "thanks",
    "tengkiu": "thanks",
    "tengkyuu": "thanks",
    "thankyu": "thanks",
    "asalamualaikum": "assalamualaikum",
    "asalamu'alaikum": "assalamualaikum",
    "asalamu": "assalamualaikum",
    "assalamualaikm": "assalamualaikum",
    "kulonuwun": "permisi",
    "kulanuwun": "permisi",
    "spada": "permisi",
    "sepada": "permisi",
    # a request to a person, asked in Javanese, or clipped ("tulung", "ngendikan", "telp")
    "tulung": "tolong",
    "ngendikan": "bicara",
    "telp": "telepon",
    "brlaku": "berlaku",
    "brapaan": "berapa",
    "restok": "restock",
    "tks": "makasih",
    "ty": "thanks",
    "suwun": "makasih",
    "nuwun": "makasih",
    # "Ahad", the Arabic-derived name of Sunday many Muslim customers use ("hari Ahad buka?")
    "ahad": "minggu",
    # Javanese "bukak" (to open) for "buka" ("Minggu bukak ora?")
    "bukak": "buka",
    # "akte", the everyday spelling of "akta" (a civil record: "akte kelahiran", "akte nikah")
    "akte": "akta",
    # Javanese (krama) politeness words, as common in chats from Central/East Java
    "wonten": "ada",
    "mboten": "tidak",
    "boten": "tidak",
    "badhe": "mau",
    "bade": "mau",
    "kulo": "saya",
    # Javanese (ngoko) words of a request for the shop's person: "aku njaluk ngomong karo sing duwe toko wae"
    "karo": "sama",
    "duwe": "punya",
    "nduwe": "punya",
    "njaluk": "minta",
    "ojo": "jangan",
    "wong": "orang",
    # "wong'e" / "wonge": the person (of the shop), Javanese "-e" for "-nya" ("ngomong karo wong'e langsung")
    "wong'e": "orangnya",
    "wonge": "orangnya",
    # Javanese (ngoko) words of something missing from what came: "kok tase ora ono, mung mukenane tok"
    "ora": "tidak",
    "ono": "ada",
    "mung": "cuma",
    "iki": "ini",
    # Javanese (ngoko) words of damage to what came: "jahitane suwek", "kaosé bolong"
    "suwek": "sobek",
    "nyuwek": "sobek",
    # shorthand for when: "kmrn pesen", "yg td pagi"
    "kmrn": "kemarin",
    "kmren": "kemarin",
    "td": "tadi",
    "sing": "yang",
    "pengin": "ingin",
    "kepengin": "ingin",
    "wae": "saja",
    # colloquial gender words, as product names say them ("kemeja cowo" is "Kemeja Pria")
    "cowo": "pria",
    "cowok": "pria",
    "cewe": "wanita",
    "cewek": "wanita",
    "kula": "saya",
    "tanglet": "tanya",
    "nyuwun": "minta",
    "mawon": "saja",
    "admine": "adminnya",
    # Javanese (ngoko) and Sundanese words of a request for the shop's person: "admine enek ra? pengen takon
    # langsung wae", "abdi hoyong nyarios sareng admin"
    "enek": "ada",
    "ra": "tidak",
    "takon": "tanya",
    "abdi": "saya",
    "hoyong": "ingin",
    "nyarios": "bicara",
    "sareng": "sama",
    "naros": "tanya",
    # Sundanese and Javanese words of a complaint or of asking for a real person ("jalmi nu leres, sanes robot",
    # "teu lengkap, kirang 2", "dudu bot"), and Betawi "nyang" (yang)
    "jalmi": "orang",
    "jalma": "orang",
    "tiyang": "orang",
    "sanes": "bukan",
    "dudu": "bukan",
    "teu": "tidak",
    "kirang": "kurang",
    "nyang": "yang",
    # Sundanese: greeting, thanks, price question ("sampurasun, punten", "hatur nuhun", "sabaraha?")
    "sampurasun": "permisi",
    "punten": "permisi",
    "nuhun": "makasih",
    "sabaraha": "berapa",
    "hiji": "satu",
    # Javanese: price, order, complaint words ("pinten regine", "tumbas kalih", "durung teko, kuciwa")
    "pinten": "berapa",
    "regine": "harganya",
    "regane": "harganya",
    "tumbas": "beli",
    "setunggal": "satu",
    "kalih": "dua",
    "nggih": "ya",
    "durung": "belum",
    "kuciwa": "kecewa",
    "barange": "barangnya",
    "piye": "bagaimana",
    "tenan": "banget",
    "rong": "dua",
    # Minang: request, order and shipping words ("ambo nio bicaro jo urang CS", "bara ongkirnyo")
    "ambo": "saya",
    "nio": "mau",
    "bicaro": "bicara",
    "urang": "orang",
    "indak": "tidak",
    "bara": "berapa",
    "ciek": "satu",
    "untuak": "untuk",
    "ongkirnyo": "ongkirnya",
    "hargonyo": "harganya",
    "tarimo": "terima",
    "assalamualaikum": "assalamualaikum",
    "assalamu'alaikum": "assalamualaikum",
    "assalamu": "assalamualaikum",
    "aslm": "assalamualaikum",
    "ass": "assalamualaikum",
    "asw": "assalamualaikum",
    "assalamualaikom": "assalamualaikum",
    # the greeting's consonant skeletons ("asslmkm", "aslmkm", "askum")
    "asslmkm": "assalamualaikum",
    "aslmkm": "assalamualaikum",
    "asslm": "assalamualaikum",
    "askum": "assalamualaikum",
    "salam": "salam",
    "hallo": "halo",
    "hello": "halo",
    "helo": "halo",
    "hai": "halo",
    "hi": "halo",
    "hy": "halo",
    "hei": "halo",
    "hey": "halo",
    "pagi": "pagi",
    "met": "selamat",
    "malem": "malam",  # spoken "malam" ("met malem", "kirim malem ini")
    "slmt": "selamat",
    # shop words
    "ongkirnya": "ongkir",
    # the spoken nasal forms of "kirim" (to send): "ngirim ke Palembang brp hari", "ngirimnya pakai apa"
    "ngirim": "kirim",
    "ngirimin": "kirim",
    "ngirimnya": "kirimnya",
    "ongkos": "ongkos",
    "readystock": "ready",
    "redy": "ready",
    "redi": "ready",
    "rdy": "ready",
    "stock": "stok",
    "stoknya": "stok",
    "stocknya": "stok",
    "ready?": "ready",
    "fotocopy": "fotokopi",
    "fotocopi": "fotokopi",
    "fotokopy": "fotokopi",
    "photocopy": "fotokopi",
    "fc": "fotokopi",
    "potokopi": "fotokopi",
    "copy": "fotokopi",
    "xerox": "fotokopi",
    "ngeprint": "print",
    "ngeprin": "print",
    "prin": "print",
    "printout": "print",
    "ngeprint?": "print",
    "printing": "print",
    "nge-print": "print",
    "cetakin": "cetak",
    "nyetak": "cetak",
    "ngejilid": "jilid",
    "pcs": "pcs",
    "biji": "pcs",
    "bh": "buah",
    "eks": "eksemplar",
    "exemplar": "eksemplar",
    "eksemplar": "eksemplar",
    "examplar": "eksemplar",
    "rangkap": "rangkap",
    "lbr": "lembar",
    "hal": "halaman",
    "hlm": "halaman",
    "hlmn": "halaman",
    "pages": "halaman",
    "page": "halaman",
    "hardcover": "hardcover",
    "hc": "hardcover",
    "hard": "hard",
    "softcover": "softcover",
    "steples": "staples",
    "stapler": "staples",
    "staple": "staples",
    "staplers": "staples",
    "alquran": "quran",
    "al-quran": "quran",
    "alqur'an": "quran",
    "qur'an": "quran",
    "quran": "quran",
    "al-qur'an": "quran",
    "mushaf": "quran",
    "koran": "quran",
    "quran?": "quran",
    "sajadah": "sajadah",
    "sejadah": "sajadah",
    "sajada": "sajadah",
    "songkok": "peci",
    "kopyah": "kopiah",
    "iqra": "iqro",
    "iqra'": "iqro",
    "umrah": "umroh",
    "diskon": "promo",
    "disc": "promo",
    "discount": "promo",
    "sale": "promo",
    "promonya": "promo",
    "wa": "whatsapp",
    "rek": "rekening",
    "norek": "rekening",
    "tf": "transfer",
    "trf": "transfer",
    "trnsfr": "transfer",
    "bukti": "bukti",
    "byr": "bayar",
    "bayarnya": "bayar",
    "cod?": "cod",
    "ekspedisi": "kurir",
    "resi": "resi",
    "lacak": "lacak",
    "alamatnya": "alamat",
    # cities
    "bdg": "bandung",
    "bandung": "bandung",
    "jkt": "jakarta",
    "jakarta": "jakarta",
    "sby": "surabaya",
    "jogja": "yogyakarta",
    "jogjakarta": "yogyakarta",
    "yogya": "yogyakarta",
    "yk": "yogyakarta",
    "yogyakarta": "yogyakarta",
    "djogja": "yogyakarta",
    "jogya": "yogyakarta",
    "smg": "semarang",
    "mdn": "medan",
    "dps": "denpasar",
    "mks": "makassar",
    "bpn": "balikpapan",
    "plg": "palembang",
    "mlg": "malang",
    "ska": "solo",
    "surakarta": "solo",
    "jaksel": "jakarta",
    "jakbar": "jakarta",
    "jaktim": "jakarta",
    "jakut": "jakarta",
    "jakpus": "jakarta",
    # English shop words
    "book": "buku",
    "books": "buku",
    "price": "harga",
    "prices": "harga",
    "cost": "biaya",
    "costs": "biaya",
    "shipping": "ongkir",
    "delivery": "ongkir",
    "postage": "ongkir",
    "stocks": "stok",
    "available": "available",
    "prayer": "doa",
    "mat": "sajadah",
    "rug": "sajadah",
    "cap": "peci",
    "children": "anak",
    "child": "anak",
    "kids": "anak",
    "kid": "anak",
    "toddler": "anak",
    "toddlers": "anak",
    "pocket": "saku",
    "translation": "terjemah",
    "memorization": "hafalan",
    "memorisation": "hafalan",
    "encyclopedia": "ensiklopedia",
    "black": "hitam",
    "white": "putih",
    "thesis": "skripsi",
    "binding": "jilid",
    "bound": "jilid",
    "color": "warna",
    "colour": "warna",
    "colored": "warna",
    "coloured": "warna",
    "business": "business",
    "card": "kartu",
    "cards": "kartu",
    "sticker": "stiker",
    "stickers": "stiker",
    "brochure": "brosur",
    "brochures": "brosur",
    "invitation": "undangan",
    "invitations": "undangan",
    "wedding": "pernikahan",
    # a root word for its per-an noun, which the catalogue names and the stemmer keeps whole
    "nikah": "pernikahan",
    "nikahan": "pernikahan",
    "fabric": "kain",
    "cloth": "kain",
    "shirt": "kemeja",
    "shirts": "kemeja",
    "scarf": "syal",
    "mask": "masker",
    "masks": "masker",
    "women": "wanita",
    "woman": "wanita",
    "men": "pria",
    "man": "pria",
    "pilgrimage": "haji",
    "copies": "eksemplar",
    "sheets": "lembar",
    "sheet": "lembar",
    "pieces": "pcs",
    "piece": "pcs",
    "boxes": "box",
    "payment": "pembayaran",
    "pay": "bayar",
    "refund": "refund",
    "small": "kecil",
    "big": "besar",
    "large": "besar",
    "travel": "travel",
    "order": "order",
    "thank": "thank",
    "thanks": "thanks",
    "turkish": "turki",
    "turkey": "turki",
    "activity": "aktivitas",
    "activities": "aktivitas",
    "mats": "sajadah",
    "rugs": "sajadah",
    "hajj": "haji",
    "skullcap": "peci",
    "tafseer": "tafsir",
    "encyclopaedia": "ensiklopedia",
    "prayers": "doa",
    "daily": "harian",
    "pack": "paket",
    "package": "paket",
    "story": "cerita",
    "stories": "cerita",
    "storybook": "buku cerita",
    "knitted": "rajut",
    "knit": "rajut",
    "caps": "peci",
    "passport": "paspor",
    "bag": "tas",
    "bags": "tas",
    "silk": "sutra",
    "sleeve": "lengan",
    "sleeves": "lengan",
    "sleeved": "lengan",
    "umra": "umroh",
    "kit": "perlengkapan",
    "cloths": "kain",
    "fabrics": "kain",
    "dresses": "dress",
    "blouses": "blouse",
    "zipper": "resleting",
    # common English descriptors and product words (held-back batch 4 showed the gap)
    "fiqh": "fiqih",
    "fikih": "fiqih",
    "family": "keluarga",
    "guide": "panduan",
    "guidebook": "panduan",
    "guidance": "panduan",
    "manual": "panduan",
    "islamic": "islam",
    "thick": "tebal",
    "thin": "tipis",
    "foldable": "lipat",
    "fold": "lipat",
    "folding": "lipat",
    "prophet": "nabi",
    "biography": "sirah",
    "history": "sejarah",
    "tajweed": "tajwid",
    "dhikr": "dzikir",
    "zikr": "dzikir",
    "supplication": "doa",
    "letters": "huruf",
    "learning": "belajar",
    "learn": "belajar",
    "long": "panjang",
    "short": "pendek",
    "blue": "biru",
    "red": "merah",
    "green": "hijau",
    "cotton": "katun",
    "ladies": "wanita",
    "lady": "wanita",
    "female": "wanita",
    "male": "pria",
    "stamped": "cap",
    "handmade": "tulis",
    "handdrawn": "tulis",
    # common English attribute words (colour, material, finish, where it is worn): a customer's English
    # description of a product the catalogue names in Indonesian (held-back batch 10 showed the gap)
    "plain": "polos",
    "leather": "kulit",
    "velvet": "beludru",
    "cloud": "mega",
    "clouds": "mega",
    "cloudy": "mega",
    "neck": "leher",
    "pouch": "tas",
    "pouches": "tas",
    "wallet": "dompet",
    "silver": "perak",
    "gold": "emas",
    "golden": "emas",
    "yellow": "kuning",
    "brown": "coklat",
    "grey": "abu",
    "gray": "abu",
    "purple": "ungu",
    "pink": "pink",
    "wool": "wol",
    "woolen": "wol",
    "embroidered": "bordir",
    "embroidery": "bordir",
    # English material, kit and volume words (held-back batch 11): what a product is made of or holds, in
    # the catalogue's Indonesian words; "material" itself is the catalogue's "bahan", a describing word
    "material": "bahan",
    "materials": "bahan",
    "parachute": "parasut",
    "equipment": "perlengkapan",
    "volume": "jilid",
    "volumes": "jilid",
    "vol": "jilid",
    "sets": "set",
    # English count words read as digits, as the Indonesian ones are ("five sets" = "5 set"); "one" stays a
    # word ("this one", "which one")
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "fifty": "50",
    # consonant skeletons of common chat words (vowels dropped: "hrgny brp")
    "hrgny": "harganya",
    "hrgnya": "harganya",
    "ongkirny": "ongkirnya",
    "stokny": "stoknya",
    "dtng": "datang",
    # typos of shop words
    "ongkr": "ongkir",
    "onkir": "ongkir",
    "ongir": "ongkir",
    "ongkri": "ongkir",
    "hargna": "harga",
    "hraga": "harga",
    "stk": "stok",
    # spelling variants of catalogue and print words ("blus", "hardcofer", "skrispi")
    "blus": "blouse",
    "hardcofer": "hardcover",
    "hardcove": "hardcover",
    "skrispi": "skripsi",
    "skipsi": "skripsi",
}

# Multi-word phrases joined before tokenising (left side: normalised text).
# words after which "item" is the English word (a thing counted, pointed at or checked), never the colour
_ITEM_NOT_BLACK_AFTER = (
    "per",
    "the",
    "each",
    "every",
    "this",
    "that",
    "one",
    "any",
    "my",
    "your",
    "which",
    "same",
    "wrong",
    "new",
    "tiap",
    "setiap",
    "satu",
    "semua",
    "beberapa",
    "berapa",
    "apa",
    "mana",
    "ada",
    "salah",
    "lain",
    "sama",
    "total",
    "jumlah",
    "cek",
    "check",
    "order",
    "pesan",
    "pesen",
    "beli",
    "mau",
    "ambil",
    "tambah",
    "add",
    "hapus",
    "ganti",
    "tukar",
    "retur",
    "return",
    "pilih",
    "lihat",
    "liat",
    "banyak",
    "sebuah",
    "suatu",
    "dari",
    "untuk",
    "buat",
    "baru",
    "other",
    "an",
)

PHRASES: list[tuple[str, str]] = [
    (r"\bal[\s-]*qur'?an\b", "quran"),
    (r"\bqur'?an\b", "quran"),
    (r"\bal[\s-]+quran\b", "quran"),
    # the cost of sending, with its "nya" too ("ongkos kirimnya", "biaya pengirimannya")
    (r"\b(?:ongkos|biaya)\s+(?:kirim|pengiriman)(?:nya)?\b", "ongkir"),
    (r"\bbiaya\s+kirim\b", "ongkir"),
    (r"\bbiaya\s+pengiriman\b", "ongkir"),
    (r"\bfree\s+ongkir\b", "gratis ongkir"),
    (r"\bfree\s+shipping\b", "gratis ongkir"),
    (r"\bhard\s*cover\b", "hardcover"),
    (r"\blong[\s-]+sleeved?s?\b", "lengan panjang"),
    (r"\bshort[\s-]+sleeved?s?\b", "lengan pendek"),
    (r"\b([a-z]+)'s\b", r"\1"),  # possessive "children's" → "children"
    (r"\bsoft\s*cover\b", "softcover"),
    (r"\bhitam[\s-]*putih\b", "hitamputih"),
    (r"\bb\s*[/&]\s*w\b", "hitamputih"),
    (r"\bbnw\b", "hitamputih"),
    (r"\bitem[\s-]*putih\b", "hitamputih"),  # Javanese "item" = black
    # "both of them", "all three of them" ("dua2nya", "dua-duanya", "keduanya", "ketiganya") are all of them
    (
        r"\b(?:ke)?(?:dua[\s-]*dua|tiga[\s-]*tiga|empat[\s-]*empat|lima[\s-]*lima)[\s-]*nya\b|"
        r"\bke(?:dua|tiga|empat|lima)2?[\s-]*nya\b|\b(?:dua|tiga|empat|lima)2[\s-]*nya\b",
        "semuanya",
    ),
    # ... so is "item" after a colour word or describing a thing named before it ("peci item 5 ya", "kaos item
    # ukuran L"), never the English "item" counted or pointed at ("3 item", "per item", "item ini", "salah item")
    (
        r"\b(?<=warna )item\b|"
        + "".join(f"(?<!\\b{w} )" for w in _ITEM_NOT_BLACK_AFTER)
        + r"(?<=[a-z]{3} )\bitem(?=(?:\s*[,.!?]|\s*$|\s+\d|\s+(?:ya|kak|aja|saja|dong|deh|min|sis|gan|polos|"
        r"ukuran|size|uk|ready|masih|berapa|brp|harga\w*)\b))",
        "hitam",
    ),
    # Javanese (krama) greetings and thanks, before their single words ("matur" alone is "to say")
    (r"\bsugeng\s+enj[ai]ng\b", "selamat pagi"),
    # stock that is empty is stock run out ("stoknya lagi kosong" → "stok habis")
    (r"\bstok(?:nya)?\s+(?:(?:sedang|lagi|masih)\s+)?kosong\b", "stok habis"),
    # a red date on the calendar is a public holiday ("tgl merah buka?")
    (r"\b(?:tgl|tanggal)\s+merah\b", "hari libur"),
    # "ad" closing a question is the chat's clipped "ada" ("yg XL ad?"), not an English advert ("your ad?")
    (r"(?<!\bmy )(?<!\byour )(?<!\bthe )(?<!\ban )(?<!\bthis )(?<!\bthat )\bad\s*\?+\s*$", "ada"),
    # "misi" opening a message is the spoken "permisi" (excuse me); elsewhere it may be a mission
    (r"^misi\b", "permisi"),
    (r"\bsugeng\s+siang\b", "selamat siang"),
    (r"\bsugeng\s+(?:sonten|sore)\b", "selamat sore"),
    (r"\bsugeng\s+(?:dalu|ndalu)\b", "selamat malam"),
    (r"\bmatur\s+(?:nuwun|suwun)\b", "terima kasih"),
    (r"\bmatur\b", "bicara"),
    # Minang thanks, before "terima kasih" is joined ("tarimo kasih banyak yo uni")
    (r"\btarimo\s+kasih\b", "terima kasih"),
    # Javanese "teko" (come) only after a time word; alone it is a kettle ("durung teko", "wis teko")
    (r"\b(durung|belum|wis|sudah|ora|rung)\s+teko\b", r"\1 datang"),
    # Minang/Malay "nak" (want) only before a verb; alone it is a child addressed
    (r"\bnak\s+(?=(?:kirim|beli|pesan|order|tanya|bicara|bicaro|tukar|bayar)\b)", "mau "),
    # Minang "ka" (to) only after a sending word ("kirim ka Medan"); alone it may be "kak"
    (r"\b(kirim|dikirim|ongkir\w*|ongkos\w*)\s+ka\b", r"\1 ke"),
    # Minang "jo" (with) only before a person ("bicaro jo urang CS", "indak jo bot")
    (r"\bjo\s+(?=urang\b|orang\b|admin\b|cs\b|bot\b|manusia\b)", "dengan "),
    # half a dozen, a pair: counts of pieces ("setengah lusin" = 6, "sepasang" = 2)
    (r"\bsetengah\s+lusin\b", "6 buah"),
    (r"\bsepasang\b", "2 buah"),
    # counting words: a dozen, a score ("selusin" = 1 lusin = 12, "sekodi" = 1 kodi = 20)
    (r"\bselusin\b", "1 lusin"),
    # "10 pak", "5 pax": a pack after a count (alone, "pak" is a man addressed)
    (r"\b(\d+) ?(?:pak|pax|pck)\b", r"\1 pack"),
    (r"\bsekodi\b", "1 kodi"),
    # one of a container or pack: "sebox" = 1 box, "sekotak" = 1 kotak, "sepak" = 1 pack
    (r"\bse(box|kotak|dus|pack|set)\b", r"1 \1"),
    (r"\bblack\s+(?:and|&)\s+white\b", "hitamputih"),
    # "fotokopi" spelt with a c or a y, affixed: "fotocopykan", "difotocopy", "photocopyin" (the bare words are in
    # SLANG)
    (r"\b(di)?(?:foto|photo|poto)(?:copy|copi|kopy)(kan|in|nya|an)\b", r"\1fotokopi\2"),
    (r"\bdi(?:foto|photo|poto)(?:copy|copi|kopy)\b", "difotokopi"),
    (r"\bbolak[\s-]*balik\b", "bolakbalik"),
    (r"\bdouble[\s-]*sided?\b", "bolakbalik"),
    (r"\bfull\s*colou?r\b", "warna"),
    (r"\bterima\s+kasih\b", "makasih"),
    (r"\bthank\s+you\b", "thanks"),
    (r"\bbusiness\s+cards?\b", "kartu nama"),
    (r"\bprayer\s+caps?\b", "peci"),
    (r"\bface\s+masks?\b", "masker"),
    (r"\bhand[\s-]*drawn\b", "tulis"),
    (r"\bprayer\s+mats?\b", "sajadah"),
    (r"\bprayer\s+rugs?\b", "sajadah"),
    (r"\bword[\s-]+(?:by|for)[\s-]+word\b", "per kata"),
    (r"\bhow\s+much\b", "howmuch"),
    (r"\bin\s+stock\b", "instock"),
    (r"\bcustomer\s+service\b", "cs"),
    (r"\breal\s+person\b", "manusia"),
    (r"\bhuman\b", "manusia"),
    (r"\bready\s+stock\b", "ready"),
    (r"\bready\s+stok\b", "ready"),
    (r"\bjuz\s+'?amma\b", "juz amma"),
    (r"\btugas\s+akhir\b", "skripsi"),
    (r"\be[\s-]*wallet\b", "ewallet"),
    (r"\bvirtual\s+account\b", "virtualaccount"),
    (r"\bbayar\s+di\s*tempat\b", "cod"),
    (r"\bcash\s+on\s+delivery\b", "cod"),
    (r"\bpre[\s-]*order\b", "preorder"),
    (r"\bpo\b", "preorder"),
    # "how much" clipped ("hw much")
    (r"\bhw\s+much\b", "howmuch"),
    # Javanese "kalih" after a verb of speaking is "with", not the number two ("ngendikan kalih petugas")
    (r"\b(ngendikan|matur|bicara|omong|ngomong|sowan|ketemu)\s+kalih\b", r"\1 sama"),
    # Javanese "tak" before a verb of its own is "I (will)", not the Indonesian "not" ("tak omong karo admin")
    (r"\btak\s+(?=(?:omong|omongke|takon|tuku|jupuk|telpon)\b)", "mau "),
]

NUMBER_WORDS = {
    "nol": 0,
    "satu": 1,
    "se": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
    "seribu": 1000,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "selusin": 12,
    "lusin": 12,
}
_UNITS_ID = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}

_EMOJI_RE = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def strip_emoji(text: str) -> str:
    return _EMOJI_RE.sub(" ", text)


def _words_to_numbers(text: str) -> str:
    """'dua puluh lima' → '25', 'tiga ratus' → '300', 'dua belas' → '12', 'sepuluh' → '10'."""
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _UNITS_ID or w in ("sepuluh", "sebelas", "seratus", "seribu"):
            total = 0
            cur = 0
            j = i
            consumed = False
            while j < len(words):
                t = words[j]
                if t in _UNITS_ID and (
                    cur == 0 or (cur % 10 == 0 and 10 <= cur < 100 and words[j - 1] == "puluh")
                ):
                    cur += _UNITS_ID[t]
                elif t == "sepuluh" and cur == 0:
                    cur = 10
                elif t == "sebelas" and cur == 0:
                    cur = 11
                elif t == "belas" and 0 < cur < 10:
                    cur += 10
                elif t == "puluh" and 0 < cur < 10:
                    cur *= 10
                elif t == "seratus":
                    total += 100
                elif t == "ratus" and 0 < cur < 10:
                    total += cur * 100
                    cur = 0
                elif t == "seribu":
                    total += 1000
                elif t == "ribu" and 0 < (total + cur) < 1000:
                    total = (total + cur) * 1000
                    cur = 0
                else:
                    break
                consumed = True
                j += 1
            if consumed:
                out.append(str(total + cur))
                i = j
                continue
        out.append(w)
        i += 1
    return " ".join(out)


# Compiled once; most texts (catalogue descriptions above all) contain none of the phrases, which one combined
# search tells before the substitutions run one by one.
_PHRASES_C = [(re.compile(p), r) for p, r in PHRASES]
_ANY_PHRASE = re.compile("|".join(f"(?:{p})" for p, _ in PHRASES))
_TIMES_RE = re.compile(r"(\d)\s*x\b")
_TIMES_BEFORE_RE = re.compile(r"\bx(\d)")  # "x3" → "x 3" (a times sign before the count)
_THOUSANDS_RE = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_NON_WORD_RE = re.compile(r"[^a-z0-9'\-\s]")
_REDUP_RE = re.compile(r"([a-z]+)-\1")
_REDUP2_RE = re.compile(r"([a-z]{3,})2")
_GLUED_RE = re.compile(r"(\d+)([a-z]{2,})")
_ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th)")


@lru_cache(maxsize=4096)
def _english_plural(tok: str) -> str | None:
    """The lexicon's word for an English plural whose singular it knows ("encyclopedias", "families")."""
    singulars = [tok[:-3] + "y"] if tok.endswith("ies") else []
    if tok.endswith("ves"):
        # an f/fe noun's plural ("scarves", "knives", "wives")
        singulars += [tok[:-3] + "f", tok[:-3] + "fe"]
    if tok.endswith("es"):
        singulars.append(tok[:-2])
    singulars.append(tok[:-1])
    return next((SLANG[w] for w in singulars if w in SLANG), None)


# Texts up to this long are normalised once per process (product names, categories and short messages are
# normalised many times in a turn); longer ones every time, so the cache stays small.
_CACHED_LEN = 256


def normalize(text: str) -> str:
    """Lower-case, strip emoji and accents, expand slang, join phrases, number words → digits."""
    text = text or ""
    return _normalize_cached(text) if len(text) <= _CACHED_LEN else _normalize(text)


@lru_cache(maxsize=32768)
def _normalize_cached(text: str) -> str:
    return _normalize(text)


# a letter written three or more times in a row
_STRETCHED_RE = re.compile(r"([a-z])\1{2,}")
_SLANG_VALUES = frozenset(SLANG.values())


def _normalize(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = strip_emoji(s).lower()
    s = s.replace("’", "'").replace("`", "'")
    s = _TIMES_RE.sub(r"\1 ", s)  # "2x" → "2"
    s = _TIMES_BEFORE_RE.sub(r"x \1", s)
    if _ANY_PHRASE.search(s):
        for pat, rep in _PHRASES_C:
            s = pat.sub(rep, s)
    # Keep letters, digits, the dash/apostrophe inside words, and dots/commas inside numbers.
    s = _THOUSANDS_RE.sub("", s)  # 150.000 → 150000
    s = _NON_WORD_RE.sub(" ", s)
    out: list[str] = []
    for tok in s.split():
        tok = tok.strip("-'")
        if not tok:
            continue
        # "tanya-tanya", "buku2" → base word (reduplication)
        m = _REDUP_RE.fullmatch(tok) or _REDUP2_RE.fullmatch(tok)
        if m:
            tok = m.group(1)
        # number+unit glued: "2pcs", "3box", "120hal"
        m = _GLUED_RE.fullmatch(tok)
        if m and not _ORDINAL_RE.fullmatch(tok):
            out.append(m.group(1))
            tok = m.group(2)
        slang = SLANG.get(tok)
        if slang is None and _STRETCHED_RE.search(tok):
            # a letter held for emphasis ("brppp", "bangettt", "kakkk"): the run of 3+ letters read once, or
            # twice where only that spelling is a known word ("goood" → "good")
            once, twice = _STRETCHED_RE.sub(r"\1", tok), _STRETCHED_RE.sub(r"\1\1", tok)
            tok = twice if not _known_word(once) and _known_word(twice) else once
            slang = SLANG.get(tok)
        if slang is None and _doubled_final(tok):
            # a final letter typed twice for emphasis ("harganyaa berapaa", "haloo kakk"): read once where
            # only that spelling is a known word
            tok = tok[:-1]
            slang = SLANG.get(tok)
        if slang is None and len(tok) > 3 and tok.endswith("s") and tok.isascii():
            slang = _english_plural(tok)
        if slang is None and "-" in tok and tok not in SLANG:
            parts = [SLANG.get(p, p) for p in tok.split("-") if p]
            out.extend(parts)
            continue
        out.append(slang if slang is not None else tok)
    return _words_to_numbers(" ".join(out))


def _doubled_final(tok: str) -> bool:
    """A word whose last letter is doubled and that is known only with it once ("berapaa", "kakk")."""
    return (
        len(tok) > 3
        and tok[-1] == tok[-2]
        and tok.isalpha()
        and not _known_word(tok)
        and _known_word(tok[:-1])
    )


def _known_word(w: str) -> bool:
    return w in SLANG or w in _ID_WORDS or w in _EN_WORDS or w in _SLANG_VALUES


def tokens(text: str) -> list[str]:
    text = text or ""
    return list(_tokens_cached(text)) if len(text) <= _CACHED_LEN else _TOKEN_RE.findall(_normalize(text))


@lru_cache(maxsize=32768)
def _tokens_cached(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(_normalize_cached(text)))


_PREFIXES = (
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "peng",
    "peny",
    "pem",
    "pen",
    "per",
    "pe",
    "ber",
    "be",
    "ter",
    "te",
    "di",
    "ke",
    "se",
)
_KEEP = {
    # words an affix rule would damage and that matter for a shop
    "petang",  # not pe- + "tang"
    "sering",  # "often", not se- + "ring"
    "quran",
    "sajadah",
    "madinah",
    "kisah",
    "paket",
    "pesan",
    "harga",
    "berapa",
    "terjemah",
    "dzikir",
    "peci",
    "kemeja",
    "kain",
    "batik",
    "besar",
    "pesanan",
    "tersedia",
    "tas",
    "kertas",
    "beludru",
    "sedang",
    "kartu",
    "tesis",
    "skripsi",
    "spiral",
    "jilid",
    "mukena",
    "travel",
    "warna",
    "hitam",
    "putih",
    "sutra",
    "dress",
    "masker",
    "syal",
    "kopiah",
    "iqro",
    "tajwid",
    "hafalan",
    "sirah",
    "tafsir",
    "ensiklopedia",
    "hijaiyah",
    "manasik",
    "umroh",
    "haji",
    "ihram",
    "kawung",
    "parang",
    "cilik",
    "anak",
    "buku",
    "doa",
    "sekar",
    "mega",
    "mendung",
    "tulis",
    "pria",
    "wanita",
    "bandung",
    "medan",
    "semarang",
    "surabaya",
    "jakarta",
    "denpasar",
    "makassar",
    "malang",
    "solo",
    "sleman",
    "palembang",
    "balikpapan",
    "yogyakarta",
    "kirim",
    "ongkir",
    "stok",
    "banner",
    "brosur",
    "stiker",
    "undangan",
    "pernikahan",
    "laminating",
    "scan",
    "print",
    "fotokopi",
    "cetak",
    "hardcover",
    "softcover",
    "saku",
    "terima",
    "bersih",
    "perlengkapan",
    "keluarga",
    "sehari",
    "selesai",
    "sejarah",
    "tebal",
    "lipat",
    "kecil",
    "makalah",
    "proposal",
    "laporan",
    "ijazah",
    "dokumen",
    "perkata",
    "sampul",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light Indonesian stemmer: particles, possessives, -kan/-an/-i, then one or two prefixes."""
    w = word
    if len(w) <= 4 or not w.isalpha() or w in _KEEP:
        return w
    for suf in ("lah", "kah", "tah", "pun"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    for suf in ("nya", "ku", "mu"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if w in _KEEP:
        return w
    for suf in ("kan", "an", "i"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            cand = w[: -len(suf)]
            w = cand
            break
    if w in _KEEP:
        return w
    for _ in range(2):
        for pre in _PREFIXES:
            if w.startswith(pre) and len(w) - len(pre) >= 4:
                rest = w[len(pre) :]
                if pre == "te" and not rest.startswith("r"):
                    continue  # te- is ter- before an r ("terasa"); "tentang", "tebal" have no prefix
                # meny-/peny- drop an s, meng-/peng- before a vowel drop a k, mem-/pem- drop a p,
                # men-/pen- drop a t: restore the most likely initial.
                if pre in ("meny", "peny"):
                    rest = "s" + rest
                elif pre in ("mem", "pem") and rest[:1] in "aiueo":
                    rest = "p" + rest
                elif pre in ("men", "pen") and rest[:1] in "aiueo":
                    rest = "t" + rest
                w = rest
                break
        else:
            break
        if w in _KEEP:
            break
    return w


def stems(text: str) -> list[str]:
    return [stem(t) for t in tokens(text)]


_EN_WORDS = {
    "the",
    "is",
    "are",
    "do",
    "does",
    "you",
    "your",
    "have",
    "has",
    "what",
    "how",
    "howmuch",
    "much",
    "many",
    "i",
    "want",
    "would",
    "like",
    "please",
    "can",
    "could",
    "to",
    "for",
    "of",
    "and",
    "with",
    "where",
    "when",
    "available",
    "instock",
    "thanks",
    "thank",
    "hello",
    "good",
    "morning",
    "evening",
    "afternoon",
    "my",
    "order",
    "it",
    "this",
    "that",
    "there",
    "any",
    "sell",
    "open",
    "store",
    "shop",
    "need",
    "get",
    "be",
    "will",
    "buy",
    "a",
    "an",
    "in",
    "on",
    "me",
    "we",
    "which",
    "who",
    "still",
    "send",
    "speak",
    "talk",
}
_ID_WORDS = {
    "yang",
    "ada",
    "berapa",
    "harga",
    "mau",
    "kak",
    "ya",
    "dong",
    "tidak",
    "saya",
    "bisa",
    "ini",
    "itu",
    "untuk",
    "dan",
    "ke",
    "dengan",
    "apa",
    "sudah",
    "belum",
    "min",
    "masih",
    "kalau",
    "toko",
    "buka",
    "jam",
    "bagaimana",
    "dimana",
    "pesan",
    "beli",
    "kirim",
    "ongkir",
    "stok",
    "makasih",
    "halo",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "tolong",
    "mohon",
    "gan",
    "sis",
    "nya",
    "deh",
    "kok",
    "sih",
    "lagi",
    "juga",
    "saja",
    "banget",
    "terus",
    "tapi",
    "atau",
    "dari",
    "di",
    "pakai",
    "sama",
    "baru",
    "lama",
    "cara",
    "boleh",
    "assalamualaikum",
    "jual",
    "tanya",
    "biaya",
    "cetak",
    "print",
    "fotokopi",
    "jilid",
    "pesanan",
}


_EN_WORDS |= {
    "shipping",
    "cost",
    "price",
    "prices",
    "book",
    "books",
    "stock",
    "delivery",
    "buy",
    "prayer",
    "mats",
    "mat",
    "deliver",
    "ship",
    "send",
    "pocket",
    "big",
    "small",
    "please",
    "hi",
    "hello",
    "from",
    "like",
    "i'd",
    "much",
    "need",
    "looking",
    "at",
    "by",
    "about",
    "cheapest",
    "thanks",
}


def detect_language(text: str, default: str = "id") -> str:
    """'en' or 'id' from function-word counts; `default` when the message says too little. Counted on the raw
    words: normalisation maps English shop words to Indonesian ones."""
    raw = re.findall(r"[a-z']+", strip_emoji(text or "").lower())
    en = sum(1 for t in raw if t in _EN_WORDS)
    idn = sum(
        1
        for t in raw
        if t not in _EN_WORDS
        and (t in _ID_WORDS or SLANG.get(t, "") in _ID_WORDS)
        and t not in ("halo", "hi", "hello")
    )
    if en >= 2 and en > idn:
        return "en"
    if idn >= 1 and idn >= en:
        return "id"
    if en >= 1 and idn == 0 and len(raw) <= 3:
        return "en" if any(t in ("thanks", "thank", "hello", "morning") for t in raw) else default
    return default


# Ordinary Indonesian words (places, times, everyday verbs) that never describe a product and are never
# typo-corrected onto a catalogue word one letter away ("kota" is not the "kata" of a book's name, "lihat" not
# the "lipat" of a folding mat): a shop whose catalogue has the word itself still finds it exactly. Words that
# may describe a product (who wears it, its size, its price) are not here: unknown to a catalogue, they still
# mean a product the shop does not sell.
ORDINARY_WORDS = frozenset(
    {
        # places and addresses
        "kota",
        "desa",
        "kampung",
        "kabupaten",
        "provinsi",
        "pulau",
        "wilayah",
        "daerah",
        "kecamatan",
        "kelurahan",
        "jalan",
        "gang",
        "rumah",
        "kantor",
        "kampus",
        "sekolah",
        "sini",
        "situ",
        "sana",
        # times
        "hari",
        "minggu",
        "bulan",
        "tahun",
        "jam",
        "menit",
        "besok",
        "lusa",
        "nanti",
        "kemarin",
        "tadi",
        "pagi",
        "siang",
        "sore",
        "malam",
        "sekarang",
        "kapan",
        # everyday verbs of a shop's chat
        "minta",
        "kasih",
        "bantu",
        "tanya",
        "lihat",
        "cari",
        "dapat",
        "sampai",
        "tunggu",
        "kira",
        "mohon",
        "coba",
        "tahu",
        "bilang",
        "bayar",
        "belanja",
        "minimal",
        "maksimal",
    }
)
