"""The title through the passes: suggested, decided (domain, API, desk), carried, undone, published."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from articles.models import Article, AuditEvent, Revision
from articles.publish import publish_revision
from articles.tokens import create_api_token
from corrections import pipeline, review, titles
from corrections.models import Entity, PipelineJob, Suggestion
from corrections.passes.registry import DEFAULT_PASSES, load_passes
from tests.articles.helpers import ingest
from tests.corrections.desk import article_with_text, current_revision
from tests.factories import UserFactory

TITLE = "Volodimir Zelanski and the Kremlin: a adjacent summit"
BODY = "Talks went on in Geneva on Monday and were usefull.\n\nVolodymyr Zelensky spoke first; the Kremlin answered."


# --- which passes read a title --------------------------------------------------------------------


def test_every_pass_decides_whether_it_reads_titles() -> None:
    for module in load_passes(DEFAULT_PASSES):
        decided = (module.NAME in titles.RUNS_ON_TITLE) + (module.NAME in titles.SKIPPED_ON_TITLE)
        assert decided == 1, f"pass {module.NAME}: add it to RUNS_ON_TITLE or SKIPPED_ON_TITLE in corrections/titles.py"


def test_line_passes_do_not_read_titles() -> None:
    by_name = {m.NAME: m for m in load_passes(DEFAULT_PASSES)}
    assert not titles.runs_on_title(by_name["boilerplate"]) and not titles.runs_on_title(by_name["duplicate"])
    assert titles.runs_on_title(by_name["grammar"]) and titles.runs_on_title(by_name["entities"])


# --- the pipeline ------------------------------------------------------------------------------------


@pytest.fixture
def gazetteer(db: None) -> None:
    Entity.objects.create(name="Volodymyr Zelensky", type="person", description="President of Ukraine")
    Entity.objects.create(name="Vladimir", type="place", description="city in Russia")


@pytest.fixture
def editor(db: None) -> Any:
    return UserFactory(username="edna", roles=["editor"])


def processed(title: str = TITLE, body: str = BODY, external_id: str = "t-1") -> Article:
    client = create_api_token(f"titles-{external_id}")[0]
    outcome = ingest(client, external_id=external_id, title=title, body=body)
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    outcome.article.refresh_from_db()
    return outcome.article


def title_suggestions(article: Article) -> dict[tuple[str, str], Suggestion]:
    revision = current_revision(article)
    return {(s.original, s.replacement): s
            for s in Suggestion.objects.filter(revision=revision, field="title", status="pending")}


def test_the_pipeline_suggests_fixes_in_the_title(gazetteer: None) -> None:
    article = processed()

    found = title_suggestions(article)
    assert {("a adjacent", "an adjacent"), ("Zelanski", "Zelensky"), ("Volodimir", "Volodymyr")} <= set(found)
    for s in found.values():
        assert TITLE[s.start : s.end] == s.original
        assert s.pass_name in titles.RUNS_ON_TITLE
    body = Suggestion.objects.filter(revision=current_revision(article), field="body")
    assert all(BODY[s.start : s.end] == s.original for s in body)


def test_a_title_that_opens_the_body_gets_its_own_suggestions(gazetteer: None) -> None:
    # The same pass proposes the same change at the same offsets of both: two rows, one per field.
    article = processed(body=TITLE + ".\n\n" + BODY)
    revision = current_revision(article)
    rows = Suggestion.objects.filter(revision=revision, original="a adjacent")
    assert sorted(rows.values_list("field", "start")) == [("body", TITLE.index("a adjacent")),
                                                         ("title", TITLE.index("a adjacent"))]


def test_running_the_job_again_stores_title_suggestions_once(gazetteer: None) -> None:
    article = processed()
    job = PipelineJob.objects.get(article=article)
    before = sorted(Suggestion.objects.values_list("field", "pass_name", "start", "end", "replacement"))
    PipelineJob.objects.filter(pk=job.pk).update(state="queued")
    pipeline.run_job(job.pk)
    assert sorted(Suggestion.objects.values_list("field", "pass_name", "start", "end", "replacement")) == before


@override_settings(NEWSROOM_AUTO_APPLY_KINDS=["encoding"])
def test_auto_applied_repairs_reach_the_title(db: None) -> None:
    article = processed(title="CafÃ© owners protest", body="Caf\u00e9 owners protested on Monday.")
    revision = current_revision(article)
    assert revision.number == 2 and revision.title == "Café owners protest"
    assert Article.objects.get(pk=article.pk).title == "Café owners protest"
    assert Revision.objects.get(article=article, number=1).title == "CafÃ© owners protest"


# --- revisions keep their title ----------------------------------------------------------------------


def test_revision_one_keeps_the_title_exactly_as_received(db: None) -> None:
    raw = "  Ze\u0301lensky\u00a0meets  Putin \u200b"
    article = article_with_text(BODY, title=raw)
    assert Revision.objects.get(article=article, number=1).title == raw


def test_a_resent_title_is_a_new_revision_and_the_old_suggestions_go_stale(gazetteer: None) -> None:
    article = processed()
    pending = list(title_suggestions(article).values())
    client = article.client

    outcome = ingest(client, external_id="t-1", title="Zelensky and the Kremlin: an adjacent summit", body=BODY)

    assert outcome.new_revision and outcome.revision.number == 2
    assert outcome.revision.text == BODY and "changed title" in outcome.revision.reason
    assert Revision.objects.get(article=article, number=1).title == TITLE
    assert Article.objects.get(pk=article.pk).title == "Zelensky and the Kremlin: an adjacent summit"
    assert all(Suggestion.objects.get(pk=s.pk).status == "stale" for s in pending)
    assert not ingest(client, external_id="t-1", title=outcome.revision.title, body=BODY).new_revision


# --- deciding -------------------------------------------------------------------------------------------


def test_accepting_a_title_suggestion_changes_the_title_and_carries_the_rest(gazetteer: None, editor: Any) -> None:
    article = processed()
    found = title_suggestions(article)
    body_pending = Suggestion.objects.filter(revision=current_revision(article), field="body",
                                             status="pending").count()

    outcome = review.accept_suggestion(suggestion_id=found[("Zelanski", "Zelensky")].pk, seen_revision=1, actor=editor)

    new = outcome.revision
    assert new.title == TITLE.replace("Zelanski", "Zelensky") and new.text == BODY
    assert Article.objects.get(pk=article.pk).title == new.title
    # The other title suggestions moved with the title (one letter shorter before them).
    carried = title_suggestions(article)
    assert set(carried) == set(found) - {("Zelanski", "Zelensky")}
    for s in carried.values():
        assert new.title[s.start : s.end] == s.original
    assert Suggestion.objects.filter(revision=new, field="body", status="pending").count() == body_pending
    assert "in the title" in new.reason
    assert AuditEvent.objects.filter(action="suggestion.accepted", object_id=found[("Zelanski", "Zelensky")].pk).exists()


def test_a_title_decision_on_a_stale_revision_is_refused(gazetteer: None, editor: Any) -> None:
    article = processed()
    found = title_suggestions(article)
    review.accept_suggestion(suggestion_id=found[("Zelanski", "Zelensky")].pk, seen_revision=1, actor=editor)
    carried = title_suggestions(article)[("a adjacent", "an adjacent")]

    with pytest.raises(review.StaleRevision):
        review.accept_suggestion(suggestion_id=carried.pk, seen_revision=1, actor=editor)
    assert current_revision(article).number == 2


def test_undo_puts_the_title_back(gazetteer: None, editor: Any) -> None:
    article = processed()
    s = title_suggestions(article)[("a adjacent", "an adjacent")]
    review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)

    outcome = review.undo_last_decision(article_id=article.pk, seen_revision=2, actor=editor)

    assert outcome.revision.number == 3 and outcome.revision.title == TITLE and outcome.revision.text == BODY
    assert ("a adjacent", "an adjacent") in title_suggestions(article)


def test_accept_all_of_a_kind_takes_title_and_body_together(editor: Any, db: None) -> None:
    article = article_with_text("Teh mayor spoke.", title="Teh mayor speaks")
    revision = current_revision(article)
    for field in ("title", "body"):
        Suggestion.objects.create(revision=revision, pass_name="t", kind="spelling", field=field, start=0, end=3,
                                  original="Teh", replacement="The", confidence=0.9, explanation="Typo.")

    outcome = review.accept_all(article_id=article.pk, seen_revision=1, actor=editor, kind="spelling")

    assert (outcome.revision.title, outcome.revision.text) == ("The mayor speaks", "The mayor spoke.")


def test_an_accepted_title_may_not_be_empty(editor: Any, db: None) -> None:
    article = article_with_text("Body.", title="Gone")
    s = Suggestion.objects.create(revision=current_revision(article), pass_name="t", kind="spelling", field="title",
                                  start=0, end=4, original="Gone", replacement="", confidence=0.5, explanation="x")
    with pytest.raises(review.InvalidDecision):
        review.accept_suggestion(suggestion_id=s.pk, seen_revision=1, actor=editor)
    assert current_revision(article).number == 1


# --- the API --------------------------------------------------------------------------------------------


@pytest.fixture
def api(editor: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=editor)
    return client


def test_the_suggestion_list_holds_body_suggestions_unless_asked(gazetteer: None, api: APIClient) -> None:
    article = processed()
    url = f"/api/v1/articles/{article.pk}/suggestions/"

    default = api.get(url).json()["results"]
    title = api.get(url, {"field": "title"}).json()["results"]
    every = api.get(url, {"field": "all"}).json()["results"]

    assert default and {s["field"] for s in default} == {"body"}
    assert title and {s["field"] for s in title} == {"title"}
    assert len(every) == len(default) + len(title)
    for s in default:
        assert BODY[s["start"] : s["end"]] == s["original"]
    for s in title:
        assert TITLE[s["start"] : s["end"]] == s["original"]
    refused = api.get(url, {"field": "headline"})
    assert refused.status_code == 400 and "field" in refused.json()["errors"]


def test_a_title_fix_accepted_in_the_api_is_published(gazetteer: None, api: APIClient, editor: Any) -> None:
    article = processed()
    title = {(s["original"], s["replacement"]): s for s in
             api.get(f"/api/v1/articles/{article.pk}/suggestions/", {"field": "title"}).json()["results"]}
    revision = 1
    for pair in [("a adjacent", "an adjacent"), ("Zelanski", "Zelensky"), ("Volodimir", "Volodymyr")]:
        pending = api.get(f"/api/v1/articles/{article.pk}/suggestions/",
                          {"field": "title", "status": "pending", "revision": revision}).json()["results"]
        s = next(p for p in pending if (p["original"], p["replacement"]) == pair)
        answer = api.post(f"/api/v1/suggestions/{s['id']}/accept/", {"revision": revision}, format="json")
        assert answer.status_code == 200, answer.json()
        revision = answer.json()["revision"]
    # A decision on the revision it saw before is refused: no lost update.
    late = api.post(f"/api/v1/suggestions/{title[('a adjacent', 'an adjacent')]['id']}/accept/", {"revision": 1},
                    format="json")
    assert late.status_code == 409

    fixed = "Volodymyr Zelensky and the Kremlin: an adjacent summit"
    assert api.get(f"/api/v1/articles/{article.pk}/").json()["title"] == fixed
    assert api.get(f"/api/v1/articles/{article.pk}/revisions/1/").json()["title"] == TITLE
    assert api.get(f"/api/v1/articles/{article.pk}/revisions/{revision}/").json()["title"] == fixed

    publisher = UserFactory(username="chief", roles=["publisher"])
    publish_revision(article_id=article.pk, revision_number=revision, actor=publisher, confirm_pending=True)
    canonical = api.get(f"/api/v1/articles/{article.pk}/canonical/").json()
    assert (canonical["title"], canonical["text"]) == (fixed, BODY)
    # The publication keeps the title it published, whatever the article's title becomes.
    review.edit_text(article_id=article.pk, seen_revision=revision, actor=editor, text=BODY, title="Another title")
    assert api.get(f"/api/v1/articles/{article.pk}/publications/1/").json()["title"] == fixed


# --- the desk ---------------------------------------------------------------------------------------------


@pytest.fixture
def desk(editor: Any) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def test_the_review_page_shows_title_suggestions_in_the_headline(gazetteer: None, desk: Client) -> None:
    article = processed()
    s = title_suggestions(article)[("a adjacent", "an adjacent")]

    html = desk.get(reverse("desk:review", args=[article.pk])).content.decode()

    headline = html[html.index('<h1 id="article-title"') : html.index("</h1>")]
    assert f'id="m-{s.pk}"' in headline and "<ins><bdi>an adjacent</bdi></ins>" in headline
    card = html[html.index(f'id="s-{s.pk}"') :]
    assert "in the headline" in card[: card.index("</li>")]


def test_a_title_suggestion_is_decided_at_the_desk(gazetteer: None, desk: Client) -> None:
    article = processed()
    s = title_suggestions(article)[("a adjacent", "an adjacent")]

    response = desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "accept"})

    assert response.status_code == 302
    assert current_revision(article).title == TITLE.replace("a adjacent", "an adjacent")
    stale = desk.post(reverse("desk:decide", args=[s.pk]), {"revision": 1, "action": "accept"})
    assert stale.status_code == 409


def test_the_edit_page_edits_the_title_too(desk: Client, db: None) -> None:
    article = article_with_text(BODY, title="Old title")
    response = desk.post(reverse("desk:edit", args=[article.pk]), {"revision": 1, "title": "New title", "text": BODY})
    assert response.status_code == 302
    revision = current_revision(article)
    assert (revision.number, revision.title, revision.text) == (2, "New title", BODY)
    blank = desk.post(reverse("desk:edit", args=[article.pk]), {"revision": 2, "title": "  ", "text": BODY})
    assert blank.status_code == 400 and current_revision(article).number == 2
