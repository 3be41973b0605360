// The queue holds still: new reports do not join the list the editor is working through. This asks the
// server now and then how many arrived (shown in the "N new reports" bar) and which listed reports other
// editors acted on (marked on their row). Without JavaScript the bar and the marks come with each load. The
// server's answer says both in the editor's language: the script holds no words of its own.
(function () {
  "use strict";
  var bar = document.querySelector("[data-new-reports]");
  if (!bar || !window.fetch) return;
  var count = bar.querySelector("[data-new-count]");
  var seconds = Math.max(5, parseInt(bar.getAttribute("data-poll-seconds"), 10) || 45);
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-ids]"));
  var ids = rows.map(function (row) { return row.getAttribute("data-ids"); }).filter(Boolean).join(",");
  var url = bar.getAttribute("data-poll") + (bar.getAttribute("data-poll").indexOf("?") < 0 ? "?" : "&") +
    "ids=" + encodeURIComponent(ids);

  function show(data) {
    if (data.new > 0) {
      count.textContent = data.said;
      bar.hidden = false;
    }
    rows.forEach(function (row) {
      var marks = row.querySelector("[data-changed]");
      var references = row.getAttribute("data-references").split(",");
      row.getAttribute("data-ids").split(",").forEach(function (id, i) {
        var change = data.changed[id];
        if (!change || marks.querySelector('[data-id="' + id + '"]')) return;
        var mark = document.createElement("span");
        mark.className = "acted-on";
        mark.setAttribute("data-id", id);
        var reference = document.createElement("span");
        reference.className = "ref";  // never broken after its hyphen
        reference.textContent = references[i];
        mark.appendChild(reference);
        mark.appendChild(document.createTextNode(": " + change.said));
        marks.appendChild(mark);
      });
    });
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", poll);
})();
