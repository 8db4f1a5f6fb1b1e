"""Feeds end to end: beat's dispatch task enqueues a poll on Redis and a real Celery worker process
fetches the feed from a local HTTP server and ingests its entries into the test database."""

from __future__ import annotations

import pytest

from articles.feeds import FeedSettings, create_feed
from articles.models import Article, Feed
from articles.tasks import dispatch_feeds_task
from tests.articles.feed_server import Document, feed_server, rss
from tests.factories import UserFactory
from tests.support import Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_dispatch_and_a_worker_poll_a_feed_once(private_feeds_allowed: None, celery_worker: Worker) -> None:
    admin = UserFactory(username="feeds-e2e", roles=["admin"], is_staff=True)
    with feed_server() as server:
        server.documents["/rss.xml"] = Document(rss([
            ("e2e-1", "Ferry timetable changes", "<p>The winter timetable starts on Sunday.</p>"),
            ("e2e-2", "Museum reopens", "<p>The museum reopens after a year of works.</p>"),
        ]), etag='"e2e"')
        feed = create_feed(data=FeedSettings(url=f"{server.url}/rss.xml"), actor=admin)

        assert dispatch_feeds_task() == 1  # what beat runs: claims the feed, enqueues one poll
        assert dispatch_feeds_task() == 0  # the next tick while the poll runs: nothing to claim
        wait_for(lambda: Feed.objects.get(pk=feed.pk).status == "ok", timeout=60, message="the feed polled")

        assert sorted(Article.objects.values_list("external_id", flat=True)) == ["e2e-1", "e2e-2"]
        assert len(server.requests_to("/rss.xml")) == 1
        polled = Feed.objects.get(pk=feed.pk)
        assert (polled.articles_taken, polled.claim, polled.etag) == (2, "", '"e2e"')
