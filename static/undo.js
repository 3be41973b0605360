// The "Undo" notice counts down the seconds left, and says so when the decision can no longer be undone (the
// server refuses a late undo anyway: this only keeps the notice honest). Its words come from the page
// (data-undo-late), in the page's language.
(function () {
  "use strict";
  var notice = document.querySelector("[data-undo-until]");
  if (!notice) return;
  var until = Date.parse(notice.getAttribute("data-undo-until"));
  var left = notice.querySelector("[data-undo-left]");
  // The page's clock may differ from the server's: count from the seconds the server gave.
  var ends = Date.now() + 1000 * parseInt(left.textContent, 10);
  if (isNaN(ends)) ends = until;
  function tick() {
    var seconds = Math.ceil((ends - Date.now()) / 1000);
    if (seconds > 0) {
      left.textContent = String(seconds);
      window.setTimeout(tick, 250);
      return;
    }
    var form = notice.querySelector("form");
    var done = document.createElement("p");
    done.textContent = notice.getAttribute("data-undo-late");
    notice.replaceChild(done, form);
  }
  tick();
})();
