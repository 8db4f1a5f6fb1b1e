"""Feeds pulled: RSS and Atom (and G2/ninjs URLs) served by a local HTTP server, polled through the
claim and poll functions the beat task calls: entries come in once, an unchanged feed (304) costs
no ingest, a broken feed backs off and shows its error on the admin page."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from articles.feed_secrets import decrypt_secret
from articles.feeds import (
    FeedSettings,
    PollOutcome,
    claim_due_feeds,
    create_feed,
    feed_health,
    poll_feed,
)
from articles.models import Article, AuditEvent, Feed, IngestRequest, Revision
from articles.tasks import poll_feed_task
from tests.articles.feed_server import Document, FeedServer, atom, feed_server, http_date, rss
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STORY_ONE = ("nws-1", "Harbour bridge reopens", "<p>The bridge reopened on Monday.</p><p>Buses return on Tuesday.</p>")
STORY_TWO = ("nws-2", "Library extends hours", "<p>The library opens until nine from January.</p>")


@pytest.fixture
def server(private_feeds_allowed: None) -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


@pytest.fixture
def admin() -> User:
    return UserFactory(username=f"feed-admin-{uuid.uuid4().hex[:6]}", roles=["admin"], is_staff=True)


def register(admin: User, url: str, **settings: Any) -> Feed:
    return create_feed(data=FeedSettings(url=url, **settings), actor=admin)


def poll(feed: Feed) -> PollOutcome | None:
    """What beat and the worker do for a feed that is due: claim it, poll it."""
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    claims = dict(claim_due_feeds())
    assert feed.pk in claims, "the due feed was not claimed"
    return poll_feed(feed_id=feed.pk, token=claims[feed.pk])


def test_rss_entries_come_in_once_and_an_unchanged_feed_costs_no_ingest(server: FeedServer, admin: User) -> None:
    server.documents["/rss.xml"] = Document(rss([STORY_ONE, STORY_TWO]), etag='"v1"',
                                             last_modified=http_date())
    feed = register(admin, f"{server.url}/rss.xml")

    first = poll(feed)
    requests_after_first = IngestRequest.objects.count()
    second = poll(feed)

    assert first is not None and (first.status, first.taken, first.skipped) == ("ok", 2, ())
    articles = Article.objects.order_by("external_id")
    assert [a.external_id for a in articles] == ["nws-1", "nws-2"]
    assert articles[0].title == "Harbour bridge reopens" and articles[0].url == "https://news.example.com/nws-1"
    assert articles[0].revisions.get().text == "The bridge reopened on Monday.\n\nBuses return on Tuesday."
    assert {a.client_id for a in articles} == {feed.client_id} and articles[0].source.slug == "127.0.0.1"
    assert second is not None and second.status == "not_modified" and second.taken == 0
    assert server.requests_to("/rss.xml")[1]["If-None-Match"] == '"v1"'
    assert IngestRequest.objects.count() == requests_after_first == 1
    assert Revision.objects.count() == 2
    feed.refresh_from_db()
    assert (feed.status, feed.articles_taken, feed.consecutive_failures) == ("not_modified", 2, 0)
    assert feed.next_poll_at > timezone.now() + timedelta(seconds=feed.interval - 30)


def test_atom_feed_uses_if_modified_since(server: FeedServer, admin: User) -> None:
    server.documents["/atom.xml"] = Document(
        atom([("tag:blog.example.org,2026:post-1", "Trains delayed", "<p>Trains ran late all morning.</p>")]),
        content_type="application/atom+xml", last_modified=http_date())
    feed = register(admin, f"{server.url}/atom.xml", source="example-blog")

    first, second = poll(feed), poll(feed)

    assert first is not None and first.taken == 1
    article = Article.objects.get()
    assert (article.external_id, article.source.slug, article.title) == (
        "tag:blog.example.org,2026:post-1", "example-blog", "Trains delayed")
    assert article.published_at is not None and article.published_at.isoformat() == "2026-12-07T09:30:00+00:00"
    assert second is not None and second.status == "not_modified"
    assert server.requests_to("/atom.xml")[1]["If-Modified-Since"] == http_date()


def test_a_feed_without_conditional_get_takes_nothing_twice(server: FeedServer, admin: User) -> None:
    server.documents["/plain.xml"] = Document(rss([STORY_ONE, STORY_TWO]))  # no ETag, no Last-Modified
    feed = register(admin, f"{server.url}/plain.xml")

    poll(feed)
    again = poll(feed)

    assert again is not None and (again.status, again.taken, again.unchanged) == ("ok", 0, 2)
    assert (Article.objects.count(), Revision.objects.count(), IngestRequest.objects.count()) == (2, 2, 1)
    assert "If-None-Match" not in server.requests_to("/plain.xml")[1]


def test_a_changed_entry_becomes_a_new_revision(server: FeedServer, admin: User) -> None:
    server.documents["/rss.xml"] = Document(rss([STORY_ONE]), etag='"v1"')
    feed = register(admin, f"{server.url}/rss.xml")
    poll(feed)
    server.documents["/rss.xml"] = Document(
        rss([(STORY_ONE[0], STORY_ONE[1], "<p>The bridge reopened on Monday at six.</p>")]), etag='"v2"')

    outcome = poll(feed)

    assert outcome is not None and outcome.taken == 1
    article = Article.objects.get()
    assert article.revision_number == 2
    assert article.revisions.get(number=2).text == "The bridge reopened on Monday at six."
    feed.refresh_from_db()
    assert feed.articles_taken == 2


@pytest.mark.parametrize(("document", "message"), [
    (Document(b"oops", status=500), "HTTP 500"),
    (Document(b"<rss><channel><item><title>unclosed", content_type="application/rss+xml"), "not an RSS or Atom feed"),
    (Document(b"<html><body>Not a feed</body></html>", content_type="text/html"), "not an RSS or Atom feed"),
])
def test_a_broken_feed_backs_off_and_shows_its_error(server: FeedServer, admin: User, document: Document,
                                                     message: str) -> None:
    server.documents["/broken"] = document
    feed = register(admin, f"{server.url}/broken", interval=60)

    started = timezone.now()
    first = poll(feed)
    feed.refresh_from_db()
    first_wait = feed.next_poll_at - started
    poll(feed)
    feed.refresh_from_db()

    assert first is not None and first.status == "error" and message in first.error
    assert feed.status == "error" and feed.consecutive_failures == 2 and message in feed.last_error
    assert timedelta(seconds=115) < first_wait < timedelta(seconds=125)  # 60 s x 2 after one failure
    assert feed.next_poll_at - timezone.now() > timedelta(seconds=235)  # 60 s x 4 after two
    assert Article.objects.count() == 0 and IngestRequest.objects.count() == 0
    page = Client()
    page.force_login(admin)
    html = page.get("/feeds/").content.decode()
    assert message in html and f'data-feed-id="{feed.pk}" data-status="error"' in html


def test_backoff_is_capped(server: FeedServer, admin: User) -> None:
    server.documents["/broken"] = Document(b"", status=503)
    feed = register(admin, f"{server.url}/broken", interval=3600)
    Feed.objects.filter(pk=feed.pk).update(consecutive_failures=30)
    with override_settings(NEWSROOM_FEED_MAX_BACKOFF=timedelta(hours=6)):
        poll(feed)
    feed.refresh_from_db()
    assert feed.next_poll_at - timezone.now() <= timedelta(hours=6)


def test_a_feed_recovers_after_errors(server: FeedServer, admin: User) -> None:
    server.documents["/flaky"] = Document(b"", status=502)
    feed = register(admin, f"{server.url}/flaky")
    poll(feed)
    server.documents["/flaky"] = Document(rss([STORY_ONE]))
    outcome = poll(feed)
    feed.refresh_from_db()
    assert outcome is not None and outcome.taken == 1
    assert (feed.status, feed.consecutive_failures, feed.last_error) == ("ok", 0, "")


@override_settings(NEWSROOM_FEED_MAX_BYTES=64 * 1024)
def test_a_feed_over_the_size_limit_is_cut_off(server: FeedServer, admin: User) -> None:
    server.documents["/endless"] = Document(b"", endless=True)
    feed = register(admin, f"{server.url}/endless")
    outcome = poll(feed)
    assert outcome is not None and outcome.status == "error" and "NEWSROOM_FEED_MAX_BYTES" in outcome.error


@override_settings(NEWSROOM_FEED_TIMEOUT=1.0)
def test_a_feed_slower_than_the_time_limit_is_cut_off(server: FeedServer, admin: User) -> None:
    server.documents["/slow"] = Document(rss([STORY_ONE] * 1) + b" " * 8192, drip_seconds=0.3)
    feed = register(admin, f"{server.url}/slow")
    outcome = poll(feed)
    assert outcome is not None and outcome.status == "error" and "NEWSROOM_FEED_TIMEOUT" in outcome.error


def test_a_claimed_feed_is_not_claimed_or_polled_twice(server: FeedServer, admin: User) -> None:
    server.documents["/rss.xml"] = Document(rss([STORY_ONE]))
    feed = register(admin, f"{server.url}/rss.xml")

    first_claims = claim_due_feeds()
    second_claims = claim_due_feeds()  # a second beat, or the next tick while the poll is queued
    token = dict(first_claims)[feed.pk]
    polled = poll_feed(feed_id=feed.pk, token=token)
    redelivered = poll_feed(feed_id=feed.pk, token=token)  # the same message delivered again

    assert second_claims == []
    assert polled is not None and redelivered is None
    assert len(server.requests_to("/rss.xml")) == 1


def test_a_claim_whose_worker_died_is_taken_again_after_the_lease(server: FeedServer, admin: User) -> None:
    feed = register(admin, f"{server.url}/rss.xml")
    claim_due_feeds()
    assert claim_due_feeds() == []
    Feed.objects.filter(pk=feed.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert [feed_id for feed_id, _ in claim_due_feeds()] == [feed.pk]


def test_disabled_feeds_are_not_polled(server: FeedServer, admin: User) -> None:
    register(admin, f"{server.url}/rss.xml", is_enabled=False)
    assert claim_due_feeds() == []


def test_the_poll_task_polls_its_claimed_feed(server: FeedServer, admin: User) -> None:
    server.documents["/rss.xml"] = Document(rss([STORY_ONE]))
    feed = register(admin, f"{server.url}/rss.xml")
    (feed_id, token), = claim_due_feeds()

    poll_feed_task(feed_id, token)

    assert Article.objects.get().external_id == "nws-1"
    assert Feed.objects.get(pk=feed.pk).claim == ""


def test_credentials_are_sent_stored_encrypted_and_never_shown(server: FeedServer, admin: User) -> None:
    server.documents["/private.xml"] = Document(rss([STORY_ONE]), basic_auth=("wire", "s3cret-pass-9"))
    feed = register(admin, f"{server.url}/private.xml", username="wire", password="s3cret-pass-9")

    outcome = poll(feed)

    assert outcome is not None and outcome.taken == 1
    feed.refresh_from_db()
    assert "s3cret" not in feed.password_encrypted and decrypt_secret(feed.password_encrypted) == "s3cret-pass-9"
    api = APIClient()
    api.force_authenticate(admin)
    page = Client()
    page.force_login(admin)
    for body in (api.get("/api/v1/feeds/").content, api.get(f"/api/v1/feeds/{feed.pk}/").content,
                 page.get("/feeds/").content, page.get(f"/feeds/{feed.pk}/").content):
        assert b"s3cret-pass-9" not in body and feed.password_encrypted.encode() not in body
    assert api.get(f"/api/v1/feeds/{feed.pk}/").json()["has_password"] is True
    assert not any("s3cret" in json.dumps(e.detail) for e in AuditEvent.objects.all())


def test_wrong_credentials_are_an_error(server: FeedServer, admin: User) -> None:
    server.documents["/private.xml"] = Document(rss([STORY_ONE]), basic_auth=("wire", "right"))
    feed = register(admin, f"{server.url}/private.xml", username="wire", password="wrong")
    outcome = poll(feed)
    assert outcome is not None and outcome.status == "error" and "HTTP 401" in outcome.error


def test_a_g2_news_message_url_is_a_feed(server: FeedServer, admin: User) -> None:
    item = ('<newsItem guid="urn:ex:{n}" version="1"><itemMeta><itemClass qcode="ninat:text"/>'
            '<provider qcode="nprov:EXAMPLE"/></itemMeta><contentMeta><headline>Story {n}</headline></contentMeta>'
            '<contentSet><inlineData contenttype="text/plain">Text {n}.</inlineData></contentSet></newsItem>')
    message = ('<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2026-12-07T10:00:00Z</sent>'
               f'</header><itemSet>{item.format(n=1)}{item.format(n=2)}</itemSet></newsMessage>')
    server.documents["/g2"] = Document(message.encode(), content_type="application/xml")
    feed = register(admin, f"{server.url}/g2")

    outcome = poll(feed)

    assert outcome is not None and outcome.taken == 2
    assert sorted(Article.objects.values_list("external_id", "source__slug")) == [
        ("urn:ex:1", "example"), ("urn:ex:2", "example")]


def test_a_ninjs_url_is_a_feed_and_non_text_items_are_skipped(server: FeedServer, admin: User) -> None:
    items = [{"uri": "urn:ninjs:1", "headline": "Vote today", "body_text": "Polls open at seven."},
             {"uri": "urn:ninjs:2", "type": "picture", "headline": "A photo"}]
    server.documents["/ninjs"] = Document(json.dumps(items).encode(), content_type="application/json")
    feed = register(admin, f"{server.url}/ninjs", kind="ninjs", source="ninjs-wire")

    outcome = poll(feed)

    assert outcome is not None and (outcome.status, outcome.taken, len(outcome.skipped)) == ("ok", 1, 1)
    assert "picture" in outcome.skipped[0]
    feed.refresh_from_db()
    assert "1 skipped" in feed.last_result and Article.objects.get().source.slug == "ninjs-wire"


def test_a_kill_notice_in_a_feed_withdraws_the_article_it_names(server: FeedServer, admin: User) -> None:
    item = {"uri": "urn:ninjs:1", "headline": "Vote today", "body_text": "Polls open at seven."}
    server.documents["/ninjs"] = Document(json.dumps([item]).encode(), content_type="application/json")
    feed = register(admin, f"{server.url}/ninjs", kind="ninjs", source="ninjs-wire")
    poll(feed)
    killed = {**item, "pubstatus": "canceled", "body_text": "Kill: this story is withdrawn."}
    server.documents["/ninjs"] = Document(json.dumps([killed]).encode(), content_type="application/json")

    outcome = poll(feed)

    assert outcome is not None and (outcome.status, outcome.taken, outcome.skipped) == ("ok", 1, ())
    article = Article.objects.get()
    assert (article.status, article.revision_number) == ("withdrawn", 1)
    assert "killed (canceled) by its supplier" in article.status_detail
    assert Revision.objects.get(article=article).text == "Polls open at seven."


def test_feed_health_lists_failing_feeds_first(server: FeedServer, admin: User) -> None:
    server.documents["/rss.xml"] = Document(rss([STORY_ONE]))
    good = register(admin, f"{server.url}/rss.xml")
    bad = register(admin, f"{server.url}/missing")
    for feed_id, token in claim_due_feeds():  # one tick claims both
        poll_feed(feed_id=feed_id, token=token)

    health = feed_health()

    assert [h.id for h in health] == [bad.pk, good.pk]
    assert health[0].is_failing and "HTTP 404" in health[0].last_error
    assert (health[1].status, health[1].articles_taken, health[1].last_polled_at is not None) == ("ok", 1, True)


# --- the admin page and the API ---------------------------------------------------------------------


def test_admin_registers_edits_and_disables_a_feed_on_the_page(admin: User) -> None:
    page = Client()
    page.force_login(admin)

    created = page.post("/feeds/", {"url": "https://wire.example.com/rss", "kind": "rss", "interval": "120",
                                    "is_enabled": "on", "source": "example-wire", "username": "", "password": ""})
    feed = Feed.objects.get()
    edited = page.post(f"/feeds/{feed.pk}/", {"url": feed.url, "kind": "rss", "interval": "600", "source": "",
                                              "username": "", "password": ""})  # is_enabled unticked

    assert created.status_code == 302 and edited.status_code == 302
    feed.refresh_from_db()
    assert (feed.interval, feed.is_enabled, feed.source) == (600, False, "")
    assert list(AuditEvent.objects.filter(object_type="articles.feed").values_list("action", flat=True)
                .order_by("id")) == ["feed.created", "feed.updated"]
    assert "disabled" in page.get("/feeds/").content.decode()


def test_the_page_refuses_a_bad_feed(admin: User) -> None:
    page = Client()
    page.force_login(admin)
    response = page.post("/feeds/", {"url": "not a url", "kind": "rss", "interval": "5"})
    assert response.status_code == 400 and Feed.objects.count() == 0


def test_api_registers_and_changes_feeds_for_admins_only(admin: User) -> None:
    api = APIClient()
    api.force_authenticate(admin)
    created = api.post("/api/v1/feeds/", {"url": "https://wire.example.com/ninjs", "kind": "ninjs",
                                          "password": "hidden-1", "username": "u"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["has_password"] is True and "password" not in body and body["status"] == "new"
    patched = api.patch(f"/api/v1/feeds/{body['id']}/", {"is_enabled": False, "password": ""}, format="json")
    assert patched.status_code == 200 and patched.json()["is_enabled"] is False
    assert patched.json()["has_password"] is False and patched.json()["url"] == "https://wire.example.com/ninjs"
    refused = api.post("/api/v1/feeds/", {"url": "ftp://x", "interval": 1}, format="json")
    assert refused.status_code == 400 and {"url", "interval"} <= set(refused.json()["errors"])

    editor = APIClient()
    editor.force_authenticate(UserFactory(username="ed-feeds", roles=["publisher"]))
    assert editor.get("/api/v1/feeds/").status_code == 403


def test_api_lists_feeds_a_page_at_a_time(admin: User) -> None:
    for number in range(3):
        register(admin, f"https://wire{number}.example.com/rss")
    api = APIClient()
    api.force_authenticate(admin)

    first = api.get("/api/v1/feeds/", {"page_size": 2})
    second = api.get(first.json()["next"])

    assert first.status_code == 200 and second.status_code == 200
    assert first.json()["count"] == 3 and first.json()["previous"] is None
    assert [f["url"] for f in first.json()["results"] + second.json()["results"]] == [
        f"https://wire{number}.example.com/rss" for number in range(3)]
    assert second.json()["next"] is None
    assert api.get("/api/v1/feeds/", {"page": 3, "page_size": 2}).status_code == 404
    assert api.get("/api/v1/feeds/", {"page_size": "two"}).status_code == 400
