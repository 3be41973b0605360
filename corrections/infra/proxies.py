"""Who is asking, and over what: the one WSGI layer that reads the reverse proxy's X-Forwarded-* headers.

Behind a proxy every connection comes from the proxy, so the client's address (rate limits, the stored
client hash, the /metrics allow list), the scheme (Secure cookies, HSTS) and the host the reader asked
for are in the headers the proxy adds. Only a connection from a trusted proxy address
(TRUSTED_PROXY_ADDRESSES) may set them, only the headers named in TRUSTED_PROXY_HEADERS count, and of
each only the last TRUSTED_PROXIES values (the ones our own proxies added, not what the client sent).
Every other X-Forwarded-* header is removed before anything reads it.

This layer decides under every WSGI server: `corrections serve` tells waitress to leave the headers
alone (waitress trusts one address or all, and would otherwise delete them before the app sees them).
"""

import ipaddress
from collections.abc import Iterable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from corrections.config import ConfigError
from corrections.infra.ops import parse_networks

# The headers this layer understands, as the WSGI environ spells them.
HEADERS = {
    "x-forwarded-for": "HTTP_X_FORWARDED_FOR",
    "x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
    "x-forwarded-host": "HTTP_X_FORWARDED_HOST",
    "x-forwarded-port": "HTTP_X_FORWARDED_PORT",
    "x-forwarded-prefix": "HTTP_X_FORWARDED_PREFIX",
}
# Forwarded-style headers this layer never reads; they are removed so nothing else trusts them by mistake.
IGNORED = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_BY", "HTTP_X_FORWARDED_SERVER", "HTTP_X_REAL_IP")


def parse_headers(value) -> set[str]:
    """TRUSTED_PROXY_HEADERS: a list (or comma-separated text) of the X-Forwarded-* headers the proxy sets."""
    items: Iterable = value.split(",") if isinstance(value, str) else value or []
    if not isinstance(items, list | tuple | set):
        raise ConfigError(f"CORRECTIONS_TRUSTED_PROXY_HEADERS must be a list of header names, got {value!r}.")
    names = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = names - HEADERS.keys()
    if unknown:
        raise ConfigError(f"CORRECTIONS_TRUSTED_PROXY_HEADERS: {', '.join(sorted(unknown))} not understood; "
                          f"choose from {', '.join(sorted(HEADERS))}.")
    return names


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return False
    return True


class TrustedProxies:
    """The WSGI layer: the peer's X-Forwarded-* headers applied if it is a trusted proxy, removed otherwise."""

    def __init__(self, wsgi_app, count: int, networks: list, headers: set[str]):
        self.wsgi_app = wsgi_app
        self.networks = networks
        self.count = count
        self.trusted = {HEADERS[name] for name in headers} if count > 0 and networks else set()

        def depth(name: str) -> int:
            return count if name in headers else 0

        self.fix = ProxyFix(wsgi_app, x_for=depth("x-forwarded-for"), x_proto=depth("x-forwarded-proto"),
                            x_host=depth("x-forwarded-host"), x_port=depth("x-forwarded-port"),
                            x_prefix=depth("x-forwarded-prefix"))

    def from_proxy(self, environ) -> bool:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
        except ValueError:  # a Unix socket, or a server that gives no address
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:
            peer = peer.ipv4_mapped
        return any(peer in network for network in self.networks)

    def __call__(self, environ, start_response):
        kept = self.trusted if self.trusted and self.from_proxy(environ) else set()
        for key in (*HEADERS.values(), *IGNORED):
            if key not in kept:
                environ.pop(key, None)
        if not kept:
            return self.wsgi_app(environ, start_response)
        # Values a proxy would never send are dropped rather than believed: "ftp" as the scheme, a name as
        # the client's address. The request then goes on as the connection itself says.
        # Checked is the value ProxyFix will use: the one the outermost of our proxies added.
        if not self.believable(environ, "HTTP_X_FORWARDED_PROTO", lambda v: v.lower() in ("http", "https")):
            environ.pop("HTTP_X_FORWARDED_PROTO", None)
        elif "HTTP_X_FORWARDED_PROTO" in environ:
            environ["HTTP_X_FORWARDED_PROTO"] = environ["HTTP_X_FORWARDED_PROTO"].lower()
        if not self.believable(environ, "HTTP_X_FORWARDED_FOR", _is_address):
            environ.pop("HTTP_X_FORWARDED_FOR", None)
        return self.fix(environ, start_response)

    def believable(self, environ, key: str, check) -> bool:
        """Whether the header is absent, or the value of it that counts (the count-th from the end) passes check."""
        if key not in environ:
            return True
        values = environ[key].split(",")
        return len(values) >= self.count and check(values[-self.count].strip())


def proxy_count(value) -> int:
    """TRUSTED_PROXIES: how many proxies stand in front, a whole number from 0."""
    text = str(value).strip()
    # isdigit alone takes "²", which int() does not.
    if isinstance(value, bool) or not isinstance(value, int | str) or not (text.isascii() and text.isdigit()):
        raise ConfigError(f"CORRECTIONS_TRUSTED_PROXIES must be the number of proxies in front (0, 1, 2…), "
                          f"not {value!r}.")
    return int(text)


def install(app: Flask) -> None:
    """Wrap every other layer, so each of them sees the client as the trusted proxies describe it."""
    app.wsgi_app = TrustedProxies(
        app.wsgi_app,
        count=proxy_count(app.config["TRUSTED_PROXIES"]),
        networks=parse_networks(app.config["TRUSTED_PROXY_ADDRESSES"], "TRUSTED_PROXY_ADDRESSES"),
        headers=parse_headers(app.config["TRUSTED_PROXY_HEADERS"]),
    )
