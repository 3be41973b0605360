"""What a correction corrects: its wrong words as the article had them and the words that replaced them, from the
report's passage, from the change that fixed the article, or as the editor typed them, checked against the
article's texts; kept in a notice's earlier versions when it is amended."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from corrections.articles import content, revisions
from corrections.extensions import db
from corrections.models import Notice, NoticeVersion
from corrections.notices import publishing
from tests.helpers import csrf_token, file_report, make_article, make_editor

TEXT = "An earlier version of this article gave the wrong vote count. It was 31 votes to 14."
# The words of make_article's "31 votes to 12" with the rest of its sentence around them,
# as the reader suggested them ("31 votes to 14") and as a fix changed them ("29 votes to 14").
WRONG = "The council approved the new budget on Tuesday by 31 votes to 12"
SUGGESTED = "The council approved the new budget on Tuesday by 31 votes to 14"
FIXED = "The council approved the new budget on Tuesday by 29 votes to 14"


def box(page: str, name: str) -> str:
    """What a text box of the page holds."""
    return unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1))


def publish(client, report, **fields):
    data = {"csrf_token": csrf_token(client, f"/editor/reports/{report.id}"), "kind": "correction", "text": TEXT,
            "link": [str(report.id)], **fields}
    return client.post(f"/editor/reports/{report.id}/publish", data=data)


def stored_notice() -> Notice | None:
    db.session.expire_all()
    return db.session.scalar(select(Notice))


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("old, new, words", [
    # A lone figure is widened with its sentence's unchanged words, the same on both sides.
    ("Prices rose 6 per cent last year. Then they fell.", "Prices rose 10.5 per cent last year. Then they fell.",
     ("Prices rose 6 per cent last year", "Prices rose 10.5 per cent last year")),
    # Not past the end of a sentence, nor keeping its stop.
    ("The vote was 31 votes to 12.\n\nIt passed.", "The vote was 31 votes to 14.\n\nIt passed.",
     ("The vote was 31 votes to 12", "The vote was 31 votes to 14")),
    # Whole words: a change inside one takes all of it.
    ("It cost £2.4 million in all, the mayor said.", "It cost £2.45 million in all, the mayor said.",
     ("It cost £2.4 million in all, the mayor said", "It cost £2.45 million in all, the mayor said")),
    # From the first change to the last.
    ("Work starts in March and ends in May.", "Work begins in March and ends in June.",
     ("Work starts in March and ends in May", "Work begins in March and ends in June")),
    ("Same words.", "Same  words.", None),
    # A sentence or a paragraph added: nothing was wrong, and the words around it are no error to look for.
    ("Prices rose.\n\nThen they fell.", "Prices rose.\n\nCosts rose too.\n\nThen they fell.", None),
    ("The vote was 31 to 12.", "The vote was 31 to 12. It passed.", None),
    ("The vote was 31 to 12.\n", "The vote was 31 to 12.\nIt passed.", None),
    # Words added inside a sentence (an omission) or a figure made precise are still an error with its words.
    ("Work starts in March.", "Work starts in March and April.",
     ("Work starts in March", "Work starts in March and April")),
    ("Prices rose 6 per cent.", "Prices rose 6.5 per cent.", ("Prices rose 6 per cent", "Prices rose 6.5 per cent")),
    # A sentence ends at its stop and the quotes closing after it, before a change and after one.
    ("He said: “We are sure.” A total of 29 signed within 17 days.",
     "He said: “We are sure.” A total of 29 signed within 26 days.",
     ("A total of 29 signed within 17 days", "A total of 29 signed within 26 days")),
    ("She said: “Turnover rose 6 per cent.” The board agreed.",
     "She said: “Turnover rose 7 per cent.” The board agreed.",
     ("She said: “Turnover rose 6 per cent", "She said: “Turnover rose 7 per cent")),
    # A quote inside a sentence is no end of it.
    ("He called it “fair” and rose 6 per cent.", "He called it “fair” and rose 7 per cent.",
     ("He called it “fair” and rose 6 per cent", "He called it “fair” and rose 7 per cent")),
])
def test_the_words_a_change_removed_and_added(old, new, words):
    assert revisions.changed_words(old, new) == words


def test_the_report_page_starts_from_the_passage_as_the_article_has_it(editor_client, app):
    # The reader typed the passage in other capitals and spacing; the form has the article's own words, widened
    # with the unchanged words of its sentence as a change's are.
    report = file_report(make_article(), passage="31  VOTES to 12", suggested_correction="31 votes to 14")
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert (box(page, "wrong_text"), box(page, "right_text")) == (WRONG, SUGGESTED)
    assert '<label for="wrong_text">What was wrong' in page and '<label for="right_text">What is right' in page

    # A suggestion that is no new version of the passage gives no right words.
    remark = file_report(report.article, passage="Work starts in March", suggested_correction="Check the plan")
    page = editor_client.get(f"/editor/reports/{remark.id}").get_data(as_text=True)
    assert (box(page, "wrong_text"), box(page, "right_text")) == ("Work starts in March", "")


def test_the_editor_publishes_the_words_as_edited(editor_client, app):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    response = publish(editor_client, report, wrong_text="by 31 votes\n to 12", right_text=" by 29 votes to 14 ")
    assert response.status_code == 302
    notice = stored_notice()
    # Kept on one line, as the article's words are compared.
    assert (notice.wrong_text, notice.right_text) == ("by 31 votes to 12", "by 29 votes to 14")
    page = editor_client.get(f"/editor/articles/{report.article.slug}").get_data(as_text=True)
    assert re.search(r"<dt>What was wrong</dt><dd[^>]*>by 31 votes to 12</dd>", page)
    assert re.search(r"<dt>What is right</dt><dd[^>]*>by 29 votes to 14</dd>", page)


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("fields, field, message", [
    ({"wrong_text": "31 Votes to 12"}, "wrong_text", "The article’s text does not have these words"),
    ({"wrong_text": "", "right_text": "31 votes to 14"}, "wrong_text", "Give the wrong words that these replace"),
    ({"right_text": "31 votes to 12"}, "right_text", "What is right is the same as what was wrong"),
    ({"wrong_text": "x" * 2001}, "wrong_text", "At most 2,000 characters (it has 2001)."),
])
def test_a_refused_word_is_shown_at_its_field_with_everything_kept(editor_client, app, fields, field, message):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    sent = {"wrong_text": "31 votes to 12", "right_text": "31 votes to 14", **fields}
    response = publish(editor_client, report, **sent)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and unescape(error.group(1)).startswith(message)
    assert (box(page, "wrong_text"), box(page, "right_text"), box(page, "text")) == (
        sent["wrong_text"], sent["right_text"], TEXT)
    assert stored_notice() is None


def test_publishing_and_fixing_takes_the_words_from_the_change(editor_client, app):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    form = {"fix": "y", "replacement": "29 votes to 14", "wrong_text": WRONG,
            "right_text": SUGGESTED}
    preview = publish(editor_client, report, **form).get_data(as_text=True)
    # The form's words were the passage's, untouched: the preview offers what the fix removes and adds.
    assert (box(preview, "wrong_text"), box(preview, "right_text")) == (WRONG, FIXED)
    assert "Taken from the change above" in preview

    response = publish(editor_client, report, step="confirm", revision="1",
                       **{**form, "wrong_text": WRONG, "right_text": FIXED})
    assert response.status_code == 302
    notice = stored_notice()
    assert (notice.wrong_text, notice.right_text, notice.revision.number) == (WRONG, FIXED, 2)
    assert notice.reports[0].status == "corrected"


@pytest.mark.databases("sqlite")
def test_words_the_editor_typed_are_kept_through_the_preview(editor_client, app):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    preview = publish(editor_client, report, fix="y", replacement="31 votes to 14", wrong_text="by 31 votes to 12",
                      right_text="by 31 votes to 14").get_data(as_text=True)
    assert (box(preview, "wrong_text"), box(preview, "right_text")) == ("by 31 votes to 12", "by 31 votes to 14")


@pytest.mark.databases("sqlite")
def test_the_right_words_must_be_in_the_revision_the_notice_goes_with(editor_client, app):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    response = publish(editor_client, report, step="confirm", revision="1", fix="y", replacement="31 votes to 14",
                       wrong_text="31 votes to 12", right_text="29 votes to 14")
    assert response.status_code == 400
    assert "Revision 2 of the article does not have these words" in unescape(response.get_data(as_text=True))
    assert stored_notice() is None
    assert content.get_by_slug(report.article.slug).current_revision.number == 1


def test_an_amendment_keeps_the_words_it_replaced(app, editor):
    article = make_article()
    notice = publishing.publish(article, "correction", TEXT, by=editor, wrong_text="31 votes to 12",
                                right_text="31 votes to 14")
    db.session.commit()
    publishing.amend(notice, TEXT, by=editor, wrong_text="by 31 votes to 12", right_text="by 31 votes to 14")
    db.session.commit()
    db.session.expire_all()
    [version] = db.session.scalars(select(NoticeVersion)).all()
    assert (version.wrong_text, version.right_text) == ("31 votes to 12", "31 votes to 14")
    assert (version.notice.wrong_text, version.notice.right_text) == ("by 31 votes to 12", "by 31 votes to 14")
    # Nothing else changed: the words alone are an amendment; the same words again are not.
    with pytest.raises(publishing.NoticeError, match="Nothing changed"):
        publishing.amend(version.notice, TEXT, by=editor, wrong_text="by 31 votes to 12")


def test_a_change_to_the_text_waiting_for_its_notice_fills_the_article_pages_form(editor_client, app, editor):
    article = make_article()
    changed = content.get_by_slug(article.slug)
    content.change_text(changed, changed.title, changed.body.replace("Work starts in March", "Work starts in May"),
                        source="dashboard", by=editor.name)
    db.session.commit()
    page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert (box(page, "wrong_text"), box(page, "right_text")) == ("Work starts in March", "Work starts in May")
    review_id = re.search(r'href="/editor/changes/(\d+)"', page).group(1)
    change_page = editor_client.get(f"/editor/changes/{review_id}").get_data(as_text=True)
    assert (box(change_page, "wrong_text"), box(change_page, "right_text")) == ("Work starts in March",
                                                                                "Work starts in May")


@pytest.mark.databases("sqlite")
def test_a_change_spread_over_the_text_fills_no_words_the_form_would_refuse(editor_client, app, editor):
    # Two figures corrected paragraphs apart: from the first change to the last is more than a notice keeps.
    filler = "\n\n".join(f"Paragraph {n} of the report on the council's spending this year." for n in range(40))
    article = make_article(body=f"It rose 6 per cent.\n\n{filler}\n\nIt fell 9 per cent.")
    changed = content.get_by_slug(article.slug)
    content.change_text(changed, changed.title, changed.body.replace("6 per", "7 per").replace("9 per", "8 per"),
                        source="dashboard", by=editor.name)
    db.session.commit()
    page = editor_client.get(f"/editor/articles/{article.slug}").get_data(as_text=True)
    assert (box(page, "wrong_text"), box(page, "right_text")) == ("", "")
    review_id = re.search(r'href="/editor/changes/(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(editor_client, f"/editor/changes/{review_id}"), "kind": "correction",
            "text": TEXT, "wrong_text": "It rose 6 per cent", "right_text": "It rose 7 per cent"}
    assert editor_client.post(f"/editor/changes/{review_id}/notice", data=data).status_code == 302
    assert (stored_notice().wrong_text, stored_notice().right_text) == ("It rose 6 per cent", "It rose 7 per cent")


@pytest.mark.databases("sqlite")
def test_a_report_on_a_passage_corrected_since_starts_from_that_change(editor_client, app, editor):
    report = file_report(make_article(), passage="31 votes to 12", suggested_correction="31 votes to 14")
    article = content.get_by_slug(report.article.slug)
    content.change_text(article, article.title, article.body.replace("31 votes to 12", "31 votes to 14"),
                        source="import", by="CMS")
    db.session.commit()
    page = editor_client.get(f"/editor/reports/{report.id}").get_data(as_text=True)
    assert (box(page, "wrong_text"), box(page, "right_text")) == (WRONG, SUGGESTED)
    assert publish(editor_client, report, wrong_text=box(page, "wrong_text"),
                   right_text=box(page, "right_text")).status_code == 302
    assert (stored_notice().wrong_text, stored_notice().right_text) == (WRONG, SUGGESTED)


@pytest.mark.databases("sqlite")
def test_a_withdrawn_notice_is_refused_as_withdrawn_before_its_new_words_are_checked(app, editor):
    notice = publishing.publish(make_article(), "correction", TEXT, by=editor, wrong_text="31 votes to 12")
    db.session.commit()
    admin = make_editor("withdrawer@example.org", "Ada Admin", is_admin=True)
    publishing.withdraw(notice, "Published on the wrong article.", by=admin)
    db.session.commit()
    with pytest.raises(publishing.NoticeError, match="A withdrawn notice cannot be amended"):
        publishing.amend(notice, TEXT + " Again.", by=editor, wrong_text="words the article never had")
