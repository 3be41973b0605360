"""Articles: the home page list, the article page and its JSON-LD, body sanitising, upserts."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from corrections.articles.content import (
    ALLOWED_TAGS,
    ArticleData,
    ArticleError,
    compact_blocks,
    editable_body,
    lede,
    plain_text,
    sanitise_body,
    slugify,
    upsert_article,
)
from corrections.extensions import db
from corrections.models import Article
from tests.helpers import make_article

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return NOON + timedelta(days=n)


def json_ld(page: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return json.loads(block)


def link(page: str, label: str) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(label)}</a>', page)
    return html.unescape(found.group(1)) if found else None


def article_data(**fields) -> ArticleData:
    data = {
        "title": "Harbour wall repairs finish early",
        "canonical_url": "https://news.example.org/local/harbour-wall",
        "body": "The repairs finished two weeks early.\n\nThe quay reopens on Monday.",
        "byline": "By Test Writer",
        "section": "Local",
        "published_at": NOON,
    }
    data.update(fields)
    return ArticleData(**data)


def stored_articles() -> list[Article]:
    db.session.expire_all()
    return list(db.session.scalars(select(Article).order_by(Article.id)))


# --- The home page ---------------------------------------------------------------------------


def test_home_page_lists_articles_newest_first(client):
    make_article(title="Middle story", published_at=day(2))
    make_article(title="Oldest story", published_at=day(1))
    make_article(title="Newest story", published_at=day(3))
    page = client.get("/").get_data(as_text=True)
    positions = [page.index(title) for title in ("Newest story", "Middle story", "Oldest story")]
    assert positions == sorted(positions)


def test_articles_published_at_the_same_time_list_the_last_added_first(client):
    make_article(title="Added first", published_at=NOON)
    make_article(title="Added second", published_at=NOON)
    page = client.get("/").get_data(as_text=True)
    assert page.index("Added second") < page.index("Added first")


@pytest.mark.databases("sqlite")
def test_home_page_links_each_article_with_its_section_and_byline(client):
    article = make_article(title="Ferry fares rise", section="Transport", byline="By Ann Writer")
    page = client.get("/").get_data(as_text=True)
    assert link(page, "Ferry fares rise") == f"/articles/{article.slug}"
    assert "Transport" in page
    assert "By Ann Writer" in page


def test_home_page_is_paginated_with_older_and_newer_links(make_app):
    app = make_app(ARTICLES_PER_PAGE=2)
    with app.app_context():
        for n in range(1, 6):
            make_article(title=f"Story of day {n}", published_at=day(n))
        client = app.test_client()

        first = client.get("/").get_data(as_text=True)
        assert "Story of day 5" in first and "Story of day 4" in first
        assert "Story of day 3" not in first
        assert "Page 1 of 3" in first
        assert link(first, "← Newer") is None

        second = client.get(link(first, "Older →")).get_data(as_text=True)
        assert "Story of day 3" in second and "Story of day 2" in second
        assert "Story of day 4" not in second and "Story of day 1" not in second
        assert "Page 2 of 3" in second

        third = client.get(link(second, "Older →")).get_data(as_text=True)
        assert "Story of day 1" in third
        assert "Story of day 2" not in third
        assert link(third, "Older →") is None

        back = client.get(link(third, "← Newer")).get_data(as_text=True)
        assert "Page 2 of 3" in back


def test_one_page_of_articles_shows_no_pager(client):
    make_article()
    page = client.get("/").get_data(as_text=True)
    assert "Older →" not in page
    assert "Page 1 of" not in page


def test_page_past_the_end_is_404(make_app):
    app = make_app(ARTICLES_PER_PAGE=2)
    with app.app_context():
        for n in range(3):
            make_article(published_at=day(n))
        client = app.test_client()
        assert client.get("/?page=2").status_code == 200
        response = client.get("/?page=3")
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "100001"])
def test_absurd_page_number_is_404_not_a_server_error(client, page):
    make_article()
    assert client.get(f"/?page={page}").status_code == 404


@pytest.mark.databases("sqlite")
def test_page_that_is_not_a_number_shows_the_first_page(client):
    make_article(title="The only story")
    response = client.get("/?page=first")
    assert response.status_code == 200
    assert "The only story" in response.get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_empty_site_says_how_to_add_articles(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No articles yet." in page
    assert "corrections import-articles FILE" in page
    assert "corrections seed-demo" in page


def test_empty_site_has_no_second_page(client):
    assert client.get("/?page=2").status_code == 404


# --- The article page ------------------------------------------------------------------------


@pytest.mark.databases("sqlite")
def test_article_page_shows_title_byline_and_body_paragraphs(client):
    article = make_article(title="Council approves budget", byline="By Ann Writer")
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "<h1>Council approves budget</h1>" in page
    assert "By Ann Writer" in page
    assert "<p>The council approved the new budget on Tuesday by 31 votes to 12.</p>" in page
    assert "<p>The mayor said the “extra £2.4 million” would go to road repairs. Work starts in March.</p>" in page


@pytest.mark.databases("sqlite")
def test_article_page_links_to_the_report_form(client):
    article = make_article()
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    href = link(page, "Report an inaccuracy")
    assert href == f"/articles/{article.slug}/report"
    assert client.get(href).status_code == 200


@pytest.mark.databases("sqlite")
def test_article_page_shows_the_canonical_url(client):
    article = make_article(canonical_url="https://news.example.org/politics/budget")
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert '<link rel="canonical" href="https://news.example.org/politics/budget">' in page


@pytest.mark.databases("sqlite")
def test_unknown_article_is_the_404_page(client):
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.databases("sqlite")
def test_new_article_shows_no_updated_date(client):
    article = make_article()
    assert "Updated" not in client.get(f"/articles/{article.slug}").get_data(as_text=True)


def test_changed_article_shows_when_it_was_updated(client):
    article = make_article(body="First version.")
    make_article(slug=article.slug, canonical_url=article.canonical_url, body="Second version.")
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "Second version." in page
    assert "· Updated <time" in page


@pytest.mark.databases("sqlite")
def test_article_json_ld_is_a_news_article(client):
    article = make_article(title="Council approves budget", byline="By Ann Writer", section="Politics",
                           canonical_url="https://news.example.org/politics/budget", published_at=NOON)
    data = json_ld(client.get(f"/articles/{article.slug}").get_data(as_text=True))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Council approves budget"
    assert data["url"] == "https://news.example.org/politics/budget"
    assert datetime.fromisoformat(data["datePublished"]) == NOON
    assert data["articleSection"] == "Politics"
    assert data["author"] == {"@type": "Person", "name": "Ann Writer"}


@pytest.mark.databases("sqlite")
def test_title_cannot_break_out_of_the_json_ld_script(client):
    title = "Budget row </script><script>alert(1)</script> & 'quotes'"
    article = make_article(title=title)
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in page
    assert json_ld(page)["headline"] == title


@pytest.mark.databases("sqlite")
def test_title_markup_is_shown_as_text(client):
    article = make_article(title="Why <b>bold</b> claims fail")
    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "<h1>Why &lt;b&gt;bold&lt;/b&gt; claims fail</h1>" in page


def with_session_time_zone(url: str, zone: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + [("options", f"-c TimeZone={zone}")]
    return urlunsplit(parts._replace(query=urlencode(query)))


# PostgreSQL only: SQLite has no session time zone.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_times_are_shown_in_utc_whatever_the_database_time_zone(make_app, database_url):
    app = make_app(DATABASE_URL=with_session_time_zone(database_url, "America/New_York"))
    with app.app_context():
        article = make_article(published_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
        page = app.test_client().get(f"/articles/{article.slug}").get_data(as_text=True)
        assert "20 November 2026, 09:00 UTC" in page
        assert json_ld(page)["datePublished"] == "2026-11-20T09:00:00+00:00"


# --- Sanitising bodies and plain text ---------------------------------------------------------


def test_plain_text_paragraphs_become_html_paragraphs():
    body = sanitise_body("First paragraph.\n\nSecond paragraph,\nsame paragraph.\r\n\r\nThird.")
    assert body == "<p>First paragraph.</p><p>Second paragraph,<br>same paragraph.</p><p>Third.</p>"


def test_plain_text_that_looks_like_markup_is_escaped():
    assert sanitise_body("Profits < costs & rising") == "<p>Profits &lt; costs &amp; rising</p>"


def test_script_elements_are_removed():
    body = sanitise_body("<p>Before.</p><script>alert(1)</script><p>After.</p>")
    assert body == "<p>Before.</p><p>After.</p>"


def test_script_in_plain_text_is_never_markup():
    body = sanitise_body("Before <script>alert(1)</script> after")
    assert "<script" not in body


def test_event_handler_attributes_are_removed():
    body = sanitise_body('<p><img src="x" onerror="alert(1)">Hi <b onclick="steal()">there</b></p>')
    assert "onerror" not in body and "onclick" not in body
    assert "<b>there</b>" in body


def test_javascript_links_lose_their_target():
    body = sanitise_body('<p><a href="javascript:alert(1)">Click</a></p>')
    assert "javascript:" not in body
    assert ">Click</a>" in body


def test_allowed_markup_is_kept_and_links_get_nofollow():
    body = sanitise_body('<p>An <em>important</em> <a href="https://example.org/report">report</a>.</p>')
    assert "<em>important</em>" in body
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">report</a>' in body


def test_inline_html_without_paragraph_tags_is_kept_as_markup():
    body = sanitise_body('See <a href="https://example.org/report">the report</a> for <em>details</em>.')
    assert "<em>details</em>" in body
    assert "&lt;" not in body


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.text(max_size=20),
    st.sampled_from(["<p>", "</p>", "<div>", "<script>", "</script>", "<img src=x onerror=alert(1)>",
                     '<a href="javascript:alert(1)">', "<svg onload=alert(1)>", "<!--", "-->", "<",
                     "\n\n", '"', "<style>", "<iframe src=https://evil.example>"]),
), max_size=12).map("".join))
def test_no_body_yields_an_executable_element(raw):
    body = sanitise_body(raw)
    assert not re.search(r"<\s*(script|img|svg|iframe|style)\b", body, re.IGNORECASE)
    assert not re.search(r"<[^>]*\son\w+\s*=", body, re.IGNORECASE)
    assert not re.search(r"<[^>]*\bhref\s*=\s*[\"']?\s*javascript:", body, re.IGNORECASE)


def assert_safe(body: str) -> None:
    """No element but the allowed ones, no event handler, no javascript: link, and no `<` in text."""
    assert set(re.findall(r"</?([A-Za-z][A-Za-z0-9-]*)", body)) <= ALLOWED_TAGS, body
    assert not re.search(r"<(?!/?[a-z0-9]+[\s>/])", body), "a '<' that starts no allowed tag: " + body
    assert not re.search(r"<[^>]*\son\w+\s*=", body, re.IGNORECASE), body
    assert "javascript:" not in body.lower(), body


# Markup that makes the sanitiser drop what follows it or sits in it (mutation XSS shapes): the words listed
# are what a reader of the submitted HTML sees, and must survive.
MUTATIONS = [
    ('<p>Before.</p><math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)'
     '&gt;"></style>The council approved the budget by 31 votes.', ["Before", "The council approved the budget by 31"]),
    ('<p>Start.</p><math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src '
     'onerror=alert(1)>"></style></h1>The heading text is kept.', ["Start", "The heading text is kept"]),
    ('<p>The area is</p><math><mi>π</mi><msup><mi>r</mi><mn>2</mn></msup></math><p>in square metres.</p>',
     ["The area is", "π", "r", "2", "in square metres"]),
    ('<svg><foreignObject><p>Text inside an SVG drawing</p></foreignObject></svg><p>and after it.</p>',
     ["Text inside an SVG drawing", "and after it"]),
    ('<math><annotation-xml encoding="text/html"><p>Annotated: <a href="javascript:alert(1)">the '
     'minutes</a></p><img src=x onerror=alert(1)></annotation-xml></math><p>Last words.</p>',
     ["Annotated", "the minutes", "Last words"]),
]


@pytest.mark.parametrize("raw, words", MUTATIONS, ids=["mglyph-style", "h1-mglyph", "formula", "svg", "annotation"])
def test_text_around_hostile_markup_is_kept_and_the_body_stays_safe(raw, words):
    body = sanitise_body(raw)

    text = " ".join(plain_text(body).split())
    for phrase in words:
        assert phrase in text, f"{phrase!r} was lost: {body}"
    assert_safe(body)


def test_only_the_part_that_would_lose_text_becomes_plain_text():
    body = sanitise_body(
        '<p>An <em>important</em> <a href="https://example.org/report">report</a>.</p>'
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">'
        '</style>The mayor <b>resigned</b> &amp; left.'
    )

    assert body.startswith('<p>An <em>important</em> <a href="https://example.org/report" rel="noopener noreferrer '
                           'nofollow">report</a>.</p>')
    assert body.endswith("<p>The mayor resigned &amp; left.</p>")
    assert_safe(body)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from([
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
        "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\"></a></style>",
        "<math><mi>", "</mi></math>", "<svg><title>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<p>", "</p>", "<em>", "</em>", '<a href="javascript:alert(1)">', "</a>", "<form><math><mtext></form>",
        "<table>", "<template>tmpl</template>", "<script>alert(1)</script>", "<style>p{}</style>",
    ]),
    st.sampled_from(["council", "budget", "mayor", "Monday", "31", "votes", "£2.4m", "résumé"]),
), min_size=1, max_size=8))
def test_no_visible_word_is_lost_and_nothing_becomes_executable(parts):
    raw = "".join(f"{markup} {word} " for markup, word in parts)
    body = sanitise_body(raw)

    assert_safe(body)
    kept = plain_text(body)
    for markup, word in parts:
        if not re.search(r"<(style|script|template)\b(?!.*</\1>)", markup):  # inside an unclosed style: hidden
            assert word in kept, (raw, body)


def test_plain_text_gives_readable_paragraphs():
    body = sanitise_body(
        "<h2>Heading</h2><p>One <em>two</em> &amp; three.</p><ul><li>First</li><li>Second</li></ul>"
    )
    assert plain_text(body) == "Heading\n\nOne two & three.\n\nFirst\n\nSecond"


def test_plain_text_of_a_plain_body_keeps_its_words():
    assert plain_text(sanitise_body("Para one.\n\nPara “two”.")) == "Para one.\n\nPara “two”."


@pytest.mark.parametrize("title, slug", [
    ("Council approves £48.6m budget!", "council-approves-48-6m-budget"),
    ("Café reopens in Saltmarsh", "cafe-reopens-in-saltmarsh"),
    ("  --Spaces & dashes--  ", "spaces-dashes"),
    ("東京", "article"),
])
def test_slug_is_made_from_the_title(title, slug):
    assert slugify(title) == slug


# --- Creating and updating articles ----------------------------------------------------------


def test_upsert_creates_an_article(app):
    article, outcome = upsert_article(article_data(slug="harbour-wall"))
    db.session.commit()
    assert outcome == "created"
    [stored] = stored_articles()
    assert stored.slug == "harbour-wall"
    assert stored.title == "Harbour wall repairs finish early"
    assert stored.body == "<p>The repairs finished two weeks early.</p><p>The quay reopens on Monday.</p>"
    assert stored.body_text == "The repairs finished two weeks early.\n\nThe quay reopens on Monday."
    assert stored.published_at == NOON


def test_article_without_publication_date_is_published_now(app):
    before = datetime.now(UTC)
    upsert_article(article_data(published_at=None))
    db.session.commit()
    [stored] = stored_articles()
    assert before - timedelta(seconds=1) <= stored.published_at <= datetime.now(UTC)


def test_same_article_again_is_unchanged_and_keeps_its_updated_date(app):
    upsert_article(article_data())
    db.session.commit()
    [first] = stored_articles()
    updated_at = first.updated_at

    _, outcome = upsert_article(article_data())
    db.session.commit()
    assert outcome == "unchanged"
    [again] = stored_articles()
    assert again.updated_at == updated_at


def test_changed_article_is_updated_with_a_new_updated_date(app):
    upsert_article(article_data())
    db.session.commit()
    [first] = stored_articles()
    updated_at = first.updated_at

    _, outcome = upsert_article(article_data(body="The repairs finished three weeks early."))
    db.session.commit()
    assert outcome == "updated"
    [stored] = stored_articles()
    assert stored.body == "<p>The repairs finished three weeks early.</p>"
    assert stored.body_text == "The repairs finished three weeks early."
    assert stored.updated_at > updated_at
    assert stored.published_at == NOON


def test_update_without_slug_or_date_keeps_them(app):
    upsert_article(article_data(slug="harbour-wall"))
    db.session.commit()
    _, outcome = upsert_article(article_data(title="Harbour wall repairs finish", published_at=None))
    db.session.commit()
    assert outcome == "updated"
    [stored] = stored_articles()
    assert stored.slug == "harbour-wall"
    assert stored.published_at == NOON


def test_slug_is_made_from_the_title_and_kept_unique(app):
    for n in range(3):
        upsert_article(article_data(title="Council approves £48.6m budget!",
                                    canonical_url=f"https://news.example.org/budget-{n}"))
    db.session.commit()
    assert [a.slug for a in stored_articles()] == [
        "council-approves-48-6m-budget",
        "council-approves-48-6m-budget-2",
        "council-approves-48-6m-budget-3",
    ]


def test_slug_of_another_article_is_refused(app):
    make_article(slug="budget", canonical_url="https://news.example.org/budget")
    with pytest.raises(ArticleError, match="slug 'budget' already belongs to https://news.example.org/budget"):
        upsert_article(article_data(slug="budget"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Article.id))) == 1


def test_an_article_may_keep_its_own_slug(app):
    upsert_article(article_data(slug="harbour-wall"))
    db.session.commit()
    _, outcome = upsert_article(article_data(slug="harbour-wall", byline="By Someone Else"))
    assert outcome == "updated"


# Text as a sanitised body holds it: escaped.
WORDS = st.text(alphabet=st.sampled_from("ab &<>\"'’é\n"), min_size=1, max_size=12).map(html.escape)
INLINE = st.one_of(WORDS, WORDS.map(lambda w: f"<em>{w}</em>"), WORDS.map(lambda w: f"{w}<br>"),
                   WORDS.map(lambda w: f'<a href="https://example.org/">{w}</a>'))
RUN = st.lists(INLINE, min_size=1, max_size=4).map("".join)
BLOCK = st.one_of(
    RUN.map(lambda r: f"<p>{r}</p>"), RUN.map(lambda r: f"<h2>{r}</h2>"),
    st.lists(RUN, min_size=1, max_size=3).map(lambda items: "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"),
    st.lists(RUN, min_size=1, max_size=2).map(lambda ps: "<blockquote>" + "".join(f"<p>{p}</p>" for p in ps)
                                              + "</blockquote>"),
)


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(BLOCK, min_size=1, max_size=5), spacing=st.sampled_from(["", "\n", "\n\n  "]))
def test_the_edit_form_layout_saves_back_to_the_same_body(blocks, spacing):
    body = sanitise_body(spacing.join(blocks))
    shown = editable_body(body)
    assert compact_blocks(sanitise_body(shown)) == compact_blocks(body)
    assert plain_text(compact_blocks(body)).split() == plain_text(body).split()
    # One block a line: no line holds the end of one block and the start of another.
    assert not re.search(r"</(p|h2|li|ul|blockquote)>[^\n]*<(p|h2|li|ul|blockquote)\b", shown)


def test_an_article_lede_is_its_first_paragraph_cut_after_a_word():
    assert lede("<p>Short first.</p><p>Second.</p>") == "Short first."
    words = "The harbour wall, built in 1887 and repaired twice since, will be rebuilt " * 5
    cut = lede(f"<p>{words}</p>", limit=120)
    assert len(cut) <= 120 and cut.endswith("…")
    assert words.startswith(cut.removesuffix("…")) and words[len(cut) - 1] == " "
