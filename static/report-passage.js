// Select words in the article and a "Report this passage" button opens the report form with them filled in.
// Without JavaScript the article's plain "Report an inaccuracy" link does the same job.
(function () {
  "use strict";
  var article = document.querySelector("[data-report-url]");
  var body = document.getElementById("article-body");
  if (!article || !body) return;
  var reportUrl = article.getAttribute("data-report-url");
  var MAX = 1000;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  var button = document.createElement("a");
  button.className = "button passage-button";
  // The page gives the button's words in its own language.
  button.textContent = article.getAttribute("data-passage-label") || "Report this passage";
  button.hidden = true;
  document.body.appendChild(button);
  // Pressing the button must not clear the selection it is about.
  button.addEventListener("mousedown", function (event) { event.preventDefault(); });

  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return "";
    var range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return "";
    return selection.toString().replace(/\s+/g, " ").trim().slice(0, MAX);
  }

  function update() {
    var passage = selectedPassage();
    if (!passage) { button.hidden = true; return; }
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    button.href = reportUrl + "?passage=" + encodeURIComponent(passage);
    button.style.top = (window.scrollY + rect.bottom + 8) + "px";
    button.style.left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - 200)) + "px";
    button.hidden = false;
  }

  // selectionchange covers mouse, touch handles and keyboard selection alike.
  var pending = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(pending);
    // Hide a little later than we show, so a tap on the button still lands.
    pending = setTimeout(update, selectedPassage() ? 150 : 400);
  });
})();
