"""Reader pages: the article list, an article, the report form and the private status page."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from . import articles, reports
from .extensions import db, limiter
from .forms import ReportForm, form_served_token
from .models import Article
from .workflow import READER_STATUS

bp = Blueprint("public", __name__)


def report_rate_limit() -> str:
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
    return render_template("public/index.html", latest=latest)


@bp.get("/articles/<slug>")
def article(slug: str):
    found = articles.get_by_slug(slug) or abort(404)
    return render_template("public/article.html", article=found, json_ld=article_json_ld(found))


@bp.route("/articles/<slug>/report", methods=["GET", "POST"])
@limiter.limit(report_rate_limit, methods=["POST"])
def report(slug: str):
    found = articles.get_by_slug(slug) or abort(404)
    form = ReportForm()
    if request.method == "GET":
        # The "Report this passage" button sends the reader's selection along.
        form.passage.data = request.args.get("passage", "")[: reports.PASSAGE_MAX]
        form.served.data = form_served_token()
    elif form.validate_on_submit():
        spam_reason = form.spam_reason(current_app.config["SPAM_MIN_SECONDS"])
        client = reports.client_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])
        filed, token = reports.submit_report(found, form.to_input(), client=client, spam_reason=spam_reason)
        flash(filed.reference, "report-sent")
        return redirect(url_for("public.report_status", token=token), code=303)
    return render_form(found, form)


def render_form(found: Article, form: ReportForm, status: int | None = None, notice: str = ""):
    """The report form, with the reader's input and field errors; also used by error handlers."""
    if status is None:
        status = 400 if form.errors else 200
    return render_template("public/report_form.html", article=found, form=form, notice=notice), status


@bp.get("/reports/<token>")
def report_status(token: str):
    filed = reports.find_by_token(token) or abort(404)
    title, explanation = READER_STATUS[filed.status]
    response = current_app.make_response(render_template(
        "public/report_status.html",
        report=filed,
        status_title=title,
        status_explanation=explanation,
        masked_email=reports.mask_email(filed.reporter_email),
        categories=reports.CATEGORIES,
    ))
    # The link is the reader's key: keep it out of other sites' logs and out of search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check: the database does not answer")
        return {"status": "error", "database": "not answering"}, 503
    return {"status": "ok"}


def article_json_ld(found: Article) -> dict:
    """schema.org NewsArticle; the template writes it with |tojson, which escapes <, > and &."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": found.title,
        "url": found.canonical_url,
        "mainEntityOfPage": url_for("public.article", slug=found.slug, _external=True),
        "datePublished": found.published_at.isoformat(),
        "dateModified": found.updated_at.isoformat(),
        "articleSection": found.section or None,
        "author": {"@type": "Person", "name": found.byline.removeprefix("By ").strip()} if found.byline else None,
    }
    return {k: v for k, v in data.items() if v is not None}
