"""The real server (`corrections serve`) behind a real nginx, set up as the README recommends: each reader
has a rate-limit budget of their own, HTTPS at the proxy gives Secure cookies and HSTS, and the links the
app writes (JSON-LD, e-mail) carry the public host the reader asked for, not the app's own address."""

import getpass
import http.client
import ipaddress
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from corrections import create_app
from corrections.config import ConfigError
from corrections.infra import proxies
from tests import conftest, load_client
from tests.conftest import unavailable
from tests.helpers import form_tokens
from tests.live import LiveServer, free_port, stop_process

# The proxy's headers and budgets, not the database, are what these check.
pytestmark = pytest.mark.databases("sqlite")

NGINX = os.environ.get("CORRECTIONS_TEST_NGINX", "/usr/sbin/nginx")
PUBLIC_HOST = "news.example.org"
LOGINS_PER_MINUTE = 3
PASSWORD = "a long enough password"
ARTICLE = {"title": "Library to open on Sundays", "canonical_url": "https://www.example-news.org/library-sundays",
           "slug": "library-sundays", "body": "The library will open on Sundays from March, the council said."}

# The settings the README's deployment section shows, shared by both server blocks.
PROXY_SETTINGS = """
proxy_pass http://corrections;
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Host $host;
proxy_buffering on;
proxy_request_buffering on;
proxy_connect_timeout 5s;
proxy_read_timeout 60s;
"""


class Nginx:
    """nginx in the foreground, everything it writes (pid, logs, temporary files) under one folder."""

    def __init__(self, folder: Path, upstream_port: int):
        self.folder = folder
        self.http_port, self.https_port = free_port(), free_port()
        folder.mkdir()
        (folder / "proxy.conf").write_text(PROXY_SETTINGS)
        temp = "\n".join(f"    {name}_temp_path {folder / name};" for name in
                         ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root (CI), workers would switch to a user that cannot reach the test's private tmp folder.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder / 'access.log'};
{temp}
    client_body_buffer_size 64k;
    client_header_timeout 10s;
    client_body_timeout 10s;
    keepalive_timeout 30s;
    upstream corrections {{
        server 127.0.0.1:{upstream_port};
        keepalive 16;
        keepalive_timeout 50s;
    }}
    server {{
        listen 127.0.0.1:{self.http_port};
        location / {{
            include {folder / 'proxy.conf'};
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
    # Stands for the HTTPS server block: TLS ends at the proxy, which tells the app so.
    server {{
        listen 127.0.0.1:{self.https_port};
        location / {{
            include {folder / 'proxy.conf'};
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
""")
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        conf = self.folder / "nginx.conf"
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.folder), "-c", str(conf), "-e", str(self.folder / "error.log"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.folder / 'error.log').read_text()}")
            try:
                http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=1).connect()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen in 10 s: {(self.folder / 'error.log').read_text()}")

    def stop(self) -> None:
        stop_process(self.process)


class Reader(load_client.Reader):
    """One reader's browser: a connection from an address of its own, its cookies, the public host."""

    def __init__(self, port: int, source: str, scheme: str = "http"):
        super().__init__(f"http://127.0.0.1:{port}")
        self.source, self.scheme = source, scheme

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))

    def headers_for(self, path: str, form: dict | None) -> dict[str, str]:
        headers = {"Host": PUBLIC_HOST}
        if form is not None:
            # Browsers send it, and over HTTPS the CSRF check wants it from the same site.
            headers["Referer"] = f"{self.scheme}://{PUBLIC_HOST}{path}"
        return headers

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        # A connection per request, as a proxy's clients come and go.
        try:
            return super().request(method, path, form)
        finally:
            self.close()

    def login(self, email: str, password: str) -> int:
        form = form_tokens(self.request("GET", "/editor/login")[2])
        return self.request("POST", "/editor/login", {**form, "email": email, "password": password})[0]


@pytest.fixture
def site(tmp_path):
    """The app behind nginx: one proxy in front, so the app believes the proxy's last X-Forwarded-* values."""
    if not shutil.which(NGINX):
        unavailable(f"nginx not found at {NGINX}: apt-get install nginx-light")
    (tmp_path / "app").mkdir()
    server = LiveServer(tmp_path / "app", TRUSTED_PROXIES=1, RATELIMIT_ENABLED="true",
                        LOGIN_RATE_LIMIT=f"{LOGINS_PER_MINUTE} per minute", SPAM_MIN_SECONDS=0,
                        MAIL_SEND_INTERVAL=0, WEBHOOK_SEND_INTERVAL=0)
    server.start()
    proxy = Nginx(tmp_path / "nginx", server.port)
    try:
        proxy.start()
        server.command("import-articles", "-", input=json.dumps(ARTICLE) + "\n")
        server.command("create-editor", "maya@example.org", "--name", "Maya Okafor", "--password-stdin",
                       input=PASSWORD + "\n")
        yield server, proxy
    finally:
        proxy.stop()
        server.stop()


@pytest.mark.slow
def test_each_reader_behind_the_proxy_has_a_login_budget_of_their_own(site):
    _, proxy = site
    first, second = Reader(proxy.http_port, "127.0.0.2"), Reader(proxy.http_port, "127.0.0.3")
    # Unknown accounts: wrong guesses, but no account to lock; only the rate limit answers differently.
    statuses = [first.login("nobody@example.org", f"guess {n}") for n in range(LOGINS_PER_MINUTE + 1)]
    assert statuses == [400] * LOGINS_PER_MINUTE + [429]
    assert second.login("nobody@example.org", "a first guess") == 400
    assert second.login("maya@example.org", PASSWORD) == 302
    assert first.login("maya@example.org", PASSWORD) == 429


@pytest.mark.slow
def test_https_at_the_proxy_gives_secure_cookies_and_hsts(site):
    _, proxy = site
    over_https = Reader(proxy.https_port, "127.0.0.2", "https")
    status, headers, _ = over_https.request("GET", "/editor/login")
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert over_https.set_cookies and all("Secure" in cookie for cookie in over_https.set_cookies)

    over_http = Reader(proxy.http_port, "127.0.0.2")
    _, headers, _ = over_http.request("GET", "/editor/login")
    assert "Strict-Transport-Security" not in headers
    assert over_http.set_cookies and not any("Secure" in cookie for cookie in over_http.set_cookies)


@pytest.mark.slow
def test_links_carry_the_public_host_the_reader_asked_for(site):
    server, proxy = site
    reader = Reader(proxy.https_port, "127.0.0.2", "https")
    status, _, page = reader.request("GET", f"/articles/{ARTICLE['slug']}")
    assert status == 200
    json_ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert json_ld["mainEntityOfPage"] == f"https://{PUBLIC_HOST}/articles/{ARTICLE['slug']}"

    # A reader who asks to hear the outcome; an editor rejects the report; the e-mails link to the public host.
    form = form_tokens(reader.request("GET", f"/articles/{ARTICLE['slug']}/report")[2])
    status, headers, _ = reader.request("POST", f"/articles/{ARTICLE['slug']}/report", {
        **form, "category": "factual", "description": "The library opens on Sundays from April, not March.",
        "email": "ada@example.org", "notify": "y"})
    assert status == 303
    token = headers["Location"].rsplit("/", 1)[1]

    editor = Reader(proxy.https_port, "127.0.0.4", "https")
    assert editor.login("maya@example.org", PASSWORD) == 302
    csrf = form_tokens(editor.request("GET", "/editor/reports/1")[2])["csrf_token"]
    status, _, _ = editor.request("POST", "/editor/reports/1/reject", {
        "csrf_token": csrf, "reason_text": "The council's own notice says March."})
    assert status == 302
    outbox = server.command("outbox", "--all").stdout
    # Newest first: the outcome (held until the address is confirmed), then the confirmation asking for it.
    links = re.findall(r"https?://\S+", outbox)
    assert len(links) == 2 and links[0] == f"https://{PUBLIC_HOST}/reports/{token}", outbox
    assert links[1].startswith(f"https://{PUBLIC_HOST}/confirm-address/"), outbox


# --- The layer itself, under the test client: the same code decides under any WSGI server ------------------

def test_a_client_that_is_not_a_trusted_proxy_cannot_claim_another_address(make_app):
    app = make_app(METRICS_ALLOW=["10.0.0.0/8"], TRUSTED_PROXIES=1, TRUSTED_PROXY_ADDRESSES="192.0.2.10")
    with app.app_context():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "198.51.100.7"  # a reader on the internet, not the proxy
        assert client.get("/metrics", headers={"X-Forwarded-For": "10.0.0.5"}).status_code == 404
        client.environ_base["REMOTE_ADDR"] = "192.0.2.10"  # the proxy
        assert client.get("/metrics", headers={"X-Forwarded-For": "10.0.0.5"}).status_code == 200
        assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404


def test_only_the_headers_the_proxy_sets_are_believed(make_app):
    app = make_app(TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS="X-Forwarded-For")
    with app.app_context():
        page = app.test_client().get("/editor/login", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in page.headers and "Secure" not in page.headers["Set-Cookie"]


def test_values_no_proxy_would_send_are_ignored_not_believed(make_app):
    app = make_app(TRUSTED_PROXIES=1, SERVER_NAME=None, METRICS_ALLOW=["127.0.0.1"])
    with app.app_context():
        client = app.test_client()
        home = client.get("/", headers={"X-Forwarded-Proto": "ftp", "X-Forwarded-Host": "news.example.org"})
        assert home.status_code == 200
        assert 'http://news.example.org/' in home.get_data(as_text=True)
        # Not an address: the request stays the proxy's own (127.0.0.1), which the allow list names.
        assert client.get("/metrics", headers={"X-Forwarded-For": "<script>"}).status_code == 200


def test_behind_two_proxies_the_value_used_is_the_one_checked():
    # Each proxy adds its value; the outer one's is the second last, and that is the one the layer uses.
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return []

    layer = proxies.TrustedProxies(app, 2, [ipaddress.ip_network("127.0.0.0/8")],
                                   {"x-forwarded-for", "x-forwarded-proto"})
    layer({"REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "HTTP_HOST": "news.example.org",
           "HTTP_X_FORWARDED_PROTO": "ftp, https", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.2"}, None)
    assert (seen["wsgi.url_scheme"], seen["REMOTE_ADDR"]) == ("http", "198.51.100.7")


@pytest.mark.parametrize("setting", [{"TRUSTED_PROXIES": "two"}, {"TRUSTED_PROXIES": -1}, {"TRUSTED_PROXIES": "²"},
                                     {"TRUSTED_PROXY_HEADERS": ["X-Real-IP"]},
                                     {"TRUSTED_PROXY_ADDRESSES": ["proxy.internal"]}])
def test_a_wrong_proxy_setting_stops_the_app_with_a_message(tmp_path, setting):
    [name] = setting
    with pytest.raises(ConfigError, match=f"CORRECTIONS_{name}"):
        create_app(conftest.test_settings("sqlite://", tmp_path, **setting))
