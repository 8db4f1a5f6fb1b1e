"""The pipeline as domain functions: claiming jobs, running passes once, failing poison jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from articles.models import Article
from articles.tokens import create_api_token
from corrections import jobs, pipeline
from corrections.models import PassRun, PipelineJob, Suggestion
from corrections.tasks import run_pipeline_task
from tests.articles.helpers import ingest

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
POISON = ("tests.corrections.poison_pass",)


@pytest.fixture
def client_row():  # type: ignore[no-untyped-def]
    return create_api_token("pipeline-tests")[0]


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_run_job_moves_article_to_in_review_with_suggestions(client_row) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row, body=seed_text("001"), external_id="s001")
    job = PipelineJob.objects.get(revision=outcome.revision)
    pipeline.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 1
    assert Article.objects.get(pk=outcome.article.pk).status == "in_review"
    stray = Suggestion.objects.get(revision=outcome.revision, kind="encoding")
    assert stray.original == "Â" and stray.replacement == ""
    assert outcome.revision.text[stray.start:stray.end] == stray.original


def test_running_the_job_again_stores_its_suggestions_once(client_row) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row, body=seed_text("004"), external_id="s004")
    job = PipelineJob.objects.get(revision=outcome.revision)
    run_pipeline_task(job.pk)
    first = sorted(Suggestion.objects.values_list("pass_name", "start", "end", "replacement"))
    runs = PassRun.objects.count()
    # A redelivered message after a crash: the job is claimable again and runs every pass again.
    PipelineJob.objects.filter(pk=job.pk).update(state="queued")
    run_pipeline_task(job.pk)
    assert sorted(Suggestion.objects.values_list("pass_name", "start", "end", "replacement")) == first
    assert PassRun.objects.count() == runs
    assert len(first) > 0


def test_a_finished_job_is_not_claimed_again(client_row) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row)
    job = PipelineJob.objects.get(revision=outcome.revision)
    assert pipeline.run_job(job.pk) is not None
    assert pipeline.run_job(job.pk) is None
    assert PipelineJob.objects.get(pk=job.pk).attempts == 1


@override_settings(NEWSROOM_PASSES=POISON)
def test_poison_job_ends_failed_after_its_attempts_with_the_reason(client_row) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row, body="POISON-RAISE in this text")
    job = PipelineJob.objects.get(revision=outcome.revision)
    for _ in range(job.max_attempts):
        PipelineJob.objects.filter(pk=job.pk).update(enqueued_at=None)
        run_pipeline_task(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.attempts == job.max_attempts
    assert "poison pass refuses" in job.last_error
    article = Article.objects.get(pk=outcome.article.pk)
    assert article.status == "failed" and "poison pass refuses" in article.status_detail
    run_pipeline_task(job.pk)  # never retried forever
    assert PipelineJob.objects.get(pk=job.pk).attempts == job.max_attempts


def test_sweep_republishes_a_job_that_was_never_picked_up(client_row, settings) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest(client_row)
    job = PipelineJob.objects.get(revision=outcome.revision)
    PipelineJob.objects.filter(pk=job.pk).update(enqueued_at=job.enqueued_at - settings.NEWSROOM_JOB_STALE_QUEUED * 2)
    counts = jobs.sweep_jobs()
    assert counts["republished"] == 1
    assert PipelineJob.objects.get(pk=job.pk).enqueued_at > job.enqueued_at


def test_sweep_fails_a_job_whose_worker_died_on_its_last_attempt(client_row) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    outcome = ingest(client_row)
    job = PipelineJob.objects.get(revision=outcome.revision)
    PipelineJob.objects.filter(pk=job.pk).update(
        state="running", attempts=job.max_attempts, lease_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert jobs.sweep_jobs()["failed"] == 1
    job.refresh_from_db()
    assert job.state == "failed" and "lease expired" in job.last_error


def test_changed_body_makes_pending_suggestions_of_the_old_revision_stale(client_row) -> None:  # type: ignore[no-untyped-def]
    first = ingest(client_row, body=seed_text("001"), external_id="x")
    pipeline.run_job(PipelineJob.objects.get(revision=first.revision).pk)
    assert Suggestion.objects.filter(revision=first.revision, status="pending").exists()
    second = ingest(client_row, body=seed_text("001").replace("Â", ""), external_id="x")
    assert second.new_revision
    assert not Suggestion.objects.filter(revision=first.revision, status="pending").exists()
    assert Article.objects.get(pk=first.article.pk).status == "received"


@override_settings(NEWSROOM_AUTO_APPLY_KINDS=frozenset({"whitespace"}))
def test_auto_applied_kinds_make_a_system_revision_and_carry_the_rest_over(client_row) -> None:  # type: ignore[no-untyped-def]
    text = seed_text("004")
    outcome = ingest(client_row, body=text, external_id="auto")
    pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    article = Article.objects.get(pk=outcome.article.pk)
    assert article.revision_number == 2
    second = article.revisions.get(number=2)
    assert second.created_by == "system:auto-apply"
    applied = Suggestion.objects.filter(revision=outcome.revision, status="applied")
    assert applied.exists() and all(s.kind == "whitespace" for s in applied)
    assert "\n\n\n" not in second.text
    carried = Suggestion.objects.filter(revision=second, status="pending")
    assert carried.exists()
    for s in carried:
        assert second.text[s.start:s.end] == s.original
    assert not Suggestion.objects.filter(revision=outcome.revision, status="pending").exists()


STORIES = [
    "Floods closed the coastal road near Valparaiso after three days of rain, officials said. Emergency "
    "crews evacuated hundreds of families from low-lying neighbourhoods while fishermen moved boats inland.",
    "The orchestra of Tallinn opened its winter season with a new symphony by a local composer. Critics "
    "praised the brass section, and tickets for the remaining concerts sold out within hours.",
    "Farmers in Punjab began harvesting an early wheat crop as temperatures climbed in March. Agronomists "
    "warned that heat during flowering could shrink grain weight and cut yields across the province.",
    "A museum in Lyon returned two carved masks to the community in Gabon that made them. Elders travelled "
    "to France for the ceremony, which ended years of negotiation between curators and village chiefs.",
]
TRAVELLING_CHROME = "Enjoyed this? The Ledger lands in your inbox at dawn."


def test_a_line_closing_articles_of_several_stories_and_outlets_is_learned_as_chrome(client_row) -> None:  # type: ignore[no-untyped-def]
    """Chrome that travels between outlets is recognised once it has closed articles of three
    other stories, and the articles that came before are refreshed to show it too."""
    ids = []
    for i, story in enumerate(STORIES):
        outcome = ingest(client_row, source=f"outlet-{i % 3}", external_id=f"chrome-{i}",
                         body=f"{story}\n\n{TRAVELLING_CHROME}")
        pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
        pipeline.run_pending_refreshes()
        ids.append(outcome.article.pk)
    assert len(set(Article.objects.filter(pk__in=ids).values_list("story_id", flat=True))) == 4
    for article_id in ids:
        chrome = Suggestion.objects.filter(revision__article_id=article_id, kind="boilerplate", status="pending")
        assert [s.original.strip() for s in chrome] == [TRAVELLING_CHROME], article_id
        assert "other stories" in chrome[0].explanation


def test_a_story_line_shared_only_by_copies_of_one_story_is_not_chrome(client_row) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        outcome = ingest(client_row, source=f"outlet-{i}", external_id=f"same-{i}",
                         body=f"{STORIES[0]}\n\nRescue teams reached the last stranded village by boat.")
        pipeline.run_job(PipelineJob.objects.get(revision=outcome.revision).pk)
    assert not Suggestion.objects.filter(kind="boilerplate").exists()
