"""GET /api/v1/notices/<id>/elsewhere: the other articles a notice's error was found in, and their state, for a
token."""

from corrections import cli
from corrections.access import api_tokens
from corrections.extensions import db
from corrections.models import Repeat
from corrections.repeats import decisions
from tests.helpers import make_editor
from tests.repeats.test_sweep import make_siblings, publish_original


def test_a_token_reads_the_items_and_the_sweep_state_a_page_at_a_time(app, client):
    editor = make_editor()
    notice = publish_original(make_siblings(), editor)
    _, secret = api_tokens.create("Pipeline", by=editor)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/notices/{notice.id}/elsewhere"

    assert client.get(url).status_code == 401
    waiting = client.get(url, headers=headers).get_json()
    assert (waiting["sweep"]["state"], waiting["items"]) == ("pending", [])

    cli.sweep_due()
    first = db.session.scalar(db.select(Repeat).order_by(Repeat.id))
    decisions.dismiss(first, "Not the same fact: another subject, place or time.", by=editor)
    db.session.commit()
    page = client.get(url + "?limit=1", headers=headers)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = page.get_json()
    assert body["sweep"]["state"] == "done" and body["notice"]["wrong_text"] == notice.wrong_text
    [item] = body["items"]
    assert item["article"]["slug"] == "acme-verbatim"
    assert (item["state"], item["origin"], item["score"], item["decided_by"]) == ("dismissed", "sweep", 1.0,
                                                                                  "Maya Okafor")
    assert item["matched_text"] == notice.wrong_text and item["end"] - item["start"] == len(notice.wrong_text)
    [second] = client.get(body["next"], headers=headers).get_json()["items"]
    assert (second["article"]["slug"], second["state"]) == ("acme-reworded", "open")

    assert client.get("/api/v1/notices/999999/elsewhere", headers=headers).status_code == 404
    assert client.get(url + "?after=x", headers=headers).status_code == 400
