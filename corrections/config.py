"""Settings: the defaults here, then instance/config.py, then CORRECTIONS_* variables.

Keys carry no prefix inside the app (`DATABASE_URL`); the environment spells them
`CORRECTIONS_DATABASE_URL`. Values from the environment are read as JSON when they
parse (`false`, `0`, `60`), as plain strings otherwise.
"""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from corrections import languages

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "Newsroom",
    # The pages' <meta name="description"> where a page has none of its own (an article's is its lede).
    # None: a sentence made of SITE_NAME.
    "SITE_DESCRIPTION": None,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated into the instance folder
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URL": "memory://",
    "REPORT_RATE_LIMIT": "10 per minute;60 per hour",
    "LOGIN_RATE_LIMIT": "10 per minute;100 per hour",
    # Seconds a source of wrong passwords waits after its first one beyond the free ones; each further one
    # doubles it, up to 15 minutes (access/login_throttle.py).
    "LOGIN_FIRST_WAIT_SECONDS": 1,
    "SPAM_MIN_SECONDS": 3,
    "QUEUE_PER_PAGE": 50,
    # How often an open queue page asks whether new reports arrived or others acted on its reports.
    "QUEUE_POLL_SECONDS": 45,
    # Seconds an editor may undo a decision that tells readers something (reports/decisions.py); the reader's
    # e-mail and the webhook deliveries of the decision wait until then. 0: decisions are final at once.
    "UNDO_SECONDS": 10,
    # How many reverse proxies add their X-Forwarded-* values (0: none, the app faces clients directly);
    # only connections from TRUSTED_PROXY_ADDRESSES may set them, and only the headers listed count.
    "TRUSTED_PROXIES": 0,
    # Addresses and networks the proxies connect from: loopback and the private ranges, where a proxy or load
    # balancer sits; a public client can never claim them.
    "TRUSTED_PROXY_ADDRESSES": ["127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
    "TRUSTED_PROXY_HEADERS": ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"],
    # The site's public address (https://corrections.example.org): every absolute link (feeds, JSON-LD,
    # e-mail, webhooks) starts with it. None: each request's own scheme and host (development).
    "BASE_URL": None,
    # `corrections serve`: connections held open at once (idle ones included) and how long an idle one stays.
    "CONNECTION_LIMIT": 1000,
    "CHANNEL_TIMEOUT": 60,
    "PUBLIC_REVISIONS": True,
    "SILENT_EDIT_GRACE_MINUTES": 60,
    "ARTICLES_PER_PAGE": 20,
    "LOG_PER_PAGE": 25,
    # The public article page shows its newest notices in full, and links to the corrections log for the older
    # ones: a page (and its JSON-LD) that stays the same size however many notices an article gathers.
    "ARTICLE_NOTICES_SHOWN": 20,
    # The editors' article page: notices a page (older ones on further pages).
    "EDITOR_NOTICES_PER_PAGE": 10,
    # A report is a few KB; anything far beyond that is refused with a 413 page.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: Secure whenever the request came over HTTPS; true/false to force it.
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # CSRF tokens live as long as the session: a form left open for hours still sends.
    "WTF_CSRF_TIME_LIMIT": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_TIMEOUT": 20,
    # Seconds between outbox runs of the background sender in `corrections serve`; 0 turns it off.
    "MAIL_SEND_INTERVAL": 30,
    # Seconds between webhook runs of the background sender in `corrections serve`; 0 turns it off.
    "WEBHOOK_SEND_INTERVAL": 5,
    # Seconds between runs of the archive sweep in `corrections serve` (other articles with a new correction's error,
    # repeats/sweep.py); 0 turns it off (then run `corrections sweep-repeats` from cron).
    "REPEAT_SWEEP_INTERVAL": 3,
    # Seconds a receiver has to connect and to answer each read before the try counts as failed.
    "WEBHOOK_TIMEOUT": 5,
    # Delivered deliveries are forgotten after this many days (failed ones stay); 0 keeps them all.
    "WEBHOOK_KEEP_DAYS": 30,
    # Webhooks may go to loopback, private and other non-public addresses (a receiver inside the newsroom's
    # network). Off: they would let an admin account reach internal services and read their answers.
    "WEBHOOK_ALLOW_PRIVATE": False,
    # /metrics answers only a request with this bearer token, or from these addresses or networks
    # (a list, or text separated by commas); with neither, it is 404 for everyone.
    "METRICS_TOKEN": None,
    "METRICS_ALLOW": [],
    # One JSON line per request on standard error. None: on in `corrections serve`, off elsewhere (tests, commands).
    "REQUEST_LOG": None,
    # /transparency recomputes its figures at most this often per process (seconds; 0: on every request).
    "TRANSPARENCY_CACHE_SECONDS": 300,
    # Origins (e.g. "https://www.example-news.org") whose pages may read the API and use the embed.
    "CORS_ORIGINS": [],
    "MAIL_SENDER": "corrections@localhost",
    # Reports sent while the database cannot be reached wait here, one file each (None: `spool` in the instance
    # folder), and `corrections serve` files them every SPOOL_FILE_INTERVAL seconds once it answers (0: never).
    "SPOOL_PATH": None,
    "SPOOL_FILE_INTERVAL": 5,
    # Presence (which other editors have a report open): an open report page says so every this many seconds,
    # and a tab counts as gone once it has been silent for PRESENCE_EXPIRY_SECONDS (None: three heartbeats).
    "PRESENCE_HEARTBEAT_SECONDS": 5,
    "PRESENCE_EXPIRY_SECONDS": None,
    # A tab in the background counts this long: browsers slow its heartbeats down to one a minute.
    "PRESENCE_HIDDEN_EXPIRY_SECONDS": 90,
    # Where presence is kept, shared by every server: a redis:// URL, or "database". None: the rate limits'
    # Redis when RATELIMIT_STORAGE_URL is one, the database otherwise. Redis keys start with the prefix.
    "PRESENCE_STORAGE_URL": None,
    "PRESENCE_KEY_PREFIX": "corrections:presence",
    # Heartbeats and presence reads one editor may send (all their tabs together).
    "PRESENCE_RATE_LIMIT": "120 per minute",
    # The site's language, the languages readers may get (None: the site's only; chosen from Accept-Language or an
    # article's own language) and the time zone of every date shown to people (languages.py).
    "LANGUAGE": "en",
    "LANGUAGES": None,
    "TIMEZONE": "UTC",
    # Folders of catalogs beyond the package's own (<language>/LC_MESSAGES/messages.mo): a language of your own.
    "EXTRA_CATALOGS": [],
}

TEXT_SETTINGS = (
    "SITE_NAME", "DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URL", "REPORT_RATE_LIMIT", "LOGIN_RATE_LIMIT",
    "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_SENDER", "METRICS_TOKEN", "BASE_URL", "SPOOL_PATH",
    "SITE_DESCRIPTION",
    "PRESENCE_STORAGE_URL", "PRESENCE_KEY_PREFIX", "PRESENCE_RATE_LIMIT", "LANGUAGE", "TIMEZONE",
)
SQLITE_FILE = "corrections.sqlite3"
SECRET_KEY_FILE = "secret_key"


class ConfigError(ValueError):
    """A setting is wrong; the message names it and says what would be right."""


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Fill app.config in the documented order and derive the library settings."""
    app.config.update(DEFAULTS)
    if overrides is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CORRECTIONS")
    else:
        # Tests and scripts pass their whole configuration; nothing else leaks in.
        app.config.update(overrides)

    # "CORRECTIONS_SECRET_KEY=123456" parses as a JSON number; these settings are always text.
    for key in TEXT_SETTINGS:
        if app.config.get(key) is not None and not isinstance(app.config[key], str):
            app.config[key] = str(app.config[key])

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / SQLITE_FILE}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(instance)

    # A security switch: a value such as "no" or "off" must not read as on, so only true or false is taken.
    if not isinstance(app.config["WEBHOOK_ALLOW_PRIVATE"], bool):
        raise ConfigError("CORRECTIONS_WEBHOOK_ALLOW_PRIVATE must be true or false, "
                          f"not {app.config['WEBHOOK_ALLOW_PRIVATE']!r}.")

    # Presence's intervals are read on every heartbeat: a wrong one stops the app here, not each heartbeat.
    for key in ("PRESENCE_HEARTBEAT_SECONDS", "PRESENCE_EXPIRY_SECONDS", "PRESENCE_HIDDEN_EXPIRY_SECONDS"):
        value = app.config[key]
        if value is None and key == "PRESENCE_EXPIRY_SECONDS":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
            raise ConfigError(f"CORRECTIONS_{key} must be a number of seconds above 0 (up to 3600), not {value!r}.")

    # A page in a language nobody can read, or dates in no zone, stop the app here with the setting named.
    try:
        languages.check_settings(app.config)
    except languages.LanguageError as error:
        raise ConfigError(str(error)) from None

    if app.config["BASE_URL"]:
        scheme, host = public_address(app.config["BASE_URL"])
        app.config["BASE_URL"] = f"{scheme}://{host}"
        # Flask builds every absolute URL from these, inside a request (see App in __init__.py) and outside
        # one (the background senders, commands).
        app.config["SERVER_NAME"] = host
        app.config["PREFERRED_URL_SCHEME"] = scheme
        app.config["APPLICATION_ROOT"] = "/"

    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    # While Redis does not answer, each process counts in its own memory (and keeps checking Redis)
    # rather than refusing every report and login with an error page.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True


def public_address(url: str) -> tuple[str, str]:
    """BASE_URL's scheme and host (with its port, if any), or a ConfigError that says what is wrong."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ConfigError(f"CORRECTIONS_BASE_URL must be the site's address, such as "
                          f"https://corrections.example.org (scheme and host only), not {url!r}.")
    return parts.scheme, parts.netloc.lower()


def _instance_secret_key(instance: Path) -> str:
    """Read the installation's secret key, creating it once (safe if two processes race)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        # Written whole under another name, then linked into place: a racing process sees no file or
        # the whole key, never an empty one; the first link wins and everyone reads that key.
        draft = instance / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _sqlalchemy_url(url: str) -> str:
    # Plain postgres:// URLs (as hosting platforms hand them out) mean the psycopg 3 driver here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Waitress serves from several threads; SQLite waits for the writer instead of failing.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # psycopg prepares a statement on the server once a connection has run it 5 times, and PostgreSQL then may plan
    # it once for any parameters: one plan for the hot article and a quiet one, where the queue's statements rely on
    # a plan made for the article, group or cursor at hand (a queue page of the hottest article took 4 s instead of
    # 2 ms). Statements are planned for their parameters every time.
    return {"pool_pre_ping": True, "connect_args": {"prepare_threshold": None}}
