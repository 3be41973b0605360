// Presence: which other editors have a report open (corrections/triage/presence.py).
// On a report page this tab sends a heartbeat every few seconds, saying whether its editor is answering (a
// decision form has the focus or holds something typed), and shows who else is there and the warning the
// server words. On the queue it asks who has the listed reports open. Without JavaScript both pages show
// presence as it was when they loaded.
(function () {
  "use strict";
  if (!window.fetch) return;

  function every(seconds, run) {
    var ms = Math.max(500, (parseFloat(seconds) || 5) * 1000);
    run();
    setInterval(run, ms);
    // A tab coming back to the front says so at once rather than at its next beat. (Going to the background
    // waits for the next beat: a tab being closed goes to the background too, and must not beat after leaving.)
    document.addEventListener("visibilitychange", function () { if (!document.hidden) run(); });
  }

  // Replaces the content only when the words change: the warning is a live region, read out on each change.
  // (A <template>'s content is inert: nothing in it loads or runs while it is compared.)
  var scratch = document.createElement("template");
  function show(element, html) {
    scratch.innerHTML = html;
    if (scratch.content.textContent === element.textContent) return;
    element.innerHTML = html;
  }

  // ---- the report page --------------------------------------------------------------------

  var viewers = document.querySelector("[data-presence-beat]");
  if (viewers) {
    var warning = document.querySelector("[data-presence-warning]");
    var csrf = viewers.getAttribute("data-csrf");
    var tab = (window.crypto && crypto.getRandomValues)
      ? Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(12)), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("")
      : (Math.random().toString(36).slice(2) + Date.now().toString(36));
    // The decision forms: everything in the actions column but assigning, which tells the reader nothing.
    var forms = Array.prototype.slice.call(document.querySelectorAll(".report-actions form")).filter(function (form) {
      return !/\/assign$/.test(form.getAttribute("action") || "");
    });
    var answering = false;
    var sending = false;

    var isField = function (element) {
      return element && /^(TEXTAREA|SELECT|INPUT)$/.test(element.tagName) && element.type !== "hidden" &&
        element.type !== "submit";
    };
    var changed = function (element) {
      if (element.tagName === "SELECT") {
        // A list with no option marked selected starts on its first one.
        var first = Array.prototype.findIndex.call(element.options, function (o) { return o.defaultSelected; });
        return element.selectedIndex !== Math.max(first, 0);
      }
      if (element.type === "checkbox" || element.type === "radio") return element.checked !== element.defaultChecked;
      return element.value !== element.defaultValue;
    };
    var inUse = function () {
      return forms.some(function (form) {
        return Array.prototype.some.call(form.elements, function (element) {
          return isField(element) && (element === document.activeElement || changed(element));
        });
      });
    };

    var left = false;
    var beat = function () {
      if (sending || left) return;
      sending = true;
      var body = new URLSearchParams({tab: tab, answering: answering ? "1" : "0", hidden: document.hidden ? "1" : "0",
                                      csrf_token: csrf});
      fetch(viewers.getAttribute("data-presence-beat"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: {Accept: "application/json", "X-CSRFToken": csrf},
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          show(viewers, data.viewers);
          viewers.hidden = !data.viewers;
          show(warning, data.warning);
        })
        .catch(function () { /* offline for a moment: the next beat tries again */ })
        .then(function () { sending = false; });
    };

    var check = function () {
      var now = inUse();
      if (now !== answering) {
        answering = now;
        sending = false;  // a change of state goes out at once, even while a beat is on its way
        beat();
      }
    };
    forms.forEach(function (form) {
      form.addEventListener("focusin", check);
      form.addEventListener("input", check);
      form.addEventListener("change", check);
      // The focus leaves after the event: look once it has gone.
      form.addEventListener("focusout", function () { setTimeout(check, 0); });
    });

    every(viewers.getAttribute("data-presence-seconds"), beat);
    // Leaving the page (closing the tab, following a link): this tab no longer counts, without waiting.
    window.addEventListener("pagehide", function () {
      left = true;
      if (!navigator.sendBeacon) return;
      var leaving = new FormData();
      leaving.append("tab", tab);
      leaving.append("csrf_token", csrf);
      navigator.sendBeacon(viewers.getAttribute("data-presence-leave"), leaving);
    });
    // Back from the browser's page cache: here again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      left = false;
      beat();
    });
    return;
  }

  // ---- the queue --------------------------------------------------------------------------

  var poll = document.querySelector("[data-presence-poll]");
  if (!poll) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-ids]"));
  var ids = rows.map(function (row) { return row.getAttribute("data-ids"); }).filter(Boolean).join(",");
  if (!ids) return;
  var url = poll.getAttribute("data-presence-poll") + "?ids=" + encodeURIComponent(ids);
  var ask = function () {
    if (document.hidden) return;
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        rows.forEach(function (row) {
          var place = row.querySelector("[data-presence-row]");
          if (!place) return;
          show(place, row.getAttribute("data-ids").split(",").map(function (id) {
            return data.reports[id] || "";
          }).join(""));
        });
      })
      .catch(function () { /* the next poll tries again */ });
  };
  // The first look is the page's own: ask from the next beat on.
  setTimeout(function () { every(poll.getAttribute("data-presence-seconds"), ask); },
             Math.max(500, (parseFloat(poll.getAttribute("data-presence-seconds")) || 5) * 1000));
})();
