"""One decision for many articles (corrections.bulk): preview, apply in one request, audit, undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, AuditEvent, Revision, RowChange
from corrections import bulk, review
from corrections.models import Alias, BulkDecision, BulkDecisionArticle, Entity, Suggestion
from tests.corrections.desk import article_with_text, current_revision, ingest_client, suggest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAIR = ("Zelanski", "Zelensky")


@pytest.fixture
def editor() -> Any:
    return UserFactory(username="edna", roles=["editor"])


def copies(n: int, *, start: int = 0) -> list[Article]:
    """``n`` articles from as many outlets, each with the slip pending once in the text (and the
    first also in its title)."""
    client = ingest_client()
    articles = []
    for i in range(start, start + n):
        text = f"Copy {i}. Talks went on. President Zelanski spoke on day {i}.\n\nThe mayor of Kiev listened."
        title = f"Zelanski speaks ({i})" if i == start else f"Talks, day {i}"
        article = article_with_text(text, source=f"outlet-{i}", title=title, client=client)
        suggest(article, *PAIR, kind="entity", confidence=0.85)
        if i == start:
            revision = current_revision(article)
            Suggestion.objects.create(revision=revision, pass_name="test", kind="entity", field="title", start=0,
                                      end=8, original="Zelanski", replacement="Zelensky", confidence=0.85,
                                      explanation="A test suggestion.")
        articles.append(article)
    return articles


def seen(preview: bulk.Preview) -> list[bulk.Seen]:
    return [bulk.Seen(a.article.pk, a.revision) for a in preview.articles]


# --- preview ------------------------------------------------------------------------------------------


def test_the_preview_lists_each_article_with_the_sentences_the_change_touches() -> None:
    articles = copies(3)
    other = article_with_text("Zelanski again.", source="elsewhere")
    suggest(other, "Zelanski", "Zelenskyy", kind="entity")  # another replacement: not this change

    preview = bulk.preview_change(*PAIR)

    assert [a.article.pk for a in preview.articles] == [a.pk for a in articles]
    assert preview.total == 3 and preview.suggestions == 4
    first = preview.articles[0].sentences
    assert [s.field for s in first] == ["title", "body"]
    body = first[1]
    assert (body.before, body.original, body.replacement, body.after) == (
        "President ", "Zelanski", "Zelensky", " spoke on day 0.")
    assert first[0].before == "" and first[0].after == " speaks (0)"


def test_two_passes_proposing_the_same_change_at_one_place_count_once() -> None:
    article = copies(1)[0]
    suggest(article, *PAIR, kind="spelling", pass_name="other")
    preview = bulk.preview_change(*PAIR)
    assert len([s for s in preview.articles[0].sentences if s.field == "body"]) == 1


@pytest.mark.parametrize(("original", "replacement", "field"), [("Kiev", "Kiev", "replacement"), ("", "x", "original")])
def test_a_pair_that_is_no_change_is_refused(original: str, replacement: str, field: str) -> None:
    with pytest.raises(bulk.NothingToDecide) as refused:
        bulk.preview_change(original, replacement)
    assert refused.value.field == field


# --- apply ---------------------------------------------------------------------------------------------


def test_twenty_articles_in_one_decision_one_audit_row_each(editor: Any) -> None:
    articles = copies(20)
    preview = bulk.preview_change(*PAIR)

    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(preview), actor=editor)

    rows = list(decision.articles.order_by("article_id"))
    assert [r.status for r in rows] == ["applied"] * 20
    for article, row in zip(articles, rows, strict=True):
        revision = current_revision(article)
        assert revision.number == 2 and row.result_revision == revision
        assert "Zelanski" not in revision.text and "President Zelensky spoke" in revision.text
        assert revision.created_by_user == editor and f"bulk decision #{decision.pk}" in revision.reason
        for s in Suggestion.objects.filter(pk__in=row.suggestion_ids):
            assert (s.status, s.decided_by, s.result_revision_id) == ("accepted", editor, revision.pk)
    assert current_revision(articles[0]).title == "Zelensky speaks (0)"
    per_article = AuditEvent.objects.filter(action="bulk.article_applied")
    assert sorted(per_article.values_list("article_id", flat=True)) == [a.pk for a in articles]
    assert all(e.detail["decision"] == decision.pk for e in per_article)
    whole = AuditEvent.objects.get(action="bulk.applied")
    assert whole.object_id == decision.pk
    assert sorted(whole.detail["audit_rows"]) == sorted(per_article.values_list("pk", flat=True))
    # The decisions themselves are audited as an editor's would be, article by article, and every
    # row the decision wrote is in the row history.
    assert AuditEvent.objects.filter(action="suggestion.accepted").count() == 21
    assert RowChange.objects.filter(table_name="corrections_bulkdecisionarticle", operation="INSERT").count() == 20


def test_an_article_edited_after_the_preview_is_skipped_not_merged(editor: Any) -> None:
    articles = copies(3)
    preview = bulk.preview_change(*PAIR)
    edited = articles[1]
    review.edit_text(article_id=edited.pk, seen_revision=1, actor=editor,
                     text=current_revision(edited).text + " A late line.", reason="late")

    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(preview), actor=editor)

    row = decision.articles.get(article=edited)
    assert row.status == "skipped" and "revision 2 is current" in row.reason and "late" in row.reason
    assert current_revision(edited).number == 2 and "Zelanski" in current_revision(edited).text
    assert [r.status for r in decision.articles.exclude(article=edited)] == ["applied", "applied"]
    assert AuditEvent.objects.filter(action="bulk.article_skipped", article_id=edited.pk).count() == 1


def test_an_article_decided_meanwhile_is_skipped(editor: Any) -> None:
    article = copies(1)[0]
    preview = bulk.preview_change(*PAIR)
    for s in Suggestion.objects.filter(revision=current_revision(article)):
        review.reject_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(preview), actor=editor)

    row = decision.articles.get()
    assert row.status == "skipped" and "any more" in row.reason
    assert current_revision(article).number == 1


def test_applying_without_articles_is_refused(editor: Any) -> None:
    with pytest.raises(bulk.NothingToDecide) as refused:
        bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=[], actor=editor)
    assert refused.value.field == "articles" and not BulkDecision.objects.exists()


def test_an_accepted_name_is_learned_once(editor: Any) -> None:
    Entity.objects.create(name="Volodymyr Zelensky", type="person")
    copies(3)
    bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(bulk.preview_change(*PAIR)), actor=editor)
    assert Alias.objects.filter(surface="Zelanski", origin="learned").count() == 1


# --- undo ------------------------------------------------------------------------------------------------


def test_undo_reverts_just_that_change_on_every_article(editor: Any) -> None:
    articles = copies(20)
    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(bulk.preview_change(*PAIR)),
                                 actor=editor)
    before = {a.pk: Revision.objects.get(article=a, number=1) for a in articles}
    # Another change elsewhere in one article does not stop the undo there.
    review.edit_text(article_id=articles[0].pk, seen_revision=2, actor=editor,
                     text=current_revision(articles[0]).text.replace("Kiev", "Kyiv"), reason="style")

    undone = bulk.undo_change(decision_id=decision.pk, actor=editor)

    assert undone.status == "undone"
    for article in articles:
        revision = current_revision(article)
        expected = before[article.pk].text if article != articles[0] else before[article.pk].text.replace("Kiev", "Kyiv")
        assert revision.text == expected and revision.title == before[article.pk].title
        assert "undid bulk decision" in revision.reason
        pending = Suggestion.objects.filter(revision=revision, status="pending", original="Zelanski")
        assert pending.count() == (2 if article == articles[0] else 1)
    assert AuditEvent.objects.filter(action="bulk.article_undone").count() == 20
    assert AuditEvent.objects.get(action="bulk.undone").object_id == decision.pk


def test_undo_reports_the_articles_whose_changed_text_was_edited_since(editor: Any) -> None:
    articles = copies(3)
    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(bulk.preview_change(*PAIR)),
                                 actor=editor)
    touched = articles[2]
    review.edit_text(article_id=touched.pk, seen_revision=2, actor=editor,
                     text=current_revision(touched).text.replace("President Zelensky", "President Zelenskyy"))

    undone = bulk.undo_change(decision_id=decision.pk, actor=editor)

    assert undone.status == "partly_undone"
    row = undone.articles.get(article=touched)
    assert row.status == "not_undone" and "edited after it was accepted" in row.reason
    assert "Zelenskyy" in current_revision(touched).text and current_revision(touched).number == 3
    assert [r.status for r in undone.articles.exclude(article=touched)] == ["undone", "undone"]
    # Undoing again retries only what is left, and says so again.
    again = bulk.undo_change(decision_id=decision.pk, actor=editor)
    assert again.articles.get(article=touched).status == "not_undone"


def test_an_undone_decision_cannot_be_undone_twice(editor: Any) -> None:
    copies(2)
    decision = bulk.apply_change(original=PAIR[0], replacement=PAIR[1], seen=seen(bulk.preview_change(*PAIR)),
                                 actor=editor)
    bulk.undo_change(decision_id=decision.pk, actor=editor)
    with pytest.raises(review.InvalidDecision):
        bulk.undo_change(decision_id=decision.pk, actor=editor)


# --- the API ---------------------------------------------------------------------------------------------


@pytest.fixture
def api(editor: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=editor)
    return client


def test_the_api_previews_applies_and_undoes(api: APIClient) -> None:
    articles = copies(20)
    pair = {"original": PAIR[0], "replacement": PAIR[1]}

    preview = api.post("/api/v1/decisions/", {**pair, "dry_run": True}, format="json")
    assert preview.status_code == 200, preview.json()
    listed = preview.json()["articles"]
    assert [a["id"] for a in listed] == [a.pk for a in articles]
    assert listed[1]["sentences"][0]["before"] == "President " and not BulkDecision.objects.exists()

    applied = api.post("/api/v1/decisions/", {**pair, "articles": [{"id": a["id"], "revision": a["revision"]}
                                                                   for a in listed]}, format="json")
    assert applied.status_code == 201, applied.json()
    body = applied.json()
    assert [a["status"] for a in body["articles"]] == ["applied"] * 20
    assert all(a["result_revision"] == 2 for a in body["articles"])
    assert api.get(f"/api/v1/decisions/{body['id']}/").json()["status"] == "applied"
    # One audit row per article, in that one request.
    applied_rows = AuditEvent.objects.filter(action="bulk.article_applied")
    assert sorted(applied_rows.values_list("article_id", flat=True)) == [a.pk for a in articles]

    undone = api.post(f"/api/v1/decisions/{body['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert all(a["undo_revision"] == 3 for a in undone.json()["articles"])
    undone_rows = AuditEvent.objects.filter(action="bulk.article_undone")
    assert sorted(undone_rows.values_list("article_id", flat=True)) == [a.pk for a in articles]
    assert api.post(f"/api/v1/decisions/{body['id']}/undo/").status_code == 409


def test_the_api_refuses_an_apply_without_the_preview(api: APIClient) -> None:
    copies(1)
    answer = api.post("/api/v1/decisions/", {"original": PAIR[0], "replacement": PAIR[1]}, format="json")
    assert answer.status_code == 422 and "articles" in answer.json()["errors"]
    assert not BulkDecision.objects.exists()


def test_the_api_skips_an_article_edited_since_its_preview(api: APIClient, editor: Any) -> None:
    article = copies(1)[0]
    review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text="Zelanski, rewritten.")
    answer = api.post("/api/v1/decisions/", {"original": PAIR[0], "replacement": PAIR[1],
                                             "articles": [{"id": article.pk, "revision": 1}]}, format="json")
    assert answer.status_code == 201
    assert answer.json()["articles"][0]["status"] == "skipped"
    assert current_revision(article).text == "Zelanski, rewritten."


# --- the desk --------------------------------------------------------------------------------------------


@pytest.fixture
def desk(editor: Any) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def test_the_desk_previews_from_a_card_applies_and_undoes(desk: Client) -> None:
    articles = copies(3)
    s = Suggestion.objects.filter(revision=current_revision(articles[1]), original="Zelanski").first()
    review_page = desk.get(reverse("desk:review", args=[articles[1].pk])).content.decode()
    link = f"{reverse('desk:decision-preview')}?suggestion={s.pk}"
    assert link in review_page

    page = desk.get(link).content.decode()
    for article in articles:
        assert f'name="seen" value="{article.pk}:1"' in page
    assert '<span class="mark"><del><bdi>Zelanski</bdi></del><ins><bdi>Zelensky</bdi></ins></span>' in page
    assert "spoke on day 1." in page

    response = desk.post(reverse("desk:decisions"), {"original": PAIR[0], "replacement": PAIR[1],
                                                     "seen": [f"{a.pk}:1" for a in articles]})
    decision = BulkDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk:decision", args=[decision.pk])
    assert all(current_revision(a).number == 2 for a in articles)

    undo = desk.post(reverse("desk:decision-undo", args=[decision.pk]))
    assert undo.status_code == 302
    assert BulkDecision.objects.get().status == "undone"
    assert all(current_revision(a).number == 3 and "Zelanski" in current_revision(a).text for a in articles)


def test_the_preview_escapes_article_text(desk: Client) -> None:
    article = article_with_text("Hello <script>alert(1)</script> Zelanski \u202eend.", title="<b>bold</b>")
    suggest(article, *PAIR)
    page = desk.get(reverse("desk:decision-preview"), {"original": PAIR[0], "replacement": PAIR[1]}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "\u202e" not in page and "RLO" in page


def test_the_gazetteer_offers_a_learned_alias_as_a_decision(desk: Client, editor: Any) -> None:
    copies(2)
    entity = Entity.objects.create(name="Volodymyr Zelensky", type="person")
    alias = Alias.objects.create(entity=entity, surface="Zelanski", kind="misspelling", origin="learned",
                                 created_by=editor)
    link = f"{reverse('desk:decision-preview')}?alias={alias.pk}"
    assert link in desk.get(reverse("desk:gazetteer")).content.decode()
    assert link in desk.get(reverse("desk:entity", args=[entity.pk])).content.decode()

    page = desk.get(link).content.decode()
    # The passes propose the surname for a one-word alias of a person: that is the change listed.
    assert page.count('name="seen"') == 2 and "<ins><bdi>Zelensky</bdi></ins>" in page


def test_a_stale_apply_at_the_desk_reports_the_skipped_article(desk: Client, editor: Any) -> None:
    article = copies(1)[0]
    review.edit_text(article_id=article.pk, seen_revision=1, actor=editor, text="Zelanski, rewritten.")
    response = desk.post(reverse("desk:decisions"), {"original": PAIR[0], "replacement": PAIR[1],
                                                     "seen": [f"{article.pk}:1"]}, follow=True)
    assert "1 skipped" in response.content.decode()
    assert BulkDecisionArticle.objects.get().status == "skipped"
