/* Antrean cetak: refresh the board when a print job changes (SSE), without losing the scroll position. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || typeof EventSource === "undefined") { return; }
  var dot = document.getElementById("live-dot");
  var timer = null;
  var src = new EventSource(board.getAttribute("data-live"));
  src.onopen = function () { if (dot) { dot.classList.add("on"); } };
  src.onerror = function () { if (dot) { dot.classList.remove("on"); } };
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(board.getAttribute("data-src"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var x = window.scrollX, y = window.scrollY;
          board.innerHTML = html;
          board.setAttribute("data-refreshed", String(Date.now()));
          window.scrollTo(x, y);
        });
    }, 150);
  }
  src.addEventListener("print", refresh);
})();
