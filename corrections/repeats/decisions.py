"""An editor's decision on an item of "same error elsewhere": confirm it (the same correction, in one change: the
matched words replaced in the article's text and a notice published with that revision) or dismiss it with a
reason. Each decision is a line of the article's history (ArticleEvent), beside its unannounced changes.

The notice confirming publishes is an ordinary notice of the article (publishing.publish: webhooks, feeds, the
change it makes announced by it), naming the words matched there as its wrong words and the replacement as its
right ones; the item keeps both notices, the original one (and through it the reports it resolved) and the new.
"""

import json
import unicodedata

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from corrections.articles import fixes, unannounced
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.languages import N_, long_date, number, short_time, with_canned_words
from corrections.models import ArticleEvent, Editor, Notice, Repeat, utcnow
from corrections.notices import publishing
from corrections.repeats import checks, matching, sweep
from corrections.vocabulary import REPEAT_REASON_MAX

# Why an item is not the same error, marked for the catalog: the form shows each in the page's language; kept in
# English with the editor's own words after it (languages.with_canned_words).
DISMISS_REASONS = (
    N_("Not the same fact: another subject, place or time."),
    N_("Right as it stands: a quotation, or true in its context."),
    N_("Corrected already in another way."),
)
# The article's history, beside an unannounced change's lines (unannounced.EVENT_LABELS).
EVENT_LABELS = {
    "same_error_fixed": _l("the same error as another article’s correction, corrected"),
    "same_error_dismissed": _l("the same error as another article’s correction, dismissed"),
}
FIXED_COMMENT = N_("As corrected in “%(title)s”: %(words)s")
# Characters of the article's text shown either side of the matched words.
CONTEXT = 240


class RepeatError(Refusal):
    """A refused decision on an item; the sentence is for the editor."""


def check_open(repeat: Repeat) -> None:
    if repeat.state == "confirmed":
        raise RepeatError(gettext("%(who)s corrected this article already, at %(time)s on %(date)s.",
                                  who=repeat.decided_by, time=short_time(repeat.decided_at),
                                  date=long_date(repeat.decided_at)))
    if repeat.state != "open":
        raise RepeatError(gettext("%(who)s dismissed this already, at %(time)s on %(date)s.", who=repeat.decided_by,
                                  time=short_time(repeat.decided_at), date=long_date(repeat.decided_at)))


def suggested_replacement(repeat: Repeat) -> str:
    """What the matched words may become, for the editor to check: the words the original correction changed,
    changed the same way in them (checks.suggestion: "grew 6 per cent" becomes "grew 10.5 per cent" after "rose 6
    per cent" was corrected to "rose 10.5 per cent"); "" when the notice names no right words (the editor writes
    them, or confirms without changing the text)."""
    notice = repeat.notice
    match = matching.Match(sweep.known_error(notice), repeat.match_start, repeat.match_end, repeat.matched_text,
                           repeat.score)
    return checks.suggestion(match) or ""


def draft_text(repeat: Repeat) -> str:
    """The new notice's first wording: the original's, which says what was wrong in the same words."""
    return repeat.notice.text


def _where_now(repeat: Repeat) -> tuple[str, int, int]:
    """The matched words in the article's current text, and where: as found, or found again when the text has
    changed since. Refused when the error is no longer there."""
    article = repeat.article
    if article.current_revision_id == repeat.revision_id:
        return repeat.matched_text, repeat.match_start, repeat.match_end
    match = matching.match_one(sweep.known_error(repeat.notice), article.body_text)
    if match is None:
        raise RepeatError(gettext("The article’s text changed since this was found, and the error is no longer in "
                                  "it: dismiss this item, saying so."))
    return match.text, match.start, match.end


def confirm(repeat: Repeat, *, by: Editor, kind: str, text: str, replacement: str,
            seen_revision: int | None) -> Notice:
    """Correct the error in this article as in the original one, in one change: the matched words replaced by
    `replacement` in its text (a new revision; none when the replacement is empty: the notice alone), and a notice
    of `kind` saying `text` published with that revision, naming the matched words and the replacement. The item is
    confirmed, and the article's history says so. `seen_revision` is the article's revision the editor's page
    showed: a change made since is refused. Does not commit."""
    check_open(repeat)
    article = repeat.article
    words, start, end = _where_now(repeat)
    replacement = fixes.clean_replacement(replacement)
    if replacement:
        if kind not in unannounced.ANNOUNCING_KINDS:
            raise RepeatError(gettext("An editor’s note does not announce a change to the text: publish a "
                                      "correction, clarification or update, or leave the replacement empty."),
                              "replacement")
        passage = fixes.Passage(" ".join(unicodedata.normalize("NFKC", words).split()),
                                prefix=article.body_text[max(0, start - 40):start],
                                suffix=article.body_text[end:end + 40])
        revision = fixes.fix(article, passage, replacement, seen_revision=seen_revision, by=by.name)
    else:
        fixes.check_unchanged(article, seen_revision)
        revision = None
    notice = publishing.publish(article, kind, text, by=by, revision=revision, wrong_text=words,
                                right_text=replacement)
    # The other articles with this error are the original notice's to list: no second sweep for the same error.
    sweep.unqueue(notice)
    _decide(repeat, "confirmed", by=by)
    repeat.fixed_by = notice
    comment = json.dumps({"notice": repeat.notice_id, "title": repeat.notice.article.title, "words": words},
                         ensure_ascii=False)
    db.session.add(ArticleEvent(article_id=article.id, created_at=repeat.decided_at, actor_id=by.id, actor=by.name,
                                kind="same_error_fixed", revision_id=revision.id if revision else None,
                                comment=comment, notice_kind=kind))
    return notice


def dismiss(repeat: Repeat, reason: str, *, by: Editor) -> None:
    """Not the same error, or nothing to correct here: the item is dismissed with the reason, kept in the article's
    history. Does not commit."""
    check_open(repeat)
    reason = " ".join(reason.split())
    if not reason:
        raise RepeatError(gettext("Say why this is not an error to correct: choose a reason or write one."),
                          "reason_text")
    if len(reason) > REPEAT_REASON_MAX:
        raise RepeatError(gettext("Please keep the reason under %(most)s characters.",
                                  most=number(REPEAT_REASON_MAX)), "reason_text")
    _decide(repeat, "dismissed", by=by)
    repeat.reason = reason
    db.session.add(ArticleEvent(article_id=repeat.article_id, created_at=repeat.decided_at, actor_id=by.id,
                                actor=by.name, kind="same_error_dismissed", revision_id=repeat.revision_id,
                                comment=reason))


def _decide(repeat: Repeat, state: str, *, by: Editor) -> None:
    repeat.state = state
    repeat.decided_at = utcnow()
    repeat.decided_by_id = by.id
    repeat.decided_by = by.name


def event_comment(event: ArticleEvent) -> str:
    """A line of the article's history's comment in the page's language, this package's lines and the others."""
    if event.kind == "same_error_fixed":
        said = json.loads(event.comment)
        return gettext(FIXED_COMMENT, title=said["title"], words=said["words"])
    if event.kind == "same_error_dismissed":
        return with_canned_words(event.comment, DISMISS_REASONS)
    return unannounced.event_comment(event)


def reason_words(repeat: Repeat) -> str:
    """Why the item was dismissed, in the page's language."""
    return with_canned_words(repeat.reason, DISMISS_REASONS)
