"""An admin on the feeds page in a real browser: each feed's health, a failing feed's error, and a
new feed registered through the form."""

from __future__ import annotations

import pytest

from articles.feeds import FeedSettings, claim_due_feeds, create_feed, poll_feed
from articles.models import Feed
from tests.articles.feed_server import Document, feed_server, rss
from tests.browser.conftest import log_in, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_feed_health_and_registers_a_feed(private_feeds_allowed: None, page: object) -> None:
    admin = UserFactory(username="fiona", roles=["admin"], is_staff=True)
    with feed_server() as server:
        server.documents["/news.xml"] = Document(rss([
            ("b-1", "Harbour bridge reopens", "<p>The bridge reopened on Monday.</p>"),
            ("b-2", "Library extends hours", "<p>The library opens until nine.</p>"),
        ]))
        server.documents["/agency.xml"] = Document(b"upstream down", status=503)
        good = create_feed(data=FeedSettings(url=f"{server.url}/news.xml", source="harbour-news"), actor=admin)
        bad = create_feed(data=FeedSettings(url=f"{server.url}/agency.xml", kind="g2", interval=120), actor=admin)
        for feed_id, token in claim_due_feeds():
            poll_feed(feed_id=feed_id, token=token)

        log_in(page, "fiona")
        page.click("header nav >> text=Feeds")  # type: ignore[attr-defined]
        page.wait_for_url("**/feeds/")  # type: ignore[attr-defined]
        rows = page.query_selector_all("table.feeds tbody tr")  # type: ignore[attr-defined]
        assert [r.get_attribute("data-feed-id") for r in rows] == [str(bad.pk), str(good.pk)]  # failing first
        assert "HTTP 503" in page.text_content(f"tr[data-feed-id='{bad.pk}'] .feed-error")  # type: ignore[attr-defined]
        assert page.text_content(f"tr[data-feed-id='{good.pk}'] td.num").strip() == "2"  # type: ignore[attr-defined]
        screenshot(page, "feeds.png")

        page.fill("#id_url", "https://wire.example.com/ninjs")  # type: ignore[attr-defined]
        page.select_option("#id_kind", "ninjs")  # type: ignore[attr-defined]
        page.fill("#id_source", "example-wire")  # type: ignore[attr-defined]
        page.fill("#id_password", "s3cret-browser")  # type: ignore[attr-defined]
        page.press("#id_password", "Enter")  # type: ignore[attr-defined]

        page.wait_for_selector(".message.success")  # type: ignore[attr-defined]
        added = Feed.objects.get(url="https://wire.example.com/ninjs")
        assert (added.kind, added.source, added.status) == ("ninjs", "example-wire", "new")
        assert page.query_selector(f"tr[data-feed-id='{added.pk}']") is not None  # type: ignore[attr-defined]
        assert "s3cret-browser" not in page.content()  # type: ignore[attr-defined]
        page.problems.assert_none()  # type: ignore[attr-defined]
