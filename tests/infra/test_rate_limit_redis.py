"""Rate limits kept in Redis, as when several processes serve."""


import pytest
import redis

from tests.conftest import redis_test_url, unavailable
from tests.helpers import all_reports, form_tokens, make_article, post_report, valid_report
from tests.live import LiveServer, free_port
from tests.load_client import SLUG, Reader

# The test process's own database (see conftest): it is emptied before each test.
REDIS_URL = redis_test_url()


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis does not answer at {REDIS_URL}: {error}")
    yield client
    client.flushdb()


@pytest.mark.databases("sqlite")
def test_report_limit_is_counted_in_redis(make_app, redis_client):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URL=REDIS_URL, REPORT_RATE_LIMIT="2 per minute")
    with app.app_context():
        slug = make_article().slug
        for _ in range(2):
            assert post_report(app.test_client(), slug, **valid_report()).status_code == 303
        assert redis_client.keys("LIMITS:*"), "the counters should live in Redis"
        assert post_report(app.test_client(), slug, **valid_report()).status_code == 429
        assert len(all_reports()) == 2
        # Another process reading the same Redis sees the same count: here, a cleared count lifts the limit.
        redis_client.flushdb()
        assert post_report(app.test_client(), slug, **valid_report()).status_code == 303


@pytest.mark.slow
def test_reports_are_taken_while_redis_is_down(tmp_path):
    # Nothing listens there: the server counts in its own memory until Redis answers.
    live = LiveServer(tmp_path, RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{free_port()}/0",
                      REPORT_RATE_LIMIT="2 per minute", SPAM_MIN_SECONDS=0)
    live.command("db", "upgrade")
    live.command("seed-demo")
    live.start()
    try:
        reader = Reader(live.url)
        form = {**form_tokens(reader.request("GET", f"/articles/{SLUG}/report")[2]), "category": "factual",
                "description": "The opening hours in this article are wrong."}
        statuses = [reader.request("POST", f"/articles/{SLUG}/report", form)[0] for _ in range(3)]
        reader.close()
    finally:
        live.stop()
    assert statuses == [303, 303, 429]
    log = live.log.read_text()
    assert "falling back to in-memory storage" in log and "Traceback" not in log, log[-3000:]
