// Keyboard shortcuts for the queue and the report page.
// Every key clicks a link, button or form that is on the page anyway, so the server does the work and its
// checks (workflow moves, "changed by X since you loaded the page") hold exactly as for a mouse.
// The bindings live in KEYS below and nowhere else: the help overlay (?) is drawn from them, and the
// README lists the same ones. Keep them stable: editors learn them by heart.
(function () {
  "use strict";
  var page = document.querySelector("[data-keys]");
  if (!page) return;
  var where = page.getAttribute("data-keys"); // "queue" or "report"
  var editor = page.getAttribute("data-editor") || "";
  var REASON_KEY = "corrections.last-reject-reason." + editor;
  // The words, in the page's language (templates/editor/_keys_words.html): the script holds none of its own.
  var words = document.getElementById("keys-words");
  var WORDS = words ? JSON.parse(words.getAttribute("data-words")) : {};

  var KEYS = [
    {key: "j", what: WORDS.next, queue: nextRow, report: clickLink("a[data-key-next]")},
    {key: "k", what: WORDS.previous, queue: previousRow, report: clickLink("a[data-key-previous]")},
    {key: "o", what: WORDS.open, queue: openRow},
    {key: "Enter", what: WORDS.open, queue: openRow, hidden: true},
    {key: "u", what: WORDS.back, report: clickLink("a[data-key-queue]")},
    {key: "x", what: WORDS.select, queue: toggleRow},
    {key: "m", what: WORDS.assign_me, queue: bulk("assign_me"), report: clickButton("[data-key-assign-me]")},
    {key: "v", what: WORDS.review, queue: bulk("in_review"), report: move("in_review")},
    {key: "a", what: WORDS.accept, queue: bulk("accepted"), report: move("accepted")},
    {key: "r", what: WORDS.reject, queue: bulkReject,
     report: reject},
    {key: "d", what: WORDS.duplicate,
     queue: bulkDuplicate, report: focusField("form[data-key-duplicate] input[name=original]")},
    {key: "s", what: WORDS.spam, queue: bulk("spam"), report: move("spam")},
    {key: "c", what: WORDS.answer,
     queue: chooseCannedAnswer, report: chooseCannedAnswer},
    {key: "n", what: WORDS.new, queue: clickLink("a[data-key-new]")},
    {key: "z", what: WORDS.undo, queue: undo, report: undo},
    {key: "?", what: WORDS.help, queue: help, report: help},
  ];

  // ---- what the keys do -------------------------------------------------------------------

  function say(text) {
    var live = document.getElementById("keys-status");
    if (live) live.textContent = text;
  }

  function clickLink(selector) {
    return function () {
      var link = document.querySelector(selector);
      if (link) link.click();
      else say(WORDS.nothing_there);
    };
  }

  function clickButton(selector) {
    return function () {
      var button = document.querySelector(selector);
      if (button && !button.disabled) button.click();
      else say(WORDS.not_possible);
    };
  }

  function undo() {
    var button = document.querySelector("[data-key-undo]");
    if (button) button.click();
    else say(WORDS.nothing_to_undo);
  }

  function focusField(selector) {
    return function () {
      var input = document.querySelector(selector);
      if (!input) { say(WORDS.not_possible); return; }
      onward(input.form);
      input.focus();
      if (input.select) input.select();
    };
  }

  // A decision made with a key goes on to the next report of the queue (the server does that when the
  // form says "onward"); a click on the same button stays on the report, e.g. to publish after accepting.
  function onward(form) {
    if (!form || !form.querySelector('input[name="back"]') || form.querySelector('input[name="onward"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "onward";
    input.value = "1";
    form.appendChild(input);
  }

  function move(to) {
    return function () {
      var button = document.querySelector('[data-key-move="' + to + '"]');
      if (button) { onward(button.form); button.click(); return; }
      var review = document.querySelector('[data-key-move="in_review"]');
      say(to === "accepted" && review ? WORDS.review_first : WORDS.not_possible);
    };
  }

  // Rejecting: the reason chosen last (remembered in this browser, per editor) is chosen again.
  function rememberReasons() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector('input[name="reason"]')) return;
      form.addEventListener("submit", function () {
        var chosen = form.querySelector('input[name="reason"]:checked');
        var own = form.querySelector('[name="reason_text"]');
        var action = form.querySelector('select[name="action"]');
        if (action && action.value !== "reject") return;
        if (!chosen && !(own && own.value.trim())) return;
        try {
          localStorage.setItem(REASON_KEY, JSON.stringify({reason: chosen ? chosen.value : "",
                                                           text: own ? own.value : ""}));
        } catch (e) { /* private mode: nothing remembered */ }
      });
      // Enter on a reason chosen with the arrow keys sends the form.
      form.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && event.target.name === "reason") {
          event.preventDefault();
          form.requestSubmit(form.querySelector("[data-key-submit]") || undefined);
        }
      });
    });
  }

  function lastReason() {
    try { return JSON.parse(localStorage.getItem(REASON_KEY) || "null"); } catch (e) { return null; }
  }

  // Fill the reason fields of `form` with the last reason; false when there is none to apply.
  function applyLastReason(form) {
    var last = lastReason();
    if (!last) return false;
    var radio = Array.prototype.find.call(form.querySelectorAll('input[name="reason"]'),
                                          function (r) { return r.value === last.reason; });
    if (last.reason && !radio) return false;
    if (radio) radio.checked = true;
    var own = form.querySelector('[name="reason_text"]');
    if (own) own.value = last.text || "";
    return true;
  }

  function chooseReason(form) {
    var first = form.querySelector('input[name="reason"]');
    if (first) first.focus();
    say(WORDS.choose_reason);
  }

  function reject() {
    var form = document.querySelector("form[data-key-reject]");
    if (!form) { say(WORDS.not_possible); return; }
    onward(form);
    if (applyLastReason(form)) form.requestSubmit(form.querySelector("[data-key-submit]"));
    else chooseReason(form);
  }

  // ---- the queue ----------------------------------------------------------------------------

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-key-row]"));
  var current = -1;

  function focusRow(index) {
    if (!rows.length) { say(WORDS.no_reports); return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    rows[current].focus();
  }

  function nextRow() {
    if (current === rows.length - 1) {
      var next = document.querySelector("a[rel=next]");
      if (next) { next.click(); return; }
    }
    focusRow(current + 1);
  }

  function previousRow() { focusRow(current - 1); }

  function currentRow() {
    if (current < 0) focusRow(0);
    return rows[current];
  }

  function openRow() {
    var row = currentRow();
    if (row) row.querySelector("a.reference").click();
  }

  function toggleRow() {
    var row = currentRow();
    if (row) row.querySelector('input[name="selected"]').click();
  }

  // Bulk actions act on the selected reports, or on the current one when none is selected.
  function bulkForm(action) {
    var form = document.querySelector("form[data-key-bulk]");
    if (!form) { say(WORDS.no_reports); return null; }
    if (!form.querySelector('input[name="selected"]:checked')) {
      var row = currentRow();
      if (!row) return null;
      row.querySelector('input[name="selected"]').checked = true;
    }
    form.querySelector('select[name="action"]').value = action;
    return form;
  }

  function submitBulk(form) {
    form.requestSubmit(form.querySelector("[data-key-submit]"));
  }

  function bulk(action) {
    return function () {
      var form = bulkForm(action);
      if (form) submitBulk(form);
    };
  }

  function bulkReject() {
    var form = bulkForm("reject");
    if (!form) return;
    if (applyLastReason(form)) submitBulk(form);
    else chooseReason(form);
  }

  function bulkDuplicate() {
    var form = document.querySelector("form[data-key-bulk]");
    var row = currentRow();
    if (!form || !row) return;
    var selected = form.querySelectorAll('input[name="selected"]:checked');
    var others = Array.prototype.filter.call(selected, function (box) { return !row.contains(box); });
    if (!others.length) {
      say(WORDS.select_duplicates);
      return;
    }
    form.querySelector('select[name="action"]').value = "duplicate";
    form.querySelector('input[name="original"]').value = row.getAttribute("data-reference");
    submitBulk(form);
  }

  // ---- canned answers -----------------------------------------------------------------------
  // The chooser lists the options of the page's own canned-answer field (the queue's bulk form, or the
  // report page's form, which offers only the answers that fit the report); choosing one sets that
  // field and sends its form, so the server applies the answer through the workflow as for a click.

  var chooser = null;

  function cannedAnswerField() {
    return document.querySelector(where === "queue" ? 'form[data-key-bulk] select[name="answer"]'
      : 'form[data-key-answer] select[name="answer"]');
  }

  function cannedAnswerOptions() {
    var field = cannedAnswerField();
    if (!field) return [];
    return Array.prototype.filter.call(field.options, function (option) { return option.value; });
  }

  function applyCannedAnswer(value) {
    var field = cannedAnswerField();
    field.value = value;
    if (where === "queue") {
      var form = bulkForm("answer");
      if (form) submitBulk(form);
      return;
    }
    onward(field.form);
    field.form.requestSubmit(field.form.querySelector("[data-key-submit]"));
  }

  // A dialog labelled by its own heading: the help overlay and the canned-answer chooser.
  function titledDialog(className, titleId, text) {
    var box = document.createElement("dialog");
    box.className = className;
    box.setAttribute("aria-labelledby", titleId);
    var title = document.createElement("h2");
    title.id = titleId;
    title.textContent = text;
    box.appendChild(title);
    return box;
  }

  function buildChooser(options) {
    var box = titledDialog("keys-help answer-chooser", "answer-chooser-title", WORDS.answer_title);
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = (where === "queue" ? WORDS.answer_to + " " : "") + WORDS.answer_hint;
    box.appendChild(hint);
    var list = document.createElement("ul");
    list.className = "answer-list";
    options.forEach(function (option) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "answer-choice";
      button.textContent = option.textContent;
      button.setAttribute("data-answer", option.value);
      button.addEventListener("click", function () {
        box.close();
        applyCannedAnswer(option.value);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(list);
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button secondary";
    cancel.textContent = WORDS.cancel;
    cancel.addEventListener("click", function () { box.close(); });
    box.appendChild(cancel);
    // Up and down move between the answers (and stop at the ends); Enter presses the one with the focus.
    box.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var buttons = Array.prototype.slice.call(box.querySelectorAll("button[data-answer]"));
      var at = buttons.indexOf(document.activeElement);
      var to = event.key === "ArrowDown" ? Math.min(buttons.length - 1, at + 1) : Math.max(0, at - 1);
      event.preventDefault();
      buttons[to].focus();
    });
    box.addEventListener("close", function () { say(""); });
    document.body.appendChild(box);
    return box;
  }

  function chooseCannedAnswer() {
    var options = cannedAnswerOptions();
    if (!options.length) {
      say(where === "queue" ? WORDS.no_answers : WORDS.no_answer_fits);
      return;
    }
    if (where === "queue" && !currentRow()) return;
    if (!chooser) chooser = buildChooser(options);
    chooser.showModal();
    chooser.querySelector("button[data-answer]").focus();
  }

  // ---- the help overlay ---------------------------------------------------------------------

  var dialog = null;

  function label(key) {
    return key === "Enter" ? WORDS.enter : key;
  }

  function buildHelp() {
    dialog = titledDialog("keys-help", "keys-help-title", WORDS.keys_title);
    var list = document.createElement("dl");
    KEYS.forEach(function (binding) {
      if (!binding[where] || binding.hidden) return;
      var dt = document.createElement("dt");
      var kbd = document.createElement("kbd");
      kbd.textContent = label(binding.key);
      dt.appendChild(kbd);
      if (binding.key === "o") {
        dt.appendChild(document.createTextNode(" " + WORDS.or + " "));
        var enter = document.createElement("kbd");
        enter.textContent = WORDS.enter;
        dt.appendChild(enter);
      }
      var dd = document.createElement("dd");
      dd.textContent = binding.what;
      list.appendChild(dt);
      list.appendChild(dd);
    });
    dialog.appendChild(list);
    var note = document.createElement("p");
    note.className = "hint";
    note.textContent = WORDS.keys_note;
    dialog.appendChild(note);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button secondary";
    close.textContent = WORDS.close;
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    document.body.appendChild(dialog);
  }

  function help() {
    if (!dialog) buildHelp();
    if (!dialog.open) dialog.showModal();
  }

  // ---- wiring -------------------------------------------------------------------------------

  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) === -1;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if ((dialog && dialog.open) || (chooser && chooser.open)) return;
    if (typing(event.target)) {
      // Esc leaves a field, so the keys act again.
      if (event.key === "Escape" && event.target.blur) event.target.blur();
      return;
    }
    // Enter opens only from a row: on a link or a button it keeps its own meaning.
    if (event.key === "Enter" && !(event.target.matches && event.target.matches("tr[data-key-row]"))) return;
    var binding = KEYS.find(function (b) { return b.key === event.key && b[where]; });
    if (!binding) return;
    event.preventDefault();
    binding[where]();
  });

  rows.forEach(function (row, i) {
    row.tabIndex = -1;
    row.addEventListener("focus", function () {
      current = i;
      rows.forEach(function (other, j) { other.classList.toggle("is-current", j === i); });
    });
  });

  rememberReasons();

  // The "?" button: the same overlay for a mouse.
  var button = document.createElement("button");
  button.type = "button";
  button.className = "link-button keys-button";
  button.setAttribute("aria-keyshortcuts", "?");
  button.textContent = WORDS.keys_button;
  button.addEventListener("click", help);
  var status = document.createElement("p");
  status.id = "keys-status";
  status.className = "keys-status";
  status.setAttribute("role", "status");
  page.appendChild(button);
  // The "c" button: the canned-answer chooser for a mouse, where the page offers answers.
  if (cannedAnswerOptions().length) {
    var cannedAnswers = document.createElement("button");
    cannedAnswers.type = "button";
    cannedAnswers.className = "link-button keys-button";
    cannedAnswers.setAttribute("aria-keyshortcuts", "c");
    cannedAnswers.textContent = WORDS.answer_button;
    cannedAnswers.addEventListener("click", chooseCannedAnswer);
    page.appendChild(cannedAnswers);
  }
  page.appendChild(status);
})();
