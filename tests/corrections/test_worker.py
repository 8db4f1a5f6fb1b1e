"""End to end with a real Celery worker process on Redis and the test database."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from articles.models import Article
from corrections import jobs
from corrections.models import PipelineJob
from tests.support import PrivateRedis, Worker, use_broker, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def status_of(api: APIClient, article_id: int) -> str:
    return str(api.get(f"/api/v1/articles/{article_id}/").json()["status"])


def test_posted_article_reaches_review_with_suggestions_through_the_api(token_client: APIClient, celery_worker: Worker) -> None:
    text = seed("001")
    response = token_client.post("/api/v1/articles/", {"source": "outlet-1", "external_id": "e2e",
                                                        "title": text.split("\n")[0], "body": text}, format="json")
    assert response.status_code == 201
    article_id = response.json()["id"]
    wait_for(lambda: status_of(token_client, article_id) == "in_review", timeout=90, message="in_review")
    suggestions = token_client.get(f"/api/v1/articles/{article_id}/suggestions/").json()
    assert suggestions["count"] >= 1
    stray = [s for s in suggestions["results"] if s["original"] == "Â"]
    assert stray and stray[0]["kind"] == "encoding" and text[stray[0]["start"]:stray[0]["end"]] == "Â"


def test_job_whose_enqueue_failed_with_redis_down_is_swept_once_redis_is_back(token_client: APIClient, transactional_db: None, tmp_path: Path) -> None:
    broker = PrivateRedis()
    broker.start()
    worker = Worker(worker_env(REDIS_URL=broker.url), tmp_path / "worker.log")
    worker.start()
    try:
        # A first request pays for this process's imports (the wire-format parsers...): not what
        # the 2 s below measures.
        with use_broker(broker.url):
            assert token_client.post("/api/v1/articles/", {"source": "outlet-2", "external_id": "warm", "title": "T",
                                                            "body": "Warm."}, format="json").status_code == 201
        broker.stop()
        with use_broker(broker.url), override_settings(NEWSROOM_JOB_STALE_QUEUED=jobs.timedelta(seconds=0)):
            started = time.monotonic()
            response = token_client.post("/api/v1/articles/", {"source": "outlet-2", "external_id": "down",
                                                                "title": "T", "body": "Caf\u00c3\u00a9 opens."},
                                         format="json")
            assert response.status_code == 201
            assert time.monotonic() - started < 2.5
            article_id = response.json()["id"]
            time.sleep(0.5)
            assert status_of(token_client, article_id) == "received"
            assert jobs.sweep_jobs()["unpublished"] == 1  # still down: nothing lost, nothing published

            broker.start()  # back, empty: the message that never got there is not in it
            wait_for(lambda: jobs.sweep_jobs()["republished"] == 1 or status_of(token_client, article_id) != "received",
                     timeout=30, interval=1, message="the sweep to publish the job")
        wait_for(lambda: status_of(token_client, article_id) == "in_review", timeout=90, message="in_review")
        assert PipelineJob.objects.get(article_id=article_id).state == "done"
    finally:
        worker.stop()
        broker.stop()


def test_job_that_kills_its_worker_ends_failed_and_others_keep_flowing(token_client: APIClient, transactional_db: None, tmp_path: Path) -> None:
    from tests.support import flush_test_broker

    flush_test_broker()
    worker = Worker(worker_env(NEWSROOM_PASSES="tests.corrections.poison_pass,corrections.passes.encoding"),
                    tmp_path / "worker.log")
    worker.start()
    try:
        poison = token_client.post("/api/v1/articles/", {"source": "outlet-3", "external_id": "poison", "title": "T",
                                                          "body": "POISON-CRASH"}, format="json").json()["id"]
        healthy = token_client.post("/api/v1/articles/", {"source": "outlet-3", "external_id": "fine", "title": "T",
                                                           "body": "A fine text."}, format="json").json()["id"]
        wait_for(lambda: status_of(token_client, poison) == "failed", timeout=120, message="the poison job to fail")
        job = PipelineJob.objects.get(article_id=poison)
        assert job.state == "failed" and job.attempts == job.max_attempts
        assert "worker died" in job.last_error
        wait_for(lambda: status_of(token_client, healthy) == "in_review", timeout=60, message="the healthy job")
        assert Article.objects.get(pk=poison).status_detail.startswith("pipeline failed")
    finally:
        worker.stop()
        flush_test_broker()


def test_a_pass_over_its_time_budget_is_stopped_inside_the_worker_and_the_job_finishes(token_client: APIClient, transactional_db: None, tmp_path: Path) -> None:
    """The budget's timer interrupts a pass that never ends inside a prefork child (its main thread)."""
    from tests.support import flush_test_broker

    flush_test_broker()
    worker = Worker(worker_env(NEWSROOM_PASSES="tests.corrections.marker_pass", NEWSROOM_PASS_TIME_BUDGET="2"),
                    tmp_path / "worker.log")
    worker.start()
    try:
        article_id = token_client.post("/api/v1/articles/", {"source": "outlet-4", "external_id": "spin", "title": "T",
                                                              "body": "A SLIP first.\n\nThen the pass will SPIN."},
                                       format="json").json()["id"]
        wait_for(lambda: status_of(token_client, article_id) == "in_review", timeout=60, message="in_review")
        job = PipelineJob.objects.get(article_id=article_id)
        assert job.state == "done" and job.attempts == 1
        notice = token_client.get(f"/api/v1/articles/{article_id}/suggestions/?kind=notice").json()["results"]
        # the note gives the time it took: the budget and the moment the timer signal got through
        assert len(notice) == 1 and re.search(r"stopped after 2\.\d s, its time budget", notice[0]["explanation"])
    finally:
        worker.stop()
        flush_test_broker()


def test_worker_rides_out_a_redis_outage_while_a_task_runs(token_client: APIClient, transactional_db: None, tmp_path: Path) -> None:
    """Redis stops while the worker runs a task (its message delivered, not yet acknowledged) and
    its consumer waits on the queue: the worker reconnects when Redis is back instead of exiting
    (celery 5.7 closes the lost connection twice; kombu's Redis channel then raised AttributeError
    on the detached transport: newsroom/broker_transport.py)."""
    broker = PrivateRedis()
    broker.start()
    worker = Worker(worker_env(REDIS_URL=broker.url, NEWSROOM_PASSES="tests.corrections.marker_pass",
                               NEWSROOM_PASS_TIME_BUDGET="6"), tmp_path / "worker.log", concurrency=2)
    log = tmp_path / "worker.log"
    worker.start()
    try:
        with use_broker(broker.url):
            spinning = token_client.post("/api/v1/articles/", {"source": "outlet-5", "external_id": "spin",
                                                                "title": "T", "body": "A SLIP; then SPIN."},
                                         format="json").json()["id"]
            wait_for(lambda: PipelineJob.objects.filter(article_id=spinning, state="running").exists(), timeout=60,
                     message="the job to run")
            time.sleep(0.5)
            broker.stop()
            time.sleep(4)
            assert worker.process is not None and worker.process.poll() is None, "the worker exited with Redis down"
            broker.start()  # back, empty
            time.sleep(2)
            assert worker.process.poll() is None, "the worker exited when Redis came back"
            # It consumes again: a new article is processed by this same worker process.
            later = token_client.post("/api/v1/articles/", {"source": "outlet-5", "external_id": "after",
                                                             "title": "T", "body": "A SLIP after the outage."},
                                      format="json").json()["id"]
            def later_reviewed() -> bool:
                assert "Unrecoverable error" not in log.read_text(errors="replace"), "the worker is shutting down"
                return status_of(token_client, later) == "in_review"

            wait_for(later_reviewed, timeout=60, message="in_review after")
            # The job that ran through the outage ends too (its lease and the sweep see to it).
            def spinning_ended() -> bool:
                jobs.sweep_jobs()
                return status_of(token_client, spinning) == "in_review"

            wait_for(spinning_ended, timeout=90, interval=1, message="the spinning job to end")
        assert worker.process.poll() is None
        assert "AttributeError" not in log.read_text(errors="replace")
    finally:
        worker.stop()
        broker.stop()
