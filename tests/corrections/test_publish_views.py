"""The desk's publishing pages, story canonical pick and audit page, through Django's test client."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, AuditEvent, Publication, Story
from articles.publish import publish_revision
from corrections import desk
from corrections.review import accept_suggestion
from tests.corrections.desk import article_with_text, current_revision, suggest
from tests.corrections.test_views import parse
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TEXT = "Teh president of Ukriane met the mayor in Kiev on Monday."
NOTE = "An earlier version misspelled the name of Ukraine."


def logged_in(username: str, role: str) -> Client:
    client = Client()
    client.force_login(UserFactory(username=username, roles=[role]))
    return client


@pytest.fixture
def chief() -> Client:
    return logged_in("chief", "publisher")


@pytest.fixture
def editor() -> Client:
    return logged_in("edna", "editor")


def publish_form(client: Client, article: Article, **data: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("desk:publish", args=[article.pk]), {"revision": article.revision_number, **data})


# --- publish ----------------------------------------------------------------------------------------


def test_review_page_offers_publish_to_publishers_only(chief: Client, editor: Client) -> None:
    article = article_with_text(TEXT)
    publish_url = reverse("desk:publish", args=[article.pk])

    assert publish_url in chief.get(reverse("desk:review", args=[article.pk])).content.decode()
    assert publish_url not in editor.get(reverse("desk:review", args=[article.pk])).content.decode()
    assert publish_form(editor, article).status_code == 403
    assert not Publication.objects.exists()


def test_publish_without_pending_suggestions_goes_to_the_published_view(chief: Client) -> None:
    article = article_with_text(TEXT, title="Summit")

    response = publish_form(chief, article)

    assert response.status_code == 302 and response["Location"] == reverse("desk:published", args=[article.pk])
    publication = Publication.objects.get(article=article)
    assert (publication.number, publication.revision.number, publication.published_by.username) == (1, 1, "chief")
    page = chief.get(response["Location"]).content.decode()
    assert TEXT in page and "publication 1" in page and "chief" in page and publication.text_sha256[:12] in page


def test_publish_with_pending_suggestions_asks_for_confirmation_first(chief: Client) -> None:
    article = article_with_text(TEXT)
    suggest(article, "Teh", "The")
    suggest(article, "Kiev", "Kyiv", kind="style")

    asked = publish_form(chief, article)

    assert asked.status_code == 409 and not Publication.objects.exists()
    html = asked.content.decode()
    assert "2 suggestions still pending on revision 1" in html and "Publish anyway" in html
    confirm = [attrs for tag, attrs in parse(html).tags if tag == "input" and attrs.get("name") == "confirm_pending"]
    assert confirm == [{"type": "hidden", "name": "confirm_pending", "value": "true"}]

    published = publish_form(chief, article, confirm_pending="true")

    assert published.status_code == 302
    event = AuditEvent.objects.get(action="publication.created", article_id=article.pk)
    assert event.detail["pending_confirmed"] == 2 and event.actor_label == "chief"


def test_correction_needs_a_note_and_keeps_the_earlier_publication(chief: Client) -> None:
    article = article_with_text(TEXT)
    s = suggest(article, "Ukriane", "Ukraine", kind="entity")
    publish_form(chief, article, confirm_pending="true")
    accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=UserFactory(username="edna", roles=["editor"]))
    article.refresh_from_db()
    form = chief.get(reverse("desk:publish", args=[article.pk])).content.decode()
    assert "Publish correction" in form and "Public correction note" in form and "Ukraine" in form

    refused = publish_form(chief, article, correction_note="   ")

    assert refused.status_code == 400 and Publication.objects.count() == 1
    assert "Write the public correction note" in refused.content.decode()

    corrected = publish_form(chief, article, correction_note=NOTE)

    assert corrected.status_code == 302
    second = Publication.objects.get(article=article, number=2)
    first = Publication.objects.get(article=article, number=1)
    assert (second.corrects_id, second.correction_note, second.revision.number) == (first.pk, NOTE, 2)
    latest = chief.get(reverse("desk:published", args=[article.pk])).content.decode()
    assert NOTE in latest and "Ukraine" in latest and "Publication 1" in latest and "Publication 2" in latest
    earlier = chief.get(reverse("desk:publication", args=[article.pk, 1])).content.decode()
    assert TEXT in earlier and "An earlier version." in earlier and NOTE not in earlier
    assert first.revision.text == TEXT


def test_republishing_the_published_revision_is_refused(chief: Client) -> None:
    article = article_with_text(TEXT)
    publish_form(chief, article)

    again = publish_form(chief, article, correction_note=NOTE)

    assert again.status_code == 409 and Publication.objects.count() == 1
    assert "already published" in again.content.decode()


def test_published_view_is_404_before_publication_and_open_to_viewers(chief: Client) -> None:
    article = article_with_text(TEXT)
    viewer = logged_in("vic", "viewer")
    assert viewer.get(reverse("desk:published", args=[article.pk])).status_code == 404
    publish_form(chief, article)
    page = viewer.get(reverse("desk:published", args=[article.pk]))
    assert page.status_code == 200 and TEXT in page.content.decode()
    assert f'href="{reverse("desk:review", args=[article.pk])}"' not in page.content.decode()
    assert viewer.get(reverse("desk:publication", args=[article.pk, 2])).status_code == 404


def test_published_view_escapes_hostile_text(chief: Client) -> None:
    article = article_with_text("<script>alert(1)</script> and <img src=x onerror=alert(2)>", title="<b>t</b>")
    publish_form(chief, article)
    html = chief.get(reverse("desk:published", args=[article.pk])).content.decode()
    tags = [tag for tag, _ in parse(html).tags]
    assert tags.count("script") == 2 and "img" not in tags and "b" not in tags


def test_queue_lists_published_articles_with_a_link_to_their_published_view(chief: Client) -> None:
    article = article_with_text(TEXT, title="Published one")
    article_with_text(TEXT, title="Draft one")
    publish_form(chief, article)

    html = chief.get(reverse("desk:queue"), {"status": "published"}).content.decode()

    assert "Published one" in html and "Draft one" not in html
    assert reverse("desk:published", args=[article.pk]) in html


# --- story canonical ---------------------------------------------------------------------------------


def test_editor_marks_a_copy_as_the_stories_canonical_version(editor: Client) -> None:
    story = Story.objects.create(title="Talks")
    daily, wire = article_with_text(TEXT, source="daily"), article_with_text(TEXT, source="wire")
    stray = article_with_text(TEXT, source="stray")
    Article.objects.filter(pk__in=[daily.pk, wire.pk]).update(story=story)
    page = editor.get(reverse("desk:story", args=[story.pk])).content.decode()
    assert "daily" in page and "wire" in page and page.count("Make canonical") == 2

    response = editor.post(reverse("desk:story-canonical", args=[story.pk]), {"article": wire.pk})

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.canonical_article_id == wire.pk
    assert AuditEvent.objects.get(action="story.canonical_set").actor_label == "edna"
    assert "canonical copy" in editor.get(reverse("desk:review", args=[wire.pk])).content.decode()
    refused = editor.post(reverse("desk:story-canonical", args=[story.pk]), {"article": stray.pk})
    assert refused.status_code == 400
    story.refresh_from_db()
    assert story.canonical_article_id == wire.pk


# --- audit ------------------------------------------------------------------------------------------


def test_audit_page_filters_by_article_actor_and_action(chief: Client) -> None:
    article = article_with_text(TEXT)
    other = article_with_text(TEXT)
    publish_revision(article_id=article.pk, revision_number=1, actor=UserFactory(username="chief"))

    html = chief.get(reverse("desk:audit"), {"article": article.pk, "actor": "chi", "action": "publication."}).content.decode()

    rows = re.findall(r'data-action="([^"]+)"', html)
    assert rows == ["publication.created"]
    event = AuditEvent.objects.get(action="publication.created")
    assert event.after_sha256[:10] in html and event.after_sha256 in html  # shortened, full in the title
    assert ">" + event.after_sha256 + "<" not in html
    assert 'data-action="article.ingested"' in chief.get(reverse("desk:audit"), {"article": other.pk}).content.decode()
    assert chief.get(reverse("desk:audit"), {"article": "x"}).status_code == 400


def test_audit_page_pages_by_keyset_newest_first(chief: Client) -> None:
    for _ in range(3):
        article_with_text(TEXT)
    ids = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True))

    first = desk.audit_page(desk.AuditFilters(), limit=2)
    second = desk.audit_page(desk.AuditFilters(), before=first.next_before, limit=2)

    assert [r.event.pk for r in first.rows] + [r.event.pk for r in second.rows] == ids[:4]
    html = chief.get(reverse("desk:audit"), {"before": ids[0]}).content.decode()
    assert f'data-audit-id="{ids[0]}"' not in html and f'data-audit-id="{ids[1]}"' in html


def test_history_links_to_the_articles_audit_rows(editor: Client) -> None:
    article = article_with_text(TEXT)
    html = editor.get(reverse("desk:history", args=[article.pk])).content.decode()
    assert f'{reverse("desk:audit")}?article={article.pk}' in html


def test_audit_page_needs_the_editor_role() -> None:
    assert logged_in("vic", "viewer").get(reverse("desk:audit")).status_code == 403
    assert Client().get(reverse("desk:audit")).status_code == 302


def test_revision_numbers_on_publish_form_follow_the_current_revision(chief: Client) -> None:
    article = article_with_text(TEXT)
    html = chief.get(reverse("desk:publish", args=[article.pk])).content.decode()
    assert f'name="revision" value="{current_revision(article).number}"' in html
