"""Rate limits kept in Redis, as when several processes serve."""

import os

import pytest
import redis

from .conftest import unavailable
from .helpers import all_reports, make_article, post_report, valid_report

# Database 15 is the suite's own: it is emptied before each test.
REDIS_URL = os.environ.get("CORRECTIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis does not answer at {REDIS_URL}: {error}")
    yield client
    client.flushdb()


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
