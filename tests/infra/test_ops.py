"""Operations: /metrics in the Prometheus text format, who may read it, and the structured request log."""

import json
import logging
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from corrections import create_app
from corrections.infra import ops, webhooks
from corrections.models import OutboxMessage, WebhookDelivery, utcnow
from corrections.reports import workflow
from tests.conftest import test_settings as settings_for
from tests.helpers import (
    confirm_addresses,
    count_queries,
    file_report,
    make_article,
    make_editor,
    post_report,
    valid_report,
)

# Who may read /metrics, request ids and the request log are decided outside the database; the figures
# read from it are both databases'.
pytestmark = pytest.mark.databases("sqlite")

TOKEN = "metrics-token-for-the-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """The samples of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/plain" and "version=" in response.content_type
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_app(make_app):
    app = make_app(METRICS_TOKEN=TOKEN)
    with app.app_context():
        yield app


@pytest.fixture
def metrics_client(metrics_app):
    return metrics_app.test_client()


# --- Who may read /metrics -------------------------------------------------------------------------------------

def test_metrics_are_404_for_everyone_unless_configured(app, client, admin_client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert admin_client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token_when_one_is_set(metrics_client):
    assert metrics_client.get("/metrics").status_code == 404
    assert metrics_client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert metrics_client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 404
    assert metrics_client.get("/metrics", headers={"Authorization": f"bearer  {TOKEN}"}).status_code == 200
    response = metrics_client.get("/metrics", headers=BEARER)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("allow", [["10.0.0.0/8", "127.0.0.1"], "10.0.0.0/8, 127.0.0.1", ["10.1.2.3"]])
def test_metrics_are_open_to_the_allowed_addresses_only(make_app, allow):
    app = make_app(METRICS_ALLOW=allow)
    with app.app_context():
        inside, outside = app.test_client(), app.test_client()
        inside.environ_base["REMOTE_ADDR"] = "10.1.2.3"
        outside.environ_base["REMOTE_ADDR"] = "192.0.2.10"
        assert inside.get("/metrics").status_code == 200
        assert outside.get("/metrics").status_code == 404
        assert outside.get("/metrics", headers=BEARER).status_code == 404


def test_either_the_token_or_an_allowed_address_is_enough(make_app):
    app = make_app(METRICS_ALLOW=["::1", "10.0.0.0/8"], METRICS_TOKEN=TOKEN)
    with app.app_context():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "::1"
        assert client.get("/metrics").status_code == 200
        client.environ_base["REMOTE_ADDR"] = "::ffff:10.9.8.7"
        assert client.get("/metrics").status_code == 200
        client.environ_base["REMOTE_ADDR"] = "2001:db8::1"
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers=BEARER).status_code == 200


def test_metrics_behind_a_trusted_proxy_check_the_forwarded_client(make_app):
    app = make_app(METRICS_ALLOW=["10.0.0.0/8"], TRUSTED_PROXIES=1)
    with app.app_context():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1"  # the proxy itself
        assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404
        assert client.get("/metrics", headers={"X-Forwarded-For": "10.20.30.40"}).status_code == 200


@pytest.mark.parametrize("allow", [["10.0.0.0/33"], "not-an-address", [42, "localhost"]])
def test_a_bad_allow_list_stops_the_app_with_a_message(tmp_path, allow):
    with pytest.raises(ops.ConfigError, match="CORRECTIONS_METRICS_ALLOW: .* is not an IP address or network"):
        create_app(settings_for("sqlite://", tmp_path, METRICS_ALLOW=allow))


def test_an_allow_list_that_is_not_a_list_is_refused(tmp_path):
    with pytest.raises(ops.ConfigError, match="must be a list"):
        create_app(settings_for("sqlite://", tmp_path, METRICS_ALLOW={"10.0.0.0/8": True}))


# --- What /metrics says ----------------------------------------------------------------------------------------

def test_requests_are_counted_by_endpoint_method_and_status(metrics_app, metrics_client):
    article = make_article()
    for _ in range(3):
        assert metrics_client.get(f"/articles/{article.slug}").status_code == 200
    assert metrics_client.get("/articles/no-such-article").status_code == 404
    assert metrics_client.get("/no/such/page").status_code == 404
    assert metrics_client.open("/healthz", method="BREW").status_code == 405
    assert post_report(metrics_client, article.slug, **valid_report()).status_code == 303

    samples = scrape(metrics_client, headers=BEARER)
    requests = "corrections_http_requests_total"
    assert value(samples, requests, endpoint="public.article", method="GET", status="200") == 3
    assert value(samples, requests, endpoint="public.article", method="GET", status="404") == 1
    assert value(samples, requests, endpoint="none", method="GET", status="404") == 1
    assert value(samples, requests, endpoint="none", method="other", status="405") == 1
    assert value(samples, requests, endpoint="public.report", method="POST", status="303") == 1
    # The raw path never becomes a label: only endpoints, so the number of series stays bounded.
    assert not any("no-such" in str(labels) for _, labels in samples)
    latency = "corrections_http_request_duration_seconds"
    assert value(samples, f"{latency}_count", endpoint="public.article") == 4
    assert value(samples, f"{latency}_bucket", endpoint="public.article", le="+Inf") == 4
    assert 0 < value(samples, f"{latency}_sum", endpoint="public.article") < 30


def test_an_error_answer_is_counted_as_a_500(metrics_app, metrics_client, monkeypatch):
    from corrections import public

    def broken(*args, **kwargs):
        raise RuntimeError("the database caught fire")

    article = make_article()
    monkeypatch.setattr(public.content, "for_page", broken)
    assert metrics_client.get(f"/articles/{article.slug}").status_code == 500
    samples = scrape(metrics_client, headers=BEARER)
    assert value(samples, "corrections_http_requests_total", endpoint="public.article", method="GET",
                 status="500") == 1


@pytest.mark.databases("sqlite", "postgresql")  # counts the database makes
def test_open_reports_and_both_backlogs_come_from_the_database(metrics_app, metrics_client):
    editor = make_editor()
    article = make_article()
    webhooks.create_endpoint("https://hooks.example.org/in", ["report.created"], by=editor)
    confirm_addresses(*(f"r{n}@example.org" for n in range(5)))
    reports = [file_report(article, email=f"r{n}@example.org", notify=True) for n in range(5)]
    workflow.move(reports[0], "in_review", by=editor)
    workflow.move(reports[1], "in_review", by=editor)
    workflow.reject(reports[2], "The article is right.", by=editor)
    workflow.move(reports[3], "spam", by=editor)
    from corrections.extensions import db

    db.session.commit()
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == 1)
                       .values(status="failed"))
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == 2).values(created_at=an_hour_ago))
    db.session.execute(update(OutboxMessage).values(created_at=an_hour_ago))
    db.session.commit()

    samples = scrape(metrics_client, headers=BEARER)
    assert value(samples, "corrections_database_up") == 1
    assert value(samples, "corrections_reports_open", status="new") == 1
    assert value(samples, "corrections_reports_open", status="in_review") == 2
    assert value(samples, "corrections_outbox_backlog", status="pending") == 1  # the rejection's e-mail
    assert value(samples, "corrections_outbox_backlog", status="failed") == 0
    assert 3500 < value(samples, "corrections_outbox_oldest_pending_seconds") < 3700
    assert value(samples, "corrections_webhook_deliveries_backlog", status="pending") == 4
    assert value(samples, "corrections_webhook_deliveries_backlog", status="failed") == 1
    assert 3500 < value(samples, "corrections_webhook_deliveries_oldest_pending_seconds") < 3700


@pytest.mark.databases("sqlite", "postgresql")  # counts the database makes
def test_empty_backlogs_read_zero(metrics_app, metrics_client):
    samples = scrape(metrics_client, headers=BEARER)
    for name in ("corrections_outbox_oldest_pending_seconds", "corrections_webhook_deliveries_oldest_pending_seconds"):
        assert value(samples, name) == 0
    assert value(samples, "corrections_reports_open", status="new") == 0
    assert ("corrections_reports_open", (("status", "new"),)) in samples


@pytest.mark.databases("sqlite", "postgresql")  # counts the database makes
def test_a_scrape_runs_a_fixed_number_of_queries(metrics_app, metrics_client):
    from corrections.extensions import db

    editor = make_editor()
    webhooks.create_endpoint("https://hooks.example.org/in", list(webhooks.EVENTS), by=editor)
    db.session.commit()
    metrics_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    few = count_queries(metrics_client, "/metrics")
    article = make_article()
    for _ in range(20):
        report = file_report(article, email="a@example.org", notify=True)
        workflow.reject(report, "Right as published.", by=editor)
    db.session.commit()
    # Open reports, the outbox, the webhook deliveries, the same error elsewhere and its sweeps waiting.
    assert count_queries(metrics_client, "/metrics") == few == 5


def test_counting_a_request_reads_nothing_from_the_database(metrics_client):
    assert count_queries(metrics_client, "/healthz") == 1  # the health check's own SELECT 1


def test_the_process_collector_is_there(metrics_client):
    samples = scrape(metrics_client, headers=BEARER)
    assert value(samples, "process_resident_memory_bytes") > 0


# --- Request ids and the request log ---------------------------------------------------------------------------

class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def request_log():
    """The request log's lines, parsed (a handler of our own, so nothing else is set up)."""
    logger = logging.getLogger(ops.LOGGER)
    handler = Lines()
    logger.addHandler(handler)
    level = logger.level
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_every_answer_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/no/such/page").headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0 and first != second


@pytest.mark.parametrize("given, kept", [
    ("3b1f8a0e-5c2d-4b7a-9e61-2f0c8d4a7b19", True),
    ("Root=1-67891233-abcdef012345678912345678", True),
    ("req_01HZX9", True),
    ("two words", False),
    ("<script>", False),
    ("x" * 129, False),
    ("", False),
    ("-leading-dash", False),
])
def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, given, kept):
    answered = client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert (answered == given) is kept
    if not kept:
        assert len(answered) == 32


def test_the_request_log_is_off_unless_enabled(app, client, request_log):
    client.get("/healthz")
    assert request_log == []


def test_the_request_log_has_one_json_line_per_request_without_secrets(make_app, request_log):
    app = make_app(REQUEST_LOG=True)
    with app.app_context():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        article = make_article()
        response = post_report(client, article.slug, **valid_report())
        status_path = response.headers["Location"]
        client.get(status_path)
        client.get("/corrections?kind=correction&q=secret-in-query", headers={"X-Request-ID": "from-the-proxy-1"})

    methods = [(line["method"], line["endpoint"], line["status"]) for line in request_log]
    assert methods == [("GET", "public.report", 200), ("POST", "public.report", 303),
                       ("GET", "public.report_status", 200), ("GET", "public.corrections_log", 200)]
    status_line, log_line = request_log[2], request_log[3]
    token = status_path.rsplit("/", 1)[1]
    assert status_line["path"] == "/reports/<token>"
    assert log_line["path"] == "/corrections" and log_line["request_id"] == "from-the-proxy-1"
    text = json.dumps(request_log)
    for secret in (token, "203.0.113.9", "secret-in-query", "ada@example.org"):
        assert secret not in text
    assert len({line["client"] for line in request_log}) == 1 and len(request_log[0]["client"]) == 16
    assert all(isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0 for line in request_log)
    assert all(line["time"].endswith("+00:00") for line in request_log)
    assert len({line["request_id"] for line in request_log}) == 4


def test_an_error_is_logged_with_its_request_id(make_app, request_log, monkeypatch, caplog):
    from corrections import public

    app = make_app(REQUEST_LOG=True)

    def broken(*args, **kwargs):
        raise RuntimeError("the database caught fire")

    with app.app_context():
        article = make_article()
        monkeypatch.setattr(public.content, "for_page", broken)
        response = app.test_client().get(f"/articles/{article.slug}", headers={"X-Request-ID": "trace-me-42"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "trace-me-42"
    assert request_log[-1]["status"] == 500 and request_log[-1]["request_id"] == "trace-me-42"
    assert "request id trace-me-42" in caplog.text


@pytest.mark.parametrize("setting, logged", [(None, True), (False, False)])
def test_serve_turns_the_request_log_on_unless_it_was_turned_off(make_app, monkeypatch, request_log, setting, logged):
    import waitress

    app = make_app(REQUEST_LOG=setting, WEBHOOK_SEND_INTERVAL=0)
    monkeypatch.setattr(waitress, "serve", lambda app, **options: app.test_client().get("/healthz"))
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 0, result.output
    assert len(request_log) == (1 if logged else 0)


def test_pages_the_public_page_cache_serves_are_counted_and_logged_too(make_app, request_log):
    app = make_app(METRICS_TOKEN=TOKEN, REQUEST_LOG=True)
    with app.app_context():
        article = make_article()
        client = app.test_client()
        answers = [client.get(f"/articles/{article.slug}") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        etag = answers[0].headers["ETag"]
        assert client.get(f"/articles/{article.slug}", headers={"If-None-Match": etag}).status_code == 304
        samples = scrape(client, headers=BEARER)

    ids = [a.headers["X-Request-ID"] for a in answers]
    assert len(set(ids)) == 3, "each answer, kept or not, has its own request id"
    requests = "corrections_http_requests_total"
    assert value(samples, requests, endpoint="public.article", method="GET", status="200") == 3
    assert value(samples, requests, endpoint="public.article", method="GET", status="304") == 1
    lines = [line for line in request_log if line["path"] == f"/articles/{article.slug}"]
    assert [(line["endpoint"], line["status"]) for line in lines] == [("public.article", 200)] * 3 + [
        ("public.article", 304)]
    assert [line["request_id"] for line in lines[:3]] == ids
