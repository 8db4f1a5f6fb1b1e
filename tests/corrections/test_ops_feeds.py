"""The ops page's feeds panel and /metrics' feed gauge: a working and a broken feed served by a
local HTTP server, polled as beat and the worker poll them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from articles.feeds import FeedSettings, claim_due_feeds, create_feed, poll_feed
from articles.models import Feed
from tests.articles.feed_server import Document, feed_server, rss
from tests.factories import UserFactory
from tests.newsroom.scraping import scrape, total, value

pytestmark = pytest.mark.django_db

STORY = ("ops-1", "Harbour bridge reopens", "<p>The bridge reopened on Monday.</p>")


@pytest.fixture
def admin() -> User:
    return UserFactory(username="feeds-ops-admin", roles=["admin"], is_staff=True)


def register_and_poll(admin: User, url: str, source: str) -> Feed:
    feed = create_feed(data=FeedSettings(url=url, source=source), actor=admin)
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    claims = dict(claim_due_feeds())
    poll_feed(feed_id=feed.pk, token=claims[feed.pk])
    feed.refresh_from_db()
    return feed


def test_the_ops_page_shows_each_feeds_health_failing_first(private_feeds_allowed: None, admin: User,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    before = scrape()
    with feed_server() as server:
        server.documents["/rss.xml"] = Document(rss([STORY]))
        server.documents["/broken"] = Document(b"<html>oops</html>", content_type="text/html", status=500)
        with django_capture_on_commit_callbacks(execute=True), \
                override_settings(NEWSROOM_METRICS_MAX_SOURCES=1_000_000):
            working = register_and_poll(admin, f"{server.url}/rss.xml", source="harbour-news")
        broken = register_and_poll(admin, f"{server.url}/broken", source="broken-news")
    assert (working.status, broken.status) == ("ok", "error")

    client = Client()
    client.force_login(admin)
    html = client.get("/ops/").content.decode()

    panel = html.split('id="feeds-title"')[1].split("</section>")[0]
    assert panel.index(f'data-feed-id="{broken.pk}"') < panel.index(f'data-feed-id="{working.pk}"')
    row = panel.split(f'data-feed-id="{broken.pk}"')[1].split("</tr>")[0]
    assert 'data-status="error"' in panel and "(1 in a row)" in row and "500" in row
    assert f'href="/feeds/{broken.pk}/"' in row
    working_row = panel.split(f'data-feed-id="{working.pk}"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in working_row and "harbour-news" in working_row

    after = scrape()
    assert value(after, "newsroom_feeds", status="error") == 1 and value(after, "newsroom_feeds", status="ok") == 1
    name = "newsroom_ingested_articles_total"
    assert total(after, name, source="harbour-news") - total(before, name, source="harbour-news") == 1


def test_the_ops_page_says_when_no_feed_is_registered(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    html = client.get("/ops/").content.decode()
    assert "No feeds registered." in html and 'href="/feeds/"' in html
