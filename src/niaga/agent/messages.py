"""The agent's reply texts: a message catalogue, Indonesian first and English complete.

Same shape as the dashboard's labels (niaga.web.i18n): one key per text, `{field}` placeholders filled by
the caller, Indonesian the source language. A key may hold several wordings per language; the reply picks one
per turn (seeded, so tests are reproducible) — wording varies, the facts in the fields do not.

`{kak}` is how the business addresses its customers ("kak"); `{business}` is the business's name. Every
amount and count in a reply is a field filled from a tool result, never written here.

    voice.say("thanks")                       # one of the wordings, in the conversation's language
    voice.say("complaint.with_order", number="ORD-20261120-0001")
"""

from __future__ import annotations

import string

# key -> (Indonesian wordings, English wordings)
MESSAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # calls to action closing a reply
    "cta.order": (
        (
            "Mau langsung dipesan, {kak}? Tinggal sebutkan jumlahnya ya 😊",
            "Kalau berminat, balas dengan jumlah yang mau dipesan ya {kak} 🙏",
            "Mau saya buatkan pesanannya, {kak}?",
        ),
        ("Would you like to order? Just tell me the quantity 😊",),
    ),
    "cta.choose": (
        ("Yang mana yang {kak} minati?", "Mau yang mana, {kak}?", "Silakan pilih yang cocok ya {kak} 😊"),
        ("Which one would you like?",),
    ),
    "cta.more": (
        (
            "Ada lagi yang bisa dibantu, {kak}?",
            "Ada pertanyaan lain, {kak}?",
            "Ada lagi yang ingin ditanyakan? 😊",
        ),
        ("Anything else I can help with?",),
    ),
    # opening hours
    "hours.after": (
        ("Saat ini di luar jam operasional, admin kami akan menindaklanjuti {when} ya {kak}.",),
        ("We are outside opening hours now; our staff will follow up {when}.",),
    ),
    "hours.next_working": (("pada jam kerja berikutnya",), ("during the next working hours",)),
    "hours.today_at": (("hari ini pukul {at}",), ("today at {at}",)),
    "hours.tomorrow_at": (("besok pukul {at}",), ("tomorrow at {at}",)),
    "hours.day_at": (("hari {day} pukul {at}",), ("{day} at {at}",)),
    "hours.closed": (("tutup",), ("closed",)),
    "hours.label": (("Jam buka toko: ",), ("Opening hours: ",)),
    "hours.day_open": (
        ("Hari {day} toko buka pukul {open}–{close}.",),
        ("On {day} we are open {open}–{close}.",),
    ),
    "hours.day_closed": (("Hari {day} toko tutup, {kak} 🙏",), ("We are closed on {day}.",)),
    "address.label": (("Alamat kami: ",), ("Our address: ",)),
    "address.city": (
        ("Toko kami berada di {city}, {kak}. Untuk alamat lengkapnya nanti dibantu admin kami ya 🙏",),
        ("Our shop is in {city}. Our staff will share the full address with you.",),
    ),
    "couriers.label": (("Pengiriman bisa lewat {names}.",), ("We ship with {names}.",)),
    # small talk
    "greeting.from": (("{persona} dari {business}",), ("{persona} from {business}",)),
    "greeting.body": (
        (
            "{tg} Saya {who}. Ada yang bisa saya bantu? Silakan tanya harga, stok, ongkir, atau langsung pesan.",
            "{tg} Saya {who}, siap membantu. Mau cari produk, cek ongkir, atau pesan sesuatu?",
            "{tg} Dengan {who} di sini. Ada yang bisa kami bantu hari ini?",
        ),
        ("I'm {who}. How can I help you? You can ask about prices, stock, shipping, or place an order.",),
    ),
    "thanks": (
        (
            "Sama-sama {kak} 🙏 Senang bisa membantu.",
            "Sama-sama {kak}, terima kasih sudah menghubungi {business} 😊",
            "Sama-sama ya {kak}. Kalau ada yang lain, kabari saja 🙏",
        ),
        ("You're welcome! Happy to help 😊", "My pleasure! Let me know if you need anything else."),
    ),
    "ack": (
        ("Siap {kak} 👍 Ada lagi yang bisa dibantu?", "Baik {kak} 😊 Ada lagi yang bisa dibantu?"),
        ("Okay! 😊 Anything else I can help with?",),
    ),
    "empty": (("Halo {kak}, ada yang bisa kami bantu? 😊",), ("Hello! How can I help you? 😊",)),
    "not_understood": (
        (
            "Maaf {kak}, saya belum paham maksudnya 🙏 Saya bisa bantu cek produk, harga, stok, ongkir, status "
            "pesanan, atau ketik *admin* untuk bicara dengan staf kami.",
            "Mohon maaf {kak}, bisa dijelaskan lagi? Saya bisa bantu soal produk, harga, stok, ongkir, dan "
            "pesanan. Ketik *admin* kalau ingin dibantu staf.",
        ),
        (
            "Sorry, I didn't quite get that. You can ask me about products, prices, stock, shipping costs, "
            "your order status, or type *admin* to talk to our staff.",
        ),
    ),
    "kb.no_info": (
        (
            "Mohon maaf {kak}, informasi itu belum ada di catatan kami. Saya teruskan ke admin supaya dijawab "
            "langsung ya 🙏",
        ),
        ("Sorry, I don't have that information yet. I'll ask our staff to answer you.",),
    ),
    # products
    "product.not_found": (
        (
            "Mohon maaf {kak}, {phrase} tidak tersedia di toko kami 🙏",
            "Maaf {kak}, untuk {phrase} belum ada / tidak tersedia di {business} 🙏",
        ),
        ("Sorry, {phrase} is not available in our store.",),
    ),
    "product.that_product": (("produk tersebut",), ("that product",)),
    "product.similar": (("Yang tersedia yang mirip: {names}.",), ("We do have: {names}.",)),
    "product.categories": (("Kami menyediakan: {names}.",), ("We sell: {names}.",)),
    "howto.order": (
        (
            "Bisa {kak}, pesan langsung lewat chat ini saja 😊 Sebutkan produk (atau pekerjaan cetaknya) dan "
            "jumlahnya, nanti saya catat pesanannya, lalu saya tanyakan mau dikirim atau diambil di toko sebelum "
            "dikonfirmasi.",
        ),
        (
            "You can order right here in this chat 😊 Tell me the product (or the print job) and how many, I will "
            "note the order and then ask whether to ship it or pick it up before you confirm.",
        ),
    ),
    "trust.real": (
        ("Iya {kak}, ini chat resmi {business} 🙏",),
        ("Yes, this is the official chat of {business} 🙏",),
    ),
    "catalogue.intro": (("Kami menyediakan {kak}:",), ("Here is what we sell:",)),
    "catalogue.line": (("• {category}: {examples}, dll.",), ("• {category}: {examples}, and more.",)),
    "catalogue.line_all": (("• {category}: {examples}.",), ("• {category}: {examples}.",)),
    "product.which": (
        ("Boleh tahu produk apa yang dicari, {kak}? 😊",),
        ("Which product are you looking for?",),
    ),
    "promo.none": (("Saat ini belum ada promo {kak} 🙏",), ("There are no promotions right now.",)),
    "promo.intro": (
        ("Promo yang sedang berlaku {kak}:", "Ini promo kami saat ini {kak} 🎉"),
        ("Current promotions:",),
    ),
    "bestsellers.intro": (
        ("Untuk itu belum ada produk khusus {kak}, tapi ini produk terlaris kami:",),
        ("We have nothing made for that, but these are our bestsellers:",),
    ),
    # stock
    "stock.which": (("Produk yang mana yang mau dicek stoknya, {kak}?",), ("Which product should I check?",)),
    "stock.options": (("Ini pilihannya {kak}:",), ("Stock for these options:",)),
    "stock.word.untracked": (("tersedia",), ("available",)),
    "stock.word.count": (("{n} tersedia",), ("{n} in stock",)),
    "stock.word.out": (("stok habis",), ("out of stock",)),
    "stock.untracked": (
        ("*{name}* tersedia {kak} (jasa/produk tanpa batas stok), bisa langsung dipesan.",),
        ("*{name}* is available (made to order).",),
    ),
    "stock.out": (
        (
            "Mohon maaf {kak}, *{name}* sedang kosong (stok habis) 🙏",
            "Maaf {kak}, stok *{name}* sedang habis 🙏",
        ),
        ("Sorry, *{name}* is currently out of stock.",),
    ),
    "stock.preorder": (
        ("Bisa pre-order dengan DP {pct}%, nanti admin kabari saat barang tersedia.",),
        ("You can pre-order it with a {pct}% down payment; our staff will tell you when it arrives.",),
    ),
    "stock.short": (
        ("*{name}* ready {kak}, tapi stoknya tinggal {available} (kurang dari {qty} yang diminta).",),
        ("*{name}* is available, but only {available} left (you asked for {qty}).",),
    ),
    "stock.short_preorder": (
        ("Sisanya bisa pre-order dengan DP {pct}%.",),
        ("The rest can be pre-ordered with a {pct}% down payment.",),
    ),
    "stock.ok": (
        (
            "Ada {kak}, *{name}* ready! Stok tersedia {available}.",
            "*{name}* masih ada {kak}, stok tersedia {available}.",
        ),
        ("Yes, *{name}* is available — {available} in stock.",),
    ),
    "stock.enough": (("Untuk {qty} aman 👍",), ("{qty} is no problem.",)),
    # shipping
    "shipping.which_city": (
        ("Dikirim ke kota mana, {kak}? Nanti saya hitungkan ongkirnya 😊",),
        ("Which city should it be shipped to?",),
    ),
    "shipping.no_rate": (
        (
            "Mohon maaf {kak}, tarif pengiriman ke {city} belum ada di sistem kami. Admin akan bantu cek ongkirnya ya 🙏",
        ),
        (
            "Sorry, we don't have a shipping rate to {city} in our system yet; our staff will check it for you.",
        ),
    ),
    "shipping.days": (("{n} hari",), ("{n} days",)),
    "shipping.free": (
        ("GRATIS ongkir 🎉 (memenuhi syarat gratis ongkir)",),
        ("FREE shipping 🎉",),
    ),
    # prices
    "price.which": (
        ("Untuk produk yang mana, {kak}? Sebutkan nama produknya ya 😊",),
        ("Which product would you like the price for?",),
    ),
    "price.cheapest_first": (("Dari yang paling murah {kak}:",), ("From the cheapest:",)),
    "price.list": (("Harganya {kak}:", "Ini daftar harganya {kak}:"), ("Prices:",)),
    # two products compared
    "compare.prices": (("Perbandingan harganya {kak}:",), ("Here are both prices:",)),
    "compare.each_price": (("Harga masing-masing {kak}:",), ("The price of each:",)),
    "compare.intro": (("Ini perbandingan keduanya {kak}:",), ("Here are the two side by side:",)),
    "compare.cheaper": (
        ("Yang lebih murah *{name}*, selisihnya {diff}.",),
        ("*{name}* is cheaper, by {diff}.",),
    ),
    "compare.same": (("Harga keduanya sama {kak}.",), ("Both cost the same.",)),
    "print.compare_bw": (("hitam putih",), ("black and white",)),
    "print.compare_colour": (("warna",), ("colour",)),
    "print.per_sheet": ((" per lembar",), (" per page",)),
    "shipping.name_product": (
        ("Sebutkan produk dan jumlahnya supaya saya hitungkan totalnya ya 😊",),
        ("Tell me the product and quantity for an exact total.",),
    ),
    "shipping.free_rule": (
        ("Gratis ongkir untuk wilayah {cities} dengan belanja minimal {min}.",),
        ("Free shipping to {cities} for purchases of at least {min}.",),
    ),
    "shipping.free_rule_ask_city": (
        (
            "Gratis ongkir untuk wilayah {cities} dengan belanja minimal {min} {kak}. Mau dikirim ke kota mana?",
        ),
        ("Free shipping to {cities} for purchases of at least {min}. Which city should it go to?",),
    ),
    "shipping.ask_city": (("Dikirim ke kota mana, {kak}?",), ("Which city should it be shipped to?",)),
    # orders
    "order.cancelled": (
        ("Baik {kak}, draf pesanannya saya batalkan.",),
        ("Okay, the order draft is cancelled.",),
    ),
    "order.which": (
        ("Mau pesan produk apa, {kak}? Sebutkan nama dan jumlahnya ya 😊",),
        ("Which product would you like to order?",),
    ),
    "order.choose": (("Mau pesan yang mana, {kak}?",), ("Which one would you like to order?",)),
    "order.summary": (
        ("Siap {kak}, ini ringkasan pesanannya:", "Baik {kak}, saya catat pesanannya ya:"),
        ("Here is your order summary:",),
    ),
    "order.note_preorder": (
        ("Catatan: stok {name} sedang habis, jadi pesanan ini berupa pre-order.",),
        ("Note: {name} is out of stock, so this will be a pre-order.",),
    ),
    "order.note_short": (
        ("Catatan: stok {name} tinggal {available}.",),
        ("Note: only {available} of {name} left in stock.",),
    ),
    "draft.courier_head": (
        ("Ongkir ke {city} ({weight}, dihitung {kg} kg):",),
        ("Shipping to {city} ({weight}, charged {kg} kg):",),
    ),
    "draft.which_courier": (
        ("Mau pakai kurir yang mana, {kak}? (balas nama/nomornya, atau 'termurah')",),
        ("Which courier would you like? (reply with its name or number, or 'cheapest')",),
    ),
    "draft.free": (("GRATIS",), ("FREE",)),
    "draft.shipping_line": (
        ("Ongkir {courier} {service} ke {city} ({kg} kg): {cost}",),
        ("Shipping {courier} {service} to {city} ({kg} kg): {cost}",),
    ),
    "draft.ask_address": (
        ("Alamat lengkap pengirimannya di {city} di mana, {kak}? (jalan, nomor, kecamatan)",),
        ("What is the full delivery address in {city}?",),
    ),
    "draft.ask_name": (
        ("Pesanannya atas nama siapa, {kak}?",),
        ("Under what name should we place the order?",),
    ),
    "draft.ask_name_again": (
        ("Maaf {kak}, boleh tahu namanya dulu? Pesanannya atas nama siapa? 🙏",),
        ("Sorry, may I have your name first? Under what name should we place the order?",),
    ),
    "draft.add_which": (
        ("Mau tambah yang mana, {kak}? Nanti saya masukkan ke pesanan yang sama:",),
        ("Which one would you like to add? I'll put it in the same order:",),
    ),
    "draft.summary": (("Ringkasan pesanan {kak}:",), ("Order summary:",)),
    "draft.updated": (("Baik {kak}, pesanannya saya ubah jadi:",), ("Sure, your order is now:",)),
    "draft.pickup": (("Diambil di toko",), ("Pick-up at the shop",)),
    "draft.unpriced": (
        ("Ongkir ke {city}: belum ada di tarif kami, admin akan mengonfirmasi ongkirnya.",),
        ("Shipping to {city}: our staff will confirm the cost.",),
    ),
    "draft.address": (("Alamat: ",), ("Address: ",)),
    "draft.name": (("Atas nama: ",), ("Name: ",)),
    "draft.excl_shipping": ((" (belum termasuk ongkir)",), (" (excluding shipping)",)),
    "draft.confirm": (
        ("Balas *YA* untuk konfirmasi atau *BATAL* untuk membatalkan 🙏",),
        ("Reply *YES* to confirm or *CANCEL* to cancel.",),
    ),
    "product.have": (
        ("Ada {kak}! *{name}* harganya {price}", "Tersedia {kak}: *{name}* — {price}"),
        ("Yes, we have *{name}* — {price}",),
    ),
    # the product's head line when none is in stock: "we have it" would contradict "out of stock" after it
    "product.have_none": (("*{name}* harganya {price}",), ("*{name}* — {price}",)),
    "product.normally": (("harga normal {price}",), ("normally {price}",)),
    "product.options": (
        ("Ada beberapa pilihan {kak}:", "Ini pilihan yang tersedia {kak}:", "Ada {kak}, pilihannya:"),
        ("Here are some options:",),
    ),
    "product.recommended": (
        (
            "Ada beberapa pilihan {kak}:",
            "Ini pilihan yang tersedia {kak}:",
            "Berikut rekomendasi kami {kak}:",
        ),
        ("Here are our recommendations:",),
    ),
    "product.sizes": ((" Ukuran tersedia: {sizes}.",), (" Sizes: {sizes}.",)),
    "product.any_time": (("Bisa dipesan kapan saja.",), ("Available to order.",)),
    "product.out": (("Stok sedang habis.",), ("Currently out of stock.",)),
    "product.in_stock": (("Stok tersedia {n}.",), ("In stock ({n} available).",)),
    "shipping.parcel_head": (
        ("Ongkir paket {weight} ke {city} (dihitung {kg} kg):",),
        ("Shipping for a {weight} parcel to {city} (charged {kg} kg):",),
    ),
    "shipping.as_said": ((" sesuai yang disebutkan",), (" as you said",)),
    "shipping.unit_price": (
        ("Harga *{name}* {price}.",),
        ("*{name}* is {price} each.",),
    ),
    "shipping.lines_head": (
        ("Ongkir {n} produk ini ({weight}, dihitung {kg} kg) ke {city}:",),
        ("Shipping for these {n} items ({weight}, charged {kg} kg) to {city}:",),
    ),
    "shipping.items_head": (
        ("Ongkir {qty} × {name} ({weight}, dihitung {kg} kg) ke {city}:",),
        ("Shipping for {qty} × {name} ({weight}, charged {kg} kg) to {city}:",),
    ),
    "shipping.subtotal": (("Subtotal produk {subtotal}. ",), ("Subtotal: {subtotal}. ",)),
    "shipping.cheapest_total": (
        ("Total dengan ongkir termurah ({courier}): {total}.",),
        ("Total with the cheapest option ({courier}): {total}.",),
    ),
    "shipping.named_total": (
        ("Total dengan ongkir {courier}: {total}.",),
        ("Total with {courier} shipping: {total}.",),
    ),
    "shipping.no_weight": (
        ("Berat produk ini belum tercatat {kak}, jadi ini tarif per kg ke {city}:",),
        ("The weight of this product isn't recorded yet; rates per kg to {city}:",),
    ),
    "shipping.rates": (("Tarif ongkir ke {city} (per kg):",), ("Shipping rates to {city} (per kg):",)),
    "order.failed": (
        ("Maaf {kak}, pesanan belum bisa dibuat: {error}",),
        ("Sorry, the order could not be created: {error}",),
    ),
    "order.try_again": (("coba lagi",), ("please try again",)),
    "order.created": (
        ("Terima kasih {kak}, pesanan *{number}* sudah dibuat 🙏 Total {total}",),
        ("Thank you! Your order *{number}* has been created. Total: {total}",),
    ),
    "order.total_pickup": ((" (diambil di toko).",), (" (pick-up at the shop).",)),
    "order.total_with_shipping": (((" (termasuk ongkir {cost})."),), (" (including shipping {cost}).",)),
    "order.total_free_shipping": ((" (gratis ongkir).",), (" (free shipping).",)),
    "order.total_no_shipping": ((" (belum termasuk ongkir).",), (" (excluding shipping).",)),
    "order.payment_link": (("\nLink pembayaran: ",), ("\nPayment link: ",)),
    "order.payment_by_staff": (
        (" Admin kami akan mengirimkan detail pembayarannya ya.",),
        (" Our staff will send the payment details shortly.",),
    ),
    "order.shipping_and_payment_by_staff": (
        (" Admin kami akan mengirimkan ongkir dan detail pembayarannya ya.",),
        (" Our staff will send the shipping cost and payment details shortly.",),
    ),
    "status.not_found": (
        (
            "Mohon maaf {kak}, pesanan {number} tidak ditemukan untuk nomor ini 🙏 Mohon cek kembali nomor "
            "pesanannya, atau ketik *admin* untuk dibantu staf.",
        ),
        ("Sorry, we could not find order {number} for your number. Please check it again, or type *admin*.",),
    ),
    "status.ask_number": (
        ("Boleh kirim nomor pesanannya, {kak}? (contoh: ORD-20260101-0001) Saya bantu cek 🙏",),
        ("Please send me your order number (e.g. ORD-20260101-0001).",),
    ),
    "status.line": (
        ("Pesanan *{number}* {status}. Total {total}.",),
        ("Order *{number}* is {status}. Total {total}.",),
    ),
    "status.payment_link": ((" Link pembayaran: ",), (" Payment link: ",)),
    # print shop
    "print.no_size": (
        (
            "Mohon maaf {kak}, ukuran {size} tidak tersedia; kami melayani {sizes}. Mau pakai ukuran yang mana?",
        ),
        ("Sorry, we do not print on {size}; our sizes are {sizes}. Which one would you like?",),
    ),
    "print.size_offered": (
        (
            "Bisa {kak}, kami melayani cetak ukuran {size}: {rates} per lembar. Ukuran yang tersedia: {sizes}.",
        ),
        ("Yes, we print on {size}: {rates} per page. Our sizes are {sizes}.",),
    ),
    "print.sizes_list": (
        ("Ukuran kertas yang bisa kami print {kak} (per lembar):",),
        ("The paper sizes we print on (per page):",),
    ),
    "print.bindings_list": (
        ("Pilihan jilid yang tersedia {kak} (per buku): {bindings}.",),
        ("Our binding options (per copy): {bindings}.",),
    ),
    "print.document": (("dokumen",), ("document",)),
    "print.verb.print": (("print",), ("print",)),
    "print.verb.copy": (("fotokopi",), ("copy",)),
    "print.rate.bw": (("hitam putih",), ("black & white",)),
    "print.rate.color": (("warna",), ("colour",)),
    "print.rate.thesis": (("skripsi/tesis",), ("thesis",)),
    "print.rate.photo": (("halaman foto",), ("photo page",)),
    "print.estimate": (
        ("Estimasi biaya print {doc} {pages} halaman × {copies} rangkap:",),
        ("Estimate for printing {doc}, {pages} pages × {copies} copies:",),
    ),
    "print.duplex": (("bolak-balik",), ("double-sided",)),
    "print.binding": (("Jilid",), ("Binding",)),
    "print.minimum": (("• Biaya minimum {min}",), ("• Minimum charge {min}",)),
    "print.paper_line": (
        ("• Kertas {gsm} gram: {sheets} × {price} = {cost}",),
        ("• {gsm} gsm paper: {sheets} × {price} = {cost}",),
    ),
    "print.paper_rate": (
        ("Kertas {gsm} gram tambah {price} per halaman.",),
        ("{gsm} gsm paper adds {price} per page.",),
    ),
    "print.paper_free": (
        ("Kertas {gsm} gram tanpa biaya tambahan, {kak}.",),
        ("{gsm} gsm paper is at no extra cost.",),
    ),
    "print.paper_unknown": (
        ("Mohon maaf {kak}, kertas {gsm} gram belum ada di daftar harga kami; yang tersedia {gsms} gram.",),
        ("Sorry, {gsm} gsm paper is not on our price list; we have {gsms} gsm.",),
    ),
    "print.cover_colour_line": (
        ("• Warna sampul {colour} (di luar warna standar): {copies} × {price} = {cost}",),
        ("• Cover colour {colour} (not a standard colour): {copies} × {price} = {cost}",),
    ),
    "print.cover_colours_list": (
        (
            "Warna sampul standar kami: {colours}, tanpa biaya tambahan {kak}. Warna lain juga bisa, tambah "
            "{price} per buku.",
        ),
        ("Our standard cover colours: {colours}, no extra cost. Other colours are {price} extra per book.",),
    ),
    "print.cover_colours_only": (
        ("Warna sampul standar kami: {colours}, tanpa biaya tambahan {kak}.",),
        ("Our standard cover colours: {colours}, at no extra cost.",),
    ),
    "print.cover_colour_standard": (
        ("Warna sampul {colour} termasuk warna standar, tanpa biaya tambahan.",),
        ("{colour} is one of our standard cover colours, at no extra cost.",),
    ),
    "print.cover_colour_possible": (
        ("Bisa {kak}, warna sampul {colour} termasuk warna standar, tanpa biaya tambahan.",),
        ("Yes, {colour} is one of our standard cover colours, at no extra cost.",),
    ),
    "print.cover_colour_custom": (
        ("Bisa {kak}, warna sampul {colour} di luar warna standar ({colours}), tambah {price} per buku.",),
        (
            "Yes, a {colour} cover is possible: it is not a standard colour ({colours}), {price} extra per book.",
        ),
    ),
    "print.binding_total": (
        ("Jilid {binding} {books} buku: {books} × {price} = {cost}.",),
        ("Binding ({binding}) for {books} books: {books} × {price} = {cost}.",),
    ),
    "print.binding_each": (
        ("Jilid {binding} {price} per buku.",),
        ("Binding ({binding}) is {price} per book.",),
    ),
    "print.printing_apart": (
        (
            "Kalau sekalian diprint, biaya print dihitung terpisah per halaman ({rate} {price} per lembar), "
            "{kak}; sebutkan jumlah halamannya supaya saya hitungkan.",
        ),
        ("Printing, if you need it too, is priced per page on top ({rate}: {price} per page).",),
    ),
    "print.unit.copies": (("rangkap",), ("copies",)),
    "print.unit.sheets": (("lembar",), ("copies",)),
    "print.with_binding": ((", jilid {binding}",), (", binding {binding}",)),
    "print.with_colour": ((", warna",), (", colour",)),
    "print.noted": (
        ("Siap {kak}, {verb} {what} ya.", "Baik {kak}, pesanan {verb} {what} dicatat."),
        ("Sure, {verb} {what}.",),
    ),
    "print.rate": (
        ("Tarif {verb} {rate} {price} per lembar",),
        ("Rate to {verb}: {price} per page ({rate})",),
    ),
    "print.rate_binding": (
        (", jilid {binding} {price} per buku",),
        (", binding {binding} {price} per book",),
    ),
    "print.send_photo": (
        ("Silakan kirim foto/scan dokumennya di sini atau bawa langsung ke toko ya {kak} 🙏",),
        ("Please send a photo/scan here or bring the document to our store.",),
    ),
    "print.send_file": (
        (
            "Silakan kirim filenya (PDF/DOCX) di sini; kami cek formatnya dan total biaya dihitung dari jumlah halaman 🙏",
        ),
        ("Please send the file (PDF/DOCX); we will check it and confirm the total from the page count.",),
    ),
    "print.ask_pages": (
        ("Sebutkan jumlah halamannya supaya saya hitungkan totalnya ya.",),
        ("Tell me the number of pages and I will work out the total.",),
    ),
    "print.other_service_line": (
        ("• {name}: {count} × {price} = {cost}",),
        ("• {name}: {count} × {price} = {cost}",),
    ),
    "print.grand_total": (("Total semuanya: {total}",), ("Total for everything: {total}",)),
    "print.other_service_unlisted": (
        (
            "Untuk {service} belum ada di daftar harga kami, {kak}, jadi belum bisa saya hitungkan; bisa ditanyakan langsung di toko ya 🙏",
        ),
        ("{service} is not on our price list, so I cannot price it here; please ask at the shop 🙏",),
    ),
    "print.ask_copies": (("Mau dicetak berapa rangkap, {kak}?",), ("How many copies would you like?",)),
    "print.ask_binding": (
        ("Jilidnya mau hard cover, soft cover atau spiral, {kak}?",),
        ("Which binding would you like: hard cover, soft cover or spiral?",),
    ),
    "print.ask_colour": (("Cetaknya hitam putih atau warna, {kak}?",), ("Black & white or colour?",)),
    "price.is": (
        ("Harga *{name}* {price} {kak}", "*{name}* harganya {price} {kak}"),
        ("The price of *{name}* is {price}",),
    ),
    "price.on_sale": ((" (sedang promo, harga normal {price})",), (" (on sale, normally {price})",)),
    "price.for_units": ((" Untuk {qty} {unit}: {sum}.",), (" For {qty} {unit}: {sum}.",)),
    "price.for_qty": ((" Untuk {qty}: {sum}.",), (" For {qty}: {sum}.",)),
    # several products priced at once, each with its count ("X 2 sama Y 1 jadi berapa?")
    "price.lines_head": (("Rincian harganya {kak}:",), ("Here is the breakdown:",)),
    "price.line_out": (("Catatan: stok {name} sedang habis.",), ("Note: {name} is out of stock.",)),
    "price.for_area": (
        (" Untuk ukuran {w} × {h} m = {area} m²: {area} × {price} = {sum}.",),
        (" For {w} × {h} m = {area} m²: {area} × {price} = {sum}.",),
    ),
    "points.have": (("Poin {kak} saat ini {n} poin",), ("You have {n} points",)),
    "points.worth": ((", bisa dipakai untuk potongan {value}.",), (" (worth {value} off).",)),
    "points.program": (
        (
            "Ada {kak}: setiap belanja {per} dapat 1 poin, setiap {k} poin bisa ditukar potongan {value}. Poin "
            "berlaku {months} bulan.",
        ),
        (
            "Yes: every {per} spent earns 1 point, and every {k} points can be redeemed for {value} off. Points "
            "are valid for {months} months.",
        ),
    ),
    "express.surcharge": (
        ("Untuk pengerjaan express ada tambahan biaya {pct}% dari harga cetak, {kak}.",),
        ("Express work costs an extra {pct}% of the print price.",),
    ),
    "points.stated_worth": (
        ("{n} poin bisa ditukar potongan {value}, {kak} (setiap {k} poin = potongan {per}).",),
        ("{n} points can be exchanged for a {value} discount (every {k} points = {per} off).",),
    ),
    "points.for_spend": (
        ("Belanja {amount} dapat {n} poin, {kak} (setiap belanja {per} dapat 1 poin).",),
        ("A purchase of {amount} earns {n} points (1 point for every {per} spent).",),
    ),
    "draft.ask_fulfilment": (
        ("Pesanannya mau dikirim atau diambil di toko, {kak}? Kalau dikirim, ke kota mana?",),
        ("Should we ship it or will you pick it up at the shop? If shipping, to which city?",),
    ),
    "product.line_normally": (("normal {price}",), ("normally {price}",)),
    "product.line_out": (("stok habis",), ("out of stock",)),
    "weight": (("berat {w}",), ("weight {w}",)),
    # handoff and complaints
    "handoff.request": (
        (
            "Baik {kak}, saya sambungkan ke admin kami sekarang. Mohon ditunggu sebentar ya 🙏",
            "Siap {kak}, percakapan ini saya teruskan ke admin kami. Mohon ditunggu ya 🙏",
        ),
        ("Sure, I'm connecting you to our staff now. Please wait a moment 🙏",),
    ),
    "handoff.complaint": (
        (
            "Mohon maaf atas ketidaknyamanannya {kak} 🙏 Keluhan {kak} saya teruskan ke admin kami sekarang "
            "supaya segera ditangani.",
        ),
        ("Sorry for the trouble. I'm connecting you to our staff now; please wait a moment 🙏",),
    ),
    "handoff.unanswered": (
        (
            "Mohon maaf {kak}, sepertinya saya belum bisa menjawab dengan tepat 🙏 Saya sambungkan ke admin "
            "kami ya, mohon ditunggu.",
        ),
        (
            "Sorry, I can't answer that properly. I'm connecting you to our staff now; please wait a moment 🙏",
        ),
    ),
    "complaint.sorry": (
        ("Mohon maaf atas ketidaknyamanannya {kak} 🙏", "Kami mohon maaf sekali {kak} 🙏"),
        ("We're very sorry about that 🙏",),
    ),
    "complaint.order_attached": (
        ("Pesanan {number} sudah saya lampirkan untuk admin kami.",),
        ("Order {number} is attached for our staff.",),
    ),
    "complaint.send_photo": (
        ("Mohon kirim foto/video barangnya ya {kak}, supaya admin kami bisa segera memprosesnya.",),
        ("Please send a photo/video of the item so our staff can process it.",),
    ),
    "complaint.send_number": (
        ("Boleh kirim nomor pesanannya {kak}? Admin kami akan mengecek pengirimannya.",),
        ("Please send your order number so our staff can check the delivery.",),
    ),
    "complaint.send_photo_job": (
        ("Mohon kirim foto hasil cetaknya ya {kak}, supaya admin kami bisa segera mengeceknya.",),
        ("Please send a photo of the printed result so our staff can check it and follow up.",),
    ),
    "complaint.send_number_job": (
        ("Boleh kirim nomor pesanannya {kak}? Admin kami akan mengecek pengerjaannya.",),
        ("Please send your order number so our staff can check on the job.",),
    ),
    "complaint.send_number_any": (
        ("Boleh kirim nomor pesanannya {kak}? Admin kami akan segera mengeceknya.",),
        ("Please send your order number so our staff can check on it.",),
    ),
    "complaint.passed_with_order": (
        ("Keluhan {kak} sudah saya teruskan ke admin kami bersama pesanan {number} untuk ditindaklanjuti.",),
        ("I've passed this to our staff with your order {number}; they will follow up.",),
    ),
    "complaint.passed": (
        ("Keluhan {kak} sudah saya teruskan ke admin kami untuk ditindaklanjuti.",),
        ("I've passed your complaint to our staff; they will follow up.",),
    ),
    # payment
    "payment.proof_received": (
        (
            "Terima kasih {kak} 🙏 Bukti transfer untuk pesanan {number} ({total}) sudah kami terima dan "
            "diteruskan ke admin untuk dicek. Pesanan diproses setelah pembayaran terverifikasi ya.",
        ),
        (
            "Thank you! We received your transfer proof for order {number} ({total}). Our staff will verify it "
            "and process your order right after.",
        ),
    ),
    "payment.proof_again": (
        ("Bukti transfer ini sudah kami terima sebelumnya dan sedang dicek admin ya {kak} 🙏",),
        ("We already received this transfer proof; our staff are checking it.",),
    ),
    "payment.paid_claim": (
        (
            "Terima kasih {kak} 🙏 Pembayaran lewat link pembayaran terkonfirmasi otomatis. Kalau {kak} transfer "
            "manual atau statusnya belum berubah, mohon kirim bukti transfer dan nomor pesanannya, admin kami "
            "akan segera cek.",
        ),
        (
            "Thank you! Payments through our payment link are confirmed automatically. If you paid by manual "
            "transfer, please send the proof and your order number; our staff will check it.",
        ),
    ),
    "payment.awaiting": (
        ("Pesanan {number} menunggu pembayaran ({total}): ",),
        ("Order {number} is awaiting payment ({total}): ",),
    ),
    "payment.details_by_staff": (
        ("Detail pembayaran akan dikirim admin kami ya {kak} 🙏",),
        ("Our staff will send you the payment details.",),
    ),
    # the sentence an order confirmation carries while its payment link is being made, and the line that
    # replaces it when the link is ready before the reply leaves (`replies.with_payment_link`)
    "order.link_follows": (
        (" Link pembayarannya menyusul sebentar lagi ya.",),
        (" The payment link follows in a moment.",),
    ),
    "order.link_line": (("\nLink pembayaran: ",), ("\nPayment link: ",)),
    # salutations: the time of day (`TIME_OF_DAY`), and a greeting built on it
    "time.morning": (("Selamat pagi",), ("Good morning",)),
    "time.midday": (("Selamat siang",), ("Good afternoon",)),
    "time.afternoon": (("Selamat sore",), ("Good afternoon",)),
    "time.evening": (("Selamat malam",), ("Good evening",)),
    "salutation.time": (("Halo {kak}, {tg}!", "Hai {kak}, {tg}!"), ("{tg}!",)),
    # days of the week, Monday first (ISO weekday - 1)
    "day.1": (("Senin",), ("Monday",)),
    "day.2": (("Selasa",), ("Tuesday",)),
    "day.3": (("Rabu",), ("Wednesday",)),
    "day.4": (("Kamis",), ("Thursday",)),
    "day.5": (("Jumat",), ("Friday",)),
    "day.6": (("Sabtu",), ("Saturday",)),
    "day.7": (("Minggu",), ("Sunday",)),
    # a turn that failed on our side (the customer never sees an exception)
    "turn.failed": (
        ("Mohon maaf kak, sedang ada kendala di sistem kami 🙏 Admin kami akan segera membantu.",),
        ("Sorry, something went wrong on our side. Our staff will follow up shortly.",),
    ),
}

# The time of day by language: (from hour, key), the last band whose hour has passed (before the first one:
# the last band, i.e. night). Indonesian has four parts of the day, English three.
TIME_OF_DAY: dict[str, tuple[tuple[int, str], ...]] = {
    "id": ((4, "time.morning"), (10, "time.midday"), (15, "time.afternoon"), (18, "time.evening")),
    "en": ((4, "time.morning"), (12, "time.afternoon"), (18, "time.evening")),
}


def time_of_day(hour: int, lang: str) -> str:
    """The key of the time-of-day greeting at `hour` in `lang`."""
    bands = TIME_OF_DAY.get(lang) or TIME_OF_DAY["id"]
    key = bands[-1][1]
    for start, k in bands:
        if hour >= start:
            key = k
    return key


LANGS = ("id", "en")


def fields_of(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def wordings(key: str, lang: str) -> tuple[str, ...]:
    """The wordings of `key` in `lang`; Indonesian where a language has none (as the dashboard's labels)."""
    ind, eng = MESSAGES[key]
    return eng if lang == "en" and eng else ind
