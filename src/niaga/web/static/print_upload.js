/* Customer upload page: drag and drop, several files, a progress bar (XHR upload progress), phone-friendly. */
(function () {
  "use strict";
  var form = document.getElementById("up-form");
  if (!form) { return; }
  var input = document.getElementById("up-files");
  var drop = document.getElementById("drop");
  var list = document.getElementById("up-list");
  var bar = document.getElementById("up-bar");
  var pct = document.getElementById("up-pct");
  var msg = document.getElementById("up-msg");
  var send = document.getElementById("up-send");
  var max = parseInt(form.getAttribute("data-max") || "20", 10);
  var chosen = [];
  var lang = form.getAttribute("data-lang") || "id";
  /* Texts come from the page (data-msg-*), rendered in the customer's language. */
  function say(name, fallback) { return form.getAttribute("data-msg-" + name) || fallback; }

  function size(n) { return n > 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB"; }
  function draw() {
    list.innerHTML = "";
    chosen.forEach(function (f, i) {
      var li = document.createElement("li");
      var name = document.createElement("span"); name.textContent = f.name + " (" + size(f.size) + ")";
      var rm = document.createElement("button"); rm.type = "button"; rm.className = "btn btn-sm"; rm.textContent = say("remove", "Hapus");
      rm.addEventListener("click", function () { chosen.splice(i, 1); draw(); });
      li.appendChild(name); li.appendChild(rm); list.appendChild(li);
    });
  }
  function add(files) {
    for (var i = 0; i < files.length && chosen.length < max; i++) { chosen.push(files[i]); }
    if (files.length && chosen.length >= max) { msg.textContent = say("max", "Maksimal " + max + " file."); }
    draw();
  }
  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { if (e.dataTransfer) { add(e.dataTransfer.files); } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!chosen.length) { msg.className = "up-err"; msg.textContent = say("choose", "Pilih file dulu ya."); return; }
    var data = new FormData();
    chosen.forEach(function (f) { data.append("files", f, f.name); });
    data.append("note", document.getElementById("up-note").value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", window.location.pathname + "?lang=" + encodeURIComponent(lang));
    form.querySelector(".up-progress").hidden = false;
    send.disabled = true; msg.className = ""; msg.textContent = say("uploading", "Mengunggah…");
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) { var p = Math.round(ev.loaded * 100 / ev.total); bar.value = p; pct.textContent = p + "%"; }
    });
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = { message: say("failed", "Gagal mengunggah, coba lagi.") }; }
      bar.value = 100; pct.textContent = "100%";
      msg.className = body.ok ? "up-ok" : "up-err";
      msg.textContent = body.message + (body.refused && body.refused.length ? " " + say("refused", "Ditolak:") + " " + body.refused.join(", ") : "");
      if (body.ok) { chosen = []; draw(); }
      send.disabled = false;
    };
    xhr.onerror = function () { msg.className = "up-err"; msg.textContent = say("offline", "Koneksi terputus, coba lagi."); send.disabled = false; };
    xhr.send(data);
  });
})();
