"""The API's contract: the OpenAPI 3.1 document served at /api/v1/openapi.json, and the values the API's code
shares with it (page sizes, the cursor's and published_at's patterns), so what the document states is what the
views enforce. tests/api/test_api_contract.py checks both ways (schemathesis against the real app).
"""

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES

from corrections import languages, vocabulary
from corrections.articles import content
from corrections.reports import feedback, tokens
from corrections.text import SPACES, min_length_pattern
from corrections.vocabulary import NOTICE_KINDS

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# A cursor is the last notice's publication time in microseconds since 1970 and its id, "<micros>_<id>".
CURSOR_PATTERN = re.compile(r"-?[0-9]{1,18}_[0-9]{1,9}")

# What the document states beyond import-articles' rules: values are checked as sent (not once trimmed), and
# published_at is an RFC 3339 date-time with its offset (the year range of vocabulary.YEAR_MIN and YEAR_MAX as
# written: a test holds them together). The document carries the same pattern.
PUBLISHED_AT = re.compile(r"(?:19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}"
                          r"T[0-9]{2}:[0-9]{2}:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})")
OPTIONAL_SLUG = re.compile(f"(?:{content.SLUG_PATTERN.pattern.strip('^$')})?")
# The largest id or number the API takes (a column's integer).
ID_MAX = 2**31 - 1
# What a notice published through the API may carry.
NOTICE_FIELDS = ("kind", "text", "wrong_text", "right_text", "revision", "reports")
# What a check of a draft takes.
CHECK_FIELDS = ("text", "format")
# A source type as sent: a term, or its URI by http or https.
SOURCE_TYPE_VALUES = [*vocabulary.SOURCE_TYPES,
                      *(prefix + term for prefix in (vocabulary.SOURCE_TYPE_URI,
                                                     vocabulary.SOURCE_TYPE_URI.replace("http:", "https:", 1))
                        for term in vocabulary.SOURCE_TYPES)]


def _terms(group: str) -> str:
    return ", ".join(f"`{term}`" for term, in_group in vocabulary.SOURCE_TYPES.items() if in_group == group)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


_READ_HEADERS = {
    "Cache-Control": {"description": "public, max-age=60", "schema": {"type": "string"}},
    "ETag": {"description": "Send it back in If-None-Match to get a 304 when nothing changed.",
             "schema": {"type": "string"}},
}
_LIMIT = {"name": "limit", "in": "query", "required": False,
          "description": f"Notices per page, 1 to {MAX_LIMIT}.",
          "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}
_CURSOR = {"name": "cursor", "in": "query", "required": False,
           "description": "Where the page starts: take it from the `next` link, unchanged.",
           "schema": {"type": "string", "pattern": f"^{CURSOR_PATTERN.pattern}$"}}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_URL = {"name": "url", "in": "query",
        "description": "The article's canonical URL, exactly as imported (surrounding spaces are ignored); "
                       "one that no article has finds nothing.",
        "schema": {"type": "string", "pattern": f"[^{SPACES}]"}}  # not blank
_NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match."}


def _read(summary: str, description: str, parameters: list, schema: dict, *, with_404: bool = False) -> dict:
    responses = {
        "200": {**_json(schema, "OK"), "headers": _READ_HEADERS},
        "304": _NOT_MODIFIED,
        "400": _error("A parameter is not valid or given twice (see error.fields)."),
    }
    if with_404:
        responses["404"] = _error("No article has this slug.")
    return {"get": {"summary": summary, "description": description, "tags": ["corrections"],
                    "parameters": parameters, "responses": responses}}


# What is_http_url() takes: an http(s) address with a host, and no spaces or control characters.
_NOT_IN_URL = rf"{SPACES}\x00-\x1f\x7f"
_HTTP_URL = {"type": "string", "pattern": (rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:[^{_NOT_IN_URL}/?#\[\]]*@)?"
                                           rf"[^{_NOT_IN_URL}/?#@:\[\]]+(?::[^{_NOT_IN_URL}/?#@\[\]]*)?"
                                           rf"(?:[/?#][^{_NOT_IN_URL}]*)?$")}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# The form checks addresses with email-validator: format email, and none at a special-use domain such as .test.
_EMAIL = {"type": "string", "format": "email",
          "not": {"pattern": "[.@](?:" + "|".join(map(_any_case, SPECIAL_USE_DOMAIN_NAMES)) + ")$"}}
_STRING_OR_NULL_DATE = {"type": ["string", "null"], "format": "date-time"}


def _embedded(schema: dict, prefix: str) -> dict[str, dict]:
    """A JSON Schema shipped on its own, as components of this document: itself under `prefix` and each of its
    $defs under `prefix` and the definition's name (capitalised), its references pointing there."""
    def moved(node):
        if isinstance(node, dict):
            return {key: (f"#/components/schemas/{prefix}{value.removeprefix('#/$defs/').capitalize()}"
                          if key == "$ref" else moved(value)) for key, value in node.items()}
        return [moved(item) for item in node] if isinstance(node, list) else node

    schema = moved(schema)
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return {prefix: schema, **{f"{prefix}{name.capitalize()}": definition for name, definition in definitions.items()}}


_FEEDBACK_LIMIT = {**_LIMIT, "description": f"Records per page, 1 to {MAX_LIMIT}."}
_SINCE = {"name": "since", "in": "query", "required": False,
          "description": "Only reports decided at this moment or later: a date (from its midnight UTC) or an RFC 3339 "
                         "date-time with its offset (T and Z in capitals).",
          "schema": {"type": "string", "pattern": f"^{feedback.SINCE_PATTERN.pattern}$",
                     "anyOf": [{"format": "date"}, {"format": "date-time"}], "examples": ["2026-11-24"]}}
_UNAUTHORISED = {**_error("No token, or a bad or revoked one."),
                 "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "corrections API",
        "version": "1.0.0",
        "description": (
            "Published correction notices for CMSs and embeds, reader reports from a CMS's own form, "
            "article imports, and notices published by a CMS or a generating pipeline. Reads are public, "
            "cacheable for 60 seconds and readable cross-origin from the "
            "origins in the CORS_ORIGINS setting. Every error is JSON: "
            '{"error": {"message": "...", "fields": {"field": ["..."]}}}. Dates are ISO 8601 in UTC. '
            "Query parameters are given at most once. Text is checked as sent against maxLength; a minimum "
            "(minLength, with a pattern saying the same) counts what remains once surrounding spaces and "
            "control characters (other than tab and line breaks) are removed, as the site's forms do. "
            "An optional field that is null is the same as one left out."
        ),
    },
    "tags": [
        {"name": "corrections", "description": "Published notices (public reads)."},
        {"name": "reports", "description": "Reader reports sent by a CMS."},
        {"name": "articles", "description": "Article imports (API token)."},
        {"name": "notices", "description": "Notices published by a CMS or a generating pipeline (API token)."},
        {"name": "checks", "description": "Drafts checked for known errors before they are published (API token)."},
        {"name": "feedback", "description": "Decided reports for the systems that generate articles (API token)."},
    ],
    "paths": {
        "/api/v1/corrections": _read(
            "Published notices, newest first",
            "Every shown (not withdrawn) notice, paginated by cursor. With `url`, only those of the article "
            "with that canonical URL, and the article; an unknown URL gives an empty list and `article: null`.",
            [_LIMIT, _CURSOR, {**_URL, "required": False}],
            _ref("CorrectionList"),
        ),
        "/api/v1/articles/{slug}/corrections": _read(
            "An article's published notices, newest first",
            "The shown notices of one article, paginated by cursor.",
            [_SLUG, _LIMIT, _CURSOR],
            _ref("CorrectionList"),
            with_404=True,
        ),
        "/api/v1/notices": _read(
            "The notices to show on a CMS page (the embed's read)",
            "The shown notices of the article with this canonical URL, newest first, paginated by cursor like "
            "the other lists (an article may have thousands: an embed shows the first page and links to "
            "`log_url`, the article's whole corrections log), and the address of its report form. An unknown "
            "URL gives `article: null` and no notices, so embeds work on pages not imported yet.",
            [{**_URL, "required": True}, _LIMIT, _CURSOR],
            _ref("PageNotices"),
        ),
        "/api/v1/articles/{slug}/reports": {
            "post": {
                "summary": "File a reader's report from a CMS's own form",
                "description": "The fields and rules of the site's report form. Rate limited per client address "
                               "(REPORT_RATE_LIMIT, as the HTML form). The reporter's details are never shown by "
                               "any read.",
                "tags": ["reports"],
                "parameters": [_SLUG],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ReportInput")}}},
                "responses": {
                    "201": {**_json(_ref("ReportReceipt"), "Filed"),
                            "headers": {"Location": {"description": "The reader's private status page.",
                                                     "schema": {"type": "string", "format": "uri"}}}},
                    "202": {**_json(_ref("ReportReceipt"),
                                    "Accepted while the database is down: kept on the server and filed once it "
                                    "answers again (status `received`); the status page works at once"),
                            "headers": {"Location": {"description": "The reader's private status page.",
                                                     "schema": {"type": "string", "format": "uri"}}}},
                    "400": _error("Not JSON, or fields need attention (messages in error.fields)."),
                    "404": _error("No article has this slug."),
                    "413": _error("The body is too large."),
                    "429": {**_error("Too many reports from this client; try again later."),
                            "headers": {"Retry-After": {"description": "Seconds to wait.",
                                                        "schema": {"type": "integer"}}}},
                    "503": {**_error("The database is down and the report could not be kept on the server either; "
                                     "nothing was filed."),
                            "headers": {"Retry-After": {"description": "Seconds to wait.",
                                                        "schema": {"type": "integer"}}}},
                },
            },
        },
        "/api/v1/articles": {
            "put": {
                "summary": "Create or update an article by its canonical URL",
                "description": "The rules of `corrections import-articles`, with values checked as sent and "
                               "published_at an RFC 3339 date-time: idempotent by canonical_url. "
                               "Needs an API token (an admin creates one at /editor/admin/tokens).",
                "tags": ["articles"],
                "security": [{"bearerAuth": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ArticleInput")}}},
                "responses": {
                    "200": _json(_ref("ArticleResult"), "Updated, or unchanged"),
                    "201": {**_json(_ref("ArticleResult"), "Created"),
                            "headers": {"Location": {"description": "The article's page.",
                                                     "schema": {"type": "string", "format": "uri"}}}},
                    "400": _error("Not JSON, or the article is not valid (see error.fields)."),
                    "401": {**_error("No token, or a bad or revoked one."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                    "409": _error("The slug belongs to another article."),
                    "413": _error("The body is too large."),
                },
            },
        },
        "/api/v1/articles/{slug}/notices": {
            "post": {
                "summary": "Publish a notice on an article, as the dashboard does",
                "description": "For a CMS or the pipeline that generated the article. The notice is published as "
                               "an editor's would be: the reports it links (open ones are accepted first) become "
                               "corrected and their readers who asked are told, webhooks and feeds carry it, and "
                               "a change to the published text made before it is announced by it (by `revision`, "
                               "the change it goes with, whenever it was made). Recorded as published by the "
                               "token's name. `wrong_text` is what was wrong, exactly as the article's text had "
                               "it before `revision` (or in its current or an earlier text when no revision is "
                               "named), and `right_text` the words that replaced it (in `revision`'s text, when "
                               "named); a correction needs `wrong_text`. Input that is well formed but does not fit "
                               "the article (words not in its text, a report not found or not open or accepted, a "
                               "revision it does not have) is refused with 409 and the field's message. Needs an "
                               "API token.",
                "tags": ["notices"],
                "security": [{"bearerAuth": []}],
                "parameters": [_SLUG],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NoticeInput")}}},
                "responses": {
                    "201": {**_json(_ref("PublishedNotice"), "Published"),
                            "headers": {"Location": {"description": "The notice on the article's page.",
                                                     "schema": {"type": "string", "format": "uri"}}}},
                    "400": _error("Not JSON, or fields need attention (messages in error.fields)."),
                    "401": {**_error("No token, or a bad or revoked one."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                    "404": _error("No article has this slug."),
                    "409": _error("Nothing was published: the input does not fit the article's text, revisions or "
                                  "reports as they are now (messages in error.fields)."),
                    "413": _error("The body is too large."),
                },
            },
        },
        "/api/v1/check": {
            "post": {
                "summary": "Find known errors in a draft before it is published",
                "description": "What `corrections check-text` does, for a generating pipeline or a CMS: the "
                               "passages of `text` that repeat a known error, the wrong words of a published "
                               "correction (any kind of notice naming them, not withdrawn), verbatim or lightly "
                               "reworded, in the order of the text; an empty `found` when there are none. A "
                               "passage that carries the correction's right words instead is not a finding. "
                               "`start` and `end` are offsets in Unicode code points (Python's, not UTF-16 units) "
                               "into `text` as sent: into the HTML source when it is read as HTML (`text` of a "
                               "finding is then the passage as a reader sees it, markup left out). Needs an API "
                               "token.",
                "tags": ["checks"],
                "security": [{"bearerAuth": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CheckInput")}}},
                "responses": {
                    "200": {**_json(_ref("CheckResult"), "Checked"),
                            "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}},
                    "400": _error("Not JSON, or fields need attention (messages in error.fields)."),
                    "401": {**_error("No token, or a bad or revoked one."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                    "413": _error("The body is too large."),
                },
            },
        },
        "/api/v1/feedback": {
            "get": {
                "summary": "Decided reports, as feedback records for the system that generated the articles",
                "description": "One record per decided report (accepted and corrected: positives; rejected: "
                               "negatives; duplicates and spam left out), oldest decision first, paginated by "
                               "cursor. A decision is listed once it can no longer be undone (a few seconds after "
                               "it is made). `cursor` is where the stream stands after the page: send it later to "
                               "get only what was decided since. A report decided again (accepted, then "
                               "corrected) comes again: the later record supersedes the earlier one of the same "
                               "`reference`. The record's format is the JSON Schema at "
                               f"/api/v1/schemas/{feedback.SCHEMA_NAME}. Needs an API token.",
                "tags": ["feedback"],
                "security": [{"bearerAuth": []}],
                "parameters": [_FEEDBACK_LIMIT, _CURSOR, _SINCE],
                "responses": {
                    "200": {**_json(_ref("FeedbackPage"), "OK"),
                            "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}},
                    "400": _error("A parameter is not valid or given twice (see error.fields)."),
                    "401": _UNAUTHORISED,
                },
            },
        },
        f"/api/v1/schemas/{feedback.SCHEMA_NAME}": {
            "get": {
                "summary": "The JSON Schema of a feedback record",
                "description": "Draft 2020-12; the same file ships in the package (corrections/schemas/).",
                "tags": ["feedback"],
                "responses": {"200": {"description": "JSON Schema",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            },
        },
        "/api/v1/notices/{notice_id}/elsewhere": {
            "get": {
                "summary": "Other articles carrying a notice's error (same error elsewhere)",
                "description": "What the archive sweep found after the notice was published: other articles whose "
                               "text carries its `wrong_text`, verbatim or lightly reworded and not already the "
                               "`right_text`, in the order they were found, with the words matched (their place "
                               "in the text of the article's revision named), how alike they are (`score`, 0 to "
                               "1), and what editors decided (`state`: open, confirmed with the notice published "
                               "there as `correction_id`, or dismissed with `reason`). `sweep` says whether the "
                               "sweep is still to run (`pending`), ran (`done`), failed for good, or was not needed "
                               "(`none`: the notice names no wrong words). Paginated by item: follow `next`. Needs "
                               "an API token: items name errors in other articles before editors confirmed them.",
                "tags": ["notices"],
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {"name": "notice_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}},
                    {**_LIMIT, "description": f"Items per page, 1 to {MAX_LIMIT}."},
                    {"name": "after", "in": "query", "required": False,
                     "description": "Where the page starts: after this item (take it from the `next` link).",
                     "schema": {"type": "integer", "minimum": 0, "maximum": 999_999_999}},
                ],
                "responses": {
                    "200": {**_json(_ref("Elsewhere"), "OK"),
                            "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}},
                    "400": _error("A parameter is not valid or given twice (see error.fields)."),
                    "401": {**_error("No token, or a bad or revoked one."),
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                    "404": _error("No notice has this id."),
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This description",
                "tags": ["corrections"],
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "An API token (cor_...) from /editor/admin/tokens."},
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {
                    "type": "object",
                    "required": ["message", "fields"],
                    "properties": {
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "array",
                                                                              "items": {"type": "string"}}},
                    },
                }},
            },
            "ArticleRef": {
                "type": "object",
                "required": ["slug", "title", "url"],
                "properties": {
                    "slug": {"type": "string"},
                    "title": {"type": "string"},
                    "url": {"type": "string", "description": "The canonical URL, as imported: an http(s) address, "
                                                      "perhaps with characters beyond ASCII."},
                },
            },
            "PageArticle": {
                "allOf": [_ref("ArticleRef"), {
                    "type": "object",
                    "required": ["report_url"],
                    "properties": {"report_url": {"type": "string", "format": "uri",
                                                  "description": "The reader's report form for this article."}},
                }],
            },
            "Notice": {
                "type": "object",
                "required": ["id", "kind", "kind_label", "text", "wrong_text", "right_text", "published_at",
                             "updated_at", "article", "article_url"],
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"type": "string", "enum": list(NOTICE_KINDS)},
                    "kind_label": {"type": "string"},
                    "text": {"type": "string"},
                    "wrong_text": {"type": "string", "description": "What was wrong, in the article's words, on one "
                                                                   "line; \"\" when the notice names nothing."},
                    "right_text": {"type": "string", "description": "The words that replaced it; \"\" when none."},
                    "published_at": {"type": "string", "format": "date-time"},
                    "updated_at": {**_STRING_OR_NULL_DATE, "description": "When the text was last amended."},
                    "article": _ref("ArticleRef"),
                    "article_url": {"type": "string", "format": "uri",
                                    "description": "The notice on this site's article page."},
                    "revision_url": {"type": ["string", "null"], "format": "uri",
                                     "description": "What changed in the article with the revision the notice "
                                                    "goes with (\"see what changed\"); null when it names none "
                                                    "or revisions are not public."},
                },
            },
            "NoticeInput": {
                "type": "object",
                "required": ["kind", "text"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"type": "string", "enum": list(NOTICE_KINDS)},
                    "text": {"type": "string", "minLength": vocabulary.NOTICE_TEXT_MIN,
                             "pattern": min_length_pattern(vocabulary.NOTICE_TEXT_MIN),
                             "maxLength": vocabulary.NOTICE_TEXT_MAX,
                             "description": "What readers read, on the article, in the log, the feeds and the "
                                            "readers' e-mail."},
                    "wrong_text": {"type": ["string", "null"], "maxLength": vocabulary.WRONG_TEXT_MAX,
                                   "description": "The wrong words, exactly as the article had them (capitals and "
                                                  "punctuation included; spacing may differ). Kept on one line."},
                    "right_text": {"type": ["string", "null"], "maxLength": vocabulary.RIGHT_TEXT_MAX,
                                   "description": "The words that replaced them, if any; needs `wrong_text`."},
                    "revision": {"type": ["integer", "null"], "minimum": 1, "maximum": ID_MAX,
                                 "description": "The number of the article's revision the notice goes with (the "
                                                "corrected text, sent by PUT /api/v1/articles): readers get \"see "
                                                "what changed\", and the change is announced."},
                    "reports": {"type": ["array", "null"], "maxItems": vocabulary.BULK_MAX,
                                "items": {"anyOf": [
                                    {"type": "string", "pattern": f"^{tokens.REFERENCE.pattern}$"},
                                    {"type": "integer", "minimum": 1, "maximum": ID_MAX}]},
                                "description": "The reports the notice resolves, by reference (R-7F3KQ2) or id: "
                                               "new, in review or accepted reports of this article."},
                },
                # A correction says what was wrong.
                "if": {"required": ["kind"], "properties": {"kind": {"const": "correction"}}},
                "then": {"required": ["wrong_text"],
                         "properties": {"wrong_text": {"type": "string", "pattern": min_length_pattern(1)}}},
            },
            "PublishedNotice": {
                "allOf": [_ref("Notice"), {
                    "type": "object",
                    "required": ["reports"],
                    "properties": {"reports": {"type": "array", "items": {"type": "string"},
                                               "description": "The references of the reports it resolves."}},
                }],
            },
            "CheckInput": {
                "type": "object",
                "required": ["text"],
                "additionalProperties": False,
                "properties": {
                    "text": {"type": "string", "maxLength": vocabulary.CHECK_TEXT_MAX,
                             "pattern": min_length_pattern(1),
                             "description": "The draft: plain text or HTML (an article's body or a whole page)."},
                    "format": {"type": ["string", "null"], "enum": [*vocabulary.CHECK_FORMATS, None],
                               "default": "auto",
                               "description": "How to read `text`: `html`, `text`, or `auto` (HTML when it has a "
                                              "tag of an element articles are written with, a doctype or a "
                                              "comment; else plain text)."},
                },
            },
            "CheckResult": {
                "type": "object",
                "required": ["format", "found"],
                "properties": {
                    "format": {"type": "string", "enum": ["text", "html"],
                               "description": "How `text` was read: what the offsets count in."},
                    "found": {"type": "array", "items": _ref("CheckFinding")},
                },
            },
            "CheckFinding": {
                "type": "object",
                "description": "A known error found in the draft: one line of `corrections check-text`.",
                "required": ["correction", "article", "text", "start", "end", "suggestion", "score"],
                "properties": {
                    "correction": {
                        "type": "object",
                        "required": ["id", "kind", "url", "wrong_text", "right_text"],
                        "properties": {
                            "id": {"type": "integer"},
                            "kind": {"type": "string", "enum": list(NOTICE_KINDS)},
                            "url": {"type": "string", "format": "uri",
                                    "description": "The notice on this site's article page."},
                            "wrong_text": {"type": "string", "description": "What it corrected."},
                            "right_text": {"type": "string", "description": "The words that replaced it; \"\" "
                                                                            "when none."},
                        },
                    },
                    "article": {**_ref("ArticleRef"), "description": "The article it was corrected in."},
                    "text": {"type": "string", "description": "The passage of the draft that repeats it, as it "
                                                              "reads (markup left out)."},
                    "start": {"type": "integer", "minimum": 0,
                              "description": "Where the passage starts in `text` as sent (code points)."},
                    "end": {"type": "integer", "minimum": 1, "description": "Where it ends (code points)."},
                    "suggestion": {"type": ["string", "null"],
                                   "description": "The passage with the words the correction replaced put right; "
                                                  "the correction's own corrected words when the passage does not "
                                                  "keep them together; null when it names no right words."},
                    "score": {"type": "number", "minimum": 0, "maximum": 1,
                              "description": "How alike the passage is to the wrong words (1: the same words)."},
                },
            },
            "Elsewhere": {
                "type": "object",
                "required": ["notice", "sweep", "items", "next"],
                "properties": {
                    "notice": {"type": "object", "required": ["id", "article", "wrong_text", "right_text"],
                               "properties": {"id": {"type": "integer"}, "article": _ref("ArticleRef"),
                                              "wrong_text": {"type": "string"}, "right_text": {"type": "string"}}},
                    "sweep": {
                        "type": "object",
                        "required": ["state", "queued_at", "done_at", "seconds"],
                        "properties": {
                            "state": {"type": "string", "enum": ["none", "pending", "done", "failed"]},
                            "queued_at": _STRING_OR_NULL_DATE,
                            "done_at": _STRING_OR_NULL_DATE,
                            "seconds": {"type": ["number", "null"], "description": "How long the sweep read."},
                        },
                    },
                    "items": {"type": "array", "items": _ref("ElsewhereItem"), "maxItems": MAX_LIMIT},
                    "next": {"type": ["string", "null"], "format": "uri"},
                },
            },
            "ElsewhereItem": {
                "type": "object",
                "required": ["id", "article", "origin", "state", "matched_text", "start", "end", "revision", "score",
                             "found_at", "decided_at", "decided_by", "reason", "correction_id"],
                "properties": {
                    "id": {"type": "integer"},
                    "article": _ref("ArticleRef"),
                    "origin": {"type": "string", "enum": list(vocabulary.REPEAT_ORIGINS),
                               "description": "sweep: found by the archive sweep; came_back: in a new or changed "
                                              "text of the article."},
                    "state": {"type": "string", "enum": list(vocabulary.REPEAT_STATES)},
                    "matched_text": {"type": "string", "description": "The words found, as the article has them."},
                    "start": {"type": "integer", "description": "Where they start in the revision's plain text."},
                    "end": {"type": "integer"},
                    "revision": {"type": "integer", "description": "The article's revision they were found in."},
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                    "found_at": {"type": "string", "format": "date-time"},
                    "decided_at": _STRING_OR_NULL_DATE,
                    "decided_by": {"type": ["string", "null"]},
                    "reason": {"type": "string", "description": "Why it was dismissed; \"\" otherwise."},
                    "correction_id": {"type": ["integer", "null"],
                                      "description": "The notice published on the article when confirmed."},
                },
            },
            "CorrectionList": {
                "type": "object",
                "required": ["corrections", "next"],
                "properties": {
                    "article": {"oneOf": [_ref("PageArticle"), {"type": "null"}],
                                "description": "With `url` or a slug: the article (null for an unknown URL)."},
                    "corrections": {"type": "array", "items": _ref("Notice")},
                    "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, if any."},
                },
            },
            "PageNotices": {
                "type": "object",
                "required": ["article", "notices", "next", "log_url"],
                "properties": {
                    "article": {"oneOf": [_ref("PageArticle"), {"type": "null"}]},
                    "notices": {"type": "array", "items": _ref("Notice"), "maxItems": MAX_LIMIT},
                    "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, if any."},
                    "log_url": {"type": ["string", "null"], "format": "uri",
                                "description": "The public corrections log of the article, every notice on it "
                                               "(null for an unknown URL)."},
                    "disclosure": {"type": ["string", "null"],
                                   "examples": ["This article was generated automatically by newswriter 4.2."],
                                   "description": "With the article only: the line its page shows readers when a "
                                                  "machine wrote it or helped (its `source_type`), in `language`, "
                                                  "naming its `generator` when known; null when people wrote it or "
                                                  "it does not say."},
                    "language": {"type": "string", "examples": ["hu"],
                                 "description": "The language of `words`: the article's own where readers may get "
                                                "it, else the best match of the request's Accept-Language."},
                    "time_zone": {"type": "string", "examples": ["Europe/Budapest"],
                                  "description": "The IANA time zone the site shows dates in."},
                    "words": {
                        "type": "object",
                        "description": "The embed's words in `language` (with the article only): its report "
                                       "link, the notices' label, the word before an amended notice's date, the "
                                       "link to the log when there are more notices, and each kind of notice.",
                        "required": ["report", "notices", "updated", "more", "kinds"],
                        "properties": {
                            "report": {"type": "string"}, "notices": {"type": "string"},
                            "updated": {"type": "string"}, "more": {"type": "string"},
                            "kinds": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                    },
                },
            },
            "ReportInput": {
                "type": "object",
                "required": ["category", "description"],
                "additionalProperties": False,
                "properties": {
                    "passage": {"type": ["string", "null"], "maxLength": vocabulary.PASSAGE_MAX,
                                "description": "The quoted words that are wrong."},
                    "category": {"type": "string", "enum": list(vocabulary.CATEGORIES)},
                    "description": {"type": "string", "minLength": vocabulary.DESCRIPTION_MIN,
                                    "pattern": min_length_pattern(vocabulary.DESCRIPTION_MIN),
                                    "maxLength": vocabulary.DESCRIPTION_MAX, "description": "What is wrong."},
                    "suggested_correction": {"type": ["string", "null"], "maxLength": vocabulary.SUGGESTION_MAX},
                    "source_url": {"type": ["string", "null"], "maxLength": vocabulary.SOURCE_URL_MAX,
                                   "anyOf": [_HTTP_URL, {"const": ""}, {"type": "null"}],
                                   "description": "A web address starting with http:// or https://."},
                    "name": {"type": ["string", "null"], "maxLength": vocabulary.REPORTER_NAME_MAX},
                    "email": {"type": ["string", "null"], "maxLength": vocabulary.EMAIL_MAX,
                              "anyOf": [_EMAIL, {"const": ""}, {"type": "null"}],
                              "description": "Only to tell the reader of the outcome; never shown by any read. "
                                             "Checked by email-validator, as the site's form does: an address "
                                             "mail could reach."},
                    "notify": {"type": ["boolean", "null"], "default": False,
                               "description": "Consent to an e-mail about the outcome; true needs an email. An "
                                              "address not confirmed yet is first sent a link to confirm it."},
                },
                # notify: true needs an e-mail address to write to.
                "if": {"required": ["notify"], "properties": {"notify": {"const": True}}},
                "then": {"required": ["email"], "properties": {"email": _EMAIL}},
            },
            "ReportReceipt": {
                "type": "object",
                "required": ["reference", "status_url", "status"],
                "properties": {
                    "reference": {"type": "string", "examples": ["R-7K2Q9M"]},
                    "status_url": {"type": "string", "format": "uri",
                                   "description": "The reader's private status page: give it to the reader only."},
                    "status": {"type": "string", "examples": ["new"],
                               "description": "`new`, or `received` for a report accepted while the database is "
                                              "down and not filed yet."},
                },
            },
            "ArticleInput": {
                "type": "object",
                "required": ["title", "canonical_url", "body"],
                "additionalProperties": False,
                "properties": {
                    "title": {"type": "string", "minLength": 1, "pattern": min_length_pattern(1),
                              "maxLength": vocabulary.TITLE_MAX},
                    "canonical_url": {**_HTTP_URL, "maxLength": vocabulary.ARTICLE_URL_MAX},
                    "body": {"type": "string", "minLength": 1, "pattern": min_length_pattern(1),
                             "maxLength": vocabulary.BODY_MAX, "description": "Plain paragraphs or HTML; sanitised."},
                    "slug": {"type": ["string", "null"], "maxLength": vocabulary.SLUG_MAX,
                             "pattern": f"^{OPTIONAL_SLUG.pattern}$",
                             "description": "Lowercase letters, digits and single hyphens; made from the title "
                                            "when empty or left out."},
                    "byline": {"type": ["string", "null"], "maxLength": vocabulary.BYLINE_MAX},
                    "section": {"type": ["string", "null"], "maxLength": vocabulary.SECTION_MAX},
                    "language": {
                        "anyOf": [{"type": "string", "maxLength": languages.TAG_MAX,
                                   "pattern": f"^{languages.TAG_PATTERN}$"}, {"const": ""}, {"type": "null"}],
                        "description": "The article's language, a BCP 47 tag such as `hu` or `pt-BR`; its public "
                                       "pages speak it when it is one of CORRECTIONS_LANGUAGES. Not said when empty "
                                       "or left out (an update forgets the stored one)."},
                    "source_type": {
                        "anyOf": [{"type": "string", "enum": SOURCE_TYPE_VALUES}, {"const": ""}, {"type": "null"}],
                        "examples": ["trainedAlgorithmicMedia"],
                        "description": "How the article was made: a term of the IPTC Digital Source Type vocabulary "
                                       "that describes a text, or its URI (" + vocabulary.SOURCE_TYPE_URI + "<term>, "
                                       "http or https). Written by people: " + _terms("human") + "; "
                                       "machine-generated: " + _terms("machine_generated") + "; machine-assisted: "
                                       + _terms("machine_assisted") + ". The bare term is stored; readers see a "
                                       "line saying so where a machine wrote or helped. Not said when empty or left "
                                       "out (an update forgets the stored one)."},
                    "generator": {
                        "type": ["string", "null"], "maxLength": vocabulary.GENERATOR_MAX,
                        "examples": ["newswriter 4.2"],
                        "description": "The system or pipeline that wrote the article, with its version; named to "
                                       "readers with a machine source_type. Not said when empty or left out."},
                    "published_at": {
                        "anyOf": [{"type": "string", "format": "date-time", "pattern": f"^{PUBLISHED_AT.pattern}$"},
                                  {"const": ""}, {"type": "null"}],
                        "description": f"An RFC 3339 date-time with its offset (T and Z in capitals), in the years "
                                       f"{vocabulary.YEAR_MIN} to {vocabulary.YEAR_MAX} as written; now (or, for an "
                                       "update, the stored one) when empty or left out."},
                },
            },
            "FeedbackPage": {
                "type": "object",
                "required": ["schema_version", "records", "next", "cursor"],
                "properties": {
                    "schema_version": {"const": feedback.SCHEMA_VERSION},
                    "records": {"type": "array", "items": _ref("FeedbackRecord"), "maxItems": MAX_LIMIT},
                    "next": {"type": ["string", "null"], "format": "uri",
                             "description": "The next page, when more records were there already."},
                    "cursor": {"type": ["string", "null"], "pattern": f"^{CURSOR_PATTERN.pattern}$",
                               "description": "Where the stream stands after this page (the cursor sent, for an "
                                              "empty page): send it later for what was decided since. Null when "
                                              "nothing was listed yet."},
                },
            },
            **_embedded(feedback.schema(), "FeedbackRecord"),
            "ArticleResult": {
                "type": "object",
                "required": ["result", "article"],
                "properties": {
                    "result": {"type": "string", "enum": ["created", "updated", "unchanged"]},
                    "article": {"allOf": [_ref("PageArticle"), {
                        "type": "object",
                        "required": ["byline", "section", "language", "source_type", "generator", "published_at",
                                     "updated_at", "page_url"],
                        "properties": {
                            "byline": {"type": "string"},
                            "section": {"type": "string"},
                            "language": {"type": ["string", "null"]},
                            "source_type": {"type": ["string", "null"], "enum": [*vocabulary.SOURCE_TYPES, None],
                                            "description": "The IPTC digital source type term, bare."},
                            "generator": {"type": ["string", "null"]},
                            "published_at": {"type": "string", "format": "date-time"},
                            "updated_at": {"type": "string", "format": "date-time"},
                            "page_url": {"type": "string", "format": "uri"},
                        },
                    }]},
                },
            },
        },
    },
}
