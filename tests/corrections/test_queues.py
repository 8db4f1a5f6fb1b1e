"""The Celery queues: every task has one, the sweep publishes to it, and the ops view shows each."""

from __future__ import annotations

import pytest
from django.conf import settings

from corrections import ops
from newsroom.celery import app


def our_tasks() -> list[str]:
    import articles.tasks  # noqa: F401 - registers the tasks
    import corrections.tasks  # noqa: F401

    return sorted(name for name in app.tasks if name.split(".")[0] in {"articles", "corrections"})


def test_every_task_of_ours_is_routed_to_a_declared_queue() -> None:
    names = our_tasks()
    assert "corrections.tasks.run_pipeline_task" in names and "articles.tasks.poll_feed_task" in names
    for name in names:
        queue = app.amqp.router.route({}, name)["queue"].name
        assert queue in settings.NEWSROOM_QUEUES, name
    route = app.amqp.router.route
    assert route({}, "corrections.tasks.run_pipeline_task")["queue"].name == "passes"
    assert route({}, "corrections.tasks.sweep_jobs_task")["queue"].name == "maintenance"
    assert {route({}, f"articles.tasks.{t}")["queue"].name
            for t in ("retention_task", "dispatch_feeds_task", "poll_feed_task")} == {"maintenance"}


def test_an_unrouted_task_falls_to_a_queue_workers_consume() -> None:
    assert app.conf.task_default_queue in settings.NEWSROOM_QUEUES


def test_the_ops_view_and_metrics_read_every_queue() -> None:
    assert set(ops.celery_queue_names()) == set(settings.NEWSROOM_QUEUES)
    assert set(ops.QUEUE_PURPOSES) == set(settings.NEWSROOM_QUEUES)


@pytest.mark.parametrize("queue", ["passes", "refresh"])
def test_a_worker_of_the_passes_warms_up_and_a_maintenance_worker_does_not(queue: str) -> None:
    from corrections.tasks import consumes_passes

    queues = app.amqp.queues
    try:
        queues.select([queue])
        assert consumes_passes()
        queues.select(["maintenance"])
        assert not consumes_passes()
    finally:
        queues._consume_from = None
