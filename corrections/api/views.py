"""The JSON API under /api/v1, described by /api/v1/openapi.json (the document: api/openapi.py).

Public reads of published notices (for embeds and CMSs; CORS for the configured origins only),
reports from a CMS's own form (the same rules and rate limit as the HTML form), and article
upserts with an API token. Every answer is JSON, errors included.
"""

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext
from flask_cors import cross_origin
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from wtforms.validators import Length, ValidationError

from corrections import error_pages, intake, languages, transaction, vocabulary
from corrections.access import api_tokens
from corrections.api.openapi import (
    CHECK_FIELDS,
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    ID_MAX,
    MAX_LIMIT,
    NOTICE_FIELDS,
    OPENAPI,
    OPTIONAL_SLUG,
    PUBLISHED_AT,
)
from corrections.articles import content, revisions
from corrections.errors import Refusal
from corrections.extensions import db, limiter
from corrections.forms import ReportForm
from corrections.infra import outage
from corrections.models import ApiToken, Article, Notice, Report
from corrections.models import utc_iso as iso
from corrections.notices import publishing
from corrections.public import report_rate_limit
from corrections.repeats import checks, sweep
from corrections.repeats import listing as repeat_listing
from corrections.reports import feedback, spool, tokens
from corrections.text import clean_text, is_http_url, parse_id
from corrections.vocabulary import NOTICE_KINDS

bp = Blueprint("api", __name__, url_prefix="/api/v1")

READ_CACHE = "public, max-age=60"
REPORT_FIELDS = ("passage", "category", "description", "suggested_correction", "source_url", "name", "email",
                 "notify")
ARTICLE_FIELDS = content.FIELDS
TOKEN_CHALLENGE = 'Bearer realm="corrections"'

MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    413: "The body is larger than this API accepts.",
    500: "Something went wrong on our side; it has been logged. Please try again in a moment.",
    503: "The database is not answering just now; please try again in a minute.",
}


class ApiError(Exception):
    """An answer other than success, with a message a developer can act on and per-field messages."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


# --- JSON in and out -------------------------------------------------------------------------------

def json_response(data, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON that stays inert even if a page pastes it into a <script>: <, > and & are escaped.

    ensure_ascii leaves those three characters only inside strings, where \\u escapes decode to the same text.
    """
    body = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    response = Response(body, status=status, mimetype="application/json")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.update(headers or {})
    return response


def error_response(status: int, message: str, fields: dict | None = None, headers: dict | None = None) -> Response:
    return json_response({"error": {"message": message, "fields": fields or {}}}, status, headers)


def cached_json(data) -> Response:
    """A public read: cacheable for a minute, with an ETag so unchanged answers cost a 304."""
    response = json_response(data)
    response.headers["Cache-Control"] = READ_CACHE
    # Allowed origins get an Access-Control-Allow-Origin header and others do not: caches must keep them apart.
    response.vary.add("Origin")
    response.add_etag()
    return response.make_conditional(request)


def json_object() -> dict:
    """The request body as a JSON object, or a 400 that says what was wrong with it."""
    if not request.is_json:
        raise ApiError(400, "Send a JSON object with the header Content-Type: application/json.")
    raw = request.get_data()  # raises the 413 for bodies over MAX_CONTENT_LENGTH
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise ApiError(400, f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise ApiError(400, "The body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object ({...}), not an array, a string or a number.")
    return payload


# --- Errors: JSON for everything under /api/v1 -------------------------------------------------------

@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields, error.headers)


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded):
    wait = error_pages.seconds_until_reset()
    return error_response(429, f"Too many requests from this address in a short time. "
                               f"Please try again in {wait} seconds.", headers={"Retry-After": str(wait)})


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    headers = {}
    message = MESSAGES.get(code) or error.description or error.name
    if isinstance(error, MethodNotAllowed):
        allowed = sorted(set(error.valid_methods or ()) - {"HEAD", "OPTIONS"})
        message = f"This address does not accept {request.method}; it accepts {', '.join(allowed)}."
        headers["Allow"] = ", ".join(error.valid_methods or ())
    if code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        message = f"The body is larger than this API accepts ({current_app.config['MAX_CONTENT_LENGTH']:,} bytes)."
    return error_response(code, message, headers=headers)


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    if outage.is_unavailable(error):
        error_pages.note_outage(error)
        return error_response(503, MESSAGES[503], headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)})
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return error_response(500, MESSAGES[500])


@bp.before_app_request
def routing_errors():
    """Unknown /api/v1 addresses and wrong methods match no view, so the blueprint's handlers never see them."""
    error = request.routing_exception
    under_api = request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")
    if under_api and isinstance(error, NotFound | MethodNotAllowed):
        return http_error(error)
    return None


# --- What the reads show -----------------------------------------------------------------------------

def article_ref(article: Article) -> dict:
    return {"slug": article.slug, "title": article.title, "url": article.canonical_url}


def article_with_report_url(article: Article) -> dict:
    return {**article_ref(article), "report_url": url_for("public.report", slug=article.slug, _external=True)}


def notice_json(notice: Notice) -> dict:
    """One published notice, as every read shows it; never anything about the reports behind it."""
    return {
        "id": notice.id,
        "kind": notice.kind,
        "kind_label": str(NOTICE_KINDS.get(notice.kind, notice.kind)),
        "text": notice.text,
        "wrong_text": notice.wrong_text,
        "right_text": notice.right_text,
        "published_at": iso(notice.published_at),
        "updated_at": iso(notice.updated_at),
        "article": article_ref(notice.article),
        "article_url": url_for("public.article", slug=notice.article.slug, _anchor=f"correction-{notice.id}",
                               _external=True),
        "revision_url": revision_url(notice),
    }


def revision_url(notice: Notice) -> str | None:
    """What changed in the article with the revision the notice goes with (when readers may see revisions)."""
    number = notice.revision_number
    if not number or number < 2 or not current_app.config["PUBLIC_REVISIONS"]:
        return None
    return url_for("public.revision_diff", slug=notice.article.slug, old=number - 1, new=number, _external=True)


def by_canonical_url(url: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.canonical_url == url))


def query_arg(name: str) -> str | None:
    """A query parameter given at most once: a repeat is refused rather than one of its values picked."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"Give {name}= only once; it was given {len(values)} times.",
                       {name: ["Give this parameter only once."]})
    return values[0] if values else None


def required_url() -> str:
    url = (query_arg("url") or "").strip()
    if not url:
        raise ApiError(400, "Give the article's canonical URL in ?url=.",
                       {"url": ["Give the canonical URL of the article, as imported."]})
    return url


# --- Pagination: a cursor on (published_at, id), newest first -------------------------------------------
# The cursor is the last notice's publication time in microseconds since 1970 and its id, "<micros>_<id>":
# every value of this shape is a place in the list, so the document's pattern is the whole rule. The feedback
# stream's cursor is the same on its own order (a report's decision time and id, oldest first).

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
EARLIEST = (datetime.min.replace(tzinfo=UTC) - EPOCH) // MICROSECOND
LATEST = (datetime.max.replace(tzinfo=UTC) - EPOCH) // MICROSECOND


def encode_cursor(moment: datetime, ident: int) -> str:
    """The cursor of a place in a list ordered by a moment then an id (a notice's publication, a report's decision)."""
    return f"{(moment - EPOCH) // MICROSECOND}_{ident}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    if not CURSOR_PATTERN.fullmatch(cursor):
        raise ApiError(400, "This cursor is not valid.",
                       {"cursor": ["Use the `next` link of an earlier page, unchanged."]})
    micros, _, ident = cursor.partition("_")
    # A time outside the calendar Python knows starts before the first notice or after the last one.
    micros_in_range = min(max(int(micros), EARLIEST), LATEST)
    return EPOCH + micros_in_range * MICROSECOND, int(ident)


def page_limit() -> int:
    raw = query_arg("limit")
    if raw is None:
        return DEFAULT_LIMIT
    limit = parse_id(raw)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}.",
                       {"limit": [f"Give a whole number from 1 to {MAX_LIMIT}."]})
    return limit


class Page:
    """The paging arguments of a list read, checked before anything else so that bad ones always get their 400."""

    def __init__(self):
        self.limit = page_limit()
        cursor = query_arg("cursor")
        self.after = decode_cursor(cursor) if cursor is not None else None


def notices_page(page: Page, article: Article | None, **link_args) -> tuple[list[dict], str | None]:
    """One page of shown notices, newest first, and the absolute link to the next page (or None)."""
    limit = page.limit
    query = publishing.log_query(publishing.LogFilter())
    if article is not None:
        query = query.where(Notice.article_id == article.id)
    if page.after is not None:
        published_at, ident = page.after
        query = query.where(or_(Notice.published_at < published_at,
                                and_(Notice.published_at == published_at, Notice.id < ident)))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    shown = rows[:limit]
    next_url = None
    if len(rows) > limit:
        next_url = url_for(request.endpoint, **(request.view_args or {}), **link_args, limit=limit,
                           cursor=encode_cursor(shown[-1].published_at, shown[-1].id), _external=True)
    return [notice_json(n) for n in shown], next_url


# --- Reads (public) ----------------------------------------------------------------------------------
# cross_origin reads the allowed origins from config CORS_ORIGINS on each request (flask-cors's own key).

@bp.get("/corrections")
@cross_origin(methods=["GET"])
def corrections():
    page = Page()
    if query_arg("url") is None:
        items, next_url = notices_page(page, None)
        return cached_json({"corrections": items, "next": next_url})
    url = required_url()
    article = by_canonical_url(url)
    if article is None:
        # Not an error: an embed may ask about a page before its article is imported.
        return cached_json({"article": None, "corrections": [], "next": None})
    items, next_url = notices_page(page, article, url=url)
    return cached_json({"article": article_with_report_url(article), "corrections": items, "next": next_url})


@bp.get("/articles/<slug>/corrections")
@cross_origin(methods=["GET"])
def article_corrections(slug: str):
    page = Page()
    article = content.get_by_slug(slug)
    if article is None:
        raise ApiError(404, "No article has this slug.")
    items, next_url = notices_page(page, article)
    return cached_json({"article": article_with_report_url(article), "corrections": items, "next": next_url})


@bp.get("/notices")
@cross_origin(methods=["GET"])
def notices_for_page():
    """The embed's read: the newest shown notices of the page's article, a page of them (by cursor like every
    list: an article may gather thousands), where readers find them all, and where to report an inaccuracy."""
    page = Page()
    url = required_url()
    article = by_canonical_url(url)
    if article is None:
        return cached_json({"article": None, "notices": [], "next": None, "log_url": None})
    languages.decide(article.language)
    items, next_url = notices_page(page, article, url=url)
    return cached_json({"article": article_with_report_url(article), "notices": items, "next": next_url,
                        "log_url": url_for("public.corrections_log", article=article.slug, _external=True),
                        # The line the article's own page shows readers when a machine wrote it or helped.
                        "disclosure": content.disclosure(article.source_type, article.generator),
                        **embed_words()})


def embed_words() -> dict:
    """The embed's words, in the article's language (or the one the browser's Accept-Language chooses), and how it
    writes dates: that language, in the site's time zone."""
    return {
        "language": languages.html_lang(languages.language()),
        "time_zone": current_app.config["TIMEZONE"],
        "words": {
            "report": gettext("Report an inaccuracy"),
            "notices": gettext("Corrections to this article"),
            "updated": gettext("updated"),
            "more": gettext("See every notice on this article"),
            "kinds": {kind: str(label) for kind, label in NOTICE_KINDS.items()},
        },
    }


# --- Reports from a CMS's own form ---------------------------------------------------------------------

def report_form(payload: dict) -> ReportForm:
    """The HTML form's fields and rules applied to a JSON report; raises a 400 with every field's messages."""
    problems: dict[str, list[str]] = {}
    formdata = MultiDict()
    for name in REPORT_FIELDS:
        value = payload.get(name)
        if value is None:
            continue
        if name == "notify":
            if not isinstance(value, bool):
                problems[name] = ["Send true or false."]
            elif value:
                formdata[name] = "y"
        elif not isinstance(value, str):
            problems[name] = ["Send this field as a string."]
        else:
            formdata[name] = value
    for name in sorted(set(payload) - set(REPORT_FIELDS)):
        problems[name] = ["This is not a field of a report."]
    form = ReportForm(formdata=formdata, meta={"csrf": False})
    form.validate()
    for name, messages in form.errors.items():
        problems.setdefault(name, [str(message) for message in messages])
    for name, value in formdata.items():
        if name not in problems and (message := as_sent_problem(form, name, value)):
            problems[name] = [message]
    if problems:
        raise ApiError(400, "Some fields need attention: see fields.", problems)
    return form


def as_sent_problem(form: ReportForm, name: str, value: str) -> str | None:
    """What is wrong with a value as sent, by the form's own rules and messages, or None.

    The form checks text once cleaned and trimmed; the API's document states maxLength, the address pattern and
    the e-mail format of the value as sent, so " https://x.org" is refused as documented rather than repaired.
    """
    field = form[name]
    limit = max_length(field)
    if limit is not None and len(value) > limit:
        return f"Please keep this under {limit:,} characters (it has {len(value)})."
    if name in ("source_url", "email") and value:
        try:
            getattr(form, f"validate_{name}")(SimpleNamespace(data=value))  # the form's check, on a copy
        except ValidationError as error:
            return str(error)
    return None


def max_length(field) -> int | None:
    """The longest text a form field takes, from its own Length validator: one place for the form and the API."""
    return next((v.max for v in field.validators if isinstance(v, Length) and v.max >= 0), None)


@bp.post("/articles/<slug>/reports")
@limiter.shared_limit(report_rate_limit, scope="reports")
def create_report(slug: str):
    # While the database is down the report is checked and spooled all the same, and its article found when filed.
    article, database_down = intake.find_article(slug)
    if article is None and not database_down:
        raise ApiError(404, "No article has this slug.")
    form = report_form(json_object())
    # The HTML form's spam signals (honeypot, time since served) do not apply: the CMS's form is its own.
    client = tokens.client_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])
    try:
        filed = intake.submit_or_spool(article, slug, form.to_input(), client=client)
    except spool.SpoolError:
        raise ApiError(503, "The report could not be saved just now; nothing was filed. Please send it again in "
                            "a minute.", headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)}) from None
    status_url = url_for("public.report_status", token=filed.token, _external=True)
    # 202 for a report spooled while the database is down: accepted, and filed once it answers ("received").
    return json_response({"reference": filed.reference, "status_url": status_url, "status": filed.status},
                         202 if filed.id is None else 201, {"Location": status_url, "Cache-Control": "no-store"})


# --- Article upserts (token) -----------------------------------------------------------------------------

def authenticated_token() -> ApiToken:
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(401, "This needs an API token: send the header Authorization: Bearer <token>. "
                            "An admin creates tokens at /editor/admin/tokens.",
                       headers={"WWW-Authenticate": TOKEN_CHALLENGE})
    scheme, _, raw = header.partition(" ")
    # Verifying records when the token was last used.
    token = transaction.commit(lambda: api_tokens.verify(raw.strip())) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(401, "The API token is not valid or was revoked.",
                       headers={"WWW-Authenticate": TOKEN_CHALLENGE + ', error="invalid_token"'})
    return token


def article_json(article: Article) -> dict:
    return {
        **article_with_report_url(article),
        "byline": article.byline,
        "section": article.section,
        "language": article.language,
        "source_type": article.source_type,
        "generator": article.generator,
        "published_at": iso(article.published_at),
        "updated_at": iso(article.updated_at),
        "page_url": url_for("public.article", slug=article.slug, _external=True),
    }




def article_data(payload: dict) -> content.ArticleData:
    """The article of an upsert: import-articles' rules and the document's stricter ones; one 400 names them all."""
    fields: dict[str, list[str]] = {}
    message = ""
    data = None
    try:
        data = content.parse_article(payload)
    except content.ArticleError as error:
        fields, message = dict(error.fields), str(error)
    stricter = {
        "canonical_url": (is_http_url, "canonical_url must be an http(s) URL, with no spaces"),
        "slug": (OPTIONAL_SLUG.fullmatch, "slug may hold only lowercase letters, digits and single hyphens, "
                                          "with no spaces"),
        "source_type": (vocabulary.source_type_term, content.SOURCE_TYPE_RULE + ", with no spaces"),
        "published_at": (PUBLISHED_AT.fullmatch, "published_at must be an RFC 3339 date-time with its offset "
                                                 f"between the years {vocabulary.YEAR_MIN} and {vocabulary.YEAR_MAX}, "
                                                 "e.g. 2026-11-24T09:30:00+00:00 or 2026-11-24T09:30:00Z"),
    }
    for name, (valid, problem) in stricter.items():
        value = payload.get(name)
        if isinstance(value, str) and value and not valid(value) and name not in fields:
            fields[name] = [problem]
            message = "; ".join(filter(None, [message, problem]))
    if fields or data is None:
        raise ApiError(400, f"The article was not saved: {message}.", fields)
    return data


@bp.put("/articles")
def upsert_article():
    """Create or update the article with this canonical_url: the rules of `corrections import-articles`."""
    token = authenticated_token()
    data = article_data(json_object())
    try:
        # Another request may create the same article at the same moment: the second try updates it.
        article, outcome = transaction.commit(lambda: content.upsert_article(data, source="api", by=token.name),
                                              retry=(IntegrityError,))
    except content.ArticleError as error:
        raise ApiError(409, f"The article was not saved: {error}.", {"slug": [str(error)]}) from None
    headers = {"Location": url_for("public.article", slug=article.slug, _external=True)} if outcome == "created" else {}
    return json_response({"result": outcome, "article": article_json(article)}, 201 if outcome == "created" else 200,
                         headers)


# --- Notices published by a generating system (token) ------------------------------------------------------

@dataclass
class NoticeInput:
    kind: str
    text: str
    wrong_text: str
    right_text: str
    revision: int | None
    reports: list[str | int]


def _whole_number(value) -> int | None:
    """A JSON integer (1 and 1.0 alike, as JSON Schema has it; never true or false) from 1 to ID_MAX, or None.
    Python's JSON reads Infinity, NaN and 1e400 as floats that int() cannot take: they are no number here."""
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)) or value != int(value):
        return None
    return int(value) if 1 <= value <= ID_MAX else None


def notice_input(payload: dict) -> NoticeInput:
    """A notice as sent, checked against the document (NoticeInput): one 400 names every field that is not."""
    problems: dict[str, list[str]] = {}
    for name in sorted(set(payload) - set(NOTICE_FIELDS)):
        problems[name] = ["This is not a field of a notice."]
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in NOTICE_KINDS:
        problems["kind"] = [f"Give the kind of notice: one of {', '.join(NOTICE_KINDS)}."]
    text = payload.get("text")
    if not isinstance(text, str):
        problems["text"] = ["Give the text readers will see, as a string."]
    elif len(text) > vocabulary.NOTICE_TEXT_MAX or len(clean_text(text).strip()) < vocabulary.NOTICE_TEXT_MIN:
        problems["text"] = [f"Between {vocabulary.NOTICE_TEXT_MIN} and {vocabulary.NOTICE_TEXT_MAX:,} characters "
                            f"(it has {len(text):,})."]
    words = {}
    for name, limit in (("wrong_text", vocabulary.WRONG_TEXT_MAX), ("right_text", vocabulary.RIGHT_TEXT_MAX)):
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            problems[name] = ["Send this field as a string."]
        elif value is not None and len(value) > limit:
            problems[name] = [f"Please keep this under {limit:,} characters (it has {len(value):,})."]
        words[name] = value or ""
    if kind == "correction" and "wrong_text" not in problems and not clean_text(words["wrong_text"]).strip():
        problems["wrong_text"] = ["A correction says what was wrong: the words as the article had them."]
    revision = payload.get("revision")
    if revision is not None and _whole_number(revision) is None:
        problems["revision"] = [f"Give the number of one of the article's revisions (1 to {ID_MAX:,})."]
    reports = payload.get("reports")
    if reports is None:
        reports = []
    elif not isinstance(reports, list) or len(reports) > vocabulary.BULK_MAX or not all(
            (isinstance(r, str) and tokens.is_reference(r)) or _whole_number(r) is not None for r in reports):
        problems["reports"] = [f"Give a list of at most {vocabulary.BULK_MAX} reports, each its reference "
                               "(R-7F3KQ2) or its id."]
    if problems:
        raise ApiError(400, "Some fields need attention: see fields.", problems)
    return NoticeInput(kind, clean_text(text), clean_text(words["wrong_text"]), clean_text(words["right_text"]),
                       _whole_number(revision) if revision is not None else None,
                       [r if isinstance(r, str) else _whole_number(r) for r in reports])


def linked_reports(article: Article, wanted: list[str | int]) -> list[Report]:
    """The reports named by reference or id, in order and once each; a 409 names those that do not exist."""
    references = [one for one in wanted if isinstance(one, str)]
    ids = [one for one in wanted if not isinstance(one, str)]
    # One read for all of them (up to BULK_MAX).
    rows = db.session.scalars(select(Report).where(or_(Report.reference.in_(references), Report.id.in_(ids)))).all()
    by_reference, by_id = {report.reference: report for report in rows}, {report.id: report for report in rows}
    found: dict[int, Report] = {}
    missing = []
    for wanted_one in wanted:
        report = by_reference.get(wanted_one) if isinstance(wanted_one, str) else by_id.get(wanted_one)
        if report is None:
            missing.append(str(wanted_one))
        else:
            found.setdefault(report.id, report)
    if missing:
        raise ApiError(409, f"No report has the reference or id {', '.join(missing)}; nothing was published.",
                       {"reports": [f"No report has the reference or id {one}." for one in missing]})
    return list(found.values())


@bp.post("/articles/<slug>/notices")
def publish_notice(slug: str):
    """Publish a notice on the article as the dashboard does (publishing.publish: the reports linked accepted and
    corrected, their readers told, webhooks, feeds, the unannounced change its revision made settled), recorded
    as published by the token's name."""
    token = authenticated_token()
    article = content.get_by_slug(slug)
    if article is None:
        raise ApiError(404, "No article has this slug.")
    sent = notice_input(json_object())
    revision = None
    if sent.revision is not None:
        revision = revisions.by_number(article, sent.revision)
        if revision is None:
            raise ApiError(409, f"The article has no revision {sent.revision}; nothing was published.",
                           {"revision": [f"The article has no revision {sent.revision}."]})
    reports = linked_reports(article, sent.reports)
    try:
        notice = transaction.commit(lambda: publishing.publish(
            article, sent.kind, sent.text, by=api_tokens.acting(token), reports=reports, revision=revision,
            wrong_text=sent.wrong_text, right_text=sent.right_text), reports=reports)
    except Refusal as refusal:
        # Well-formed, but not what the article's text and reports allow now (or a report changed meanwhile).
        field = refusal.field or ("reports" if reports else "kind")
        raise ApiError(409, f"Nothing was published: {refusal}", {field: [str(refusal)]}) from None
    body = {**notice_json(notice), "reports": [report.reference for report in notice.reports]}
    return json_response(body, 201, {"Location": body["article_url"], "Cache-Control": "no-store"})


# --- A draft checked for known errors (token) -----------------------------------------------------------------

def check_input(payload: dict) -> tuple[str, str]:
    """The text and format of a check, as the document (CheckInput) has them: one 400 names every field that is
    not."""
    problems: dict[str, list[str]] = {}
    for name in sorted(set(payload) - set(CHECK_FIELDS)):
        problems[name] = ["This is not a field of a check."]
    text = payload.get("text")
    if not isinstance(text, str):
        problems["text"] = ["Give the text to check, plain text or HTML, as a string."]
    elif len(text) > vocabulary.CHECK_TEXT_MAX:
        problems["text"] = [f"At most {vocabulary.CHECK_TEXT_MAX:,} characters are checked (it has {len(text):,})."]
    elif not clean_text(text).strip():
        problems["text"] = ["The text is empty: there is nothing to check."]
    text_format = payload.get("format")
    if text_format is None:
        text_format = "auto"
    elif text_format not in vocabulary.CHECK_FORMATS:
        problems["format"] = [f"Give one of {', '.join(vocabulary.CHECK_FORMATS)}, or leave it out (auto)."]
    if problems:
        raise ApiError(400, "Some fields need attention: see fields.", problems)
    return text, text_format


@bp.post("/check")
def check_text():
    """The known errors (published corrections' wrong words) a draft repeats, as `corrections check-text` prints
    them: for a generating pipeline, before it publishes."""
    authenticated_token()
    text, text_format = check_input(json_object())
    is_html = checks.looks_like_html(text) if text_format == "auto" else text_format == "html"
    found = checks.check(text, is_html)
    return json_response({"format": "html" if is_html else "text", "found": [f.as_json() for f in found]},
                         headers={"Cache-Control": "no-store"})


# --- Feedback for generating systems (token) ---------------------------------------------------------------

def since_arg() -> tuple[str, datetime] | None:
    """?since= as given and the moment it names, or None when not given; a 400 when it names none."""
    raw = query_arg("since")
    if raw is None:
        return None
    since = feedback.parse_since(raw)
    if since is None:
        raise ApiError(400, f"since must be {feedback.SINCE_EXAMPLES}.",
                       {"since": [f"Give {feedback.SINCE_EXAMPLES}."]})
    return raw, since


@bp.get("/feedback")
def feedback_records():
    """Decided reports as feedback records (reports/feedback.py), oldest decision first, a page at a time; `cursor`
    is where the stream stands after the page, for a client that asks again later."""
    authenticated_token()
    page = Page()
    since = since_arg()
    after = feedback.Position(*page.after) if page.after is not None else None
    found = feedback.page(until=feedback.settled_before(), after=after, since=since[1] if since else None,
                          limit=page.limit)
    end = found.end or after
    cursor = encode_cursor(end.decided_at, end.report_id) if end is not None else None
    next_url = None
    if found.more:
        next_url = url_for(request.endpoint, limit=page.limit, cursor=cursor,
                           **({"since": since[0]} if since else {}), _external=True)
    return json_response({"schema_version": feedback.SCHEMA_VERSION, "records": found.records, "next": next_url,
                          "cursor": cursor}, headers={"Cache-Control": "no-store"})


@bp.get(f"/schemas/{feedback.SCHEMA_NAME}")
def feedback_schema():
    return json_response(feedback.schema(), headers={"Cache-Control": READ_CACHE})


# --- Same error elsewhere (token) --------------------------------------------------------------------------

def repeat_json(repeat) -> dict:
    """An item of "same error elsewhere": the article the error was found in, where, and what editors decided."""
    return {
        "id": repeat.id,
        "article": article_ref(repeat.article),
        "origin": repeat.origin,
        "state": repeat.state,
        "matched_text": repeat.matched_text,
        "start": repeat.match_start,
        "end": repeat.match_end,
        "revision": repeat.revision.number,
        "score": repeat.score,
        "found_at": iso(repeat.found_at),
        "decided_at": iso(repeat.decided_at),
        "decided_by": repeat.decided_by or None,
        "reason": repeat.reason,
        "correction_id": repeat.fixed_by_id,
    }


@bp.get("/notices/<int:notice_id>/elsewhere")
def notice_elsewhere(notice_id: int):
    """Other articles carrying the notice's error, found by the archive sweep (or come back in a new text), in the
    order they were found, with what editors decided; and the state of the sweep. Needs a token: the items name
    other articles' errors before editors confirmed them."""
    authenticated_token()
    limit = page_limit()
    raw_after = query_arg("after")
    after = parse_id(raw_after) if raw_after is not None else 0
    if after is None:
        raise ApiError(400, "after must be the id of an item (a whole number of at most 9 digits).",
                       {"after": ["Use the `next` link of an earlier page, unchanged."]})
    notice = db.session.get(Notice, notice_id) if notice_id <= ID_MAX else None
    if notice is None:
        raise ApiError(404, "No notice has this id.")
    items = repeat_listing.for_notice(notice, limit + 1, after)
    next_url = None
    if len(items) > limit:
        items = items[:limit]
        next_url = url_for("api.notice_elsewhere", notice_id=notice.id, limit=limit, after=items[-1].id,
                           _external=True)
    swept = sweep.state_of(notice)
    return json_response({
        "notice": {"id": notice.id, "article": article_ref(notice.article), "wrong_text": notice.wrong_text,
                   "right_text": notice.right_text},
        "sweep": {"state": swept.status if swept else "none", "queued_at": iso(swept.queued_at) if swept else None,
                  "done_at": iso(swept.done_at) if swept else None,
                  "seconds": swept.seconds if swept and swept.done_at else None},
        "items": [repeat_json(item) for item in items],
        "next": next_url,
    }, headers={"Cache-Control": "no-store"})


# --- The description ------------------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    return json_response(OPENAPI, headers={"Cache-Control": READ_CACHE})
