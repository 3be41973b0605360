"""Reader pages: the article list, an article, the report form and the private status page."""

from datetime import datetime
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Row, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField
from wtforms.validators import DataRequired

from corrections import intake, languages, revision_pages
from corrections.articles import content
from corrections.extensions import db, limiter
from corrections.figures import elsewhere, metrics, transparency
from corrections.forms import ReportForm, form_served_token
from corrections.infra import outage, page_cache
from corrections.models import Article, Notice, Report
from corrections.notices import policies, publishing
from corrections.reports import consent, filing, privacy, spool, tokens
from corrections.reports.outcomes import given_reason, reader_status
from corrections.transaction import commit, save
from corrections.vocabulary import CATEGORIES, NOTICE_KINDS, PASSAGE_MAX, source_type_uri

bp = Blueprint("public", __name__)


def report_rate_limit() -> str:
    """One budget per client for reports, whether sent by the form or through the API."""
    return current_app.config["REPORT_RATE_LIMIT"]


def page_number() -> int:
    """The ?page= argument, kept within what a database OFFSET can take."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), 100_000)


@bp.get("/")
def index():
    page = page_number()
    latest = db.paginate(
        select(Article).order_by(Article.published_at.desc(), Article.id.desc()),
        page=page,
        per_page=current_app.config["ARTICLES_PER_PAGE"],
        error_out=False,
    )
    if page > 1 and not latest.items:
        abort(404)
    return render_template("public/index.html", latest=latest,
                           json_ld=policies.organisation_json_ld(current_app.config["SITE_NAME"]))


@bp.get("/articles/<slug>")
def article(slug: str):
    # Readers without a session are served by the page cache (page_cache.py) once this page is rendered.
    version = page_cache.version_from(request.environ, "slug", slug) or abort(404)
    # The ETag covers the visitor's kind too (an editor's page carries their own header), and where the page's
    # absolute links point.
    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    etag = f"{version}-{page_cache.links_tag()}-{'s' if has_session else 'p'}{languages.visitors_tag()}"
    cache_control = "no-cache" if not has_session else "private, no-cache"
    if request.if_none_match.contains(etag):
        # A 304 carries what the page would tell caches (RFC 9110, 15.4.5): its Cache-Control, and its Vary, which
        # depends on whether the article has a language of its own.
        if len(current_app.config["LANGUAGES"]) > 1:
            languages.settle(content.language_of(slug))
        return current_app.response_class(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": cache_control})
    with db.engine.connect() as connection:
        found = content.for_page(connection, slug) or abort(404)
        notices = publishing.for_page(connection, found.id, current_app.config["ARTICLE_NOTICES_SHOWN"])
    languages.decide(found.language)
    top, foot = publishing.split_for_page(notices.newest)
    body = render_template("public/article.html", article=found, top_notices=top, foot_notices=foot,
                           more_notices=notices.more, kinds=NOTICE_KINDS, lede=content.lede(found.body),
                           disclosure=content.disclosure(found.source_type, found.generator),
                           json_ld=article_json_ld(found, notices.newest, notices.last_changed))
    response = current_app.response_class(body, mimetype="text/html")
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def public_revisions() -> None:
    """The revisions pages exist for readers only where the publisher shows them (PUBLIC_REVISIONS)."""
    if not current_app.config["PUBLIC_REVISIONS"]:
        abort(404)


@bp.get("/articles/<slug>/revisions")
def revision_list(slug: str):
    public_revisions()
    found = content.get_by_slug(slug) or abort(404)
    languages.decide(found.language)
    return revision_pages.list_page(found, "public.revision_diff", "public/revisions.html")


@bp.get("/articles/<slug>/revisions/<int:old>/<int:new>")
def revision_diff(slug: str, old: int, new: int):
    public_revisions()
    found = content.get_by_slug(slug) or abort(404)
    languages.decide(found.language)
    return revision_pages.diff_page(found, old, new, "public.revision_diff", "public/revision_diff.html")


@bp.get("/corrections")
def corrections_log():
    f = publishing.LogFilter.from_args(request.args)
    # ?article=: every notice of one article (its page shows the newest only).
    article = (content.get_by_slug(f.article) or abort(404)) if f.article else None
    if article is not None:
        languages.decide(article.language)
    per_page = current_app.config["LOG_PER_PAGE"]
    if (page := page_number()) > 1 and not (f.after or f.before):
        # An address of the log from when it was paged by number: to the same page, by key, for good.
        start = publishing.log_page_start(f, article, page, per_page) or abort(404)
        return redirect(url_for("public.corrections_log", **f.args(after=start, page=page)), code=301)
    listing = publishing.log_page(f, article, per_page, page)
    return render_template("public/corrections.html", listing=listing, f=f, kinds=NOTICE_KINDS, article=article,
                           months=publishing.log_months(article))


@bp.route("/articles/<slug>/report", methods=["GET", "POST"])
@limiter.shared_limit(report_rate_limit, scope="reports", methods=["POST"])
def report(slug: str):
    # While the database is down a sent form is still checked and answered (the report waits in the spool);
    # only showing an empty form needs the article.
    found = article_for_form(slug) if request.method == "POST" else content.get_by_slug(slug)
    if found is None:
        abort(404)
    # The form speaks the article's language where it has one; the report keeps the language it was sent in.
    languages.decide(getattr(found, "language", None))
    form = ReportForm()
    if request.method == "GET":
        # The "Report this passage" button sends the reader's selection along.
        form.passage.data = request.args.get("passage", "")[: PASSAGE_MAX]
        form.served.data = form_served_token()
    elif form.validate_on_submit():
        spam_reason = form.spam_reason(current_app.config["SPAM_MIN_SECONDS"])
        client = tokens.client_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])
        try:
            filed = intake.submit_or_spool(found if isinstance(found, Article) else None, slug, form.to_input(),
                                           client=client, spam_reason=spam_reason)
        except spool.SpoolError:
            alert = _("Your report could not be saved just now, so nothing was sent yet. Your text is kept below: "
                      "please send it again in a minute.")
            page, status = render_form(found, form, 503, alert)
            return page, status, {"Retry-After": str(outage.RETRY_AFTER_SECONDS)}
        flash(filed.reference, "report-sent")
        return redirect(url_for("public.report_status", token=filed.token), code=303)
    return render_form(found, form)


def article_for_form(slug: str) -> Article | SimpleNamespace | None:
    """The article a sent form is about; while the database cannot be reached, a stand-in with its slug only."""
    found, database_down = intake.find_article(slug)
    return SimpleNamespace(slug=slug, title=_("this article")) if database_down else found


def render_form(found: Article | SimpleNamespace, form: ReportForm, status: int | None = None, alert: str = ""):
    """The report form, with the reader's input and field errors; also used by error handlers."""
    if status is None:
        status = 400 if form.errors else 200
    return render_template("public/report_form.html", article=found, form=form, alert=alert), status


class ForgetContactForm(FlaskForm):
    """The reader's request to remove their contact details: a ticked box, so a stray click erases nothing."""

    confirm = BooleanField(
        _l("Yes, remove my name and e-mail address from this report"),
        validators=[DataRequired(message=_l("Tick the box to confirm: nothing was removed."))],
    )


@bp.get("/reports/<token>")
def report_status(token: str):
    filed = filed_or_received(token)
    if isinstance(filed, str):
        return received_page(filed)
    return status_page(filed, token, ForgetContactForm())


def filed_or_received(token: str) -> Report | str:
    """The report a status token opens or, while it waits in a spool to be filed, the reference its receipt names.

    The receipt is checked with the secret key alone: the server answering may have never seen the report, and
    the database may be down (then a filed report cannot be told from a spooled one: both are "being filed").
    """
    try:
        filed = filing.find_by_token(token)
    except SQLAlchemyError as error:
        reference = tokens.receipt_reference(token)
        if reference is None or not outage.is_unavailable(error):
            raise
        outage.forget_transaction()
        return reference
    return filed or tokens.receipt_reference(token) or abort(404)


def received_page(reference: str):
    """The status page of a report that reached us and is being filed (spool.py)."""
    return private_page(current_app.make_response(render_template("public/report_received.html",
                                                                   reference=reference)))


def private_page(response):
    # The link is the reader's key: keep it out of other sites' logs and out of search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/reports/<token>/forget")
def forget_contact(token: str):
    filed = filing.find_by_token(token) or abort(404)
    # What this answer says (the flash, a refusal) is read on the status page: in its language.
    languages.decide(filed.language)
    form = ForgetContactForm()
    if not form.validate_on_submit():
        return status_page(filed, token, form, 400)
    # An editor may change the report at the same moment: then it is read again and erased from the fresh copy.
    save(lambda: privacy.forget_contact(filed, by_reader=True), retry=(StaleDataError,), tries=3)
    flash(_("Your name and e-mail address have been removed from this report. We will not e-mail you about it."),
          "success")
    return redirect(url_for("public.report_status", token=token), code=303)


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: confirming an address, or asking for another link."""


@bp.post("/reports/<token>/confirm-address")
def ask_confirmation_again(token: str):
    """The reader asks for another confirmation link (the last one expired or never arrived)."""
    filed = filing.find_by_token(token) or abort(404)
    languages.decide(filed.language)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return status_page(filed, token, ForgetContactForm(), 400)
    if not (filed.notify and filed.reporter_email) or consent.is_confirmed(filed.reporter_email):
        return redirect(url_for("public.report_status", token=token), code=303)

    def ask_again() -> None:
        if consent.request_confirmation(filed.reporter_email, filed.id, filed.reference, filed.language) is None:
            raise consent.ConsentError(_("We cannot send another link yet: see below when you can ask again."))

    if save(ask_again).done:
        flash(_("We sent a new link to %(email)s.", email=filing.mask_email(filed.reporter_email)), "success")
    return redirect(url_for("public.report_status", token=token), code=303)


@bp.get("/confirm-address/<link>")
def confirm_address(link: str):
    """The link in a confirmation e-mail: a page with a button, so that a mail scanner fetching it confirms nothing."""
    return confirm_page(link)


@bp.post("/confirm-address/<link>")
def confirm_address_post(link: str):
    found = consent.find_link(link)
    # The answer (a refusal, the flash) is read on the confirmation page: in its language.
    if found is not None:
        languages.decide(found.language)
    form = ConfirmForm()
    if found is None or not form.validate_on_submit():
        return confirm_page(link, form)
    try:
        released = commit(lambda: consent.confirm(found))
    except consent.ConsentError:
        # The page says why the link cannot be used.
        return confirm_page(link, form)
    flash(_("Thank you: your address is confirmed. The news about your report is on its way.") if released
          else _("Thank you: your address is confirmed. We will e-mail you when an editor has decided."), "success")
    return redirect(url_for("public.confirm_address", link=link), code=303)


def confirm_page(token: str, form: ConfirmForm | None = None):
    """The confirmation page for a link: its button, or why the link cannot be used (404 unknown, 410 spent)."""
    link = consent.find_link(token)
    if link is not None:
        # The language of the e-mail the link came in (the report's), as the status page speaks the report's.
        languages.decide(link.language)
    problem, status = "", 200
    if link is None:
        problem, status = _("This confirmation link is not known: check that the whole link was copied."), 404
    else:
        try:
            consent.check_link(link)
        except consent.ConsentError as error:
            problem, status = str(error), 410
    if form is not None and form.errors:
        status = 400
    response = current_app.make_response((render_template(
        "public/confirm_address.html", form=form or ConfirmForm(), link=token, problem=problem,
        confirmed=link is not None and link.address.confirmed_at is not None,
        masked_email=filing.mask_email(link.address.address) if link else "",
    ), status))
    # Like the status page: the link is a key.
    return private_page(response)


def status_page(filed: Report, token: str, forget_form: ForgetContactForm, status: int = 200):
    """The reader's status page, with the form to remove their contact details (and its errors, if any)."""
    languages.decide(filed.language)
    words = reader_status(filed)
    # What resolved it: the report's own notices, or those of the report it duplicates.
    resolved_by = publishing.for_report(filed)
    if filed.status == "duplicate" and filed.duplicate_of is not None:
        resolved_by = publishing.for_report(filed.duplicate_of)
    response = current_app.make_response((render_template(
        "public/report_status.html",
        report=filed,
        token=token,
        forget_form=forget_form,
        can_forget=privacy.has_contact(filed),
        status_title=words.title,
        status_explanation=words.explanation,
        reject_reason=given_reason(filed.reject_reason),
        mail_promise=words.mail,
        masked_email=filing.mask_email(filed.reporter_email),
        address=consent.state(filed.reporter_email) if filed.notify and filed.reporter_email else None,
        resolved_by=resolved_by,
        kinds=NOTICE_KINDS,
        categories=CATEGORIES,
    ), status))
    return private_page(response)


@bp.get("/embed.js")
def embed_js():
    """The script a CMS page includes to show its notices and a report link (README: "Embedding in your CMS")."""
    response = send_from_directory(current_app.static_folder, "embed.js", conditional=True, max_age=300)
    response.headers["Content-Type"] = "application/javascript; charset=utf-8"
    # Short: a fixed script reaches every page within minutes; the ETag makes the revalidations cheap 304s.
    response.headers["Cache-Control"] = "public, max-age=300"
    # A <script> tag needs no CORS, but loaders that fetch() the script do; it is public anyway.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask every site for /favicon.ico, whatever the page's <link rel="icon"> says."""
    response = send_from_directory(current_app.static_folder, "favicon.ico", conditional=True, max_age=86400)
    response.headers["Content-Type"] = "image/vnd.microsoft.icon"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/transparency")
def transparency_page():
    figures = transparency.cached(float(current_app.config["TRANSPARENCY_CACHE_SECONDS"]))
    response = current_app.make_response(render_template(
        "public/transparency.html", t=figures, duration=metrics.duration_words, seconds=elsewhere.seconds_words,
        policies=policies.links(),
        kinds=NOTICE_KINDS))
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['TRANSPARENCY_CACHE_SECONDS'])}"
    return response


@bp.get("/policies/<name>")
def policy(name: str):
    kind = policies.BY_SLUG.get(name) or abort(404)
    found = policies.stored().get(kind.key)
    if found is None or not found.html:
        abort(404)
    return render_template("public/policy.html", kind=kind, policy=found)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check: the database does not answer")
        return {"status": "error", "database": "not answering"}, 503, {"Retry-After": str(outage.RETRY_AFTER_SECONDS)}
    return {"status": "ok"}


def article_json_ld(found: Article | Row, shown: list[Notice] | list[publishing.PageNotice],
                    notices_changed: datetime | None = None) -> dict:
    """schema.org NewsArticle with its corrections; the template writes it with |tojson, which escapes <, > and &.

    `correction` lists the notices the page shows in full (the newest, publishing.for_page), not every one an
    article ever had: structured data describes what a reader sees on the page (search engines treat marking up
    what is not there as spam), and a notice left out is one link away, on the corrections log.
    `notices_changed` is when any of the article's notices last changed, shown or not (the newest one shown's by
    default): the article's dateModified.
    `digitalSourceType` says how the article was made, when it says: the IPTC term's URI. schema.org's property
    expects a code of the IPTC digital source type vocabulary, and a URL is a value schema.org takes for any
    enumeration; its own names (TrainedAlgorithmicMediaDigitalSource, ...) stand for some of the IPTC terms only.
    """
    changes = [found.updated_at, *(n.updated_at or n.published_at for n in shown)]
    modified = max([*changes, notices_changed] if notices_changed else changes)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": found.title,
        "url": found.canonical_url,
        "mainEntityOfPage": url_for("public.article", slug=found.slug, _external=True),
        "datePublished": found.published_at.isoformat(),
        "dateModified": modified.isoformat(),
        "articleSection": found.section or None,
        "author": {"@type": "Person", "name": found.byline.removeprefix("By ").strip()} if found.byline else None,
        "digitalSourceType": source_type_uri(found.source_type) if found.source_type else None,
        "correction": [
            {"@type": "CorrectionComment", "text": n.text, "datePublished": n.published_at.isoformat(),
             **({"dateModified": n.updated_at.isoformat()} if n.updated_at else {})}
            for n in sorted(shown, key=lambda n: n.published_at)
        ] or None,
    }
    return {k: v for k, v in data.items() if v is not None}
