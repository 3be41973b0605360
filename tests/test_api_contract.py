"""The OpenAPI document is the contract: schemathesis tests every operation of the real server against it.

`st run` with all its checks (server errors, status codes, content types, headers and bodies as documented,
schema-valid requests accepted and schema-violating ones refused, authentication, ...) over its coverage,
fuzzing and stateful phases, derandomized so that CI sees the same cases every run.
"""

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from corrections import api_tokens, create_app, notices
from corrections.extensions import db

from .conftest import new_postgres_database
from .helpers import make_article, make_editor
from .live import LiveServer

SCHEMATHESIS = Path(sys.executable).parent / "st"
EXAMPLES_PER_OPERATION = 30
ARTICLE_URL = "https://news.example.org/local/harbour-bridge"

# Most generated cases name the seeded article, so reports and reads reach their rules instead of a 404.
CONFIG = f"""
[dictionaries.slugs]
values = ["harbour-bridge"]

[dictionaries.urls]
values = ["{ARTICLE_URL}"]

[parameters]
"path.slug" = {{ dictionary = "slugs", probability = 0.7 }}
"query.url" = {{ dictionary = "urls", probability = 0.5 }}
"""


def seed(live: LiveServer) -> str:
    """An article with notices (more than a page of them at limit=2), one amended; returns an API token."""
    app = create_app({"DATABASE_URL": live.env["CORRECTIONS_DATABASE_URL"],
                      "INSTANCE_PATH": live.env["CORRECTIONS_INSTANCE_PATH"], "SERVER_NAME": "localhost"})
    with app.app_context():
        article = make_article(slug="harbour-bridge", canonical_url=ARTICLE_URL)
        editor = make_editor(is_admin=True)
        notices.publish(article, "correction", "An earlier version gave the wrong opening date.", by=editor)
        notices.publish(article, "update", "The bridge now opens at night as well.", by=editor)
        clarified = notices.publish(article, "clarification", "The toll applies to lorries only.", by=editor)
        db.session.commit()
        notices.amend(clarified, "The toll applies to lorries and vans only.", by=editor, note="Vans too.")
        db.session.commit()
        _, secret = api_tokens.create("schemathesis", by=editor)
        db.session.remove()
        db.engine.dispose()
    return secret


@pytest.fixture(params=["sqlite", "postgresql"])
def contract_server(request, tmp_path):
    if request.param == "sqlite":
        live = LiveServer(tmp_path, RATELIMIT_ENABLED="false")
        yield live.start(threads=2)
        live.stop()
        return
    with new_postgres_database("corrections_contract") as url:
        live = LiveServer(tmp_path, url, RATELIMIT_ENABLED="false")
        yield live.start(threads=2)
        live.stop()


@pytest.mark.slow
def test_the_api_keeps_every_promise_of_its_openapi_document(contract_server, tmp_path):
    token = seed(contract_server)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    # Read from a file: a document loaded from its own address leaves that operation out of the run.
    document = tmp_path / "openapi.json"
    with urllib.request.urlopen(f"{contract_server.url}/api/v1/openapi.json", timeout=10) as response:
        document.write_bytes(response.read())

    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(config), "run", str(document), "--url", contract_server.url,
         "--checks", "all", "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
         "--header", f"Authorization: Bearer {token}", "--workers", "1", "--no-color",
         "--report", "junit", "--report-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-2_000:]
    assert "6 selected / 6 total" in run.stdout, run.stdout
