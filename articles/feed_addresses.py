"""Where a feed may point: http(s) on public addresses, unless NEWSROOM_FEED_ALLOW_PRIVATE.

newsroom fetches feed URLs from inside the operator's network. Without a check, an admin (or
whoever holds an admin's session) could register http://169.254.169.254/ and have the worker read
cloud credentials, or http://10.0.0.5/ and reach an internal service, and read the answer back on
the feeds page (server-side request forgery). So a feed's URL is checked twice:

- at registration (``check_feed_url``): the scheme is http or https, and every address the host
  resolves to is public. A name that does not resolve now is let through: the fetch checks again.
- at every fetch (``guarded_session``): each request, the first and every redirect, is checked like
  that before it is sent, and each connection is opened only to addresses that were just resolved
  and checked (never by resolving the name a second time), so a name that resolves to a public
  address at the check and to a private one at the connection (DNS rebinding) gets nowhere.

Public means ``ipaddress``'s ``is_global`` and not multicast: loopback, private (10/8, 172.16/12,
192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), shared (100.64/10), documentation,
benchmarking, reserved and unspecified ranges are refused, also when an IPv6 address carries one
of them as an IPv4 address inside (::ffff:a.b.c.d, 6to4, NAT64). Through an HTTP proxy (the
``HTTP(S)_PROXY`` variables) the proxy opens the connection: the check before each request still
applies, to what this machine resolves.

NEWSROOM_FEED_ALLOW_PRIVATE=true turns the address check off (the scheme check stays), for a wire
served inside the newsroom's own network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class ForbiddenDestination(Exception):
    """A feed URL whose scheme is not http(s), or whose host is (or resolves to) an address that is
    not public while NEWSROOM_FEED_ALLOW_PRIVATE is off. The message names the address and why."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def why_not_public(address: IPAddress) -> str | None:
    """None for an address a feed may point at, else what kind of address it is."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = why_not_public(inner)
            return f"{reason} (inside {address})" if reason else None
    for kind, is_kind in (("a loopback", address.is_loopback), ("a link-local", address.is_link_local),
                          ("an unspecified", address.is_unspecified), ("a multicast", address.is_multicast),
                          ("a private", address.is_private)):
        if is_kind:
            return f"{kind} address"
    if not address.is_global:
        return "a reserved address"
    return None


def _refusal(url: str, address: str, reason: str) -> ForbiddenDestination:
    return ForbiddenDestination(
        f"{url} leads to {address}, {reason}: feeds may point at public addresses only "
        "(NEWSROOM_FEED_ALLOW_PRIVATE=true allows others, for a wire inside the newsroom's network).")


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for a TCP connection, in the resolver's order, each once.
    Raises socket.gaierror (or UnicodeError for a name IDNA cannot encode)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for _family, _type, _proto, _name, sockaddr in found))


def check_addresses(url: str, addresses: list[str]) -> None:
    """Raise ForbiddenDestination unless every one of ``addresses`` is public (or private ones are
    allowed)."""
    if settings.NEWSROOM_FEED_ALLOW_PRIVATE:
        return
    for text in addresses:
        reason = why_not_public(ipaddress.ip_address(text))
        if reason:
            raise _refusal(url, text, reason)


def check_feed_url(url: str) -> None:
    """Raise ForbiddenDestination for a URL a feed may not point at: not http(s), no host, a bad
    port, or a host that is, or resolves to, an address that is not public. A host that does not
    resolve passes (the fetch checks again, and fails to connect if it still does not resolve)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise ForbiddenDestination(f"{url}: a feed is fetched over http or https only, not {parts.scheme or 'no scheme'!r}.")
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise ForbiddenDestination(f"{url}: the port is not a number from 0 to 65535.") from None
    if not host:
        raise ForbiddenDestination(f"{url}: the URL names no host.")
    if settings.NEWSROOM_FEED_ALLOW_PRIVATE:
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    check_addresses(url, addresses)


class _GuardedConnectionMixin:
    """Opens the socket only to addresses just resolved and checked (urllib3 would resolve the name
    again inside ``create_connection``: a rebinding DNS could answer differently the second time)."""

    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        if settings.NEWSROOM_FEED_ALLOW_PRIVATE:
            return super()._new_conn()  # type: ignore[misc]
        name = self._dns_host
        try:
            addresses = resolve(name, self.port)
        except socket.gaierror as ex:
            raise NameResolutionError(self.host, self, ex) from ex  # type: ignore[arg-type]
        check_addresses(f"{name}:{self.port}", addresses)
        *others, last = addresses  # getaddrinfo answers at least one address or raises
        try:
            for address in others:  # like urllib3's create_connection: the next address on failure
                self._dns_host = address
                try:
                    return super()._new_conn()  # type: ignore[misc]
                except (NewConnectionError, ConnectTimeoutError):
                    continue
            self._dns_host = last
            return super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = name


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPConnectionPool,
                                                   "https": _GuardedHTTPSConnectionPool}


class _GuardedSession(requests.Session):
    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # requests sends every redirect through send() too: each hop is checked before it goes out.
        check_feed_url(request.url or "")
        return super().send(request, **kwargs)


def guarded_session() -> requests.Session:
    """A requests session that refuses (ForbiddenDestination, raised from ``get``) any request or
    redirect to a URL ``check_feed_url`` refuses, and connects only to checked addresses."""
    session = _GuardedSession()
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
