"""A running job's lease, renewed by a heartbeat while its task is alive.

A job is claimed with a short lease (``NEWSROOM_JOB_LEASE``, 15 s by default). While the task
runs, a thread renews it every fifth of the lease, so a long article keeps its job however long
its passes take; when the worker process dies (SIGKILL, OOM, a lost machine) the renewals stop,
the lease runs out within ``NEWSROOM_JOB_LEASE`` and the next sweep (every
``NEWSROOM_SWEEP_INTERVAL`` s) takes the job back and publishes it again. Celery's own recovery
is kept where it is fast (``reject_on_worker_lost`` re-queues the message of a killed pool child
at once), but with Redis a worker killed outright leaves its messages unacknowledged until the
visibility timeout (an hour): the lease is what brings those jobs back within seconds.

A renewal only touches the row while it is still this task's (``claimed_by``, ``running``): a
task whose lease was lost never extends someone else's. Work done twice after a lost lease is
harmless (pass runs and suggestions are unique); ``jobs.finish_job`` lets only the holder finish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from corrections.models import PipelineJob

logger = logging.getLogger(__name__)

# A renewal waits at most this long for a row lock (a transaction holding the row must not make
# the heartbeat outlive its task).
LOCK_TIMEOUT = "2s"


def heartbeat_interval(lease: timedelta) -> float:
    """Seconds between renewals: five chances to renew before the lease runs out."""
    return max(lease.total_seconds() / 5, 0.5)


def renew_lease(job_id: int, task_id: str, lease: timedelta) -> bool:
    """Push the lease of a job this task still holds to ``lease`` from now; False when it is not
    held by this task any more (finished, failed, or taken back after the lease ran out)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        renewed = PipelineJob.objects.filter(
            pk=job_id, state=PipelineJob.State.RUNNING, claimed_by=task_id
        ).update(lease_expires_at=timezone.now() + lease)
    return renewed == 1


class Heartbeat(threading.Thread):
    """Renews one job's lease until stopped, on a database connection of its own."""

    def __init__(self, job_id: int, task_id: str, lease: timedelta) -> None:
        super().__init__(name=f"lease-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.task_id = task_id
        self.lease = lease
        self.stopping = threading.Event()
        self.renewals = 0

    def run(self) -> None:
        interval = heartbeat_interval(self.lease)
        try:
            while not self.stopping.wait(interval):
                try:
                    if not renew_lease(self.job_id, self.task_id, self.lease):
                        logger.info("job %s is no longer held by task %s; heartbeat stops", self.job_id,
                                    self.task_id)
                        return
                    self.renewals += 1
                except DatabaseError:
                    # The database is away (a restart, a terminated backend): try again next beat
                    # on a fresh connection. The task itself fails and retries on its own terms.
                    logger.warning("could not renew the lease of job %s", self.job_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


@contextmanager
def kept(job: PipelineJob) -> Iterator[Heartbeat | None]:
    """Keep ``job``'s lease alive while the block runs.

    Inside an outer transaction (a test calling the pipeline directly) the claim is not committed,
    so no other process can see or take the job, and a renewal would only wait for our own row
    lock: nothing is started then.
    """
    if connection.in_atomic_block:
        yield None
        return
    heartbeat = Heartbeat(job.pk, job.claimed_by, settings.NEWSROOM_JOB_LEASE)
    heartbeat.start()
    try:
        yield heartbeat
    finally:
        heartbeat.stop()
