"""Which language a page speaks, and the zone its dates are shown in: the settings, Accept-Language, an article's own
language, an editor's choice, the reader's e-mails, and what caches are told (Vary, the page cache's copies).

Languages other than English come from catalogs made here from messages.pot (the pseudo-locale's, tests/catalogs.py)
under the tags of real languages, so that Babel's dates and directions are those languages'.
"""

import html
import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask_babel import Domain, force_locale, gettext
from sqlalchemy import select

from corrections import languages, transaction
from corrections.articles.content import change_text
from corrections.config import ConfigError
from corrections.extensions import db
from corrections.infra import page_cache
from corrections.languages import N_
from corrections.models import Event, OutboxMessage, Report
from corrections.notices import publishing
from corrections.reports import decisions, outcomes, privacy, tokens, workflow
from corrections.triage import snapshot
from tests.catalogs import pseudo, write_pseudo_catalog
from tests.helpers import confirm_addresses, file_report, form_tokens, login, make_article, make_editor

# Languages are negotiated and words chosen outside the database; a stored moment shown in a zone is both
# databases'.
pytestmark = pytest.mark.databases("sqlite")

REPORT = pseudo("Report an inaccuracy")


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogs")
    for tag in ("hu", "ar"):
        write_pseudo_catalog(folder, tag)
    return str(folder)


@pytest.fixture
def several(make_app, catalogs):
    """English, Hungarian and Arabic offered; the site's own language English."""
    app = make_app(LANGUAGES=["en", "hu", "ar"], EXTRA_CATALOGS=[catalogs])
    with app.app_context():
        yield app


@pytest.mark.parametrize(("settings", "named"), [
    ({"LANGUAGE": "klingon"}, "CORRECTIONS_LANGUAGE must be a language tag"),
    ({"LANGUAGE": "it"}, "CORRECTIONS_LANGUAGE: there is no catalog for 'it'"),
    ({"LANGUAGES": ["en", "xx"]}, "CORRECTIONS_LANGUAGES must be a language tag"),
    ({"LANGUAGES": ["hu"]}, "CORRECTIONS_LANGUAGES must include the site's language"),
    ({"LANGUAGES": {"en": 1}}, "CORRECTIONS_LANGUAGES must be a list of language tags"),
    ({"TIMEZONE": "Europe/Atlantis"}, "CORRECTIONS_TIMEZONE must be an IANA time zone name"),
])
def test_a_wrong_language_setting_stops_the_app_naming_it(make_app, catalogs, settings, named):
    with pytest.raises(ConfigError, match=named):
        make_app(EXTRA_CATALOGS=[catalogs], **settings)


def test_the_defaults_are_english_only_in_utc(app):
    assert (app.config["LANGUAGE"], app.config["LANGUAGES"], app.config["TIMEZONE"]) == ("en", ["en"], "UTC")


def test_one_language_is_never_negotiated(app, client):
    make_article(slug="one")

    response = client.get("/articles/one", headers={"Accept-Language": "hu"})

    assert '<html lang="en" dir="ltr">' in response.get_data(as_text=True)
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_a_reader_gets_the_best_match_of_their_browser(several):
    make_article(slug="any")
    client = several.test_client()

    hungarian = client.get("/articles/any", headers={"Accept-Language": "de;q=0.9, hu-HU;q=0.8, en;q=0.5"})
    english = client.get("/articles/any", headers={"Accept-Language": "fr, en-GB;q=0.7"})
    nothing = client.get("/articles/any", headers={"Accept-Language": "fr"})

    assert '<html lang="hu" dir="ltr">' in hungarian.get_data(as_text=True)
    assert REPORT in hungarian.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in nothing.get_data(as_text=True)
    assert all("Accept-Language" in r.headers["Vary"] for r in (hungarian, english, nothing))


def test_arabic_pages_are_right_to_left(several):
    make_article(slug="any")

    page = several.test_client().get("/articles/any", headers={"Accept-Language": "ar"}).get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in page
    assert [languages.text_direction(tag) for tag in ("ar", "he", "fa", "ur", "hu", "en")] == ["rtl"] * 4 + ["ltr"] * 2


def test_an_articles_text_keeps_its_own_language_and_direction_on_a_page_in_another(several, admin):
    article = make_article(slug="any")
    report = file_report(article)
    db.session.commit()
    reader = several.test_client()
    editor = several.test_client()
    login(editor, admin.email)
    account = editor.get("/editor/account").get_data(as_text=True)
    editor.post("/editor/account/language", data={**form_tokens(account), "language": "ar"})

    public = reader.get("/articles/any", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    desk = editor.get(f"/editor/reports/{report.id}").get_data(as_text=True)

    # The article has no language of its own: it is written in the site's, English, left to right.
    assert '<html lang="ar" dir="rtl">' in public and '<html lang="ar" dir="rtl">' in desk
    assert re.search(r'<div class="article-body" id="article-body" lang="en" dir="ltr">', public)
    assert re.search(r'<div class="article-text" lang="en" dir="ltr"', desk)


def test_an_article_in_its_own_language_is_shown_in_it_whatever_the_browser(several):
    make_article(slug="magyar", language="hu-HU")
    client = several.test_client()

    first = client.get("/articles/magyar", headers={"Accept-Language": "ar"})
    second = client.get("/articles/magyar", headers={"Accept-Language": "en"})
    form = client.get("/articles/magyar/report", headers={"Accept-Language": "en"})

    for response in (first, second, form):
        assert '<html lang="hu" dir="ltr">' in response.get_data(as_text=True)
        assert "Accept-Language" not in response.headers.get("Vary", "")


def test_an_article_in_a_language_readers_cannot_get_is_negotiated(several):
    make_article(slug="italiano", language="it")

    response = several.test_client().get("/articles/italiano", headers={"Accept-Language": "ar"})

    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_page_cache_keeps_a_copy_per_language(several):
    make_article(slug="cached")
    client = several.test_client()

    pages = [client.get("/articles/cached", headers={"Accept-Language": tag}) for tag in ("hu", "en", "hu-HU", "ar")]

    assert ['lang="hu"' in p.get_data(as_text=True) for p in pages] == [True, False, True, False]
    assert 'lang="ar"' in pages[3].get_data(as_text=True)
    assert pages[0].headers["ETag"] == pages[2].headers["ETag"] != pages[1].headers["ETag"]
    # The browser that switched its language is not told that its English copy is current.
    again = client.get("/articles/cached", headers={"Accept-Language": "hu",
                                                    "If-None-Match": pages[1].headers["ETag"]})
    assert again.status_code == 200 and 'lang="hu"' in again.get_data(as_text=True)


def test_a_304_tells_caches_what_the_page_tells_them(several):
    make_article(slug="negotiated")
    make_article(slug="magyar", language="hu")
    client = several.test_client()
    varies = []

    for slug in ("negotiated", "magyar"):
        page = client.get(f"/articles/{slug}", headers={"Accept-Language": "ar"})
        # Another server, or one that has dropped its copy, answers the revalidation from the view.
        page_cache.for_app(several).clear()
        again = client.get(f"/articles/{slug}",
                           headers={"Accept-Language": "ar", "If-None-Match": page.headers["ETag"]})

        assert again.status_code == 304
        assert [again.headers.get(name) for name in ("Vary", "Cache-Control")] == \
            [page.headers.get(name) for name in ("Vary", "Cache-Control")]
        varies.append("Accept-Language" in again.headers.get("Vary", ""))
    assert varies == [True, False]


@pytest.mark.databases("sqlite", "postgresql")  # a stored moment read back and shown in a zone
def test_dates_are_shown_in_the_sites_zone_and_language(make_app, catalogs):
    app = make_app(LANGUAGE="hu", TIMEZONE="Europe/Budapest", EXTRA_CATALOGS=[catalogs])
    with app.app_context():
        make_article(slug="datum", published_at=datetime(2026, 12, 6, 23, 30, tzinfo=UTC))

        page = app.test_client().get("/articles/datum").get_data(as_text=True)

    # 23:30 UTC is past midnight in Budapest; <time datetime> stays UTC.
    assert '<time datetime="2026-12-06T23:30:00Z">2026. december 7. 0:30 CET</time>' in page


def test_english_dates_read_as_before(app):
    with app.test_request_context():
        assert languages.long_date(datetime(2026, 12, 6, 18, 18, tzinfo=UTC)) == "6 December 2026"
        assert languages.long_datetime(datetime(2026, 12, 6, 18, 18, tzinfo=UTC)) == "6 December 2026, 18:18 UTC"


def sent_in_hungarian(client, slug: str):
    """A reader's report sent through the form by a Hungarian browser, asking to hear back; the form's answer."""
    form = client.get(f"/articles/{slug}/report", headers={"Accept-Language": "hu"})
    return client.post(f"/articles/{slug}/report", headers={"Accept-Language": "hu"}, data={
        **form_tokens(form.get_data(as_text=True)), "category": "factual",
        "description": "The figure in this sentence is wrong.", "email": "olvaso@example.org", "notify": "y"})


def test_a_report_keeps_the_language_it_was_sent_in_and_its_e_mails_speak_it(several):
    article = make_article(slug="levél")
    client = several.test_client()
    sent = sent_in_hungarian(client, article.slug)
    assert sent.status_code == 303
    report = db.session.scalars(select(Report)).one()
    assert report.language == "hu"

    # An English-speaking editor's decision writes to the reader in Hungarian.
    editor = make_editor()
    workflow.move(report, "in_review", by=editor)
    workflow.reject(report, "The figure is right.", by=editor)
    db.session.commit()

    subjects = sorted(m.subject for m in db.session.scalars(select(OutboxMessage)))
    assert all(subject.startswith("⟦") for subject in subjects), subjects
    # The status page speaks it too, whatever the browser says now.
    status = client.get(sent.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="hu"' in status


def test_the_status_pages_messages_speak_the_reports_language_whatever_the_browser(several):
    article = make_article(slug="uzenet")
    client = several.test_client()
    sent = sent_in_hungarian(client, article.slug)
    status_path = sent.headers["Location"]
    english = {"Accept-Language": "en"}

    # Another link asked for too soon: refused, in Hungarian.
    page = client.get(status_path, headers=english).get_data(as_text=True)
    again = client.post(status_path + "/confirm-address", headers=english, data=form_tokens(page))
    refused = client.get(again.headers["Location"], headers=english).get_data(as_text=True)
    # The contact removed: said in Hungarian.
    page = client.get(status_path, headers=english).get_data(as_text=True)
    removed = client.post(status_path + "/forget", headers=english, data={**form_tokens(page), "confirm": "y"})
    done = client.get(removed.headers["Location"], headers=english).get_data(as_text=True)

    assert pseudo("We cannot send another link yet: see below when you can ask again.") in refused
    assert pseudo("Your name and e-mail address have been removed from this report. We will not e-mail you about "
                  "it.") in done


def test_the_confirmation_page_speaks_the_reports_language_whatever_the_browser(several):
    article = make_article(slug="megerosites")
    client = several.test_client()
    sent_in_hungarian(client, article.slug)
    body = db.session.scalars(select(OutboxMessage)).one().body
    link = re.search(r"/confirm-address/[\w-]+", body).group(0)
    english = {"Accept-Language": "en"}

    page = client.get(link, headers=english).get_data(as_text=True)
    confirmed = client.post(link, headers=english, data=form_tokens(page), follow_redirects=True)

    assert '<html lang="hu"' in page
    assert pseudo("Thank you: your address is confirmed. We will e-mail you when an editor has decided.") in \
        confirmed.get_data(as_text=True)


def test_an_editor_chooses_the_dashboards_language(several):
    make_editor("ed@example.org")
    client = several.test_client()
    login(client, "ed@example.org")
    account = client.get("/editor/account").get_data(as_text=True)
    assert re.findall(r"<option[^>]*>[^<]*</option>", account) == [
        '<option selected value="en">English</option>', '<option value="hu">Magyar</option>',
        '<option value="ar">العربية</option>'], account

    chosen = client.post("/editor/account/language", data={**form_tokens(account), "language": "hu"},
                         follow_redirects=True)
    refused = client.post("/editor/account/language", data={**form_tokens(account), "language": "it"})

    assert '<html lang="hu"' in chosen.get_data(as_text=True)
    assert refused.status_code == 400
    assert pseudo("Choose one of the languages listed.") in refused.get_data(as_text=True)
    # Public pages follow the editor's choice too, unless the article has a language of its own.
    make_article(slug="anything")
    assert '<html lang="hu"' in client.get("/articles/anything", headers={"Accept-Language": "ar"}).get_data(
        as_text=True)


def test_an_editors_article_page_is_not_revalidated_in_the_language_they_left(several):
    make_editor("ed@example.org")
    make_article(slug="revalidated")
    client = several.test_client()
    login(client, "ed@example.org")
    arabic_browser = {"Accept-Language": "ar"}
    before = client.get("/articles/revalidated", headers=arabic_browser)
    account = client.get("/editor/account").get_data(as_text=True)

    client.post("/editor/account/language", data={**form_tokens(account), "language": "hu"})
    again = client.get("/articles/revalidated", headers={**arabic_browser, "If-None-Match": before.headers["ETag"]})

    assert '<html lang="en"' in before.get_data(as_text=True)
    assert again.status_code == 200 and '<html lang="hu"' in again.get_data(as_text=True)
    assert again.headers["ETag"] != before.headers["ETag"]


def test_the_embed_gets_its_words_in_the_articles_language(several):
    make_article(slug="beagyazott", canonical_url="https://news.example.org/hu/1", language="hu")

    answer = several.test_client().get("/api/v1/notices?url=https://news.example.org/hu/1",
                                        headers={"Accept-Language": "en"})

    data = json.loads(answer.get_data(as_text=True))
    assert (data["language"], data["time_zone"], data["words"]["report"]) == ("hu", "UTC", REPORT)


@pytest.mark.parametrize(("value", "stored"), [("hu", "hu"), ("pt-BR", "pt-BR"), ("", None), (None, None)])
def test_an_imported_article_may_say_its_language(app, value, stored):
    from corrections.articles.content import parse_article, upsert_article

    article, _ = upsert_article(parse_article({"title": "T", "canonical_url": "https://x.example.org/a",
                                               "body": "Text.", "language": value}))

    assert article.language == stored


@pytest.mark.parametrize("value", ["english please", "h", "hu_HU", 7, "x" * 40])
def test_a_language_that_is_no_tag_is_refused_naming_the_field(app, value):
    from corrections.articles.content import ArticleError, parse_article

    with pytest.raises(ArticleError) as refused:
        parse_article({"title": "T", "canonical_url": "https://x.example.org/a", "body": "Text.", "language": value})

    assert "language" in refused.value.fields


def test_file_report_helper_files_in_the_sites_language(app):
    report = file_report(make_article())

    assert report.language is None


def test_the_passage_button_speaks_the_pages_language(several):
    make_article(slug="kijeloles")
    page = several.test_client().get("/articles/kijeloles", headers={"Accept-Language": "hu"}).get_data(as_text=True)
    assert f'data-passage-label="{pseudo("Report this passage")}"' in page


@pytest.mark.parametrize(("language", "published"), [
    ("en", {"correction": "we have published this correction:",
            "clarification": "we have published this clarification:",
            "update": "we have published this update:",
            "editors_note": "we have published this editor’s note:"}),
    # German nouns keep their capital in a sentence: each kind is a whole sentence of the catalog's.
    ("de", {"correction": "wir haben diese Korrektur veröffentlicht:",
            "clarification": "wir haben diese Klarstellung veröffentlicht:",
            "update": "wir haben diese Aktualisierung veröffentlicht:",
            "editors_note": "wir haben diese Anmerkung der Redaktion veröffentlicht:"}),
])
def test_the_outcome_e_mail_names_each_kind_of_notice_in_a_whole_sentence(make_app, language, published):
    app = make_app(LANGUAGES=["en", "de"])
    with app.app_context():
        editor = make_editor()
        confirm_addresses("leser@example.org")
        for kind, sentence in published.items():
            article = make_article(slug=f"article-{kind}")
            report = file_report(article, email="leser@example.org", notify=True)
            report.language = language
            publishing.publish(article, kind, "The figure is now right.", by=editor, reports=[report])
            db.session.commit()
            body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.report_id == report.id)).one()
            assert sentence in body, body


@pytest.mark.parametrize(("language", "lang"), [("hu", "hu"), ("pt_BR", "pt-BR"), (None, "en")])
def test_the_diff_of_an_articles_words_is_marked_in_the_articles_language(app, client, language, lang):
    article = make_article(slug="valtozat", language=language)
    change_text(article, article.title, "<p>A new second paragraph.</p>", source="api", by="CMS")
    db.session.commit()
    page = client.get("/articles/valtozat/revisions/1/2").get_data(as_text=True)
    assert re.search(rf'<div class="diff[^"]*" lang="{lang}" dir="ltr">', page), page


def test_wtforms_own_messages_are_read_from_disk_once_per_language_not_per_request(make_app, monkeypatch):
    from babel import support

    app = make_app(LANGUAGES=["en", "de"])
    with app.app_context():
        make_article(slug="form")
    loads = []
    real_load = support.Translations.load

    def counted(dirname=None, locales=None, domain=None):
        if domain == "wtforms":
            loads.append([str(locale) for locale in locales])
        return real_load(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", counted)
    client = app.test_client()

    for tag in ("de", "de", "en", "de", "en"):
        assert client.get("/articles/form/report", headers={"Accept-Language": tag}).status_code == 200

    # Every form carries fields without a label of their own, which WTForms names through its catalog: a page
    # with a form read and parsed that catalog file on every request.
    assert sorted(map(tuple, loads)) == [("de",), ("en",)]


def test_wtforms_own_messages_speak_the_pages_language(make_app):
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class Plain(FlaskForm):
        name = StringField(validators=[DataRequired()])

    app = make_app(LANGUAGES=["en", "de"], WTF_CSRF_ENABLED=False)
    with app.test_request_context("/", method="POST", data={}, headers={"Accept-Language": "de"}):
        app.preprocess_request()
        form = Plain()
        assert not form.validate()
        assert form.name.errors == ["Dieses Feld wird benötigt."]
        languages.decide("en")
        english = Plain()
        assert not english.validate()
        assert english.name.errors == ["This field is required."]


@pytest.mark.databases("sqlite")
def test_a_request_looks_its_catalog_up_once_per_language_and_follows_every_change(several, monkeypatch):
    looked_up = []
    find = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: looked_up.append(1) or find(self))
    words = "Report an inaccuracy"

    with several.test_request_context("/", headers={"Accept-Language": "ar"}):
        arabic = [gettext(words) for _ in range(5)]
        with force_locale("en"):
            english = gettext(words)
        after = gettext(words)
        languages.decide("hu")
        hungarian = gettext(words)

    assert arabic == [pseudo(words)] * 5 and after == pseudo(words)
    assert (english, hungarian) == (words, pseudo(words))
    # Arabic (force_locale gives it back after its block), English inside the block, Hungarian once decided.
    assert len(looked_up) == 3


def test_a_canned_reason_reaches_each_reader_in_the_language_of_their_report(several):
    # A Hungarian-speaking editor rejects, in one bulk action, a report filed in English and one filed in Hungarian.
    editor = make_editor()
    editor.language = "hu"
    article = make_article(slug="indok")
    english = file_report(article, email="reader@example.org", notify=True)
    hungarian = file_report(article, email="olvaso@example.org", notify=True)
    hungarian.language = "hu"
    db.session.commit()
    canned = workflow.REJECT_REASONS[0]
    client = several.test_client()
    login(client, editor.email)
    queue = client.get("/editor/").get_data(as_text=True)
    client.post("/editor/bulk", data={
        **form_tokens(queue), "action": "reject", "reason": canned,
        "selected": [f"{r.id}:{r.version}" for r in (english, hungarian)], "back": "/editor/"})
    db.session.expire_all()

    # Kept as the canned reason's own words, worded for whoever reads it.
    assert english.reject_reason == hungarian.reject_reason == canned
    bodies = {m.to_address: m.body for m in db.session.scalars(select(OutboxMessage))}
    assert canned in bodies["reader@example.org"] and pseudo(canned) not in bodies["reader@example.org"]
    assert pseudo(canned) in bodies["olvaso@example.org"]
    assert canned in status_page(several, english) and pseudo(canned) not in status_page(several, english)
    assert pseudo(canned) in status_page(several, hungarian)
    # The editor reads it in the dashboard's language: what the reader was given, and the history.
    page = html.unescape(client.get(f"/editor/reports/{english.id}").get_data(as_text=True))
    assert page.count(pseudo(canned)) == 2 and canned not in page.replace(pseudo(canned), "")


def test_an_editors_own_words_after_a_canned_reason_stay_as_typed(several):
    canned = workflow.REJECT_REASONS[1]
    with force_locale("hu"):
        assert outcomes.given_reason(f"{canned} The quote is from the minutes.") == \
            f"{pseudo(canned)} The quote is from the minutes."
        # A reason kept before canned reasons were worded when read (in some language already) stays as it is.
        assert outcomes.given_reason(pseudo(canned)) == pseudo(canned)
        assert outcomes.given_reason(f"{canned}s") == f"{canned}s"


def status_page(app, report) -> str:
    with app.test_request_context():
        path = urlsplit(tokens.status_url(report)).path
    return html.unescape(app.test_client().get(path, headers={"Accept-Language": "en"}).get_data(as_text=True))


def test_the_reader_and_the_system_are_named_in_the_pages_language(several):
    editor = make_editor()
    editor.language = "hu"
    report = file_report(make_article(slug="nevek"), email="olvaso@example.org")
    privacy.forget_contact(report, by_reader=True)
    db.session.commit()
    client = several.test_client()
    login(client, editor.email)

    page = html.unescape(client.get(f"/editor/reports/{report.id}").get_data(as_text=True))
    assert "<strong>reader</strong>" not in page
    assert pseudo_with("<strong>%(actor)s</strong> sent the report", actor=pseudo("Reader")) in page
    with several.test_request_context(), force_locale("hu"):
        assert pseudo("Reader") in str(workflow.changed_since(report))
        assert workflow.last_actor(report) == pseudo("Reader")
        [received, forgotten] = report.events
        assert snapshot.describe(forgotten) == pseudo_with("%(who)s changed it since you loaded the queue",
                                                           who=pseudo("Reader"))
        # An editor's name is theirs, even one that reads like the words for the others.
        forgotten.actor_id = editor.id
        assert pseudo("Reader") not in snapshot.describe(forgotten)


def pseudo_with(message: str, **values: str) -> str:
    """A message as the pseudo-locale shows it, with its placeholders filled."""
    worded = pseudo(message)
    for name, value in values.items():
        worded = worded.replace(f"%({name})s", value)
    return worded


def test_a_duplicates_original_and_an_undone_decision_are_worded_in_the_editors_language(several):
    editor = make_editor()
    editor.language = "hu"
    article = make_article(slug="tortenet")
    first, second = file_report(article), file_report(article)
    workflow.mark_duplicate(second, first, by=editor)
    decision = decisions.start(editor, N_("%(reports)s rejected"))
    transaction.commit(decisions.undoable(lambda: workflow.reject(first, workflow.REJECT_REASONS[2], by=editor),
                                          reports=[first], by=editor, decision=decision), reports=[first])
    transaction.commit(lambda: decisions.undo(decision, by=editor), reports=[first])
    client = several.test_client()
    login(client, editor.email)

    def history(report: Report) -> str:
        return html.unescape(client.get(f"/editor/reports/{report.id}").get_data(as_text=True))

    reference = f'<span class="ref">{first.reference}</span>'
    assert pseudo_with("Duplicate of %(reference)s.", reference=reference) in history(second)
    undone = pseudo_with("Undone: %(decision)s.", decision=pseudo_with("%(reports)s rejected", reports=reference))
    assert undone in history(first)
    assert "Undone by" not in history(first)


def test_history_comments_kept_as_english_sentences_are_shown_as_they_are(several):
    assert decisions.undone_words("Undone by Maya Okafor: R-7KQ2MX rejected.") == \
        "Undone by Maya Okafor: R-7KQ2MX rejected."
    assert decisions.undone_words("[1, 2]") == "[1, 2]"
    event = Event(kind="status", to_value="duplicate", comment="Duplicate of R-7KQ2MX.")
    with force_locale("hu"):
        assert workflow.comment_words(event) == "Duplicate of R-7KQ2MX."


def test_a_reports_history_says_what_publishing_did_in_the_editors_language(several, admin):
    """Publishing kept "Correction published: …" with the kind in the publisher's language inside an English
    sentence, and "Accepted on publishing a correction." in English, in every linked report's history."""
    article = make_article(slug="any")
    report = file_report(article)
    publishing.publish(article, "editors_note", "The bridge opens at night as well.", by=admin, reports=[report])
    db.session.commit()
    editor = several.test_client()
    login(editor, admin.email)
    account = editor.get("/editor/account").get_data(as_text=True)
    editor.post("/editor/account/language", data={**form_tokens(account), "language": "hu"})

    page = html.unescape(editor.get(f"/editor/reports/{report.id}").get_data(as_text=True))

    # (Hungarian is the pseudo-locale here: every catalog word bracketed.)
    published = pseudo("Editor’s note published: %(text)s") % {"text": "The bridge opens at night as well."}
    assert published in page and pseudo("Accepted on publishing a correction.") in page
    assert "published:" not in page and '"published"' not in page


def test_a_canned_reason_for_no_notice_is_kept_in_the_catalogs_words_and_read_in_each_editors(several, admin):
    """The reason an unannounced change needs no notice was stored in the words of the editor who chose it."""
    from werkzeug.datastructures import MultiDict

    from corrections.articles import unannounced
    from corrections.editor.forms import NoNoticeForm
    from corrections.models import ArticleEvent, ChangeReview

    article = make_article(slug="any")
    change_text(article, article.title, "<p>A new second paragraph.</p>", source="import")
    db.session.commit()
    canned = unannounced.NO_NOTICE_REASONS[0]
    with several.test_request_context(headers={"Accept-Language": "hu"}):
        form = NoNoticeForm(formdata=MultiDict({"reason": canned, "reason_text": "Only a comma moved."}), meta={
            "csrf": False})
        reason = form.chosen_reason()
    assert reason == f"{canned} Only a comma moved."
    review = db.session.scalar(select(ChangeReview))
    unannounced.excuse(review, reason, by=admin)
    db.session.commit()

    [event] = db.session.scalars(select(ArticleEvent).where(ArticleEvent.kind == "no_notice")).all()
    with several.test_request_context(headers={"Accept-Language": "hu"}):
        assert unannounced.answer_reason(review) == f"{pseudo(canned)} Only a comma moved."
        assert unannounced.event_comment(event) == f"{pseudo(canned)} Only a comma moved."
    with several.test_request_context(headers={"Accept-Language": "en"}):
        assert unannounced.answer_reason(review) == reason
