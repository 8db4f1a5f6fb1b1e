"""NEWSROOM_LOG_FORMAT=json: one JSON object per line, with the request id and the job id."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from corrections.models import PipelineJob
from newsroom.logs import logging_config
from tests.support import Worker, flush_test_broker, free_port, wait_for, worker_env


@pytest.fixture
def json_logs() -> Iterator[Any]:
    """Log as NEWSROOM_LOG_FORMAT=json would, into a buffer; the suite's configuration after."""
    logging.config.dictConfig(logging_config("json", "INFO"))
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.config.dictConfig(settings.LOGGING)


def test_the_human_format_is_the_default() -> None:
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"


@pytest.mark.django_db
def test_json_log_lines_parse_and_carry_the_request_id(json_logs: Any) -> None:
    # when: a request logs (the scrape finds the broker down)
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        Client().get("/metrics", headers={"Authorization": f"Bearer {settings.NEWSROOM_METRICS_TOKEN}",
                                          "X-Request-ID": "req-json-1"})

    lines = json_logs()
    line = next(line for line in lines if line["logger"] == "corrections.ops")
    assert line["request_id"] == "req-json-1"
    assert line["level"] == "WARNING" and line["job_id"] == ""
    assert line["message"] == "could not read the queue lengths from the broker: ConnectionError"
    assert line["time"].endswith("+00:00")


def test_json_log_lines_carry_the_exception(json_logs: Any) -> None:
    try:
        raise ValueError("a bad value")
    except ValueError:
        logging.getLogger("newsroom.test").exception("it failed for %s", "a reason", extra={"article_id": 7})

    (line,) = json_logs()
    assert (line["message"], line["article_id"], line["request_id"]) == ("it failed for a reason", 7, "")
    assert line["exception"].startswith("Traceback") and "ValueError: a bad value" in line["exception"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_json_with_the_job_id(token_client: APIClient, tmp_path: Path) -> None:
    flush_test_broker()
    worker = Worker(worker_env(NEWSROOM_LOG_FORMAT="json", NEWSROOM_PASSES="tests.corrections.poison_pass",
                               NEWSROOM_JOB_MAX_ATTEMPTS="1"), tmp_path / "worker.log")
    worker.start()
    try:
        response = token_client.post("/api/v1/articles/", {"source": "logs", "external_id": "json", "title": "T",
                                                           "body": "POISON-RAISE"}, format="json")
        job = PipelineJob.objects.get(article_id=response.json()["id"])
        wait_for(lambda: PipelineJob.objects.get(pk=job.pk).state == "failed", timeout=60, message="the job to fail")
    finally:
        worker.stop()
        flush_test_broker()
    lines = [json.loads(raw) for raw in (tmp_path / "worker.log").read_text().splitlines() if raw.startswith("{")]
    failed = next(line for line in lines if line["message"] == f"pipeline job {job.pk} failed")
    assert failed["job_id"] == f"job:{job.pk}" and failed["request_id"].startswith("task:")
    assert "RuntimeError: the poison pass refuses this text" in failed["exception"]
    assert any(line["logger"].startswith("celery") for line in lines)
