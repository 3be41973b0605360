"""The revisions pages, shared by the public site and the dashboard (each passes its own endpoint and template)."""

import contextlib
from itertools import pairwise

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from corrections.articles import revisions
from corrections.extensions import db
from corrections.languages import number
from corrections.models import Article, ArticleRevision
from corrections.text import parse_id
from corrections.transaction import commit


def list_page(article: Article, endpoint: str, template: str, **context):
    """The article's revisions; the compare form (?from=&to=) goes on to the pair it names."""
    listed = revisions.all_for(article)
    if not listed:
        abort(404)
    error = ""
    if "from" in request.args or "to" in request.args:
        old, new = parse_id(request.args.get("from")), parse_id(request.args.get("to"))
        numbers = {r.number for r in listed}
        if old in numbers and new in numbers and old != new:
            return redirect(url_for(endpoint, slug=article.slug, old=min(old, new), new=max(old, new)))
        error = (gettext("Choose two different revisions to compare.") if old == new and old in numbers
                 else gettext("Choose revisions between %(first)s and %(last)s.", first=number(1),
                              last=number(listed[-1].number)))
    minor = {later.number for earlier, later in pairwise(listed) if revisions.is_minor(earlier, later)}
    page = render_template(template, article=article, listed=listed, error=error, minor=minor,
                           sources=revisions.SOURCES, **context)
    return page, 400 if error else 200


def diff_page(article: Article, old: int, new: int, endpoint: str, template: str, *, keep: bool = False,
              **context):
    """What changed from revision `old` to revision `new` (?whole=1: the whole text, not only the changes);
    `keep` stores the pair's diff whichever it is (see revisions.compare)."""
    if old >= new:
        abort(404)
    first, second = revisions.by_number(article, old), revisions.by_number(article, new)
    if first is None or second is None:
        abort(404)
    whole = request.args.get("whole") == "1"
    here = {"slug": article.slug, "old": old, "new": new}
    return render_template(
        template, article=article, c=compare(first, second, whole=whole, keep=keep), sources=revisions.SOURCES,
        whole_url=None if whole else url_for(endpoint, **here, whole=1),
        changes_url=url_for(endpoint, **here) if whole else None, **context)


def compare(old: ArticleRevision, new: ArticleRevision, *, whole: bool, keep: bool = False) -> revisions.Comparison:
    """revisions.compare, committing a diff it stored for the next reader (the editor's change page uses it too)."""
    comparison = revisions.compare(old, new, whole=whole, keep=keep)
    if not db.session.new:  # stored by an earlier reader
        return comparison
    with contextlib.suppress(IntegrityError):
        # Another reader's request may store the same diff at the same moment: theirs is kept, ours is the same.
        commit(lambda: comparison)
    return comparison
