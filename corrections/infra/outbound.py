"""Outgoing HTTP requests to addresses an admin typed (webhooks): public internet addresses only.

An address that leads into the server's own network (loopback, private, link-local, unique-local,
multicast, unspecified, shared or reserved ranges; IPv4 or IPv6, an IPv4 address written as one
number, in octal or in hex, or wrapped in IPv6) would let whoever sets it up read the answers of
the newsroom's internal services in the delivery log. So a host name is resolved once, every address
it resolves to is checked, and the connection goes to the checked addresses themselves: a DNS answer
that changes between the check and the connection (DNS rebinding) is never used. HTTPS still verifies
the certificate for the host name, which is also the SNI name and the Host header.
"""

import http.client
import ipaddress
import re
import socket
import ssl
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges Python's is_global leaves out but that must not be reached from here either.
NOT_PUBLIC = [ipaddress.ip_network(n) for n in (
    "::/96",  # IPv4-compatible IPv6 (deprecated), e.g. ::127.0.0.1
    "fec0::/10",  # site-local IPv6 (deprecated), the predecessor of unique-local addresses
    "64:ff9b:1::/48",  # NAT64 for local use
)]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
SHARED = ipaddress.ip_network("100.64.0.0/10")
# What inet_aton reads as an IPv4 address besides the dotted quad: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


class Refused(Exception):
    """The address is not a public internet address; the message says which address and why."""


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (IPv4-mapped, 6to4, NAT64), or None."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None


def address_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is ("loopback", "private"...), or None for a public one."""
    ip = embedded_ipv4(ip) or ip
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip in UNIQUE_LOCAL:
        return "unique-local"
    if ip in SHARED:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private"
    if not ip.is_global or any(ip in network for network in NOT_PUBLIC):
        return "reserved"
    return None


def ip_literal(host: str) -> IPAddress | None:
    """The IP address that `host` spells, in any form the system resolver reads as one, or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for, in the resolver's order; raises OSError when it cannot be resolved."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    found = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(sockaddr[0])
        if ip not in found:
            found.append(ip)
    return found


def check_addresses(host: str, addresses: list[IPAddress]) -> None:
    """Raise Refused unless every one of the addresses is a public internet address."""
    for ip in addresses:
        kind = address_kind(ip)
        if kind is None:
            continue
        kind = ("an " if kind == "unspecified" else "a ") + kind + " address"
        reached = embedded_ipv4(ip) or ip
        if ip_literal(host) is None:
            spelt = f"{ip}" if reached == ip else f"{ip} ({reached})"
            raise Refused(f"{host} resolves to {spelt}, {kind}, not a public internet address.")
        spelt = "" if str(reached) == host else f" ({reached})"
        raise Refused(f"{host} is {kind}{spelt}, not a public internet address.")


def host_and_port(url: str) -> tuple[str, int]:
    """The URL's host (an international name in its ASCII form, as DNS and the Host header need it) and port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a valid name: resolving it fails and says so
    return host, parts.port or (443 if parts.scheme == "https" else 80)


def check_url(url: str) -> None:
    """Raise Refused when the URL's host is or resolves to a non-public address.

    A name that does not resolve (yet) passes: each request resolves and checks it again.
    """
    host, port = host_and_port(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    check_addresses(host, addresses)


class PinnedConnectionError(OSError):
    """No checked address took the connection; the message names the addresses tried."""


def _connector(addresses: list[IPAddress]):
    """A replacement for socket.create_connection that connects only to the given addresses, in turn."""

    def create_connection(address, timeout, source_address=None):
        _, port = address
        last: OSError | None = None
        for ip in addresses:
            try:
                return socket.create_connection((str(ip), port), timeout, source_address)
            except OSError as error:
                last = error
        tried = ", ".join(str(ip) for ip in addresses)
        raise PinnedConnectionError(f"{type(last).__name__}: {last} (connecting to {tried} port {port})")

    return create_connection


def connection(url: str, addresses: list[IPAddress], timeout: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection for `url` that connects to `addresses` only.

    The host name stays the connection's host, so the Host header, the SNI name and the certificate
    check are the name's, as when connecting by name.
    """
    parts = urlsplit(url)
    host, port = host_and_port(url)
    if parts.scheme == "https":
        made: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        made = http.client.HTTPConnection(host, port, timeout=timeout)
    made._create_connection = _connector(addresses)  # the one hook http.client gives for how it connects
    return made


def target(url: str) -> str:
    """The request target of `url`: its path and query ("/" when it has none)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
