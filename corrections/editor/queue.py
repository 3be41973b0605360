"""The queue: filtered, grouped, paginated; bulk actions; the CSV export."""

import csv
import io
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from corrections.access import accounts
from corrections.articles import unannounced
from corrections.auth import safe_next
from corrections.editor.actions import BULK_ACTIONS, answer_choice, apply_bulk
from corrections.editor.blueprint import bp, me
from corrections.editor.forms import BulkForm, SaveViewForm
from corrections.editor.undo import offer
from corrections.figures.metrics import duration_words
from corrections.models import utcnow
from corrections.reports import canned_answers, desks
from corrections.text import parse_ids
from corrections.triage import presence, saved_views, snapshot
from corrections.triage import queue as triage
from corrections.vocabulary import BULK_MAX, CATEGORIES, STATUS_LABELS

# The session's keys for what the bulk action did and the rows ticked for it, shown once after its redirect.
BULK_SUMMARY = "bulk-summary"
KEPT = "bulk-ticked"
KEPT_MAX = 300


class Links:
    """The links of a page that lists hundreds of reports, each as url_for would build it: built once for each set of
    arguments, the report's id (or the article's slug) put in each (werkzeug building every one of a page's 700 links
    was a sixth of its time)."""

    # An id no report has, found again in the link built with it (a number, as the route's converter writes it).
    PLACEHOLDER = 987654321987654321

    def __init__(self, f: triage.QueueFilter):
        self.f = f
        self.made: dict = {}
        self.articles: dict[str, str] = {}

    def report(self, report_id: int, **args) -> str:
        """url_for("editor.report", report_id=report_id, **args)."""
        key = tuple(sorted(args.items()))
        if key not in self.made:
            path, mark, query = url_for("editor.report", report_id=self.PLACEHOLDER, **args).partition("?")
            head, _, tail = path.rpartition(str(self.PLACEHOLDER))
            self.made[key] = head, tail + mark + query
        head, tail = self.made[key]
        return f"{head}{int(report_id)}{tail}"

    def article(self, slug: str) -> str:
        """The queue's first page of this filter narrowed to one article: the rows of a page are often a few
        articles' groups."""
        if slug not in self.articles:
            self.articles[slug] = url_for("editor.queue", **self.f.first_page(article=slug))
        return self.articles[slug]


def said_once(words: dict) -> dict:
    """Lazily translated words (a vocabulary's labels) said once in the page's language, for a page whose rows repeat
    them hundreds of times, each time a look-up of the translation. As markup, as a lazy string renders itself."""
    return {key: Markup(str(word)) for key, word in words.items()}  # nosec B704: our own catalogs' words, as before


def bulk_form(back: str) -> BulkForm:
    form = BulkForm(back=back)
    form.action.choices = list(BULK_ACTIONS.items())
    form.assignee.choices = [("", "—")] + [(str(e.id), e.name) for e in accounts.active_editors()]
    form.canned_answer.choices = [("", "—")] + [(str(a.id), answer_choice(a))
                                                for a in canned_answers.all_canned_answers()]
    return form


@bp.get("/")
def queue():
    f = triage.QueueFilter.from_args(request.args)
    if f.ignored:
        flash(gettext("Ignored in the address: %(values)s.", values="; ".join(f.ignored)), "warning")
    if f.upto is None:
        # A fresh look: every link of the page (pages, reports, bulk actions) keeps this snapshot.
        upto, seen = snapshot.latest_ids()
        f = replace(f, upto=upto, seen=seen)
    editor = me()
    counts = triage.status_counts()
    page = triage.queue_page(f, editor, current_app.config["QUEUE_PER_PAGE"], counts)
    if not page.groups and not f.is_first_page:
        # After a bulk action emptied the last page, go back a page rather than show "clear".
        return redirect(url_for("editor.queue", **(page.previous or f.first_page())))
    back = url_for("editor.queue", **f.args())
    shown = [report.id for group in page.groups for report in group.reports]
    # What the bulk action just applied did, and the rows ticked for it: ticked still (a row by its first report).
    summary = session.pop(BULK_SUMMARY, None)
    kept = set(session.pop(KEPT, None) or ())
    return render_template(
        "editor/queue.html",
        f=f,
        page=page,
        counts=counts,
        labels=said_once(STATUS_LABELS),
        categories=said_once(CATEGORIES),
        sorts=triage.SORTS,
        assignees=triage.ASSIGNEES,
        sources=triage.SOURCES,
        desks={**triage.DESKS, **{str(desk_id): name for desk_id, name in desks.desk_choices()}},
        now=utcnow(),
        duration=duration_words,
        form=bulk_form(back=back),
        back=back,
        new=(new := snapshot.new_count(f, editor)),
        new_said=snapshot.new_reports(new),
        changed=snapshot.changed_by_others(shown, f.seen, editor),
        views=saved_views.visible_to(editor),
        # A saved view is the filter, without the page or the snapshot.
        view_query=urlencode(f.first_page()),
        view_form=SaveViewForm(formdata=None, query=urlencode(f.first_page())),
        changes_due=unannounced.count_due(),
        summary=summary,
        kept=kept,
        present=presence.others_on(shown, editor),
        links=Links(f),
    )


@bp.get("/queue/changes")
def queue_changes():
    """What the queue page's snapshot misses, for its script to show without a reload: how many new
    reports match, and which of the listed reports (`ids`) other editors acted on, who and what."""
    f = triage.QueueFilter.from_args(request.args)
    editor = me()
    ids = parse_ids((request.args.get("ids") or "").split(","))[:500]
    new = snapshot.new_count(f, editor)
    changed = snapshot.changed_by_others(ids, f.seen, editor)
    # The words come said, in the editor's language: the script holds none of its own.
    response = {
        "new": min(new, snapshot.NEW_CAP),
        "more": new > snapshot.NEW_CAP,
        "said": snapshot.new_reports(new),
        "changed": {str(report_id): {"who": c.who, "said": c.said} for report_id, c in changed.items()},
    }
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/bulk")
def bulk():
    form = bulk_form(back=request.form.get("back", ""))
    back = safe_next(form.back.data)
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for error in field_errors:
                flash(error, "error")
        return redirect(back)
    ticked = request.form.getlist("selected")
    selection = triage.parse_selection(ticked)
    # A row is ticked again when its first report was selected (the cookie holds a few hundred ids at most).
    session[KEPT] = [report_id for report_id, _ in selection][:KEPT_MAX]
    if groups := triage.selected_groups(ticked):
        # A big group's checkbox names the group: its reports as the queue the editor saw (its filter and snapshot).
        seen = dict(selection)
        shown = triage.QueueFilter.from_args(MultiDict(parse_qsl(urlsplit(back).query)))
        members, taken_before = triage.group_selection(shown, me(), groups)
        selection = [pair for pair in selection if pair[0] not in taken_before]
        selection += [(report_id, version) for report_id, version in members if report_id not in seen]
    # One step takes the first BULK_MAX in the queue's order; the rows stay ticked, so applying again takes the rest.
    result = apply_bulk(form, selection[:BULK_MAX], me())
    result.taken, result.selected = min(len(selection), BULK_MAX), len(selection)
    if result.problem:
        flash(result.problem, "error")
    else:
        # One summary on the queue page, with its way forward; the rows stay ticked (see queue()).
        session[BULK_SUMMARY] = result.summary()
        if result.decision is not None:
            offer(result.decision, back)
    return redirect(back)


EXPORT_CHUNK = 50
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "reference", "received_at", "status", "category", "article_slug", "article_title", "article_url", "passage",
    "passage_found", "description", "suggested_correction", "source_url", "reporter_name", "reporter_email",
    "notify", "assignee", "reject_reason",
]


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(row) -> list[str]:
    """A report's line: `row` has triage.EXPORT_COLUMNS."""
    values = [
        row.reference, row.created_at.isoformat(), row.status, row.category, row.article_slug, row.article_title,
        row.article_url, row.passage, {True: "yes", False: "no", None: ""}[row.passage_found], row.description,
        row.suggested_correction, row.source_url, row.reporter_name, row.reporter_email,
        "yes" if row.notify else "no", row.assignee or "", row.reject_reason,
    ]
    return [spreadsheet_safe(v) for v in values]


@bp.get("/export.csv")
def export_csv():
    f = triage.QueueFilter.from_args(request.args)
    editor = me()

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for number, row in enumerate(triage.filtered_reports(f, editor), start=1):
            writer.writerow(csv_row(row))
            # A chunk every few dozen lines: fewer, larger writes to the socket.
            if number % EXPORT_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"reports-{datetime.now():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
