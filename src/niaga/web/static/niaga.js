/* niaga dashboard behaviour: menu, theme, charts, live inbox (SSE), payment dialog, copy buttons. */
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // --- theme -------------------------------------------------------------------------------------
  var stored = null;
  try { stored = localStorage.getItem("niaga-theme"); } catch (e) { /* private mode */ }
  if (stored === "dark" || (!stored && window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches)) {
    document.documentElement.setAttribute("data-theme", "dark");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var themeBtn = $("#theme-toggle");
    if (themeBtn) {
      themeBtn.setAttribute("aria-pressed", document.documentElement.getAttribute("data-theme") === "dark" ? "true" : "false");
      themeBtn.addEventListener("click", function () {
        var dark = document.documentElement.getAttribute("data-theme") !== "dark";
        if (dark) { document.documentElement.setAttribute("data-theme", "dark"); }
        else { document.documentElement.removeAttribute("data-theme"); }
        themeBtn.setAttribute("aria-pressed", dark ? "true" : "false");
        try { localStorage.setItem("niaga-theme", dark ? "dark" : "light"); } catch (e) { /* ignore */ }
        renderCharts(true);
      });
    }

    // --- mobile menu -----------------------------------------------------------------------------
    var menuBtn = $("#menu-btn"), sidebar = $("#sidebar");
    if (menuBtn && sidebar) {
      menuBtn.addEventListener("click", function () {
        var open = sidebar.classList.toggle("open");
        menuBtn.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) { var first = $("a, button, select", sidebar); if (first) { first.focus(); } }
      });
      document.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape" && sidebar.classList.contains("open")) {
          sidebar.classList.remove("open"); menuBtn.setAttribute("aria-expanded", "false"); menuBtn.focus();
        }
      });
    }

    // --- copy buttons ----------------------------------------------------------------------------
    $all("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var src = document.getElementById(btn.getAttribute("data-copy"));
        if (!src) { return; }
        var text = src.value !== undefined ? src.value : src.textContent;
        var done = function () { btn.textContent = btn.getAttribute("data-copied") || "OK"; };
        if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done, done); }
        else { done(); }
      });
    });

    // --- dialogs -----------------------------------------------------------------------------------
    $all("[data-open-dialog]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var dlg = document.getElementById(btn.getAttribute("data-open-dialog"));
        if (dlg && dlg.showModal) { dlg.showModal(); var f = $("input, select", dlg); if (f) { f.focus(); } }
      });
    });
    $all("[data-close-dialog]").forEach(function (btn) {
      btn.addEventListener("click", function () { var d = btn.closest("dialog"); if (d) { d.close(); } });
    });
    if ($("dialog[data-open-on-load]")) { var d0 = $("dialog[data-open-on-load]"); if (d0.showModal) { d0.showModal(); } }

    labelTables(document);
    var kindSel = $("#kind");
    if (kindSel && $("#import-columns")) {
      kindSel.addEventListener("change", function () {
        $all("#import-columns [data-kind]").forEach(function (el) { el.hidden = el.getAttribute("data-kind") !== kindSel.value; });
      });
    }
    document.body.addEventListener("htmx:afterSwap", function (ev) { labelTables(ev.target || document); });
    setupPayment();
    renderCharts(false);
    setupLive();
    scrollThread();
  });

  // --- phone tables: every body cell gets its column's header as data-label (shown by CSS on small screens)
  function labelTables(root) {
    $all(".table-wrap table", root.querySelectorAll ? root : document).forEach(function (table) {
      var heads = [];
      $all("thead tr:first-child th", table).forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10) || 1;
        for (var i = 0; i < span; i++) { heads.push(th.textContent.trim()); }
      });
      if (!heads.length) { return; }
      $all("tbody tr", table).forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (!td.hasAttribute("data-label") && !td.classList.contains("empty")) {
            td.setAttribute("data-label", heads[col] || "");
          }
          col += parseInt(td.getAttribute("colspan") || "1", 10) || 1;
        });
      });
    });
  }

  // --- payment dialog: show the fields of the chosen method and compute the change -----------------
  function setupPayment() {
    var form = $("#payment-form");
    if (!form) { return; }
    var method = $("[name=method]", form), amount = $("[name=amount]", form), tendered = $("[name=tendered]", form);
    var change = $("#change-value");
    function digits(v) { return parseInt(String(v || "").replace(/[^0-9]/g, ""), 10) || 0; }
    function fmt(n) { return "Rp" + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
    function update() {
      var m = method.value;
      $all("[data-method]", form).forEach(function (el) {
        el.classList.toggle("hidden", el.getAttribute("data-method").split(" ").indexOf(m) < 0);
      });
      if (change) {
        // nothing to show until the cashier types the cash received
        var typed = tendered && /[0-9]/.test(tendered.value);
        var c = typed ? digits(tendered.value) - digits(amount && amount.value) : 0;
        change.textContent = !typed ? "—" : (c >= 0 ? fmt(c) : "−" + fmt(-c));
        change.classList.toggle("badge-danger", typed && c < 0);
        change.classList.toggle("badge-ok", typed && c >= 0);
        change.classList.toggle("badge-muted", !typed);
      }
    }
    [method, amount, tendered].forEach(function (el) { if (el) { el.addEventListener("input", update); el.addEventListener("change", update); } });
    update();
  }

  // --- charts ------------------------------------------------------------------------------------
  var charts = [];
  function renderCharts(again) {
    var dataEl = $("#chart-data");
    if (!dataEl || typeof Chart === "undefined") { return; }
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var data = JSON.parse(dataEl.textContent);
    var css = getComputedStyle(document.documentElement);
    var ink = css.getPropertyValue("--muted").trim(), line = css.getPropertyValue("--line").trim();
    var primary = css.getPropertyValue("--primary").trim();
    Chart.defaults.color = ink; Chart.defaults.borderColor = line;
    Chart.defaults.font.family = css.getPropertyValue("--font");
    var rupiah = function (v) { return "Rp" + Math.round(Number(v)).toLocaleString("id-ID"); };
    var months = (data.months || "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des").split(" ");
    var dayLabel = function (iso) { var p = String(iso).split("-"); return parseInt(p[2], 10) + " " + months[parseInt(p[1], 10) - 1]; };
    var revenueMax = Math.max.apply(null, [0].concat(data.revenue.values));
    var common = { responsive: true, maintainAspectRatio: false, animation: again ? false : { duration: 300 },
      plugins: { legend: { display: false } } };
    function make(id, cfg) {
      var el = document.getElementById(id);
      if (!el) { return; }
      charts.push(new Chart(el, cfg));
      el.setAttribute("data-rendered", "1");
    }
    // whole-rupiah ticks (an empty month must not read "Rp0,1 … Rp0,9") and dates as "1 Nov"
    make("chart-revenue", { type: "bar", data: { labels: data.revenue.labels.map(dayLabel),
      datasets: [{ data: data.revenue.values, backgroundColor: primary, borderRadius: 4 }] },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true, suggestedMax: revenueMax > 0 ? undefined : 100000,
        ticks: { precision: 0, callback: function (v) { return Number.isInteger(v) ? rupiah(v) : ""; } } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return rupiah(c.parsed.y); } } } } }) });
    var palette = ["#0f766e", "#f59e0b", "#3b82f6", "#a855f7", "#ef4444", "#10b981", "#64748b", "#ec4899", "#14b8a6", "#eab308", "#6366f1"];
    make("chart-status", { type: "doughnut", data: { labels: data.status.labels,
      datasets: [{ data: data.status.values, backgroundColor: palette }] },
      options: Object.assign({}, common, { plugins: { legend: { display: true, position: "bottom" } } }) });
    make("chart-hours", { type: "bar", data: { labels: data.hours.labels,
      datasets: [{ data: data.hours.values, backgroundColor: "#f59e0b", borderRadius: 3 }] },
      options: Object.assign({}, common, { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }) });
  }

  // --- live inbox over SSE ---------------------------------------------------------------------------
  function setupLive() {
    var live = $("[data-live]");
    if (!live || typeof EventSource === "undefined") { return; }
    var dot = $("#live-dot");
    var timer = null;
    var src = new EventSource(live.getAttribute("data-live"));
    src.onopen = function () { if (dot) { dot.classList.add("on"); } };
    src.onerror = function () { if (dot) { dot.classList.remove("on"); } };
    function refresh(ev) {
      var detail = {};
      try { detail = JSON.parse(ev.data || "{}"); } catch (e) { /* keep-alive or plain text */ }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var list = $("#conv-list");
        if (list && window.htmx) {
          htmx.ajax("GET", list.getAttribute("data-src"), { target: "#conv-list", swap: "innerHTML" });
        }
        var thread = $("#thread");
        if (thread && window.htmx) {
          var cid = thread.getAttribute("data-conversation");
          if (!detail.conversation_id || String(detail.conversation_id) === cid) {
            htmx.ajax("GET", thread.getAttribute("data-src"), { target: "#thread", swap: "outerHTML" })
              .then(scrollThread);
          }
        }
      }, 120);
    }
    src.addEventListener("inbox", refresh);
    src.addEventListener("message", refresh);
  }

  function scrollThread() {
    var t = $("#thread");
    if (t) { t.scrollTop = t.scrollHeight; }
  }
  document.addEventListener("htmx:afterSwap", function (ev) {
    scrollThread();
  });
})();
