"""Feeds point at public addresses only (articles.feed_addresses): an internal address is refused
when an admin registers it and when a poll would fetch it, a redirect or a rebinding name too,
unless NEWSROOM_FEED_ALLOW_PRIVATE allows it."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from articles.feed_addresses import ForbiddenDestination, check_feed_url, why_not_public
from articles.feeds import FeedSettings, PollOutcome, claim_due_feeds, create_feed, poll_feed
from articles.models import Article, Feed
from tests.articles.feed_server import Document, FeedServer, feed_server, rss
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STORY = ("ssrf-1", "Harbour bridge reopens", "<p>The bridge reopened on Monday.</p>")
METADATA = "http://169.254.169.254/latest/meta-data/"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A feed served from 127.0.0.1, with NEWSROOM_FEED_ALLOW_PRIVATE off (the default)."""
    with feed_server() as running:
        yield running


@pytest.fixture
def admin() -> User:
    return UserFactory(username=f"ssrf-admin-{uuid.uuid4().hex[:6]}", roles=["admin"], is_staff=True)


def poll(feed: Feed) -> PollOutcome | None:
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    return poll_feed(feed_id=feed.pk, token=dict(claim_due_feeds())[feed.pk])


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("::1", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.1", "a private address"),
    ("fd00::1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("0.0.0.0", "an unspecified address"),  # noqa: S104 - the address under test, not a bind
    ("::", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("100.64.0.1", "a reserved address"),  # shared address space (carrier-grade NAT)
    ("240.0.0.1", "a private address"),  # reserved for future use: is_private in ipaddress
    ("192.0.2.10", "a private address"),  # documentation
    ("::ffff:127.0.0.1", "a loopback address (inside ::ffff:7f00:1)"),
    ("::ffff:169.254.169.254", "a link-local address (inside ::ffff:a9fe:a9fe)"),
    ("2002:a00:1::", "a private address (inside 2002:a00:1::)"),  # 6to4 of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", "a link-local address (inside 64:ff9b::a9fe:a9fe)"),  # NAT64 of the metadata
    ("93.184.216.34", None),
    ("8.8.8.8", None),
    ("2606:4700:4700::1111", None),
    ("64:ff9b::808:808", None),  # NAT64 of 8.8.8.8
])
def test_only_public_addresses_pass(address: str, kind: str | None) -> None:
    assert why_not_public(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/rss", METADATA, "http://10.0.0.5/feed", "http://[::1]/feed", "https://[fe80::1]/x",
    "http://[::ffff:7f00:1]/", "http://localhost/rss", "http://2130706433/rss", "http://0x7f.1/rss",
])
def test_check_refuses_internal_destinations(url: str) -> None:
    with pytest.raises(ForbiddenDestination, match="feeds may point at public addresses only"):
        check_feed_url(url)


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://wire.example.com/feed", "http or https only"),
    ("file:///etc/passwd", "http or https only"),
    ("gopher://127.0.0.1:6379/_FLUSHALL", "http or https only"),
    ("http:///rss", "names no host"),
    ("http://wire.example.com:99999/rss", "port"),
])
def test_check_refuses_other_schemes_and_broken_urls(url: str, message: str, settings: Any) -> None:
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True  # the scheme is checked whatever the setting
    with pytest.raises(ForbiddenDestination, match=message):
        check_feed_url(url)


def test_check_lets_public_and_unresolvable_hosts_through() -> None:
    check_feed_url("https://93.184.216.34/rss")
    check_feed_url("https://wire.example.com/rss")  # no DNS here: the fetch checks again


def test_the_setting_allows_internal_destinations(settings: Any) -> None:
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True
    check_feed_url(METADATA)
    check_feed_url("http://localhost:8080/rss")


@pytest.mark.parametrize("url", [METADATA, "http://127.0.0.1:6379/", "http://[::1]/rss", "http://localhost/rss"])
def test_the_api_refuses_to_register_an_internal_address(admin: User, url: str) -> None:
    api = APIClient()
    api.force_authenticate(admin)

    response = api.post("/api/v1/feeds/", {"url": url, "kind": "rss"}, format="json")

    assert response.status_code == 400, response.content
    assert "public addresses only" in response.json()["errors"]["url"][0]
    assert Feed.objects.count() == 0


def test_the_api_refuses_to_move_a_feed_to_an_internal_address(admin: User) -> None:
    api = APIClient()
    api.force_authenticate(admin)
    created = api.post("/api/v1/feeds/", {"url": "https://wire.example.com/rss"}, format="json")

    moved = api.patch(f"/api/v1/feeds/{created.json()['id']}/", {"url": "http://10.20.30.40/rss"}, format="json")

    assert moved.status_code == 400 and "a private address" in moved.json()["errors"]["url"][0]
    assert Feed.objects.get().url == "https://wire.example.com/rss"


def test_the_api_registers_an_internal_address_when_the_setting_allows_it(admin: User, settings: Any) -> None:
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True
    api = APIClient()
    api.force_authenticate(admin)

    response = api.post("/api/v1/feeds/", {"url": "http://10.0.0.5/wire/ninjs", "kind": "ninjs"}, format="json")

    assert response.status_code == 201, response.content


def test_the_page_refuses_to_register_an_internal_address(admin: User) -> None:
    page = Client()
    page.force_login(admin)

    response = page.post("/feeds/", {"url": METADATA, "kind": "rss", "interval": "300", "is_enabled": "on"})

    assert response.status_code == 400 and Feed.objects.count() == 0
    assert "a link-local address" in response.content.decode()


def test_a_poll_refuses_a_feed_at_an_internal_address(server: FeedServer, admin: User, settings: Any) -> None:
    # Registered while the setting allowed it (or before the check existed), polled without it.
    server.documents["/rss.xml"] = Document(rss([STORY]))
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True
    feed = create_feed(data=FeedSettings(url=f"{server.url}/rss.xml"), actor=admin)
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = False

    outcome = poll(feed)

    assert outcome is not None and outcome.status == "error"
    assert "127.0.0.1, a loopback address" in outcome.error
    assert server.seen == [] and Article.objects.count() == 0
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 and "public addresses only" in feed.last_error

    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True
    again = poll(feed)
    assert again is not None and (again.status, again.taken) == ("ok", 1)


def test_a_redirect_to_another_scheme_is_refused(server: FeedServer, admin: User, settings: Any) -> None:
    settings.NEWSROOM_FEED_ALLOW_PRIVATE = True
    server.documents["/moved"] = Document(b"", status=302, location="file:///etc/passwd")
    feed = create_feed(data=FeedSettings(url=f"{server.url}/moved"), actor=admin)

    outcome = poll(feed)

    assert outcome is not None and outcome.status == "error" and "http or https only" in outcome.error


@pytest.fixture
def through_proxy(server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> FeedServer:
    """The local server as the HTTP proxy of every request (HTTP_PROXY): it answers for any host,
    so a feed on a public name can redirect somewhere without DNS."""
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    return server


def test_a_redirect_to_an_internal_address_is_refused(through_proxy: FeedServer, admin: User) -> None:
    through_proxy.documents["http://wire.example.com/rss.xml"] = Document(b"", status=302, location=METADATA)
    through_proxy.documents[METADATA] = Document(b"ami-id\ninstance-id\niam/", content_type="text/plain")
    feed = create_feed(data=FeedSettings(url="http://wire.example.com/rss.xml"), actor=admin)

    outcome = poll(feed)

    assert outcome is not None and outcome.status == "error"
    assert "169.254.169.254, a link-local address" in outcome.error
    assert [path for path, _headers in through_proxy.seen] == ["http://wire.example.com/rss.xml"]


def test_a_redirect_to_a_public_address_is_followed(through_proxy: FeedServer, admin: User) -> None:
    through_proxy.documents["http://wire.example.com/rss.xml"] = Document(
        b"", status=301, location="http://93.184.216.34/news/rss.xml")
    through_proxy.documents["http://93.184.216.34/news/rss.xml"] = Document(rss([STORY]))
    feed = create_feed(data=FeedSettings(url="http://wire.example.com/rss.xml"), actor=admin)

    outcome = poll(feed)

    assert outcome is not None and (outcome.status, outcome.taken) == ("ok", 1)


def test_a_name_that_rebinds_to_an_internal_address_is_not_connected_to(
        server: FeedServer, admin: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile DNS answers a public address to the check and 127.0.0.1 afterwards: the connection
    goes only to an address checked when it is opened, so it never reaches the server."""
    server.documents["/rss.xml"] = Document(rss([STORY]))
    port = int(server.url.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def hostile_dns(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example.org":
            return real_getaddrinfo(next(answers, "127.0.0.1"), *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hostile_dns)
    feed = create_feed(data=FeedSettings(url=f"http://rebind.example.org:{port}/rss.xml"), actor=admin)

    outcome = poll(feed)

    assert outcome is not None and outcome.status == "error"
    assert "127.0.0.1, a loopback address" in outcome.error
    assert server.seen == []
