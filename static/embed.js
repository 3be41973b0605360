// Shows an article's published correction notices and a "Report an inaccuracy" link on a page a CMS renders:
//   <div data-corrections-notices></div>
//   <script src="https://corrections.example.org/embed.js" data-url="https://www.example.org/the-article" defer></script>
// The API is the host this script came from; it answers with the newest notices, and the script links to the
// article's corrections log when there are more. Notice texts are set as text, never parsed as HTML. Whatever goes
// wrong (network, CORS, an unknown article) is at most a console warning: the host page must never break.
(function () {
  "use strict";
  var PREFIX = "corrections embed: ";
  var STYLE_ID = "corrections-embed-style";
  // Scoped to our own classes; a host page may restyle them, or opt out with data-styles="none".
  var CSS = [
    ".corrections-embed{margin:1rem 0;line-height:1.5}",
    ".corrections-embed-notice{margin:.75rem 0;padding:.5rem .9rem;border-inline-start:4px solid #0b57d0;",
    // Logical sides: the bar stands at the start of the line on a right-to-left page too.
    "border-radius:0;border-start-end-radius:6px;border-end-end-radius:6px;background:#f3f7ff;color:#1d1d1f;overflow-wrap:anywhere;word-break:normal}",
    ".corrections-embed-notice-clarification,.corrections-embed-notice-update,",
    ".corrections-embed-notice-editors_note{border-inline-start-color:#5b5b66;background:#f5f5f7}",
    ".corrections-embed-head,.corrections-embed-text{margin:.25rem 0}",
    ".corrections-embed-head{font-size:.9em}",
    ".corrections-embed-text{white-space:pre-line}",
    ".corrections-embed-report,.corrections-embed-more{margin:.5rem 0}",
    ".corrections-embed-provenance{margin:.5rem 0;padding-inline-start:.6rem;border-inline-start:3px solid #d0d0d7;font-size:.9em}",
    // A tap target a thumb can hit on a phone.
    ".corrections-embed-report a{display:inline-block;min-height:44px;padding:.6rem 0;font-weight:600}"
  ].join("");

  var script = document.currentScript || findScript();
  if (!script || !script.src) {
    console.warn(PREFIX + "cannot find its own <script> tag, so it does not know its server");
    return;
  }
  // The API lives where the script does, also when the app is served under a path prefix.
  var base = script.src.replace(/\/embed\.js(?:[?#].*)?$/, "");
  var pageUrl = canonicalUrl();
  script.setAttribute("data-corrections-state", "loading");

  function findScript() {
    var scripts = document.querySelectorAll('script[src$="/embed.js"], script[src*="/embed.js?"]');
    return scripts.length ? scripts[scripts.length - 1] : null;
  }

  function canonicalUrl() {
    var given = (script.getAttribute("data-url") || "").trim();
    if (given) return given;
    var link = document.querySelector('link[rel="canonical"][href]');
    if (link && link.href) return link.href;
    return location.origin + location.pathname;
  }

  // The words come with the notices, in the article's language (or the one the browser asks for); these are the
  // server's English words for an answer from an older server that sends none.
  var words = {report: "Report an inaccuracy", notices: "Corrections to this article", updated: "updated",
               more: "See every notice on this article", kinds: {}};
  // Dates in that language, in the site's time zone; English ones as our own pages write them ("16 November 2026").
  var dateFormat = makeDateFormat("en-GB", "UTC");

  function makeDateFormat(language, timeZone) {
    var options = {day: "numeric", month: "long", year: "numeric", timeZone: timeZone};
    try {
      return new Intl.DateTimeFormat(language === "en" ? "en-GB" : language, options);
    } catch (error) {
      return new Intl.DateTimeFormat("en-GB", {day: "numeric", month: "long", year: "numeric", timeZone: "UTC"});
    }
  }

  function timeElement(iso) {
    var time = document.createElement("time");
    time.setAttribute("datetime", iso);
    var date = new Date(iso);
    time.textContent = isNaN(date.getTime()) ? iso : dateFormat.format(date);
    return time;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Only http(s) links from the API are followed: never a javascript: URL, whoever wrote the answer.
  function safeUrl(value) {
    try {
      var url = new URL(String(value), base);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function noticeElement(notice, withId) {
    var kind = String(notice.kind || "").replace(/[^a-z_]/g, "");
    var box = element("div", "corrections-embed-notice corrections-embed-notice-" + kind);
    // Ids must be unique on the page: only the first copy of a notice carries its #correction-<id> anchor.
    if (withId) box.id = "correction-" + notice.id;
    var head = element("p", "corrections-embed-head");
    head.appendChild(element("strong", "", String(words.kinds[notice.kind] || notice.kind_label || notice.kind || "")));
    if (notice.published_at) {
      head.appendChild(document.createTextNode(", "));
      head.appendChild(timeElement(String(notice.published_at)));
    }
    if (notice.updated_at) {
      head.appendChild(document.createTextNode(" · " + words.updated + " "));
      head.appendChild(timeElement(String(notice.updated_at)));
    }
    box.appendChild(head);
    box.appendChild(element("p", "corrections-embed-text", String(notice.text || "")));
    return box;
  }

  function reportLink(href, tag) {
    var wrap = element(tag, "corrections-embed-report");
    var link = element("a", "", words.report);
    link.href = href;
    wrap.appendChild(link);
    return wrap;
  }

  // The answer holds the newest notices only (a page of them): the article's log has every one.
  function moreLink(href) {
    var wrap = element("p", "corrections-embed-more");
    var link = element("a", "", words.more);
    link.href = href;
    wrap.appendChild(link);
    return wrap;
  }

  function addStyles() {
    if (script.getAttribute("data-styles") === "none" || document.getElementById(STYLE_ID)) return;
    var style = element("style", "", CSS);
    style.id = STYLE_ID;
    (document.head || document.documentElement).appendChild(style);
  }

  function render(data) {
    var article = data && data.article;
    if (!article) return false;  // Not (yet) imported: show nothing, not even a link to nowhere.
    if (data.words && typeof data.words === "object") {
      ["report", "notices", "updated", "more"].forEach(function (key) {
        if (typeof data.words[key] === "string" && data.words[key]) words[key] = data.words[key];
      });
      if (data.words.kinds && typeof data.words.kinds === "object") words.kinds = data.words.kinds;
    }
    if (typeof data.language === "string" && data.language) {
      dateFormat = makeDateFormat(data.language, typeof data.time_zone === "string" ? data.time_zone : "UTC");
    }
    var notices = Array.isArray(data.notices) ? data.notices : [];
    // When a machine wrote the article or helped, the line its page on our site shows; a CMS page that says so
    // itself opts out with data-disclosure="none".
    var disclosure = typeof data.disclosure === "string" && script.getAttribute("data-disclosure") !== "none"
      ? data.disclosure : "";
    var href = safeUrl(article.report_url);
    var logHref = data.next ? safeUrl(data.log_url) : null;
    var linkTarget = document.querySelector("[data-corrections-report-link]");
    var targets = Array.prototype.slice.call(document.querySelectorAll("[data-corrections-notices]"));
    if (!targets.length) {
      if (!document.body || !document.body.contains(script)) {
        console.warn(PREFIX + "add <div data-corrections-notices></div> where the notices should appear");
        return false;
      }
      var block = element("div");
      block.setAttribute("data-corrections-notices", "");
      script.parentNode.insertBefore(block, script);
      targets = [block];
    }
    addStyles();
    targets.forEach(function (target, index) {
      var wrap = element("div", "corrections-embed");
      if (disclosure) {
        var said = element("p", "corrections-embed-provenance", disclosure);
        if (typeof data.language === "string" && data.language) said.setAttribute("lang", data.language);
        wrap.appendChild(said);
      }
      if (notices.length) {
        var section = element("section", "corrections-embed-notices");
        section.setAttribute("aria-label", words.notices);
        if (typeof data.language === "string" && data.language) section.setAttribute("lang", data.language);
        notices.forEach(function (notice) { section.appendChild(noticeElement(notice, index === 0)); });
        if (logHref) section.appendChild(moreLink(logHref));
        wrap.appendChild(section);
      }
      if (href && !linkTarget) wrap.appendChild(reportLink(href, "p"));
      target.textContent = "";  // Replaces an earlier rendering instead of adding to it.
      if (wrap.firstChild) target.appendChild(wrap);
    });
    if (href && linkTarget) {
      linkTarget.textContent = "";
      var only = reportLink(href, "span");  // A span fits in running text as well as in a block.
      only.className += " corrections-embed";
      linkTarget.appendChild(only);
    }
    return true;
  }

  function domReady() {
    return new Promise(function (resolve) {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve, {once: true});
      else resolve();
    });
  }

  async function run() {
    // No cookies: the answer is public and the same for everyone, and CORS stays simple.
    var response = await fetch(base + "/api/v1/notices?url=" + encodeURIComponent(pageUrl),
                               {credentials: "omit", mode: "cors"});
    if (!response.ok) throw new Error("the server answered " + response.status + " for " + pageUrl);
    var data = await response.json();
    await domReady();
    return render(data);
  }

  run().then(function (shown) {
    script.setAttribute("data-corrections-state", shown ? "shown" : "empty");
  }, function (error) {
    script.setAttribute("data-corrections-state", "failed");
    console.warn(PREFIX + "could not show corrections (" + (error && error.message || error) + ")");
  });
})();
