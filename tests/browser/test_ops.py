"""An admin on the ops page in a real browser: the backlog, the hour's throughput, and a failed job
retried from the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrections import pipeline
from corrections.models import PipelineJob
from tests.articles.helpers import ingest
from tests.browser.conftest import log_in, screenshot
from tests.corrections.desk import failed_job, ingest_client
from tests.factories import UserFactory
from tests.support import flush_test_broker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_admin_retries_a_failed_job_from_the_ops_page_by_keyboard(page: object) -> None:
    UserFactory(username="olga", roles=["admin"], is_staff=True)
    flush_test_broker()
    client = ingest_client()
    # given: seed copies through the pipeline, two waiting in the queue, and two failed jobs
    for n, path in enumerate(sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))):
        body = path.read_text(encoding="utf-8")
        job = PipelineJob.objects.get(revision=ingest(client, source=f"outlet-{n}", external_id=path.stem,
                                                      title=body.split("\n", 1)[0][:120], body=body).revision)
        if n < 3:
            pipeline.run_job(job.pk)
    flush_test_broker()
    failed_job(client, title="Markets <b>rally</b> as rates hold", body="POISON-RAISE Markets rallied.")
    job = failed_job(client, title="Storm closes the coast road", body="POISON-RAISE The road closed.")
    flush_test_broker()  # the failed attempts' messages are spent; the two unprocessed copies wait
    for n in range(2):
        ingest(client, source="outlet-late", external_id=f"late-{n}", body=f"A late copy {n}.")

    log_in(page, "olga")
    page.click("header nav >> text=Ops")  # type: ignore[attr-defined]
    page.wait_for_url("**/ops/")  # type: ignore[attr-defined]
    assert page.text_content("tr[data-queue='passes'] td.num").strip() == "2"  # type: ignore[attr-defined]
    assert page.text_content("tr[data-outbox='failed'] td.num").strip() == "2"  # type: ignore[attr-defined]
    assert "Markets <b>rally</b> as rates hold" in page.text_content("table.ops-failed")  # type: ignore[attr-defined]
    totals = [cell.text_content() for cell in page.query_selector_all(".ops-throughput tfoot td")]  # type: ignore[attr-defined]
    assert totals == ["9", "3"]
    screenshot(page, "ops.png")

    # when: the admin tabs to the job's Retry button and presses Enter
    button = f"tr[data-job-id='{job.pk}'] button"
    for _ in range(60):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate(f"document.activeElement === document.querySelector(\"{button}\")"):  # type: ignore[attr-defined]
            break
    else:
        raise AssertionError("Tab never reached the Retry button")
    page.keyboard.press("Enter")  # type: ignore[attr-defined]

    # then: back on the page, the job is queued again and no longer listed as failed
    page.wait_for_selector(".message.success")  # type: ignore[attr-defined]
    assert f"Job {job.pk} is queued again" in page.text_content(".messages")  # type: ignore[attr-defined]
    assert page.query_selector(f"tr[data-job-id='{job.pk}']") is None  # type: ignore[attr-defined]
    assert page.text_content("tr[data-queue='passes'] td.num").strip() == "3"  # type: ignore[attr-defined]
    assert PipelineJob.objects.get(pk=job.pk).state == "queued"
    page.problems.assert_none()  # type: ignore[attr-defined]
    flush_test_broker()
