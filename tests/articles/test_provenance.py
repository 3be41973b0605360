"""An article's provenance: its IPTC digital source type and generator, as imported, kept with each revision, told to
readers and carried by the JSON-LD."""

import json
import re

import pytest
from sqlalchemy import select

from corrections.articles.content import ArticleError, parse_article, upsert_article
from corrections.extensions import db
from corrections.models import Article, ArticleRevision
from tests.helpers import make_article

ARTICLE = {"title": "Rovers reach the semi-final", "canonical_url": "https://news.example.org/sport/rovers",
           "body": "Rovers won 3-1 on Saturday."}
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def json_ld(page: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return json.loads(block)


def disclosure(page: str) -> str | None:
    found = re.search(r'<p class="provenance">(.*?)</p>', page, re.DOTALL)
    return found.group(1) if found else None


@pytest.mark.parametrize("given", ["trainedAlgorithmicMedia", IPTC + "trainedAlgorithmicMedia",
                                   IPTC.replace("http:", "https:") + "trainedAlgorithmicMedia"])
def test_a_source_type_is_taken_as_its_term_or_its_iptc_uri_and_kept_bare(given):
    data = parse_article({**ARTICLE, "source_type": given, "generator": "  newswriter \n 4.2 "})

    assert (data.source_type, data.generator) == ("trainedAlgorithmicMedia", "newswriter 4.2")


@pytest.mark.parametrize("given", [
    "digitalCapture",  # an IPTC term for pictures, not text
    "digitalArt",  # retired: digitalCreation replaced it
    "TrainedAlgorithmicMedia",  # IPTC's terms are spelt as they are
    "https://example.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    IPTC + "trainedAlgorithmicMedia/",
    "ai",
])
def test_anything_else_is_refused_naming_the_field_and_the_terms(given):
    with pytest.raises(ArticleError) as refused:
        parse_article({**ARTICLE, "source_type": given})

    assert list(refused.value.fields) == ["source_type"]
    assert "IPTC digital source type" in str(refused.value)
    assert "trainedAlgorithmicMedia" in str(refused.value)


def test_a_generator_has_a_length_limit_and_empty_values_say_nothing():
    with pytest.raises(ArticleError) as refused:
        parse_article({**ARTICLE, "generator": "g" * 201})
    assert list(refused.value.fields) == ["generator"]

    data = parse_article({**ARTICLE, "source_type": "", "generator": " "})
    assert (data.source_type, data.generator) == (None, None)


@pytest.mark.databases("sqlite")
def test_import_reports_a_bad_source_type_by_line_and_imports_the_rest(runner, tmp_path):
    lines = [{**ARTICLE, "source_type": "dataDrivenMedia", "generator": "results-bot 1.3"},
             {**ARTICLE, "canonical_url": "https://news.example.org/sport/other", "source_type": "photo"}]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\n")

    result = runner.invoke(args=["import-articles", str(path)])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:2: source_type must be a term of the IPTC digital source type")
    db.session.expire_all()
    [article] = db.session.scalars(select(Article)).all()
    assert (article.source_type, article.generator) == ("dataDrivenMedia", "results-bot 1.3")


def test_each_revision_keeps_the_provenance_its_text_was_written_with(app):
    article = make_article(source_type="trainedAlgorithmicMedia", generator="newswriter 4.1")
    data = parse_article({"title": article.title, "canonical_url": article.canonical_url, "slug": article.slug,
                          "body": "A new text, written with help.", "byline": article.byline,
                          "section": article.section, "published_at": article.published_at.isoformat(),
                          "source_type": "compositeWithTrainedAlgorithmicMedia", "generator": "newswriter 4.2"})
    upsert_article(data, source="api")
    db.session.commit()
    # Only the provenance changes: the article says so, no revision is made for it.
    _, outcome = upsert_article(parse_article({**vars(data), "published_at": article.published_at.isoformat(),
                                               "source_type": None, "generator": None}))
    db.session.commit()
    db.session.expire_all()

    kept = db.session.execute(select(ArticleRevision.number, ArticleRevision.source_type, ArticleRevision.generator)
                              .where(ArticleRevision.article_id == article.id)
                              .order_by(ArticleRevision.number)).all()
    assert kept == [(1, "trainedAlgorithmicMedia", "newswriter 4.1"),
                    (2, "compositeWithTrainedAlgorithmicMedia", "newswriter 4.2")]
    assert outcome == "updated"
    assert (article.source_type, article.generator) == (None, None)


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("source_type, generator, line", [
    ("trainedAlgorithmicMedia", "newswriter 4.2", "This article was generated automatically by newswriter 4.2."),
    ("dataDrivenMedia", None, "This article was generated automatically."),
    ("compositeWithTrainedAlgorithmicMedia", "draft-assist <b>2.0</b>",
     "This article was written with the help of an automated system, draft-assist &lt;b&gt;2.0&lt;/b&gt;."),
    ("algorithmicallyEnhanced", None, "This article was written with the help of an automated system."),
    ("digitalCreation", "house CMS", None),
    (None, "newswriter 4.2", None),
])
def test_readers_are_told_when_a_machine_wrote_the_article_or_helped(client, source_type, generator, line):
    article = make_article(source_type=source_type, generator=generator)

    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)

    assert disclosure(page) == line
    said = json_ld(page).get("digitalSourceType")
    assert said == (IPTC + source_type if source_type else None)
