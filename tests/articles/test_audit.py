"""The audit trail: one row per state transition, attributable, and readable by editors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from articles.models import AuditEvent, Publication, Revision
from articles.publish import publish_revision
from articles.tokens import create_api_token
from corrections import pipeline
from corrections.models import Alias, PassRun, PipelineJob, Suggestion, Suppression
from corrections.review import accept_suggestion, edit_text, reject_suggestion
from tests.articles.helpers import ingest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEED_004 = next((Path(__file__).resolve().parents[2] / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")


def test_a_scripted_session_leaves_exactly_one_audit_row_per_transition() -> None:
    client, key = create_api_token("audit-session")
    editor = UserFactory(username="copy-editor", roles=["publisher"])

    # ingest and passes
    outcome = ingest(client, body=SEED_004, external_id="audit")
    article_id = outcome.article.pk
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)

    # accept 3, reject 2 (always on the current revision, as the desk does)
    seen = 1
    for _ in range(3):
        s = Suggestion.objects.filter(revision__article_id=article_id, revision__number=seen, status="pending",
                                      kind="whitespace").order_by("start").first()
        seen = accept_suggestion(suggestion_id=s.pk, seen_revision=seen, actor=editor).revision.number
    for s in list(Suggestion.objects.filter(revision__article_id=article_id, revision__number=seen,
                                            status="pending", kind="boilerplate").order_by("start")[:2]):
        reject_suggestion(suggestion_id=s.pk, seen_revision=seen, actor=editor)

    # edit, publish, correct
    current = Revision.objects.get(article_id=article_id, number=seen).text
    seen = edit_text(article_id=article_id, seen_revision=seen, actor=editor,
                     text=current.replace("Trump Drops Bombshell", "Trump Says"), reason="headline").revision.number
    publish_revision(article_id=article_id, revision_number=seen - 1, actor=editor, confirm_pending=True)
    publish_revision(article_id=article_id, revision_number=seen, actor=editor, confirm_pending=True,
                     correction_note="An earlier version carried a sensational headline.")

    rows = Counter(AuditEvent.objects.filter(article_id=article_id).values_list("action", flat=True))
    expected = Counter({
        "article.ingested": 1,
        "pass.run": PassRun.objects.filter(revision__article_id=article_id).count(),
        "pipeline.done": PipelineJob.objects.filter(article_id=article_id, state="done").count(),
        "suggestion.accepted": Suggestion.objects.filter(revision__article_id=article_id, status="accepted").count(),
        "suggestion.rejected": Suggestion.objects.filter(revision__article_id=article_id, status="rejected").count(),
        "revision.created": Revision.objects.filter(article_id=article_id, number__gt=1).count(),
        "publication.created": 1,
        "publication.corrected": 1,
        "alias.learned": Alias.objects.filter(origin__in=["editor", "learned"]).count(),
        "suppression.created": Suppression.objects.count(),
    })
    assert rows == +expected  # unary plus drops the zero counts
    assert rows["suggestion.accepted"] == 3 and rows["suggestion.rejected"] == 2
    assert rows["revision.created"] == 4 and Publication.objects.filter(article_id=article_id).count() == 2
    for event in AuditEvent.objects.filter(article_id=article_id):
        assert event.actor_label and event.at is not None
        assert key not in str(event.detail)
    accepted = AuditEvent.objects.filter(action="suggestion.accepted").first()
    assert accepted.actor_type == "user" and accepted.actor_label == "copy-editor"
    assert accepted.before_sha256 and accepted.after_sha256
    assert AuditEvent.objects.get(action="pass.run", detail__pass="entities").actor_label.startswith("pass entities v")


def test_a_failed_login_is_audited_without_the_password() -> None:
    UserFactory(username="alice")
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong password 123"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail == {"username": "alice"}
    assert "wrong password" not in str(event.detail)


def test_audit_api_filters_by_article_actor_and_action_for_editors() -> None:
    client = create_api_token("audit-api")[0]
    first = ingest(client, external_id="one").article
    ingest(client, external_id="two")
    api = APIClient()
    api.force_authenticate(UserFactory(username="auditor", roles=["editor"]))
    page = api.get(f"/api/v1/audit/?article={first.pk}&action=article.&actor=audit-api").json()
    assert [(r["action"], r["article_id"]) for r in page["results"]] == [("article.ingested", first.pk)]
    assert api.get("/api/v1/audit/?article=x").status_code == 400


def test_audit_api_is_closed_to_plain_clients_and_viewers() -> None:
    _, key = create_api_token("nosy")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/audit/").status_code == 403
    viewer = APIClient()
    viewer.force_authenticate(UserFactory(username="viewer", roles=["viewer"]))
    assert viewer.get("/api/v1/audit/").status_code == 403
