/* niaga chat widget — embed with:
 *   <script src="https://your-niaga/widget.js" data-business="your-slug" async></script>
 * Vanilla JS, no dependencies, styles isolated in a shadow root. Messages arrive over SSE with a polling
 * fallback; the anonymous visitor id lives in localStorage. */
(function () {
  "use strict";
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[data-business]");
    return all[all.length - 1];
  })();
  if (!script || window.__niagaWidgetLoaded) { return; }
  window.__niagaWidgetLoaded = true;
  var slug = script.getAttribute("data-business");
  if (!slug) { return; }
  var src = new URL(script.src, document.baseURI);
  var base = src.origin + src.pathname.replace(/\/widget\.js$/, "");
  var api = base + "/widget/" + encodeURIComponent(slug);
  var lang = (script.getAttribute("data-lang") || "id").slice(0, 2);
  var T = {
    id: {title: "Chat dengan kami", placeholder: "Tulis pesan…", send: "Kirim", open: "Buka chat",
         close: "Tutup chat", offline: "Koneksi terputus, mencoba lagi…", failed: "Pesan gagal terkirim. Coba lagi.",
         limited: "Terlalu banyak pesan, tunggu sebentar ya.", hello: "Halo! Ada yang bisa kami bantu?",
         you: "Anda", typing: "Sedang membalas…", intro: "Boleh kenalan dulu? Supaya admin mudah membantu.",
         name: "Nama", phone: "No. WhatsApp (opsional)", go: "Mulai chat", skip: "Lewati",
         needName: "Isi nama dulu ya."},
    en: {title: "Chat with us", placeholder: "Type a message…", send: "Send", open: "Open chat",
         close: "Close chat", offline: "Connection lost, retrying…", failed: "Message not sent. Try again.",
         limited: "Too many messages, please wait a moment.", hello: "Hi! How can we help?",
         you: "You", typing: "Replying…", intro: "May we know your name? It helps our staff.",
         name: "Name", phone: "WhatsApp number (optional)", go: "Start chat", skip: "Skip",
         needName: "Please enter your name."}
  }[lang === "en" ? "en" : "id"];

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var s = ""; for (var i = 0; i < 32; i++) { s += Math.floor(Math.random() * 16).toString(16); } return s;
  }
  var storeKey = "niaga_vid_" + slug;
  var visitor;
  try { visitor = localStorage.getItem(storeKey); } catch (e) { visitor = null; }
  if (!visitor || !/^[A-Za-z0-9_-]{16,64}$/.test(visitor)) {
    visitor = newId();
    try { localStorage.setItem(storeKey, visitor); } catch (e) { /* private mode: id lives for this page */ }
  }

  var host = document.createElement("div");
  host.setAttribute("data-niaga-widget", slug);
  document.body.appendChild(host);
  var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '.nw{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937}' +
    '.bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;' +
    'background:#0f766e;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '.panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;' +
    'max-height:calc(100vh - 120px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);' +
    'display:none;flex-direction:column;overflow:hidden;z-index:2147483000}' +
    '.panel.open{display:flex}' +
    '.head{background:#0f766e;color:#fff;padding:12px 14px;font-weight:600;display:flex;justify-content:space-between}' +
    '.head button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}' +
    '.log{flex:1;overflow-y:auto;padding:12px;background:#f8fafc}' +
    '.msg{max-width:80%;margin:4px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}' +
    '.in{background:#0f766e;color:#fff;margin-left:auto;border-bottom-right-radius:2px}' +
    '.out{background:#e2e8f0;border-bottom-left-radius:2px}' +
    '.note{font-size:12px;color:#b91c1c;text-align:center;margin:6px 0}' +
    '.status{font-size:12px;color:#64748b;padding:0 12px 4px;min-height:16px}' +
    'form.send{display:flex;border-top:1px solid #e2e8f0}' +
    '.intro{display:none;padding:10px 12px;border-top:1px solid #e2e8f0;background:#fff}' +
    '.intro.show{display:block}.intro p{margin:0 0 6px}' +
    '.intro input{box-sizing:border-box;width:100%;margin:0 0 6px;padding:8px;border:1px solid #cbd5e1;border-radius:6px;font:inherit}' +
    '.intro .row{display:flex;gap:8px}.intro .row button{flex:1;padding:8px;border-radius:6px;cursor:pointer;font:inherit;border:1px solid #0f766e}' +
    '.intro .go{background:#0f766e;color:#fff}.intro .skip{background:#fff;color:#0f766e}' +
    'textarea{flex:1;border:0;padding:10px;resize:none;font:inherit;height:42px;outline:none}' +
    'form button{border:0;background:#0f766e;color:#fff;padding:0 16px;cursor:pointer;font:inherit}' +
    '</style>' +
    '<div class="nw">' +
    '<div class="panel" role="dialog"><div class="head"><span class="title"></span>' +
    '<button type="button" class="x"></button></div>' +
    '<div class="log" aria-live="polite"></div><div class="status"></div>' +
    '<div class="intro"><p class="q"></p><input class="nm" name="name" maxlength="100" autocomplete="name">' +
    '<input class="ph" name="phone" maxlength="24" inputmode="tel" autocomplete="tel">' +
    '<div class="row"><button type="button" class="go"></button><button type="button" class="skip"></button></div></div>' +
    '<form class="send"><textarea name="text" rows="1" maxlength="2000"></textarea><button type="submit"></button></form></div>' +
    '<button type="button" class="bubble">💬</button></div>';
  var $ = function (sel) { return root.querySelector(sel); };
  var panel = $(".panel"), log = $(".log"), form = $("form.send"), input = $("textarea"), status = $(".status");
  var intro = $(".intro"), introKey = "niaga_intro_" + slug;
  $(".intro .q").textContent = T.intro;
  $(".intro .nm").setAttribute("placeholder", T.name); $(".intro .nm").setAttribute("aria-label", T.name);
  $(".intro .ph").setAttribute("placeholder", T.phone); $(".intro .ph").setAttribute("aria-label", T.phone);
  $(".intro .go").textContent = T.go; $(".intro .skip").textContent = T.skip;
  function introDone(value) {
    try { localStorage.setItem(introKey, value); } catch (e) { /* private mode */ }
    intro.classList.remove("show"); input.focus();
    Array.prototype.forEach.call(log.querySelectorAll(".note"), function (n) { n.remove(); });
  }
  function introNeeded() {
    try { return !localStorage.getItem(introKey); } catch (e) { return false; }
  }
  $(".title").textContent = T.title;
  $(".x").textContent = "×"; $(".x").setAttribute("aria-label", T.close);
  $(".bubble").setAttribute("aria-label", T.open);
  input.setAttribute("placeholder", T.placeholder);
  form.querySelector("button").textContent = T.send;

  var seen = {}, lastId = 0, hasConversation = false, started = false, es = null, pollTimer = null, sseErrors = 0;

  function render(m) {
    if (!m || seen[m.id]) { return; }
    seen[m.id] = true;
    if (m.id > lastId) { lastId = m.id; hasConversation = true; }
    var div = document.createElement("div");
    div.className = "msg " + (m.direction === "in" ? "in" : "out");
    div.setAttribute("data-id", m.id);
    var text = m.text || "";
    if (!text && m.media && m.media.length) { text = "📎 " + (m.media[0].filename || "file"); }
    markup(div, text);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    if (m.direction !== "in") { status.textContent = ""; }
  }
  // WhatsApp-style markup as DOM nodes (never innerHTML): *bold*, _italic_, ~strike~, ```mono```. Same rules as
  // niaga.kit.chatmarkup: a marker opens at the start or after a space/punctuation, closes before one, and
  // never spans a line break.
  var MARK = /```([^\n`][^`]*?)```|(^|[\s(\[{"'.,:;!?-])([*_~])(?=\S)([^\n]*?\S)\3(?=$|[\s)\]}"'.,:;!?-])/m;
  var TAGS = {"*": "b", "_": "i", "~": "s"};
  function markup(el, text) {
    var rest = text;
    while (rest) {
      var m = MARK.exec(rest);
      if (!m) { el.appendChild(document.createTextNode(rest)); return; }
      var lead = m[1] !== undefined ? m.index : m.index + m[2].length;
      if (lead > 0) { el.appendChild(document.createTextNode(rest.slice(0, lead))); }
      var node = document.createElement(m[1] !== undefined ? "code" : TAGS[m[3]]);
      node.textContent = m[1] !== undefined ? m[1] : m[4];
      el.appendChild(node);
      rest = rest.slice(m.index + m[0].length);
    }
  }
  function note(text) {
    var div = document.createElement("div"); div.className = "note"; div.textContent = text;
    log.appendChild(div); log.scrollTop = log.scrollHeight;
  }
  function fetchNew() {
    return fetch(api + "/messages?visitor_id=" + visitor + "&after=" + lastId, {mode: "cors"})
      .then(function (r) { return r.json(); })
      .then(function (body) { (body.data || []).forEach(render); })
      .catch(function () { /* next poll */ });
  }
  function poll() {
    if (pollTimer) { return; }
    pollTimer = setInterval(fetchNew, 3000);
  }
  function connect() {
    if (!window.EventSource || sseErrors > 3) { poll(); return; }
    es = new EventSource(api + "/stream?visitor_id=" + visitor + "&after=" + lastId);
    es.addEventListener("message", function (ev) {
      sseErrors = 0; status.textContent = status.textContent === T.offline ? "" : status.textContent;
      try { var data = JSON.parse(ev.data); render(data.message); } catch (e) { /* ignore */ }
    });
    es.onerror = function () {
      sseErrors += 1;
      if (sseErrors > 3) { es.close(); es = null; poll(); fetchNew(); }
      else { status.textContent = T.offline; }
    };
  }
  function start() {
    if (started) { return; }
    started = true;
    fetchNew().then(function () {
      if (lastId === 0) { render({id: 0, direction: "out", text: T.hello}); seen[0] = true; }
      // A first visit: ask who we are talking to (the name is optional to give, never required to chat).
      if (lastId === 0 && introNeeded()) { intro.classList.add("show"); $(".intro .nm").focus(); }
      connect();
    });
  }
  $(".bubble").addEventListener("click", function () {
    panel.classList.toggle("open");
    if (panel.classList.contains("open")) { start(); input.focus(); }
  });
  $(".x").addEventListener("click", function () { panel.classList.remove("open"); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : send(); }
  });
  function send() {
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    fetch(api + "/messages", {
      method: "POST", mode: "cors", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({visitor_id: visitor, text: text, client_id: newId()})
    }).then(function (r) {
      return r.json().then(function (body) {
        if (r.status === 429) { note(T.limited); input.value = text; return; }
        if (!r.ok || !body.success) { note((body.error && body.error.message) || T.failed); input.value = text; return; }
        var first = !hasConversation;
        hasConversation = true;
        render(body.data.message);
        status.textContent = T.typing;
        // The stream opened before this visitor had a conversation: reopen it so it follows the new one.
        if (es && first) { es.close(); es = null; connect(); }
        if (!es) { setTimeout(fetchNew, 1500); }
      });
    }).catch(function () { note(T.failed); input.value = text; });
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); send(); });
  $(".intro .skip").addEventListener("click", function () { introDone("skipped"); });
  $(".intro .go").addEventListener("click", function () {
    var name = $(".intro .nm").value.trim(), phone = $(".intro .ph").value.trim();
    if (!name) { note(T.needName); $(".intro .nm").focus(); return; }
    fetch(api + "/profile", {
      method: "POST", mode: "cors", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({visitor_id: visitor, name: name, phone: phone || null})
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok || !body.success) {
          var d = (body.error && body.error.details) || {};
          note(d.phone || d.name || (body.error && body.error.message) || T.failed); return;
        }
        introDone("named");
      });
    }).catch(function () { note(T.failed); });
  });
})();
