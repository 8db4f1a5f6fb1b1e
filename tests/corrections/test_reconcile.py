"""``manage.py reconcile``: zero everywhere on a healthy desk, and each invariant caught when an
operator's SQL breaks it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from articles.models import Article
from articles.tokens import create_api_token
from corrections import pipeline, reconcile, review
from corrections.models import PassRun, PipelineJob, Suggestion
from tests.articles.helpers import ingest
from tests.factories import UserFactory

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def build_desk() -> list[Article]:
    """Three seed articles through the passes (one with a suggestion in its title), one decided on and
    one re-sent with a changed body."""
    client = create_api_token("reconcile-tests")[0]
    articles = []
    for prefix in ("001", "002", "004"):
        # 002's title has a slip of its own: its suggestion's offsets point into the title.
        title = "Talks on a adjacent summit" if prefix == "002" else "Title"
        outcome = ingest(client, source="wire", external_id=prefix, title=title, body=seed_text(prefix))
        pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
        articles.append(outcome.article)
    editor = UserFactory(username="recon-editor", roles=["editor"])
    pending = list(Suggestion.objects.filter(revision__article=articles[0], status="pending").order_by("start"))
    review.reject_suggestion(suggestion_id=pending[1].pk, seen_revision=1, actor=editor)
    review.accept_suggestion(suggestion_id=pending[0].pk, seen_revision=1, actor=editor)
    resent = ingest(client, source="wire", external_id="004", body=seed_text("004") + "\n\nA late paragraph.")
    assert resent.new_revision
    pipeline.run_job(PipelineJob.objects.get(revision=resent.revision).pk)
    return articles


def run_command(*args: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    try:
        call_command("reconcile", "--json", *args, stdout=out)
        code = 0
    except SystemExit as ex:
        code = int(ex.code or 0)
    return code, json.loads(out.getvalue())


def sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        if statement.startswith("ALTER TABLE"):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER refuses pending deferred FK checks
        cursor.execute(statement, params or [])


def break_duplicate_article(desk: list[Article]) -> None:
    # A hand-run migration dropped the natural key, then an import copied a row.
    sql("ALTER TABLE articles_article DROP CONSTRAINT article_unique_source_external_id")
    sql("""INSERT INTO articles_article (source_id, external_id, client_id, title, content_type, language, url,
                                         status, status_detail, revision_number, invisible_chars, created_at, updated_at)
           SELECT source_id, external_id, client_id, title, content_type, language, url, status, status_detail,
                  revision_number, invisible_chars, created_at, updated_at
           FROM articles_article WHERE id = %s""", [desk[1].pk])


def break_stuck_article(desk: list[Article]) -> None:
    # Someone "resets" an article by hand, with no job to take it anywhere.
    sql("UPDATE articles_article SET status = 'received' WHERE id = %s", [desk[1].pk])


def break_failed_without_reason(desk: list[Article]) -> None:
    sql("UPDATE articles_article SET status = 'failed', status_detail = '' WHERE id = %s", [desk[1].pk])


def break_running_past_lease(desk: list[Article]) -> None:
    # A job left running by a worker that died while the sweep was not scheduled.
    sql("UPDATE corrections_pipelinejob SET state = 'running', lease_expires_at = now() - interval '10 minutes' "
        "WHERE article_id = %s", [desk[2].pk])


def break_queued_unswept(desk: list[Article]) -> None:
    sql("UPDATE corrections_pipelinejob SET state = 'queued', enqueued_at = now() - interval '1 hour' "
        "WHERE article_id = %s", [desk[2].pk])


def break_failed_job_without_reason(desk: list[Article]) -> None:
    sql("UPDATE corrections_pipelinejob SET state = 'failed', last_error = '' WHERE article_id = %s", [desk[1].pk])


def break_stuck_story_refresh(desk: list[Article]) -> None:
    # A worker died in a refresh and no sweep took it back (beat is down).
    sql("""INSERT INTO corrections_storyrefresh (story_id, article_ids, requested, created_at, due_at, claimed_by,
                                                 lease_expires_at)
           SELECT story_id, ARRAY[id], 1, now(), now(), 'dead-task', now() - interval '1 hour'
           FROM articles_article WHERE id = %s
           ON CONFLICT (story_id) DO UPDATE SET claimed_by = 'dead-task', lease_expires_at = now() - interval '1 hour'
        """, [desk[1].pk])


def break_revision_without_job(desk: list[Article]) -> None:
    # Cleaning the job table by hand.
    sql("DELETE FROM corrections_pipelinejob WHERE article_id = %s", [desk[1].pk])


def break_missing_pass_run(desk: list[Article]) -> None:
    # Purging one pass's output by hand, its suggestions first.
    run = PassRun.objects.filter(revision__article=desk[1], pass_name="spelling").values_list("pk", flat=True).get()
    sql("DELETE FROM corrections_suggestion WHERE pass_run_id = %s", [run])
    sql("DELETE FROM corrections_passrun WHERE id = %s", [run])


def break_duplicate_pass_run(desk: list[Article]) -> None:
    sql("ALTER TABLE corrections_passrun DROP CONSTRAINT passrun_unique_revision_pass_version")
    sql("""INSERT INTO corrections_passrun (revision_id, pass_name, pass_version, created_at, duration_ms,
                                            suggestion_count, evidence_key)
           SELECT revision_id, pass_name, pass_version, created_at, duration_ms, suggestion_count, evidence_key
           FROM corrections_passrun WHERE revision_id = (SELECT id FROM articles_revision WHERE article_id = %s)
           LIMIT 1""", [desk[1].pk])


def break_duplicate_suggestion(desk: list[Article]) -> None:
    sql("ALTER TABLE corrections_suggestion DROP CONSTRAINT suggestion_unique_natural_key_field")
    sql("""INSERT INTO corrections_suggestion (revision_id, pass_run_id, pass_name, kind, start, "end", original,
                                               replacement, applied_replacement, confidence, explanation, evidence,
                                               status, status_note, created_at)
           SELECT revision_id, pass_run_id, pass_name, kind, start, "end", original, replacement,
                  applied_replacement, confidence, explanation, evidence, status, status_note, created_at
           FROM corrections_suggestion
           WHERE revision_id = (SELECT id FROM articles_revision WHERE article_id = %s) LIMIT 1""", [desk[1].pk])


def break_suggestion_span(desk: list[Article]) -> None:
    # "Fixing" offsets by hand.
    sql("""UPDATE corrections_suggestion SET start = start + 1, "end" = "end" + 1
           WHERE id = (SELECT s.id FROM corrections_suggestion s JOIN articles_revision r ON r.id = s.revision_id
                       WHERE r.article_id = %s AND s."end" > s.start ORDER BY s.id LIMIT 1)""", [desk[1].pk])


def break_ingest_audit(desk: list[Article]) -> None:
    # Replaying an audit export into the live table (INSERT is all the append-only trail allows).
    sql("""INSERT INTO articles_auditevent (at, action, actor_type, actor_id, actor_label, object_type, object_id,
                                            article_id, revision_number, before_sha256, after_sha256, request_id, detail)
           SELECT at, action, actor_type, actor_id, actor_label, object_type, object_id, article_id, revision_number,
                  before_sha256, after_sha256, request_id, detail
           FROM articles_auditevent WHERE action = 'article.ingested' AND article_id = %s""", [desk[0].pk])


BREAKS: dict[str, Callable[[list[Article]], None]] = {
    "articles_duplicated": break_duplicate_article,
    "articles_stuck": break_stuck_article,
    "articles_failed_without_reason": break_failed_without_reason,
    "jobs_running_past_lease": break_running_past_lease,
    "jobs_queued_unswept": break_queued_unswept,
    "jobs_failed_without_reason": break_failed_job_without_reason,
    "story_refreshes_stuck": break_stuck_story_refresh,
    "ingested_revisions_without_job": break_revision_without_job,
    "done_revisions_missing_pass_runs": break_missing_pass_run,
    "pass_runs_duplicated": break_duplicate_pass_run,
    "suggestions_duplicated": break_duplicate_suggestion,
    "suggestions_off_their_text": break_suggestion_span,
    "articles_without_one_ingest_audit_row": break_ingest_audit,
}


class ReconcileTests(TestCase):
    """The desk is built once (setUpTestData); each test breaks it inside its own savepoint."""

    desk: list[Article]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.desk = build_desk()

    def test_a_healthy_desk_passes_every_check_and_exits_0(self) -> None:
        code, report = run_command()
        assert code == 0, report
        assert report["passed"] and set(report["checks"]) == set(reconcile.check_names())
        assert all(check["count"] == 0 for check in report["checks"].values())
        assert report["totals"]["articles"] == 3 and report["totals"]["jobs_done"] == 4

    def test_the_table_names_each_check_with_its_count(self) -> None:
        out = io.StringIO()
        call_command("reconcile", stdout=out)
        for name in reconcile.check_names():
            assert re.search(rf"ok +{name} +0 ", out.getvalue()), name
        assert "Reconciliation passed" in out.getvalue()

    def test_every_check_has_a_test_that_breaks_it(self) -> None:
        assert set(BREAKS) == set(reconcile.check_names())

    def check_breaking(self, check: str) -> None:
        BREAKS[check](self.desk)
        code, report = run_command()
        assert code == 1
        assert not report["passed"]
        broken = report["checks"][check]
        assert broken["count"] >= 1 and not broken["passed"] and broken["examples"], broken


def _breaking_test(check: str) -> Callable[[ReconcileTests], None]:
    def test(self: ReconcileTests) -> None:
        self.check_breaking(check)
    test.__doc__ = f"Breaking {check} through SQL fails that check and exits 1."
    return test


for _check in BREAKS:
    setattr(ReconcileTests, f"test_breaking_{_check}_fails_it_and_exits_1", _breaking_test(_check))
