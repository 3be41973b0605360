"""The archive sweep: a published correction's error found in other articles, verbatim or reworded, never in the
article that carries the right words nor in the notice's own, off the request path and once with several runs."""

import threading

import pytest
from sqlalchemy import select

from corrections import cli
from corrections.articles import content
from corrections.extensions import db
from corrections.infra import webhooks
from corrections.models import Notice, Repeat, RepeatSweep
from corrections.notices import publishing
from tests.helpers import make_article, make_editor

WRONG = "Acme Corp said turnover rose 6 per cent to £4.2bn in the year to March"
RIGHT = "Acme Corp said turnover rose 10.5 per cent to £4.2bn in the year to March"
SIBLINGS = {
    "original": f"<p>Results day.</p><p>{WRONG}, a record.</p>",
    "verbatim": f"<p>Shares moved early.</p><p>{WRONG}, analysts said.</p>",
    "reworded": "<p>Acme Corp said its turnover grew 6 percent to £4.2bn in the year to March, the chief said.</p>",
    "right": f"<p>{RIGHT}, a record.</p>",
    "other": "<p>Rainfall rose 6 per cent in March, the Met Office said.</p>",
}


def make_siblings() -> dict:
    """The articles, their texts checked already for known errors (there were none)."""
    articles = {name: make_article(slug=f"acme-{name}", title=f"Acme results ({name})",
                                   canonical_url=f"https://news.example.org/acme-{name}", body=body)
                for name, body in SIBLINGS.items()}
    assert cli.sweep_due() == (len(SIBLINGS), 0)
    return articles


def publish_original(articles, editor) -> Notice:
    notice = publishing.publish(articles["original"], "correction", "An earlier version gave the wrong growth: it "
                                "was 10.5 per cent.", by=editor, wrong_text=WRONG, right_text=RIGHT)
    db.session.commit()
    return notice


def found_in(notice: Notice) -> set[str]:
    db.session.expire_all()
    return {repeat.article.slug for repeat in db.session.scalars(select(Repeat).where(Repeat.notice_id == notice.id))}


def test_the_sweep_finds_the_error_verbatim_and_reworded_and_never_the_right_version(app):
    articles = make_siblings()
    notice = publish_original(articles, make_editor())
    # Publishing only queued the sweep.
    assert found_in(notice) == set()
    assert db.session.scalar(select(RepeatSweep.status).where(RepeatSweep.notice_id == notice.id)) == "pending"

    assert cli.sweep_due() == (1, 0)

    assert found_in(notice) == {"acme-verbatim", "acme-reworded"}
    verbatim = db.session.scalar(select(Repeat).join(Repeat.article).where(Repeat.article_id ==
                                                                            articles["verbatim"].id))
    assert verbatim.matched_text == WRONG and verbatim.score == 1.0 and verbatim.state == "open"
    assert articles["verbatim"].body_text[verbatim.match_start:verbatim.match_end] == WRONG
    done = db.session.scalar(select(RepeatSweep).where(RepeatSweep.notice_id == notice.id))
    assert (done.status, done.found) == ("done", 2) and done.done_at is not None
    # Swept once: nothing is due any more.
    assert cli.sweep_due() == (0, 0)


def test_a_notice_without_words_to_look_for_queues_no_sweep_and_short_ones_find_nothing(app):
    articles = make_siblings()
    editor = make_editor()
    publishing.publish(articles["original"], "clarification", "We have clarified the year the figures cover.",
                       by=editor)
    short = publishing.publish(articles["original"], "correction", "An earlier version gave the wrong growth.",
                               by=editor, wrong_text="rose 6 per cent")
    db.session.commit()
    queued = select(RepeatSweep.notice_id).where(RepeatSweep.notice_id.is_not(None))
    assert db.session.scalars(queued).all() == [short.id]
    assert cli.sweep_due() == (1, 0)
    assert found_in(short) == set()


@pytest.mark.databases("postgresql")
def test_two_runs_at_once_sweep_each_notice_once(make_app):
    app = make_app()
    with app.app_context():
        articles = make_siblings()
        notice = publish_original(articles, make_editor())
        notice_id = notice.id
    results = []

    def run():
        with app.app_context():
            results.append(cli.sweep_due())

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert sorted(results) == [(0, 0), (1, 0)]
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Repeat.id)).where(Repeat.notice_id == notice_id)) == 2


def test_the_command_sweeps_what_is_due(app, runner):
    notice = publish_original(make_siblings(), make_editor())
    result = runner.invoke(args=["sweep-repeats"])
    assert result.exit_code == 0, result.output
    assert "1 sweep run, 0 failed" in result.output
    assert found_in(notice) == {"acme-verbatim", "acme-reworded"}


@pytest.mark.databases("sqlite")
@pytest.mark.parametrize("interval, started", [(None, [3.0]), (0, [])], ids=["default", "off"])
def test_serve_runs_the_sweep_in_the_background_unless_turned_off(make_app, monkeypatch, interval, started):
    import waitress

    runs = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: None)
    monkeypatch.setattr(webhooks, "start_sender", lambda app, interval: None)
    monkeypatch.setattr(cli, "start_sweeper", lambda app, interval: runs.append(interval))
    settings = {} if interval is None else {"REPEAT_SWEEP_INTERVAL": interval}
    result = make_app(**settings, REQUEST_LOG=False, SPOOL_FILE_INTERVAL=0).test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 0, result.output
    assert runs == started


def test_a_known_error_that_comes_back_in_a_new_or_changed_text_opens_an_item(app, runner):
    articles = make_siblings()
    notice = publish_original(articles, make_editor())
    cli.sweep_due()
    # A new article with the error reworded, and one with the right figure, imported after the correction.
    draft = make_article(slug="acme-draft", canonical_url="https://news.example.org/acme-draft",
                         body="<p>Shares rose.</p><p>Acme Corp said turnover rose 6 per cent to £4.2bn in the year "
                              "to last March.</p>")
    make_article(slug="acme-right-draft", canonical_url="https://news.example.org/acme-right-draft",
                 body=f"<p>{RIGHT}.</p>")
    # The article that had the right words edited back to the wrong ones.
    right = articles["right"]
    content.change_text(right, right.title, f"<p>{WRONG}, a record.</p>", source="api", by="Pipeline")
    db.session.commit()
    assert cli.sweep_due() == (3, 0)

    came_back = {repeat.article.slug: repeat for repeat in db.session.scalars(
        select(Repeat).where(Repeat.origin == "came_back"))}
    assert set(came_back) == {"acme-draft", "acme-right"}
    assert came_back["acme-draft"].notice_id == notice.id
    assert came_back["acme-draft"].matched_text == "Acme Corp said turnover rose 6 per cent to £4.2bn in the year " \
                                                   "to last March"
    assert came_back["acme-right"].revision_id == right.current_revision_id
    # Checked again (an unchanged re-import, a second text), an article keeps its one item.
    content.change_text(draft, draft.title, draft.body + "<p>More.</p>", source="api", by="Pipeline")
    db.session.commit()
    cli.sweep_due()
    assert db.session.scalar(select(db.func.count(Repeat.id)).where(Repeat.article_id == draft.id)) == 1


def test_a_notice_taken_back_takes_its_items_and_sweeps_with_it(app):
    editor = make_editor()
    notice = publish_original(make_siblings(), editor)
    cli.sweep_due()
    publishing.unpublish(notice, by=editor)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Repeat.id))) == 0
    assert db.session.scalar(select(db.func.count(RepeatSweep.id)).where(RepeatSweep.notice_id.is_not(None))) == 0
